//! The languages numbot speaks. Every text a user or admin reads is a
//! Project Fluent message in `locales/<language>/*.ftl`, compiled into the
//! binary; handlers write `tr!(lang, "message-id", name = value)`. A
//! message missing from a language falls back to English, and a test keeps
//! every language complete (no missing message, no unused one).

use std::{borrow::Cow, collections::HashMap, sync::LazyLock};

use fluent_templates::{fluent_bundle::FluentValue, LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around values: a number copied from
        // a message must paste into a form as digits only.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages, in the order `/language` lists them: code, own name,
/// and the separator of digit groups (CLDR's, for Latin digits).
const LANGUAGES: [(&str, &str, &str); 8] = [
    ("en", "English", ","),
    ("ru", "Русский", "\u{202F}"),
    ("ar", "العربية", ","),
    ("es", "Español", "."),
    ("pt", "Português", "."),
    ("hi", "हिन्दी", ","),
    ("bn", "বাংলা", ","),
    ("id", "Bahasa Indonesia", "."),
];

/// A language numbot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(usize);

impl Lang {
    /// English, the fallback.
    pub const EN: Lang = Lang(0);

    /// Every language, in menu order.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LANGUAGES.len()).map(Lang)
    }

    /// The language of an IETF tag such as Telegram's `language_code`
    /// (`pt-br` is Portuguese), if numbot speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        LANGUAGES
            .iter()
            .position(|(code, _, _)| *code == primary)
            .map(Lang)
    }

    /// The first of `tags` numbot speaks (a user's choice, then their
    /// Telegram app's), else `default`.
    pub fn pick<'a>(tags: impl IntoIterator<Item = Option<&'a str>>, default: Lang) -> Lang {
        tags.into_iter()
            .flatten()
            .find_map(Lang::from_tag)
            .unwrap_or(default)
    }

    /// Its code: `en`, `ru`, ...
    pub fn code(self) -> &'static str {
        LANGUAGES[self.0].0
    }

    /// Its name in itself: `Русский`.
    pub fn name(self) -> &'static str {
        LANGUAGES[self.0].1
    }

    /// What separates groups of three digits: `2,500`, `2.500`, `2 500`.
    pub fn digit_group_separator(self) -> &'static str {
        LANGUAGES[self.0].2
    }

    fn id(self) -> &'static LanguageIdentifier {
        static IDS: LazyLock<Vec<LanguageIdentifier>> = LazyLock::new(|| {
            LANGUAGES
                .iter()
                .map(|(code, _, _)| code.parse().expect("language codes are valid tags"))
                .collect()
        });
        &IDS[self.0]
    }

    /// Message `key` with `args`, in this language.
    pub fn text(self, key: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
        if args.is_empty() {
            return LOCALES.lookup(self.id(), key);
        }
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.clone()))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &args)
    }
}

/// A value for a message argument: text or a number (numbers choose
/// plural forms).
pub(crate) fn arg<'a>(value: impl Into<FluentValue<'a>>) -> FluentValue<'a> {
    value.into()
}

/// `tr!(lang, "message-id")` or `tr!(lang, "message-id", name = value, ...)`:
/// the message in `lang`. Message ids are literals, so that a test can find
/// every one the code uses.
macro_rules! tr {
    ($lang:expr, $key:literal) => {
        $crate::i18n::Lang::text($lang, $key, &[])
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::Lang::text(
            $lang,
            $key,
            &[$((stringify!($name), $crate::i18n::arg($value))),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use std::{
        collections::{BTreeMap, BTreeSet},
        path::Path,
    };

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    use fluent_templates::fluent_bundle::FluentResource;

    use super::*;

    /// Message id -> the variables it uses, for one language.
    fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang.code());
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "ftl") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let resource = FluentResource::try_new(source)
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
            for entry in resource.entries() {
                if let Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        variables(p, &mut vars);
                    }
                    let id = m.id.name.to_string();
                    assert!(
                        out.insert(id.clone(), vars).is_none(),
                        "{}: {id} is defined twice",
                        lang.code()
                    );
                }
            }
        }
        out
    }

    fn variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }

    fn expression_variables(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline_variables(i, out),
            Expression::Select { selector, variants } => {
                inline_variables(selector, out);
                for v in variants {
                    variables(&v.value, out);
                }
            }
        }
    }

    fn inline_variables(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_variables(a, out);
                }
            }
            InlineExpression::Placeable { expression } => expression_variables(expression, out),
            _ => {}
        }
    }

    /// The message ids the crate's code uses: the literal after each `tr!(lang,`,
    /// and in the Mini App's templates after each `t.t(`.
    fn used_ids() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(root.join("templates")).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for (at, _) in text.match_indices("t.t(\"") {
                let id: String = text[at + 5..].chars().take_while(|c| *c != '"').collect();
                out.insert(id);
            }
        }
        let mut dirs = vec![root.join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("tr!(") {
                    let rest = &text[at..];
                    let Some(open) = rest.find('"') else { continue };
                    let id: String = rest[open + 1..].chars().take_while(|c| *c != '"').collect();
                    if id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        out.insert(id);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_language_has_every_message_and_no_other() {
        let english = messages(Lang::EN);
        assert!(english.len() > 100, "{} messages", english.len());
        for lang in Lang::all().skip(1) {
            let other = messages(lang);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in English {extra:?}",
                lang.code()
            );
            for (id, vars) in &english {
                assert_eq!(
                    &other[id],
                    vars,
                    "{}: {id} uses other variables than English",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn the_code_uses_every_message_and_only_those() {
        let english: BTreeSet<String> = messages(Lang::EN).into_keys().collect();
        let used = used_ids();
        let unknown: Vec<_> = used.difference(&english).collect();
        let unused: Vec<_> = english.difference(&used).collect();
        assert!(unknown.is_empty(), "used but not defined: {unknown:?}");
        assert!(unused.is_empty(), "defined but never used: {unused:?}");
    }

    #[test]
    fn picks_the_users_language() {
        assert_eq!(Lang::from_tag("pt-br").map(Lang::code), Some("pt"));
        assert_eq!(Lang::from_tag("RU").map(Lang::code), Some("ru"));
        assert_eq!(Lang::from_tag("de"), None);
        let ru = Lang::from_tag("ru").unwrap();
        assert_eq!(Lang::pick([None, Some("ru")], Lang::EN), ru);
        assert_eq!(Lang::pick([Some("de"), Some("xx")], ru), ru);
        assert_eq!(Lang::pick([Some("en"), Some("ru")], ru), Lang::EN);
        assert_eq!(Lang::all().count(), 8);
    }
}

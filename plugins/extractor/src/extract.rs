//! Finding the verification code in an SMS text.
//!
//! [`extract`] reads (a bounded prefix of) the text in four steps:
//!
//! 1. **Tokens.** The text is cut into runs of Latin letters and digits, runs
//!    of other alphabetic scripts (Cyrillic, Arabic, Hebrew...) and runs of
//!    CJK characters (Han, kana, Hangul); everything else separates tokens.
//!    Tokens inside a URL or an e-mail address are ignored.
//! 2. **Candidates.** Groups of 4 to 10 digits (`123-456`, `123 456` and
//!    `1234 5678` joined), letter-digit mixes (`123ABC78`), upper-case codes
//!    (`QGFDAE`) and codes spelled one character at a time (`a u 8 k u f`).
//!    Digit groups that read as something else are dropped: parts of dates,
//!    times, amounts and IPs (`1,555,000`, `12:00`, `01/05/2024`), phone
//!    numbers (`+44 7903 561836`, `718-858-7036`), masked digits (`****1234`),
//!    numbers next to a currency or a unit, labelled numbers (order, card
//!    ending, balance...) and years next to a month.
//! 3. **Keywords.** Words that announce a code, in many languages (code, OTP,
//!    PIN, password, código, senha, mot de passe, Bestätigungscode, TAN, код,
//!    пароль, رمز, كود, کد, 验证码, 認証番号, 인증번호...), and weak ones (use,
//!    enter, 输入) that only count right before a code.
//! 4. **Choice.** A candidate near a keyword scores its distance in words (a
//!    CJK run counts a word per three characters), plus one when it comes
//!    before the keyword and two per sentence end in between; the lowest score
//!    wins, the first on a tie. Digit groups may sit up to [`AFTER`] words
//!    after or [`BEFORE`] words before a keyword; longer numbers, mixes and
//!    letter codes must follow it closely. Without any such candidate, a line
//!    holding nothing but 4 to 8 digits is the code (a bare `2715`).
//!
//! Codes come back without separators (`123-456` → `123456`, `G-123456` →
//! `123456`), with Arabic-Indic and full-width digits as ASCII, and letters in
//! their case.

/// At most this many bytes of a text are read: an SMS is far shorter, and the
/// plugin's memory and time are bounded.
const MAX_SCAN: usize = 32 * 1024;
/// At most this many keyword occurrences are scored.
const MAX_HITS: usize = 512;
/// How many words a digit code may follow its keyword by.
const AFTER: usize = 12;
/// How many words a digit code may precede its keyword by.
const BEFORE: usize = 8;
/// Longer words are not looked up as keywords.
const MAX_KEYWORD_CHARS: usize = 40;

/// The verification code in `text`, if it holds one.
///
/// Never panics; the work is linear in the length of the text, of which at
/// most the first 32 KiB are read.
pub fn extract(text: &str) -> Option<String> {
    let text = prefix(text, MAX_SCAN);
    let toks = tokenize(text);
    let cands = candidates(text, &toks);
    let hits = keywords(text, &toks);
    choose(text, &toks, &cands, &hits).or_else(|| fallback(text))
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

// ---------------------------------------------------------------- tokens ---

/// What a token holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Digits only.
    Num,
    /// Latin letters and digits.
    Mixed,
    /// Latin letters only.
    Letters,
    /// Letters of another alphabetic script.
    Word,
    /// Han, kana or Hangul.
    Cjk,
}

/// A character's class: tokens are maximal runs of one class.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Alnum,
    Word,
    Cjk,
    Sep,
}

/// A run of same-class characters.
struct Token {
    start: usize,
    end: usize,
    kind: Kind,
    chars: usize,
    /// Part of a URL or an e-mail address.
    url: bool,
    /// The separator before this token ends a sentence.
    sentence_before: bool,
    /// The separator before this token holds a line break.
    line_before: bool,
    /// A digit group tightly joined to the one before (`499` in `5,499`).
    joined: bool,
}

impl Token {
    fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    /// Its distance in words: a number like `5,499.00` counts one.
    fn weight(&self) -> usize {
        if self.joined {
            0
        } else if self.kind == Kind::Cjk {
            self.chars.div_ceil(3).max(1)
        } else {
            1
        }
    }

    /// Lower-cased, when it is a word short enough to be a keyword or label.
    fn word(&self, text: &str) -> Option<String> {
        (matches!(self.kind, Kind::Letters | Kind::Word) && self.chars <= MAX_KEYWORD_CHARS)
            .then(|| self.text(text).to_lowercase())
    }
}

/// A decimal digit's value, for ASCII, Arabic-Indic, Persian and full-width digits.
fn digit_value(c: char) -> Option<u32> {
    let base = match c {
        '0'..='9' => '0',
        '\u{660}'..='\u{669}' => '\u{660}',
        '\u{6F0}'..='\u{6F9}' => '\u{6F0}',
        '\u{FF10}'..='\u{FF19}' => '\u{FF10}',
        _ => return None,
    };
    Some(c as u32 - base as u32)
}

/// The digits of `s` as ASCII.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .filter_map(digit_value)
        .filter_map(|d| char::from_digit(d, 10))
        .collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3005 | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F
        | 0x20000..=0x2FA1F)
}

fn class(c: char) -> Class {
    let u = c as u32;
    if digit_value(c).is_some()
        || c.is_ascii_alphabetic()
        || (c.is_alphabetic() && matches!(u, 0xC0..=0x24F | 0x1E00..=0x1EFF))
        || matches!(u, 0x300..=0x36F)
    {
        Class::Alnum
    } else if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphabetic()
        || matches!(u, 0x591..=0x5C7 | 0x64B..=0x65F | 0x670 | 0x200C | 0x200D)
    {
        Class::Word
    } else {
        Class::Sep
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut toks = Vec::new();
    // The current run: start, class, characters, has a digit, has a letter.
    let mut run: Option<(usize, Class, usize, bool, bool)> = None;
    let mut push = |run: (usize, Class, usize, bool, bool), end: usize| {
        let (start, class, chars, digit, letter) = run;
        let kind = match class {
            Class::Alnum if !letter => Kind::Num,
            Class::Alnum if !digit => Kind::Letters,
            Class::Alnum => Kind::Mixed,
            Class::Cjk => Kind::Cjk,
            _ => Kind::Word,
        };
        toks.push(Token {
            start,
            end,
            kind,
            chars,
            url: false,
            sentence_before: false,
            line_before: false,
            joined: false,
        });
    };
    for (i, c) in text.char_indices() {
        let cl = class(c);
        let digit = digit_value(c).is_some();
        match &mut run {
            Some(r) if r.1 == cl => {
                r.2 += 1;
                r.3 |= digit;
                r.4 |= !digit;
            }
            _ => {
                if let Some(r) = run.take() {
                    push(r, i);
                }
                if cl != Class::Sep {
                    run = Some((i, cl, 1, digit, !digit));
                }
            }
        }
    }
    if let Some(r) = run {
        push(r, text.len());
    }

    let urls = url_spans(text);
    let mut u = 0;
    let mut prev_end = 0;
    let mut prev_num = false;
    for t in &mut toks {
        while u < urls.len() && urls[u].1 <= t.start {
            u += 1;
        }
        t.url = u < urls.len() && urls[u].0 <= t.start;
        let gap = &text[prev_end..t.start];
        t.line_before = gap.contains(['\n', '\r']);
        t.sentence_before = gap.contains(['。', '！', '？'])
            || (gap.contains(['.', '!', '?']) && gap.contains(char::is_whitespace));
        t.joined = prev_num && t.kind == Kind::Num && gap.chars().count() == 1 && gap != " ";
        prev_num = t.kind == Kind::Num;
        prev_end = t.end;
    }
    toks
}

/// Byte spans of URLs and e-mail addresses, in order.
fn url_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_graphic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_graphic() {
            i += 1;
        }
        let run = &text[start..i];
        if let Some(p) = run.find("://") {
            let scheme = run[..p]
                .bytes()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                .count();
            spans.push((start + p - scheme, i));
        } else {
            // A host with a path, "www.", or an e-mail address.
            let path = run.find('/').is_some_and(|slash| {
                run.as_bytes()[..slash].windows(3).any(|w| {
                    w[0].is_ascii_alphanumeric() && w[1] == b'.' && w[2].is_ascii_alphabetic()
                })
            });
            let www = run.len() > 4 && run[..4].eq_ignore_ascii_case("www.");
            let mail = run.find('@').is_some_and(|a| run[a..].contains('.'));
            if path || www || mail {
                spans.push((start, i));
            }
        }
    }
    spans
}

// ------------------------------------------------------------ candidates ---

/// How closely a candidate must follow its keyword.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CandKind {
    /// 4 to 8 digits, or two halves of 3 or 4 (`123-456`, `1234 5678`).
    Digits,
    /// 9 or 10 digits: right after a keyword only.
    Long,
    /// Letters and digits: right after a keyword only.
    Mixed,
    /// Upper-case letters: right after a keyword and a colon only.
    Upper,
}

/// A possible code, over tokens `first..=last`.
struct Cand {
    first: usize,
    last: usize,
    kind: CandKind,
    value: String,
}

fn candidates(text: &str, toks: &[Token]) -> Vec<Cand> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.url {
            i += 1;
            continue;
        }
        if let Some(last) = spelled(text, toks, i) {
            let value: String = toks[i..=last].iter().map(|t| t.text(text)).collect();
            if code_shape(&value) {
                out.push(Cand {
                    first: i,
                    last,
                    kind: CandKind::Mixed,
                    value,
                });
            }
            i = last + 1;
            continue;
        }
        match t.kind {
            Kind::Num => i = numeric(text, toks, i, &mut out),
            Kind::Mixed => {
                let s = t.text(text);
                if code_shape(s) && !after_mask(text, toks, i) {
                    out.push(Cand {
                        first: i,
                        last: i,
                        kind: CandKind::Mixed,
                        value: s.into(),
                    });
                }
                i += 1;
            }
            Kind::Letters => {
                let s = t.text(text);
                if (4..=10).contains(&s.len())
                    && s.bytes().all(|b| b.is_ascii_uppercase())
                    && word_keyword(&s.to_lowercase(), s).is_none()
                {
                    out.push(Cand {
                        first: i,
                        last: i,
                        kind: CandKind::Upper,
                        value: s.into(),
                    });
                }
                i += 1;
            }
            Kind::Word | Kind::Cjk => i += 1,
        }
    }
    out
}

/// The last token of a code spelled one character at a time from token `i`
/// (`a u 8 k u f`): at least four single ASCII characters, one space apart.
fn spelled(text: &str, toks: &[Token], i: usize) -> Option<usize> {
    let single =
        |t: &Token| t.end - t.start == 1 && text.as_bytes()[t.start].is_ascii_alphanumeric();
    if !single(&toks[i]) {
        return None;
    }
    let mut last = i;
    while last + 1 < toks.len()
        && single(&toks[last + 1])
        && !toks[last + 1].url
        && &text[toks[last].end..toks[last + 1].start] == " "
    {
        last += 1;
    }
    (last - i >= 3).then_some(last)
}

/// Whether `s` looks like a letter-and-digit code: 4 to 10 ASCII letters and
/// digits with at least one digit, no masking `xx`, no lower-case run longer
/// than three (a word), not a number with a unit (`30GB`, `10min`), not a
/// word and a number (`WELCOME10`, `SPRING2024`: promotions).
fn code_shape(s: &str) -> bool {
    let b = s.as_bytes();
    if !(4..=10).contains(&b.len())
        || !b.iter().all(u8::is_ascii_alphanumeric)
        || !b.iter().any(u8::is_ascii_digit)
        || b[..2].iter().all(|c| c.eq_ignore_ascii_case(&b'x'))
    {
        return false;
    }
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if letters >= 4 && b.len() - letters <= 4 && b[letters..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut run = 0;
    for c in b {
        run = if c.is_ascii_lowercase() { run + 1 } else { 0 };
        if run > 3 {
            return false;
        }
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let tail = s[digits..].to_ascii_lowercase();
    let unit = digits > 0
        && tail.bytes().all(|c| c.is_ascii_alphabetic())
        && (UNITS.contains(&tail.as_str())
            || CURRENCY.contains(&tail.as_str())
            || SUFFIXES.contains(&tail.as_str()));
    !unit
}

/// Reads the digit group starting at token `i` with the groups tightly joined
/// to it (`1,555,000`, `12:00:00`, `123-456`, `7903 561836`); pushes it when it
/// is a code (alone, or two halves of 3 or 4 digits) and returns the token
/// after it.
fn numeric(text: &str, toks: &[Token], i: usize, out: &mut Vec<Cand>) -> usize {
    let mut j = i;
    let mut plain = true;
    while j + 1 < toks.len() && toks[j + 1].kind == Kind::Num && !toks[j + 1].url {
        let gap = &text[toks[j].end..toks[j + 1].start];
        let mut cs = gap.chars();
        let joins = match (cs.next(), cs.next()) {
            (Some(c), None) if is_dash(c) => true,
            (Some(' ' | '\u{a0}'), None) => toks[j].chars >= 3 && toks[j + 1].chars >= 3,
            (Some('.' | ',' | ':' | '/' | '\'' | '٫' | '٬' | '·'), None) => {
                plain = false;
                true
            }
            _ => false,
        };
        if !joins {
            break;
        }
        j += 1;
    }
    let dangling = gap_after(text, toks, j).starts_with(is_dash);
    if dangling {
        return j + 1;
    }
    if i == j {
        let n = toks[i].chars;
        if (4..=10).contains(&n) && context_ok(text, toks, i, i) {
            let kind = if n <= 8 {
                CandKind::Digits
            } else {
                CandKind::Long
            };
            out.push(Cand {
                first: i,
                last: i,
                kind,
                value: ascii_digits(toks[i].text(text)),
            });
        }
    } else if j == i + 1
        && plain
        && matches!(toks[i].chars, 3 | 4)
        && toks[j].chars == toks[i].chars
        && context_ok(text, toks, i, j)
    {
        let value = ascii_digits(&text[toks[i].start..toks[j].end]);
        out.push(Cand {
            first: i,
            last: j,
            kind: CandKind::Digits,
            value,
        });
    }
    j + 1
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}')
}

fn is_mask(c: char) -> bool {
    matches!(c, '*' | '•' | '●' | '∗' | '＊' | '×')
}

fn is_currency(c: char) -> bool {
    matches!(
        c,
        '$' | '€'
            | '£'
            | '¥'
            | '₹'
            | '₽'
            | '₩'
            | '₺'
            | '₫'
            | '₪'
            | '₴'
            | '₦'
            | '฿'
            | '﷼'
            | '₱'
            | '₸'
            | '¢'
            | '￥'
            | '＄'
    )
}

/// The text between the token before `i` (or the start) and token `i`.
fn gap_before<'a>(text: &'a str, toks: &[Token], i: usize) -> &'a str {
    let from = if i == 0 { 0 } else { toks[i - 1].end };
    &text[from..toks[i].start]
}

/// The text between token `i` and the next token (or the end).
fn gap_after<'a>(text: &'a str, toks: &[Token], i: usize) -> &'a str {
    let to = toks.get(i + 1).map_or(text.len(), |t| t.start);
    &text[toks[i].end..to]
}

/// Whether the separator is short enough to tie two tokens together.
fn close(gap: &str) -> bool {
    !gap.contains(['\n', '\r']) && gap.trim().chars().count() <= 1
}

/// Whether token `i` follows a masking `xxxx`.
fn after_mask(text: &str, toks: &[Token], i: usize) -> bool {
    let before = gap_before(text, toks, i);
    if before.trim_end().ends_with(is_mask) {
        return true;
    }
    i > 0 && close(before) && {
        let p = toks[i - 1].text(text);
        p.len() >= 2 && p.bytes().all(|b| b.eq_ignore_ascii_case(&b'x'))
    }
}

/// Whether the digits over tokens `first..=last` may be a code: not a phone
/// number, masked digits, an amount, a quantity, a labelled number or a year.
fn context_ok(text: &str, toks: &[Token], first: usize, last: usize) -> bool {
    let before = gap_before(text, toks, first);
    let after = gap_after(text, toks, last);
    let (b, a) = (before.trim_end(), after.trim_start());
    if b.ends_with('+')
        || after_mask(text, toks, first)
        || a.starts_with(is_mask)
        || b.ends_with(is_currency)
        || a.starts_with(is_currency)
        || a.starts_with('%')
    {
        return false;
    }
    if first > 0 && close(before) {
        let p = &toks[first - 1];
        if p.word(text).is_some_and(|w| CURRENCY.contains(&w.as_str())) {
            return false;
        }
        if p.kind == Kind::Cjk && CJK_LABELS.iter().any(|l| p.text(text).ends_with(l)) {
            return false;
        }
    }
    if let Some(n) = toks.get(last + 1).filter(|_| close(after)) {
        if n.word(text)
            .is_some_and(|w| UNITS.contains(&w.as_str()) || CURRENCY.contains(&w.as_str()))
        {
            return false;
        }
        if n.kind == Kind::Cjk && CJK_UNITS.iter().any(|u| n.text(text).starts_with(u)) {
            return false;
        }
    }
    // A label before the number, over fillers: "order no. 123", "ending in 1234".
    let mut j = first;
    for _ in 0..3 {
        if j == 0 || toks[j].line_before {
            break;
        }
        j -= 1;
        match toks[j].word(text) {
            Some(w) if LABELS.contains(&w.as_str()) => return false,
            Some(w) if FILLERS.contains(&w.as_str()) => {}
            _ => break,
        }
    }
    !(first == last && is_year(text, toks, first))
}

/// Whether token `i` is a year in a date: 19xx or 20xx next to a month name,
/// a date or time, or before 年.
fn is_year(text: &str, toks: &[Token], i: usize) -> bool {
    let s = toks[i].text(text);
    if toks[i].chars != 4 || !(s.starts_with("19") || s.starts_with("20")) {
        return false;
    }
    if toks
        .get(i + 1)
        .is_some_and(|n| n.kind == Kind::Cjk && n.text(text).starts_with('年'))
    {
        return true;
    }
    let month = |t: &Token| t.word(text).is_some_and(|w| MONTHS.contains(&w.as_str()));
    let time = |j: usize| {
        toks[j].kind == Kind::Num
            && j > 0
            && matches!(gap_before(text, toks, j), ":" | "/" | "." | "-")
    };
    (i.saturating_sub(3)..i).any(|j| month(&toks[j]) || time(j))
        || toks[i + 1..toks.len().min(i + 3)].iter().any(month)
}

// -------------------------------------------------------------- keywords ---

/// An occurrence of a keyword, over tokens `first..=last`.
struct Hit {
    first: usize,
    last: usize,
    /// Byte offset where the keyword ends.
    end: usize,
    /// Distance from the start of its (CJK) token to the keyword.
    lead: usize,
    /// Distance from the keyword to the end of its (CJK) token.
    trail: usize,
    /// A verb like "use" or "enter": counts only right before a code.
    weak: bool,
}

fn keywords(text: &str, toks: &[Token]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if hits.len() >= MAX_HITS {
            break;
        }
        if t.url {
            continue;
        }
        if t.kind == Kind::Cjk {
            cjk_keywords(text, t, i, &mut hits);
            continue;
        }
        let Some(w) = t.word(text) else { continue };
        if let Some(n) = phrase(text, toks, i, &w) {
            let last = i + n - 1;
            hits.push(Hit {
                first: i,
                last,
                end: toks[last].end,
                lead: 0,
                trail: 0,
                weak: false,
            });
        } else if let Some(weak) = word_keyword(&w, t.text(text)) {
            if !negated(text, toks, i) {
                hits.push(Hit {
                    first: i,
                    last: i,
                    end: t.end,
                    lead: 0,
                    trail: 0,
                    weak,
                });
            }
        }
    }
    hits
}

/// Whether lower-cased `w` (written `orig`) is a keyword; `Some(true)` for a weak one.
fn word_keyword(w: &str, orig: &str) -> Option<bool> {
    if orig == "TAN" || EXACT.contains(&w) {
        return Some(false);
    }
    if WEAK.contains(&w) {
        return Some(true);
    }
    let compound = w
        .strip_suffix("codes")
        .or_else(|| w.strip_suffix("code"))
        .is_some_and(|stem| CODE_COMPOUNDS.iter().any(|p| stem.ends_with(p)));
    let found = compound
        || PREFIXES.iter().any(|p| w.starts_with(p))
        || INFIXES.iter().any(|p| w.contains(p))
        || w.ends_with("kennwort")
        || w.ends_with("passwort");
    found.then_some(false)
}

/// The number of words of a multi-word keyword starting at token `i`.
fn phrase(text: &str, toks: &[Token], i: usize, first: &str) -> Option<usize> {
    PHRASES.iter().find_map(|p| {
        if p[0] != first || i + p.len() > toks.len() {
            return None;
        }
        let all = p[1..].iter().enumerate().all(|(k, word)| {
            let j = i + 1 + k;
            let gap = gap_before(text, toks, j);
            gap.chars().all(|c| c == ' ' || is_dash(c))
                && toks[j].word(text).is_some_and(|w| w == *word)
        });
        all.then_some(p.len())
    })
}

/// Whether the keyword at token `i` names another kind of code ("promo code",
/// "código postal", "code de réduction").
fn negated(text: &str, toks: &[Token], i: usize) -> bool {
    let neg = |j: usize| {
        toks[j]
            .word(text)
            .is_some_and(|w| NEGATIONS.contains(&w.as_str()))
    };
    if i > 0 && close(gap_before(text, toks, i)) && neg(i - 1) {
        return true;
    }
    let mut j = i + 1;
    if j < toks.len()
        && toks[j]
            .word(text)
            .is_some_and(|w| CONNECTORS.contains(&w.as_str()))
    {
        j += 1;
    }
    j < toks.len() && !toks[j].line_before && neg(j)
}

/// Pushes the CJK keywords found inside token `i`.
fn cjk_keywords(text: &str, t: &Token, i: usize, hits: &mut Vec<Hit>) {
    let s = t.text(text);
    for &(kw, weak) in CJK_KEYWORDS {
        let kw_chars = kw.chars().count();
        let (mut at, mut chars) = (0, 0);
        for (pos, _) in s.match_indices(kw) {
            if hits.len() >= MAX_HITS {
                return;
            }
            chars += s[at..pos].chars().count();
            at = pos;
            let rest = t.chars - chars - kw_chars;
            hits.push(Hit {
                first: i,
                last: i,
                end: t.start + pos + kw.len(),
                lead: chars / 3,
                trail: rest / 3,
                weak,
            });
        }
    }
}

// ---------------------------------------------------------------- choice ---

/// The best-placed candidate around the keywords.
fn choose(text: &str, toks: &[Token], cands: &[Cand], hits: &[Hit]) -> Option<String> {
    let mut starts = vec![None; toks.len()];
    let mut ends = vec![None; toks.len()];
    for (k, c) in cands.iter().enumerate() {
        starts[c.first] = Some(k);
        ends[c.last] = Some(k);
    }
    let mut best: Option<(usize, usize)> = None;
    let mut consider = |score: usize, k: usize| {
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, k));
        }
    };
    for h in hits {
        let mut gap = h.trail;
        let mut penalty = 0;
        let mut j = h.last + 1;
        while j < toks.len() && gap <= AFTER {
            if toks[j].sentence_before {
                penalty += 2;
            }
            if let Some(k) = starts[j] {
                if accepts(text, toks, h, &cands[k], gap, true) {
                    consider(gap + penalty + usize::from(h.weak), k);
                }
            }
            gap += toks[j].weight();
            j += 1;
        }
        if h.weak {
            continue;
        }
        let mut gap = h.lead;
        let mut penalty = 1;
        let mut j = h.first;
        while j > 0 && gap <= BEFORE {
            penalty += 2 * usize::from(toks[j].sentence_before) + usize::from(toks[j].line_before);
            j -= 1;
            if let Some(k) = ends[j] {
                if accepts(text, toks, h, &cands[k], gap, false) {
                    consider(gap + penalty, k);
                }
            }
            gap += toks[j].weight();
        }
    }
    best.map(|(_, k)| cands[k].value.clone())
}

/// Whether candidate `c`, `gap` words after (or before) keyword `h`, may be its code.
fn accepts(text: &str, toks: &[Token], h: &Hit, c: &Cand, gap: usize, after: bool) -> bool {
    match c.kind {
        CandKind::Digits if h.weak => after && gap == 0,
        CandKind::Digits => gap <= if after { AFTER } else { BEFORE },
        CandKind::Long | CandKind::Mixed => !h.weak && after && gap <= 1,
        CandKind::Upper => {
            !h.weak
                && after
                && gap == 0
                && text[h.end..toks[c.first].start].contains([':', '：', '='])
        }
    }
}

/// A line holding nothing but 4 to 8 digits (not a year).
fn fallback(text: &str) -> Option<String> {
    text.split(['\n', '\r']).find_map(|line| {
        let t = line
            .trim_matches(|c: char| c.is_whitespace() || "\"'«»“”「」『』【】[]()<>".contains(c));
        let n = t.chars().count();
        if !(4..=8).contains(&n) || !t.chars().all(|c| digit_value(c).is_some()) {
            return None;
        }
        let v = ascii_digits(t);
        (n != 4 || !(v.starts_with("19") || v.starts_with("20"))).then_some(v)
    })
}

// ------------------------------------------------------------------ words ---

/// Whole words that announce a code.
const EXACT: &[&str] = &[
    "code",
    "codes",
    "otp",
    "otps",
    "pin",
    "passcode",
    "passcodes",
    "password",
    "passwort",
    "pw",
    "pwd",
    "mtan",
    "smstan",
    "pushtan",
    "itan",
    "chiptan",
    "onetime",
    "codigo",
    "código",
    "códigos",
    "clave",
    "contraseña",
    "contrasena",
    "senha",
    "codice",
    "codul",
    "cod",
    "kod",
    "kodu",
    "kodi",
    "kods",
    "koda",
    "kodem",
    "kodun",
    "kodunuz",
    "koden",
    "kode",
    "haslo",
    "hasło",
    "sifre",
    "şifre",
    "şifreniz",
    "sifreniz",
    "šifra",
    "код",
    "кода",
    "коду",
    "кодом",
    "коды",
    "пин",
    "קוד",
    "הקוד",
    "והקוד",
];

/// Verbs that announce a code right after them.
const WEAK: &[&str] = &[
    "use",
    "enter",
    "introduce",
    "introduzca",
    "ingrese",
    "ingresa",
    "digite",
    "insira",
    "saisissez",
    "entrez",
    "saisir",
    "eingeben",
    "inserisci",
    "введите",
    "используйте",
    "أدخل",
    "ادخل",
    "استخدم",
];

/// Word beginnings that announce a code.
const PREFIXES: &[&str] = &[
    "verif",
    "vérif",
    "weryfik",
    "authentif",
    "authentic",
    "autentic",
    "autentif",
    "autoryz",
    "autoriz",
    "confirm",
    "bestätigung",
    "bestaetigung",
    "doğrula",
    "dogrula",
    "activat",
    "activac",
    "ativaç",
    "aktivier",
    "aktywac",
    "podtverzhd",
    "подтвержд",
    "верифик",
    "авториз",
    "парол",
    "کد",
];

/// Word parts that announce a code.
const INFIXES: &[&str] = &[
    "koodi",
    "parol",
    "رمز",
    "كود",
    "تحقق",
    "تأكيد",
    "تاكيد",
    "تایید",
    "تأیید",
    "סיסמ",
    "κωδικ",
    "कोड",
    "ओटीपी",
    "รหัส",
];

/// What may precede "code" in one word: Bestätigungscode, passcode, smscode...
const CODE_COMPOUNDS: &[&str] = &[
    "ungs", "ings", "heits", "keits", "tie", "verify", "pass", "sms", "tan", "auth", "login",
    "inlog", "otp", "pin", "gangs", "melde", "einmal", "freigabe", "access", "security", "secure",
    "confirm",
];

/// Keywords of several words.
const PHRASES: &[&[&str]] = &[
    &["one", "time"],
    &["mot", "de", "passe"],
    &["كلمة", "المرور"],
    &["kich", "hoat"],
    &["kích", "hoạt"],
    &["xac", "thuc"],
    &["xác", "thực"],
    &["xac", "minh"],
    &["xác", "minh"],
];

/// Words that make "code" another kind of code.
const NEGATIONS: &[&str] = &[
    "promo",
    "promotional",
    "promocional",
    "promocode",
    "discount",
    "descuento",
    "desconto",
    "rabatt",
    "réduction",
    "reduction",
    "coupon",
    "cupom",
    "cupón",
    "voucher",
    "gift",
    "referral",
    "invite",
    "invitation",
    "tracking",
    "postal",
    "zip",
    "area",
    "country",
    "dial",
    "source",
    "bar",
    "qr",
    "redeem",
    "reward",
    "bonus",
    "промокод",
    "скидки",
    "الخصم",
];

/// Words between "code" and what qualifies it ("código de descuento").
const CONNECTORS: &[&str] = &["de", "di", "du", "da", "do", "of"];

/// CJK keywords, found inside runs; `true` for weak ones.
const CJK_KEYWORDS: &[(&str, bool)] = &[
    ("验证码", false),
    ("驗證碼", false),
    ("校验码", false),
    ("校驗碼", false),
    ("动态码", false),
    ("動態碼", false),
    ("确认码", false),
    ("確認碼", false),
    ("认证码", false),
    ("認證碼", false),
    ("安全码", false),
    ("安全碼", false),
    ("授权码", false),
    ("授權碼", false),
    ("密码", false),
    ("密碼", false),
    ("口令", false),
    ("認証番号", false),
    ("確認番号", false),
    ("暗証番号", false),
    ("コード", false),
    ("パスワード", false),
    ("パスコード", false),
    ("ワンタイム", false),
    ("인증번호", false),
    ("인증코드", false),
    ("확인코드", false),
    ("비밀번호", false),
    ("보안코드", false),
    ("코드", false),
    ("输入", true),
    ("輸入", true),
    ("入力", true),
    ("입력", true),
];

/// Labels before a number that is not a code: order no., card ending, balance...
const LABELS: &[&str] = &[
    "order",
    "orders",
    "ord",
    "ref",
    "reference",
    "invoice",
    "booking",
    "ticket",
    "tracking",
    "account",
    "acct",
    "acc",
    "card",
    "ending",
    "ends",
    "endziffer",
    "endet",
    "balance",
    "bal",
    "amount",
    "total",
    "sum",
    "avl",
    "avail",
    "available",
    "spent",
    "paid",
    "payment",
    "charged",
    "debited",
    "credited",
    "withdrawn",
    "deposited",
    "price",
    "cost",
    "fee",
    "fees",
    "pedido",
    "referencia",
    "importe",
    "monto",
    "saldo",
    "tarjeta",
    "cuenta",
    "factura",
    "valor",
    "conta",
    "cartão",
    "cartao",
    "fatura",
    "commande",
    "référence",
    "montant",
    "solde",
    "carte",
    "compte",
    "facture",
    "bestellung",
    "betrag",
    "karte",
    "konto",
    "rechnung",
    "bestellnummer",
    "kundennummer",
    "kontostand",
    "заказ",
    "заказа",
    "сумма",
    "суммы",
    "баланс",
    "карта",
    "карты",
    "карте",
    "счёт",
    "счет",
    "счета",
    "номер",
    "остаток",
    "مبلغ",
    "المبلغ",
    "رصيد",
    "الرصيد",
    "طلب",
    "الطلب",
    "حساب",
    "الحساب",
    "بطاقة",
    "البطاقة",
    "مانده",
    "موجودی",
    "موجودي",
    "کارت",
    "مستند",
    "شماره",
    "tien",
];

/// Words skipped between a label and its number.
const FILLERS: &[&str] = &[
    "no", "nr", "number", "num", "n", "is", "was", "in", "of", "de", "du", "da", "do", "est",
    "ist", "es", "é", "à", "a",
];

/// Currency codes and names.
const CURRENCY: &[&str] = &[
    "usd",
    "eur",
    "gbp",
    "rub",
    "rur",
    "inr",
    "irr",
    "irt",
    "jpy",
    "cny",
    "rmb",
    "twd",
    "ntd",
    "hkd",
    "vnd",
    "aed",
    "sar",
    "egp",
    "brl",
    "mxn",
    "cad",
    "aud",
    "chf",
    "pln",
    "uah",
    "kzt",
    "idr",
    "php",
    "thb",
    "ngn",
    "krw",
    "sgd",
    "myr",
    "zar",
    "sek",
    "nok",
    "dkk",
    "rs",
    "rp",
    "dollars",
    "dollar",
    "euros",
    "euro",
    "pesos",
    "reais",
    "yuan",
    "rupees",
    "toman",
    "tomans",
    "rial",
    "rials",
    "dirham",
    "dirhams",
    "zł",
    "zl",
    "kč",
    "руб",
    "рублей",
    "рубля",
    "рубль",
    "тенге",
    "грн",
    "ريال",
    "ریال",
    "تومان",
    "دولار",
    "درهم",
    "جنيه",
    "دينار",
    "ليرة",
];

/// Units after a number that is a quantity.
const UNITS: &[&str] = &[
    "min",
    "mins",
    "minute",
    "minutes",
    "minuten",
    "minutos",
    "minuti",
    "мин",
    "минут",
    "sec",
    "secs",
    "seconds",
    "sekunden",
    "segundos",
    "hours",
    "hrs",
    "hr",
    "stunden",
    "horas",
    "gb",
    "mb",
    "kb",
    "tb",
    "km",
    "kg",
    "pts",
    "points",
    "puntos",
    "pontos",
    "punkte",
    "баллов",
    "days",
    "días",
    "dias",
    "tage",
    "jours",
    "xp",
];

/// Suffixes that make digits a quantity or a rank (`2nd`, `10am`).
const SUFFIXES: &[&str] = &[
    "st", "nd", "rd", "th", "am", "pm", "h", "m", "s", "x", "k", "fa",
];

/// Month names, for years in dates.
const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "janeiro",
    "fevereiro",
    "março",
    "maio",
    "junho",
    "julho",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "octobre",
    "novembre",
    "décembre",
    "januar",
    "februar",
    "märz",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// CJK words before a number that is not a code (amount, last digits, order...).
const CJK_LABELS: &[&str] = &[
    "金额",
    "金額",
    "余额",
    "餘額",
    "尾号",
    "尾號",
    "卡号",
    "卡號",
    "订单",
    "訂單",
    "单号",
    "單號",
    "账号",
    "帳號",
    "帐号",
    "账户",
    "帳戶",
    "号码",
    "號碼",
    "电话",
    "電話",
    "热线",
    "熱線",
    "拨打",
    "撥打",
    "致电",
    "後四碼",
    "后四位",
    "末尾",
    "编号",
    "編號",
    "手机",
    "手機",
    "合计",
    "总计",
    "支付",
    "消费",
    "消費",
    "转账",
    "轉帳",
    "残高",
    "口座",
    "注文番号",
    "금액",
    "잔액",
    "계좌",
];

/// CJK words after a number that is not a code (dates, money, counts, time).
const CJK_UNITS: &[&str] = &[
    "年", "月", "日", "元", "円", "块", "塊", "圆", "号", "號", "次", "个", "個", "万", "萬", "亿",
    "億", "张", "張", "天", "岁", "歳", "人", "件", "秒", "分钟", "分鐘", "小时", "小時", "时",
    "時", "点", "热线", "熱線", "원", "개", "명", "일", "월", "년",
];

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn empty_and_blank_texts_hold_no_code() {
        assert_eq!(extract(""), None);
        assert_eq!(extract("   \n\t "), None);
        assert_eq!(extract("code"), None);
        assert_eq!(extract("Your code is"), None);
    }

    #[test]
    fn huge_inputs_finish() {
        for unit in [
            "7",
            "a",
            "code 1 ",
            "验证码",
            "x",
            "1-",
            "١",
            "é*",
            "\u{301}",
        ] {
            let text = unit.repeat((1 << 20) / unit.len());
            let start = std::time::Instant::now();
            let _ = extract(&text);
            assert!(
                start.elapsed().as_secs() < 5,
                "{unit:?} took {:?}",
                start.elapsed()
            );
        }
        let mut text = "word ".repeat(200_000);
        text.push_str("Your code is 123456");
        let _ = extract(&text);
    }

    #[test]
    fn any_text_is_safe() {
        // Cut points in multi-byte characters, lone marks, odd scripts.
        let samples = [
            "\u{200c}\u{301}کد\u{200c}١٢٣٤٥٦",
            "验证码：",
            "code:\u{feff}",
            "xX-",
            "1-2-3-4-5-6-7-8-9-0-",
            "+",
            "****",
            "Code ١٢٣٤٥٦",
        ];
        for s in samples {
            for end in 0..=s.len() {
                if s.is_char_boundary(end) {
                    let _ = extract(&s[..end]);
                }
            }
        }
        assert_eq!(extract("Code ١٢٣٤٥٦"), Some("123456".into()));
    }

    #[test]
    fn random_texts_never_panic() {
        // Deterministic pseudo-random mixes of the characters the rules look at.
        let alphabet: Vec<char> =
            "0123456789 -+*.,:/\n'xXaZ验证码码年元١۲０ کدرمزкодé\u{301}\u{200c}$€%#@(【"
                .chars()
                .chain(
                    ["code", "OTP", "://", "www.", "TAN"]
                        .iter()
                        .flat_map(|s| s.chars()),
                )
                .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..state % 64 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            if let Some(code) = extract(&text) {
                assert!(
                    (4..=10).contains(&code.chars().count()),
                    "{text:?} gave {code:?}"
                );
            }
        }
    }

    #[test]
    fn masked_digits_are_not_codes() {
        assert_eq!(extract("Your card ****1234 was charged"), None);
        assert_eq!(
            extract("Card xxxx5678 used. Your code is 4821"),
            Some("4821".into())
        );
        assert_eq!(
            extract("Your OTP for card *7788 is 902113"),
            Some("902113".into())
        );
        assert_eq!(
            extract("Use code 55123 for card ending in 4455"),
            Some("55123".into())
        );
    }

    #[test]
    fn amounts_are_not_codes() {
        assert_eq!(extract("Paid $1,250.00 at STORE. Balance 3400"), None);
        assert_eq!(
            extract("OTP for payment of INR 5000 is 771245"),
            Some("771245".into())
        );
        assert_eq!(
            extract("Your code: 3391 to pay 4500 RUB"),
            Some("3391".into())
        );
        assert_eq!(
            extract("Código 2024 para confirmar 150 €"),
            Some("2024".into())
        );
    }

    #[test]
    fn separators_and_letters() {
        assert_eq!(
            extract("G-482913 is your Google verification code."),
            Some("482913".into())
        );
        assert_eq!(extract("Your code is 482-913"), Some("482913".into()));
        assert_eq!(extract("Your code is 482 913"), Some("482913".into()));
        assert_eq!(extract("Call 555-123-4567 about your code"), None);
        assert_eq!(extract("Your login code is A7K9Q2"), Some("A7K9Q2".into()));
    }

    #[test]
    fn codes_before_keywords_and_in_cjk() {
        assert_eq!(extract("123456 is your code"), Some("123456".into()));
        assert_eq!(
            extract("【某某】验证码654321，5分钟内有效"),
            Some("654321".into())
        );
        assert_eq!(extract("2715"), Some("2715".into()));
        assert_eq!(extract("Meeting at 12:30 on 2024-01-05"), None);
    }
}

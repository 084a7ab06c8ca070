//! Word lists written as one string each (readable tables, grouped by
//! language), split once on first use.

use std::sync::OnceLock;

/// A list of words separated by whitespace.
pub(super) struct Words {
    src: &'static str,
    /// The words in the order written, and sorted for look-ups.
    words: OnceLock<(Vec<&'static str>, Vec<&'static str>)>,
}

impl Words {
    pub(super) const fn new(src: &'static str) -> Self {
        Self {
            src,
            words: OnceLock::new(),
        }
    }

    fn lists(&self) -> &(Vec<&'static str>, Vec<&'static str>) {
        self.words.get_or_init(|| {
            let written: Vec<_> = self.src.split_whitespace().collect();
            let mut sorted = written.clone();
            sorted.sort_unstable();
            (written, sorted)
        })
    }

    /// The words, in the order written.
    pub(super) fn all(&self) -> &[&'static str] {
        &self.lists().0
    }

    /// Whether `w` is one of the words.
    pub(super) fn has(&self, w: &str) -> bool {
        self.lists().1.binary_search(&w).is_ok()
    }
}

/// The byte offsets where `pat` (not empty) occurs in `s`, found without
/// building a searcher: the texts and words searched are short.
pub(super) fn occurrences<'a>(s: &'a str, pat: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (h, p) = (s.as_bytes(), pat.as_bytes());
    (0..(h.len() + 1).saturating_sub(p.len()))
        .filter(move |&k| h[k] == p[0] && &h[k..k + p.len()] == p)
}

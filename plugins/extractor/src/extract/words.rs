//! Word lists written as one string each (readable tables, grouped by
//! language), split once on first use.

use std::sync::OnceLock;

/// A list of words separated by whitespace.
pub(super) struct Words {
    src: &'static str,
    words: OnceLock<Vec<&'static str>>,
}

impl Words {
    pub(super) const fn new(src: &'static str) -> Self {
        Self {
            src,
            words: OnceLock::new(),
        }
    }

    /// The words, in the order written.
    pub(super) fn all(&self) -> &[&'static str] {
        self.words
            .get_or_init(|| self.src.split_whitespace().collect())
    }

    /// Whether `w` is one of the words.
    pub(super) fn has(&self, w: &str) -> bool {
        self.all().contains(&w)
    }
}

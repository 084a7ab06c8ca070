//! Small text helpers every front end and backend uses.

/// `text` cut to at most `max` characters, the cut marked with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Lower-case hex of the SHA-256 of `bytes`, cut to `len` bytes of digest.
pub fn sha256_hex(bytes: &[u8], len: usize) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    hex::encode(&digest[..len.min(digest.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(sha256_hex(b"", 4), "e3b0c442");
        assert_eq!(sha256_hex(b"x", 32).len(), 64);
    }
}

//! Cutting a text into tokens: runs of Latin letters and digits, of another
//! alphabetic script, or of CJK characters, with what separates them.

/// Longer words are not looked up as keywords or labels.
const MAX_KEYWORD_CHARS: usize = 40;

/// What a token holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    /// Digits only.
    Num,
    /// Latin letters and digits.
    Mixed,
    /// Latin letters only.
    Letters,
    /// Letters of another alphabetic script written with spaces between words.
    Word,
    /// A script written without spaces between words (Han, kana, Hangul,
    /// Thai, Lao, Khmer, Myanmar): keywords are found inside the run.
    Unspaced,
}

/// A character's class: tokens are maximal runs of one class.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Alnum,
    Word,
    /// Han, kana and Hangul: about two characters a word.
    Ideographic,
    /// Thai, Lao, Khmer, Myanmar: about six code points a word (vowel signs
    /// and tone marks are code points of their own).
    Syllabic,
    Sep,
}

/// A run of same-class characters.
pub(super) struct Token {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: Kind,
    pub(super) chars: usize,
    /// How many characters of an unspaced run count as one word.
    pub(super) per_word: usize,
    /// Part of a URL or an e-mail address.
    pub(super) url: bool,
    /// The separator before this token ends a sentence.
    pub(super) sentence_before: bool,
    /// The separator before this token holds a line break.
    pub(super) line_before: bool,
    /// A digit group tightly joined to the one before (`499` in `5,499`).
    joined: bool,
    /// The word lower-cased, once, for the table look-ups.
    lower: Option<String>,
}

impl Token {
    pub(super) fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    /// Its distance in words: a number like `5,499.00` counts one.
    pub(super) fn weight(&self) -> usize {
        if self.joined {
            0
        } else if self.kind == Kind::Unspaced {
            self.chars.div_ceil(self.per_word).max(1)
        } else {
            1
        }
    }

    /// Lower-cased, when it is a word short enough to be a keyword or label.
    pub(super) fn word(&self) -> Option<&str> {
        self.lower.as_deref()
    }
}

/// The code points of the digit zero of the scripts whose digits are read:
/// ASCII, Arabic-Indic, Persian and Urdu, N'Ko, the Indic scripts, Thai, Lao,
/// Tibetan, Myanmar (and Shan), Khmer, Mongolian, full-width.
const ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10,
];

/// A decimal digit's value, in any script of [`ZEROS`].
pub(super) fn digit_value(c: char) -> Option<u32> {
    let u = c as u32;
    if u < 0x80 {
        return c.to_digit(10);
    }
    ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&u))
        .map(|z| u - z)
}

/// The digits of `s` as ASCII.
pub(super) fn ascii_digits(s: &str) -> String {
    s.chars()
        .filter_map(digit_value)
        .filter_map(|d| char::from_digit(d, 10))
        .collect()
}

fn is_ideographic(u: u32) -> bool {
    matches!(u,
        0x1100..=0x11FF | 0x3005 | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F
        | 0x20000..=0x2FA1F)
}

/// Letters, vowel signs and tone marks of Thai, Lao, Myanmar and Khmer (not
/// their digits, currency signs or punctuation).
fn is_syllabic(u: u32) -> bool {
    matches!(u,
        0x0E01..=0x0E3A | 0x0E40..=0x0E4E | 0x0E81..=0x0ECE | 0x1000..=0x103F
        | 0x1050..=0x108F | 0x109A..=0x109F | 0x1780..=0x17D3 | 0x17DC | 0x17DD)
}

/// Marks that belong inside a word: Hebrew points, Arabic vowel and Quranic
/// marks, joiners, and every sign of the Indic blocks (viramas, vowel signs)
/// except the dandas and currency signs.
fn is_word_mark(u: u32) -> bool {
    matches!(u,
        0x591..=0x5C7 | 0x64B..=0x65F | 0x670 | 0x6D6..=0x6ED | 0x200C | 0x200D)
        || (matches!(u, 0x900..=0xDFF)
            && !matches!(u, 0x964 | 0x965 | 0x9F2 | 0x9F3 | 0xAF1 | 0xBF9))
}

fn class(c: char) -> Class {
    let u = c as u32;
    if digit_value(c).is_some()
        || c.is_ascii_alphabetic()
        || (c.is_alphabetic() && matches!(u, 0xC0..=0x24F | 0x1E00..=0x1EFF))
        || matches!(u, 0x300..=0x36F)
    {
        Class::Alnum
    } else if is_ideographic(u) {
        Class::Ideographic
    } else if is_syllabic(u) {
        Class::Syllabic
    } else if c.is_alphabetic() || is_word_mark(u) {
        Class::Word
    } else {
        Class::Sep
    }
}

/// The current run while tokenizing.
struct Run {
    start: usize,
    class: Class,
    chars: usize,
    digit: bool,
    letter: bool,
}

impl Run {
    fn token(&self, text: &str, end: usize) -> Token {
        let (kind, per_word) = match self.class {
            Class::Alnum if !self.letter => (Kind::Num, 1),
            Class::Alnum if !self.digit => (Kind::Letters, 1),
            Class::Alnum => (Kind::Mixed, 1),
            Class::Ideographic => (Kind::Unspaced, 3),
            Class::Syllabic => (Kind::Unspaced, 6),
            _ => (Kind::Word, 1),
        };
        Token {
            start: self.start,
            end,
            kind,
            chars: self.chars,
            per_word,
            url: false,
            sentence_before: false,
            line_before: false,
            joined: false,
            lower: (matches!(kind, Kind::Letters | Kind::Word) && self.chars <= MAX_KEYWORD_CHARS)
                .then(|| text[self.start..end].to_lowercase()),
        }
    }
}

/// The tokens of `text`, with what their separators say.
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let mut toks = Vec::new();
    let mut run: Option<Run> = None;
    for (i, c) in text.char_indices() {
        let cl = class(c);
        let digit = digit_value(c).is_some();
        match &mut run {
            Some(r) if r.class == cl => {
                r.chars += 1;
                r.digit |= digit;
                r.letter |= !digit;
            }
            _ => {
                if let Some(r) = run.take() {
                    toks.push(r.token(text, i));
                }
                if cl != Class::Sep {
                    run = Some(Run {
                        start: i,
                        class: cl,
                        chars: 1,
                        digit,
                        letter: !digit,
                    });
                }
            }
        }
    }
    if let Some(r) = run {
        toks.push(r.token(text, text.len()));
    }
    mark_separators(text, &mut toks);
    toks
}

/// Records on each token what the separator before it says, and whether it
/// is part of a URL.
fn mark_separators(text: &str, toks: &mut [Token]) {
    let urls = url_spans(text);
    let mut u = 0;
    let mut prev_end = 0;
    let mut prev_num = false;
    for t in toks {
        while u < urls.len() && urls[u].1 <= t.start {
            u += 1;
        }
        t.url = u < urls.len() && urls[u].0 <= t.start;
        let gap = &text[prev_end..t.start];
        t.line_before = gap.contains(['\n', '\r']);
        t.sentence_before = gap.contains(SENTENCE_ENDS)
            || (gap.contains(['.', '!', '?']) && gap.contains(char::is_whitespace));
        t.joined = prev_num && t.kind == Kind::Num && gap.chars().count() == 1 && gap != " ";
        prev_num = t.kind == Kind::Num;
        prev_end = t.end;
    }
}

/// Marks that end a sentence wherever they stand: CJK stops, the Devanagari
/// and Bengali danda, the Urdu full stop, the Myanmar section mark.
const SENTENCE_ENDS: [char; 7] = ['。', '！', '？', '।', '॥', '۔', '။'];

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
        } else if is_address(run) {
            spans.push((start, i));
        }
    }
    spans
}

/// Whether a run of printable ASCII is a host with a path, starts with
/// `www.`, or is an e-mail address.
fn is_address(run: &str) -> bool {
    let path = run.find('/').is_some_and(|slash| {
        run.as_bytes()[..slash]
            .windows(3)
            .any(|w| w[0].is_ascii_alphanumeric() && w[1] == b'.' && w[2].is_ascii_alphabetic())
    });
    let www = run.len() > 4 && run[..4].eq_ignore_ascii_case("www.");
    let mail = run.find('@').is_some_and(|a| run[a..].contains('.'));
    path || www || mail
}

/// The text between the token before `i` (or the start) and token `i`.
pub(super) fn gap_before<'a>(text: &'a str, toks: &[Token], i: usize) -> &'a str {
    let from = if i == 0 { 0 } else { toks[i - 1].end };
    &text[from..toks[i].start]
}

/// The text between token `i` and the next token (or the end).
pub(super) fn gap_after<'a>(text: &'a str, toks: &[Token], i: usize) -> &'a str {
    let to = toks.get(i + 1).map_or(text.len(), |t| t.start);
    &text[toks[i].end..to]
}

/// Whether the separator is short enough to tie two tokens together.
pub(super) fn close(gap: &str) -> bool {
    !gap.contains(['\n', '\r']) && gap.trim().chars().count() <= 1
}

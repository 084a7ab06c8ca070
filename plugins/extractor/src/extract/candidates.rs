//! Possible codes: digit groups, letter-digit mixes, upper-case codes and
//! codes spelled one character at a time.

use super::decoys::{after_mask, context_ok, is_dash, CURRENCY, SUFFIXES, UNITS};
use super::keywords::word_keyword;
use super::tokens::{ascii_digits, gap_after, Kind, Token};

/// How closely a candidate must follow its keyword.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CandKind {
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
pub(super) struct Cand {
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) kind: CandKind,
    pub(super) value: String,
}

/// Every candidate in `text`, in order.
pub(super) fn candidates(text: &str, toks: &[Token]) -> Vec<Cand> {
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
        let s = t.text(text);
        let kind = match t.kind {
            Kind::Num => {
                i = numeric(text, toks, i, &mut out);
                continue;
            }
            Kind::Mixed if code_shape(s) && !after_mask(text, toks, i) => Some(CandKind::Mixed),
            Kind::Letters
                if (4..=10).contains(&s.len())
                    && s.bytes().all(|b| b.is_ascii_uppercase())
                    && word_keyword(&s.to_lowercase(), s).is_none() =>
            {
                Some(CandKind::Upper)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(Cand {
                first: i,
                last: i,
                kind,
                value: s.into(),
            });
        }
        i += 1;
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
        && (UNITS.has(&tail) || CURRENCY.has(&tail) || SUFFIXES.has(&tail));
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
    if gap_after(text, toks, j).starts_with(is_dash) {
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
        out.push(Cand {
            first: i,
            last: j,
            kind: CandKind::Digits,
            value: ascii_digits(&text[toks[i].start..toks[j].end]),
        });
    }
    j + 1
}

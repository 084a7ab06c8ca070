//! Possible codes: digit groups, letter-digit mixes, letter codes and codes
//! spelled one character at a time.

use super::decoys::{after_mask, context_ok, is_dash, CURRENCY, STATUS_WORDS, SUFFIXES, UNITS};
use super::keywords::word_keyword;
use super::tokens::{ascii_digits, gap_after, gap_before, Kind, Token};

/// How closely a candidate must follow its keyword.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CandKind {
    /// 4 to 8 digits, or two equal halves of 3 or 4 (`123-456`, `1234 5678`):
    /// before or after a keyword, a few words away.
    Digits,
    /// Shapes that are codes only right after a keyword: 3 digits, 9 or 10,
    /// digits split unequally by a dash (`123-4567`), letters and digits.
    Close,
    /// A word then a number (`WELCOME10`, `CWGUG8`): after "code" it is a
    /// promotion; a code only when it opens the sentence that calls it one
    /// ("CWGUG8 is your code") or is the whole message.
    WordNumber,
    /// Letters only, all upper-case or all lower-case: right after a keyword
    /// and a colon or "is" (`FMQBD`), or for lower case, after a colon and at
    /// the end of the line (`PASSCODE: mifsuc`).
    Letters,
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
        if toks[i].url {
            i += 1;
            continue;
        }
        if let Some(last) = spelled(text, toks, i) {
            let value: String = toks[i..=last].iter().map(|t| t.text(text)).collect();
            push_mixed(&mut out, i, last, value);
            i = last + 1;
            continue;
        }
        let s = toks[i].text(text);
        match toks[i].kind {
            Kind::Num => i = numeric(text, toks, i, &mut out),
            Kind::Mixed if !after_mask(text, toks, i) => {
                let last = dashed_mixed(text, toks, i);
                if !glued(text, toks, i, last, "+/=_\\") {
                    let value: String = toks[i..=last].iter().map(|t| t.text(text)).collect();
                    push_mixed(&mut out, i, last, value);
                }
                i = last + 1;
            }
            Kind::Letters => {
                if letter_code(text, toks, i) {
                    out.push(Cand {
                        first: i,
                        last: i,
                        kind: CandKind::Letters,
                        value: s.into(),
                    });
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Pushes a letter-and-digit code over tokens `first..=last` if it has the shape.
fn push_mixed(out: &mut Vec<Cand>, first: usize, last: usize, value: String) {
    if let Some(kind) = code_shape(&value) {
        out.push(Cand {
            first,
            last,
            kind,
            value,
        });
    }
}

/// The last token of a letter-and-digit code from the mix at token `i`, with
/// the parts a dash joins to it (`GQ7-4P2`): every part letters and digits or
/// digits only, each of 2 characters or more.
fn dashed_mixed(text: &str, toks: &[Token], i: usize) -> usize {
    let mut last = i;
    while let Some(next) = toks.get(last + 1) {
        let gap = &text[toks[last].end..next.start];
        let part = matches!(next.kind, Kind::Mixed | Kind::Num) && next.chars >= 2 && !next.url;
        if !(part && toks[last].chars >= 2 && gap.chars().count() == 1 && gap.starts_with(is_dash))
        {
            break;
        }
        last += 1;
    }
    last
}

/// Whether tokens `first..=last` are glued by one of `glue` to a token beside
/// them: part of a longer string, such as an app hash (`FA+9qCX9VSu`) or a
/// user name (`mike_2291`), not a code.
fn glued(text: &str, toks: &[Token], first: usize, last: usize, glue: &str) -> bool {
    let is_glue = |gap: &str| {
        let mut cs = gap.chars();
        matches!((cs.next(), cs.next()), (Some(c), None) if glue.contains(c))
    };
    (first > 0 && is_glue(gap_before(text, toks, first)))
        || (last + 1 < toks.len() && is_glue(gap_after(text, toks, last)))
}

/// Whether the letters of token `i` may be a code: 4 to 10 ASCII letters of
/// one case, not a keyword or a status ("code: expired"), and in upper case
/// not among other upper-case words (a shouted "DO NOT SHARE").
fn letter_code(text: &str, toks: &[Token], i: usize) -> bool {
    let s = toks[i].text(text);
    let upper = s.bytes().all(|b| b.is_ascii_uppercase());
    let shouted = |t: Option<&Token>| {
        t.is_some_and(|t| {
            t.kind == Kind::Letters
                && t.chars >= 2
                && t.text(text).bytes().all(|b| b.is_ascii_uppercase())
        })
    };
    let (prev, next) = (i.checked_sub(1).and_then(|p| toks.get(p)), toks.get(i + 1));
    (4..=10).contains(&s.len())
        && (upper || s.bytes().all(|b| b.is_ascii_lowercase()))
        && word_keyword(&s.to_lowercase(), s).is_none()
        && !STATUS_WORDS.has(&s.to_lowercase())
        && !(upper && shouted(prev.filter(|_| !toks[i].line_before)))
        && !(upper && shouted(next.filter(|n| !n.line_before)))
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

/// The kind of candidate `s` is when it looks like a letter-and-digit code:
/// 4 to 10 ASCII letters and digits with at least one digit, no masking `xx`,
/// no lower-case run longer than three (a word), not a number with a unit
/// (`30GB`, `10min`); a word and a number (`WELCOME10`) is told apart.
fn code_shape(s: &str) -> Option<CandKind> {
    let b = s.as_bytes();
    if !(4..=10).contains(&b.len())
        || !b.iter().all(u8::is_ascii_alphanumeric)
        || !b.iter().any(u8::is_ascii_digit)
        || b[..2].iter().all(|c| c.eq_ignore_ascii_case(&b'x'))
    {
        return None;
    }
    let mut run = 0;
    for c in b {
        run = if c.is_ascii_lowercase() { run + 1 } else { 0 };
        if run > 3 {
            return None;
        }
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let tail = s[digits..].to_ascii_lowercase();
    if digits > 0
        && tail.bytes().all(|c| c.is_ascii_alphabetic())
        && (UNITS.has(&tail) || CURRENCY.has(&tail) || SUFFIXES.has(&tail))
    {
        return None;
    }
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let word_number =
        letters >= 4 && b.len() - letters <= 4 && b[letters..].iter().all(u8::is_ascii_digit);
    Some(if word_number {
        CandKind::WordNumber
    } else {
        CandKind::Close
    })
}

/// Reads the digit group starting at token `i` with the groups tightly joined
/// to it (`1,555,000`, `12:00:00`, `123-456`, `7903 561836`); pushes it when it
/// is a code (alone, or two groups split by a dash or into equal halves) and
/// returns the token after it.
fn numeric(text: &str, toks: &[Token], i: usize, out: &mut Vec<Cand>) -> usize {
    let mut j = i;
    let (mut plain, mut dashed) = (true, true);
    while j + 1 < toks.len() && toks[j + 1].kind == Kind::Num && !toks[j + 1].url {
        let gap = &text[toks[j].end..toks[j + 1].start];
        let mut cs = gap.chars();
        let joins = match (cs.next(), cs.next()) {
            (Some(c), None) if is_dash(c) => true,
            (Some(' ' | '\u{a0}'), None) => {
                dashed = false;
                toks[j].chars >= 3 && toks[j + 1].chars >= 3
            }
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
    if gap_after(text, toks, j).starts_with(is_dash) || !plain || j > i + 1 {
        return j + 1;
    }
    let (a, b) = (toks[i].chars, if j > i { toks[j].chars } else { 0 });
    let kind = match (a, b) {
        (4..=8, 0) => CandKind::Digits,
        (3 | 9 | 10, 0) => CandKind::Close,
        (3 | 4, _) if a == b => CandKind::Digits,
        (3.., 3..) if dashed && a + b <= 10 => CandKind::Close,
        _ => return j + 1,
    };
    if context_ok(text, toks, i, j) && !glued(text, toks, i, j, "_") {
        out.push(Cand {
            first: i,
            last: j,
            kind,
            value: ascii_digits(&text[toks[i].start..toks[j].end]),
        });
    }
    j + 1
}

//! Scoring the candidates around the keywords and choosing one.

use super::candidates::{Cand, CandKind};
use super::keywords::Hit;
use super::tokens::{close, gap_before, Kind, Token};
use super::words::Words;

/// How many words a digit code may follow its keyword by.
const AFTER: usize = 12;
/// How many words a digit code may precede its keyword by.
const BEFORE: usize = 8;
/// How many words a code of another shape may follow its keyword by, when a
/// colon or a copula introduces it in the same sentence ("código de inicio de
/// sesión es K4P9XW"), or precede it by when it opens the sentence.
const INTRODUCED: usize = 5;

/// The best-placed candidate around the keywords: the lowest score wins, the
/// first on a tie.
pub(super) fn choose(text: &str, toks: &[Token], cands: &[Cand], hits: &[Hit]) -> Option<String> {
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
        CandKind::Close if h.weak => after && gap == 0 && (c.last > c.first || has_letter(c)),
        _ if h.weak => false,
        CandKind::Close | CandKind::WordNumber if !after => {
            gap <= INTRODUCED && gives_itself(toks, c)
        }
        _ if !after || sentence_between(toks, h.last, c.first) => false,
        CandKind::Close => gap <= 1 || (gap <= INTRODUCED && introduced(text, toks, c.first)),
        CandKind::WordNumber => false,
        CandKind::Letters if c.value.bytes().all(|b| b.is_ascii_uppercase()) => {
            gap <= 1 && introduced(text, toks, c.first)
        }
        CandKind::Letters => gap == 0 && labelled_alone(text, toks, c),
    }
}

/// Whether candidate `c` follows a colon and ends its line: how a code in
/// lower-case letters is given ("PASSCODE: mifsuc").
fn labelled_alone(text: &str, toks: &[Token], c: &Cand) -> bool {
    gap_before(text, toks, c.first)
        .trim_end()
        .ends_with([':', '：', '='])
        && toks.get(c.last + 1).is_none_or(|t| t.line_before)
}

/// Whether a sentence ends between token `from` and token `to`.
fn sentence_between(toks: &[Token], from: usize, to: usize) -> bool {
    toks[from + 1..=to].iter().any(|t| t.sentence_before)
}

/// Whether candidate `c` opens its sentence and a copula follows it, the
/// way a code is given before its keyword ("8820-461 is your Acme code").
fn gives_itself(toks: &[Token], c: &Cand) -> bool {
    let opens = c.first == 0 || toks[c.first].sentence_before || toks[c.first].line_before;
    opens
        && toks
            .get(c.last + 1)
            .and_then(|t| t.word())
            .is_some_and(|w| COPULAS.has(w))
}

/// Whether a candidate holds a letter: a verb like "use" may introduce such a
/// code, or digits split in two, but not a lone number (`use 123 Main St`).
fn has_letter(c: &Cand) -> bool {
    c.value.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Whether the candidate at token `first` comes right after a colon, an
/// equals sign or a copula ("is", "es", "lautet", "是"): how a code is given.
fn introduced(text: &str, toks: &[Token], first: usize) -> bool {
    let before = gap_before(text, toks, first);
    if before.trim_end().ends_with([':', '：', '=']) {
        return true;
    }
    first > 0 && close(before) && {
        let p = &toks[first - 1];
        let s = p.text(text);
        p.word().is_some_and(|w| COPULAS.has(w))
            || (p.kind == Kind::Unspaced && UNSPACED_COPULAS.all().iter().any(|c| s.ends_with(c)))
    }
}

/// Words that give a code: "your code is 482".
static COPULAS: Words =
    Words::new("is are es son é são est ist lautet sind è adalah ialah là la это هو هي");

/// Copulas of unspaced scripts, at the end of a run.
static UNSPACED_COPULAS: Words = Words::new("是 为 為 は 는 은 คือ မှာ သည်");

//! Scoring the candidates around the keywords and choosing one.

use super::candidates::{Cand, CandKind};
use super::keywords::Hit;
use super::tokens::Token;

/// How many words a digit code may follow its keyword by.
const AFTER: usize = 12;
/// How many words a digit code may precede its keyword by.
const BEFORE: usize = 8;

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
        CandKind::Long | CandKind::Mixed => !h.weak && after && gap <= 1,
        CandKind::Upper => {
            !h.weak
                && after
                && gap == 0
                && text[h.end..toks[c.first].start].contains([':', '：', '='])
        }
    }
}

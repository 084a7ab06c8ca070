//! Finding the verification code in an SMS text.
//!
//! [`extract`] reads (a bounded prefix of) the text in four steps:
//!
//! 1. **Tokens.** The text is cut into runs of Latin letters and digits (the
//!    digits of any script: Arabic-Indic, Persian, Devanagari, Bengali, Thai,
//!    Myanmar, full-width...), runs of other alphabetic scripts written with
//!    spaces (Cyrillic, Arabic, Hebrew, Devanagari, Bengali...) and runs of
//!    scripts written without spaces (Han, kana, Hangul, Thai, Lao, Khmer,
//!    Myanmar); everything else separates tokens. Tokens inside a URL or an
//!    e-mail address are ignored.
//! 2. **Candidates.** Groups of 3 to 10 digits (`123-456`, `123 456`,
//!    `1234 5678` and `123-4567` joined), letter-digit mixes (`123ABC78`,
//!    `GQ7-4P2`), letter codes of one case (`QGFDAE`, `mifsuc`) and codes
//!    spelled one character at a time (`a u 8 k u f`). Digit groups that read as something else are
//!    dropped: parts of dates, times, amounts and IPs (`1,555,000`, `12:00`,
//!    `01/05/2024`), phone numbers (`+44 7903 561836`, `718-858-7036`),
//!    masked digits (`****1234`), numbers next to a currency or a unit,
//!    labelled numbers (order, card ending, balance...), years next to a
//!    month, and parts of a longer string (`mike_2291`, the app hash
//!    `FA+9qCX9VSu`).
//! 3. **Keywords.** Words that announce a code, in many languages (code, OTP,
//!    PIN, password, código, senha, mot de passe, Bestätigungscode, TAN, kode,
//!    mã xác thực, şifre, код, пароль, رمز, كود, کد, کوڈ, कोड, কোড, 验证码,
//!    代碼, 認証番号, 인증번호, รหัส, ကုဒ်...), found inside the runs of unspaced
//!    scripts, and weak ones (use, enter, 输入) that only count right before a
//!    code.
//! 4. **Choice.** A candidate near a keyword scores its distance in words (a
//!    Han, kana or Hangul run counts a word per three characters, a Thai or
//!    Myanmar run one per six), plus one when it comes before the keyword and
//!    two per sentence end in between; the lowest score wins, the first on a
//!    tie. Groups of 4 to 8 digits may sit up to 12 words after or 8 words
//!    before a keyword; other shapes (3 digits, 9 or 10, unequal parts, mixes,
//!    letters) must follow it closely in its sentence: as the next word but
//!    one, or up to five words on when a colon or a copula ("is", "es", 是)
//!    introduces them; before it, they must open the sentence and be followed
//!    by a copula ("8820-461 is your code"). A word and a number (`CWGUG8`,
//!    `WELCOME10`) is taken only that way, never after "code" (a promotion);
//!    a lower-case letter code only right after "code:" at the end of its
//!    line. Without any such candidate, a line holding nothing but 4 to 8
//!    digits is the code (a bare `2715`), and so is a message that is nothing
//!    but one candidate (`K7PX2Q`).
//!
//! Codes come back without separators (`123-456` → `123456`, `G-123456` →
//! `123456`), with digits of any script as ASCII, and letters in
//! their case.

mod candidates;
mod choose;
mod decoys;
mod keywords;
#[cfg(test)]
mod tests;
mod tokens;
mod words;

use candidates::{candidates, Cand, CandKind};
use choose::choose;
use keywords::keywords;
use tokens::{ascii_digits, digit_value, tokenize, Token};

/// At most this many bytes of a text are read: an SMS is far shorter, and the
/// plugin's memory and time are bounded.
const MAX_SCAN: usize = 32 * 1024;

/// The verification code in `text`, if it holds one.
///
/// Never panics; the work is linear in the length of the text, of which at
/// most the first 32 KiB are read.
pub fn extract(text: &str) -> Option<String> {
    let text = prefix(text, MAX_SCAN);
    let toks = tokenize(text);
    let cands = candidates(text, &toks);
    let hits = keywords(text, &toks);
    choose(text, &toks, &cands, &hits)
        .or_else(|| fallback(text))
        .or_else(|| lone(text, &toks, &cands))
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What may stand around a code that is alone on its line.
const QUOTES: &str = "\"'«»“”「」『』【】[]()<>";

/// A line holding nothing but 4 to 8 digits (not a year).
fn fallback(text: &str) -> Option<String> {
    text.split(['\n', '\r']).find_map(|line| {
        let t = line.trim_matches(|c: char| c.is_whitespace() || QUOTES.contains(c));
        let n = t.chars().count();
        if !(4..=8).contains(&n) || !t.chars().all(|c| digit_value(c).is_some()) {
            return None;
        }
        let v = ascii_digits(t);
        (n != 4 || !(v.starts_with("19") || v.starts_with("20"))).then_some(v)
    })
}

/// The code when the message is nothing but one (`K7PX2Q`, `739`, `123-4567`):
/// a single candidate over every token, only quotes or brackets around it.
fn lone(text: &str, toks: &[Token], cands: &[Cand]) -> Option<String> {
    let [c] = cands else { return None };
    let mut around = text[..toks[0].start]
        .chars()
        .chain(text[toks[toks.len() - 1].end..].chars());
    let bare = around.all(|ch| ch.is_whitespace() || QUOTES.contains(ch) || ch == '.');
    (bare && c.first == 0 && c.last == toks.len() - 1 && c.kind != CandKind::Letters)
        .then(|| c.value.clone())
}

//! Words that announce a code, in many languages, and where they occur.

use super::decoys::is_dash;
use super::tokens::{close, gap_before, Kind, Token};
use super::words::{occurrences, Words};

/// At most this many keyword occurrences are scored.
const MAX_HITS: usize = 512;

/// An occurrence of a keyword, over tokens `first..=last`.
pub(super) struct Hit {
    pub(super) first: usize,
    pub(super) last: usize,
    /// Distance in words from the start of its unspaced run to the keyword.
    pub(super) lead: usize,
    /// Distance in words from the keyword to the end of its unspaced run.
    pub(super) trail: usize,
    /// A verb like "use" or "enter": counts only right before a code.
    pub(super) weak: bool,
}

/// Every keyword occurrence in `text`, in order (at most [`MAX_HITS`]).
pub(super) fn keywords(text: &str, toks: &[Token]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if hits.len() >= MAX_HITS {
            break;
        }
        if t.url {
            continue;
        }
        if t.kind == Kind::Unspaced {
            unspaced_keywords(text, t, i, &mut hits);
            continue;
        }
        let Some(w) = t.word() else { continue };
        let (last, weak) = if let Some(n) = phrase(text, toks, i, w) {
            (i + n - 1, false)
        } else if let Some(weak) = word_keyword(w, t.text(text)) {
            if negated(text, toks, i) {
                continue;
            }
            (i, weak)
        } else {
            continue;
        };
        hits.push(Hit {
            first: i,
            last,
            lead: 0,
            trail: 0,
            weak,
        });
    }
    hits
}

/// Whether lower-cased `w` (written `orig`) is a keyword; `Some(true)` for a weak one.
pub(super) fn word_keyword(w: &str, orig: &str) -> Option<bool> {
    if orig == "TAN" || EXACT.has(w) {
        return Some(false);
    }
    if WEAK.has(w) {
        return Some(true);
    }
    let compound = w
        .strip_suffix("codes")
        .or_else(|| w.strip_suffix("code"))
        .is_some_and(code_compound);
    let found = compound
        || PREFIXES.all().iter().any(|p| w.starts_with(p))
        || INFIXES
            .all()
            .iter()
            .any(|p| occurrences(w, p).next().is_some())
        || w.ends_with("kennwort")
        || w.ends_with("passwort");
    found.then_some(false)
}

/// Whether `stem` + "code" is a code that proves something: any stem of four
/// letters or more (Freischaltcode, Bestätigungscode, passcode) but those of
/// other codes (barcode, postcode, Gutscheincode, Fehlercode), and the short
/// stems of [`SHORT_STEMS`] (smscode, but not vscode, encode, unicode).
fn code_compound(stem: &str) -> bool {
    if stem.chars().count() < 4 {
        return SHORT_STEMS.has(stem);
    }
    stem.chars().all(char::is_alphabetic) && !OTHER_CODES.all().iter().any(|n| stem.ends_with(n))
}

/// The number of words of a multi-word keyword starting at token `i`.
fn phrase(text: &str, toks: &[Token], i: usize, first: &str) -> Option<usize> {
    PHRASES.iter().find_map(|p| {
        let rest = p.strip_prefix(first)?.strip_prefix(' ')?;
        let mut j = i;
        for word in rest.split(' ') {
            j += 1;
            let gap_ok = j < toks.len()
                && gap_before(text, toks, j)
                    .chars()
                    .all(|c| c == ' ' || is_dash(c));
            if !gap_ok || toks[j].word().is_none_or(|w| w != word) {
                return None;
            }
        }
        Some(j - i + 1)
    })
}

/// Whether the keyword at token `i` names another kind of code ("promo code",
/// "código postal", "code de réduction").
fn negated(text: &str, toks: &[Token], i: usize) -> bool {
    let neg = |j: usize| toks[j].word().is_some_and(|w| NEGATIONS.has(w));
    if i > 0 && close(gap_before(text, toks, i)) && neg(i - 1) {
        return true;
    }
    let mut j = i + 1;
    if j < toks.len() && toks[j].word().is_some_and(|w| CONNECTORS.has(w)) {
        j += 1;
    }
    j < toks.len() && !toks[j].line_before && neg(j)
}

/// Pushes the keywords found inside the unspaced run `t` (token `i`), but not
/// those another word before them turns into another kind of code (クーポンコード).
fn unspaced_keywords(text: &str, t: &Token, i: usize, hits: &mut Vec<Hit>) {
    let s = t.text(text);
    let strong = UNSPACED_KEYWORDS.all().iter().map(|k| (k, false));
    let weak = UNSPACED_WEAK.all().iter().map(|k| (k, true));
    for (kw, weak) in strong.chain(weak) {
        let kw_chars = kw.chars().count();
        let (mut at, mut chars) = (0, 0);
        for pos in occurrences(s, kw) {
            if hits.len() >= MAX_HITS {
                return;
            }
            chars += s[at..pos].chars().count();
            at = pos;
            if UNSPACED_NEGATIONS
                .all()
                .iter()
                .any(|n| s[..pos].ends_with(n))
            {
                continue;
            }
            let rest = t.chars - chars - kw_chars;
            hits.push(Hit {
                first: i,
                last: i,
                lead: chars / t.per_word,
                trail: rest / t.per_word,
                weak,
            });
        }
    }
}

/// Whole words that announce a code.
static EXACT: Words = Words::new(
    "
    code codes otp otps pin passcode passcodes password pw pwd onetime
    passwort mtan smstan pushtan itan chiptan
    codigo código códigos clave contraseña contrasena senha codice codul cod
    kod kodi kods koda kodem koden kode haslo hasło šifra
    sandi mã onay
    код кода коду кодом коды пин
    קוד הקוד והקוד
    पिन পিন پن پاسورڈ",
);

/// Verbs that announce a code right after them.
static WEAK: Words = Words::new(
    "
    use enter introduce introduzca ingrese ingresa digite insira saisissez entrez saisir
    eingeben inserisci masukkan gunakan nhập girin
    введите используйте أدخل ادخل استخدم",
);

/// Word beginnings that announce a code.
static PREFIXES: Words = Words::new(
    "
    verif vérif weryfik authentif authentic autentic autentif autoryz autoriz confirm
    bestätigung bestaetigung doğrula dogrula activat activac ativaç aktivier aktywac
    podtverzhd kodu şifre sifre
    подтвержд верифик авториз парол
    کد सत्यापन পাসও ভেরিফ যাচাই",
);

/// Word parts that announce a code.
static INFIXES: Words = Words::new(
    "
    koodi parol κωδικ סיסמ
    رمز كود تحقق تأكيد تاكيد تایید تأیید گذرواژه کوڈ تصدیق
    कोड ओटीपी पासवर्ड কোড ওটিপি",
);

/// Stems under four letters that make "code" a verification code in one word.
static SHORT_STEMS: Words = Words::new("sms tan otp pin");

/// Stems that make "code" in one word another kind of code.
static OTHER_CODES: Words = Words::new(
    "
    promo gutschein rabatt aktions korting actie cadeau geschenk gift voucher coupon discount
    bonus reward redeem referral invite einlade post zip source quell strich country länder
    laender area fehler error status farb color colour dress short abhol pickup tracking
    sendungs track",
);

/// Keywords of several words.
const PHRASES: &[&str] = &[
    "one time",
    "mot de passe",
    "kata sandi",
    "kich hoat",
    "kích hoạt",
    "xac thuc",
    "xác thực",
    "xac minh",
    "xác minh",
    "xac nhan",
    "xác nhận",
    "mat khau",
    "mật khẩu",
    "كلمة المرور",
    "پاس ورڈ",
    "او ٹی پی",
];

/// Words that make "code" another kind of code.
static NEGATIONS: Words = Words::new(
    "
    promo promotional promocional promocode discount descuento desconto rabatt réduction
    reduction coupon cupom cupón voucher gift referral invite invitation tracking postal zip
    area country dial source bar qr redeem reward bonus diskon kupon indirim giảm
    промокод скидки الخصم",
);

/// Words between "code" and what qualifies it ("código de descuento").
static CONNECTORS: Words = Words::new("de di du da do of");

/// Keywords found inside unspaced runs: Chinese, Japanese, Korean, Thai, Lao,
/// Khmer, Myanmar.
static UNSPACED_KEYWORDS: Words = Words::new(
    "
    验证码 驗證碼 校验码 校驗碼 动态码 動態碼 确认码 確認碼 认证码 認證碼 安全码 安全碼
    授权码 授權碼 激活码 激活碼 代码 代碼 密码 密碼 口令
    認証番号 確認番号 暗証番号 コード パスワード パスコード ワンタイム
    인증번호 확인번호 인증코드 확인코드 비밀번호 보안코드 코드
    รหัส โอทีพี ລະຫັດ កូដ ကုဒ် အတည်ပြု",
);

/// Verbs in unspaced scripts that announce a code right after them.
static UNSPACED_WEAK: Words = Words::new("输入 輸入 入力 입력");

/// Words before an unspaced keyword that make it another kind of code.
static UNSPACED_NEGATIONS: Words = Words::new(
    "
    优惠 優惠 邀请 邀請 推荐 推薦 兑换 兌換 取件 クーポン 割引 招待 紹介 プロモ
    할인 쿠폰 추천 초대 프로모션",
);

//! Unit tests of the extractor on hand-picked texts.

use super::extract;

#[test]
fn empty_and_blank_texts_hold_no_code() {
    assert_eq!(extract(""), None);
    assert_eq!(extract("   \n\t "), None);
    assert_eq!(extract("code"), None);
    assert_eq!(extract("Your code is"), None);
}

#[test]
fn huge_inputs_finish() {
    for unit in [
        "7",
        "a",
        "code 1 ",
        "验证码",
        "x",
        "1-",
        "١",
        "é*",
        "\u{301}",
    ] {
        let text = unit.repeat((1 << 20) / unit.len());
        let start = std::time::Instant::now();
        let _ = extract(&text);
        assert!(
            start.elapsed().as_secs() < 5,
            "{unit:?} took {:?}",
            start.elapsed()
        );
    }
    let mut text = "word ".repeat(200_000);
    text.push_str("Your code is 123456");
    let _ = extract(&text);
}

#[test]
fn any_text_is_safe() {
    // Cut points in multi-byte characters, lone marks, odd scripts.
    let samples = [
        "\u{200c}\u{301}کد\u{200c}١٢٣٤٥٦",
        "验证码：",
        "code:\u{feff}",
        "xX-",
        "1-2-3-4-5-6-7-8-9-0-",
        "+",
        "****",
        "Code ١٢٣٤٥٦",
    ];
    for s in samples {
        for end in 0..=s.len() {
            if s.is_char_boundary(end) {
                let _ = extract(&s[..end]);
            }
        }
    }
    assert_eq!(extract("Code ١٢٣٤٥٦"), Some("123456".into()));
}

#[test]
fn random_texts_never_panic() {
    // Deterministic pseudo-random mixes of the characters the rules look at.
    let alphabet: Vec<char> =
        "0123456789 -+*.,:/\n'xXaZ验证码码年元١۲０५၅ کدرمزкодé\u{301}\u{200c}\u{94d}$€%#@(【।"
            .chars()
            .chain(
                ["code", "OTP", "://", "www.", "TAN", "is", "รหัส", "ကုဒ်"]
                    .iter()
                    .flat_map(|s| s.chars()),
            )
            .collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut text = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for _ in 0..state % 64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        if let Some(code) = extract(&text) {
            assert!(
                (3..=10).contains(&code.chars().count()),
                "{text:?} gave {code:?}"
            );
        }
    }
}

#[test]
fn masked_digits_are_not_codes() {
    assert_eq!(extract("Your card ****1234 was charged"), None);
    assert_eq!(
        extract("Card xxxx5678 used. Your code is 4821"),
        Some("4821".into())
    );
    assert_eq!(
        extract("Your OTP for card *7788 is 902113"),
        Some("902113".into())
    );
    assert_eq!(
        extract("Use code 55123 for card ending in 4455"),
        Some("55123".into())
    );
}

#[test]
fn amounts_are_not_codes() {
    assert_eq!(extract("Paid $1,250.00 at STORE. Balance 3400"), None);
    assert_eq!(
        extract("OTP for payment of INR 5000 is 771245"),
        Some("771245".into())
    );
    assert_eq!(
        extract("Your code: 3391 to pay 4500 RUB"),
        Some("3391".into())
    );
    assert_eq!(
        extract("Código 2024 para confirmar 150 €"),
        Some("2024".into())
    );
}

#[test]
fn separators_and_letters() {
    assert_eq!(
        extract("G-482913 is your Google verification code."),
        Some("482913".into())
    );
    assert_eq!(extract("Your code is 482-913"), Some("482913".into()));
    assert_eq!(extract("Your code is 482 913"), Some("482913".into()));
    assert_eq!(extract("Call 555-123-4567 about your code"), None);
    assert_eq!(extract("Your login code is A7K9Q2"), Some("A7K9Q2".into()));
}

#[test]
fn codes_before_keywords_and_in_cjk() {
    assert_eq!(extract("123456 is your code"), Some("123456".into()));
    assert_eq!(
        extract("【某某】验证码654321，5分钟内有效"),
        Some("654321".into())
    );
    assert_eq!(extract("2715"), Some("2715".into()));
    assert_eq!(extract("Meeting at 12:30 on 2024-01-05"), None);
}

#[test]
fn digits_and_words_of_many_scripts() {
    // Devanagari and Myanmar digits; a virama inside a Hindi word.
    assert_eq!(extract("आपका ओटीपी ५८२०१३ है"), Some("582013".into()));
    assert_eq!(extract("KBZPay OTP: ၅၈၂၀၁၃ ။"), Some("582013".into()));
    assert_eq!(
        extract("Paytm: आपका वन टाइम पासवर्ड 582013 है।"),
        Some("582013".into())
    );
    // Keywords inside Thai and Myanmar runs.
    assert_eq!(
        extract("รหัสยืนยันของคุณคือ 5820 ใช้ได้ภายใน 15 นาที"),
        Some("5820".into())
    );
    assert_eq!(extract("သင့် WhatsApp ကုဒ်: 582-013"), Some("582013".into()));
    // Amounts after a currency sign of Bengali; a coupon is not a code.
    assert_eq!(extract("ক্যাশ আউট ৳১৫০০০। ব্যালেন্স ৳৩২০০০।"), None);
    assert_eq!(extract("クーポンコード 5820 で割引"), None);
}

#[test]
fn short_and_split_codes_follow_their_keyword() {
    assert_eq!(extract("Your code is 482."), Some("482".into()));
    assert_eq!(extract("Ваш код: 482"), Some("482".into()));
    assert_eq!(extract("【某某】验证码：739"), Some("739".into()));
    assert_eq!(
        extract("Your Lime code is 284-7391"),
        Some("2847391".into())
    );
    assert_eq!(
        extract("Dein Bestätigungscode: 4821-930"),
        Some("4821930".into())
    );
    // Too far from the keyword, or a unit after it: not a code.
    assert_eq!(extract("Your code for the 250 items is below"), None);
    assert_eq!(extract("Your code expires in 180 seconds"), None);
    assert_eq!(extract("Call 555-1234 about your code"), None);
}

#[test]
fn letter_codes_and_lone_codes() {
    assert_eq!(
        extract("Your Steam Guard code is FMQBD"),
        Some("FMQBD".into())
    );
    assert_eq!(
        extract("Tu código de Steam Guard: X7K2P"),
        Some("X7K2P".into())
    );
    assert_eq!(
        extract("Your Rockstar Games verification code: GQ7-4P2"),
        Some("GQ74P2".into())
    );
    assert_eq!(extract("Use 5821-903 to sign in"), Some("5821903".into()));
    assert_eq!(extract("Your code: DO NOT SHARE IT"), None);
    assert_eq!(extract("K7PX2Q"), Some("K7PX2Q".into()));
    assert_eq!(extract("739"), Some("739".into()));
    assert_eq!(extract("HELLO"), None);
    assert_eq!(extract("Use 123 Main St entrance"), None);
}

#[test]
fn codes_of_other_shapes_in_their_sentence() {
    assert_eq!(
        extract("[#] 640288 is your Samsung account verification code. FA+9qCX9VSu"),
        Some("640288".into())
    );
    assert_eq!(extract("Your code. FA+9qCX9VSu"), None);
    assert_eq!(
        extract("8820-461 is your Acme verification code"),
        Some("8820461".into())
    );
    assert_eq!(
        extract("Tu código de inicio de sesión es K4P9XW"),
        Some("K4P9XW".into())
    );
    assert_eq!(
        extract("Your code for mike_2291 is on its way: 4821"),
        Some("4821".into())
    );
}

#[test]
fn compounds_of_code() {
    assert_eq!(
        extract("Ihr Freischaltcode lautet 7391."),
        Some("7391".into())
    );
    assert_eq!(
        extract("Uw verificatiecode is 482913"),
        Some("482913".into())
    );
    assert_eq!(extract("Ihr Gutscheincode lautet 48213."), None);
    assert_eq!(extract("Fehlercode 4821: bitte neu starten"), None);
    assert_eq!(extract("your vscode is: 12312312"), None);
    assert_eq!(extract("Scan the barcode 48213902 at the till"), None);
}

#[test]
fn letter_codes_in_either_case() {
    assert_eq!(
        extract("TRUSTED LOCATION PASSCODE: mifsuc"),
        Some("mifsuc".into())
    );
    assert_eq!(extract("CWGUG8 is your code"), Some("CWGUG8".into()));
    assert_eq!(extract("CWGUG8"), Some("CWGUG8".into()));
    assert_eq!(extract("Use code WELCOME10 for 10% off"), None);
    assert_eq!(extract("Your password: changed"), None);
    assert_eq!(extract("Your code: mifsuc and more"), None);
}

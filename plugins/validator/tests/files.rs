//! The validator on whole files: numbers copied from other scripts and
//! interfaces, and quotes left open.

use numbot_validator::validate_text;

fn numbers(text: &str) -> Vec<(u32, String)> {
    let v = validate_text(text, 0).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    v.numbers.into_iter().map(|n| (n.line, n.number)).collect()
}

#[test]
fn numbers_copied_from_arabic_hebrew_and_asian_interfaces() {
    // One number a line, no header: each wrapped or spaced differently.
    let text = "\u{200f}+٩٧١٥٠١٢٣٤٥٦٧\u{200f}\n\
                \u{200e}+972\u{a0}50\u{a0}123\u{a0}4567\u{200e}\n\
                ۰۹۱۲\u{202f}۳۴۵\u{202f}۶۷۸۹\n\
                ＋８１９０１２３４５６７８\n\
                +44\u{200b}7400\u{2060}123456\n";
    assert_eq!(
        numbers(text),
        [
            (1, "+971501234567".to_string()),
            (2, "+972501234567".to_string()),
            (3, "09123456789".to_string()),
            (4, "+819012345678".to_string()),
            (5, "+447400123456".to_string()),
        ]
    );
}

#[test]
fn a_header_over_numbers_in_other_digits() {
    let text = "الاسم,Number\nأحمد,\u{200f}٠٥٠١٢٣٤٥٦٧\u{200f}\nسارة,\u{feff}۰۵۰۱۲۳۴۵۶۸\n";
    let v = validate_text(text, 0).unwrap();
    assert_eq!(v.header.as_ref().map(|h| h[1].as_str()), Some("Number"));
    let got: Vec<_> = v.numbers.iter().map(|n| n.number.as_str()).collect();
    assert_eq!(got, ["0501234567", "0501234568"]);
}

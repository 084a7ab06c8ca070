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

#[test]
fn a_quote_left_open_ends_with_its_line() {
    // Line 2 opens a quote in the name and never closes it: before, the rest
    // of the file was read as that one cell.
    for eol in ["\n", "\r\n"] {
        let text = [
            "Name,Number",
            "\"Smith, John,+447400123456",
            "Ana,+447400123457",
            "\"Doe, Jane\",+447400123458",
            "Luis,+447400123459,\"left open",
            "Eva,+447400123460",
            "",
        ]
        .join(eol);
        let v = validate_text(&text, 0).unwrap();
        let got: Vec<_> = v
            .numbers
            .iter()
            .map(|n| (n.line, n.number.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "+447400123457"),
                (4, "+447400123458"),
                (5, "+447400123459"),
                (6, "+447400123460"),
            ],
            "eol {eol:?}"
        );
        assert_eq!(v.rejected.len(), 1, "{:?}", v.rejected);
        let r = &v.rejected[0];
        assert_eq!(r.line, 2);
        assert!(
            r.reason.contains("quote") && r.reason.contains("never closed"),
            "{}",
            r.reason
        );
    }
}

#[test]
fn a_quote_left_open_on_the_last_line_is_named() {
    let text = "Number\n+447400123456\n\"+447400123457 ext\n";
    let v = validate_text(text, 0).unwrap();
    let got: Vec<_> = v.numbers.iter().map(|n| n.number.as_str()).collect();
    assert_eq!(got, ["+447400123456"]);
    assert_eq!(v.rejected.len(), 1);
    assert_eq!(v.rejected[0].line, 3);
    assert!(
        v.rejected[0].reason.contains("never closed"),
        "{}",
        v.rejected[0].reason
    );
}

#[test]
fn a_number_with_its_quote_left_open_is_read_as_its_line() {
    // One number a line: the stray quote is dropped, the next lines are read.
    let text = "\"+447400123456\n+447400123457\n+447400123458\n";
    let got: Vec<_> = numbers(text).into_iter().map(|(l, _)| l).collect();
    assert_eq!(got, [1, 2, 3]);
}

#[test]
fn balanced_quotes_are_read_as_before() {
    let text = "Name;Number;Note\n\"Smith; John\";\"+44 7400 123456\";\"said \"\"hi\"\"\"\n\"Doe\";+447400123457;\n";
    assert_eq!(
        numbers(text),
        [
            (2, "+447400123456".to_string()),
            (3, "+447400123457".to_string())
        ]
    );
}

//! The default validator on the CSV shapes admins upload.

use numbot_plugin_host::{types::Validation, PluginError};

use crate::support::shared_host;

fn validate(name: &str, data: &[u8]) -> Validation {
    shared_host()
        .validate(name, data)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn refused(name: &str, data: &[u8]) -> String {
    match shared_host().validate(name, data) {
        Err(PluginError::Refused { plugin, message }) => {
            assert_eq!(plugin, "numbot-validator");
            message
        }
        other => panic!("{name}: expected a file-level error, got {other:?}"),
    }
}

fn numbers(v: &Validation) -> Vec<&str> {
    v.numbers.iter().map(|n| n.number.as_str()).collect()
}

#[test]
fn header_names_in_any_case() {
    for header in [
        "Number",
        "NUMBER",
        "phone",
        "Phone Number",
        "MSISDN",
        "mobile",
        "Mobile_No",
        "tel",
    ] {
        let csv = format!("id,{header},note\n1,+971501234567,a\n2,+971501234568,b\n");
        let v = validate("numbers.csv", csv.as_bytes());
        assert_eq!(
            numbers(&v),
            ["+971501234567", "+971501234568"],
            "header {header}"
        );
        assert_eq!(
            v.header.as_deref(),
            Some(&["id".to_string(), header.to_string(), "note".to_string()][..])
        );
        assert_eq!(v.numbers[0].line, 2);
    }
}

#[test]
fn utf8_byte_order_mark() {
    let v = validate(
        "bom.csv",
        b"\xEF\xBB\xBFNumber\n447400123456\n447400123457\n",
    );
    assert_eq!(numbers(&v), ["447400123456", "447400123457"]);
    assert_eq!(v.header.as_deref(), Some(&["Number".to_string()][..]));
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_as_excel_saves_it() {
    // Excel's "Unicode Text": UTF-16LE with a BOM, tab-separated, CRLF.
    let text = "Name\tPhone\r\nAna\t+34 612 34 56 78\r\nJoão\t+55 11 96123-4567\r\n";
    for (big_endian, bom) in [(false, true), (true, true), (false, false)] {
        let v = validate("unicode.txt", &utf16(text, big_endian, bom));
        assert_eq!(
            numbers(&v),
            ["+34612345678", "+5511961234567"],
            "be={big_endian} bom={bom}"
        );
        assert_eq!(v.delimiter, Some('\t'));
    }
}

#[test]
fn comma_semicolon_and_tab_delimiters() {
    for d in [",", ";", "\t"] {
        let csv = format!(
            "name{d}number{d}city\nA{d}+4915123456789{d}Berlin\nB{d}+4915123456780{d}Bonn\n"
        );
        let v = validate("d.csv", csv.as_bytes());
        assert_eq!(v.delimiter, d.chars().next());
        assert_eq!(
            numbers(&v),
            ["+4915123456789", "+4915123456780"],
            "delimiter {d:?}"
        );
    }
}

#[test]
fn quoted_fields_with_delimiters_inside() {
    let csv = "\"Name\",\"Number\"\n\"Smith, John\",\"+44 7400 123456\"\n\"Doe; Jane\",\"+44 (0)7400-123457\"\n";
    let v = validate("quoted.csv", csv.as_bytes());
    assert_eq!(v.delimiter, Some(','));
    assert_eq!(numbers(&v), ["+447400123456", "+447400123457"]);
}

#[test]
fn one_number_per_line_without_header() {
    let v = validate(
        "list.txt",
        b"971501234567\n\n971501234568\r\n+971 50 123 4569\n",
    );
    assert_eq!(v.header, None);
    assert_eq!(v.delimiter, None);
    assert_eq!(
        numbers(&v),
        ["971501234567", "971501234568", "+971501234569"]
    );
    assert_eq!(
        v.numbers.iter().map(|n| n.line).collect::<Vec<_>>(),
        [1, 3, 4]
    );
}

#[test]
fn ims_panel_export_with_range_as_category() {
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sample.csv"
    ))
    .unwrap();
    let v = validate("sample.csv", &csv);
    assert_eq!(v.header.as_ref().unwrap()[1], "Range");
    let first = &v.numbers[0];
    assert_eq!((first.line, first.number.as_str()), (2, "971501234567"));
    assert_eq!(first.category.as_deref(), Some("UAE Mobile"));
    let categories: Vec<_> = v
        .numbers
        .iter()
        .map(|n| n.category.clone().unwrap())
        .collect();
    assert!(categories.contains(&"Niger Mobile".to_string()));
    assert!(categories.contains(&"Nigeria Mobile".to_string()));
    assert_eq!(v.numbers.len(), 8);
}

#[test]
fn duplicates_inside_the_file_are_reported_once_kept() {
    let v = validate(
        "dup.csv",
        b"number\n+971501234567\n971501234567\n+971501234568\n+971501234567\n",
    );
    assert_eq!(numbers(&v), ["+971501234567", "+971501234568"]);
    let dups: Vec<_> = v
        .duplicates
        .iter()
        .map(|d| (d.line, d.first_line))
        .collect();
    assert_eq!(dups, [(3, 2), (5, 2)]);
}

#[test]
fn formulas_text_and_damaged_numbers_are_rejected_with_reasons() {
    let csv = "number\n+971501234567\n=A1+1\nhello\n9.71501E+11\n123\n=\"0501234567\"\n'+971501234569\n1234567890123456\n";
    let v = validate("bad.csv", csv.as_bytes());
    assert_eq!(
        numbers(&v),
        ["+971501234567", "0501234567", "+971501234569"]
    );
    let rejected: Vec<_> = v
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(rejected.len(), 5, "{rejected:?}");
    assert!(
        rejected[0].1.contains("formula") && rejected[0].0 == 3,
        "{rejected:?}"
    );
    assert!(rejected[1].1.contains("text, not a number") && rejected[1].0 == 4);
    assert!(rejected[2].1.contains("scientific notation") && rejected[2].0 == 5);
    assert!(rejected[3].1.contains("too short") && rejected[3].0 == 6);
    assert!(rejected[4].1.contains("too long") && rejected[4].0 == 9);
    assert_eq!(v.rejected[1].content, "hello");
}

#[test]
fn header_with_unknown_names_finds_the_number_column() {
    let v = validate(
        "x.csv",
        b"who;where;reach\nAna;Madrid;+34612345678\nLuis;Sevilla;+34612345679\n",
    );
    assert_eq!(numbers(&v), ["+34612345678", "+34612345679"]);
}

#[test]
fn file_level_errors_are_clear() {
    assert_eq!(refused("empty.csv", b""), "the file is empty");
    assert!(refused("book.xlsx", b"PK\x03\x04rest").contains("Excel workbook"));
    assert!(
        refused("names.csv", b"name,city\nAna,Madrid\nLuis,Sevilla\n")
            .contains("no phone number column")
    );
    let all_bad = refused("bad.csv", b"number\nhello\n=1+1\n");
    assert!(all_bad.contains("all 2 rows were rejected"), "{all_bad}");
    assert!(refused("blank.csv", b"\n\n  \n").contains("no rows"));
}

#[test]
fn blank_lines_before_the_header_are_skipped() {
    let v = validate("lead.csv", b"   \n\nNumber\n+447400123456\n");
    assert_eq!(numbers(&v), ["+447400123456"]);
    assert!(v.rejected.is_empty(), "{:?}", v.rejected);
    assert_eq!(v.numbers[0].line, 4);
}

#[test]
fn latin1_files_are_read() {
    // "Teléfono" in Latin-1: not UTF-8, still a header.
    let v = validate("latin1.csv", b"Nombre;Tel\xe9fono\nJos\xe9;+34612345678\n");
    assert_eq!(numbers(&v), ["+34612345678"]);
}

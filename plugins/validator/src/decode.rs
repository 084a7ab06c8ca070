//! Bytes to text: UTF-8 (with or without BOM), UTF-16 as Excel saves it, Latin-1 as a last resort.

use std::borrow::Cow;

/// Decodes an uploaded file, refusing what is plainly not a text table.
pub fn decode<'a>(file_name: &str, data: &'a [u8]) -> Result<Cow<'a, str>, String> {
    if data.is_empty() {
        return Err("the file is empty".into());
    }
    if data.starts_with(b"PK\x03\x04") {
        return Err(format!(
            "`{file_name}` is an Excel workbook or a zip archive, not CSV: save it as CSV first"
        ));
    }
    if data.starts_with(b"%PDF") {
        return Err(format!("`{file_name}` is a PDF, not CSV"));
    }
    if let Some(rest) = data.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    if let Some(rest) = data.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = data.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    // UTF-16 without a BOM: ASCII text has a zero in every other byte.
    if data.len() >= 4 && data.len().is_multiple_of(2) {
        let sample = &data[..data.len().min(512)];
        let zeros_odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|b| **b == 0)
            .count();
        let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
        let half = sample.len() / 2;
        if zeros_odd * 10 >= half * 9 && zeros_even == 0 {
            return utf16(data, u16::from_le_bytes);
        }
        if zeros_even * 10 >= half * 9 && zeros_odd == 0 {
            return utf16(data, u16::from_be_bytes);
        }
    }
    match std::str::from_utf8(data) {
        Ok(text) => checked(Cow::Borrowed(text)),
        // Legacy exports: Latin-1 keeps every byte, and numbers are ASCII anyway.
        Err(_) => checked(Cow::Owned(data.iter().map(|&b| b as char).collect())),
    }
}

fn utf8(data: &[u8]) -> Result<Cow<'_, str>, String> {
    std::str::from_utf8(data)
        .map(Cow::Borrowed)
        .map_err(|e| format!("invalid UTF-8 after the byte order mark: {e}"))
        .and_then(checked)
}

fn utf16(data: &[u8], unit: fn([u8; 2]) -> u16) -> Result<Cow<'static, str>, String> {
    if !data.len().is_multiple_of(2) {
        return Err("truncated UTF-16 file (odd number of bytes)".into());
    }
    let units = data.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map(Cow::Owned)
        .map_err(|e| format!("invalid UTF-16: {e}"))
        .and_then(checked)
}

fn checked(text: Cow<'_, str>) -> Result<Cow<'_, str>, String> {
    if text.contains('\0') {
        return Err("binary data, not a text file".into());
    }
    Ok(text)
}

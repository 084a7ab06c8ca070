//! The default validator: finds phone numbers in the CSVs and lists that
//! admins actually upload (Excel exports, panel exports, plain lists).

mod cell;
mod decode;
mod layout;

use std::collections::HashMap;

use numbot_plugin_sdk::{
    export_validator, DuplicateRow, NumberRow, RejectedRow, Settings, Validation, Validator,
};

/// Rejected rows and duplicates reported in full; beyond this only counted.
const MAX_REPORTED: usize = 10_000;

/// The default CSV validator.
#[derive(Default)]
pub struct CsvValidator {
    /// Caps the rows read, from the `max_rows` setting (0 = no cap).
    max_rows: usize,
}

impl Validator for CsvValidator {
    fn configure(&mut self, settings: &Settings) -> Result<(), String> {
        for (key, value) in settings {
            if key == "max_rows" {
                self.max_rows = value
                    .parse()
                    .map_err(|_| format!("max_rows: `{value}` is not a count"))?;
            }
        }
        Ok(())
    }

    fn validate(&mut self, file_name: &str, data: &[u8]) -> Result<Validation, String> {
        let text = decode::decode(file_name, data)?;
        validate_text(&text, self.max_rows)
    }
}

/// Validates decoded text.
pub fn validate_text(text: &str, max_rows: usize) -> Result<Validation, String> {
    let layout = layout::detect(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(layout.delimiter.map_or(b'\x1f', |d| d as u8))
        .from_reader(text.as_bytes());

    let mut out = Validation {
        header: layout.header.clone(),
        delimiter: layout.delimiter,
        ..Validation::default()
    };
    let mut seen: HashMap<u64, u32, BuildFx> =
        HashMap::with_capacity_and_hasher(text.len() / 16, BuildFx::default());
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    let mut extra_rejected = 0usize;
    let mut skip_header = layout.header.is_some();
    let (mut line, mut counted) = (1u32, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format!("unreadable CSV: {e}")),
        }
        // The csv crate's own line count skips blank lines: count newlines up to the record.
        // Its position may point at blank lines the reader skipped before the record.
        let mut byte = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        line += text.as_bytes()[counted..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        counted = byte;
        // Blank rows first: layout detection skipped them too, so the header
        // is the first row with content.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if skip_header {
            skip_header = false;
            continue;
        }
        rows += 1;
        if max_rows > 0 && rows > max_rows {
            return Err(format!("more than {max_rows} rows (max_rows setting)"));
        }
        let Some(raw) = record.get(layout.number_column) else {
            push_rejected(
                &mut out,
                &mut extra_rejected,
                line,
                record.as_slice(),
                format!("no column {} in this row", layout.number_column + 1),
            );
            continue;
        };
        match cell::parse_number(raw) {
            Ok(number) => {
                let key = cell::dedup_key(&number);
                match seen.get(&key) {
                    Some(&first_line) => {
                        if out.duplicates.len() < MAX_REPORTED {
                            out.duplicates.push(DuplicateRow {
                                line,
                                number,
                                first_line,
                            });
                        }
                    }
                    None => {
                        seen.insert(key, line);
                        let category = layout
                            .category_column
                            .and_then(|c| record.get(c))
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_string);
                        out.numbers.push(NumberRow {
                            line,
                            number,
                            category,
                        });
                    }
                }
            }
            Err(reason) => push_rejected(&mut out, &mut extra_rejected, line, raw, reason),
        }
    }
    if extra_rejected > 0 {
        out.rejected.push(RejectedRow {
            line: 0,
            content: String::new(),
            reason: format!("{extra_rejected} more rejected rows not listed"),
        });
    }
    if out.numbers.is_empty() && out.duplicates.is_empty() {
        if out.rejected.is_empty() {
            return Err("no phone numbers found in the file".into());
        }
        let first = &out.rejected[0];
        return Err(format!(
            "no usable phone numbers: all {} rows were rejected (line {}: {})",
            out.rejected.len(),
            first.line,
            first.reason
        ));
    }
    Ok(out)
}

fn push_rejected(
    out: &mut Validation,
    extra: &mut usize,
    line: u32,
    content: &str,
    reason: String,
) {
    if out.rejected.len() < MAX_REPORTED {
        let content: String = content.trim().chars().take(80).collect();
        out.rejected.push(RejectedRow {
            line,
            content,
            reason,
        });
    } else {
        *extra += 1;
    }
}

/// FxHash: the duplicate check hashes one `u64` per row; SipHash would dominate.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type BuildFx = std::hash::BuildHasherDefault<Fx>;

export_validator!(CsvValidator);

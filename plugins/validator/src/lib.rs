//! The default validator: finds phone numbers in the CSVs and lists that
//! admins actually upload (Excel exports, panel exports, plain lists).

mod cell;
mod decode;
mod layout;
mod rows;

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
    let mut rows = rows::Rows::new(text, layout.delimiter);

    let mut out = Validation {
        header: layout.header.clone(),
        delimiter: layout.delimiter,
        ..Validation::default()
    };
    let mut seen: HashMap<u64, u32, BuildFx> =
        HashMap::with_capacity_and_hasher(text.len() / 16, BuildFx::default());
    let mut record = csv::StringRecord::new();
    let mut count = 0usize;
    let mut extra_rejected = 0usize;
    let mut skip_header = layout.header.is_some();
    while let Some(row) = rows.next(&mut record)? {
        let line = row.line;
        // Blank rows first: layout detection skipped them too, so the header
        // is the first row with content.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if skip_header {
            skip_header = false;
            continue;
        }
        count += 1;
        if max_rows > 0 && count > max_rows {
            return Err(format!("more than {max_rows} rows (max_rows setting)"));
        }
        let Some(raw) = record.get(layout.number_column) else {
            let reason = format!("no column {} in this row", layout.number_column + 1);
            let reason = quote_reason(&rows, row, reason);
            push_rejected(
                &mut out,
                &mut extra_rejected,
                line,
                record.as_slice(),
                reason,
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
            Err(reason) => {
                let reason = quote_reason(&rows, row, reason);
                push_rejected(&mut out, &mut extra_rejected, line, raw, reason);
            }
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

/// The reason a row is rejected, naming a quote left open on its line: the
/// likely cause, since the row was then read to the end of its line.
fn quote_reason(rows: &rows::Rows, row: rows::Row, reason: String) -> String {
    if rows.quote_left_open(row.start) {
        format!("a quote (\") opened on this line is never closed: {reason}")
    } else {
        reason
    }
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

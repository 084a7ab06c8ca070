//! Exports of the history: every use as one row, in CSV or XLSX, written
//! from a stream so that a million uses need no more memory than a few
//! (the XLSX sheet is written in constant-memory mode). Writing is blocking
//! and runs on tokio's blocking pool.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::{Path, PathBuf},
};

use chrono::{DateTime, NaiveDate};
use numbot_core::{HistoryQuery, StoreError, UseRecord, UseStream};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, XlsxError};

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, UTF-8, one header row.
    Csv,
    /// An Excel workbook, one sheet.
    Xlsx,
}

impl Format {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format a file name asks for, by its extension.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The history could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workbook could not be written.
    #[error("writing {path}: {source}")]
    Xlsx {
        /// The file.
        path: PathBuf,
        /// Why.
        source: XlsxError,
    },
    /// A sheet holds 1,048,576 rows.
    #[error("{0} uses do not fit one XLSX sheet (1,048,575 at most): export a shorter period, or as CSV")]
    TooManyRows(u64),
}

/// A date the period is given in that is not one.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a date: write it as YYYY-MM-DD (UTC)")]
pub struct BadDate(pub String);

/// The uses that ended from the start of day `from` to the end of day `to`
/// (UTC, both included, each optional).
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<HistoryQuery, BadDate> {
    let day = |text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| u32::try_from(t.and_utc().timestamp()).ok())
            .ok_or_else(|| BadDate(text.to_string()))
    };
    Ok(HistoryQuery {
        from: from.map(day).transpose()?,
        to: to
            .map(day)
            .transpose()?
            .map(|start| start.saturating_add(24 * 3600)),
        ..HistoryQuery::default()
    })
}

/// The columns, in order.
pub const COLUMNS: [&str; 13] = [
    "number",
    "telegram_user",
    "api_token",
    "category",
    "file",
    "start_utc",
    "end_utc",
    "ended",
    "codes",
    "first_code_utc",
    "last_code_utc",
    "code_texts",
    "use_id",
];

/// Rows an XLSX sheet holds below its header.
const XLSX_ROWS: u64 = 1_048_575;

/// Writes every use of `stream` to `path` as `format`; returns how many.
/// A failed export removes its file.
pub async fn write(stream: UseStream, format: Format, path: &Path) -> Result<u64, ExportError> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let written = match format {
            Format::Csv => write_csv(stream, &path),
            Format::Xlsx => write_xlsx(stream, &path),
        };
        if written.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        written
    })
    .await
    .map_err(|e| ExportError::Store(StoreError::Stopped(e.to_string())))?
}

fn utc(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// A row's text cells, in column order.
fn cells(r: &UseRecord) -> [String; 13] {
    let (user, token) = match r.token() {
        Some(token) => (String::new(), token.to_string()),
        None => (r.holder.to_string(), String::new()),
    };
    let texts: Vec<&str> = r.codes.iter().filter_map(|c| c.code.as_deref()).collect();
    [
        r.number.clone(),
        user,
        token,
        r.category.clone(),
        r.file.clone(),
        utc(i64::from(r.start)),
        utc(i64::from(r.end)),
        r.ended.as_str().to_string(),
        r.codes.len().to_string(),
        r.codes.first().map(|c| utc(c.at)).unwrap_or_default(),
        r.codes.last().map(|c| utc(c.at)).unwrap_or_default(),
        texts.join(" "),
        r.id.to_string(),
    ]
}

/// A cell a spreadsheet opens as text: one that starts like a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a `'` in front, as
/// OWASP's CSV-injection advice has it. A category from a vendor's Range
/// column or a relayed text can start so; a phone number (`+` and digits)
/// or a negative id is left alone, since a spreadsheet reads it as the
/// number it is. XLSX cells are written as strings and never evaluated.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let Some(first) = cell.chars().next() else {
        return cell.into();
    };
    let formula = matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r');
    let number = matches!(first, '+' | '-')
        && cell.len() > 1
        && cell[1..].bytes().all(|b| b.is_ascii_digit());
    if formula && !number {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn write_csv(mut stream: UseStream, path: &Path) -> Result<u64, ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(io)?;
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let csv_io = |e: csv::Error| io(e.into());
    out.write_record(COLUMNS).map_err(csv_io)?;
    let mut rows = 0;
    while let Some(r) = stream.blocking_recv() {
        out.write_record(cells(&r?).map(|c| inert(&c).into_owned()))
            .map_err(csv_io)?;
        rows += 1;
    }
    let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.flush().map_err(io)?;
    file.get_ref().sync_all().map_err(io)?;
    Ok(rows)
}

fn write_xlsx(mut stream: UseStream, path: &Path) -> Result<u64, ExportError> {
    let xlsx = |source| ExportError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    let mut book = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let when = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx)?;
    sheet.set_name("uses").map_err(xlsx)?;
    for (col, name) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *name, &bold)
            .map_err(xlsx)?;
        let width = match col {
            0 | 5 | 6 | 9 | 10 => 20,
            3 | 4 => 24,
            _ => 12,
        };
        sheet.set_column_width(col as u16, width).map_err(xlsx)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    let mut rows: u64 = 0;
    while let Some(r) = stream.blocking_recv() {
        let r = r?;
        rows += 1;
        if rows > XLSX_ROWS {
            return Err(ExportError::TooManyRows(rows));
        }
        let row = rows as u32;
        for (col, text) in cells(&r).iter().enumerate() {
            let col = col as u16;
            let at = match col {
                5 => Some(i64::from(r.start)),
                6 => Some(i64::from(r.end)),
                9 => r.codes.first().map(|c| c.at),
                10 => r.codes.last().map(|c| c.at),
                _ => None,
            };
            let written = match (col, at.map(ExcelDateTime::from_timestamp)) {
                (_, Some(Ok(t))) => sheet.write_datetime_with_format(row, col, &t, &when),
                (1 | 2 | 8, _) if !text.is_empty() => {
                    sheet.write_number(row, col, text.parse::<f64>().unwrap_or_default())
                }
                _ if text.is_empty() => continue,
                _ => sheet.write_string(row, col, text),
            };
            written.map_err(xlsx)?;
        }
    }
    book.save(path).map_err(xlsx)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use numbot_core::{CodeSeen, Ended};

    use super::*;

    #[test]
    fn cells_that_look_like_formulas_are_kept_as_text() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("+971501234567", "+971501234567"),
            ("-7001", "-7001"),
            ("UAE Mobile", "UAE Mobile"),
            ("", ""),
        ] {
            assert_eq!(inert(cell), out, "{cell:?}");
        }
    }

    fn uses(n: u32) -> UseStream {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        tokio::spawn(async move {
            for i in 0..n {
                let r = UseRecord {
                    id: numbot_core::UseId(u64::from(i) + 1),
                    number: format!("+97150{i:07}"),
                    holder: if i % 2 == 0 { 42 } else { -7001 },
                    category: "UAE, \"Mobile\"".into(),
                    file: "UAE_20261201_101010.csv".into(),
                    start: 1_764_590_400 + i,
                    end: 1_764_590_460 + i,
                    ended: Ended::Completed,
                    codes: vec![CodeSeen {
                        at: 1_764_590_430 + i64::from(i),
                        code: Some("123456".into()),
                    }],
                };
                if tx.send(Ok(r)).await.is_err() {
                    return;
                }
            }
        });
        rx
    }

    #[test]
    fn a_period_is_whole_utc_days() {
        let q = period(Some("2025-12-01"), Some("2025-12-01")).unwrap();
        assert_eq!((q.from, q.to), (Some(1_764_547_200), Some(1_764_633_600)));
        assert_eq!(period(None, None).unwrap(), HistoryQuery::default());
        assert_eq!(
            period(Some("1/12/2025"), None),
            Err(BadDate("1/12/2025".into()))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn csv_rows_are_quoted_and_timed_in_utc() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        assert_eq!(write(uses(3), Format::Csv, &path).await.unwrap(), 3);
        let mut read = csv::Reader::from_path(&path).unwrap();
        assert_eq!(read.headers().unwrap(), COLUMNS.as_slice());
        let rows: Vec<csv::StringRecord> = read.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][0], "+971500000000");
        assert_eq!((&rows[0][1], &rows[0][2]), ("42", ""));
        assert_eq!((&rows[1][1], &rows[1][2]), ("", "7"));
        assert_eq!(&rows[0][3], "UAE, \"Mobile\"");
        assert_eq!(&rows[0][5], "2025-12-01 12:00:00");
        assert_eq!(&rows[0][8], "1");
        assert_eq!(&rows[0][11], "123456");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn xlsx_is_a_workbook_with_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.xlsx");
        assert_eq!(write(uses(50), Format::Xlsx, &path).await.unwrap(), 50);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04", "a zip container");
        assert_eq!(Format::of(&path), Some(Format::Xlsx));
    }
}

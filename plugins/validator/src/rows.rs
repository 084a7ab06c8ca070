//! The records of a file, none longer than its line: a quote left open at the
//! end of a line ends with the line instead of swallowing the rest of the file.

use crate::layout;

/// Where a record is: its line number (1-based) and the byte its line starts at.
#[derive(Clone, Copy)]
pub struct Row {
    pub line: u32,
    pub start: usize,
}

/// Reads records with the csv crate, and reads a record that would run past
/// the end of its line as that line alone, then goes on with the next line.
pub struct Rows<'a> {
    text: &'a str,
    delimiter: Option<char>,
    reader: csv::Reader<&'a [u8]>,
    /// Where in `text` the reader started.
    base: usize,
    /// Whether `text` holds a quote at all: without one no record runs on.
    quotes: bool,
    /// The line number at byte `counted`.
    line: u32,
    counted: usize,
}

impl<'a> Rows<'a> {
    pub fn new(text: &'a str, delimiter: Option<char>) -> Self {
        Self {
            text,
            delimiter,
            reader: reader(text, delimiter),
            base: 0,
            quotes: text.as_bytes().contains(&b'"'),
            line: 1,
            counted: 0,
        }
    }

    /// Reads the next record into `record`; `None` at the end of the text.
    pub fn next(&mut self, record: &mut csv::StringRecord) -> Result<Option<Row>, String> {
        match self.reader.read_record(record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(format!("unreadable CSV: {e}")),
        }
        // The position may point at blank lines the reader skipped before the record.
        let bytes = self.text.as_bytes();
        let mut start = self.base + record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        // The csv crate's own line count skips blank lines: count newlines instead.
        self.line += bytes[self.counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.counted = start;
        if self.quotes && record.as_slice().as_bytes().contains(&b'\n') {
            self.cut(record, start);
        }
        Ok(Some(Row {
            line: self.line,
            start,
        }))
    }

    /// Replaces `record`, which ran on past its line, with the cells of that
    /// line alone (the open quote closed at its end), and restarts the reader
    /// on the next line.
    fn cut(&mut self, record: &mut csv::StringRecord, start: usize) {
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i + 1);
        record.clear();
        for cell in layout::split_line(self.line_text(start), self.delimiter) {
            record.push_field(&cell);
        }
        self.base = end;
        self.reader = reader(&self.text[end..], self.delimiter);
    }

    /// The text of the line starting at byte `start`, without its line break.
    pub fn line_text(&self, start: usize) -> &'a str {
        let rest = &self.text[start..];
        rest[..rest.find('\n').unwrap_or(rest.len())].trim_end_matches('\r')
    }

    /// Whether the line starting at byte `start` opens a quote it never closes.
    pub fn quote_left_open(&self, start: usize) -> bool {
        self.quotes && self.line_text(start).matches('"').count() % 2 == 1
    }
}

fn reader(text: &str, delimiter: Option<char>) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.map_or(b'\x1f', |d| d as u8))
        .from_reader(text.as_bytes())
}

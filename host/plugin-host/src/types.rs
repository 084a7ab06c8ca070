//! The records plugins exchange with the host, in the host's own form:
//! results arrive as one text with spans (see `wit/v0.1/plugin.wit`) and
//! are turned into these under a byte budget.

pub use super::bindings::validator::numbot::plugin::types::Level;
pub use numbot_core::plugins::{Candidate, Choice, Request};
pub use numbot_plugin_types::{
    Countries, DuplicateRow, Formatted, NumberRow, RejectedRow, Validation,
};

use super::bindings::{
    formatter::exports::numbot::plugin::format as wit_format,
    policy::exports::numbot::plugin::select as wit,
    validator::{exports::numbot::plugin::validate as wit_validate, numbot::plugin::types::Span},
};

/// Reads spans out of a result's text, refusing spans outside it and a total
/// beyond `budget` bytes: a plugin cannot make the host copy more than its
/// own memory holds by pointing many spans at the same bytes.
pub(crate) struct Spans<'a> {
    text: &'a str,
    budget: usize,
}

impl<'a> Spans<'a> {
    pub(crate) fn new(text: &'a str, budget: usize) -> Self {
        Spans { text, budget }
    }

    pub(crate) fn get(&mut self, span: Span) -> Result<String, String> {
        let (start, len) = (span.start as usize, span.len as usize);
        let piece = self
            .text
            .get(start..start.saturating_add(len))
            .ok_or_else(|| {
                format!(
                    "span {start}+{len} outside its {}-byte text",
                    self.text.len()
                )
            })?;
        self.budget = self
            .budget
            .checked_sub(len)
            .ok_or("its spans add up to more than its memory limit")?;
        Ok(piece.to_string())
    }

    /// A validation result in the host's form.
    pub(crate) fn validation(
        v: &wit_validate::Validation,
        budget: usize,
    ) -> Result<Validation, String> {
        let mut s = Spans::new(&v.text, budget);
        let numbers = v
            .numbers
            .iter()
            .map(|r| {
                Ok(NumberRow {
                    line: r.line,
                    number: s.get(r.number)?,
                    category: r.category.map(|c| s.get(c)).transpose()?,
                })
            })
            .collect::<Result<_, String>>()?;
        let rejected = v
            .rejected
            .iter()
            .map(|r| {
                Ok(RejectedRow {
                    line: r.line,
                    content: s.get(r.content)?,
                    reason: s.get(r.reason)?,
                })
            })
            .collect::<Result<_, String>>()?;
        let duplicates = v
            .duplicates
            .iter()
            .map(|r| {
                Ok(DuplicateRow {
                    line: r.line,
                    number: s.get(r.number)?,
                    first_line: r.first_line,
                })
            })
            .collect::<Result<_, String>>()?;
        let header = v
            .header
            .as_ref()
            .map(|h| h.iter().map(|c| s.get(*c)).collect::<Result<Vec<_>, _>>())
            .transpose()?;
        let delimiter = v
            .delimiter
            .map(|d| {
                s.get(d)?
                    .chars()
                    .next()
                    .ok_or_else(|| "empty delimiter".to_string())
            })
            .transpose()?;
        Ok(Validation {
            numbers,
            rejected,
            duplicates,
            header,
            delimiter,
        })
    }

    /// A formatted batch in the host's form.
    pub(crate) fn formatted(
        batch: &wit_format::FormattedBatch,
        budget: usize,
    ) -> Result<Vec<Result<Formatted, String>>, String> {
        let mut s = Spans::new(&batch.text, budget);
        batch
            .results
            .iter()
            .map(|r| match r {
                Ok(f) => Ok(Ok(Formatted {
                    e164: s.get(f.e164)?,
                    display: s.get(f.display)?,
                    country: s.get(f.country)?,
                })),
                Err(reason) => Ok(Err(s.get(*reason)?)),
            })
            .collect()
    }
}

/// `last-used` for a file never used, in the WIT table.
const NEVER_USED: i64 = i64::MIN;

/// The WIT form of a request: a table of seven numbers per file and the
/// names concatenated (see `wit/v0.1/plugin.wit`).
pub(crate) fn request_to_wit(request: &Request) -> wit::Request {
    let mut files = Vec::with_capacity(request.candidates.len() * 7);
    let mut names = String::with_capacity(request.candidates.len() * 24);
    for f in &request.candidates {
        names.push_str(&f.name);
        files.extend_from_slice(&[
            f.id,
            f.total,
            f.available,
            f.used,
            f.created_at as u64,
            f.last_used.unwrap_or(NEVER_USED) as u64,
            names.len() as u64,
        ]);
    }
    wit::Request {
        category: request.category.clone(),
        user: request.user,
        seed: request.seed,
        files,
        names,
    }
}

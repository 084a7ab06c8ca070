//! The plain records numbot plugins and their host exchange: the WIT
//! records without the wire details (spans, tables), the same on both sides.

/// A phone number found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRow {
    /// 1-based line in the decoded file.
    pub line: u32,
    /// The number reduced to an optional `+` and digits.
    pub number: String,
    /// A category hint from the row (for example the `Range` column).
    pub category: Option<String>,
}

/// A row that holds no usable number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// 1-based line in the decoded file.
    pub line: u32,
    /// The offending cell, or the row.
    pub content: String,
    /// Why the row was refused.
    pub reason: String,
}

/// A number seen earlier in the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateRow {
    /// 1-based line of the repeat.
    pub line: u32,
    /// The repeated number.
    pub number: String,
    /// Where it was first seen.
    pub first_line: u32,
}

/// What a validator learnt from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// Usable numbers, in file order, without duplicates.
    pub numbers: Vec<NumberRow>,
    /// Refused rows with their reasons.
    pub rejected: Vec<RejectedRow>,
    /// Repeats of numbers already listed.
    pub duplicates: Vec<DuplicateRow>,
    /// The header row, if any.
    pub header: Option<Vec<String>>,
    /// The delimiter, if the file has columns.
    pub delimiter: Option<char>,
}

/// The countries a formatter claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Countries {
    /// Every country: a fallback formatter.
    All,
    /// ISO 3166 alpha-2 codes, upper case.
    Only(Vec<String>),
}

/// One formatted number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// E.164 form: `+` and digits.
    pub e164: String,
    /// The formatter's display form.
    pub display: String,
    /// ISO 3166 alpha-2 country code.
    pub country: String,
}

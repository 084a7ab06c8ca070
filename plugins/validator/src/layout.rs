//! The shape of a file: delimiter, header, which column holds the numbers.

use crate::cell;

/// Header names (lower case, letters and digits only) that mean "phone number".
const NUMBER_HEADERS: &[&str] = &[
    "number",
    "numbers",
    "phone",
    "phones",
    "phonenumber",
    "phonenumbers",
    "phoneno",
    "msisdn",
    "mobile",
    "mobiles",
    "mobilenumber",
    "mobileno",
    "mobilephone",
    "cell",
    "cellphone",
    "cellnumber",
    "tel",
    "telephone",
    "telephonenumber",
    "contact",
    "contactnumber",
    "numero",
    "número",
    "telefono",
    "teléfono",
    "telefone",
    "nummer",
    "rufnummer",
    "handynummer",
    "e164",
];

/// Header names that give each row a category hint (the IMS export's `Range`).
const CATEGORY_HEADERS: &[&str] = &["range", "category", "country", "countryname", "group"];

/// How to read the rows of a file.
#[derive(Debug)]
pub struct Layout {
    pub delimiter: Option<char>,
    pub header: Option<Vec<String>>,
    pub number_column: usize,
    pub category_column: Option<usize>,
}

/// Looks at the first lines and decides how to read the file.
pub fn detect(text: &str) -> Result<Layout, String> {
    let sample: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let Some(first) = sample.first() else {
        return Err("the file has no rows".into());
    };
    let delimiter = sniff_delimiter(&sample);
    let split = |line: &str| -> Vec<String> { split_line(line, delimiter) };
    let cells = split(first);
    let normalized: Vec<String> = cells.iter().map(|c| normalize_header(c)).collect();

    let named_number = normalized
        .iter()
        .position(|n| NUMBER_HEADERS.contains(&n.as_str()));
    let looks_like_data = cells.iter().any(|c| cell::parse_number(c).is_ok());
    if let Some(number_column) = named_number {
        let category_column = normalized
            .iter()
            .position(|n| CATEGORY_HEADERS.contains(&n.as_str()));
        return Ok(Layout {
            delimiter,
            header: Some(trimmed(&cells)),
            number_column,
            category_column,
        });
    }
    if looks_like_data {
        let number_column = cells
            .iter()
            .position(|c| cell::parse_number(c).is_ok())
            .unwrap_or(0);
        return Ok(Layout {
            delimiter,
            header: None,
            number_column,
            category_column: None,
        });
    }
    // A header with unknown names: take the column whose values look most like numbers.
    let width = cells.len();
    let mut hits = vec![0usize; width];
    for line in &sample[1..] {
        for (i, c) in split(line).iter().enumerate().take(width) {
            if cell::parse_number(c).is_ok() {
                hits[i] += 1;
            }
        }
    }
    match hits.iter().enumerate().max_by_key(|(i, h)| (**h, std::cmp::Reverse(*i))) {
        Some((column, &count)) if count > 0 => {
            let category_column = normalized
                .iter()
                .position(|n| CATEGORY_HEADERS.contains(&n.as_str()));
            Ok(Layout {
                delimiter,
                header: Some(trimmed(&cells)),
                number_column: column,
                category_column,
            })
        }
        _ => Err(format!(
            "no phone number column: the header is [{}] and no column holds numbers; name one `Number`",
            trimmed(&cells).join(", ")
        )),
    }
}

/// Picks the delimiter that splits the sample lines most consistently.
fn sniff_delimiter(sample: &[&str]) -> Option<char> {
    let mut best: Option<(char, usize)> = None;
    for d in [',', ';', '\t', '|'] {
        let counts: Vec<usize> = sample.iter().map(|l| count_outside_quotes(l, d)).collect();
        let first = counts[0];
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        let score = consistent * 1000 + first;
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((d, score));
        }
    }
    best.map(|(d, _)| d)
}

fn count_outside_quotes(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            !quoted && c == delimiter
        })
        .count()
}

/// The cells of one line, a quote toggling whether a delimiter splits: a
/// quote never runs past the line.
pub fn split_line(line: &str, delimiter: Option<char>) -> Vec<String> {
    let Some(d) = delimiter else {
        return vec![unquote(line)];
    };
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == d && !quoted => cells.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    cells.push(current);
    cells
}

fn unquote(cell: &str) -> String {
    cell.trim().trim_matches('"').to_string()
}

fn trimmed(cells: &[String]) -> Vec<String> {
    cells.iter().map(|c| c.trim().to_string()).collect()
}

fn normalize_header(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

//! `numbot plugins run`: one plugin, or the host's routing, on an input
//! stream, one JSON line out per input. It is how a plugin is tried before
//! it serves, and how a script runs one over a file of numbers or messages.
//!
//! Calls are made on the caller's thread (the command line has no async
//! runtime); formatter input is read and answered 500 lines at a time, so
//! memory stays bounded however long the input is.

use std::{
    io::{self, BufRead, Write},
    path::{Path, PathBuf},
    sync::Arc,
};

use numbot_core::clock::process_seed;
use numbot_plugin_host::{
    types::{Candidate, Formatted, Request, Validation},
    worlds::{FormatterWorld, World},
    AnyPlugin, Plugin, PluginError, PluginHost, WorldKind,
};
use serde::{Deserialize, Serialize};

/// Lines per formatter call: the batch the upload path uses too.
pub const BATCH: usize = 500;

/// Why a run stopped. Every message names the plugin (or the routing) and,
/// for input, the line.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No serving plugin has the id asked for.
    #[error("no plugin `{0}` is loaded (`numbot plugins list` shows the loaded ones)")]
    Unknown(String),
    /// The plugin asked for implements another world.
    #[error("plugin `{id}` is a {found} plugin, not a {wanted}")]
    WrongWorld {
        /// The id asked for.
        id: String,
        /// Its world.
        found: WorldKind,
        /// The world the command runs.
        wanted: WorldKind,
    },
    /// An input line is not what the world reads.
    #[error("{who}: input line {line}: {message}")]
    Input {
        /// The plugin, or the routing.
        who: String,
        /// 1-based line of the input.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// A plugin call failed (trap, timeout, memory, refusal, contract).
    #[error("{at}: {error}")]
    Call {
        /// The input the call was for ("input lines 1-500", "request 2").
        at: String,
        /// The plugin's error, which names the plugin.
        error: PluginError,
    },
    /// The plugin could not be picked or called (none loaded, a refused file).
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The input file could not be read.
    #[error("{}: {error}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: io::Error,
    },
    /// Reading the input or writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl RunError {
    /// True when the reader of the output went away (`| head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, RunError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// What `plugins run` is asked to do besides its input.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The plugin by id; `None`: the host's routing (or configured plugin).
    pub plugin: Option<String>,
    /// Formatter: the country of numbers written without a calling code.
    pub country: Option<String>,
    /// Input typed at a terminal: every line answered (and flushed) at once.
    pub interactive: bool,
}

/// The plugin `id` as world `W`, or an error saying why not.
fn named<W: World>(
    host: &PluginHost,
    id: &str,
    typed: fn(AnyPlugin) -> Option<Arc<Plugin<W>>>,
) -> Result<Arc<Plugin<W>>, RunError> {
    let plugin = host
        .plugin(id)
        .ok_or_else(|| RunError::Unknown(id.to_string()))?;
    let found = plugin.manifest().world;
    typed(plugin).ok_or_else(|| RunError::WrongWorld {
        id: id.to_string(),
        found,
        wanted: W::KIND,
    })
}

/// The plugin the options name, else the one the host would use.
fn pick<W: World>(
    host: &PluginHost,
    options: &RunOptions,
    typed: fn(AnyPlugin) -> Option<Arc<Plugin<W>>>,
    routed: impl FnOnce(&PluginHost) -> Result<Arc<Plugin<W>>, PluginError>,
) -> Result<Arc<Plugin<W>>, RunError> {
    match &options.plugin {
        Some(id) => named(host, id, typed),
        None => Ok(routed(host)?),
    }
}

fn who<W: World>(plugin: &Plugin<W>) -> String {
    format!("plugin `{}`", plugin.manifest().id)
}

/// Writes one value as a JSON line.
fn emit(out: &mut dyn Write, value: &impl Serialize) -> Result<(), RunError> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Input lines without their line ends, numbered from 1.
struct Lines<'a> {
    input: &'a mut dyn BufRead,
    number: u64,
    buf: Vec<u8>,
}

impl<'a> Lines<'a> {
    fn new(input: &'a mut dyn BufRead) -> Self {
        Lines {
            input,
            number: 0,
            buf: Vec::new(),
        }
    }

    /// The next line and its number; a line that is not UTF-8 is an error.
    fn next(&mut self, who: &str) -> Result<Option<(u64, String)>, RunError> {
        self.buf.clear();
        if self.input.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        self.number += 1;
        let text = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let text = String::from_utf8(text.to_vec()).map_err(|_| RunError::Input {
            who: who.to_string(),
            line: self.number,
            message: "not UTF-8 text".into(),
        })?;
        Ok(Some((self.number, text)))
    }
}

/// One formatter answer: the number, or why it is not one.
#[derive(Serialize)]
#[serde(untagged)]
enum FormatLine<'a> {
    Number {
        input: &'a str,
        e164: String,
        display: String,
        country: String,
    },
    Invalid {
        input: &'a str,
        error: String,
    },
}

impl<'a> FormatLine<'a> {
    fn new(input: &'a str, result: Result<Formatted, String>) -> Self {
        match result {
            Ok(f) => FormatLine::Number {
                input,
                e164: f.e164,
                display: f.display,
                country: f.country,
            },
            Err(error) => FormatLine::Invalid { input, error },
        }
    }
}

/// The formatter asked for: one plugin, or the host's routing by country.
enum Formatters<'h> {
    Routed(&'h PluginHost),
    One(Arc<Plugin<FormatterWorld>>),
}

impl Formatters<'_> {
    fn who(&self) -> String {
        match self {
            Formatters::Routed(_) => "the formatter routing".into(),
            Formatters::One(p) => who(p),
        }
    }

    fn format(
        &self,
        numbers: &[String],
        country: Option<&str>,
    ) -> Result<Vec<Result<Formatted, String>>, PluginError> {
        match self {
            Formatters::Routed(host) => host.format(numbers, country),
            Formatters::One(p) => p.format(numbers, country),
        }
    }
}

/// Formats one raw number a line: `{"input", "e164", "display", "country"}`
/// or `{"input", "error"}` per line, in input order.
pub fn formatter(
    host: &PluginHost,
    options: &RunOptions,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let formatters = match &options.plugin {
        Some(id) => Formatters::One(named(host, id, |p| match p {
            AnyPlugin::Formatter(f, _) => Some(f),
            _ => None,
        })?),
        None => Formatters::Routed(host),
    };
    let who = formatters.who();
    let batch = if options.interactive { 1 } else { BATCH };
    let mut lines = Lines::new(input);
    let mut numbers = Vec::with_capacity(batch);
    loop {
        numbers.clear();
        while numbers.len() < batch {
            match lines.next(&who)? {
                Some((_, line)) => numbers.push(line),
                None => break,
            }
        }
        if numbers.is_empty() {
            return Ok(());
        }
        let last = lines.number;
        let first = last + 1 - numbers.len() as u64;
        let results = formatters
            .format(&numbers, options.country.as_deref())
            .map_err(|error| RunError::Call {
                at: if first == last {
                    format!("input line {first}")
                } else {
                    format!("input lines {first}-{last}")
                },
                error,
            })?;
        for (number, result) in numbers.iter().zip(results) {
            emit(out, &FormatLine::new(number, result))?;
        }
        out.flush()?;
    }
}

/// One SMS of the extractor's input; other fields (sender, time) are ignored.
#[derive(Deserialize)]
struct Sms {
    text: String,
}

/// Finds the code of each `{"text": ...}` line: `{"code": "..."}` or
/// `{"code": null}`. Blank lines are skipped.
pub fn extractor(
    host: &PluginHost,
    options: &RunOptions,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let plugin = pick(
        host,
        options,
        |p| match p {
            AnyPlugin::Extractor(e) => Some(e),
            _ => None,
        },
        PluginHost::extractor,
    )?;
    let who = who(&plugin);
    let mut lines = Lines::new(input);
    while let Some((line, text)) = lines.next(&who)? {
        if text.trim().is_empty() {
            continue;
        }
        let sms: Sms = serde_json::from_str(&text).map_err(|e| RunError::Input {
            who: who.clone(),
            line,
            message: format!("expected a JSON object with a \"text\" string: {e}"),
        })?;
        let code = plugin.extract(&sms.text).map_err(|error| RunError::Call {
            at: format!("input line {line}"),
            error,
        })?;
        emit(out, &serde_json::json!({ "code": code }))?;
        if options.interactive {
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(())
}

/// A policy request as JSON: the store's view of a category's files.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyRequest {
    category: String,
    #[serde(default)]
    user: i64,
    /// Absent: a fresh seed, printed with the choice so the call can be replayed.
    seed: Option<u64>,
    candidates: Vec<CandidateIn>,
}

/// One candidate file; only `available` is required.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CandidateIn {
    /// Default: its position in the list.
    id: Option<u64>,
    #[serde(default)]
    name: String,
    /// Default: `available`.
    total: Option<u64>,
    available: u64,
    #[serde(default)]
    used: u64,
    #[serde(default)]
    created_at: i64,
    last_used: Option<i64>,
}

impl PolicyRequest {
    fn into_request(self, fresh_seed: u64) -> Request {
        let candidates = self
            .candidates
            .into_iter()
            .enumerate()
            .map(|(i, c)| Candidate {
                id: c.id.unwrap_or(i as u64),
                name: c.name,
                total: c.total.unwrap_or(c.available),
                available: c.available,
                used: c.used,
                created_at: c.created_at,
                last_used: c.last_used,
            })
            .collect();
        Request {
            category: self.category,
            user: self.user,
            seed: self.seed.unwrap_or(fresh_seed),
            candidates,
        }
    }
}

/// The policy's choice, with the file it names and the seed it was given.
#[derive(Serialize)]
struct ChoiceLine<'a> {
    candidate: u32,
    slot: u64,
    id: u64,
    name: &'a str,
    seed: u64,
}

/// Answers each JSON request of the input (one, or several one after the
/// other) with the policy's choice as one JSON line.
pub fn policy(
    host: &PluginHost,
    options: &RunOptions,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let plugin = pick(
        host,
        options,
        |p| match p {
            AnyPlugin::Policy(p) => Some(p),
            _ => None,
        },
        PluginHost::policy,
    )?;
    let who = who(&plugin);
    let seeds = process_seed();
    let requests = serde_json::Deserializer::from_reader(input).into_iter::<PolicyRequest>();
    for (k, request) in (1u64..).zip(requests) {
        let request = request.map_err(|e| RunError::Input {
            who: who.clone(),
            line: e.line() as u64,
            message: format!("not a policy request: {e}"),
        })?;
        let request =
            request.into_request(seeds.wrapping_add(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let choice = plugin.select(&request).map_err(|error| RunError::Call {
            at: format!("request {k}"),
            error,
        })?;
        let file = &request.candidates[choice.candidate as usize];
        let line = ChoiceLine {
            candidate: choice.candidate,
            slot: choice.slot,
            id: file.id,
            name: &file.name,
            seed: request.seed,
        };
        emit(out, &line)?;
        out.flush()?;
    }
    Ok(())
}

/// One row of a validated file, in file order.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Row {
    Number {
        line: u32,
        number: String,
        category: Option<String>,
    },
    Rejected {
        line: u32,
        content: String,
        reason: String,
    },
    Duplicate {
        line: u32,
        number: String,
        first_line: u32,
    },
}

impl Row {
    fn line(&self) -> u32 {
        match self {
            Row::Number { line, .. } | Row::Rejected { line, .. } | Row::Duplicate { line, .. } => {
                *line
            }
        }
    }
}

/// What the validator made of a file, for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationSummary {
    /// The validator's id.
    pub plugin: String,
    /// Numbers found.
    pub numbers: usize,
    /// Rows refused.
    pub rejected: usize,
    /// Repeats.
    pub duplicates: usize,
}

/// Validates `path`: its numbers, rejected rows and duplicates as JSON
/// lines, in file order (`{"kind": "number" | "rejected" | "duplicate", "line", ...}`).
pub fn validator(
    host: &PluginHost,
    options: &RunOptions,
    path: &Path,
    out: &mut dyn Write,
) -> Result<ValidationSummary, RunError> {
    let plugin = pick(
        host,
        options,
        |p| match p {
            AnyPlugin::Validator(v) => Some(v),
            _ => None,
        },
        PluginHost::validator,
    )?;
    let bytes = std::fs::read(path).map_err(|error| RunError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Validation {
        numbers,
        rejected,
        duplicates,
        ..
    } = plugin.validate(&name, &bytes)?;
    let summary = ValidationSummary {
        plugin: plugin.manifest().id.clone(),
        numbers: numbers.len(),
        rejected: rejected.len(),
        duplicates: duplicates.len(),
    };
    let mut rows: Vec<Row> = numbers
        .into_iter()
        .map(|r| Row::Number {
            line: r.line,
            number: r.number,
            category: r.category,
        })
        .chain(rejected.into_iter().map(|r| Row::Rejected {
            line: r.line,
            content: r.content,
            reason: r.reason,
        }))
        .chain(duplicates.into_iter().map(|r| Row::Duplicate {
            line: r.line,
            number: r.number,
            first_line: r.first_line,
        }))
        .collect();
    rows.sort_by_key(Row::line);
    for row in &rows {
        emit(out, row)?;
    }
    out.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_their_ends_and_a_line_not_utf8_is_named() {
        let mut input: &[u8] = b"+971 50\r\n\n0501234567\n\xff\xfe\n";
        let mut lines = Lines::new(&mut input);
        assert_eq!(lines.next("p").unwrap(), Some((1, "+971 50".into())));
        assert_eq!(lines.next("p").unwrap(), Some((2, String::new())));
        assert_eq!(lines.next("p").unwrap(), Some((3, "0501234567".into())));
        let err = lines.next("plugin `p`").unwrap_err();
        assert_eq!(err.to_string(), "plugin `p`: input line 4: not UTF-8 text");
    }

    #[test]
    fn a_policy_request_needs_only_the_available_numbers() {
        let request: PolicyRequest = serde_json::from_str(
            r#"{"category": "UAE", "candidates": [{"available": 3}, {"id": 9, "name": "b.csv", "available": 2, "total": 5}]}"#,
        )
        .unwrap();
        let request = request.into_request(42);
        assert_eq!((request.user, request.seed), (0, 42));
        let ids: Vec<(u64, u64, u64)> = request
            .candidates
            .iter()
            .map(|c| (c.id, c.total, c.available))
            .collect();
        assert_eq!(ids, [(0, 3, 3), (9, 5, 2)]);
        let typo = serde_json::from_str::<PolicyRequest>(
            r#"{"category": "UAE", "candidates": [{"availble": 3}]}"#,
        );
        assert!(typo.is_err());
    }

    #[test]
    fn formatter_lines_carry_the_input_beside_the_answer() {
        let ok = FormatLine::new(
            "050 123 4567",
            Ok(Formatted {
                e164: "+971501234567".into(),
                display: "050 123 4567".into(),
                country: "AE".into(),
            }),
        );
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"input":"050 123 4567","e164":"+971501234567","display":"050 123 4567","country":"AE"}"#
        );
        let bad = FormatLine::new("x", Err("not a number".into()));
        assert_eq!(
            serde_json::to_string(&bad).unwrap(),
            r#"{"input":"x","error":"not a number"}"#
        );
    }
}

//! What a reading reports besides rows: [`BadRow`]s, the [`Summary`] counts, and the
//! [`OnError`] policy that decides between stopping and going on.

use std::fmt;

use serde::Serialize;

use super::options::OnError;
use super::PARSE_ENDPOINT;
use crate::error::Error;

/// Longest excerpt of a bad record kept in a report, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BadRow {
    /// Line the record starts on (the header is line 1).
    pub line: u64,
    /// Header of the offending column, when one column is to blame.
    pub column: Option<String>,
    /// What is wrong, in English.
    pub reason: String,
    /// The start of the record as text (at most 200 characters).
    pub raw: String,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Counts of a reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rows read successfully.
    pub rows_ok: u64,
    /// Rows reported as bad (including those past [`Options::max_errors_kept`](super::Options::max_errors_kept)).
    pub rows_bad: u64,
    /// Bytes read from the source.
    pub bytes: u64,
}

/// The start of a record's text, at most [`EXCERPT_CHARS`] characters, for a report.
pub(crate) fn excerpt_of(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// The error a reading under [`OnError::Stop`] stops with at `bad`.
pub(crate) fn stop_error(bad: &BadRow) -> Error {
    let path = match &bad.column {
        Some(c) => format!("line {}, column {c}", bad.line),
        None => format!("line {}", bad.line),
    };
    Error::decode(PARSE_ENDPOINT, path, bad.reason.clone(), bad.raw.clone())
}

/// Applies [`OnError`] for one reader and keeps its counts and reports.
pub(crate) struct Policy {
    on_error: OnError,
    max_kept: usize,
    pub(crate) bad: Vec<BadRow>,
    pub(crate) rows_ok: u64,
    pub(crate) rows_bad: u64,
    /// The reading is over (the end, an error, or a stop).
    pub(crate) done: bool,
}

impl Policy {
    /// A policy keeping at most `max_kept` reports.
    pub(crate) fn new(on_error: OnError, max_kept: usize) -> Policy {
        Policy { on_error, max_kept, bad: Vec::new(), rows_ok: 0, rows_bad: 0, done: false }
    }

    /// Records a bad row; returns the error to stop with under [`OnError::Stop`].
    pub(crate) fn report(&mut self, bad: BadRow) -> Option<Error> {
        self.rows_bad += 1;
        let err = match self.on_error {
            OnError::Stop => {
                self.done = true;
                Some(stop_error(&bad))
            }
            OnError::Collect => None,
        };
        if self.bad.len() < self.max_kept {
            self.bad.push(bad);
        }
        err
    }
}

//! Problems found in the input: collected, never thrown.
//!
//! Every stage of the pipeline reports what is wrong with a document as a [`Problem`] with a stable
//! kebab-case code, the file it is about and, where known, a line or byte offset. Validation collects
//! them all instead of stopping at the first, so one run shows everything a person has to fix.

use serde::Serialize;
use std::fmt;

/// How bad a problem is: an error stops a release, a warning is reported and let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One thing wrong with one file, with a location a person can open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, as the user named it (for raw documents: `raw/...`).
    pub path: String,
    pub severity: Severity,
    /// Stable identifier of the kind of problem (kebab-case); scripts may match on it.
    pub code: &'static str,
    pub message: String,
    /// 1-based line number in the file, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 0-based byte offset in the file, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Problem {
    pub fn error(path: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            severity: Severity::Error,
            code,
            message: message.into(),
            line: None,
            offset: None,
        }
    }

    pub fn warning(
        path: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, code, message)
        }
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    /// `error[code]: path:line: message`, the shape compilers use, so editors can jump to it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}[{}]: {}", self.code, self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        } else if let Some(offset) = self.offset {
            write!(f, " (byte {offset})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// True when any problem in the list is an error.
pub fn any_error(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}

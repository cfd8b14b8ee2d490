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

/// Problems gathered over a long run, in bounded memory: every error is kept (an error stops the
/// run, and a person has to see each one), warnings only the first [`Tally::KEPT_PER_CODE`] of
/// each code, with a count of all. A corpus where every document warns (a new corpus is wholly
/// unpinned) would otherwise hold one message per document.
#[derive(Debug, Default)]
pub struct Tally {
    kept: Vec<Problem>,
    errors: usize,
    warnings: std::collections::BTreeMap<&'static str, usize>,
}

impl Tally {
    /// Warnings kept per code; the rest are counted.
    pub const KEPT_PER_CODE: usize = 5;

    pub fn push(&mut self, problem: Problem) {
        if problem.is_error() {
            self.errors += 1;
        } else {
            let seen = self.warnings.entry(problem.code).or_default();
            *seen += 1;
            if *seen > Self::KEPT_PER_CODE {
                return;
            }
        }
        self.kept.push(problem);
    }

    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for problem in problems {
            self.push(problem);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    pub fn errors(&self) -> usize {
        self.errors
    }

    /// Every error and the kept warnings, in the order met.
    pub fn kept(&self) -> &[Problem] {
        &self.kept
    }

    pub fn into_kept(self) -> Vec<Problem> {
        self.kept
    }

    /// Warnings met but not kept, by code.
    pub fn unkept(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.warnings
            .iter()
            .filter(|(_, n)| **n > Self::KEPT_PER_CODE)
            .map(|(code, n)| (*code, n - Self::KEPT_PER_CODE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_keeps_every_error_and_the_first_warnings_of_each_code() {
        let mut tally = Tally::default();
        for i in 0..8 {
            tally.push(Problem::warning(format!("raw/{i}.txt"), "unpinned", "new"));
        }
        tally.push(Problem::warning("raw/x.txt", "no-date", "none"));
        assert!(!tally.has_errors());
        for i in 0..7 {
            tally.push(Problem::error(format!("raw/e{i}.txt"), "nul-byte", "NUL"));
        }
        assert!(tally.has_errors());
        assert_eq!(tally.errors(), 7);
        let kept = tally.kept();
        assert_eq!(kept.iter().filter(|p| p.code == "unpinned").count(), 5);
        assert_eq!(kept.iter().filter(|p| p.code == "nul-byte").count(), 7);
        assert_eq!(kept.iter().filter(|p| p.code == "no-date").count(), 1);
        assert_eq!(kept[0].path, "raw/0.txt");
        assert_eq!(tally.unkept().collect::<Vec<_>>(), [("unpinned", 3)]);
    }
}

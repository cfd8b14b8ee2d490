//! The library's error type and the one exit-code contract.
//!
//! Errors here are the ones that stop the tool outright: usage, configuration and I/O. Problems
//! with the data itself are [`crate::problem::Problem`]s, collected and reported, and lead to
//! [`ExitStatus::Invalid`]. `main` maps both to a process exit code in one place.

use std::path::PathBuf;

/// How a command ended, mapped to the process exit code by `main` (SPEC: "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: everything valid, verified or done.
    Success,
    /// 1: the data is invalid, a verification failed, or the tool refused.
    Invalid,
    /// 2: usage, configuration or I/O error.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Invalid => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Errors that stop a command. Each names the file it is about.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O failure; `fs-err` already puts the path in the message.
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// The dataset description could not be read or is not valid.
    #[error("invalid configuration `{path}`:\n{message}")]
    Config { path: PathBuf, message: String },

    /// The command was asked for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),

    /// The tool refused to act (the data is fine, the request is not), for example a version
    /// that was already released with other content. Exit code 1.
    #[error("{message}")]
    Refused {
        message: String,
        hint: Option<String>,
    },
}

impl Error {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Refused { .. } => ExitStatus::Invalid,
            _ => ExitStatus::Error,
        }
    }

    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Refused { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

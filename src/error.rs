//! Errors of the library. User errors (bad input) are one line naming the file, the field path
//! or row/column, the bad value and what is allowed; the CLI exits with code 2 for them.

use crate::money::MoneyError;
use std::fmt;

/// A problem with one field of an input: `income.discount.rate = 0.08: must exceed
/// income.growth = 0.10`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted field path (`income.split.rate`, `revenue[2]`, `row 17, column price`).
    pub path: String,
    /// The offending value as the user wrote it (may be empty when the field is missing).
    pub value: String,
    /// What is wrong and what is allowed.
    pub problem: String,
}

impl FieldError {
    /// A new field error.
    pub fn new(
        path: impl Into<String>,
        value: impl fmt::Display,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            value: value.to_string(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}: {}", self.path, self.problem)
        } else {
            write!(f, "{} = {}: {}", self.path, self.value, self.problem)
        }
    }
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field of an input is invalid (no file known yet).
    #[error("{0}")]
    Field(FieldError),
    /// An input file is invalid; `detail` already names the field path or row/column.
    #[error("{file}: {detail}")]
    InFile {
        /// The file as the user named it.
        file: String,
        /// One line: field path or position, value, what is allowed.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A money computation failed (overflow, division by zero).
    #[error("{context}: {source}")]
    Money {
        /// What was being computed.
        context: String,
        /// The arithmetic error.
        source: MoneyError,
    },
    /// The computation cannot proceed with these (valid-looking) inputs, e.g. too few comparables.
    #[error("{0}")]
    Unsupported(String),
    /// A bug or an environment failure (not the user's input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A field error.
    pub fn field(
        path: impl Into<String>,
        value: impl fmt::Display,
        problem: impl Into<String>,
    ) -> Self {
        Error::Field(FieldError::new(path, value, problem))
    }

    /// A money error in a named computation.
    pub fn money(context: impl Into<String>, source: MoneyError) -> Self {
        Error::Money {
            context: context.into(),
            source,
        }
    }

    /// Attaches the file name to a field error (other errors pass through).
    pub fn in_file(self, file: &str) -> Self {
        match self {
            Error::Field(fe) => Error::InFile {
                file: file.to_string(),
                detail: fe.to_string(),
            },
            Error::Money { context, source } => Error::InFile {
                file: file.to_string(),
                detail: format!("{context}: {source}"),
            },
            Error::Unsupported(m) => Error::InFile {
                file: file.to_string(),
                detail: m,
            },
            other => other,
        }
    }

    /// True for errors caused by the user's input (exit code 2).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Internal(_))
    }

    /// The process exit code for this error: 2 for user errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.is_user_error() {
            2
        } else {
            1
        }
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Field(e)
    }
}

/// Result alias of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Extension to turn a `MoneyError` into an [`Error`] with context.
pub trait MoneyContext<T> {
    /// Names the computation that failed.
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> MoneyContext<T> for std::result::Result<T, MoneyError> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(|e| Error::money(context, e))
    }
}

//! The one error type of this crate.
//!
//! A `SourceError` always names the file; it names the 1-based line and the
//! field (column or XML element) whenever the parser knows them, because the
//! person reading it has to find the bad byte in a multi-megabyte download:
//!
//! ```text
//! csl.csv:4228: field "addresses": record truncated: the file ends inside this record (8 of 29 fields present); 4226 whole rows precede it
//! ```

use std::fmt;

/// What went wrong, independent of where.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading the bytes failed.
    Io(std::io::Error),
    /// The file has no bytes at all.
    Empty,
    /// The header or root element is not the one this format has; the file
    /// is most likely a different list (e.g. UN XML given as CSL).
    WrongFormat(String),
    /// The file stops inside a record (a cut-off download). `whole_rows`
    /// is how many complete records precede the damaged one.
    Truncated { whole_rows: u64, detail: String },
    /// A record or value breaks the format's rules.
    Invalid(String),
    /// No parser could be chosen: detection was ambiguous or the kind has no
    /// file format here.
    Unsupported(String),
}

/// An error naming the file, the line (1-based) and the field where known.
#[derive(Debug)]
pub struct SourceError {
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub kind: ErrorKind,
}

impl SourceError {
    pub fn new(file: &str, kind: ErrorKind) -> Self {
        SourceError {
            file: file.to_string(),
            line: None,
            field: None,
            kind,
        }
    }

    pub(crate) fn invalid(file: &str, msg: impl Into<String>) -> Self {
        Self::new(file, ErrorKind::Invalid(msg.into()))
    }

    pub(crate) fn wrong_format(file: &str, msg: impl Into<String>) -> Self {
        Self::new(file, ErrorKind::WrongFormat(msg.into()))
    }

    pub(crate) fn io(file: &str, e: std::io::Error) -> Self {
        Self::new(file, ErrorKind::Io(e))
    }

    pub(crate) fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub(crate) fn in_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// For a truncated file: how many whole records were read before the
    /// damaged one (a caller may choose to import those, knowingly).
    pub fn whole_rows_before(&self) -> Option<u64> {
        match self.kind {
            ErrorKind::Truncated { whole_rows, .. } => Some(whole_rows),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "read error: {e}"),
            ErrorKind::Empty => f.write_str("file is empty"),
            ErrorKind::WrongFormat(m) => f.write_str(m),
            ErrorKind::Truncated { whole_rows, detail } => {
                write!(
                    f,
                    "record truncated: {detail}; {whole_rows} whole rows precede it"
                )
            }
            ErrorKind::Invalid(m) => f.write_str(m),
            ErrorKind::Unsupported(m) => f.write_str(m),
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field \"{field}\"")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_field() {
        let e = SourceError::new(
            "csl.csv",
            ErrorKind::Truncated {
                whole_rows: 4226,
                detail: "x".into(),
            },
        )
        .at_line(4228)
        .in_field("name");
        assert_eq!(
            e.to_string(),
            "csl.csv:4228: field \"name\": record truncated: x; 4226 whole rows precede it"
        );
        assert_eq!(e.whole_rows_before(), Some(4226));
        assert_eq!(
            SourceError::new("a.csv", ErrorKind::Empty).to_string(),
            "a.csv: file is empty"
        );
    }
}

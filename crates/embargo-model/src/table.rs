//! Reading the reference tables that Embargo's crates compile in from
//! their `data/` directories (this crate's `countries.tsv`, the matcher's
//! legal forms, terms and syllable tables).
//!
//! Every table is UTF-8 text: lines starting with `#` are comments (each
//! file opens with one saying where its facts come from), blank lines are
//! skipped, and every other line is one row of exactly `N` tab-separated,
//! non-empty fields without surrounding spaces. The text is `&'static`
//! (from `include_str!`), so rows borrow from it and parsing copies
//! nothing. Callers parse a table once, at first use.

/// A line of a data file that does not fit its table.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct TableError {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// One row: its 1-based line number and its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row<const N: usize> {
    pub line: usize,
    pub fields: [&'static str; N],
}

impl<const N: usize> Row<N> {
    /// An error about this row of `file`.
    pub fn error(&self, file: &str, message: impl Into<String>) -> TableError {
        TableError {
            file: file.to_string(),
            line: self.line,
            message: message.into(),
        }
    }
}

/// The rows of `text`, the contents of `file` (named in errors), each of
/// exactly `N` fields.
pub fn rows<const N: usize>(file: &str, text: &'static str) -> Result<Vec<Row<N>>, TableError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| TableError {
            file: file.to_string(),
            line: i + 1,
            message,
        };
        let parts: Vec<&'static str> = line.split('\t').collect();
        let fields: [&'static str; N] = parts.as_slice().try_into().map_err(|_| {
            err(format!(
                "expected {N} tab-separated fields, found {}",
                parts.len()
            ))
        })?;
        if let Some(k) = fields.iter().position(|f| f.is_empty() || f.trim() != *f) {
            return Err(err(format!(
                "field {} is empty or has surrounding spaces",
                k + 1
            )));
        }
        out.push(Row {
            line: i + 1,
            fields,
        });
    }
    Ok(out)
}

/// The value of a table that parsed, or a panic naming the file and line.
/// For tables compiled into the binary, where an error is a bad edit of
/// the data file that the table's unit test catches.
pub fn expect_parsed<T>(r: Result<T, TableError>) -> T {
    r.unwrap_or_else(|e| panic!("bad reference table: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_bad_rows_named() {
        let r = rows::<2>("t.tsv", "# header\n\na\tb\r\n# more\nc\td\n").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].line, 5);
        assert_eq!(r[1].fields, ["c", "d"]);
        let e = rows::<2>("t.tsv", "# h\na\tb\nc\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.tsv:3: expected 2 tab-separated fields, found 1"
        );
        let e = rows::<2>("t.tsv", "a\t b\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(rows::<1>("t.tsv", "a\t\n").is_err());
    }
}

//! Header-first CSV/TSV reading shared by the CSL, DPL and custom-list
//! parsers, so the three report read errors the same way.
//!
//! [`Delimited`] wraps a `csv::Reader` (no header handling, flexible row
//! lengths: each parser decides what a short row means) together with the
//! [`LineFix`] sniffed from the file's first line ending, so every error and
//! every [`Delimited::line`] names the line as an editor shows it.

use crate::error::{ErrorKind, SourceError};
use crate::text::LineFix;
use std::io::BufRead;

pub(crate) struct Delimited<'f, R> {
    rdr: csv::Reader<R>,
    fix: LineFix,
    file: &'f str,
    /// How errors name the format: "CSV" or "TSV".
    format: &'static str,
}

impl<'f, R: BufRead> Delimited<'f, R> {
    /// Opens `r` (fields separated by `delimiter`) and reads its first row
    /// into `header`. A file without any row is [`ErrorKind::Empty`].
    pub fn open(
        file: &'f str,
        mut r: R,
        delimiter: u8,
        header: &mut csv::ByteRecord,
    ) -> Result<Self, SourceError> {
        let fix = LineFix::sniff(&mut r);
        let rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(r);
        let format = if delimiter == b'\t' { "TSV" } else { "CSV" };
        let mut d = Delimited {
            rdr,
            fix,
            file,
            format,
        };
        if !d.read(header)? {
            return Err(SourceError::new(file, ErrorKind::Empty));
        }
        Ok(d)
    }

    /// Reads the next row into `rec`; `false` at the end of the file.
    pub fn read(&mut self, rec: &mut csv::ByteRecord) -> Result<bool, SourceError> {
        let (fix, file, format) = (self.fix, self.file, self.format);
        self.rdr.read_byte_record(rec).map_err(|e| {
            let line = fix.line(e.position());
            SourceError::invalid(file, format!("{format} error: {e}")).at_line(line)
        })
    }

    /// The 1-based line on which `rec` starts.
    pub fn line(&self, rec: &csv::ByteRecord) -> u64 {
        self.fix.line(rec.position())
    }
}

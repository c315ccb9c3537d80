//! BIS Denied Persons List, tab-separated with a header row:
//!
//! ```text
//! Name  Street_Address  City  State  Country  Postal_Code  Effective_Date  Expiration_Date
//! Standard_Order  Last_Update  Action  FR_Citation
//! ```
//!
//! Fields may or may not be quoted; dates are `m/d/yyyy` (`Last_Update`
//! is ISO in newer files). Rows may stop early (older files omit `Action`
//! and `FR_Citation`), and all-empty rows occur; both are tolerated.
//! Dates are kept as the file states them, including the 2023 file's
//! `Last_Update` of `3033-09-30`.
//!
//! The file has no record ids. An entity id is
//! `us_bis_dpl:<16 hex of SHA-256 over name, street, city, state, country,
//! postal code, effective date>` (trimmed, lower-cased): stable while the
//! order is unchanged, different for the same person's separate orders or
//! addresses (the DPL lists each as its own row). An identical repeated
//! row gets `~2`.
//!
//! DPL rows do not say whether a party is a person or a company, so the
//! schema is `LegalEntity`. `Effective_Date` → `listed_on`,
//! `Expiration_Date` → `properties["endDate"]`, `FR_Citation` →
//! `export_control.federal_register_notices` and a citation.

use crate::caps::Capped;
use crate::delimited::Delimited;
use crate::error::SourceError;
use crate::text::{decode, hash_key, parse_any_date, push_address, split_fr_citations};
use crate::ParsedList;
use embargo_model::{Citation, Entity, EntityId, Schema};
use std::collections::HashSet;
use std::io::BufRead;

const COLUMNS: [&str; 12] = [
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
];

pub(crate) fn parse<R: BufRead>(out: &mut ParsedList, file: &str, r: R) -> Result<(), SourceError> {
    let mut rec = csv::ByteRecord::new();
    let mut rdr = Delimited::open(file, r, b'\t', &mut rec)?;
    let header: Vec<String> = rec.iter().map(|b| decode(b).0.trim().to_string()).collect();
    if header.len() < 8
        || header
            .iter()
            .zip(COLUMNS)
            .any(|(h, c)| !h.eq_ignore_ascii_case(c))
    {
        return Err(SourceError::wrong_format(
            file,
            "header does not look like a BIS Denied Persons List (expected tab-separated Name, Street_Address, City, …)",
        )
        .at_line(1));
    }
    let dataset = out.dataset.clone();
    let mut seen = HashSet::new();
    while rdr.read(&mut rec)? {
        let line = rdr.line(&rec);
        let mut f: Vec<String> = Vec::with_capacity(12);
        for (i, raw) in rec.iter().enumerate() {
            let (s, lossy) = decode(raw);
            if lossy {
                out.warnings.push(format!(
                    "{file}:{line}: field \"{}\": invalid UTF-8, decoded as Windows-1252",
                    COLUMNS.get(i).unwrap_or(&"?")
                ));
            }
            f.push(s.trim().to_string());
        }
        f.resize(12, String::new());
        if f.iter().all(String::is_empty) {
            out.warnings
                .push(format!("{file}:{line}: blank row skipped"));
            continue;
        }
        if f[0].is_empty() {
            return Err(SourceError::invalid(file, "name is empty")
                .at_line(line)
                .in_field("Name"));
        }
        let g = |i: usize| Some(f[i].as_str()).filter(|s| !s.is_empty());
        let base = hash_key(&[&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]]);
        let mut key = base.clone();
        let mut n = 1;
        while !seen.insert(key.clone()) {
            n += 1;
            key = format!("{base}~{n}");
        }
        let mut e = Entity::new(
            EntityId::new(&dataset, &key),
            Schema::LegalEntity,
            &dataset,
            &f[0],
        );
        e.list = Some("Denied Persons List (DPL) - Bureau of Industry and Security".into());
        push_address(&mut e, g(1), g(2), g(3), g(5), g(4));
        for (i, col) in [
            (6, "Effective_Date"),
            (7, "Expiration_Date"),
            (9, "Last_Update"),
        ] {
            let Some(v) = g(i) else { continue };
            match parse_any_date(v) {
                Some(d) => match i {
                    6 => e.listed_on = Some(d),
                    7 => e.add_property_capped("endDate", &d.to_string()),
                    _ => e.add_property_capped("modifiedAt", &d.to_string()),
                },
                None => out
                    .warnings
                    .push(format!("{file}:{line}: field \"{col}\": not a date: {v:?}")),
            }
        }
        if let Some(v) = g(8) {
            e.add_property_capped("standardOrder", v);
        }
        if let Some(v) = g(10) {
            e.add_property_capped("action", v);
        }
        for c in g(11).map(split_fr_citations).unwrap_or_default() {
            e.citations.push(Citation::new(c.as_str()));
            e.export_control.federal_register_notices.push(c);
        }
        out.push_entity(file, e);
    }
    Ok(())
}

//! OFAC legacy CSV sets (SDN and non-SDN consolidated).
//!
//! A set is up to four header-less files, CRLF-terminated, `-0-` for
//! empty fields, ending with a 0x1A byte:
//!
//! | file (SDN / non-SDN) | columns |
//! |---|---|
//! | `sdn.csv` / `cons_prim.csv` | ent_num, name, type, programs, title, call_sign, vessel_type, tonnage, GRT, vessel_flag, vessel_owner, remarks |
//! | `alt.csv` / `cons_alt.csv` | ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks |
//! | `add.csv` / `cons_add.csv` | ent_num, add_num, address, city/state/postal, country, add_remarks |
//! | `sdn_comments.csv` / `cons_comments.csv` | ent_num, remarks continued |
//!
//! The primary file's remarks are cut at a fixed length; the comments file
//! carries the rest, which is appended verbatim (the cut can fall inside a
//! word). Remark facts are parsed by [`finish`] after all files are read,
//! so facts that straddle the cut are seen whole.

use crate::caps::Capped;
use crate::error::{ErrorKind, SourceError};
use crate::text::{decode, non_empty, push_address, LineFix};
use crate::ParsedList;
use embargo_model::{Entity, EntityId, NameKind, NameParts, Schema, SourceKind};
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Which file of a set is being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Primary,
    Aliases,
    Addresses,
    Comments,
}

const PRIMARY_COLUMNS: [&str; 12] = [
    "ent_num",
    "name",
    "type",
    "programs",
    "title",
    "call_sign",
    "vessel_type",
    "tonnage",
    "grt",
    "vessel_flag",
    "vessel_owner",
    "remarks",
];

/// The set a primary file belongs to, primary first; `None` when `path` is
/// not a legacy CSV primary (e.g. the XML format).
pub fn siblings(path: &Path) -> Option<Vec<(Part, PathBuf)>> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".xml") {
        return None;
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let names: [&str; 3] = match name.as_str() {
        "sdn.csv" => ["alt.csv", "add.csv", "sdn_comments.csv"],
        "cons_prim.csv" => ["cons_alt.csv", "cons_add.csv", "cons_comments.csv"],
        _ => return Some(vec![(Part::Primary, path.to_path_buf())]),
    };
    let mut set = vec![(Part::Primary, path.to_path_buf())];
    for (part, f) in [Part::Aliases, Part::Addresses, Part::Comments]
        .into_iter()
        .zip(names)
    {
        let lower = dir.join(f);
        let upper = dir.join(f.to_ascii_uppercase());
        if lower.is_file() {
            set.push((part, lower));
        } else if upper.is_file() {
            set.push((part, upper));
        }
    }
    Some(set)
}

fn csv_reader<R: BufRead>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}

/// Reads the records of one file, skipping the trailing 0x1A byte and blank
/// lines, decoding fields (with a warning for non-UTF-8) and handing each
/// record with its 1-based line to `f`.
fn for_each_record<R: BufRead>(
    out: &mut ParsedList,
    file: &str,
    columns: &[&str],
    mut r: R,
    mut f: impl FnMut(&mut ParsedList, u64, Vec<String>) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let fix = LineFix::sniff(&mut r);
    let mut rdr = csv_reader(r);
    let mut rec = csv::ByteRecord::new();
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            let line = fix.line(e.position());
            SourceError::invalid(file, format!("CSV error: {e}")).at_line(line)
        })?;
        if !more {
            return Ok(());
        }
        let line = fix.line(rec.position());
        if rec.len() == 1 && matches!(rec.get(0), Some(b"\x1a") | Some(b"")) {
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        for (i, raw) in rec.iter().enumerate() {
            let (s, lossy) = decode(raw);
            if lossy {
                let col = columns.get(i).copied().unwrap_or("?");
                out.warnings.push(format!(
                    "{file}:{line}: field \"{col}\": invalid UTF-8, decoded as Windows-1252"
                ));
            }
            fields.push(s.into_owned());
        }
        out.count_row(file);
        f(out, line, fields)?;
    }
}

fn ent_num(file: &str, line: u64, v: &str, first: bool) -> Result<String, SourceError> {
    let t = v.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(t.to_string());
    }
    let msg = format!("ent_num must be a number, found {t:?}");
    Err(if first {
        SourceError::wrong_format(
            file,
            format!("does not look like an OFAC legacy CSV file: {msg}"),
        )
    } else {
        SourceError::invalid(file, msg)
    }
    .at_line(line)
    .in_field("ent_num"))
}

/// "DPRK3] [CYBER2" (outer brackets dropped by OFAC) → ["DPRK3", "CYBER2"].
fn programs(s: &str) -> Vec<String> {
    s.split("] [")
        .map(|p| {
            p.trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
        })
        .filter(|p| !p.is_empty() && *p != "-0-")
        .map(str::to_string)
        .collect()
}

fn schema_for(t: Option<&str>) -> Schema {
    match t.map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("individual") => Schema::Person,
        Some("vessel") => Schema::Vessel,
        Some("aircraft") => Schema::Aircraft,
        _ => Schema::Organization,
    }
}

/// OFAC writes persons `LAST, First`; the parts help matchers reorder.
fn person_parts(name: &str) -> Option<NameParts> {
    let (family, given) = name.split_once(", ")?;
    Some(NameParts {
        given: non_empty(given).map(str::to_string),
        family: non_empty(family).map(str::to_string),
        ..NameParts::default()
    })
}

/// Reads the primary file of a set, appending one entity per row.
pub(crate) fn parse_primary<R: BufRead>(
    out: &mut ParsedList,
    file: &str,
    r: R,
) -> Result<(), SourceError> {
    let dataset = out.dataset.clone();
    let mut first = true;
    for_each_record(out, file, &PRIMARY_COLUMNS, r, |out, line, f| {
        let num = ent_num(file, line, &f[0], first)?;
        first = false;
        if f.len() != 12 {
            return Err(SourceError::invalid(
                file,
                format!("expected 12 fields, found {}", f.len()),
            )
            .at_line(line));
        }
        let name = non_empty(&f[1]).ok_or_else(|| {
            SourceError::invalid(file, "name is empty")
                .at_line(line)
                .in_field("name")
        })?;
        let schema = schema_for(non_empty(&f[2]));
        let mut e = Entity::new(EntityId::new(&dataset, &num), schema, &dataset, name);
        if schema == Schema::Person {
            e.names[0].parts = person_parts(name);
        }
        e.programs = programs(&f[3]);
        if let Some(t) = non_empty(&f[4]) {
            e.titles.push(t.to_string());
        }
        for (i, key) in [
            (5, "callSign"),
            (6, "type"),
            (7, "tonnage"),
            (8, "grossRegisteredTonnage"),
            (9, "flag"),
            (10, "owner"),
        ] {
            if let Some(v) = non_empty(&f[i]) {
                e.add_property_capped(key, v);
            }
        }
        if let Some(rem) = non_empty(&f[11]) {
            e.remarks.push(rem.to_string());
        }
        out.entities.push(e);
        Ok(())
    })
}

/// Reads one file of a set into `out` (primary first, then siblings).
pub(crate) fn parse_part<R: BufRead>(
    out: &mut ParsedList,
    part: Part,
    file: &str,
    mut r: R,
) -> Result<(), SourceError> {
    if part == Part::Primary {
        if r.fill_buf()
            .map_err(|e| SourceError::io(file, e))?
            .is_empty()
        {
            return Err(SourceError::new(file, ErrorKind::Empty));
        }
        return parse_primary(out, file, r);
    }
    let index: HashMap<String, usize> = out
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str().to_string(), i))
        .collect();
    let dataset = out.dataset.clone();
    let columns: &[&str] = match part {
        Part::Aliases => &["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"],
        Part::Addresses => &[
            "ent_num",
            "add_num",
            "address",
            "city",
            "country",
            "add_remarks",
        ],
        _ => &["ent_num", "remarks"],
    };
    let min_fields = match part {
        Part::Aliases => 4,
        Part::Addresses => 5,
        _ => 2,
    };
    let mut first = true;
    for_each_record(out, file, columns, r, |out, line, f| {
        let num = ent_num(file, line, &f[0], first)?;
        first = false;
        if f.len() < min_fields {
            return Err(SourceError::invalid(
                file,
                format!("expected {} fields, found {}", columns.len(), f.len()),
            )
            .at_line(line));
        }
        let Some(&i) = index.get(EntityId::new(&dataset, &num).as_str()) else {
            out.warnings.push(format!(
                "{file}:{line}: ent_num {num} is not in the primary file; row skipped"
            ));
            return Ok(());
        };
        let e = &mut out.entities[i];
        match part {
            Part::Aliases => {
                let kind = match non_empty(&f[2]).map(|s| s.to_ascii_lowercase()).as_deref() {
                    Some("fka") => NameKind::FormerName,
                    _ => NameKind::Alias,
                };
                if let Some(n) = non_empty(&f[3]) {
                    e.add_name_capped(n, kind);
                    if e.schema == Schema::Person {
                        if let Some(last) = e.names.last_mut().filter(|x| x.value == n) {
                            last.parts = person_parts(n);
                        }
                    }
                }
            }
            Part::Addresses => {
                // OFAC's one column holds city, state and postal code.
                let (street, city, ctry) = (non_empty(&f[2]), non_empty(&f[3]), non_empty(&f[4]));
                push_address(e, street, city, None, None, ctry);
            }
            Part::Comments | Part::Primary => {
                let more = f[1].trim_end();
                match e.remarks.first_mut() {
                    Some(r) => r.push_str(more),
                    None => e.remarks.push(more.to_string()),
                }
            }
        }
        Ok(())
    })
}

/// Parses the (complete) remarks of each entity into typed facts.
pub(crate) fn finish(mut entities: Vec<Entity>) -> Vec<Entity> {
    for e in &mut entities {
        if let Some(r) = e.remarks.first().cloned() {
            crate::ofac_remarks::apply(e, &r);
        }
    }
    entities
}

/// Dataset for the primary file name (used by detection).
pub(crate) fn kind_for_name(name: &str) -> Option<SourceKind> {
    match name.to_ascii_lowercase().as_str() {
        "sdn.csv" => Some(SourceKind::OfacSdn),
        "cons_prim.csv" => Some(SourceKind::OfacConsolidated),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_split_on_ofac_brackets() {
        assert_eq!(programs("DPRK3] [CYBER2"), ["DPRK3", "CYBER2"]);
        assert_eq!(programs("[SDGT] [IFSR]"), ["SDGT", "IFSR"]);
        assert_eq!(programs("CUBA"), ["CUBA"]);
        assert!(programs("-0- ").is_empty());
    }

    #[test]
    fn types_map_to_schemas() {
        assert_eq!(schema_for(Some("individual")), Schema::Person);
        assert_eq!(schema_for(Some("vessel")), Schema::Vessel);
        assert_eq!(schema_for(Some("aircraft")), Schema::Aircraft);
        assert_eq!(schema_for(None), Schema::Organization);
    }
}

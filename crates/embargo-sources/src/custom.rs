//! Embargo's CSV format for a user's own lists (internal blocklists,
//! boycott lists), specified in `docs/custom-lists.md`.
//!
//! UTF-8, comma-separated, RFC 4180 quoting, one header row. Columns
//! (any order; only `id`, `schema` and `name` are required; multi-valued
//! columns are `;`-separated):
//!
//! | column | value |
//! |---|---|
//! | `id` | the list's own key, unique in the file |
//! | `schema` | Person, Organization, Company, LegalEntity, Vessel or Aircraft |
//! | `name` | primary name |
//! | `aliases`, `weak_aliases`, `former_names` | further names |
//! | `country`, `nationality`, `citizenship` | ISO 3166-1 alpha-2 codes |
//! | `birth_date` | `YYYY`, `YYYY-MM` or `YYYY-MM-DD` |
//! | `birth_place`, `address`, `title` | free text |
//! | `identifiers` | `Type:Value` (e.g. `Passport:X1234567`) |
//! | `program` | programme or reason tags |
//! | `listed_on` | date the entry took effect |
//! | `remarks`, `source_url` | free text |
//!
//! Validation is strict, because a typo in a blocklist silently weakens
//! screening: an unknown column, unknown schema, bad date, bad country
//! code, bad identifier, empty id/name or repeated id is an error naming
//! line and column. Invalid UTF-8 is an error too (this is our own format).

use crate::caps::Capped;
use crate::delimited::Delimited;
use crate::error::SourceError;
use crate::text::{push_unique, split_list};
use crate::ParsedList;
use embargo_model::{
    Address, Country, DateValue, Entity, EntityId, Identifier, NameKind, PartialDate, Schema,
};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// Every column the format defines.
pub const COLUMNS: &[&str] = &[
    "id",
    "schema",
    "name",
    "aliases",
    "weak_aliases",
    "former_names",
    "country",
    "nationality",
    "citizenship",
    "birth_date",
    "birth_place",
    "address",
    "title",
    "identifiers",
    "program",
    "listed_on",
    "remarks",
    "source_url",
];

fn strict_schema(s: &str) -> Option<Schema> {
    match s.trim() {
        "" => None,
        v => match v.to_ascii_lowercase().as_str() {
            "person" => Some(Schema::Person),
            "organization" | "organisation" => Some(Schema::Organization),
            "company" => Some(Schema::Company),
            "legalentity" => Some(Schema::LegalEntity),
            "vessel" => Some(Schema::Vessel),
            "aircraft" => Some(Schema::Aircraft),
            _ => None,
        },
    }
}

pub(crate) fn parse<R: BufRead>(out: &mut ParsedList, file: &str, r: R) -> Result<(), SourceError> {
    let mut rec = csv::ByteRecord::new();
    let mut rdr = Delimited::open(file, r, b',', &mut rec)?;
    let mut header = vec![];
    for raw in rec.iter() {
        let h = std::str::from_utf8(raw)
            .map_err(|_| SourceError::invalid(file, "header is not valid UTF-8").at_line(1))?
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        if !COLUMNS.contains(&h.as_str()) {
            return Err(SourceError::wrong_format(
                file,
                format!(
                    "unknown column {h:?}; the custom list format has {}",
                    COLUMNS.join(", ")
                ),
            )
            .at_line(1)
            .in_field(&h));
        }
        if header.contains(&h) {
            return Err(SourceError::invalid(file, "column appears twice")
                .at_line(1)
                .in_field(&h));
        }
        header.push(h);
    }
    for req in ["id", "schema", "name"] {
        if !header.iter().any(|h| h == req) {
            return Err(SourceError::wrong_format(
                file,
                format!("required column {req:?} is missing"),
            )
            .at_line(1));
        }
    }
    let dataset = out.dataset.clone();
    let mut seen = HashSet::new();
    while rdr.read(&mut rec)? {
        let line = rdr.line(&rec);
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if rec.len() != header.len() {
            return Err(SourceError::invalid(
                file,
                format!(
                    "record has {} fields, the header has {}",
                    rec.len(),
                    header.len()
                ),
            )
            .at_line(line));
        }
        let mut row: HashMap<&str, String> = HashMap::new();
        for (h, raw) in header.iter().zip(rec.iter()) {
            let v = std::str::from_utf8(raw).map_err(|_| {
                SourceError::invalid(file, "not valid UTF-8")
                    .at_line(line)
                    .in_field(h)
            })?;
            row.insert(h.as_str(), v.trim().to_string());
        }
        let bad =
            |col: &str, msg: String| SourceError::invalid(file, msg).at_line(line).in_field(col);
        let get = |c: &str| row.get(c).map(String::as_str).unwrap_or("");
        let id = get("id");
        if id.is_empty() {
            return Err(bad("id", "id is empty".into()));
        }
        if !seen.insert(id.to_string()) {
            return Err(bad("id", format!("id {id:?} appears more than once")));
        }
        let schema = strict_schema(get("schema")).ok_or_else(|| {
            bad(
                "schema",
                format!(
                    "unknown schema {:?} (expected Person, Organization, Company, LegalEntity, Vessel or Aircraft)",
                    get("schema")
                ),
            )
        })?;
        let name = get("name");
        if name.is_empty() {
            return Err(bad("name", "name is empty".into()));
        }
        let mut e = Entity::new(EntityId::new(&dataset, id), schema, &dataset, name);
        for (col, kind) in [
            ("aliases", NameKind::Alias),
            ("weak_aliases", NameKind::WeakAlias),
            ("former_names", NameKind::FormerName),
        ] {
            split_list(get(col), ';').for_each(|n| e.add_name_capped(n, kind));
        }
        for col in ["country", "nationality", "citizenship"] {
            for v in split_list(get(col), ';') {
                let c = Country::from_code(v).map_err(|_| {
                    bad(
                        col,
                        format!("not an ISO 3166-1 alpha-2 country code: {v:?}"),
                    )
                })?;
                let target = match col {
                    "country" => &mut e.countries,
                    "nationality" => &mut e.nationalities,
                    _ => &mut e.citizenships,
                };
                push_unique(target, c);
            }
        }
        for v in split_list(get("birth_date"), ';') {
            let d = PartialDate::parse_iso(v).map_err(|_| {
                bad(
                    "birth_date",
                    format!("not a date (YYYY, YYYY-MM or YYYY-MM-DD): {v:?}"),
                )
            })?;
            push_unique(&mut e.birth_dates, DateValue::Exact(d));
        }
        split_list(get("birth_place"), ';')
            .for_each(|v| push_unique(&mut e.birth_places, v.to_string()));
        for v in split_list(get("address"), ';') {
            e.addresses.push(Address {
                full: v.to_string(),
                ..Address::default()
            });
        }
        split_list(get("title"), ';').for_each(|v| push_unique(&mut e.titles, v.to_string()));
        for v in split_list(get("identifiers"), ';') {
            let (kind, value) = v
                .split_once(':')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .ok_or_else(|| bad("identifiers", format!("expected Type:Value, found {v:?}")))?;
            e.identifiers.push(Identifier {
                kind: kind.to_string(),
                value: value.to_string(),
                country: None,
                note: None,
            });
        }
        split_list(get("program"), ';').for_each(|v| push_unique(&mut e.programs, v.to_string()));
        if !get("listed_on").is_empty() {
            e.listed_on = Some(PartialDate::parse_iso(get("listed_on")).map_err(|_| {
                bad(
                    "listed_on",
                    format!(
                        "not a date (YYYY, YYYY-MM or YYYY-MM-DD): {:?}",
                        get("listed_on")
                    ),
                )
            })?);
        }
        if !get("remarks").is_empty() {
            e.remarks.push(get("remarks").to_string());
        }
        if !get("source_url").is_empty() {
            e.source_url = Some(get("source_url").to_string());
        }
        out.push_entity(file, e);
    }
    Ok(())
}

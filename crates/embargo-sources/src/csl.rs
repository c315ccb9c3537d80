//! trade.gov Consolidated Screening List (CSL) CSV: 13 US lists in one
//! file, one row per listed party per list.
//!
//! Columns are found by header name, so column order does not matter; the
//! header must contain at least `_id`, `source` and `name`. Both layouts
//! in circulation share the header but differ in the `ids` column:
//!
//! | layout | `ids` element | example |
//! |---|---|---|
//! | 2022 | `[country, ][expiry, issue, ]number, type` | `CA, BC166787, Passport`, `Male, Gender` |
//! | 2025 | `type, number[, country]` | `Passport, 836238033, KP`, `Gender, Male` |
//!
//! The layout is decided per element by which end holds a known type label
//! (see [`ofac_remarks`](crate::ofac_remarks) for the labels).
//!
//! **Entity ids.** `us_trade_csl:<_id>`. Treasury rows use the OFAC entity
//! number as `_id`, and one OFAC entity can be on several Treasury lists
//! (SDN and SSI and CAPTA …), each a separate row with the same `_id`. So
//! that ids stay unique *and* stable across versions, rows from a Treasury
//! list other than the SDN list get the list code appended:
//! `us_trade_csl:18741-SSI`. Rows without `_id` get
//! `<list code>-<entity_number>` or, lacking that, a hash of list, name and
//! addresses (`h<16 hex>`); a repeated key in one file gets `~2`, `~3`.
//!
//! Sub-list: `source` → `Entity::list`. Export-control columns
//! (`license_requirement`, `license_policy`, `federal_register_notice`,
//! Supplement 4 footnote markers such as the `3` in `§§734.9(g),3`) →
//! `Entity::export_control`; `start_date` → `listed_on`; `end_date` →
//! `properties["endDate"]` (it is an order's expiry, not a removal).

use crate::caps::Capped;
use crate::delimited::Delimited;
use crate::error::{ErrorKind, SourceError};
use crate::text::{
    country, decode, hash_key, linked_to, parse_ofac_date_value, push_unique, split_fr_citations,
    split_list,
};
use crate::ParsedList;
use embargo_model::{
    Address, Citation, Entity, EntityId, Gender, Identifier, NameKind, PartialDate, Schema,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// Column positions looked up from the header.
struct Cols {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Cols {
    fn get<'a>(&self, row: &'a [Cow<'_, str>], name: &str) -> Option<&'a str> {
        let v = row.get(*self.index.get(name)?)?.trim();
        (!v.is_empty()).then_some(v)
    }
}

/// Short list code from the `source` text: "Entity List (EL) - Bureau…" → "EL".
fn list_code(source: &str) -> Option<&str> {
    let open = source.find('(')?;
    let close = open + source[open..].find(')')?;
    let code = source[open + 1..close].trim();
    (!code.is_empty()).then_some(code)
}

const TREASURY_NON_SDN: &str = "Treasury Department";

fn base_key(cols: &Cols, row: &[Cow<'_, str>]) -> String {
    let source = cols.get(row, "source").unwrap_or("");
    let code = list_code(source).unwrap_or("CSL");
    match cols.get(row, "_id") {
        Some(id) => {
            let treasury = source.ends_with(TREASURY_NON_SDN);
            if treasury && code != "SDN" {
                format!("{id}-{code}")
            } else {
                id.to_string()
            }
        }
        None => match cols.get(row, "entity_number") {
            Some(n) => format!("{code}-{n}"),
            None => format!(
                "h{}",
                hash_key(&[
                    source,
                    cols.get(row, "name").unwrap_or(""),
                    cols.get(row, "addresses").unwrap_or("")
                ])
            ),
        },
    }
}

/// Supplement 4 footnote digits written right after a §734.9 citation,
/// e.g. `§§ 734.9(g),3 746.8` → "3", `734.9(e)(1)1` → "1".
fn footnotes(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("734.9(") {
        let mut tail = &rest[i + 6..];
        // Skip the paragraph designators: "(g)", "(e)(1)".
        while let Some(close) = tail.find(')') {
            tail = &tail[close + 1..];
            if !tail.starts_with('(') {
                break;
            }
            tail = &tail[1..];
        }
        let t = tail.strip_prefix(',').unwrap_or(tail);
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let after = t[digits.len()..].chars().next();
        if !digits.is_empty() && digits.len() <= 2 && after.is_none_or(|c| !c.is_alphanumeric()) {
            push_unique(&mut out, digits);
        }
        rest = &rest[i + 6..];
    }
    out
}

/// Known type labels of the `ids` column (beyond identifier labels).
fn is_label(s: &str) -> bool {
    s.ends_with(':')
        || s.ends_with(" -")
        || matches!(
            s,
            "Gender"
                | "Website"
                | "Email Address"
                | "Phone Number"
                | "Target Type"
                | "Organization Established Date"
                | "Passport"
                | "National ID No."
                | "Tax ID No."
                | "Registration Number"
                | "Registration ID"
                | "SWIFT/BIC"
                | "Vessel Registration Identification"
                | "Cedula No."
                | "Identification Number"
                | "Equity Ticker"
                | "ISIN"
                | "Issuer Name"
                | "Aircraft Model"
                | "Aircraft Operator"
                | "Aircraft Manufacture Date"
                | "Former Vessel Flag"
                | "MMSI"
        )
        || s.starts_with("Digital Currency Address")
        || s.ends_with(" No.")
        || s.ends_with(" Number")
        || s.ends_with(" #")
        || s.contains("(CMIC)")
        || s.contains("(USCC)")
}

fn is_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// One `ids` element → (type, value, country, note), either layout.
fn id_element(part: &str) -> Option<(String, String, Option<&str>, Vec<String>)> {
    let bits: Vec<&str> = part.split(", ").map(str::trim).collect();
    if bits.len() < 2 {
        return None;
    }
    let (first, last) = (bits[0], bits[bits.len() - 1]);
    if is_label(last) && !is_label(first) {
        // 2022: [country, ][dates…, ]value, type
        let value = bits[bits.len() - 2];
        let mut ctry = None;
        let mut note = vec![];
        for b in &bits[..bits.len() - 2] {
            if is_code(b) && ctry.is_none() {
                ctry = Some(*b);
            } else {
                note.push(b.to_string());
            }
        }
        Some((last.to_string(), value.to_string(), ctry, note))
    } else {
        // 2025: type, value[, country][, more]
        let mut ctry = None;
        let mut note = vec![];
        for b in &bits[2..] {
            if is_code(b) && ctry.is_none() {
                ctry = Some(*b);
            } else {
                note.push(b.to_string());
            }
        }
        Some((first.to_string(), bits[1].to_string(), ctry, note))
    }
}

fn apply_ids(e: &mut Entity, ids: &str) {
    for part in split_list(ids, ';') {
        let Some((kind, value, ctry, note)) = id_element(part) else {
            e.add_property_capped("ids", part);
            continue;
        };
        let kind = kind.trim_end_matches([':', '-', ' ']).to_string();
        match kind.as_str() {
            "Gender" => {
                e.gender = match value.to_ascii_lowercase().as_str() {
                    "male" => Some(Gender::Male),
                    "female" => Some(Gender::Female),
                    _ => e.gender,
                }
            }
            "Website" => e.add_property_capped("website", &value),
            "Email Address" => e.add_property_capped("email", &value),
            "Phone Number" => e.add_property_capped("phone", &value),
            "Issuer Name" => e.add_property_capped("issuerName", &value),
            "Equity Ticker" => e.add_property_capped("ticker", &value),
            k if k.contains("(CMIC)")
                || k.contains("Listing Date")
                || k.contains("Effective Date")
                || k.starts_with("Secondary sanctions")
                || k.starts_with("Additional Sanctions")
                || k.starts_with("Transactions Prohibited")
                || k.starts_with("Executive Order")
                || k.starts_with("Target Type")
                || k.starts_with("Organization") =>
            {
                // Facts rather than identifiers: run them through the
                // remarks reader, which knows the CMIC dates.
                crate::ofac_remarks::apply(e, &format!("{kind} {value}"));
                e.add_property_capped("ids", part);
            }
            _ => {
                let kind =
                    if kind == "Vessel Registration Identification" && value.starts_with("IMO ") {
                        "IMO".to_string()
                    } else {
                        kind
                    };
                let value = value.strip_prefix("IMO ").unwrap_or(&value).to_string();
                if e.identifiers.len() <= crate::caps::MAX_VALUES_PER_FIELD
                    && !e
                        .identifiers
                        .iter()
                        .any(|x| x.kind == kind && x.value == value)
                {
                    e.identifiers.push(Identifier {
                        kind,
                        value,
                        country: ctry.and_then(country),
                        note: (!note.is_empty()).then(|| note.join(", ")),
                    });
                }
            }
        }
    }
}

/// "street, city, postal, CN" → Address with the trailing code as country.
fn address(s: &str) -> Address {
    let last = s.rsplit(',').next().unwrap_or("").trim();
    Address {
        full: s.trim().to_string(),
        // Mostly a trailing ISO code; some Entity List rows end in a name
        // ("…, Shenzhen, China").
        country: country(last),
        ..Address::default()
    }
}

fn schema_for(t: Option<&str>) -> Schema {
    match t.map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("individual") => Schema::Person,
        Some("entity") => Schema::Organization,
        Some("vessel") => Schema::Vessel,
        Some("aircraft") => Schema::Aircraft,
        _ => Schema::LegalEntity,
    }
}

fn build(
    cols: &Cols,
    row: &[Cow<'_, str>],
    id: EntityId,
    dataset: &str,
    name: &str,
    warn: &mut impl FnMut(&str, String),
) -> Entity {
    let g = |n: &str| cols.get(row, n);
    let mut e = Entity::new(id, schema_for(g("type")), dataset, name);
    e.list = g("source").map(str::to_string);
    if let Some(v) = g("alt_names") {
        split_list(v, ';').for_each(|a| e.add_name_capped(a, NameKind::Alias));
    }
    if let Some(v) = g("programs") {
        split_list(v, ';').for_each(|p| push_unique(&mut e.programs, p.to_string()));
    }
    if let Some(v) = g("title") {
        e.titles.push(v.to_string());
    }
    if let Some(v) = g("addresses") {
        for a in split_list(v, ';') {
            let a = address(a);
            if let Some(c) = a.country {
                push_unique(&mut e.countries, c);
            }
            e.addresses.push(a);
        }
    }
    for (col, target) in [("citizenships", 0), ("nationalities", 1)] {
        for v in split_list(g(col).unwrap_or(""), ';') {
            match (country(v), target) {
                (Some(c), 0) => push_unique(&mut e.citizenships, c),
                (Some(c), _) => push_unique(&mut e.nationalities, c),
                (None, _) => e.add_property_capped(col, v),
            }
        }
    }
    for v in split_list(g("dates_of_birth").unwrap_or(""), ';') {
        match parse_ofac_date_value(v) {
            Some(d) => push_unique(&mut e.birth_dates, d),
            None => warn("dates_of_birth", format!("not a date: {v:?}")),
        }
    }
    for v in split_list(g("places_of_birth").unwrap_or(""), ';') {
        push_unique(&mut e.birth_places, v.to_string());
    }
    if let Some(v) = g("federal_register_notice") {
        for n in split_list(v, ';').flat_map(split_fr_citations) {
            e.citations.push(Citation::new(n.as_str()));
            e.export_control.federal_register_notices.push(n);
        }
    }
    e.export_control.license_requirement = g("license_requirement").map(str::to_string);
    e.export_control.license_policy = g("license_policy").map(str::to_string);
    if let Some(v) = g("license_requirement") {
        e.export_control.footnotes = footnotes(v);
    }
    if let Some(v) = g("start_date") {
        match PartialDate::parse_iso(v) {
            Ok(d) => e.listed_on = Some(d),
            Err(_) => warn("start_date", format!("not a date: {v:?}")),
        }
    }
    for (col, key) in [
        ("end_date", "endDate"),
        ("standard_order", "standardOrder"),
        ("entity_number", "entityNumber"),
        ("call_sign", "callSign"),
        ("vessel_type", "type"),
        ("gross_tonnage", "tonnage"),
        ("gross_registered_tonnage", "grossRegisteredTonnage"),
        ("vessel_flag", "flag"),
        ("vessel_owner", "owner"),
        ("source_information_url", "sourceInformationUrl"),
    ] {
        if let Some(v) = g(col) {
            e.add_property_capped(key, v);
        }
    }
    e.source_url = g("source_list_url").map(str::to_string);
    if let Some(v) = g("remarks") {
        e.remarks.push(v.to_string());
        // "(Linked To: X)" as the CSL writes OFAC links.
        let mut rest = v;
        while let Some(i) = rest.find("Linked To: ") {
            let t = &rest[i + 11..];
            let end = t.find([')', ';']).unwrap_or(t.len());
            let target = t[..end].trim().trim_end_matches('.');
            if !target.is_empty() {
                e.links.push(linked_to(target));
            }
            rest = &t[end..];
        }
    }
    if let Some(v) = g("ids") {
        apply_ids(&mut e, v);
    }
    e
}

pub(crate) fn parse<R: BufRead>(out: &mut ParsedList, file: &str, r: R) -> Result<(), SourceError> {
    let mut rec = csv::ByteRecord::new();
    let mut rdr = Delimited::open(file, r, b',', &mut rec)?;
    let names: Vec<String> = rec
        .iter()
        .map(|b| {
            decode(b)
                .0
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let index: HashMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    if !["_id", "source", "name"]
        .iter()
        .all(|c| index.contains_key(*c))
    {
        return Err(SourceError::wrong_format(
            file,
            "header does not look like a CSL file (expected columns _id, source, name, …)",
        )
        .at_line(1));
    }
    let cols = Cols { names, index };
    let dataset = out.dataset.clone();
    let mut seen: HashSet<String> = HashSet::new();
    let mut whole: u64 = 0;
    let mut next = csv::ByteRecord::new();
    let mut have = rdr.read(&mut rec)?;
    while have {
        let line = rdr.line(&rec);
        let have_next = rdr.read(&mut next)?;
        if rec.len() == 1
            && rec
                .get(0)
                .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            // A blank line.
        } else if rec.iter().zip(&cols.names).all(|(a, b)| a == b.as_bytes()) {
            // A repeated header (the damaged 2023-11 download has one).
            out.warnings
                .push(format!("{file}:{line}: repeated header row skipped"));
        } else if rec.len() < cols.names.len() {
            let field = cols
                .names
                .get(rec.len().saturating_sub(1))
                .map(String::as_str)
                .unwrap_or("?");
            let err = if !have_next {
                SourceError::new(
                    file,
                    ErrorKind::Truncated {
                        whole_rows: whole,
                        detail: format!(
                            "the file ends inside this record ({} of {} fields present)",
                            rec.len(),
                            cols.names.len()
                        ),
                    },
                )
            } else {
                SourceError::invalid(
                    file,
                    format!(
                        "record has {} fields, the header has {}",
                        rec.len(),
                        cols.names.len()
                    ),
                )
            };
            return Err(err.at_line(line).in_field(field));
        } else {
            let mut row = Vec::with_capacity(rec.len());
            for (i, raw) in rec.iter().enumerate() {
                let (s, lossy) = decode(raw);
                if lossy {
                    out.warnings.push(format!(
                        "{file}:{line}: field \"{}\": invalid UTF-8, decoded as Windows-1252",
                        cols.names.get(i).map(String::as_str).unwrap_or("?")
                    ));
                }
                row.push(s);
            }
            let Some(name) = cols.get(&row, "name") else {
                return Err(SourceError::invalid(file, "name is empty")
                    .at_line(line)
                    .in_field("name"));
            };
            let base = base_key(&cols, &row);
            let mut key = base.clone();
            let mut n = 1;
            while !seen.insert(key.clone()) {
                n += 1;
                key = format!("{base}~{n}");
            }
            let mut warnings = vec![];
            let e = build(
                &cols,
                &row,
                EntityId::new(&dataset, &key),
                &dataset,
                name,
                &mut |field: &str, msg: String| {
                    warnings.push(format!("{file}:{line}: field \"{field}\": {msg}"))
                },
            );
            out.warnings.extend(warnings);
            out.push_entity(file, e);
            whole += 1;
        }
        std::mem::swap(&mut rec, &mut next);
        have = have_next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footnote_markers_follow_734_9_citations() {
        assert_eq!(
            footnotes("(See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR)"),
            ["3"]
        );
        assert_eq!(footnotes("see §734.9(e)(1)1 and"), ["1"]);
        assert!(footnotes("For all items subject to the EAR. (See §744.11)").is_empty());
    }

    #[test]
    fn ids_in_both_layouts() {
        assert_eq!(
            id_element("CA, BC166787, Passport").unwrap(),
            ("Passport".into(), "BC166787".into(), Some("CA"), vec![])
        );
        assert_eq!(
            id_element("Passport, 836238033, KP").unwrap(),
            ("Passport".into(), "836238033".into(), Some("KP"), vec![])
        );
        assert_eq!(
            id_element("Male, Gender").unwrap(),
            ("Gender".into(), "Male".into(), None, vec![])
        );
        assert_eq!(
            id_element("Gender, Male").unwrap(),
            ("Gender".into(), "Male".into(), None, vec![])
        );
        let (_, v, c, note) = id_element("JO, 2014-08-30, 2009-08-31, K475336, Passport").unwrap();
        assert_eq!((v.as_str(), c), ("K475336", Some("JO")));
        assert_eq!(note, ["2014-08-30", "2009-08-31"]);
    }

    #[test]
    fn list_codes() {
        assert_eq!(
            list_code("Entity List (EL) - Bureau of Industry and Security"),
            Some("EL")
        );
        assert_eq!(list_code("no code"), None);
    }
}

//! FollowTheMoney (FtM) entity JSON lines, and OpenSanctions delta files.
//!
//! A full export has one entity per line:
//! `{"id":…, "schema":"Person", "caption":…, "properties":{"name":[…], …},
//! "datasets":[…], "first_seen":…}`. A delta file has one operation per
//! line: `{"op":"ADD"|"MOD"|"DEL", "entity":{…}}` (`DEL` carries only the
//! id). Both may be mixed in one file; each line is read on its own.
//!
//! **Screenable vs auxiliary schemata.** Person, Organization, Company,
//! LegalEntity, PublicBody, Vessel and Airplane become entities. FtM's
//! auxiliary schemata (Address, Sanction, Ownership, Directorship, Family,
//! Passport, Identification, UnknownLink, …) describe those entities, so
//! they are folded into the entity they reference instead of becoming
//! entities of their own: an Address into `addresses`, a Sanction into
//! `programs`/`listed_on`/`citations`, Ownership and other relations into
//! `links`, a Passport into `identifiers`. An auxiliary whose target is not
//! in the same file cannot be folded; it is counted in a warning. The raw
//! line counts are in `ParsedList::rows` (`<file>` → lines,
//! `<file>:ADD` / `:MOD` / `:DEL` → operations).
//!
//! The newest `last_seen` stamp in the file becomes
//! `ParsedList::published`: OpenSanctions stamps every entity with the run
//! that last saw it, so that is when the export was made.
//!
//! Entity ids are `ftm:<FtM id>` (the dataset of the `ParsedList`).

use crate::caps::Capped;
use crate::error::SourceError;
use crate::text::{link, push_unique};
use crate::ParsedList;
use embargo_model::{
    Address, Citation, Country, Entity, EntityId, Gender, Identifier, LinkKind, NameKind,
    PartialDate, Schema,
};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::BufRead;

/// One change from an OpenSanctions delta file.
// Unboxed on purpose: callers match on `Upsert(entity)` directly, and a
// delta is a Vec of mostly upserts, so boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum DeltaOp {
    /// `ADD` or `MOD`: store this entity, replacing any previous version.
    Upsert(Entity),
    /// `DEL`: remove the entity with this id.
    Delete(EntityId),
}

/// The operations of a parsed delta file: deletions first, then upserts,
/// so an entity deleted and re-added in the same file survives.
pub fn delta_ops(list: ParsedList) -> Vec<DeltaOp> {
    list.deletions
        .into_iter()
        .map(DeltaOp::Delete)
        .chain(list.entities.into_iter().map(DeltaOp::Upsert))
        .collect()
}

fn schema_of(s: &str) -> Option<Schema> {
    Some(match s {
        "Person" => Schema::Person,
        "Organization" | "PublicBody" => Schema::Organization,
        "Company" => Schema::Company,
        "LegalEntity" => Schema::LegalEntity,
        "Vessel" => Schema::Vessel,
        "Airplane" => Schema::Aircraft,
        _ => return None,
    })
}

type Props = Map<String, Value>;

fn strings<'a>(p: &'a Props, key: &str) -> impl Iterator<Item = &'a str> {
    p.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn first<'a>(p: &'a Props, key: &str) -> Option<&'a str> {
    strings(p, key).next()
}

/// FtM property names whose values are identifiers: the one list in
/// `embargo_model::ftm`.
use embargo_model::ftm::ID_PROPS;

/// Properties consumed into typed fields (not copied to `properties`).
const TYPED_PROPS: &[&str] = &[
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "birthDate",
    "birthPlace",
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "address",
    "gender",
    "title",
    "program",
    "sourceUrl",
    "notes",
    "description",
    "summary",
    "createdAt",
];

/// FtM writes lower-case ISO codes, plus subdivisions (`gb-nir`: the
/// country is the prefix) and historic codes (`suhh`: kept as text).
fn country_code(s: &str) -> Option<Country> {
    let code = match s.split_once('-') {
        Some((c, _)) if c.len() == 2 => c,
        _ => s,
    };
    Country::from_code(code).ok()
}

fn thing(dataset: &str, id: &str, schema: Schema, obj: &Map<String, Value>) -> Entity {
    let empty = Props::new();
    let p = obj
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let caption = obj.get("caption").and_then(Value::as_str).map(str::trim);
    let primary = caption
        .filter(|c| !c.is_empty())
        .or_else(|| first(p, "name"))
        .unwrap_or(id);
    let mut e = Entity::new(EntityId::new(dataset, id), schema, dataset, primary);
    for (key, kind) in [
        ("name", NameKind::Alias),
        ("alias", NameKind::Alias),
        ("weakAlias", NameKind::WeakAlias),
        ("previousName", NameKind::FormerName),
    ] {
        strings(p, key).for_each(|n| e.add_name_capped(n, kind));
    }
    for v in strings(p, "birthDate") {
        if let Ok(d) = PartialDate::parse_iso(v) {
            push_unique(&mut e.birth_dates, embargo_model::DateValue::Exact(d));
        } else {
            e.add_property_capped("birthDate", v);
        }
    }
    strings(p, "birthPlace").for_each(|v| push_unique(&mut e.birth_places, v.to_string()));
    for (key, which) in [
        ("nationality", 0),
        ("citizenship", 1),
        ("country", 2),
        ("jurisdiction", 2),
    ] {
        for v in strings(p, key) {
            match (country_code(v), which) {
                (Some(c), 0) => push_unique(&mut e.nationalities, c),
                (Some(c), 1) => push_unique(&mut e.citizenships, c),
                (Some(c), _) => push_unique(&mut e.countries, c),
                // FtM also has codes outside ISO 3166 ("suhh", "zz").
                (None, _) => e.add_property_capped(key, v),
            }
        }
    }
    for v in strings(p, "address") {
        e.addresses.push(Address {
            full: v.to_string(),
            ..Address::default()
        });
    }
    e.gender = match first(p, "gender") {
        Some("male") => Some(Gender::Male),
        Some("female") => Some(Gender::Female),
        _ => None,
    };
    strings(p, "title").for_each(|v| push_unique(&mut e.titles, v.to_string()));
    strings(p, "program").for_each(|v| push_unique(&mut e.programs, v.to_string()));
    let mut urls = strings(p, "sourceUrl");
    e.source_url = urls.next().map(str::to_string);
    urls.for_each(|u| e.add_property_capped("sourceUrl", u));
    for key in ["notes", "description", "summary"] {
        strings(p, key).for_each(|v| e.remarks.push(v.to_string()));
    }
    let created = first(p, "createdAt").or_else(|| obj.get("first_seen").and_then(Value::as_str));
    e.listed_on = created.and_then(|d| PartialDate::parse_iso(d).ok());
    for key in ID_PROPS {
        for v in strings(p, key) {
            e.identifiers.push(Identifier {
                kind: key.to_string(),
                value: v.to_string(),
                country: None,
                note: None,
            });
        }
    }
    for (k, vals) in p {
        if TYPED_PROPS.contains(&k.as_str()) || ID_PROPS.contains(&k.as_str()) {
            continue;
        }
        for v in vals
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            e.add_property_capped(k, v);
        }
    }
    for key in ["datasets"] {
        for v in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(s) = v.as_str() {
                e.add_property_capped(key, s);
            }
        }
    }
    e
}

/// An auxiliary entity waiting to be folded into the things it references.
struct Aux {
    schema: String,
    id: String,
    props: Props,
}

/// Folds one auxiliary into `things`; returns false if nothing it refers to
/// is present.
fn fold(
    dataset: &str,
    aux: &Aux,
    things: &mut [Entity],
    index: &HashMap<String, usize>,
    addr_holders: &HashMap<String, Vec<usize>>,
) -> bool {
    let p = &aux.props;
    let caption = |things: &[Entity], id: &str| -> String {
        index
            .get(id)
            .map(|&i| things[i].caption().to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let at = |key: &str| first(p, key).and_then(|id| index.get(id).copied());
    match aux.schema.as_str() {
        "Address" => {
            let holders: Vec<usize> = addr_holders
                .get(aux.id.as_str())
                .cloned()
                .unwrap_or_default();
            let c = first(p, "country").and_then(country_code);
            let full = first(p, "full").map(str::to_string).unwrap_or_else(|| {
                ["street", "city", "postalCode", "region"]
                    .iter()
                    .filter_map(|k| first(p, k))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            for &i in &holders {
                if let Some(c) = c {
                    push_unique(&mut things[i].countries, c);
                }
                things[i].addresses.push(Address {
                    full: full.clone(),
                    street: first(p, "street").map(str::to_string),
                    city: first(p, "city").map(str::to_string),
                    region: first(p, "region").map(str::to_string),
                    postal_code: first(p, "postalCode").map(str::to_string),
                    country: c,
                });
            }
            !holders.is_empty()
        }
        "Sanction" => {
            let Some(i) = at("entity") else { return false };
            let e = &mut things[i];
            for key in ["programId", "program"] {
                strings(p, key).for_each(|v| push_unique(&mut e.programs, v.to_string()));
            }
            let start = first(p, "listingDate").or(first(p, "startDate"));
            if let Some(d) = start.and_then(|d| PartialDate::parse_iso(d).ok()) {
                if e.listed_on.is_none_or(|x| d < x) {
                    e.listed_on = Some(d);
                }
            }
            if let Some(v) = first(p, "endDate") {
                e.add_property_capped("endDate", v);
            }
            for a in strings(p, "authority") {
                let mut c = Citation::new(a);
                c.url = first(p, "sourceUrl").map(str::to_string);
                if !e.citations.contains(&c) {
                    e.citations.push(c);
                }
            }
            true
        }
        "Ownership" => {
            let (owner, asset) = (first(p, "owner"), first(p, "asset"));
            let pct = first(p, "percentage").and_then(|v| v.trim_end_matches('%').parse().ok());
            let mut any = false;
            if let (Some(o), Some(a)) = (owner, asset) {
                if let Some(&i) = index.get(a) {
                    let name = caption(things, o);
                    let mut l = link(
                        LinkKind::OwnedBy,
                        &name,
                        Some(EntityId::new(dataset, o)),
                        None,
                    );
                    l.percent = pct;
                    things[i].links.push(l);
                    any = true;
                }
                if let Some(&i) = index.get(o) {
                    let name = caption(things, a);
                    let mut l = link(LinkKind::Owns, &name, Some(EntityId::new(dataset, a)), None);
                    l.percent = pct;
                    things[i].links.push(l);
                    any = true;
                }
            }
            any
        }
        "Passport" | "Identification" => {
            let Some(i) = at("holder") else { return false };
            if let Some(n) = first(p, "number").or(first(p, "passportNumber")) {
                things[i].identifiers.push(Identifier {
                    kind: first(p, "type").unwrap_or(&aux.schema).to_string(),
                    value: n.to_string(),
                    country: first(p, "country").and_then(country_code),
                    note: None,
                });
            }
            true
        }
        s => {
            // Relations between two things: Family, Directorship,
            // Employment, Membership, Associate, UnknownLink, …
            let pairs = [
                ("person", "relative"),
                ("director", "organization"),
                ("employee", "employer"),
                ("member", "organization"),
                ("person", "associate"),
                ("subject", "object"),
            ];
            let role = first(p, "relationship").or(first(p, "role")).unwrap_or(s);
            let mut any = false;
            for (a, b) in pairs {
                if let (Some(x), Some(y)) = (first(p, a), first(p, b)) {
                    for (from, to) in [(x, y), (y, x)] {
                        if let Some(&i) = index.get(from) {
                            let name = caption(things, to);
                            things[i].links.push(link(
                                LinkKind::Associate,
                                &name,
                                Some(EntityId::new(dataset, to)),
                                Some(role),
                            ));
                            any = true;
                        }
                    }
                    break;
                }
            }
            any
        }
    }
}

pub(crate) fn parse<R: BufRead>(
    out: &mut ParsedList,
    file: &str,
    mut r: R,
) -> Result<(), SourceError> {
    let dataset = out.dataset.clone();
    let mut things: Vec<Entity> = vec![];
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut aux: Vec<Aux> = vec![];
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    let mut saw_json = false;
    loop {
        buf.clear();
        let n = r
            .read_until(b'\n', &mut buf)
            .map_err(|e| SourceError::io(file, e).at_line(line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: Value = serde_json::from_slice(&buf).map_err(|e| {
            let msg = if !saw_json {
                format!("does not look like FollowTheMoney JSON lines: {e}")
            } else {
                format!("invalid JSON: {e}")
            };
            let err = if saw_json {
                SourceError::invalid(file, msg)
            } else {
                SourceError::wrong_format(file, msg)
            };
            err.at_line(line_no)
        })?;
        saw_json = true;
        out.count_row(file);
        let obj = v.as_object().ok_or_else(|| {
            SourceError::invalid(file, "line is not a JSON object").at_line(line_no)
        })?;
        let (op, ent) = match obj.get("op").and_then(Value::as_str) {
            Some(op) => {
                let ent = obj
                    .get("entity")
                    .and_then(Value::as_object)
                    .ok_or_else(|| {
                        SourceError::invalid(file, "delta operation without an entity object")
                            .at_line(line_no)
                            .in_field("entity")
                    })?;
                (Some(op), ent)
            }
            None => (None, obj),
        };
        if let Some(op) = op {
            out.count_row(&format!("{file}:{op}"));
        }
        // OpenSanctions stamps every entity with the run that last saw it;
        // the newest stamp is when the export was made.
        if let Some(seen) = ent
            .get("last_seen")
            .and_then(Value::as_str)
            .and_then(|d| PartialDate::parse_iso(d).ok())
            .and_then(|d| matches!(d, PartialDate::Day(_)).then(|| d.first_day()))
        {
            if out.published.is_none_or(|p| seen > p) {
                out.published = Some(seen);
            }
        }
        let id = ent
            .get("id")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                SourceError::invalid(file, "entity has no id")
                    .at_line(line_no)
                    .in_field("id")
            })?;
        match op {
            Some("DEL") => {
                out.deletions.push(EntityId::new(&dataset, id));
                continue;
            }
            Some("ADD") | Some("MOD") | None => {}
            Some(other) => {
                return Err(SourceError::invalid(
                    file,
                    format!("unknown delta operation {other:?} (expected ADD, MOD or DEL)"),
                )
                .at_line(line_no)
                .in_field("op"))
            }
        }
        let schema_name = ent.get("schema").and_then(Value::as_str).ok_or_else(|| {
            SourceError::invalid(file, "entity has no schema")
                .at_line(line_no)
                .in_field("schema")
        })?;
        match schema_of(schema_name) {
            Some(schema) => {
                let e = thing(&dataset, id, schema, ent);
                index.insert(id.to_string(), things.len());
                things.push(e);
            }
            None => aux.push(Aux {
                schema: schema_name.to_string(),
                id: id.to_string(),
                props: ent
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            }),
        }
    }
    if !saw_json {
        return Err(SourceError::new(file, crate::ErrorKind::Empty));
    }
    // Which things point at each Address entity (built once: a full export
    // has millions of entities, so no per-address scan).
    let mut addr_holders: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in things.iter().enumerate() {
        for a in e.properties.get("addressEntity").into_iter().flatten() {
            addr_holders.entry(a.clone()).or_default().push(i);
        }
    }
    let mut unfolded: HashMap<&str, u64> = HashMap::new();
    for a in &aux {
        if !fold(&dataset, a, &mut things, &index, &addr_holders) {
            *unfolded.entry(a.schema.as_str()).or_default() += 1;
        }
    }
    let folded = aux.len() as u64 - unfolded.values().sum::<u64>();
    if folded > 0 {
        out.warnings.push(format!(
            "{file}: {folded} auxiliary FtM entities folded into the entities they describe"
        ));
    }
    let mut un: Vec<_> = unfolded.into_iter().collect();
    un.sort();
    for (schema, n) in un {
        out.warnings.push(format!(
            "{file}: {n} {schema} entities reference no entity in this file and were skipped"
        ));
    }
    out.entities.extend(things);
    Ok(())
}

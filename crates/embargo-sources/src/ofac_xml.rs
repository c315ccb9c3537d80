//! OFAC XML (`sdn.xml`, `consolidated.xml`; namespace `sdnList.xsd`).
//!
//! ```text
//! <sdnList><publshInformation><Publish_Date>07/16/2014</Publish_Date>…</publshInformation>
//!   <sdnEntry><uid>306</uid><firstName/><lastName/><title/><sdnType>Individual|Entity|Vessel|Aircraft</sdnType>
//!     <remarks/> <programList><program/></programList>
//!     <idList><id><idType/><idNumber/><idCountry/><issueDate/><expirationDate/></id></idList>
//!     <akaList><aka><type>a.k.a.|f.k.a.|n.k.a.</type><category>strong|weak</category><lastName/><firstName/></aka></akaList>
//!     <addressList><address><address1/>…<city/><stateOrProvince/><postalCode/><country/></address></addressList>
//!     nationalityList, citizenshipList, dateOfBirthList, placeOfBirthList, vesselInfo
//!   </sdnEntry></sdnList>
//! ```
//!
//! Ids use `uid`, which is the legacy CSV's `ent_num`, so both formats of
//! the same list give the same ids. The consolidated file writes the type
//! as `sdnType` or `nspType`; both are read.

use crate::caps::Capped;
use crate::error::SourceError;
use crate::text::{country, parse_ofac_date_value, parse_us_date, push_address, push_unique};
use crate::xml::{get, records, Record, RootCheck};
use crate::ParsedList;
use embargo_model::{Entity, EntityId, Identifier, NameKind, NameParts, Schema};
use std::io::BufRead;

pub(crate) fn parse<R: BufRead>(out: &mut ParsedList, file: &str, r: R) -> Result<(), SourceError> {
    let dataset = out.dataset.clone();
    let mut root = RootCheck::new("sdnList", "OFAC XML");
    let mut published = None;
    let mut declared = None;
    let mut entities = vec![];
    records(
        file,
        r,
        &["sdnEntry"],
        |w, name, _| root.check(file, w, name).map(drop),
        |name, text| {
            if name == "Publish_Date" {
                published = parse_us_date(text);
            } else if name == "Record_Count" {
                declared = text.trim().parse::<u64>().ok();
            }
        },
        |rec| {
            entities.push(entity(file, &dataset, &rec)?);
            Ok(())
        },
    )?;
    for e in entities {
        out.push_entity(file, e);
    }
    out.published = published;
    out.declared_records = declared;
    Ok(())
}

fn join_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) => Some(format!("{l}, {f}")),
        (None, Some(l)) => Some(l.to_string()),
        (Some(f), None) => Some(f.to_string()),
        (None, None) => None,
    }
}

fn parts(first: Option<&str>, last: Option<&str>) -> Option<NameParts> {
    first.map(|_| NameParts {
        given: first.map(str::to_string),
        family: last.map(str::to_string),
        ..NameParts::default()
    })
}

fn entity(file: &str, dataset: &str, rec: &Record) -> Result<Entity, SourceError> {
    let uid = rec.leaf("uid").ok_or_else(|| {
        SourceError::invalid(file, "sdnEntry has no uid")
            .at_line(rec.line)
            .in_field("uid")
    })?;
    let (first, last) = (rec.leaf("firstName"), rec.leaf("lastName"));
    let name = join_name(first, last).ok_or_else(|| {
        SourceError::invalid(file, format!("sdnEntry {uid} has no name"))
            .at_line(rec.line)
            .in_field("lastName")
    })?;
    let typ = rec.leaf("sdnType").or(rec.leaf("nspType")).unwrap_or("");
    let schema = match typ.to_ascii_lowercase().as_str() {
        "individual" => Schema::Person,
        "vessel" => Schema::Vessel,
        "aircraft" => Schema::Aircraft,
        _ => Schema::Organization,
    };
    let mut e = Entity::new(EntityId::new(dataset, uid), schema, dataset, &name);
    if schema == Schema::Person {
        e.names[0].parts = parts(first, last);
    }
    if let Some(t) = rec.leaf("title") {
        e.titles.push(t.to_string());
    }
    if let Some(r) = rec.leaf("remarks") {
        e.remarks.push(r.to_string());
    }
    for (block, item) in &rec.items {
        match block.as_str() {
            "programList" => {
                for (_, p) in item.iter().filter(|(n, t)| n == "program" && !t.is_empty()) {
                    push_unique(&mut e.programs, p.clone());
                }
            }
            "aka" => {
                let (f, l) = (get(item, "firstName"), get(item, "lastName"));
                if let Some(n) = join_name(f, l) {
                    let kind = match (get(item, "type"), get(item, "category")) {
                        (Some("f.k.a."), _) => NameKind::FormerName,
                        (_, Some("weak")) => NameKind::WeakAlias,
                        _ => NameKind::Alias,
                    };
                    e.add_name_capped(&n, kind);
                    if schema == Schema::Person {
                        if let Some(x) = e.names.last_mut().filter(|x| x.value == n) {
                            x.parts = parts(f, l);
                        }
                    }
                }
            }
            "id" => {
                if let Some(v) = get(item, "idNumber") {
                    let c = get(item, "idCountry");
                    let note: Vec<String> =
                        [("issueDate", "issued "), ("expirationDate", "expires ")]
                            .iter()
                            .filter_map(|(k, p)| get(item, k).map(|v| format!("{p}{v}")))
                            .chain(c.filter(|c| country(c).is_none()).map(str::to_string))
                            .collect();
                    e.identifiers.push(Identifier {
                        kind: get(item, "idType").unwrap_or("Identifier").to_string(),
                        value: v.to_string(),
                        country: c.and_then(country),
                        note: (!note.is_empty()).then(|| note.join("; ")),
                    });
                }
            }
            "address" => {
                let f = |k| get(item, k);
                let street: Vec<&str> = ["address1", "address2", "address3"]
                    .iter()
                    .filter_map(|k| f(k))
                    .collect();
                let street = (!street.is_empty()).then(|| street.join(", "));
                push_address(
                    &mut e,
                    street.as_deref(),
                    f("city"),
                    f("stateOrProvince"),
                    f("postalCode"),
                    f("country"),
                );
            }
            "nationality" | "citizenship" => {
                if let Some(v) = get(item, "country") {
                    match (country(v), block.as_str()) {
                        (Some(c), "nationality") => push_unique(&mut e.nationalities, c),
                        (Some(c), _) => push_unique(&mut e.citizenships, c),
                        (None, b) => e.add_property_capped(b, v),
                    }
                }
            }
            "dateOfBirthItem" => {
                if let Some(d) = get(item, "dateOfBirth").and_then(parse_ofac_date_value) {
                    push_unique(&mut e.birth_dates, d);
                }
            }
            "placeOfBirthItem" => {
                if let Some(p) = get(item, "placeOfBirth") {
                    push_unique(&mut e.birth_places, p.to_string());
                }
            }
            "vesselInfo" => {
                for (leaf, key) in [
                    ("callSign", "callSign"),
                    ("vesselType", "type"),
                    ("vesselFlag", "flag"),
                    ("vesselOwner", "owner"),
                    ("tonnage", "tonnage"),
                    ("grossRegisteredTonnage", "grossRegisteredTonnage"),
                ] {
                    if let Some(v) = get(item, leaf) {
                        e.add_property_capped(key, v);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(e)
}

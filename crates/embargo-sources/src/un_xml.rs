//! UN Security Council consolidated list XML.
//!
//! ```text
//! <CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
//!   <INDIVIDUALS><INDIVIDUAL>
//!     <DATAID>6907993</DATAID> <FIRST_NAME>…</FIRST_NAME> … <FOURTH_NAME/>
//!     <UN_LIST_TYPE>DRC</UN_LIST_TYPE> <REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
//!     <LISTED_ON>2012-12-31</LISTED_ON> <NAME_ORIGINAL_SCRIPT>…</NAME_ORIGINAL_SCRIPT>
//!     <NATIONALITY><VALUE>…</VALUE></NATIONALITY>  (also TITLE, DESIGNATION)
//!     <INDIVIDUAL_ALIAS><QUALITY>Good|Low|a.k.a.|f.k.a.</QUALITY><ALIAS_NAME>…</ALIAS_NAME></INDIVIDUAL_ALIAS>
//!     <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT|APPROXIMATELY|BETWEEN</TYPE_OF_DATE>
//!        <DATE>|<YEAR>|<FROM_YEAR><TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
//!     INDIVIDUAL_PLACE_OF_BIRTH, INDIVIDUAL_ADDRESS, INDIVIDUAL_DOCUMENT
//!   </INDIVIDUAL></INDIVIDUALS>
//!   <ENTITIES><ENTITY> … ENTITY_ALIAS, ENTITY_ADDRESS … </ENTITY></ENTITIES>
//! </CONSOLIDATED_LIST>
//! ```
//!
//! Ids are `un_sc_sanctions:<DATAID>`. `UN_LIST_TYPE` goes to `programs`,
//! `REFERENCE_NUMBER` (the UN's own permanent reference, e.g. `QDi.001`)
//! to `properties["unReferenceNumber"]` and a citation. `APPROXIMATELY`
//! years are widened one year either side, like OFAC's "circa".

use crate::caps::Capped;
use crate::error::SourceError;
use crate::text::{country, push_address, push_unique};
use crate::xml::{get, records, Record, RootCheck};
use crate::ParsedList;
use embargo_model::{
    Citation, DateValue, Entity, EntityId, Gender, Identifier, NameKind, PartialDate, Schema,
};
use std::io::BufRead;

pub(crate) fn parse<R: BufRead>(out: &mut ParsedList, file: &str, r: R) -> Result<(), SourceError> {
    let dataset = out.dataset.clone();
    let mut root = RootCheck::new("CONSOLIDATED_LIST", "the UN consolidated list");
    let mut published = None;
    let mut entities = vec![];
    let mut warnings = vec![];
    records(
        file,
        r,
        &["INDIVIDUAL", "ENTITY"],
        |w, name, attrs| {
            if root.check(file, w, name)? {
                if let Some((_, v)) = attrs.iter().find(|(k, _)| k == "dateGenerated") {
                    published = PartialDate::parse_iso(v).ok().map(|d| d.first_day());
                }
            }
            Ok(())
        },
        |_, _| {},
        |rec| {
            let e = entity(file, &dataset, &rec, &mut warnings)?;
            entities.push(e);
            Ok(())
        },
    )?;
    for e in entities {
        out.push_entity(file, e);
    }
    out.warnings.extend(warnings);
    out.published = published;
    Ok(())
}

fn entity(
    file: &str,
    dataset: &str,
    rec: &Record,
    warnings: &mut Vec<String>,
) -> Result<Entity, SourceError> {
    let id = rec.leaf("DATAID").ok_or_else(|| {
        SourceError::invalid(file, "record has no DATAID")
            .at_line(rec.line)
            .in_field("DATAID")
    })?;
    let person = rec.name == "INDIVIDUAL";
    let parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|n| rec.leaf(n))
        .collect();
    if parts.is_empty() {
        return Err(
            SourceError::invalid(file, format!("record {id} has no name"))
                .at_line(rec.line)
                .in_field("FIRST_NAME"),
        );
    }
    let schema = if person {
        Schema::Person
    } else {
        Schema::Organization
    };
    let mut e = Entity::new(
        EntityId::new(dataset, id),
        schema,
        dataset,
        &parts.join(" "),
    );
    // A few entities carry two names in one field, "A (X) ; B (Y)": each
    // half is a name the entity is known by.
    let joined = parts.join(" ");
    if joined.contains(" ; ") {
        for n in joined.split(" ; ") {
            e.add_name_capped(n, NameKind::Alias);
        }
    }
    if person {
        // FIRST_NAME is not reliably the given name (for RI WON HO it holds
        // the family name RI), so the four parts are kept verbatim in
        // properties rather than guessed into `NameParts`.
        for (leaf, key) in [
            ("FIRST_NAME", "firstName"),
            ("SECOND_NAME", "secondName"),
            ("THIRD_NAME", "thirdName"),
            ("FOURTH_NAME", "fourthName"),
        ] {
            if let Some(v) = rec.leaf(leaf) {
                e.add_property_capped(key, v);
            }
        }
    }
    for (name, text) in &rec.leaves {
        if text.is_empty() {
            continue;
        }
        match name.as_str() {
            "NAME_ORIGINAL_SCRIPT" => e.add_name_capped(text, NameKind::NativeScript),
            "UN_LIST_TYPE" => push_unique(&mut e.programs, text.clone()),
            "REFERENCE_NUMBER" => {
                e.add_property_capped("unReferenceNumber", text);
                e.citations.push(Citation::new(format!("UN SC {text}")));
            }
            // Some values carry a zone offset: "2015-04-07-04:00".
            "LISTED_ON" => match PartialDate::parse_iso(text)
                .or_else(|e| text.get(..10).map_or(Err(e), PartialDate::parse_iso))
            {
                Ok(d) => e.listed_on = Some(d),
                Err(_) => warnings.push(format!(
                    "{file}:{}: field \"LISTED_ON\": not a date: {text:?}",
                    rec.line
                )),
            },
            "GENDER" => {
                e.gender = match text.to_ascii_lowercase().as_str() {
                    "male" => Some(Gender::Male),
                    "female" => Some(Gender::Female),
                    _ => None,
                }
            }
            "COMMENTS1" => e.remarks.push(text.clone()),
            _ => {}
        }
    }
    for (block, item) in &rec.items {
        let values = || item.iter().filter(|(n, t)| n == "VALUE" && !t.is_empty());
        match block.as_str() {
            "TITLE" => values().for_each(|(_, v)| push_unique(&mut e.titles, v.clone())),
            "DESIGNATION" => values().for_each(|(_, v)| e.add_property_capped("position", v)),
            "LAST_DAY_UPDATED" => {
                values().for_each(|(_, v)| e.add_property_capped("modifiedAt", v))
            }
            "NATIONALITY" => {
                for (_, v) in values() {
                    match country(v) {
                        Some(c) => push_unique(&mut e.nationalities, c),
                        None => e.add_property_capped("nationality", v),
                    }
                }
            }
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => {
                if let Some(n) = get(item, "ALIAS_NAME") {
                    let kind = match get(item, "QUALITY").unwrap_or("") {
                        "Low" => NameKind::WeakAlias,
                        "f.k.a." => NameKind::FormerName,
                        _ => NameKind::Alias,
                    };
                    e.add_name_capped(n, kind);
                }
            }
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
                let f = |k| get(item, k);
                push_address(
                    &mut e,
                    f("STREET"),
                    f("CITY"),
                    f("STATE_PROVINCE"),
                    f("ZIP_CODE"),
                    f("COUNTRY"),
                );
            }
            "INDIVIDUAL_DATE_OF_BIRTH" => {
                if let Some(d) = birth_date(item) {
                    push_unique(&mut e.birth_dates, d);
                }
            }
            "INDIVIDUAL_PLACE_OF_BIRTH" => {
                let place: Vec<&str> = ["CITY", "STATE_PROVINCE", "COUNTRY"]
                    .iter()
                    .filter_map(|k| get(item, k))
                    .collect();
                if !place.is_empty() {
                    push_unique(&mut e.birth_places, place.join(", "));
                }
            }
            "INDIVIDUAL_DOCUMENT" | "ENTITY_DOCUMENT" => {
                if let Some(num) = get(item, "NUMBER") {
                    let kind = get(item, "TYPE_OF_DOCUMENT").unwrap_or("Document");
                    let issuing = get(item, "ISSUING_COUNTRY").or(get(item, "COUNTRY_OF_ISSUE"));
                    let note: Vec<String> = [
                        ("TYPE_OF_DOCUMENT2", ""),
                        ("DATE_OF_ISSUE", "issued "),
                        ("CITY_OF_ISSUE", "issued in "),
                        ("NOTE", ""),
                    ]
                    .iter()
                    .filter_map(|(k, pre)| get(item, k).map(|v| format!("{pre}{v}")))
                    .chain(
                        issuing
                            .filter(|c| country(c).is_none())
                            .map(|c| format!("issued by {c}")),
                    )
                    .collect();
                    e.identifiers.push(Identifier {
                        kind: kind.to_string(),
                        value: num.to_string(),
                        country: issuing.and_then(country),
                        note: (!note.is_empty()).then(|| note.join("; ")),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(e)
}

fn year_of(s: &str) -> Option<i32> {
    s.trim().parse().ok().filter(|y| (1000..=9999).contains(y))
}

fn birth_date(item: &[(String, String)]) -> Option<DateValue> {
    let typ = get(item, "TYPE_OF_DATE").unwrap_or("EXACT");
    if let (Some(from), Some(to)) = (
        get(item, "FROM_YEAR").and_then(year_of),
        get(item, "TO_YEAR").and_then(year_of),
    ) {
        let (from, to) = (from.min(to), from.max(to));
        return Some(DateValue::Range {
            from: PartialDate::Year(from),
            to: PartialDate::Year(to),
        });
    }
    let exact = get(item, "DATE")
        .and_then(|d| PartialDate::parse_iso(d).ok())
        .or_else(|| get(item, "YEAR").and_then(year_of).map(PartialDate::Year))?;
    if typ == "APPROXIMATELY" {
        let y = exact.year();
        return Some(DateValue::Range {
            from: PartialDate::Year(y - 1),
            to: PartialDate::Year(y + 1),
        });
    }
    Some(DateValue::Exact(exact))
}

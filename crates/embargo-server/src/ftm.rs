//! Entities in the FollowTheMoney (FtM) shape that yente clients expect.
//!
//! yente answers with `{"id", "caption", "schema", "properties": {prop: [str]},
//! "datasets": [...], ...}` where property names and value formats are FtM's:
//! lower-case ISO country codes, ISO date prefixes, schema names from the FtM
//! model (`Airplane`, not `Aircraft`). Clients such as nomenklatura load these
//! dicts into FtM proxies, so every property emitted here must exist on the
//! schema it is emitted for; facts without an FtM home go to `notes`
//! (Thing) rather than invented property names.

use embargo_model::{Entity, NameKind, Schema};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// FtM schema name of an Embargo schema.
pub fn schema_name(s: Schema) -> &'static str {
    match s {
        Schema::Person => "Person",
        Schema::Organization => "Organization",
        Schema::Company => "Company",
        Schema::Vessel => "Vessel",
        Schema::Aircraft => "Airplane",
        Schema::LegalEntity => "LegalEntity",
    }
}

/// Embargo schema of an FtM schema name: the model's one schema parser,
/// which reads FtM's names (`Airplane`, `Thing`, `PublicBody`) too. An
/// empty name is no schema here (the model reads it as `LegalEntity`).
pub fn parse_schema(s: &str) -> Option<Schema> {
    if s.trim().is_empty() {
        return None;
    }
    Schema::parse(s)
}

/// Whether an FtM schema is a legal entity (has countries, idNumber, …).
fn is_legal_entity(s: Schema) -> bool {
    !matches!(s, Schema::Vessel | Schema::Aircraft)
}

/// The FtM property map of an entity.
pub fn properties(e: &Entity) -> BTreeMap<&'static str, Vec<String>> {
    let mut p: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut push = |k: &'static str, v: String| {
        let v = v.trim().to_string();
        if !v.is_empty() {
            let vals = p.entry(k).or_default();
            if !vals.contains(&v) {
                vals.push(v);
            }
        }
    };
    for n in &e.names {
        let key = match n.kind {
            NameKind::Primary | NameKind::NativeScript => "name",
            NameKind::Alias => "alias",
            NameKind::FormerName => "previousName",
            NameKind::WeakAlias => "weakAlias",
        };
        push(key, n.value.clone());
    }
    let legal = is_legal_entity(e.schema);
    // FtM: a Vessel's country is its `flag`; Airplane has no `flag`.
    let country_prop = if e.schema == Schema::Vessel {
        "flag"
    } else {
        "country"
    };
    for c in &e.countries {
        push(country_prop, c.as_str().to_lowercase());
    }
    if e.schema == Schema::Person {
        for c in &e.nationalities {
            push("nationality", c.as_str().to_lowercase());
        }
        for c in &e.citizenships {
            push("citizenship", c.as_str().to_lowercase());
        }
        for d in &e.birth_dates {
            for v in birth_dates(d) {
                push("birthDate", v);
            }
        }
        for b in &e.birth_places {
            push("birthPlace", b.clone());
        }
        if let Some(g) = e.gender {
            push(
                "gender",
                match g {
                    embargo_model::Gender::Male => "male",
                    embargo_model::Gender::Female => "female",
                }
                .to_string(),
            );
        }
        for t in &e.titles {
            push("title", t.clone());
        }
    }
    for a in &e.addresses {
        push("address", a.full.clone());
    }
    if legal {
        for i in &e.identifiers {
            let k = i.kind.to_ascii_lowercase();
            let key = if k.contains("passport") && e.schema == Schema::Person {
                "passportNumber"
            } else if k.contains("tax") || k.contains("uscc") || k.contains("social credit") {
                "taxNumber"
            } else if k.contains("swift") || k.contains("bic") {
                "swiftBic"
            } else if k.contains("registration") {
                "registrationNumber"
            } else {
                "idNumber"
            };
            push(key, i.value.clone());
        }
    } else {
        for i in &e.identifiers {
            let key = if i.kind.eq_ignore_ascii_case("imo") && e.schema == Schema::Vessel {
                "imoNumber"
            } else {
                "registrationNumber"
            };
            push(key, i.value.clone());
        }
    }
    // `program` is the Thing-level property yente fills with the
    // programme a listing falls under (FtM `programId` is an OpenSanctions id).
    for prog in &e.programs {
        push("program", prog.clone());
    }
    if let Some(u) = &e.source_url {
        push("sourceUrl", u.clone());
    }
    for r in &e.remarks {
        push("notes", r.clone());
    }
    for t in e.citations.iter() {
        push("notes", format!("Source: {}", t.cite));
    }
    if let Some(d) = &e.listed_on {
        push("createdAt", d.to_string());
    }
    p
}

fn birth_dates(d: &embargo_model::DateValue) -> Vec<String> {
    // FtM dates are ISO prefixes; a range ("1955 to 1957") becomes both ends,
    // as OpenSanctions publishes ranges, so a client qualifier sees each.
    match d {
        embargo_model::DateValue::Exact(x) => vec![x.to_string()],
        embargo_model::DateValue::Range { from, to } => vec![from.to_string(), to.to_string()],
    }
}

/// The yente entity object (without scoring fields).
pub fn entity_json(e: &Entity) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), Value::String(e.id.0.clone()));
    m.insert("caption".into(), Value::String(e.caption().to_string()));
    m.insert("schema".into(), Value::String(schema_name(e.schema).into()));
    let props: Map<String, Value> = properties(e)
        .into_iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Value::Array(v.into_iter().map(Value::String).collect()),
            )
        })
        .collect();
    m.insert("properties".into(), Value::Object(props));
    m.insert(
        "datasets".into(),
        Value::Array(vec![Value::String(e.dataset.clone())]),
    );
    m.insert("referents".into(), Value::Array(vec![]));
    m.insert("target".into(), Value::Bool(true));
    if let Some(d) = &e.listed_on {
        m.insert("first_seen".into(), Value::String(d.to_string()));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{Address, DateValue, EntityId, Identifier, PartialDate};

    /// Properties each FtM schema defines, among those this module can
    /// emit (checked against followthemoney 4.11's model).
    fn allowed(s: Schema) -> &'static [&'static str] {
        const COMMON: &[&str] = &[
            "name",
            "alias",
            "previousName",
            "weakAlias",
            "country",
            "address",
            "program",
            "sourceUrl",
            "notes",
            "createdAt",
            "registrationNumber",
        ];
        const LEGAL: &[&str] = &["idNumber", "taxNumber", "swiftBic"];
        const PERSON: &[&str] = &[
            "nationality",
            "citizenship",
            "birthDate",
            "birthPlace",
            "gender",
            "title",
            "passportNumber",
        ];
        match s {
            Schema::Person => [COMMON, LEGAL, PERSON].concat().leak(),
            Schema::Organization | Schema::Company | Schema::LegalEntity => {
                [COMMON, LEGAL].concat().leak()
            }
            Schema::Vessel => [COMMON, &["flag", "imoNumber"][..]].concat().leak(),
            Schema::Aircraft => COMMON,
        }
    }

    fn full(schema: Schema) -> Entity {
        let mut e = Entity::new(EntityId::new("t", "1"), schema, "t", "Primary Name");
        e.add_name("Alias", NameKind::Alias);
        e.add_name("Old", NameKind::FormerName);
        e.add_name("Weak", NameKind::WeakAlias);
        e.countries = vec!["CN".parse().unwrap()];
        e.nationalities = vec!["CN".parse().unwrap()];
        e.citizenships = vec!["HK".parse().unwrap()];
        e.birth_dates = vec![DateValue::Range {
            from: PartialDate::Year(1955),
            to: PartialDate::Year(1957),
        }];
        e.birth_places = vec!["Henan".into()];
        e.gender = Some(embargo_model::Gender::Male);
        e.titles = vec!["Secretary".into()];
        e.addresses = vec![Address {
            full: "Hangzhou, China".into(),
            ..Default::default()
        }];
        for kind in [
            "Passport",
            "USCC",
            "SWIFT/BIC",
            "Registration Number",
            "IMO",
            "Other",
        ] {
            e.identifiers.push(Identifier {
                kind: kind.into(),
                value: format!("{kind}-1"),
                country: None,
                note: None,
            });
        }
        e.programs = vec!["GLOMAG".into()];
        e.remarks = vec!["remark".into()];
        e.listed_on = Some(PartialDate::Year(2020));
        e.source_url = Some("https://example.invalid".into());
        e
    }

    #[test]
    fn every_emitted_property_exists_on_its_ftm_schema() {
        for s in [
            Schema::Person,
            Schema::Organization,
            Schema::Company,
            Schema::LegalEntity,
            Schema::Vessel,
            Schema::Aircraft,
        ] {
            let props = properties(&full(s));
            for k in props.keys() {
                assert!(allowed(s).contains(k), "{s:?} emits {k}");
            }
        }
    }

    #[test]
    fn person_facts_map_to_ftm_values() {
        let p = properties(&full(Schema::Person));
        assert_eq!(p["name"], vec!["Primary Name"]);
        assert_eq!(p["alias"], vec!["Alias"]);
        assert_eq!(p["previousName"], vec!["Old"]);
        assert_eq!(p["weakAlias"], vec!["Weak"]);
        assert_eq!(p["country"], vec!["cn"]);
        assert_eq!(p["citizenship"], vec!["hk"]);
        assert_eq!(p["birthDate"], vec!["1955", "1957"]);
        assert_eq!(p["passportNumber"], vec!["Passport-1"]);
        assert_eq!(p["taxNumber"], vec!["USCC-1"]);
        assert_eq!(p["swiftBic"], vec!["SWIFT/BIC-1"]);
        assert_eq!(p["program"], vec!["GLOMAG"]);
        let v = properties(&full(Schema::Vessel));
        assert_eq!(v["flag"], vec!["cn"]);
        assert_eq!(v["imoNumber"], vec!["IMO-1"]);
        assert_eq!(schema_name(Schema::Aircraft), "Airplane");
        assert_eq!(parse_schema("Airplane"), Some(Schema::Aircraft));
        assert_eq!(parse_schema("Bank"), None);
    }
}

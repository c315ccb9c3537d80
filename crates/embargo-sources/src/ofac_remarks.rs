//! Structured facts inside OFAC remarks.
//!
//! OFAC's legacy CSV (and the CSL's `remarks`) pack most facts into one
//! free-text field, `;`-separated, each fact `Label value`, repeated facts
//! prefixed `alt.`:
//!
//! ```text
//! DOB 19 Jun 1951; POB Giza, Egypt; Passport 1084010 (Egypt); alt. Passport 19820215;
//! a.k.a. 'BNC'; Effective Date (CMIC) 02 Aug 2021; Linked To: CHINA TELECOMMUNICATIONS CORPORATION.
//! ```
//!
//! [`apply`] reads the facts it knows into typed fields and leaves the
//! full text in `Entity::remarks` untouched, so nothing is lost when a fact
//! is not recognised.
//!
//! Why a.k.a. names in remarks become `WeakAlias`: OFAC writes its strong
//! aliases to `alt.csv` and only the weak ("low quality") ones into the
//! remarks, e.g. `BNC` for BANCO NACIONAL DE CUBA, which the XML marks
//! `<category>weak</category>`.

use crate::caps::Capped;
use crate::text::{
    country, linked_to, non_empty, parse_ofac_date, parse_ofac_date_value, push_unique,
};
use embargo_model::{Entity, Gender, Identifier, NameKind};

/// Identifier labels OFAC uses, from `data/ofac_id_labels.tsv` (longest
/// first where one is a prefix of another). A fact starting with one of
/// these is `label value (Country)`.
fn id_labels() -> &'static [(&'static str, &'static str)] {
    static LABELS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
        std::sync::LazyLock::new(|| {
            let file = "embargo-sources/data/ofac_id_labels.tsv";
            let text = include_str!("../data/ofac_id_labels.tsv");
            embargo_model::table::expect_parsed(embargo_model::table::rows::<2>(file, text).map(
                |rows| {
                    rows.into_iter()
                        .map(|r| {
                            let [label, kind] = r.fields;
                            (label, if kind == "=" { label } else { kind })
                        })
                        .collect()
                },
            ))
        });
    &LABELS
}

#[cfg(test)]
pub(crate) fn id_labels_for_tests() -> &'static [(&'static str, &'static str)] {
    id_labels()
}

/// Labels whose value is a fact without a typed field: kept in
/// `Entity::properties` under an FtM-style key.
const PROP_LABELS: &[(&str, &str)] = &[
    ("Email Address", "email"),
    ("Website", "website"),
    ("Phone Number", "phone"),
    ("Telephone", "phone"),
    ("Fax", "fax"),
    ("Target Type", "targetType"),
    ("Organization Type:", "legalForm"),
    ("Aircraft Model", "aircraftModel"),
    ("Aircraft Operator", "aircraftOperator"),
    ("Aircraft Manufacture Date", "buildDate"),
    ("Vessel Year of Build", "buildDate"),
    ("Former Vessel Flag", "pastFlags"),
    ("Other Vessel Flag", "pastFlags"),
    ("Other Vessel Call Sign", "callSign"),
    ("Nationality of Registration", "registrationCountry"),
    ("Equity Ticker", "ticker"),
    ("Issuer Name", "issuerName"),
];

/// Labels whose value is a date, stored ISO-formatted in properties.
const DATE_PROP_LABELS: &[(&str, &str)] = &[
    ("Effective Date (CMIC)", "cmicEffectiveDate"),
    (
        "Purchase/Sales For Divestment Date (CMIC)",
        "cmicDivestmentDate",
    ),
    ("Listing Date (CMIC)", "cmicListingDate"),
    ("Organization Established Date", "incorporationDate"),
];

/// Splits remarks into facts. `;` inside single-quoted names (`a.k.a.
/// 'X; Y'`) does not split.
fn facts(remarks: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut start = 0;
    let mut in_quote = false;
    let bytes = remarks.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            // A quote opens a name only after "a.k.a. " etc. (preceded by a
            // space) and closes before `;`/end; apostrophes inside words do
            // not toggle.
            b'\'' => {
                let prev_space = i == 0 || bytes[i - 1] == b' ';
                let next_end = i + 1 == bytes.len() || matches!(bytes[i + 1], b';' | b'.');
                if !in_quote && prev_space {
                    in_quote = true;
                } else if in_quote && next_end {
                    in_quote = false;
                }
            }
            b';' if !in_quote => {
                out.push(&remarks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&remarks[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect()
}

fn strip_label<'a>(fact: &'a str, label: &str) -> Option<&'a str> {
    let rest = fact.strip_prefix(label)?;
    if rest.is_empty() {
        return None;
    }
    // The label must end at a word boundary: "Passport" must not match "Passports".
    if label.ends_with(|c: char| c.is_alphanumeric()) && !rest.starts_with([' ', ':', ',']) {
        return None;
    }
    Some(rest.trim_start_matches([' ', ':', ',']).trim())
}

/// `value (Country) trailing note` → (value, country, note).
fn id_value(rest: &str) -> (String, Option<embargo_model::Country>, Option<String>) {
    if let Some(open) = rest.find(" (") {
        if let Some(close_rel) = rest[open..].find(')') {
            let close = open + close_rel;
            let inside = &rest[open + 2..close];
            let after = rest[close + 1..].trim();
            let value = rest[..open].trim().to_string();
            let c = country(inside);
            let mut note: Vec<&str> = vec![];
            if c.is_none() {
                note.push(inside);
            }
            if !after.is_empty() {
                note.push(after);
            }
            let note = (!note.is_empty()).then(|| note.join("; "));
            return (value, c, note);
        }
    }
    (rest.trim().to_string(), None, None)
}

fn quoted_name(rest: &str) -> Option<&str> {
    let r = rest.trim().trim_end_matches('.');
    let r = r.strip_prefix('\'').unwrap_or(r);
    let r = r.strip_suffix('\'').unwrap_or(r);
    non_empty(r)
}

/// Reads the facts of `remarks` into `e`'s typed fields.
pub fn apply(e: &mut Entity, remarks: &str) {
    let remarks = remarks.trim().trim_end_matches('.');
    for fact in facts(remarks) {
        let fact = fact.strip_prefix("alt. ").unwrap_or(fact).trim();
        apply_fact(e, fact);
    }
}

fn apply_fact(e: &mut Entity, fact: &str) {
    if let Some(v) = strip_label(fact, "DOB") {
        if let Some(d) = parse_ofac_date_value(v) {
            push_unique(&mut e.birth_dates, d);
        }
        return;
    }
    if let Some(v) = strip_label(fact, "POB") {
        push_unique(&mut e.birth_places, v.to_string());
        return;
    }
    if let Some(v) = strip_label(fact, "nationality") {
        match country(v) {
            Some(c) => push_unique(&mut e.nationalities, c),
            None => e.add_property_capped("nationality", v),
        }
        return;
    }
    if let Some(v) = strip_label(fact, "citizen") {
        match country(v) {
            Some(c) => push_unique(&mut e.citizenships, c),
            None => e.add_property_capped("citizenship", v),
        }
        return;
    }
    if let Some(v) = strip_label(fact, "Gender") {
        e.gender = match v.to_ascii_lowercase().as_str() {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            _ => e.gender,
        };
        return;
    }
    for (prefix, kind) in [
        ("a.k.a.", NameKind::WeakAlias),
        ("f.k.a.", NameKind::FormerName),
        ("n.k.a.", NameKind::Alias),
    ] {
        if let Some(v) = fact.strip_prefix(prefix) {
            if let Some(n) = quoted_name(v) {
                e.add_name_capped(n, kind);
            }
            return;
        }
    }
    if let Some(v) = fact.strip_prefix("Linked To:") {
        let target = v.trim().trim_end_matches('.').trim();
        if !target.is_empty() && !e.links.iter().any(|l| l.target_name == target) {
            e.links.push(linked_to(target));
        }
        return;
    }
    for (label, key) in DATE_PROP_LABELS {
        if let Some(v) = strip_label(fact, label) {
            match parse_ofac_date(v) {
                Some(d) => e.add_property_capped(key, &d.to_string()),
                None => e.add_property_capped(key, v),
            }
            return;
        }
    }
    if let Some(v) = fact.strip_prefix("Digital Currency Address - ") {
        if let Some((cur, addr)) = v.split_once(' ') {
            push_id(
                e,
                Identifier {
                    kind: format!("Digital Currency Address - {cur}"),
                    value: addr.trim().to_string(),
                    country: None,
                    note: None,
                },
            );
        }
        return;
    }
    for &(label, kind) in id_labels() {
        if let Some(v) = strip_label(fact, label) {
            let (value, country, note) = id_value(v);
            if !value.is_empty() {
                push_id(
                    e,
                    Identifier {
                        kind: kind.to_string(),
                        value,
                        country,
                        note,
                    },
                );
            }
            return;
        }
    }
    for (label, key) in PROP_LABELS {
        if let Some(v) = strip_label(fact, label) {
            e.add_property_capped(key, v);
            return;
        }
    }
}

fn push_id(e: &mut Entity, id: Identifier) {
    if e.identifiers.len() <= crate::caps::MAX_VALUES_PER_FIELD
        && !e
            .identifiers
            .iter()
            .any(|x| x.kind == id.kind && x.value == id.value)
    {
        e.identifiers.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{EntityId, Schema};

    fn ent() -> Entity {
        Entity::new(EntityId::new("t", "1"), Schema::Person, "t", "X")
    }

    #[test]
    fn reads_dates_places_ids_and_aliases() {
        let mut e = ent();
        apply(
            &mut e,
            "DOB 19 Jun 1951; alt. DOB circa 1950; DOB Jan 1955; POB Giza, Egypt; \
             Passport 1084010 (Egypt); alt. Passport A0181988 (Somalia) issued 01 Oct 2001; \
             nationality China; citizen Iran; Gender Male; a.k.a. 'BNC'; f.k.a. 'ANA I'; \
             Linked To: LAZARUS GROUP.",
        );
        let dobs: Vec<String> = e.birth_dates.iter().map(|d| d.to_string()).collect();
        assert_eq!(dobs, ["1951-06-19", "1949..1951", "1955-01"]);
        assert_eq!(e.birth_places, ["Giza, Egypt"]);
        assert_eq!(e.identifiers.len(), 2);
        assert_eq!(e.identifiers[0].value, "1084010");
        assert_eq!(e.identifiers[0].country.unwrap().as_str(), "EG");
        assert_eq!(e.identifiers[1].note.as_deref(), Some("issued 01 Oct 2001"));
        assert_eq!(e.nationalities[0].as_str(), "CN");
        assert_eq!(e.citizenships[0].as_str(), "IR");
        assert_eq!(e.gender, Some(Gender::Male));
        assert_eq!(e.names[1].value, "BNC");
        assert_eq!(e.names[1].kind, NameKind::WeakAlias);
        assert_eq!(e.names[2].kind, NameKind::FormerName);
        assert_eq!(e.links[0].target_name, "LAZARUS GROUP");
    }

    #[test]
    fn reads_cmic_dates_uscc_imo_and_swift() {
        let mut e = ent();
        apply(
            &mut e,
            "Effective Date (CMIC) 02 Aug 2021; Purchase/Sales For Divestment Date (CMIC) 03 Jun 2022; \
             Listing Date (CMIC) 03 Jun 2021; Unified Social Credit Code (USCC) 9111000071093019X7 (China); \
             Vessel Registration Identification IMO 7406784; SWIFT/BIC GAZPRUMM; Website www.x.ru",
        );
        assert_eq!(e.properties["cmicEffectiveDate"], ["2021-08-02"]);
        assert_eq!(e.properties["cmicDivestmentDate"], ["2022-06-03"]);
        assert_eq!(e.properties["cmicListingDate"], ["2021-06-03"]);
        assert_eq!(e.properties["website"], ["www.x.ru"]);
        let ids: Vec<(&str, &str)> = e
            .identifiers
            .iter()
            .map(|i| (i.kind.as_str(), i.value.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("Unified Social Credit Code (USCC)", "9111000071093019X7"),
                ("IMO", "7406784"),
                ("SWIFT/BIC", "GAZPRUMM")
            ]
        );
    }

    #[test]
    fn odd_text_never_panics() {
        let mut e = ent();
        for s in [
            "'",
            ";;;",
            "a.k.a. '",
            "Passport (",
            "DOB ",
            "Linked To:",
            "é'; ü",
        ] {
            apply(&mut e, s);
        }
    }
}

//! The exact JSON Schemas of the request bodies and query parameters, put
//! into `/openapi.json` over utoipa's field-type schemas (`openapi::document`).
//!
//! A request schema says exactly what the handlers accept: required fields,
//! types (`null` where the field may be null), the bounds and patterns of
//! `embargo_app::subject` and the review checks, the allowed values of
//! enumerated fields, `additionalProperties: false` where the body refuses
//! unknown fields, and the datasets loaded when the document is served.
//! Text the handlers trim is matched with its outer white space (the
//! characters `str::trim` removes), and an empty optional text is allowed
//! where the handlers read it as absent. Two leniencies are documented
//! rather than encoded, so that clients see plain enums: codes are also
//! read in any ASCII case, and a country may be given by its English name.
//!
//! `tests/it/openapi_schemas.rs` checks that the schemas accept and refuse the
//! same examples as the handlers; `tests/fuzz/run.sh` (schemathesis) fails
//! on any mismatch it finds.

use chrono::{Datelike, NaiveDate};
use embargo_app::{MAX_IDENTIFIER_CHARS, MAX_LIMIT, MAX_NAME_CHARS, MAX_VALUES};
use serde_json::{json, Value};

/// Longest accepted `entity_id` of a review (the longest real one has
/// under 100 characters).
pub const MAX_ENTITY_ID_CHARS: usize = 256;

/// The characters `str::trim` removes (Unicode `White_Space`).
fn ws() -> &'static str {
    embargo_app::WHITE_SPACE_CLASS
}

/// C0 and C1 control characters (`char::is_control`).
const CONTROL: &str = "\\x00-\\x1f\\x7f-\\x9f";

/// A name as `check_name` accepts it: outer white space, then 1 to `max`
/// characters without control characters, starting and ending with
/// neither white space nor a control character.
fn name_pattern(max: usize, optional: bool) -> String {
    let ws = ws();
    let edge = format!("[^{ws}{CONTROL}]");
    let inner = format!("[^{CONTROL}]{{0,{}}}", max - 2);
    let body = format!("{edge}(?:{inner}{edge})?");
    if optional {
        format!("^[{ws}]*(?:{body})?[{ws}]*$")
    } else {
        format!("^[{ws}]*{body}[{ws}]*$")
    }
}

/// Text whose trimmed form has at most `max` characters (empty allowed).
fn trimmed_max(max: usize) -> String {
    let ws = ws();
    format!(
        "^[{ws}]*(?:[^{ws}](?:[\\s\\S]{{0,{}}}[^{ws}])?)?[{ws}]*$",
        max - 2
    )
}

/// Text whose trimmed form is 1 to `max` characters.
fn trimmed_required(max: usize) -> String {
    let ws = ws();
    format!(
        "^[{ws}]*[^{ws}](?:[\\s\\S]{{0,{}}}[^{ws}])?[{ws}]*$",
        max - 2
    )
}

/// A valid month and day, `MM-DD` (29 February in any year: the handlers
/// refuse it in a common year).
const MONTH_DAY: &str =
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-9])|(?:0[13-9]|1[0-2])-30|(?:0[13578]|1[02])-31)";

/// A regular expression for the 4-digit (or 2-digit) numbers below `n`,
/// digit by digit (`n` written with `width` digits).
fn below(n: u32, width: usize) -> Option<String> {
    let digits: Vec<u32> = format!("{n:0width$}")
        .chars()
        .map(|c| c.to_digit(10).unwrap_or(0))
        .collect();
    let mut alts = Vec::new();
    for (i, d) in digits.iter().enumerate() {
        if *d == 0 {
            continue;
        }
        let prefix: String = digits[..i].iter().map(|d| d.to_string()).collect();
        let rest = width - i - 1;
        let tail = if rest > 0 {
            format!("[0-9]{{{rest}}}")
        } else {
            String::new()
        };
        alts.push(format!("{prefix}[0-{}]{tail}", d - 1));
    }
    (!alts.is_empty()).then(|| format!("(?:{})", alts.join("|")))
}

/// The valid days of `month` as a pattern (29 February in any year).
fn days_of(month: u32) -> &'static str {
    match month {
        2 => "(?:0[1-9]|1[0-9]|2[0-9])",
        4 | 6 | 9 | 11 => "(?:0[1-9]|[12][0-9]|30)",
        _ => "(?:0[1-9]|[12][0-9]|3[01])",
    }
}

/// The last day `month` can have.
fn last_day(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Two-digit days `from..=to` as an alternation.
fn day_range(from: u32, to: u32) -> String {
    let days: Vec<String> = (from..=to).map(|d| format!("{d:02}")).collect();
    format!("(?:{})", days.join("|"))
}

/// `YYYY-MM-DD` no later than `today`.
fn date_until(today: NaiveDate) -> String {
    let (y, m, d) = (today.year() as u32, today.month(), today.day());
    let mut alts = Vec::new();
    if let Some(years) = below(y, 4) {
        alts.push(format!("{years}-{MONTH_DAY}"));
    }
    // This year: an earlier month, or this month up to today.
    for earlier in 1..m {
        alts.push(format!("{y:04}-{earlier:02}-{}", days_of(earlier)));
    }
    alts.push(format!("{y:04}-{m:02}-{}", day_range(1, d)));
    format!("(?:{})", alts.join("|"))
}

/// `YYYY-MM-DD` no earlier than `today` (to 9999).
fn date_from(today: NaiveDate) -> String {
    let (y, m, d) = (today.year() as u32, today.month(), today.day());
    let mut alts = Vec::new();
    // A later year: the 4-digit numbers above `y`, digit by digit.
    let digits: Vec<u32> = format!("{y:04}")
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    for (i, dg) in digits.iter().enumerate() {
        if *dg == 9 {
            continue;
        }
        let prefix: String = digits[..i].iter().map(|d| d.to_string()).collect();
        let rest = 3 - i;
        let tail = if rest > 0 {
            format!("[0-9]{{{rest}}}")
        } else {
            String::new()
        };
        alts.push(format!("{prefix}[{}-9]{tail}-{MONTH_DAY}", dg + 1));
    }
    // This year: a later month, or this month from today.
    for later in (m + 1)..=12 {
        alts.push(format!("{y:04}-{later:02}-{}", days_of(later)));
    }
    alts.push(format!("{y:04}-{m:02}-{}", day_range(d, last_day(m))));
    format!("(?:{})", alts.join("|"))
}

/// An optional text field holding a day (trimmed; empty = absent).
fn optional_day(day: &str) -> Value {
    let ws = ws();
    json!({
        "type": ["string", "null"],
        "pattern": format!("^[{ws}]*(?:{day})?[{ws}]*$"),
    })
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (what `PartialDate::parse_iso` reads:
/// anything after a `T` is a time and ignored); empty = absent.
pub fn partial_date() -> Value {
    let ws = ws();
    json!({
        "type": ["string", "null"],
        "pattern": format!(
            "^[{ws}]*(?:[0-9]{{4}}(?:-(?:0[1-9]|1[0-2])|-{MONTH_DAY})?(?:T[\\s\\S]*|[{ws}]*))?$"
        ),
        "description": "YYYY, YYYY-MM or YYYY-MM-DD",
    })
}

/// An ISO 3166-1 alpha-2 code (any case); empty = absent.
pub fn country(nullable: bool) -> Value {
    let ws = ws();
    json!({
        "type": if nullable { json!(["string", "null"]) } else { json!("string") },
        "pattern": format!("^[{ws}]*(?:[A-Za-z]{{2}})?[{ws}]*$"),
        "description": "ISO 3166-1 alpha-2 code, e.g. CN (an English name such as China is read too)",
    })
}

/// The schema names a screen takes (`Schema::parse`), with null and empty
/// for "any".
pub fn screen_schema_names() -> Value {
    json!({
        "enum": ["Person", "Individual", "Organization", "Organisation", "Entity",
                 "PublicBody", "Public Body", "Company", "Vessel", "Aircraft", "Airplane",
                 "LegalEntity", "Legal Entity", "Thing", "", null],
        "description": "Person, Organization, Company, Vessel, Aircraft or LegalEntity (and their synonyms; any case); absent = any",
    })
}

/// The algorithm names `parse_algorithm` reads.
pub fn algorithms() -> Value {
    json!({
        "enum": ["embargo", "best", "default", "logic-v1", "logic-v2", "name-based",
                 "name-qualified", "regression-v1", "regression-v2", "ofac", "", null],
        "description": "`embargo` (default; yente's names mean it too) or `ofac` (any case)",
    })
}

/// `GET /search`'s `q`: a name, or blank for no search.
pub fn search_text() -> Value {
    json!({"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, true)})
}

/// A name that is required (`GET /v1/reviews`'s `name`).
pub fn required_name() -> Value {
    json!({"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, false)})
}

/// The datasets loaded now, for `datasets` and dataset path segments.
fn dataset_enum(datasets: &[String]) -> Value {
    json!({"type": "string", "enum": datasets})
}

/// `POST /v1/screen` and `/v1/report/screen`: a `ScreenRequest`.
pub fn screen_request(datasets: &[String], today: NaiveDate) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name"],
        "properties": {
            "id": {"type": ["string", "null"], "pattern": trimmed_max(MAX_IDENTIFIER_CHARS),
                   "description": "Caller's reference, echoed back (at most 100 characters)"},
            "name": {"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, false),
                     "description": "The name to screen, in any script: 1–300 characters, no control characters"},
            "aliases": {"type": "array", "maxItems": MAX_VALUES,
                        "items": {"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, false)},
                        "description": "Other names of the same subject"},
            "schema": screen_schema_names(),
            "birth_date": partial_date(),
            "country": country(true),
            "countries": {"type": "array", "maxItems": MAX_VALUES, "items": country(false),
                          "description": "Further countries (nationality, address, registration)"},
            "identifiers": {"type": "array", "maxItems": MAX_VALUES,
                            "items": {"type": "string", "pattern": trimmed_max(MAX_IDENTIFIER_CHARS)},
                            "description": "Registration or document numbers (passport, USCC, IMO, …), at most 100 characters each"},
            "threshold": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "limit": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_LIMIT},
            "algorithm": algorithms(),
            "datasets": {"type": ["array", "null"], "minItems": 1, "maxItems": MAX_VALUES,
                         "items": dataset_enum(datasets),
                         "description": "Only screen against these loaded datasets"},
            "family_name": {"type": ["string", "null"], "pattern": name_pattern(MAX_NAME_CHARS, true)},
            "as_of": {
                "description": "Screen the lists as they stood on this past day (YYYY-MM-DD, not after today); absent: today",
                "type": ["string", "null"],
                "pattern": optional_day(&date_until(today))["pattern"],
            },
        },
    })
}

/// A review's subject: the screened name and qualifiers.
fn review_subject() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, false)},
            "schema": screen_schema_names(),
            "birth_date": partial_date(),
            "country": country(true),
        },
    })
}

/// The fields of a review decision shared by `/v1/reviews` and
/// `/v1/alerts/{id}/resolve`.
fn verdict_reason_expires(today: NaiveDate) -> serde_json::Map<String, Value> {
    let ws = ws();
    let mut m = serde_json::Map::new();
    m.insert(
        "verdict".into(),
        json!({
            "type": "string",
            "pattern": format!("^[{ws}]*(?:false_positive|true_match)[{ws}]*$"),
            "description": "`false_positive` (clears the hit) or `true_match`",
        }),
    );
    m.insert(
        "reason".into(),
        json!({
            "type": "string",
            "pattern": trimmed_required(embargo_app::MAX_REASON_CHARS),
            "description": "Why; required (at most 2000 characters)",
        }),
    );
    let mut expires = optional_day(&date_from(today));
    expires["description"] =
        json!("Last day the decision applies (YYYY-MM-DD, today or later); absent = until the entry changes");
    m.insert("expires".into(), expires);
    m
}

/// `POST /v1/reviews`.
pub fn review_request(today: NaiveDate, examples: &[(String, String)]) -> Value {
    let mut props = verdict_reason_expires(today);
    props.insert("subject".into(), review_subject());
    props.insert(
        "entity_id".into(),
        json!({
            "type": "string",
            "maxLength": MAX_ENTITY_ID_CHARS,
            "description": "The listed entity the hit pointed at",
        }),
    );
    let mut s = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["subject", "entity_id", "verdict", "reason"],
        "properties": props,
    });
    if !examples.is_empty() {
        s["examples"] = Value::Array(
            examples
                .iter()
                .map(|(id, name)| {
                    json!({"subject": {"name": name}, "entity_id": id,
                           "verdict": "true_match", "reason": "same party"})
                })
                .collect(),
        );
    }
    s
}

/// `POST /v1/alerts/{id}/resolve`.
pub fn resolve_request(today: NaiveDate) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["verdict", "reason"],
        "properties": verdict_reason_expires(today),
    })
}

/// `word` in any ASCII case, as a pattern (`Person` → `[Pp][Ee][Rr]…`).
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else if c == ' ' {
                " ".to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// The FtM schemas `/match` takes (`Schema::parse`, any case).
pub fn ftm_schemas() -> Value {
    let ws = ws();
    let names = [
        "person",
        "individual",
        "organization",
        "organisation",
        "entity",
        "publicbody",
        "public body",
        "company",
        "vessel",
        "aircraft",
        "airplane",
        "legalentity",
        "legal entity",
        "thing",
    ];
    let alts: Vec<String> = names.iter().map(|n| any_case(n)).collect();
    json!({
        "type": "string",
        "pattern": format!("^[{ws}]*(?:{})[{ws}]*$", alts.join("|")),
        "description": "FtM schema: Person, Organization, Company, LegalEntity, Vessel, Airplane (any case)",
    })
}

/// `POST /match/{dataset}`: yente's `EntityMatchQuery`. Properties are
/// FtM's, each a string or a list of strings; properties Embargo does not
/// read are ignored, as yente does. A query needs a name (`name`; name
/// parts such as `firstName` are read when it is absent, a leniency the
/// schema leaves out).
pub fn entity_match_query(max_batch: usize) -> Value {
    let any = json!({});
    let name = |min_items: usize| {
        json!({"anyOf": [
            {"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, false)},
            {"type": "array", "minItems": min_items,
             "items": {"type": "string", "pattern": name_pattern(MAX_NAME_CHARS, false)}},
        ]})
    };
    let ids = json!({"anyOf": [
        {"type": "string", "pattern": trimmed_max(MAX_IDENTIFIER_CHARS)},
        {"type": "array", "items": {"type": "string", "pattern": trimmed_max(MAX_IDENTIFIER_CHARS)}},
    ]});
    let mut props = serde_json::Map::new();
    props.insert("name".into(), name(1));
    for p in [
        "alias",
        "weakAlias",
        "previousName",
        "abbreviation",
        "lastName",
    ] {
        props.insert(p.into(), name(0));
    }
    for p in embargo_model::ftm::ID_PROPS {
        props.insert((*p).into(), ids.clone());
    }
    let example = json!({
        "type": "object",
        "required": ["schema", "properties"],
        "properties": {
            "id": {"type": ["string", "null"]},
            "schema": ftm_schemas(),
            "properties": {
                "type": "object",
                "required": ["name"],
                "properties": props,
                "additionalProperties": any,
                "description": "FtM properties: `name` (required), `alias`, `birthDate`, `nationality`, `country`, `idNumber`, …; each a string or a list of strings",
            },
        },
    });
    json!({
        "type": "object",
        "required": ["queries"],
        "properties": {
            "queries": {
                "type": "object",
                "minProperties": 1,
                "maxProperties": max_batch,
                "propertyNames": {"pattern": trimmed_max(MAX_IDENTIFIER_CHARS)},
                "additionalProperties": example,
                "description": "Queries by the caller's key (at most 100 characters); answered under the same keys",
            },
        },
    })
}

/// Query parameters of `GET /v1/alerts`: the state filter's values.
pub fn alert_states() -> Value {
    let ws = ws();
    let state = "(?:open|under_review|cleared|confirmed|closed)";
    json!({
        "type": "string",
        "pattern": format!("^[{ws}]*{state}?[{ws}]*(?:,[{ws}]*{state}?[{ws}]*)*$"),
        "description": "Comma-separated states: open, under_review, cleared, confirmed, closed",
    })
}

/// A dataset path segment of the yente endpoints: `default` (or `all`,
/// `sanctions`, `embargo`) or a loaded dataset.
pub fn yente_dataset(datasets: &[String]) -> Value {
    let mut all: Vec<String> = ["default", "all", "sanctions", "embargo"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    all.extend(datasets.iter().cloned());
    json!({"type": "string", "enum": all})
}

/// A dataset path segment of `/v1/lists/{source}/…`.
pub fn list_dataset(datasets: &[String]) -> Value {
    dataset_enum(datasets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_below_are_exact() {
        let re = |n: u32| regex_lite(&format!("^{}$", below(n, 4).unwrap()));
        for n in [1, 9, 10, 2026, 1000, 9999] {
            let r = re(n);
            for k in 0..10000u32 {
                assert_eq!(r(&format!("{k:04}")), k < n, "{k} < {n}");
            }
        }
        assert!(below(0, 4).is_none());
    }

    #[test]
    fn day_bounds_are_exact_around_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let until = regex::Regex::new(&format!("^{}$", date_until(today))).unwrap();
        let from = regex::Regex::new(&format!("^{}$", date_from(today))).unwrap();
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        while d < NaiveDate::from_ymd_opt(2028, 12, 31).unwrap() {
            let s = d.format("%Y-%m-%d").to_string();
            assert_eq!(until.is_match(&s), d <= today, "{s} until");
            assert_eq!(from.is_match(&s), d >= today, "{s} from");
            d = d.succ_opt().unwrap();
        }
        for never in [
            "2026-00-01",
            "2026-13-01",
            "2026-04-31",
            "2026-12-00",
            "1999-1-1",
        ] {
            assert!(!until.is_match(never) && !from.is_match(never), "{never}");
        }
    }

    /// A tiny matcher for the patterns built here: alternations of digit
    /// classes and literals, enough to check `below` exhaustively.
    fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool {
        let p = pattern.to_string();
        move |s: &str| {
            let body = p.trim_start_matches("^(?:").trim_end_matches(")$");
            body.split('|').any(|alt| matches_alt(alt, s))
        }
    }

    fn matches_alt(alt: &str, s: &str) -> bool {
        let mut chars = s.chars();
        let mut rest = alt;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[0-9]{") {
                let end = r.find('}').unwrap();
                let n: usize = r[..end].parse().unwrap();
                for _ in 0..n {
                    if !chars.next().is_some_and(|c| c.is_ascii_digit()) {
                        return false;
                    }
                }
                rest = &r[end + 1..];
            } else if let Some(r) = rest.strip_prefix("[0-") {
                let hi = r.chars().next().unwrap();
                if !chars.next().is_some_and(|c| ('0'..=hi).contains(&c)) {
                    return false;
                }
                rest = &r[2..];
            } else {
                let lit = rest.chars().next().unwrap();
                if chars.next() != Some(lit) {
                    return false;
                }
                rest = &rest[lit.len_utf8()..];
            }
        }
        chars.next().is_none()
    }
}

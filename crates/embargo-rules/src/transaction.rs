//! The transaction a decision is made about, in the JSON shape of
//! `shared/rules/README.md` (the same shape `embargo decide` and the HTTP
//! endpoint accept).
//!
//! Unknown keys are accepted (callers add their own bookkeeping), but every
//! known key is type-checked and a type error names the JSON path of the bad
//! field (`transaction.parties[2].country`). Facts the caller did not give
//! stay `None`: the measures treat "unknown" differently from "no" (an
//! unknown de minimis input gives INDETERMINATE, never NOT_SUBJECT).
//!
//! **Enumerated fields** (`flow`, `parties[].role`, `item.tags[]`,
//! `context.buyer`, `context.purpose`, `context.equipment_used_by`,
//! `context.site`, `context.fcc_authorization`,
//! `context.supply_chain_tracing`) accept only their codes: each is an
//! enum declared with `enumerated!`, whose `ALLOWED` list is the single
//! source of truth for the codes, the error message ("unknown value
//! \"cameras for our lobby\"; allowed values: …") and, later, the
//! OpenAPI schema (`transaction::enumerated_fields`). A free-text value
//! never reaches a measure that could clear on it; free text has its own
//! keys (`item.description`, `context.purpose_description`) that no
//! measure decides on.

use chrono::NaiveDate;
use embargo_model::Country;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// Declares an enumerated field: the enum, its wire codes (`as_str`),
/// `ALLOWED` (every code, in declaration order), `ALL`, `parse`, and serde
/// impls that reject any other value with the allowed list. Codes are
/// matched ignoring ASCII case and surrounding spaces.
macro_rules! enumerated {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident => $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $var),+
        }

        impl $name {
            /// Every accepted code, in declaration order.
            pub const ALLOWED: &'static [&'static str] = &[$($code),+];
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $code),+
                }
            }

            /// The variant for `code` (ASCII case and outer spaces ignored).
            pub fn parse(code: &str) -> Option<$name> {
                let c = code.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(c))
            }

            /// The error for a value outside `ALLOWED`.
            pub fn unknown(value: &str) -> String {
                format!(
                    "unknown value {value:?}; allowed values: {}",
                    Self::ALLOWED.join(", ")
                )
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| D::Error::custom(Self::unknown(&s)))
            }
        }
    };
}

enumerated! {
    /// What kind of dealing the transaction is; decides which measures run.
    Flow {
        Export => "export",
        Reexport => "reexport",
        Transfer => "transfer",
        Import => "import",
        Procurement => "procurement",
        Payment => "payment",
        Investment => "investment",
        Visa => "visa",
        Screening => "screening",
    }
}

impl Flow {
    /// Export, reexport and in-country transfer are the EAR's three verbs.
    pub fn is_ear_flow(self) -> bool {
        matches!(self, Flow::Export | Flow::Reexport | Flow::Transfer)
    }
}

enumerated! {
    /// A party's role on the documents. The first four are the §748.5(c)–(f)
    /// parties the Entity List licence requirement looks at.
    Role {
        Purchaser => "purchaser",
        IntermediateConsignee => "intermediate_consignee",
        UltimateConsignee => "ultimate_consignee",
        EndUser => "end_user",
        Supplier => "supplier",
        Producer => "producer",
        Manufacturer => "manufacturer",
        Importer => "importer",
        Counterparty => "counterparty",
        Contractor => "contractor",
        Signatory => "signatory",
        Issuer => "issuer",
        Bank => "bank",
        Agent => "agent",
        Other => "other",
    }
}

impl Role {
    /// RULES.md §1.1: the parties named in 15 CFR 748.5(c)–(f).
    pub fn is_748_5_party(self) -> bool {
        matches!(
            self,
            Role::Purchaser | Role::IntermediateConsignee | Role::UltimateConsignee | Role::EndUser
        )
    }

    /// Roles whose goods the party "produced" (§889, UFLPA, FCC).
    pub fn is_producer(self) -> bool {
        matches!(self, Role::Producer | Role::Manufacturer | Role::Supplier)
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Actor {
    #[serde(default)]
    pub us_person: Option<bool>,
    #[serde(default)]
    pub country: Option<Country>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct UsContent {
    /// `None` when the input's classification is unknown.
    #[serde(default)]
    pub eccn: Option<String>,
    #[serde(default)]
    pub value: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Item {
    #[serde(default)]
    pub description: Option<String>,
    /// Who made the item (§ 889, FCC Covered List): screened like a
    /// `manufacturer` party.
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// The brand it is sold under; an OEM / white-label brand is read
    /// against the covered producers' known brands.
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub origin: Option<Country>,
    #[serde(default)]
    pub located_in: Option<Country>,
    /// An ECCN (`6A993`, `9A610.y`), `EAR99`, or `None` when unknown.
    #[serde(default)]
    pub eccn: Option<String>,
    #[serde(default)]
    pub value: Option<f64>,
    /// `None`: not stated (de minimis cannot be computed); `Some(vec![])`:
    /// stated to have no US-origin content.
    #[serde(default)]
    pub us_content: Option<Vec<UsContent>>,
    /// `None`: unknown (FDP product prong INDETERMINATE); `Some(vec![])`:
    /// known not to be a direct product of any US technology or software.
    #[serde(default)]
    pub direct_product_of: Option<Vec<String>>,
    /// Canonical `Tag` codes: unknown tags are a parse error, so this
    /// holds only codes from `Tag::ALLOWED` (kept as strings for the
    /// measures that read them as text).
    #[serde(default, deserialize_with = "tag_codes")]
    pub tags: Vec<String>,
}

enumerated! {
    /// `item.tags[]`: facts about the item that measures read.
    Tag {
        /// §734.3(b) / J3: published information or software.
        Published => "published",
        /// §734.8 / J3: fundamental research.
        FundamentalResearch => "fundamental_research",
        /// §734.3(b)(1) / J3: exclusively ITAR-controlled.
        ItarControlled => "itar_controlled",
        SoftwareUpdate => "software_update",
        TechnologyRelease => "technology_release",
        /// EL review policy: EAR99 items described in the Note to ECCN 1A995.
        CbProtectiveConsumerOrMedical => "cb_protective_consumer_or_medical",
        /// EL review policy: items to detect, identify and treat infectious disease.
        InfectiousDiseaseDetectIdentifyTreat => "infectious_disease_detect_identify_treat",
        /// § 889, UK instruction.
        VideoSurveillance => "video_surveillance",
        /// § 889.
        Telecom => "telecom",
        /// § 889(a)(2)(B) exception: cannot route or see user data.
        NoUserDataVisibility => "no_user_data_visibility",
        /// NS-CMIC (§4.4).
        PubliclyTradedSecurity => "publicly_traded_security",
        /// WRO / UFLPA goods (RULES.md §6).
        Cotton => "cotton",
        Tomato => "tomato",
        Polysilicon => "polysilicon",
        /// § 734.9(b): the US technology or software the foreign item is a
        /// direct product of required a written assurance (Supp. No. 2 to
        /// Part 748 (o)(3)(i)), or did not.
        NsWrittenAssurance => "ns_written_assurance",
        NoWrittenAssurance => "no_written_assurance",
    }
}

fn tag_codes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let tags = Vec::<Tag>::deserialize(d)?;
    Ok(tags.into_iter().map(|t| t.as_str().to_string()).collect())
}

impl Item {
    /// Whether the item carries `tag` (a `Tag::ALLOWED` code).
    pub fn has_tag(&self, tag: &str) -> bool {
        debug_assert!(
            Tag::parse(tag).is_some(),
            "measure asks for unknown tag {tag:?}"
        );
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }

    pub fn tag_set(&self) -> Vec<Tag> {
        self.tags.iter().filter_map(|t| Tag::parse(t)).collect()
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Input {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub origin_region: Option<String>,
    #[serde(default)]
    pub producer: Option<String>,
    #[serde(default)]
    pub value: Option<f64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Party {
    pub role: Role,
    pub name: String,
    #[serde(default)]
    pub country: Option<Country>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub registration_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Ownership {
    pub owner: String,
    pub owned: String,
    pub pct: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Director {
    pub entity: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Knowledge {
    /// The real end user when the documents name someone else (EL1.2).
    #[serde(default)]
    pub end_user: Option<String>,
    #[serde(default)]
    pub en_route_on_listing_date: Option<bool>,
    #[serde(default)]
    pub directors: Vec<Director>,
}

enumerated! {
    /// `context.buyer`: who buys, for the procurement measures.
    Buyer {
        UsFederalAgency => "us_federal_agency",
        FederalGrantRecipient => "federal_grant_recipient",
        UkCentralGovernment => "uk_central_government",
        Private => "private",
    }
}

enumerated! {
    /// `context.purpose`: what the procured equipment is for (§ 889(f)(3)(B)
    /// purpose qualifier, RULES.md §5.1). The first five are the covered
    /// purposes; `scientific_research`, `traffic_counting` and
    /// `not_covered` state a purpose outside them (the buyer's attestation);
    /// `other` is a purpose this list does not name, which never clears:
    /// for Hikvision/Dahua/Hytera equipment it gives NEEDS_REVIEW. Describe
    /// it in `context.purpose_description` (free text, never decides).
    Purpose {
        PhysicalSecurity => "physical_security",
        PublicSafety => "public_safety",
        GovernmentFacilitySecurity => "government_facility_security",
        CriticalInfrastructure => "critical_infrastructure",
        NationalSecurity => "national_security",
        ScientificResearch => "scientific_research",
        TrafficCounting => "traffic_counting",
        NotCovered => "not_covered",
        Other => "other",
    }
}

impl Purpose {
    /// `Some(true)`: a § 889(f)(3)(B) purpose; `Some(false)`: stated to be
    /// outside them; `None`: `other`, which needs review.
    pub fn covered_889b(self) -> Option<bool> {
        use Purpose::*;
        match self {
            PhysicalSecurity
            | PublicSafety
            | GovernmentFacilitySecurity
            | CriticalInfrastructure
            | NationalSecurity => Some(true),
            ScientificResearch | TrafficCounting | NotCovered => Some(false),
            Other => None,
        }
    }
}

enumerated! {
    /// `context.equipment_used_by`: who uses the covered equipment (§ 889
    /// Part B when a contractor uses it in its own operations).
    EquipmentUser {
        Buyer => "buyer",
        Contractor => "contractor",
    }
}

enumerated! {
    /// `context.site`: where UK central government deploys the equipment.
    Site {
        MinisterialOffice => "ministerial_office",
        OtherSensitiveSite => "other_sensitive_site",
        NotSensitive => "not_sensitive",
    }
}

enumerated! {
    /// `context.fcc_authorization`: the device's FCC equipment
    /// authorisation status (RULES.md §5.2).
    FccAuthorization {
        NewApplication => "new_application",
        ExistingAuthorization => "existing_authorization",
    }
}

enumerated! {
    /// `context.supply_chain_tracing`: how far the importer has traced the
    /// inputs (UFLPA applicability, RULES.md §6.1 U3).
    SupplyChainTracing {
        Complete => "complete",
        Partial => "partial",
        None => "none",
    }
}

/// Every enumerated field of the transaction format: its JSON path and
/// allowed codes (for the OpenAPI schema and documentation).
pub fn enumerated_fields() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("flow", Flow::ALLOWED),
        ("parties[].role", Role::ALLOWED),
        ("item.tags[]", Tag::ALLOWED),
        ("context.buyer", Buyer::ALLOWED),
        ("context.purpose", Purpose::ALLOWED),
        ("context.equipment_used_by", EquipmentUser::ALLOWED),
        ("context.site", Site::ALLOWED),
        ("context.fcc_authorization", FccAuthorization::ALLOWED),
        ("context.supply_chain_tracing", SupplyChainTracing::ALLOWED),
    ]
}

/// The characters `str::trim` removes (Unicode `White_Space`), as a
/// regular-expression class body shared by the JSON Schema patterns, so a
/// pattern accepts exactly what the parser trims.
pub const WHITE_SPACE_CLASS: &str =
    "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a transaction
/// document: exactly what [`parse_transaction`] accepts — required keys,
/// types, `null` where a fact may be stated unknown, the allowed codes of
/// every enumerated field (its `ALLOWED` list; the parser also ignores
/// ASCII case and outer spaces), bounds and the checks of `validate`.
/// Unknown keys are allowed, as the parser ignores them; a worked-case file
/// (`{"transaction": {...}}` without a top-level `date`) is the second
/// alternative. `crates/embargo-server/tests/it/openapi_schemas.rs` checks the
/// schema and the parser agree on examples.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let ws = WHITE_SPACE_CLASS;
    let country = |nullable: bool| {
        json!({
            "type": if nullable { json!(["string", "null"]) } else { json!("string") },
            "pattern": format!("^[{ws}]*[A-Za-z]{{2}}[{ws}]*$"),
            "description": "ISO 3166-1 alpha-2 code, e.g. CN (outer spaces and case ignored)",
        })
    };
    let text = || json!({"type": ["string", "null"]});
    let flag = || json!({"type": ["boolean", "null"]});
    let not_blank = |what: &str| {
        json!({
            "type": "string",
            "pattern": format!("[^{ws}]"),
            "description": format!("{what}; must not be blank"),
        })
    };
    let code = |allowed: &[&str], nullable: bool| {
        let mut values: Vec<serde_json::Value> = allowed.iter().map(|c| json!(c)).collect();
        if nullable {
            values.push(serde_json::Value::Null);
        }
        json!({"enum": values})
    };
    let object = |props: serde_json::Value, required: &[&str]| {
        let mut o = json!({"type": "object", "properties": props});
        if !required.is_empty() {
            o["required"] = json!(required);
        }
        o
    };
    let us_content = object(
        json!({
            "eccn": text(),
            "value": {"type": ["number", "null"], "minimum": 0},
        }),
        &[],
    );
    let item = {
        let mut o = object(
            json!({
                "description": text(),
                "manufacturer": text(),
                "brand": text(),
                "origin": country(true),
                "located_in": country(true),
                "eccn": text(),
                "value": {"type": ["number", "null"], "minimum": 0},
                "us_content": {"type": ["array", "null"], "items": us_content},
                "direct_product_of": {"type": ["array", "null"], "items": {"type": "string"}},
                "tags": {"type": "array", "items": code(Tag::ALLOWED, false)},
            }),
            &[],
        );
        o["type"] = json!(["object", "null"]);
        o
    };
    let transaction = object(
        json!({
            "date": {
                "type": "string",
                "format": "date",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                "description": "YYYY-MM-DD: the law and the lists as they stood that day",
            },
            "flow": code(Flow::ALLOWED, false),
            "actor": object(json!({"us_person": flag(), "country": country(true)}), &[]),
            "destination": country(true),
            "item": item,
            "inputs": {"type": "array", "items": object(json!({
                "description": text(),
                "origin_region": text(),
                "producer": text(),
                "value": {"type": ["number", "null"]},
            }), &[])},
            "parties": {"type": "array", "items": object(json!({
                "role": code(Role::ALLOWED, false),
                "name": not_blank("The party's name, in any script"),
                "country": country(true),
                "address": text(),
                "registration_id": text(),
            }), &["role", "name"])},
            "ownership": {"type": "array", "items": object(json!({
                "owner": not_blank("The shareholder"),
                "owned": not_blank("The company held"),
                "pct": {"type": "number", "minimum": 0, "maximum": 100},
            }), &["owner", "owned", "pct"])},
            "knowledge": object(json!({
                "end_user": text(),
                "en_route_on_listing_date": flag(),
                "directors": {"type": "array", "items": object(json!({
                    "entity": {"type": "string"},
                    "name": not_blank("The director's name"),
                }), &["entity", "name"])},
            }), &[]),
            "context": object(json!({
                "buyer": code(Buyer::ALLOWED, true),
                "purpose": code(Purpose::ALLOWED, true),
                "purpose_description": text(),
                "currency": {
                    "type": ["string", "null"],
                    "pattern": format!("^[{ws}]*[A-Za-z]{{3}}[{ws}]*$"),
                    "description": "ISO 4217 code, e.g. USD",
                },
                "us_persons_involved": flag(),
                "equipment_used_by": code(EquipmentUser::ALLOWED, true),
                "site": code(Site::ALLOWED, true),
                "fcc_authorization": code(FccAuthorization::ALLOWED, true),
                "marketing_plan_approved": flag(),
                "supply_chain_tracing": code(SupplyChainTracing::ALLOWED, true),
                "uflpa_exception_evidence": flag(),
            }), &[]),
        }),
        &["date", "flow"],
    );
    json!({
        "anyOf": [
            transaction,
            {
                "type": "object",
                "description": "A worked-case file: its `transaction` is decided",
                "properties": {"transaction": transaction},
                "required": ["transaction"],
                "not": {"required": ["date"]},
            },
        ],
    })
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Context {
    #[serde(default)]
    pub buyer: Option<Buyer>,
    #[serde(default)]
    pub purpose: Option<Purpose>,
    /// Free text about the purpose, for the reader only: no measure
    /// decides on it.
    #[serde(default)]
    pub purpose_description: Option<String>,
    /// ISO 4217 code, upper-cased on reading (`usd` → `USD`).
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub us_persons_involved: Option<bool>,
    #[serde(default)]
    pub equipment_used_by: Option<EquipmentUser>,
    #[serde(default)]
    pub site: Option<Site>,
    #[serde(default)]
    pub fcc_authorization: Option<FccAuthorization>,
    #[serde(default)]
    pub marketing_plan_approved: Option<bool>,
    #[serde(default)]
    pub supply_chain_tracing: Option<SupplyChainTracing>,
    /// Engine extension (not in README): the importer has the § 3(b)
    /// evidence (FLETF guidance followed, CBP answered, clear and
    /// convincing proof), so UFLPA gives EXCEPTION_POSSIBLE.
    #[serde(default)]
    pub uflpa_exception_evidence: Option<bool>,
}

/// A calendar day written exactly `YYYY-MM-DD` (chrono alone would also
/// take `+2020-1-5`), as docs/transactions.md and the JSON Schema say.
fn iso_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape
        .then(|| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| D::Error::custom(format!("{s:?} is not a date YYYY-MM-DD")))
}

/// One transaction. `date` decides which listings and rules are in force.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Transaction {
    #[serde(deserialize_with = "iso_date")]
    pub date: NaiveDate,
    pub flow: Flow,
    #[serde(default)]
    pub actor: Actor,
    /// ISO-2; Hong Kong is evaluated as China (see `destination_for_ear`).
    #[serde(default)]
    pub destination: Option<Country>,
    #[serde(default)]
    pub item: Option<Item>,
    #[serde(default)]
    pub inputs: Vec<Input>,
    #[serde(default)]
    pub parties: Vec<Party>,
    #[serde(default)]
    pub ownership: Vec<Ownership>,
    #[serde(default)]
    pub knowledge: Knowledge,
    #[serde(default)]
    pub context: Context,
}

impl Transaction {
    /// RULES.md §1.2 notes / §3.2: since 2020-12-23 BIS treats Hong Kong as
    /// China (85 FR 83765); the chart has no Hong Kong row.
    pub fn destination_for_ear(&self) -> Option<Country> {
        self.destination.map(crate::country_groups::ear_destination)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A JSON syntax or type error; `path` is the JSON path of the field.
    #[error("invalid transaction at `{path}`: {message}")]
    InvalidTransaction { path: String, message: String },
}

/// Parses one transaction. Accepts either the bare transaction object or a
/// whole case file (`{"transaction": {...}, "expect": ...}`), so a case file
/// can be passed to `embargo decide` as is.
pub fn parse_transaction(json: &str) -> Result<Transaction, RulesError> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| RulesError::InvalidTransaction {
            path: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
    let (prefix, body) = match value.get("transaction") {
        Some(inner) if value.get("date").is_none() => ("transaction.", inner.clone()),
        _ => ("", value),
    };
    // serde reads a struct from a JSON array too (`"actor": [null, null]`
    // became an actor with no facts); the format has objects there.
    if let Some(path) = array_for_object(&body, &TRANSACTION_SCHEMA["anyOf"][0], String::new()) {
        return Err(RulesError::InvalidTransaction {
            path: format!("{prefix}{path}"),
            message: "expected an object, not an array".into(),
        });
    }
    let mut tx = serde_path_to_error::deserialize::<_, Transaction>(body).map_err(|e| {
        let path = e.path().to_string();
        RulesError::InvalidTransaction {
            path: format!("{prefix}{path}"),
            message: e.into_inner().to_string(),
        }
    })?;
    validate(&tx).map_err(|(path, message)| RulesError::InvalidTransaction {
        path: format!("{prefix}{path}"),
        message,
    })?;
    if let Some(c) = &mut tx.context.currency {
        *c = c.trim().to_ascii_uppercase();
    }
    Ok(tx)
}

/// [`json_schema`], built once: `parse_transaction` walks it for every
/// transaction, and `decide` is meant to stay under a millisecond.
static TRANSACTION_SCHEMA: std::sync::LazyLock<serde_json::Value> =
    std::sync::LazyLock::new(json_schema);

/// The path of the first array in `v` where `schema` wants an object (and
/// no array), following the schema's properties and items.
fn array_for_object(
    v: &serde_json::Value,
    schema: &serde_json::Value,
    path: String,
) -> Option<String> {
    let types: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(t) => vec![t.as_str()],
        serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => vec![],
    };
    if v.is_array() && types.contains(&"object") && !types.contains(&"array") {
        return Some(if path.is_empty() {
            "(document)".into()
        } else {
            path
        });
    }
    if let (Some(obj), Some(props)) = (v.as_object(), schema["properties"].as_object()) {
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if let Some(found) = array_for_object(x, sub, p) {
                    return Some(found);
                }
            }
        }
    }
    if let Some(items) = v.as_array() {
        for (i, x) in items.iter().enumerate() {
            if let Some(found) = array_for_object(x, &schema["items"], format!("{path}[{i}]")) {
                return Some(found);
            }
        }
    }
    None
}

/// Checks serde cannot express: shares are 0–100 %, values are not
/// negative (a negative share would silently lower an aggregate), names
/// are not blank (a blank name screens as "no match"), and a currency is
/// an ISO 4217 code (a misspelt "US dollars" would hide USD nexus).
fn validate(tx: &Transaction) -> Result<(), (String, String)> {
    let blank = |s: &str| s.trim().is_empty();
    for (i, p) in tx.parties.iter().enumerate() {
        if blank(&p.name) {
            return Err((
                format!("parties[{i}].name"),
                "party name must not be blank".into(),
            ));
        }
    }
    for (i, o) in tx.ownership.iter().enumerate() {
        if blank(&o.owner) {
            return Err((
                format!("ownership[{i}].owner"),
                "owner must not be blank".into(),
            ));
        }
        if blank(&o.owned) {
            return Err((
                format!("ownership[{i}].owned"),
                "owned must not be blank".into(),
            ));
        }
    }
    for (i, d) in tx.knowledge.directors.iter().enumerate() {
        if blank(&d.name) {
            return Err((
                format!("knowledge.directors[{i}].name"),
                "director name must not be blank".into(),
            ));
        }
    }
    if let Some(c) = &tx.context.currency {
        let c = c.trim();
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err((
                "context.currency".into(),
                format!("currency must be an ISO 4217 code such as USD, got {c:?}"),
            ));
        }
    }
    for (i, o) in tx.ownership.iter().enumerate() {
        if !(0.0..=100.0).contains(&o.pct) {
            return Err((
                format!("ownership[{i}].pct"),
                format!("share must be between 0 and 100, got {}", o.pct),
            ));
        }
    }
    if let Some(item) = &tx.item {
        if item.value.is_some_and(|v| v < 0.0) {
            return Err(("item.value".into(), "value must not be negative".into()));
        }
        for (i, c) in item.us_content.iter().flatten().enumerate() {
            if c.value.is_some_and(|v| v < 0.0) {
                return Err((
                    format!("item.us_content[{i}].value"),
                    "value must not be negative".into(),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field_path() {
        let err = parse_transaction(
            r#"{"date":"2021-06-01","flow":"export","parties":[{"role":"end_user","name":"A","country":"China"}]}"#,
        )
        .unwrap_err();
        let RulesError::InvalidTransaction { path, .. } = err;
        assert_eq!(path, "parties[0].country");
    }

    #[test]
    fn an_array_where_an_object_belongs_is_refused_by_path() {
        let base =
            r#"{"date":"2024-01-01","flow":"export","parties":[{"role":"end_user","name":"X"}]}"#;
        assert!(parse_transaction(base).is_ok());
        for (doc, path) in [
            (
                r#"{"date":"2024-01-01","flow":"export","actor":[null,null]}"#,
                "actor",
            ),
            (
                r#"{"date":"2024-01-01","flow":"export","parties":[["end_user","X"]]}"#,
                "parties[0]",
            ),
            (
                r#"{"transaction":{"date":"2024-01-01","flow":"export","item":[]}}"#,
                "transaction.item",
            ),
        ] {
            match parse_transaction(doc) {
                Err(RulesError::InvalidTransaction { path: p, message }) => {
                    assert_eq!(p, path, "{doc}");
                    assert!(message.contains("object"), "{message}");
                }
                other => panic!("{doc} gave {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_keys_are_accepted_and_case_files_unwrap() {
        let tx = parse_transaction(
            r#"{"id":"X","transaction":{"date":"2021-06-01","flow":"import","extra":1,"destination":"hk"}}"#,
        )
        .unwrap();
        assert_eq!(tx.flow, Flow::Import);
        assert_eq!(tx.destination_for_ear().unwrap().as_str(), "CN");
    }

    #[test]
    fn out_of_range_shares_name_the_field() {
        let RulesError::InvalidTransaction { path, .. } = parse_transaction(
            r#"{"transaction":{"date":"2021-01-01","flow":"payment","ownership":[{"owner":"A","owned":"B","pct":50},{"owner":"A","owned":"C","pct":150}]}}"#,
        )
        .unwrap_err();
        assert_eq!(path, "transaction.ownership[1].pct");
    }

    #[test]
    fn bad_dates_and_flows_are_rejected() {
        assert!(parse_transaction(r#"{"date":"2021-13-01","flow":"export"}"#).is_err());
        // Exactly YYYY-MM-DD, as the schema says (chrono alone takes these).
        for d in ["+2021-1-5", "2021-1-05", " 2021-01-05", "20210-01-05"] {
            let RulesError::InvalidTransaction { path, .. } =
                parse_transaction(&format!(r#"{{"date":"{d}","flow":"export"}}"#)).unwrap_err();
            assert_eq!(path, "date", "{d}");
        }
        assert!(parse_transaction(r#"{"date":"2021-01-05","flow":"export"}"#).is_ok());
        let RulesError::InvalidTransaction { path, .. } =
            parse_transaction(r#"{"date":"2021-01-01","flow":"smuggle"}"#).unwrap_err();
        assert_eq!(path, "flow");
        assert!(parse_transaction("{not json").is_err());
    }

    /// docs/transactions.md is the user's reference for the input: its
    /// enumerated-fields table must give every allowed value of every
    /// field, in the field's own row, so the document cannot drift from
    /// `ALLOWED`.
    #[test]
    fn docs_transactions_lists_every_allowed_value() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/transactions.md");
        let doc = std::fs::read_to_string(path).expect("docs/transactions.md exists");
        let (_, doc) = doc
            .split_once("## Enumerated fields")
            .expect("docs/transactions.md has an Enumerated fields section");
        let mut missing = vec![];
        for (field, allowed) in enumerated_fields() {
            let head = format!("| `{field}` |");
            let Some(row) = doc.lines().find(|l| l.starts_with(&head)) else {
                missing.push(format!("no row for `{field}`"));
                continue;
            };
            for v in allowed {
                if !row.contains(&format!("`{v}`")) {
                    missing.push(format!("`{field}`: `{v}`"));
                }
            }
        }
        assert!(missing.is_empty(), "docs/transactions.md lacks {missing:?}");
    }
}

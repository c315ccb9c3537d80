//! The transaction a decision is made about, in the JSON shape of
//! `shared/rules/README.md` (the same shape `embargo decide` and the HTTP
//! endpoint accept).
//!
//! Unknown keys are accepted (callers add their own bookkeeping), but every
//! known key is type-checked and a type error names the JSON path of the bad
//! field (`transaction.parties[2].country`). Facts the caller did not give
//! stay `None`: the measures treat "unknown" differently from "no" (an
//! unknown de minimis input gives INDETERMINATE, never NOT_SUBJECT).

use chrono::NaiveDate;
use embargo_model::Country;
use serde::Deserialize;

/// What kind of dealing the transaction is; decides which measures run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Export,
    Reexport,
    Transfer,
    Import,
    Procurement,
    Payment,
    Investment,
    Visa,
    Screening,
}

impl Flow {
    /// Export, reexport and in-country transfer are the EAR's three verbs.
    pub fn is_ear_flow(self) -> bool {
        matches!(self, Flow::Export | Flow::Reexport | Flow::Transfer)
    }
}

/// A party's role on the documents. The first four are the §748.5(c)–(f)
/// parties the Entity List licence requirement looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Purchaser,
    IntermediateConsignee,
    UltimateConsignee,
    EndUser,
    Supplier,
    Producer,
    Manufacturer,
    Importer,
    Counterparty,
    Contractor,
    Signatory,
    Issuer,
    Bank,
    Agent,
    Other,
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

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Purchaser => "purchaser",
            Role::IntermediateConsignee => "intermediate_consignee",
            Role::UltimateConsignee => "ultimate_consignee",
            Role::EndUser => "end_user",
            Role::Supplier => "supplier",
            Role::Producer => "producer",
            Role::Manufacturer => "manufacturer",
            Role::Importer => "importer",
            Role::Counterparty => "counterparty",
            Role::Contractor => "contractor",
            Role::Signatory => "signatory",
            Role::Issuer => "issuer",
            Role::Bank => "bank",
            Role::Agent => "agent",
            Role::Other => "other",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Actor {
    #[serde(default)]
    pub us_person: Option<bool>,
    #[serde(default)]
    pub country: Option<Country>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct UsContent {
    /// `None` when the input's classification is unknown.
    #[serde(default)]
    pub eccn: Option<String>,
    #[serde(default)]
    pub value: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Item {
    #[serde(default)]
    pub description: Option<String>,
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
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Item {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }
}

#[derive(Clone, Debug, Deserialize)]
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

#[derive(Clone, Debug, Deserialize)]
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

#[derive(Clone, Debug, Deserialize)]
pub struct Ownership {
    pub owner: String,
    pub owned: String,
    pub pct: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Director {
    pub entity: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Knowledge {
    /// The real end user when the documents name someone else (EL1.2).
    #[serde(default)]
    pub end_user: Option<String>,
    #[serde(default)]
    pub en_route_on_listing_date: Option<bool>,
    #[serde(default)]
    pub directors: Vec<Director>,
}

/// Who buys, for the procurement measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Buyer {
    UsFederalAgency,
    FederalGrantRecipient,
    UkCentralGovernment,
    Private,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Context {
    #[serde(default)]
    pub buyer: Option<Buyer>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub us_persons_involved: Option<bool>,
    #[serde(default)]
    pub equipment_used_by: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub fcc_authorization: Option<String>,
    #[serde(default)]
    pub marketing_plan_approved: Option<bool>,
    #[serde(default)]
    pub supply_chain_tracing: Option<String>,
    /// Engine extension (not in README): the importer has the § 3(b)
    /// evidence (FLETF guidance followed, CBP answered, clear and
    /// convincing proof), so UFLPA gives EXCEPTION_POSSIBLE.
    #[serde(default)]
    pub uflpa_exception_evidence: Option<bool>,
}

/// One transaction. `date` decides which listings and rules are in force.
#[derive(Clone, Debug, Deserialize)]
pub struct Transaction {
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
    let tx = serde_path_to_error::deserialize::<_, Transaction>(body).map_err(|e| {
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
    Ok(tx)
}

/// Range checks serde cannot express: shares are 0–100 %, values are not
/// negative. (A negative share would silently lower an aggregate.)
fn validate(tx: &Transaction) -> Result<(), (String, String)> {
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
        let RulesError::InvalidTransaction { path, .. } =
            parse_transaction(r#"{"date":"2021-01-01","flow":"smuggle"}"#).unwrap_err();
        assert_eq!(path, "flow");
        assert!(parse_transaction("{not json").is_err());
    }
}

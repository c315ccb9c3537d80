//! The entity: one listed person, organisation, vessel or aircraft.

use crate::{Country, DateValue, PartialDate};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Stable identifier: `<dataset>:<source record key>`, e.g.
/// `us_ofac_sdn:36`, `us_trade_csl:deb7a1d5…`, `un_sc_sanctions:6908555`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntityId(pub String);

impl EntityId {
    pub fn new(dataset: &str, key: &str) -> Self {
        EntityId(format!("{dataset}:{}", key.trim()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityId({})", self.0)
    }
}

/// The kind of file a list comes in; decides the parser and the dataset name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// OFAC SDN, legacy CSV set (`sdn.csv` + `alt.csv`, `add.csv`, `sdn_comments.csv`) or SDN XML.
    OfacSdn,
    /// OFAC non-SDN consolidated list (`cons_*.csv` or `consolidated.xml`), incl. NS-CMIC.
    OfacConsolidated,
    /// trade.gov Consolidated Screening List CSV (13 US lists incl. the Entity List).
    TradeCsl,
    /// BIS Denied Persons List, tab-separated.
    BisDpl,
    /// UN Security Council consolidated list XML.
    UnSc,
    /// FollowTheMoney entity JSON lines (full export or delta).
    Ftm,
    /// A user's own list in Embargo's documented CSV format.
    Custom,
    /// The Xinjiang regime pack embedded in the binary.
    RegimePack,
    /// DHS UFLPA Entity List (the FLETF's consolidated register of the
    /// lists of Pub. L. 117-78 § 2(d)(2)(B)(i), (ii), (iv), (v)): the
    /// dhs.gov page's HTML tables or a CSV with the same columns.
    DhsUflpa,
}

impl SourceKind {
    pub const ALL: [SourceKind; 9] = [
        SourceKind::OfacSdn,
        SourceKind::OfacConsolidated,
        SourceKind::TradeCsl,
        SourceKind::BisDpl,
        SourceKind::UnSc,
        SourceKind::Ftm,
        SourceKind::Custom,
        SourceKind::RegimePack,
        SourceKind::DhsUflpa,
    ];

    /// Default dataset name, as used in entity ids and on the command line.
    pub fn dataset(&self) -> &'static str {
        match self {
            SourceKind::OfacSdn => "us_ofac_sdn",
            SourceKind::OfacConsolidated => "us_ofac_cons",
            SourceKind::TradeCsl => "us_trade_csl",
            SourceKind::BisDpl => "us_bis_dpl",
            SourceKind::UnSc => "un_sc_sanctions",
            SourceKind::Ftm => "ftm",
            SourceKind::Custom => "custom",
            SourceKind::RegimePack => "embargo_xinjiang_pack",
            SourceKind::DhsUflpa => "us_dhs_uflpa",
        }
    }

    /// Parses the names used on the command line (`ofac-sdn`, `csl`, …).
    pub fn from_cli(s: &str) -> Option<SourceKind> {
        let k = s.trim().to_ascii_lowercase().replace('-', "_");
        Some(match k.as_str() {
            "ofac_sdn" | "sdn" | "us_ofac_sdn" => SourceKind::OfacSdn,
            "ofac_cons" | "ofac_consolidated" | "cons" | "us_ofac_cons" => {
                SourceKind::OfacConsolidated
            }
            "csl" | "trade_csl" | "us_trade_csl" => SourceKind::TradeCsl,
            "dpl" | "bis_dpl" | "us_bis_dpl" => SourceKind::BisDpl,
            "un" | "un_sc" | "un_sc_sanctions" => SourceKind::UnSc,
            "ftm" | "followthemoney" | "opensanctions" => SourceKind::Ftm,
            "custom" | "user" => SourceKind::Custom,
            "pack" | "regime_pack" | "embargo_xinjiang_pack" => SourceKind::RegimePack,
            "uflpa" | "dhs_uflpa" | "us_dhs_uflpa" => SourceKind::DhsUflpa,
            _ => return None,
        })
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dataset())
    }
}

/// FollowTheMoney-style schema, reduced to what screening distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    Person,
    Organization,
    Company,
    Vessel,
    Aircraft,
    /// The source does not say (e.g. some CSL lists leave `type` empty).
    LegalEntity,
}

impl Schema {
    pub fn parse(s: &str) -> Option<Schema> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" => Schema::Person,
            "organization" | "organisation" | "entity" | "publicbody" | "public body" => {
                Schema::Organization
            }
            "company" => Schema::Company,
            "vessel" => Schema::Vessel,
            "aircraft" | "airplane" => Schema::Aircraft,
            "legalentity" | "legal entity" | "thing" | "" => Schema::LegalEntity,
            _ => return None,
        })
    }

    /// Organisations, companies and unknown legal entities can all be the
    /// same real-world body; persons, vessels and aircraft cannot.
    pub fn is_organisation_like(&self) -> bool {
        matches!(
            self,
            Schema::Organization | Schema::Company | Schema::LegalEntity
        )
    }

    /// Whether an entity of schema `self` can be the thing a query of
    /// schema `query` is looking for.
    pub fn compatible_with(&self, query: &Schema) -> bool {
        self == query
            || *self == Schema::LegalEntity
            || *query == Schema::LegalEntity
            || (self.is_organisation_like() && query.is_organisation_like())
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// How a name relates to the entity, as the source says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    Primary,
    /// "a.k.a.": a strong alias.
    Alias,
    /// "f.k.a.": a former name.
    FormerName,
    /// OFAC's and the UN's "low quality" / weak a.k.a.: too generic to screen on alone.
    WeakAlias,
    /// A name in the original script given beside the romanised one.
    NativeScript,
}

/// Given/family structure where the source provides it (OFAC XML, UN).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NameParts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patronymic: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Name {
    /// The name exactly as the source writes it (original script kept).
    pub value: String,
    pub kind: NameKind,
    /// BCP-47 language or ISO 15924 script tag when the source gives one (`zh`, `ru`, `Hans`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<NameParts>,
}

impl Name {
    pub fn new(value: impl Into<String>, kind: NameKind) -> Self {
        Name {
            value: value.into(),
            kind,
            lang: None,
            parts: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// The full address as one line, always filled when anything is known.
    pub full: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
}

/// A registration or document number: passport, national id, USCC, IMO, SWIFT/BIC, …
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// The source's own label ("Passport", "Unified Social Credit Code (USCC)", "IMO").
    pub kind: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A legal or documentary source for a fact: a Federal Register page, a CFR
/// section, an executive order, a press release.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Citation {
    /// Short cite as a lawyer writes it: `84 FR 54002`, `15 CFR 744.11`, `E.O. 13818`.
    pub cite: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Date of the cited act or document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Confidence as in RULES.md §0.1: V (verified), S (secondary), K, U.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
}

impl Citation {
    pub fn new(cite: impl Into<String>) -> Self {
        Citation {
            cite: cite.into(),
            url: None,
            date: None,
            confidence: None,
        }
    }
}

/// What an export-control listing (Entity List, MEU, UVL) requires, in the
/// words of the official record. `embargo-rules` parses `license_policy`
/// into per-ECCN rules; the model keeps the text verbatim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExportControl {
    /// e.g. "For all items subject to the EAR. (See §744.11 of the EAR)."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_requirement: Option<String>,
    /// e.g. "Case-by-case review for ECCNs 1A004, … ; presumption of denial for all other items".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_policy: Option<String>,
    /// Every FR notice that added or revised the entry: `84 FR 54002 10/09/19`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federal_register_notices: Vec<String>,
    /// Supplement 4 footnote markers ("1" for §734.9(e)(1), "4" for (e)(2)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footnotes: Vec<String>,
}

impl ExportControl {
    pub fn is_empty(&self) -> bool {
        self.license_requirement.is_none()
            && self.license_policy.is_none()
            && self.federal_register_notices.is_empty()
            && self.footnotes.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// OFAC "Linked To:": the designation is tied to that entity.
    LinkedTo,
    /// `target` owns (part of) this entity.
    OwnedBy,
    /// This entity owns (part of) `target`.
    Owns,
    /// `target` is a subsidiary of this entity.
    Parent,
    /// `target` controls this entity without (known) ownership.
    ControlledBy,
    /// Family member, associate, director, vessel operator, …
    Associate,
}

/// A relation to another entity, by id where the source resolves it and by
/// name always.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    pub target_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<EntityId>,
    /// Ownership share in percent, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// One listed subject, as one source version states it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: EntityId,
    pub schema: Schema,
    /// Dataset the entity came from (`us_ofac_sdn`, `us_trade_csl`, a custom list's name).
    pub dataset: String,
    /// Sub-list inside a consolidated source, as the source names it
    /// ("Entity List (EL) - Bureau of Industry and Security").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// `names[0]` is the primary name.
    pub names: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Countries of address, registration or operation (not nationality).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<Country>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<Country>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizenships: Vec<Country>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<DateValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Sanctions programme tags as the source writes them (`GLOMAG`, `SDGT`, `CMIC-EO13959`, `IFSR`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    #[serde(default, skip_serializing_if = "ExportControl::is_empty")]
    pub export_control: ExportControl,
    /// Date the listing took effect (first designation / FR effective date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<PartialDate>,
    /// Date the listing ended, where the source records removals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delisted_on: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Where each fact comes from. Required for every regime-pack entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
    /// Source facts without a typed home (vessel flag, call sign, tonnage,
    /// CMIC effective dates, …), keyed by FtM-style property names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Vec<String>>,
}

impl Entity {
    /// A new entity with one primary name and nothing else.
    pub fn new(id: EntityId, schema: Schema, dataset: &str, primary_name: &str) -> Self {
        Entity {
            id,
            schema,
            dataset: dataset.to_string(),
            list: None,
            names: vec![Name::new(primary_name.trim(), NameKind::Primary)],
            addresses: vec![],
            countries: vec![],
            nationalities: vec![],
            citizenships: vec![],
            birth_dates: vec![],
            birth_places: vec![],
            gender: None,
            titles: vec![],
            identifiers: vec![],
            programs: vec![],
            export_control: ExportControl::default(),
            listed_on: None,
            delisted_on: None,
            source_url: None,
            remarks: vec![],
            links: vec![],
            citations: vec![],
            properties: BTreeMap::new(),
        }
    }

    /// The display name: the primary name.
    pub fn caption(&self) -> &str {
        self.names.first().map(|n| n.value.as_str()).unwrap_or("")
    }

    /// Adds a name unless the same value is already there.
    pub fn add_name(&mut self, value: &str, kind: NameKind) {
        let v = value.trim();
        if !v.is_empty() && !self.names.iter().any(|n| n.value == v) {
            self.names.push(Name::new(v, kind));
        }
    }

    pub fn add_property(&mut self, key: &str, value: &str) {
        let v = value.trim();
        if !v.is_empty() {
            let vals = self.properties.entry(key.to_string()).or_default();
            if !vals.iter().any(|x| x == v) {
                vals.push(v.to_string());
            }
        }
    }

    /// Whether the listing is in force on `day`: listed on or before it and
    /// not removed by then. An unknown listing date counts as in force, since
    /// the source lists the entity now.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        let started = self.listed_on.is_none_or(|d| d.first_day() <= day);
        let ended = self.delisted_on.is_some_and(|d| d.first_day() <= day);
        started && !ended
    }

    /// All countries the entity is tied to (address, nationality, citizenship).
    pub fn all_countries(&self) -> impl Iterator<Item = Country> + '_ {
        self.countries
            .iter()
            .chain(&self.nationalities)
            .chain(&self.citizenships)
            .chain(self.addresses.iter().filter_map(|a| a.country.as_ref()))
            .copied()
    }
}

/// Metadata of one imported version of a list (one file, or one set of
/// files for OFAC's legacy CSV). Every screening result and decision names
/// the versions it used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    pub dataset: String,
    pub source: SourceKind,
    /// Human-readable version label: the publication date where the file
    /// states one, else the import date, plus a short hash.
    pub version: String,
    /// SHA-256 of the imported bytes (all files of a set, in a fixed order).
    pub sha256: String,
    /// When the source published this version. Versions read from the
    /// store always have it: from the file, the download's
    /// `Last-Modified`, the operator, or else the import date, as
    /// `published_basis` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    /// Where `published` comes from. `None` only in values written before
    /// the field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_basis: Option<crate::PublishedBasis>,
    pub imported_at: chrono::DateTime<chrono::Utc>,
    pub entity_count: u64,
    /// Where the bytes came from: a path or URL.
    pub origin: String,
}

impl ListVersion {
    /// `dataset@version`: how evidence, screens and audit records name a
    /// list version.
    pub fn label(&self) -> String {
        format!("{}@{}", self.dataset, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hikvision() -> Entity {
        let mut e = Entity::new(
            EntityId::new("us_trade_csl", "abc"),
            Schema::Organization,
            "us_trade_csl",
            " Hangzhou Hikvision Digital Technology Co., Ltd. ",
        );
        e.add_name("Hikvision", NameKind::Alias);
        e.add_name("Hikvision", NameKind::Alias);
        e.listed_on = Some("2019-10-09".parse().unwrap());
        e
    }

    #[test]
    fn caption_is_the_trimmed_primary_name_and_aliases_dedupe() {
        let e = hikvision();
        assert_eq!(
            e.caption(),
            "Hangzhou Hikvision Digital Technology Co., Ltd."
        );
        assert_eq!(e.names.len(), 2);
    }

    #[test]
    fn in_force_follows_listing_and_removal_dates() {
        let mut e = hikvision();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!e.in_force_on(d("2019-10-08")));
        assert!(e.in_force_on(d("2019-10-09")));
        e.delisted_on = Some("2023-11-16".parse().unwrap());
        assert!(e.in_force_on(d("2023-11-15")));
        assert!(!e.in_force_on(d("2023-11-16")));
    }

    #[test]
    fn entity_round_trips_through_json_without_empty_fields() {
        let e = hikvision();
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("addresses"), "{json}");
        let back: Entity = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn schema_compatibility_groups_legal_bodies() {
        assert!(Schema::Company.compatible_with(&Schema::Organization));
        assert!(Schema::LegalEntity.compatible_with(&Schema::Person));
        assert!(!Schema::Person.compatible_with(&Schema::Organization));
        assert!(!Schema::Vessel.compatible_with(&Schema::Company));
    }

    #[test]
    fn source_kinds_parse_from_cli_names() {
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::from_cli(k.dataset()), Some(k));
        }
        assert_eq!(SourceKind::from_cli("ofac-sdn"), Some(SourceKind::OfacSdn));
        assert_eq!(SourceKind::from_cli("nope"), None);
    }
}

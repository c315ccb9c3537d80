//! Procurement measures: NDAA FY2019 § 889 parts A and B and § 889(b)
//! (RULES.md §5.1, table P-889), the FCC Covered List equipment
//! authorisation ban (§5.2), and the UK central-government instruction
//! (§5.3).
//!
//! "Covered" producers come from list entries tagged `NDAA-889` /
//! `FCC-COVERED-LIST`, matched against the producing parties
//! (manufacturer, producer, supplier: an OEM or white-label product is
//! still "produced by" its maker, P3) and against stated owners (a
//! subsidiary or affiliate is covered with no percentage threshold, P4).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::listing::Regime;
use crate::resolver::PartyMatch;
use crate::screen::{evidence, Screen};
use crate::table::{self, TableError};
use crate::text::{contains_words, fold};
use crate::transaction::Role;
use crate::transaction::{
    Buyer, EquipmentUser, FccAuthorization, Flow, Purpose, Site, Transaction,
};
use chrono::NaiveDate;
use std::sync::LazyLock;

/// The caveat of a § 889 clear that rests on the stated purpose alone.
const PURPOSE_CAVEAT: &str = "Rests on the stated purpose, which Embargo cannot verify: this producer's equipment is covered when it is for public safety, the security of government facilities, critical infrastructure or national security (§ 889(f)(3)(B)).";

const AFF_FILE: &str = "covered_affiliates.tsv";
const AFF_TEXT: &str = include_str!("../data/covered_affiliates.tsv");

/// One row of `data/covered_affiliates.tsv`: words that name a covered
/// producer, one of its brands, subsidiaries or affiliates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Affiliate {
    pub words: &'static str,
    pub producer: &'static str,
    pub relation: &'static str,
    /// V, S or K (K never decides PROHIBITED on its own).
    pub confidence: &'static str,
    pub source: &'static str,
}

pub fn parse_affiliates(text: &'static str) -> Result<Vec<Affiliate>, TableError> {
    table::rows(AFF_FILE, text)
        .map(|r| {
            let words = r.get(0)?;
            if words != fold(words) {
                return Err(r.error(format!("{words:?} must be lower-case folded words")));
            }
            let confidence = r.get(3)?;
            if !matches!(confidence, "V" | "S" | "K") {
                return Err(r.error("confidence must be V, S or K"));
            }
            Ok(Affiliate {
                words,
                producer: r.get(1)?,
                relation: r.get(2)?,
                confidence,
                source: r.get(4)?,
            })
        })
        .collect()
}

static AFFILIATES: LazyLock<Vec<Affiliate>> =
    LazyLock::new(|| table::embedded(parse_affiliates(AFF_TEXT)));

pub fn affiliates() -> &'static [Affiliate] {
    &AFFILIATES
}

/// The covered producer, brand or affiliate named in `text`, if any.
pub fn affiliate_in(text: &str) -> Option<&'static Affiliate> {
    let t = fold(text);
    AFFILIATES.iter().find(|a| contains_words(&t, a.words))
}

/// Words that put an item in a covered category (video surveillance or
/// telecommunications equipment, § 889(f)(3)) when it is not tagged.
const CATEGORY_WORDS: &[&str] = &[
    "camera",
    "cameras",
    "cctv",
    "nvr",
    "dvr",
    "surveillance",
    "router",
    "routers",
    "radio",
    "radios",
    "telecommunications",
    "telecom",
    "base station",
    "handset",
    "smartphone",
    "smartphones",
    "network switch",
];

/// Whether the item is surveillance or telecom equipment: tagged, or
/// described with one of `CATEGORY_WORDS`.
pub fn covered_category(tx: &Transaction) -> bool {
    let Some(i) = &tx.item else { return false };
    if i.has_tag("video_surveillance") || i.has_tag("telecom") {
        return true;
    }
    let d = fold(i.description.as_deref().unwrap_or(""));
    CATEGORY_WORDS.iter().any(|w| contains_words(&d, w))
}

/// Whether the item's maker is stated: a manufacturer or producer party,
/// or `item.manufacturer` / `item.brand`. A supplier is not necessarily
/// the producer.
fn maker_stated(tx: &Transaction) -> bool {
    tx.parties
        .iter()
        .any(|p| matches!(p.role, Role::Manufacturer | Role::Producer))
        || tx.item.as_ref().is_some_and(|i| {
            i.manufacturer
                .as_deref()
                .is_some_and(|m| !m.trim().is_empty())
                || i.brand.as_deref().is_some_and(|b| !b.trim().is_empty())
        })
}

/// A covered producer named by a producing party, `item.manufacturer`,
/// `item.brand` or the item description, through the affiliates table.
struct Clue {
    source: String,
    aff: &'static Affiliate,
    /// From the description only: not a statement of who made the item.
    description: bool,
}

fn clues(tx: &Transaction) -> Vec<Clue> {
    let mut out = vec![];
    for p in tx.parties.iter().filter(|p| p.role.is_producer()) {
        if let Some(a) = affiliate_in(&p.name) {
            out.push(Clue {
                source: format!("{} \"{}\"", p.role.as_str(), p.name),
                aff: a,
                description: false,
            });
        }
    }
    if let Some(i) = &tx.item {
        for (key, v) in [
            ("item.manufacturer", &i.manufacturer),
            ("item.brand", &i.brand),
        ] {
            if let Some(a) = v.as_deref().and_then(affiliate_in) {
                out.push(Clue {
                    source: format!("{key} \"{}\"", v.as_deref().unwrap_or_default()),
                    aff: a,
                    description: false,
                });
            }
        }
        if let Some(a) = i.description.as_deref().and_then(affiliate_in) {
            out.push(Clue {
                source: format!(
                    "item.description \"{}\"",
                    i.description.as_deref().unwrap_or_default()
                ),
                aff: a,
                description: true,
            });
        }
    }
    out
}

/// The finding when no producer matched a covered list entry: a covered
/// producer named some other way (a known brand or affiliate, or the
/// description), or covered-category equipment whose maker is not stated.
/// `None`: nothing points to covered equipment.
fn unmatched(
    tx: &Transaction,
    f: &dyn Fn(Outcome, Confidence) -> Finding,
    purpose_limited_ok: Option<bool>,
) -> Option<Finding> {
    let cs = clues(tx);
    let firm = cs
        .iter()
        .find(|c| !c.description && c.aff.confidence != "K");
    if let Some(c) = firm {
        let limited = ["hikvision", "dahua", "hytera"]
            .iter()
            .any(|w| contains_words(&fold(c.aff.producer), w));
        let base = format!(
            "{} names \"{}\", {} of covered company \"{}\" ({}); § 889(f)(3) and the FCC Covered List reach subsidiaries and affiliates (P4).",
            c.source, c.aff.words, c.aff.relation, c.aff.producer, c.aff.source
        );
        return Some(if limited && purpose_limited_ok == Some(false) {
            f(Outcome::NotProhibited, Confidence::Uncertain)
                .reason(base)
                .reason("Its equipment is covered only for public-safety, government-facility, critical-infrastructure or national-security purposes; the stated purpose is none of them.")
                .caveat(PURPOSE_CAVEAT)
        } else {
            f(Outcome::Prohibited, Confidence::Uncertain)
                .cite("NDAA FY2019 § 889(f)(3)")
                .reason(base)
                .reason("Unless an exception (§ 889(a)(2)) or waiver applies.")
        });
    }
    if let Some(c) = cs.first() {
        let why = if c.description {
            "the description names it, but no manufacturer, producer, item.manufacturer or item.brand confirms who made the item"
        } else {
            "the affiliation is background knowledge, not an official listing"
        };
        return Some(
            f(Outcome::NeedsReview, Confidence::Uncertain).reason(format!(
                "{} points to \"{}\" ({}, {}); {why}: confirm the producer before proceeding.",
                c.source, c.aff.producer, c.aff.relation, c.aff.source
            )),
        );
    }
    if covered_category(tx) && !maker_stated(tx) {
        return Some(f(Outcome::NeedsReview, Confidence::Uncertain).reason(
            "Video surveillance or telecommunications equipment whose producer is not stated (no manufacturer or producer party, no item.manufacturer or item.brand): a supplier or reseller is not necessarily the producer, and § 889 turns on who produced the equipment and its substantial or essential components.",
        ));
    }
    None
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// § 889(f)(3) category of a covered producer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// (A) Huawei, ZTE: telecommunications equipment, any purpose.
    Telecom,
    /// (B) Hytera, Hikvision, Dahua: video surveillance and telecom
    /// equipment for public safety, government-facility security, critical
    /// infrastructure surveillance and other national-security purposes.
    PurposeLimited,
}

pub fn category(m: &PartyMatch) -> Category {
    // The pack records the paragraph; names are the fallback for other data.
    if let Some(p) = m
        .entity
        .properties
        .get("ndaa889Prong")
        .and_then(|v| v.first())
    {
        return if p == "B" {
            Category::PurposeLimited
        } else {
            Category::Telecom
        };
    }
    let names = m
        .entity
        .names
        .iter()
        .map(|n| fold(&n.value))
        .collect::<Vec<_>>()
        .join(" | ");
    if ["hikvision", "dahua", "hytera"]
        .iter()
        .any(|w| contains_words(&names, w))
    {
        Category::PurposeLimited
    } else {
        Category::Telecom
    }
}

/// The (B)-purpose qualifier (`Purpose::covered_889b`): `Some(true)` a
/// covered purpose, `Some(false)` a stated purpose outside them; `None`
/// when no purpose is stated or it is `other`. An unstated purpose is
/// treated as covered (C3: the conservative default); `other` gives
/// NEEDS_REVIEW, never a clear.
fn purpose_covered(tx: &Transaction) -> Option<bool> {
    tx.context.purpose.and_then(Purpose::covered_889b)
}

/// The producing parties (manufacturer, producer, supplier) a procurement
/// measure needs: without one it cannot tell whose equipment it is.
fn producers_named(tx: &Transaction) -> bool {
    tx.parties.iter().any(|p| p.role.is_producer()) || maker_stated(tx)
}

/// The missing-fact sentence for procurement without a producer.
pub const NO_PRODUCER: &str = "Missing fact: no manufacturer, producer or supplier is named (parties[].role), so whose equipment this is cannot be screened; name the producer of the equipment and of its substantial or essential components.";

struct Covered {
    party: String,
    role: String,
    m: PartyMatch,
    via_owner: Option<String>,
}

fn covered(tx: &Transaction, screen: &Screen, regime: Regime) -> Vec<Covered> {
    let mut out = vec![];
    if let Some(i) = &tx.item {
        for (key, v) in [
            ("item.manufacturer", &i.manufacturer),
            ("item.brand", &i.brand),
        ] {
            let Some(name) = v.as_deref().filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            for m in screen.hits(name, None, regime).in_force {
                out.push(Covered {
                    party: name.to_string(),
                    role: key.into(),
                    m,
                    via_owner: None,
                });
            }
        }
    }
    for p in tx.parties.iter().filter(|p| p.role.is_producer()) {
        for m in screen.hits(&p.name, p.country, regime).in_force {
            out.push(Covered {
                party: p.name.clone(),
                role: p.role.as_str().into(),
                m,
                via_owner: None,
            });
        }
        for o in tx
            .ownership
            .iter()
            .filter(|o| fold(&o.owned) == fold(&p.name))
        {
            for m in screen.hits(&o.owner, None, regime).in_force {
                out.push(Covered {
                    party: p.name.clone(),
                    role: p.role.as_str().into(),
                    m,
                    via_owner: Some(format!("{} ({}%)", o.owner, o.pct)),
                });
            }
        }
    }
    out
}

pub fn evaluate_889(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    let buyer = tx.context.buyer;
    if tx.flow != Flow::Procurement
        && !matches!(
            buyer,
            Some(Buyer::UsFederalAgency | Buyer::FederalGrantRecipient)
        )
    {
        return vec![];
    }
    let contractor_use = tx.context.equipment_used_by == Some(EquipmentUser::Contractor);
    let (rule, prong, effective, cites): (&str, &str, NaiveDate, &[&str]) = match buyer {
        Some(Buyer::FederalGrantRecipient) => (
            "RULES.md §5.1 § 889(b)",
            "§ 889(b) (grant and loan funds)",
            day(2020, 8, 13),
            &["NDAA FY2019 § 889(b) (Pub. L. 115-232)", "2 CFR 200.216"],
        ),
        _ if contractor_use => (
            "RULES.md §5.1 P2",
            "§ 889(a)(1)(B) (Part B: contractor use)",
            day(2020, 8, 13),
            &[
                "NDAA FY2019 § 889(a)(1)(B) (Pub. L. 115-232)",
                "FAR 52.204-25(b)(2)",
            ],
        ),
        _ => (
            "RULES.md §5.1 P1",
            "§ 889(a)(1)(A) (Part A: agency procurement)",
            day(2019, 8, 13),
            &[
                "NDAA FY2019 § 889(a)(1)(A) (Pub. L. 115-232)",
                "FAR 52.204-25(b)(1)",
            ],
        ),
    };
    let f = |o: Outcome, conf: Confidence| {
        Finding::new(Measure::Procurement889, o, rule, conf)
            .cites(cites.iter().copied())
            .dated(format!("{prong} effective"), effective)
    };
    match buyer {
        Some(Buyer::Private) | Some(Buyer::UkCentralGovernment) => {
            return vec![f(Outcome::NotProhibited, Confidence::Secondary)
                .reason("§ 889 binds US executive agencies and federal grant/loan recipients; the buyer is neither.")];
        }
        None => {
            return vec![f(Outcome::NeedsReview, Confidence::Secondary)
                .reason("Procurement without a stated buyer: § 889 applies only to executive agencies and grant recipients.")];
        }
        _ => {}
    }
    let before = || {
        f(Outcome::NotProhibited, Confidence::Secondary).reason(format!(
            "{prong} takes effect on {effective}; the transaction date {} is before it.",
            tx.date
        ))
    };
    let hits = covered(tx, screen, Regime::Ndaa889);
    if hits.is_empty() {
        if tx.date < effective {
            return vec![before()];
        }
        let limited_ok = if contractor_use {
            None
        } else {
            purpose_covered(tx)
        };
        if let Some(g) = unmatched(tx, &f, limited_ok) {
            return vec![g];
        }
        if !producers_named(tx) {
            return vec![f(Outcome::NeedsReview, Confidence::Uncertain).reason(NO_PRODUCER)];
        }
        return vec![f(Outcome::NotProhibited, Confidence::Secondary).reason(
            "No manufacturer, producer or supplier matched a § 889 covered company or its stated affiliates.",
        )];
    }
    let mut out = vec![];
    for c in hits {
        let cat = category(&c.m);
        let mut g = if tx.date < effective {
            f(Outcome::NotProhibited, Confidence::Secondary).reason(format!(
                "{prong} takes effect on {effective}; the transaction date {} is before it.",
                tx.date
            ))
        } else if tx
            .item
            .as_ref()
            .is_some_and(|i| i.has_tag("no_user_data_visibility"))
        {
            f(Outcome::NotProhibited, Confidence::Knowledge)
                .cite("NDAA FY2019 § 889(a)(2)(B)")
                .reason("Exception (a)(2)(B): the equipment cannot route or redirect user data traffic or permit visibility into user data.")
        } else if cat == Category::PurposeLimited && purpose_covered(tx) == Some(false) {
            f(Outcome::NotProhibited, Confidence::Uncertain)
                .reason(format!(
                    "{} equipment is covered only for public-safety, government-facility, critical-infrastructure or national-security purposes; the stated purpose is {}.",
                    c.m.entity.caption(),
                    purpose_text(tx)
                ))
                .caveat(PURPOSE_CAVEAT)
        } else if cat == Category::PurposeLimited
            && tx.context.purpose == Some(Purpose::Other)
            && !contractor_use
        {
            f(Outcome::NeedsReview, Confidence::Uncertain).reason(format!(
                "{} equipment is covered only for public-safety, government-facility, critical-infrastructure or national-security purposes; the stated purpose is {}, which is none of the known purpose codes: decide whether it falls within § 889(f)(3)(B) before proceeding.",
                c.m.entity.caption(),
                purpose_text(tx)
            ))
        } else {
            let conf = if contractor_use || purpose_covered(tx).is_none() {
                Confidence::Uncertain
            } else {
                Confidence::Secondary
            };
            let mut g = f(Outcome::Prohibited, conf)
                .cite("NDAA FY2019 § 889(f)(3)")
                .reason(format!(
                    "{prong}: the equipment is produced by covered company \"{}\"{}.",
                    c.m.entity.caption(),
                    match cat {
                        Category::Telecom => " (telecommunications equipment, § 889(f)(3)(A))",
                        Category::PurposeLimited =>
                            " (video surveillance / telecom for a covered purpose, § 889(f)(3)(B))",
                    }
                ));
            if contractor_use {
                g = g.reason("Part B bars award, extension or renewal to an entity that uses covered equipment anywhere, whether or not connected to the contract; whether a contractor's own CCTV falls within the purpose qualifier is unsettled (conservative default: prohibited).");
            }
            g.reason("Unless an exception (§ 889(a)(2)) or waiver applies; report under FAR 52.204-25(d) within 1 business day.")
        };
        if c.role != "manufacturer" && c.role != "producer" {
            g = g.reason(format!("\"{}\" appears as {}; an OEM / white-label product is still \"produced by\" its maker (P3).", c.party, c.role));
        }
        if let Some(o) = &c.via_owner {
            g = g.reason(format!("\"{}\" is a subsidiary or affiliate through {o}: covered with no percentage threshold (P4).", c.party));
        }
        out.push(g.evidence(evidence(&c.party, Some(&c.role), &c.m)));
    }
    out
}

/// The stated purpose as a reader sees it: the code, and the free-text
/// description beside it when given.
fn purpose_text(tx: &Transaction) -> String {
    let code = tx
        .context
        .purpose
        .map(|p| format!("\"{}\"", p.as_str()))
        .unwrap_or_else(|| "not stated".into());
    match tx.context.purpose_description.as_deref() {
        Some(d) if !d.trim().is_empty() => format!("{code} (described as \"{}\")", d.trim()),
        _ => code,
    }
}

/// RULES.md §5.2: new equipment authorisations from 2023-02-06.
pub fn evaluate_fcc(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    let Some(auth) = tx.context.fcc_authorization else {
        return vec![];
    };
    let cites = [
        "FCC 22-84 (88 FR 7592)",
        "Secure Equipment Act of 2021 (Pub. L. 117-55)",
        "47 CFR 2.903",
    ];
    let from = day(2023, 2, 6);
    let base = |o, rule: &str, conf| {
        Finding::new(Measure::FccCoveredList, o, rule, conf)
            .cites(cites)
            .dated("FCC 22-84 effective", from)
    };
    let mut hits = covered(tx, screen, Regime::FccCovered);
    if hits.is_empty() {
        hits = covered(tx, screen, Regime::Ndaa889);
    }
    if hits.is_empty() && tx.date >= from && auth == FccAuthorization::NewApplication {
        let mk = |o, c| base(o, "RULES.md §5.2 row 1", c);
        let plan = if tx.context.marketing_plan_approved == Some(true) {
            Some(false)
        } else {
            None
        };
        if let Some(g) = unmatched(tx, &mk, plan) {
            return vec![g];
        }
    }
    if !producers_named(tx) {
        return vec![
            base(Outcome::NeedsReview, "RULES.md §5.2", Confidence::Uncertain).reason(NO_PRODUCER),
        ];
    }
    if hits.is_empty() {
        return vec![base(
            Outcome::NotProhibited,
            "RULES.md §5.2",
            Confidence::Verified,
        )
        .reason("The device's producer did not match an FCC Covered List entity.")];
    }
    let mut out = vec![];
    for c in hits {
        let cat = category(&c.m);
        let f = if auth != FccAuthorization::NewApplication {
            base(Outcome::NeedsReview, "RULES.md §5.2 row 2", Confidence::Uncertain)
                .reason("Equipment already authorised is not automatically revoked by FCC 22-84; revocation is handled separately.")
        } else if tx.date < from {
            base(
                Outcome::NotProhibited,
                "RULES.md §5.2",
                Confidence::Verified,
            )
            .reason(format!("The authorisation ban applies from {from}."))
        } else if cat == Category::PurposeLimited
            && tx.context.marketing_plan_approved == Some(true)
        {
            base(Outcome::NotProhibited, "RULES.md §5.2 row 1", Confidence::Uncertain)
                .reason("An FCC-approved marketing and sales plan keeps the device from the covered purposes.")
                .caveat("Rests on the stated FCC approval of a marketing and sales plan, which Embargo cannot verify: without one the device cannot be authorised.")
        } else {
            base(Outcome::Prohibited, "RULES.md §5.2 row 1", Confidence::Secondary).reason(format!(
                "Covered equipment of \"{}\" cannot obtain an equipment authorisation (certification or SDoC) and so cannot be imported, marketed or sold in the US.",
                c.m.entity.caption()
            ))
        };
        out.push(f.evidence(evidence(&c.party, Some(&c.role), &c.m)));
    }
    out
}

/// RULES.md §5.3: the UK written statement of 2022-11-24 (policy).
pub fn evaluate_uk(tx: &Transaction) -> Vec<Finding> {
    if tx.context.buyer != Some(Buyer::UkCentralGovernment) {
        return vec![];
    }
    let from = day(2022, 11, 24);
    let cite = "UK written ministerial statement on surveillance equipment, Chancellor of the Duchy of Lancaster, 2022-11-24";
    let base = |o, conf| {
        Finding::new(Measure::UkProcurement, o, "RULES.md §5.3", conf)
            .cite(cite)
            .dated("statement", from)
    };
    let makers: Vec<_> = tx.parties.iter().filter(|p| p.role.is_producer()).collect();
    let chinese_maker = makers
        .iter()
        .find(|p| p.country.is_some_and(|c| matches!(c.as_str(), "CN" | "HK")));
    let unknown_country = makers.iter().find(|p| p.country.is_none());
    let surveillance = tx
        .item
        .as_ref()
        .is_some_and(|i| i.has_tag("video_surveillance"));
    let f = match (chinese_maker, tx.context.site) {
        _ if tx.date < from => base(Outcome::NotProhibited, Confidence::Secondary).reason("Before the 2022-11-24 instruction."),
        _ if makers.is_empty() => base(Outcome::NeedsReview, Confidence::Uncertain).reason(NO_PRODUCER),
        (None, _) if unknown_country.is_some() => base(Outcome::NeedsReview, Confidence::Uncertain)
            .reason(format!(
                "Missing fact: the country of {} \"{}\" (parties[].country) is not stated, so whether it is subject to the PRC National Intelligence Law is unknown.",
                unknown_country.map(|p| p.role.as_str()).unwrap_or_default(),
                unknown_country.map(|p| p.name.as_str()).unwrap_or_default()
            )),
        (None, _) => base(Outcome::NotProhibited, Confidence::Secondary)
            .reason("No producer subject to the PRC National Intelligence Law is named."),
        (Some(_), _) if !surveillance => base(Outcome::NeedsReview, Confidence::Secondary)
            .reason("The instruction concerns visual surveillance equipment; the item is not tagged as such."),
        (Some(p), None) => base(Outcome::NeedsReview, Confidence::Secondary)
            .reason(format!("Equipment by \"{}\" (PRC): prohibited on sensitive sites; the site is not stated (context.site).", p.name)),
        (Some(p), Some(Site::NotSensitive)) => base(Outcome::NotProhibited, Confidence::Secondary)
            .reason(format!("Equipment by \"{}\": the instruction covers sensitive sites only; early removal elsewhere is advised.", p.name)),
        (Some(p), Some(site)) => base(Outcome::Prohibited, Confidence::Secondary).reason(format!(
            "Departments must cease deploying visual surveillance equipment produced by companies subject to the PRC National Intelligence Law (\"{}\") onto sensitive sites ({site}). This is policy, not legislation; local authorities are not bound.",
            p.name
        )),
    };
    vec![f]
}

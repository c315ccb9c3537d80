//! BIS Entity List licence requirement: RULES.md §1, decision table EL-1
//! (EL1.1–EL1.9) and the review policy of §1.4.
//!
//! Inputs: the §748.5(c)–(f) parties (purchaser, intermediate and ultimate
//! consignee, end user) plus the real end user the actor knows of (EL1.2),
//! screened against Entity List entries in force on the transaction date;
//! the jurisdiction result (§2); stated ownership (Affiliates Rule window).
//! Each listed party yields its own finding.

use crate::el_policy;
use crate::finding::{Confidence, Finding, Measure, Outcome, ReviewPolicy};
use crate::jurisdiction::{FootnoteParty, Jurisdiction};
use crate::listing::{self, Regime};
use crate::ownership;
use crate::resolver::PartyMatch;
use crate::screen::{evidence, Screen};
use crate::transaction::{Item, Role, Transaction};
use chrono::NaiveDate;
use embargo_model::Country;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// RULES.md §1.2 EL1.5–EL1.7: the Affiliates Rule (FR Doc 2025-19001).
pub fn affiliates_rule_from() -> NaiveDate {
    day(2025, 9, 29)
}
pub fn affiliates_suspended_from() -> NaiveDate {
    day(2025, 11, 10)
}
pub fn affiliates_suspended_to() -> NaiveDate {
    day(2026, 11, 9)
}

/// Savings-clause completion deadlines of specific rules (EL1.9), keyed by
/// the FR page the entries cite. 88 FR 18983 (entries at 18985): exports
/// had to be completed before 2023-04-27.
const SAVINGS_DEADLINES: &[(&str, (i32, u32, u32))] = &[
    ("88 FR 18983", (2023, 4, 27)),
    ("88 FR 18985", (2023, 4, 27)),
];

const BASE_CITES: &[&str] = &[
    "15 CFR 744.11(a)",
    "15 CFR 744.16(a)-(c)",
    "15 CFR 748.5(c)-(f)",
];

/// A screened §748.5 party (or known real end user).
struct Subject {
    name: String,
    role: &'static str,
    country: Option<Country>,
    knowledge_only: bool,
}

fn subjects(tx: &Transaction) -> Vec<Subject> {
    let mut out: Vec<Subject> = tx
        .parties
        .iter()
        .filter(|p| p.role.is_748_5_party())
        .map(|p| Subject {
            name: p.name.clone(),
            role: p.role.as_str(),
            country: p.country,
            knowledge_only: false,
        })
        .collect();
    if let Some(eu) = &tx.knowledge.end_user {
        out.push(Subject {
            name: eu.clone(),
            role: Role::EndUser.as_str(),
            country: None,
            knowledge_only: true,
        });
    }
    out
}

/// Footnote-carrying EL parties for the §734.9(e) reach prong.
pub fn footnote_parties(tx: &Transaction, screen: &Screen) -> Vec<FootnoteParty> {
    let mut out = vec![];
    for s in subjects(tx) {
        let h = screen.hits(&s.name, s.country, Regime::EntityList);
        for (m, certain) in h
            .in_force
            .iter()
            .map(|m| (m, true))
            .chain(h.weak.iter().map(|m| (m, false)))
        {
            for f in listing::el_footnotes(&m.entity) {
                out.push(FootnoteParty {
                    footnote: f,
                    party: s.name.clone(),
                    certain,
                });
            }
        }
    }
    out
}

/// Whether the entry's License Requirement (EL1.1 last condition) is one
/// this engine understands as reaching `item`; `false` when the text says
/// something it does not parse, and the caller then says NEEDS_REVIEW
/// rather than guess.
///
/// Parsed forms (RULES.md §1.2 EL-1 scope):
/// - "For all items subject to the EAR" with no exception;
/// - the same with the standards-organization carve-out used on the Huawei
///   entries ("… EXCEPT for technology … when released to members of a
///   'standards organization' (see §772.1) …"): covers every item except a
///   technology release, which needs review against §772.1.
fn requirement_covers(m: &PartyMatch, item: &Item) -> bool {
    let Some(t) = &m.entity.export_control.license_requirement else {
        return true;
    };
    let l = t.to_ascii_lowercase();
    if !l.contains("all items subject to the ear") {
        return false;
    }
    if !l.contains("except") {
        return true;
    }
    let standards_carve_out =
        l.contains("standards organization") && l.matches("except").count() == 1;
    standards_carve_out && !item.has_tag("technology_release")
}

fn base(o: Outcome, rule: &str, conf: Confidence) -> Finding {
    Finding::new(Measure::EarEntityList, o, rule, conf).cites(BASE_CITES.iter().copied())
}

pub fn evaluate(tx: &Transaction, screen: &Screen, juris: &Jurisdiction) -> Vec<Finding> {
    let mut out = vec![];
    let mut notes = vec![];
    let item = tx.item.clone().unwrap_or_default();
    for s in subjects(tx) {
        let h = screen.hits(&s.name, s.country, Regime::EntityList);
        for m in &h.not_yet {
            if let Some(d) = m.entity.listed_on {
                notes.push(format!(
                    "{} matches \"{}\", listed only from {d}.",
                    s.name,
                    m.entity.caption()
                ));
            } else if let Some(l) = &m.listing {
                // Dated by the version history rather than the entry.
                notes.push(format!(
                    "{} matches \"{}\": {}.",
                    s.name,
                    m.entity.caption(),
                    l.summary()
                ));
            }
        }
        // The versions on record cannot tell whether the entry was listed
        // on the date: neither applied nor cleared.
        for m in &h.uncertain {
            out.push(
                base(Outcome::NeedsReview, "RULES.md §1.2 EL1.1 (listing date uncertain)", Confidence::Uncertain)
                    .evidence(evidence(&s.name, Some(s.role), m))
                    .reason(format!(
                        "{} \"{}\" matches Entity List entry \"{}\", but whether it was listed on {} cannot be told: {}.",
                        s.role,
                        s.name,
                        m.entity.caption(),
                        tx.date,
                        m.listing.as_ref().map(|l| l.summary()).unwrap_or_default()
                    )),
            );
        }
        for m in &h.removed {
            out.push(
                base(Outcome::NoLicenseRequired, "RULES.md §1.2 EL1.8", Confidence::Secondary)
                    .evidence(evidence(&s.name, Some(s.role), m))
                    .reason(format!(
                        "\"{}\" was removed from the Entity List effective {}: the EL requirement no longer applies.",
                        m.entity.caption(),
                        m.entity
                            .delisted_on
                            .map(|d| d.to_string())
                            .or_else(|| m.listing.as_ref().map(|l| format!("({})", l.summary())))
                            .unwrap_or_default()
                    )),
            );
        }
        for m in &h.weak {
            out.push(
                base(Outcome::NeedsReview, "RULES.md §1.2 EL1.1 (review-level match)", Confidence::Verified)
                    .evidence(evidence(&s.name, Some(s.role), m))
                    .reason(format!(
                        "{} \"{}\" resembles Entity List entry \"{}\" (score {:.2}): confirm or rule out the match.",
                        s.role,
                        s.name,
                        m.entity.caption(),
                        m.score
                    )),
            );
        }
        for m in &h.in_force {
            out.push(listed_party(tx, &s, m, juris, &item));
        }
    }
    out.extend(affiliates(tx, screen, juris));
    // A date older than every stored version of a list carrying Entity
    // List entries: absence there proves nothing (an entry added and
    // removed before then is in no version on record).
    let blind = screen.blind_spots(Regime::EntityList);
    if out.is_empty() && !blind.is_empty() {
        let mut f = base(
            Outcome::NeedsReview,
            "RULES.md §1.2 EL-1 (list history)",
            Confidence::Uncertain,
        )
        .reason(format!(
            "No purchaser, consignee or end user matched an Entity List entry listed on {}, but the lists on record do not reach back that far: {}.",
            tx.date,
            blind.join("; ")
        ));
        for n in notes.drain(..) {
            f = f.reason(n);
        }
        out.push(f);
    }
    if out.is_empty() {
        let mut f = base(
            Outcome::NoLicenseRequired,
            "RULES.md §1.2 EL-1",
            Confidence::Verified,
        )
        .reason(format!(
            "No purchaser, consignee or end user matched an Entity List entry in force on {}.",
            tx.date
        ));
        for n in notes {
            f = f.reason(n);
        }
        f = f.reason("This covers the Entity List only; a clean name screen says nothing about unstated parties or ownership.");
        out.push(f);
    }
    out
}

fn listed_party(
    tx: &Transaction,
    s: &Subject,
    m: &PartyMatch,
    juris: &Jurisdiction,
    item: &crate::transaction::Item,
) -> Finding {
    let e = &m.entity;
    let ev = evidence(&s.name, Some(s.role), m);
    let notices = listing::fr_notices(e);
    let listed = e.listed_on.map(|d| d.first_day());
    let who = if s.knowledge_only {
        format!(
            "The actor knows the real end user is \"{}\" (EL1.2, 'knowledge' per 15 CFR 772.1)",
            s.name
        )
    } else {
        format!("{} \"{}\"", s.role, s.name)
    };
    // Every finding about this entry carries its listing date and, where
    // the data itself is flagged uncertain ([U] in the entry's remarks,
    // e.g. Dahua's review policy, RULES.md §10 q1), says so.
    let uncertain: Vec<&String> = e.remarks.iter().filter(|r| r.contains("[U]")).collect();
    let dated = |mut f: Finding| {
        if let Some(d) = listed {
            f = f.dated("Entity List listing effective", d);
        }
        for r in &uncertain {
            f = f.caveat(format!("Data note on the entry: {r}"));
        }
        f
    };
    match juris.outcome {
        Outcome::NotSubject => {
            return dated(
                base(Outcome::NoLicenseRequired, "RULES.md §1.2 EL1.3", Confidence::Verified)
                    .evidence(ev)
                    .reason(format!("{who} is on the Entity List (\"{}\"), but the item is not subject to the EAR (docs/rules/jurisdiction.md): no EAR licence.", e.caption()))
                    .reason("Record: EL party present, item outside EAR jurisdiction. Other measures (OFAC, procurement) are unaffected."),
            );
        }
        Outcome::Indeterminate => {
            return dated(
                base(Outcome::NeedsReview, "RULES.md §1.2 EL1.1 / §2.4 J8", Confidence::Verified)
                    .evidence(ev)
                    .reason(format!("{who} is on the Entity List (\"{}\"); whether the item is subject to the EAR is undetermined, so the licence requirement cannot be ruled out.", e.caption())),
            );
        }
        _ => {}
    }
    if !requirement_covers(m, item) {
        return dated(
            base(Outcome::NeedsReview, "RULES.md §1.2 EL1.1", Confidence::Verified)
                .evidence(ev)
                .reason(format!(
                    "{who} is listed; its License Requirement reads \"{}\", which this engine does not parse: check whether it reaches the item.",
                    e.export_control.license_requirement.clone().unwrap_or_default()
                )),
        );
    }
    if tx.knowledge.en_route_on_listing_date == Some(true) {
        let deadline = notices.iter().find_map(|n| {
            SAVINGS_DEADLINES
                .iter()
                .find(|(c, _)| c == n)
                .map(|(_, (y, mo, d))| day(*y, *mo, *d))
        });
        let adding = notices.first().cloned();
        if deadline.is_none_or(|dl| tx.date < dl) {
            let mut f = base(Outcome::MayProceed, "RULES.md §1.2 EL1.9", Confidence::Secondary)
                .evidence(ev)
                .reason(format!("{who} is listed, but the shipment was en route aboard a carrier under an actual order when the listing took effect: it may proceed under its previous eligibility (savings clause)."));
            if let Some(a) = &adding {
                f = f.cite(format!("{a} (savings clause)"));
            }
            if let Some(dl) = deadline {
                f = f.dated("savings clause completion deadline (export before)", dl);
            }
            return dated(f);
        }
    }
    let (policy_text, period) = el_policy::text_on(e, tx.date);
    let (policy, why) = match el_policy::parse(&policy_text) {
        Some(p) => el_policy::review(&p, item.eccn.as_deref(), &item.tags, tx.date),
        None => {
            return dated(
                base(Outcome::LicenseRequired, "RULES.md §1.2 EL1.1", Confidence::Verified)
                    .evidence(ev)
                    .cites(notices.clone())
                    .reason(format!("{who} is listed (\"{}\"): licence required, no licence exceptions (744.16(b)).", e.caption()))
                    .reason(format!("Review policy text not understood by the engine: \"{policy_text}\"; review it manually.")),
            );
        }
    };
    let rule = if s.knowledge_only {
        "RULES.md §1.2 EL1.2"
    } else {
        "RULES.md §1.2 EL1.1"
    };
    let mut f = base(Outcome::LicenseRequired, rule, Confidence::Verified)
        .policy(policy)
        .evidence(ev)
        .cites(notices)
        .reason(format!(
            "{who} matches Entity List entry \"{}\", in force on {}.",
            e.caption(),
            tx.date
        ))
        .reason("The requirement follows from the party, not the item's sensitivity: all items subject to the EAR, including EAR99, software updates and technology releases.")
        .reason("No licence exceptions are available (15 CFR 744.16(b)).")
        .reason(format!("Review policy {}: {why}.", policy.as_str()));
    if let Some(p) = period {
        f = f.cite(p.citation).reason(format!(
            "The entry's review policy on {} is the text in force from {} ({}){}; the entry's current text may differ.",
            tx.date,
            p.from,
            p.citation,
            if p.confidence == "S" { ", dated from secondary sources" } else { "" }
        ));
    }
    if let Some(v) = juris.via_fdp {
        f = f
            .cite("15 CFR 744.11(a)(2)")
            .cite(v)
            .reason(format!("The foreign-made item is subject to the EAR through {v} (footnote designation on the entry)."));
    }
    if tx.flow == crate::transaction::Flow::Transfer {
        f = f.reason("In-country transfers need the licence too; the obligation falls on whoever transfers, US person or not.");
    }
    dated(f)
}

/// EL1.4–EL1.7: unlisted parties owned by listed entities.
fn affiliates(tx: &Transaction, screen: &Screen, juris: &Jurisdiction) -> Vec<Finding> {
    if tx.ownership.is_empty() {
        return vec![];
    }
    let edges = ownership::edges(tx);
    let mut seeds = vec![];
    let mut seed_policy: Vec<(String, ReviewPolicy)> = vec![];
    let item = tx.item.clone().unwrap_or_default();
    for e in &edges {
        for m in screen.hits(&e.owner, None, Regime::EntityList).in_force {
            seeds.push((e.owner.clone(), m.entity.caption().to_string()));
            let pol = el_policy::parse(&el_policy::text_on(&m.entity, tx.date).0)
                .map(|p| el_policy::review(&p, item.eccn.as_deref(), &item.tags, tx.date).0)
                .unwrap_or(ReviewPolicy::PresumptionOfDenial);
            seed_policy.push((crate::text::fold(&e.owner), pol));
        }
    }
    if seeds.is_empty() {
        return vec![];
    }
    let set = ownership::closure(&edges, &seeds);
    let mut out = vec![];
    for p in tx.parties.iter().filter(|p| p.role.is_748_5_party()) {
        let key = crate::text::fold(&p.name);
        if seeds.iter().any(|(n, _)| crate::text::fold(n) == key) {
            continue;
        }
        let flag = |why: String, rule: &str| {
            Finding::new(
                Measure::Flag,
                Outcome::RedFlagAffiliate,
                rule,
                Confidence::Secondary,
            )
            .cite("15 CFR Part 732, Supp. No. 3 (red flags)")
            .reason(why)
            .reason("EL1.2 still applies if the listed owner is the real end user.")
        };
        match set.get(&key) {
            Some(mem) if !mem.seed => {
                let chain = mem.chain.join(" -> ");
                let d = tx.date;
                if d < affiliates_rule_from() {
                    out.push(flag(format!("{} is owned {}% by listed entities ({chain}) but is not itself listed: no EL requirement from ownership alone before 2025-09-29.", p.name, mem.pct), "RULES.md §1.2 EL1.4"));
                } else if d < affiliates_suspended_from() {
                    let strictest = seed_policy
                        .iter()
                        .map(|(_, p)| *p)
                        .max()
                        .unwrap_or(ReviewPolicy::PresumptionOfDenial);
                    let o = if juris.outcome == Outcome::NotSubject {
                        Outcome::NoLicenseRequired
                    } else {
                        Outcome::LicenseRequired
                    };
                    let mut f = base(o, "RULES.md §1.2 EL1.5", Confidence::Uncertain)
                        .cite("FR Doc 2025-19001 (Affiliates Rule, effective 2025-09-29)")
                        .cite("15 CFR Part 744, Supp. No. 8")
                        .dated("Affiliates Rule effective", affiliates_rule_from())
                        .reason(format!("{} is owned {}% in aggregate by listed entities ({chain}): treated as listed under the Affiliates Rule; no licence exceptions.", p.name, mem.pct));
                    if o == Outcome::LicenseRequired {
                        f = f.policy(strictest).reason("With several listed owners the most restrictive review policy applies.");
                    }
                    out.push(f);
                } else if d <= affiliates_suspended_to() {
                    out.push(flag(format!("{} is owned {}% by listed entities ({chain}); the Affiliates Rule is suspended 2025-11-10 to 2026-11-09: listed entities and addresses only, keep red-flag diligence.", p.name, mem.pct), "RULES.md §1.2 EL1.6"));
                } else {
                    out.push(
                        base(Outcome::NeedsReview, "RULES.md §1.2 EL1.7", Confidence::Uncertain)
                            .reason(format!("{} is owned {}% by listed entities ({chain}); whether the Affiliates Rule revives after 2026-11-09 is unknown.", p.name, mem.pct)),
                    );
                }
            }
            Some(_) => {}
            None => {
                let held = ownership::member_holdings(&edges, &set, &p.name);
                if !held.is_empty() {
                    let pct: f64 = held.iter().map(|e| e.pct).sum();
                    out.push(flag(format!("{} is {}% owned by listed entities (below 50%): not treated as listed.", p.name, pct), "RULES.md §1.2 EL1.4"));
                }
            }
        }
    }
    out
}

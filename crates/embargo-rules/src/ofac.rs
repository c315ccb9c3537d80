//! OFAC SDN blocking and the 50 Percent Rule: RULES.md §4.1–§4.3 and
//! decision table OFAC-1 (O1–O3, O6).
//!
//! Steps: (1) US nexus from the actor and context; (2) seeds = every party,
//! owner and director name that strongly matches an SDN entry in force on
//! the date; (3) the aggregate-50 % fixed point over the stated ownership
//! (`ownership::closure`), holdings of different programmes aggregated;
//! (4) one finding per blocked party, flags for control without ownership.

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::listing::Regime;
use crate::ownership;
use crate::resolver::PartyMatch;
use crate::screen::{evidence, Screen};
use crate::text::fold;
use crate::transaction::{Flow, Role, Transaction};
use embargo_model::Country;

/// Whether US jurisdiction reaches the transaction (RULES.md §4.1 "who is
/// bound").
#[derive(Clone, Debug, PartialEq)]
pub enum Nexus {
    Us(String),
    None(String),
    Unknown(String),
}

pub fn nexus(tx: &Transaction) -> Nexus {
    if tx.actor.us_person == Some(true) {
        return Nexus::Us("the actor is a US person".into());
    }
    if tx
        .context
        .currency
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("USD"))
    {
        return Nexus::Us("payment in USD clears through US persons".into());
    }
    if tx.context.us_persons_involved == Some(true) {
        return Nexus::Us("US persons take part".into());
    }
    if tx.actor.country.is_some_and(|c| c.as_str() == "US") {
        return Nexus::Us("the actor is in the United States".into());
    }
    if tx
        .item
        .as_ref()
        .and_then(|i| i.origin)
        .is_some_and(|c| c.as_str() == "US")
    {
        return Nexus::Unknown(
            "US-origin goods: check whether US persons or the US financial system take part".into(),
        );
    }
    if tx.actor.us_person == Some(false) && tx.context.us_persons_involved != Some(true) {
        return Nexus::None("non-US actor, no stated US-person involvement or USD payment".into());
    }
    Nexus::Unknown("whether the actor is a US person is not stated".into())
}

/// Legal basis for a programme tag.
pub fn program_cites(programs: &[String]) -> Vec<String> {
    let mut out = vec![];
    for p in programs {
        let c = match p.to_ascii_uppercase().as_str() {
            "GLOMAG" => "EO 13818 (Global Magnitsky; 31 CFR Part 583)".to_string(),
            "UHRPA" => "Uyghur Human Rights Policy Act of 2020 § 6 (Pub. L. 116-145)".to_string(),
            other => format!("31 CFR Chapter V (programme {other})"),
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

struct Blocked {
    matches: Vec<(String, PartyMatch)>,
}

pub fn evaluate(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    let nx = nexus(tx);
    let edges = ownership::edges(tx);
    // Names to screen: parties, owners, directors.
    let mut names: Vec<(String, Option<Country>)> = tx
        .parties
        .iter()
        .map(|p| (p.name.clone(), p.country))
        .collect();
    names.extend(edges.iter().map(|e| (e.owner.clone(), None)));
    names.extend(
        tx.knowledge
            .directors
            .iter()
            .map(|d| (d.name.clone(), None)),
    );
    let mut blocked = Blocked { matches: vec![] };
    let mut weak: Vec<(String, PartyMatch)> = vec![];
    // Strong matches whose listing on the date the versions on record
    // cannot tell, and those certainly not listed then (`dating`).
    let mut uncertain: Vec<(String, PartyMatch)> = vec![];
    let mut not_listed: Vec<(String, PartyMatch)> = vec![];
    for (n, c) in &names {
        let h = screen.hits(n, *c, Regime::Sdn);
        for m in h.in_force {
            blocked.matches.push((n.clone(), m));
        }
        for m in h.weak {
            weak.push((n.clone(), m));
        }
        uncertain.extend(h.uncertain.into_iter().map(|m| (n.clone(), m)));
        not_listed.extend(
            h.not_yet
                .into_iter()
                .chain(h.removed)
                .map(|m| (n.clone(), m)),
        );
    }
    let seeds: Vec<(String, String)> = blocked
        .matches
        .iter()
        .map(|(n, m)| (n.clone(), m.entity.caption().to_string()))
        .collect();
    // Only owners blocked on the date aggregate (an owner designated later
    // never counts); a party that would be blocked only if an uncertain
    // owner counted is NEEDS_REVIEW, so the closure is run both ways.
    let set = ownership::closure(&edges, &seeds);
    let set_if = if uncertain.is_empty() {
        set.clone()
    } else {
        let mut seeds_if = seeds.clone();
        seeds_if.extend(
            uncertain
                .iter()
                .map(|(n, m)| (n.clone(), m.entity.caption().to_string())),
        );
        ownership::closure(&edges, &seeds_if)
    };
    let all_programs: Vec<String> = blocked
        .matches
        .iter()
        .flat_map(|(_, m)| m.entity.programs.clone())
        .collect();

    let mut out = vec![];
    let mut hit_any = false;
    for p in &tx.parties {
        let key = fold(&p.name);
        let direct: Vec<&PartyMatch> = blocked
            .matches
            .iter()
            .filter(|(n, _)| fold(n) == key)
            .map(|(_, m)| m)
            .collect();
        if !direct.is_empty() {
            hit_any = true;
            let mut f = prohibited_or_not(&nx, "RULES.md §4.5 O1").reason(format!(
                "{} \"{}\" is on the SDN list.",
                p.role.as_str(),
                p.name
            ));
            if p.role == Role::Signatory {
                f = f
                    .cite("OFAC FAQ 398")
                    .reason("US persons may not deal with a blocked individual even when they act for a non-blocked company (e.g. signing its contract).");
            }
            for m in direct {
                f = f
                    .cites(program_cites(&m.entity.programs))
                    .evidence(evidence(&p.name, Some(p.role.as_str()), m));
                // The entry's own date, else an exact day its history gives.
                if let Some(d) = m
                    .entity
                    .listed_on
                    .map(|d| d.first_day())
                    .or_else(|| m.listing.as_ref().and_then(|l| l.listed_since()))
                {
                    f = f.dated("SDN designation", d);
                }
            }
            out.push(finish(f, &nx, tx.flow));
            continue;
        }
        match set.get(&key) {
            Some(mem) if !mem.seed => {
                hit_any = true;
                let mut f = prohibited_or_not(&nx, "RULES.md §4.2 / §4.5 O1")
                    .cite("OFAC FAQ 401 (50 Percent Rule, 2014-08-13)")
                    .cites(program_cites(&all_programs))
                    .reason(format!(
                        "\"{}\" is owned {}% in aggregate, directly or indirectly, by blocked persons ({}): blocked by operation of the 50 Percent Rule although not itself listed.",
                        p.name,
                        mem.pct,
                        mem.holdings.join(", ")
                    ))
                    .reason(format!("Ownership chain: {}.", mem.chain.join(" -> ")));
                for (n, m) in &blocked.matches {
                    if mem.chain.first().is_some_and(|c| c == m.entity.caption())
                        || edges.iter().any(|e| fold(&e.owner) == fold(n))
                    {
                        let mut ev = evidence(n, Some("owner"), m);
                        ev.chain = mem.chain.clone();
                        f = f.evidence(ev);
                    }
                }
                out.push(finish(f, &nx, tx.flow));
            }
            _ if uncertain.iter().any(|(n, _)| fold(n) == key)
                || set_if.get(&key).is_some_and(|m| !m.seed) =>
            {
                hit_any = true;
                out.push(uncertain_finding(tx, p, &key, &uncertain, set_if.get(&key)));
            }
            _ => {
                let held = ownership::member_holdings(&edges, &set, &p.name);
                if !held.is_empty() {
                    let pct: f64 = held.iter().map(|e| e.pct).sum();
                    out.push(
                        Finding::new(Measure::Flag, Outcome::RedFlagAffiliate, "RULES.md §4.5 O3", Confidence::Verified)
                            .cite("OFAC FAQ 398")
                            .reason(format!("\"{}\" is {}% owned by blocked persons: below 50%, not blocked by the rule; watch for control and for dealings that benefit the blocked owner.", p.name, pct)),
                    );
                }
            }
        }
        // Directors and officers: control without ownership (O3).
        for d in tx
            .knowledge
            .directors
            .iter()
            .filter(|d| fold(&d.entity) == key)
        {
            for (n, m) in blocked
                .matches
                .iter()
                .filter(|(n, _)| fold(n) == fold(&d.name))
            {
                out.push(
                    Finding::new(Measure::Flag, Outcome::RedFlagControl, "RULES.md §4.5 O3", Confidence::Verified)
                        .cite("OFAC FAQ 398")
                        .evidence(evidence(n, Some("director"), m))
                        .reason(format!("SDN \"{}\" is a director or officer of \"{}\": control is not ownership, so the company is not blocked by the 50 Percent Rule, but any dealing with the SDN personally (e.g. as signatory) is prohibited.", m.entity.caption(), p.name)),
                );
            }
        }
        // RULES.md §4.3: sub-units of SDNs (subordinate XUAR public-security
        // organs, branches, institutes): `subunit::evaluate` gives the
        // NEEDS_REVIEW finding naming the parent; no clear here.
        if !matches!(nx, Nexus::None(_)) {
            if let Some(r) = crate::subunit::read(&p.name, p.address.as_deref()) {
                if matches!(r, crate::subunit::Reading::Organ { .. })
                    || crate::subunit::has_parent(screen, &r, Regime::Sdn)
                {
                    hit_any = true;
                }
            }
        }
    }
    // Inputs produced by an SDN: goods in which a blocked person has any
    // interest are blocked property; whether that interest survives the
    // sales down the chain is a question of fact.
    for i in &tx.inputs {
        let Some(prod) = &i.producer else { continue };
        // An uncertain listing date is reviewed the same way.
        let h = screen.hits(prod, None, Regime::Sdn);
        for m in h.in_force.into_iter().chain(h.uncertain) {
            hit_any = true;
            out.push(
                Finding::new(Measure::OfacSdn, Outcome::NeedsReview, "RULES.md §4.1 (blocked property)", Confidence::Knowledge)
                    .cites(program_cites(&m.entity.programs))
                    .evidence(evidence(prod, Some("input producer"), &m))
                    .reason(format!(
                        "Input \"{}\" was produced by SDN \"{}\": check whether a blocked person still has an interest in the goods or is paid through the chain.",
                        i.description.clone().unwrap_or_default(),
                        m.entity.caption()
                    )),
            );
        }
    }
    for (n, m) in &weak {
        hit_any = true;
        out.push(
            Finding::new(Measure::OfacSdn, Outcome::NeedsReview, "RULES.md §4.5 (review-level match)", Confidence::Verified)
                .evidence(evidence(n, None, m))
                .reason(format!("\"{n}\" resembles SDN \"{}\" (score {:.2}): confirm or rule out before proceeding.", m.entity.caption(), m.score)),
        );
    }
    // A clean screen for a date older than every stored version of a list
    // that carries SDNs cannot vouch for absence: an entry listed and
    // removed before then is in no version on record.
    let blind = screen.blind_spots(Regime::Sdn);
    if !hit_any && !blind.is_empty() {
        hit_any = true;
        let f = Finding::new(Measure::OfacSdn, Outcome::NeedsReview, "RULES.md §4.5 (list history)", Confidence::Uncertain)
            .cite("31 CFR Part 501")
            .reason(format!("No party matched an SDN entry listed on {}, but the lists on record do not reach back that far: {}.", tx.date, blind.join("; ")))
            .reason("Check the SDN list as it stood on the transaction date (OFAC recent actions, or import an older version with its publication date).");
        out.push(not_listed_notes(f, &not_listed));
    }
    if !hit_any {
        let mut f = Finding::new(Measure::OfacSdn, Outcome::NotProhibited, "RULES.md §4.5", Confidence::Verified)
            .cite("31 CFR Part 501")
            .reason(format!(
                "No party to the transaction is an SDN in force on {}, and none is owned 50% or more by blocked persons through the {} ownership link(s) given (see any red flags for minority ownership or SDN officers).",
                tx.date,
                edges.len()
            ))
            .reason("A clean name screen says nothing about ownership that was not stated.");
        if let Nexus::Unknown(w) | Nexus::None(w) = &nx {
            f = f.reason(format!("US nexus: {w}."));
        }
        out.push(not_listed_notes(f, &not_listed));
    } else if let Some(f) = out.iter_mut().find(|f| f.measure == Measure::OfacSdn) {
        *f = not_listed_notes(f.clone(), &not_listed);
    }
    out
}

/// Says which strong matches did not count because they were not listed on
/// the date (designated later, or removed before), with the interval used.
fn not_listed_notes(mut f: Finding, not_listed: &[(String, PartyMatch)]) -> Finding {
    for (n, m) in not_listed {
        let when = m.listing.as_ref().map(|l| l.summary()).unwrap_or_default();
        f = f
            .reason(format!(
                "\"{n}\" matches SDN entry \"{}\" ({}), which does not count for this date: {when}.",
                m.entity.caption(),
                m.entity.id
            ))
            .evidence(evidence(n, None, m));
    }
    f
}

/// NEEDS_REVIEW for a party whose blocking turns on an SDN entry whose
/// listing on the date the stored versions cannot tell: the party itself,
/// or an owner without whom the 50 % aggregate is not reached.
fn uncertain_finding(
    tx: &Transaction,
    p: &crate::transaction::Party,
    key: &str,
    uncertain: &[(String, PartyMatch)],
    member: Option<&ownership::Member>,
) -> Finding {
    let mut f = Finding::new(
        Measure::OfacSdn,
        Outcome::NeedsReview,
        "RULES.md §4.5 O1 (listing date uncertain)",
        Confidence::Uncertain,
    );
    let direct: Vec<&(String, PartyMatch)> =
        uncertain.iter().filter(|(n, _)| fold(n) == key).collect();
    let involved: Vec<&(String, PartyMatch)> = if direct.is_empty() {
        f = f.cite("OFAC FAQ 401 (50 Percent Rule, 2014-08-13)").reason(format!(
            "\"{}\" would be owned {}% in aggregate by blocked persons ({}) if every owner below counted as blocked on {}, but whether some were listed then cannot be told.",
            p.name,
            member.map(|m| m.pct).unwrap_or_default(),
            member.map(|m| m.holdings.join(", ")).unwrap_or_default(),
            tx.date
        ));
        uncertain.iter().collect()
    } else {
        f = f.reason(format!(
            "{} \"{}\" matches an SDN entry, but whether it was listed on {} cannot be told from the versions on record.",
            p.role.as_str(),
            p.name,
            tx.date
        ));
        direct
    };
    for (n, m) in involved {
        let why = m.listing.as_ref().map(|l| l.summary()).unwrap_or_default();
        let role = if fold(n) == key {
            p.role.as_str()
        } else {
            "owner"
        };
        f = f
            .cites(program_cites(&m.entity.programs))
            .reason(format!(
                "\"{}\" ({}): {why}.",
                m.entity.caption(),
                m.entity.id
            ))
            .evidence(evidence(n, Some(role), m));
    }
    f.reason("Neither applied from today's list nor cleared: check the list as it stood on the transaction date.")
}

fn prohibited_or_not(nx: &Nexus, rule: &str) -> Finding {
    let o = match nx {
        Nexus::Us(_) => Outcome::Prohibited,
        Nexus::None(_) => Outcome::NotProhibited,
        Nexus::Unknown(_) => Outcome::NeedsReview,
    };
    let rule = if matches!(nx, Nexus::None(_)) {
        "RULES.md §4.5 O2"
    } else {
        rule
    };
    Finding::new(Measure::OfacSdn, o, rule, Confidence::Verified)
}

/// Adds the nexus reasons, the reporting duty and the O2 flag.
fn finish(mut f: Finding, nx: &Nexus, flow: Flow) -> Finding {
    match nx {
        Nexus::Us(w) => {
            f = f
                .cite("31 CFR 501.603")
                .reason(format!("US nexus: {w}."))
                .reason(if flow == Flow::Payment {
                    "Block the funds (or reject the wire as appropriate) and report to OFAC within 10 business days."
                } else {
                    "No dealing in the blocked person's property or interests; report blocked property within 10 business days."
                });
        }
        Nexus::None(w) => {
            f = f.reason(format!("No OFAC prohibition: {w}. Material assistance can itself lead to designation (EO 13818 § 1(a)(iii)); see the DESIGNATION_RISK flag."));
        }
        Nexus::Unknown(w) => {
            f = f.reason(format!(
                "Prohibited if US jurisdiction reaches the dealing; {w}."
            ));
        }
    }
    f
}

/// O2: the designation-risk flag for non-US actors dealing with SDNs.
pub fn designation_risk(tx: &Transaction, findings: &[Finding]) -> Option<Finding> {
    let nx = nexus(tx);
    let dealing = findings
        .iter()
        .any(|f| f.measure == Measure::OfacSdn && f.rule.ends_with("O2"));
    (matches!(nx, Nexus::None(_)) && dealing).then(|| {
        Finding::new(Measure::Flag, Outcome::DesignationRisk, "RULES.md §4.5 O2", Confidence::Knowledge)
            .cite("EO 13818 § 1(a)(iii)")
            .reason("A non-US person dealing with a blocked person can be designated for materially assisting them.")
    })
}

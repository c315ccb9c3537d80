//! Never a silent clear on missing facts (issue 10 §5): the facts each
//! measure needs before it may say NOT_PROHIBITED / NO_LICENSE_REQUIRED /
//! NOT_APPLICABLE, and the engine step that turns a clear given without
//! them into NEEDS_REVIEW naming the missing fact.
//!
//! | measure | needs before a clear | without it |
//! |---|---|---|
//! | `EAR_JURISDICTION` | item, origin, location, destination, US content, FDP inputs | INDETERMINATE (in `jurisdiction`) |
//! | `EAR_ENTITY_LIST` | a §748.5(c)–(f) party (purchaser, intermediate / ultimate consignee, end user) or `knowledge.end_user`, unless the item is NOT_SUBJECT | NEEDS_REVIEW (here) |
//! | `EAR_COUNTRY_CHART` | destination; ECCN or EAR99 (`item.eccn`) | NEEDS_REVIEW (in `country_chart`) |
//! | `OFAC_SDN` | at least one party | NEEDS_REVIEW (here); the US nexus, when unknown, already gives NEEDS_REVIEW on a hit |
//! | `OFAC_CMIC` | at least one party (the issuer) | NEEDS_REVIEW (here) |
//! | `PROCUREMENT_889` | buyer; on or after the effective date, a manufacturer / producer / supplier; for Hikvision, Dahua, Hytera a purpose code (`other` → NEEDS_REVIEW) | NEEDS_REVIEW (in `procurement`) |
//! | `FCC_COVERED_LIST` | a manufacturer / producer / supplier | NEEDS_REVIEW (in `procurement`) |
//! | `UK_PROCUREMENT` | a producer and its country; the site for PRC producers | NEEDS_REVIEW (in `procurement`) |
//! | `EU_SANCTIONS` | — (only hits give findings; no clear is ever stated) | — |
//! | `UFLPA` | complete supply-chain tracing, else any clean screen is NEEDS_REVIEW | (in `import`) |
//! | `WRO` | a producer at some tier (`parties[]` producing role or `inputs[].producer`) or the inputs, unless tracing is `complete` | NEEDS_REVIEW (here) |
//! | `VISA` | — (never screenable) | — |
//!
//! The step only touches a finding that is a clear **and carries no
//! evidence** (the "nothing matched" finding of a measure): a clear that
//! rests on a matched record (a removal, a date before listing, no US
//! nexus for a hit) was decided on facts that were given.

use crate::consolidate::severity;
use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::transaction::{SupplyChainTracing, Transaction};

/// The fact `measure` lacks in `tx` for a clear, if any. `findings` are
/// the decision's other findings (the Entity List needs the jurisdiction
/// outcome).
pub fn missing(measure: Measure, tx: &Transaction, findings: &[Finding]) -> Option<String> {
    match measure {
        Measure::EarEntityList => {
            let not_subject = findings.iter().any(|f| {
                f.measure == Measure::EarJurisdiction && f.outcome == Outcome::NotSubject
            });
            let named = tx.parties.iter().any(|p| p.role.is_748_5_party())
                || tx.knowledge.end_user.is_some();
            (!named && !not_subject).then(|| {
                "Missing fact: no purchaser, intermediate consignee, ultimate consignee or end user is named (parties[].role, 15 CFR 748.5(c)-(f)), nor a known end user (knowledge.end_user); the Entity List requirement follows from those parties, so their absence clears nothing.".to_string()
            })
        }
        Measure::OfacSdn => tx.parties.is_empty().then(|| {
            "Missing fact: the transaction names no party (parties[]); there is nobody to screen against the SDN list, so no clearance can be given.".to_string()
        }),
        Measure::OfacCmic => tx.parties.is_empty().then(|| {
            "Missing fact: no issuer or counterparty is named (parties[]); whether the securities are of an NS-CMIC cannot be screened.".to_string()
        }),
        Measure::Wro => {
            let traced = tx.context.supply_chain_tracing == Some(SupplyChainTracing::Complete);
            let producer = tx.parties.iter().any(|p| p.role.is_producer())
                || tx.inputs.iter().any(|i| i.producer.is_some());
            (!traced && !producer && tx.inputs.is_empty()).then(|| {
                "Missing fact: no producer at any tier (a manufacturer, producer or supplier in parties[], or inputs[].producer) and no inputs are given; withhold release orders name producers and Xinjiang inputs, so their absence clears nothing.".to_string()
            })
        }
        _ => None,
    }
}

/// Turns each evidence-less clear whose measure lacks a needed fact into
/// NEEDS_REVIEW naming the fact. Citations and the rule are kept.
pub fn no_silent_clear(tx: &Transaction, findings: &mut [Finding]) {
    for i in 0..findings.len() {
        let f = &findings[i];
        if severity(f.outcome) != 1
            || !f.evidence.is_empty()
            || !f.measure.allows(Outcome::NeedsReview)
        {
            continue;
        }
        let Some(why) = missing(f.measure, tx, findings) else {
            continue;
        };
        let f = &mut findings[i];
        let was = f.outcome;
        f.outcome = Outcome::NeedsReview;
        f.confidence = Confidence::Uncertain;
        f.rule = format!("{} (missing facts)", f.rule);
        let screened = std::mem::take(&mut f.reasons);
        f.reasons.push(why);
        f.reasons.push(format!(
            "With the facts given the measure would have said {}; that is not a clearance. What it checked: {}",
            was.as_str(),
            screened.join(" ")
        ));
    }
}

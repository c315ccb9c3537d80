//! NS-CMIC securities prohibitions: RULES.md §4.4 and OFAC-1 rows O4/O5
//! (EO 13959 as amended by EO 14032; 31 CFR Part 586).
//!
//! Runs for investment flows and for items tagged
//! `publicly_traded_security`. A US person may not purchase or sell
//! publicly traded securities of a listed company from 60 days after its
//! listing (or the effective date the entry states); divestment sales are
//! allowed for 365 days after listing. There is no 50 % rule: only the
//! listed company itself is caught (O5).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::listing::Regime;
use crate::screen::{evidence, Screen};
use crate::transaction::{Flow, Transaction};
use chrono::{Days, NaiveDate};
use embargo_model::listing::ListingStatus;
use embargo_model::{Entity, PartialDate};

const CITES: &[&str] = &["EO 13959", "EO 14032", "31 CFR Part 586"];

/// Property keys under which a pack may record the prohibition date.
const EFFECTIVE_KEYS: &[&str] = &["cmicEffectiveDate", "effective_date", "effectiveDate"];

/// Day the purchase/sale prohibition starts for this entry.
pub fn effective(e: &Entity) -> Option<NaiveDate> {
    for k in EFFECTIVE_KEYS {
        if let Some(v) = e.properties.get(*k).and_then(|v| v.first()) {
            if let Ok(PartialDate::Day(d)) = PartialDate::parse_iso(v) {
                return Some(d);
            }
        }
    }
    e.listed_on
        .map(|d| d.first_day())
        .and_then(|d| d.checked_add_days(Days::new(60)))
}

/// End of the 365-day divestment window: the stated date, else listing
/// date plus 365 days.
pub fn divestment_end(e: &Entity) -> Option<NaiveDate> {
    if let Some(v) = e
        .properties
        .get("cmicDivestmentDate")
        .and_then(|v| v.first())
    {
        if let Ok(PartialDate::Day(d)) = PartialDate::parse_iso(v) {
            return Some(d);
        }
    }
    e.listed_on
        .map(|d| d.first_day())
        .and_then(|d| d.checked_add_days(Days::new(365)))
}

pub fn applies(tx: &Transaction) -> bool {
    tx.flow == Flow::Investment
        || tx
            .item
            .as_ref()
            .is_some_and(|i| i.has_tag("publicly_traded_security"))
}

pub fn evaluate(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    if !applies(tx) {
        return vec![];
    }
    let mut out = vec![];
    for p in &tx.parties {
        let h = screen.hits(&p.name, p.country, Regime::Cmic);
        for m in h.in_force.iter().chain(h.not_yet.iter()) {
            let e = &m.entity;
            let ev = evidence(&p.name, Some(p.role.as_str()), m);
            let eff = effective(e);
            let base = |o| {
                Finding::new(
                    Measure::OfacCmic,
                    o,
                    "RULES.md §4.5 O4",
                    Confidence::Secondary,
                )
                .cites(CITES.iter().copied())
            };
            // An entry the version history dates after the transaction and
            // that states no effective date of its own was simply not
            // listed yet (`dating`).
            let not_yet = m
                .listing
                .as_ref()
                .filter(|l| l.status == ListingStatus::NotListed && eff.is_none());
            let f = match eff {
                _ if not_yet.is_some() => base(Outcome::NotProhibited).reason(format!(
                    "\"{}\" matches an NS-CMIC entry that does not count for this date: {}.",
                    e.caption(),
                    not_yet.map(|l| l.summary()).unwrap_or_default()
                )),
                Some(d) if tx.date < d => base(Outcome::NotProhibited)
                    .dated("prohibition effective", d)
                    .reason(format!(
                        "\"{}\" is an NS-CMIC entry but the prohibition only starts on {d}.",
                        e.caption()
                    )),
                _ if tx.actor.us_person == Some(false) => base(Outcome::NotProhibited)
                    .reason("The prohibition binds US persons only; the actor is not a US person."),
                _ => {
                    let mut f = base(Outcome::Prohibited)
                        .reason(format!("US persons may not purchase or sell publicly traded securities of NS-CMIC \"{}\" (or derivatives or securities giving exposure to them).", e.caption()));
                    if let Some(d) = eff {
                        f = f.dated("prohibition effective", d);
                    }
                    if let Some(end) = divestment_end(e) {
                        if tx.date < end {
                            f = f
                                .dated("divestment window ends", end)
                                .reason(format!("Sales solely to divest, to non-US persons, are permitted until {end} (365 days after listing)."));
                        }
                    }
                    f
                }
            };
            out.push(f.evidence(ev));
        }
        // Listing on the date unknown from the versions on record.
        for m in &h.uncertain {
            out.push(
                Finding::new(Measure::OfacCmic, Outcome::NeedsReview, "RULES.md §4.5 O4 (listing date uncertain)", Confidence::Uncertain)
                    .cites(CITES.iter().copied())
                    .evidence(evidence(&p.name, Some(p.role.as_str()), m))
                    .reason(format!(
                        "\"{}\" matches NS-CMIC entry \"{}\", but whether it was listed on {} cannot be told: {}.",
                        p.name,
                        m.entity.caption(),
                        tx.date,
                        m.listing.as_ref().map(|l| l.summary()).unwrap_or_default()
                    )),
            );
        }
    }
    if out.is_empty() {
        out.push(
            Finding::new(Measure::OfacCmic, Outcome::NotProhibited, "RULES.md §4.5 O5", Confidence::Secondary)
                .cites(CITES.iter().copied())
                .reason("No issuer or counterparty matched an NS-CMIC entry. The 50% rule does not apply to NS-CMIC: unlisted subsidiaries of listed companies are not covered."),
        );
    }
    out
}

//! The decision engine: runs every measure of RULES.md §0.3 over one
//! transaction and collects their findings. Measures are independent (§0.3
//! principle 3): each sees the same screened parties and none can suppress
//! another's finding. The only data passed between them is the
//! jurisdiction result, which the Entity List and Country Chart steps need
//! by law (they reach only "items subject to the EAR").

use crate::dating::ListingDates;
use crate::finding::{Decision, Finding};
use crate::resolver::PartyResolver;
use crate::screen::Screen;
use crate::transaction::Transaction;
use crate::{
    actions, cmic, consolidate, country_chart, coverage, dated, entity_list, eu, facts, geography,
    import, jurisdiction, ofac, procurement, subunit, visa,
};
use embargo_model::Entity;
use std::sync::Arc;

pub struct Engine {
    listings: Vec<Arc<Entity>>,
    resolver: Box<dyn PartyResolver>,
    /// When each entry was listed, from stored version histories; without
    /// it entries answer from their own dates (`dating`).
    dates: Option<Arc<dyn ListingDates>>,
    /// Which datasets the listings come from (`coverage`).
    sources: coverage::Sources,
}

impl Engine {
    /// `listings`: the regime pack and store entities (Entity List entries
    /// with listing/removal dates and licence texts, SDNs, NS-CMIC, §889,
    /// FCC, UFLPA). `resolver` finds candidates for party names; it should
    /// index the same entities. Takes owned or shared entities (`Entity`
    /// or `Arc<Entity>`), so a caller that already shares them (the
    /// matcher's index) does not copy them.
    pub fn new<I, E>(listings: I, resolver: Box<dyn PartyResolver>) -> Engine
    where
        I: IntoIterator<Item = E>,
        E: Into<Arc<Entity>>,
    {
        let listings: Vec<Arc<Entity>> = listings.into_iter().map(Into::into).collect();
        Engine {
            sources: coverage::Sources::of(&listings),
            listings,
            resolver,
            dates: None,
        }
    }

    /// Evaluates every measure against when each matched entry was listed
    /// (`dating`), not against the entries as they stand today.
    pub fn with_listing_dates(mut self, dates: Arc<dyn ListingDates>) -> Engine {
        self.dates = Some(dates);
        self
    }

    pub fn listings(&self) -> &[Arc<Entity>] {
        &self.listings
    }

    /// The datasets the engine's listings come from, per regime.
    pub fn sources(&self) -> &coverage::Sources {
        &self.sources
    }

    pub fn decide(&self, tx: &Transaction) -> Decision {
        let screen = Screen::new(self.resolver.as_ref(), tx.date).with_dates(self.dates.as_deref());
        let mut findings: Vec<Finding> = vec![];

        // S2/S3: EAR (export, reexport, in-country transfer only).
        if tx.flow.is_ear_flow() {
            let fp = entity_list::footnote_parties(tx, &screen);
            let juris = jurisdiction::evaluate(tx, &fp);
            findings.push(juris.finding.clone());
            findings.extend(entity_list::evaluate(tx, &screen, &juris));
            if juris.outcome != crate::finding::Outcome::NotSubject {
                let eccn = tx.item.as_ref().and_then(|i| i.eccn.as_deref());
                findings.push(country_chart::evaluate_on(eccn, tx.destination, tx.date));
            }
        }
        // S6: OFAC, for every flow (visa included: RULES.md §11 E1).
        let sdn = ofac::evaluate(tx, &screen);
        let risk = ofac::designation_risk(tx, &sdn);
        findings.extend(sdn);
        findings.extend(risk);
        findings.extend(cmic::evaluate(tx, &screen));
        // Sub-units of listed or blocked bodies (EAR and OFAC).
        findings.extend(subunit::evaluate(tx, &screen));
        // S7: procurement.
        findings.extend(procurement::evaluate_889(tx, &screen));
        findings.extend(procurement::evaluate_fcc(tx, &screen));
        findings.extend(procurement::evaluate_uk(tx));
        findings.extend(eu::evaluate(tx, &screen));
        // S8: import.
        findings.extend(import::evaluate_uflpa(tx, &screen));
        findings.extend(import::evaluate_wro(tx));
        // S10: visa.
        findings.extend(visa::evaluate(tx));
        // S9: geography flags for parties, the known end user and inputs.
        findings.extend(geography_flags(tx));

        // Post-processing (issue 10 §4–5): no clear without the facts a
        // measure needs, no Verified OFAC answer on the pack alone, and
        // one finding per measure per party.
        facts::no_silent_clear(tx, &mut findings);
        coverage::qualify_ofac(&self.sources, &mut findings);
        let mut findings = consolidate::consolidate(findings);
        // The law as it stood on the date: citations in that day's
        // numbering, no Federal Register document before its publication.
        dated::as_of(&mut findings, tx.date);
        // What to do about each finding, and whose duty it is.
        actions::assign(tx, &mut findings);
        // Every clear of uncertain confidence says why it is no clearance.
        crate::finding::settle_caveats(&mut findings);
        let ownership = crate::ownership::graph(tx, &screen);

        Decision {
            decision_id: None,
            evaluated_for: tx.date,
            evaluated_at: None,
            input: tx.clone(),
            list_versions: screen.versions(),
            findings,
            ownership,
        }
    }
}

fn geography_flags(tx: &Transaction) -> Vec<Finding> {
    let mut out = vec![];
    for p in &tx.parties {
        let text = format!("{} {}", p.name, p.address.clone().unwrap_or_default());
        let mut n = geography::scan(&text, p.country);
        if let Some(r) = &p.registration_id {
            let u = geography::scan_uscc(r);
            n.xinjiang.extend(u.xinjiang);
            n.xpcc.extend(u.xpcc);
        }
        out.extend(geography::findings(
            &format!("{} \"{}\"", p.role.as_str(), p.name),
            &n,
        ));
    }
    if let Some(eu) = &tx.knowledge.end_user {
        out.extend(geography::findings(
            &format!("known end user \"{eu}\""),
            &geography::scan(eu, None),
        ));
    }
    // An owner with an XPCC or Xinjiang nexus gives its holding the nexus
    // too (G-2 consequence 1: run the 50 % check against the XPCC).
    for o in &tx.ownership {
        let n = geography::scan(&o.owner, None);
        let subject = format!("\"{}\" (owned {}% by \"{}\")", o.owned, o.pct, o.owner);
        out.extend(geography::findings(&subject, &n));
    }
    for i in &tx.inputs {
        let text = format!(
            "{} {}",
            i.origin_region.clone().unwrap_or_default(),
            i.producer.clone().unwrap_or_default()
        );
        let what = i.description.clone().unwrap_or_else(|| "input".into());
        out.extend(geography::findings(
            &format!("input \"{what}\""),
            &geography::scan(&text, None),
        ));
    }
    out
}

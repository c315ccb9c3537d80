//! Which sources the engine holds, and what an OFAC result may claim on
//! them (issue 10 §5: "OFAC confidence Verified never rests on the pack
//! alone").
//!
//! `Sources::of` is computed once in `Engine::new` from the engine's own
//! listings: for each regime (`listing::regimes`) the datasets holding its
//! entries, with the embedded regime pack (dataset `REGIME_PACK_DATASET`)
//! told apart from imported lists. The engine therefore knows, without
//! being told, whether an official SDN list (the SDN file itself, or the
//! CSL's SDN rows) was loaded.
//!
//! When none was, `qualify_ofac` lowers every `OFAC_SDN` finding and OFAC
//! flag (rules `RULES.md §4.x`) that says `V`: a clean result becomes `U`
//! with the reason "only the embedded N-entry regime pack was consulted;
//! import the SDN list", a hit on a pack entry becomes `S` (the pack
//! transcribes the designation; confirm it on the SDN list). The outcome is
//! kept: worked case B4a (pack only) expects OFAC_SDN NOT_PROHIBITED, and
//! the pack's GLOMAG/UHRPA entries are right as far as they go.

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::listing::{self, Regime};
use embargo_model::Entity;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The embedded regime pack's dataset name (`embargo_pack::DATASET`; this
/// crate does not depend on the pack, a test checks they agree).
pub const REGIME_PACK_DATASET: &str = "embargo_xinjiang_pack";

/// The datasets the engine's listings come from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sources {
    /// Entries per dataset.
    pub datasets: BTreeMap<String, usize>,
    /// SDN-regime entries per dataset (pack included).
    pub sdn: BTreeMap<String, usize>,
}

impl Sources {
    pub fn of(listings: &[Arc<Entity>]) -> Sources {
        let mut s = Sources::default();
        for e in listings {
            *s.datasets.entry(e.dataset.clone()).or_default() += 1;
            if listing::is(e, Regime::Sdn) {
                *s.sdn.entry(e.dataset.clone()).or_default() += 1;
            }
        }
        s
    }

    /// Entries of the embedded regime pack.
    pub fn pack_entries(&self) -> usize {
        self.datasets.get(REGIME_PACK_DATASET).copied().unwrap_or(0)
    }

    /// Whether an SDN list other than the regime pack is loaded.
    pub fn has_official_sdn(&self) -> bool {
        self.sdn
            .iter()
            .any(|(d, n)| d != REGIME_PACK_DATASET && *n > 0)
    }
}

fn is_ofac(f: &Finding) -> bool {
    f.measure == Measure::OfacSdn || (f.measure == Measure::Flag && f.rule.contains("ofac-sdn.md"))
}

/// Lowers OFAC confidence that would rest on the regime pack alone (see the
/// module header). Does nothing when an official SDN list is loaded.
pub fn qualify_ofac(sources: &Sources, findings: &mut [Finding]) {
    if sources.has_official_sdn() {
        return;
    }
    let pack = sources.pack_entries();
    let sdn = sources.sdn.get(REGIME_PACK_DATASET).copied().unwrap_or(0);
    for f in findings.iter_mut().filter(|f| is_ofac(f)) {
        let clean = f.evidence.is_empty() && f.outcome == Outcome::NotProhibited;
        if clean {
            f.set_caveat(format!(
                "Only the embedded {pack}-entry regime pack was consulted ({sdn} SDN entries tied to Xinjiang); no SDN list is loaded. Import the SDN list for a full screen: this result is not a general OFAC clearance."
            ));
        } else if f.confidence == Confidence::Verified {
            f.confidence = Confidence::Secondary;
            f.reasons.push(format!(
                "Rests on the embedded {pack}-entry regime pack's transcription of the designation; no SDN list is loaded. Import the SDN list to confirm."
            ));
        }
    }
}

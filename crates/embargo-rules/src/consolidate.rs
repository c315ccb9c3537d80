//! One finding per measure per party (issue 10 §4).
//!
//! Measure modules emit one finding per matched list record, which keeps
//! them simple: Huawei's eight Entity List rows give eight findings, and
//! Hikvision's CSL row, CMIC row and pack entry each give their own. This
//! post-processing step of `Engine::decide` folds every finding of the same
//! measure about the same party into one:
//!
//! - **Key.** (measure, party name folded by `text::fold`) where every
//!   evidence entry of the finding names that party. Findings without
//!   evidence (clean results, missing facts), findings about several
//!   parties (UFLPA's producers), 50 %-rule findings (their evidence is the
//!   owner chain, not the party) and `FLAG` findings (each flag outcome is
//!   its own fact) are left as they are.
//! - **Outcome.** The most restrictive of the per-record outcomes, by
//!   `severity`:
//!   PROHIBITED = PRESUMED_PROHIBITED = DETAINED =
//!   LICENSE_REQUIRED_LIKELY_DENIED (5) > LICENSE_REQUIRED = SUBJECT (4) >
//!   NEEDS_REVIEW = INDETERMINATE = NOT_SCREENABLE (3) > MAY_PROCEED =
//!   EXCEPTION_POSSIBLE (2) > NO_LICENSE_REQUIRED = NOT_PROHIBITED =
//!   NOT_APPLICABLE = NOT_SUBJECT (1). Ties go to the stricter review policy,
//!   then to the higher match score, then to the earlier finding. So a
//!   review-level candidate (a 0.74 CSL row) beside a confident hit of the
//!   same measure becomes additional evidence of the hit's finding, while
//!   beside a clear (a removed entry) it still makes the party
//!   NEEDS_REVIEW: folding never turns a review into a clear.
//! - **Review policy.** The strictest among the records with the chosen
//!   outcome (EL1.5: the most restrictive applies).
//! - **Confidence.** The weakest among the records with the chosen outcome.
//! - **Evidence, citations, dates.** Every record's, de-duplicated, the
//!   deciding record first. **Reasons**: the deciding finding's, the
//!   distinct reasons of records with the same outcome, and one line per
//!   record with another outcome naming that record and what it alone gave.
//!
//! The merged finding sits where the first of its records did, so findings
//! keep the pipeline order of RULES.md §0.3.

use crate::finding::{Finding, Measure, Outcome};
use crate::text::fold;
use std::collections::HashMap;

/// How restrictive an outcome is (higher = more restrictive); the ordering
/// documented in the module header.
pub fn severity(o: Outcome) -> u8 {
    use Outcome::*;
    match o {
        Prohibited | PresumedProhibited | Detained | LicenseRequiredLikelyDenied => 5,
        LicenseRequired | Subject => 4,
        NeedsReview | Indeterminate | NotScreenable => 3,
        XinjiangNexus | XpccNexus | RedFlagAffiliate | RedFlagControl | DesignationRisk => 3,
        MayProceed | ExceptionPossible => 2,
        NoLicenseRequired | NotProhibited | NotApplicable | NotSubject => 1,
    }
}

/// The party a finding is about, when it is about exactly one matched
/// party (see the module header for what is left alone).
fn party_key(f: &Finding) -> Option<String> {
    if f.measure == Measure::Flag || f.evidence.is_empty() {
        return None;
    }
    if f.evidence.iter().any(|e| !e.chain.is_empty()) {
        return None;
    }
    let first = fold(&f.evidence[0].party);
    f.evidence[1..]
        .iter()
        .all(|e| fold(&e.party) == first)
        .then_some(first)
}

fn best_score(f: &Finding) -> f64 {
    f.evidence.iter().map(|e| e.score).fold(0.0, f64::max)
}

/// Folds findings of the same measure about the same party into one.
pub fn consolidate(findings: Vec<Finding>) -> Vec<Finding> {
    // Slots in output order: a lone finding or a group of records.
    let mut slots: Vec<Vec<Finding>> = vec![];
    let mut by_key: HashMap<(Measure, String), usize> = HashMap::new();
    for f in findings {
        match party_key(&f) {
            Some(k) => match by_key.get(&(f.measure, k.clone())) {
                Some(&i) => slots[i].push(f),
                None => {
                    by_key.insert((f.measure, k), slots.len());
                    slots.push(vec![f]);
                }
            },
            None => slots.push(vec![f]),
        }
    }
    slots
        .into_iter()
        .map(|mut g| {
            if g.len() == 1 {
                g.pop().expect("one finding")
            } else {
                merge(g)
            }
        })
        .collect()
}

/// Merges the findings of one (measure, party) key.
fn merge(group: Vec<Finding>) -> Finding {
    let n = group.len();
    let primary_ix = (0..n)
        .max_by(|&a, &b| {
            let (fa, fb) = (&group[a], &group[b]);
            severity(fa.outcome)
                .cmp(&severity(fb.outcome))
                .then(fa.review_policy.cmp(&fb.review_policy))
                .then(best_score(fa).total_cmp(&best_score(fb)))
                // Earlier wins a full tie: max_by keeps the last maximum.
                .then(b.cmp(&a))
        })
        .expect("non-empty group");
    let mut out = group[primary_ix].clone();
    let party = out.evidence[0].party.clone();
    for (i, f) in group.iter().enumerate() {
        if i == primary_ix {
            continue;
        }
        if f.outcome == out.outcome {
            out.review_policy = out.review_policy.max(f.review_policy);
            out.confidence = out.confidence.max(f.confidence);
            if out.caveat.is_none() {
                out.caveat.clone_from(&f.caveat);
            }
            for r in &f.reasons {
                if !out.reasons.contains(r) {
                    out.reasons.push(r.clone());
                }
            }
        } else {
            let records = f
                .evidence
                .iter()
                .map(|e| {
                    format!(
                        "\"{}\" ({}; {}; list version {}; score {:.2})",
                        e.matched, e.entity_id, e.list, e.list_version, e.score
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            out.reasons.push(format!(
                "Also considered: record {records} alone gives {} under {}{}",
                f.outcome.as_str(),
                f.rule,
                f.reasons
                    .first()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_else(|| ".".into())
            ));
        }
        for c in &f.citations {
            if !out.citations.contains(c) {
                out.citations.push(c.clone());
            }
        }
        for d in &f.effective_dates {
            if !out.effective_dates.contains(d) {
                out.effective_dates.push(d.clone());
            }
        }
        for e in &f.evidence {
            let dup = out.evidence.iter().any(|x| {
                x.entity_id == e.entity_id
                    && x.list_version == e.list_version
                    && x.role == e.role
                    && x.party == e.party
            });
            if !dup {
                out.evidence.push(e.clone());
            }
        }
    }
    out.reasons.push(format!(
        "One finding for \"{party}\" under {}: {n} list records considered (all in the evidence); the outcome is the most restrictive of theirs.",
        out.measure.as_str()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Evidence, ReviewPolicy};

    fn ev(party: &str, id: &str, score: f64) -> Evidence {
        Evidence {
            party: party.into(),
            role: Some("end_user".into()),
            matched: id.into(),
            entity_id: id.into(),
            list: "test".into(),
            list_version: "v1".into(),
            score,
            programs: vec![],
            listed_on: None,
            chain: vec![],
            listing: None,
        }
    }

    fn el(o: Outcome, p: Option<ReviewPolicy>, party: &str, id: &str, score: f64) -> Finding {
        let mut f = Finding::new(Measure::EarEntityList, o, "r", Confidence::Verified)
            .cite(format!("cite-{id}"))
            .reason(format!("reason {id}"))
            .evidence(ev(party, id, score));
        f.review_policy = p;
        f
    }

    #[test]
    fn records_of_one_party_fold_into_the_most_restrictive() {
        let fs = vec![
            el(Outcome::NeedsReview, None, "Huawei Co", "weak", 0.74),
            el(
                Outcome::LicenseRequired,
                Some(ReviewPolicy::CaseByCase),
                "Huawei Co",
                "a",
                1.0,
            ),
            el(
                Outcome::LicenseRequired,
                Some(ReviewPolicy::PresumptionOfDenial),
                "HUAWEI CO",
                "b",
                0.95,
            ),
            el(Outcome::LicenseRequired, None, "Other Party", "c", 1.0),
        ];
        let out = consolidate(fs);
        assert_eq!(out.len(), 2);
        let h = &out[0];
        // The stricter policy wins the tie between the two licence rows.
        assert_eq!(h.outcome, Outcome::LicenseRequired);
        assert_eq!(h.review_policy, Some(ReviewPolicy::PresumptionOfDenial));
        let ids: Vec<&str> = h.evidence.iter().map(|e| e.entity_id.as_str()).collect();
        assert_eq!(ids, vec!["b", "weak", "a"]);
        assert!(h.citations.contains(&"cite-weak".to_string()));
        assert!(h
            .reasons
            .iter()
            .any(|r| r.starts_with("Also considered") && r.contains("NEEDS_REVIEW")));
        assert_eq!(out[1].evidence[0].party, "Other Party");
    }

    #[test]
    fn a_review_candidate_beside_a_clear_keeps_the_party_in_review() {
        let out = consolidate(vec![
            el(Outcome::NoLicenseRequired, None, "X", "removed", 1.0),
            el(Outcome::NeedsReview, None, "X", "weak", 0.8),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].outcome, Outcome::NeedsReview);
        assert_eq!(out[0].evidence.len(), 2);
    }

    #[test]
    fn flags_clean_findings_and_chains_are_left_alone() {
        let clean = Finding::new(
            Measure::EarEntityList,
            Outcome::NoLicenseRequired,
            "r",
            Confidence::Verified,
        );
        let flag = |id| {
            Finding::new(
                Measure::Flag,
                Outcome::RedFlagControl,
                "r",
                Confidence::Verified,
            )
            .evidence(ev("D", id, 1.0))
        };
        let mut chained = el(Outcome::LicenseRequired, None, "Owner", "o", 1.0);
        chained.evidence[0].chain = vec!["Owner".into(), "Sub".into()];
        let out = consolidate(vec![
            clean.clone(),
            clean,
            flag("1"),
            flag("2"),
            chained.clone(),
            chained,
        ]);
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn severity_orders_the_vocabulary() {
        assert!(severity(Outcome::Prohibited) > severity(Outcome::LicenseRequired));
        assert!(severity(Outcome::LicenseRequired) > severity(Outcome::NeedsReview));
        assert!(severity(Outcome::NeedsReview) > severity(Outcome::MayProceed));
        assert!(severity(Outcome::MayProceed) > severity(Outcome::NotProhibited));
    }
}

//! Qualifiers: facts beside the name that move a name score.
//!
//! Date of birth and country only count when both sides state them; a
//! missing fact is never evidence. An exact identifier match (passport,
//! registration number) is decisive and sets the score to 1.

use crate::explain::{QualifierEffect, QualifierKind};
use crate::Query;
use embargo_model::{DateValue, Entity, PartialDate};

/// Normalises an identifier for comparison: letters and digits only,
/// upper case. Values shorter than 4 characters are not identifying.
pub(crate) fn norm_id(s: &str) -> Option<String> {
    let n: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (n.len() >= 4).then_some(n)
}

fn dob_effect(query: &[PartialDate], listed: &[DateValue]) -> Option<QualifierEffect> {
    if query.is_empty() || listed.is_empty() {
        return None;
    }
    let effect = |delta: f64, detail: String| QualifierEffect {
        kind: QualifierKind::Dob,
        detail,
        delta,
    };
    let shown = listed
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    // Exact day on both sides and equal: strong support.
    for q in query {
        for l in listed {
            if let (PartialDate::Day(_), DateValue::Exact(PartialDate::Day(_))) = (q, l) {
                if l.admits(q) {
                    return Some(effect(
                        DOB_EXACT,
                        format!("date of birth {q} matches {shown}"),
                    ));
                }
            }
        }
    }
    if query.iter().any(|q| listed.iter().any(|l| l.admits(q))) {
        return Some(effect(
            0.0,
            format!("date of birth compatible with {shown}"),
        ));
    }
    // Day and month swapped (04/05 vs 05/04): a common data-entry error.
    for q in query {
        if let PartialDate::Day(d) = q {
            use chrono::Datelike;
            if let Some(sw) = chrono::NaiveDate::from_ymd_opt(d.year(), d.day(), d.month()) {
                if listed.iter().any(|l| l.admits(&PartialDate::Day(sw))) {
                    return Some(effect(
                        -0.05,
                        format!("date of birth {q} matches {shown} with day and month swapped"),
                    ));
                }
            }
        }
    }
    let gap = query
        .iter()
        .flat_map(|q| {
            listed.iter().map(move |l| {
                let (lo, hi) = (l.first_day(), l.last_day());
                let (qa, qb) = (q.first_day(), q.last_day());
                if qb < lo {
                    (lo - qb).num_days()
                } else if qa > hi {
                    (qa - hi).num_days()
                } else {
                    0
                }
            })
        })
        .min()
        .unwrap_or(0);
    if gap <= 366 {
        Some(effect(
            -0.1,
            format!("date of birth {} is close to but not {shown}", query[0]),
        ))
    } else {
        Some(effect(
            -0.25,
            format!("date of birth {} differs from {shown}", query[0]),
        ))
    }
}

/// Raise for an exact date of birth on both sides.
const DOB_EXACT: f64 = 0.05;
/// Raise for a country in common.
const COUNTRY_MATCH: f64 = 0.02;
/// The most qualifiers can add to a name score without an identifier
/// match: a candidate whose name score is further than this below the
/// threshold is dropped before its qualifiers (and their texts) are built.
pub(crate) const MAX_RAISE: f64 = DOB_EXACT + COUNTRY_MATCH;

/// The qualifier effects for one entity and whether an identifier decided
/// the match.
pub(crate) fn qualify(q: &Query, e: &Entity, name_score: f64) -> (Vec<QualifierEffect>, f64) {
    let mut effects = Vec::new();
    let listed_ids: Vec<(String, &str)> = e
        .identifiers
        .iter()
        .filter_map(|i| norm_id(&i.value).map(|n| (n, i.kind.as_str())))
        .collect();
    for qid in q.identifiers.iter().filter_map(|s| norm_id(s)) {
        if let Some((_, kind)) = listed_ids.iter().find(|(n, _)| *n == qid) {
            effects.push(QualifierEffect {
                kind: QualifierKind::Identifier,
                detail: format!("identifier {qid} matches the listed {kind}"),
                delta: 1.0 - name_score,
            });
            return (effects, 1.0);
        }
    }
    if let Some(s) = q.schema {
        if !e.schema.compatible_with(&s) {
            effects.push(QualifierEffect {
                kind: QualifierKind::Schema,
                detail: format!("query is a {s}, the list entry is a {}", e.schema),
                delta: -0.25,
            });
        }
    }
    if let Some(d) = dob_effect(&q.birth_dates, &e.birth_dates) {
        if d.delta != 0.0 || e.schema == embargo_model::Schema::Person {
            effects.push(d);
        }
    }
    if !q.countries.is_empty() {
        let listed: Vec<_> = e.all_countries().collect();
        if !listed.is_empty() {
            let shown = listed
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if q.countries.iter().any(|c| listed.contains(c)) {
                effects.push(QualifierEffect {
                    kind: QualifierKind::Country,
                    detail: format!("country matches ({shown})"),
                    delta: COUNTRY_MATCH,
                });
            } else {
                effects.push(QualifierEffect {
                    kind: QualifierKind::Country,
                    detail: format!("no country in common (list: {shown})"),
                    delta: -0.1,
                });
            }
        }
    }
    let total: f64 = name_score + effects.iter().map(|e| e.delta).sum::<f64>();
    (effects, total.clamp(0.0, 1.0))
}

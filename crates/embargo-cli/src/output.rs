//! Plain-text rendering for analysts at a terminal.

use embargo_app::types::{ReviewStatus, Verdict};
use embargo_app::{AppError, Screened};

/// An input error as a CLI user sees it: the field named by its flag
/// (`--dob`, not `birth_date`).
pub fn flag_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::InvalidInput { field, message } => {
            let flag = match field.as_str() {
                "birth_date" | "subject.birth_date" => "--dob",
                "countries" | "subject.country" => "--country",
                "identifiers" => "--id",
                "datasets" => "--dataset",
                "family_name" => "--family-name",
                "as_of" => "--as-of",
                "subject.schema" => "--schema",
                "subject.name" | "name" => "NAME",
                "entity_id" => "ENTITY_ID",
                other => return anyhow::anyhow!("--{}: {message}", other.replace('_', "-")),
            };
            anyhow::anyhow!("{flag}: {message}")
        }
        other => other.into(),
    }
}

fn verdict(v: &Verdict) -> &'static str {
    match v {
        Verdict::TrueMatch => "confirmed as a true match",
        Verdict::FalsePositive => "cleared as a false positive",
    }
}

/// One line on the review state of a hit for this subject, if any.
pub fn review_line(status: Option<&ReviewStatus>) -> Option<String> {
    Some(match status? {
        ReviewStatus::Cleared {
            by,
            on,
            reason,
            verdict: v,
            ..
        } => {
            format!(
                "{} by {by} on {} ({reason})",
                verdict(v),
                on.format("%Y-%m-%d")
            )
        }
        ReviewStatus::Stale { previous, changes } => {
            let what = changes
                .as_ref()
                .map(|c| {
                    c.iter()
                        .map(|f| f.field.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "the entry".into());
            format!(
                "ALERT AGAIN: reviewed by {} on {}, but the listed record changed since ({what})",
                previous.reviewer,
                previous.decided_at.format("%Y-%m-%d")
            )
        }
        ReviewStatus::Expired { previous } => format!(
            "ALERT AGAIN: the review by {} on {} has expired",
            previous.reviewer,
            previous.decided_at.format("%Y-%m-%d")
        ),
    })
}

/// The `review` field of a `--json` result row (null when never reviewed).
pub fn review_json(status: Option<&ReviewStatus>) -> serde_json::Value {
    match status {
        None => serde_json::Value::Null,
        Some(s) => serde_json::json!({
            // The same words as the API's review marks (`embargo-server`
            // review.rs): a true match is confirmed, not cleared.
            "status": match s {
                ReviewStatus::Cleared {
                    verdict: Verdict::TrueMatch,
                    ..
                } => "confirmed",
                ReviewStatus::Cleared { .. } => "cleared",
                ReviewStatus::Stale { .. } => "stale",
                ReviewStatus::Expired { .. } => "expired",
            },
            "suppresses_alert": s.suppresses_alert(),
            "text": review_line(Some(s)),
        }),
    }
}

/// Prints a screen for a person at a terminal: what was searched, one
/// block per consolidated subject, and what the result does not cover.
pub fn print_screen(name: &str, screened: &Screened, explain: bool) -> anyhow::Result<()> {
    let as_of = screened
        .notes
        .iter()
        .any(|n| n.starts_with("Screened as of"));
    outln!("Screening {name:?} against:");
    for c in &screened.coverage {
        outln!(
            "  {:<24} version {}, published {}{}, {} entries",
            c.dataset,
            c.version,
            c.published
                .map(|d| d.to_string())
                .unwrap_or_else(|| "unknown".into()),
            c.published_basis
                .as_deref()
                .filter(|b| *b != "file")
                .map(|b| format!(" ({})", b.replace('_', " ")))
                .unwrap_or_default(),
            c.entities
        );
    }
    for n in &screened.notes {
        outln!("Note: {n}");
    }
    if screened.hits.is_empty() {
        outln!("\nNo candidate above the threshold. This is not a clearance: review ownership, addresses and the transaction itself.");
        return Ok(());
    }
    outln!();
    for (i, hit) in screened.hits.iter().enumerate() {
        let r = &hit.result;
        let list = r.list.clone().unwrap_or_else(|| r.source.clone());
        outln!("{:>2}. {:.3}  {}", i + 1, r.score, r.caption);
        outln!("      list: {list}");
        if let Some(l) = &r.listed_on {
            outln!("      listed on: {l}");
        }
        if r.matched_name != r.caption {
            outln!("      matched name: {}", r.matched_name);
        }
        if !r.programs.is_empty() {
            outln!("      programs: {}", r.programs.join(", "));
        }
        if let Some(req) = &r.license_requirement {
            outln!("      licence requirement: {req}");
        }
        if let Some(pol) = &r.license_policy {
            outln!("      licence review policy: {pol}");
        }
        outln!("      id: {}  ({})", r.entity_id, r.list_version);
        if let Some(l) = &r.listed_as_of {
            match &l.reason {
                Some(why) => outln!("      listed on {}: uncertain ({why})", l.day),
                None => outln!("      listed on {}: yes", l.day),
            }
        }
        if r.records.len() > 1 {
            outln!("      the same party on {} records:", r.records.len());
            for rec in &r.records {
                outln!(
                    "        - {}  {}  ({}){}",
                    rec.entity_id,
                    rec.list.as_deref().unwrap_or(&rec.source),
                    rec.list_version,
                    rec.score
                        .map(|s| format!("  score {s:.3}"))
                        .unwrap_or_default()
                );
            }
        }
        if let Some(line) = review_line(hit.review.as_ref()) {
            outln!("      review: {line}");
        }
        if explain {
            for line in r.explanation.to_text().lines() {
                outln!("      | {line}");
            }
        }
    }
    if !as_of {
        outln!("\nA hit is a candidate, not a finding: `embargo decide` says what the law requires for a transaction.");
    }
    Ok(())
}

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

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn print_screen(name: &str, screened: &Screened, explain: bool) {
    println!(
        "Screening {name:?} against: {}",
        screened.snapshot.default_datasets.join(", ")
    );
    println!(
        "List versions: {}",
        screened.snapshot.version_labels().join(", ")
    );
    if screened.hits.is_empty() {
        println!("\nNo candidate above the threshold. This is not a clearance: review ownership, addresses and the transaction itself.");
        return;
    }
    println!();
    println!(
        "{:>2}  {:>5}  {:<48}  {:<34}  {:<10}",
        "#", "score", "listed name", "list", "listed on"
    );
    for (i, hit) in screened.hits.iter().enumerate() {
        let r = &hit.result;
        let list = r.list.clone().unwrap_or_else(|| r.source.clone());
        println!(
            "{:>2}  {:>5.3}  {:<48}  {:<34}  {:<10}",
            i + 1,
            r.score,
            truncate(&r.caption, 48),
            truncate(&list, 34),
            r.listed_on.as_deref().unwrap_or("-")
        );
        if r.matched_name != r.caption {
            println!("              matched name: {}", r.matched_name);
        }
        if !r.programs.is_empty() {
            println!("              programs: {}", r.programs.join(", "));
        }
        if let Some(req) = &r.license_requirement {
            println!("              licence requirement: {req}");
        }
        if let Some(pol) = &r.license_policy {
            println!("              licence review policy: {pol}");
        }
        println!("              id: {}  ({})", r.entity_id, r.list_version);
        if let Some(line) = review_line(hit.review.as_ref()) {
            println!("              review: {line}");
        }
        if explain {
            for line in r.explanation.to_text().lines() {
                println!("              | {line}");
            }
        }
    }
}

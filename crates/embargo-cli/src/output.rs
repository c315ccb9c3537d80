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
        ReviewStatus::PendingApproval { review, why } => format!(
            "ALERT: cleared by {} on {}, pending approval by a second, different reviewer ({why})",
            review.reviewer,
            review.decided_at.format("%Y-%m-%d")
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
                ReviewStatus::PendingApproval { .. } => "pending_approval",
            },
            "suppresses_alert": s.suppresses_alert(),
            "text": review_line(Some(s)),
        }),
    }
}

/// What a hit on a programme means for the user, in one plain line, for
/// the programmes whose consequence is not "blocked" and so is easy to
/// misread. The wording follows RULES.md (§4.4 NS-CMIC, §5.1 § 889, §5.2
/// FCC); `embargo decide` gives the finding with its dates and citations.
/// A programme matches its key exactly or as `KEY-…` (`CMIC-EO13959`).
const PROGRAMME_MEANINGS: &[(&str, &str)] = &[
    (
        "CMIC",
        "CMIC: US persons may not buy or sell its publicly traded securities (E.O. 13959 as amended by E.O. 14032); not a blocking sanction",
    ),
    (
        "NDAA-889",
        "§889: US federal agencies may not buy its telecom/video surveillance equipment, nor contract with anyone who uses it (NDAA FY2019 § 889, FAR 52.204-25)",
    ),
    (
        "FCC-COVERED-LIST",
        "FCC Covered List: its covered equipment cannot get new FCC authorisations, so cannot be imported or sold in the US (FCC 22-84, from 2023-02-06)",
    ),
];

/// The plain-meaning lines for a hit's programmes (each at most once).
pub fn programme_meanings(programs: &[String]) -> Vec<&'static str> {
    PROGRAMME_MEANINGS
        .iter()
        .filter(|(key, _)| {
            programs.iter().any(|p| {
                p.eq_ignore_ascii_case(key)
                    || p.len() > key.len()
                        && p.is_char_boundary(key.len())
                        && p[..key.len()].eq_ignore_ascii_case(key)
                        && p[key.len()..].starts_with('-')
            })
        })
        .map(|(_, line)| *line)
        .collect()
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
        if let Some(via) = &r.via {
            outln!("      matched through: {via}");
        }
        if !r.programs.is_empty() {
            outln!("      programs: {}", r.programs.join(", "));
        }
        for meaning in programme_meanings(&r.programs) {
            outln!("      means: {meaning}");
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

/// A plain-text table whose columns are as wide as their widest cell, so a
/// long dataset name or version never pushes a row out of line. `right`
/// marks the columns aligned right (counts); the last column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>], right: &[bool]) -> Vec<String> {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            let pad = widths[i].saturating_sub(width(cell));
            if right.get(i).copied().unwrap_or(false) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                if i < last {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        out
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|r| line(r.iter().map(String::as_str).collect())),
    );
    out
}

/// Writes a filing report to `path` (through a temporary file, so a
/// failed write leaves no half a PDF) and says so on stderr, with any text
/// it had to write in its fallback form (stdout stays the result's).
pub fn write_report(
    path: &std::path::Path,
    r: &embargo_app::report::Rendered,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let tmp = path.with_extension("pdf.partial");
    std::fs::write(&tmp, &r.pdf).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "report written to {} ({} page{}{})",
        path.display(),
        r.pages,
        if r.pages == 1 { "" } else { "s" },
        if r.truncated {
            ", cut at three pages"
        } else {
            ""
        }
    );
    if !r.fallback_runs.is_empty() {
        eprintln!(
            "warning: no font covers {}: written romanised in the report (install \
             fonts-droid-fallback or set {})",
            r.fallback_runs.join(", "),
            embargo_app::report::FONT_ENV
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programme_meanings_match_the_code_and_its_suffixed_forms() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(programme_meanings(&p(&["CMIC-EO13959"])).len(), 1);
        assert!(programme_meanings(&p(&["CMIC-EO13959"]))[0].starts_with("CMIC: US persons"));
        assert_eq!(
            programme_meanings(&p(&["NDAA-889", "FCC-COVERED-LIST", "SDGT"])).len(),
            2
        );
        assert!(programme_meanings(&p(&["CMICX", "SDGT", "GLOMAG"])).is_empty());
    }

    #[test]
    fn table_columns_fit_their_widest_cell() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string(), "x".to_string()],
            vec![
                "a_very_long_dataset_name_indeed".to_string(),
                "12345".to_string(),
                "y".to_string(),
            ],
        ];
        let lines = table(&["dataset", "n", "origin"], &rows, &[false, true, false]);
        // The last cell starts right after the last two-space gap.
        let col = |l: &str| l.rfind("  ").unwrap();
        assert!(lines.iter().all(|l| col(l) == col(&lines[0])), "{lines:#?}");
    }
}

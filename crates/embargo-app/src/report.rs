//! Filing reports: a screen or a decision as a one-to-three-page PDF an
//! examiner can file (`embargo screen|decide --report FILE`,
//! `POST /v1/report/screen|decide`, the web page's "Download report").
//!
//! The report is written from the act's own result, after its audit
//! record: the query, every list and version consulted with its
//! publication date, the hits with their explanations or the findings with
//! their citations, the review decisions that applied, the audit record's
//! sequence number and hash with the chain head when the report was made,
//! and the date evaluated for. Layout and fonts are `embargo-report`'s.

use crate::deciding::Decided;
use crate::error::{AppError, AppResult};
use crate::screening::Screened;
use crate::subject::Subject;
use crate::{App, Snapshot};
use embargo_report::{Block, Report};
use serde_json::Value;

pub use embargo_report::{font_paths, Rendered, FONT_ENV, MAX_PAGES};

/// Where an act's audit record sits in the chain, for the report.
#[derive(Clone, Debug, Default)]
pub struct AuditStamp {
    /// Sequence number of the act's record; 0 = not audited.
    pub seq: u64,
    /// The record's hash and the hash it chains to.
    pub hash: Option<String>,
    pub prev_hash: Option<String>,
    /// Who the record names as having acted.
    pub actor: Option<String>,
    /// The chain head (sequence, hash) when the report was made.
    pub head: Option<(u64, String)>,
}

impl App {
    /// The audit record `seq` and the chain head now (`seq` 0: nothing).
    pub fn audit_stamp(&self, seq: u64) -> AppResult<AuditStamp> {
        if seq == 0 {
            return Ok(AuditStamp::default());
        }
        let rec = self.audit_backend().record_at(seq)?;
        let head = self.audit_backend().chain_head()?;
        Ok(AuditStamp {
            seq,
            hash: rec.as_ref().map(|r| r.hash.clone()),
            prev_hash: rec.as_ref().map(|r| r.prev_hash.clone()),
            actor: rec.map(|r| r.actor),
            head: head.map(|a| (a.seq, a.hash)),
        })
    }

    /// The filing report of a screen this app audited.
    pub fn screen_report(&self, subject: &Subject, screened: &Screened) -> AppResult<Rendered> {
        let stamp = self.audit_stamp(screened.audit_seq)?;
        screen_report(subject, screened, &stamp)
    }

    /// The filing report of a decision this app audited.
    pub fn decision_report(&self, decided: &Decided) -> AppResult<Rendered> {
        let stamp = self.audit_stamp(decided.audit_seq)?;
        decision_report(decided, &stamp)
    }
}

fn render(report: &Report) -> AppResult<Rendered> {
    embargo_report::render(report).map_err(|e| AppError::Report(e.to_string()))
}

fn footer(kind: &str, stamp: &AuditStamp) -> String {
    let rec = if stamp.seq == 0 {
        "not audited".to_string()
    } else {
        format!("audit record #{}", stamp.seq)
    };
    format!(
        "Embargo {} {kind} report, {rec}. Not legal advice.",
        env!("CARGO_PKG_VERSION")
    )
}

fn truncation(stamp: &AuditStamp) -> String {
    if stamp.seq == 0 {
        "Report cut at three pages; this act was not audited, rerun it with --json for the whole \
         result."
            .into()
    } else {
        format!(
            "Report cut at three pages: the complete result is audit record #{} \
             (`embargo audit export`).",
            stamp.seq
        )
    }
}

/// Whether `v` says nothing (null, an empty array or object).
fn empty(v: &Value) -> bool {
    v.is_null()
        || v.as_array().is_some_and(|a| a.is_empty())
        || v.as_object().is_some_and(|o| o.values().all(empty))
}

/// `value` as one line: strings bare, arrays joined, objects as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The lists a result rests on, each with its publication date and where
/// that date comes from.
fn lists_blocks(snap: &Snapshot, labels: &[String], out: &mut Vec<Block>) {
    out.push(Block::Heading("Lists and versions consulted".into()));
    if labels.is_empty() {
        out.push(Block::Para(
            "No list was consulted: this result cannot vouch for any absence.".into(),
        ));
    }
    for label in labels {
        let v = snap.versions.iter().find(|v| &v.label() == label);
        let text = match v {
            Some(v) => format!(
                "{} version {}: published {}{}, {} entries, imported {}",
                v.dataset,
                v.version,
                v.published
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "(date unknown)".into()),
                v.published_basis
                    .map(|b| format!(" ({})", b.as_str()))
                    .unwrap_or_default(),
                v.entity_count,
                v.imported_at.format("%Y-%m-%d"),
            ),
            // A dated decision may rest on a stored older version.
            None => format!("{label} (a stored version, not the active one)"),
        };
        out.push(Block::Item {
            level: 0,
            text: text.clone(),
        });
    }
}

fn audit_blocks(stamp: &AuditStamp, out: &mut Vec<Block>) {
    out.push(Block::Heading("Audit record".into()));
    if stamp.seq == 0 {
        out.push(Block::Para(
            "Not audited: no data directory was open, so no record of this act exists.".into(),
        ));
        return;
    }
    out.push(Block::Field("Record".into(), format!("#{}", stamp.seq)));
    if let Some(a) = &stamp.actor {
        out.push(Block::Field("Actor".into(), a.clone()));
    }
    if let Some(h) = &stamp.hash {
        out.push(Block::Field("Record hash".into(), h.clone()));
    }
    if let Some(h) = &stamp.prev_hash {
        out.push(Block::Field("Chained to".into(), h.clone()));
    }
    if let Some((seq, hash)) = &stamp.head {
        out.push(Block::Field(
            "Chain head at report time".into(),
            format!("#{seq} {hash}"),
        ));
    }
    out.push(Block::Para(
        "`embargo audit verify` checks the chain; the record holds the request and result this \
         report was written from."
            .into(),
    ));
}

/// The report of a screen (see the module documentation).
pub fn screen_report(
    subject: &Subject,
    screened: &Screened,
    stamp: &AuditStamp,
) -> AppResult<Rendered> {
    let mut b = Vec::new();
    let evaluated_for = subject
        .as_of
        .unwrap_or_else(|| screened.evaluated_at.date_naive());
    b.push(Block::Heading("Query".into()));
    if let Value::Object(m) = subject.audit_request() {
        for (k, v) in m {
            if v.is_null() || v.as_array().is_some_and(|a| a.is_empty()) {
                continue;
            }
            b.push(Block::Field(k.replace('_', " "), plain(&v)));
        }
    }
    b.push(Block::Field(
        "Evaluated for".into(),
        match subject.as_of {
            Some(d) => format!("{d} (the lists as they stood that day)"),
            None => format!("{evaluated_for} (today's lists)"),
        },
    ));
    b.push(Block::Field(
        "Evaluated at".into(),
        screened
            .evaluated_at
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
    ));
    lists_blocks(
        &screened.snapshot,
        &screened
            .coverage
            .iter()
            .map(|c| format!("{}@{}", c.dataset, c.version))
            .collect::<Vec<_>>(),
        &mut b,
    );
    b.push(Block::Heading("Result".into()));
    let open = screened
        .hits
        .iter()
        .filter(|h| !h.review.as_ref().is_some_and(|r| r.suppresses_alert()))
        .count();
    b.push(Block::Para(if screened.hits.is_empty() {
        if screened.undecided.is_empty() {
            "No candidate at or above the threshold in the lists above.".into()
        } else {
            "No candidate found, but this screen cannot vouch for absence (see below): NEEDS \
             REVIEW."
                .into()
        }
    } else {
        format!(
            "{} candidate(s), {} not settled by a standing review decision: an analyst must \
             review {}.",
            screened.hits.len(),
            open,
            if open == 1 { "it" } else { "them" }
        )
    }));
    for n in &screened.notes {
        b.push(Block::Item {
            level: 0,
            text: n.clone(),
        });
    }
    if !screened.hits.is_empty() {
        b.push(Block::Heading("Hits".into()));
    }
    for (i, h) in screened.hits.iter().enumerate() {
        let r = &h.result;
        b.push(Block::Strong(format!(
            "{}. {} ({}) score {:.2}",
            i + 1,
            r.caption,
            r.schema,
            r.score
        )));
        b.push(Block::Field("Matched name".into(), r.matched_name.clone()));
        b.push(Block::Field(
            "List".into(),
            format!(
                "{}{} version {} (record {})",
                r.source,
                r.list
                    .as_deref()
                    .map(|l| format!(" / {l}"))
                    .unwrap_or_default(),
                r.list_version,
                r.entity_id
            ),
        ));
        if !r.programs.is_empty() {
            b.push(Block::Field("Programmes".into(), r.programs.join(", ")));
        }
        if let Some(d) = &r.listed_on {
            b.push(Block::Field("Listed on".into(), d.clone()));
        }
        if let Some(l) = &r.license_requirement {
            let policy = r
                .license_policy
                .as_deref()
                .map(|p| format!("; policy: {p}"))
                .unwrap_or_default();
            b.push(Block::Field("Licence".into(), format!("{l}{policy}")));
        }
        if let Some(a) = &r.listed_as_of {
            b.push(Block::Field(
                format!("On the list {}", a.day),
                format!(
                    "{}{}",
                    a.status,
                    a.reason
                        .as_deref()
                        .map(|x| format!(": {x}"))
                        .unwrap_or_default()
                ),
            ));
        }
        for rec in r.records.iter().skip(1) {
            b.push(Block::Item {
                level: 0,
                text: format!(
                    "Same subject on {} version {}: {} ({})",
                    rec.source, rec.list_version, rec.caption, rec.entity_id
                ),
            });
        }
        b.push(Block::Field("Why".into(), r.explanation.to_text()));
        b.push(Block::Field(
            "Review".into(),
            match h.mark() {
                Some(m) => format!("{} ({}): {}", m.status, m.reason, m.message),
                None => "no review decision on record: open".into(),
            },
        ));
    }
    if !screened.undecided.is_empty() {
        b.push(Block::Heading("Cannot vouch for absence".into()));
        for u in &screened.undecided {
            b.push(Block::Item {
                level: 0,
                text: u.clone(),
            });
        }
    }
    let reviewed: Vec<_> = screened
        .hits
        .iter()
        .filter_map(|h| h.mark().map(|m| (h, m)))
        .collect();
    b.push(Block::Heading("Reviewer decisions applied".into()));
    if reviewed.is_empty() {
        b.push(Block::Para(
            "None: no standing review decision concerns these hits.".into(),
        ));
    }
    for (h, m) in reviewed {
        let approved = m
            .approved_by
            .as_deref()
            .map(|a| format!(", approved by {a}"))
            .unwrap_or_default();
        b.push(Block::Item {
            level: 0,
            text: format!(
                "{}: {} by {}{} on {}: {}",
                h.result.caption, m.status, m.reviewer, approved, m.date, m.reason
            ),
        });
    }
    audit_blocks(stamp, &mut b);
    let report = Report {
        title: "Embargo screening report".into(),
        subtitle: vec![
            format!("Subject: {}", subject.query.name),
            format!(
                "Evaluated for {evaluated_for}; {} list version(s) searched; {} hit(s); audit \
                 record #{}",
                screened.coverage.len(),
                screened.hits.len(),
                stamp.seq
            ),
        ],
        blocks: b,
        footer: footer("screening", stamp),
        truncation_note: truncation(stamp),
    };
    render(&report)
}

/// The report of a decision (see the module documentation).
pub fn decision_report(decided: &Decided, stamp: &AuditStamp) -> AppResult<Rendered> {
    let d = &decided.decision;
    let mut b = Vec::new();
    b.push(Block::Heading("Transaction".into()));
    if let Some(Value::Object(m)) = decided.json.get("input") {
        for (k, v) in m {
            if empty(v) {
                continue;
            }
            match (k.as_str(), v) {
                ("parties", Value::Array(ps)) => {
                    b.push(Block::Field("parties".into(), format!("{}", ps.len())));
                    for p in ps {
                        b.push(Block::Item {
                            level: 0,
                            text: party_line(p),
                        });
                    }
                }
                _ => b.push(Block::Field(k.replace('_', " "), plain_obj(v))),
            }
        }
    }
    b.push(Block::Field(
        "Evaluated for".into(),
        format!(
            "{} (the transaction date: the law and the lists as they stood that day)",
            d.evaluated_for
        ),
    ));
    if let Some(at) = d.evaluated_at {
        b.push(Block::Field(
            "Evaluated at".into(),
            at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        ));
    }
    if let Some(id) = &d.decision_id {
        b.push(Block::Field("Decision id".into(), id.clone()));
    }
    lists_blocks(&decided.snapshot, &d.list_versions, &mut b);
    let acting: Vec<_> = d
        .findings
        .iter()
        .filter(|f| !f.outcome.is_clear())
        .collect();
    b.push(Block::Heading(format!(
        "Findings: {} to act on, {} clear",
        acting.len(),
        d.findings.len() - acting.len()
    )));
    b.push(Block::Para(
        "Each measure is independent; no outcome below overrides another.".into(),
    ));
    // Findings to act on first, in full; the clear ones after, one line
    // each with their citations.
    for f in &acting {
        b.push(Block::Strong(format!(
            "{}: {}{}",
            f.measure.as_str(),
            f.outcome.as_str(),
            f.review_policy
                .map(|p| format!(" (review policy {})", p.as_str()))
                .unwrap_or_default()
        )));
        if let Some(a) = &f.action {
            let duty = f
                .duty_of
                .as_deref()
                .map(|x| format!(" [duty of: {x}]"))
                .unwrap_or_default();
            b.push(Block::Field("Action".into(), format!("{a}{duty}")));
        }
        b.push(Block::Field("Citations".into(), f.citations.join("; ")));
        b.push(Block::Field(
            "Rule".into(),
            format!("{} (confidence {:?})", f.rule, f.confidence),
        ));
        for r in &f.reasons {
            b.push(Block::Item {
                level: 0,
                text: r.clone(),
            });
        }
        for e in &f.evidence {
            let mut t = format!(
                "Evidence: \"{}\" matched \"{}\" ({}; {}; list version {}; score {:.2})",
                e.party, e.matched, e.entity_id, e.list, e.list_version, e.score
            );
            if let Some(x) = &e.listed_on {
                t.push_str(&format!("; listed {x}"));
            }
            if !e.chain.is_empty() {
                t.push_str(&format!("; ownership chain {}", e.chain.join(" -> ")));
            }
            b.push(Block::Item { level: 0, text: t });
        }
        for x in &f.effective_dates {
            b.push(Block::Item {
                level: 0,
                text: format!("Date: {} {}", x.label, x.date),
            });
        }
    }
    let clear: Vec<_> = d.findings.iter().filter(|f| f.outcome.is_clear()).collect();
    if !clear.is_empty() {
        b.push(Block::Strong("Clear findings".into()));
    }
    for f in clear {
        b.push(Block::Item {
            level: 0,
            text: format!(
                "{}: {} ({}; {})",
                f.measure.as_str(),
                f.outcome.as_str(),
                f.rule,
                if f.citations.is_empty() {
                    "no citation".to_string()
                } else {
                    f.citations.join("; ")
                }
            ),
        });
    }
    b.push(Block::Heading("Reviewer decisions applied".into()));
    if decided.applied_reviews.is_empty() {
        b.push(Block::Para(
            "None: no standing review decision concerned the parties' matches.".into(),
        ));
    }
    for a in &decided.applied_reviews {
        b.push(Block::Item {
            level: 0,
            text: format!(
                "{} -> {} ({}): {} ({}), review #{}{}; {}",
                a.party,
                a.caption,
                a.entity_id,
                a.effect,
                a.status,
                a.review_id.map(|i| i.to_string()).unwrap_or("-".into()),
                a.audit_seq
                    .map(|s| format!(" in audit record #{s}"))
                    .unwrap_or_default(),
                a.message
            ),
        });
    }
    audit_blocks(stamp, &mut b);
    let report = Report {
        title: "Embargo decision report".into(),
        subtitle: vec![
            format!(
                "Decision {} for the transaction dated {}",
                d.decision_id.as_deref().unwrap_or("(no id)"),
                d.evaluated_for
            ),
            format!(
                "{} finding(s), {} to act on; audit record #{}",
                d.findings.len(),
                acting.len(),
                stamp.seq
            ),
        ],
        blocks: b,
        footer: footer("decision", stamp),
        truncation_note: truncation(stamp),
    };
    render(&report)
}

/// A party as one line: its name first, then its other fields.
fn party_line(p: &Value) -> String {
    let Value::Object(m) = p else {
        return plain(p);
    };
    let name = m
        .get("name")
        .map(plain)
        .unwrap_or_else(|| "(unnamed)".into());
    let rest: Vec<String> = m
        .iter()
        .filter(|(k, v)| *k != "name" && !empty(v))
        .map(|(k, v)| format!("{k}: {}", plain_obj(v)))
        .collect();
    if rest.is_empty() {
        name
    } else {
        format!("{name} ({})", rest.join("; "))
    }
}

/// Like [`plain`], objects as `key: value` pairs.
fn plain_obj(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !empty(v))
            .map(|(k, v)| format!("{k}: {}", plain_obj(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Array(a) => a.iter().map(plain_obj).collect::<Vec<_>>().join(", "),
        other => plain(other),
    }
}

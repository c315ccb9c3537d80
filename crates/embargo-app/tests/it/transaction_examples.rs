//! Every example transaction of `docs/transactions.md` (the files in
//! `docs/examples/*.json`) decided through the production path — the
//! pack-only `Snapshot`, as in `worked_cases.rs` — and checked against the
//! outcome the document states for it.
//!
//! Each `docs/examples/<name>.json` has a `<name>.expect.json` beside it:
//! `{"findings": [{"measure", "outcome", "review_policy"?}], "absent":
//! [{"measure", "outcome"?}]}`. The row of the examples table in
//! docs/transactions.md that names `examples/<name>.json` must state every
//! expected finding as `MEASURE OUTCOME`, so the document cannot drift
//! from what the engine does. No `../shared` is needed: the examples and
//! the pack are in the repository.

use embargo_app::Snapshot;
use embargo_rules::{parse_transaction, Decision};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn summary(d: &Decision) -> String {
    d.findings
        .iter()
        .map(|f| {
            let p = f
                .review_policy
                .map(|p| format!(" [{}]", p.as_str()))
                .unwrap_or_default();
            format!("    {} {}{p}", f.measure.as_str(), f.outcome.as_str())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn check(name: &str, expect: &Value, d: &Decision, doc_row: &str) -> Vec<String> {
    let mut errs = vec![];
    let none = vec![];
    let list = |k: &str| expect.get(k).and_then(Value::as_array).unwrap_or(&none);
    if list("findings").is_empty() {
        errs.push(format!("{name}: the expect file lists no findings"));
    }
    for e in list("findings") {
        let (m, o, p) = (
            text(e, "measure").unwrap_or_default(),
            text(e, "outcome").unwrap_or_default(),
            text(e, "review_policy"),
        );
        let found = d.findings.iter().any(|f| {
            f.measure.as_str() == m
                && f.outcome.as_str() == o
                && p.as_deref()
                    .is_none_or(|p| f.review_policy.map(|x| x.as_str()) == Some(p))
        });
        if !found {
            errs.push(format!("{name}: missing {m} {o} (policy {p:?})"));
        }
        if !doc_row.contains(&format!("{m} {o}")) {
            errs.push(format!(
                "{name}: docs/transactions.md does not state `{m} {o}` in its row"
            ));
        }
    }
    for e in list("absent") {
        let m = text(e, "measure").unwrap_or_default();
        let o = text(e, "outcome");
        if d.findings.iter().any(|f| {
            f.measure.as_str() == m && o.as_deref().is_none_or(|o| f.outcome.as_str() == o)
        }) {
            errs.push(format!("{name}: unexpected {m} {}", o.unwrap_or_default()));
        }
    }
    errs
}

#[test]
fn every_documented_example_gives_the_documented_outcome() {
    let doc = std::fs::read_to_string(docs().join("transactions.md"))
        .expect("docs/transactions.md exists (embargo decide --help points to it)");
    let snap = Snapshot::load(None).expect("pack-only snapshot builds");
    let mut names: Vec<PathBuf> = std::fs::read_dir(docs().join("examples"))
        .expect("docs/examples")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".json") && !n.ends_with(".expect.json")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 9, "one example per flow, found {names:?}");
    let mut errs = vec![];
    let mut flows = std::collections::BTreeSet::new();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let tx_text = std::fs::read_to_string(path).unwrap();
        let tx = match parse_transaction(&tx_text) {
            Ok(tx) => tx,
            Err(e) => {
                errs.push(format!("{name}: {e}"));
                continue;
            }
        };
        flows.insert(tx.flow.as_str());
        let d = snap.engine().decide(&tx);
        let expect_path = path.with_extension("expect.json");
        let expect: Value = match std::fs::read_to_string(&expect_path) {
            Ok(t) => serde_json::from_str(&t).expect("expect file is JSON"),
            Err(_) => {
                errs.push(format!(
                    "{name}: no {} beside it; the engine gives:\n{}",
                    expect_path.display(),
                    summary(&d)
                ));
                continue;
            }
        };
        let row = doc
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("examples/{name}")))
            .unwrap_or("");
        if row.is_empty() {
            errs.push(format!("{name}: docs/transactions.md has no row naming it"));
        }
        for f in &d.findings {
            let page = f.rule.split_whitespace().next().unwrap_or("");
            if !page.starts_with("docs/rules/") || !docs().join(&page[5..]).is_file() {
                errs.push(format!(
                    "{name}: rule {:?} names no docs/rules page",
                    f.rule
                ));
            }
            let text = format!("{} {:?} {:?}", f.rule, f.reasons, f.citations);
            if text.contains("RULES.md") {
                errs.push(format!("{name}: a finding cites RULES.md: {text}"));
            }
        }
        let e = check(&name, &expect, &d, row);
        if !e.is_empty() {
            errs.extend(e);
            errs.push(format!("  the engine gives:\n{}", summary(&d)));
        }
    }
    for flow in embargo_rules::transaction::Flow::ALLOWED {
        if !flows.contains(flow) {
            errs.push(format!("no example for flow {flow}"));
        }
    }
    assert!(errs.is_empty(), "\n{}", errs.join("\n"));
}

//! Filing reports (issue 17, item 5): the PDF of a screen with a hit and
//! of a decision with findings renders (`pdftoppm`, one to three pages)
//! and its text (`pdftotext`) holds the citations, the list versions with
//! their publication dates, the audit record and the chain head. On the
//! embedded pack, and with the official lists from `../shared` imported
//! (skipped with a printed reason when absent).
//!
//! `pdftoppm`/`pdftotext` come from poppler-utils, which `scripts/test`
//! installs; without them the tests fail (they cannot check the PDF).

use embargo_app::report::Rendered;
use embargo_app::{App, Catalog, ImportOptions, ScreenInput};
use std::path::Path;
use std::process::Command;

const EXPORT_TX: &str = include_str!("../../../../docs/examples/export.json");

/// Writes the PDF, renders every page with pdftoppm and extracts its text.
fn check_pdf(r: &Rendered, dir: &Path, stem: &str) -> String {
    assert!(r.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(
        (1..=embargo_app::report::MAX_PAGES).contains(&r.pages),
        "{} pages",
        r.pages
    );
    let pdf = dir.join(format!("{stem}.pdf"));
    std::fs::write(&pdf, &r.pdf).unwrap();
    // To look at the reports: EMBARGO_REPORT_KEEP=/some/dir.
    if let Some(keep) = std::env::var_os("EMBARGO_REPORT_KEEP") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        let n = std::thread::current()
            .name()
            .unwrap_or("t")
            .replace("::", "-");
        std::fs::write(keep.join(format!("{n}-{stem}.pdf")), &r.pdf).unwrap();
    }
    let out = Command::new("pdftoppm")
        .args(["-r", "50", "-png"])
        .arg(&pdf)
        .arg(dir.join(stem))
        .output()
        .expect("pdftoppm runs (install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // pdftoppm names pages stem-1.png (stem-01.png from 10 pages on).
    let pngs = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            n.starts_with(&format!("{stem}-")) && n.ends_with(".png")
        })
        .count();
    assert_eq!(pngs, r.pages, "pdftoppm rendered {pngs} pages");
    let pdfinfo = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&pdfinfo.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(&r.pages.to_string())),
        "{info}"
    );
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils)");
    assert!(out.status.success());
    // Lines wrap in the PDF: compare with whitespace collapsed.
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every list version consulted is named with its publication date.
fn assert_lists(text: &str, snap: &embargo_app::Snapshot, labels: &[String]) {
    for label in labels {
        let v = snap
            .versions
            .iter()
            .find(|v| &v.label() == label)
            .unwrap_or_else(|| panic!("{label} not in the snapshot"));
        let line = format!("{} version {}", v.dataset, v.version);
        assert!(text.contains(&squeeze(&line)), "{line} missing:\n{text}");
        if let Some(p) = v.published {
            assert!(
                text.contains(&format!("{line}: published {p}")),
                "{line} without its date {p}:\n{text}"
            );
        }
    }
}

fn assert_audit(text: &str, app: &App, seq: u64) {
    assert!(seq > 0);
    assert!(text.contains(&format!("#{seq}")), "no audit record #{seq}");
    let stamp = app.audit_stamp(seq).unwrap();
    let hash = stamp.hash.expect("the record has a hash");
    // A hash may wrap; its text is still in order.
    assert!(
        text.replace(' ', "").contains(&hash),
        "record hash {hash} missing:\n{text}"
    );
    assert!(text.contains("Chain head at report time"), "{text}");
}

fn screen_pdf(app: &App, name: &str, dir: &Path, stem: &str) -> (String, embargo_app::Screened) {
    let subject = ScreenInput {
        name: name.into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let screened = app.screen("report-test", &subject).unwrap();
    assert!(!screened.hits.is_empty(), "{name} must hit");
    let r = app.screen_report(&subject, &screened).unwrap();
    let text = check_pdf(&r, dir, stem);
    (text, screened)
}

#[test]
fn a_screen_with_a_hit_reports_lists_hits_and_audit_record() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("data")).unwrap();
    let (text, screened) = screen_pdf(&app, "Hikvision", dir.path(), "screen");
    assert!(text.contains("Embargo screening report"), "{text}");
    let hit = &screened.hits[0].result;
    assert!(text.contains(&squeeze(&hit.caption)), "{text}");
    assert!(text.contains(hit.entity_id.as_str()), "{text}");
    let labels: Vec<String> = screened
        .coverage
        .iter()
        .map(|c| format!("{}@{}", c.dataset, c.version))
        .collect();
    assert_lists(&text, &screened.snapshot, &labels);
    assert_audit(&text, &app, screened.audit_seq);
    assert!(text.contains("Evaluated for"), "{text}");
}

#[test]
fn a_decision_with_findings_reports_citations_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("data")).unwrap();
    let decided = app.decide("report-test", EXPORT_TX).unwrap();
    assert!(
        decided.decision.needs_action(),
        "the example must have findings to act on"
    );
    let r = app.decision_report(&decided).unwrap();
    let text = check_pdf(&r, dir.path(), "decision");
    assert!(text.contains("Embargo decision report"), "{text}");
    for f in &decided.decision.findings {
        assert!(text.contains(f.measure.as_str()), "{:?} missing", f.measure);
        for c in &f.citations {
            assert!(
                text.contains(&squeeze(c)),
                "citation {c:?} of {:?} missing:\n{text}",
                f.measure
            );
        }
    }
    assert!(text.contains("2024-03-01"), "evaluated-for date missing");
    assert_lists(&text, &decided.snapshot, &decided.decision.list_versions);
    assert_audit(&text, &app, decided.audit_seq);
    let id = decided.decision.decision_id.clone().unwrap();
    assert!(text.contains(&id), "decision id missing");
}

#[test]
fn a_cleared_review_is_in_the_decision_report() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("data")).unwrap();
    let tx = r#"{"date": "2024-03-01", "flow": "export",
        "actor": {"us_person": true, "country": "US"}, "destination": "CN",
        "item": {"eccn": "EAR99", "us_origin": true},
        "parties": [{"role": "end_user", "name": "Xinjiang Public Security Bureau", "country": "CN"}]}"#;
    let before = app.decide("analyst", tx).unwrap();
    let entity = before
        .decision
        .findings
        .iter()
        .flat_map(|f| f.evidence.iter())
        .next()
        .expect("the bureau is listed")
        .entity_id
        .clone();
    app.review(
        "alice",
        &embargo_app::ReviewInput {
            name: "Xinjiang Public Security Bureau".into(),
            country: Some("CN".into()),
            entity_id: entity.clone(),
            verdict: "true_match".into(),
            reason: "alice checked the registration".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let after = app.decide("analyst", tx).unwrap();
    assert!(!after.applied_reviews.is_empty(), "the review applies");
    let r = app.decision_report(&after).unwrap();
    let text = check_pdf(&r, dir.path(), "reviewed");
    let a = &after.applied_reviews[0];
    assert!(
        text.contains(&format!("{} ({})", a.effect, a.status)),
        "{text}"
    );
    let seq = a.audit_seq.expect("the review is audited");
    assert!(text.contains(&format!("audit record #{seq}")), "{text}");
}

#[test]
fn a_chinese_name_is_drawn_or_visibly_romanised() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("data")).unwrap();
    let (text, screened) = screen_pdf(&app, "海康威视", dir.path(), "cjk");
    let fonts = embargo_app::report::font_paths();
    let subject = ScreenInput {
        name: "海康威视".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let r = app.screen_report(&subject, &screened).unwrap();
    if r.fallback_runs.is_empty() {
        // A font covered it: the original script is in the text layer.
        assert!(text.contains("海康威视"), "{text}");
        assert!(!r.fonts_used.is_empty(), "Chinese drawn without a font?");
        // Subset, not the whole font: a report stays small.
        assert!(r.pdf.len() < 400_000, "{} bytes", r.pdf.len());
    } else {
        eprintln!("no CJK font among {fonts:?}: checking the romanised fallback");
        assert!(text.contains("[romanised: HaiKangWeiShi]"), "{text}");
        assert!(text.contains("could not be drawn in its original script"));
    }
}

#[test]
fn without_fonts_chinese_is_romanised_never_dropped() {
    let report = embargo_report::Report {
        title: "t".into(),
        blocks: vec![embargo_report::Block::Para(
            "Subject: 海康威视 / Хиквижн".into(),
        )],
        ..Default::default()
    };
    let r = embargo_report::render_with_fonts(&report, &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = check_pdf(&r, dir.path(), "nofont");
    assert!(text.contains("[romanised: HaiKangWeiShi]"), "{text}");
    assert!(text.contains("[romanised: Khikvizhn]"), "{text}");
    assert_eq!(r.fallback_runs.len(), 2, "{:?}", r.fallback_runs);
    assert!(
        text.contains("could not be drawn in its original script"),
        "{text}"
    );
}

/// The official lists imported: CSL 2022-05 and SDN 2024-05-03.
fn official(dir: &Path) -> Option<App> {
    let csl = embargo_testkit::shared_file("data/lists/us_csl/2022-05/consolidated.csv")?;
    let sdn = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv")?;
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let c = Catalog::open(&data).unwrap();
    c.import("test", &csl, &ImportOptions::default()).unwrap();
    c.import("test", &sdn, &ImportOptions::default()).unwrap();
    drop(c);
    Some(App::open(&data).unwrap())
}

#[test]
fn with_the_official_lists_reports_name_every_version_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let Some(app) = official(dir.path()) else {
        return;
    };
    let (text, screened) = screen_pdf(&app, "Hikvision", dir.path(), "screen");
    let labels: Vec<String> = screened
        .coverage
        .iter()
        .map(|c| format!("{}@{}", c.dataset, c.version))
        .collect();
    assert!(labels.len() >= 3, "{labels:?}");
    assert!(
        labels.iter().any(|l| l.starts_with("us_trade_csl@")),
        "{labels:?}"
    );
    assert_lists(&text, &screened.snapshot, &labels);
    assert_audit(&text, &app, screened.audit_seq);

    let decided = app.decide("report-test", EXPORT_TX).unwrap();
    let r = app.decision_report(&decided).unwrap();
    let text = check_pdf(&r, dir.path(), "decision");
    assert!(
        decided.decision.findings.iter().any(|f| f
            .evidence
            .iter()
            .any(|e| e.list_version.starts_with("us_trade_csl"))),
        "the Entity List finding rests on the CSL: {:#?}",
        decided.decision.findings
    );
    for f in &decided.decision.findings {
        for c in &f.citations {
            assert!(
                text.contains(&squeeze(c)),
                "citation {c:?} missing:\n{text}"
            );
        }
        for e in &f.evidence {
            assert!(text.contains(&e.list_version), "{} missing", e.list_version);
        }
    }
    assert_lists(&text, &decided.snapshot, &decided.decision.list_versions);
    assert_audit(&text, &app, decided.audit_seq);
}

//! Dated decisions with a real version history (issue 10, "Done when"):
//! the OFAC SDN files of 2019-01, 2021-07, 2024-05-02 and 2024-05-03 from
//! `../shared`, imported through `embargo_app::import_file` into a temporary
//! data directory with their publication dates given by the operator (the
//! legacy CSV states none), then decided through the production
//! `Snapshot`. Skips with a printed reason when the files are absent.

use chrono::NaiveDate;
use embargo_app::{import_file, ImportOptions, ScreenRequest, Snapshot};
use embargo_match::Query;
use embargo_rules::{parse_transaction, Decision, Finding, Measure, Outcome};
use embargo_store::Store;
use std::sync::OnceLock;

/// (file under shared/, publication date given as `--published` would).
/// The month directories get the month's last day: the operator knows the
/// month only, and a later day never claims an entry was listed earlier
/// than the file shows.
const SDN: &[(&str, &str)] = &[
    ("data/lists/ofac_sdn/2019-01/sdn.csv", "2019-01-31"),
    ("data/lists/ofac_sdn/2021-07/sdn.csv", "2021-07-31"),
    ("data/lists/ofac_sdn/2024-05-02/sdn.csv", "2024-05-02"),
    ("data/lists/ofac_sdn/2024-05-03/sdn.csv", "2024-05-03"),
];

struct Fixture {
    _dir: tempfile::TempDir,
    snapshot: Snapshot,
}

/// The store with all four SDN versions, built once for the file; `None`
/// (after printing why) when the shared files are absent.
fn fixture() -> Option<&'static Fixture> {
    static FIX: OnceLock<Option<Fixture>> = OnceLock::new();
    FIX.get_or_init(|| {
        let mut files = vec![];
        for (rel, published) in SDN {
            files.push((embargo_testkit::shared_file(rel)?, *published));
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        for (path, published) in files {
            let opts = ImportOptions {
                published: Some(published.parse().expect("date")),
                ..ImportOptions::default()
            };
            import_file(&store, &path, &opts)
                .unwrap_or_else(|e| panic!("importing {}: {e}", path.display()));
        }
        let snapshot = Snapshot::load(Some(&store)).expect("snapshot builds");
        Some(Fixture {
            _dir: dir,
            snapshot,
        })
    })
    .as_ref()
}

fn payment(date: &str, party: &str, extra: &str) -> String {
    format!(
        r#"{{"date":"{date}","flow":"payment","actor":{{"us_person":true,"country":"US"}},
           "context":{{"currency":"USD"}},
           "parties":[{{"role":"counterparty","name":"{party}"}}]{extra}}}"#
    )
}

fn decide(f: &Fixture, tx: &str) -> Decision {
    let tx = parse_transaction(tx).unwrap_or_else(|e| panic!("{e}: {tx}"));
    f.snapshot.engine().decide(&tx)
}

fn ofac(d: &Decision) -> Vec<&Finding> {
    d.findings
        .iter()
        .filter(|f| f.measure == Measure::OfacSdn)
        .collect()
}

fn show(d: &Decision) -> String {
    serde_json::to_string_pretty(d).unwrap_or_default()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn chen_quanguo_is_blocked_from_his_designation_not_before() {
    let Some(f) = fixture() else { return };
    // 2022: listed in the 2021-07 and later SDN files; the SDN record
    // itself is the evidence, not only the pack's entry.
    let d = decide(f, &payment("2022-03-01", "Chen Quanguo", ""));
    let blocked: Vec<&Finding> = ofac(&d)
        .into_iter()
        .filter(|x| x.outcome == Outcome::Prohibited)
        .collect();
    assert_eq!(blocked.len(), 1, "{}", show(&d));
    let sdn = blocked[0]
        .evidence
        .iter()
        .find(|e| e.entity_id == "us_ofac_sdn:29220")
        .unwrap_or_else(|| panic!("no SDN record in the evidence: {}", show(&d)));
    let listing = sdn.listing.as_ref().expect("listing evidence");
    assert_eq!(
        listing.status,
        embargo_model::listing::ListingStatus::Listed
    );
    assert!(
        listing.basis.contains("us_ofac_sdn version history"),
        "{listing:?}"
    );
    // The SDN files only bound the listing to (2019-01-31, 2021-07-31];
    // the pack's Treasury date for the same OFAC entity number makes it
    // exact, and the finding is dated by it.
    assert!(
        blocked[0]
            .effective_dates
            .iter()
            .any(|e| e.date == day("2020-07-09")),
        "{}",
        show(&d)
    );

    // 2019-06-01: before the 2020-07-09 designation: not blocked, and the
    // finding says why.
    let d = decide(f, &payment("2019-06-01", "Chen Quanguo", ""));
    let o = ofac(&d);
    assert!(
        o.iter().all(|x| x.outcome != Outcome::Prohibited),
        "{}",
        show(&d)
    );
    assert_eq!(o.len(), 1, "{}", show(&d));
    assert_eq!(o[0].outcome, Outcome::NotProhibited, "{}", show(&d));
    let why = o[0].reasons.join(" ");
    assert!(
        why.contains("listed on 2020-07-09, after the transaction date"),
        "{why}"
    );
    assert!(
        o[0].evidence
            .iter()
            .any(|e| e.entity_id == "us_ofac_sdn:29220"),
        "{}",
        show(&d)
    );
}

#[test]
fn a_party_removed_in_the_newest_version_is_not_cleared_for_a_date_it_was_listed() {
    let Some(f) = fixture() else { return };
    // EMPEROR AVIATION LTD (us_ofac_sdn:38556) is in the 2024-05-02 file
    // and not in the 2024-05-03 one.
    let d = decide(f, &payment("2024-04-01", "Emperor Aviation Ltd", ""));
    let o = ofac(&d);
    assert!(
        o.iter().all(|x| x.outcome != Outcome::NotProhibited),
        "{}",
        show(&d)
    );
    let ev = o
        .iter()
        .flat_map(|x| &x.evidence)
        .find(|e| e.entity_id == "us_ofac_sdn:38556")
        .unwrap_or_else(|| panic!("removed party not found: {}", show(&d)));
    // The record comes from the version that still held it.
    assert!(
        ev.list_version.starts_with("us_ofac_sdn@") && ev.list_version.contains("2024-05-02"),
        "{}",
        ev.list_version
    );

    // After its removal it no longer counts, and the finding says so.
    let d = decide(f, &payment("2024-06-01", "Emperor Aviation Ltd", ""));
    let o = ofac(&d);
    assert!(
        o.iter().all(|x| x.outcome == Outcome::NotProhibited),
        "{}",
        show(&d)
    );
    assert!(o[0].reasons.join(" ").contains("removed"), "{}", show(&d));

    // A screen for today never shows the removed party.
    let rows = f.snapshot.screen(&ScreenRequest {
        query: Query {
            name: "Emperor Aviation Ltd".into(),
            ..Default::default()
        },
        ..Default::default()
    });
    assert!(
        rows.iter()
            .all(|r| r.entity_id.as_str() != "us_ofac_sdn:38556"),
        "{:?}",
        rows.iter().map(|r| &r.entity_id).collect::<Vec<_>>()
    );
}

#[test]
fn an_owner_designated_later_is_not_aggregated() {
    let Some(f) = fixture() else { return };
    // XPCC (designated 2020-07-31) 30 % and the Xinjiang PSB (designated
    // 2020-07-09) 25 %: 55 % once both are blocked.
    let own = r#","ownership":[
        {"owner":"Xinjiang Production and Construction Corps","owned":"Tarim Example Cotton Co","pct":30},
        {"owner":"Xinjiang Public Security Bureau","owned":"Tarim Example Cotton Co","pct":25}]"#;
    let d = decide(f, &payment("2020-08-15", "Tarim Example Cotton Co", own));
    assert!(
        ofac(&d)
            .iter()
            .any(|x| x.outcome == Outcome::Prohibited
                && x.reasons.join(" ").contains("50 Percent Rule")),
        "{}",
        show(&d)
    );
    // 2020-07-20: the PSB is blocked, the XPCC not yet; 25 % is below the
    // threshold, so the company is not blocked.
    let d = decide(f, &payment("2020-07-20", "Tarim Example Cotton Co", own));
    let o = ofac(&d);
    assert!(
        o.iter().all(|x| x.outcome == Outcome::NotProhibited),
        "{}",
        show(&d)
    );
    assert!(
        d.findings
            .iter()
            .any(|x| x.outcome == Outcome::RedFlagAffiliate && x.reasons.join(" ").contains("25")),
        "{}",
        show(&d)
    );
    let why = o[0].reasons.join(" ");
    assert!(why.contains("us_ofac_sdn:29299"), "{why}");
    assert!(why.contains("listed on 2020-07-31"), "{why}");
}

#[test]
fn before_the_oldest_stored_version_is_needs_review_with_the_reason() {
    let Some(f) = fixture() else { return };
    // BANCO NACIONAL DE CUBA is in the oldest file (2019-01): whether it
    // was listed in 2018 cannot be told from the versions on record.
    let d = decide(f, &payment("2018-06-01", "Banco Nacional de Cuba", ""));
    let o = ofac(&d);
    assert!(!o.is_empty(), "{}", show(&d));
    assert!(
        o.iter().all(|x| x.outcome == Outcome::NeedsReview),
        "{}",
        show(&d)
    );
    let why = o
        .iter()
        .flat_map(|x| &x.reasons)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        why.contains("no us_ofac_sdn version on record before 2019-01-31"),
        "{why}"
    );
    // A party matching nothing is not cleared for that date either.
    let d = decide(f, &payment("2018-06-01", "Zzyzx Harmless Widgets GmbH", ""));
    let o = ofac(&d);
    assert_eq!(o.len(), 1, "{}", show(&d));
    assert_eq!(o[0].outcome, Outcome::NeedsReview, "{}", show(&d));
    assert!(
        o[0].reasons
            .join(" ")
            .contains("no us_ofac_sdn version on record before 2019-01-31"),
        "{}",
        show(&d)
    );
    // From the oldest version on, the same party is clear.
    let d = decide(f, &payment("2019-06-01", "Zzyzx Harmless Widgets GmbH", ""));
    assert!(
        ofac(&d).iter().all(|x| x.outcome == Outcome::NotProhibited),
        "{}",
        show(&d)
    );
}

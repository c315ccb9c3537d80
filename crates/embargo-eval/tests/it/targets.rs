//! Acceptance targets of issue 3. Each test skips (with a printed reason)
//! when its shared data is missing and fails when its target is missed.

use embargo_eval::{pairs, screening, translit};
use embargo_match::DEFAULT_THRESHOLD;

#[test]
fn cases_f1_at_default_threshold_is_at_least_0_88() {
    let p = embargo_testkit::require_shared!("eval/nomenklatura/cases.csv");
    let m = pairs::cases(&p, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(m.confusion.n(), 826);
    // The frozen split (embargo_eval::split) holds out these rows.
    let test = pairs::confusion_of(&m.pairs, Some(embargo_eval::Part::Test), DEFAULT_THRESHOLD);
    assert_eq!(test.n(), 235);
    let f1 = m.confusion.f1();
    eprintln!("cases.csv: {:?} F1 {f1:.4}", m.confusion);
    assert!(f1 >= 0.88, "F1 {f1:.4} < 0.88 ({:?})", m.confusion);
}

/// Issue 3's target: at least 95 % of checks.yml right (the measured
/// figure and its history are in embargo-match's BENCHMARKS.md).
#[test]
fn checks_yml_at_least_95_percent_right() {
    let p = embargo_testkit::require_shared!("eval/nomenklatura/checks.yml");
    let m = pairs::checks(&p, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(m.confusion.n(), 228);
    let test = pairs::confusion_of(&m.pairs, Some(embargo_eval::Part::Test), DEFAULT_THRESHOLD);
    assert_eq!(test.n(), 69);
    let acc = m.confusion.accuracy();
    eprintln!("checks.yml: {:?} right {acc:.4}", m.confusion);
    assert!(acc >= 0.95, "{acc:.4} of checks right < 0.95");
}

#[test]
fn russian_transliteration_recall_is_at_least_90_percent() {
    let p = embargo_testkit::require_shared!("eval/transliteration/wd_russian_20.dev.tsv");
    let r = translit::file(&p, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(r.script, "russian");
    eprintln!("russian: {}/{} = {:.4}", r.found, r.n, r.recall());
    assert!(r.recall() >= 0.90, "recall {:.4} < 0.90", r.recall());
}

#[test]
fn every_un_person_still_listed_is_found() {
    let _ = embargo_testkit::require_shared!("eval/yente/positives_un_untreated.csv");
    let _ = embargo_testkit::require_shared!("data/lists/un/2026-02/UN_consolidated.xml");
    let shared = embargo_testkit::shared_dir().unwrap();
    let m = screening::positives(&shared, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(m.n, 683);
    eprintln!(
        "positives: {}/{}; not on the 2026-02 list: {:?}",
        m.found, m.n, m.not_on_list
    );
    // Only names that the list file no longer contains may be missed, and
    // only the few removed since the set was made.
    assert!(m.not_on_list.len() <= 3, "{:?}", m.not_on_list);
    assert_eq!(m.recall_listed(), 1.0, "missed: {:?}", m.misses);
}

#[test]
fn at_most_one_percent_of_us_negatives_hit() {
    let _ = embargo_testkit::require_shared!("eval/yente/negatives_us.csv");
    let _ = embargo_testkit::require_shared!("data/lists/us_csl/2022-05/consolidated.csv");
    // (Issue 3's acronym rule, measured on the real SDN list.)
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::SDN);
    let _ = embargo_testkit::require_shared!("data/lists/un/2026-02/UN_consolidated.xml");
    let shared = embargo_testkit::shared_dir().unwrap();
    let m = screening::negatives(&shared, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(m.n, 50_000);
    let test = m
        .outcomes
        .iter()
        .filter(|o| o.0 == embargo_eval::Part::Test);
    assert_eq!(test.count(), 15_168);
    eprintln!(
        "negatives: {} of {} with a hit ({:.4})",
        m.with_hit,
        m.n,
        m.fp_rate()
    );
    assert!(
        m.fp_rate() <= 0.01,
        "{:.4} > 0.01; e.g. {:?}",
        m.fp_rate(),
        &m.sample[..m.sample.len().min(5)]
    );
}

#[test]
fn watchman_pairs_are_scored() {
    let p = embargo_testkit::require_shared!("eval/watchman/cross_script_pairs.csv");
    let m = pairs::watchman(&p, DEFAULT_THRESHOLD).unwrap();
    assert_eq!(m.n, 22);
    eprintln!(
        "watchman: {}/{} at threshold, {} at watchman's own minimum",
        m.found, m.n, m.at_watchman_min
    );
    // No acceptance target; Cyrillic pairs must all be found.
    let cyr: Vec<_> = m
        .pairs
        .iter()
        .filter(|p| p.a.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)))
        .collect();
    assert_eq!(cyr.len(), 4);
    assert!(cyr.iter().all(|p| p.score >= DEFAULT_THRESHOLD), "{cyr:?}");
}

#[test]
fn xpcc_finds_the_sdn_entry_by_acronym() {
    // (Issue 3's acronym rule, measured on the real SDN list.)
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::SDN);
    let shared = embargo_testkit::shared_dir().unwrap();
    let sdn = embargo_eval::lists::load(
        &shared,
        embargo_eval::lists::SDN,
        embargo_model::SourceKind::OfacSdn,
    )
    .unwrap();
    let m = embargo_match::Matcher::build(sdn);
    let hits = m.screen(
        &embargo_match::Query::name("XPCC"),
        &embargo_match::ScreenOptions::default(),
    );
    let h = hits
        .iter()
        .find(|h| h.matched_name == "XINJIANG PRODUCTION AND CONSTRUCTION CORPS")
        .expect("XPCC not found");
    assert!(h.score >= DEFAULT_THRESHOLD, "{}", h.score);
    assert_eq!(h.explanation.matched_as, embargo_match::MatchKind::Acronym);
}

/// Issue 11: Chinese-script names of unlisted Chinese companies and people
/// (`data/chinese_negatives.tsv`) almost never hit CSL + SDN + UN.
#[test]
fn at_most_one_percent_of_chinese_script_negatives_hit() {
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::CSL);
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::SDN);
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::UN);
    let shared = embargo_testkit::shared_dir().unwrap();
    let m = screening::chinese_negatives(&shared, DEFAULT_THRESHOLD).unwrap();
    assert!(m.n >= 1_000, "{}", m.n);
    let test = m
        .outcomes
        .iter()
        .filter(|o| o.0 == embargo_eval::Part::Test);
    assert_eq!(test.count(), 323);
    eprintln!(
        "chinese negatives: {} of {} with a hit ({:.4})",
        m.with_hit,
        m.n,
        m.fp_rate()
    );
    assert!(m.fp_rate() <= 0.01, "{:.4}: {:?}", m.fp_rate(), m.sample);
}

/// Issue 11: Chinese enterprise names by their parts, on the real lists:
/// a division and a form the Entity List entry lacks cost little.
#[test]
fn chinese_firms_with_division_and_form_find_their_entity_list_entry() {
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::CSL);
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::SDN);
    let _ = embargo_testkit::require_shared!(embargo_eval::lists::UN);
    let shared = embargo_testkit::shared_dir().unwrap();
    let m = embargo_match::Matcher::build(embargo_eval::lists::load_all(&shared).unwrap());
    for (q, listed) in [
        ("Beijing Megvii Technology Co Ltd", "Megvii Technology"),
        ("Zhejiang Dahua Technology", "Dahua Technology"),
        ("Zhejiang Dahua Technology Co., Ltd.", "Dahua Technology"),
    ] {
        let hits = m.screen(
            &embargo_match::Query::name(q),
            &embargo_match::ScreenOptions::default(),
        );
        let rank = hits.iter().position(|h| h.matched_name == listed);
        assert!(rank.is_some_and(|r| r < 3), "{q}: {hits:?}");
    }
}

/// Issue 11's transliteration targets, on the frozen test split (rules
/// were tuned on dev only; figures in embargo-match's BENCHMARKS.md).
#[test]
fn transliteration_recall_meets_issue_11_targets_on_the_test_split() {
    let dir = embargo_testkit::require_shared!("eval/transliteration");
    let targets = [
        ("arabic", 0.85),
        ("chinese", 0.60),
        ("japanese", 0.75),
        ("korean", 0.60),
        ("russian", 0.93),
    ];
    let all = translit::all(&dir, DEFAULT_THRESHOLD).unwrap();
    for (script, target) in targets {
        let r = all
            .iter()
            .find(|r| r.script == script)
            .unwrap_or_else(|| panic!("no {script} set in {}", dir.display()));
        let test: Vec<bool> = r
            .outcomes
            .iter()
            .filter(|(p, _)| *p == embargo_eval::Part::Test)
            .map(|(_, found)| *found)
            .collect();
        assert!(test.len() > 1000, "{script}: {} test rows", test.len());
        let recall = test.iter().filter(|f| **f).count() as f64 / test.len() as f64;
        eprintln!("{script}: test recall {recall:.4} (target {target})");
        assert!(
            recall >= target,
            "{script}: test recall {recall:.4} < {target}"
        );
    }
}

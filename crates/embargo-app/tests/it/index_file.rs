//! The snapshot's index file (issue 18): built once per list change beside
//! the store, memory-mapped, refused and rebuilt when damaged, exported as
//! one file that screens and decides without the store, with the same
//! results as the snapshot built in memory.

use embargo_app::index_file::{cache_dir, load_cached, IndexOrigin};
use embargo_app::{import_file, App, ImportOptions, ScreenRequest, Snapshot};
use embargo_match::{Query, ScreenOptions};
use embargo_store::Store;
use std::path::{Path, PathBuf};

fn rows(s: &Snapshot, q: &Query, as_of: Option<&str>) -> serde_json::Value {
    let req = ScreenRequest {
        query: q.clone(),
        options: ScreenOptions {
            threshold: 0.6,
            limit: 15,
            ..Default::default()
        },
        as_of: as_of.map(|d| d.parse().unwrap()),
    };
    serde_json::to_value(s.screen(&req)).unwrap()
}

fn decision(s: &Snapshot, date: &str, party: &str) -> serde_json::Value {
    let tx = format!(
        r#"{{"date":"{date}","flow":"payment","actor":{{"us_person":true,"country":"US"}},
           "context":{{"currency":"USD"}},
           "parties":[{{"role":"counterparty","name":"{party}"}}]}}"#
    );
    let tx = embargo_rules::parse_transaction(&tx).unwrap();
    let mut v = serde_json::to_value(s.engine().decide(&tx)).unwrap();
    // The moment of evaluation differs between two runs by design.
    if let Some(o) = v.as_object_mut() {
        o.remove("evaluated_at");
    }
    v
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache_dir(dir))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "embidx"));
    v
}

const NAMES: &[&str] = &[
    "Hikvision",
    "海康威视",
    "Hangzhou Hikvision Digital Technology",
    "Xinjiang Public Security Bureau",
    "Dahua Technology",
    "Megvii",
    "Sensetime",
    "Chen Quanguo",
];

#[test]
fn the_cache_is_built_once_reused_and_rebuilt_when_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let snap = app.snapshot();
    let IndexOrigin::File { rebuilt, path, .. } = &snap.index else {
        panic!("the app screens from its index file: {:?}", snap.index);
    };
    assert!(rebuilt.as_deref().unwrap().contains("no index file"));
    let path = path.clone();
    assert_eq!(cache_files(dir.path()), vec![path.clone()]);
    // The same results as the snapshot built in memory (pack only here).
    let mem = Snapshot::load(Some(&app.store)).unwrap();
    let mut hits = 0;
    for n in NAMES {
        let q = Query::name(*n);
        let a = rows(&mem, &q, None);
        assert_eq!(a, rows(&snap, &q, None), "{n}");
        hits += a.as_array().unwrap().len();
    }
    assert!(hits >= NAMES.len(), "{hits}");
    drop((snap, app));

    // Opened again: the file is reused as it is.
    let app = App::open(dir.path()).unwrap();
    assert!(matches!(
        &app.snapshot().index,
        IndexOrigin::File { rebuilt: None, .. }
    ));
    drop(app);

    // A damaged file is never used: it is refused and rebuilt, and the
    // reason says so.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let app = App::open(dir.path()).unwrap();
    let snap = app.snapshot();
    let IndexOrigin::File { rebuilt, .. } = &snap.index else {
        panic!("{:?}", snap.index);
    };
    let why = rebuilt.as_deref().unwrap();
    assert!(why.contains("corrupt"), "{why}");
    assert_eq!(
        rows(&snap, &Query::name("Hikvision"), None),
        rows(&mem, &Query::name("Hikvision"), None)
    );
}

/// The verification stamp (`index_file`'s module docs): a file verified in
/// full once, and settled, is then opened quickly; any write to it, even
/// of the same bytes, voids the stamp, and a damaged file is refused
/// whatever its stamp said.
#[test]
fn a_stamped_cache_opens_quickly_until_the_file_is_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let origin = |app: &App| match &app.snapshot().index {
        IndexOrigin::File {
            rebuilt,
            verified_in_full,
            path,
            ..
        } => (rebuilt.clone(), *verified_in_full, path.clone()),
        other => panic!("{other:?}"),
    };
    let (rebuilt, full, path) = origin(&App::open(dir.path()).unwrap());
    assert!(rebuilt.is_some() && full, "built, then verified in full");
    let stamp = path.with_file_name(format!(
        "{}.verified",
        path.file_name().unwrap().to_string_lossy()
    ));
    // Just written: not stamped (a write in the same clock tick could
    // not be told apart), so the next open verifies in full again.
    assert!(!stamp.exists());
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(
        origin(&App::open(dir.path()).unwrap()),
        (None, true, path.clone())
    );
    assert!(stamp.exists(), "a settled file verified in full is stamped");
    assert_eq!(
        origin(&App::open(dir.path()).unwrap()),
        (None, false, path.clone())
    );

    // The same bytes written again: the stamp no longer vouches for them.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        origin(&App::open(dir.path()).unwrap()),
        (None, true, path.clone())
    );

    // Stamped again, then damaged: refused and rebuilt.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert!(origin(&App::open(dir.path()).unwrap()).1);
    assert!(!origin(&App::open(dir.path()).unwrap()).1);
    let mut bad = bytes.clone();
    let last = bad.len() - 10;
    bad[last] ^= 0x20;
    std::fs::write(&path, &bad).unwrap();
    let (rebuilt, _, _) = origin(&App::open(dir.path()).unwrap());
    let why = rebuilt.expect("a damaged file is rebuilt");
    assert!(why.contains("corrupt"), "{why}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "deterministic rebuild"
    );
}

#[test]
fn an_exported_snapshot_screens_and_decides_without_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let out = dir.path().join("export/snap.embidx");
    let first = app.snapshot().export(&out).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(first.bytes, bytes.len() as u64);
    // Deterministic: the same lists give the same bytes, whether exported
    // from the mapped file or from a snapshot built in memory.
    let again = dir.path().join("again.embidx");
    Snapshot::load(Some(&app.store))
        .unwrap()
        .export(&again)
        .unwrap();
    assert!(
        std::fs::read(&again).unwrap() == bytes,
        "two exports differ"
    );
    let snap = Snapshot::open_file(&out).unwrap();
    assert_eq!(snap.version_labels(), app.snapshot().version_labels());
    for n in NAMES {
        let q = Query::name(*n);
        assert_eq!(
            rows(&snap, &q, None),
            rows(&app.snapshot(), &q, None),
            "{n}"
        );
    }
    for party in [
        "Hikvision",
        "Xinjiang Production and Construction Corps",
        "Acme Widgets",
    ] {
        assert_eq!(
            decision(&snap, "2024-06-01", party),
            decision(&app.snapshot(), "2024-06-01", party),
            "{party}"
        );
    }
    // Refused with a clear message: cut short, or not a snapshot at all.
    let cut = dir.path().join("cut.embidx");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let e = Snapshot::open_file(&cut).err().unwrap();
    let msg = format!("{e}: {}", std::error::Error::source(&e).unwrap());
    assert!(
        msg.contains("refused") && msg.contains("truncated"),
        "{msg}"
    );
    let e = Snapshot::open_file(&dir.path().join("embargo.sqlite"))
        .err()
        .unwrap();
    let msg = format!("{e}: {}", std::error::Error::source(&e).unwrap());
    assert!(msg.contains("not an Embargo index file"), "{msg}");
}

/// CSL + four SDN versions (a stored history with removed parties) + UN:
/// the cached file answers screens, dated screens and decisions exactly as
/// the snapshot built in memory, and an import makes a new file.
#[test]
fn official_lists_with_history_give_identical_answers_from_the_file() {
    let mut files = vec![];
    for (rel, published) in [
        ("data/lists/ofac_sdn/2021-07/sdn.csv", Some("2021-07-31")),
        ("data/lists/ofac_sdn/2024-05-03/sdn.csv", Some("2024-05-03")),
        ("data/lists/us_csl/2022-05/consolidated.csv", None),
        ("data/lists/un/2026-02/UN_consolidated.xml", None),
    ] {
        let Some(p) = embargo_testkit::shared_file(rel) else {
            return;
        };
        files.push((p, published));
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (p, published) in &files[..3] {
        let opts = ImportOptions {
            published: published.map(|d| d.parse().unwrap()),
            ..Default::default()
        };
        import_file(&store, p, &opts).unwrap();
    }
    let mem = Snapshot::load(Some(&store)).unwrap();
    let file = load_cached(&store, dir.path()).unwrap();
    assert!(matches!(file.index, IndexOrigin::File { .. }));
    assert!(
        file.screened_entities() < file.matcher.len(),
        "removed parties are kept"
    );
    let mut qs: Vec<Query> = NAMES.iter().map(|n| Query::name(*n)).collect();
    for e in mem.matcher.entities().iter().step_by(211) {
        qs.push(Query::name(e.caption()));
    }
    let mut hits = 0;
    for q in &qs {
        let a = rows(&mem, q, None);
        hits += a.as_array().unwrap().len();
        assert_eq!(a, rows(&file, q, None), "{}", q.name);
        assert_eq!(
            rows(&mem, q, Some("2022-01-15")),
            rows(&file, q, Some("2022-01-15")),
            "{} as of 2022-01-15",
            q.name
        );
    }
    assert!(hits > qs.len(), "{hits} hits for {} queries", qs.len());
    for (date, party) in [
        ("2024-06-01", "Hikvision"),
        ("2022-01-15", "Bank Melli Iran"),
        ("2019-03-01", "Rosoboronexport"),
    ] {
        assert_eq!(
            decision(&mem, date, party),
            decision(&file, date, party),
            "{party}"
        );
    }
    // Deterministic with a stored history too (its maps are hash maps).
    let (x, y) = (dir.path().join("x.embidx"), dir.path().join("y.embidx"));
    file.export(&x).unwrap();
    Snapshot::open_file(&x).unwrap().export(&y).unwrap();
    assert!(
        std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(),
        "two exports differ"
    );
    let before = cache_files(dir.path());
    assert_eq!(before.len(), 1);
    // A new list makes a new file (the old one is removed).
    import_file(&store, &files[3].0, &ImportOptions::default()).unwrap();
    let after = load_cached(&store, dir.path()).unwrap();
    let IndexOrigin::File { rebuilt, path, .. } = &after.index else {
        panic!();
    };
    assert!(rebuilt.is_some());
    assert_eq!(cache_files(dir.path()), vec![path.clone()]);
    assert_ne!(&before[0], path);
    assert!(
        after.version_labels().iter().any(|l| l.starts_with("un")),
        "{:?}",
        after.version_labels()
    );
}

/// An error with every cause under it.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Rewrites the snapshot file at `path` with `section` replaced by `body`
/// and a correct checksum: what someone who edits a file and re-seals it
/// would hand in.
fn reseal(path: &Path, section: &str, body: &[u8]) {
    use embargo_match::index::{write, Container};
    let bytes = std::fs::read(path).unwrap();
    let c = Container::open(std::sync::Arc::new(bytes)).unwrap();
    let names: Vec<String> = c.names().map(str::to_string).collect();
    let owned: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| {
            let b = if n == section {
                body.to_vec()
            } else {
                c.section(n).unwrap().to_vec()
            };
            (n.clone(), b)
        })
        .collect();
    let sections: Vec<(&str, &[u8])> = owned
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    assert!(names.iter().any(|n| n == section), "{section} in {names:?}");
    std::fs::write(path, write(&sections)).unwrap();
}

#[test]
fn a_resealed_snapshot_whose_contents_do_not_decode_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let good = dir.path().join("good.embidx");
    app.snapshot().export(&good).unwrap();
    // The untouched export opens (so the refusals below are the edits').
    Snapshot::open_file(&good).unwrap();

    let history = dir.path().join("history.embidx");
    std::fs::copy(&good, &history).unwrap();
    reseal(&history, "a.history", b"{not json");
    let err = chain(&Snapshot::open_file(&history).err().expect("refused"));
    assert!(err.contains("listing history"), "{err}");

    let bodies = dir.path().join("bodies.embidx");
    std::fs::copy(&good, &bodies).unwrap();
    let len = {
        let bytes = std::fs::read(&good).unwrap();
        let c = embargo_match::index::Container::open(std::sync::Arc::new(bytes)).unwrap();
        c.section("m.bodies").unwrap().len()
    };
    reseal(&bodies, "m.bodies", &vec![b'#'; len]);
    let err = chain(&Snapshot::open_file(&bodies).err().expect("refused"));
    assert!(err.contains("does not decode"), "{err}");
}

//! The customer book's index file (issue 14): `book import` writes it,
//! `monitor` maps it, and the alerts are those of an index built in
//! memory; a missing, corrupt, stale or other-format file is rebuilt with
//! the reason, never used.

use embargo_app::book_index::{book_index_dir, BookIndexFile};
use embargo_app::{import_file, AlertFilter, App, BookColumns, BookIndex, ImportOptions};
use embargo_model::{Entity, EntityId, PublishedBasis, Schema, SourceKind};
use embargo_store::NewVersion;
use std::path::{Path, PathBuf};

const ACTOR: &str = "cli:test";

fn cols() -> BookColumns {
    BookColumns {
        id: "id".into(),
        name: "name".into(),
        schema: Some("schema".into()),
        country: Some("country".into()),
        ..Default::default()
    }
}

fn custom(id: &str, name: &str, schema: Schema) -> Entity {
    let mut e = Entity::new(
        EntityId(format!("custom_watch:{id}")),
        schema,
        "custom_watch",
        name,
    );
    e.programs = vec!["INTERNAL".into()];
    e
}

fn import_custom(app: &App, entities: &[Entity], n: u8) {
    app.store
        .import(
            NewVersion {
                dataset: "custom_watch".into(),
                source: SourceKind::Custom,
                sha256: format!("{n:064x}"),
                published: Some(format!("2026-01-0{n}").parse().unwrap()),
                published_basis: PublishedBasis::Operator,
                origin: format!("v{n}"),
            },
            entities,
        )
        .unwrap();
    app.reload().unwrap();
}

fn watch_v1() -> Vec<Entity> {
    vec![
        custom("1", "Petrovsky Marine Trading Company", Schema::Company),
        custom("2", "Ivan Sergeyevich Kolokoltsev", Schema::Person),
        custom("3", "Golden Lotus Shipping Limited", Schema::Company),
    ]
}

/// Version 2: two entries added, one changed (its name), one kept.
fn watch_v2() -> Vec<Entity> {
    let mut v = watch_v1();
    v[2] = custom(
        "3",
        "Golden Lotus Maritime Shipping Limited",
        Schema::Company,
    );
    v.push(custom("4", "Harbour Bakery Supplies", Schema::Company));
    v.push(custom("5", "Quentin Abernathy Marlowe", Schema::Person));
    v
}

const BOOK: &str = "id,name,schema,country\n\
    c1,Petrovsky Marine Trading Co,Company,\n\
    c2,Ivan Kolokoltsev,Person,RU\n\
    c3,Golden Lotus Shipping Ltd,Company,\n\
    c4,Harbour Bakery Supplies Ltd,Company,GB\n\
    c5,Quentin A Marlowe,Person,\n\
    c6,Jane Quincy Customer,Person,US\n\
    c7,Emperor Aviation Ltd,Company,\n\
    c8,BANCO NACIONAL DE CUBA,Company,\n\
    c9,Mahan Air,Company,\n";

/// An alert without its ids and times.
fn alert_rows(app: &App) -> Vec<serde_json::Value> {
    let mut rows: Vec<serde_json::Value> = app
        .alerts(&AlertFilter {
            book: Some("retail".into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "customer": a.customer_id,
                "entity": a.entity_id,
                "subject": a.subject,
                "score": a.score,
                "explanation": a.explanation,
                "list_version": a.list_version,
                "cause": a.cause,
                "state": a.state,
                "reason": a.state_reason,
            })
        })
        .collect();
    rows.sort_by_key(|v| v.to_string());
    rows
}

/// One data directory of the comparison: monitors with the index file
/// (`mapped`) or with an index built in memory and handed in.
struct Side {
    _dir: tempfile::TempDir,
    app: App,
    mapped: bool,
}

impl Side {
    fn new(mapped: bool) -> Side {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        Side {
            _dir: dir,
            app,
            mapped,
        }
    }

    fn monitor(&self) -> Vec<serde_json::Value> {
        let db = self.app.books().unwrap();
        if self.mapped {
            let r = self.app.monitor_book(&db, ACTOR, "retail", None).unwrap();
            let f = r.index_file.as_ref().expect("monitor maps the book's file");
            assert_eq!(f.rebuilt, None, "book import wrote it: {f:?}");
        } else {
            let v = db.info("retail").unwrap().version;
            let ix = BookIndex::build("retail", v, db.customers("retail").unwrap());
            let r = self
                .app
                .monitor_book(&db, ACTOR, "retail", Some(&ix))
                .unwrap();
            assert!(r.index_file.is_none());
        }
        alert_rows(&self.app)
    }
}

#[test]
fn the_mapped_book_index_gives_the_alerts_of_one_built_in_memory() {
    let sdn = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-02/sdn.csv").zip(
        embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv"),
    );
    if sdn.is_none() {
        eprintln!("the SDN steps are skipped; the custom list's steps run");
    }
    let sides = [Side::new(true), Side::new(false)];
    let mut steps: Vec<Vec<Vec<serde_json::Value>>> = Vec::new();
    let mut step = |f: &dyn Fn(&Side)| {
        steps.push(
            sides
                .iter()
                .map(|s| {
                    f(s);
                    s.monitor()
                })
                .collect(),
        );
    };
    step(&|s| {
        import_custom(&s.app, &watch_v1(), 1);
        let r = s
            .app
            .import_book(ACTOR, "retail", "book.csv", BOOK.as_bytes(), &cols(), 0.8)
            .unwrap();
        assert!(r.index_file.is_some(), "{r:?}");
    });
    let opts = |d: &str| ImportOptions {
        published: Some(d.parse().unwrap()),
        ..Default::default()
    };
    if let Some((old, _)) = &sdn {
        // A dataset new to the book: every SDN entry is screened against
        // the book's index (the reverse direction).
        step(&|s| {
            import_file(&s.app.store, old, &opts("2024-05-02")).unwrap();
            s.app.reload().unwrap();
        });
    }
    step(&|s| import_custom(&s.app, &watch_v2(), 2));
    if let Some((_, new)) = &sdn {
        step(&|s| {
            import_file(&s.app.store, new, &opts("2024-05-03")).unwrap();
            s.app.reload().unwrap();
        });
    }
    for (i, sides) in steps.iter().enumerate() {
        assert_eq!(
            sides[0], sides[1],
            "step {i}: the mapped index's alerts differ from the in-memory index's"
        );
    }
    let last = steps.last().unwrap();
    let causes: Vec<&str> = last[0].iter().filter_map(|a| a["cause"].as_str()).collect();
    // The list deltas reached customers through the book's index.
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("listed in custom_watch version")),
        "{causes:?}"
    );
    if sdn.is_some() {
        assert!(
            causes
                .iter()
                .any(|c| c.starts_with("listed in us_ofac_sdn version")),
            "{causes:?}"
        );
        assert!(last[0].iter().any(|a| a["state"] == "closed"));
    }
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(book_index_dir(dir))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    // Index files only, not their verification stamps.
    v.retain(|p| p.extension().is_some_and(|x| x == "embidx"));
    v.sort();
    v
}

fn monitor_file(app: &App) -> BookIndexFile {
    let r = app.monitor(ACTOR, Some("retail")).unwrap();
    r[0].index_file.clone().expect("an index file")
}

#[test]
fn a_missing_corrupt_stale_or_foreign_book_index_file_is_rebuilt_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    import_custom(&app, &watch_v1(), 1);
    let r = app
        .import_book(ACTOR, "retail", "b1.csv", BOOK.as_bytes(), &cols(), 0.8)
        .unwrap();
    let at_import = r.index_file.expect("book import writes the index file");
    assert_eq!(
        at_import.rebuilt.as_deref(),
        Some("no index file for this book version")
    );
    assert_eq!(files_of(dir.path()), std::slice::from_ref(&at_import.path));
    let v1 = std::fs::read(&at_import.path).unwrap();

    // Mapped as written.
    let f = monitor_file(&app);
    assert_eq!((f.path.clone(), f.rebuilt), (at_import.path.clone(), None));
    assert_eq!(f.checksum, at_import.checksum);

    // Corrupt: one flipped byte in the content.
    let mut bad = v1.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x5a;
    std::fs::write(&f.path, &bad).unwrap();
    let f = monitor_file(&app);
    let why = f.rebuilt.expect("a corrupt file is rebuilt");
    assert!(why.contains("corrupt"), "{why}");
    assert_eq!(std::fs::read(&f.path).unwrap(), v1, "deterministic rebuild");
    assert_eq!(monitor_file(&app).rebuilt, None);

    // Truncated.
    std::fs::write(&f.path, &v1[..v1.len() - 7]).unwrap();
    let why = monitor_file(&app)
        .rebuilt
        .expect("a truncated file is rebuilt");
    assert!(why.contains("truncated"), "{why}");

    // Another format version (the header's, outside the checksum).
    let mut other = v1.clone();
    other[8] = other[8].wrapping_add(1);
    std::fs::write(&f.path, &other).unwrap();
    let why = monitor_file(&app)
        .rebuilt
        .expect("another format is rebuilt");
    assert!(why.contains("format version"), "{why}");

    // Missing.
    std::fs::remove_file(&f.path).unwrap();
    let why = monitor_file(&app)
        .rebuilt
        .expect("a missing file is rebuilt");
    assert_eq!(why, "no index file for this book version");

    // A new book version gets its own file; the old one is removed.
    let book2 = format!("{BOOK}c10,Golden Lotus Maritime Shipping Limited,Company,\n");
    let r = app
        .import_book(ACTOR, "retail", "b2.csv", book2.as_bytes(), &cols(), 0.8)
        .unwrap();
    let f2 = r.index_file.expect("a new version's file");
    assert_ne!(f2.path, at_import.path);
    assert_eq!(files_of(dir.path()), std::slice::from_ref(&f2.path));
    let v2 = std::fs::read(&f2.path).unwrap();
    assert_ne!(v1, v2);

    // Stale: the previous version's intact file under the current name
    // (checksum fine, built for other customers) is refused and rebuilt.
    std::fs::write(&f2.path, &v1).unwrap();
    let f = monitor_file(&app);
    let why = f.rebuilt.expect("a stale file is rebuilt");
    assert!(why.contains("built for book retail version 1"), "{why}");
    assert_eq!(std::fs::read(&f2.path).unwrap(), v2);

    // The monitor of version 2 found the new customer through the mapped
    // index and its alerts are those of the in-memory index (the other
    // test); here: it is there.
    let alerts = app.alerts(&AlertFilter::default()).unwrap();
    assert!(
        alerts.iter().any(|a| a.customer_id == "c1"),
        "{:?}",
        alerts.iter().map(|a| &a.customer_id).collect::<Vec<_>>()
    );
}

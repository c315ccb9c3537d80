//! Import one list file (or OFAC CSV set) into the store: parse it fully
//! first, then hand the entities to the store in one transaction. A parse
//! error therefore never reaches the store, and the previous active version
//! stays in force.
//!
//! **No silent degradation.** Every import (`embargo lists import`,
//! `embargo update`, the server) goes through [`import_file`], which refuses,
//! with the reason and the override where one makes sense
//! ([`embargo_store::Refusal`]): a list with no entries; fewer records than
//! the file itself declares (OFAC XML `Record_Count`); more than half of the
//! active version's entries gone (`allow_shrink`); a publication date
//! before the active version's (`allow_older` stores such a version as
//! history without making it active); another source kind under
//! an existing dataset name; the reserved names `embargo_xinjiang_pack` and
//! `default`. The store makes the checks that compare with the active
//! version inside the import's transaction, so a refused import writes
//! nothing.
//!
//! **Publication date.** From the file where it states one, else the
//! download's `Last-Modified` (`ImportOptions::last_modified`, set by
//! `embargo update`), else the operator's `--published`, else the import
//! date; the version records which (`ListVersion::published_basis`).

use anyhow::Result;
use chrono::NaiveDate;
use embargo_model::{EntityId, ListVersion, PublishedBasis, SourceKind};
use embargo_sources::SourceError;
use embargo_store::{ImportOutcome, ImportPolicy, NewVersion, Refusal, Store, StoreError};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub version: ListVersion,
    /// False when the file was identical to the active version (or, for
    /// an older publication, to a stored one): a no-op.
    pub imported: bool,
    /// False when the version was stored as history only: published
    /// before the active version and let through by `allow_older`.
    pub activated: bool,
    pub warnings: Vec<String>,
}

/// What to import a file as, and which refusals to override.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Parser to use; detected from the file when `None`.
    pub kind: Option<SourceKind>,
    /// Dataset to store under; the source's default when `None`.
    pub dataset: Option<String>,
    /// Publication date given by the operator (`--published`), used when
    /// neither the file nor the download states one.
    pub published: Option<NaiveDate>,
    /// The download's `Last-Modified` (from `embargo update`), used when the
    /// file states no date.
    pub last_modified: Option<NaiveDate>,
    /// Accept a version with fewer than half the active entries, or none.
    pub allow_shrink: bool,
    /// Store a version published before the active one as history (for
    /// dated decisions); the active version stays.
    pub allow_older: bool,
}

/// Why an import did not happen. Every variant names the file.
#[derive(Debug)]
pub enum ImportError {
    /// A guard refused it; nothing was written. [`Refusal::override_flag`]
    /// names the override, where there is one.
    Refused { file: PathBuf, refusal: Refusal },
    /// The file could not be parsed (the error names file, line and field).
    Parse { file: PathBuf, source: SourceError },
    /// The store failed; the active version is unchanged.
    Store { file: PathBuf, source: StoreError },
}

impl ImportError {
    /// The refusal, if a guard refused the import.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            ImportError::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Refused { file, refusal } => write!(
                f,
                "refused to import {}: {refusal}. Nothing was written",
                file.display()
            ),
            ImportError::Parse { file, source } => {
                // Parser errors usually start with the file name already
                // ("FILE:LINE: field …"): say it once.
                let cause = source.to_string();
                let name = file.display().to_string();
                if cause.starts_with(&name) {
                    write!(f, "cannot import {cause}")
                } else {
                    write!(f, "cannot import {name}: {cause}")
                }
            }
            ImportError::Store { file, source } => {
                write!(f, "cannot import {}: {source}", file.display())
            }
        }
    }
}

/// The message already holds the cause (so `{:#}` does not repeat it);
/// [`ImportError::refusal`] gives the typed refusal.
impl std::error::Error for ImportError {}

/// Parses `path` as `kind` (detected when `None`) and imports it under
/// `dataset` (the source's default dataset when `None`), with every guard
/// on. See [`import_file`].
pub fn import_path(
    store: &Store,
    path: &Path,
    kind: Option<SourceKind>,
    dataset: Option<&str>,
) -> Result<ImportReport> {
    let opts = ImportOptions {
        kind,
        dataset: dataset.map(str::to_string),
        ..ImportOptions::default()
    };
    Ok(import_file(store, path, &opts)?)
}

/// Parses `path` and imports it as `opts` says, through the guards of the
/// module docs.
pub fn import_file(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_file_journaled(store, path, opts, None)
}

/// [`import_file`] that writes `intent(report)` into the store's audit
/// journal in the import's transaction when a version is stored (see
/// `journal`).
pub(crate) fn import_file_journaled(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    intent: Option<&dyn Fn(&ImportReport) -> serde_json::Value>,
) -> Result<ImportReport, ImportError> {
    let file = path.to_path_buf();
    let mut parsed =
        embargo_sources::parse_path(path, opts.kind).map_err(|source| ImportError::Parse {
            file: file.clone(),
            source,
        })?;
    let dataset = opts.dataset.clone().unwrap_or(parsed.dataset.clone());
    let refused = |refusal| ImportError::Refused {
        file: file.clone(),
        refusal,
    };
    if embargo_store::RESERVED_DATASETS.contains(&dataset.as_str()) {
        return Err(refused(Refusal::Reserved { dataset }));
    }
    if let Some(declared) = parsed.declared_records {
        let found = parsed.entities.len() as u64;
        if found < declared {
            return Err(refused(Refusal::BelowDeclared {
                dataset,
                declared,
                found,
            }));
        }
    }
    if dataset != parsed.dataset {
        rename_dataset(&mut parsed, &dataset);
    }
    let mut warnings = std::mem::take(&mut parsed.warnings);
    let (published, published_basis) = match (parsed.published, opts.last_modified, opts.published)
    {
        (Some(d), _, _) => {
            if let Some(given) = opts.published.filter(|g| *g != d) {
                warnings.push(format!(
                    "{}: the file states publication date {d}; --published {given} is not used",
                    file.display()
                ));
            }
            (Some(d), PublishedBasis::File)
        }
        (None, Some(d), _) => (Some(d), PublishedBasis::HttpLastModified),
        (None, None, Some(d)) => (Some(d), PublishedBasis::Operator),
        (None, None, None) => (None, PublishedBasis::ImportDate),
    };
    let version = NewVersion {
        dataset: dataset.clone(),
        source: parsed.kind,
        sha256: parsed.sha256.clone(),
        published,
        published_basis,
        origin: path.display().to_string(),
    };
    let policy = ImportPolicy {
        allow_shrink: opts.allow_shrink,
        allow_older: opts.allow_older,
    };
    let is_delta = parsed.kind == SourceKind::Ftm && !parsed.deletions.is_empty();
    let journal = |o: &ImportOutcome| match intent {
        Some(f) => f(&report_of(o.clone(), warnings.clone())),
        None => serde_json::Value::Null,
    };
    let outcome = match (is_delta, intent.is_some()) {
        (true, true) => store.apply_delta_guarded_journaled(
            version,
            &dataset,
            &parsed.entities,
            &parsed.deletions,
            policy,
            &journal,
        ),
        (true, false) => store.apply_delta_guarded(
            version,
            &dataset,
            &parsed.entities,
            &parsed.deletions,
            policy,
        ),
        (false, true) => {
            store.import_guarded_journaled(version, &parsed.entities, policy, &journal)
        }
        (false, false) => store.import_guarded(version, &parsed.entities, policy),
    };
    let outcome = outcome.map_err(|source| match source {
        StoreError::Refused(refusal) => refused(refusal),
        source => ImportError::Store {
            file: file.clone(),
            source,
        },
    })?;
    Ok(report_of(outcome, warnings))
}

fn report_of(outcome: ImportOutcome, warnings: Vec<String>) -> ImportReport {
    let (version, imported, activated) = match outcome {
        ImportOutcome::Imported(v) => (v, true, true),
        ImportOutcome::Unchanged(v) => (v, false, false),
        ImportOutcome::StoredInactive(v) => (v, true, false),
    };
    ImportReport {
        version,
        imported,
        activated,
        warnings,
    }
}

/// Moves every entity (and deletion) of `parsed` into `dataset`, so that a
/// list imported under another name (two custom lists, a second CSL feed)
/// has ids and dataset fields that agree with the version it is stored as.
fn rename_dataset(parsed: &mut embargo_sources::ParsedList, dataset: &str) {
    let rename = |id: &EntityId| {
        let key = id.as_str().split_once(':').map_or(id.as_str(), |(_, k)| k);
        EntityId::new(dataset, key)
    };
    for e in &mut parsed.entities {
        e.id = rename(&e.id);
        e.dataset = dataset.to_string();
    }
    for id in &mut parsed.deletions {
        *id = rename(id);
    }
    parsed.dataset = dataset.to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSL: &str = "data/lists/us_csl/2022-05/consolidated.csv";

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn refusal(r: Result<ImportReport, ImportError>) -> Refusal {
        match r {
            Err(ImportError::Refused { refusal, .. }) => refusal,
            Err(e) => panic!("expected a refusal, got error {e}"),
            Ok(r) => panic!("expected a refusal, got {:?}", r.version),
        }
    }

    fn opts(kind: SourceKind) -> ImportOptions {
        ImportOptions {
            kind: Some(kind),
            ..ImportOptions::default()
        }
    }

    /// The first `n` records of a CSV (all when `None` is header-only: 0),
    /// cut at a record boundary.
    fn csv_head(src: &Path, n: usize, out: &Path) {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(src)
            .unwrap();
        let mut w = csv::Writer::from_path(out).unwrap();
        w.write_byte_record(r.byte_headers().unwrap()).unwrap();
        for rec in r.byte_records().take(n) {
            w.write_byte_record(&rec.unwrap()).unwrap();
        }
        w.flush().unwrap();
    }

    fn ofac_xml(published: &str, declared: usize, uids: &[u32]) -> String {
        let mut x = format!(
            "<?xml version=\"1.0\" standalone=\"yes\"?>\n<sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">\n<publshInformation><Publish_Date>{published}</Publish_Date><Record_Count>{declared}</Record_Count></publshInformation>\n"
        );
        for u in uids {
            x.push_str(&format!(
                "<sdnEntry><uid>{u}</uid><lastName>COMPANY {u}</lastName><sdnType>Entity</sdnType><programList><program>SDGT</program></programList></sdnEntry>\n"
            ));
        }
        x.push_str("</sdnList>\n");
        x
    }

    #[test]
    fn the_csl_red_team_imports_are_refused_and_overrides_pass() {
        let Some(csl) = embargo_testkit::shared_file(CSL) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let header_only = dir.path().join("header_only.csv");
        csv_head(&csl, 0, &header_only);
        let head_2000 = dir.path().join("csl_2000.csv");
        csv_head(&csl, 2000, &head_2000);

        // A header-only CSL as the first version: nothing to import.
        let r = refusal(import_file(
            &store,
            &header_only,
            &opts(SourceKind::TradeCsl),
        ));
        assert!(matches!(r, Refusal::EmptyFirst { .. }), "{r}");
        assert!(store.lists().unwrap().is_empty());

        let full = import_file(&store, &csl, &opts(SourceKind::TradeCsl)).unwrap();
        assert_eq!(full.version.entity_count, 14_160);
        assert_eq!(
            full.version.published_basis,
            Some(PublishedBasis::ImportDate)
        );

        // Header-only over the full list: refused, naming --allow-shrink.
        let e = import_file(&store, &header_only, &opts(SourceKind::TradeCsl)).unwrap_err();
        assert!(e.to_string().contains("--allow-shrink"), "{e}");
        assert!(e.to_string().contains("header_only.csv"), "{e}");
        assert!(matches!(e.refusal(), Some(Refusal::Empty { .. })), "{e}");
        // The first 2,000 rows over 14,160: refused.
        let r = refusal(import_file(&store, &head_2000, &opts(SourceKind::TradeCsl)));
        assert!(matches!(r, Refusal::Shrink { new: 2000, .. }), "{r}");
        assert_eq!(r.override_flag(), Some("--allow-shrink"));
        // A custom list under the CSL's name: refused, whatever the flags.
        let custom = dir.path().join("blocklist.csv");
        std::fs::write(
            &custom,
            "id,schema,name\nb1,Organization,Acme Widgets Ltd\n",
        )
        .unwrap();
        let r = refusal(import_file(
            &store,
            &custom,
            &ImportOptions {
                kind: Some(SourceKind::Custom),
                dataset: Some("us_trade_csl".into()),
                allow_shrink: true,
                allow_older: true,
                ..ImportOptions::default()
            },
        ));
        assert!(
            matches!(
                r,
                Refusal::KindChanged {
                    existing: SourceKind::TradeCsl,
                    new: SourceKind::Custom,
                    ..
                }
            ),
            "{r}"
        );
        // The previous data is intact.
        assert_eq!(
            store.active_version("us_trade_csl").unwrap().unwrap(),
            full.version
        );
        assert_eq!(store.versions("us_trade_csl").unwrap().len(), 1);
        let (_, entities) = store.active_entities().unwrap();
        assert_eq!(entities.len() as u64, full.version.entity_count);

        // The override, given on purpose.
        let shrunk = import_file(
            &store,
            &head_2000,
            &ImportOptions {
                allow_shrink: true,
                published: Some(d("2030-01-01")),
                ..opts(SourceKind::TradeCsl)
            },
        )
        .unwrap();
        assert!(shrunk.imported);
        assert_eq!(shrunk.version.entity_count, 2000);
        assert_eq!(shrunk.version.published, Some(d("2030-01-01")));
        assert_eq!(
            shrunk.version.published_basis,
            Some(PublishedBasis::Operator)
        );
        let empty = import_file(
            &store,
            &header_only,
            &ImportOptions {
                allow_shrink: true,
                published: Some(d("2030-01-02")),
                ..opts(SourceKind::TradeCsl)
            },
        )
        .unwrap();
        assert_eq!(empty.version.entity_count, 0);
    }

    #[test]
    fn the_2014_ofac_xml_sample_cannot_replace_a_2024_sdn() {
        let Some(sdn) = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv")
        else {
            return;
        };
        let Some(sample) = embargo_testkit::shared_file("data/lists/ofac_xml_samples/sdn.xml")
        else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let v = import_file(
            &store,
            &sdn,
            &ImportOptions {
                published: Some(d("2024-05-03")),
                ..ImportOptions::default()
            },
        )
        .unwrap()
        .version;
        assert_eq!(v.published_basis, Some(PublishedBasis::Operator));
        // 4 of the 5,704 records it declares: incomplete, whatever the flags.
        let r = refusal(import_file(
            &store,
            &sample,
            &ImportOptions {
                allow_shrink: true,
                allow_older: true,
                ..ImportOptions::default()
            },
        ));
        assert_eq!(
            r,
            Refusal::BelowDeclared {
                dataset: "us_ofac_sdn".into(),
                declared: 5704,
                found: 4
            }
        );
        assert_eq!(r.override_flag(), None);
        assert_eq!(store.active_version("us_ofac_sdn").unwrap().unwrap(), v);
    }

    #[test]
    fn an_older_publication_needs_allow_older_and_dates_say_where_they_come_from() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let new = dir.path().join("sdn_2024.xml");
        std::fs::write(&new, ofac_xml("05/03/2024", 3, &[1, 2, 3])).unwrap();
        let old = dir.path().join("sdn_2014.xml");
        std::fs::write(&old, ofac_xml("07/16/2014", 3, &[1, 2, 4])).unwrap();
        // The file's date wins over the operator's, with a warning.
        let r = import_file(
            &store,
            &new,
            &ImportOptions {
                published: Some(d("2024-06-01")),
                last_modified: Some(d("2024-05-04")),
                ..ImportOptions::default()
            },
        )
        .unwrap();
        assert_eq!(r.version.published, Some(d("2024-05-03")));
        assert_eq!(r.version.published_basis, Some(PublishedBasis::File));
        assert!(r
            .warnings
            .iter()
            .any(|w| w.contains("--published 2024-06-01")));
        let e = import_file(&store, &old, &ImportOptions::default()).unwrap_err();
        let Some(Refusal::Older { active, new, .. }) = e.refusal() else {
            panic!("{e}")
        };
        assert_eq!((*active, *new), (d("2024-05-03"), d("2014-07-16")));
        assert!(e.to_string().contains("--allow-older"), "{e}");
        assert_eq!(store.versions("us_ofac_sdn").unwrap().len(), 1);
        let r = import_file(
            &store,
            &old,
            &ImportOptions {
                allow_older: true,
                ..ImportOptions::default()
            },
        )
        .unwrap();
        assert!(r.imported && !r.activated);
        assert_eq!(r.version.published, Some(d("2014-07-16")));
        let active = store.active_version("us_ofac_sdn").unwrap().unwrap();
        assert_eq!(
            active.published,
            Some(d("2024-05-03")),
            "history only: the newest publication stays active"
        );
        assert_eq!(store.versions("us_ofac_sdn").unwrap().len(), 2);

        // A file without a date: the download's Last-Modified, then the
        // operator's date, then the import date.
        let csv = |name: &str, rows: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, format!("id,schema,name\n{rows}")).unwrap();
            p
        };
        let a = csv("a.csv", "1,Person,John Doe\n");
        let r = import_file(
            &store,
            &a,
            &ImportOptions {
                kind: Some(SourceKind::Custom),
                last_modified: Some(d("2024-05-02")),
                published: Some(d("2024-01-01")),
                ..ImportOptions::default()
            },
        )
        .unwrap();
        assert_eq!(r.version.published, Some(d("2024-05-02")));
        assert_eq!(
            r.version.published_basis,
            Some(PublishedBasis::HttpLastModified)
        );
        let b = csv("b.csv", "1,Person,John Doe\n");
        let r = import_file(
            &store,
            &b,
            &ImportOptions {
                kind: Some(SourceKind::Custom),
                published: Some(d("2024-01-01")),
                ..ImportOptions::default()
            },
        )
        .unwrap();
        assert_eq!(r.version.published_basis, Some(PublishedBasis::Operator));
        let c = csv("c.csv", "1,Person,John Doe\n");
        let r = import_file(&store, &c, &opts(SourceKind::Custom)).unwrap();
        assert_eq!(r.version.published_basis, Some(PublishedBasis::ImportDate));
        assert_eq!(
            r.version.published,
            Some(r.version.imported_at.date_naive())
        );

        // Reserved names, through the import path as well.
        for name in ["embargo_xinjiang_pack", "default"] {
            let r = refusal(import_file(
                &store,
                &c,
                &ImportOptions {
                    dataset: Some(name.into()),
                    ..opts(SourceKind::Custom)
                },
            ));
            assert!(matches!(r, Refusal::Reserved { .. }), "{r}");
        }
        // A parse error names the file.
        let bad = csv("bad.csv", "");
        std::fs::write(&bad, "not,a,list\n\u{0}").unwrap();
        let e = import_file(&store, &bad, &opts(SourceKind::TradeCsl)).unwrap_err();
        assert!(matches!(e, ImportError::Parse { .. }), "{e}");
        assert!(e.to_string().contains("bad.csv"), "{e}");
    }

    #[test]
    fn a_dataset_override_renames_ids_and_datasets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blocklist.csv");
        std::fs::write(
            &file,
            "id,schema,name\nb1,Organization,Acme Widgets Ltd\nb2,Person,John Doe\n",
        )
        .unwrap();
        let store = Store::open(dir.path()).unwrap();
        let report = import_path(
            &store,
            &file,
            Some(SourceKind::Custom),
            Some("acme_blocklist"),
        )
        .unwrap();
        assert_eq!(report.version.dataset, "acme_blocklist");
        let (_, entities) = store.active_entities().unwrap();
        assert_eq!(entities.len(), 2);
        for e in &entities {
            assert_eq!(e.dataset, "acme_blocklist");
            assert!(e.id.as_str().starts_with("acme_blocklist:"), "{}", e.id);
        }
    }
}

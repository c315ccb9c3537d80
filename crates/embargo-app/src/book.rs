//! Customer books: named sets of customers kept in the data directory
//! (`books.sqlite`, beside the list store and the audit log) so that list
//! changes can be screened against them ([`crate::monitoring`]).
//!
//! A book is versioned like a list: every `book import` is a new version,
//! and what it changed (customers added, changed, removed, with the fields
//! that changed) is kept in `customer_changes`. The current customers are
//! one row each in `customers`; a removed customer's last values stay in
//! its `removed` change row.
//!
//! The database also holds the monitor's state (the list version each book
//! was last screened against, per dataset) and the alert queue
//! ([`crate::alerts`]), so that one SQLite transaction commits a delta's
//! alerts together with the state that says the delta was processed.
//!
//! Invariants:
//! - An import is parsed and checked completely before the database is
//!   touched, and written in one transaction: a bad file (the error names
//!   line and field) leaves the previous version intact.
//! - A re-import of identical content is a no-op that says so.
//! - A customer is indexed as an [`Entity`] of dataset `book:NAME`, so the
//!   book is analysed by the same [`embargo_match::Matcher`] as list names.

use crate::error::{AppError, AppResult};
use chrono::{DateTime, SecondsFormat, Utc};
use embargo_match::{Matcher, Query};
use embargo_model::{Country, DateValue, Entity, EntityId, Identifier, PartialDate, Schema};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// File name of the book database inside the data directory.
pub const BOOKS_FILE: &str = "books.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS books (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    -- the book version last screened against the lists (NULL: never)
    screened_version INTEGER,
    threshold REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS book_versions (
    book TEXT NOT NULL REFERENCES books(name),
    version INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    source TEXT NOT NULL,
    customers INTEGER NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    PRIMARY KEY (book, version)
);
CREATE TABLE IF NOT EXISTS customers (
    book TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    schema TEXT,
    country TEXT,
    dob TEXT,
    id_number TEXT,
    version INTEGER NOT NULL,
    PRIMARY KEY (book, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS customer_changes (
    book TEXT NOT NULL,
    version INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added','changed','removed')),
    fields TEXT NOT NULL,
    old TEXT
);
CREATE INDEX IF NOT EXISTS customer_changes_by_version ON customer_changes(book, version);
CREATE TABLE IF NOT EXISTS monitor_lists (
    book TEXT NOT NULL,
    dataset TEXT NOT NULL,
    version TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (book, dataset)
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    book TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    dataset TEXT NOT NULL,
    caption TEXT NOT NULL,
    subject TEXT NOT NULL,
    score REAL NOT NULL,
    explanation TEXT NOT NULL,
    explanation_text TEXT NOT NULL,
    list_version TEXT NOT NULL,
    cause TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open','under_review','cleared','confirmed','closed')),
    state_reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (book, customer_id, entity_id)
);
CREATE INDEX IF NOT EXISTS alerts_by_entity ON alerts(book, entity_id);
CREATE INDEX IF NOT EXISTS alerts_by_state ON alerts(state);
CREATE TABLE IF NOT EXISTS alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL,
    -- sequence number of the audit record that carries this event (NULL:
    -- committed here, not yet in the audit log; flushed on the next act)
    audit_seq INTEGER
);
CREATE INDEX IF NOT EXISTS alert_events_unaudited ON alert_events(audit_seq) WHERE audit_seq IS NULL;
";

/// The book database of a data directory.
pub struct BookDb {
    path: PathBuf,
    conn: Mutex<Connection>,
}

pub(crate) fn db_err(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> AppError {
    let context = context.into();
    move |e| AppError::io(context, std::io::Error::other(e))
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl BookDb {
    /// Opens (creating if needed) `<data_dir>/books.sqlite`.
    pub fn open(data_dir: &Path) -> AppResult<BookDb> {
        let path = data_dir.join(BOOKS_FILE);
        let open = db_err(format!("opening {}", path.display()));
        let conn = Connection::open(&path).map_err(open)?;
        // Wait for another process (a `monitor`, the server) instead of
        // failing with "database is locked"; set first, so that switching
        // a fresh file to WAL and creating the tables wait too (as the
        // list store and the audit log do).
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(db_err(format!("opening {}", path.display())))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(db_err(format!("opening {}", path.display())))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(AppError::io(
                format!("opening {}", path.display()),
                std::io::Error::other(format!("SQLite refused WAL mode (got {mode})")),
            ));
        }
        // FULL: a committed delta (alerts + monitor state) survives a
        // power cut, not only a killed process.
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(db_err(format!("opening {}", path.display())))?;
        conn.execute_batch(SCHEMA)
            .map_err(db_err(format!("creating the tables of {}", path.display())))?;
        Ok(BookDb {
            path,
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Which CSV columns hold what (`book import --id-column …`).
#[derive(Clone, Debug, Default)]
pub struct BookColumns {
    pub id: String,
    pub name: String,
    pub schema: Option<String>,
    pub country: Option<String>,
    pub dob: Option<String>,
    pub id_number: Option<String>,
}

/// One customer of a book, as stored (optional fields already checked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
}

impl Customer {
    /// Field names whose values differ from `old`.
    fn changed_fields(&self, old: &Customer) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.name != old.name {
            out.push("name");
        }
        if self.schema != old.schema {
            out.push("schema");
        }
        if self.country != old.country {
            out.push("country");
        }
        if self.dob != old.dob {
            out.push("dob");
        }
        if self.id_number != old.id_number {
            out.push("id_number");
        }
        out
    }

    fn typed_schema(&self) -> Option<Schema> {
        self.schema.as_deref().and_then(Schema::parse)
    }

    fn typed_country(&self) -> Option<Country> {
        self.country.as_deref().and_then(Country::parse)
    }

    fn typed_dob(&self) -> Option<PartialDate> {
        self.dob
            .as_deref()
            .and_then(|d| PartialDate::parse_iso(d).ok())
    }

    /// The query a screen of this customer against the lists makes (what
    /// `embargo screen NAME --schema --country --dob` would make).
    pub fn query(&self) -> Query {
        Query {
            name: self.name.clone(),
            schema: self.typed_schema(),
            countries: self.typed_country().into_iter().collect(),
            birth_dates: self.typed_dob().into_iter().collect(),
            identifiers: self.id_number.iter().cloned().collect(),
            ..Default::default()
        }
    }

    /// The key review decisions on this customer's hits are filed under:
    /// the same as a screen of the customer's name with its qualifiers.
    pub fn review_key(&self) -> String {
        crate::review_subject(
            &self.name,
            self.typed_schema(),
            self.typed_dob(),
            self.typed_country(),
        )
    }

    /// The customer as an entity of dataset `book:BOOK`, for the book's
    /// index (list entries are screened against it as queries).
    pub fn entity(&self, book: &str) -> Entity {
        let mut e = Entity::new(
            EntityId(self.id.clone()),
            self.typed_schema().unwrap_or(Schema::LegalEntity),
            &format!("book:{book}"),
            &self.name,
        );
        e.countries = self.typed_country().into_iter().collect();
        e.birth_dates = self.typed_dob().map(DateValue::Exact).into_iter().collect();
        if let Some(n) = &self.id_number {
            e.identifiers.push(Identifier {
                kind: "customer id number".into(),
                value: n.clone(),
                country: None,
                note: None,
            });
        }
        e
    }
}

/// A book's state, for `book list` and `book show`.
#[derive(Clone, Debug, Serialize)]
pub struct BookInfo {
    pub name: String,
    pub created_at: String,
    pub version: u64,
    pub customers: u64,
    /// The book version last screened against the lists (`None`: the
    /// book has not been monitored yet).
    pub screened_version: Option<u64>,
    pub threshold: f64,
    /// The list version each dataset was last screened at, for this book.
    pub lists: Vec<(String, String)>,
    pub open_alerts: u64,
    pub versions: Vec<BookVersion>,
}

/// One import of a book.
#[derive(Clone, Debug, Serialize)]
pub struct BookVersion {
    pub version: u64,
    pub imported_at: String,
    pub source: String,
    pub customers: u64,
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
}

/// One customer added, changed or removed by an import.
#[derive(Clone, Debug, Serialize)]
pub struct CustomerChange {
    pub customer_id: String,
    pub change: String,
    pub fields: Vec<String>,
}

/// What `book import` did.
#[derive(Clone, Debug, Serialize)]
pub struct BookImport {
    pub book: String,
    /// The new version (`None`: the content was identical, nothing stored).
    pub version: Option<u64>,
    pub customers: u64,
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    /// The first changes (at most 50), for the report.
    pub sample: Vec<CustomerChange>,
    /// The book's index file for this version, built by the import so
    /// that `monitor` maps it instead of rebuilding it
    /// ([`crate::book_index`]); `None` when nothing was imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_file: Option<crate::book_index::BookIndexFile>,
    /// Why the index file could not be written (the import itself is
    /// committed; the next `monitor` builds the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_error: Option<String>,
}

/// Longest book name.
const MAX_BOOK_NAME: usize = 64;

pub(crate) fn check_book_name(name: &str) -> AppResult<&str> {
    let ok = !name.is_empty()
        && name.len() <= MAX_BOOK_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(name)
    } else {
        Err(AppError::invalid(
            "book",
            format!(
                "{name:?}: a book name is 1–{MAX_BOOK_NAME} characters of A–Z, a–z, 0–9, _ - ."
            ),
        ))
    }
}

fn col(headers: &csv::StringRecord, c: &str, flag: &str) -> AppResult<usize> {
    headers.iter().position(|h| h == c).ok_or_else(|| {
        AppError::Csv(format!(
            "{flag} {c:?}: no such column; the header has: {}",
            headers.iter().collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Reads and checks every row of a customer CSV. Errors name the line and
/// the field; nothing is returned for a file with any bad row.
pub fn read_customers(input: impl Read, cols: &BookColumns) -> AppResult<Vec<Customer>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| AppError::Csv(format!("cannot read the CSV header: {e}")))?
        .clone();
    let id_i = col(&headers, &cols.id, "--id-column")?;
    let name_i = col(&headers, &cols.name, "--name-column")?;
    let opt = |c: &Option<String>, flag: &str| -> AppResult<Option<usize>> {
        c.as_deref().map(|c| col(&headers, c, flag)).transpose()
    };
    let schema_i = opt(&cols.schema, "--schema-column")?;
    let country_i = opt(&cols.country, "--country-column")?;
    let dob_i = opt(&cols.dob, "--dob-column")?;
    let idn_i = opt(&cols.id_number, "--id-number-column")?;
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    let mut line = 1u64;
    loop {
        line += 1;
        match reader.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(AppError::Csv(format!("CSV line {line}: {e}"))),
        }
        let get = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let bad = |field: &str, msg: String| AppError::Csv(format!("line {line}, {field}: {msg}"));
        let id = get(Some(id_i)).ok_or_else(|| bad(&cols.id, "empty customer id".into()))?;
        if let Some(first) = seen.insert(id.clone(), line) {
            return Err(bad(
                &cols.id,
                format!("customer id {id:?} already on line {first}"),
            ));
        }
        let name = get(Some(name_i)).unwrap_or_default();
        crate::subject::check_name(&cols.name, &name)
            .map_err(|e| bad(&cols.name, e.to_string()))?;
        let schema = get(schema_i);
        if let Some(s) = &schema {
            if Schema::parse(s).is_none() {
                return Err(bad(
                    cols.schema.as_deref().unwrap_or("schema"),
                    format!("{s:?} is not Person, Organization, Company, Vessel or Aircraft"),
                ));
            }
        }
        let country = get(country_i);
        if let Some(c) = &country {
            if Country::parse(c).is_none() {
                return Err(bad(
                    cols.country.as_deref().unwrap_or("country"),
                    format!("{c:?} is not a known country (ISO-2 code or English name)"),
                ));
            }
        }
        let dob = get(dob_i);
        if let Some(d) = &dob {
            if PartialDate::parse_iso(d).is_err() {
                return Err(bad(
                    cols.dob.as_deref().unwrap_or("dob"),
                    format!("{d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"),
                ));
            }
        }
        out.push(Customer {
            id,
            name,
            schema,
            country,
            dob,
            id_number: get(idn_i),
        });
    }
    if out.is_empty() {
        return Err(AppError::Csv(
            "the book has a header but no customers".into(),
        ));
    }
    Ok(out)
}

fn customer_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: r.get(0)?,
        name: r.get(1)?,
        schema: r.get(2)?,
        country: r.get(3)?,
        dob: r.get(4)?,
        id_number: r.get(5)?,
    })
}

const CUSTOMER_COLS: &str = "id, name, schema, country, dob, id_number";

impl BookDb {
    /// Stores `customers` as the new version of `book` (created if new)
    /// and reports the difference to the previous version. One transaction.
    pub fn import(
        &self,
        book: &str,
        source: &str,
        customers: Vec<Customer>,
        threshold: f64,
    ) -> AppResult<BookImport> {
        check_book_name(book)?;
        crate::subject::check_threshold(Some(threshold), embargo_match::Algorithm::Embargo)?;
        let ctx = || format!("importing book {book} into {}", self.path.display());
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err(ctx()))?;
        let current: Option<u64> = tx
            .query_row("SELECT version FROM books WHERE name = ?1", [book], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_err(ctx()))?;
        let mut old: HashMap<String, Customer> = HashMap::new();
        if current.is_some() {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT {CUSTOMER_COLS} FROM customers WHERE book = ?1"
                ))
                .map_err(db_err(ctx()))?;
            let rows = stmt
                .query_map([book], customer_from_row)
                .map_err(db_err(ctx()))?;
            for r in rows {
                let c = r.map_err(db_err(ctx()))?;
                old.insert(c.id.clone(), c);
            }
        }
        let version = current.map_or(1, |v| v + 1);
        let mut report = BookImport {
            book: book.to_string(),
            version: Some(version),
            customers: customers.len() as u64,
            added: 0,
            changed: 0,
            removed: 0,
            sample: Vec::new(),
            index_file: None,
            index_error: None,
        };
        // (customer, change, fields) for every row that differs.
        let mut writes: Vec<(&Customer, &'static str, Vec<&'static str>)> = Vec::new();
        let mut kept = 0u64;
        for c in &customers {
            match old.get(&c.id) {
                None => writes.push((c, "added", vec![])),
                Some(o) => {
                    kept += 1;
                    let f = c.changed_fields(o);
                    if !f.is_empty() {
                        writes.push((c, "changed", f));
                    }
                }
            }
        }
        let removed: Vec<&Customer> = if kept as usize == old.len() {
            Vec::new()
        } else {
            let new_ids: std::collections::HashSet<&str> =
                customers.iter().map(|c| c.id.as_str()).collect();
            let mut r: Vec<&Customer> = old
                .values()
                .filter(|c| !new_ids.contains(c.id.as_str()))
                .collect();
            r.sort_by(|a, b| a.id.cmp(&b.id));
            r
        };
        if current.is_some() && writes.is_empty() && removed.is_empty() {
            report.version = None;
            return Ok(report);
        }
        let at = now();
        if current.is_none() {
            tx.execute(
                "INSERT INTO books (name, created_at, version, screened_version, threshold)
                 VALUES (?1, ?2, 1, NULL, ?3)",
                params![book, at, threshold],
            )
            .map_err(db_err(ctx()))?;
        } else {
            tx.execute(
                "UPDATE books SET version = ?2, threshold = ?3 WHERE name = ?1",
                params![book, version, threshold],
            )
            .map_err(db_err(ctx()))?;
        }
        {
            let mut upsert = tx
                .prepare(
                    "INSERT INTO customers (book, id, seq, name, schema, country, dob, id_number, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (book, id) DO UPDATE SET name = excluded.name,
                       schema = excluded.schema, country = excluded.country, dob = excluded.dob,
                       id_number = excluded.id_number, version = excluded.version",
                )
                .map_err(db_err(ctx()))?;
            let mut change = tx
                .prepare(
                    "INSERT INTO customer_changes (book, version, customer_id, change, fields, old)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(db_err(ctx()))?;
            let seq_base: i64 = tx
                .query_row(
                    "SELECT coalesce(max(seq), 0) FROM customers WHERE book = ?1",
                    [book],
                    |r| r.get(0),
                )
                .map_err(db_err(ctx()))?;
            for (i, (c, kind, fields)) in writes.iter().enumerate() {
                upsert
                    .execute(params![
                        book,
                        c.id,
                        seq_base + i as i64 + 1,
                        c.name,
                        c.schema,
                        c.country,
                        c.dob,
                        c.id_number,
                        version
                    ])
                    .map_err(db_err(ctx()))?;
                let old_json = old
                    .get(&c.id)
                    .map(|o| serde_json::to_string(o).unwrap_or_default());
                change
                    .execute(params![
                        book,
                        version,
                        c.id,
                        kind,
                        serde_json::to_string(fields).unwrap_or_default(),
                        old_json
                    ])
                    .map_err(db_err(ctx()))?;
                if *kind == "added" {
                    report.added += 1;
                } else {
                    report.changed += 1;
                }
                if report.sample.len() < 50 {
                    report.sample.push(CustomerChange {
                        customer_id: c.id.clone(),
                        change: kind.to_string(),
                        fields: fields.iter().map(|f| f.to_string()).collect(),
                    });
                }
            }
            let mut delete = tx
                .prepare("DELETE FROM customers WHERE book = ?1 AND id = ?2")
                .map_err(db_err(ctx()))?;
            for c in &removed {
                delete.execute(params![book, c.id]).map_err(db_err(ctx()))?;
                change
                    .execute(params![
                        book,
                        version,
                        c.id,
                        "removed",
                        "[]",
                        serde_json::to_string(c).unwrap_or_default()
                    ])
                    .map_err(db_err(ctx()))?;
                report.removed += 1;
                if report.sample.len() < 50 {
                    report.sample.push(CustomerChange {
                        customer_id: c.id.clone(),
                        change: "removed".into(),
                        fields: vec![],
                    });
                }
            }
        }
        tx.execute(
            "INSERT INTO book_versions (book, version, imported_at, source, customers, added, changed, removed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                book,
                version,
                at,
                source,
                report.customers,
                report.added,
                report.changed,
                report.removed
            ],
        )
        .map_err(db_err(ctx()))?;
        tx.commit().map_err(db_err(ctx()))?;
        Ok(report)
    }

    /// Every book's name.
    pub fn names(&self) -> AppResult<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT name FROM books ORDER BY name")
            .map_err(db_err("listing books"))?;
        let rows = stmt
            .query_map([], |r| r.get(0))
            .map_err(db_err("listing books"))?;
        rows.collect::<Result<_, _>>()
            .map_err(db_err("listing books"))
    }

    /// One book's state; `NotFound` for an unknown name.
    pub fn info(&self, book: &str) -> AppResult<BookInfo> {
        let ctx = || format!("reading book {book}");
        let conn = self.conn();
        let head: Option<(String, u64, Option<u64>, f64)> = conn
            .query_row(
                "SELECT created_at, version, screened_version, threshold FROM books WHERE name = ?1",
                [book],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(db_err(ctx()))?;
        let Some((created_at, version, screened_version, threshold)) = head else {
            return Err(AppError::NotFound(format!(
                "no book {book:?} (see `embargo book list`)"
            )));
        };
        let customers: u64 = conn
            .query_row(
                "SELECT count(*) FROM customers WHERE book = ?1",
                [book],
                |r| r.get(0),
            )
            .map_err(db_err(ctx()))?;
        let open_alerts: u64 = conn
            .query_row(
                "SELECT count(*) FROM alerts WHERE book = ?1 AND state IN ('open','under_review')",
                [book],
                |r| r.get(0),
            )
            .map_err(db_err(ctx()))?;
        let mut stmt = conn
            .prepare("SELECT dataset, version FROM monitor_lists WHERE book = ?1 ORDER BY dataset")
            .map_err(db_err(ctx()))?;
        let lists = stmt
            .query_map([book], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db_err(ctx()))?
            .collect::<Result<_, _>>()
            .map_err(db_err(ctx()))?;
        let mut stmt = conn
            .prepare(
                "SELECT version, imported_at, source, customers, added, changed, removed
                 FROM book_versions WHERE book = ?1 ORDER BY version",
            )
            .map_err(db_err(ctx()))?;
        let versions = stmt
            .query_map([book], |r| {
                Ok(BookVersion {
                    version: r.get(0)?,
                    imported_at: r.get(1)?,
                    source: r.get(2)?,
                    customers: r.get(3)?,
                    added: r.get(4)?,
                    changed: r.get(5)?,
                    removed: r.get(6)?,
                })
            })
            .map_err(db_err(ctx()))?
            .collect::<Result<_, _>>()
            .map_err(db_err(ctx()))?;
        Ok(BookInfo {
            name: book.to_string(),
            created_at,
            version,
            customers,
            screened_version,
            threshold,
            lists,
            open_alerts,
            versions,
        })
    }

    /// Every current customer of `book`, in import order.
    pub fn customers(&self, book: &str) -> AppResult<Vec<Customer>> {
        let ctx = || format!("reading the customers of book {book}");
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {CUSTOMER_COLS} FROM customers WHERE book = ?1 ORDER BY seq"
            ))
            .map_err(db_err(ctx()))?;
        let rows = stmt
            .query_map([book], customer_from_row)
            .map_err(db_err(ctx()))?;
        rows.collect::<Result<_, _>>().map_err(db_err(ctx()))
    }

    /// Customers added or changed, and ids removed, by the versions after
    /// `since` (all customers are "added" when `since` is `None`).
    pub(crate) fn changes_since(
        &self,
        book: &str,
        since: u64,
    ) -> AppResult<(Vec<String>, Vec<String>)> {
        let ctx = || format!("reading the changes of book {book}");
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT customer_id, change FROM customer_changes
                 WHERE book = ?1 AND version > ?2 ORDER BY version, rowid",
            )
            .map_err(db_err(ctx()))?;
        let rows = stmt
            .query_map(params![book, since], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db_err(ctx()))?;
        // The last change of each customer decides.
        let mut last: HashMap<String, String> = HashMap::new();
        let mut order = Vec::new();
        for r in rows {
            let (id, change) = r.map_err(db_err(ctx()))?;
            if last.insert(id.clone(), change).is_none() {
                order.push(id);
            }
        }
        let mut touched = Vec::new();
        let mut removed = Vec::new();
        for id in order {
            if last[&id] == "removed" {
                removed.push(id);
            } else {
                touched.push(id);
            }
        }
        Ok((touched, removed))
    }
}

/// Customers per shard of a book's index. The matcher keeps the best
/// few dozen candidates per query word, a cut made for list-sized corpora:
/// over a million customers a listed name's true match can lose its place
/// to hundreds of customers sharing one common word. Shards the size of a
/// list keep the reverse search's recall that of a forward screen.
pub const SHARD_SIZE: usize = 16384;

/// A book's customers and the index over them: list entries are screened
/// against it as queries (the reverse direction of a screen).
pub struct BookIndex {
    pub book: String,
    pub version: u64,
    pub customers: Vec<Customer>,
    pub by_id: HashMap<String, usize>,
    /// One matcher per [`SHARD_SIZE`] customers, in customer order.
    pub shards: Vec<Matcher>,
    pub built_at: DateTime<Utc>,
    /// The data directory's file the shards are mapped from (`None`:
    /// built in this process's memory); see [`crate::book_index`].
    pub file: Option<crate::book_index::BookIndexFile>,
}

impl BookIndex {
    /// Analyses every customer's name with the list names' analysis.
    pub fn build(book: &str, version: u64, customers: Vec<Customer>) -> BookIndex {
        let shards = customers
            .chunks(SHARD_SIZE)
            .map(|chunk| Matcher::build(chunk.iter().map(|c| c.entity(book)).collect()))
            .collect();
        BookIndex::assemble(book, version, customers, shards, None)
    }

    /// The index over `customers` from shards built here or mapped from
    /// `file`: the id lookup is derived from the customers either way.
    pub(crate) fn assemble(
        book: &str,
        version: u64,
        customers: Vec<Customer>,
        shards: Vec<Matcher>,
        file: Option<crate::book_index::BookIndexFile>,
    ) -> BookIndex {
        let by_id = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        BookIndex {
            book: book.to_string(),
            version,
            customers,
            by_id,
            shards,
            built_at: Utc::now(),
            file,
        }
    }

    /// Customers (indices) whose names `queries` reach at `opts`, over
    /// every shard, on all cores.
    pub fn search(&self, queries: &[Query], opts: &embargo_match::ScreenOptions) -> Vec<usize> {
        use rayon::prelude::*;
        let mut found: Vec<usize> = self
            .shards
            .par_iter()
            .enumerate()
            .flat_map_iter(|(s, m)| {
                let base = s * SHARD_SIZE;
                queries
                    .iter()
                    .flat_map(|q| m.screen(q, opts))
                    .map(move |h| base + h.entity_index)
                    .collect::<Vec<_>>()
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> BookColumns {
        BookColumns {
            id: "id".into(),
            name: "name".into(),
            country: Some("country".into()),
            dob: Some("dob".into()),
            ..Default::default()
        }
    }

    #[test]
    fn bad_rows_name_the_line_and_field() {
        let csv = "id,name,country,dob\n1,Ana,CN,1980\n2,Bo,Narnia,\n";
        let e = read_customers(csv.as_bytes(), &cols())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("country"), "{e}");
        let csv = "id,name,country,dob\n1,Ana,,\n1,Bo,,\n";
        let e = read_customers(csv.as_bytes(), &cols())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("already on line 2"),
            "{e}"
        );
        let csv = "id,name,country,dob\n1,,,\n";
        let e = read_customers(csv.as_bytes(), &cols())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("name"), "{e}");
        let csv = "id,name,country,dob\n1,Ana,,1980-13\n";
        let e = read_customers(csv.as_bytes(), &cols())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("dob"), "{e}");
        let e = read_customers("ident,name\n".as_bytes(), &cols())
            .unwrap_err()
            .to_string();
        assert!(e.contains("--id-column") && e.contains("ident"), "{e}");
    }

    #[test]
    fn a_reimport_reports_what_changed_and_a_bad_one_keeps_the_book() {
        let dir = tempfile::tempdir().unwrap();
        let db = BookDb::open(dir.path()).unwrap();
        let c = |csv: &str| read_customers(csv.as_bytes(), &cols()).unwrap();
        let r = db
            .import(
                "b",
                "v1.csv",
                c("id,name,country,dob\n1,Ana,CN,\n2,Bo,,\n3,Cy,,\n"),
                0.8,
            )
            .unwrap();
        assert_eq!(
            (r.version, r.added, r.changed, r.removed),
            (Some(1), 3, 0, 0)
        );
        let r = db
            .import(
                "b",
                "v2.csv",
                c("id,name,country,dob\n1,Ana,RU,\n3,Cy,,\n4,Di,,\n"),
                0.8,
            )
            .unwrap();
        assert_eq!(
            (r.version, r.added, r.changed, r.removed),
            (Some(2), 1, 1, 1)
        );
        let changed = r.sample.iter().find(|s| s.change == "changed").unwrap();
        assert_eq!(
            (changed.customer_id.as_str(), changed.fields.clone()),
            ("1", vec!["country".to_string()])
        );
        let r = db
            .import(
                "b",
                "v3.csv",
                c("id,name,country,dob\n1,Ana,RU,\n3,Cy,,\n4,Di,,\n"),
                0.8,
            )
            .unwrap();
        assert_eq!(r.version, None, "identical content is a no-op");
        let (touched, removed) = db.changes_since("b", 1).unwrap();
        assert_eq!(touched, ["1", "4"]);
        assert_eq!(removed, ["2"]);
        let info = db.info("b").unwrap();
        assert_eq!((info.version, info.customers), (2, 3));
        assert!(db.info("nope").is_err());
        assert!(db.import("bad name", "x", vec![], 0.8).is_err());
    }
}

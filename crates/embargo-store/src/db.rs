//! The one seam between the store's logic and its database: [`Sql`], a
//! transaction that runs the store's SQL, implemented for SQLite (the
//! default, embedded) and PostgreSQL (`--store postgres://…`, shared by
//! several nodes).
//!
//! Every query of the store is written once, in the SQL both engines
//! accept (`?N` placeholders, `INSERT … ON CONFLICT DO NOTHING`,
//! `RETURNING id`); the PostgreSQL side rewrites `?N` to `$N`. What does
//! differ is asked of the [`Dialect`]: the schema's DDL (`crate::schema`),
//! reading a field of an entity's JSON body, and how a write transaction
//! excludes other writers (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a
//! transaction-scoped advisory lock, so two nodes importing at once queue
//! exactly as two processes on one SQLite file do).
//!
//! A PostgreSQL write transaction also sends `NOTIFY embargo_lists` before
//! it commits; PostgreSQL delivers it only if the commit succeeds, and
//! other nodes listening ([`crate::ChangeListener`]) reload.

use crate::error::StoreError;

/// The channel a PostgreSQL store notifies on every committed change.
pub const CHANNEL: &str = "embargo_lists";

/// Advisory lock key every PostgreSQL write transaction of the list store
/// holds ("embargo" + 0x10), the counterpart of SQLite's one writer.
const WRITE_LOCK: i64 = 0x656d_6261_7267_6f10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// SQL text of a JSON field of `col` (a TEXT column holding JSON) at
    /// `path` (object keys, or array indexes as digits), as text or NULL.
    pub(crate) fn json_text(self, col: &str, path: &[&str]) -> String {
        match self {
            Dialect::Sqlite => {
                let mut p = String::from("$");
                for k in path {
                    if k.bytes().all(|b| b.is_ascii_digit()) {
                        p.push_str(&format!("[{k}]"));
                    } else {
                        p.push('.');
                        p.push_str(k);
                    }
                }
                format!("json_extract({col}, '{p}')")
            }
            Dialect::Postgres => format!("(({col})::jsonb #>> '{{{}}}')", path.join(",")),
        }
    }
}

/// A query parameter.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    I(i64),
    T(&'a str),
    OptT(Option<&'a str>),
    B(&'a [u8]),
}

impl<'a> From<i64> for Arg<'a> {
    fn from(v: i64) -> Self {
        Arg::I(v)
    }
}
impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::T(v)
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::T(v)
    }
}
impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::OptT(v)
    }
}
impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::B(v)
    }
}

/// `args![a, b]`: a parameter slice.
macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$($crate::db::Arg::from($a)),*][..] };
}
pub(crate) use args;

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match *self {
            Arg::I(v) => ToSqlOutput::from(v),
            Arg::T(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::OptT(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::OptT(None) => ToSqlOutput::Borrowed(ValueRef::Null),
            Arg::B(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// An error of either engine.
#[derive(Debug)]
pub(crate) enum DbError {
    Sqlite(rusqlite::Error),
    Pg(postgres::Error),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}
impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        DbError::Pg(e)
    }
}

/// `url` without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A PostgreSQL error as one line: the server's message and SQLSTATE when
/// there is one.
pub(crate) fn pg_reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// One result row.
pub(crate) trait Row {
    fn i64(&self, i: usize) -> Result<i64, DbError>;
    fn opt_i64(&self, i: usize) -> Result<Option<i64>, DbError>;
    fn text(&self, i: usize) -> Result<String, DbError>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError>;
    fn blob(&self, i: usize) -> Result<Vec<u8>, DbError>;
}

impl Row for rusqlite::Row<'_> {
    fn i64(&self, i: usize) -> Result<i64, DbError> {
        Ok(self.get(i)?)
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>, DbError> {
        Ok(self.get(i)?)
    }
    fn text(&self, i: usize) -> Result<String, DbError> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.get(i)?)
    }
    fn blob(&self, i: usize) -> Result<Vec<u8>, DbError> {
        Ok(self.get(i)?)
    }
}

impl Row for postgres::Row {
    fn i64(&self, i: usize) -> Result<i64, DbError> {
        Ok(self.try_get(i)?)
    }
    fn opt_i64(&self, i: usize) -> Result<Option<i64>, DbError> {
        Ok(self.try_get(i)?)
    }
    fn text(&self, i: usize) -> Result<String, DbError> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.try_get(i)?)
    }
    fn blob(&self, i: usize) -> Result<Vec<u8>, DbError> {
        Ok(self.try_get(i)?)
    }
}

/// A row callback: returns a store error of its own (a corrupt value) or
/// a database error (a column of the wrong type).
pub(crate) type RowFn<'f> = dyn FnMut(&dyn Row) -> Result<(), StoreError> + 'f;

/// One open transaction of either engine. Every operation of the store
/// runs in one, read or write.
pub(crate) trait Sql {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError>;
    /// Runs a query and hands each row to `f`, in order.
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut RowFn<'_>) -> Result<(), QueryError>;
    /// Runs DDL (several statements, no parameters).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
}

/// What [`Sql::each`] can fail with: the database, or the row callback.
pub(crate) enum QueryError {
    Db(DbError),
    Row(StoreError),
}

impl From<DbError> for QueryError {
    fn from(e: DbError) -> Self {
        QueryError::Db(e)
    }
}

impl dyn Sql + '_ {
    /// Every row, mapped by `f`; database errors carry `ctx`.
    pub(crate) fn rows<T>(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        ctx: impl Fn() -> String,
        mut f: impl FnMut(&dyn Row) -> Result<T, DbError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        self.each_ctx(sql, args, &ctx, &mut |r| {
            out.push(f(r).map_err(|e| e.with(ctx()))?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, if any.
    pub(crate) fn opt<T>(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        ctx: impl Fn() -> String,
        mut f: impl FnMut(&dyn Row) -> Result<T, DbError>,
    ) -> Result<Option<T>, StoreError> {
        let mut out = None;
        self.each_ctx(sql, args, &ctx, &mut |r| {
            if out.is_none() {
                out = Some(f(r).map_err(|e| e.with(ctx()))?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// [`Sql::each`] with database errors carrying `ctx`.
    pub(crate) fn each_ctx(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        ctx: &dyn Fn() -> String,
        f: &mut RowFn<'_>,
    ) -> Result<(), StoreError> {
        match self.each(sql, args, f) {
            Ok(()) => Ok(()),
            Err(QueryError::Db(e)) => Err(e.with(ctx())),
            Err(QueryError::Row(e)) => Err(e),
        }
    }

    /// Inserts rows of `width` values each (`args` holds them one row after
    /// another) with `head VALUES (…), (…) tail`: one statement per row on
    /// SQLite (in-process, a prepared statement is as fast), up to
    /// [`PG_BATCH_PARAMS`] values per statement on PostgreSQL, where each
    /// statement is a round trip. Errors carry `ctx(first, last)`, the
    /// 1-based rows of the failed statement.
    pub(crate) fn insert_rows(
        &mut self,
        head: &str,
        width: usize,
        tail: &str,
        args: &[Arg<'_>],
        ctx: impl Fn(usize, usize) -> String,
    ) -> Result<(), StoreError> {
        let rows = args.len() / width.max(1);
        let per = match self.dialect() {
            Dialect::Sqlite => 1,
            Dialect::Postgres => (PG_BATCH_PARAMS / width.max(1)).max(1),
        };
        let full = values_sql(head, width, per, tail);
        let mut start = 0;
        while start < rows {
            let n = per.min(rows - start);
            let sql = if n == per {
                std::borrow::Cow::Borrowed(full.as_str())
            } else {
                std::borrow::Cow::Owned(values_sql(head, width, n, tail))
            };
            self.exec(&sql, &args[start * width..(start + n) * width])
                .map_err(|e| e.with(ctx(start + 1, start + n)))?;
            start += n;
        }
        Ok(())
    }

    /// [`Sql::exec`] with errors carrying `ctx`.
    pub(crate) fn run(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        ctx: impl FnOnce() -> String,
    ) -> Result<u64, StoreError> {
        self.exec(sql, args).map_err(|e| e.with(ctx()))
    }
}

/// Most values one multi-row PostgreSQL INSERT of the store binds (the
/// protocol allows 65,535; 4,000 keeps each statement about 1 MB).
pub(crate) const PG_BATCH_PARAMS: usize = 4000;

/// `head VALUES (?1, …, ?w), (?w+1, …) tail` for `rows` rows.
fn values_sql(head: &str, width: usize, rows: usize, tail: &str) -> String {
    let mut s = String::with_capacity(head.len() + tail.len() + rows * width * 7);
    s.push_str(head);
    s.push_str(" VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            n += 1;
            s.push('?');
            s.push_str(&n.to_string());
        }
        s.push(')');
    }
    if !tail.is_empty() {
        s.push(' ');
        s.push_str(tail);
    }
    s
}

impl DbError {
    /// The store error for this database error, saying what was being done.
    pub(crate) fn with(self, context: String) -> StoreError {
        match self {
            DbError::Sqlite(source) => StoreError::Sqlite { context, source },
            DbError::Pg(e) => StoreError::Postgres {
                context,
                reason: pg_reason(&e),
            },
        }
    }
}

impl Sql for rusqlite::Transaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError> {
        let mut st = self.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(args.iter()))? as u64)
    }
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut RowFn<'_>) -> Result<(), QueryError> {
        let mut st = self.prepare_cached(sql).map_err(DbError::from)?;
        let mut rows = st
            .query(rusqlite::params_from_iter(args.iter()))
            .map_err(DbError::from)?;
        while let Some(r) = rows.next().map_err(DbError::from)? {
            f(r).map_err(QueryError::Row)?;
        }
        Ok(())
    }
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.execute_batch(sql)?)
    }
}

/// A PostgreSQL transaction with its prepared statements (an import runs
/// the same two inserts thousands of times).
pub(crate) struct PgTx<'a> {
    pub(crate) tx: postgres::Transaction<'a>,
    prepared: std::collections::HashMap<String, postgres::Statement>,
    /// A write transaction that ran a statement through `exec`: others
    /// must reload.
    changed: bool,
    writes: bool,
}

impl<'a> PgTx<'a> {
    /// A read transaction sees one consistent state of the database
    /// (repeatable read), as SQLite's read transaction does.
    pub(crate) fn read(client: &'a mut postgres::Client) -> Result<PgTx<'a>, DbError> {
        let tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        Ok(PgTx {
            tx,
            prepared: Default::default(),
            changed: false,
            writes: false,
        })
    }

    /// A write transaction: waits for every other writer of the store
    /// (any node) to finish, then sees the latest committed state.
    pub(crate) fn write(client: &'a mut postgres::Client) -> Result<PgTx<'a>, DbError> {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        Ok(PgTx {
            tx,
            prepared: Default::default(),
            changed: false,
            writes: true,
        })
    }

    /// Commits; a write transaction notifies listening nodes, delivered by
    /// PostgreSQL only once the commit succeeded.
    pub(crate) fn commit(mut self) -> Result<(), DbError> {
        if self.writes && self.changed {
            self.tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL])?;
        }
        Ok(self.tx.commit()?)
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let st = self.tx.prepare(&dollar_placeholders(sql))?;
        self.prepared.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

fn pg_args<'b>(args: &'b [Arg<'_>]) -> Vec<&'b (dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| -> &(dyn postgres::types::ToSql + Sync) {
            match a {
                Arg::I(v) => v,
                Arg::T(s) => s,
                Arg::OptT(s) => s,
                Arg::B(b) => b,
            }
        })
        .collect()
}

impl Sql for PgTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError> {
        let st = self.statement(sql)?;
        self.changed = true;
        Ok(self.tx.execute(&st, &pg_args(args))?)
    }
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut RowFn<'_>) -> Result<(), QueryError> {
        let st = self.statement(sql)?;
        let rows = self.tx.query(&st, &pg_args(args)).map_err(DbError::from)?;
        for r in &rows {
            f(r).map_err(QueryError::Row)?;
        }
        Ok(())
    }
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        // DDL alone is not a change others reload for (`CREATE TABLE IF NOT
        // EXISTS` at every connect); a real migration also records its
        // version through `exec`.
        Ok(self.tx.batch_execute(sql)?)
    }
}

/// `?N` placeholders as PostgreSQL's `$N` (outside quoted text).
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_values() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b)", 2, 2, "ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            values_sql("INSERT INTO t (a)", 1, 1, ""),
            "INSERT INTO t (a) VALUES (?1)"
        );
    }

    #[test]
    fn placeholders_and_json_paths_per_dialect() {
        assert_eq!(
            dollar_placeholders("SELECT '?x' FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?x' FROM t WHERE a = $1 AND b = $12"
        );
        let p = ["properties", "endDate", "0"];
        assert_eq!(
            Dialect::Sqlite.json_text("body", &p),
            "json_extract(body, '$.properties.endDate[0]')"
        );
        assert_eq!(
            Dialect::Postgres.json_text("body", &p),
            "((body)::jsonb #>> '{properties,endDate,0}')"
        );
    }
}

//! Batch screens: one chained record per batch that commits, with a Merkle
//! root (`merkle`, RFC 6962), to the result of every row, and a proof for
//! any row.
//!
//! Why a root rather than one chained record per row: a batch of 50,000
//! rows would add 50,000 links to the chain and 50,000 durable appends to
//! the screen path; a root costs one record, and the rows are still each
//! provable: an examiner asks for row N (`batch_proof`), gets its stored
//! result, the row's leaf hash, the audit path and the root, and checks
//! that the path leads from the leaf to the root held in the chained (and
//! checkpointed) batch record. A row edited, added or removed in the
//! `batch_rows` table changes the root, which `verify` recomputes for
//! every batch.
//!
//! Flow (`BatchWriter`): `AuditLog::begin_batch` picks a random run id; the
//! caller stores rows chunk by chunk (`add_rows`, one durable transaction
//! per chunk, row numbers 1, 2, … assigned here) and gets each row's leaf
//! hash back to print beside the row; `finish` appends the batch record
//! with `request.run_id` and `result.rows_root` (`run_id`, `rows`, `root`).
//! Memory stays flat: the root is computed streaming. Rows of a run that
//! never finished (the process was killed) stay in `batch_rows` without a
//! record; `verify` notes them but they prove nothing.
//!
//! Row body: the caller's JSON object with `row` (1-based) set here, stored
//! as canonical JSON; leaf hash = SHA-256(0x00 ‖ that text).

use crate::canonical::canonical_json;
use crate::error::AuditError;
use crate::log::AuditLog;
use crate::merkle::{self, Hash, RootBuilder};
use crate::record::{AuditRecord, NewRecord};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How the tree is built, written into every batch record.
pub const TREE_RULE: &str =
    "RFC 6962 Merkle tree over rows in order: leaf SHA-256(0x00 || row body), node SHA-256(0x01 || left || right)";

/// A batch in progress: rows stored so far and their running root.
pub struct BatchWriter<'a> {
    log: &'a AuditLog,
    run_id: String,
    builder: RootBuilder,
    /// A resumed run's rows stored past its resume point (bodies, in row
    /// order): the rows added next must equal them, and are not stored
    /// twice (`AuditLog::resume_batch`).
    stored: std::collections::VecDeque<String>,
}

/// The proof that one row belongs to a batch record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchProof {
    /// The batch's audit record.
    pub seq: u64,
    pub run_id: String,
    /// 1-based row number.
    pub row: u64,
    /// Rows in the batch.
    pub rows: u64,
    /// The row's stored result (canonical JSON).
    pub body: Value,
    /// Hex SHA-256(0x00 ‖ body).
    pub leaf: String,
    /// Sibling hashes, nearest first (hex).
    pub path: Vec<String>,
    /// The root in the chained record (hex).
    pub root: String,
    /// Hash of the batch record in the chain.
    pub record_hash: String,
    /// Whether the path leads from the leaf to the root.
    pub verified: bool,
}

fn hex32(h: &Hash) -> String {
    hex::encode(h)
}

fn random_run_id() -> Result<String, AuditError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| AuditError::Random(e.to_string()))?;
    Ok(hex::encode(b))
}

impl AuditLog {
    /// Starts a batch: rows are stored with `add_rows`, the record written
    /// by `finish`.
    pub fn begin_batch(&self) -> Result<BatchWriter<'_>, AuditError> {
        Ok(BatchWriter {
            log: self,
            run_id: random_run_id()?,
            builder: RootBuilder::default(),
            stored: Default::default(),
        })
    }

    /// Continues the unfinished batch `run_id` (a killed run being
    /// resumed) after its first `rows` rows: the next row added is row
    /// `rows + 1` of the same tree, so the resumed run's record proves the
    /// rows the killed run stored as well. Rows the killed run stored after
    /// that point must come again with the same bodies (they are checked,
    /// not stored twice). Errors when the run already has its record, or
    /// holds fewer than `rows` rows.
    pub fn resume_batch(&self, run_id: &str, rows: u64) -> Result<BatchWriter<'_>, AuditError> {
        let refuse = |reason: String| AuditError::Invalid {
            field: "run_id",
            reason,
        };
        let conn = self.reader()?;
        let finished: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE kind = 'screen'
                 AND json_extract(payload, '$.request.run_id') = ?1)",
                [run_id],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))?;
        if finished {
            return Err(refuse(format!("batch run {run_id} already has its record")));
        }
        let mut builder = RootBuilder::default();
        let mut stored = std::collections::VecDeque::new();
        for (n, body) in load_bodies(&conn, run_id).map_err(|e| self.db(e))? {
            if n as u64 != builder.len() + stored.len() as u64 + 1 {
                return Err(refuse(format!(
                    "batch run {run_id}: stored rows are not numbered 1, 2, … (row {n} out of place)"
                )));
            }
            if (n as u64) <= rows {
                builder.push(merkle::leaf_hash(body.as_bytes()));
            } else {
                stored.push_back(body);
            }
        }
        if builder.len() != rows {
            return Err(refuse(format!(
                "batch run {run_id} stored {} rows, fewer than the {rows} to resume after",
                builder.len()
            )));
        }
        Ok(BatchWriter {
            log: self,
            run_id: run_id.to_string(),
            builder,
            stored,
        })
    }

    /// The proof that row `row` (1-based) is part of the batch `batch`
    /// (its audit record number, or its run id). Errors when there is no
    /// such batch or row, or when the stored rows no longer produce the
    /// record's root (then no row of it can be proved).
    pub fn batch_proof(&self, batch: &str, row: u64) -> Result<BatchProof, AuditError> {
        let mut all = self.batch_proofs(batch, &[row])?;
        all.pop().ok_or_else(|| AuditError::Invalid {
            field: "row",
            reason: format!("no row {row}"),
        })
    }

    /// `batch_proof` for several rows of one batch, reading and hashing the
    /// batch once (an examiner checking every row of a 10,000-row batch).
    pub fn batch_proofs(&self, batch: &str, rows: &[u64]) -> Result<Vec<BatchProof>, AuditError> {
        let not_found = |why: String| AuditError::Invalid {
            field: "batch",
            reason: why,
        };
        let conn = self.reader()?;
        let seq: Option<i64> = match batch.trim().parse::<u64>() {
            Ok(n) => Some(n as i64),
            Err(_) => conn
                .query_row(
                    "SELECT seq FROM audit_log WHERE kind = 'screen'
                     AND json_extract(payload, '$.request.run_id') = ?1",
                    [batch.trim()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.db(e))?,
        };
        let Some(seq) = seq else {
            return Err(not_found(format!("no batch record with run id {batch:?}")));
        };
        let rec = self
            .get(seq as u64)?
            .ok_or_else(|| not_found(format!("no audit record {seq}")))?;
        let rr = &rec.result["rows_root"];
        let (Some(run_id), Some(count), Some(root)) = (
            rr["run_id"].as_str(),
            rr["rows"].as_u64(),
            rr["root"].as_str(),
        ) else {
            return Err(not_found(format!(
                "audit record {seq} is not a batch record with a rows root"
            )));
        };
        if let Some(bad) = rows.iter().find(|&&r| r == 0 || r > count) {
            return Err(AuditError::Invalid {
                field: "row",
                reason: format!("row {bad}: batch {seq} has rows 1 to {count}"),
            });
        }
        let bodies = load_bodies(&conn, run_id).map_err(|e| self.db(e))?;
        let tree = merkle::Tree::new(
            bodies
                .iter()
                .map(|(_, b)| merkle::leaf_hash(b.as_bytes()))
                .collect(),
        );
        let computed = hex32(&tree.root());
        let numbered = bodies
            .iter()
            .enumerate()
            .all(|(i, (n, _))| *n == i as i64 + 1);
        if tree.len() as u64 != count || computed != root || !numbered {
            return Err(AuditError::Corrupt {
                path: self.path().to_path_buf(),
                table: "batch_rows",
                row: seq,
                field: "rows",
                reason: format!(
                    "the {} stored rows of batch {seq} give root {computed}, the chained record says {count} rows with root {root}: rows were altered, added or removed",
                    tree.len()
                ),
            });
        }
        let root_bytes: Hash = hex::decode(root)
            .ok()
            .and_then(|v| v.try_into().ok())
            .unwrap_or([0; 32]);
        let mut out = Vec::with_capacity(rows.len());
        for &row in rows {
            let i = (row - 1) as usize;
            let (Some(leaf), Some(path)) = (tree.leaf(i), tree.path(i)) else {
                continue;
            };
            let verified = merkle::verify_path(leaf, i as u64, count, &path, &root_bytes);
            out.push(BatchProof {
                seq: seq as u64,
                run_id: run_id.to_string(),
                row,
                rows: count,
                body: serde_json::from_str(&bodies[i].1).unwrap_or(Value::Null),
                leaf: hex32(leaf),
                path: path.iter().map(hex32).collect(),
                root: root.to_string(),
                record_hash: rec.hash.clone(),
                verified,
            });
        }
        Ok(out)
    }
}

/// Every stored row of a run, in row order: (row, body text).
pub(crate) fn load_bodies(
    conn: &rusqlite::Connection,
    run_id: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut st =
        conn.prepare_cached("SELECT row, body FROM batch_rows WHERE run_id = ?1 ORDER BY row")?;
    let out = st
        .query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    out
}

impl BatchWriter<'_> {
    /// The run id, written into the batch record's request.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Rows stored so far.
    pub fn rows(&self) -> u64 {
        self.builder.len()
    }

    /// Stores the next rows (JSON objects; `row` is set to the running
    /// 1-based number) in one durable transaction and returns each row's
    /// leaf hash in hex.
    pub fn add_rows(&mut self, rows: Vec<Value>) -> Result<Vec<String>, AuditError> {
        let first = self.builder.len() + 1;
        let mut bodies = Vec::with_capacity(rows.len());
        for (i, mut v) in rows.into_iter().enumerate() {
            let n = first + i as u64;
            match v.as_object_mut() {
                Some(o) => {
                    o.insert("row".into(), json!(n));
                }
                None => {
                    return Err(AuditError::Invalid {
                        field: "row",
                        reason: "a batch row must be a JSON object".into(),
                    })
                }
            }
            let text = canonical_json(&v);
            let leaf = merkle::leaf_hash(text.as_bytes());
            bodies.push((n, text, leaf));
        }
        // A resumed run's rows already stored: the same rows again, or an error.
        let already = bodies.len().min(self.stored.len());
        for (n, text, _) in &bodies[..already] {
            if self.stored.pop_front().as_deref() != Some(text.as_str()) {
                return Err(AuditError::Invalid {
                    field: "row",
                    reason: format!(
                        "row {n} of batch run {} differs from the row the interrupted run stored",
                        self.run_id
                    ),
                });
            }
        }
        let run_id = self.run_id.clone();
        if already < bodies.len() {
            self.log.write_tx(|tx: &Transaction<'_>| {
                let mut st = tx
                    .prepare_cached(
                        "INSERT INTO batch_rows (run_id, row, body) VALUES (?1, ?2, ?3)",
                    )
                    .map_err(|e| self.log.db(e))?;
                for (n, text, _) in &bodies[already..] {
                    st.execute(params![run_id, *n as i64, text])
                        .map_err(|e| self.log.db(e))?;
                }
                Ok(())
            })?;
        }
        Ok(bodies
            .into_iter()
            .map(|(_, _, leaf)| {
                self.builder.push(leaf);
                hex32(&leaf)
            })
            .collect())
    }

    /// Appends the batch record: `rec.request` gains `run_id`,
    /// `rec.result` gains `rows_root` (`run_id`, `rows`, `root`, `tree`).
    /// Both must be JSON objects.
    pub fn finish(self, mut rec: NewRecord) -> Result<AuditRecord, AuditError> {
        let root = hex32(&self.builder.root());
        let (Some(req), Some(res)) = (rec.request.as_object_mut(), rec.result.as_object_mut())
        else {
            return Err(AuditError::Invalid {
                field: "batch",
                reason: "a batch record's request and result must be JSON objects".into(),
            });
        };
        req.insert("run_id".into(), json!(self.run_id));
        res.insert(
            "rows_root".into(),
            json!({
                "run_id": self.run_id,
                "rows": self.builder.len(),
                "root": root,
                "tree": TREE_RULE,
            }),
        );
        self.log.write_tx(|tx| self.log.append_in(tx, rec))
    }
}

/// A batch record's seq and its `rows_root` run id, row count and root.
type BatchHead = (i64, Option<String>, Option<i64>, Option<String>);

/// One problem per batch record whose stored rows do not give its root,
/// and one note per run of rows without a record (a batch that never
/// finished). Used by `verify`.
pub(crate) fn check_batches(
    tx: &rusqlite::Transaction<'_>,
) -> rusqlite::Result<(Vec<String>, Vec<String>)> {
    let has_table: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'batch_rows'",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok((vec![], vec![]));
    }
    let batches: Vec<BatchHead> = {
        let mut st = tx.prepare(
            "SELECT seq, json_extract(payload, '$.result.rows_root.run_id'),
                    json_extract(payload, '$.result.rows_root.rows'),
                    json_extract(payload, '$.result.rows_root.root')
             FROM audit_log WHERE kind = 'screen'
               AND json_extract(payload, '$.result.rows_root') IS NOT NULL ORDER BY seq",
        )?;
        let out = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        out
    };
    let mut problems = Vec::new();
    let mut finished = std::collections::HashSet::new();
    for (seq, run_id, rows, root) in batches {
        let (Some(run_id), Some(rows), Some(root)) = (run_id, rows, root) else {
            problems.push(format!(
                "batch record {seq}: rows_root lacks run_id, rows or root"
            ));
            continue;
        };
        let mut b = RootBuilder::default();
        let mut misnumbered = None;
        for (n, body) in load_bodies(tx, &run_id)? {
            if n != b.len() as i64 + 1 && misnumbered.is_none() {
                misnumbered = Some(n);
            }
            b.push(merkle::leaf_hash(body.as_bytes()));
        }
        if let Some(n) = misnumbered {
            problems.push(format!(
                "batch record {seq} (run {run_id}): stored rows are not numbered 1, 2, … (row {n} out of place)"
            ));
        } else if b.len() as i64 != rows || hex32(&b.root()) != root {
            problems.push(format!(
                "batch record {seq} (run {run_id}): the {} stored rows do not give the chained root of {rows} rows: rows were altered, added or removed",
                b.len()
            ));
        }
        finished.insert(run_id);
    }
    let mut notes = Vec::new();
    let runs: Vec<(String, i64)> = {
        let mut st = tx.prepare("SELECT run_id, COUNT(*) FROM batch_rows GROUP BY run_id")?;
        let out = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        out
    };
    for (run, n) in runs {
        if !finished.contains(&run) {
            notes.push(format!(
                "{n} batch rows of run {run} have no batch record (a batch that did not finish); they prove nothing"
            ));
        }
    }
    Ok((problems, notes))
}

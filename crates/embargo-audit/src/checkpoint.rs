//! Signed checkpoints: what makes a cut-off tail or a replaced log evident.
//!
//! A hash chain proves order, not completeness: deleting the newest records
//! leaves a valid chain. A checkpoint is a signed statement, in the manner
//! of Certificate Transparency's signed tree heads, that "at time `ts` the
//! log held `records` records and record `head_seq` had hash `head_hash`".
//! Once a checkpoint exists outside the database, removing or rewriting any
//! record it covers is reported by `verify`.
//!
//! **When.** A checkpoint is written inside the transaction that makes the
//! log reach `checkpoint_every` records past the previous one (default
//! 1000, `AuditOptions`), and on request (`AuditLog::checkpoint`, used by
//! `embargo audit checkpoint` and `embargo audit export`). Signing costs
//! one Ed25519 signature per checkpoint, never one per record.
//!
//! **Where.** Twice: as a row of the `checkpoints` table (append-only by
//! trigger), and as one JSON line of `<data dir>/audit.checkpoints`, a
//! plain append-only file outside SQLite that survives the database being
//! deleted or replaced, and that an examiner can copy away at any time.
//!
//! **Crash safety.** The table row is written in the same transaction as
//! the records it covers, so it commits with them or not at all. The file
//! line is appended only after that commit (and fsynced). A process killed
//! in between leaves a row without its line; the next `AuditLog::open` (and
//! every later checkpoint) re-syncs the file from the table, appending every
//! row whose signature the file lacks, in order, while holding SQLite's
//! write lock so two processes never interleave lines. A line is written
//! with one `write` call; an unterminated last line can only be a torn
//! write of ours and is cut off before the next append (every complete
//! checkpoint is still in the table).
//!
//! **File format** (one canonical JSON object per line, keys sorted):
//! `{"head_hash":"…","head_seq":3000,"key":"<public key hex>","n":3,
//! "records":3000,"sig":"<Ed25519 signature hex>","ts":"2026-…Z","v":1}`.
//! The signature covers the bytes `embargo-audit checkpoint v1\n` followed
//! by the canonical JSON of `{head_hash, head_seq, key, n, records, ts}`.

use crate::canonical::canonical_json;
use crate::error::AuditError;
use crate::record::{format_ts, now_micros, GENESIS_HASH};
use crate::signing::{key_fingerprint, signature_ok, LogKey};
use ed25519_dalek::VerifyingKey;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// File name of the checkpoint file inside the data directory.
pub const CHECKPOINT_FILE: &str = "audit.checkpoints";

/// Default `AuditOptions::checkpoint_every`.
pub const DEFAULT_CHECKPOINT_EVERY: u64 = 1000;

const SIGNED_PREFIX: &[u8] = b"embargo-audit checkpoint v1\n";
const FORMAT_VERSION: u64 = 1;

/// One signed checkpoint (a signed tree head).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// 1, 2, 3, … in the order written.
    pub n: u64,
    /// When it was signed (RFC 3339 UTC with microseconds).
    pub ts: String,
    /// How many records the log held (equal to `head_seq`: seq has no gaps).
    pub records: u64,
    /// The last record covered (0 for an empty log).
    pub head_seq: u64,
    /// That record's hash (the genesis hash for an empty log).
    pub head_hash: String,
    /// The signer's Ed25519 public key, hex.
    pub key: String,
    /// Ed25519 signature, hex, over `signed_bytes`.
    pub sig: String,
}

impl Checkpoint {
    /// The exact bytes signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let body = json!({
            "n": self.n,
            "ts": self.ts,
            "records": self.records,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "key": self.key,
        });
        let mut out = SIGNED_PREFIX.to_vec();
        out.extend_from_slice(canonical_json(&body).as_bytes());
        out
    }

    /// Whether the signature is `key`'s.
    pub fn signature_valid(&self, key: &VerifyingKey) -> bool {
        signature_ok(key, &self.signed_bytes(), &self.sig)
    }

    /// The line written to the checkpoint file (without newline).
    pub fn to_json_line(&self) -> String {
        canonical_json(&json!({
            "v": FORMAT_VERSION,
            "n": self.n,
            "ts": self.ts,
            "records": self.records,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "key": self.key,
            "sig": self.sig,
        }))
    }

    /// Parses one line of a checkpoint file.
    pub fn from_json_line(line: &str) -> Result<Checkpoint, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("lacks a number {k:?}"))
        };
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("lacks a text {k:?}"))
        };
        if num("v")? != FORMAT_VERSION {
            return Err(format!("unknown checkpoint format {:?}", v.get("v")));
        }
        Ok(Checkpoint {
            n: num("n")?,
            ts: text("ts")?,
            records: num("records")?,
            head_seq: num("head_seq")?,
            head_hash: text("head_hash")?,
            key: text("key")?,
            sig: text("sig")?,
        })
    }
}

fn db(path: &Path, source: rusqlite::Error) -> AuditError {
    AuditError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// (head seq, head hash, last checkpoint's (number, head seq)).
type Heads = (u64, String, Option<(u64, u64)>);

/// The chain head and the last checkpoint's head, inside a transaction.
fn heads(conn: &Connection, path: &Path) -> Result<Heads, AuditError> {
    let head: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .and_then(|mut st| st.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(|e| db(path, e))?;
    let last: Option<(i64, i64)> = conn
        .prepare_cached("SELECT n, head_seq FROM checkpoints ORDER BY n DESC LIMIT 1")
        .and_then(|mut st| st.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(|e| db(path, e))?;
    let (seq, hash) = head.unwrap_or((0, GENESIS_HASH.to_string()));
    Ok((
        seq.max(0) as u64,
        hash,
        last.map(|(n, h)| (n.max(0) as u64, h.max(0) as u64)),
    ))
}

/// Whether the log has grown `every` records past its last checkpoint.
pub(crate) fn due(conn: &Connection, path: &Path, every: u64) -> Result<bool, AuditError> {
    if every == 0 {
        return Ok(false);
    }
    let (head, _, last) = heads(conn, path)?;
    let covered = last.map(|l| l.1).unwrap_or(0);
    Ok(head >= covered + every)
}

/// Signs the current head and inserts the checkpoint row (call inside the
/// write transaction that holds the records it covers).
pub(crate) fn write_in(
    conn: &Connection,
    path: &Path,
    key: &LogKey,
) -> Result<Checkpoint, AuditError> {
    let (head_seq, head_hash, last) = heads(conn, path)?;
    let mut cp = Checkpoint {
        n: last.map(|l| l.0).unwrap_or(0) + 1,
        ts: format_ts(&now_micros()),
        records: head_seq,
        head_seq,
        head_hash,
        key: key.public_hex(),
        sig: String::new(),
    };
    cp.sig = key.sign_hex(&cp.signed_bytes());
    conn.prepare_cached(
        "INSERT INTO checkpoints (n, ts, records, head_seq, head_hash, key, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut st| {
        st.execute(params![
            cp.n as i64,
            cp.ts,
            cp.records as i64,
            cp.head_seq as i64,
            cp.head_hash,
            cp.key,
            cp.sig
        ])
    })
    .map_err(|e| db(path, e))?;
    Ok(cp)
}

/// Checkpoint rows with `n > after`, in order. A file without the table
/// (written before checkpoints existed, opened read-only) has none.
pub(crate) fn table_rows(
    conn: &Connection,
    path: &Path,
    after: u64,
) -> Result<Vec<Checkpoint>, AuditError> {
    let exists: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| db(path, e))?
        > 0;
    if !exists {
        return Ok(Vec::new());
    }
    let mut st = conn
        .prepare(
            "SELECT n, ts, records, head_seq, head_hash, key, sig FROM checkpoints
             WHERE n > ?1 ORDER BY n",
        )
        .map_err(|e| db(path, e))?;
    let rows = st
        .query_map([after as i64], |r| {
            Ok(Checkpoint {
                n: r.get::<_, i64>(0)?.max(0) as u64,
                ts: r.get(1)?,
                records: r.get::<_, i64>(2)?.max(0) as u64,
                head_seq: r.get::<_, i64>(3)?.max(0) as u64,
                head_hash: r.get(4)?,
                key: r.get(5)?,
                sig: r.get(6)?,
            })
        })
        .map_err(|e| db(path, e))?;
    rows.collect::<Result<_, _>>().map_err(|e| db(path, e))
}

/// One line of a checkpoint file: its number and what it holds.
pub(crate) type FileLine = (u64, Result<Checkpoint, String>);

/// Reads a checkpoint file; `Ok(None)` if it does not exist. An
/// unterminated last line (a torn write) is skipped.
pub(crate) fn read_file(path: &Path) -> Result<Option<Vec<FileLine>>, AuditError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(AuditError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(i) => &bytes[..=i],
        None => &bytes[..0],
    };
    let text = String::from_utf8_lossy(complete);
    Ok(Some(
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i as u64 + 1, Checkpoint::from_json_line(l)))
            .collect(),
    ))
}

/// Appends to `file` every checkpoint row with `n > after` whose signature
/// the file does not hold yet; returns the highest `n` now in the file.
/// The caller holds SQLite's write lock (see the module doc).
pub(crate) fn sync_file(
    conn: &Connection,
    db_path: &Path,
    file: &Path,
    after: u64,
) -> Result<u64, AuditError> {
    let rows = table_rows(conn, db_path, after)?;
    let Some(last) = rows.last().map(|c| c.n) else {
        return Ok(after);
    };
    let io = |source| AuditError::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(file)
        .map_err(io)?;
    // Signatures already present: the whole file the first time (`after`
    // 0), else its tail, which holds every recent line.
    let len = f.metadata().map_err(io)?.len();
    let start = if after == 0 {
        0
    } else {
        len.saturating_sub(256 * 1024)
    };
    f.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).map_err(io)?;
    if !buf.is_empty() && !buf.ends_with(b"\n") {
        // A torn write of ours: drop the fragment (its row is in the table).
        let keep = buf.iter().rposition(|&b| b == b'\n').map(|i| i + 1);
        let cut = start + keep.unwrap_or(0) as u64;
        f.set_len(cut).map_err(io)?;
        buf.truncate(keep.unwrap_or(0));
    }
    let present: HashSet<String> = String::from_utf8_lossy(&buf)
        .lines()
        .filter_map(|l| Checkpoint::from_json_line(l).ok())
        .map(|c| c.sig)
        .collect();
    let mut out = String::new();
    for cp in rows.iter().filter(|c| !present.contains(&c.sig)) {
        out.push_str(&cp.to_json_line());
        out.push('\n');
    }
    if !out.is_empty() {
        f.write_all(out.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)?;
    }
    Ok(last)
}

/// Where a checkpoint was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Table,
    File(PathBuf),
}

/// What checking the checkpoints found.
#[derive(Default)]
pub(crate) struct Findings {
    /// Checkpoints whose signature and head both hold.
    pub good: u64,
    /// The newest good checkpoint.
    pub last: Option<Checkpoint>,
    /// (first affected record, or 0; why) for every failure.
    pub problems: Vec<(u64, String)>,
    /// Facts that are not failures.
    pub notes: Vec<String>,
}

/// The inputs of `check`.
pub(crate) struct Evidence<'a> {
    /// Rows of the `checkpoints` table.
    pub table: Vec<Checkpoint>,
    /// Checkpoint files read, and whether each is the data directory's own
    /// file (which must hold nothing the table lacks).
    pub files: Vec<(PathBuf, bool, Vec<FileLine>)>,
    /// The key checkpoints must be signed with; `None`: each one's own key.
    pub expected_key: Option<&'a VerifyingKey>,
    /// Records that passed the chain checks (the intact prefix).
    pub records: u64,
}

/// Checks every checkpoint against the chain: signature, key, and that the
/// records it covers are all there with the hash it signed. `hash_at`
/// returns the stored hash of a record.
pub(crate) fn check(ev: Evidence<'_>, hash_at: &mut dyn FnMut(u64) -> Option<String>) -> Findings {
    let mut f = Findings::default();
    let expected_hex = ev.expected_key.map(|k| hex::encode(k.to_bytes()));
    // Distinct checkpoints by signature, with where each was seen.
    let mut seen: BTreeMap<(u64, String), (Checkpoint, Vec<Source>)> = BTreeMap::new();
    for cp in ev.table {
        seen.entry((cp.n, cp.sig.clone()))
            .or_insert_with(|| (cp, Vec::new()))
            .1
            .push(Source::Table);
    }
    for (path, _, lines) in &ev.files {
        for (line, parsed) in lines {
            match parsed {
                Ok(cp) => seen
                    .entry((cp.n, cp.sig.clone()))
                    .or_insert_with(|| (cp.clone(), Vec::new()))
                    .1
                    .push(Source::File(path.clone())),
                Err(why) => f.problems.push((
                    0,
                    format!("{} line {line} is not a checkpoint: {why}", path.display()),
                )),
            }
        }
    }
    let mut by_n: BTreeMap<u64, usize> = BTreeMap::new();
    for (n, _) in seen.keys() {
        *by_n.entry(*n).or_default() += 1;
    }
    for (n, count) in &by_n {
        if *count > 1 {
            f.problems.push((
                0,
                format!(
                    "checkpoint {n} exists in {count} different versions: the log was replaced \
                     or a checkpoint forged"
                ),
            ));
        }
    }
    let own_files: Vec<&PathBuf> = ev.files.iter().filter(|x| x.1).map(|x| &x.0).collect();
    let mut missing_in_file = Vec::new();
    for ((n, _), (cp, sources)) in &seen {
        let n = *n;
        let where_ = sources
            .iter()
            .map(|s| match s {
                Source::Table => "audit.sqlite".to_string(),
                Source::File(p) => p.display().to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        // Key and signature.
        let key = match (&expected_hex, ev.expected_key) {
            (Some(hex_), Some(k)) => {
                if cp.key != *hex_ {
                    f.problems.push((
                        0,
                        format!(
                            "checkpoint {n} (in {where_}) is signed by key {}, not the expected \
                             key {}: the signing key was replaced or the checkpoint forged",
                            key_fingerprint(&cp.key),
                            key_fingerprint(hex_)
                        ),
                    ));
                    continue;
                }
                Some(*k)
            }
            _ => crate::signing::parse_public_key(&cp.key).ok(),
        };
        let Some(key) = key else {
            f.problems.push((
                0,
                format!("checkpoint {n} (in {where_}) names no valid key"),
            ));
            continue;
        };
        if !cp.signature_valid(&key) {
            f.problems.push((
                0,
                format!(
                    "checkpoint {n} (in {where_}) has a bad signature: it was forged or altered"
                ),
            ));
            continue;
        }
        if cp.records != cp.head_seq {
            f.problems.push((
                0,
                format!(
                    "checkpoint {n} (in {where_}) is inconsistent: records differs from head_seq"
                ),
            ));
            continue;
        }
        // The records it covers.
        if cp.head_seq > ev.records {
            let missing = cp.head_seq - ev.records;
            f.problems.push((
                ev.records + 1,
                format!(
                    "{missing} record{} covered by checkpoint {n} {} missing: checkpoint {n} \
                     ({}) signed records 1–{} but the intact log ends at record {}",
                    if missing == 1 { "" } else { "s" },
                    if missing == 1 { "is" } else { "are" },
                    cp.ts,
                    cp.head_seq,
                    ev.records
                ),
            ));
            continue;
        }
        let stored = if cp.head_seq == 0 {
            Some(GENESIS_HASH.to_string())
        } else {
            hash_at(cp.head_seq)
        };
        if stored.as_deref() != Some(cp.head_hash.as_str()) {
            f.problems.push((
                cp.head_seq,
                format!(
                    "history rewritten: record {}'s hash differs from the hash signed in \
                     checkpoint {n} ({})",
                    cp.head_seq, cp.ts
                ),
            ));
            continue;
        }
        // Where it must also be.
        if !sources.contains(&Source::Table) {
            f.problems.push((
                0,
                format!(
                    "checkpoint {n} (in {where_}) is missing from audit.sqlite: the database's \
                     checkpoints were removed or the database replaced"
                ),
            ));
            continue;
        }
        for own in &own_files {
            if !sources.contains(&Source::File((*own).clone())) {
                missing_in_file.push(n);
            }
        }
        f.good += 1;
        if f.last.as_ref().is_none_or(|l| l.n < n) {
            f.last = Some(cp.clone());
        }
    }
    if !missing_in_file.is_empty() {
        f.notes.push(format!(
            "{} checkpoint(s) (from {}) not yet in the checkpoint file; they are appended \
             the next time the log is opened",
            missing_in_file.len(),
            missing_in_file[0]
        ));
    }
    match &f.last {
        Some(last) if ev.records > last.head_seq => f.notes.push(format!(
            "{} record(s) after checkpoint {} are not yet covered by a signature",
            ev.records - last.head_seq,
            last.n
        )),
        None if ev.records > 0 => f.notes.push(format!(
            "no checkpoint covers the {} record(s) yet (run `embargo audit checkpoint`)",
            ev.records
        )),
        _ => {}
    }
    f
}

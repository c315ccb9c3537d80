//! API keys with roles.
//!
//! A key is `emb_` followed by 64 hex digits (256 random bits from the
//! operating system). Only its SHA-256 is stored: with that much entropy a
//! plain hash cannot be reversed by guessing, so no salt or slow hash is
//! needed, and look-up by hash stays one index probe. The secret is
//! returned once by `create_api_key` and never again.
//!
//! Roles are ordered: `Admin` may do everything `Review` may, which may do
//! everything `Screen` may.
//!
//! **Lifecycle.** Keys are created (optionally with an expiry date: the key
//! works through that day, UTC), rotated (new secret, same name, role and
//! expiry; the old secret stops working at once) and revoked. Each change
//! is a chained audit record (`create_api_key`, `rotate_api_key`,
//! `revoke_api_key`, kind `admin`) written in the same transaction as the
//! row change. `last_used_at` is refreshed at most once a minute per key,
//! outside the chain (it proves nothing and must not cost a commit per
//! request).
//!
//! **Rows written behind Embargo's back.** Every row carries `audit_seq`
//! (its latest audit record) and `mac`: HMAC-SHA256, under a key derived
//! from the log's signing key (`signing`), of the row's name, hash, role,
//! creation, expiry, revocation and `audit_seq`. `authenticate` refuses a
//! row whose MAC fails, so a row inserted or edited with `sqlite3` gives no
//! access; `verify` replays the key records of the chain and reports every
//! row that differs from them or fails its MAC. Rows from format 1 (before
//! MACs) are given one at upgrade only if they agree with the chain.

use crate::canonical::canonical_json;
use crate::canonical::sha256_hex;
use crate::error::AuditError;
use crate::log::AuditLog;
use crate::record::{format_ts, now_micros, NewRecord, RecordKind};
use crate::signing::LogKey;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Screen names and transactions.
    Screen,
    /// Also record review decisions.
    Review,
    /// Also manage keys, import lists, export and verify the audit log.
    Admin,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Screen => "screen",
            Role::Review => "review",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "screen" => Some(Role::Screen),
            "review" => Some(Role::Review),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether a key with this role may do what `needed` allows.
    pub fn allows(&self, needed: Role) -> bool {
        *self >= needed
    }
}

/// A key as listed to administrators (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last day the key works (UTC); `None`: no expiry.
    pub expires: Option<NaiveDate>,
    /// When the key last authenticated (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// The row fails its MAC: it was written or edited outside Embargo and
    /// is refused.
    pub tampered: bool,
}

impl ApiKeyInfo {
    /// `active`, `revoked`, `expired` or `tampered`, as of `today` (UTC).
    pub fn status(&self, today: NaiveDate) -> &'static str {
        if self.tampered {
            "tampered"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires.is_some_and(|e| today > e) {
            "expired"
        } else {
            "active"
        }
    }
}

const KEY_PREFIX: &str = "emb_";
const ROW_MAC_PREFIX: &[u8] = b"embargo-audit api_key v1\n";
/// `last_used_at` is written again only after this many seconds.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

fn key_hash(secret: &str) -> String {
    sha256_hex(&[secret.as_bytes()])
}

fn new_secret() -> Result<String, AuditError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuditError::Random(e.to_string()))?;
    Ok(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
}

/// The MAC-covered fields of an `api_keys` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyRow {
    pub name: String,
    pub key_sha256: String,
    pub role: String,
    pub created_at: String,
    pub expires: Option<String>,
    pub revoked_at: Option<String>,
    pub audit_seq: Option<i64>,
    pub mac: Option<String>,
    pub last_used_at: Option<String>,
}

impl KeyRow {
    fn mac_input(&self) -> Vec<u8> {
        let body = json!({
            "name": self.name,
            "key_sha256": self.key_sha256,
            "role": self.role,
            "created_at": self.created_at,
            "expires": self.expires,
            "revoked_at": self.revoked_at,
            "audit_seq": self.audit_seq,
        });
        let mut out = ROW_MAC_PREFIX.to_vec();
        out.extend_from_slice(canonical_json(&body).as_bytes());
        out
    }

    pub(crate) fn mac_ok(&self, key: &LogKey) -> bool {
        self.mac
            .as_deref()
            .is_some_and(|m| key.mac_ok(&self.mac_input(), m))
    }

    fn sign(&mut self, key: &LogKey) {
        self.mac = Some(key.mac_hex(&self.mac_input()));
    }
}

const KEY_ROW_COLUMNS: &str =
    "name, key_sha256, role, created_at, expires, revoked_at, audit_seq, mac, last_used_at";

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        name: r.get(0)?,
        key_sha256: r.get(1)?,
        role: r.get(2)?,
        created_at: r.get(3)?,
        expires: r.get(4)?,
        revoked_at: r.get(5)?,
        audit_seq: r.get(6)?,
        mac: r.get(7)?,
        last_used_at: r.get(8)?,
    })
}

/// Every `api_keys` row; a table from format 1 (no MAC columns, opened
/// read-only) reads with those fields empty.
pub(crate) fn all_key_rows(conn: &Connection) -> rusqlite::Result<Vec<KeyRow>> {
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('api_keys')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let select = KEY_ROW_COLUMNS
        .split(", ")
        .map(|c| {
            if cols.iter().any(|x| x == c) {
                c.to_string()
            } else {
                format!("NULL AS {c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = conn.prepare(&format!("SELECT {select} FROM api_keys ORDER BY name"))?;
    let rows = st.query_map([], key_row)?.collect();
    rows
}

/// What the chain says a key should be, after replaying its records.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyState {
    /// Full SHA-256 of the secret (records since format 2) …
    pub hash: Option<String>,
    /// … or only its first 12 hex digits (format 1 creation records).
    pub hash_prefix: String,
    pub role: String,
    pub expires: Option<String>,
    pub revoked: bool,
    /// The latest record about the key.
    pub seq: i64,
}

/// Replays the key records of the chain (`kind = 'admin'`) into the state
/// each key should have.
pub(crate) fn key_states(conn: &Connection) -> rusqlite::Result<BTreeMap<String, KeyState>> {
    let mut st =
        conn.prepare("SELECT seq, payload FROM audit_log WHERE kind = 'admin' ORDER BY seq")?;
    let mut rows = st.query([])?;
    let mut out: BTreeMap<String, KeyState> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let payload: String = r.get(1)?;
        let Ok(v) = serde_json::from_str::<Value>(&payload) else {
            continue;
        };
        let req = &v["request"];
        let res = &v["result"];
        let Some(name) = req["name"].as_str() else {
            continue;
        };
        let text = |x: &Value| x.as_str().map(str::to_string);
        match req["action"].as_str() {
            Some("create_api_key") => {
                let hash = text(&res["key_sha256"]);
                out.insert(
                    name.to_string(),
                    KeyState {
                        hash_prefix: text(&res["key_sha256_prefix"])
                            .or_else(|| hash.as_ref().map(|h| h[..h.len().min(12)].to_string()))
                            .unwrap_or_default(),
                        hash,
                        role: text(&req["role"]).unwrap_or_default(),
                        expires: text(&req["expires"]),
                        revoked: false,
                        seq,
                    },
                );
            }
            Some("rotate_api_key") => {
                if let Some(s) = out.get_mut(name) {
                    s.hash = text(&res["key_sha256"]);
                    s.hash_prefix = s
                        .hash
                        .as_ref()
                        .map(|h| h[..h.len().min(12)].to_string())
                        .unwrap_or_default();
                    if !req["expires"].is_null() {
                        s.expires = text(&req["expires"]);
                    }
                    s.seq = seq;
                }
            }
            Some("revoke_api_key") => {
                if let Some(s) = out.get_mut(name) {
                    s.revoked = true;
                    s.seq = seq;
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// How a row differs from what the chain says; `None` if it agrees.
pub(crate) fn row_vs_chain(row: &KeyRow, state: Option<&KeyState>) -> Option<String> {
    let Some(s) = state else {
        return Some(format!(
            "api key {:?} has no create_api_key record in the audit chain: the row was \
             written behind Embargo's back",
            row.name
        ));
    };
    let hash_ok = match &s.hash {
        Some(h) => *h == row.key_sha256,
        None => !s.hash_prefix.is_empty() && row.key_sha256.starts_with(&s.hash_prefix),
    };
    let why = if !hash_ok {
        "its key hash"
    } else if s.role != row.role {
        "its role"
    } else if s.expires != row.expires {
        "its expiry"
    } else if s.revoked != row.revoked_at.is_some() {
        "its revocation"
    } else {
        return None;
    };
    Some(format!(
        "api key {:?} differs from its audit records ({why}, last record {})",
        row.name, s.seq
    ))
}

/// Gives rows from format 1 their `audit_seq` and MAC, if and only if they
/// agree with the chain (run once, at the upgrade to format 2).
pub(crate) fn bless_legacy_rows(tx: &Transaction<'_>, key: &LogKey) -> rusqlite::Result<()> {
    let states = key_states(tx)?;
    for mut row in all_key_rows(tx)? {
        if row.mac.is_some() {
            continue;
        }
        let state = states.get(&row.name);
        if row_vs_chain(&row, state).is_some() {
            continue; // left without MAC: refused, and reported by verify
        }
        row.audit_seq = state.map(|s| s.seq);
        row.sign(key);
        tx.execute(
            "UPDATE api_keys SET audit_seq = ?2, mac = ?3 WHERE name = ?1",
            params![row.name, row.audit_seq, row.mac],
        )?;
    }
    Ok(())
}

fn check_name(name: &str) -> Result<&str, AuditError> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(AuditError::Invalid {
            field: "name",
            reason: "a key name must be non-empty printable text".into(),
        });
    }
    Ok(name)
}

fn check_expiry(expires: Option<NaiveDate>) -> Result<(), AuditError> {
    if let Some(e) = expires {
        let today = Utc::now().date_naive();
        if e < today {
            return Err(AuditError::Invalid {
                field: "expires",
                reason: format!("{e} is in the past (today is {today}, UTC)"),
            });
        }
    }
    Ok(())
}

/// A key about to be created: its checked name, secret (shown once),
/// SHA-256, expiry as text and the audit record of its creation (the same
/// in every back end).
pub(crate) struct NewKey {
    pub name: String,
    pub secret: String,
    pub hash: String,
    pub expires: Option<String>,
    pub record: NewRecord,
}

pub(crate) fn new_key(
    name: &str,
    role: Role,
    expires: Option<NaiveDate>,
    actor: &str,
) -> Result<NewKey, AuditError> {
    let name = check_name(name)?.to_string();
    check_expiry(expires)?;
    let secret = new_secret()?;
    let hash = key_hash(&secret);
    let expires = expires.map(|d| d.to_string());
    // The log keeps the secret's SHA-256 (useless for authenticating: that
    // needs the secret itself) so the row can be checked.
    let record = NewRecord {
        kind: RecordKind::Admin,
        actor: actor.to_string(),
        request: json!({"action": "create_api_key", "name": name,
                        "role": role.as_str(), "expires": expires}),
        result: json!({"key_sha256": hash, "key_sha256_prefix": &hash[..12]}),
        list_versions: vec![],
    };
    Ok(NewKey {
        name,
        secret,
        hash,
        expires,
        record,
    })
}

/// The SHA-256 a presented key is looked up by, or `None` when it cannot
/// be an Embargo key.
pub(crate) fn presented_hash(key: &str) -> Option<String> {
    let key = key.trim();
    key.starts_with(KEY_PREFIX).then(|| key_hash(key))
}

impl AuditLog {
    /// Creates a key and returns its secret (shown once). `actor` is who
    /// created it, for the audit record.
    pub fn create_api_key(&self, name: &str, role: Role) -> Result<String, AuditError> {
        self.create_api_key_by(name, role, "admin")
    }

    /// `create_api_key`, naming the administrator who asked.
    pub fn create_api_key_by(
        &self,
        name: &str,
        role: Role,
        actor: &str,
    ) -> Result<String, AuditError> {
        self.create_api_key_with(name, role, None, actor)
    }

    /// Creates a key that works through `expires` (UTC; `None`: no expiry).
    pub fn create_api_key_with(
        &self,
        name: &str,
        role: Role,
        expires: Option<NaiveDate>,
        actor: &str,
    ) -> Result<String, AuditError> {
        let NewKey {
            name,
            secret,
            hash,
            expires,
            record,
        } = new_key(name, role, expires, actor)?;
        let name = name.as_str();
        self.write_tx(|tx| {
            let exists: Option<String> = tx
                .query_row("SELECT name FROM api_keys WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| self.db(e))?;
            if exists.is_some() {
                return Err(AuditError::DuplicateKeyName(name.to_string()));
            }
            let rec = self.append_in(tx, record)?;
            let mut row = KeyRow {
                name: name.to_string(),
                key_sha256: hash.clone(),
                role: role.as_str().to_string(),
                created_at: format_ts(&rec.ts),
                expires: expires.clone(),
                revoked_at: None,
                audit_seq: Some(rec.seq as i64),
                mac: None,
                last_used_at: None,
            };
            row.sign(self.log_key());
            tx.execute(
                "INSERT INTO api_keys (name, key_sha256, role, created_at, expires, revoked_at,
                                       audit_seq, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7)",
                params![
                    row.name,
                    row.key_sha256,
                    row.role,
                    row.created_at,
                    row.expires,
                    row.audit_seq,
                    row.mac
                ],
            )
            .map_err(|e| self.db(e))?;
            Ok(())
        })?;
        Ok(secret)
    }

    /// The name and role of a usable key; `None` for an unknown, revoked or
    /// expired key, or one whose row fails its MAC (written outside
    /// Embargo). Refreshes the key's `last_used_at` (at most once a minute).
    pub fn authenticate(&self, key: &str) -> Result<Option<(String, Role)>, AuditError> {
        let key = key.trim();
        if !key.starts_with(KEY_PREFIX) {
            return Ok(None);
        }
        let conn = self.lock();
        let row: Option<KeyRow> = conn
            .prepare_cached(&format!(
                "SELECT {KEY_ROW_COLUMNS} FROM api_keys WHERE key_sha256 = ?1"
            ))
            .and_then(|mut st| st.query_row([key_hash(key)], key_row).optional())
            .map_err(|e| self.db(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let now = Utc::now();
        let expired = match row.expires.as_deref() {
            None => false,
            // An unreadable date fails closed.
            Some(e) => {
                NaiveDate::parse_from_str(e, "%Y-%m-%d").map_or(true, |d| now.date_naive() > d)
            }
        };
        if row.revoked_at.is_some() || expired || !row.mac_ok(self.log_key()) {
            return Ok(None);
        }
        let role = Role::parse(&row.role).ok_or_else(|| AuditError::Corrupt {
            path: self.path.clone(),
            table: "api_keys",
            row: 0,
            field: "role",
            reason: format!("key {:?} has unknown role {:?}", row.name, row.role),
        })?;
        let stale = row
            .last_used_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .is_none_or(|t| {
                (now - t.with_timezone(&Utc)).num_seconds() >= LAST_USED_GRANULARITY_SECS
            });
        if stale {
            // Best effort: a busy database must not refuse a valid key.
            let _ = conn.execute(
                "UPDATE api_keys SET last_used_at = ?2 WHERE name = ?1",
                params![row.name, format_ts(&now_micros())],
            );
        }
        Ok(Some((row.name, role)))
    }

    /// Revokes a key by name; `false` if no active key has that name.
    pub fn revoke_api_key(&self, name: &str, actor: &str) -> Result<bool, AuditError> {
        self.write_tx(|tx| {
            let row: Option<KeyRow> = tx
                .query_row(
                    &format!(
                        "SELECT {KEY_ROW_COLUMNS} FROM api_keys
                         WHERE name = ?1 AND revoked_at IS NULL"
                    ),
                    [name],
                    key_row,
                )
                .optional()
                .map_err(|e| self.db(e))?;
            let Some(mut row) = row else {
                return Ok(false);
            };
            let rec = self.append_in(
                tx,
                NewRecord {
                    kind: RecordKind::Admin,
                    actor: actor.to_string(),
                    request: json!({"action": "revoke_api_key", "name": name}),
                    result: json!({"revoked": true}),
                    list_versions: vec![],
                },
            )?;
            row.revoked_at = Some(format_ts(&rec.ts));
            row.audit_seq = Some(rec.seq as i64);
            row.sign(self.log_key());
            tx.execute(
                "UPDATE api_keys SET revoked_at = ?2, audit_seq = ?3, mac = ?4 WHERE name = ?1",
                params![name, row.revoked_at, row.audit_seq, row.mac],
            )
            .map_err(|e| self.db(e))?;
            Ok(true)
        })
    }

    /// Replaces the secret of an active key (same name and role; a new
    /// expiry if given, else the old one) and returns the new secret. The
    /// old secret stops working at once.
    pub fn rotate_api_key(
        &self,
        name: &str,
        expires: Option<NaiveDate>,
        actor: &str,
    ) -> Result<String, AuditError> {
        check_expiry(expires)?;
        let secret = new_secret()?;
        let hash = key_hash(&secret);
        self.write_tx(|tx| {
            let row: Option<KeyRow> = tx
                .query_row(
                    &format!("SELECT {KEY_ROW_COLUMNS} FROM api_keys WHERE name = ?1"),
                    [name],
                    key_row,
                )
                .optional()
                .map_err(|e| self.db(e))?;
            let invalid = |reason: String| AuditError::Invalid {
                field: "name",
                reason,
            };
            let Some(mut row) = row else {
                return Err(invalid(format!("no API key named {name:?}")));
            };
            if row.revoked_at.is_some() {
                return Err(invalid(format!(
                    "API key {name:?} is revoked; create a new one"
                )));
            }
            if !row.mac_ok(self.log_key()) {
                return Err(invalid(format!(
                    "API key {name:?} fails its integrity check (the row was written outside \
                     Embargo); revoke it and create a new one"
                )));
            }
            let new_expiry = expires.map(|d| d.to_string());
            let rec = self.append_in(
                tx,
                NewRecord {
                    kind: RecordKind::Admin,
                    actor: actor.to_string(),
                    request: json!({"action": "rotate_api_key", "name": name,
                                    "expires": new_expiry}),
                    result: json!({"key_sha256": hash, "key_sha256_prefix": &hash[..12]}),
                    list_versions: vec![],
                },
            )?;
            row.key_sha256 = hash.clone();
            if new_expiry.is_some() {
                row.expires = new_expiry;
            }
            row.audit_seq = Some(rec.seq as i64);
            row.sign(self.log_key());
            tx.execute(
                "UPDATE api_keys SET key_sha256 = ?2, expires = ?3, audit_seq = ?4, mac = ?5,
                                     last_used_at = NULL
                 WHERE name = ?1",
                params![name, row.key_sha256, row.expires, row.audit_seq, row.mac],
            )
            .map_err(|e| self.db(e))?;
            Ok(())
        })?;
        Ok(secret)
    }

    /// All keys, by name.
    pub fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>, AuditError> {
        let rows = {
            let conn = self.lock();
            all_key_rows(&conn).map_err(|e| self.db(e))?
        };
        let mut out = Vec::new();
        for row in rows {
            let name = row.name.clone();
            let corrupt = |field: &'static str, reason: String| AuditError::Corrupt {
                path: self.path.clone(),
                table: "api_keys",
                row: 0,
                field,
                reason,
            };
            let ts = |field: &'static str, t: &str| {
                DateTime::parse_from_rfc3339(t)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|e| corrupt(field, format!("{name:?}: {e}")))
            };
            out.push(ApiKeyInfo {
                role: Role::parse(&row.role).ok_or_else(|| {
                    corrupt("role", format!("{name:?}: unknown role {:?}", row.role))
                })?,
                created_at: ts("created_at", &row.created_at)?,
                revoked_at: row
                    .revoked_at
                    .as_deref()
                    .map(|t| ts("revoked_at", t))
                    .transpose()?,
                expires: row
                    .expires
                    .as_deref()
                    .map(|d| {
                        NaiveDate::parse_from_str(d, "%Y-%m-%d")
                            .map_err(|e| corrupt("expires", format!("{name:?}: {e}")))
                    })
                    .transpose()?,
                last_used_at: row
                    .last_used_at
                    .as_deref()
                    .map(|t| ts("last_used_at", t))
                    .transpose()?,
                tampered: !row.mac_ok(self.log_key()),
                name,
            });
        }
        Ok(out)
    }
}

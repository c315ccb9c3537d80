//! API keys with roles.
//!
//! A key is `emb_` followed by 64 hex digits (256 random bits from the
//! operating system). Only its SHA-256 is stored: with that much entropy a
//! plain hash cannot be reversed by guessing, so no salt or slow hash is
//! needed, and look-up by hash stays one index probe. The secret is
//! returned once by `create_api_key` and never again.
//!
//! Roles are ordered: `Admin` may do everything `Review` may, which may do
//! everything `Screen` may. Creating and revoking keys are audit records.

use crate::canonical::sha256_hex;
use crate::error::AuditError;
use crate::log::AuditLog;
use crate::record::{format_ts, now_micros, NewRecord, RecordKind};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;

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
}

const KEY_PREFIX: &str = "emb_";

fn key_hash(secret: &str) -> String {
    sha256_hex(&[secret.as_bytes()])
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
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(AuditError::Invalid {
                field: "name",
                reason: "a key name must be non-empty printable text".into(),
            });
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| AuditError::Random(e.to_string()))?;
        let secret = format!("{KEY_PREFIX}{}", hex::encode(bytes));
        let hash = key_hash(&secret);
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
            tx.execute(
                "INSERT INTO api_keys (name, key_sha256, role, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, hash, role.as_str(), format_ts(&now_micros())],
            )
            .map_err(|e| self.db(e))?;
            // The log keeps a short prefix of the hash: enough to tell keys
            // apart in an investigation, useless for authenticating.
            self.append_in(
                tx,
                NewRecord {
                    kind: RecordKind::Admin,
                    actor: actor.to_string(),
                    request: json!({"action": "create_api_key", "name": name, "role": role.as_str()}),
                    result: json!({"key_sha256_prefix": &hash[..12]}),
                    list_versions: vec![],
                },
            )?;
            Ok(())
        })?;
        Ok(secret)
    }

    /// The name and role of an active key, `None` for an unknown or revoked one.
    pub fn authenticate(&self, key: &str) -> Result<Option<(String, Role)>, AuditError> {
        let key = key.trim();
        if !key.starts_with(KEY_PREFIX) {
            return Ok(None);
        }
        let conn = self.lock();
        let row: Option<(String, String)> = conn
            .query_row(
                "SELECT name, role FROM api_keys WHERE key_sha256 = ?1 AND revoked_at IS NULL",
                [key_hash(key)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        match row {
            None => Ok(None),
            Some((name, role_text)) => match Role::parse(&role_text) {
                Some(role) => Ok(Some((name, role))),
                None => Err(AuditError::Corrupt {
                    path: self.path.clone(),
                    table: "api_keys",
                    row: 0,
                    field: "role",
                    reason: format!("key {name:?} has unknown role {role_text:?}"),
                }),
            },
        }
    }

    /// Revokes a key by name; `false` if no active key has that name.
    pub fn revoke_api_key(&self, name: &str, actor: &str) -> Result<bool, AuditError> {
        self.write_tx(|tx| {
            let n = tx
                .execute(
                    "UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                    params![name, format_ts(&now_micros())],
                )
                .map_err(|e| self.db(e))?;
            if n > 0 {
                self.append_in(
                    tx,
                    NewRecord {
                        kind: RecordKind::Admin,
                        actor: actor.to_string(),
                        request: json!({"action": "revoke_api_key", "name": name}),
                        result: json!({"revoked": true}),
                        list_versions: vec![],
                    },
                )?;
            }
            Ok(n > 0)
        })
    }

    /// All keys, by name.
    pub fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>, AuditError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT name, role, created_at, revoked_at FROM api_keys ORDER BY name")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.db(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, role, created, revoked) = row.map_err(|e| self.db(e))?;
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
                role: Role::parse(&role)
                    .ok_or_else(|| corrupt("role", format!("{name:?}: unknown role {role:?}")))?,
                created_at: ts("created_at", &created)?,
                revoked_at: revoked
                    .as_deref()
                    .map(|t| ts("revoked_at", t))
                    .transpose()?,
                name,
            });
        }
        Ok(out)
    }
}

use anyhow::{bail, Result};
use chrono::{NaiveDate, SecondsFormat, Utc};
use clap::{Args, Subcommand, ValueEnum};
use embargo_app::audit_admin;
use embargo_app::types::Role;
use std::path::Path;
use std::process::ExitCode;

#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
    /// Keys of a shared store (`postgres://…`), accepted by every node on
    /// it (`create` and `revoke`); default: the data directory's.
    #[arg(long, global = true, env = "EMBARGO_STORE", value_name = "URL")]
    pub store: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// May screen names and run decisions.
    Screen,
    /// May also record review decisions.
    Review,
    /// May also reload lists and read the audit log.
    Admin,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create an API key; the secret is printed once and only its hash is stored.
    Create {
        /// A name for the key (who or what uses it, e.g. `erp-prod`); shown
        /// by `keys list` and in the audit log.
        name: String,
        /// What the key may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Last day the key works (YYYY-MM-DD, UTC); default: no expiry.
        #[arg(long, value_name = "YYYY-MM-DD")]
        expires: Option<NaiveDate>,
    },
    /// List keys: name, role, status, created, expiry, last use (never secrets).
    List {
        /// One JSON object per key.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by name; it stops working at once.
    Revoke {
        /// The key's name (as `keys list` shows it).
        name: String,
    },
    /// Give a key a new secret (same name and role); the old one stops working at once.
    Rotate {
        /// The key's name (as `keys list` shows it).
        name: String,
        /// A new last day (YYYY-MM-DD, UTC); default: keep the current expiry.
        #[arg(long, value_name = "YYYY-MM-DD")]
        expires: Option<NaiveDate>,
    },
}

pub fn run(data_dir: &Path, a: KeysArgs) -> Result<ExitCode> {
    let actor = embargo_app::cli_actor();
    if let Some(url) = a.store.as_deref() {
        return run_shared(url, a.command, &actor);
    }
    match a.command {
        KeysCommand::Create {
            name,
            role,
            expires,
        } => {
            let secret = audit_admin::create_key(data_dir, &name, role.into(), expires, &actor)?;
            outln!("{secret}");
            eprintln!("API key {name:?} created; store it now, it is not shown again.");
        }
        KeysCommand::List { json } => {
            let today = Utc::now().date_naive();
            let keys = audit_admin::list_keys(data_dir)?;
            let ts = |t: &chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
            for k in &keys {
                if json {
                    outln!(
                        "{}",
                        serde_json::json!({
                            "name": k.name, "role": k.role.as_str(), "status": k.status(today),
                            "created_at": ts(&k.created_at),
                            "revoked_at": k.revoked_at.as_ref().map(ts),
                            "expires": k.expires.map(|d| d.to_string()),
                            "last_used_at": k.last_used_at.as_ref().map(ts),
                        })
                    );
                } else {
                    outln!(
                        "{:<20} {:<7} {:<9} created {}  expires {}  last used {}",
                        k.name,
                        k.role.as_str(),
                        k.status(today),
                        ts(&k.created_at),
                        k.expires.map_or("never".to_string(), |d| d.to_string()),
                        k.last_used_at.as_ref().map_or("never".to_string(), ts)
                    );
                }
            }
            if keys.is_empty() && !json {
                eprintln!("no API keys");
            }
        }
        KeysCommand::Revoke { name } => {
            if !audit_admin::revoke_key(data_dir, &name, &actor)? {
                bail!("no active API key named {name:?}");
            }
            eprintln!("API key {name:?} revoked.");
        }
        KeysCommand::Rotate { name, expires } => {
            let secret = audit_admin::rotate_key(data_dir, &name, expires, &actor)?;
            outln!("{secret}");
            eprintln!(
                "API key {name:?} rotated; the old secret no longer works. Store this one now."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Screen => Role::Screen,
            RoleArg::Review => Role::Review,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// `keys … --store postgres://…`: the shared store's keys.
fn run_shared(url: &str, command: KeysCommand, actor: &str) -> Result<ExitCode> {
    match command {
        KeysCommand::Create {
            name,
            role,
            expires,
        } => {
            let secret = audit_admin::create_key_shared(url, &name, role.into(), expires, actor)?;
            outln!("{secret}");
            eprintln!(
                "API key {name:?} created in the shared store; every node on it accepts it. Store it now, it is not shown again."
            );
        }
        KeysCommand::Revoke { name } => {
            if !audit_admin::revoke_key_shared(url, &name, actor)? {
                bail!("no active API key named {name:?} in the shared store");
            }
            eprintln!("API key {name:?} revoked in the shared store.");
        }
        KeysCommand::List { .. } | KeysCommand::Rotate { .. } => {
            bail!("`keys list` and `keys rotate` do not work on a shared store yet (only `create` and `revoke`)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

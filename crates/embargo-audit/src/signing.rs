//! The log's Ed25519 key: signs checkpoints (`checkpoint`) and, through a
//! derived HMAC key, authenticates `api_keys` rows (`keys`).
//!
//! The private key is `<data dir>/audit.key`: one line, the 32-byte Ed25519
//! seed in lower-case hex, file mode 0600. It is created the first time a
//! log is opened for writing (`AuditLog::open`), never by verification. It
//! is written to a temporary file first and then hard-linked into place,
//! so two processes opening a fresh data directory at once end up with the
//! same key, and a crash never leaves a half-written key.
//!
//! The public half is printed by `embargo audit public-key` (64 hex
//! digits); an examiner keeps it and passes it to `audit verify
//! --public-key`, so a replaced key is noticed.
//!
//! Losing `audit.key` makes every earlier checkpoint unverifiable with the
//! new key, and every API key row's MAC invalid (the keys must be created
//! again): back it up with the data directory.

use crate::canonical::sha256_hex;
use crate::error::AuditError;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the private signing key inside the data directory.
pub const KEY_FILE: &str = "audit.key";

/// The signing key of one data directory.
pub(crate) struct LogKey {
    signing: SigningKey,
    /// HMAC key for `api_keys` rows, derived from the seed.
    mac_key: [u8; 32],
}

fn key_err(path: &Path, reason: impl Into<String>) -> AuditError {
    AuditError::Key {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn io_err(path: &Path, source: std::io::Error) -> AuditError {
    AuditError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl LogKey {
    fn from_seed(seed: [u8; 32]) -> LogKey {
        let mac_key: [u8; 32] = Sha256::new()
            .chain_update(b"embargo-audit api_keys MAC v1\n")
            .chain_update(seed)
            .finalize()
            .into();
        LogKey {
            signing: SigningKey::from_bytes(&seed),
            mac_key,
        }
    }

    /// Reads `<data_dir>/audit.key`; `Ok(None)` if there is none.
    pub(crate) fn load(data_dir: &Path) -> Result<Option<LogKey>, AuditError> {
        let path = data_dir.join(KEY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, e)),
        };
        let bytes = hex::decode(text.trim())
            .map_err(|e| key_err(&path, format!("not a hex Ed25519 seed: {e}")))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| key_err(&path, "an Ed25519 seed is 32 bytes (64 hex digits)"))?;
        Ok(Some(LogKey::from_seed(seed)))
    }

    /// Reads the key, creating it (mode 0600) if the directory has none.
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<LogKey, AuditError> {
        if let Some(k) = LogKey::load(data_dir)? {
            return Ok(k);
        }
        let path = data_dir.join(KEY_FILE);
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| AuditError::Random(e.to_string()))?;
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| AuditError::Random(e.to_string()))?;
        let tmp: PathBuf = data_dir.join(format!(
            ".{KEY_FILE}.{}.{}",
            std::process::id(),
            hex::encode(nonce)
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let written = (|| {
            let mut f = opts.open(&tmp)?;
            f.write_all(format!("{}\n", hex::encode(seed)).as_bytes())?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io_err(&tmp, e));
        }
        // A hard link never replaces an existing file: whoever links first
        // wins, and everyone then reads the winner's key.
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                if let Ok(d) = std::fs::File::open(data_dir) {
                    let _ = d.sync_all();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_err(&path, e)),
        }
        LogKey::load(data_dir)?.ok_or_else(|| key_err(&path, "key file vanished after creation"))
    }

    /// The public key as 64 lower-case hex digits.
    pub(crate) fn public_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    pub(crate) fn verifying(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Ed25519 signature of `msg`, hex.
    pub(crate) fn sign_hex(&self, msg: &[u8]) -> String {
        hex::encode(self.signing.sign(msg).to_bytes())
    }

    /// HMAC-SHA256 of `msg` under the `api_keys` MAC key, hex.
    pub(crate) fn mac_hex(&self, msg: &[u8]) -> String {
        hex::encode(hmac_sha256(&self.mac_key, msg))
    }

    /// Whether `mac` is the MAC of `msg` (constant-time comparison).
    pub(crate) fn mac_ok(&self, msg: &[u8], mac: &str) -> bool {
        let want = self.mac_hex(msg);
        want.len() == mac.len()
            && want
                .bytes()
                .zip(mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// Parses a public key given as 64 hex digits (optionally `ed25519:`
/// before them), or as the path of a file holding that.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, AuditError> {
    let mut t = text.trim().to_string();
    let looks_hex = |s: &str| {
        let s = s.strip_prefix("ed25519:").unwrap_or(s);
        s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
    };
    if !looks_hex(&t) {
        let p = Path::new(&t);
        if p.is_file() {
            t = std::fs::read_to_string(p)
                .map_err(|e| io_err(p, e))?
                .trim()
                .to_string();
        }
    }
    let bad = |reason: String| AuditError::Invalid {
        field: "public key",
        reason,
    };
    let hex_part = t.strip_prefix("ed25519:").unwrap_or(&t);
    let bytes = hex::decode(hex_part).map_err(|e| {
        bad(format!(
            "expected 64 hex digits or a file holding them: {e}"
        ))
    })?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| bad("an Ed25519 public key is 32 bytes (64 hex digits)".into()))?;
    VerifyingKey::from_bytes(&arr).map_err(|e| bad(format!("not an Ed25519 public key: {e}")))
}

/// Whether `sig_hex` is `key`'s signature of `msg`.
pub(crate) fn signature_ok(key: &VerifyingKey, msg: &[u8], sig_hex: &str) -> bool {
    let Ok(bytes) = hex::decode(sig_hex) else {
        return false;
    };
    let Ok(arr) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    key.verify_strict(msg, &Signature::from_bytes(&arr)).is_ok()
}

/// HMAC-SHA256 (RFC 2104) with a 32-byte key.
fn hmac_sha256(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// A short fingerprint of a public key for messages (first 16 hex digits
/// of its SHA-256).
pub(crate) fn key_fingerprint(public_hex: &str) -> String {
    sha256_hex(&[public_hex.as_bytes()])[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2_shape() {
        // RFC 4231 test case 2 uses a 4-byte key; padded with zeros to 32
        // bytes it is the same HMAC (keys shorter than the block are
        // zero-padded by definition).
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn key_is_created_once_with_private_permissions_and_signs() {
        let dir = tempfile::tempdir().unwrap();
        assert!(LogKey::load(dir.path()).unwrap().is_none());
        let k1 = LogKey::load_or_create(dir.path()).unwrap();
        let k2 = LogKey::load_or_create(dir.path()).unwrap();
        assert_eq!(k1.public_hex(), k2.public_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sig = k1.sign_hex(b"hello");
        let pk = parse_public_key(&k1.public_hex()).unwrap();
        assert!(signature_ok(&pk, b"hello", &sig));
        assert!(!signature_ok(&pk, b"hellO", &sig));
        assert!(k1.mac_ok(b"row", &k1.mac_hex(b"row")));
        assert!(!k1.mac_ok(b"row", &k1.mac_hex(b"rOw")));
        // Only the key file is left behind (no temporary files).
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

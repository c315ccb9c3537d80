//! Canonical entity encoding, content hashes and version labels.

use crate::error::StoreError;
use chrono::NaiveDate;
use embargo_model::Entity;
use sha2::{Digest, Sha256};

/// An entity ready to store: its JSON and the SHA-256 of that JSON.
pub(crate) struct Encoded {
    pub id: String,
    pub hash: [u8; 32],
    pub body: String,
}

/// serde_json writes struct fields in declaration order and `BTreeMap`s
/// sorted, so equal entities always encode to equal bytes: the hash is a
/// content hash.
pub(crate) fn encode(e: &Entity) -> Result<Encoded, StoreError> {
    let body = serde_json::to_string(e).map_err(|source| StoreError::Encode {
        id: e.id.0.clone(),
        source,
    })?;
    let hash: [u8; 32] = Sha256::digest(body.as_bytes()).into();
    Ok(Encoded {
        id: e.id.0.clone(),
        hash,
        body,
    })
}

/// Lower-cased sha256 if it is 64 hex digits.
pub(crate) fn normalise_sha256(dataset: &str, sha: &str) -> Result<String, StoreError> {
    let s = sha.trim().to_ascii_lowercase();
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s)
    } else {
        Err(StoreError::InvalidSha256 {
            dataset: dataset.to_string(),
            sha256: sha.to_string(),
        })
    }
}

/// Label candidates in order of preference: `<date>-<8 hex>`, then longer
/// hash prefixes if another file of the same day shares the first 8 hex
/// digits. `taken(label)` returns the sha256 already using a label.
/// Re-importing the same bytes again (after a roll back) gets `.2`, `.3`, …
pub(crate) fn label(
    date: NaiveDate,
    sha: &str,
    mut taken: impl FnMut(&str) -> Result<Option<String>, StoreError>,
) -> Result<String, StoreError> {
    for len in [8, 16, 64] {
        let base = format!("{date}-{}", &sha[..len]);
        match taken(&base)? {
            None => return Ok(base),
            Some(other) if other == sha => {
                for n in 2u32.. {
                    let l = format!("{base}.{n}");
                    if taken(&l)?.is_none() {
                        return Ok(l);
                    }
                }
            }
            Some(_) => continue,
        }
    }
    // Unreachable in practice: a full-hash label can only be taken by the same sha.
    Err(StoreError::Corrupt {
        what: "version labels".into(),
        detail: format!("no free label for {date} / {sha}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn labels_never_collide() {
        let d = NaiveDate::from_ymd_opt(2024, 5, 3).unwrap();
        let a = "abcdef01".to_string() + &"0".repeat(56);
        let b = "abcdef01".to_string() + &"1".repeat(56);
        let mut used: HashMap<String, String> = HashMap::new();
        let take = |sha: &str, used: &mut HashMap<String, String>| {
            let l = label(d, sha, |l| Ok(used.get(l).cloned())).unwrap();
            used.insert(l.clone(), sha.to_string());
            l
        };
        assert_eq!(take(&a, &mut used), "2024-05-03-abcdef01");
        assert_eq!(take(&b, &mut used), "2024-05-03-abcdef0111111111");
        assert_eq!(take(&a, &mut used), "2024-05-03-abcdef01.2");
        assert_eq!(take(&a, &mut used), "2024-05-03-abcdef01.3");
    }

    #[test]
    fn sha_must_be_hex() {
        assert!(normalise_sha256("d", "xyz").is_err());
        let s = "AB".repeat(32);
        assert_eq!(normalise_sha256("d", &s).unwrap(), "ab".repeat(32));
    }
}

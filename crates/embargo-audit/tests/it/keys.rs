//! API keys: roles, rejection of wrong and revoked keys, and no secret at rest.

use embargo_audit::{AuditLog, RecordKind, Role};

#[test]
fn keys_authenticate_with_their_role_and_wrong_keys_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let screen = log.create_api_key("batch-job", Role::Screen).unwrap();
    let admin = log.create_api_key_by("ops", Role::Admin, "root").unwrap();
    assert!(screen.starts_with("emb_") && screen.len() == 68, "{screen}");
    assert_ne!(screen, admin);

    assert_eq!(
        log.authenticate(&screen).unwrap(),
        Some(("batch-job".to_string(), Role::Screen))
    );
    assert_eq!(
        log.authenticate(&admin).unwrap(),
        Some(("ops".to_string(), Role::Admin))
    );
    // One changed character, a truncated key, garbage, empty: all rejected.
    let mut wrong = screen.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    for bad in [wrong.as_str(), &screen[..60], "emb_", "", "not a key"] {
        assert_eq!(log.authenticate(bad).unwrap(), None, "{bad:?}");
    }

    assert!(log
        .create_api_key("batch-job", Role::Admin)
        .unwrap_err()
        .to_string()
        .contains("already exists"));
    assert!(log.create_api_key(" ", Role::Screen).is_err());

    assert!(log.revoke_api_key("batch-job", "ops").unwrap());
    assert!(!log.revoke_api_key("batch-job", "ops").unwrap());
    assert_eq!(log.authenticate(&screen).unwrap(), None);
    let keys = log.list_api_keys().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].name, "batch-job");
    assert!(keys[0].revoked_at.is_some() && keys[1].revoked_at.is_none());

    // Key administration is audited: two creations and one revocation.
    let report = log.verify().unwrap();
    assert!(report.ok);
    assert_eq!(report.records, 3);
    let r2 = log.get(2).unwrap().unwrap();
    assert_eq!((r2.kind, r2.actor.as_str()), (RecordKind::Admin, "root"));
    assert_eq!(r2.request["name"], "ops");
}

#[test]
fn the_secret_is_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let secret = {
        let log = AuditLog::open(dir.path()).unwrap();
        let s = log.create_api_key("web", Role::Review).unwrap();
        let mut export = Vec::new();
        log.export_since(None, &mut export).unwrap();
        assert!(!String::from_utf8(export).unwrap().contains(&s[4..]));
        s
    };
    let hex_part = &secret.as_bytes()[4..];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(hex_part.len()).any(|w| w == hex_part));
    }
    let c = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    let stored: String = c
        .query_row(
            "SELECT key_sha256 FROM api_keys WHERE name = 'web'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, embargo_audit::sha256_hex(&[secret.as_bytes()]));
}

#[test]
fn roles_are_ordered() {
    assert!(Role::Admin.allows(Role::Review) && Role::Admin.allows(Role::Screen));
    assert!(Role::Review.allows(Role::Screen) && !Role::Review.allows(Role::Admin));
    assert!(!Role::Screen.allows(Role::Review));
    assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
    assert_eq!(Role::parse("root"), None);
}

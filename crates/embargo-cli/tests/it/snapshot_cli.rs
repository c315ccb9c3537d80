//! `embargo snapshot export` and `snapshot info` end to end: the file is
//! written, checked, identical when exported twice, and a damaged file is
//! refused with exit status 2 and a message naming the file and the fault.

use crate::common;

use common::embargo;

#[test]
fn export_info_and_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = d.join("a.embidx");
    let b = d.join("b.embidx");
    for f in [&a, &b] {
        let out = embargo(d, &["snapshot", "export", f.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("checksum (BLAKE3)") && text.contains("embargo_xinjiang_pack@"),
            "{text}"
        );
    }
    let bytes = std::fs::read(&a).unwrap();
    assert!(
        bytes == std::fs::read(&b).unwrap(),
        "two exports of the same lists differ"
    );
    // The data directory keeps its own index beside the store.
    assert!(std::fs::read_dir(d.join("index")).unwrap().any(|e| e
        .unwrap()
        .path()
        .extension()
        .is_some_and(|x| x == "embidx")));
    let out = embargo(d, &["snapshot", "info", a.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("a valid snapshot file") && text.contains("records: "),
        "{text}"
    );

    let mut bad = bytes.clone();
    let at = bad.len() - 1;
    bad[at] ^= 1;
    std::fs::write(&b, &bad).unwrap();
    let out = embargo(d, &["snapshot", "info", b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b.embidx") && err.contains("corrupt"), "{err}");
}

//! `compare --algorithm` and `batch --algorithm` (issue 11 item 8): the
//! ofac algorithm reproduces OFAC Sanctions List Search scores, with its
//! own default threshold (0.95).

use crate::common;
use common::{embargo, text};

#[test]
fn compare_scores_pairs_with_the_ofac_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pairs = d.join("pairs.csv");
    std::fs::write(
        &pairs,
        "name1,name2\nGeorge Bush,\"HASWANI, George\"\nVladimir Putin,\"PUTIN, Vladimir\"\n",
    )
    .unwrap();
    let out = embargo(
        d,
        &[
            "compare",
            "--algorithm",
            "ofac",
            "--pairs",
            pairs.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    // BUSH against HASWANI falls under the per-token floor: OFAC shows 50.
    assert!(lines[1].ends_with(",0.5000,false"), "{csv}");
    assert!(lines[2].ends_with(",1.0000,true"), "{csv}");
    assert!(
        text(&out.stderr).contains("threshold 0.95"),
        "{}",
        text(&out.stderr)
    );
    let ours = embargo(d, &["compare", "--pairs", pairs.to_str().unwrap()]);
    assert!(text(&ours.stderr).contains("threshold 0.75"));
    assert_ne!(text(&ours.stdout), csv);
    let bad = embargo(
        d,
        &[
            "compare",
            "--algorithm",
            "soundex",
            "--pairs",
            pairs.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn batch_screens_with_the_ofac_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.csv");
    std::fs::write(
        &input,
        "id,name\n1,Xinjiang Production and Construction Corps\n2,Zzyzx Qwertyuiop Holdings\n",
    )
    .unwrap();
    let out_csv = d.join("out.csv");
    let out = embargo(
        d,
        &[
            "batch",
            input.to_str().unwrap(),
            "--name-column",
            "name",
            "--algorithm",
            "ofac",
            "--out",
            out_csv.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("threshold 0.95"),
        "{}",
        text(&out.stdout)
    );
    let written = std::fs::read_to_string(&out_csv).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert!(lines[1].to_lowercase().contains("production"), "{written}");
}

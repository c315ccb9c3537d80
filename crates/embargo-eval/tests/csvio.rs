//! The CSV helpers behind `embargo compare` and `embargo batch`, on small
//! hand-written files.

use embargo_eval::{batch_csv, compare_csv, EvalError};
use embargo_match::{Matcher, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, Schema};
use std::io::Write;

fn file(content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "embargo-eval-{}-{}",
        std::process::id(),
        content.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("in.csv");
    std::fs::File::create(&p)
        .unwrap()
        .write_all(content.as_bytes())
        .unwrap();
    p
}

#[test]
fn compare_csv_appends_score_and_match() {
    let p = file("schema,name1,name2\nPerson,Vladimir Putin,PUTIN Vladimir\nCompany,Toyota Motor Corp,Honda Motor Corp\n");
    let mut out = Vec::new();
    assert_eq!(compare_csv(&p, &mut out, DEFAULT_THRESHOLD).unwrap(), 2);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "schema,name1,name2,score,match");
    assert_eq!(lines[1], "Person,Vladimir Putin,PUTIN Vladimir,1.0000,true");
    assert!(lines[2].ends_with(",false"), "{}", lines[2]);
}

#[test]
fn compare_csv_names_the_bad_field_and_line() {
    let p = file("schema,name1,name2\nPerson,a,b\nMonster,a,b\n");
    let e = compare_csv(&p, &mut Vec::new(), 0.75).unwrap_err();
    assert!(matches!(e, EvalError::Field { line: 3, .. }), "{e}");
    let p = file("first,second\nx,y\n");
    let e = compare_csv(&p, &mut Vec::new(), 0.75).unwrap_err();
    assert!(e.to_string().contains("name1"), "{e}");
}

#[test]
fn batch_csv_writes_one_row_per_hit_or_an_empty_row() {
    let m = Matcher::build(vec![Entity::new(
        EntityId::new("t", "1"),
        Schema::Person,
        "t",
        "Vladimir Putin",
    )]);
    let p = file("name,schema,birth_date\nPutin Vladimir,Person,1952-10-07\nNobody Here,,\n");
    let mut out = Vec::new();
    assert_eq!(
        batch_csv(&m, &p, &mut out, &ScreenOptions::default()).unwrap(),
        2
    );
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with("1,Putin Vladimir,1,t:1,Vladimir Putin,"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], "2,Nobody Here,,,,");
    let bad = file("name,birth_date\nX,1952-13-01\n");
    let e = batch_csv(&m, &bad, &mut Vec::new(), &ScreenOptions::default()).unwrap_err();
    assert!(e.to_string().contains("birth_date"), "{e}");
}

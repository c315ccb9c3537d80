//! The embedded data files and their parser.
//!
//! `FILES` lists each file name with its bytes, in the fixed order that the
//! version hash uses. Each file is JSON Lines: one `Entity` per non-empty
//! line, in the model's serde format. The parser reports the file, line and
//! failing field so a bad hand edit is easy to find.

use embargo_model::Entity;

/// `(file name, contents)` of every data file, in hashing order.
pub const FILES: [(&str, &str); 7] = [
    (
        "entity_list.jsonl",
        include_str!("../data/entity_list.jsonl"),
    ),
    (
        "ofac_glomag.jsonl",
        include_str!("../data/ofac_glomag.jsonl"),
    ),
    ("ns_cmic.jsonl", include_str!("../data/ns_cmic.jsonl")),
    (
        "ndaa_889_fcc.jsonl",
        include_str!("../data/ndaa_889_fcc.jsonl"),
    ),
    ("uflpa.jsonl", include_str!("../data/uflpa.jsonl")),
    ("eu_ghrsr.jsonl", include_str!("../data/eu_ghrsr.jsonl")),
    (
        "ofac_sdn_other.jsonl",
        include_str!("../data/ofac_sdn_other.jsonl"),
    ),
];

/// A data line that is not a valid pack entity.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct PackError {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, naming the field (serde's message includes the column).
    pub message: String,
}

/// Parses every embedded file and checks the pack's own invariants (see
/// [`check`]). Used by [`crate::entities`] and by the tests.
pub fn load() -> Result<Vec<Entity>, PackError> {
    let mut out = Vec::new();
    for (file, text) in FILES {
        out.extend(parse_file(file, text)?);
    }
    Ok(out)
}

/// Parses one JSON Lines text; blank lines are allowed, anything else must
/// be a valid entity.
pub(crate) fn parse_file(file: &str, text: &str) -> Result<Vec<Entity>, PackError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let err = |message: String| PackError {
            file: file.to_string(),
            line: i + 1,
            message,
        };
        let e: Entity = serde_json::from_str(line).map_err(|x| err(x.to_string()))?;
        check(&e).map_err(|m| err(format!("{}: {m}", e.id)))?;
        out.push(e);
    }
    Ok(out)
}

/// What every pack entry must satisfy beyond parsing: the pack's dataset and
/// id prefix, a non-empty primary name first, and at least one citation
/// (the pack's promise is that every fact has a source).
fn check(e: &Entity) -> Result<(), String> {
    let prefix = format!("{}:", crate::DATASET);
    if !e.id.as_str().starts_with(&prefix) || e.id.as_str().len() == prefix.len() {
        return Err(format!("field `id` must be `{prefix}<slug>`"));
    }
    if e.dataset != crate::DATASET {
        return Err(format!("field `dataset` must be `{}`", crate::DATASET));
    }
    match e.names.first() {
        Some(n) if n.kind == embargo_model::NameKind::Primary && !n.value.trim().is_empty() => {}
        _ => return Err("field `names[0]` must be a non-empty primary name".into()),
    }
    if e.citations.is_empty() {
        return Err("field `citations` must not be empty".into());
    }
    if e.programs.is_empty() {
        return Err("field `programs` must not be empty".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"id":"embargo_xinjiang_pack:x","schema":"Company","dataset":"embargo_xinjiang_pack","names":[{"value":"X Co","kind":"primary"}],"programs":["P"],"citations":[{"cite":"84 FR 54002"}]}"#;

    #[test]
    fn a_valid_line_parses_and_blank_lines_are_skipped() {
        let v = parse_file("t.jsonl", &format!("\n{OK}\n\n")).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].caption(), "X Co");
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let bad_date = OK.replace(r#""programs""#, r#""listed_on":"2019-13-01","programs""#);
        let e = parse_file("t.jsonl", &format!("{OK}\n{bad_date}")).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("t.jsonl", 2));
        assert!(e.message.contains("2019-13-01"), "{}", e.message);

        let no_cite = OK.replace(
            r#""citations":[{"cite":"84 FR 54002"}]"#,
            r#""citations":[]"#,
        );
        let e = parse_file("t.jsonl", &no_cite).unwrap_err();
        assert!(e.message.contains("`citations`"), "{}", e.message);

        let other_ds = OK.replace(r#""dataset":"embargo_xinjiang_pack""#, r#""dataset":"x""#);
        assert!(parse_file("t.jsonl", &other_ds)
            .unwrap_err()
            .message
            .contains("`dataset`"));

        let blank_name = OK.replace(r#""value":"X Co""#, r#""value":" ""#);
        assert!(parse_file("t.jsonl", &blank_name)
            .unwrap_err()
            .message
            .contains("names[0]"));
    }
}

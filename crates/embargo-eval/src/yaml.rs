//! A reader for the YAML subset nomenklatura's `checks.yml` uses: a list
//! of checks, each with `match`, `schema`, optional `label`, and `query` /
//! `candidate` maps of string properties; plain scalars may continue on
//! more-indented lines, and values may be single- or double-quoted. No YAML
//! crate is needed for that, and anything outside the subset is an error
//! naming the line.

use crate::EvalError;
use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Check {
    pub is_match: bool,
    pub schema: String,
    pub query: Vec<(String, String)>,
    pub candidate: Vec<(String, String)>,
    pub line: u64,
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        v[1..v.len() - 1].replace("\\\"", "\"")
    } else if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.to_string()
    }
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Check>, EvalError> {
    let err = |line: usize, m: &str| EvalError::Parse {
        path: path.to_path_buf(),
        line: line as u64 + 1,
        message: m.to_string(),
    };
    let mut checks: Vec<Check> = Vec::new();
    // 0 = none, 1 = query, 2 = candidate
    let mut section = 0;
    for (ln, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || raw.trim() == "checks:" {
            continue;
        }
        let indent = raw.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix("- ") {
            let mut c = Check {
                line: ln as u64 + 1,
                ..Default::default()
            };
            let (k, v) = rest
                .split_once(':')
                .ok_or_else(|| err(ln, "expected key: value"))?;
            if k.trim() != "match" {
                return Err(err(ln, "a check must start with `match`"));
            }
            c.is_match = parse_bool(v).ok_or_else(|| err(ln, "match must be true or false"))?;
            checks.push(c);
            section = 0;
            continue;
        }
        let c = checks
            .last_mut()
            .ok_or_else(|| err(ln, "property before the first check"))?;
        match trimmed.split_once(':') {
            Some((k, v)) if indent <= 6 && !k.contains(' ') => {
                let k = k.trim();
                match (indent, k) {
                    (4, "query") => section = 1,
                    (4, "candidate") => section = 2,
                    (4, "schema") => c.schema = unquote(v),
                    (4, "label") | (4, "match") => {}
                    (6, _) if section > 0 => {
                        let target = if section == 1 {
                            &mut c.query
                        } else {
                            &mut c.candidate
                        };
                        target.push((k.to_string(), unquote(v)));
                    }
                    _ => return Err(err(ln, "unexpected key")),
                }
            }
            _ if indent >= 8 && section > 0 => {
                // Continuation of a folded plain scalar.
                let target = if section == 1 {
                    &mut c.query
                } else {
                    &mut c.candidate
                };
                let last = target
                    .last_mut()
                    .ok_or_else(|| err(ln, "continuation without a value"))?;
                last.1.push(' ');
                last.1.push_str(trimmed.trim());
            }
            _ => return Err(err(ln, "cannot read line")),
        }
    }
    Ok(checks)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_checks_with_parts_and_folded_values() {
        let t = "checks:\n  # c\n  - match: true\n    schema: Person\n    query:\n      firstName: Hans\n      lastName: Friedrich\n    candidate:\n      name: \"'Ndrangheta\n        Two\"\n  - match: false\n    schema: Company\n    query:\n      name: A\n    candidate:\n      name: B\n";
        let c = parse(Path::new("x.yml"), t).unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].is_match);
        assert_eq!(c[0].query.len(), 2);
        assert_eq!(c[0].candidate[0].1, "\"'Ndrangheta Two\"");
        assert_eq!(c[1].schema, "Company");
    }

    #[test]
    fn rejects_lines_outside_the_subset() {
        let e = parse(Path::new("x.yml"), "checks:\n  - nope: 1\n").unwrap_err();
        assert!(e.to_string().contains("x.yml:2"), "{e}");
    }
}

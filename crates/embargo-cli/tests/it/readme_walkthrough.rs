//! Runs the README's "A first session" walk-through verbatim, as a new user
//! would from the root of a fresh clone: every line between the
//! `walkthrough:start` and `walkthrough:end` markers, through `sh`, with
//! the built `embargo` first on `PATH` and a fresh data directory. The
//! install line is the one exception (it would rebuild the binary this test
//! already has); the test checks it is there and names the CLI crate.
//!
//! A line's comment may say `(exit status N)`: the command must end so.
//! Without it a line must end with 0 or 1 (1 is "something to act on"),
//! never 2 (an error). A few lines also have their output checked, found by
//! their command text so that a README edit that drops them fails here.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace root")
        .to_path_buf()
}

/// One line of the walk-through: the shell command and its comment.
struct Step {
    command: String,
    comment: String,
}

/// Splits `cmd   # comment` at the first `#` outside double quotes that
/// follows whitespace.
fn split_comment(line: &str) -> (String, String) {
    let mut quoted = false;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && prev_space => {
                return (
                    line[..i].trim().to_string(),
                    line[i + 1..].trim().to_string(),
                );
            }
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
    (line.trim().to_string(), String::new())
}

fn walkthrough() -> Vec<Step> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let start = readme
        .find("<!-- walkthrough:start -->")
        .expect("README has a walkthrough:start marker");
    let end = readme
        .find("<!-- walkthrough:end -->")
        .expect("README has a walkthrough:end marker");
    let block = &readme[start..end];
    let body = block
        .split("```sh")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```sh block between the markers");
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (command, comment) = split_comment(l);
            Step { command, comment }
        })
        .collect()
}

fn expected_status(comment: &str) -> Option<i32> {
    let at = comment.find("(exit status ")?;
    let rest = &comment[at + "(exit status ".len()..];
    rest.split(')').next()?.trim().parse().ok()
}

#[test]
fn the_readme_first_session_runs_as_written() {
    let steps = walkthrough();
    assert!(
        steps.len() >= 6,
        "the walk-through has {} lines",
        steps.len()
    );
    let install = steps
        .iter()
        .find(|s| s.command.starts_with("cargo install"))
        .expect("the walk-through starts by installing the binary");
    assert!(install.command.contains("--path crates/embargo-cli"));

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_embargo"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut outputs: Vec<(String, String)> = Vec::new();
    for step in steps.iter().filter(|s| !s.command.starts_with("cargo ")) {
        assert!(
            step.command.starts_with("embargo "),
            "a walk-through line that is not an embargo command: {}",
            step.command
        );
        let out = Command::new("sh")
            .arg("-c")
            .arg(&step.command)
            .current_dir(repo_root())
            .env("PATH", &path)
            .env("HOME", home.path())
            .env("USER", "walkthrough")
            .env("EMBARGO_DATA_DIR", &data)
            .output()
            .expect("sh runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        match expected_status(&step.comment) {
            Some(want) => assert_eq!(
                code,
                Some(want),
                "`{}` should end with {want}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                step.command
            ),
            None => assert!(
                matches!(code, Some(0) | Some(1)),
                "`{}` failed ({code:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
                step.command
            ),
        }
        outputs.push((step.command.clone(), stdout));
    }

    let output_of = |needle: &str| -> &str {
        &outputs
            .iter()
            .find(|(c, _)| c.contains(needle))
            .unwrap_or_else(|| panic!("the walk-through has no `{needle}` line"))
            .1
    };
    assert!(output_of("screen \"Hikvision\"").contains("Hikvision Digital Technology"));
    assert!(output_of("screen \"海康威视\"").contains("Hikvision"));
    assert!(output_of("screen \"Jane Blocked\"").contains("Only the embedded regime pack"));
    assert!(output_of("lists import").contains("custom_internal_blocklist"));
    let lists = &outputs
        .iter()
        .find(|(c, _)| c == "embargo lists")
        .expect("the walk-through has an `embargo lists` line")
        .1;
    assert!(lists.contains("custom_internal_blocklist"), "{lists}");
    let hit = output_of("screen \"Janey Blocked\"");
    assert!(
        hit.contains("Jane Blocked") && hit.contains("custom_internal_blocklist"),
        "{hit}"
    );
    let decision = output_of("decide docs/examples/export.json");
    assert!(
        decision.contains("EAR_ENTITY_LIST: LICENSE_REQUIRED"),
        "{decision}"
    );
    assert!(output_of("audit verify").contains("audit log OK"));
}

#[test]
fn comments_split_outside_quotes_only() {
    let (c, m) = split_comment(r#"embargo screen "A # B"   # a hit (exit status 1)"#);
    assert_eq!(c, r#"embargo screen "A # B""#);
    assert_eq!(expected_status(&m), Some(1));
    let (c, m) = split_comment("embargo lists");
    assert_eq!((c.as_str(), m.as_str()), ("embargo lists", ""));
}

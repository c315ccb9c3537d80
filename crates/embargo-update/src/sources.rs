//! Which files to fetch: the built-in official URLs and the optional
//! config file that overrides them.
//!
//! Config file format: TOML when the file name ends in `.toml`, JSON
//! otherwise (`--sources FILE` in the CLI):
//! ```toml
//! replace_defaults = false
//!
//! [[sources]]
//! name = "us_csl"
//! kind = "csl"
//! urls = ["https://mirror.example/consolidated.csv"]
//! ```
//! or the same in JSON:
//! ```json
//! {
//!   "replace_defaults": false,
//!   "sources": [
//!     { "name": "us_csl", "kind": "csl",
//!       "urls": ["https://mirror.example/consolidated.csv"] },
//!     { "name": "un", "kind": "un",
//!       "urls": ["https://mirror.example/un.xml#UN_consolidated.xml"] }
//!   ]
//! }
//! ```
//! An entry replaces the built-in source of the same `name` and other
//! names are added; with `"replace_defaults": true` only the file's sources
//! are used. `kind` takes the CLI names of `SourceKind` (`ofac-sdn`,
//! `ofac-cons`, `csl`, `dpl`, `un`, `ftm`, `custom`). A `#name` fragment on a
//! URL sets the local file name (the fragment is never sent to the server);
//! without it the name comes from [`local_file_name`].

use crate::error::UpdateError;
use embargo_model::SourceKind;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One list to fetch: several URLs for sets of files (OFAC legacy CSV).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSpec {
    /// Directory name under the download dir, e.g. `ofac_sdn`.
    pub name: String,
    pub kind: SourceKind,
    pub urls: Vec<String>,
}

const OFAC: &str = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports";

/// The official download locations.
pub fn default_sources() -> Vec<SourceSpec> {
    let ofac = |files: &[&str]| files.iter().map(|f| format!("{OFAC}/{f}")).collect();
    vec![
        SourceSpec {
            name: "ofac_sdn".into(),
            kind: SourceKind::OfacSdn,
            urls: ofac(&["SDN.CSV", "ALT.CSV", "ADD.CSV", "SDN_COMMENTS.CSV"]),
        },
        SourceSpec {
            name: "ofac_cons".into(),
            kind: SourceKind::OfacConsolidated,
            urls: ofac(&["CONS_PRIM.CSV", "CONS_ALT.CSV", "CONS_ADD.CSV", "CONS_COMMENTS.CSV"]),
        },
        SourceSpec {
            name: "us_csl".into(),
            kind: SourceKind::TradeCsl,
            urls: vec![
                "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
                    .into(),
            ],
        },
        SourceSpec {
            name: "un".into(),
            kind: SourceKind::UnSc,
            urls: vec!["https://scsanctions.un.org/resources/xml/en/consolidated.xml".into()],
        },
        SourceSpec {
            name: "bis_dpl".into(),
            kind: SourceKind::BisDpl,
            urls: vec!["https://www.bis.doc.gov/dpl/dpl.txt".into()],
        },
    ]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    replace_defaults: bool,
    sources: Vec<ConfigSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSource {
    name: String,
    kind: String,
    urls: Vec<String>,
}

/// The sources to fetch: the defaults, overridden by `config` if given.
pub fn load_sources(config: Option<&Path>) -> Result<Vec<SourceSpec>, UpdateError> {
    let Some(path) = config else {
        return Ok(default_sources());
    };
    let bad = |detail: String| UpdateError::Config {
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|e| UpdateError::io(path, e))?;
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let file: ConfigFile = if is_toml {
        // toml's message already names line and column and quotes the line.
        toml::from_str(&text).map_err(|e| bad(e.to_string()))?
    } else {
        serde_json::from_str(&text)
            .map_err(|e| bad(format!("line {}, column {}: {e}", e.line(), e.column())))?
    };
    let mut out = if file.replace_defaults {
        Vec::new()
    } else {
        default_sources()
    };
    for (i, s) in file.sources.into_iter().enumerate() {
        let at = format!("sources[{i}] ({:?})", s.name);
        let kind = SourceKind::from_cli(&s.kind)
            .ok_or_else(|| bad(format!("{at}: unknown kind {:?}", s.kind)))?;
        let spec = SourceSpec {
            name: s.name,
            kind,
            urls: s.urls,
        };
        validate(&spec).map_err(|e| bad(format!("{at}: {e}")))?;
        match out.iter_mut().find(|o| o.name == spec.name) {
            Some(existing) => *existing = spec,
            None => out.push(spec),
        }
    }
    Ok(out)
}

/// Checks what `fetch_all` relies on: a safe directory name, at least one
/// http(s) URL, distinct local file names. Returns the local names.
pub(crate) fn validate(spec: &SourceSpec) -> Result<Vec<String>, String> {
    if !safe_name(&spec.name) {
        return Err(format!(
            "name {:?} must be letters, digits, '_', '-' or '.' (it becomes a directory)",
            spec.name
        ));
    }
    if spec.urls.is_empty() {
        return Err("no urls".into());
    }
    let mut names: Vec<String> = Vec::new();
    for url in &spec.urls {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("{url:?} is not an http(s) URL"));
        }
        let n = local_file_name(spec.kind, url)?;
        if names.contains(&n) {
            return Err(format!("two urls would both be saved as {n:?}"));
        }
        names.push(n);
    }
    Ok(names)
}

fn safe_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
}

/// The URL without its `#fragment`: what is actually requested.
pub(crate) fn request_url(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

/// Local file name for `url`: the `#fragment` if given, else the last path
/// segment, adjusted to what the parsers expect: OFAC names lower-cased
/// (`SDN.CSV` → `sdn.csv`), the UN XML as `UN_consolidated.xml`, the DPL
/// as `dpl.txt`.
pub fn local_file_name(kind: SourceKind, url: &str) -> Result<String, String> {
    if let Some((_, frag)) = url.split_once('#') {
        return if safe_name(frag) {
            Ok(frag.to_string())
        } else {
            Err(format!(
                "file name #{frag:?} in {url:?} is not a plain file name"
            ))
        };
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let after_host = path.splitn(4, '/').nth(3).unwrap_or("");
    let last = after_host.rsplit('/').next().unwrap_or("");
    if !safe_name(last) {
        return Err(format!(
            "cannot tell a file name from {url:?}; add one as a #fragment"
        ));
    }
    Ok(match kind {
        SourceKind::OfacSdn | SourceKind::OfacConsolidated => last.to_ascii_lowercase(),
        SourceKind::UnSc if last.to_ascii_lowercase().ends_with(".xml") => {
            "UN_consolidated.xml".to_string()
        }
        SourceKind::BisDpl => "dpl.txt".to_string(),
        _ => last.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sources_save_under_the_names_parsers_expect() {
        let names: Vec<Vec<String>> = default_sources()
            .iter()
            .map(|s| validate(s).unwrap())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"],
                vec![
                    "cons_prim.csv",
                    "cons_alt.csv",
                    "cons_add.csv",
                    "cons_comments.csv"
                ],
                vec!["consolidated.csv"],
                vec!["UN_consolidated.xml"],
                vec!["dpl.txt"],
            ]
        );
    }

    #[test]
    fn fragments_name_files_and_are_not_requested() {
        let u = "https://x.example/a/b?x=1#my.csv";
        assert_eq!(local_file_name(SourceKind::TradeCsl, u).unwrap(), "my.csv");
        assert_eq!(request_url(u), "https://x.example/a/b?x=1");
        assert!(local_file_name(SourceKind::TradeCsl, "https://x.example/").is_err());
        assert!(local_file_name(SourceKind::TradeCsl, "https://x.example/a#../etc").is_err());
    }
}

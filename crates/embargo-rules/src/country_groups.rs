//! Country Groups of Supplement No. 1 to 15 CFR Part 740 that the decision
//! tables need (eCFR issue date 2026-07-23), as ISO-2 codes, read from
//! `data/country_groups.tsv`.
//!
//! Only the groups a rule in RULES.md reads are there: E:1/E:2 (de minimis
//! 10 % threshold, §734.4(c)), D:1 (NS foreign direct product rule
//! §734.9(b)), D:5 (600-series de minimis exclusion §734.4(a)(6)(i)),
//! D:4, A:5 and A:6 (the advanced-computing RS scope, §742.6(a)(6)(iii)(B)).

use crate::table::{self, TableError};
use embargo_model::Country;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// E:1, terrorist-supporting countries (RULES.md §2.2).
    E1,
    /// E:2, unilateral embargo.
    E2,
    /// D:1, national-security concern. China is D:1 (RULES.md §3.2).
    D1,
    /// D:4, missile-technology concern (read by 742.6(a)(6)(iii)(B)).
    D4,
    /// D:5, US arms-embargoed countries.
    D5,
    /// A:5, STA Tier 1 destinations.
    A5,
    /// A:6, additional STA-eligible destinations.
    A6,
}

pub use Group::*;

pub const GROUPS: [Group; 7] = [E1, E2, D1, D4, D5, A5, A6];

impl Group {
    /// As Supplement No. 1 writes it: "D:1".
    pub fn label(self) -> &'static str {
        match self {
            E1 => "E:1",
            E2 => "E:2",
            D1 => "D:1",
            D4 => "D:4",
            D5 => "D:5",
            A5 => "A:5",
            A6 => "A:6",
        }
    }

    pub fn parse(s: &str) -> Option<Group> {
        GROUPS.into_iter().find(|g| g.label() == s.trim())
    }
}

const FILE: &str = "country_groups.tsv";
const TEXT: &str = include_str!("../data/country_groups.tsv");

/// Parses `data/country_groups.tsv` (group, space-separated members);
/// every group of [`GROUPS`] must have exactly one row.
pub fn parse(text: &'static str) -> Result<Vec<(Group, Vec<Country>)>, TableError> {
    let mut out: Vec<(Group, Vec<Country>)> = vec![];
    for r in table::rows(FILE, text) {
        let g = r.get(0)?;
        let g = Group::parse(g).ok_or_else(|| r.error(format!("unknown country group {g:?}")))?;
        if out.iter().any(|(x, _)| *x == g) {
            return Err(r.error(format!("group {} given twice", g.label())));
        }
        out.push((g, r.countries(1)?));
    }
    if let Some(g) = GROUPS.iter().find(|g| !out.iter().any(|(x, _)| x == *g)) {
        return Err(TableError {
            file: FILE,
            line: text.lines().count(),
            message: format!("group {} has no row", g.label()),
        });
    }
    Ok(out)
}

static TABLE: LazyLock<Vec<(Group, Vec<Country>)>> = LazyLock::new(|| table::embedded(parse(TEXT)));

/// The members of `group`.
pub fn members(group: Group) -> &'static [Country] {
    TABLE
        .iter()
        .find(|(g, _)| *g == group)
        .map(|(_, cs)| cs.as_slice())
        .unwrap_or(&[])
}

pub fn in_group(group: Group, c: Country) -> bool {
    members(group).contains(&c)
}

/// E:1 or E:2: comprehensively embargoed (Part 746), no Country Chart row.
pub fn is_embargoed(c: Country) -> bool {
    in_group(E1, c) || in_group(E2, c)
}

/// The destination the EAR evaluates: Hong Kong is China since 2020-12-23
/// (85 FR 83765; RULES.md §1.2 notes). Everything else is itself.
pub fn ear_destination(c: Country) -> Country {
    if c.as_str() == "HK" {
        Country::from_code("CN").expect("valid code")
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_groups_match_rules_md() {
        let cn = Country::from_code("CN").unwrap();
        assert!(in_group(D1, cn) && in_group(D5, cn));
        assert!(!is_embargoed(cn));
        assert!(is_embargoed(Country::from_code("KP").unwrap()));
        assert_eq!(ear_destination(Country::from_code("HK").unwrap()), cn);
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("# x\nE:1\tIR\nZ:9\tCN\n").unwrap_err();
        assert_eq!((e.file, e.line), (FILE, 3));
        assert!(parse("E:1\tIR\n").unwrap_err().message.contains("E:2"));
    }
}

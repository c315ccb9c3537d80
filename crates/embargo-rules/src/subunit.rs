//! Sub-units of listed or blocked bodies (issue 12 item 4).
//!
//! A party whose name reads as a sub-unit of a listed body — a prefecture
//! or county public security bureau under the designated Xinjiang regional
//! bureau, a branch or research institute of a listed firm — is neither
//! cleared nor treated as listed: it gets a NEEDS_REVIEW finding that names
//! the parent entry and the legal reason.
//!
//! - **OFAC** (RULES.md §4.2, §4.3): a sub-unit is blocked only if it is
//!   part of the same legal person as the SDN, or owned 50 % or more by
//!   blocked persons (OFAC FAQs 398, 401). Whether OFAC treats subordinate
//!   bureaus as part of the designated Xinjiang PSB is unsettled [U].
//! - **Entity List** (RULES.md §1.2 EL1.2, EL1.4): an entry covers the
//!   names and addresses listed; an unlisted branch or institute is not
//!   covered as such, but knowledge that the listed body is the real party
//!   (15 CFR 772.1 "knowledge") brings the requirement, and the red-flag
//!   guidance (Supp. No. 3 to Part 732) applies.
//!
//! Which names are sub-units is read from the words in
//! `data/subunit_terms.tsv` (organ and sub-unit words, English and Chinese)
//! and, for organs, from the Xinjiang gazetteer (`geography`). A party that
//! is itself listed (a strong hit in force) is left to the measure that
//! lists it.

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::geography;
use crate::listing::Regime;
use crate::ofac::{nexus, Nexus};
use crate::resolver::PartyMatch;
use crate::screen::{evidence, Screen};
use crate::table::{self, TableError};
use crate::text::fold;
use crate::transaction::Transaction;
use std::sync::LazyLock;

const FILE: &str = "subunit_terms.tsv";
const TEXT: &str = include_str!("../data/subunit_terms.tsv");

/// One sub-unit word: `organ` (a public-security organ whose parent is the
/// regional bureau) or `unit` (a branch or institute of the firm named
/// before it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub kind: &'static str,
    pub words: &'static str,
    pub meaning: &'static str,
}

pub fn parse_terms(text: &'static str) -> Result<Vec<Term>, TableError> {
    table::rows(FILE, text)
        .map(|r| {
            let kind = r.get(0)?;
            if !matches!(kind, "organ" | "unit") {
                return Err(r.error(format!("kind must be organ or unit, not {kind:?}")));
            }
            let words = r.get(1)?;
            if words != fold(words) {
                return Err(r.error(format!("{words:?} must be written folded (lower case)")));
            }
            Ok(Term {
                kind,
                words,
                meaning: r.get(2)?,
            })
        })
        .collect()
}

static TERMS: LazyLock<Vec<Term>> = LazyLock::new(|| table::embedded(parse_terms(TEXT)));

pub fn terms() -> &'static [Term] {
    &TERMS
}

/// Names the regional Xinjiang public-security bureau is listed under;
/// the resolver finds the entry (SDN, Entity List) behind each.
const XUAR_PSB: &[&str] = &[
    "Xinjiang Public Security Bureau",
    "Xinjiang Uighur Autonomous Region (XUAR) People's Government Public Security Bureau",
];

/// What a name reads as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A public-security organ in a Xinjiang division (`place`).
    Organ { place: String, term: &'static str },
    /// A branch or institute (`term`) of the body named by `parent`.
    Unit { parent: String, term: &'static str },
}

fn contains(folded: &str, words: &str) -> Option<usize> {
    if words.chars().any(|c| c as u32 > 0x2e80) {
        return folded.find(words);
    }
    let hay = format!(" {folded} ");
    // `hay` starts with a space, so the index of " words " in it is the
    // index of "words" in `folded`.
    hay.find(&format!(" {words} "))
}

/// Reads `name` as a sub-unit, if it is one; `address` helps place an
/// organ in Xinjiang.
pub fn read(name: &str, address: Option<&str>) -> Option<Reading> {
    let f = fold(name);
    let has_organ = terms()
        .iter()
        .any(|t| t.kind == "organ" && contains(&f, t.words).is_some());
    // The gazetteer scan only when an organ word is there (most names
    // have none).
    let geo = if has_organ {
        geography::scan(&format!("{name} {}", address.unwrap_or("")), None)
    } else {
        geography::Nexus::default()
    };
    read_with(name, &geo)
}

/// `read` with the places already resolved: an organ is placed by the
/// divisions `geo.places` carries (level and GB/T 2260 code from the
/// gazetteer), never by reading codes back out of the text of a hit.
pub fn read_with(name: &str, geo: &geography::Nexus) -> Option<Reading> {
    let f = fold(name);
    for t in terms().iter().filter(|t| t.kind == "organ") {
        if contains(&f, t.words).is_some() {
            // The region's own bureau (the province-level division, "65")
            // is the designated body itself, not a sub-unit: its direct
            // match governs (and a review of that match is not undone
            // here). A prefecture or county (65xx, 65xxxx) is below it.
            let below = geo.places.iter().find(|m| {
                m.level > geography::Level::Province && m.level != geography::Level::Street
            });
            if let Some(m) = below {
                return Some(Reading::Organ {
                    place: format!("{} ({})", m.place, m.code.unwrap_or("-")),
                    term: t.meaning,
                });
            }
            // An XPCC organ with no division named: the XPCC operates
            // only in Xinjiang, below the region.
            if let Some(x) = geo.xpcc.first() {
                return Some(Reading::Organ {
                    place: format!("the XPCC ({x})"),
                    term: t.meaning,
                });
            }
        }
    }
    for t in terms().iter().filter(|t| t.kind == "unit") {
        if let Some(i) = contains(&f, t.words) {
            // The parent is what precedes the sub-unit word ("Hikvision
            // Research Institute" -> "Hikvision"), or what follows "of"
            // ("Research Institute of Hikvision").
            let before = f[..i].trim().to_string();
            let after = f[i + t.words.len()..]
                .trim()
                .trim_start_matches("of ")
                .trim()
                .to_string();
            let parent = if before.split(' ').filter(|w| !w.is_empty()).count() >= 1 {
                before
            } else {
                after
            };
            if parent.chars().filter(|c| c.is_alphanumeric()).count() >= 3 {
                return Some(Reading::Unit {
                    parent,
                    term: t.meaning,
                });
            }
        }
    }
    None
}

/// Parents found for a reading, per regime: (query used, strong match in
/// force on the date).
fn parents(screen: &Screen, r: &Reading, regime: Regime) -> Vec<(String, PartyMatch)> {
    let queries: Vec<String> = match r {
        Reading::Organ { .. } => XUAR_PSB.iter().map(|s| s.to_string()).collect(),
        Reading::Unit { parent, .. } => vec![parent.clone()],
    };
    let mut out: Vec<(String, PartyMatch)> = vec![];
    for q in queries {
        for m in screen.hits(&q, None, regime).in_force {
            if !out.iter().any(|(_, o)| o.entity.id == m.entity.id) {
                out.push((q.clone(), m));
            }
        }
    }
    out
}

/// Whether a parent of the reading is listed under `regime` on the date.
pub fn has_parent(screen: &Screen, r: &Reading, regime: Regime) -> bool {
    !parents(screen, r, regime).is_empty()
}

fn describe(r: &Reading) -> String {
    match r {
        Reading::Organ { place, term } => {
            format!("a {term} in {place}, under the Xinjiang regional public security bureau")
        }
        Reading::Unit { term, .. } => format!("a {term}"),
    }
}

/// NEEDS_REVIEW findings for parties that are sub-units of listed bodies.
pub fn evaluate(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    let mut out = vec![];
    let nx = nexus(tx);
    for p in &tx.parties {
        let Some(r) = read(&p.name, p.address.as_deref()) else {
            continue;
        };
        // EAR: the four § 748.5 parties of an export, reexport or transfer.
        if tx.flow.is_ear_flow() && p.role.is_748_5_party() {
            let own = screen.hits(&p.name, p.country, Regime::EntityList);
            if own.in_force.is_empty() {
                for (_, m) in parents(screen, &r, Regime::EntityList) {
                    out.push(
                        Finding::new(Measure::EarEntityList, Outcome::NeedsReview, "RULES.md §1.2 EL1.2 / EL1.4 (sub-unit)", Confidence::Uncertain)
                            .cite("15 CFR 744.16(a)")
                            .cite("15 CFR 772.1 (knowledge)")
                            .cite("Supp. No. 3 to Part 732 (red flags)")
                            .evidence(evidence(&p.name, Some(p.role.as_str()), &m))
                            .reason(format!(
                                "{} \"{}\" reads as {} of Entity List entry \"{}\".",
                                p.role.as_str(), p.name, describe(&r), m.entity.caption()
                            ))
                            .reason("The Entity List covers the names and addresses listed: an unlisted branch, institute or subordinate organ is not covered by the entry as such. If it is the listed body under another name or address, or the listed body is the real purchaser or end user, the entry's licence requirement applies (knowledge, 15 CFR 772.1); treat it as a red flag and resolve it before shipping."),
                    );
                }
            }
        }
        // OFAC: wherever a US person or US nexus is, or may be, involved.
        if !matches!(nx, Nexus::None(_)) {
            let own = screen.hits(&p.name, p.country, Regime::Sdn);
            if own.in_force.is_empty() {
                let found = parents(screen, &r, Regime::Sdn);
                if found.is_empty() && matches!(r, Reading::Organ { .. }) {
                    out.push(
                        Finding::new(Measure::OfacSdn, Outcome::NeedsReview, "RULES.md §4.3 (subordinate bureaus)", Confidence::Uncertain)
                            .cite("EO 13818")
                            .reason(format!("\"{}\" is {}; OFAC designated the Xinjiang Public Security Bureau (2020-07-09), which the loaded lists did not resolve. Whether subordinate bureaus are treated as part of it is unsettled: never clear.", p.name, describe(&r))),
                    );
                }
                for (_, m) in found {
                    out.push(
                        Finding::new(Measure::OfacSdn, Outcome::NeedsReview, "RULES.md §4.2 / §4.3 (sub-unit)", Confidence::Uncertain)
                            .cite("OFAC FAQ 398")
                            .cite("OFAC FAQ 401")
                            .evidence(evidence(&p.name, Some(p.role.as_str()), &m))
                            .reason(format!(
                                "{} \"{}\" reads as {} of SDN \"{}\".",
                                p.role.as_str(), p.name, describe(&r), m.entity.caption()
                            ))
                            .reason("It is blocked only if it is part of the same legal person as the SDN, or owned 50 % or more, directly or indirectly, by blocked persons (the 50 Percent Rule); establish its legal form and ownership before dealing. Whether OFAC treats subordinate public-security bureaus as part of the designated regional bureau is unsettled: never a clear."),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organs_and_units_are_read_with_their_parent() {
        assert!(terms().len() >= 8);
        match read("Kashgar Prefecture Public Security Bureau", None) {
            Some(Reading::Organ { place, .. }) => assert!(place.contains("Kashgar"), "{place}"),
            r => panic!("{r:?}"),
        }
        assert!(matches!(
            read("喀什地区公安局", None),
            Some(Reading::Organ { .. })
        ));
        assert_eq!(
            read("Hikvision Research Institute", None),
            Some(Reading::Unit {
                parent: "hikvision".into(),
                term: "research institute"
            })
        );
        assert!(matches!(
            read("Research Institute of Hikvision", None),
            Some(Reading::Unit { parent, .. }) if parent == "hikvision"
        ));
        // A public security bureau outside Xinjiang, or a firm with no
        // sub-unit word, is not read as a sub-unit.
        assert_eq!(read("Shanghai Public Security Bureau", None), None);
        assert_eq!(read("Acme Trading Co., Ltd.", None), None);
        // The regional bureau itself is the designated body, not its own
        // sub-unit (its direct match, or a review of it, decides).
        assert_eq!(read("Xinjiang Public Security Bureau", None), None);
        assert_eq!(read("新疆维吾尔自治区公安厅", None), None);
    }

    #[test]
    fn a_parenthesised_number_in_the_text_is_not_a_division_code() {
        // The regional bureau with a room or box number in brackets is
        // still the regional bureau, not a sub-unit.
        for name in [
            "Xinjiang Public Security Bureau (6501)",
            "Xinjiang Public Security Bureau (Room 653101)",
            "新疆维吾尔自治区公安厅（6531）",
        ] {
            assert_eq!(read(name, None), None, "{name}");
            assert_eq!(
                read("Xinjiang Public Security Bureau", Some(name)),
                None,
                "{name}"
            );
        }
        // The text of a hit is never parsed for a code: only the
        // structured places decide.
        let mut geo = geography::Nexus {
            xinjiang: vec!["Ürümqi (6501) via \"urumqi\"".into()],
            ..Default::default()
        };
        assert_eq!(read_with("Public Security Bureau", &geo), None);
        geo.places = geography::read_address("Urumqi", None)
            .into_iter()
            .filter(|m| m.code.is_some())
            .collect();
        assert_eq!(geo.places[0].level, geography::Level::Prefecture);
        assert_eq!(
            read_with("Public Security Bureau", &geo),
            Some(Reading::Organ {
                place: "Ürümqi (6501)".into(),
                term: "public security bureau"
            })
        );
        // A county bureau with a number in brackets stays a sub-unit of
        // its division.
        match read("Moyu County Public Security Bureau (No. 65)", Some("Hotan")) {
            Some(Reading::Organ { place, .. }) => assert_eq!(place, "Hotan (6532)"),
            r => panic!("{r:?}"),
        }
        // An XPCC organ with no division named is below the region.
        assert!(matches!(
            read("Bingtuan Public Security Bureau", None),
            Some(Reading::Organ { place, .. }) if place.starts_with("the XPCC")
        ));
    }
}

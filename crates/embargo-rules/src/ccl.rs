//! Reasons for control of the Commerce Control List entries RULES.md needs
//! (Supplement No. 1 to 15 CFR Part 774, eCFR issue date 2026-07-23;
//! RULES.md §3.3), and the Country Chart columns they name.
//!
//! Each `Control` is one "License Requirements" row of an ECCN: a reason,
//! whether it covers the entire entry or only some paragraphs, and the
//! chart column(s). Where a reason uses different columns for different
//! paragraphs (3A001: NS1 for some, NS2 for the rest) the row lists them as
//! alternatives: a destination is certainly controlled only if every
//! alternative has an X. Prose scopes that bypass the chart
//! (§738.3(a)(1); "to or within any destination worldwide") are `Prose`.
//!
//! ECCNs not in this table are *unknown*, not uncontrolled: the measures
//! answer NEEDS_REVIEW / INDETERMINATE for them.

use crate::country_chart::Column::{self, *};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Entire,
    /// Only some paragraphs of the entry (the text names which); which
    /// ones is not modelled, so the answer depends on the paragraph.
    Part,
    /// Only paragraphs starting with this letter (`z`, `y`, `a`). The item
    /// must be classified to that paragraph (`5A992.z`) to be caught.
    Paragraph(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub enum Control {
    /// Country Chart columns, alternatives by paragraph.
    Chart {
        scope: Scope,
        columns: &'static [Column],
    },
    /// A licence requirement stated in prose rather than by chart column.
    Prose {
        scope: Scope,
        destinations: Dest,
        text: &'static str,
    },
}

/// Where a prose licence requirement applies.
#[derive(Clone, Copy, Debug)]
pub enum Dest {
    All,
    /// Every destination except these (0A982: all but Canada).
    AllExcept(&'static [&'static str]),
    Only(&'static [&'static str]),
    /// 742.6(a)(6)(iii)(B): Macau, the UAE, or Country Groups D:1, D:4,
    /// D:5, excluding destinations also in A:5 or A:6.
    D145AndMacauUae,
}

pub struct Eccn {
    pub eccn: &'static str,
    pub what: &'static str,
    pub controls: &'static [Control],
}

const fn chart(scope: Scope, columns: &'static [Column]) -> Control {
    Control::Chart { scope, columns }
}

/// 742.6(a)(6)(iii)(A): the .z paragraphs of advanced-computing-related
/// entries, worldwide.
const RS_Z_WORLDWIDE: Control = Control::Prose {
    scope: Scope::Paragraph("z"),
    destinations: Dest::All,
    text:
        "RS for .z paragraphs: to or within any destination worldwide (15 CFR 742.6(a)(6)(iii)(A))",
};

/// RULES.md §3.3, plus the entries the worked cases use (3A001, 9A610,
/// 9A991, 5A991) and the footnote-1/4 input ECCNs of §1.3 that a de minimis
/// input may carry.
pub const TABLE: &[Eccn] = &[
    Eccn { eccn: "0A978", what: "saps, batons", controls: &[chart(Scope::Entire, &[CC1])] },
    Eccn { eccn: "0A979", what: "police helmets and shields", controls: &[chart(Scope::Entire, &[CC1])] },
    Eccn {
        eccn: "0A982",
        what: "restraint devices",
        controls: &[Control::Prose { scope: Scope::Entire, destinations: Dest::AllExcept(&["CA"]), text: "CC: licence required to all destinations except Canada (15 CFR 742.7(a)(2))" }],
    },
    Eccn {
        eccn: "0A983",
        what: "specially designed implements of torture",
        controls: &[Control::Prose { scope: Scope::Entire, destinations: Dest::All, text: "licence required for all destinations, no licence exceptions (15 CFR 738.3(a)(1))" }],
    },
    Eccn { eccn: "1A004", what: "protective and detection equipment", controls: &[chart(Scope::Part, &[NS2]), chart(Scope::Part, &[CB2]), chart(Scope::Part, &[RS2]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "1A985", what: "fingerprinting powders and dyes", controls: &[chart(Scope::Entire, &[CC1])] },
    Eccn { eccn: "1A995", what: "protective and detection equipment not in 1A004", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "1A999", what: "specific processing equipment, n.e.s.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "1D003", what: "software for 1A004 / 1A995 items", controls: &[chart(Scope::Entire, &[NS2]), chart(Scope::Entire, &[RS2]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "2A983", what: "explosives or detonator detection equipment", controls: &[chart(Scope::Entire, &[RS2]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "2D983", what: "software for 2A983", controls: &[chart(Scope::Entire, &[RS2]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "2E983", what: "technology for 2A983", controls: &[chart(Scope::Entire, &[RS2]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3A001", what: "electronic components", controls: &[chart(Scope::Entire, &[NS1, NS2]), chart(Scope::Part, &[RS1]), chart(Scope::Part, &[MT1]), chart(Scope::Part, &[NP1]), chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "3A090", what: "advanced computing integrated circuits", controls: &[Control::Prose { scope: Scope::Paragraph("a"), destinations: Dest::All, text: "RS for 3A090.a: to or within any destination worldwide (15 CFR 742.6(a)(6)(iii)(A))" }, Control::Prose { scope: Scope::Entire, destinations: Dest::D145AndMacauUae, text: "RS: to or within Macau, the UAE or Country Groups D:1, D:4, D:5 (15 CFR 742.6(a)(6)(iii)(B))" }, chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3A980", what: "voice print identification and analysis equipment", controls: &[chart(Scope::Entire, &[CC1])] },
    Eccn { eccn: "3A981", what: "polygraphs, fingerprint analysers, cameras for police", controls: &[chart(Scope::Entire, &[CC1])] },
    Eccn { eccn: "3A991", what: "electronic devices and components n.e.s.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3D001", what: "software for 3A001-3A002, 3B", controls: &[chart(Scope::Part, &[NS1]), chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "3D980", what: "software for 3A980 / 3A981", controls: &[chart(Scope::Entire, &[CC1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3D991", what: "software for 3A991 etc.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3E001", what: "technology for 3A/3B/3C items", controls: &[chart(Scope::Entire, &[NS1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3E980", what: "technology for 3A980 / 3A981", controls: &[chart(Scope::Entire, &[CC1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "3E991", what: "technology for 3A991 etc.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "4A003", what: "digital computers", controls: &[chart(Scope::Part, &[NS1, NS2]), chart(Scope::Part, &[CC1]), chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "4A090", what: "advanced computers", controls: &[Control::Prose { scope: Scope::Paragraph("a"), destinations: Dest::All, text: "RS for 4A090.a: to or within any destination worldwide (15 CFR 742.6(a)(6)(iii)(A))" }, Control::Prose { scope: Scope::Entire, destinations: Dest::D145AndMacauUae, text: "RS: to or within Macau, the UAE or Country Groups D:1, D:4, D:5 (15 CFR 742.6(a)(6)(iii)(B))" }, chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "4A980", what: "computers for fingerprint equipment", controls: &[chart(Scope::Entire, &[CC1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "4A994", what: "computers n.e.s.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "4D980", what: "software for 4A980", controls: &[chart(Scope::Entire, &[CC1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "4E980", what: "technology for 4A980", controls: &[chart(Scope::Entire, &[CC1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "5A002", what: "information security systems", controls: &[chart(Scope::Entire, &[NS1]), chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "5A991", what: "telecommunications equipment n.e.s.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "5A992", what: "mass-market encryption items", controls: &[chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "5D002", what: "information security software", controls: &[chart(Scope::Entire, &[NS1]), chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "5D992", what: "mass-market encryption software", controls: &[chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "5E002", what: "information security technology", controls: &[chart(Scope::Entire, &[NS1]), chart(Scope::Entire, &[AT1]), RS_Z_WORLDWIDE] },
    Eccn { eccn: "6A002", what: "optical sensors", controls: &[chart(Scope::Entire, &[NS2]), chart(Scope::Part, &[MT1]), chart(Scope::Part, &[RS1]), chart(Scope::Part, &[CC1]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "6A003", what: "cameras", controls: &[chart(Scope::Entire, &[NS2]), chart(Scope::Part, &[NP1]), chart(Scope::Part, &[RS1, RS2]), chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "6A993", what: "cameras n.e.s.", controls: &[chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "9A610", what: "military aircraft parts (600 series)", controls: &[chart(Scope::Part, &[NS1]), chart(Scope::Part, &[RS1]), chart(Scope::Part, &[MT1]), Control::Prose { scope: Scope::Paragraph("y"), destinations: Dest::Only(&["CN", "RU", "VE"]), text: "RS for 9A610.y: China, Russia or Venezuela (15 CFR 742.6(a)(7))" }, chart(Scope::Entire, &[AT1])] },
    Eccn { eccn: "9A980", what: "mobile crime science laboratories", controls: &[chart(Scope::Entire, &[CC1])] },
    Eccn { eccn: "9A991", what: "aircraft and parts n.e.s.", controls: &[chart(Scope::Entire, &[AT1])] },
];

/// An ECCN string as written (`6A003.b.4`, `9a610.y`) split into the
/// five-character entry and the paragraph.
pub fn split(eccn: &str) -> (String, Option<String>) {
    let t = eccn.trim().to_ascii_uppercase();
    match t.split_once('.') {
        Some((base, para)) => (base.to_string(), Some(para.to_ascii_lowercase())),
        None => (t, None),
    }
}

pub fn is_ear99(eccn: &str) -> bool {
    eccn.trim().eq_ignore_ascii_case("EAR99")
}

/// Whether the string has the shape of an ECCN (`9A610`, `1A004.c`).
pub fn looks_like_eccn(s: &str) -> bool {
    let (base, _) = split(s);
    let b = base.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && (b'A'..=b'E').contains(&b[1])
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// "600 series" (x.y6zz) or 9x515 entries: the military-item entries
/// §734.4(a)(6) excludes from de minimis.
pub fn is_600_series_or_515(eccn: &str) -> bool {
    let (base, _) = split(eccn);
    looks_like_eccn(&base) && (&base[2..3] == "6" || &base[2..] == "515")
}

pub fn lookup(eccn: &str) -> Option<&'static Eccn> {
    let (base, _) = split(eccn);
    TABLE.iter().find(|e| e.eccn == base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_series() {
        assert!(looks_like_eccn("9A610.y"));
        assert!(!looks_like_eccn("EAR99"));
        assert!(is_600_series_or_515("9A610.y"));
        assert!(is_600_series_or_515("9A515.a"));
        assert!(!is_600_series_or_515("6A993"));
        assert_eq!(
            split("6a003.B.4"),
            ("6A003".to_string(), Some("b.4".to_string()))
        );
    }

    #[test]
    fn rules_md_3_3_at_only_entries_have_only_at1() {
        // RULES.md §3.2: AT-only ECCNs are NLR to China.
        for e in ["5A992", "3A991", "4A994", "6A993", "1A995", "1A999"] {
            let entry = lookup(e).unwrap();
            let cols: Vec<_> = entry
                .controls
                .iter()
                .filter_map(|c| match c {
                    Control::Chart {
                        scope: Scope::Entire,
                        columns,
                    } => Some(*columns),
                    _ => None,
                })
                .collect();
            assert_eq!(cols, vec![&[AT1][..]], "{e}");
        }
    }
}

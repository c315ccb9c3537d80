//! Country Groups of Supplement No. 1 to 15 CFR Part 740 that the decision
//! tables need (eCFR issue date 2026-07-23), as ISO-2 codes.
//!
//! Only the groups a rule in RULES.md reads are here: E:1/E:2 (de minimis
//! 10 % threshold, §734.4(c)), D:1 (NS foreign direct product rule
//! §734.9(b)), D:5 (600-series de minimis exclusion §734.4(a)(6)(i)),
//! D:4, A:5 and A:6 (the advanced-computing RS scope, §742.6(a)(6)(iii)(B)).

use embargo_model::Country;

/// E:1, terrorist-supporting countries (RULES.md §2.2).
pub const E1: &[&str] = &["IR", "KP", "SY"];
/// E:2, unilateral embargo.
pub const E2: &[&str] = &["CU"];
/// D:1, national-security concern. China is D:1 (RULES.md §3.2).
pub const D1: &[&str] = &[
    "AM", "AZ", "BY", "MM", "KH", "CN", "GE", "IQ", "KZ", "KP", "KG", "LA", "LY", "MO", "MD", "MN",
    "NI", "RU", "TJ", "TM", "UZ", "VE", "VN", "YE",
];
/// D:5, US arms-embargoed countries.
pub const D5: &[&str] = &[
    "AF", "BY", "MM", "CF", "CN", "CD", "CU", "ER", "HT", "IR", "IQ", "KP", "LB", "LY", "NI", "RU",
    "SO", "SS", "SD", "SY", "VE", "ZW",
];

/// D:4, missile-technology concern (read by 742.6(a)(6)(iii)(B)).
pub const D4: &[&str] = &[
    "BH", "BY", "CN", "EG", "IR", "IQ", "IL", "JO", "KP", "KW", "LB", "LY", "MO", "OM", "PK", "QA",
    "RU", "SA", "SY", "VE", "YE",
];
/// A:6, additional STA-eligible destinations.
pub const A6: &[&str] = &["AL", "CY", "IL", "MT", "MX", "SG", "ZA", "TW"];
/// A:5, STA Tier 1 destinations.
pub const A5: &[&str] = &[
    "AR", "AU", "AT", "BE", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS",
    "IN", "IE", "IT", "JP", "KR", "LV", "LT", "LU", "NL", "NZ", "NO", "PL", "PT", "RO", "SK", "SI",
    "ES", "SE", "CH", "TR", "GB", "AE",
];

pub fn in_group(group: &[&str], c: Country) -> bool {
    group.contains(&c.as_str())
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
}

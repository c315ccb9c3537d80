//! ISO 3166-1 alpha-2 country codes.
//!
//! Lists spell countries as names ("China", "CHINA", "Korea, North"), codes
//! ("CN") or both. Parsers turn what they can into a `Country`; anything that
//! cannot be mapped stays in the free-text fields and is never guessed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An upper-case ISO 3166-1 alpha-2 code (plus the user-assigned `XK` for
/// Kosovo, which OFAC and the UN use).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an ISO 3166-1 alpha-2 country code: {0:?}")]
pub struct CountryError(pub String);

impl Country {
    /// Parses a two-letter code, case-insensitively.
    pub fn from_code(code: &str) -> Result<Self, CountryError> {
        let b = code.trim().as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Country([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
            ]))
        } else {
            Err(CountryError(code.to_string()))
        }
    }

    /// A country as a user writes it: an ISO 3166-1 alpha-2 code or, failing
    /// that, an English name `from_name` knows. Surrounding spaces are
    /// ignored.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Country::from_code(t).ok().or_else(|| Country::from_name(t))
    }

    /// Maps an English country name as lists write it ("China",
    /// "Korea, North", "Burma", "Hong Kong") to its code. Returns `None` for
    /// names it does not know rather than guessing.
    pub fn from_name(name: &str) -> Option<Self> {
        let key = name.trim().to_ascii_lowercase();
        let key = key.trim_end_matches('.');
        if key.len() == 2 {
            return Self::from_code(key).ok();
        }
        country_names()
            .iter()
            .find(|(n, _)| *n == key)
            .map(|(_, c)| Country::from_code(c).expect("table holds valid codes"))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl FromStr for Country {
    type Err = CountryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::from_code(&s).map_err(serde::de::Error::custom)
    }
}

/// English names (lower-case) as the US, UN and EU lists write them.
fn country_names() -> &'static [(&'static str, &'static str)] {
    &[
        ("afghanistan", "AF"),
        ("albania", "AL"),
        ("algeria", "DZ"),
        ("andorra", "AD"),
        ("angola", "AO"),
        ("antigua and barbuda", "AG"),
        ("argentina", "AR"),
        ("armenia", "AM"),
        ("aruba", "AW"),
        ("australia", "AU"),
        ("austria", "AT"),
        ("azerbaijan", "AZ"),
        ("bahamas", "BS"),
        ("bahamas, the", "BS"),
        ("the bahamas", "BS"),
        ("bahrain", "BH"),
        ("bangladesh", "BD"),
        ("barbados", "BB"),
        ("belarus", "BY"),
        ("belgium", "BE"),
        ("belize", "BZ"),
        ("benin", "BJ"),
        ("bermuda", "BM"),
        ("bhutan", "BT"),
        ("bolivia", "BO"),
        ("bosnia and herzegovina", "BA"),
        ("botswana", "BW"),
        ("brazil", "BR"),
        ("british virgin islands", "VG"),
        ("virgin islands, british", "VG"),
        ("brunei", "BN"),
        ("bulgaria", "BG"),
        ("burkina faso", "BF"),
        ("burma", "MM"),
        ("myanmar", "MM"),
        ("burundi", "BI"),
        ("cambodia", "KH"),
        ("cameroon", "CM"),
        ("canada", "CA"),
        ("cabo verde", "CV"),
        ("cape verde", "CV"),
        ("cayman islands", "KY"),
        ("central african republic", "CF"),
        ("chad", "TD"),
        ("chile", "CL"),
        ("china", "CN"),
        ("people's republic of china", "CN"),
        ("colombia", "CO"),
        ("comoros", "KM"),
        ("congo", "CG"),
        ("congo, republic of the", "CG"),
        ("republic of the congo", "CG"),
        ("congo, democratic republic of the", "CD"),
        ("democratic republic of the congo", "CD"),
        ("costa rica", "CR"),
        ("cote d'ivoire", "CI"),
        ("côte d'ivoire", "CI"),
        ("croatia", "HR"),
        ("cuba", "CU"),
        ("curacao", "CW"),
        ("curaçao", "CW"),
        ("cyprus", "CY"),
        ("czech republic", "CZ"),
        ("czechia", "CZ"),
        ("denmark", "DK"),
        ("djibouti", "DJ"),
        ("dominica", "DM"),
        ("dominican republic", "DO"),
        ("ecuador", "EC"),
        ("egypt", "EG"),
        ("el salvador", "SV"),
        ("equatorial guinea", "GQ"),
        ("eritrea", "ER"),
        ("estonia", "EE"),
        ("eswatini", "SZ"),
        ("ethiopia", "ET"),
        ("fiji", "FJ"),
        ("finland", "FI"),
        ("france", "FR"),
        ("gabon", "GA"),
        ("gambia", "GM"),
        ("gambia, the", "GM"),
        ("georgia", "GE"),
        ("germany", "DE"),
        ("ghana", "GH"),
        ("gibraltar", "GI"),
        ("greece", "GR"),
        ("grenada", "GD"),
        ("guatemala", "GT"),
        ("guernsey", "GG"),
        ("guinea", "GN"),
        ("guinea-bissau", "GW"),
        ("guyana", "GY"),
        ("haiti", "HT"),
        ("honduras", "HN"),
        ("hong kong", "HK"),
        ("hungary", "HU"),
        ("iceland", "IS"),
        ("india", "IN"),
        ("indonesia", "ID"),
        ("iran", "IR"),
        ("iran, islamic republic of", "IR"),
        ("iraq", "IQ"),
        ("ireland", "IE"),
        ("isle of man", "IM"),
        ("israel", "IL"),
        ("italy", "IT"),
        ("jamaica", "JM"),
        ("japan", "JP"),
        ("jersey", "JE"),
        ("jordan", "JO"),
        ("kazakhstan", "KZ"),
        ("kenya", "KE"),
        ("kiribati", "KI"),
        ("korea, north", "KP"),
        ("north korea", "KP"),
        ("democratic people's republic of korea", "KP"),
        ("korea, south", "KR"),
        ("south korea", "KR"),
        ("korea, republic of", "KR"),
        ("kosovo", "XK"),
        ("kuwait", "KW"),
        ("kyrgyzstan", "KG"),
        ("laos", "LA"),
        ("latvia", "LV"),
        ("lebanon", "LB"),
        ("lesotho", "LS"),
        ("liberia", "LR"),
        ("libya", "LY"),
        ("liechtenstein", "LI"),
        ("lithuania", "LT"),
        ("luxembourg", "LU"),
        ("macau", "MO"),
        ("macao", "MO"),
        ("madagascar", "MG"),
        ("malawi", "MW"),
        ("malaysia", "MY"),
        ("maldives", "MV"),
        ("mali", "ML"),
        ("malta", "MT"),
        ("marshall islands", "MH"),
        ("mauritania", "MR"),
        ("mauritius", "MU"),
        ("mexico", "MX"),
        ("micronesia", "FM"),
        ("micronesia, federated states of", "FM"),
        ("moldova", "MD"),
        ("monaco", "MC"),
        ("mongolia", "MN"),
        ("montenegro", "ME"),
        ("morocco", "MA"),
        ("mozambique", "MZ"),
        ("namibia", "NA"),
        ("nauru", "NR"),
        ("nepal", "NP"),
        ("netherlands", "NL"),
        ("netherlands antilles", "AN"),
        ("new zealand", "NZ"),
        ("nicaragua", "NI"),
        ("niger", "NE"),
        ("nigeria", "NG"),
        ("north macedonia", "MK"),
        ("macedonia", "MK"),
        ("the former yugoslav republic of macedonia", "MK"),
        ("norway", "NO"),
        ("oman", "OM"),
        ("pakistan", "PK"),
        ("palau", "PW"),
        ("palestinian", "PS"),
        ("west bank", "PS"),
        ("panama", "PA"),
        ("papua new guinea", "PG"),
        ("paraguay", "PY"),
        ("peru", "PE"),
        ("philippines", "PH"),
        ("poland", "PL"),
        ("portugal", "PT"),
        ("qatar", "QA"),
        ("region: crimea", "UA"),
        ("romania", "RO"),
        ("russia", "RU"),
        ("russian federation", "RU"),
        ("rwanda", "RW"),
        ("saint kitts and nevis", "KN"),
        ("st. kitts and nevis", "KN"),
        ("saint lucia", "LC"),
        ("saint vincent and the grenadines", "VC"),
        ("samoa", "WS"),
        ("san marino", "SM"),
        ("sao tome and principe", "ST"),
        ("saudi arabia", "SA"),
        ("senegal", "SN"),
        ("serbia", "RS"),
        ("seychelles", "SC"),
        ("sierra leone", "SL"),
        ("singapore", "SG"),
        ("slovakia", "SK"),
        ("slovenia", "SI"),
        ("solomon islands", "SB"),
        ("somalia", "SO"),
        ("south africa", "ZA"),
        ("south sudan", "SS"),
        ("spain", "ES"),
        ("sri lanka", "LK"),
        ("sudan", "SD"),
        ("suriname", "SR"),
        ("sweden", "SE"),
        ("switzerland", "CH"),
        ("syria", "SY"),
        ("syrian arab republic", "SY"),
        ("taiwan", "TW"),
        ("tajikistan", "TJ"),
        ("tanzania", "TZ"),
        ("tanzania, united republic of", "TZ"),
        ("thailand", "TH"),
        ("timor-leste", "TL"),
        ("togo", "TG"),
        ("tonga", "TO"),
        ("trinidad and tobago", "TT"),
        ("tunisia", "TN"),
        ("turkey", "TR"),
        ("turkiye", "TR"),
        ("türkiye", "TR"),
        ("turkmenistan", "TM"),
        ("tuvalu", "TV"),
        ("uganda", "UG"),
        ("ukraine", "UA"),
        ("united arab emirates", "AE"),
        ("united kingdom", "GB"),
        ("united kingdom of great britain and northern ireland", "GB"),
        ("united states", "US"),
        ("united states of america", "US"),
        ("uruguay", "UY"),
        ("uzbekistan", "UZ"),
        ("vanuatu", "VU"),
        ("vatican city", "VA"),
        ("venezuela", "VE"),
        ("venezuela (bolivarian republic of)", "VE"),
        ("vietnam", "VN"),
        ("viet nam", "VN"),
        ("yemen", "YE"),
        ("zambia", "ZM"),
        ("zimbabwe", "ZW"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_input_is_a_code_or_a_name() {
        assert_eq!(Country::parse(" cn "), Country::from_code("CN").ok());
        assert_eq!(Country::parse("China"), Country::from_code("CN").ok());
        assert_eq!(Country::parse("Atlantis"), None);
    }

    #[test]
    fn codes_are_validated_and_upper_cased() {
        assert_eq!(Country::from_code("cn").unwrap().as_str(), "CN");
        assert!(Country::from_code("CHN").is_err());
        assert!(Country::from_code("C1").is_err());
        assert!(Country::from_code("").is_err());
    }

    #[test]
    fn list_spellings_map_to_codes() {
        assert_eq!(Country::from_name("CHINA").unwrap().as_str(), "CN");
        assert_eq!(Country::from_name("Korea, North").unwrap().as_str(), "KP");
        assert_eq!(Country::from_name("Burma").unwrap().as_str(), "MM");
        assert_eq!(Country::from_name("Atlantis"), None);
    }

    #[test]
    fn serde_round_trip_rejects_bad_codes() {
        let c: Country = serde_json::from_str("\"hk\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"HK\"");
        assert!(serde_json::from_str::<Country>("\"Hong Kong\"").is_err());
    }
}

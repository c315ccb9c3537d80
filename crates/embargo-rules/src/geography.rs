//! Xinjiang and XPCC nexus from addresses, names and registration codes
//! (RULES.md §9, rules G-1 and G-2).
//!
//! `places()` (`data/xinjiang_places.tsv`) lists the region, its
//! prefecture-level divisions (GB/T 2260 codes 65xx) and the XPCC-administered cities (6590xx) with English,
//! variant, pinyin and Chinese spellings (source: the administrative
//! divisions of the Xinjiang Uyghur Autonomous Region, GB/T 2260; RULES.md
//! §9 table). English names are matched as whole words after folding
//! (`Ürümqi` = `urumqi`), Chinese names as substrings.
//!
//! Some spellings are also places elsewhere (Altay in Russia, Aksu in
//! Türkiye, Kashi in India, Xinxing in Guangdong); each name carries how
//! much context it needs before it counts (`Needs`). A hit is a risk flag,
//! never by itself an EAR licence requirement (G-1 consequence 3).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::table::{self, TableError};
use crate::text::{contains_words, fold};
use embargo_model::Country;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Decisive on its own.
    Nothing,
    /// Counts only when the party's country is China (or unknown).
    China,
    /// Counts only next to another Xinjiang word ("Xinjiang", "新疆").
    XinjiangContext,
}

#[derive(Debug)]
pub struct Place {
    pub name: &'static str,
    pub code: &'static str,
    pub xpcc: bool,
    /// (spelling, context needed). Chinese spellings are substrings.
    pub spellings: Vec<(&'static str, Needs)>,
}

use Needs::*;

const FILE: &str = "xinjiang_places.tsv";
const TEXT: &str = include_str!("../data/xinjiang_places.tsv");

/// Parses `data/xinjiang_places.tsv`: one row per spelling (code, place,
/// `xpcc` or `-`, spelling, needs `-` / `china` / `xinjiang`), a place's
/// rows consecutive. English spellings must already be folded.
pub fn parse(text: &'static str) -> Result<Vec<Place>, TableError> {
    let mut out: Vec<Place> = vec![];
    for r in table::rows(FILE, text) {
        let (code, name) = (r.get(0)?, r.get(1)?);
        let xpcc = match r.get(2)? {
            "xpcc" => true,
            "-" => false,
            x => return Err(r.error(format!("xpcc column {x:?} is not xpcc or -"))),
        };
        let spelling = r.get(3)?;
        if !is_cjk(spelling) && fold(spelling) != spelling {
            return Err(r.error(format!(
                "spelling {spelling:?} is not folded (lower case, no accents or punctuation)"
            )));
        }
        let needs = match r.get(4)? {
            "-" => Nothing,
            "china" => China,
            "xinjiang" => XinjiangContext,
            x => return Err(r.error(format!("needs {x:?} is not -, china or xinjiang"))),
        };
        match out.last_mut() {
            Some(p) if p.code == code => {
                if p.name != name || p.xpcc != xpcc {
                    return Err(
                        r.error(format!("{code}: place or xpcc differs from its first row"))
                    );
                }
                p.spellings.push((spelling, needs));
            }
            _ => {
                if out.iter().any(|p| p.code == code) {
                    return Err(r.error(format!("{code}: rows are not consecutive")));
                }
                out.push(Place {
                    name,
                    code,
                    xpcc,
                    spellings: vec![(spelling, needs)],
                });
            }
        }
    }
    Ok(out)
}

static PLACES: LazyLock<Vec<Place>> = LazyLock::new(|| table::embedded(parse(TEXT)));

/// The region, its prefecture-level divisions and the XPCC cities, in file
/// order.
pub fn places() -> &'static [Place] {
    &PLACES
}

/// XPCC markers other than place names (RULES.md §9 G-2).
const XPCC_MARKERS: &[&str] = &[
    "兵团",
    "团场",
    "中国新建集团",
    "xpcc",
    "bingtuan",
    "production and construction corps",
    "china xinjian group",
];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nexus {
    /// What matched, e.g. "Hotan (6532) via \"和田\"".
    pub xinjiang: Vec<String>,
    pub xpcc: Vec<String>,
}

impl Nexus {
    pub fn is_empty(&self) -> bool {
        self.xinjiang.is_empty() && self.xpcc.is_empty()
    }
}

fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| c as u32 >= 0x2E80)
}

/// "第N师" (XPCC division N), with N in Chinese numerals.
fn has_division_marker(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        *c == '第'
            && (2..=4).any(|len| {
                chars.get(i + len).is_some_and(|x| *x == '师')
                    && chars[i + 1..i + len]
                        .iter()
                        .all(|d| "一二三四五六七八九十".contains(*d))
            })
    })
}

/// Scans free text (an address, a name, a region) for G-1 / G-2 hits.
pub fn scan(text: &str, country: Option<Country>) -> Nexus {
    let mut n = Nexus::default();
    let folded = fold(text);
    let china_ok = country.is_none_or(|c| matches!(c.as_str(), "CN" | "HK"));
    let has_spelling = |sp: &str| {
        if is_cjk(sp) {
            text.contains(sp)
        } else {
            contains_words(&folded, sp)
        }
    };
    let context = has_spelling("新疆") || has_spelling("xinjiang") || has_spelling("xuar");
    for p in places() {
        if let Some((sp, _)) = p.spellings.iter().find(|(sp, needs)| {
            has_spelling(sp)
                && match needs {
                    Nothing => true,
                    China => china_ok,
                    XinjiangContext => context,
                }
        }) {
            let hit = format!("{} ({}) via \"{}\"", p.name, p.code, sp);
            if p.xpcc {
                n.xpcc.push(hit.clone());
            }
            n.xinjiang.push(hit);
        }
    }
    for m in XPCC_MARKERS {
        if has_spelling(m) {
            n.xpcc.push(format!("XPCC marker \"{m}\""));
        }
    }
    if has_division_marker(text) {
        n.xpcc.push("XPCC division marker 第N师".into());
    }
    if !n.xpcc.is_empty() && n.xinjiang.is_empty() {
        n.xinjiang.push("XPCC operates in Xinjiang".into());
    }
    n
}

/// Unified Social Credit Code (GB 32100-2015): 18 characters; characters
/// 3–8 are the registering authority's division code. "65…" is Xinjiang,
/// "6590…" an XPCC city.
pub fn scan_uscc(code: &str) -> Nexus {
    let mut n = Nexus::default();
    let c = code.trim();
    if c.len() != 18 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return n;
    }
    let div = &c[2..8];
    if div.starts_with("65") {
        n.xinjiang.push(format!(
            "USCC {c}: registering authority division {div} is in Xinjiang (65)"
        ));
        if div.starts_with("6590") {
            n.xpcc.push(format!(
                "USCC {c}: division {div} is an XPCC-administered city (6590xx)"
            ));
        }
    }
    n
}

/// Rule G-1 / G-2 findings for one subject (a party or an input).
pub fn findings(subject: &str, nexus: &Nexus) -> Vec<Finding> {
    let mut out = vec![];
    if !nexus.xinjiang.is_empty() {
        let mut f = Finding::new(Measure::Flag, Outcome::XinjiangNexus, "RULES.md §9 G-1", Confidence::Verified)
            .cite("Xinjiang Supply Chain Business Advisory (2021-07-13)")
            .cite("UFLPA § 3(a) (Pub. L. 117-78)")
            .reason(format!("{subject}: Xinjiang nexus."))
            .reason("Consequences: UFLPA presumption for goods this party produced (docs/rules/uflpa.md U1); enhanced due diligence under the Business Advisory; no EAR licence requirement by itself.");
        for h in &nexus.xinjiang {
            f = f.reason(format!("matched {h}"));
        }
        out.push(f);
    }
    if !nexus.xpcc.is_empty() {
        let mut f = Finding::new(Measure::Flag, Outcome::XpccNexus, "RULES.md §9 G-2", Confidence::Knowledge)
            .cite("EO 13818 (XPCC designated 2020-07-31, GLOMAG)")
            .cite("OFAC FAQ 401 (50 Percent Rule)")
            .cite("86 FR 33119 (XPCC added to the Entity List 2021-06-24)")
            .reason(format!("{subject}: XPCC nexus."))
            .reason("Check OFAC 50% ownership against the XPCC (SDN), UFLPA list (v), and Entity List affiliate diligence (EL1.4-EL1.6).");
        for h in &nexus.xpcc {
            f = f.reason(format!("matched {h}"));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cn() -> Option<Country> {
        Country::from_code("CN").ok()
    }

    #[test]
    fn chinese_and_english_addresses() {
        let n = scan("新疆维吾尔自治区和田地区墨玉县工业园区8号", cn());
        assert!(n.xinjiang.iter().any(|h| h.contains("6532")), "{n:?}");
        assert!(n.xpcc.is_empty());
        let n = scan("石河子市 (Shihezi), Xinjiang", cn());
        assert_eq!(n.xpcc.len(), 1, "{n:?}");
        assert!(!scan("Ürümqi Road 5", cn()).xinjiang.is_empty());
        assert!(!scan("第八师一四二团", cn()).xpcc.is_empty());
    }

    #[test]
    fn ambiguous_names_need_context() {
        assert!(scan("Hamilton, Ontario", None).is_empty());
        assert!(scan("Altay Krai, Barnaul", Country::from_code("RU").ok()).is_empty());
        assert!(scan("Aksu, Antalya", Country::from_code("TR").ok()).is_empty());
        assert!(scan("Xinxing County, Yunfu, Guangdong", cn()).is_empty());
        assert!(!scan("Aksu City", cn()).is_empty());
    }

    #[test]
    fn place_rows_are_checked() {
        assert_eq!(places().len(), 27);
        let e = parse("# p\n6501\tUrumqi\t-\tUrumqi\t-\n").unwrap_err();
        assert_eq!((e.file, e.line), (FILE, 2));
        assert!(e.message.contains("folded"), "{e}");
        let e = parse("6501\tUrumqi\t-\turumqi\tsometimes\n").unwrap_err();
        assert!(e.message.contains("needs"), "{e}");
    }

    #[test]
    fn uscc_region_codes() {
        let n = scan_uscc("91653222MA77KPQ25F");
        assert_eq!(n.xinjiang.len(), 1);
        assert!(n.xpcc.is_empty());
        assert_eq!(scan_uscc("91659001MA77KPQ25F").xpcc.len(), 1);
        assert!(scan_uscc("91330108MA27XF5X0C").is_empty());
        assert!(scan_uscc("9165").is_empty());
    }
}

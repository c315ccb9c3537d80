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
//! Addresses are read by the administrative hierarchy (`read_address`):
//! province → prefecture → county → street. A Xinjiang name followed by a
//! road word (乌鲁木齐中路, 新疆路, Kashi Road) is a street name: no nexus
//! when the address names a province or city outside Xinjiang
//! (`data/cn_divisions.tsv`), a review flag when it names none.
//! Uyghur-script names are matched too.
//!
//! Some spellings are also places elsewhere (Altay in Russia, Aksu in
//! Türkiye, Kashi in India, Xinxing in Guangdong); each name carries how
//! much context it needs before it counts (`Needs`). A hit is a risk flag,
//! never by itself an EAR licence requirement (G-1 consequence 3).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::table::{self, TableError};
use crate::text::fold;
use embargo_model::Country;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Decisive on its own.
    Nothing,
    /// Counts only when the party's country is China (or unknown).
    China,
    /// Counts only when the party's country is stated as China or Hong
    /// Kong, or next to another Xinjiang word.
    StatedChina,
    /// Counts only next to another Xinjiang word ("Xinjiang", "新疆").
    XinjiangContext,
}

#[derive(Debug)]
pub struct Place {
    pub name: &'static str,
    pub code: &'static str,
    pub xpcc: bool,
    /// (spelling, context needed). CJK spellings are substrings of the
    /// text; the others (Latin, Uyghur script) are folded words.
    pub spellings: Vec<(&'static str, Needs)>,
}

impl Place {
    /// Administrative level from the GB/T 2260 code: 65 the region, 65xx
    /// a prefecture, 65xxxx a county-level city.
    pub fn level(&self) -> Level {
        match self.code.len() {
            2 => Level::Province,
            4 => Level::Prefecture,
            _ => Level::County,
        }
    }
}

use Needs::*;

const FILE: &str = "xinjiang_places.tsv";
const TEXT: &str = include_str!("../data/xinjiang_places.tsv");

/// Parses `data/xinjiang_places.tsv`: one row per spelling (code, place,
/// `xpcc` or `-`, spelling, needs `-` / `china` / `cn` / `xinjiang`), a
/// place's rows consecutive. Latin spellings must already be folded;
/// Uyghur-script ones are folded here (yeh and kaf variants unified).
pub fn parse(text: &'static str) -> Result<Vec<Place>, TableError> {
    let mut out: Vec<Place> = vec![];
    for r in table::rows(FILE, text) {
        let (code, name) = (r.get(0)?, r.get(1)?);
        let xpcc = match r.get(2)? {
            "xpcc" => true,
            "-" => false,
            x => return Err(r.error(format!("xpcc column {x:?} is not xpcc or -"))),
        };
        let mut spelling = r.get(3)?;
        if is_arabic(spelling) {
            spelling = Box::leak(fold_geo(spelling).into_boxed_str());
        } else if !is_cjk(spelling) && fold(spelling) != spelling {
            return Err(r.error(format!(
                "spelling {spelling:?} is not folded (lower case, no accents or punctuation)"
            )));
        }
        let needs = match r.get(4)? {
            "-" => Nothing,
            "china" => China,
            "cn" => StatedChina,
            "xinjiang" => XinjiangContext,
            x => return Err(r.error(format!("needs {x:?} is not -, china, cn or xinjiang"))),
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

/// A province or prefecture-level city outside Xinjiang
/// (`data/cn_divisions.tsv`).
#[derive(Debug)]
pub struct Division {
    pub name: &'static str,
    pub level: Level,
    /// Folded Latin spellings (the name first) and Chinese forms.
    pub spellings: Vec<&'static str>,
}

const DIV_FILE: &str = "cn_divisions.tsv";
const DIV_TEXT: &str = include_str!("../data/cn_divisions.tsv");

/// Parses `data/cn_divisions.tsv` (english, level, han forms, variants).
pub fn parse_divisions(text: &'static str) -> Result<Vec<Division>, TableError> {
    let mut out = vec![];
    for r in table::rows(DIV_FILE, text) {
        let name = r.get(0)?;
        let level = match r.get(1)? {
            "province" => Level::Province,
            "prefecture" => Level::Prefecture,
            x => return Err(r.error(format!("level {x:?} is not province or prefecture"))),
        };
        let mut spellings = vec![name];
        spellings.extend(r.get(2)?.split(' ').filter(|s| !s.is_empty()));
        spellings.extend(r.get(3)?.split(' ').filter(|s| !s.is_empty() && *s != "-"));
        for sp in &spellings {
            if !is_cjk(sp) && fold(sp) != *sp {
                return Err(r.error(format!("spelling {sp:?} is not folded")));
            }
        }
        out.push(Division {
            name,
            level,
            spellings,
        });
    }
    Ok(out)
}

static DIVISIONS: LazyLock<Vec<Division>> =
    LazyLock::new(|| table::embedded(parse_divisions(DIV_TEXT)));

/// Provinces and prefecture-level cities outside Xinjiang.
pub fn divisions() -> &'static [Division] {
    &DIVISIONS
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
    /// What matched, e.g. "Hotan (6532) via \"和田\"", for the record.
    /// Read the division from `places`, never from this text.
    pub xinjiang: Vec<String>,
    /// The Xinjiang divisions named as places (not as street names), with
    /// their level and GB/T 2260 code: the structured form of `xinjiang`.
    pub places: Vec<Mention>,
    pub xpcc: Vec<String>,
    /// Xinjiang place names read only as street names, in an address that
    /// names no province or city: the address may or may not be in
    /// Xinjiang (a review flag, never a nexus).
    pub review: Vec<String>,
    /// Xinjiang place names read as street names in an address in another
    /// province or city (no nexus; said for the record).
    pub elsewhere: Vec<String>,
}

impl Nexus {
    /// No nexus and nothing to review.
    pub fn is_empty(&self) -> bool {
        self.xinjiang.is_empty() && self.xpcc.is_empty() && self.review.is_empty()
    }
}

/// Where a name stands in the address hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Province,
    Prefecture,
    County,
    /// A place name used as the name of a road or street.
    Street,
}

/// One division (or street) named in an address.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    pub level: Level,
    /// The place, e.g. "Ürümqi" or "shanghai".
    pub place: &'static str,
    /// GB/T 2260 code of a Xinjiang place, None outside Xinjiang.
    pub code: Option<&'static str>,
    pub spelling: &'static str,
    /// For `Level::Street`: the level the name has as a place.
    pub as_place: Level,
}

impl Mention {
    pub fn in_xinjiang(&self) -> bool {
        self.code.is_some()
    }
}

fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| c as u32 >= 0x2E80)
}

fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// `fold`, then the Persian/Arabic yeh and kaf read as the Uyghur letters
/// (ی ي → ى, ک → ك), so text typed on an Arabic or Persian keyboard
/// matches the Uyghur spelling.
fn fold_geo(s: &str) -> String {
    fold(s)
        .chars()
        .map(|c| match c {
            '\u{06CC}' | '\u{064A}' => '\u{0649}',
            '\u{06A9}' => '\u{0643}',
            c => c,
        })
        .collect()
}

/// Words after a place name that turn it into a road or street name
/// (after at most two direction or ordinal words).
const ROAD_WORDS: &[&str] = &[
    "road",
    "rd",
    "street",
    "st",
    "str",
    "avenue",
    "ave",
    "lane",
    "ln",
    "alley",
    "boulevard",
    "blvd",
    "highway",
    "lu",
    "jie",
    "dajie",
    "dadao",
    "hutong",
    "nong",
    "yoli",
    "kochisi",
    "يولى",
    "كوچىسى",
];
const DIRECTION_WORDS: &[&str] = &[
    "middle", "mid", "central", "east", "west", "north", "south", "upper", "lower", "zhong",
    "dong", "xi", "nan", "bei", "m", "e", "w", "n", "s", "1st", "2nd", "3rd", "4th", "5th",
];
/// Words after "X Road" that show a name of a firm or trade ("Xinjiang
/// Road and Bridge Group"), not an address: the place reading stays.
const NOT_ADDRESS_AFTER: &[&str] = &[
    "and",
    "bridge",
    "bridges",
    "construction",
    "transport",
    "transportation",
    "engineering",
    "administration",
    "traffic",
    "network",
    "maintenance",
    "building",
    "works",
    "materials",
    "group",
    "co",
    "company",
    "corp",
    "corporation",
    "ltd",
    "limited",
    "inc",
    "trading",
    "development",
    "investment",
    "industry",
    "industrial",
    "freight",
    "logistics",
];
const CJK_DIRECTIONS: &str = "东西南北中一二三四五六七八九十";
const CJK_ROADS: &[&str] = &["大街", "大道", "胡同", "路", "街", "巷", "弄", "道"];
/// Characters after 路/街 that make a word other than an address
/// (路桥 road and bridge, 路政, 路网, 路由, 路线, 路面, 路灯, 路基).
const CJK_NOT_ADDRESS_AFTER: &str = "桥政网由线况面灯基运";

/// Whether the text right after a CJK place name makes it a street name
/// ("新疆路8号", "乌鲁木齐中路", "喀什路").
fn cjk_street_after(rest: &str) -> bool {
    let mut s = rest;
    for _ in 0..2 {
        match s.chars().next() {
            Some(c) if CJK_DIRECTIONS.contains(c) => s = &s[c.len_utf8()..],
            _ => break,
        }
    }
    let Some(road) = CJK_ROADS.iter().find(|r| s.starts_with(**r)) else {
        return false;
    };
    let after = s[road.len()..].chars().next();
    match (*road, after) {
        (_, None) => true,
        // 道 alone is a road in Tianjin and Hong Kong, but 道路 is
        // "road" as a word (新疆道路运输): only before a number or a break.
        ("道", Some(c)) => c.is_ascii_digit() || !c.is_alphanumeric(),
        (_, Some(c)) => !CJK_NOT_ADDRESS_AFTER.contains(c),
    }
}

/// A text split into folded words, each with the index of the
/// comma/semicolon/bracket-separated segment it is in.
struct Words {
    words: Vec<(String, usize)>,
}

impl Words {
    fn new(text: &str) -> Words {
        let mut words = vec![];
        let seps = [',', ';', '(', ')', '\n', '，', '；', '（', '）', '、', '|'];
        for (seg, part) in text.split(|c| seps.contains(&c)).enumerate() {
            for w in fold_geo(part).split(' ').filter(|w| !w.is_empty()) {
                words.push((w.to_string(), seg));
            }
        }
        Words { words }
    }

    /// Start indices of the folded `needle` (one or more words).
    fn find(&self, needle: &str) -> Vec<usize> {
        let n: Vec<&str> = needle.split(' ').collect();
        if n.is_empty() || n.len() > self.words.len() {
            return vec![];
        }
        (0..=self.words.len() - n.len())
            .filter(|&i| n.iter().enumerate().all(|(k, w)| self.words[i + k].0 == *w))
            .collect()
    }

    /// Whether the words from `i` on make the place name before them a
    /// street name: optional direction words, a road word, then the end,
    /// a new segment, a number or anything but a firm's name.
    fn street_after(&self, mut i: usize, seg: usize) -> bool {
        let at = |i: usize| {
            self.words
                .get(i)
                .filter(|(_, s)| *s == seg)
                .map(|(w, _)| w.as_str())
        };
        let mut dirs = 0;
        while dirs < 2 && at(i).is_some_and(|w| DIRECTION_WORDS.contains(&w)) {
            i += 1;
            dirs += 1;
        }
        if !at(i).is_some_and(|w| ROAD_WORDS.contains(&w)) {
            return false;
        }
        !at(i + 1).is_some_and(|w| NOT_ADDRESS_AFTER.contains(&w))
    }
}

/// Occurrences of `spelling` in the text: for each, whether it is used as a
/// street name.
fn occurrences(text: &str, words: &Words, spelling: &str) -> Vec<bool> {
    if is_cjk(spelling) {
        text.match_indices(spelling)
            .map(|(at, _)| cjk_street_after(&text[at + spelling.len()..]))
            .collect()
    } else {
        let len = spelling.split(' ').count();
        words
            .find(spelling)
            .into_iter()
            .map(|i| words.street_after(i + len, words.words[i].1))
            .collect()
    }
}

/// Reads the divisions an address names, province → prefecture → county,
/// and the place names it uses as street names, in table order. Xinjiang
/// names carry their code and obey their context rule (`Needs`); a name
/// used both as a place and as a street counts as a place.
pub fn read_address(text: &str, country: Option<Country>) -> Vec<Mention> {
    let words = Words::new(text);
    let china_ok = country.is_none_or(|c| matches!(c.as_str(), "CN" | "HK"));
    let china_stated = country.is_some_and(|c| matches!(c.as_str(), "CN" | "HK"));
    let place_use = |sp: &str| occurrences(text, &words, sp).contains(&false);
    let context = ["新疆", "xinjiang", "xuar", &fold_geo("شىنجاڭ")]
        .iter()
        .any(|sp| place_use(sp));
    let mut out = vec![];
    for p in places() {
        let mut street: Option<&'static str> = None;
        let mut place: Option<&'static str> = None;
        for (sp, needs) in &p.spellings {
            let ok = match needs {
                Nothing => true,
                China => china_ok,
                StatedChina => china_stated || context,
                XinjiangContext => context,
            };
            if !ok {
                continue;
            }
            let occ = occurrences(text, &words, sp);
            if occ.contains(&false) {
                place = Some(sp);
                break;
            }
            if street.is_none() && occ.contains(&true) {
                street = Some(sp);
            }
        }
        let (level, spelling) = match (place, street) {
            (Some(sp), _) => (p.level(), sp),
            (None, Some(sp)) => (Level::Street, sp),
            (None, None) => continue,
        };
        out.push(Mention {
            level,
            place: p.name,
            code: Some(p.code),
            spelling,
            as_place: p.level(),
        });
    }
    for d in divisions() {
        let mut street = None;
        let mut place = None;
        for sp in &d.spellings {
            let occ = occurrences(text, &words, sp);
            if occ.contains(&false) {
                place = Some(*sp);
                break;
            }
            if street.is_none() && occ.contains(&true) {
                street = Some(*sp);
            }
        }
        let (level, spelling) = match (place, street) {
            (Some(sp), _) => (d.level, sp),
            (None, Some(sp)) => (Level::Street, sp),
            (None, None) => continue,
        };
        out.push(Mention {
            level,
            place: d.name,
            code: None,
            spelling,
            as_place: d.level,
        });
    }
    out
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

/// Scans free text (an address, a name, a region) for G-1 / G-2 hits, by
/// the address hierarchy (`read_address`): a Xinjiang division named as a
/// place is a nexus; a Xinjiang name used only as a street name is none
/// when the address names a division elsewhere in China ("上海市乌鲁木齐中路",
/// "Xinjiang Road, Qingdao") and a review flag when it names no division.
pub fn scan(text: &str, country: Option<Country>) -> Nexus {
    let mut n = Nexus::default();
    let mentions = read_address(text, country);
    let xpcc_places: Vec<&str> = places().iter().filter(|p| p.xpcc).map(|p| p.code).collect();
    for m in mentions.iter().filter(|m| m.level != Level::Street) {
        let Some(code) = m.code else { continue };
        let hit = format!("{} ({}) via \"{}\"", m.place, code, m.spelling);
        if xpcc_places.contains(&code) {
            n.xpcc.push(hit.clone());
        }
        n.xinjiang.push(hit);
        n.places.push(m.clone());
    }
    let elsewhere: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.level != Level::Street && !m.in_xinjiang())
        .collect();
    for m in mentions
        .iter()
        .filter(|m| m.level == Level::Street && m.in_xinjiang())
    {
        if !n.xinjiang.is_empty() {
            break;
        }
        let street = format!(
            "\"{}\" ({} {}) used as a street name",
            m.spelling,
            m.place,
            m.code.unwrap_or_default()
        );
        if elsewhere.is_empty() {
            n.review.push(format!(
                "{street}; the address names no province or city, so it may or may not be in Xinjiang"
            ));
        } else {
            let names: Vec<&str> = elsewhere.iter().map(|e| e.place).collect();
            n.elsewhere.push(format!(
                "{street} in {}, outside Xinjiang: not a nexus",
                names.join(", ")
            ));
        }
    }
    let words = Words::new(text);
    for m in XPCC_MARKERS {
        if !occurrences(text, &words, m).is_empty() {
            n.xpcc.push(format!("XPCC marker \"{m}\""));
        }
    }
    if has_division_marker(text) {
        n.xpcc.push("XPCC division marker 第N师".into());
    }
    if !n.xpcc.is_empty() && n.xinjiang.is_empty() {
        n.xinjiang.push("XPCC operates in Xinjiang".into());
    }
    if !n.xinjiang.is_empty() {
        n.review.clear();
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
    if nexus.xinjiang.is_empty() && !nexus.review.is_empty() {
        let mut f = Finding::new(Measure::Flag, Outcome::NeedsReview, "RULES.md §9 G-1", Confidence::Uncertain)
            .cite("Xinjiang Supply Chain Business Advisory (2021-07-13)")
            .reason(format!("{subject}: the address names a Xinjiang place only as a street name and names no province or city; whether it is in Xinjiang is not known."))
            .reason("Establish the province and city of the address (a road named after a Xinjiang city exists in many Chinese cities) before treating it as a Xinjiang nexus or as clear.");
        for h in &nexus.review {
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
        let n = scan("Ürümqi Road 5", cn());
        assert!(n.xinjiang.is_empty() && n.review.len() == 1, "{n:?}");
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
    fn xinjiang_names_as_streets_elsewhere_are_not_a_nexus() {
        for addr in [
            "上海市徐汇区乌鲁木齐中路12号",
            "上海 乌鲁木齐中路 (Urumqi Middle Road)",
            "Urumqi Middle Road 12, Xuhui District, Shanghai",
            "山东省青岛市市北区新疆路8号",
            "No. 8 Xinjiang Road, Shibei District, Qingdao",
            "广州市越秀区喀什路3号",
            "3 Kashi Road, Yuexiu District, Guangzhou",
        ] {
            let n = scan(addr, cn());
            assert!(
                n.xinjiang.is_empty() && n.review.is_empty(),
                "{addr}: {n:?}"
            );
            assert_eq!(n.elsewhere.len(), 1, "{addr}: {n:?}");
            assert!(findings("p", &n).is_empty(), "{addr}");
        }
    }

    #[test]
    fn a_street_without_a_city_is_a_review_flag() {
        for addr in ["乌鲁木齐中路12号", "Xinjiang Road 8", "Kashi Rd, No. 3"] {
            let n = scan(addr, cn());
            assert!(
                n.xinjiang.is_empty() && n.review.len() == 1,
                "{addr}: {n:?}"
            );
            let f = findings("p", &n);
            assert_eq!(f.len(), 1);
            assert_eq!(f[0].outcome, Outcome::NeedsReview);
        }
    }

    #[test]
    fn places_in_xinjiang_stay_a_nexus() {
        for addr in [
            "乌鲁木齐市天山区上海路5号",
            "新疆乌鲁木齐市新华北路",
            "Beijing Road 5, Urumqi",
            "新疆路桥建设集团有限公司",
            "Xinjiang Road and Bridge Construction Group",
            "新疆道路运输有限公司",
            "新疆中泰化学股份有限公司",
            "Kuerle, Bayingolin",
            "Korla",
            "Kuitun City",
            "奎屯市",
            "ئۈرۈمچى شەھىرى",
            "ئۈرۈمچی",
            "قەشقەر",
        ] {
            assert!(!scan(addr, cn()).xinjiang.is_empty(), "{addr}");
        }
        // Names of places elsewhere too count with China stated.
        for addr in ["Bole", "Altay City", "Aral", "Bole, Xinjiang"] {
            assert!(!scan(addr, cn()).xinjiang.is_empty(), "{addr}");
        }
        assert!(!scan("Aral", cn()).xpcc.is_empty());
        assert!(scan("Bole, Addis Ababa", None).is_empty());
        assert!(scan("Aral Sea", Country::from_code("KZ").ok()).is_empty());
        assert!(!scan("Altay, Xinjiang", None).xinjiang.is_empty());
    }

    #[test]
    fn hierarchy_reads_levels() {
        let m = read_address("山东省青岛市市北区新疆路8号", cn());
        let levels: Vec<(Level, &str)> = m.iter().map(|m| (m.level, m.place)).collect();
        assert!(
            levels.contains(&(Level::Province, "shandong")),
            "{levels:?}"
        );
        assert!(
            levels.contains(&(Level::Prefecture, "qingdao")),
            "{levels:?}"
        );
        assert!(levels.contains(&(Level::Street, "Xinjiang Uyghur Autonomous Region")));
        let m = read_address("Korla, Bayingolin, Xinjiang", cn());
        assert!(m
            .iter()
            .any(|m| m.level == Level::Prefecture && m.code == Some("6528")));
        assert!(m
            .iter()
            .any(|m| m.level == Level::Province && m.code == Some("65")));
        assert_eq!(divisions().len(), parse_divisions(DIV_TEXT).unwrap().len());
        let e = parse_divisions("x\tcity\t-\t-\n").unwrap_err();
        assert!(e.message.contains("level"), "{e}");
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

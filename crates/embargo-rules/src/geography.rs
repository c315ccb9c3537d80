//! Xinjiang and XPCC nexus from addresses, names and registration codes
//! (RULES.md §9, rules G-1 and G-2).
//!
//! `PLACES` lists the region, its prefecture-level divisions (GB/T 2260
//! codes 65xx) and the XPCC-administered cities (6590xx) with English,
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
use crate::text::{contains_words, fold};
use embargo_model::Country;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Decisive on its own.
    Nothing,
    /// Counts only when the party's country is China (or unknown).
    China,
    /// Counts only next to another Xinjiang word ("Xinjiang", "新疆").
    XinjiangContext,
}

pub struct Place {
    pub name: &'static str,
    pub code: &'static str,
    pub xpcc: bool,
    /// (spelling, context needed). Chinese spellings are substrings.
    pub spellings: &'static [(&'static str, Needs)],
}

use Needs::*;

pub const PLACES: &[Place] = &[
    Place {
        name: "Xinjiang Uyghur Autonomous Region",
        code: "65",
        xpcc: false,
        spellings: &[
            ("新疆", Nothing),
            ("xinjiang", Nothing),
            ("sinkiang", Nothing),
            ("xuar", Nothing),
            ("uyghur autonomous region", Nothing),
            ("uygur autonomous region", Nothing),
            ("uighur autonomous region", Nothing),
            ("east turkestan", Nothing),
            ("east turkistan", Nothing),
        ],
    },
    Place {
        name: "Ürümqi",
        code: "6501",
        xpcc: false,
        spellings: &[
            ("乌鲁木齐", Nothing),
            ("urumqi", Nothing),
            ("urumchi", Nothing),
            ("wulumuqi", Nothing),
        ],
    },
    Place {
        name: "Karamay",
        code: "6502",
        xpcc: false,
        spellings: &[
            ("克拉玛依", Nothing),
            ("karamay", Nothing),
            ("kelamayi", Nothing),
            ("qaramay", Nothing),
        ],
    },
    Place {
        name: "Turpan",
        code: "6504",
        xpcc: false,
        spellings: &[
            ("吐鲁番", Nothing),
            ("turpan", Nothing),
            ("turfan", Nothing),
            ("tulufan", Nothing),
            ("鄯善", Nothing),
            ("shanshan", China),
            ("piqan", China),
        ],
    },
    Place {
        name: "Hami",
        code: "6505",
        xpcc: false,
        spellings: &[
            ("哈密", Nothing),
            ("hami", China),
            ("kumul", Nothing),
            ("qumul", Nothing),
        ],
    },
    Place {
        name: "Changji",
        code: "6523",
        xpcc: false,
        spellings: &[
            ("昌吉", Nothing),
            ("changji", Nothing),
            ("准东", Nothing),
            ("zhundong", China),
        ],
    },
    Place {
        name: "Bortala",
        code: "6527",
        xpcc: false,
        spellings: &[
            ("博尔塔拉", Nothing),
            ("bortala", Nothing),
            ("boertala", Nothing),
            ("博乐", Nothing),
            ("bole", XinjiangContext),
            ("阿拉山口", Nothing),
            ("alashankou", Nothing),
        ],
    },
    Place {
        name: "Bayingolin",
        code: "6528",
        xpcc: false,
        spellings: &[
            ("巴音郭楞", Nothing),
            ("bayingolin", Nothing),
            ("bayinguoleng", Nothing),
            ("bayingol", Nothing),
            ("库尔勒", Nothing),
            ("korla", Nothing),
        ],
    },
    Place {
        name: "Aksu",
        code: "6529",
        xpcc: false,
        spellings: &[
            ("阿克苏", Nothing),
            ("aksu", China),
            ("aqsu", China),
            ("akesu", Nothing),
            ("库车", Nothing),
            ("kuqa", Nothing),
        ],
    },
    Place {
        name: "Kizilsu",
        code: "6530",
        xpcc: false,
        spellings: &[
            ("克孜勒苏", Nothing),
            ("kizilsu", Nothing),
            ("kezilesu", Nothing),
            ("qizilsu", Nothing),
            ("阿图什", Nothing),
            ("artux", Nothing),
            ("atushi", Nothing),
        ],
    },
    Place {
        name: "Kashgar",
        code: "6531",
        xpcc: false,
        spellings: &[
            ("喀什", Nothing),
            ("kashgar", Nothing),
            ("kashi", China),
            ("kaxgar", Nothing),
            ("qeshqer", Nothing),
            ("莎车", Nothing),
            ("yarkand", Nothing),
            ("shache", China),
        ],
    },
    Place {
        name: "Hotan",
        code: "6532",
        xpcc: false,
        spellings: &[
            ("和田", Nothing),
            ("hotan", Nothing),
            ("hetian", Nothing),
            ("khotan", Nothing),
            ("xoten", Nothing),
            ("墨玉", Nothing),
            ("moyu", China),
            ("karakax", Nothing),
            ("洛浦", Nothing),
            ("luopu", China),
            ("皮山", Nothing),
            ("pishan", China),
            ("于田", Nothing),
            ("yutian", XinjiangContext),
        ],
    },
    Place {
        name: "Ili",
        code: "6540",
        xpcc: false,
        spellings: &[
            ("伊犁", Nothing),
            ("yili", China),
            ("ili kazakh", Nothing),
            ("伊宁", Nothing),
            ("yining", China),
            ("ghulja", Nothing),
            ("kulja", Nothing),
            ("霍尔果斯", Nothing),
            ("khorgas", Nothing),
            ("khorgos", China),
            ("horgos", China),
            ("奎屯", Nothing),
            ("kuytun", Nothing),
        ],
    },
    Place {
        name: "Tacheng",
        code: "6542",
        xpcc: false,
        spellings: &[
            ("塔城", Nothing),
            ("tacheng", Nothing),
            ("chuguchak", Nothing),
            ("乌苏", Nothing),
            ("wusu", China),
        ],
    },
    Place {
        name: "Altay",
        code: "6543",
        xpcc: false,
        spellings: &[
            ("阿勒泰", Nothing),
            ("altay", XinjiangContext),
            ("aletai", Nothing),
        ],
    },
    // XPCC-administered county-level cities, codes 6590xx (RULES.md §9 [K]).
    Place {
        name: "Shihezi",
        code: "659001",
        xpcc: true,
        spellings: &[("石河子", Nothing), ("shihezi", Nothing)],
    },
    Place {
        name: "Aral",
        code: "659002",
        xpcc: true,
        spellings: &[
            ("阿拉尔", Nothing),
            ("alaer", Nothing),
            ("aral", XinjiangContext),
            ("alar", XinjiangContext),
        ],
    },
    Place {
        name: "Tumxuk",
        code: "659003",
        xpcc: true,
        spellings: &[
            ("图木舒克", Nothing),
            ("tumxuk", Nothing),
            ("tumushuke", Nothing),
        ],
    },
    Place {
        name: "Wujiaqu",
        code: "659004",
        xpcc: true,
        spellings: &[("五家渠", Nothing), ("wujiaqu", Nothing)],
    },
    Place {
        name: "Beitun",
        code: "659005",
        xpcc: true,
        spellings: &[("北屯", XinjiangContext), ("beitun", XinjiangContext)],
    },
    Place {
        name: "Tiemenguan",
        code: "659006",
        xpcc: true,
        spellings: &[("铁门关", Nothing), ("tiemenguan", Nothing)],
    },
    Place {
        name: "Shuanghe",
        code: "659007",
        xpcc: true,
        spellings: &[("双河市", XinjiangContext), ("shuanghe", XinjiangContext)],
    },
    Place {
        name: "Kokdala",
        code: "659008",
        xpcc: true,
        spellings: &[
            ("可克达拉", Nothing),
            ("kokdala", Nothing),
            ("kekedala", Nothing),
        ],
    },
    Place {
        name: "Kunyu",
        code: "659009",
        xpcc: true,
        spellings: &[("昆玉", XinjiangContext), ("kunyu", XinjiangContext)],
    },
    Place {
        name: "Huyanghe",
        code: "659010",
        xpcc: true,
        spellings: &[("胡杨河", Nothing), ("huyanghe", Nothing)],
    },
    Place {
        name: "Xinxing",
        code: "659011",
        xpcc: true,
        spellings: &[("新星市", XinjiangContext), ("xinxing", XinjiangContext)],
    },
    Place {
        name: "Baiyang",
        code: "659012",
        xpcc: true,
        spellings: &[("白杨市", XinjiangContext), ("baiyang", XinjiangContext)],
    },
];

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
    for p in PLACES {
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
            .reason("Consequences: UFLPA presumption for goods this party produced (§6 U1); enhanced due diligence under the Business Advisory; no EAR licence requirement by itself.");
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
    fn uscc_region_codes() {
        let n = scan_uscc("91653222MA77KPQ25F");
        assert_eq!(n.xinjiang.len(), 1);
        assert!(n.xpcc.is_empty());
        assert_eq!(scan_uscc("91659001MA77KPQ25F").xpcc.len(), 1);
        assert!(scan_uscc("91330108MA27XF5X0C").is_empty());
        assert!(scan_uscc("9165").is_empty());
    }
}

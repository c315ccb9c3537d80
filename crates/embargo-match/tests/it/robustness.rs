//! No input may panic: random strings from a pool of awkward characters
//! (combining marks, RTL, CJK, Hangul, kana, digits, punctuation, emoji,
//! very long tokens) go through `compare_names` and `Matcher::screen`.

use embargo_match::{compare_names, compare_names_ofac, Algorithm, Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, Schema};

const POOL: &[&str] = &[
    "a",
    "Z",
    "ß",
    "é",
    "\u{301}",
    "ı",
    "İ",
    "ﬁ",
    "Ω",
    "Я",
    "щ",
    "ё",
    "ب",
    "ا",
    "ة",
    "\u{200c}",
    "ש",
    "ה",
    "海",
    "康",
    "有限公司",
    "김",
    "ㄱ",
    "ア",
    "ｶ",
    "ー",
    "1",
    "٣",
    "Ⅻ",
    "½",
    " ",
    "  ",
    "-",
    ".",
    ",",
    "'",
    "’",
    "/",
    "&",
    "(",
    ")",
    "\"",
    "\t",
    "\n",
    "😀",
    "\u{feff}",
    "\u{0}",
    "ltd",
    "co",
    "bin",
    "forty",
    "4",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn string(&mut self) -> String {
        let n = (self.next() % 12) as usize;
        (0..n)
            .map(|_| POOL[(self.next() % POOL.len() as u64) as usize])
            .collect()
    }
}

#[test]
fn random_names_never_panic_and_scores_stay_in_range() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut entities = Vec::new();
    for i in 0..300 {
        let schema = [
            Schema::Person,
            Schema::Company,
            Schema::LegalEntity,
            Schema::Vessel,
        ][i % 4];
        let mut e = Entity::new(
            EntityId::new("fuzz", &i.to_string()),
            schema,
            "fuzz",
            &rng.string(),
        );
        e.add_name(&rng.string(), embargo_model::NameKind::Alias);
        entities.push(e);
    }
    let m = Matcher::build(entities);
    for i in 0..2000 {
        let (a, b) = (rng.string(), rng.string());
        let s = compare_names(None, &a, &b);
        assert!((0.0..=1.0).contains(&s), "{a:?} {b:?} {s}");
        let s = compare_names_ofac(&a, &b);
        assert!((0.0..=1.0).contains(&s), "{a:?} {b:?} {s}");
        let algorithm = if i % 5 == 0 {
            Algorithm::Ofac
        } else {
            Algorithm::Embargo
        };
        let o = ScreenOptions {
            threshold: 0.0,
            limit: 3,
            algorithm,
            ..Default::default()
        };
        for h in m.screen(&Query::name(a), &o) {
            assert!((0.0..=1.0).contains(&h.score));
        }
    }
    let huge = "Abcdefg ".repeat(5000);
    assert!(compare_names(None, &huge, "Abcdefg") <= 1.0);
    let _ = m.screen(&Query::name(huge), &ScreenOptions::default());
}

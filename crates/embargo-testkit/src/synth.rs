//! A deterministic generator of synthetic lists and planted queries, for
//! the index scale benchmark and its small CI test (issue 18).
//!
//! Names are drawn from `data/synth_names.txt` with a Zipf-like law (a few
//! common names, a long tail), as real lists are. Each query is planted:
//! it names one generated entry, altered the way screening meets names in
//! practice — a typo, the words reordered, or written in Cyrillic (a
//! transliteration the engine must read back) — or as written.
//!
//! Same seed, same output: the generator has its own PRNG (SplitMix64).

const WORDS: &str = include_str!("../data/synth_names.txt");

fn section(name: &str) -> Vec<&'static str> {
    let head = format!("[{name}]");
    let mut out = Vec::new();
    let mut inside = false;
    for line in WORDS.lines() {
        let l = line.trim();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if l.starts_with('[') {
            inside = l == head;
            continue;
        }
        if inside {
            out.extend(l.split_whitespace());
        }
    }
    out
}

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Zipf-like in `0..n`: rank r drawn with weight about 1/(r+1).
    pub fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        (((n as f64 + 1.0).powf(u) - 1.0) as usize).min(n.saturating_sub(1))
    }
}

/// One generated list entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub person: bool,
    pub name: String,
}

/// How a planted query was altered from its target's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alteration {
    Exact,
    Typo,
    Reordered,
    Cyrillic,
}

/// A query planted for a known entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    pub query: String,
    /// The target's name as listed (other entries may share it).
    pub name: String,
    pub target: String,
    pub alteration: Alteration,
}

/// A coined name from syllables: the long tail of rare family names and
/// firm names that real lists have (most surnames are rare).
fn coined(r: &mut Rng) -> String {
    const ONSETS: &[&str] = &[
        "b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "ch", "br",
        "tr", "st",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ia", "ou"];
    const CODAS: &[&str] = &["", "", "n", "r", "s", "k", "v", "l", "m", "ng"];
    let k = 2 + r.below(2);
    let mut s = String::new();
    for _ in 0..k {
        s.push_str(ONSETS[r.below(ONSETS.len())]);
        s.push_str(VOWELS[r.below(VOWELS.len())]);
    }
    s.push_str(CODAS[r.below(CODAS.len())]);
    s
}

/// `n` entries, about 70 % persons and 30 % companies. Half the family
/// names come from the word list (common names, Zipf-distributed), half
/// are coined (the long tail).
pub fn entries(n: usize, seed: u64) -> Vec<Entry> {
    let given = section("given");
    let family = section("family");
    let company = section("company");
    let legal = section("legal");
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let person = r.below(10) < 7;
            let name = if person {
                let mut parts = vec![given[r.zipf(given.len())]];
                if r.below(4) == 0 {
                    parts.push(given[r.zipf(given.len())]);
                }
                let surname = if r.below(2) == 0 {
                    family[r.zipf(family.len())].to_string()
                } else {
                    coined(&mut r)
                };
                let mut name = parts.join(" ");
                name.push(' ');
                name.push_str(&surname);
                if r.below(6) == 0 {
                    name.push(' ');
                    name.push_str(family[r.zipf(family.len())]);
                }
                name
            } else {
                let k = 1 + r.below(3);
                let mut parts: Vec<&str> = (0..k).map(|_| company[r.zipf(company.len())]).collect();
                // A distinctive first word most real firms have (a coined
                // or family name).
                let coined = format!(
                    "{}{}",
                    &family[r.below(family.len())],
                    ["a", "o", "ex", "tek", "on"][r.below(5)]
                );
                let coined = coined.replace('-', "");
                let mut v = vec![coined.as_str()];
                v.append(&mut parts);
                v.push(legal[r.below(legal.len())]);
                v.join(" ")
            };
            Entry {
                id: format!("S{i:08}"),
                person,
                name,
            }
        })
        .collect()
}

fn cyrillic(s: &str) -> String {
    let pairs = [
        ("sh", "ш"),
        ("ch", "ч"),
        ("kh", "х"),
        ("zh", "ж"),
        ("ts", "ц"),
        ("ya", "я"),
        ("yu", "ю"),
        ("a", "а"),
        ("b", "б"),
        ("c", "к"),
        ("d", "д"),
        ("e", "е"),
        ("f", "ф"),
        ("g", "г"),
        ("h", "х"),
        ("i", "и"),
        ("j", "дж"),
        ("k", "к"),
        ("l", "л"),
        ("m", "м"),
        ("n", "н"),
        ("o", "о"),
        ("p", "п"),
        ("q", "к"),
        ("r", "р"),
        ("s", "с"),
        ("t", "т"),
        ("u", "у"),
        ("v", "в"),
        ("w", "в"),
        ("x", "кс"),
        ("y", "й"),
        ("z", "з"),
    ];
    let mut out = String::new();
    let lower = s.to_lowercase();
    let mut rest = lower.as_str();
    'outer: while !rest.is_empty() {
        for (lat, cyr) in pairs {
            if let Some(r) = rest.strip_prefix(lat) {
                out.push_str(cyr);
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn typo(s: &str, r: &mut Rng) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    // Alter the longest word: one substitution, deletion or transposition.
    let (wi, _) = words
        .iter()
        .enumerate()
        .max_by_key(|(i, w)| (w.len(), std::cmp::Reverse(*i)))
        .unwrap_or((0, &""));
    let mut w: Vec<char> = words[wi].chars().collect();
    if w.len() >= 4 {
        let at = 1 + r.below(w.len() - 2);
        match r.below(3) {
            0 => w[at] = if w[at] == 'e' { 'a' } else { 'e' },
            1 => {
                w.remove(at);
            }
            _ => w.swap(at, at + 1),
        }
    }
    let mut out: Vec<String> = words.iter().map(|x| x.to_string()).collect();
    out[wi] = w.into_iter().collect();
    out.join(" ")
}

/// `n` queries planted on `entries` (spread evenly over them).
pub fn planted(entries: &[Entry], n: usize, seed: u64) -> Vec<Planted> {
    let mut r = Rng::new(seed ^ 0x5eed);
    let step = (entries.len() / n.max(1)).max(1);
    entries
        .iter()
        .step_by(step)
        .take(n)
        .map(|e| {
            let alteration = match r.below(4) {
                0 => Alteration::Exact,
                1 => Alteration::Typo,
                2 => Alteration::Reordered,
                _ => Alteration::Cyrillic,
            };
            let query = match alteration {
                Alteration::Exact => e.name.clone(),
                Alteration::Typo => typo(&e.name, &mut r),
                Alteration::Reordered => {
                    let mut w: Vec<&str> = e.name.split(' ').collect();
                    w.rotate_left(1);
                    w.join(" ")
                }
                Alteration::Cyrillic => cyrillic(&e.name),
            };
            Planted {
                query,
                name: e.name.clone(),
                target: e.id.clone(),
                alteration,
            }
        })
        .collect()
}

/// The entries as a custom list CSV (`docs/custom-lists.md`).
pub fn custom_csv(entries: &[Entry]) -> String {
    let mut s = String::from("id,schema,name\n");
    for e in entries {
        s.push_str(&e.id);
        s.push(',');
        s.push_str(if e.person { "Person" } else { "Company" });
        s.push(',');
        s.push_str(&e.name);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_varied() {
        let a = entries(2000, 7);
        assert_eq!(a, entries(2000, 7));
        assert_ne!(a, entries(2000, 8));
        let distinct: std::collections::HashSet<&str> = a.iter().map(|e| e.name.as_str()).collect();
        assert!(distinct.len() > 1500, "{}", distinct.len());
        let q = planted(&a, 100, 7);
        assert_eq!(q.len(), 100);
        assert_eq!(q, planted(&a, 100, 7));
        for alt in [
            Alteration::Exact,
            Alteration::Typo,
            Alteration::Reordered,
            Alteration::Cyrillic,
        ] {
            assert!(q.iter().any(|p| p.alteration == alt), "{alt:?}");
        }
        assert!(q
            .iter()
            .filter(|p| p.alteration == Alteration::Cyrillic)
            .all(|p| !p.query.is_ascii()));
        assert!(section("given").len() > 100 && section("legal").len() >= 10);
    }
}

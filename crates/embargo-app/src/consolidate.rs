//! Consolidation: the same listed party on several sources becomes one
//! *subject* with every source's record under it.
//!
//! The official lists spell Chinese parties in English only, while the
//! embedded regime pack carries their Chinese names, dated history and the
//! §889/FCC/UFLPA listings. Screening both side by side without linking
//! them gave either nothing (pack switched off) or three rows for one
//! Hikvision. Subjects fix both: a Chinese name that hits the pack's record
//! brings the official Entity List record with it, and one party is one row.
//!
//! ## How records are linked (union-find over matcher entity indexes)
//! Records of one official list are never linked to each other, so a single
//! list's own rows (Huawei's separately listed affiliates, say) stay
//! separate parties.
//! 1. **OFAC entity number**: an SDN/Consolidated record's uid, a CSL
//!    Treasury row's `_id`, and the pack's `OFAC entity number` identifier.
//! 2. **A shared strong identifier**: the same registration, tax, IMO or
//!    document number (at least 8 letters and digits, at least 5 digits,
//!    compared without punctuation) on two records.
//! 3. **The pack's own records of one party** (one per programme) that
//!    give the same name, letters and digits compared.
//! 4. **Name**: each non-native name of a pack record screened against the
//!    other datasets; a hit at or above [`NAME_LINK_THRESHOLD`] with a
//!    compatible schema and no contradicting country joins the subject.
//!    The pack's cross-references are its curated names, so this is the
//!    pack's way of naming the official records it duplicates.
//!
//! Every link keeps its reason ([`SubjectLink`]), listed by
//! `embargo lists links`. Records removed from their list (history only)
//! are never linked: they are not screened.

use embargo_match::{Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, NameKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Lowest name score at which a pack record joins an official record's
/// subject. High on purpose: a wrong link merges two parties' rows, a
/// missed link only shows them apart (as before consolidation).
pub const NAME_LINK_THRESHOLD: f64 = 0.90;

/// Why two records are one subject.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkReason {
    OfacEntityNumber {
        number: String,
    },
    Identifier {
        value: String,
    },
    Name {
        name: String,
        score: f64,
    },
    /// An analyst judged the two records one party.
    Analyst {
        reviewer: String,
        reason: String,
    },
    /// Two records of the regime pack (one party under several programmes)
    /// that give the same name.
    PackSameName {
        name: String,
    },
}

impl std::fmt::Display for LinkReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkReason::OfacEntityNumber { number } => {
                write!(f, "same OFAC entity number {number}")
            }
            LinkReason::Identifier { value } => write!(f, "same identifier {value}"),
            LinkReason::Analyst { reviewer, reason } => {
                write!(f, "judged one party by {reviewer}: {reason}")
            }
            LinkReason::PackSameName { name } => {
                write!(f, "both pack records name the party {name:?}")
            }
            LinkReason::Name { name, score } => {
                write!(
                    f,
                    "name {name:?} matches at {score:.2}, same type, no contradicting country"
                )
            }
        }
    }
}

/// One link between two records, with its reason.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SubjectLink {
    pub from: EntityId,
    pub to: EntityId,
    pub reason: LinkReason,
}

/// The subjects of a snapshot: which records are one party.
#[derive(Default)]
pub struct Subjects {
    /// Subject number of each linked matcher entity index (indexes past the
    /// end are their own subject).
    of: Vec<u32>,
    /// Members of each subject with more than one record.
    members: HashMap<u32, Vec<usize>>,
    pub links: Vec<SubjectLink>,
}

struct UnionFind {
    parent: Vec<u32>,
    /// Pairs an analyst judged different parties: never in one set.
    apart: Vec<(usize, usize)>,
}

impl UnionFind {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            let parent = self.parent[i] as usize;
            self.parent[i] = self.parent[parent];
            i = parent;
        }
        i
    }
    /// Joins the sets of `a` and `b`; false when they were one already or
    /// when joining them would put a pair judged apart into one set.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        for k in 0..self.apart.len() {
            let (x, y) = self.apart[k];
            let (fx, fy) = (self.find(x), self.find(y));
            if (fx == ra && fy == rb) || (fx == rb && fy == ra) {
                return false;
            }
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi] = lo as u32;
        true
    }
}

fn alnum_upper(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The record key of an entity id (`us_ofac_sdn:29220` → `29220`).
fn record_key(id: &EntityId) -> &str {
    id.as_str().split_once(':').map_or(id.as_str(), |(_, k)| k)
}

fn is_ofac_source(e: &Entity) -> bool {
    let ds = e.dataset.to_ascii_lowercase();
    if ds.starts_with("us_ofac") {
        return true;
    }
    e.list.as_deref().is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("treasury") || l.contains("specially designated")
    })
}

/// The keys that identify a record across sources.
fn link_keys(e: &Entity) -> Vec<(String, LinkReason)> {
    let mut keys = Vec::new();
    if is_ofac_source(e) {
        let key = record_key(&e.id);
        let number = key.split('-').next().unwrap_or(key);
        if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) {
            keys.push((
                format!("ofac:{number}"),
                LinkReason::OfacEntityNumber {
                    number: number.to_string(),
                },
            ));
        }
    }
    for id in &e.identifiers {
        let value = alnum_upper(&id.value);
        if id.kind.to_ascii_lowercase().contains("ofac") {
            if value.chars().all(|c| c.is_ascii_digit()) && !value.is_empty() {
                keys.push((
                    format!("ofac:{value}"),
                    LinkReason::OfacEntityNumber { number: value },
                ));
            }
            continue;
        }
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if value.chars().count() >= 8 && digits >= 5 {
            keys.push((
                format!("id:{value}"),
                LinkReason::Identifier {
                    value: id.value.clone(),
                },
            ));
        }
    }
    keys
}

/// A name compared for identity: letters and digits only, lower case
/// (Han characters are letters).
fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn schemas_compatible(a: &Entity, b: &Entity) -> bool {
    a.schema == b.schema || (a.schema.is_organisation_like() && b.schema.is_organisation_like())
}

fn countries_agree(a: &Entity, b: &Entity) -> bool {
    a.countries.is_empty()
        || b.countries.is_empty()
        || a.countries.iter().any(|c| b.countries.contains(c))
}

impl Subjects {
    /// Links the first `upto` records of `matcher` (the screened ones).
    /// Name links start from records of `pack_dataset`.
    pub fn build(matcher: &Matcher, upto: usize, pack_dataset: &str) -> Subjects {
        Self::build_judged(matcher, upto, pack_dataset, &[])
    }

    /// Like [`Subjects::build`], with analysts' judgements applied first: a
    /// pair judged one party is linked, a pair judged apart is never in one
    /// subject, whatever the rules say (judgements on records not loaded
    /// are ignored).
    pub fn build_judged(
        matcher: &Matcher,
        upto: usize,
        pack_dataset: &str,
        judgements: &[embargo_store::LinkJudgement],
    ) -> Subjects {
        let entities = &matcher.entities()[..upto];
        let index_of = |id: &EntityId| matcher.index_of(id).filter(|&i| i < upto);
        let mut uf = UnionFind {
            parent: (0..upto as u32).collect(),
            apart: Vec::new(),
        };
        let mut links = Vec::new();
        for j in judgements {
            if let (Some(a), Some(b)) = (index_of(&j.a), index_of(&j.b)) {
                if j.verdict == embargo_store::LinkVerdict::Different {
                    uf.apart.push((a, b));
                }
            }
        }
        for j in judgements {
            if let (Some(a), Some(b)) = (index_of(&j.a), index_of(&j.b)) {
                if j.verdict == embargo_store::LinkVerdict::Same && uf.union(a, b) {
                    links.push(SubjectLink {
                        from: j.a.clone(),
                        to: j.b.clone(),
                        reason: LinkReason::Analyst {
                            reviewer: j.reviewer.clone(),
                            reason: j.reason.clone(),
                        },
                    });
                }
            }
        }
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, e) in entities.iter().enumerate() {
            for (key, reason) in link_keys(e) {
                match first.get(&key) {
                    Some(&j)
                        if entities[j].dataset != e.dataset
                            && schemas_compatible(e, &entities[j]) =>
                    {
                        if uf.union(i, j) {
                            links.push(SubjectLink {
                                from: e.id.clone(),
                                to: entities[j].id.clone(),
                                reason,
                            });
                        }
                    }
                    Some(_) => {}
                    None => {
                        first.insert(key, i);
                    }
                }
            }
        }
        // The pack is one curated dataset with a record per programme
        // (Entity List, CMIC, §889, FCC, UFLPA, GLOMAG): its records of one
        // party give the same name, in English or in Chinese.
        let mut pack_names: HashMap<String, usize> = HashMap::new();
        for (i, e) in entities.iter().enumerate() {
            if e.dataset != pack_dataset {
                continue;
            }
            for n in e.names.iter().filter(|n| n.kind != NameKind::WeakAlias) {
                let key = name_key(&n.value);
                if key.chars().count() < 2 {
                    continue;
                }
                match pack_names.get(&key) {
                    Some(&j) if schemas_compatible(e, &entities[j]) => {
                        if uf.union(i, j) {
                            links.push(SubjectLink {
                                from: e.id.clone(),
                                to: entities[j].id.clone(),
                                reason: LinkReason::PackSameName {
                                    name: n.value.clone(),
                                },
                            });
                        }
                    }
                    Some(_) => {}
                    None => {
                        pack_names.insert(key, i);
                    }
                }
            }
        }
        let has_other_datasets = entities.iter().any(|e| e.dataset != pack_dataset);
        if has_other_datasets {
            for (i, e) in entities.iter().enumerate() {
                if e.dataset != pack_dataset {
                    continue;
                }
                for name in e
                    .names
                    .iter()
                    .filter(|n| !matches!(n.kind, NameKind::NativeScript | NameKind::WeakAlias))
                {
                    let query = Query {
                        name: name.value.clone(),
                        schema: Some(e.schema),
                        countries: e.countries.clone(),
                        ..Default::default()
                    };
                    let options = ScreenOptions {
                        threshold: NAME_LINK_THRESHOLD,
                        limit: 40,
                        ..Default::default()
                    };
                    for hit in matcher.screen(&query, &options) {
                        let j = hit.entity_index;
                        if j >= upto {
                            continue;
                        }
                        let other = &entities[j];
                        if other.dataset == pack_dataset
                            || !schemas_compatible(e, other)
                            || !countries_agree(e, other)
                        {
                            continue;
                        }
                        if uf.union(i, j) {
                            links.push(SubjectLink {
                                from: e.id.clone(),
                                to: other.id.clone(),
                                reason: LinkReason::Name {
                                    name: name.value.clone(),
                                    score: (hit.score * 1000.0).round() / 1000.0,
                                },
                            });
                        }
                    }
                }
            }
        }
        let mut of = Vec::with_capacity(upto);
        let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
        for i in 0..upto {
            let root = uf.find(i) as u32;
            of.push(root);
            members.entry(root).or_default().push(i);
        }
        members.retain(|_, m| m.len() > 1);
        Subjects { of, members, links }
    }

    /// The subject of a matcher entity index.
    pub fn subject_of(&self, index: usize) -> u32 {
        self.of.get(index).copied().unwrap_or(index as u32)
    }

    /// Every record of the subject of `index` (just `index` when alone).
    pub fn members_of(&self, index: usize) -> Vec<usize> {
        self.members
            .get(&self.subject_of(index))
            .cloned()
            .unwrap_or_else(|| vec![index])
    }

    /// How many records the subject of `index` has.
    pub fn size_of(&self, index: usize) -> usize {
        self.members
            .get(&self.subject_of(index))
            .map_or(1, Vec::len)
    }

    /// How many subjects have more than one record.
    pub fn linked_subjects(&self) -> usize {
        self.members.len()
    }

    /// The subjects as two index-file sections: each record's subject
    /// (u32 LE per record) and the links as JSON. The members are derived
    /// again from the first, so the bytes are deterministic.
    pub(crate) fn to_sections(&self) -> (Vec<u8>, Vec<u8>) {
        let of = self.of.iter().flat_map(|x| x.to_le_bytes()).collect();
        // Links serialise infallibly (strings and numbers only).
        let links = serde_json::to_vec(&self.links).unwrap_or_default();
        (of, links)
    }

    /// Reads [`Subjects::to_sections`] back.
    pub(crate) fn from_sections(of: &[u8], links: &[u8]) -> Result<Subjects, String> {
        if !of.len().is_multiple_of(4) {
            return Err("subject table has a partial entry".into());
        }
        let of: Vec<u32> = of
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, &root) in of.iter().enumerate() {
            if root as usize != i {
                members.entry(root).or_default().push(i);
            }
        }
        for (root, m) in members.iter_mut() {
            m.insert(0, *root as usize);
        }
        let links = serde_json::from_slice(links).map_err(|e| format!("subject links: {e}"))?;
        Ok(Subjects { of, members, links })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{Identifier, Schema};

    fn entity(dataset: &str, key: &str, name: &str) -> Entity {
        Entity::new(
            EntityId::new(dataset, key),
            Schema::Organization,
            dataset,
            name,
        )
    }

    /// The pack's GLOMAG Xinjiang PSB, carrying its OFAC entity number, and
    /// the SDN record with that number.
    fn pack_and_sdn_bureau() -> (Entity, Entity) {
        let mut pack = entity(
            "embargo_xinjiang_pack",
            "glomag-x",
            "Xinjiang Public Security Bureau",
        );
        pack.identifiers.push(Identifier {
            kind: "OFAC entity number".into(),
            value: "29159".into(),
            country: None,
            note: None,
        });
        let sdn = entity("us_ofac_sdn", "29159", "XINJIANG PUBLIC SECURITY BUREAU");
        (pack, sdn)
    }

    #[test]
    fn an_ofac_number_links_the_pack_to_the_sdn_record_but_not_within_a_list() {
        let (pack, sdn) = pack_and_sdn_bureau();
        let other = entity("us_ofac_sdn", "11111", "Unrelated Trading LLC");
        let matcher = Matcher::build(vec![pack, sdn, other]);
        let s = Subjects::build(&matcher, 3, "embargo_xinjiang_pack");
        assert_eq!(s.subject_of(0), s.subject_of(1));
        assert_ne!(s.subject_of(0), s.subject_of(2));
        assert_eq!(s.members_of(1), vec![0, 1]);
        assert!(matches!(
            s.links[0].reason,
            LinkReason::OfacEntityNumber { ref number } if number == "29159"
        ));
    }

    #[test]
    fn a_strong_name_match_links_the_pack_but_a_contradicting_country_does_not() {
        let mut pack = entity(
            "embargo_xinjiang_pack",
            "el-x",
            "Zhejiang Dahua Technology Co., Ltd.",
        );
        pack.countries
            .push(embargo_model::Country::from_code("CN").unwrap());
        let mut csl = entity("us_trade_csl", "abc", "Zhejiang Dahua Technology Co., Ltd.");
        csl.countries
            .push(embargo_model::Country::from_code("CN").unwrap());
        let mut elsewhere = entity(
            "un_sc_sanctions",
            "q1",
            "Zhejiang Dahua Technology Co., Ltd.",
        );
        elsewhere
            .countries
            .push(embargo_model::Country::from_code("IR").unwrap());
        let matcher = Matcher::build(vec![pack, csl, elsewhere]);
        let s = Subjects::build(&matcher, 3, "embargo_xinjiang_pack");
        assert_eq!(s.subject_of(0), s.subject_of(1));
        assert_ne!(s.subject_of(0), s.subject_of(2));
        assert!(s
            .links
            .iter()
            .all(|l| matches!(l.reason, LinkReason::Name { .. })));
    }

    #[test]
    fn an_analyst_can_split_a_rule_link_and_join_two_records() {
        let (pack, sdn) = pack_and_sdn_bureau();
        let other = entity("us_trade_csl", "abc", "Urumqi Trading Co");
        let ids: Vec<EntityId> = vec![pack.id.clone(), sdn.id.clone(), other.id.clone()];
        let matcher = Matcher::build(vec![pack, sdn, other]);
        let judge = |a: &EntityId, b: &EntityId, v| embargo_store::LinkJudgement {
            a: a.clone(),
            b: b.clone(),
            verdict: v,
            reviewer: "ana".into(),
            reason: "checked the registry".into(),
            decided_at: chrono::Utc::now(),
        };
        let j = [
            judge(&ids[0], &ids[1], embargo_store::LinkVerdict::Different),
            judge(&ids[1], &ids[2], embargo_store::LinkVerdict::Same),
        ];
        let s = Subjects::build_judged(&matcher, 3, "embargo_xinjiang_pack", &j);
        assert_ne!(
            s.subject_of(0),
            s.subject_of(1),
            "split despite the OFAC number"
        );
        assert_eq!(s.subject_of(1), s.subject_of(2), "joined by the analyst");
        assert!(s
            .links
            .iter()
            .any(|l| matches!(l.reason, LinkReason::Analyst { .. })));
    }

    #[test]
    fn records_of_one_list_are_never_merged_by_identifier() {
        let id = |v: &str| Identifier {
            kind: "Registration Number".into(),
            value: v.into(),
            country: None,
            note: None,
        };
        let mut a = entity("us_trade_csl", "a", "Alpha Ltd");
        a.identifiers.push(id("91330000-12345678"));
        let mut b = entity("us_trade_csl", "b", "Beta Ltd");
        b.identifiers.push(id("9133000012345678"));
        let mut c = entity("custom", "c", "Gamma Ltd");
        c.identifiers.push(id("91330000 12345678"));
        let matcher = Matcher::build(vec![a, b, c]);
        let s = Subjects::build(&matcher, 3, "embargo_xinjiang_pack");
        assert_ne!(s.subject_of(0), s.subject_of(1));
        assert_eq!(s.subject_of(0), s.subject_of(2));
    }
}

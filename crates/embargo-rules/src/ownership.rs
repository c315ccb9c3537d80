//! Ownership graph and the aggregate-50 % fixed point shared by the OFAC
//! 50 Percent Rule (RULES.md §4.2) and the Entity List Affiliates Rule
//! (RULES.md §1.2 EL1.5).
//!
//! Nodes are names as the transaction writes them, compared in folded form
//! (`text::fold`). An edge is one stated shareholding. Starting from the
//! seed set (listed / blocked names), a node joins the set when the
//! holdings of members sum to at least 50 %. Holdings of non-members are
//! never multiplied through (FAQ 401: only holdings of blocked persons
//! count), so the loop only ever adds nodes and ends after at most one
//! pass per node.

use crate::text::fold;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub owner: String,
    pub owned: String,
    pub pct: f64,
}

/// The ownership graph a transaction states (`ownership[]`).
pub fn edges(tx: &crate::transaction::Transaction) -> Vec<Edge> {
    tx.ownership
        .iter()
        .map(|o| Edge {
            owner: o.owner.clone(),
            owned: o.owned.clone(),
            pct: o.pct,
        })
        .collect()
}

/// Why a node is in the set: a seed, or owned ≥ 50 % in aggregate by
/// members, with the holdings and the chain from a seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub name: String,
    pub seed: bool,
    /// Aggregate percentage held by members (0 for seeds).
    pub pct: f64,
    /// Holdings that made it a member, e.g. "XPCC 30%".
    pub holdings: Vec<String>,
    /// Names from a seed down to this node.
    pub chain: Vec<String>,
}

/// Threshold of the 50 Percent Rule and of the Affiliates Rule.
pub const THRESHOLD: f64 = 50.0;

/// The fixed point. `seeds` are (name, label) pairs; the label is what the
/// chain shows for a seed (its list entry's caption).
pub fn closure(edges: &[Edge], seeds: &[(String, String)]) -> BTreeMap<String, Member> {
    let mut set: BTreeMap<String, Member> = BTreeMap::new();
    for (name, label) in seeds {
        set.entry(fold(name)).or_insert_with(|| Member {
            name: name.clone(),
            seed: true,
            pct: 0.0,
            holdings: vec![],
            chain: vec![label.clone()],
        });
    }
    loop {
        let mut added = false;
        let mut owned_names: Vec<(String, String)> = edges
            .iter()
            .map(|e| (fold(&e.owned), e.owned.clone()))
            .collect();
        owned_names.sort();
        owned_names.dedup_by(|a, b| a.0 == b.0);
        for (key, display) in owned_names {
            if set.contains_key(&key) {
                continue;
            }
            let from_members: Vec<&Edge> = edges
                .iter()
                .filter(|e| fold(&e.owned) == key && set.contains_key(&fold(&e.owner)))
                .collect();
            let pct: f64 = from_members.iter().map(|e| e.pct).sum();
            if pct >= THRESHOLD {
                // The chain follows the largest member holding upward.
                let top = from_members
                    .iter()
                    .max_by(|a, b| a.pct.total_cmp(&b.pct))
                    .expect("pct > 0 implies a holding");
                let mut chain = set[&fold(&top.owner)].chain.clone();
                chain.push(format!("{} ({}%)", display, top.pct));
                let holdings = from_members
                    .iter()
                    .map(|e| format!("{} {}%", e.owner, e.pct))
                    .collect();
                set.insert(
                    key,
                    Member {
                        name: display,
                        seed: false,
                        pct,
                        holdings,
                        chain,
                    },
                );
                added = true;
            }
        }
        if !added {
            return set;
        }
    }
}

/// Aggregate holdings of members in `name` (for below-threshold flags).
pub fn member_holdings<'a>(
    edges: &'a [Edge],
    set: &BTreeMap<String, Member>,
    name: &str,
) -> Vec<&'a Edge> {
    let key = fold(name);
    edges
        .iter()
        .filter(|e| fold(&e.owned) == key && set.contains_key(&fold(&e.owner)))
        .collect()
}

/// The ownership a transaction states, as a reader sees it: every owner
/// and owned company, which are listed on the date (SDN, Entity List),
/// which are blocked by the 50 Percent Rule or owned ≥ 50 % by Entity
/// List entries, and the aggregate share listed or blocked owners hold in
/// each. Carried in the decision (`Decision::ownership`) so a front end
/// draws it without deciding anything itself; the findings say what it
/// means under each measure and on the date.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Graph {
    pub nodes: Vec<GraphNode>,
    /// The stated holdings, as given.
    pub edges: Vec<GraphEdge>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GraphEdge {
    pub owner: String,
    pub owned: String,
    pub pct: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GraphNode {
    /// The name as the transaction writes it (first spelling met).
    pub name: String,
    /// Its role when it is also a party to the transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Strong matches on the SDN list or the Entity List.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<GraphListing>,
    /// Blocked on the date: an SDN in force, or owned ≥ 50 % in aggregate,
    /// directly or indirectly, by blocked persons (RULES.md §4.2).
    pub blocked: bool,
    /// Aggregate share (%) held in it by blocked persons.
    pub blocked_owned_pct: f64,
    /// Owned ≥ 50 % in aggregate by Entity List entries in force (whether
    /// that makes it listed depends on the date: see the findings).
    pub el_owned: bool,
    /// Aggregate share (%) held in it by Entity List entries and companies
    /// they own ≥ 50 %.
    pub el_owned_pct: f64,
    /// From a listed owner down to this node, when it is blocked or
    /// EL-owned through others.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GraphListing {
    /// `SDN` or `ENTITY_LIST`.
    pub regime: String,
    pub entity_id: String,
    pub caption: String,
    pub list_version: String,
    /// `false` when whether the entry was listed on the date cannot be
    /// told (it then counts for nothing here: NEEDS_REVIEW in the findings).
    pub in_force: bool,
}

/// The graph of `tx`'s stated ownership (`None` when it states none).
pub fn graph(
    tx: &crate::transaction::Transaction,
    screen: &crate::screen::Screen,
) -> Option<Graph> {
    use crate::listing::Regime;
    if tx.ownership.is_empty() {
        return None;
    }
    let edges = edges(tx);
    let mut names: Vec<String> = vec![];
    for e in &edges {
        for n in [&e.owner, &e.owned] {
            if !names.iter().any(|m| fold(m) == fold(n)) {
                names.push(n.clone());
            }
        }
    }
    let party = |n: &str| tx.parties.iter().find(|p| fold(&p.name) == fold(n));
    let mut listings: BTreeMap<String, Vec<GraphListing>> = BTreeMap::new();
    let (mut sdn_seeds, mut el_seeds) = (vec![], vec![]);
    for n in &names {
        let country = party(n).and_then(|p| p.country);
        for (regime, label) in [(Regime::Sdn, "SDN"), (Regime::EntityList, "ENTITY_LIST")] {
            let h = screen.hits(n, country, regime);
            for (m, in_force) in h
                .in_force
                .iter()
                .map(|m| (m, true))
                .chain(h.uncertain.iter().map(|m| (m, false)))
            {
                if in_force {
                    let seed = (n.clone(), m.entity.caption().to_string());
                    match regime {
                        Regime::Sdn => sdn_seeds.push(seed),
                        _ => el_seeds.push(seed),
                    }
                }
                listings.entry(fold(n)).or_default().push(GraphListing {
                    regime: label.into(),
                    entity_id: m.entity.id.as_str().to_string(),
                    caption: m.entity.caption().to_string(),
                    list_version: m.list_version.clone(),
                    in_force,
                });
            }
        }
    }
    let sdn = closure(&edges, &sdn_seeds);
    let el = closure(&edges, &el_seeds);
    // A member's own aggregate is the one its finding states; anyone
    // else's is what members hold in it.
    let share = |set: &BTreeMap<String, Member>, n: &str| match set.get(&fold(n)) {
        Some(m) if !m.seed => m.pct,
        _ => member_holdings(&edges, set, n).iter().map(|e| e.pct).sum(),
    };
    let chain = |n: &str| {
        [&sdn, &el]
            .iter()
            .find_map(|set| {
                set.get(&fold(n))
                    .filter(|m| !m.seed)
                    .map(|m| m.chain.clone())
            })
            .unwrap_or_default()
    };
    let nodes = names
        .iter()
        .map(|n| GraphNode {
            name: n.clone(),
            role: party(n).map(|p| p.role.as_str().to_string()),
            listed: listings.remove(&fold(n)).unwrap_or_default(),
            blocked: sdn.contains_key(&fold(n)),
            blocked_owned_pct: share(&sdn, n),
            el_owned: el.get(&fold(n)).is_some_and(|m| !m.seed),
            el_owned_pct: share(&el, n),
            chain: chain(n),
        })
        .collect();
    Some(Graph {
        nodes,
        edges: edges
            .into_iter()
            .map(|e| GraphEdge {
                owner: e.owner,
                owned: e.owned,
                pct: e.pct,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(o: &str, d: &str, p: f64) -> Edge {
        Edge {
            owner: o.into(),
            owned: d.into(),
            pct: p,
        }
    }

    fn seeds(names: &[&str]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|n| (n.to_string(), n.to_string()))
            .collect()
    }

    #[test]
    fn aggregation_across_blocked_owners() {
        // RULES.md §11 B3: 30 % + 25 % = 55 %.
        let edges = [e("XPCC", "C", 30.0), e("XPSB", "C", 25.0)];
        let set = closure(&edges, &seeds(&["XPCC", "XPSB"]));
        assert_eq!(set["c"].pct, 55.0);
        let set = closure(&edges[..1], &seeds(&["XPCC"]));
        assert!(!set.contains_key("c"));
    }

    #[test]
    fn indirect_chains_and_faq_401_example_2() {
        // B5: XPCC 50 % of E1, E1 50 % of E2.
        let set = closure(
            &[e("E1", "E2", 50.0), e("XPCC", "E1", 50.0)],
            &seeds(&["XPCC"]),
        );
        assert_eq!(set["e2"].chain, vec!["XPCC", "E1 (50%)", "E2 (50%)"]);
        // FAQ 401 example 2: X 50 % of A and B; A and B 25 % each of C.
        let set = closure(
            &[
                e("X", "A", 50.0),
                e("X", "B", 50.0),
                e("A", "C", 25.0),
                e("B", "C", 25.0),
            ],
            &seeds(&["X"]),
        );
        assert!(set.contains_key("c"));
        // Not multiplied through a non-blocked intermediary.
        let set = closure(&[e("X", "A", 40.0), e("A", "B", 100.0)], &seeds(&["X"]));
        assert_eq!(set.len(), 1);
    }
}

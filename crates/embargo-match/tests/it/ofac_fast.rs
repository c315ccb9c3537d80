//! The OFAC mode's fast scan (prepared vocabulary, aliases bounded out
//! when they cannot reach the threshold) gives exactly the hits of the
//! exhaustive scan that scores every alias with `ofac::score`, on the
//! official lists (CSL 2022-05 + SDN 2024-05-03 + UN 2026-02).

use embargo_match::{Algorithm, Hit, Matcher, Query, ScreenOptions};
use embargo_model::{Country, SourceKind};

fn lists() -> Option<Matcher> {
    let mut entities = Vec::new();
    for (rel, kind) in [
        (
            "data/lists/us_csl/2022-05/consolidated.csv",
            SourceKind::TradeCsl,
        ),
        (
            "data/lists/ofac_sdn/2024-05-03/sdn.csv",
            SourceKind::OfacSdn,
        ),
        (
            "data/lists/un/2026-02/UN_consolidated.xml",
            SourceKind::UnSc,
        ),
    ] {
        let p = embargo_testkit::shared_file(rel)?;
        entities.extend(
            embargo_sources::parse_path(&p, Some(kind))
                .unwrap()
                .entities,
        );
    }
    Some(Matcher::build(entities))
}

fn ofac(threshold: f64, limit: usize) -> ScreenOptions {
    ScreenOptions {
        algorithm: Algorithm::Ofac,
        threshold,
        limit,
        ..Default::default()
    }
}

/// The hits at `threshold`, `limit` derived from an answer at threshold 0
/// with no limit (a hit's score does not depend on the threshold).
fn cut(all: &[Hit], threshold: f64, limit: usize) -> Vec<Hit> {
    all.iter()
        .filter(|h| h.score >= threshold)
        .take(limit)
        .cloned()
        .collect()
}

#[test]
fn fast_ofac_scan_equals_the_exhaustive_scan() {
    let Some(m) = lists() else { return };
    let mut qs: Vec<Query> = Vec::new();
    // Listed names as written, with a letter dropped and reversed (the
    // whole-name score is gated on the first letter).
    for e in m.entities().iter().step_by(6007) {
        let n = e.caption().to_string();
        let mut dropped = n.clone();
        if dropped.len() > 6 && dropped.is_char_boundary(3) && dropped.is_char_boundary(4) {
            dropped.remove(3);
        }
        let reversed: Vec<&str> = n.split_whitespace().rev().collect();
        qs.push(Query {
            schema: Some(e.schema),
            ..Query::name(n.clone())
        });
        qs.push(Query::name(dropped));
        qs.push(Query::name(reversed.join(" ")));
    }
    for rel in [
        "eval/yente/positives_un_untreated.csv",
        "eval/yente/negatives_us.csv",
    ] {
        let Some(p) = embargo_testkit::shared_file(rel) else {
            return;
        };
        let mut r = csv::Reader::from_path(p).unwrap();
        for row in r.records().step_by(97).take(3) {
            let row = row.unwrap();
            let mut q = Query::name(row[0].to_string());
            if let Ok(d) = row[5].parse() {
                q.birth_dates.push(d);
            }
            qs.push(q);
        }
    }
    // Short tokens only, another script, an alias beside the name, a
    // country, and an identifier of a listed entity under another name
    // (the identifier decides the score, so that entity's best alias must
    // be scored in full however far its names are).
    let with_id = m
        .entities()
        .iter()
        .find(|e| e.identifiers.iter().any(|i| i.value.len() >= 6))
        .expect("an entity with an identifier");
    qs.extend([
        Query::name("Kim Jong Un"),
        Query::name("Li Wu"),
        Query::name("Барак Обама"),
        Query {
            aliases: vec!["Islamic Revolutionary Guard Corps".into()],
            ..Query::name("IRGC Qods")
        },
        Query {
            countries: vec![Country::from_code("IR").unwrap()],
            ..Query::name("Bank Melli Iran")
        },
        Query {
            identifiers: vec![with_id.identifiers[0].value.clone()],
            ..Query::name("Zzyzx Quill")
        },
    ]);
    let mut compared = 0;
    let mut hits = 0;
    for (i, q) in qs.iter().enumerate() {
        let all = m.screen_ofac_exhaustive(q, &ofac(0.0, usize::MAX));
        // At 0 nothing is bounded out: every entity with a name.
        assert!(all.len() * 10 > m.len() * 9, "{:?}", q.name);
        for (threshold, limit) in [(0.0, usize::MAX), (0.7, 50), (0.85, 10), (0.95, 10)] {
            let fast = m.screen(q, &ofac(threshold, limit));
            assert_eq!(
                fast,
                cut(&all, threshold, limit),
                "{:?} at {threshold}",
                q.name
            );
            compared += 1;
            if threshold > 0.0 {
                hits += fast.len();
            }
        }
        // The exhaustive scan at that threshold agrees with the cut too
        // (the derivation above is itself right).
        if i % 8 != 0 {
            continue;
        }
        assert_eq!(
            m.screen_ofac_exhaustive(q, &ofac(0.85, 10)),
            cut(&all, 0.85, 10),
            "{:?}",
            q.name
        );
    }
    // The identifier query finds its entity at 1.0 through the fast scan.
    let q = qs.last().unwrap();
    let fast = m.screen(q, &ofac(0.95, 10));
    assert!(
        fast.iter()
            .any(|h| h.entity_id == with_id.id && h.score == 1.0),
        "{fast:?}"
    );
    // One dataset only (the UN list's, loaded last).
    let un = m.entities().last().unwrap().dataset.clone();
    assert!(un.starts_with("un"), "{un}");
    let un_only = ScreenOptions {
        datasets: Some(vec![un]),
        ..ofac(0.8, 20)
    };
    for q in qs.iter().take(10) {
        assert_eq!(
            m.screen(q, &un_only),
            m.screen_ofac_exhaustive(q, &un_only),
            "{:?}",
            q.name
        );
    }
    assert!(
        compared >= 100 && hits > 50,
        "{compared} comparisons, {hits} hits"
    );
}

//! EU Global Human Rights Sanctions Regime listings tied to Xinjiang
//! (RULES.md §5.3, "EU sanctions (not procurement)").
//!
//! On 2021-03-22 the EU listed four officials and the XPCC Public Security
//! Bureau (asset freeze, no funds or economic resources made available,
//! travel ban); the EU listing does not cover the XPCC as a whole. The
//! listings are regime-pack entries (`embargo-pack/data/eu_ghrsr.jsonl`,
//! programme `EU-GHRSR`), found through the `PartyResolver` like every
//! other list; only a strong match counts, so the XPCC itself, or another
//! bureau, is not taken for the XPCC Public Security Bureau.
//! EU measures bind EU territory, EU nationals and EU-incorporated
//! entities: the finding depends on the actor's country (`EU_MEMBERS`,
//! `data/eu_member_states.tsv`). The UK listed the same persons the same
//! day (noted in the reasons).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::listing::Regime;
use crate::screen::Screen;
use crate::table::{self, TableError};
use crate::transaction::Transaction;
use chrono::NaiveDate;
use embargo_model::Country;
use std::sync::LazyLock;

/// The GHRSR Xinjiang listings' date [S: Steptoe, RULES.md §5.3]; a
/// listing entry without `listed_on` is taken to date from it.
pub fn listed_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 3, 22).expect("valid date")
}

const MEMBERS_FILE: &str = "eu_member_states.tsv";
const MEMBERS_TEXT: &str = include_str!("../data/eu_member_states.tsv");

/// Parses `data/eu_member_states.tsv`: one ISO-2 code per row (the name
/// beside it is for the reader).
pub fn parse_members(text: &'static str) -> Result<Vec<Country>, TableError> {
    table::rows(MEMBERS_FILE, text)
        .map(|r| r.country(0))
        .collect()
}

static MEMBERS: LazyLock<Vec<Country>> =
    LazyLock::new(|| table::embedded(parse_members(MEMBERS_TEXT)));

/// The 27 EU member states (ISO-2).
pub fn members() -> &'static [Country] {
    &MEMBERS
}

pub fn is_member(c: Country) -> bool {
    MEMBERS.contains(&c)
}

/// Findings only where a party strongly matches an EU listing.
pub fn evaluate(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    let mut out = vec![];
    for p in &tx.parties {
        // The party's country is not used: the EU listing is matched on the
        // name alone, as the listings give no country to contradict.
        let h = screen.hits(&p.name, None, Regime::EuGhrsr);
        let Some(m) = h.in_force.iter().chain(&h.not_yet).next() else {
            continue;
        };
        let listed = m.entity.caption();
        let from = m
            .entity
            .listed_on
            .map(|d| d.first_day())
            .unwrap_or_else(listed_from);
        let base = |o| {
            Finding::new(
                Measure::EuSanctions,
                o,
                "RULES.md §5.3 (EU sanctions)",
                Confidence::Knowledge,
            )
            .cite("Council Regulation (EU) 2020/1998 (EU Global Human Rights Sanctions Regime)")
            .cite("Council Implementing Regulation (EU) 2021/478 (2021-03-22)")
            .dated("EU listing", from)
        };
        let actor_eu = tx.actor.country.map(is_member);
        let f = if tx.date < from {
            base(Outcome::NotProhibited).reason(format!(
                "\"{listed}\" was listed by the EU only from {from}."
            ))
        } else {
            match actor_eu {
                Some(true) => base(Outcome::Prohibited).reason(format!(
                    "{} \"{}\" matches EU-listed \"{listed}\": funds and economic resources are frozen and none may be made available to them.",
                    p.role.as_str(),
                    p.name,
                )),
                Some(false) => base(Outcome::NotProhibited).reason(format!(
                    "\"{listed}\" is EU-listed, but the actor is not in the EU; EU measures bind EU territory, nationals and EU-incorporated entities."
                )),
                None => base(Outcome::NeedsReview).reason(format!(
                    "\"{listed}\" is EU-listed; the actor's country is not stated, so EU jurisdiction is unknown."
                )),
            }
        };
        out.push(f.reason("The UK listed the same four officials and the XPCC Public Security Bureau on 2021-03-22; the listing does not cover the XPCC as a whole."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestResolver;
    use crate::transaction::parse_transaction;
    use std::sync::Arc;

    fn decide(date: &str, actor: &str, name: &str) -> Vec<Finding> {
        let pack: Vec<_> = embargo_pack::entities()
            .iter()
            .cloned()
            .map(Arc::new)
            .collect();
        let r = TestResolver::new(&pack, "pack");
        let tx = parse_transaction(&format!(
            r#"{{"date":"{date}","flow":"payment","actor":{{"country":"{actor}"}},
            "parties":[{{"role":"counterparty","name":"{name}"}}]}}"#
        ))
        .unwrap();
        evaluate(&tx, &Screen::new(&r, tx.date))
    }

    #[test]
    fn eu_listing_depends_on_actor_and_date() {
        let psb = "Xinjiang Production and Construction Corps Public Security Bureau";
        assert_eq!(
            decide("2021-06-01", "DE", psb)[0].outcome,
            Outcome::Prohibited
        );
        assert_eq!(
            decide("2021-06-01", "US", psb)[0].outcome,
            Outcome::NotProhibited
        );
        assert_eq!(
            decide("2021-03-21", "DE", psb)[0].outcome,
            Outcome::NotProhibited
        );
        assert_eq!(
            decide("2021-06-01", "DE", "Zhu Hailun")[0].outcome,
            Outcome::Prohibited
        );
        // The XPCC as a whole is not EU-listed.
        assert!(decide(
            "2021-06-01",
            "DE",
            "Xinjiang Production and Construction Corps"
        )
        .is_empty());
    }
}

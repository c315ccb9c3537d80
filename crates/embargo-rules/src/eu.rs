//! EU Global Human Rights Sanctions Regime listings tied to Xinjiang
//! (RULES.md §5.3, "EU sanctions (not procurement)").
//!
//! On 2021-03-22 the EU listed four officials and the XPCC Public Security
//! Bureau (asset freeze, no funds or economic resources made available,
//! travel ban); the EU listing does not cover the XPCC as a whole. The
//! regime pack carries no EU data, so the five listings are this table.
//! EU measures bind EU territory, EU nationals and EU-incorporated
//! entities: the finding depends on the actor's country. The UK listed the
//! same persons the same day (noted in the reasons).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::resolver::name_score;
use crate::table::{self, TableError};
use crate::transaction::Transaction;
use chrono::NaiveDate;
use embargo_model::Country;
use std::sync::LazyLock;

pub struct EuListing {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

/// Listed 2021-03-22 [S: Steptoe, RULES.md §5.3].
pub const LISTINGS: &[EuListing] = &[
    EuListing {
        name: "ZHU Hailun",
        aliases: &[],
    },
    EuListing {
        name: "WANG Junzheng",
        aliases: &[],
    },
    EuListing {
        name: "WANG Mingshan",
        aliases: &[],
    },
    EuListing {
        name: "CHEN Mingguo",
        aliases: &[],
    },
    EuListing {
        name: "Public Security Bureau of the Xinjiang Production and Construction Corps",
        aliases: &[
            "Xinjiang Production and Construction Corps Public Security Bureau",
            "Xinjiang Production and Construction Corps (XPCC) Public Security Bureau",
            "XPCC Public Security Bureau",
        ],
    },
];

const MEMBERS_FILE: &str = "eu_member_states.tsv";
const MEMBERS_TEXT: &str = include_str!("../data/eu_member_states.tsv");

/// Parses `data/eu_member_states.tsv`: one ISO-2 code per row.
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

pub fn listed_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 3, 22).expect("valid date")
}

/// Findings only where a party matches one of the listings.
pub fn evaluate(tx: &Transaction) -> Vec<Finding> {
    let mut out = vec![];
    for p in &tx.parties {
        let Some(l) = LISTINGS.iter().find(|l| {
            std::iter::once(&l.name)
                .chain(l.aliases)
                // Same words, any order: the generic words ("public security
                // bureau") are what tells the PSB from the XPCC itself, so
                // the weighted partial score is not used here.
                .any(|n| name_score(&p.name, n) >= 0.95)
        }) else {
            continue;
        };
        let base = |o| {
            Finding::new(
                Measure::EuSanctions,
                o,
                "RULES.md §5.3 (EU sanctions)",
                Confidence::Knowledge,
            )
            .cite("Council Regulation (EU) 2020/1998 (EU Global Human Rights Sanctions Regime)")
            .cite("Council Implementing Regulation (EU) 2021/478 (2021-03-22)")
            .dated("EU listing", listed_from())
        };
        let actor_eu = tx.actor.country.map(is_member);
        let f = if tx.date < listed_from() {
            base(Outcome::NotProhibited).reason(format!(
                "\"{}\" was listed by the EU only from 2021-03-22.",
                l.name
            ))
        } else {
            match actor_eu {
                Some(true) => base(Outcome::Prohibited).reason(format!(
                    "{} \"{}\" matches EU-listed \"{}\": funds and economic resources are frozen and none may be made available to them.",
                    p.role.as_str(),
                    p.name,
                    l.name
                )),
                Some(false) => base(Outcome::NotProhibited).reason(format!(
                    "\"{}\" is EU-listed, but the actor is not in the EU; EU measures bind EU territory, nationals and EU-incorporated entities.",
                    l.name
                )),
                None => base(Outcome::NeedsReview).reason(format!(
                    "\"{}\" is EU-listed; the actor's country is not stated, so EU jurisdiction is unknown.",
                    l.name
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
    use crate::transaction::parse_transaction;

    #[test]
    fn eu_listing_depends_on_actor_and_date() {
        let tx = |date: &str, actor: &str| {
            parse_transaction(&format!(
                r#"{{"date":"{date}","flow":"payment","actor":{{"country":"{actor}"}},
                "parties":[{{"role":"counterparty","name":"Xinjiang Production and Construction Corps Public Security Bureau"}}]}}"#
            ))
            .unwrap()
        };
        assert_eq!(
            evaluate(&tx("2021-06-01", "DE"))[0].outcome,
            Outcome::Prohibited
        );
        assert_eq!(
            evaluate(&tx("2021-06-01", "US"))[0].outcome,
            Outcome::NotProhibited
        );
        assert_eq!(
            evaluate(&tx("2021-03-21", "DE"))[0].outcome,
            Outcome::NotProhibited
        );
        // The XPCC as a whole is not EU-listed.
        let t = parse_transaction(
            r#"{"date":"2021-06-01","flow":"payment","actor":{"country":"DE"},
            "parties":[{"role":"counterparty","name":"Xinjiang Production and Construction Corps"}]}"#,
        )
        .unwrap();
        assert!(evaluate(&t).is_empty());
    }
}

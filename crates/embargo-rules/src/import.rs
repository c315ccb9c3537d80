//! Import measures: the UFLPA rebuttable presumption (RULES.md §6.1, table
//! UFLPA-1) and the Xinjiang withhold release orders under 19 U.S.C. 1307
//! (§6.2, table WRO-1). Both run for `import` flows; the entry date is the
//! transaction date.
//!
//! `wros()` (`data/wro.tsv`) is the WRO table: each order's date, subject and how a
//! transaction falls within it (a named producer at any tier, or a class of
//! goods with Xinjiang inputs).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::geography;
use crate::listing::{self, Regime};
use crate::screen::{evidence, Screen};
use crate::table::{self, TableError};
use crate::text::{contains_words, fold};
use crate::transaction::{Flow, Transaction};
use chrono::NaiveDate;
use std::sync::LazyLock;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// UFLPA § 3(a) presumption effective (180 days after enactment).
pub fn uflpa_from() -> NaiveDate {
    day(2022, 6, 21)
}

#[derive(Clone, Debug)]
pub enum Scope {
    /// Goods produced (at any tier) by a producer whose name contains one
    /// of these folded phrases.
    Producer(Vec<&'static str>),
    /// Goods of these kinds (item tags or words in descriptions) with an
    /// input from Xinjiang; `xpcc_only` limits it to XPCC producers.
    Goods {
        kinds: Vec<&'static str>,
        xpcc_only: bool,
    },
}

#[derive(Debug)]
pub struct Wro {
    pub date: NaiveDate,
    pub subject: &'static str,
    pub scope: Scope,
}

const FILE: &str = "wro.tsv";
const TEXT: &str = include_str!("../data/wro.tsv");

/// Parses `data/wro.tsv`: date, scope (`producer`, `goods`, `goods-xpcc`),
/// `|`-separated folded keys, subject.
pub fn parse_wros(text: &'static str) -> Result<Vec<Wro>, TableError> {
    table::rows(FILE, text)
        .map(|r| {
            let d = r.get(0)?;
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|e| r.error(format!("date {d:?}: {e}")))?;
            let keys: Vec<&'static str> = r.get(2)?.split('|').map(str::trim).collect();
            if let Some(k) = keys.iter().find(|k| k.is_empty() || fold(k) != **k) {
                return Err(r.error(format!("key {k:?} is empty or not folded")));
            }
            let scope = match r.get(1)? {
                "producer" => Scope::Producer(keys),
                "goods" => Scope::Goods {
                    kinds: keys,
                    xpcc_only: false,
                },
                "goods-xpcc" => Scope::Goods {
                    kinds: keys,
                    xpcc_only: true,
                },
                x => {
                    return Err(r.error(format!("scope {x:?} is not producer, goods or goods-xpcc")))
                }
            };
            Ok(Wro {
                date,
                subject: r.get(3)?,
                scope,
            })
        })
        .collect()
}

static WROS: LazyLock<Vec<Wro>> = LazyLock::new(|| table::embedded(parse_wros(TEXT)));

/// RULES.md §6.2 [S]: the WRO table (`data/wro.tsv`), dates from CBP's WRO
/// data as transcribed, and press.
pub fn wros() -> &'static [Wro] {
    &WROS
}

const WRO_CITES: &[&str] = &["19 U.S.C. 1307", "19 CFR 12.42-12.45"];
const UFLPA_CITES: &[&str] = &["UFLPA § 3(a) (Pub. L. 117-78)", "19 U.S.C. 1307"];

/// Producers at any tier: input producers and producing parties.
fn producers(tx: &Transaction) -> Vec<String> {
    let mut out: Vec<String> = tx
        .inputs
        .iter()
        .filter_map(|i| i.producer.clone())
        .collect();
    out.extend(
        tx.parties
            .iter()
            .filter(|p| p.role.is_producer())
            .map(|p| p.name.clone()),
    );
    out
}

/// Inputs (or producing parties) tied to Xinjiang, with what tied them.
fn xinjiang_inputs(tx: &Transaction) -> Vec<(String, bool)> {
    let mut out = vec![];
    for i in &tx.inputs {
        let text = format!(
            "{} {}",
            i.origin_region.clone().unwrap_or_default(),
            i.producer.clone().unwrap_or_default()
        );
        let n = geography::scan(&text, None);
        if !n.xinjiang.is_empty() {
            let what = i.description.clone().unwrap_or_else(|| "an input".into());
            out.push((
                format!("{what} ({})", n.xinjiang.join("; ")),
                !n.xpcc.is_empty(),
            ));
        }
    }
    for p in tx.parties.iter().filter(|p| p.role.is_producer()) {
        let mut n = geography::scan(
            &format!("{} {}", p.name, p.address.clone().unwrap_or_default()),
            p.country,
        );
        if let Some(r) = &p.registration_id {
            let u = geography::scan_uscc(r);
            n.xinjiang.extend(u.xinjiang);
            n.xpcc.extend(u.xpcc);
        }
        if !n.xinjiang.is_empty() {
            out.push((
                format!(
                    "{} \"{}\" ({})",
                    p.role.as_str(),
                    p.name,
                    n.xinjiang.join("; ")
                ),
                !n.xpcc.is_empty(),
            ));
        }
    }
    out
}

fn goods_text(tx: &Transaction) -> String {
    let mut s = String::new();
    if let Some(i) = &tx.item {
        s.push_str(&i.tags.join(" "));
        s.push(' ');
        s.push_str(i.description.as_deref().unwrap_or(""));
    }
    for i in &tx.inputs {
        s.push(' ');
        s.push_str(i.description.as_deref().unwrap_or(""));
    }
    fold(&s)
}

pub fn evaluate_wro(tx: &Transaction) -> Vec<Finding> {
    if tx.flow != Flow::Import {
        return vec![];
    }
    let prods: Vec<String> = producers(tx).iter().map(|p| fold(p)).collect();
    let xj = xinjiang_inputs(tx);
    let goods = goods_text(tx);
    let mut out = vec![];
    for w in wros() {
        let date = w.date;
        let why = match &w.scope {
            Scope::Producer(keys) => keys
                .iter()
                .find(|k| prods.iter().any(|p| contains_words(p, k)))
                .map(|k| format!("a producer in the supply chain matches \"{k}\"")),
            Scope::Goods { kinds, xpcc_only } => {
                let kind = kinds.iter().find(|k| contains_words(&goods, k));
                let src = xj.iter().find(|(_, xpcc)| !*xpcc_only || *xpcc);
                match (kind, src) {
                    (Some(k), Some((s, _))) => Some(format!("{k} goods with Xinjiang input: {s}")),
                    _ => None,
                }
            }
        };
        let Some(why) = why else { continue };
        if tx.date < date {
            continue;
        }
        out.push(
            Finding::new(Measure::Wro, Outcome::Detained, "RULES.md §6.2 WRO-1", Confidence::Secondary)
                .cites(WRO_CITES.iter().copied())
                .cite(format!("CBP withhold release order of {date} ({})", w.subject))
                .dated("WRO issued", date)
                .reason(format!("Within the WRO \"{}\": {why}.", w.subject))
                .reason("CBP detains the goods: re-export them, or submit the 19 CFR 12.43 proof (certificate of origin and detailed statement) within 3 months; otherwise they are excluded."),
        );
    }
    if out.is_empty() {
        out.push(
            Finding::new(
                Measure::Wro,
                Outcome::NotApplicable,
                "RULES.md §6.2 WRO-1",
                Confidence::Secondary,
            )
            .cites(WRO_CITES.iter().copied())
            .reason(format!(
                "No Xinjiang-related WRO in force on {} matches the stated producers and goods.",
                tx.date
            )),
        );
    }
    out
}

pub fn evaluate_uflpa(tx: &Transaction, screen: &Screen) -> Vec<Finding> {
    if tx.flow != Flow::Import {
        return vec![];
    }
    let from = uflpa_from();
    let base = |o, rule: &str, conf| {
        Finding::new(Measure::Uflpa, o, rule, conf)
            .cites(UFLPA_CITES.iter().copied())
            .dated("UFLPA presumption effective", from)
    };
    if tx.date < from {
        return vec![base(
            Outcome::NotApplicable,
            "RULES.md §6.1",
            Confidence::Secondary,
        )
        .reason(format!(
            "The UFLPA presumption applies to entries from {from}; this entry is dated {}.",
            tx.date
        ))];
    }
    let xj = xinjiang_inputs(tx);
    let mut listed = vec![];
    // Cites and dates of the listed entries' clauses in force on the date.
    let mut clause_cites: Vec<String> = vec![];
    let mut clause_dates: Vec<(String, NaiveDate)> = vec![];
    // Entries that match but do not raise the presumption on this date.
    let mut off_date: Vec<String> = vec![];
    // Entries whose listing on the date cannot be told, and weak matches.
    let mut review = vec![];
    for p in producers(tx) {
        let h = screen.hits(&p, None, Regime::Uflpa);
        for m in &h.in_force {
            for (c, d) in listing::uflpa_clauses(&m.entity) {
                if d.is_some_and(|d| d > tx.date) {
                    continue;
                }
                let cite = format!("Pub. L. 117-78 § 2(d)(2)(B)({c})");
                if !clause_cites.contains(&cite) {
                    clause_cites.push(cite);
                }
                if let Some(d) = d {
                    clause_dates.push((
                        format!(
                            "UFLPA Entity List, clause ({c}), effective for \"{}\"",
                            m.entity.caption()
                        ),
                        d,
                    ));
                }
            }
            listed.push(evidence(&p, Some("producer"), m));
        }
        for m in h.not_yet.iter().chain(&h.removed) {
            let why = m.listing.as_ref().map(|l| l.summary()).unwrap_or_default();
            off_date.push(format!(
                "\"{p}\" matches UFLPA Entity List entry \"{}\", which does not raise the presumption for an entry dated {}: {why}.",
                m.entity.caption(),
                tx.date
            ));
        }
        for m in &h.uncertain {
            let why = m.listing.as_ref().map(|l| l.summary()).unwrap_or_default();
            review.push((
                evidence(&p, Some("producer"), m),
                format!(
                    "Whether UFLPA Entity List entry \"{}\" was in effect on {} cannot be told: {why}.",
                    m.entity.caption(),
                    tx.date
                ),
            ));
        }
        for m in &h.weak {
            review.push((
                evidence(&p, Some("producer"), m),
                format!(
                    "\"{p}\" is a possible match ({:.2}) for UFLPA Entity List entry \"{}\": confirm or rule out the identity.",
                    m.score,
                    m.entity.caption()
                ),
            ));
        }
    }
    if xj.is_empty() && listed.is_empty() {
        let mut f = if !review.is_empty() {
            base(
                Outcome::NeedsReview,
                "RULES.md §6.1 U2 (listing or identity uncertain)",
                Confidence::Uncertain,
            )
        } else if tx.context.supply_chain_tracing
            == Some(crate::transaction::SupplyChainTracing::Complete)
        {
            base(Outcome::NotApplicable, "RULES.md §6.1 U3", Confidence::Secondary)
                .reason("Supply-chain tracing is complete and shows no XUAR input and no UFLPA-listed producer: outside the presumption (applicability review).")
        } else {
            base(Outcome::NeedsReview, "RULES.md §6.1 U3", Confidence::Secondary)
                .reason("No XUAR input or UFLPA-listed producer among the stated inputs, but the supply chain is not stated to be fully traced; absence of a hit is not clearance.")
        };
        for (ev, why) in review {
            f = f.reason(why).evidence(ev);
        }
        for r in off_date {
            f = f.reason(r);
        }
        return vec![f];
    }
    let rule = if xj.is_empty() {
        "RULES.md §6.1 U2"
    } else {
        "RULES.md §6.1 U1"
    };
    let outcome = if tx.context.uflpa_exception_evidence == Some(true) {
        Outcome::ExceptionPossible
    } else {
        Outcome::PresumedProhibited
    };
    let mut f = base(outcome, rule, Confidence::Secondary).cites(clause_cites);
    for (label, d) in clause_dates {
        f = f.dated(label, d);
    }
    for (s, _) in &xj {
        f = f.reason(format!("Mined, produced or manufactured wholly or in part in XUAR: {s}. There is no de minimis (U5)."));
    }
    for ev in listed {
        let since = ev
            .listing
            .as_ref()
            .and_then(|l| l.listed_since())
            .map(|d| format!(", in effect since {d}"))
            .unwrap_or_default();
        f = f
            .reason(format!(
                "Produced by UFLPA Entity List entity \"{}\"{since}.",
                ev.matched
            ))
            .evidence(ev);
    }
    for (ev, why) in review {
        f = f.reason(why).evidence(ev);
    }
    for r in off_date {
        f = f.reason(r);
    }
    f = if outcome == Outcome::ExceptionPossible {
        f.cite("UFLPA § 3(b)").reason("The importer states full compliance with the FLETF guidance, complete answers to CBP and clear and convincing evidence of no forced labour: CBP may grant the § 3(b) exception and must report it to Congress within 30 days (§ 3(c)).")
    } else {
        f.reason("Presumed prohibited and not entitled to entry; release only via the § 3(b) exception (FLETF guidance complied with, all CBP inquiries answered, clear and convincing evidence).")
    };
    vec![f]
}

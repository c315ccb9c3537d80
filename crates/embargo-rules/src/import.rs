//! Import measures: the UFLPA rebuttable presumption (RULES.md §6.1, table
//! UFLPA-1) and the Xinjiang withhold release orders under 19 U.S.C. 1307
//! (§6.2, table WRO-1). Both run for `import` flows; the entry date is the
//! transaction date.
//!
//! `WROS` is the WRO table: each order's date, subject and how a
//! transaction falls within it (a named producer at any tier, or a class of
//! goods with Xinjiang inputs).

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::geography;
use crate::listing::Regime;
use crate::screen::{evidence, Screen};
use crate::text::{contains_words, fold};
use crate::transaction::{Flow, Transaction};
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// UFLPA § 3(a) presumption effective (180 days after enactment).
pub fn uflpa_from() -> NaiveDate {
    day(2022, 6, 21)
}

#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Goods produced (at any tier) by a producer whose name contains one
    /// of these folded phrases.
    Producer(&'static [&'static str]),
    /// Goods of these kinds (item tags or words in descriptions) with an
    /// input from Xinjiang; `xpcc_only` limits it to XPCC producers.
    Goods {
        kinds: &'static [&'static str],
        xpcc_only: bool,
    },
}

pub struct Wro {
    pub date: (i32, u32, u32),
    pub subject: &'static str,
    pub scope: Scope,
}

/// RULES.md §6.2 [S]: dates from CBP's WRO data as transcribed, and press.
pub const WROS: &[Wro] = &[
    Wro { date: (2019, 9, 30), subject: "Hetian Taida Apparel", scope: Scope::Producer(&["hetian taida"]) },
    Wro { date: (2020, 5, 1), subject: "Hetian Haolin Hair Accessories", scope: Scope::Producer(&["hetian haolin"]) },
    Wro { date: (2020, 6, 17), subject: "Lop County Meixin Hair Products", scope: Scope::Producer(&["lop county meixin"]) },
    Wro { date: (2020, 8, 25), subject: "No. 4 Vocational Skills Education Training Center; Lop County Hair Product Industrial Park", scope: Scope::Producer(&["no 4 vocational skills education training center", "lop county hair product industrial park"]) },
    Wro { date: (2020, 9, 3), subject: "Yili Zhuowan Garment Manufacturing; Baoding LYSZD Trade and Business", scope: Scope::Producer(&["yili zhuowan", "baoding lyszd"]) },
    Wro { date: (2020, 9, 8), subject: "Hefei Bitland Information Technology (computer parts)", scope: Scope::Producer(&["hefei bitland"]) },
    Wro { date: (2020, 11, 30), subject: "Cotton and cotton products produced by the XPCC", scope: Scope::Goods { kinds: &["cotton"], xpcc_only: true } },
    Wro { date: (2021, 1, 13), subject: "Region-wide: all cotton and tomato products from XUAR, including downstream products made elsewhere", scope: Scope::Goods { kinds: &["cotton", "tomato", "tomatoes"], xpcc_only: false } },
    Wro { date: (2021, 6, 24), subject: "Hoshine Silicon Industry Co., Ltd. and subsidiaries: silica-based products and goods derived from or produced using them (e.g. polysilicon)", scope: Scope::Producer(&["hoshine"]) },
    Wro { date: (2021, 11, 2), subject: "Xinjiang Junggar Cotton and Linen", scope: Scope::Producer(&["junggar cotton"]) },
];

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
    for w in WROS {
        let date = day(w.date.0, w.date.1, w.date.2);
        let why = match w.scope {
            Scope::Producer(keys) => keys
                .iter()
                .find(|k| prods.iter().any(|p| contains_words(p, k)))
                .map(|k| format!("a producer in the supply chain matches \"{k}\"")),
            Scope::Goods { kinds, xpcc_only } => {
                let kind = kinds.iter().find(|k| contains_words(&goods, k));
                let src = xj.iter().find(|(_, xpcc)| !xpcc_only || *xpcc);
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
    for p in producers(tx) {
        for m in screen.hits(&p, None, Regime::Uflpa).in_force {
            listed.push(evidence(&p, Some("producer"), &m));
        }
    }
    if xj.is_empty() && listed.is_empty() {
        return if tx.context.supply_chain_tracing.as_deref() == Some("complete") {
            vec![base(Outcome::NotApplicable, "RULES.md §6.1 U3", Confidence::Secondary)
                .reason("Supply-chain tracing is complete and shows no XUAR input and no UFLPA-listed producer: outside the presumption (applicability review).")]
        } else {
            vec![base(Outcome::NeedsReview, "RULES.md §6.1 U3", Confidence::Secondary)
                .reason("No XUAR input or UFLPA-listed producer among the stated inputs, but the supply chain is not stated to be fully traced; absence of a hit is not clearance.")]
        };
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
    let mut f = base(outcome, rule, Confidence::Secondary);
    for (s, _) in &xj {
        f = f.reason(format!("Mined, produced or manufactured wholly or in part in XUAR: {s}. There is no de minimis (U5)."));
    }
    for ev in listed {
        f = f
            .reason(format!(
                "Produced by UFLPA Entity List entity \"{}\".",
                ev.matched
            ))
            .evidence(ev);
    }
    f = if outcome == Outcome::ExceptionPossible {
        f.cite("UFLPA § 3(b)").reason("The importer states full compliance with the FLETF guidance, complete answers to CBP and clear and convincing evidence of no forced labour: CBP may grant the § 3(b) exception and must report it to Congress within 30 days (§ 3(c)).")
    } else {
        f.reason("Presumed prohibited and not entitled to entry; release only via the § 3(b) exception (FLETF guidance complied with, all CBP inquiries answered, clear and convincing evidence).")
    };
    vec![f]
}

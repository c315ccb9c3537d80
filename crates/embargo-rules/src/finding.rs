//! Findings: what one measure concluded about one transaction, and why.
//!
//! A `Finding` carries the outcome in the exact vocabulary of
//! `shared/rules/README.md`, the legal citations, the dates that made the
//! rule apply, the evidence (which list entry matched which party, in which
//! list version, with what score) and plain-English reasons. `Decision` is
//! the whole answer for a transaction; `Decision::to_text` is the
//! `--explain` report.
//!
//! `Measure::allows` states which outcomes each measure may take; the engine
//! only builds findings through `Finding::new`, which checks it, so an
//! `OFAC_CMIC / DETAINED` finding cannot be produced.

use crate::transaction::Transaction;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Measure {
    EarJurisdiction,
    EarEntityList,
    EarCountryChart,
    OfacSdn,
    OfacCmic,
    #[serde(rename = "PROCUREMENT_889")]
    Procurement889,
    FccCoveredList,
    UkProcurement,
    EuSanctions,
    Uflpa,
    Wro,
    Visa,
    Flag,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Subject,
    NotSubject,
    Indeterminate,
    LicenseRequired,
    NoLicenseRequired,
    MayProceed,
    LicenseRequiredLikelyDenied,
    Prohibited,
    NotProhibited,
    NeedsReview,
    PresumedProhibited,
    NotApplicable,
    ExceptionPossible,
    Detained,
    NotScreenable,
    XinjiangNexus,
    XpccNexus,
    RedFlagAffiliate,
    RedFlagControl,
    DesignationRisk,
}

impl Measure {
    /// The outcomes a measure may take (README vocabulary). NEEDS_REVIEW is
    /// allowed for every measure except VISA: where the law or the facts
    /// are uncertain the engine says so under the measure concerned rather
    /// than guessing (brief: "say NEEDS_REVIEW with the reason").
    pub fn allows(self, o: Outcome) -> bool {
        use Outcome::*;
        if o == NeedsReview {
            return self != Measure::Visa;
        }
        match self {
            Measure::EarJurisdiction => matches!(o, Subject | NotSubject | Indeterminate),
            Measure::EarEntityList => matches!(o, LicenseRequired | NoLicenseRequired | MayProceed),
            Measure::EarCountryChart => {
                matches!(
                    o,
                    LicenseRequired | NoLicenseRequired | LicenseRequiredLikelyDenied
                )
            }
            Measure::OfacSdn => matches!(o, Prohibited | NotProhibited),
            Measure::OfacCmic
            | Measure::Procurement889
            | Measure::FccCoveredList
            | Measure::UkProcurement
            | Measure::EuSanctions => matches!(o, Prohibited | NotProhibited),
            Measure::Uflpa => matches!(o, PresumedProhibited | NotApplicable | ExceptionPossible),
            Measure::Wro => matches!(o, Detained | NotApplicable),
            Measure::Visa => o == NotScreenable,
            Measure::Flag => matches!(
                o,
                XinjiangNexus | XpccNexus | RedFlagAffiliate | RedFlagControl | DesignationRisk
            ),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::EarJurisdiction => "EAR_JURISDICTION",
            Measure::EarEntityList => "EAR_ENTITY_LIST",
            Measure::EarCountryChart => "EAR_COUNTRY_CHART",
            Measure::OfacSdn => "OFAC_SDN",
            Measure::OfacCmic => "OFAC_CMIC",
            Measure::Procurement889 => "PROCUREMENT_889",
            Measure::FccCoveredList => "FCC_COVERED_LIST",
            Measure::UkProcurement => "UK_PROCUREMENT",
            Measure::EuSanctions => "EU_SANCTIONS",
            Measure::Uflpa => "UFLPA",
            Measure::Wro => "WRO",
            Measure::Visa => "VISA",
            Measure::Flag => "FLAG",
        }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        use Outcome::*;
        match self {
            Subject => "SUBJECT",
            NotSubject => "NOT_SUBJECT",
            Indeterminate => "INDETERMINATE",
            LicenseRequired => "LICENSE_REQUIRED",
            NoLicenseRequired => "NO_LICENSE_REQUIRED",
            MayProceed => "MAY_PROCEED",
            LicenseRequiredLikelyDenied => "LICENSE_REQUIRED_LIKELY_DENIED",
            Prohibited => "PROHIBITED",
            NotProhibited => "NOT_PROHIBITED",
            NeedsReview => "NEEDS_REVIEW",
            PresumedProhibited => "PRESUMED_PROHIBITED",
            NotApplicable => "NOT_APPLICABLE",
            ExceptionPossible => "EXCEPTION_POSSIBLE",
            Detained => "DETAINED",
            NotScreenable => "NOT_SCREENABLE",
            XinjiangNexus => "XINJIANG_NEXUS",
            XpccNexus => "XPCC_NEXUS",
            RedFlagAffiliate => "RED_FLAG_AFFILIATE",
            RedFlagControl => "RED_FLAG_CONTROL",
            DesignationRisk => "DESIGNATION_RISK",
        }
    }
}

/// Entity List licence review policy (RULES.md §1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewPolicy {
    // Declared in order of restrictiveness, so `max` picks the strictest
    // (EL1.5: with several listed owners the most restrictive applies).
    CaseByCase,
    PresumptionOfDenial,
}

impl ReviewPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewPolicy::CaseByCase => "CASE_BY_CASE",
            ReviewPolicy::PresumptionOfDenial => "PRESUMPTION_OF_DENIAL",
        }
    }
}

/// RULES.md §0.1 confidence tags, for the weakest fact the finding rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Confidence {
    /// Verified against primary text.
    #[serde(rename = "V")]
    Verified,
    /// Reputable secondary source.
    #[serde(rename = "S")]
    Secondary,
    /// Background knowledge, not re-verified.
    #[serde(rename = "K")]
    Knowledge,
    /// Uncertain or conflicting.
    #[serde(rename = "U")]
    Uncertain,
}

/// A date that made a rule apply (listing date, rule effective date, …).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectiveDate {
    pub label: String,
    pub date: NaiveDate,
}

/// One list entry (or ownership chain) that a finding rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// The name as the transaction gives it.
    pub party: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The matched entry's primary name.
    pub matched: String,
    pub entity_id: String,
    /// Dataset and sub-list of the entry.
    pub list: String,
    pub list_version: String,
    pub score: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    /// Ownership chain for 50 %-rule findings, owner first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// Whether the entry was listed on the date evaluated, and the listing
    /// interval(s) and history that answer rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<crate::dating::ListingEvidence>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub measure: Measure,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_policy: Option<ReviewPolicy>,
    pub citations: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effective_dates: Vec<EffectiveDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    pub reasons: Vec<String>,
    pub confidence: Confidence,
    /// The page of `docs/rules/` and the row of its decision table that
    /// decided it, e.g. `docs/rules/entity-list.md EL1.1`.
    pub rule: String,
    /// What to do, one line in the register of the law that requires it;
    /// `None` when the outcome leaves nothing to act on (`actions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Who the action falls on (the exporter, the US person holding the
    /// property, the contracting agency, the importer of record, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty_of: Option<String>,
    /// Why a clear outcome is not a clearance: set exactly when the outcome
    /// is clear (`Outcome::is_clear`) and the confidence is `U`, by the step
    /// that lowered the confidence (the regime pack alone for OFAC, a stated
    /// purpose or plan Embargo cannot check, a data note on the entry).
    /// Also one of `reasons`; the short form of `embargo decide` prints it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// The `docs/rules/` page that explains a measure (the pages are written
/// from RULES.md, whose section numbers stay in the code's comments and
/// call sites). A FLAG goes to the page of the measure that raises it,
/// found from the RULES.md section its rule names.
pub fn doc_page(measure: Measure, rule: &str) -> &'static str {
    match measure {
        Measure::EarJurisdiction => "jurisdiction.md",
        Measure::EarEntityList => "entity-list.md",
        Measure::EarCountryChart => "country-chart.md",
        Measure::OfacSdn => "ofac-sdn.md",
        Measure::OfacCmic => "cmic.md",
        Measure::Procurement889 => "procurement-889.md",
        Measure::FccCoveredList => "fcc-covered-list.md",
        Measure::UkProcurement => "uk-procurement.md",
        Measure::EuSanctions => "eu-sanctions.md",
        Measure::Uflpa => "uflpa.md",
        Measure::Wro => "wro.md",
        Measure::Visa => "visa.md",
        Measure::Flag => {
            let section = rule.trim_start_matches("RULES.md").trim_start();
            if section.starts_with("§1") {
                "entity-list.md"
            } else if section.starts_with("§2") {
                "jurisdiction.md"
            } else if section.starts_with("§4") {
                "ofac-sdn.md"
            } else {
                "geography.md"
            }
        }
    }
}

/// A RULES.md section number (`§1.2`, `§4.5`), not a legal section sign
/// followed by a space (`§ 889(b)`).
fn is_section(w: &str) -> bool {
    let mut c = w.chars();
    c.next() == Some('§') && c.next().is_some_and(|d| d.is_ascii_digit())
}

/// Rewrites a `RULES.md §1.2 EL1.1` rule into the user-facing
/// `docs/rules/entity-list.md EL1.1`: the page for the measure, then the
/// row label and any note, without RULES.md's section numbers (a file
/// users do not have). Other rule texts are kept as they are.
pub fn doc_rule(measure: Measure, rule: &str) -> String {
    let Some(rest) = rule.strip_prefix("RULES.md") else {
        return rule.to_string();
    };
    let words: Vec<&str> = rest.split_whitespace().filter(|w| !is_section(w)).collect();
    // Drop separators left dangling by removed section numbers.
    let mut kept: Vec<&str> = vec![];
    for w in words {
        if w == "/" && kept.last().is_none_or(|l| *l == "/") {
            continue;
        }
        kept.push(w);
    }
    while kept.last() == Some(&"/") {
        kept.pop();
    }
    let page = doc_page(measure, rule);
    if kept.is_empty() {
        format!("docs/rules/{page}")
    } else {
        format!("docs/rules/{page} {}", kept.join(" "))
    }
}

impl Finding {
    /// Panics only on a programming error (a measure/outcome pair outside
    /// the vocabulary), never on user input: every call site passes
    /// constants.
    pub fn new(measure: Measure, outcome: Outcome, rule: &str, confidence: Confidence) -> Self {
        assert!(
            measure.allows(outcome),
            "{} cannot have outcome {}",
            measure.as_str(),
            outcome.as_str()
        );
        Finding {
            measure,
            outcome,
            review_policy: None,
            citations: vec![],
            effective_dates: vec![],
            evidence: vec![],
            reasons: vec![],
            confidence,
            rule: doc_rule(measure, rule),
            action: None,
            duty_of: None,
            caveat: None,
        }
    }

    pub fn cite(mut self, c: impl Into<String>) -> Self {
        let c = c.into();
        if !self.citations.contains(&c) {
            self.citations.push(c);
        }
        self
    }

    pub fn cites<I: IntoIterator<Item = S>, S: Into<String>>(mut self, cs: I) -> Self {
        for c in cs {
            self = self.cite(c);
        }
        self
    }

    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reasons.push(r.into());
        self
    }

    /// Lowers the confidence to `U` and records why this outcome, if clear,
    /// is not a clearance: `text` becomes the finding's `caveat` and one
    /// of its reasons.
    pub fn caveat(mut self, text: impl Into<String>) -> Self {
        self.set_caveat(text);
        self
    }

    /// [`Finding::caveat`] on a finding in place.
    pub fn set_caveat(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.confidence = self.confidence.max(Confidence::Uncertain);
        if !self.reasons.contains(&text) {
            self.reasons.push(text.clone());
        }
        self.caveat = Some(text);
    }

    pub fn dated(mut self, label: impl Into<String>, date: NaiveDate) -> Self {
        self.effective_dates.push(EffectiveDate {
            label: label.into(),
            date,
        });
        self
    }

    pub fn evidence(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }

    pub fn policy(mut self, p: ReviewPolicy) -> Self {
        self.review_policy = Some(p);
        self
    }
}

/// The engine's whole answer for one transaction: the decision document.
///
/// `Engine::decide` fills the input, the date evaluated for, the list
/// versions its matches came from and the findings; the deciding act
/// (`embargo-app`) then calls [`Decision::stamp`], which adds the decision
/// id, the time of evaluation and every list version the snapshot holds,
/// so the document names all it was checked against even when nothing
/// hits. The engine itself stays deterministic (tests, `decide_bench`).
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    /// Random 128-bit id in UUID form (version 4), set by [`Decision::stamp`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<String>,
    /// The transaction date: the law and the lists as they stood that day.
    pub evaluated_for: NaiveDate,
    /// When the decision was made (UTC), set by [`Decision::stamp`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<DateTime<Utc>>,
    /// The transaction as parsed (codes canonical, currency upper-cased).
    pub input: Transaction,
    /// List versions the decision was made against: those whose entries
    /// matched, and after [`Decision::stamp`] every version loaded.
    pub list_versions: Vec<String>,
    pub findings: Vec<Finding>,
    /// The stated ownership drawn as a graph (owners, blocked and listed
    /// nodes, aggregate shares); absent when the transaction states none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership: Option<crate::ownership::Graph>,
}

/// A fresh decision id: 16 random bytes from the operating system
/// (`getrandom`) as a version-4 UUID. Should the OS refuse randomness, the
/// id is made from the clock and a process counter, still unique in this
/// process.
pub fn new_decision_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
        b[..8].copy_from_slice(&nanos.to_be_bytes());
        b[8..].copy_from_slice(&N.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Outcome {
    /// Whether the outcome leaves nothing to act on: not subject, no licence
    /// required, may proceed, not prohibited, not applicable (and "subject
    /// to the EAR", which the other measures decide). Everything else —
    /// licences, prohibitions, red flags, indeterminate, NEEDS_REVIEW —
    /// asks someone to act.
    pub fn is_clear(&self) -> bool {
        matches!(
            self,
            Outcome::NotSubject
                | Outcome::Subject
                | Outcome::NoLicenseRequired
                | Outcome::MayProceed
                | Outcome::NotProhibited
                | Outcome::NotApplicable
        )
    }
}

/// The generic caveat of a clear, uncertain finding whose measure did not
/// say why (a measure should: `Finding::caveat`).
pub const UNEXPLAINED_CAVEAT: &str = "Confidence is uncertain (RULES.md §0.1 U): a fact this outcome rests on is not verified, so it is not a clearance; read the reasons (`embargo decide --explain`) before relying on it.";

/// The engine's last step on the caveats: a finding whose outcome is not
/// clear has none (its outcome already asks for action); a clear finding
/// of uncertain confidence always has one, the generic
/// [`UNEXPLAINED_CAVEAT`] when no step gave its own.
pub fn settle_caveats(findings: &mut [Finding]) {
    for f in findings {
        if !f.outcome.is_clear() {
            f.caveat = None;
        } else if f.confidence == Confidence::Uncertain && f.caveat.is_none() {
            f.set_caveat(UNEXPLAINED_CAVEAT);
        }
    }
}

impl Decision {
    /// Whether any finding asks someone to act (see [`Outcome::is_clear`]).
    pub fn needs_action(&self) -> bool {
        self.findings.iter().any(|f| !f.outcome.is_clear())
    }

    /// Makes the decision a document of record: a fresh decision id, the
    /// time now, and `loaded` (every list version the engine holds) merged
    /// into `list_versions`, sorted and without repeats.
    pub fn stamp<I: IntoIterator<Item = String>>(&mut self, loaded: I) {
        self.decision_id = Some(new_decision_id());
        self.evaluated_at = Some(Utc::now());
        let mut all: std::collections::BTreeSet<String> = std::mem::take(&mut self.list_versions)
            .into_iter()
            .collect();
        all.extend(loaded);
        self.list_versions = all.into_iter().collect();
    }

    fn header(&self, s: &mut String) {
        match &self.decision_id {
            Some(id) => {
                let _ = writeln!(
                    s,
                    "Decision {id} for transaction dated {}",
                    self.evaluated_for
                );
            }
            None => {
                let _ = writeln!(s, "Decision for transaction dated {}", self.evaluated_for);
            }
        }
        if let Some(at) = self.evaluated_at {
            let _ = writeln!(s, "Evaluated at {}", at.format("%Y-%m-%d %H:%M:%S UTC"));
        }
        if !self.list_versions.is_empty() {
            let _ = writeln!(s, "Lists consulted: {}", self.list_versions.join(", "));
        }
    }

    fn outcome_line(s: &mut String, i: usize, f: &Finding) {
        let _ = write!(
            s,
            "\n{}. {}: {}",
            i + 1,
            f.measure.as_str(),
            f.outcome.as_str()
        );
        if let Some(p) = f.review_policy {
            let _ = write!(s, " (review policy: {})", p.as_str());
        }
    }

    fn action_line(s: &mut String, f: &Finding) {
        if let Some(a) = &f.action {
            let _ = write!(s, "   action: {a}");
            if let Some(d) = &f.duty_of {
                let _ = write!(s, " [duty of: {d}]");
            }
            s.push('\n');
        }
    }

    /// A clear outcome the engine is not sure of (confidence `U`: e.g. an
    /// OFAC result resting on the embedded pack because no SDN list is
    /// loaded) carries its caveat even in the short form, so a reader who
    /// skips `--explain` never takes it for a clearance. The caveat is the
    /// finding's `caveat` field (see [`settle_caveats`]).
    fn caveat_line(s: &mut String, f: &Finding) {
        if let Some(c) = &f.caveat {
            let _ = writeln!(s, "   caveat: {c}");
        }
    }

    /// The short report: per finding, the outcome and, when there is
    /// something to do, the action and whose duty it is; a clear outcome of
    /// uncertain confidence says why it is not a clearance.
    pub fn to_short_text(&self) -> String {
        let mut s = String::new();
        self.header(&mut s);
        for (i, f) in self.findings.iter().enumerate() {
            Self::outcome_line(&mut s, i, f);
            s.push('\n');
            Self::action_line(&mut s, f);
            Self::caveat_line(&mut s, f);
        }
        s
    }

    /// The `--explain` report: one block per finding, in the order the
    /// measures ran (RULES.md §0.3 pipeline), with the action, then the
    /// reasons, evidence, dates and citations.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.header(&mut s);
        let _ = writeln!(
            s,
            "Each measure is independent; no outcome below overrides another. Not legal advice."
        );
        for (i, f) in self.findings.iter().enumerate() {
            Self::outcome_line(&mut s, i, f);
            let _ = writeln!(s, "   [{} | confidence {:?}]", f.rule, f.confidence);
            Self::action_line(&mut s, f);
            for r in &f.reasons {
                let _ = writeln!(s, "   - {r}");
            }
            for e in &f.evidence {
                let _ = write!(
                    s,
                    "   evidence: \"{}\" matched \"{}\" ({}; {}; list version {}; score {:.2})",
                    e.party, e.matched, e.entity_id, e.list, e.list_version, e.score
                );
                if let Some(d) = &e.listed_on {
                    let _ = write!(s, "; listed {d}");
                }
                if !e.programs.is_empty() {
                    let _ = write!(s, "; programs {}", e.programs.join(", "));
                }
                if !e.chain.is_empty() {
                    let _ = write!(s, "; chain {}", e.chain.join(" -> "));
                }
                s.push('\n');
            }
            for d in &f.effective_dates {
                let _ = writeln!(s, "   date: {} {}", d.label, d.date);
            }
            if !f.citations.is_empty() {
                let _ = writeln!(s, "   cites: {}", f.citations.join("; "));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_serialises_exactly() {
        let j = serde_json::to_string(&(
            Measure::Procurement889,
            Measure::EarEntityList,
            Outcome::LicenseRequiredLikelyDenied,
            ReviewPolicy::PresumptionOfDenial,
        ))
        .unwrap();
        assert_eq!(
            j,
            r#"["PROCUREMENT_889","EAR_ENTITY_LIST","LICENSE_REQUIRED_LIKELY_DENIED","PRESUMPTION_OF_DENIAL"]"#
        );
        assert_eq!(
            serde_json::to_string(&Outcome::XpccNexus).unwrap(),
            "\"XPCC_NEXUS\""
        );
    }

    #[test]
    fn rules_cite_the_repository_pages() {
        assert_eq!(
            doc_rule(Measure::EarEntityList, "RULES.md §1.2 EL1.1"),
            "docs/rules/entity-list.md EL1.1"
        );
        assert_eq!(
            doc_rule(Measure::OfacSdn, "RULES.md §4.2 / §4.5 O1"),
            "docs/rules/ofac-sdn.md O1"
        );
        assert_eq!(
            doc_rule(Measure::EuSanctions, "RULES.md §5.3 (EU sanctions)"),
            "docs/rules/eu-sanctions.md (EU sanctions)"
        );
        assert_eq!(
            doc_rule(Measure::Flag, "RULES.md §9 G-2"),
            "docs/rules/geography.md G-2"
        );
        assert_eq!(
            doc_rule(Measure::Flag, "RULES.md §4.5 O3"),
            "docs/rules/ofac-sdn.md O3"
        );
        assert_eq!(
            doc_rule(Measure::Procurement889, "RULES.md §5.1 § 889(b)"),
            "docs/rules/procurement-889.md § 889(b)"
        );
        assert_eq!(
            doc_rule(Measure::EarCountryChart, "RULES.md §3.1"),
            "docs/rules/country-chart.md"
        );
    }

    /// Every page a finding can cite exists in the repository.
    #[test]
    fn every_cited_page_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules");
        let measures = [
            Measure::EarJurisdiction,
            Measure::EarEntityList,
            Measure::EarCountryChart,
            Measure::OfacSdn,
            Measure::OfacCmic,
            Measure::Procurement889,
            Measure::FccCoveredList,
            Measure::UkProcurement,
            Measure::EuSanctions,
            Measure::Uflpa,
            Measure::Wro,
            Measure::Visa,
        ];
        let mut pages: Vec<&str> = measures.iter().map(|m| doc_page(*m, "")).collect();
        for r in [
            "RULES.md §1.2",
            "RULES.md §2.4",
            "RULES.md §4.5",
            "RULES.md §9",
        ] {
            pages.push(doc_page(Measure::Flag, r));
        }
        for p in pages {
            let path = format!("{dir}/{p}");
            assert!(std::path::Path::new(&path).is_file(), "{path} is missing");
        }
    }

    #[test]
    fn measures_reject_foreign_outcomes() {
        assert!(!Measure::OfacCmic.allows(Outcome::Detained));
        assert!(!Measure::Visa.allows(Outcome::NeedsReview));
        assert!(Measure::Wro.allows(Outcome::Detained));
        assert!(ReviewPolicy::PresumptionOfDenial > ReviewPolicy::CaseByCase);
    }

    fn decision(findings: Vec<Finding>) -> Decision {
        Decision {
            decision_id: None,
            evaluated_for: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            evaluated_at: None,
            input: crate::parse_transaction(r#"{"date":"2024-01-01","flow":"payment"}"#).unwrap(),
            list_versions: vec![],
            findings,
            ownership: None,
        }
    }

    #[test]
    fn the_short_form_prints_the_caveat_field_not_the_last_reason() {
        let clear = Finding::new(
            Measure::OfacSdn,
            Outcome::NotProhibited,
            "x",
            Confidence::Verified,
        )
        .reason("No party matched.")
        .caveat("Only the pack was consulted.")
        .reason("A reason added after the caveat.");
        assert_eq!(clear.confidence, Confidence::Uncertain);
        assert_eq!(clear.reasons.len(), 3, "the caveat is also a reason");
        let mut fs = vec![clear];
        settle_caveats(&mut fs);
        let short = decision(fs).to_short_text();
        assert!(
            short.contains("   caveat: Only the pack was consulted.\n"),
            "{short}"
        );
        assert!(!short.contains("A reason added after"), "{short}");
    }

    #[test]
    fn caveats_are_settled_for_clears_only_and_never_missing() {
        let unexplained = Finding::new(
            Measure::OfacSdn,
            Outcome::NotProhibited,
            "x",
            Confidence::Uncertain,
        )
        .reason("No party matched.");
        let review = Finding::new(
            Measure::OfacSdn,
            Outcome::NeedsReview,
            "x",
            Confidence::Verified,
        )
        .caveat("Only the pack was consulted.");
        let sure = Finding::new(
            Measure::OfacSdn,
            Outcome::NotProhibited,
            "x",
            Confidence::Verified,
        )
        .reason("No party matched.");
        let mut fs = vec![unexplained, review, sure];
        settle_caveats(&mut fs);
        assert_eq!(fs[0].caveat.as_deref(), Some(UNEXPLAINED_CAVEAT));
        assert_eq!(fs[1].caveat, None, "a NEEDS_REVIEW asks for action itself");
        assert_eq!(fs[2].caveat, None);
        let json = serde_json::to_value(&fs[0]).unwrap();
        assert_eq!(json["caveat"], UNEXPLAINED_CAVEAT);
        assert!(serde_json::to_value(&fs[2])
            .unwrap()
            .get("caveat")
            .is_none());
    }
}

//! What to do about each finding, and whose duty it is (issue 12 item 6).
//!
//! After consolidation every finding whose outcome asks someone to act
//! (not [`Outcome::is_clear`]) gets a one-line `action` in the register of
//! the law that requires it, naming the provision, and `duty_of`, the
//! party the duty falls on. The action is chosen per measure, outcome and
//! flow (an OFAC hit on a payment is blocked, on a shipment rejected; § 889
//! falls on the agency, the contractor or the grant recipient). A
//! NEEDS_REVIEW or INDETERMINATE finding, and a FLAG, is escalated to
//! compliance with its first reason, which names the missing fact.
//! Clear outcomes get no action.

use crate::finding::{Finding, Measure, Outcome, ReviewPolicy};
use crate::transaction::{Buyer, EquipmentUser, Flow, Transaction};

const COMPLIANCE: &str = "compliance (the actor's export-control and sanctions function)";

/// Sets `action` and `duty_of` on every finding that asks someone to act.
pub fn assign(tx: &Transaction, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if let Some((action, duty)) = action_for(tx, f) {
            f.action = Some(action);
            f.duty_of = Some(duty);
        }
    }
}

fn escalate(f: &Finding) -> String {
    match f.reasons.first() {
        Some(r) => format!("Escalate to compliance: {r}"),
        None => "Escalate to compliance: the facts do not settle this measure.".into(),
    }
}

/// The EAR verb and the party it binds.
fn ear_verb(flow: Flow) -> (&'static str, &'static str) {
    match flow {
        Flow::Reexport => ("reexport", "the reexporter (US person or not)"),
        Flow::Transfer => (
            "the in-country transfer",
            "the transferor (US person or not)",
        ),
        _ => (
            "export",
            "the exporter (the US principal party in interest or its agent)",
        ),
    }
}

fn ofac_duty(tx: &Transaction) -> String {
    match tx.actor.us_person {
        Some(true) => {
            "the actor (a US person), and any US bank or person holding the property".into()
        }
        _ => "every US person (and US bank) holding the property or taking part in the transaction"
            .into(),
    }
}

fn action_for(tx: &Transaction, f: &Finding) -> Option<(String, String)> {
    use Outcome::*;
    if f.outcome.is_clear() {
        return None;
    }
    if matches!(f.outcome, NeedsReview | Indeterminate) || f.measure == Measure::Flag {
        return Some((escalate(f), COMPLIANCE.into()));
    }
    let (verb, exporter) = ear_verb(tx.flow);
    let a = match (f.measure, f.outcome) {
        (Measure::EarEntityList, LicenseRequired) => {
            let policy = match f.review_policy {
                Some(ReviewPolicy::PresumptionOfDenial) => "presumption of denial",
                Some(ReviewPolicy::CaseByCase) => "case-by-case",
                None => "as stated on the entry",
            };
            (
                format!("Apply for a BIS licence before the {verb}; no licence exception is available (15 CFR 744.16(b)); review policy: {policy} (15 CFR 744.16(c))."),
                exporter.to_string(),
            )
        }
        (Measure::EarCountryChart, LicenseRequired) => (
            format!("Apply for a BIS licence before the {verb} unless a licence exception of 15 CFR Part 740 applies (15 CFR 738.4)."),
            exporter.to_string(),
        ),
        (Measure::EarCountryChart, LicenseRequiredLikelyDenied) => (
            format!("Apply for a BIS licence before the {verb} and expect denial: crime-control licences to China are suspended (Pub. L. 101-246 § 902(a)(4); 15 CFR 742.7(b))."),
            exporter.to_string(),
        ),
        (Measure::OfacSdn, Prohibited) => {
            let a = match tx.flow {
                Flow::Payment => "Block the funds and report to OFAC within 10 business days (31 CFR 501.603); do not process the payment.",
                Flow::Investment => "Block the securities or interest and report to OFAC within 10 business days (31 CFR 501.603).",
                _ => "Reject the transaction and report to OFAC within 10 business days (31 CFR 501.604); block any property of the blocked person in your possession or control and report it (31 CFR 501.603).",
            };
            (a.to_string(), ofac_duty(tx))
        }
        (Measure::OfacCmic, Prohibited) => (
            "Do not purchase or sell the company's publicly traded securities or securities giving exposure to them (EO 13959 § 1, as amended by EO 14032; 31 CFR Part 586).".into(),
            "the US person trading or holding the securities".into(),
        ),
        (Measure::Procurement889, Prohibited) => {
            let contractor = tx.context.equipment_used_by == Some(EquipmentUser::Contractor);
            match tx.context.buyer {
                Some(Buyer::FederalGrantRecipient) => (
                    "Do not use federal grant or loan funds to procure or obtain the covered equipment or services (2 CFR 200.216; NDAA FY2019 § 889(b)).".into(),
                    "the federal grant or loan recipient".into(),
                ),
                _ if contractor => (
                    "Do not award, extend or renew the contract while the contractor uses covered equipment (FAR 52.204-25(b)(2)); the contractor reports covered equipment within 1 business day of identifying it (FAR 52.204-25(d)).".into(),
                    "the contracting agency (award); the contractor (report)".into(),
                ),
                _ => (
                    "Do not procure or obtain the covered equipment or services, or extend or renew a contract for them (FAR 52.204-25(b)(1); NDAA FY2019 § 889(a)(1)(A)).".into(),
                    "the executive agency (its contracting officer)".into(),
                ),
            }
        }
        (Measure::FccCoveredList, Prohibited) => (
            "Do not apply for or rely on an FCC equipment authorisation; covered equipment cannot be authorised, imported or marketed in the US (47 CFR 2.903; FCC 22-84).".into(),
            "the applicant for equipment authorisation, and the importer or seller".into(),
        ),
        (Measure::UkProcurement, Prohibited) => (
            "Do not deploy the equipment on the sensitive site, keep it off core networks and consider removing it early (UK written ministerial statement, 2022-11-24).".into(),
            "the UK central government department".into(),
        ),
        (Measure::EuSanctions, Prohibited) => (
            "Freeze the listed person's funds and economic resources, make none available, and report to the competent authority of the member state (Regulation (EU) 2020/1998 Arts. 3 and 8).".into(),
            "EU nationals, EU-incorporated entities and anyone acting in the Union".into(),
        ),
        (Measure::Uflpa, PresumedProhibited) => (
            "Do not enter the goods: CBP will detain or exclude them unless it grants an exception on full compliance and clear and convincing evidence (UFLPA § 3(a), (b)).".into(),
            "the importer of record".into(),
        ),
        (Measure::Uflpa, ExceptionPossible) => (
            "Request a UFLPA exception from CBP with the FLETF-guidance documentation, full answers to CBP and clear and convincing evidence of no forced labour (UFLPA § 3(b)).".into(),
            "the importer of record".into(),
        ),
        (Measure::Wro, Detained) => (
            "Expect detention: re-export the goods, or within 3 months submit a certificate of origin and a detailed statement proving admissibility (19 CFR 12.43).".into(),
            "the importer of record".into(),
        ),
        (Measure::Visa, NotScreenable) => (
            "Refer to the Department of State: visa-restriction lists are confidential (INA § 222(f)); no clearance can be given here.".into(),
            COMPLIANCE.into(),
        ),
        _ => (escalate(f), COMPLIANCE.into()),
    };
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence;
    use crate::transaction::parse_transaction;

    fn tx(flow: &str, context: &str) -> Transaction {
        parse_transaction(&format!(
            r#"{{"date":"2024-01-01","flow":"{flow}","actor":{{"us_person":true}},"context":{{{context}}}}}"#
        ))
        .unwrap()
    }

    fn act(t: &Transaction, f: Finding) -> Finding {
        let mut v = vec![f];
        assign(t, &mut v);
        v.pop().unwrap()
    }

    #[test]
    fn ofac_blocks_a_payment_and_rejects_a_shipment() {
        let hit = || {
            Finding::new(
                Measure::OfacSdn,
                Outcome::Prohibited,
                "x",
                Confidence::Verified,
            )
        };
        let pay = act(&tx("payment", ""), hit());
        assert!(pay.action.unwrap().contains(
            "Block the funds and report to OFAC within 10 business days (31 CFR 501.603)"
        ));
        assert!(pay.duty_of.unwrap().contains("US person"));
        let ship = act(&tx("export", ""), hit());
        assert!(ship.action.unwrap().starts_with(
            "Reject the transaction and report to OFAC within 10 business days (31 CFR 501.604)"
        ));
    }

    #[test]
    fn entity_list_names_the_licence_and_policy() {
        let f = Finding::new(
            Measure::EarEntityList,
            Outcome::LicenseRequired,
            "x",
            Confidence::Verified,
        )
        .policy(ReviewPolicy::PresumptionOfDenial);
        let f = act(&tx("reexport", ""), f);
        assert_eq!(
            f.action.as_deref(),
            Some("Apply for a BIS licence before the reexport; no licence exception is available (15 CFR 744.16(b)); review policy: presumption of denial (15 CFR 744.16(c)).")
        );
        assert!(f.duty_of.unwrap().starts_with("the reexporter"));
    }

    #[test]
    fn section_889_duty_follows_the_buyer() {
        let hit = || {
            Finding::new(
                Measure::Procurement889,
                Outcome::Prohibited,
                "x",
                Confidence::Verified,
            )
        };
        let agency = act(&tx("procurement", r#""buyer":"us_federal_agency""#), hit());
        assert!(agency
            .duty_of
            .as_deref()
            .unwrap()
            .contains("executive agency"));
        assert!(!agency.action.unwrap().contains("1 business day"));
        let contractor = act(
            &tx(
                "procurement",
                r#""buyer":"us_federal_agency","equipment_used_by":"contractor""#,
            ),
            hit(),
        );
        assert!(contractor.action.unwrap().contains("within 1 business day"));
        let grant = act(
            &tx("procurement", r#""buyer":"federal_grant_recipient""#),
            hit(),
        );
        assert!(grant.action.unwrap().contains("2 CFR 200.216"));
    }

    #[test]
    fn review_escalates_with_the_reason_and_clears_get_nothing() {
        let f = Finding::new(
            Measure::OfacSdn,
            Outcome::NeedsReview,
            "x",
            Confidence::Uncertain,
        )
        .reason("No party is named.");
        let f = act(&tx("payment", ""), f);
        assert_eq!(
            f.action.as_deref(),
            Some("Escalate to compliance: No party is named.")
        );
        let clear = act(
            &tx("payment", ""),
            Finding::new(
                Measure::OfacSdn,
                Outcome::NotProhibited,
                "x",
                Confidence::Verified,
            ),
        );
        assert!(clear.action.is_none() && clear.duty_of.is_none());
        let json = serde_json::to_value(&clear).unwrap();
        assert!(json.get("action").is_none());
    }
}

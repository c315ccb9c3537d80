//! Visa restrictions: RULES.md §7, rule V-1.
//!
//! The 2019-10-08 restrictions on officials responsible for the detention
//! or abuse of Uyghurs were imposed under INA § 212(a)(3)(C) and named no
//! one; visa records are confidential under INA § 222(f). The engine
//! therefore answers NOT_SCREENABLE and never "clear". Public overlaps
//! (GLOMAG SDNs, whose entry is suspended by EO 13818 § 2) are screened by
//! the OFAC measure.

use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::transaction::{Flow, Transaction};
use chrono::NaiveDate;

pub fn evaluate(tx: &Transaction) -> Vec<Finding> {
    if tx.flow != Flow::Visa {
        return vec![];
    }
    let announced = NaiveDate::from_ymd_opt(2019, 10, 8).expect("valid date");
    vec![
        Finding::new(Measure::Visa, Outcome::NotScreenable, "RULES.md §7 V-1", Confidence::Verified)
            .cite("INA § 212(a)(3)(C) (8 U.S.C. 1182(a)(3)(C))")
            .cite("INA § 222(f) (8 U.S.C. 1202(f))")
            .cite("Department of State press statement, 2019-10-08")
            .dated("visa restrictions announced", announced)
            .reason("The Xinjiang visa-restriction list is confidential: no names were published, so no screen can clear anyone.")
            .reason("Public overlaps are screened separately: SDN (GLOMAG) designees are barred from entry under EO 13818 § 2; see the OFAC_SDN finding."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visa_is_never_clear() {
        let tx = crate::transaction::parse_transaction(r#"{"date":"2021-06-01","flow":"visa"}"#)
            .unwrap();
        let f = evaluate(&tx);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].outcome, Outcome::NotScreenable);
        let tx = crate::transaction::parse_transaction(r#"{"date":"2021-06-01","flow":"export"}"#)
            .unwrap();
        assert!(evaluate(&tx).is_empty());
    }
}

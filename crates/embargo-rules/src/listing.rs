//! What a matched list entry means legally: which regime it belongs to
//! (from `Entity::programs`, `dataset` and `list`), its Entity List
//! footnotes and the Federal Register notice that added it.
//!
//! The regime pack (`embargo-pack`) tags entries with programs such as
//! `EAR-ENTITY-LIST`, `GLOMAG`, `CMIC-EO13959`, `NDAA-889`,
//! `FCC-COVERED-LIST`, `UFLPA-ENTITY-LIST`, `EU-GHRSR`; list files parsed by
//! `embargo-sources` carry the source's own dataset and list names. Both
//! are recognised here, in one place, so the measures never guess.

use embargo_model::Entity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regime {
    EntityList,
    Sdn,
    Cmic,
    Ndaa889,
    FccCovered,
    Uflpa,
    /// EU Global Human Rights Sanctions Regime (Council Regulation (EU)
    /// 2020/1998).
    EuGhrsr,
}

/// OFAC SDN programme tags that matter for RULES.md §4, plus the general
/// rule that a dataset named like the SDN list is the SDN list.
const SDN_PROGRAMS: &[&str] = &["GLOMAG", "UHRPA", "SDGT", "IRAN", "DPRK", "CUBA", "SYRIA"];

fn upper_has(hay: &Option<String>, needle: &str) -> bool {
    hay.as_deref()
        .is_some_and(|h| h.to_ascii_uppercase().contains(needle))
}

pub fn regimes(e: &Entity) -> Vec<Regime> {
    let progs: Vec<String> = e.programs.iter().map(|p| p.to_ascii_uppercase()).collect();
    let has = |p: &str| progs.iter().any(|x| x == p);
    let dataset = e.dataset.to_ascii_lowercase();
    let mut out = vec![];
    if has("EAR-ENTITY-LIST") || upper_has(&e.list, "ENTITY LIST") {
        out.push(Regime::EntityList);
    }
    let cmic = progs.iter().any(|p| p.contains("CMIC")) || upper_has(&e.list, "CMIC");
    if cmic {
        out.push(Regime::Cmic);
    }
    let sdn_list = upper_has(&e.list, "SPECIALLY DESIGNATED") || dataset.contains("sdn");
    let sdn_prog = progs.iter().any(|p| {
        SDN_PROGRAMS.contains(&p.as_str())
            || p.starts_with("RUSSIA-EO")
            || p.starts_with("UKRAINE-EO")
    });
    if sdn_list || (sdn_prog && !cmic) {
        out.push(Regime::Sdn);
    }
    if has("NDAA-889") || dataset.contains("889") {
        out.push(Regime::Ndaa889);
    }
    if has("FCC-COVERED-LIST") || dataset.contains("fcc") {
        out.push(Regime::FccCovered);
    }
    // The pack and the DHS parser tag `UFLPA-ENTITY-LIST`; OpenSanctions'
    // `us_dhs_uflpa` export names the programme after the clause
    // ("… - Section 2(d)(2)(B)(ii)") and keeps the dataset in `datasets`.
    let uflpa_prog = progs
        .iter()
        .any(|p| p.contains("UFLPA") || p.contains("2(D)(2)(B)"));
    let uflpa_ds = e
        .properties
        .get("datasets")
        .is_some_and(|v| v.iter().any(|d| d.to_ascii_lowercase().contains("uflpa")));
    if uflpa_prog || uflpa_ds || dataset.contains("uflpa") {
        out.push(Regime::Uflpa);
    }
    if has("EU-GHRSR") {
        out.push(Regime::EuGhrsr);
    }
    out
}

/// The UFLPA list clauses (`i`, `ii`, `iv`, `v` of Pub. L. 117-78
/// § 2(d)(2)(B)) an entry is listed under, each with its effective date
/// where stated: from `properties["uflpaClause"]` / `["uflpaEffective"]`
/// (`ii:2024-06-11`; the pack and the DHS parser), else read from the
/// programme text ("… Section 2(d)(2)(B)(ii)", the FtM form), dated by the
/// entry's `listed_on`.
pub fn uflpa_clauses(e: &Entity) -> Vec<(String, Option<chrono::NaiveDate>)> {
    let dated: Vec<(String, chrono::NaiveDate)> = e
        .properties
        .get("uflpaEffective")
        .into_iter()
        .flatten()
        .filter_map(|v| match v.split_once(':') {
            Some((c, d)) => Some((c.trim().to_string(), d.trim().parse().ok()?)),
            // A bare date applies to every clause of the entry.
            None => Some((String::new(), v.trim().parse().ok()?)),
        })
        .collect();
    let entry_day = e.listed_on.map(|d| d.first_day());
    let mut clauses: Vec<String> = e.properties.get("uflpaClause").cloned().unwrap_or_default();
    if clauses.is_empty() {
        for p in &e.programs {
            let t = p.to_ascii_lowercase().replace(' ', "");
            if let Some(i) = t.find("2(d)(2)(b)(") {
                let rest = &t[i + "2(d)(2)(b)(".len()..];
                if let Some(c) = rest.split(')').next() {
                    if ["i", "ii", "iv", "v"].contains(&c) && !clauses.iter().any(|x| x == c) {
                        clauses.push(c.to_string());
                    }
                }
            }
        }
    }
    clauses
        .into_iter()
        .map(|c| {
            let d = dated
                .iter()
                .filter(|(x, _)| *x == c || x.is_empty())
                .map(|(_, d)| *d)
                .min()
                .or(entry_day);
            (c, d)
        })
        .collect()
}

pub fn is(e: &Entity, r: Regime) -> bool {
    regimes(e).contains(&r)
}

/// Supplement 4 footnotes: "1" (§734.9(e)(1)), "4" (§734.9(e)(2)), … from
/// the typed field, or read from the licence-requirement text where the
/// CSL writes them as "(See §§ 734.9(e)1 …)" or "… 744.11 of the EAR)4".
pub fn el_footnotes(e: &Entity) -> Vec<String> {
    let mut out: Vec<String> = e
        .export_control
        .footnotes
        .iter()
        .map(|f| f.trim().to_string())
        .collect();
    if let Some(req) = &e.export_control.license_requirement {
        let t = req.replace(' ', "");
        if t.contains("734.9(e)1") || t.contains("734.9(e)(1)") {
            out.push("1".into());
        }
        if let Some(last) = t.trim_end_matches('.').chars().last() {
            if t.trim_end_matches('.').ends_with(&format!("){last}")) && last.is_ascii_digit() {
                out.push(last.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// "84 FR 54002" from "84 FR 54002 10/09/19" or "84 FR 54002".
pub fn fr_cite(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let i = parts.iter().position(|p| *p == "FR")?;
    if i == 0 || i + 1 >= parts.len() {
        return None;
    }
    let vol = parts[i - 1].trim_matches(|c: char| !c.is_ascii_digit());
    let page = parts[i + 1].trim_matches(|c: char| !c.is_ascii_digit());
    (!vol.is_empty() && !page.is_empty()).then(|| format!("{vol} FR {page}"))
}

/// Every FR notice on the entry, adding notice first.
pub fn fr_notices(e: &Entity) -> Vec<String> {
    let mut out = vec![];
    for n in &e.export_control.federal_register_notices {
        for piece in n.split(';') {
            if let Some(c) = fr_cite(piece) {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    for c in &e.citations {
        if let Some(fc) = fr_cite(&c.cite) {
            if !out.contains(&fc) {
                out.push(fc);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{EntityId, Schema};

    #[test]
    fn uflpa_clauses_from_properties_or_programme_text() {
        let d = |s: &str| Some(s.parse::<chrono::NaiveDate>().unwrap());
        let mut e = Entity::new(EntityId::new("t", "1"), Schema::Company, "t", "X Co");
        e.listed_on = Some("2024-08-09".parse().unwrap());
        e.add_property("uflpaClause", "ii");
        e.add_property("uflpaClause", "v");
        e.add_property("uflpaEffective", "ii:2024-08-09");
        e.add_property("uflpaEffective", "v:2025-01-15");
        assert_eq!(
            uflpa_clauses(&e),
            vec![
                ("ii".into(), d("2024-08-09")),
                ("v".into(), d("2025-01-15"))
            ]
        );
        assert!(
            !is(&e, Regime::Uflpa),
            "properties alone do not make a regime"
        );

        let mut f = Entity::new(
            EntityId::new("ftm", "2"),
            Schema::Organization,
            "ftm",
            "Y Co",
        );
        f.listed_on = Some("2023-09-26".parse().unwrap());
        f.programs = vec![
            "Entities working with the government of the XUAR - Section 2(d)(2)(B)(ii)".into(),
        ];
        assert!(is(&f, Regime::Uflpa));
        assert_eq!(uflpa_clauses(&f), vec![("ii".into(), d("2023-09-26"))]);

        let mut g = Entity::new(
            EntityId::new("ftm", "3"),
            Schema::Organization,
            "ftm",
            "Z Co",
        );
        g.add_property("datasets", "us_dhs_uflpa");
        assert!(is(&g, Regime::Uflpa));
        assert!(uflpa_clauses(&g).is_empty());
        g.add_property("uflpaClause", "v");
        g.add_property("uflpaEffective", "2022-06-21");
        assert_eq!(uflpa_clauses(&g), vec![("v".into(), d("2022-06-21"))]);
    }

    #[test]
    fn footnotes_are_read_from_csl_strings() {
        let mut e = Entity::new(EntityId::new("t", "1"), Schema::Company, "t", "Dahua");
        e.export_control.license_requirement = Some(
            "For all items subject to the EAR. (See §§ 734.9(e) and 744.11 of the EAR)4".into(),
        );
        assert_eq!(el_footnotes(&e), vec!["4"]);
        e.export_control.license_requirement = Some(
            "For all items subject to the EAR. (See §§ 734.9(e)1 and 744.11 of the EAR)".into(),
        );
        assert_eq!(el_footnotes(&e), vec!["1"]);
        e.export_control.license_requirement =
            Some("For all items subject to the EAR. (See §744.11 of the EAR)".into());
        assert!(el_footnotes(&e).is_empty());
    }

    #[test]
    fn fr_cites_are_normalised_and_regimes_classified() {
        assert_eq!(
            fr_cite("84 FR 54002 10/09/19").as_deref(),
            Some("84 FR 54002")
        );
        assert_eq!(fr_cite("no cite"), None);
        let mut e = Entity::new(EntityId::new("t", "1"), Schema::Company, "t", "X");
        e.programs = vec!["GLOMAG".into()];
        assert_eq!(regimes(&e), vec![Regime::Sdn]);
        e.programs = vec!["CMIC-EO13959".into()];
        assert_eq!(regimes(&e), vec![Regime::Cmic]);
    }
}

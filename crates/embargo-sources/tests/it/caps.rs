//! Caps per record (issue 13, red team): a record with a million aliases
//! or a 10 MB name is refused with an error naming the file, the record,
//! the field and the cap, in time linear in its size.

use embargo_model::SourceKind;
use embargo_sources::caps::{MAX_NAMES_PER_RECORD, MAX_NAME_CHARS, MAX_VALUES_PER_FIELD};
use embargo_sources::parse_reader;
use std::time::{Duration, Instant};

const CSL_HEADER: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids";

/// One CSL row with the given name, alt_names and programs.
fn csl_row(id: &str, name: &str, alt: &str, programs: &str) -> String {
    let mut f = vec![String::new(); 29];
    f[0] = id.into();
    f[1] = "Entity List (EL) - Bureau of Industry and Security".into();
    f[4] = programs.into();
    f[5] = name.into();
    f[22] = alt.into();
    f.iter()
        .map(|x| format!("\"{}\"", x.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

fn csl(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(CSL_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn aliases(n: usize) -> String {
    (0..n)
        .map(|i| format!("Alias Number {i}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn parse_csl(bytes: &[u8]) -> (Result<usize, String>, Duration) {
    let t = Instant::now();
    let r = parse_reader(SourceKind::TradeCsl, "csl.csv", bytes)
        .map(|p| p.entities.len())
        .map_err(|e| e.to_string());
    (r, t.elapsed())
}

#[test]
fn a_million_csl_alt_names_are_refused_in_linear_time() {
    let ok = csl(&[csl_row("a1", "Normal Company", &aliases(95), "")]);
    assert_eq!(parse_csl(&ok).0, Ok(1));

    let small = csl(&[
        csl_row("a1", "Normal Company", "", ""),
        csl_row("a2", "Many Names Ltd", &aliases(100_000), ""),
    ]);
    let big = csl(&[
        csl_row("a1", "Normal Company", "", ""),
        csl_row("a2", "Many Names Ltd", &aliases(1_000_000), ""),
    ]);
    let (r_small, t_small) = parse_csl(&small);
    let (r_big, t_big) = parse_csl(&big);
    let e = r_big.unwrap_err();
    assert!(e.starts_with("csl.csv"), "{e}");
    assert!(e.contains("field \"names\""), "{e}");
    assert!(e.contains("us_trade_csl:a2"), "{e}");
    assert!(
        e.contains(&MAX_NAMES_PER_RECORD.to_string()) && e.contains("MAX_NAMES_PER_RECORD"),
        "{e}"
    );
    assert!(r_small.is_err());
    // Ten times the input, about ten times the time (a quadratic parse
    // would take a hundred times as long).
    assert!(
        t_big <= t_small * 30 + Duration::from_millis(50),
        "1M aliases {t_big:?}, 100k aliases {t_small:?}"
    );
}

#[test]
fn a_ten_megabyte_name_is_refused_naming_the_cap() {
    let word = "x".repeat(10 * 1024 * 1024);
    let e = parse_csl(&csl(&[csl_row("a1", &word, "", "")]))
        .0
        .unwrap_err();
    assert!(
        e.contains("MAX_NAME_CHARS") && e.contains(&MAX_NAME_CHARS.to_string()),
        "{e}"
    );
    assert!(e.contains("us_trade_csl:a1"), "{e}");
    let e = parse_csl(&csl(&[csl_row("a1", "Fine Name", &word, "")]))
        .0
        .unwrap_err();
    assert!(e.contains("MAX_NAME_CHARS"), "{e}");
}

#[test]
fn too_many_values_of_another_field_are_refused() {
    let programs = (0..MAX_VALUES_PER_FIELD + 5)
        .map(|i| format!("P{i}"))
        .collect::<Vec<_>>()
        .join("; ");
    let e = parse_csl(&csl(&[csl_row("a1", "Fine Name", "", &programs)]))
        .0
        .unwrap_err();
    assert!(e.contains("field \"programs\""), "{e}");
    assert!(e.contains("MAX_VALUES_PER_FIELD"), "{e}");
}

#[test]
fn an_ftm_entity_with_a_million_names_is_refused() {
    let names: Vec<String> = (0..1_000_000).map(|i| format!("Name {i}")).collect();
    let line = serde_json::json!({
        "id": "big",
        "schema": "Person",
        "caption": "Name 0",
        "properties": {"name": names},
        "datasets": ["test"],
        "last_seen": "2024-01-01T00:00:00",
    });
    let t = Instant::now();
    let e = parse_reader(
        SourceKind::Ftm,
        "entities.ftm.json",
        line.to_string().as_bytes(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("MAX_NAMES_PER_RECORD"), "{e}");
    assert!(e.contains("big"), "{e}");
    // Linear: well under the minutes a quadratic name check takes (a
    // generous bound; the parse takes about a second in a debug build).
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

#[test]
fn a_uflpa_row_with_half_a_million_aliases_is_refused_in_linear_time() {
    // About 10 MB, under the format's 16 MiB bound on the whole file.
    let csv = format!(
        "Name of Entity,Effective Date,Clause,Aliases\nMany Names Ltd,2024-08-09,(ii),\"{}\"\n",
        aliases(500_000)
    );
    let t = Instant::now();
    let e = parse_reader(SourceKind::DhsUflpa, "uflpa.csv", csv.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("MAX_NAMES_PER_RECORD"), "{e}");
    assert!(e.contains("uflpa.csv"), "{e}");
    // A quadratic name check takes hours here.
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

#[test]
fn a_uflpa_csv_over_its_size_bound_is_refused_not_cut() {
    let mut csv = String::from("Name of Entity,Effective Date,Clause\n");
    let mut i = 0;
    while csv.len() <= 17 * 1024 * 1024 {
        csv.push_str(&format!("Company Number {i},2024-08-09,(ii)\n"));
        i += 1;
    }
    let e = parse_reader(SourceKind::DhsUflpa, "uflpa.csv", csv.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("larger than"), "{e}");
}

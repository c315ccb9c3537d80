//! The page rules of a filing report, without poppler (the rendering and
//! text checks are `embargo-app`'s `report_pdf` tests): at most three
//! pages, with a note where content was cut; a script no font covers is
//! written romanised and listed, never dropped; a CJK font is embedded as a
//! subset, not whole.

use embargo_report::{render_with_fonts, Block, Report, MAX_PAGES};
use std::path::PathBuf;

fn report(blocks: Vec<Block>) -> Report {
    Report {
        title: "Layout test".into(),
        subtitle: vec!["subtitle".into()],
        blocks,
        footer: "footer".into(),
        truncation_note: "CUT: see audit record #7".into(),
    }
}

#[test]
fn a_short_report_is_one_page() {
    let r = render_with_fonts(&report(vec![Block::Para("one line".into())]), &[]).unwrap();
    assert_eq!(r.pages, 1);
    assert!(!r.truncated);
    assert!(r.pdf.starts_with(b"%PDF-"));
}

#[test]
fn a_long_report_stops_at_three_pages_and_says_so() {
    let blocks: Vec<Block> = (0..400)
        .map(|i| Block::Item {
            level: 0,
            text: format!("finding {i}: a reason long enough to wrap onto a second line of the page, with a citation 15 CFR 744.11"),
        })
        .collect();
    let r = render_with_fonts(&report(blocks), &[]).unwrap();
    assert_eq!(r.pages, MAX_PAGES);
    assert!(r.truncated);
    // Content streams are compressed: look for the note through the
    // truncated flag and a two-page report's smaller size instead.
    let fewer: Vec<Block> = (0..60).map(|i| Block::Para(format!("line {i}"))).collect();
    let r2 = render_with_fonts(&report(fewer), &[]).unwrap();
    assert!(r2.pages < MAX_PAGES, "{} pages", r2.pages);
    assert!(!r2.truncated);
}

#[test]
fn without_a_font_other_scripts_are_romanised_and_listed() {
    let r = render_with_fonts(
        &report(vec![Block::Field(
            "Name".into(),
            "海康威视 Hikvision Хиквижн".into(),
        )]),
        &[],
    )
    .unwrap();
    assert_eq!(
        r.fallback_runs,
        vec!["Хиквижн".to_string(), "海康威视".to_string()]
    );
    assert!(r.fonts_used.is_empty());
}

#[test]
fn an_unreadable_font_file_is_an_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("embargo-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("not-a-font.ttf");
    std::fs::write(&bad, b"hello").unwrap();
    let e = render_with_fonts(&report(vec![]), std::slice::from_ref(&bad))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not-a-font.ttf"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_cjk_font_is_embedded_as_a_subset() {
    let font = PathBuf::from("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf");
    if !font.is_file() {
        // scripts/test and .ci/run install fonts-droid-fallback: on CI a
        // missing font is a failure, elsewhere a printed skip.
        if std::env::var_os("CI").is_some() {
            panic!("{} missing (fonts-droid-fallback)", font.display());
        }
        eprintln!(
            "SKIP: {} missing (apt-get install fonts-droid-fallback)",
            font.display()
        );
        return;
    }
    let whole = std::fs::metadata(&font).unwrap().len();
    let r = render_with_fonts(
        &report(vec![Block::Field(
            "Alias".into(),
            "海康威视数字技术股份有限公司".into(),
        )]),
        std::slice::from_ref(&font),
    )
    .unwrap();
    assert!(r.fallback_runs.is_empty(), "{:?}", r.fallback_runs);
    assert_eq!(r.fonts_used, vec![font]);
    assert!(
        (r.pdf.len() as u64) < whole / 10,
        "{} byte PDF for a {whole} byte font: not subset",
        r.pdf.len()
    );
}

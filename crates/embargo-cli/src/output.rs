//! Plain-text rendering for analysts at a terminal.

use embargo_app::types::{ReviewStatus, Verdict};
use embargo_app::{AppError, Screened};

/// An input error as a CLI user sees it: the field named by its flag
/// (`--dob`, not `birth_date`).
pub fn flag_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::InvalidInput { field, message } => {
            let flag = match field.as_str() {
                "birth_date" | "subject.birth_date" => "--dob",
                "countries" | "subject.country" => "--country",
                "identifiers" => "--id",
                "datasets" => "--dataset",
                "family_name" => "--family-name",
                "as_of" => "--as-of",
                "subject.schema" => "--schema",
                "subject.name" | "name" => "NAME",
                "entity_id" => "ENTITY_ID",
                other => return anyhow::anyhow!("--{}: {message}", other.replace('_', "-")),
            };
            anyhow::anyhow!("{flag}: {message}")
        }
        other => other.into(),
    }
}

fn verdict(v: &Verdict) -> &'static str {
    match v {
        Verdict::TrueMatch => "confirmed as a true match",
        Verdict::FalsePositive => "cleared as a false positive",
    }
}

/// One line on the review state of a hit for this subject, if any.
pub fn review_line(status: Option<&ReviewStatus>) -> Option<String> {
    Some(match status? {
        ReviewStatus::Cleared {
            by,
            on,
            reason,
            verdict: v,
            ..
        } => {
            format!(
                "{} by {by} on {} ({reason})",
                verdict(v),
                on.format("%Y-%m-%d")
            )
        }
        ReviewStatus::Stale { previous, changes } => {
            let what = changes
                .as_ref()
                .map(|c| {
                    c.iter()
                        .map(|f| f.field.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "the entry".into());
            format!(
                "ALERT AGAIN: reviewed by {} on {}, but the listed record changed since ({what})",
                previous.reviewer,
                previous.decided_at.format("%Y-%m-%d")
            )
        }
        ReviewStatus::Expired { previous } => format!(
            "ALERT AGAIN: the review by {} on {} has expired",
            previous.reviewer,
            previous.decided_at.format("%Y-%m-%d")
        ),
        ReviewStatus::PendingApproval { review, why } => format!(
            "ALERT: cleared by {} on {}, pending approval by a second, different reviewer ({why})",
            review.reviewer,
            review.decided_at.format("%Y-%m-%d")
        ),
    })
}

/// The `review` field of a `--json` result row (null when never reviewed).
pub fn review_json(status: Option<&ReviewStatus>) -> serde_json::Value {
    match status {
        None => serde_json::Value::Null,
        Some(s) => serde_json::json!({
            // The same words as the API's review marks (`embargo-server`
            // review.rs): a true match is confirmed, not cleared.
            "status": match s {
                ReviewStatus::Cleared {
                    verdict: Verdict::TrueMatch,
                    ..
                } => "confirmed",
                ReviewStatus::Cleared { .. } => "cleared",
                ReviewStatus::Stale { .. } => "stale",
                ReviewStatus::Expired { .. } => "expired",
                ReviewStatus::PendingApproval { .. } => "pending_approval",
            },
            "suppresses_alert": s.suppresses_alert(),
            "text": review_line(Some(s)),
        }),
    }
}

/// What a hit on a programme means for the user, in one plain line, for
/// the programmes whose consequence is not "blocked" and so is easy to
/// misread. The wording follows RULES.md (§4.4 NS-CMIC, §5.1 § 889, §5.2
/// FCC); `embargo decide` gives the finding with its dates and citations.
/// A programme matches its key exactly or as `KEY-…` (`CMIC-EO13959`).
const PROGRAMME_MEANINGS: &[(&str, &str)] = &[
    (
        "CMIC",
        "CMIC: US persons may not buy or sell its publicly traded securities (E.O. 13959 as amended by E.O. 14032); not a blocking sanction",
    ),
    (
        "NDAA-889",
        "§889: US federal agencies may not buy its telecom/video surveillance equipment, nor contract with anyone who uses it (NDAA FY2019 § 889, FAR 52.204-25)",
    ),
    (
        "FCC-COVERED-LIST",
        "FCC Covered List: its covered equipment cannot get new FCC authorisations, so cannot be imported or sold in the US (FCC 22-84, from 2023-02-06)",
    ),
];

/// The plain-meaning lines for a hit's programmes (each at most once).
pub fn programme_meanings(programs: &[String]) -> Vec<&'static str> {
    PROGRAMME_MEANINGS
        .iter()
        .filter(|(key, _)| {
            programs.iter().any(|p| {
                p.eq_ignore_ascii_case(key)
                    || p.len() > key.len()
                        && p.is_char_boundary(key.len())
                        && p[..key.len()].eq_ignore_ascii_case(key)
                        && p[key.len()..].starts_with('-')
            })
        })
        .map(|(_, line)| *line)
        .collect()
}

/// Prints a screen for a person at a terminal: what was searched, one
/// block per consolidated subject, and what the result does not cover.
pub fn print_screen(name: &str, screened: &Screened, explain: bool) -> anyhow::Result<()> {
    // Every line fitted to the terminal (`width`), continuation lines
    // indented under the line's text (`fit`): long captions, list names
    // and licence texts wrap, nothing is cut.
    let w = width();
    macro_rules! put {
        ($hang:expr, $($arg:tt)*) => {{
            for l in fit(&format!($($arg)*), w, $hang) {
                outln!("{l}");
            }
        }};
    }
    let as_of = screened
        .notes
        .iter()
        .any(|n| n.starts_with("Screened as of"));
    put!(2, "Screening {name:?} against:");
    for c in &screened.coverage {
        put!(
            4,
            "  {:<24} version {}, published {}{}, {} entries",
            c.dataset,
            c.version,
            c.published
                .map(|d| d.to_string())
                .unwrap_or_else(|| "unknown".into()),
            c.published_basis
                .as_deref()
                .filter(|b| *b != "file")
                .map(|b| format!(" ({})", b.replace('_', " ")))
                .unwrap_or_default(),
            c.entities
        );
    }
    for n in &screened.notes {
        put!(6, "Note: {n}");
    }
    if screened.hits.is_empty() {
        outln!();
        put!(0, "No candidate above the threshold. This is not a clearance: review ownership, addresses and the transaction itself.");
        return Ok(());
    }
    outln!();
    for (i, hit) in screened.hits.iter().enumerate() {
        let r = &hit.result;
        let list = r.list.clone().unwrap_or_else(|| r.source.clone());
        put!(11, "{:>2}. {:.3}  {}", i + 1, r.score, r.caption);
        put!(8, "      list: {list}");
        if let Some(l) = &r.listed_on {
            put!(8, "      listed on: {l}");
        }
        if r.matched_name != r.caption {
            put!(8, "      matched name: {}", r.matched_name);
        }
        if let Some(via) = &r.via {
            put!(8, "      matched through: {via}");
        }
        if !r.programs.is_empty() {
            put!(8, "      programs: {}", r.programs.join(", "));
        }
        for meaning in programme_meanings(&r.programs) {
            put!(8, "      means: {meaning}");
        }
        if let Some(req) = &r.license_requirement {
            put!(8, "      licence requirement: {req}");
        }
        if let Some(pol) = &r.license_policy {
            put!(8, "      licence review policy: {pol}");
        }
        put!(8, "      id: {}  ({})", r.entity_id, r.list_version);
        if let Some(l) = &r.listed_as_of {
            match &l.reason {
                Some(why) => put!(8, "      listed on {}: uncertain ({why})", l.day),
                None => put!(8, "      listed on {}: yes", l.day),
            }
        }
        if r.records.len() > 1 {
            put!(8, "      the same party on {} records:", r.records.len());
            for rec in &r.records {
                put!(
                    10,
                    "        - {}  {}  ({}){}",
                    rec.entity_id,
                    rec.list.as_deref().unwrap_or(&rec.source),
                    rec.list_version,
                    rec.score
                        .map(|s| format!("  score {s:.3}"))
                        .unwrap_or_default()
                );
            }
        }
        if let Some(line) = review_line(hit.review.as_ref()) {
            put!(8, "      review: {line}");
        }
        if explain {
            for line in r.explanation.to_text().lines() {
                put!(8, "      | {line}");
            }
        }
    }
    if !as_of {
        outln!();
        put!(0, "A hit is a candidate, not a finding: `embargo decide` says what the law requires for a transaction.");
    }
    Ok(())
}

/// Set once by `main` from the global `--wide` flag.
static WIDE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--wide`: never wrap (long lines stay whole, for `less -S` or a wide
/// window).
pub fn set_wide(wide: bool) {
    WIDE.store(wide, std::sync::atomic::Ordering::Relaxed);
}

/// Narrowest width output is wrapped to, whatever `COLUMNS` says.
const MIN_WIDTH: usize = 20;

/// How many columns terminal output may use: `None` (do not wrap) with
/// `--wide`; else `COLUMNS` when it holds a number; else the terminal's
/// width when stdout is a terminal; else `None` (a pipe or a file gets
/// whole lines, so scripts read what they always read).
pub fn width() -> Option<usize> {
    let term = console::Term::stdout()
        .size_checked()
        .map(|(_, cols)| usize::from(cols));
    width_from(
        WIDE.load(std::sync::atomic::Ordering::Relaxed),
        std::env::var("COLUMNS").ok().as_deref(),
        term,
    )
}

/// [`width`] from its inputs.
pub fn width_from(wide: bool, columns: Option<&str>, terminal: Option<usize>) -> Option<usize> {
    if wide {
        return None;
    }
    let cols = columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or(terminal.filter(|&c| c > 0))?;
    Some(cols.max(MIN_WIDTH))
}

/// Display width of `s` in terminal columns (a Han character takes two).
fn display_width(s: &str) -> usize {
    console::measure_text_width(s)
}

/// Breaks `text` into lines of at most `width` columns at spaces; a word
/// longer than a line is split between characters. Nothing is ever left
/// out: joining the lines with spaces gives the words of `text` back.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = display_width(word);
        if used > 0 && used + 1 + w <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if w <= width {
            line.push_str(word);
            used = w;
            continue;
        }
        // A word wider than the line: split it, never cut it.
        for ch in word.chars() {
            let cw = display_width(ch.encode_utf8(&mut [0; 4]));
            if used > 0 && used + cw > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(ch);
            used += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// One line of prose fitted to `width`: wrapped at spaces, the
/// continuation lines indented by `hang` columns. `None` keeps it whole.
pub fn fit(line: &str, width: Option<usize>, hang: usize) -> Vec<String> {
    let Some(width) = width else {
        return vec![line.to_string()];
    };
    if display_width(line) <= width {
        return vec![line.to_string()];
    }
    let lead = line.len() - line.trim_start().len();
    let first_room = width.saturating_sub(lead).max(MIN_WIDTH / 2);
    let rest_room = width.saturating_sub(hang).max(MIN_WIDTH / 2);
    let words = wrap_words(line.trim_start(), first_room);
    let mut out = vec![format!("{}{}", &line[..lead], words[0])];
    let rest: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    for l in wrap_words(&rest.join(" "), rest_room) {
        if !l.is_empty() {
            out.push(format!("{}{l}", " ".repeat(hang)));
        }
    }
    out
}

/// The hanging indent of a report line: its leading spaces, plus the
/// width of a list marker (`12. `, `- `) or two columns.
pub fn hang_of(line: &str) -> usize {
    let body = line.trim_start();
    let lead = line.len() - body.len();
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && body[digits..].starts_with(". ") {
        lead + digits + 2
    } else {
        lead + 2
    }
}

/// A plain-text table whose columns are as wide as their widest cell, so a
/// long dataset name or version never pushes a row out of line. `right`
/// marks the columns aligned right (counts); the last column is not padded.
///
/// Given a `width` the rows do not fit in, the left-aligned columns are
/// narrowed, widest first, and their cells wrap onto continuation lines
/// within their column: a caption is never cut. Right-aligned columns keep
/// their width; if the table cannot be narrowed enough it is left wider
/// than `width` rather than cut.
pub fn table(
    header: &[&str],
    rows: &[Vec<String>],
    right: &[bool],
    width: Option<usize>,
) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(cell));
        }
    }
    let gaps = 2 * widths.len().saturating_sub(1);
    if let Some(limit) = width {
        let is_right = |i: usize| right.get(i).copied().unwrap_or(false);
        // A wrapped column keeps room for a short word.
        let floor: Vec<usize> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| if is_right(i) { w } else { w.min(8) })
            .collect();
        while widths.iter().sum::<usize>() + gaps > limit {
            let widest = (0..widths.len())
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    let render = |cells: Vec<&str>| -> Vec<String> {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if display_width(c) <= widths[i] {
                    vec![c.to_string()]
                } else {
                    wrap_words(c, widths[i])
                }
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let last = cells.len().saturating_sub(1);
        (0..height)
            .map(|k| {
                let mut out = String::new();
                for (i, lines) in wrapped.iter().enumerate() {
                    if i > 0 {
                        out.push_str("  ");
                    }
                    let cell = lines.get(k).map(String::as_str).unwrap_or("");
                    let pad = widths[i].saturating_sub(display_width(cell));
                    if right.get(i).copied().unwrap_or(false) {
                        out.push_str(&" ".repeat(pad));
                        out.push_str(cell);
                    } else {
                        out.push_str(cell);
                        if i < last {
                            out.push_str(&" ".repeat(pad));
                        }
                    }
                }
                out.trim_end().to_string()
            })
            .collect()
    };
    let mut out = render(header.to_vec());
    for r in rows {
        out.extend(render(r.iter().map(String::as_str).collect()));
    }
    out
}

/// Writes a filing report to `path` (through a temporary file, so a
/// failed write leaves no half a PDF) and says so on stderr, with any text
/// it had to write in its fallback form (stdout stays the result's).
pub fn write_report(
    path: &std::path::Path,
    r: &embargo_app::report::Rendered,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let tmp = path.with_extension("pdf.partial");
    std::fs::write(&tmp, &r.pdf).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "report written to {} ({} page{}{})",
        path.display(),
        r.pages,
        if r.pages == 1 { "" } else { "s" },
        if r.truncated {
            ", cut at three pages"
        } else {
            ""
        }
    );
    if !r.fallback_runs.is_empty() {
        eprintln!(
            "warning: no font covers {}: written romanised in the report (install \
             fonts-droid-fallback or set {})",
            r.fallback_runs.join(", "),
            embargo_app::report::FONT_ENV
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programme_meanings_match_the_code_and_its_suffixed_forms() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(programme_meanings(&p(&["CMIC-EO13959"])).len(), 1);
        assert!(programme_meanings(&p(&["CMIC-EO13959"]))[0].starts_with("CMIC: US persons"));
        assert_eq!(
            programme_meanings(&p(&["NDAA-889", "FCC-COVERED-LIST", "SDGT"])).len(),
            2
        );
        assert!(programme_meanings(&p(&["CMICX", "SDGT", "GLOMAG"])).is_empty());
    }

    #[test]
    fn the_width_comes_from_wide_columns_or_the_terminal() {
        assert_eq!(width_from(false, Some("72"), Some(200)), Some(72));
        assert_eq!(width_from(false, None, Some(120)), Some(120));
        assert_eq!(width_from(false, Some("junk"), Some(90)), Some(90));
        assert_eq!(width_from(false, None, None), None, "a pipe is not wrapped");
        assert_eq!(width_from(true, Some("72"), Some(80)), None, "--wide");
        assert_eq!(width_from(false, Some("5"), None), Some(MIN_WIDTH));
    }

    #[test]
    fn wrapping_never_loses_a_word_and_splits_only_words_wider_than_a_line() {
        let text = "Entity List (EL) - Bureau of Industry and Security, Department of Commerce";
        let lines = wrap_words(text, 20);
        assert!(lines.iter().all(|l| display_width(l) <= 20), "{lines:#?}");
        assert_eq!(lines.join(" "), text);
        let long = wrap_words("x Supercalifragilisticexpialidocious", 10);
        assert!(long.iter().all(|l| display_width(l) <= 10), "{long:#?}");
        assert_eq!(long.concat(), "xSupercalifragilisticexpialidocious");
        // Han characters take two columns each.
        let han = wrap_words("杭州海康威视数字技术股份有限公司", 10);
        assert!(han.iter().all(|l| display_width(l) <= 10), "{han:#?}");
        assert_eq!(han.concat(), "杭州海康威视数字技术股份有限公司");
    }

    #[test]
    fn a_fitted_line_hangs_under_its_text() {
        let line = "      licence requirement: For all items subject to the EAR, see 744.11";
        let out = fit(line, Some(40), 8);
        assert!(
            out.len() > 1 && out.iter().all(|l| display_width(l) <= 40),
            "{out:#?}"
        );
        assert!(out[0].starts_with("      licence"));
        assert!(out[1..]
            .iter()
            .all(|l| l.starts_with("        ") && !l.starts_with("         ")));
        let words = |ls: &[String]| {
            ls.join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(words(&out), words(&[line.to_string()]));
        assert_eq!(
            fit(line, None, 8),
            vec![line.to_string()],
            "--wide keeps it whole"
        );
        assert_eq!(hang_of(" 3. EAR_ENTITY_LIST: LICENSE_REQUIRED"), 4);
        assert_eq!(hang_of("   action: apply"), 5);
    }

    #[test]
    fn a_table_wider_than_the_terminal_wraps_its_text_columns_and_cuts_nothing() {
        let rows = vec![
            vec![
                "17".to_string(),
                "Hangzhou Hikvision Digital Technology Co., Ltd. [Entity List (EL) - Bureau of Industry and Security]".to_string(),
                "0.97".to_string(),
                "new entry in us_trade_csl".to_string(),
            ],
            vec![
                "18".to_string(),
                "Hangzhou Hikvision Digital Technology Co., Ltd. [Non-SDN Chinese Military-Industrial Complex Companies List]".to_string(),
                "0.97".to_string(),
                "new".to_string(),
            ],
        ];
        let header = ["id", "listed subject", "score", "cause"];
        let right = [true, false, true, false];
        let wide = table(&header, &rows, &right, None);
        assert_eq!(wide.len(), 3, "no width, one line per row");
        let lines = table(&header, &rows, &right, Some(60));
        assert!(lines.iter().all(|l| display_width(l) <= 60), "{lines:#?}");
        assert!(lines.len() > 3, "{lines:#?}");
        // Every word of every cell is still there, in order: the two hits
        // stay told apart by their list names.
        let words = |ls: &[String]| ls.join(" ").split_whitespace().count();
        assert_eq!(words(&lines), words(&wide));
        let text = lines.join("\n");
        assert!(
            text.contains("Military-Industrial") && text.contains("Security]"),
            "{text}"
        );
        // A continuation line leaves the id and score columns blank.
        let score_col = lines[0].find("score").unwrap();
        assert!(
            lines.iter().filter(|l| l.starts_with("    ")).count() > 0,
            "{text}"
        );
        assert!(lines[1].contains("0.97") && lines[1].find("0.97").unwrap() < score_col + 5);
    }

    #[test]
    fn table_columns_fit_their_widest_cell() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string(), "x".to_string()],
            vec![
                "a_very_long_dataset_name_indeed".to_string(),
                "12345".to_string(),
                "y".to_string(),
            ],
        ];
        let lines = table(
            &["dataset", "n", "origin"],
            &rows,
            &[false, true, false],
            None,
        );
        // The last cell starts right after the last two-space gap.
        let col = |l: &str| l.rfind("  ").unwrap();
        assert!(lines.iter().all(|l| col(l) == col(&lines[0])), "{lines:#?}");
    }
}

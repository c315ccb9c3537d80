//! DHS UFLPA Entity List, as DHS publishes it at
//! <https://www.dhs.gov/uflpa-entity-list>, or a CSV with the same columns.
//!
//! **The page.** The Forced Labor Enforcement Task Force publishes the list
//! as one HTML table per list of Pub. L. 117-78 § 2(d)(2)(B): clause (i)
//! (entities in Xinjiang producing with forced labour), (ii) (entities
//! working with the Xinjiang government to recruit, transport, transfer,
//! harbour or receive forced labour or persecuted groups), (iv) (exporters
//! of the goods of (i)/(ii) entities) and (v) (facilities and entities,
//! including the XPCC, sourcing from Xinjiang or from labour schemes).
//! Before each table a paragraph describes the list and links to the
//! clause ("Section 2(d)(2)(B)(ii)"); each table has a header row
//! (`Name of Entity` or `Entity Name`, `Effective Date`) and one row per
//! entry. The clause is read from the last "2(d)(2)(B)(…)" written before
//! the table; a table with no clause before it is an error, because an
//! entry without its clause cannot be cited.
//!
//! **The name cell** carries aliases and subsidiaries in prose:
//! `NAME (and one alias: A)`, `NAME (including two aliases: A; and B)`,
//! `NAME (also known as A)`, `NAME (formerly known as A)`,
//! `NAME and its subordinate and affiliated entities`, `NAME and
//! subsidiaries`, `NAME and its eight Zhuhai-based subsidiaries, which
//! include A, B, and C`, `NAME and its subsidiary A`. Aliases become names;
//! a named subsidiary becomes its own entry (the page lists it) with an
//! `OwnedBy` link to the parent; the "subordinate and affiliated entities"
//! note is kept as a remark (the page names none of them).
//!
//! **The CSV form** (an export of the same table, or a hand-made copy): a
//! header with `name` (or `Name of Entity` / `Entity Name`), `effective
//! date`, and `clause` (or `section`: `ii`, `(ii)` or `2(d)(2)(B)(ii)`);
//! optional `aliases` (`;`-separated), `chinese name`, `notice`
//! (Federal Register citation or DHS notice date). Column names are
//! matched case-insensitively; other columns are kept as properties.
//!
//! **Entities.** Id `us_dhs_uflpa:<slug of the main name>`; schema
//! `Organization` (the list holds organisations only); `programs`
//! `UFLPA-ENTITY-LIST`; `listed_on` the earliest effective date; the
//! clause(s) in `properties["uflpaClause"]` and the date per clause in
//! `properties["uflpaEffective"]` (`ii:2024-06-11`), the keys the regime
//! pack uses. An entity in two tables is one entry with both clauses. No
//! country is added: the page does not state one.
//!
//! **Errors** name the file, the line of the row and the field; dates are
//! `June 21, 2022`, `2022-06-21` or `6/21/2022`; a row whose date cannot be
//! read is an error (an undated entry would be presumed listed forever).

use crate::caps::Capped;
use crate::delimited::Delimited;
use crate::error::SourceError;
use crate::text::{decode, link, parse_us_date, push_unique};
use crate::ParsedList;
use chrono::NaiveDate;
use embargo_model::{Citation, Entity, EntityId, LinkKind, NameKind, PartialDate, Schema};
use std::collections::HashMap;
use std::io::{BufRead, Read};

/// The page is about 100 kB; anything past this is not the DHS page.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

pub const PROGRAM: &str = "UFLPA-ENTITY-LIST";
pub const LIST: &str = "UFLPA Entity List (DHS, FLETF)";
pub const SOURCE_URL: &str = "https://www.dhs.gov/uflpa-entity-list";

/// The clauses of § 2(d)(2)(B) that make up the Entity List ((iii) is a
/// list of products, not of entities).
pub const CLAUSES: [&str; 4] = ["i", "ii", "iv", "v"];

/// One row as read, before names are split.
struct Row {
    line: u64,
    name: String,
    clause: String,
    effective: NaiveDate,
    aliases: Vec<String>,
    chinese: Vec<String>,
    notice: Option<String>,
    extra: Vec<(String, String)>,
}

pub(crate) fn parse<R: BufRead>(out: &mut ParsedList, file: &str, r: R) -> Result<(), SourceError> {
    let mut r = r;
    let html = r
        .fill_buf()
        .map_err(|e| SourceError::io(file, e))?
        .iter()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        == Some(&b'<');
    // Both forms are read whole and refused past the bound, never cut
    // there: a cut CSV would import part of the list as all of it.
    let mut bytes = Vec::new();
    r.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::io(file, e))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(SourceError::invalid(
            file,
            format!("larger than {MAX_BYTES} bytes: not the DHS UFLPA Entity List"),
        ));
    }
    let rows = if html {
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            SourceError::invalid(file, "the page is not valid UTF-8").at_line(line)
        })?;
        read_html(file, text)?
    } else {
        read_csv(file, &bytes[..])?
    };
    if rows.is_empty() {
        return Err(SourceError::wrong_format(
            file,
            "no UFLPA Entity List table (a header with the entity name and effective date) found",
        ));
    }
    build(out, file, rows);
    Ok(())
}

// ---------------------------------------------------------------- HTML

/// A tolerant reading of the page: tags are skipped, text is collected per
/// cell; only `table`, `tr`, `th`, `td` and the text between tables matter.
fn read_html(file: &str, text: &str) -> Result<Vec<Row>, SourceError> {
    let mut rows = vec![];
    let mut clause: Option<String> = None;
    // Text seen since the last table, searched for the clause.
    let mut between = String::new();
    let mut in_table = false;
    let mut header: Option<Vec<String>> = None;
    let mut cells: Vec<(bool, String)> = vec![];
    let mut cell: Option<String> = None;
    let mut row_line = 0u64;
    let mut line = 1u64;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut cell, &mut between, in_table, rest);
            break;
        };
        let (txt, after) = rest.split_at(lt);
        push_text(&mut cell, &mut between, in_table, txt);
        line += txt.matches('\n').count() as u64;
        // Comments and the tag itself.
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|i| i + 3)
        } else {
            after.find('>').map(|i| i + 1)
        };
        let Some(end) = end else {
            // An unclosed '<' at the end: read it as text.
            push_text(&mut cell, &mut between, in_table, after);
            break;
        };
        let tag = &after[..end];
        let tag_line = line;
        line += tag.matches('\n').count() as u64;
        rest = &after[end..];
        let (closing, name) = tag_name(tag);
        // Skip script and style bodies.
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            let at = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            line += rest[..at].matches('\n').count() as u64;
            rest = &rest[at..];
            continue;
        }
        match (closing, name.as_str()) {
            (false, "table") => {
                if in_table {
                    continue;
                }
                in_table = true;
                header = None;
                if let Some(c) = find_clause(&between) {
                    clause = Some(c);
                }
                between.clear();
            }
            (true, "table") => {
                in_table = false;
            }
            (false, "tr") if in_table => {
                cells.clear();
                cell = None;
                row_line = tag_line;
            }
            (false, "td" | "th") if in_table => {
                if let Some(c) = cell.take() {
                    cells.push((name == "th", c));
                }
                cell = Some(String::new());
            }
            (true, "td" | "th") if in_table => {
                if let Some(c) = cell.take() {
                    cells.push((name == "th", c));
                }
            }
            (true, "tr") if in_table => {
                if let Some(c) = cell.take() {
                    cells.push((false, c));
                }
                let texts: Vec<String> = cells.drain(..).map(|(_, c)| clean(&c)).collect();
                if texts.iter().all(String::is_empty) {
                    continue;
                }
                let Some(h) = &header else {
                    let h: Vec<String> = texts.iter().map(|t| t.to_ascii_lowercase()).collect();
                    if column(&h, &NAME_COLS).is_some() && column(&h, &DATE_COLS).is_some() {
                        header = Some(h);
                    }
                    continue;
                };
                let Some(c) = &clause else {
                    return Err(SourceError::invalid(
                        file,
                        "a UFLPA table with no \"2(d)(2)(B)(…)\" clause written before it",
                    )
                    .at_line(row_line));
                };
                rows.push(row_from(file, row_line, h, &texts, Some(c))?);
            }
            (false, "br" | "p" | "li" | "div") => {
                push_text(&mut cell, &mut between, in_table, " ");
            }
            _ => {}
        }
    }
    Ok(rows)
}

fn push_text(cell: &mut Option<String>, between: &mut String, in_table: bool, t: &str) {
    match cell {
        Some(c) => c.push_str(t),
        None if !in_table => {
            between.push_str(t);
            // Only the recent text matters for the clause.
            if between.len() > 8192 {
                let cut = between.len() - 4096;
                let cut = (cut..between.len())
                    .find(|&i| between.is_char_boundary(i))
                    .unwrap_or(between.len());
                between.drain(..cut);
            }
        }
        None => {}
    }
}

/// `(closing, lower-case name)` of a tag such as `<td class="x">`.
fn tag_name(tag: &str) -> (bool, String) {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(i) => (true, i),
        None => (false, inner),
    };
    let name: String = inner
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (closing, name.to_ascii_lowercase())
}

/// Character references decoded, whitespace collapsed.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let semi = after.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|i| entity(&after[1..i]).map(|c| (c, i + 1)));
        match decoded {
            Some((c, n)) => {
                out.push(c);
                rest = &after[n..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "rsquo" | "lsquo" => '\'',
        "rdquo" | "ldquo" => '"',
        "ndash" => '–',
        "mdash" => '—',
        _ => return None,
    })
}

/// The last "2(d)(2)(B)(x)" in `text`, as `i`, `ii`, `iv` or `v`.
fn find_clause(text: &str) -> Option<String> {
    let t = clean(text).to_ascii_lowercase().replace(' ', "");
    let mut found = None;
    let mut from = 0;
    while let Some(i) = t[from..].find("2(d)(2)(b)(") {
        let start = from + i + "2(d)(2)(b)(".len();
        let end = t[start..].find(')').map(|j| start + j);
        if let Some(end) = end {
            let c = &t[start..end];
            if CLAUSES.contains(&c) {
                found = Some(c.to_string());
            }
        }
        from = start;
    }
    found
}

// ---------------------------------------------------------------- CSV

const NAME_COLS: [&str; 4] = ["name of entity", "entity name", "name", "entity"];
const DATE_COLS: [&str; 2] = ["effective date", "effective_date"];
const CLAUSE_COLS: [&str; 4] = ["clause", "section", "list", "sublist"];
const ALIAS_COLS: [&str; 2] = ["aliases", "alias"];
const CHINESE_COLS: [&str; 3] = ["chinese name", "chinese_name", "name (chinese)"];
const NOTICE_COLS: [&str; 4] = ["notice", "federal register", "fr citation", "citation"];

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h == n))
}

fn read_csv<R: BufRead>(file: &str, r: R) -> Result<Vec<Row>, SourceError> {
    let mut rec = csv::ByteRecord::new();
    let mut rdr = Delimited::open(file, r, b',', &mut rec)?;
    let header: Vec<String> = rec
        .iter()
        .map(|b| {
            decode(b)
                .0
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    for (want, cols) in [
        ("an entity name", &NAME_COLS[..]),
        ("an effective date", &DATE_COLS[..]),
        ("a clause", &CLAUSE_COLS[..]),
    ] {
        if column(&header, cols).is_none() {
            return Err(SourceError::wrong_format(
                file,
                format!(
                    "not a UFLPA Entity List CSV: the header has no column for {want} ({})",
                    cols.join(" / ")
                ),
            )
            .at_line(1));
        }
    }
    let mut rows = vec![];
    while rdr.read(&mut rec)? {
        let line = rdr.line(&rec);
        let texts: Vec<String> = rec.iter().map(|b| clean(&decode(b).0)).collect();
        if texts.iter().all(String::is_empty) {
            continue;
        }
        rows.push(row_from(file, line, &header, &texts, None)?);
    }
    Ok(rows)
}

/// One row from its cells; `clause` is the table's (HTML) or read from the
/// row (CSV).
fn row_from(
    file: &str,
    line: u64,
    header: &[String],
    cells: &[String],
    clause: Option<&String>,
) -> Result<Row, SourceError> {
    let get = |cols: &[&str]| {
        column(header, cols)
            .and_then(|i| cells.get(i))
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    };
    let err = |field: &str, msg: String| {
        SourceError::invalid(file, msg)
            .at_line(line)
            .in_field(field)
    };
    let name = get(&NAME_COLS)
        .ok_or_else(|| err("name", "the entity name is empty".into()))?
        .to_string();
    let raw_date = get(&DATE_COLS).unwrap_or("");
    let effective = parse_date(raw_date).ok_or_else(|| {
        err(
            "effective date",
            format!("{raw_date:?} is not a date (June 21, 2022 / 2022-06-21 / 6/21/2022)"),
        )
    })?;
    let clause = match clause {
        Some(c) => c.clone(),
        None => {
            let raw = get(&CLAUSE_COLS).unwrap_or("");
            normalise_clause(raw).ok_or_else(|| {
                err(
                    "clause",
                    format!("{raw:?} is not one of the list clauses (i), (ii), (iv), (v)"),
                )
            })?
        }
    };
    let split = |cols: &[&str]| -> Vec<String> {
        get(cols)
            .map(|s| {
                s.split(';')
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let known: Vec<&str> = [
        &NAME_COLS[..],
        &DATE_COLS[..],
        &CLAUSE_COLS[..],
        &ALIAS_COLS[..],
        &CHINESE_COLS[..],
        &NOTICE_COLS[..],
    ]
    .concat();
    let extra = header
        .iter()
        .zip(cells)
        .filter(|(h, v)| !h.is_empty() && !v.is_empty() && !known.contains(&h.as_str()))
        .map(|(h, v)| (h.clone(), v.clone()))
        .collect();
    Ok(Row {
        line,
        name,
        clause,
        effective,
        aliases: split(&ALIAS_COLS),
        chinese: split(&CHINESE_COLS),
        notice: get(&NOTICE_COLS).map(str::to_string),
        extra,
    })
}

fn normalise_clause(s: &str) -> Option<String> {
    let t = s.trim().to_ascii_lowercase().replace(' ', "");
    if let Some(c) = find_clause(&t) {
        return Some(c);
    }
    let bare = t.trim_start_matches('(').trim_end_matches(')');
    CLAUSES.contains(&bare).then(|| bare.to_string())
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim().trim_end_matches('.');
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Some(d) = parse_us_date(s) {
        return Some(d);
    }
    // "June 21, 2022", "Jun. 21, 2022", "June 21 2022".
    let t = s.replace(['.', ','], " ");
    let mut it = t.split_whitespace();
    let (m, d, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = m.to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|p| m.starts_with(p) && m.len() >= 3)?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, month as u32 + 1, d.parse().ok()?)
}

// ---------------------------------------------------------------- names

/// The parts of a name cell.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct NameCell {
    pub main: String,
    pub aliases: Vec<String>,
    pub former: Vec<String>,
    pub subsidiaries: Vec<String>,
    /// "and its subordinate and affiliated entities", "and subsidiaries".
    pub note: Option<String>,
}

pub(crate) fn split_name(cell: &str) -> NameCell {
    let mut out = NameCell::default();
    let mut s = cell.trim().to_string();
    // Trailing subsidiary clauses first.
    let lower = s.to_ascii_lowercase();
    for marker in [", which include ", ", which includes "] {
        if let Some(i) = lower.find(marker) {
            let list = s[i + marker.len()..].to_string();
            out.subsidiaries = split_list(&list);
            // Cut back to " and its " before the marker.
            let head = &lower[..i];
            let cut = head.rfind(" and its ").unwrap_or(i);
            out.note = Some(s[cut..i].trim().trim_start_matches("and ").to_string());
            s.truncate(cut);
            break;
        }
    }
    let lower = s.to_ascii_lowercase();
    if out.subsidiaries.is_empty() {
        if let Some(i) = lower.rfind(" and its subsidiary ") {
            out.subsidiaries = split_list(&s[i + " and its subsidiary ".len()..]);
            out.note = Some("its subsidiary".into());
            s.truncate(i);
        } else {
            for marker in [
                " and its subordinate and affiliated entities",
                ", and subsidiaries",
                " and subsidiaries",
                " and its subsidiaries",
            ] {
                if lower.ends_with(marker) {
                    out.note = Some(
                        s[s.len() - marker.len()..]
                            .trim_start_matches(',')
                            .trim()
                            .trim_start_matches("and ")
                            .to_string(),
                    );
                    s.truncate(s.len() - marker.len());
                    break;
                }
            }
        }
    }
    // Parenthesised alias groups, possibly several; a parenthesis that is
    // part of the name ("(Group)") is left alone.
    const OPENERS: [&str; 6] = [
        "(and ",
        "(including ",
        "(also known as ",
        "(formerly known as ",
        "(a.k.a. ",
        "(aka ",
    ];
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(open) = OPENERS.iter().filter_map(|o| lower.find(o)).min() else {
            break;
        };
        // The matching ')' (aliases may hold parentheses of their own).
        let mut depth = 0usize;
        let mut close = None;
        for (i, b) in s.bytes().enumerate().skip(open) {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.unwrap_or(s.len());
        let inner = s[open + 1..close].trim().to_string();
        let li = inner.to_ascii_lowercase();
        let (former, list) = if let Some(i) = li.find(':') {
            (li.contains("formerly"), inner[i + 1..].to_string())
        } else {
            let r = ["formerly known as ", "also known as ", "a.k.a. ", "aka "]
                .iter()
                .find_map(|p| li.find(p).map(|i| i + p.len()))
                .unwrap_or(0);
            (li.starts_with("formerly"), inner[r..].to_string())
        };
        let names = split_list(&list);
        if former {
            out.former.extend(names);
        } else {
            out.aliases.extend(names);
        }
        let tail = if close < s.len() { &s[close + 1..] } else { "" };
        s = format!("{} {}", &s[..open], tail);
    }
    out.main = s.split_whitespace().collect::<Vec<_>>().join(" ");
    out.main = out.main.trim_end_matches([',', ';']).trim().to_string();
    out
}

/// "A; B; and C" or "A, B, and C" (only where no "Co., Ltd." would split).
fn split_list(s: &str) -> Vec<String> {
    let s = s.trim();
    let parts: Vec<String> = if s.contains(';') {
        s.split(';').map(str::to_string).collect()
    } else {
        // Commas, but keep ", Ltd." / ", Inc." with their names.
        let mut v: Vec<String> = vec![];
        for piece in s.split(", ") {
            let p = piece.trim();
            let suffix = ["ltd", "ltd.", "inc", "inc.", "co.", "limited", "llc"]
                .iter()
                .any(|x| p.to_ascii_lowercase().starts_with(x));
            match v.last_mut() {
                Some(last) if suffix => {
                    last.push_str(", ");
                    last.push_str(p);
                }
                _ => v.push(p.to_string()),
            }
        }
        v
    };
    parts
        .into_iter()
        .map(|p| {
            let p = p.trim();
            let p = p.strip_prefix("and ").unwrap_or(p);
            p.trim().trim_end_matches([',', ';']).trim().to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

// ---------------------------------------------------------------- entities

fn build(out: &mut ParsedList, file: &str, rows: Vec<Row>) {
    let dataset = out.dataset.clone();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut entities: Vec<Entity> = vec![];
    let mut upsert = |name: &str, row: &Row, entities: &mut Vec<Entity>| -> usize {
        let key = slug(name);
        let key = if key.is_empty() {
            format!("row-{}", row.line)
        } else {
            key
        };
        let i = *index.entry(key.clone()).or_insert_with(|| {
            let mut e = Entity::new(
                EntityId::new(&dataset, &key),
                Schema::Organization,
                &dataset,
                name,
            );
            e.list = Some(LIST.to_string());
            e.programs.push(PROGRAM.to_string());
            e.source_url = Some(SOURCE_URL.to_string());
            entities.push(e);
            entities.len() - 1
        });
        let e = &mut entities[i];
        let day = PartialDate::Day(row.effective);
        if e.listed_on.is_none_or(|d| day < d) {
            e.listed_on = Some(day);
        }
        e.add_property_capped("uflpaClause", &row.clause);
        e.add_property_capped(
            "uflpaEffective",
            &format!("{}:{}", row.clause, row.effective),
        );
        let mut c = Citation::new(format!("Pub. L. 117-78 § 2(d)(2)(B)({})", row.clause));
        c.date = Some(row.effective);
        c.url = Some(SOURCE_URL.to_string());
        push_unique(&mut e.citations, c);
        if let Some(n) = &row.notice {
            let mut c = Citation::new(n.clone());
            c.date = Some(row.effective);
            push_unique(&mut e.citations, c);
            e.add_property_capped("notice", n);
        }
        for (k, v) in &row.extra {
            e.add_property_capped(k, v);
        }
        i
    };
    for row in &rows {
        let cell = split_name(&row.name);
        let main = if cell.main.is_empty() {
            row.name.clone()
        } else {
            cell.main.clone()
        };
        let i = upsert(&main, row, &mut entities);
        {
            let e = &mut entities[i];
            for a in cell.aliases.iter().chain(&row.aliases) {
                e.add_name_capped(a, NameKind::Alias);
            }
            for f in &cell.former {
                e.add_name_capped(f, NameKind::FormerName);
            }
            for z in &row.chinese {
                let room = e.names.len() <= crate::caps::MAX_NAMES_PER_RECORD;
                if room && !e.names.iter().any(|n| n.value == *z) {
                    let mut n = embargo_model::Name::new(z.trim(), NameKind::NativeScript);
                    n.lang = Some("zh".into());
                    e.names.push(n);
                }
            }
            if let Some(note) = &cell.note {
                let r = format!("Listed with {note} (as the list writes it).");
                push_unique(&mut e.remarks, r);
            }
        }
        let parent_id = entities[i].id.clone();
        for sub in &cell.subsidiaries {
            let j = upsert(sub, row, &mut entities);
            let l = link(
                LinkKind::OwnedBy,
                &main,
                Some(parent_id.clone()),
                Some("listed as its subsidiary on the UFLPA Entity List"),
            );
            push_unique(&mut entities[j].links, l);
            let l = link(
                LinkKind::Owns,
                sub,
                Some(entities[j].id.clone()),
                Some("listed as its subsidiary on the UFLPA Entity List"),
            );
            push_unique(&mut entities[i].links, l);
        }
    }
    for e in entities {
        out.push_entity(file, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_cells_split_into_main_aliases_and_subsidiaries() {
        let c = split_name(
            "Hetian Haolin Hair Accessories Co. Ltd. (and two aliases: Hotan Haolin Hair Accessories; and Hollin Hair Accessories)",
        );
        assert_eq!(c.main, "Hetian Haolin Hair Accessories Co. Ltd.");
        assert_eq!(
            c.aliases,
            vec!["Hotan Haolin Hair Accessories", "Hollin Hair Accessories"]
        );
        let c = split_name("Kashgar Construction Engineering (Group) Co., Ltd.");
        assert_eq!(c.main, "Kashgar Construction Engineering (Group) Co., Ltd.");
        assert!(c.aliases.is_empty());
        let c = split_name("X (Group) Co., Ltd. (including three aliases: A (Group); B; and C)");
        assert_eq!(c.main, "X (Group) Co., Ltd.");
        assert_eq!(c.aliases, vec!["A (Group)", "B", "C"]);
        let c = split_name("Xinjiang Habahe Ashele Copper Co., Ltd. (also known as Ashele Copper)");
        assert_eq!(c.main, "Xinjiang Habahe Ashele Copper Co., Ltd.");
        assert_eq!(c.aliases, vec!["Ashele Copper"]);
        let c = split_name(
            "Ninestar Corporation and its eight Zhuhai-based subsidiaries, which include Zhuhai Ninestar Information Technology Co., Ltd., Zhuhai Pantum Electronics Co., Ltd., and Zhuhai Apex Microelectronics Co., Ltd.",
        );
        assert_eq!(c.main, "Ninestar Corporation");
        assert_eq!(
            c.subsidiaries,
            vec![
                "Zhuhai Ninestar Information Technology Co., Ltd.",
                "Zhuhai Pantum Electronics Co., Ltd.",
                "Zhuhai Apex Microelectronics Co., Ltd."
            ]
        );
        let c = split_name(
            "Xinjiang Public Security Bureau and its subordinate and affiliated entities",
        );
        assert_eq!(c.main, "Xinjiang Public Security Bureau");
        assert_eq!(
            c.note.as_deref(),
            Some("its subordinate and affiliated entities")
        );
        let c = split_name("Old Name Co. (formerly known as Older Name Co.)");
        assert_eq!(c.former, vec!["Older Name Co."]);
    }

    #[test]
    fn dates_in_the_page_and_csv_forms() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("June 21, 2022"), d(2022, 6, 21));
        assert_eq!(parse_date("Jan. 15, 2025"), d(2025, 1, 15));
        assert_eq!(parse_date("2024-08-09"), d(2024, 8, 9));
        assert_eq!(parse_date("8/9/2024"), d(2024, 8, 9));
        assert_eq!(parse_date("June 31, 2022"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn clauses_are_read_from_section_text() {
        assert_eq!(
            find_clause("see Section 2(d)(2)(B)(ii) of the UFLPA"),
            Some("ii".into())
        );
        assert_eq!(
            find_clause("2(d)(2)(B)(iii) then 2(d)(2)(B)(iv)"),
            Some("iv".into())
        );
        assert_eq!(find_clause("2(d)(2)(B)(iii)"), None);
        assert_eq!(normalise_clause("(v)"), Some("v".into()));
        assert_eq!(normalise_clause("Section 2(d)(2)(B)(i)"), Some("i".into()));
        assert_eq!(normalise_clause("iii"), None);
    }

    #[test]
    fn references_and_whitespace_are_cleaned() {
        assert_eq!(
            clean("East Hope&amp;Nonferrous\n  Metals&nbsp;Co."),
            "East Hope&Nonferrous Metals Co."
        );
        assert_eq!(clean("A &#x4E2D;&#20013; & B"), "A 中中 & B");
        assert_eq!(clean("&bogus; &"), "&bogus; &");
    }
}

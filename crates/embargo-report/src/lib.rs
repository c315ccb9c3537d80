//! Embargo's filing reports as PDF: a [`Report`] (title, headed fields,
//! paragraphs, list items) laid out on one to three A4 pages.
//!
//! This crate knows nothing about screens or decisions (`embargo-app`'s
//! `report` module writes their content); it owns the page: wrapping,
//! page breaks, the three-page cap, and fonts.
//!
//! Fonts: Latin text is set in the PDF's built-in Helvetica (nothing
//! embedded; its metrics come from printpdf's copy of the face). Any other
//! character (Chinese, Cyrillic, Uyghur, …) is set in the first font of
//! [`font_paths`] that has a glyph for it — found at run time, never
//! compiled in, and embedded as a subset of the glyphs the report uses.
//! A character no font covers is never dropped: its run is written as
//! `[romanised: …]` (or `U+XXXX` when there is no romanisation) and the
//! report ends with a note saying so ([`Rendered::fallback_runs`]).

use printpdf::{
    BuiltinFont, Color, FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rgb, TextItem,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A report's content, in reading order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub title: String,
    /// Lines under the title (what the report is, the key identifiers).
    pub subtitle: Vec<String>,
    pub blocks: Vec<Block>,
    /// Repeated at the foot of each page, before "page i of n".
    pub footer: String,
    /// Written instead of what does not fit on three pages, e.g. where the
    /// complete record is kept.
    pub truncation_note: String,
}

/// One element of a report.
#[derive(Clone, Debug)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A labelled value: the label in bold, the value wrapped beside it.
    Field(String, String),
    /// A wrapped paragraph.
    Para(String),
    /// A list item with a hanging indent; `level` 0 or 1.
    Item { level: u8, text: String },
    /// A bold line inside a section (a hit's or a finding's headline).
    Strong(String),
    /// Vertical space.
    Gap,
}

/// A rendered report.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Whether some content did not fit on three pages.
    pub truncated: bool,
    /// Runs of text written in their fallback form because no font covers
    /// them (the original text, each once).
    pub fallback_runs: Vec<String>,
    /// The fonts embedded (their files).
    pub fonts_used: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("font file {path}: {reason}")]
    Font { path: PathBuf, reason: String },
}

/// Most pages a report has: what does not fit is replaced by
/// [`Report::truncation_note`].
pub const MAX_PAGES: usize = 3;

/// The environment variable naming the font files to use for text outside
/// Latin-1 (`:`-separated paths, tried in order).
pub const FONT_ENV: &str = "EMBARGO_REPORT_FONTS";

/// Fonts tried when [`FONT_ENV`] is not set: Debian's DejaVu Sans (Latin,
/// Greek, Cyrillic, Arabic; `fonts-dejavu-core`), Droid Sans Fallback
/// (Chinese, Japanese, Korean; `fonts-droid-fallback`, Apache-2.0), WenQuanYi
/// Micro Hei and Noto Sans CJK (`fonts-wqy-microhei`, `fonts-noto-cjk`).
pub const DEFAULT_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

/// The font files a report will try, in order: [`FONT_ENV`] when set
/// (empty = none), else those of [`DEFAULT_FONTS`] that exist.
pub fn font_paths() -> Vec<PathBuf> {
    match std::env::var_os(FONT_ENV) {
        Some(v) => std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        None => DEFAULT_FONTS
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .collect(),
    }
}

// ---------------------------------------------------------------- fonts

/// A font face with its character map and advances.
struct Face {
    parsed: ParsedFont,
    upem: f32,
}

impl Face {
    fn parse(bytes: &[u8]) -> Option<Face> {
        let mut w = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut w)?;
        let upem = parsed.units_per_em.max(1) as f32;
        Some(Face { parsed, upem })
    }

    fn glyph(&self, c: char) -> Option<u16> {
        self.parsed.lookup_glyph_index(c as u32).filter(|g| *g != 0)
    }

    /// Advance of `c` in points at `size`; `None` when the face lacks it.
    fn advance(&self, c: char, size: f32) -> Option<f32> {
        let g = self.glyph(c)?;
        Some(self.parsed.get_glyph_width(g).unwrap_or(0) as f32 * size / self.upem)
    }
}

/// An external font file found at run time.
struct External {
    path: PathBuf,
    bytes: Vec<u8>,
    face: Face,
}

/// The fonts of one report: built-in Helvetica (regular, bold) and the
/// external faces, each character assigned to the first that has it.
struct Fonts {
    regular: Face,
    bold: Face,
    external: Vec<External>,
}

/// Which face sets a character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Builtin,
    External(usize),
}

impl Fonts {
    fn load(paths: &[PathBuf]) -> Result<Fonts, ReportError> {
        let builtin = |f: BuiltinFont| {
            Face::parse(&f.get_subset_font().bytes).ok_or_else(|| ReportError::Font {
                path: PathBuf::from(f.get_id()),
                reason: "printpdf's copy of the built-in face cannot be read".into(),
            })
        };
        let mut external = Vec::new();
        for path in paths {
            let bytes = std::fs::read(path).map_err(|e| ReportError::Font {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let face = Face::parse(&bytes).ok_or_else(|| ReportError::Font {
                path: path.clone(),
                reason: "not a TrueType/OpenType font this report can read".into(),
            })?;
            external.push(External {
                path: path.clone(),
                bytes,
                face,
            });
        }
        Ok(Fonts {
            regular: builtin(BuiltinFont::Helvetica)?,
            bold: builtin(BuiltinFont::HelveticaBold)?,
            external,
        })
    }

    fn slot(&self, c: char) -> Option<Slot> {
        // The standard faces' copies have no glyph for the space; every
        // PDF reader draws it.
        if c == ' ' {
            return Some(Slot::Builtin);
        }
        if self.regular.glyph(c).is_some() && self.bold.glyph(c).is_some() {
            return Some(Slot::Builtin);
        }
        self.external
            .iter()
            .position(|e| e.face.glyph(c).is_some())
            .map(Slot::External)
    }

    fn advance(&self, c: char, slot: Slot, bold: bool, size: f32) -> f32 {
        let w = match slot {
            Slot::Builtin if bold => self.bold.advance(c, size),
            Slot::Builtin => self.regular.advance(c, size),
            Slot::External(i) => self.external[i].face.advance(c, size),
        };
        // Helvetica's space is 278/1000 em.
        w.unwrap_or(if c == ' ' { size * 0.278 } else { size * 0.5 })
    }
}

/// `text` with every run of characters no font covers replaced by its
/// visible fallback; each replaced run is added to `fallbacks`.
fn substitute(fonts: &Fonts, text: &str, fallbacks: &mut BTreeSet<String>) -> Vec<(char, Slot)> {
    let mut out = Vec::with_capacity(text.len());
    let mut missing = String::new();
    let flush = |missing: &mut String, out: &mut Vec<(char, Slot)>, fb: &mut BTreeSet<String>| {
        if missing.is_empty() {
            return;
        }
        let roman = any_ascii::any_ascii(missing);
        let shown = if roman.trim().is_empty() {
            let codes: Vec<String> = missing
                .chars()
                .map(|c| format!("U+{:04X}", c as u32))
                .collect();
            format!("[{}]", codes.join(" "))
        } else {
            format!("[romanised: {}]", roman.trim())
        };
        out.extend(shown.chars().map(|c| (c, Slot::Builtin)));
        fb.insert(std::mem::take(missing));
    };
    for c in text.chars() {
        let c = match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() => continue,
            c => c,
        };
        match fonts.slot(c) {
            Some(slot) => {
                flush(&mut missing, &mut out, fallbacks);
                out.push((c, slot));
            }
            None => missing.push(c),
        }
    }
    flush(&mut missing, &mut out, fallbacks);
    out
}

// --------------------------------------------------------------- layout

const PAGE_W: f32 = 595.28; // A4 in points
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 51.0; // 18 mm
const MARGIN_TOP: f32 = 51.0;
const MARGIN_BOTTOM: f32 = 57.0;
const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const HEADING: f32 = 11.5;
const TITLE: f32 = 16.0;
const LABEL_W: f32 = 130.0;
const INDENT: f32 = 12.0;

/// One laid-out line: where, how big, and its characters.
struct LineOut {
    x: f32,
    size: f32,
    bold: bool,
    grey: bool,
    chars: Vec<(char, Slot)>,
}

/// Splits `chars` into lines no wider than `width`: breaks at spaces, and
/// between any two characters of a word too long for a line (a long hash,
/// a run of Chinese characters).
fn wrap(
    fonts: &Fonts,
    chars: &[(char, Slot)],
    bold: bool,
    size: f32,
    width: f32,
) -> Vec<Vec<(char, Slot)>> {
    let adv = |&(c, s): &(char, Slot)| fonts.advance(c, s, bold, size);
    let mut lines = Vec::new();
    let mut line: Vec<(char, Slot)> = Vec::new();
    let mut line_w = 0.0;
    // Words with the space before them.
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].0 == ' ' {
            i += 1;
        }
        let word_start = i;
        while i < chars.len() && chars[i].0 != ' ' {
            // Han, kana and hangul break anywhere.
            if i > word_start && is_wide(chars[i].0) {
                break;
            }
            i += 1;
            if is_wide(chars[i - 1].0) {
                break;
            }
        }
        let space: f32 = chars[start..word_start].iter().map(adv).sum();
        let word = &chars[word_start..i];
        let word_w: f32 = word.iter().map(adv).sum();
        if !line.is_empty() && line_w + space + word_w > width {
            lines.push(std::mem::take(&mut line));
            line_w = 0.0;
        } else if !line.is_empty() {
            line.extend_from_slice(&chars[start..word_start]);
            line_w += space;
        }
        for ch in word {
            let w = adv(ch);
            if !line.is_empty() && line_w + w > width {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            line.push(*ch);
            line_w += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Pages of positioned lines, capped at [`MAX_PAGES`].
struct Layout {
    pages: Vec<Vec<(f32, LineOut)>>,
    rules: Vec<Vec<f32>>,
    y: f32,
    full: bool,
    truncated: bool,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            rules: vec![Vec::new()],
            y: PAGE_H - MARGIN_TOP,
            full: false,
            truncated: false,
        }
    }

    /// Room needed at the foot of the last page for the truncation note.
    fn reserve(&self) -> f32 {
        if self.pages.len() == MAX_PAGES {
            // Up to five lines of closing notes (fallback, truncation).
            5.0 * SMALL * 1.35 + BODY
        } else {
            0.0
        }
    }

    /// Makes room for a line of `height`; false when the report is full.
    fn room(&mut self, height: f32) -> bool {
        if self.full {
            self.truncated = true;
            return false;
        }
        if self.y - height < MARGIN_BOTTOM + self.reserve() {
            if self.pages.len() == MAX_PAGES {
                self.full = true;
                self.truncated = true;
                return false;
            }
            self.pages.push(Vec::new());
            self.rules.push(Vec::new());
            self.y = PAGE_H - MARGIN_TOP;
        }
        true
    }

    fn push(&mut self, line: LineOut) -> bool {
        let h = line.size * 1.35;
        if !self.room(h) {
            return false;
        }
        self.y -= h;
        let y = self.y;
        if let Some(p) = self.pages.last_mut() {
            p.push((y, line));
        }
        true
    }

    fn gap(&mut self, h: f32) {
        if !self.full && self.y - h > MARGIN_BOTTOM {
            self.y -= h;
        }
    }

    fn rule(&mut self) {
        if self.full {
            return;
        }
        self.y -= 3.0;
        let y = self.y;
        if let Some(r) = self.rules.last_mut() {
            r.push(y);
        }
        self.y -= 2.0;
    }
}

#[allow(clippy::too_many_arguments)]
fn para(
    l: &mut Layout,
    fonts: &Fonts,
    fb: &mut BTreeSet<String>,
    text: &str,
    x: f32,
    size: f32,
    bold: bool,
    grey: bool,
) {
    let chars = substitute(fonts, text, fb);
    for line in wrap(fonts, &chars, bold, size, PAGE_W - MARGIN_X - x) {
        if !l.push(LineOut {
            x,
            size,
            bold,
            grey,
            chars: line,
        }) {
            return;
        }
    }
}

/// Lays out and writes `report` as a PDF of at most [`MAX_PAGES`] pages,
/// with the fonts of [`font_paths`].
pub fn render(report: &Report) -> Result<Rendered, ReportError> {
    render_with_fonts(report, &font_paths())
}

/// [`render`] with the given font files (none: every character outside
/// Latin-1 is written in its fallback form).
pub fn render_with_fonts(report: &Report, font_files: &[PathBuf]) -> Result<Rendered, ReportError> {
    let fonts = Fonts::load(font_files)?;
    let mut fb = BTreeSet::new();
    let mut l = Layout::new();
    para(
        &mut l,
        &fonts,
        &mut fb,
        &report.title,
        MARGIN_X,
        TITLE,
        true,
        false,
    );
    for s in &report.subtitle {
        para(&mut l, &fonts, &mut fb, s, MARGIN_X, BODY, false, true);
    }
    l.rule();
    for b in &report.blocks {
        match b {
            Block::Heading(h) => {
                l.gap(BODY * 0.8);
                // Keep a heading with at least two lines of its section.
                if l.y - HEADING * 1.35 - 2.0 * BODY * 1.35 < MARGIN_BOTTOM + l.reserve() {
                    l.room(PAGE_H);
                }
                para(&mut l, &fonts, &mut fb, h, MARGIN_X, HEADING, true, false);
                l.rule();
            }
            Block::Field(label, value) => {
                let lab = substitute(&fonts, label, &mut fb);
                let val = substitute(&fonts, value, &mut fb);
                let lab_lines = wrap(&fonts, &lab, true, BODY, LABEL_W - 6.0);
                let val_lines = wrap(&fonts, &val, false, BODY, PAGE_W - 2.0 * MARGIN_X - LABEL_W);
                let n = lab_lines.len().max(val_lines.len());
                let mut lab_it = lab_lines.into_iter();
                let mut val_it = val_lines.into_iter();
                for _ in 0..n {
                    if !l.room(BODY * 1.35) {
                        break;
                    }
                    l.y -= BODY * 1.35;
                    let y = l.y;
                    let page = l.pages.last_mut().expect("a page");
                    if let Some(chars) = lab_it.next() {
                        page.push((
                            y,
                            LineOut {
                                x: MARGIN_X,
                                size: BODY,
                                bold: true,
                                grey: false,
                                chars,
                            },
                        ));
                    }
                    if let Some(chars) = val_it.next() {
                        page.push((
                            y,
                            LineOut {
                                x: MARGIN_X + LABEL_W,
                                size: BODY,
                                bold: false,
                                grey: false,
                                chars,
                            },
                        ));
                    }
                }
            }
            Block::Para(t) => para(&mut l, &fonts, &mut fb, t, MARGIN_X, BODY, false, false),
            Block::Strong(t) => {
                l.gap(BODY * 0.4);
                para(&mut l, &fonts, &mut fb, t, MARGIN_X, BODY, true, false)
            }
            Block::Item { level, text } => {
                let x = MARGIN_X + INDENT * (*level as f32 + 1.0);
                let bullet = if *level == 0 { "-" } else { "·" };
                let chars = substitute(&fonts, text, &mut fb);
                for (i, line) in wrap(&fonts, &chars, false, BODY, PAGE_W - MARGIN_X - x)
                    .into_iter()
                    .enumerate()
                {
                    if i == 0 {
                        // The bullet shares the first line's baseline.
                        if !l.room(BODY * 1.35) {
                            break;
                        }
                        let y = l.y - BODY * 1.35;
                        if let Some(p) = l.pages.last_mut() {
                            p.push((
                                y,
                                LineOut {
                                    x: x - INDENT * 0.7,
                                    size: BODY,
                                    bold: false,
                                    grey: false,
                                    chars: bullet.chars().map(|c| (c, Slot::Builtin)).collect(),
                                },
                            ));
                        }
                    }
                    if !l.push(LineOut {
                        x,
                        size: BODY,
                        bold: false,
                        grey: false,
                        chars: line,
                    }) {
                        break;
                    }
                }
            }
            Block::Gap => l.gap(BODY * 0.8),
        }
    }
    // The fallback note and the truncation note go in the room reserved.
    let fallback_runs: Vec<String> = fb.iter().cloned().collect();
    let mut closing = Vec::new();
    if !fallback_runs.is_empty() {
        closing.push(format!(
            "Text in [romanised: ...] or [U+....] could not be drawn in its original script: \
             no font covering it was found (install fonts-droid-fallback or set {FONT_ENV}). \
             The audit record holds the original text."
        ));
    }
    let truncated = l.truncated;
    if truncated {
        closing.push(report.truncation_note.clone());
    }
    if !closing.is_empty() {
        // Written into the reserved space: lift the cap for these lines.
        l.full = false;
        let saved = l.pages.len();
        for c in closing {
            let chars = substitute(&fonts, &c, &mut BTreeSet::new());
            for line in wrap(&fonts, &chars, true, SMALL, PAGE_W - 2.0 * MARGIN_X) {
                l.y -= SMALL * 1.35;
                if l.y < MARGIN_BOTTOM && l.pages.len() < MAX_PAGES {
                    l.pages.push(Vec::new());
                    l.rules.push(Vec::new());
                    l.y = PAGE_H - MARGIN_TOP - SMALL * 1.35;
                }
                let y = l.y;
                if let Some(p) = l.pages.last_mut() {
                    p.push((
                        y,
                        LineOut {
                            x: MARGIN_X,
                            size: SMALL,
                            bold: true,
                            grey: false,
                            chars: line,
                        },
                    ));
                }
            }
        }
        debug_assert!(l.pages.len() >= saved);
    }
    let (pdf, fonts_used) = write_pdf(report, &fonts, &l)?;
    Ok(Rendered {
        pdf,
        pages: l.pages.len(),
        truncated,
        fallback_runs,
        fonts_used,
    })
}

// ---------------------------------------------------------------- output

/// A subset of an external font holding only `used`, registered with the
/// document. The subset keeps a Unicode cmap, so the text maps to it as it
/// did to the whole font, and the PDF carries kilobytes, not megabytes.
fn subset_font(
    doc: &mut PdfDocument,
    ext: &External,
    used: &BTreeSet<char>,
) -> Result<FontId, ReportError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};
    let err = |reason: String| ReportError::Font {
        path: ext.path.clone(),
        reason,
    };
    let mut gids: BTreeSet<u16> = used.iter().filter_map(|c| ext.face.glyph(*c)).collect();
    gids.insert(0);
    let ids: Vec<u16> = gids.into_iter().collect();
    let data = ReadScope::new(&ext.bytes)
        .read::<FontData<'_>>()
        .map_err(|e| err(e.to_string()))?;
    let provider = data.table_provider(0).map_err(|e| err(e.to_string()))?;
    let bytes = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| err(format!("cannot subset: {e}")))?;
    let face = Face::parse(&bytes).ok_or_else(|| err("its subset cannot be read".into()))?;
    Ok(doc.add_font(&face.parsed))
}

fn write_pdf(
    report: &Report,
    fonts: &Fonts,
    l: &Layout,
) -> Result<(Vec<u8>, Vec<PathBuf>), ReportError> {
    let mut doc = PdfDocument::new(&report.title);
    doc.metadata.info.creator = "Embargo".into();
    doc.metadata.info.producer = format!("Embargo {}", env!("CARGO_PKG_VERSION"));
    // Which characters each external font sets.
    let mut used: Vec<BTreeSet<char>> = vec![BTreeSet::new(); fonts.external.len()];
    for page in &l.pages {
        for (_, line) in page {
            for (c, s) in &line.chars {
                if let Slot::External(i) = s {
                    used[*i].insert(*c);
                }
            }
        }
    }
    let mut ids: Vec<Option<FontId>> = Vec::new();
    let mut fonts_used = Vec::new();
    for (ext, chars) in fonts.external.iter().zip(&used) {
        if chars.is_empty() {
            ids.push(None);
        } else {
            ids.push(Some(subset_font(&mut doc, ext, chars)?));
            fonts_used.push(ext.path.clone());
        }
    }
    let n = l.pages.len();
    let black = Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None));
    let grey = Color::Rgb(Rgb::new(0.35, 0.35, 0.35, None));
    let mut pages = Vec::with_capacity(n);
    for (pi, (page, rules)) in l.pages.iter().zip(&l.rules).enumerate() {
        let mut ops = Vec::new();
        ops.push(Op::SetOutlineColor { col: grey.clone() });
        ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
        for y in rules {
            ops.push(Op::DrawLine {
                line: hline(MARGIN_X, PAGE_W - MARGIN_X, *y),
            });
        }
        for (y, line) in page {
            text_line(
                &mut ops,
                &ids,
                line,
                *y,
                if line.grey { &grey } else { &black },
            );
        }
        // Footer: what the report is, and page i of n.
        let foot = format!("{}    page {} of {}", report.footer, pi + 1, n);
        let chars = substitute(fonts, &foot, &mut BTreeSet::new());
        ops.push(Op::DrawLine {
            line: hline(MARGIN_X, PAGE_W - MARGIN_X, MARGIN_BOTTOM - 14.0),
        });
        for (k, chunk) in wrap(fonts, &chars, false, SMALL, PAGE_W - 2.0 * MARGIN_X)
            .into_iter()
            .enumerate()
        {
            text_line(
                &mut ops,
                &ids,
                &LineOut {
                    x: MARGIN_X,
                    size: SMALL,
                    bold: false,
                    grey: true,
                    chars: chunk,
                },
                MARGIN_BOTTOM - 24.0 - k as f32 * SMALL * 1.3,
                &grey,
            );
        }
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    let mut warnings = Vec::new();
    let pdf = doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings);
    Ok((pdf, fonts_used))
}

fn hline(x0: f32, x1: f32, y: f32) -> Line {
    Line {
        points: vec![
            LinePoint {
                p: Point {
                    x: Pt(x0),
                    y: Pt(y),
                },
                bezier: false,
            },
            LinePoint {
                p: Point {
                    x: Pt(x1),
                    y: Pt(y),
                },
                bezier: false,
            },
        ],
        is_closed: false,
    }
}

/// One line as a text object: a font change at each change of face.
fn text_line(ops: &mut Vec<Op>, ids: &[Option<FontId>], line: &LineOut, y: f32, col: &Color) {
    if line.chars.is_empty() {
        return;
    }
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFillColor { col: col.clone() });
    ops.push(Op::SetTextCursor {
        pos: Point {
            x: Pt(line.x),
            y: Pt(y),
        },
    });
    let mut i = 0;
    while i < line.chars.len() {
        let slot = line.chars[i].1;
        let mut run = String::new();
        while i < line.chars.len() && line.chars[i].1 == slot {
            run.push(line.chars[i].0);
            i += 1;
        }
        let font = match slot {
            Slot::Builtin if line.bold => PdfFontHandle::Builtin(BuiltinFont::HelveticaBold),
            Slot::Builtin => PdfFontHandle::Builtin(BuiltinFont::Helvetica),
            Slot::External(k) => match ids.get(k).cloned().flatten() {
                Some(id) => PdfFontHandle::External(id),
                None => continue,
            },
        };
        ops.push(Op::SetFont {
            font,
            size: Pt(line.size),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(run)],
        });
    }
    ops.push(Op::EndTextSection);
}

/// Whether `path` looks like a font file this crate reads (for callers
/// that list candidates to a user).
pub fn is_font_file(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| Face::parse(&b))
        .is_some()
}

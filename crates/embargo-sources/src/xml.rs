//! A minimal streaming XML walker over quick-xml, shared by the OFAC and UN
//! parsers.
//!
//! Both formats are records of small elements with text leaves, so the
//! parsers only need three callbacks: an element opens (with its
//! attributes), an element closes (with the text directly inside it,
//! entity references resolved), and the line where that happened for error
//! messages. The walker tracks the open-element stack so a parser can ask
//! "am I inside `INDIVIDUAL_ALIAS`?" without keeping its own state.

use crate::error::SourceError;
use quick_xml::events::Event;
use std::io::BufRead;

/// What the walker reports.
pub(crate) enum XmlEvent<'a> {
    /// An element opened; attributes as (local name, unescaped value).
    Open {
        name: &'a str,
        attrs: Vec<(String, String)>,
    },
    /// An element closed; `text` is its own text content, trimmed.
    Close { name: &'a str, text: String },
}

/// The stack of open element names (local names, namespaces dropped).
pub(crate) struct Walk {
    pub stack: Vec<String>,
    pub line: u64,
}

impl Walk {
    /// Whether an element with this name is open (at any depth).
    pub fn inside(&self, name: &str) -> bool {
        self.stack.iter().any(|n| n == name)
    }
    /// Name of the parent of the element being reported.
    pub fn parent(&self) -> Option<&str> {
        self.stack.last().map(String::as_str)
    }
}

/// Checks that a document's first element is the format's root, so that a
/// file of the wrong kind fails at line 1 instead of parsing to nothing.
pub(crate) struct RootCheck {
    /// The root element the format has (`sdnList`).
    expected: &'static str,
    /// How the error names the format ("OFAC XML").
    format: &'static str,
    seen: bool,
}

impl RootCheck {
    pub fn new(expected: &'static str, format: &'static str) -> Self {
        RootCheck {
            expected,
            format,
            seen: false,
        }
    }

    /// Call for every element that opens: the first must be the expected
    /// root. `Ok(true)` exactly when `name` is that root.
    pub fn check(&mut self, file: &str, w: &Walk, name: &str) -> Result<bool, SourceError> {
        if self.seen {
            return Ok(false);
        }
        self.seen = true;
        if name != self.expected {
            return Err(SourceError::wrong_format(
                file,
                format!(
                    "root element <{name}> does not look like {} (expected <{}>)",
                    self.format, self.expected
                ),
            )
            .at_line(w.line));
        }
        Ok(true)
    }
}

fn count_newlines(s: &str) -> u64 {
    s.bytes().filter(|&b| b == b'\n').count() as u64
}

/// Streams `r`, calling `f` for every open and close. Errors carry the
/// 1-based line.
pub(crate) fn walk<R: BufRead>(
    file: &str,
    r: R,
    mut f: impl FnMut(&Walk, XmlEvent<'_>) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let mut reader = quick_xml::Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut w = Walk {
        stack: vec![],
        line: 1,
    };
    // Text of each open element, parallel to the stack.
    let mut texts: Vec<String> = vec![];
    let mut saw_root = false;
    loop {
        buf.clear();
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| SourceError::invalid(file, format!("XML error: {e}")).at_line(w.line))?;
        match ev {
            Event::Start(s) => {
                saw_root = true;
                let name = s.local_name().as_ref().to_string();
                let mut attrs = vec![];
                for a in s.attributes().flatten() {
                    let k = a.key.local_name().as_ref().to_string();
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    attrs.push((k, v));
                }
                f(&w, XmlEvent::Open { name: &name, attrs })?;
                w.stack.push(name);
                texts.push(String::new());
            }
            Event::Empty(s) => {
                saw_root = true;
                let name = s.local_name().as_ref().to_string();
                f(
                    &w,
                    XmlEvent::Open {
                        name: &name,
                        attrs: vec![],
                    },
                )?;
                f(
                    &w,
                    XmlEvent::Close {
                        name: &name,
                        text: String::new(),
                    },
                )?;
            }
            Event::End(_) => {
                let name = w.stack.pop().ok_or_else(|| {
                    SourceError::invalid(file, "XML error: closing tag without an open element")
                        .at_line(w.line)
                })?;
                let text = texts.pop().unwrap_or_default();
                f(
                    &w,
                    XmlEvent::Close {
                        name: &name,
                        text: text.trim().to_string(),
                    },
                )?;
            }
            Event::Text(t) => {
                w.line += count_newlines(t.as_ref());
                if let Some(cur) = texts.last_mut() {
                    cur.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
                }
            }
            Event::CData(t) => {
                w.line += count_newlines(t.as_ref());
                if let Some(cur) = texts.last_mut() {
                    cur.push_str(t.as_ref());
                }
            }
            Event::GeneralRef(r) => {
                // quick-xml reports `&amp;` and `&#233;` as separate events.
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let n = r.as_ref().to_string();
                        quick_xml::escape::resolve_predefined_entity(&n)
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("&{n};"))
                    }
                };
                if let Some(cur) = texts.last_mut() {
                    cur.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(t) => w.line += count_newlines(t.as_ref()),
            _ => {}
        }
    }
    if !w.stack.is_empty() {
        return Err(SourceError::new(
            file,
            crate::ErrorKind::Truncated {
                whole_rows: 0,
                detail: format!("the XML ends inside <{}>", w.stack.join("><")),
            },
        )
        .at_line(w.line));
    }
    if !saw_root {
        return Err(SourceError::wrong_format(file, "no XML element found"));
    }
    Ok(())
}

/// One record (`sdnEntry`, `INDIVIDUAL`, `ENTITY`) flattened to two levels:
/// its own text leaves, and its sub-blocks (`aka`, `INDIVIDUAL_ALIAS`,
/// `programList`, …) each as a list of (leaf, text).
#[derive(Default, Debug)]
pub(crate) struct Record {
    pub name: String,
    pub line: u64,
    pub leaves: Vec<(String, String)>,
    pub items: Vec<(String, Vec<(String, String)>)>,
}

impl Record {
    pub fn leaf(&self, name: &str) -> Option<&str> {
        self.leaves
            .iter()
            .find(|(n, t)| n == name && !t.is_empty())
            .map(|(_, t)| t.as_str())
    }
}

/// Value of a leaf inside an item.
pub(crate) fn get<'a>(item: &'a [(String, String)], name: &str) -> Option<&'a str> {
    item.iter()
        .find(|(n, t)| n == name && !t.is_empty())
        .map(|(_, t)| t.as_str())
}

/// Streams records whose element name is in `record_names`. `on_open`
/// sees every opening element outside records (root checks, header
/// attributes); `on_leaf_outside` every closing leaf outside records
/// (OFAC's `Publish_Date`); `on_record` each finished record.
pub(crate) fn records<R: BufRead>(
    file: &str,
    r: R,
    record_names: &[&str],
    mut on_open: impl FnMut(&Walk, &str, &[(String, String)]) -> Result<(), SourceError>,
    mut on_leaf_outside: impl FnMut(&str, &str),
    mut on_record: impl FnMut(Record) -> Result<(), SourceError>,
) -> Result<u64, SourceError> {
    let mut cur: Option<Record> = None;
    let mut item: Vec<(String, String)> = vec![];
    let mut done = 0u64;
    let res = walk(file, r, |w, ev| match ev {
        XmlEvent::Open { name, attrs } => {
            if cur.is_none() {
                if record_names.contains(&name) {
                    cur = Some(Record {
                        name: name.to_string(),
                        line: w.line,
                        ..Record::default()
                    });
                    item.clear();
                } else {
                    on_open(w, name, &attrs)?;
                }
            }
            Ok(())
        }
        XmlEvent::Close { name, text } => {
            let Some(rec) = cur.as_mut() else {
                on_leaf_outside(name, &text);
                return Ok(());
            };
            let parent = w.parent().unwrap_or("");
            if name == rec.name && !w.inside(&rec.name) {
                let rec = cur.take().expect("checked above");
                done += 1;
                return on_record(rec);
            }
            if parent == rec.name {
                if item.is_empty() {
                    rec.leaves.push((name.to_string(), text));
                } else {
                    rec.items
                        .push((name.to_string(), std::mem::take(&mut item)));
                }
            } else if parent.ends_with("List") && !item.is_empty() && text.is_empty() {
                rec.items
                    .push((name.to_string(), std::mem::take(&mut item)));
            } else {
                item.push((name.to_string(), text));
            }
            Ok(())
        }
    });
    match res {
        Err(mut e) => {
            if let crate::ErrorKind::Truncated { whole_rows, .. } = &mut e.kind {
                *whole_rows = done;
            }
            Err(e)
        }
        Ok(()) => Ok(done),
    }
}

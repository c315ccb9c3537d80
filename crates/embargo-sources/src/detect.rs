//! Format detection from the file name and the first bytes.
//!
//! Only unambiguous answers: a header or root element that belongs to one
//! format, or an OFAC legacy primary file recognised by both its name
//! (`sdn.csv` / `cons_prim.csv`, which decides SDN vs non-SDN) and its
//! first record shape. Anything else is `None` and the caller must name
//! the kind.

use embargo_model::SourceKind;
use std::io::Read;
use std::path::Path;

/// How many bytes are looked at: enough for any header or XML prolog.
const SNIFF: u64 = 4096;

/// Guesses the list format of `path`; `None` when unsure or unreadable.
pub fn detect(path: &Path) -> Option<SourceKind> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(SNIFF)
        .read_to_end(&mut head)
        .ok()?;
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    detect_bytes(&name, &head)
}

pub(crate) fn detect_bytes(name: &str, head: &[u8]) -> Option<SourceKind> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let first_line = text.lines().next().unwrap_or("");
    if text.starts_with('<') {
        if text.contains("<CONSOLIDATED_LIST") {
            return Some(SourceKind::UnSc);
        }
        if text.contains("<sdnList") {
            // Both OFAC XML files share the root; only the name differs.
            return if name.contains("cons") {
                Some(SourceKind::OfacConsolidated)
            } else if name.contains("sdn") {
                Some(SourceKind::OfacSdn)
            } else {
                None
            };
        }
        if text.to_ascii_lowercase().contains("uflpa entity list") {
            return Some(SourceKind::DhsUflpa);
        }
        return None;
    }
    if text.starts_with('{') {
        let ftm = first_line.contains("\"schema\"") || first_line.contains("\"op\"");
        return ftm.then_some(SourceKind::Ftm);
    }
    let header: Vec<String> = first_line
        .split([',', '\t'])
        .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    if h.len() > 3 && h[..3] == ["_id", "source", "entity_number"] {
        return Some(SourceKind::TradeCsl);
    }
    if first_line.contains('\t') && h.len() > 2 && h[..3] == ["name", "street_address", "city"] {
        return Some(SourceKind::BisDpl);
    }
    let uflpa_name = ["name of entity", "entity name", "name"]
        .iter()
        .any(|c| h.contains(c));
    let uflpa_clause = ["clause", "section"].iter().any(|c| h.contains(c));
    if uflpa_name && h.contains(&"effective date") && uflpa_clause {
        return Some(SourceKind::DhsUflpa);
    }
    if h.len() >= 3 && h.contains(&"id") && h.contains(&"schema") && h.contains(&"name") {
        return Some(SourceKind::Custom);
    }
    // OFAC legacy: `36,"AEROCARIBBEAN AIRLINES",-0- ,…`
    let ofac_shape = first_line.split_once(',').is_some_and(|(n, rest)| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with('"')
    });
    if ofac_shape {
        return crate::ofac_csv::kind_for_name(name);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_header() {
        let k = |n: &str, b: &str| detect_bytes(n, b.as_bytes());
        assert_eq!(
            k("x.csv", "_id,source,entity_number,type\n"),
            Some(SourceKind::TradeCsl)
        );
        assert_eq!(
            k("dpl.txt", "\"Name\"\t\"Street_Address\"\t\"City\"\n"),
            Some(SourceKind::BisDpl)
        );
        assert_eq!(
            k("u.xml", "<?xml?>\n<CONSOLIDATED_LIST dateGenerated=\"x\">"),
            Some(SourceKind::UnSc)
        );
        assert_eq!(k("sdn.xml", "<?xml?><sdnList>"), Some(SourceKind::OfacSdn));
        assert_eq!(
            k("consolidated.xml", "<?xml?><sdnList>"),
            Some(SourceKind::OfacConsolidated)
        );
        assert_eq!(k("list.xml", "<?xml?><sdnList>"), None);
        assert_eq!(
            k("sdn.csv", "36,\"AERO\",-0- \r\n"),
            Some(SourceKind::OfacSdn)
        );
        assert_eq!(
            k("cons_prim.csv", "9639,\"HANIYA\"\r\n"),
            Some(SourceKind::OfacConsolidated)
        );
        assert_eq!(k("other.csv", "36,\"AERO\",-0- \r\n"), None);
        assert_eq!(
            k("e.json", "{\"id\":\"x\",\"schema\":\"Person\"}\n"),
            Some(SourceKind::Ftm)
        );
        assert_eq!(
            k("mine.csv", "id,schema,name,aliases\n"),
            Some(SourceKind::Custom)
        );
        assert_eq!(
            k(
                "uflpa.html",
                "<!DOCTYPE html><html><title>UFLPA Entity List | Homeland Security</title>"
            ),
            Some(SourceKind::DhsUflpa)
        );
        assert_eq!(
            k("page.html", "<!DOCTYPE html><html><title>Other</title>"),
            None
        );
        assert_eq!(
            k("uflpa.csv", "Name of Entity,Effective Date,Clause\n"),
            Some(SourceKind::DhsUflpa)
        );
        assert_eq!(k("x.csv", "a,b,c\n"), None);
        assert_eq!(k("x.csv", ""), None);
    }
}

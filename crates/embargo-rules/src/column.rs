//! The columns of the Commerce Country Chart (Supplement No. 1 to 15 CFR
//! Part 738): a reason for control and its number. Both the CCL (which
//! names the columns an ECCN's reasons use) and the chart (which marks
//! them per country) read this type; neither depends on the other for it.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    CB1,
    CB2,
    CB3,
    NP1,
    NP2,
    NS1,
    NS2,
    MT1,
    RS1,
    RS2,
    FC1,
    CC1,
    CC2,
    CC3,
    AT1,
    AT2,
}

use Column::*;

const ALL: [Column; 16] = [
    CB1, CB2, CB3, NP1, NP2, NS1, NS2, MT1, RS1, RS2, FC1, CC1, CC2, CC3, AT1, AT2,
];

impl Column {
    /// As the chart prints it: "NS 1".
    pub fn label(self) -> &'static str {
        match self {
            CB1 => "CB 1",
            CB2 => "CB 2",
            CB3 => "CB 3",
            NP1 => "NP 1",
            NP2 => "NP 2",
            NS1 => "NS 1",
            NS2 => "NS 2",
            MT1 => "MT 1",
            RS1 => "RS 1",
            RS2 => "RS 2",
            FC1 => "FC 1",
            CC1 => "CC 1",
            CC2 => "CC 2",
            CC3 => "CC 3",
            AT1 => "AT 1",
            AT2 => "AT 2",
        }
    }

    /// From the data files' token ("NS1") or the label ("NS 1").
    pub fn parse(s: &str) -> Option<Column> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        ALL.into_iter()
            .find(|c| c.label().replace(' ', "").eq_ignore_ascii_case(&t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_labels_parse() {
        assert_eq!(Column::parse("NS1"), Some(NS1));
        assert_eq!(Column::parse("CC 3"), Some(CC3));
        assert_eq!(Column::parse("XX9"), None);
        assert!(ALL.iter().all(|c| Column::parse(c.label()) == Some(*c)));
    }
}

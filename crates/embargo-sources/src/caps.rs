//! Caps on what one record may hold, so no list entry can make an import
//! (or, later, every screen) slow: the red team's 600,000 CSL `alt_names`,
//! an FtM entity with a million names and a name that is one 10 MB word.
//!
//! Two parts:
//! - while parsing, [`Capped`] and `text::push_unique` stop adding values
//!   to a field once it is over its cap (the model's `add_name` compares
//!   each new value with every kept one, which is quadratic without a cap),
//!   so parsing stays linear in the file;
//! - after parsing, [`check`] refuses the whole file with an error naming
//!   the file, the record, the field and the cap. Refusing, not cutting:
//!   a list that breaks these bounds is not what its publisher ships, and
//!   an import that silently dropped names could miss a party.
//!
//! The bounds are far above anything the official lists hold (most names
//! of one record: 95; longest name: 384 characters; longest field: 8,241
//! bytes, as of the lists in `shared/data`).

use crate::error::SourceError;
use embargo_model::{Entity, NameKind};

/// Most names (primary, aliases, former and native-script names) of one record.
pub const MAX_NAMES_PER_RECORD: usize = 1_000;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 1_000;
/// Most values of any other field of one record (addresses, identifiers,
/// programmes, countries, each property). Links and citations are not
/// capped: a large owner may have many, and they are never matched.
pub const MAX_VALUES_PER_FIELD: usize = 1_000;
/// Longest value of any other field, in bytes.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Adding names and properties to a record without quadratic cost.
pub(crate) trait Capped {
    /// `Entity::add_name`, unless the record is already over
    /// `MAX_NAMES_PER_RECORD` (then `check` refuses it).
    fn add_name_capped(&mut self, value: &str, kind: NameKind);
    /// `Entity::add_property`, unless that property is already over
    /// `MAX_VALUES_PER_FIELD`.
    fn add_property_capped(&mut self, key: &str, value: &str);
}

impl Capped for Entity {
    fn add_name_capped(&mut self, value: &str, kind: NameKind) {
        if self.names.len() <= MAX_NAMES_PER_RECORD {
            self.add_name(value, kind);
        }
    }

    fn add_property_capped(&mut self, key: &str, value: &str) {
        if self
            .properties
            .get(key)
            .is_none_or(|v| v.len() <= MAX_VALUES_PER_FIELD)
        {
            self.add_property(key, value);
        }
    }
}

/// Refuses the first record that breaks a cap: names count and length,
/// the number of values of each field and the size of each value.
pub(crate) fn check(file: &str, entities: &[Entity]) -> Result<(), SourceError> {
    for e in entities {
        let refuse = |field: &str, what: String| {
            Err(SourceError::invalid(file, format!("record {}: {what}", e.id)).in_field(field))
        };
        if e.names.len() > MAX_NAMES_PER_RECORD {
            return refuse(
                "names",
                format!(
                    "more than {MAX_NAMES_PER_RECORD} names, the cap per record \
                     (MAX_NAMES_PER_RECORD); the file is refused"
                ),
            );
        }
        if let Some(n) = e
            .names
            .iter()
            .find(|n| n.value.len() > MAX_NAME_CHARS && n.value.chars().count() > MAX_NAME_CHARS)
        {
            return refuse(
                "names",
                format!(
                    "a name of {} characters is longer than {MAX_NAME_CHARS}, the cap \
                     (MAX_NAME_CHARS); the file is refused",
                    n.value.chars().count()
                ),
            );
        }
        let counts = [
            ("addresses", e.addresses.len()),
            ("countries", e.countries.len()),
            ("nationalities", e.nationalities.len()),
            ("citizenships", e.citizenships.len()),
            ("birth_dates", e.birth_dates.len()),
            ("birth_places", e.birth_places.len()),
            ("titles", e.titles.len()),
            ("identifiers", e.identifiers.len()),
            ("programs", e.programs.len()),
        ];
        let props = e.properties.iter().map(|(k, v)| (k.as_str(), v.len()));
        if let Some((field, n)) = counts
            .into_iter()
            .chain(props)
            .find(|(_, n)| *n > MAX_VALUES_PER_FIELD)
        {
            return refuse(
                field,
                format!(
                    "more than {MAX_VALUES_PER_FIELD} values ({n} read), the cap per field \
                     (MAX_VALUES_PER_FIELD); the file is refused"
                ),
            );
        }
        let long = |s: &str| s.len() > MAX_VALUE_BYTES;
        let values = e
            .birth_places
            .iter()
            .map(|v| ("birth_places", v.as_str()))
            .chain(e.titles.iter().map(|v| ("titles", v.as_str())))
            .chain(e.programs.iter().map(|v| ("programs", v.as_str())))
            .chain(e.remarks.iter().map(|v| ("remarks", v.as_str())))
            .chain(
                e.identifiers
                    .iter()
                    .map(|i| ("identifiers", i.value.as_str())),
            )
            .chain(
                e.properties
                    .iter()
                    .flat_map(|(k, vs)| vs.iter().map(move |v| (k.as_str(), v.as_str()))),
            );
        for (field, v) in values {
            if long(v) {
                return refuse(
                    field,
                    format!(
                        "a value of {} bytes is longer than {MAX_VALUE_BYTES}, the cap \
                         (MAX_VALUE_BYTES); the file is refused",
                        v.len()
                    ),
                );
            }
        }
    }
    Ok(())
}

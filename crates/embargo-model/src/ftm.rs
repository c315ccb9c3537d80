//! The FollowTheMoney vocabulary Embargo reads and writes: which property
//! names carry identifiers. One list for the FtM importer
//! (`embargo-sources`) and the yente-compatible API (`embargo-server`), so an
//! identifier a client sends is one the importer would have kept.

/// FtM property names whose values are identifiers (registration, tax,
/// document, vessel and security numbers).
pub const ID_PROPS: &[&str] = &[
    "idNumber",
    "registrationNumber",
    "innCode",
    "imoNumber",
    "taxNumber",
    "passportNumber",
    "ogrnCode",
    "kppCode",
    "okpoCode",
    "swiftBic",
    "leiCode",
    "uniqueEntityId",
    "permId",
    "mmsi",
    "callSign",
    "isin",
    "vatCode",
    "icaoCode",
    "serialNumber",
    "uscCode",
];

#[cfg(test)]
mod tests {
    #[test]
    fn identifier_properties_are_listed_once() {
        let mut v = super::ID_PROPS.to_vec();
        v.sort();
        v.dedup();
        assert_eq!(v.len(), super::ID_PROPS.len());
        assert!(super::ID_PROPS.contains(&"uscCode"));
    }
}

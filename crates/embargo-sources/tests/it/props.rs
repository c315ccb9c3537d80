//! Arbitrary bytes into every parser: Ok or Err, never a panic.

use embargo_model::SourceKind;
use embargo_sources::parse_reader;
use proptest::prelude::*;

/// Inputs that start like each format, so the fuzzing reaches past the
/// header checks, plus fully random bytes.
fn seeded() -> impl Strategy<Value = Vec<u8>> {
    let prefixes: Vec<&'static [u8]> = vec![
        b"",
        b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB ",
        b"_id,source,entity_number,type,programs,name,title,addresses\n\"1\",\"x (EL) - y\",\"\",\"\",\"\",\"",
        b"Name\tStreet_Address\tCity\tState\tCountry\tPostal_Code\tEffective_Date\tExpiration_Date\n",
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>",
        b"<sdnList><sdnEntry><uid>1</uid><lastName>",
        b"{\"op\":\"ADD\",\"entity\":{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{\"name\":[",
        b"id,schema,name,birth_date,country\n1,Person,",
        b"<p>2(d)(2)(B)(i)</p><table><tr><th>Name of Entity</th><th>Effective Date</th></tr><tr><td>",
        b"Name of Entity,Effective Date,Clause\n",
    ];
    (
        proptest::sample::select(prefixes),
        proptest::collection::vec(any::<u8>(), 0..400),
    )
        .prop_map(|(p, tail)| [p, &tail[..]].concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(bytes in seeded()) {
        for kind in SourceKind::ALL {
            let _ = parse_reader(kind, "fuzz.bin", &bytes[..]);
        }
    }

    #[test]
    fn ofac_remarks_never_panic(s in "\\PC{0,200}") {
        let mut e = embargo_model::Entity::new(
            embargo_model::EntityId::new("t", "1"),
            embargo_model::Schema::Person,
            "t",
            "x",
        );
        embargo_sources::ofac_remarks::apply(&mut e, &s);
    }
}

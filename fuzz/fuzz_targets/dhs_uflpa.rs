//! Fuzz target: the DHS UFLPA parser must return Ok or Err on any bytes, never panic.
#![no_main]

use embargo_model::SourceKind;
use embargo_sources::parse_reader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_reader(SourceKind::DhsUflpa, "fuzz.bin", data);
});

//! # embargo-pack
//!
//! The offline default dataset: Embargo's own "Xinjiang regime pack", written
//! by the project from the official public record and embedded in the binary
//! so that `embargo screen "Hikvision"` works with no list imported.
//!
//! It holds, one `embargo_model::Entity` per line in `data/*.jsonl`:
//! - the Entity List entries tied to Xinjiang (15 CFR 744, Supp. 4), with
//!   listing and removal dates, licence requirement, review policy, FR
//!   notices and footnotes (`entity_list.jsonl`, programme `EAR-ENTITY-LIST`);
//! - the Xinjiang Global Magnitsky SDNs (`ofac_glomag.jsonl`, `GLOMAG`);
//! - the Xinjiang-surveillance NS-CMIC companies (`ns_cmic.jsonl`,
//!   `CMIC-EO13959`), with listing, effective and divestment dates;
//! - the NDAA FY2019 § 889 and FCC Covered List producers
//!   (`ndaa_889_fcc.jsonl`, `NDAA-889` and `FCC-COVERED-LIST`);
//! - the UFLPA Entity List entries a cited source names (`uflpa.jsonl`,
//!   `UFLPA-ENTITY-LIST`): 80 of the 144 of 2025-01-15, each with its
//!   effective date and, where a source states it, its § 2(d)(2)(B)
//!   clause (docs/rules/uflpa.md has the counts per notice);
//! - the EU Global Human Rights Sanctions Regime listings tied to Xinjiang
//!   (`eu_ghrsr.jsonl`, `EU-GHRSR`): four officials and the XPCC Public
//!   Security Bureau, listed 2021-03-22 (RULES.md §5.3).
//!
//! Every entry carries citations with the confidence tags of the research
//! notes (V verified, S secondary, K background, U uncertain). See the
//! crate README for sources, the research cut-off and how to update.
//!
//! **What this crate is for:** giving the CLI, the matcher and the rules
//! engine a dated, cited, always-available set of entities and its
//! `ListVersion`.
//!
//! **What it is not for:** parsing official list files (`embargo-sources`),
//! storing imported lists (`embargo-store`), matching names
//! (`embargo-match`) or deciding outcomes (`embargo-rules`). It is not a
//! complete copy of any official list: it is a curated subset, and an
//! imported official list always takes precedence for currency.

mod load;
mod version;

pub use load::{load, PackError, FILES};
pub use version::{version, CUTOFF, DATASET};

use embargo_model::{Entity, PartialDate};
use std::sync::OnceLock;

/// All pack entities, parsed once on first use.
///
/// The data is compiled into the binary and every line is checked by the
/// crate's tests (`tests/it/pack.rs`), so a parse failure here can only mean a
/// build from an untested edit of `data/`; that is a programming error, not
/// bad user input, hence the panic with the exact file, line and field.
pub fn entities() -> &'static [Entity] {
    static ENTITIES: OnceLock<Vec<Entity>> = OnceLock::new();
    ENTITIES.get_or_init(|| match load() {
        Ok(v) => v,
        Err(e) => panic!("embedded regime pack is invalid (run `cargo test -p embargo-pack`): {e}"),
    })
}

/// Entities whose `programs` contain `program` exactly (`GLOMAG`,
/// `EAR-ENTITY-LIST`, `CMIC-EO13959`, `NDAA-889`, `FCC-COVERED-LIST`,
/// `UFLPA-ENTITY-LIST`, `UHRPA`, `EU-GHRSR`).
pub fn by_program(program: &str) -> impl Iterator<Item = &'static Entity> + '_ {
    entities()
        .iter()
        .filter(move |e| e.programs.iter().any(|p| p == program))
}

/// The entity with this id (`embargo_xinjiang_pack:el-hikvision`), if any.
pub fn get(id: &str) -> Option<&'static Entity> {
    entities().iter().find(|e| e.id.as_str() == id)
}

/// A date kept in `properties` (`cmicEffectiveDate`, `cmicDivestmentDate`,
/// `ndaa889PartBEffective`, `fccEquipmentAuthorizationBanEffective`,
/// `uflpaEffective`, `savingsClauseDeadline`, `generalLicenseWindDownUntil`),
/// parsed; `None` when absent or not a date.
pub fn date_property(e: &Entity, key: &str) -> Option<PartialDate> {
    e.properties.get(key)?.first()?.parse().ok()
}

//! The integration tests of `embargo-app`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod batch_audit;
mod book_index;
mod common;
mod consolidation;
mod dating;
mod decide_reviews;
mod decision_document;
mod import_caps;
mod index_file;
mod monitoring;
mod monitoring_scale;
mod report_pdf;
mod store_journal;
mod subject_resolution;
mod transaction_examples;
mod uflpa_import;
mod worked_cases;

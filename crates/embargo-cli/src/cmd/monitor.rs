//! `embargo monitor [BOOK]`: screen what changed since each book was last
//! screened (list deltas against the book, book deltas against the lists).

use anyhow::Result;
use clap::Args;
use embargo_app::{App, MonitorReport};
use std::path::Path;
use std::process::ExitCode;

#[derive(Args)]
pub struct MonitorArgs {
    /// The book to monitor (default: every book).
    pub book: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, a: MonitorArgs) -> Result<ExitCode> {
    let app = App::open(data_dir)?;
    let reports = app
        .monitor(&embargo_app::cli_actor(), a.book.as_deref())
        .map_err(crate::output::flag_error)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&reports)?);
    } else if reports.is_empty() {
        outln!("No books to monitor. Import one with `embargo book import`.");
    } else {
        print_reports(&reports)?;
    }
    let open = reports.iter().any(|r| r.open_alerts > 0);
    Ok(crate::exit::outcome(open))
}

/// The text report of monitoring runs (also printed after `lists import`
/// and `update` when the data directory has books).
pub fn print_reports(reports: &[MonitorReport]) -> Result<()> {
    for r in reports {
        let index = match &r.index_file {
            Some(f) => match &f.rebuilt {
                Some(why) => format!("index file rebuilt in {:.2} s: {why}", r.index_seconds),
                None => format!("index file mapped in {:.2} s", r.index_seconds),
            },
            None => format!("index built in memory in {:.2} s", r.index_seconds),
        };
        outln!(
            "Book {} (version {}, {} customers; {index}):",
            r.book,
            r.book_version,
            r.customers,
        );
        if r.deltas.is_empty() {
            outln!("  nothing changed since the last screen");
        }
        for d in &r.deltas {
            let a = &d.alerts;
            let entries = if d.kind == "list" {
                format!(
                    " ({} added, {} changed, {} removed entries)",
                    d.entries_added, d.entries_changed, d.entries_removed
                )
            } else {
                String::new()
            };
            outln!(
                "  {}{}: {} customers screened; alerts {} new, {} reopened, {} updated, {} closed; {:.3} s",
                d.change, entries, d.customers_screened, a.created, a.reopened, a.updated, a.closed, d.seconds
            );
        }
        for n in &r.notes {
            outln!("  note: {n}");
        }
        outln!(
            "  {} open alerts (see `embargo alerts --open --book {}`)",
            r.open_alerts,
            r.book
        );
    }
    Ok(())
}

/// After a list import or update: monitor every book of the data
/// directory (nothing when it has none) and print what changed.
pub fn after_list_change(data_dir: &Path) -> Result<()> {
    let reports = embargo_app::monitor_after_list_change(data_dir, &embargo_app::cli_actor())?;
    if !reports.is_empty() {
        outln!("Monitoring:");
        print_reports(&reports)?;
    }
    Ok(())
}

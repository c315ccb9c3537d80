//! `embargo book`: import, list and show customer books.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use embargo_app::types::DEFAULT_THRESHOLD;
use embargo_app::{App, BookColumns};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct BookArgs {
    #[command(subcommand)]
    pub command: BookCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum BookCommand {
    /// Import (or re-import) a customer book from CSV; a re-import reports the customers added, changed and removed.
    Import {
        /// Customer CSV with a header row.
        file: PathBuf,
        /// Name of the book (several books can coexist).
        #[arg(long)]
        book: String,
        /// The column holding each customer's unique id.
        #[arg(long, value_name = "COLUMN")]
        id_column: String,
        /// The column holding each customer's name.
        #[arg(long, value_name = "COLUMN")]
        name_column: String,
        /// The column holding Person, Organization, Company, Vessel or Aircraft.
        #[arg(long, value_name = "COLUMN")]
        schema_column: Option<String>,
        /// The column holding the customer's country (ISO-2 or English name).
        #[arg(long, value_name = "COLUMN")]
        country_column: Option<String>,
        /// The column holding the date or year of birth (YYYY, YYYY-MM, YYYY-MM-DD).
        #[arg(long, value_name = "COLUMN")]
        dob_column: Option<String>,
        /// The column holding an identifier (passport, registration number).
        #[arg(long, value_name = "COLUMN")]
        id_number_column: Option<String>,
        /// Minimum score for a hit to become an alert.
        #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
        threshold: f64,
    },
    /// Every book with its version, size and open alerts.
    List,
    /// One book: versions, the list versions it was screened at, open alerts.
    Show {
        /// The book's name.
        name: String,
    },
}

pub fn run(data_dir: &Path, a: BookArgs) -> Result<ExitCode> {
    let app = App::open(data_dir)?;
    match a.command {
        BookCommand::Import {
            file,
            book,
            id_column,
            name_column,
            schema_column,
            country_column,
            dob_column,
            id_number_column,
            threshold,
        } => {
            let input = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let cols = BookColumns {
                id: id_column,
                name: name_column,
                schema: schema_column,
                country: country_column,
                dob: dob_column,
                id_number: id_number_column,
            };
            let source = file.display().to_string();
            let r = app
                .import_book(
                    &embargo_app::cli_actor(),
                    &book,
                    &source,
                    std::io::BufReader::new(input),
                    &cols,
                    threshold,
                )
                .map_err(crate::output::flag_error)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            match r.version {
                None => outln!(
                    "Unchanged: {source} holds the same {} customers as book {book}; nothing imported.",
                    r.customers
                ),
                Some(v) => {
                    outln!(
                        "Imported book {book} version {v}: {} customers; {} added, {} changed, {} removed.",
                        r.customers, r.added, r.changed, r.removed
                    );
                    if v > 1 {
                        for c in &r.sample {
                            let sign = match c.change.as_str() {
                                "added" => "+",
                                "removed" => "-",
                                _ => "~",
                            };
                            if c.fields.is_empty() {
                                outln!("  {sign} {}", c.customer_id);
                            } else {
                                outln!("  {sign} {}  ({})", c.customer_id, c.fields.join(", "));
                            }
                        }
                        let shown = r.sample.len() as u64;
                        if r.added + r.changed + r.removed > shown {
                            outln!("  … and {} more", r.added + r.changed + r.removed - shown);
                        }
                    }
                    if let Some(e) = &r.index_error {
                        outln!("Warning: the book's index file was not written ({e}); `embargo monitor` will build it.");
                    }
                    outln!("Run `embargo monitor {book}` to screen what changed.");
                }
            }
        }
        BookCommand::List => {
            let db = app.books()?;
            let mut infos = Vec::new();
            for n in db.names()? {
                infos.push(db.info(&n)?);
            }
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&infos)?);
            } else if infos.is_empty() {
                outln!("No books in {}. Import one with `embargo book import FILE --book NAME --id-column … --name-column …`.", data_dir.display());
            } else {
                let rows: Vec<Vec<String>> = infos
                    .iter()
                    .map(|i| {
                        vec![
                            i.name.clone(),
                            i.version.to_string(),
                            i.customers.to_string(),
                            i.screened_version
                                .map(|v| v.to_string())
                                .unwrap_or_else(|| "never".into()),
                            i.open_alerts.to_string(),
                        ]
                    })
                    .collect();
                let header = ["book", "version", "customers", "screened", "open alerts"];
                for line in crate::output::table(
                    &header,
                    &rows,
                    &[false, true, true, true, true],
                    crate::output::width(),
                ) {
                    outln!("{line}");
                }
            }
        }
        BookCommand::Show { name } => {
            let info = app.books()?.info(&name)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&info)?);
                return Ok(ExitCode::SUCCESS);
            }
            outln!(
                "Book {}: version {}, {} customers, threshold {:.2}, {} open alerts",
                info.name,
                info.version,
                info.customers,
                info.threshold,
                info.open_alerts
            );
            match info.screened_version {
                Some(v) => outln!("Screened: book version {v} against:"),
                None => outln!("Not screened yet: run `embargo monitor {}`.", info.name),
            }
            for (ds, v) in &info.lists {
                outln!("  {ds} {v}");
            }
            outln!("Versions:");
            for v in &info.versions {
                outln!(
                    "  {}  {}  {} customers (+{} ~{} -{})  {}",
                    v.version,
                    v.imported_at,
                    v.customers,
                    v.added,
                    v.changed,
                    v.removed,
                    v.source
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

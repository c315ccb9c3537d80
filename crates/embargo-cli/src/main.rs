//! `embargo`: the command-line shell over Embargo's libraries.
//!
//! Every subcommand parses its arguments, calls one library function and
//! prints the result. Logic that a server, a batch job or the Python wheel
//! would also need lives in the libraries, not here.

/// `println!` that returns a closed pipe (`embargo screen … | head`) as an
/// error instead of panicking; `main` ends such a run quietly.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod cmd;
mod exit;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "embargo",
    version,
    about = "Sanctions and export-control screening: match names against official lists and decide what the law requires.",
    after_help = "Exit status (screen, batch, decide): 0 nothing to act on; 1 a hit, an \
action-required finding or NEEDS_REVIEW; 2 an error (bad input, unreadable file); 141 the \
output pipe was closed. Other commands: 0 done, 1 a check failed (audit verify, update), 2 an error.",
    long_about = "Embargo imports official sanctions and export-control lists (OFAC SDN, the \
trade.gov Consolidated Screening List with the BIS Entity List, the UN list, the BIS Denied \
Persons List, FollowTheMoney data and your own lists), screens names across scripts with an \
explanation for every hit, and decides, measure by measure and with legal citations, what a \
transaction requires. With no list imported it screens against its embedded Xinjiang regime pack."
)]
struct Cli {
    /// Directory holding the list store and the audit log. Several stores
    /// can live side by side.
    #[arg(long, global = true, env = "EMBARGO_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Do not wrap tables and text to the terminal's width (`COLUMNS` when
    /// set, else the terminal's own; a pipe without `COLUMNS` is never
    /// wrapped).
    #[arg(long, global = true)]
    wide: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Screen one name against the loaded lists (or the embedded regime pack).
    Screen(cmd::screen::ScreenArgs),
    /// Show, import, compare and roll back list versions.
    Lists(cmd::lists::ListsArgs),
    /// Download the current official lists and import the ones that changed.
    Update(cmd::update::UpdateArgs),
    /// Decide what the law requires for a transaction (JSON file or - for stdin).
    Decide(cmd::decide::DecideArgs),
    /// Screen every row of a CSV file (all cores, with a progress bar).
    Batch(cmd::batch::BatchArgs),
    /// Score name pairs from a CSV (`schema,name1,name2`), e.g. an evaluation set.
    Compare(cmd::compare::CompareArgs),
    /// Run every evaluation set found in the shared data folder and print one table.
    #[cfg(feature = "eval")]
    Eval(cmd::eval::EvalArgs),
    /// Serve the HTTP API (yente-compatible /match, native /v1) and the analyst web page.
    Serve(cmd::serve::ServeArgs),
    /// Verify or export the tamper-evident audit log.
    Audit(cmd::audit::AuditArgs),
    /// Record a review decision on a hit (true match or false positive).
    Review(cmd::review::ReviewArgs),
    /// Manage API keys for the HTTP server.
    Keys(cmd::keys::KeysArgs),
    /// Settings of the data directory: the reviewer, the approval threshold.
    Config(cmd::config::ConfigArgs),
    /// Export the indexed lists as one snapshot file, or check one.
    Snapshot(cmd::snapshot::SnapshotArgs),
    /// Customer books for continuous monitoring: import (versioned), list, show.
    Book(cmd::book::BookArgs),
    /// Screen what changed since each book was last screened (list and book deltas).
    Monitor(cmd::monitor::MonitorArgs),
    /// The monitoring work queue: list, show and resolve alerts.
    Alerts(cmd::alerts::AlertsArgs),
    /// Answer screening and decision requests from NATS JetStream or Kafka (docs/bus.md).
    Consume(cmd::consume::ConsumeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data_dir = cli.data_dir.unwrap_or_else(embargo_app::default_data_dir);
    output::set_wide(cli.wide);
    cmd::snapshot::install_progress();
    let result = match cli.command {
        Command::Screen(a) => cmd::screen::run(&data_dir, a),
        Command::Lists(a) => cmd::lists::run(&data_dir, a),
        Command::Update(a) => cmd::update::run(&data_dir, a),
        Command::Decide(a) => cmd::decide::run(&data_dir, a),
        Command::Batch(a) => cmd::batch::run(&data_dir, a),
        Command::Compare(a) => cmd::compare::run(a),
        #[cfg(feature = "eval")]
        Command::Eval(a) => cmd::eval::run(a),
        Command::Serve(a) => cmd::serve::run(&data_dir, a),
        Command::Audit(a) => cmd::audit::run(&data_dir, a),
        Command::Review(a) => cmd::review::run(&data_dir, a),
        Command::Keys(a) => cmd::keys::run(&data_dir, a),
        Command::Config(a) => cmd::config::run(&data_dir, a),
        Command::Snapshot(a) => cmd::snapshot::run(&data_dir, a),
        Command::Book(a) => cmd::book::run(&data_dir, a),
        Command::Monitor(a) => cmd::monitor::run(&data_dir, a),
        Command::Alerts(a) => cmd::alerts::run(&data_dir, a),
        Command::Consume(a) => cmd::consume::run(&data_dir, a),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): nothing left to say to it.
        Err(e) if is_closed_pipe(&e) => ExitCode::from(CLOSED_PIPE),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The status of a run whose output was cut off by a closed pipe, as a
/// shell reports a process ended by SIGPIPE (128 + 13).
const CLOSED_PIPE: u8 = 141;

fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every subcommand, flag and argument says what it is for in `--help`,
    /// so a new flag without a doc comment fails here rather than reaching
    /// a user as a bare `--foo <FOO>`.
    #[test]
    fn every_subcommand_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(format!("{sub_path} (the command itself)"));
                }
                walk(sub, &sub_path, missing);
            }
        }
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        let mut missing = vec![];
        walk(&cmd, "embargo", &mut missing);
        assert!(
            missing.is_empty(),
            "arguments without help text (add a /// doc comment):\n  {}",
            missing.join("\n  ")
        );
    }
}

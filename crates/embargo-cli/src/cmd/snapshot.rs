//! `embargo snapshot`: the built, consolidated index of a data directory
//! as one immutable file (for executors that screen without the store).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use embargo_app::index_file::IndexOrigin;
use embargo_app::{App, Snapshot};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct SnapshotArgs {
    #[command(subcommand)]
    pub command: SnapshotCommand,
}

#[derive(Subcommand)]
pub enum SnapshotCommand {
    /// Write the active lists, the regime pack, the consolidated subjects
    /// and the listing history, indexed, to one checksummed file.
    Export {
        /// The file to write (replaced atomically).
        file: PathBuf,
    },
    /// Check a snapshot file (header, version, checksum) and say what it holds.
    Info {
        /// The snapshot file to check.
        file: PathBuf,
    },
}

/// Shows a progress bar on a terminal's stderr while an index is built
/// (after a list change, the first command builds the data directory's
/// index file).
pub fn install_progress() {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return;
    }
    let bar = indicatif::ProgressBar::hidden();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:30} [{bar:30}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let bar = std::sync::Mutex::new(bar);
    embargo_app::index_file::set_progress(move |stage, done, total| {
        let bar = bar.lock().unwrap_or_else(|e| e.into_inner());
        bar.set_message(format!("index: {stage}"));
        bar.set_length(total);
        bar.set_position(done);
        if stage == "writing the index file" && done == total {
            bar.finish_and_clear();
        }
    });
}

fn describe(s: &Snapshot) -> Result<()> {
    outln!("lists:");
    for v in &s.versions {
        outln!("  {}", v.label());
    }
    outln!(
        "records: {} ({} screened), linked subjects: {}",
        s.matcher.len(),
        s.screened_entities(),
        s.subjects.linked_subjects()
    );
    if let IndexOrigin::File { checksum, .. } = &s.index {
        outln!("checksum (BLAKE3): {checksum}");
    }
    Ok(())
}

pub fn run(data_dir: &Path, a: SnapshotArgs) -> Result<ExitCode> {
    match a.command {
        SnapshotCommand::Export { file } => {
            let app =
                App::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
            let snap = app.snapshot();
            let out = snap
                .export(&file)
                .with_context(|| format!("exporting to {}", file.display()))?;
            outln!(
                "wrote {} ({} bytes, {} records)",
                out.path.display(),
                out.bytes,
                out.entities
            );
            outln!("checksum (BLAKE3): {}", out.checksum);
            outln!("lists: {}", out.versions.join(", "));
        }
        SnapshotCommand::Info { file } => {
            let snap = Snapshot::open_file(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            outln!("{}: a valid snapshot file", file.display());
            describe(&snap)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

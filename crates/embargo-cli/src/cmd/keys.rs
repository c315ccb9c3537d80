use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use embargo_app::types::Role;
use std::path::Path;
use std::process::ExitCode;

#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// May screen names and run decisions.
    Screen,
    /// May also record review decisions.
    Review,
    /// May also reload lists and read the audit log.
    Admin,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create an API key; the secret is printed once and only its hash is stored.
    Create {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
}

pub fn run(data_dir: &Path, a: KeysArgs) -> Result<ExitCode> {
    match a.command {
        KeysCommand::Create { name, role } => {
            let role = match role {
                RoleArg::Screen => Role::Screen,
                RoleArg::Review => Role::Review,
                RoleArg::Admin => Role::Admin,
            };
            let secret = embargo_app::create_api_key(data_dir, &name, role)?;
            println!("{secret}");
            eprintln!("API key {name:?} created; store it now, it is not shown again.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

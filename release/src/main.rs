//! `keyfactor-release fetch|diff` (run by `cargo xtask fetch-spec` and
//! `cargo xtask diff`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use keyfactor_release::{diff, fetch};
use keyfactor_runtime::ClientBuilder;

#[derive(Parser)]
#[command(about = "Fetch a Keyfactor Command server's API documents, or compare two releases")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Downloads every version document the server serves, with a release manifest.
    Fetch {
        /// The API base, e.g. https://HOST/KeyfactorAPI. Credentials come from
        /// the environment / profile file, as for `Client::from_env`.
        #[arg(long)]
        url: String,
        /// The directory to (re)write.
        #[arg(long)]
        out: PathBuf,
        /// The release name (default: the server's product version).
        #[arg(long)]
        release: Option<String>,
    },
    /// Compares two releases' documents; exit code 1 when something breaking changed.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// JSON instead of Markdown.
        #[arg(long)]
        json: bool,
        /// Name types as this type-name lock does (e.g. spec/type-names.lock),
        /// as the next `cargo xtask codegen` will.
        #[arg(long)]
        type_names: Option<PathBuf>,
    },
}

/// The command users typed, as `--help` and errors should name it: `cargo
/// xtask` sets `KEYFACTOR_RELEASE_AS` when it runs this binary for them.
fn parse() -> Cli {
    let mut command = Cli::command();
    if let Ok(name) = std::env::var("KEYFACTOR_RELEASE_AS") {
        command = command.bin_name(name);
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn main() -> ExitCode {
    match run(parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Fetch { url, out, release } => {
            let client = ClientBuilder::from_env_for(url)?.build()?;
            let runtime = tokio::runtime::Runtime::new()?;
            let fetched = runtime.block_on(fetch::fetch(&client, &out, release))?;
            print!("{}", fetch::summary(&fetched));
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { old, new, json, type_names } => {
            let lock = match type_names {
                Some(path) => diff::read_lock(&path)?,
                None => Default::default(),
            };
            let report = diff::compare(
                &diff::load_dir(&old, &lock)?,
                &diff::load_dir(&new, &lock)?,
                &old.display().to_string(),
                &new.display().to_string(),
            );
            print!("{}", if json { diff::json(&report) } else { diff::markdown(&report) });
            Ok(if report.breaking > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
    }
}

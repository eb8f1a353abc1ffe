//! `keyfactor-conformance [DIR] [--spec-dir DIR]` (also `cargo xtask replay`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use keyfactor_conformance::{default_cassette_dir, release_model, replay};

#[derive(Parser)]
#[command(about = "Replays recorded Keyfactor Command traffic (go-vcr cassettes) through the generated client")]
struct Cli {
    /// Directory of cassettes, `*.yaml` (default: conformance/recordings).
    dir: Option<PathBuf>,
    /// Directory holding the release's documents (default: the `directory` of spec/release.yaml).
    #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
    spec_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let run = || -> anyhow::Result<bool> {
        let api = release_model(cli.spec_dir)?;
        let reports = replay::replay_dir(&api, &cli.dir.unwrap_or_else(default_cassette_dir))?;
        print!("{}", replay::render(&reports));
        Ok(reports.iter().all(|r| r.mismatched() == 0))
    };
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

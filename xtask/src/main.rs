//! Project tasks: `cargo xtask codegen [--check]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

mod bench;
mod differential;
mod fuzz;
mod new_crate;
mod semver;
mod upgrade;
mod workspace;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Project tasks for the Keyfactor Command client")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerates the client (and the compatibility fixtures) from the documents.
    Codegen {
        /// Fail, with a summary of the differences, when the committed code is stale; write nothing.
        #[arg(long)]
        check: bool,
        /// Directory holding the release's documents (default: the `directory` of spec/release.yaml).
        #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
        spec_dir: Option<PathBuf>,
    },
    /// Measures generation, generated size, compile time and request overhead;
    /// prints the table and writes it to BENCHMARKS.md.
    Bench {
        /// Directory holding the release's documents (default: the `directory` of spec/release.yaml).
        #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
        spec_dir: Option<PathBuf>,
        /// Only these sections (comma-separated; their rows replace those in
        /// BENCHMARKS.md): generation, client-builds, codegen-check,
        /// throughput, tolerant, command-line, build-script.
        #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(bench::SECTIONS))]
        only: Vec<String>,
    },
    /// Mutates the release documents and runs the generator on each case; fails
    /// on any panic or any error without a JSON pointer.
    Fuzz {
        /// How many cases.
        #[arg(long, default_value_t = 1000)]
        cases: usize,
        /// The first case number (to resume or to rerun one case).
        #[arg(long, default_value_t = 0)]
        first: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write the document of each failing case into this directory.
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Directory holding the release's documents (default: the `directory` of spec/release.yaml).
        #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
        spec_dir: Option<PathBuf>,
    },
    /// Downloads a server's documents into a release directory:
    /// `--url https://HOST/KeyfactorAPI --out DIR [--release NAME]`.
    #[command(disable_help_flag = true)]
    FetchSpec {
        /// Passed on to `cargo keyfactor fetch` (see its --help).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Compares two releases: `OLD_DIR NEW_DIR [--json]`; exit code 1 when
    /// something breaking changed.
    #[command(disable_help_flag = true)]
    Diff {
        /// Passed on to `cargo keyfactor diff` (see its --help).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Writes a whole client crate (Cargo.toml, README, lib.rs, the generated
    /// modules) for the release whose documents are in --spec-dir, on the
    /// shared runtime; rerunning it on the same release changes no byte.
    NewCrate(new_crate::Args),
    /// Moves the committed client to another release in one step: copies its
    /// documents into spec/, rewrites spec/release.yaml, applies the
    /// overrides (lists stale ones; --drop-stale removes them), regenerates
    /// with the type-name lock, bumps the crate version by the diff, writes
    /// the CHANGELOG entry, replays the recorded traffic, and runs
    /// cargo-semver-checks where it is installed.
    Upgrade(upgrade::Args),
    /// Checks that every break cargo-semver-checks finds between the clients
    /// of the two diff fixture releases is in `cargo xtask diff`'s report.
    SemverAgreement {
        /// The old release's documents (default: spec/fixtures/diff/old).
        #[arg(requires = "new")]
        old: Option<PathBuf>,
        /// The new release's documents (default: spec/fixtures/diff/new).
        new: Option<PathBuf>,
    },
    /// Checks that a client crate builds without warnings with every area
    /// alone, with none, and with all (`cargo clippy` per feature set).
    CheckFeatures {
        /// The crate's Cargo.toml (default: generated-client/Cargo.toml).
        #[arg(long)]
        manifest_path: Option<PathBuf>,
    },
    /// Differential testing on releases nobody tuned the generator for:
    /// pairs of a slice of the release and a mutated copy; every
    /// cargo-semver-checks finding must be in the diff, and the mutated
    /// client must build with every area alone, none and all.
    Differential(differential::Args),
    /// Replays recorded traffic (go-vcr cassettes, `*.yaml` in DIR) through the client.
    Replay {
        /// Directory of cassettes (default: conformance/recordings).
        dir: Option<PathBuf>,
        /// Directory holding the release's documents (default: the `directory` of spec/release.yaml).
        #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
        spec_dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The checkout the tasks work on: this one, or `KEYFACTOR_WORKSPACE` (a
/// clone elsewhere; the upgrade's tests use it).
pub(crate) fn root() -> PathBuf {
    match std::env::var_os("KEYFACTOR_WORKSPACE") {
        Some(dir) => PathBuf::from(dir),
        None => tools_root(),
    }
}

/// The checkout this xtask was built from, whose tools it runs.
pub(crate) fn tools_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Codegen { check, spec_dir } => codegen(check, spec_dir),
        Command::Replay { dir, spec_dir } => replay_cmd(dir, spec_dir),
        Command::CheckFeatures { manifest_path } => {
            let manifest = manifest_path.unwrap_or_else(|| root().join("generated-client/Cargo.toml"));
            Ok(if keyfactor_release::features::check_features(&manifest)? {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Differential(args) => differential::run(args),
        Command::NewCrate(args) => new_crate::run(args),
        Command::Upgrade(args) => upgrade::run(args),
        Command::SemverAgreement { old, new } => semver::agreement(old.zip(new)),
        Command::FetchSpec { args } => run_package(&tools_root(), "cargo-keyfactor", "fetch", &args),
        Command::Diff { args } => run_package(&tools_root(), "cargo-keyfactor", "diff", &args),
        Command::Fuzz { cases, first, seed, dump, spec_dir } => {
            fuzz::run(&spec_dir_or_default(spec_dir)?, seed, first, cases, dump.as_deref())
        }
        Command::Bench { spec_dir, only } => {
            let table = bench::run(&root(), &spec_dir_or_default(spec_dir)?, &only)?;
            print!("{table}");
            if !only.is_empty() {
                let path = root().join("BENCHMARKS.md");
                let page = std::fs::read_to_string(&path).context("reading BENCHMARKS.md")?;
                std::fs::write(&path, bench::merge(&page, &table))?;
                return Ok(ExitCode::SUCCESS);
            }
            let page = format!(
                "# Benchmarks\n\nMade by `cargo xtask bench` (medians of 5 runs; the documents already on disk, the \
                 client's dependencies already built; compile times from clean). Rerun it to reproduce; it \
                 rewrites this file.\n\n{table}\n{}",
                include_str!("bench_notes.md")
            );
            std::fs::write(root().join("BENCHMARKS.md"), page)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Clients generated from fixture documents onto the real runtime (crate
/// under `compat/`, documents under `spec/fixtures/`): call sites across a
/// release (`before`, `after`), an older release's shape (`older`), and a
/// release that lacks everything optional (`minimal`), all built by CI with
/// `clippy -D warnings`.
pub(crate) const COMPAT_CRATES: &[(&str, &str, &[&str])] = &[
    ("before", "fixture-before", &["compat-before.yaml"]),
    ("after", "fixture-after", &["compat-after.yaml"]),
    ("older", "10", &["release-10/v1.yaml"]),
    ("minimal", "fixture-minimal", &["minimal.yaml"]),
];

/// Fetches a server's documents into `dir` with `cargo keyfactor fetch`.
pub(crate) fn fetch(url: &str, dir: &Path, release: &Option<String>) -> Result<PathBuf> {
    let mut args = vec!["--url".to_string(), url.to_string(), "--out".to_string(), dir.display().to_string()];
    args.extend(release.iter().flat_map(|r| ["--release".to_string(), r.clone()]));
    if run_package(&tools_root(), "cargo-keyfactor", "fetch", &args)? != ExitCode::SUCCESS {
        anyhow::bail!("fetching the documents from {url} failed");
    }
    Ok(dir.to_path_buf())
}

/// Runs the conformance crate's replay.
fn replay_cmd(dir: Option<PathBuf>, spec_dir: Option<PathBuf>) -> Result<ExitCode> {
    let mut args: Vec<String> = dir.iter().map(|d| d.display().to_string()).collect();
    args.extend(spec_dir.iter().flat_map(|d| ["--spec-dir".to_string(), d.display().to_string()]));
    run_package(&root(), "keyfactor-conformance", "", &args)
}

/// Runs a tool crate's binary (with `subcommand`, unless empty) and passes on
/// its exit code. The tools that need the client live in their own crates,
/// so that `codegen` does not build it. The working directory stays the
/// caller's, so relative paths mean what the user meant.
/// `workspace` is the checkout whose package runs: [`tools_root`] for the
/// tools (fetch, diff), [`root`] for what builds the checkout's client.
pub(crate) fn run_package(workspace: &Path, package: &str, subcommand: &str, args: &[String]) -> Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .arg("run")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(["--quiet", "--package", package, "--"])
        // So that the tool's --help and errors name the command the user typed.
        .env("KEYFACTOR_RELEASE_AS", "cargo xtask")
        .args((!subcommand.is_empty()).then_some(subcommand))
        .args(args)
        .status()
        .context("running cargo")?;
    Ok(ExitCode::from(status.code().unwrap_or(2).clamp(0, 255) as u8))
}

pub(crate) fn manifest_path() -> PathBuf {
    root().join("spec/release.yaml")
}

/// `spec_dir`, else the directory the release manifest keeps the documents in.
fn spec_dir_or_default(spec_dir: Option<PathBuf>) -> Result<PathBuf> {
    match spec_dir {
        Some(dir) => Ok(dir),
        None => Ok(keyfactor_generator::release::Manifest::read(&manifest_path())?.documents_dir()),
    }
}

fn codegen(check: bool, spec_dir: Option<PathBuf>) -> Result<ExitCode> {
    let spec_dir = spec_dir_or_default(spec_dir)?;
    let started = std::time::Instant::now();
    let targets = workspace::workspace_targets(&spec_dir)?;
    eprintln!("generated in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    let ok = keyfactor_release::files::write_or_check(
        &targets,
        check,
        "the committed client",
        "cargo xtask codegen",
        &root(),
    )?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed generated code is what the generator makes of the
    /// documents (rust-analyzer's "sourcegen" test); `cargo xtask codegen`
    /// fixes a failure.
    #[test]
    fn committed_generated_code_is_fresh() {
        let spec_dir = spec_dir_or_default(std::env::var_os("KEYFACTOR_SPEC_DIR").map(PathBuf::from)).unwrap();
        let stale = keyfactor_release::files::stale(&workspace::workspace_targets(&spec_dir).unwrap(), &root());
        assert!(stale.is_empty(), "stale generated code, run `cargo xtask codegen`:\n{}", stale.join("\n"));
    }
}

#[cfg(test)]
mod fuzz_smoke {
    /// A short, fixed fuzz run: no panic, every error located. (`cargo xtask
    /// fuzz --cases 10000` is the long run.)
    #[test]
    fn two_hundred_mutated_documents_never_panic() {
        let spec_dir =
            super::spec_dir_or_default(std::env::var_os("KEYFACTOR_SPEC_DIR").map(std::path::PathBuf::from)).unwrap();
        let seeds = super::fuzz::seeds(&spec_dir).unwrap();
        let report = keyfactor_generator::fuzz::run(&seeds, 7, 0, 200);
        assert_eq!(report.cases, 200);
        assert!(report.panics.is_empty(), "{:?}", report.panics);
        assert!(report.unlocated.is_empty(), "{:?}", report.unlocated);
        assert!(report.generated > 0 && report.errors > 0, "{report:?}");
    }
}

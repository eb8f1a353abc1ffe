//! Project tasks: `cargo xtask codegen [--check]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use keyfactor_generator::{Generated, output};

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
        /// Directory holding the release's documents (default: ../shared/keyfactor-command-v25).
        #[arg(long, env = "KEYFACTOR_SPEC_DIR")]
        spec_dir: Option<PathBuf>,
    },
    /// Replays recorded traffic (go-vcr cassettes, `*.yaml` in DIR) through the client.
    Replay {
        /// Directory of cassettes (default: ../shared/keyfactor-cassettes).
        dir: Option<PathBuf>,
        /// Directory holding the release's documents (default: ../shared/keyfactor-command-v25).
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

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Codegen { check, spec_dir } => codegen(check, spec_dir),
        Command::Replay { dir, spec_dir } => replay_cmd(dir, spec_dir),
    }
}

/// One generated directory and how to produce it.
struct Target {
    dir: PathBuf,
    generated: Generated,
}

fn targets(spec_dir: &Path) -> Result<Vec<Target>> {
    let root = root();
    let mut targets = vec![Target {
        dir: root.join("generated-client/src/generated"),
        generated: keyfactor_generator::generate_release(&root.join("spec/release.yaml"), spec_dir)?,
    }];
    for side in ["before", "after"] {
        let doc = root.join(format!("spec/fixtures/compat-{side}.yaml"));
        let source = format!("spec/fixtures/compat-{side}.yaml");
        targets.push(Target {
            dir: root.join(format!("compat/{side}/src/generated")),
            generated: keyfactor_generator::generate_files(&[&doc], &source)?,
        });
    }
    Ok(targets)
}

/// Runs the conformance crate's replay, so that `codegen` need not build the client.
fn replay_cmd(dir: Option<PathBuf>, spec_dir: Option<PathBuf>) -> Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.current_dir(root()).args(["run", "--quiet", "--package", "keyfactor-conformance", "--"]);
    command.args(dir.iter()).args(spec_dir.iter().flat_map(|d| [PathBuf::from("--spec-dir"), d.clone()]));
    let status = command.status().context("running cargo")?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn default_spec_dir() -> PathBuf {
    root().join("../shared/keyfactor-command-v25")
}

fn relative(dir: &Path) -> String {
    dir.strip_prefix(root()).unwrap_or(dir).display().to_string()
}

/// How the committed generated code differs from what the documents give.
fn stale(targets: &[Target]) -> Vec<String> {
    targets
        .iter()
        .flat_map(|t| {
            let rel = relative(&t.dir);
            output::differences(&t.dir, &t.generated.files).into_iter().map(move |d| format!("{rel}: {d}"))
        })
        .collect()
}

fn codegen(check: bool, spec_dir: Option<PathBuf>) -> Result<ExitCode> {
    let spec_dir = spec_dir.unwrap_or_else(default_spec_dir);
    let started = std::time::Instant::now();
    let targets = targets(&spec_dir)?;
    let elapsed = started.elapsed();
    let stale = if check { stale(&targets) } else { Vec::new() };
    for target in &targets {
        eprint!("{}", target.generated.warnings);
        if !check {
            let rel = relative(&target.dir);
            output::write_atomically(&target.dir, &target.generated.files).with_context(|| format!("writing {rel}"))?;
            let ops = target.generated.api.operations().count();
            eprintln!("wrote {rel}: {ops} operations, {} types", target.generated.api.types.len());
        }
    }
    eprintln!("generated in {:.0} ms", elapsed.as_secs_f64() * 1000.0);
    if stale.is_empty() {
        if check {
            eprintln!("the committed client is up to date");
        }
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("the committed generated code is stale; run `cargo xtask codegen`:");
    for line in stale {
        eprintln!("  {line}");
    }
    Ok(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed generated code is what the generator makes of the
    /// documents (rust-analyzer's "sourcegen" test); `cargo xtask codegen`
    /// fixes a failure.
    #[test]
    fn committed_generated_code_is_fresh() {
        let spec_dir = std::env::var_os("KEYFACTOR_SPEC_DIR").map_or_else(default_spec_dir, PathBuf::from);
        let stale = stale(&targets(&spec_dir).unwrap());
        assert!(stale.is_empty(), "stale generated code, run `cargo xtask codegen`:\n{}", stale.join("\n"));
    }
}

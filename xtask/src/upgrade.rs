//! `cargo xtask upgrade`: `keyfactor_release::upgrade` on this repository's
//! client, then the recorded traffic replayed through the new client.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use keyfactor_release::upgrade;

#[derive(clap::Args)]
pub struct Args {
    /// The new release's documents: the `release.yaml` there names them,
    /// else every `*.json` / `*.yaml` document in the directory is one.
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// First fetch the documents from a server running the new release (the
    /// API base, e.g. `https://HOST/KeyfactorAPI`), as `cargo xtask fetch-spec`,
    /// into --spec-dir (default: target/upgrade-fetch).
    #[arg(long)]
    from_server: Option<String>,
    /// The release's name (default: the manifest's, else the directory's).
    #[arg(long)]
    release: Option<String>,
    /// Remove the overrides the new documents made stale from
    /// spec/overrides.yaml; without it they are listed and nothing changes.
    #[arg(long)]
    drop_stale: bool,
    /// The CHANGELOG entry's date (default: today, UTC).
    #[arg(long)]
    date: Option<String>,
    /// Skip replaying the recorded traffic (it builds the client).
    #[arg(long)]
    no_replay: bool,
    /// Skip cargo-semver-checks even where it is installed.
    #[arg(long)]
    no_semver_checks: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let root = crate::root();
    let spec_dir = match (&args.spec_dir, &args.from_server) {
        (Some(dir), None) => dir.clone(),
        // With --from-server, --spec-dir is where the documents go.
        (dir, Some(url)) => {
            crate::fetch(url, &dir.clone().unwrap_or_else(|| root.join("target/upgrade-fetch")), &args.release)?
        }
        (None, None) => bail!("--spec-dir DIR (the new release's documents) or --from-server URL is needed"),
    };
    let krate = crate::workspace::client();
    let options = upgrade::Args { spec_dir, release: args.release, drop_stale: args.drop_stale, date: args.date };
    let upgraded = upgrade::upgrade(&krate, &options)?;
    print!("{}", upgraded.summary);
    if !args.no_replay {
        replay(&root)?;
    }
    if !args.no_semver_checks {
        upgrade::semver_checks(&krate, &upgraded);
    }
    Ok(ExitCode::SUCCESS)
}

/// Replays the recorded traffic through the regenerated client.
fn replay(root: &Path) -> Result<()> {
    eprintln!("replaying the recorded traffic through the new client (builds it)...");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--package", "keyfactor-conformance"])
        .output()
        .context("running the replay")?;
    let report = String::from_utf8_lossy(&output.stdout);
    let files: Vec<&str> = report.lines().filter(|l| !l.starts_with(' ')).collect();
    println!("replay of conformance/recordings:");
    for line in &files {
        println!("  {line}");
    }
    if !output.status.success() {
        println!(
            "  the replay found mismatches (or failed): run `cargo xtask replay` to see them\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    Ok(())
}

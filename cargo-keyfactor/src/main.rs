//! `cargo keyfactor`: write, check and upgrade a Keyfactor Command client
//! crate for any release, anywhere. A thin front end over `keyfactor-release`
//! (this project's `cargo xtask` runs the same code on the client it keeps).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use keyfactor_generator::emit::package::RuntimeDependency;
use keyfactor_release::client_crate::{self, NewCrate};
use keyfactor_release::upgrade::{self, ClientCrate};
use keyfactor_release::{diff, features, fetch, files};
use keyfactor_runtime::ClientBuilder;

#[derive(Parser)]
#[command(
    version,
    about = "Write, check and upgrade a Keyfactor Command client crate for any release",
    after_help = "Credentials for --from-server and fetch come from the environment or profile file, as for \
                  `Client::from_env` (KEYFACTOR_HOSTNAME, KEYFACTOR_USERNAME, KEYFACTOR_PASSWORD, ...)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a whole client crate for a release's documents: Cargo.toml (one
    /// feature per area), README, lib.rs, the generated modules, and under
    /// spec/ the documents with their sha256, so that `check` and `upgrade`
    /// need nothing else. Rerunning it on the same documents changes no byte.
    New(NewArgs),
    /// Moves a crate to another release in one step: documents copied in,
    /// overrides carried (stale ones listed), regenerated with its type-name
    /// lock, version bumped by the diff, a CHANGELOG.md entry, and
    /// cargo-semver-checks' agreement where it is installed. All or nothing;
    /// it refuses uncommitted changes to what it writes.
    Upgrade(UpgradeArgs),
    /// Fails when the crate's files differ from what its recorded documents give.
    Check(ManifestArg),
    /// Regenerates the crate from its recorded documents (after editing
    /// spec/overrides.yaml, or with a newer generator); keeps its version.
    Generate(ManifestArg),
    /// Builds the crate without warnings with every area alone, none and all.
    CheckFeatures(ManifestArg),
    /// Compares two releases' documents as call sites see them; exit code 1
    /// when something breaking changed.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// JSON instead of Markdown.
        #[arg(long)]
        json: bool,
        /// Name types as this type-name lock does (e.g. the crate's
        /// type-names.lock), as the next regeneration will.
        #[arg(long)]
        type_names: Option<PathBuf>,
    },
    /// Downloads every version document a server serves, with a release manifest.
    Fetch {
        /// The API base, e.g. https://HOST/KeyfactorAPI.
        #[arg(long)]
        url: String,
        /// The directory to (re)write.
        #[arg(long)]
        out: PathBuf,
        /// The release name (default: the server's product version).
        #[arg(long)]
        release: Option<String>,
    },
}

#[derive(Args)]
struct ManifestArg {
    /// The crate's Cargo.toml (default: ./Cargo.toml).
    #[arg(long, default_value = "Cargo.toml")]
    manifest_path: PathBuf,
}

impl ManifestArg {
    fn crate_dir(&self) -> PathBuf {
        crate_dir(&self.manifest_path)
    }
}

fn crate_dir(manifest_path: &Path) -> PathBuf {
    match manifest_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Where a release's documents come from.
#[derive(Args)]
struct Source {
    /// The release's documents: the `release.yaml` there names them (with
    /// sha256 and overrides), else every `*.json` / `*.yaml` document in it.
    /// With --from-server, where the fetched documents are kept.
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// Fetch the documents from this server first (the API base, e.g.
    /// `https://HOST/KeyfactorAPI`), as `fetch` does.
    #[arg(long)]
    from_server: Option<String>,
    /// The release's name (default: the manifest's, else the directory's,
    /// with --from-server the server's product version).
    #[arg(long)]
    release: Option<String>,
}

#[derive(Args)]
struct NewArgs {
    #[command(flatten)]
    source: Source,
    /// The crate's directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// The crate's name, e.g. `keyfactor-client-24`.
    #[arg(long)]
    name: String,
    /// Where the crate takes `keyfactor-runtime` from: `path=DIR` (relative
    /// to OUT), `git=URL` or `version=REQ` (default: the version this tool
    /// was built with, from crates.io).
    #[arg(long)]
    runtime: Option<RuntimeDependency>,
    /// Give the crate the `keyfactor` command line: a binary (feature `cli`)
    /// with a subcommand for every operation, `cargo install --path OUT --features cli`.
    #[arg(long)]
    cli: bool,
    /// Write nothing; fail when the crate differs from what the documents give.
    #[arg(long)]
    check: bool,
}

#[derive(Args)]
struct UpgradeArgs {
    #[command(flatten)]
    source: Source,
    /// The crate's Cargo.toml (default: ./Cargo.toml).
    #[arg(long, default_value = "Cargo.toml")]
    manifest_path: PathBuf,
    /// Remove the overrides the new documents made stale; without it they
    /// are listed and nothing changes.
    #[arg(long)]
    drop_stale: bool,
    /// The CHANGELOG entry's date (default: today, UTC).
    #[arg(long)]
    date: Option<String>,
    /// Skip cargo-semver-checks even where it is installed.
    #[arg(long)]
    no_semver_checks: bool,
}

/// The command line as users typed it: `cargo keyfactor ...` runs this
/// binary with `keyfactor` first, `cargo-keyfactor ...` without. Another
/// front end (`cargo xtask`) names itself through `KEYFACTOR_RELEASE_AS`.
fn parse() -> Cli {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "keyfactor") {
        args.remove(1);
    }
    let name = std::env::var("KEYFACTOR_RELEASE_AS").unwrap_or_else(|_| "cargo keyfactor".into());
    let matches = Cli::command().bin_name(name).get_matches_from(args);
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

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::New(args) => new(args),
        Command::Upgrade(args) => upgrade(args),
        Command::Check(arg) => regenerate(&arg.crate_dir(), true),
        Command::Generate(arg) => regenerate(&arg.crate_dir(), false),
        Command::CheckFeatures(arg) => Ok(exit(features::check_features(&arg.manifest_path)?)),
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
        Command::Fetch { url, out, release } => {
            let fetched = fetch_documents(&url, &out, release)?;
            print!("{}", fetch::summary(&fetched));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn fetch_documents(url: &str, out: &Path, release: Option<String>) -> Result<fetch::Fetched> {
    let client = ClientBuilder::from_env_for(url)?.build()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(fetch::fetch(&client, out, release))
}

/// The documents of `source`: its directory, or fetched from its server
/// into that directory (default: a temporary one, removed by the guard).
fn documents(source: &Source) -> Result<(PathBuf, Option<TempDir>)> {
    match (&source.spec_dir, &source.from_server) {
        (Some(dir), None) => Ok((dir.clone(), None)),
        (dir, Some(url)) => {
            let (dir, guard) = match dir {
                Some(dir) => (dir.clone(), None),
                None => {
                    let temp = TempDir::new()?;
                    (temp.0.clone(), Some(temp))
                }
            };
            let fetched = fetch_documents(url, &dir, source.release.clone())
                .with_context(|| format!("fetching the documents from {url}"))?;
            eprint!("{}", fetch::summary(&fetched));
            Ok((dir, guard))
        }
        (None, None) => bail!("--spec-dir DIR (the release's documents) or --from-server URL is needed"),
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("cargo-keyfactor-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn new(args: NewArgs) -> Result<ExitCode> {
    if args.check && args.source.from_server.is_some() {
        bail!("--check compares with documents on disk; drop --from-server");
    }
    let runtime = match args.runtime {
        Some(runtime) => runtime,
        None => {
            let version = keyfactor_runtime::VERSION;
            eprintln!(
                "keyfactor-runtime: version {version} from crates.io, the one this tool was built with \
                 (--runtime path=DIR|git=URL|version=REQ to choose)"
            );
            RuntimeDependency::Version(version.to_string())
        }
    };
    let (spec_dir, _fetched) = documents(&args.source)?;
    let new = NewCrate {
        spec_dir: &spec_dir,
        out: &args.out,
        name: &args.name,
        release: args.source.release.as_deref(),
        runtime,
        cli: args.cli,
    };
    let target = client_crate::new_crate(&new)?;
    let what = format!("the crate in {}", args.out.display());
    let fix = format!(
        "cargo keyfactor new --spec-dir {} --out {} --name {}",
        spec_dir.display(),
        args.out.display(),
        args.name
    );
    Ok(exit(files::write_or_check(std::slice::from_ref(&target), args.check, &what, &fix, &args.out)?))
}

/// `check` (write nothing) or `generate`: the crate from its recorded release.
fn regenerate(dir: &Path, check: bool) -> Result<ExitCode> {
    let manifest = client_crate::read_recorded_manifest(dir)?;
    let target = client_crate::recorded_crate(dir)?;
    let what = format!("the crate in {}", dir.display());
    let fix = format!("cargo keyfactor generate --manifest-path {}", dir.join("Cargo.toml").display());
    let ok = files::write_or_check(std::slice::from_ref(&target), check, &what, &fix, dir)?;
    if !ok && let Some(note) = client_crate::generator_note(&manifest) {
        eprintln!("{note}");
    }
    Ok(exit(ok))
}

fn upgrade(args: UpgradeArgs) -> Result<ExitCode> {
    let dir = crate_dir(&args.manifest_path);
    client_crate::read_recorded_manifest(&dir)?;
    let (spec_dir, _fetched) = documents(&args.source)?;
    let krate = ClientCrate::written_by_new(&dir);
    let options =
        upgrade::Args { spec_dir, release: args.source.release, drop_stale: args.drop_stale, date: args.date };
    let upgraded = upgrade::upgrade(&krate, &options)?;
    print!("{}", upgraded.summary);
    if !args.no_semver_checks {
        upgrade::semver_checks(&krate, &upgraded);
    }
    Ok(ExitCode::SUCCESS)
}

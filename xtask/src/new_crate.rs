//! `cargo xtask new-crate`: a whole client crate for the release whose
//! documents are in a directory, on the shared runtime (progenitor's
//! `cargo progenitor`, for Keyfactor releases).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use keyfactor_generator::emit::Options;
use keyfactor_generator::emit::package::{self, Document, Package, RuntimeDependency};
use keyfactor_generator::release::{Manifest, load_release, read_type_name_lock};
use keyfactor_generator::{Warnings, generate_locked};

use crate::targets::{Target, write_or_check};

#[derive(clap::Args)]
pub struct Args {
    /// The release's documents: the `release.yaml` there names them (with
    /// sha256 and overrides), else every `*.json` / `*.yaml` document in it.
    /// With --from-server, where the fetched documents go (default: OUT/spec).
    #[arg(long)]
    spec_dir: Option<PathBuf>,
    /// The crate's directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// The crate's name, e.g. `keyfactor-client-10`.
    #[arg(long)]
    name: String,
    /// The release's name (default: the manifest's, else the directory's name).
    #[arg(long)]
    release: Option<String>,
    /// Where the crate takes `keyfactor-runtime` from: `path=DIR` (relative to
    /// OUT; default: this repository's `runtime/`), `git=URL` or `version=X`.
    #[arg(long)]
    runtime: Option<RuntimeDependency>,
    /// First fetch the documents from this server (the API base, e.g.
    /// `https://HOST/KeyfactorAPI`), as `cargo xtask fetch-spec` does.
    #[arg(long)]
    from_server: Option<String>,
    /// Write nothing; fail when the crate differs from what the documents give.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !package::is_crate_name(&args.name) {
        bail!("--name {:?} is not a crate name (ASCII letters, digits, `-`, `_`; a letter first)", args.name);
    }
    let spec_dir = match (&args.spec_dir, &args.from_server) {
        (_, Some(_)) if args.check => bail!("--check compares with documents on disk; drop --from-server"),
        (dir, Some(url)) => fetch(url, &dir.clone().unwrap_or_else(|| args.out.join("spec")), &args.release)?,
        (Some(dir), None) => dir.clone(),
        (None, None) => bail!("--spec-dir DIR (the release's documents) or --from-server URL is needed"),
    };
    let target = crate_target(&CrateSpec::from(&args), &spec_dir)?;
    let fix = format!(
        "cargo xtask new-crate --spec-dir {} --out {} --name {}",
        spec_dir.display(),
        args.out.display(),
        args.name
    );
    let ok = write_or_check(
        std::slice::from_ref(&target),
        args.check,
        &format!("the crate in {}", args.out.display()),
        &fix,
    )?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Fetches the server's documents into `dir` with `keyfactor-release fetch`.
fn fetch(url: &str, dir: &Path, release: &Option<String>) -> Result<PathBuf> {
    let mut args = vec!["--url".to_string(), url.to_string(), "--out".to_string(), dir.display().to_string()];
    args.extend(release.iter().flat_map(|r| ["--release".to_string(), r.clone()]));
    if crate::run_package(&crate::tools_root(), "keyfactor-release", "fetch", &args)? != ExitCode::SUCCESS {
        bail!("fetching the documents from {url} failed");
    }
    Ok(dir.to_path_buf())
}

/// What a crate is made of besides its documents.
pub struct CrateSpec<'a> {
    pub out: &'a Path,
    pub name: &'a str,
    pub release: Option<&'a str>,
    /// Default: this repository's runtime, by a path relative to `out`.
    pub runtime: Option<&'a RuntimeDependency>,
}

impl<'a> From<&'a Args> for CrateSpec<'a> {
    fn from(args: &'a Args) -> Self {
        CrateSpec { out: &args.out, name: &args.name, release: args.release.as_deref(), runtime: args.runtime.as_ref() }
    }
}

/// The crate's generated directory and the files around it.
pub fn crate_target(spec: &CrateSpec<'_>, spec_dir: &Path) -> Result<Target> {
    let manifest = Manifest::for_dir(spec_dir, spec.release)?;
    let mut warnings = Warnings::default();
    let docs = load_release(&manifest, spec_dir, &mut warnings)?;
    let lock = read_type_name_lock(&spec.out.join("type-names.lock"))?;
    let source = format!("the Keyfactor Command release {} documents", manifest.release);
    let options = Options {
        release: manifest.release.clone(),
        source,
        area_features: true,
        command: "cargo xtask new-crate".into(),
    };
    let generated = generate_locked(&docs, &lock, &options, warnings)?;
    let package = Package {
        name: spec.name.to_string(),
        version: existing_version(spec.out).unwrap_or_else(|| "0.1.0".into()),
        release: manifest.release.clone(),
        documents: manifest
            .documents
            .iter()
            .map(|d| Document { file: d.file.clone(), sha256: d.sha256.clone() })
            .collect(),
        runtime: match spec.runtime {
            Some(runtime) => runtime.clone(),
            None => RuntimeDependency::Path(runtime_path_from(spec.out)?),
        },
    };
    let extras = package::package_files(&generated.api, &package)
        .into_iter()
        .map(|(rel, text)| (spec.out.join(rel), text))
        .collect();
    Ok(Target { dir: spec.out.join("src/generated"), generated, extras })
}

/// The version in the crate's `Cargo.toml`, if it has one already.
fn existing_version(out: &Path) -> Option<String> {
    package::package_version(&std::fs::read_to_string(out.join("Cargo.toml")).ok()?)
}

/// This repository's runtime crate, relative to the crate at `out`.
fn runtime_path_from(out: &Path) -> Result<String> {
    let out = resolved(out)?;
    let runtime = resolved(&crate::root().join("runtime"))?;
    let relative = pathdiff::diff_paths(&runtime, &out).unwrap_or(runtime);
    Ok(relative.to_string_lossy().replace('\\', "/"))
}

/// `path` made absolute with links and `..` resolved, also where it does not
/// exist yet (its nearest existing ancestor is resolved).
fn resolved(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))?;
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(found) = existing.canonicalize() {
            return Ok(missing.iter().rev().fold(found, |dir, name| dir.join(name)));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

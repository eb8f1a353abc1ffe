//! A client crate that records what it is made from, so that `check` and
//! `upgrade` need nothing but the crate (progenitor's `cargo progenitor`,
//! for Keyfactor releases). `cargo keyfactor new` writes one:
//!
//! ```text
//! Cargo.toml  README.md  .gitignore  type-names.lock   (generated)
//! src/lib.rs  src/generated/                           (generated)
//! spec/release.yaml                   the release, its documents' sha256, the generator version
//! spec/keyfactor-command-<release>/   the documents, byte-for-byte
//! spec/overrides.yaml                 corrections to them, when the release had any
//! ```
//!
//! Regenerating keeps the crate's `version` and its runtime dependency.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use keyfactor_generator::emit::Options;
use keyfactor_generator::emit::package::{self, Document, Package, RuntimeDependency};
use keyfactor_generator::release::{Manifest, load_release_with, read_type_name_lock};
use keyfactor_generator::{Warnings, generate_locked};

use crate::files::Target;

/// Where a crate written by [`new_crate`] keeps its release manifest.
pub const MANIFEST: &str = "spec/release.yaml";

/// The command named in the generated files' headers.
pub const COMMAND: &str = "cargo keyfactor";

/// A new crate: where, under which name, from which documents.
pub struct NewCrate<'a> {
    /// The release's documents: the `release.yaml` there names them (with
    /// sha256 and overrides), else every `*.json` / `*.yaml` document in it.
    pub spec_dir: &'a Path,
    pub out: &'a Path,
    pub name: &'a str,
    /// The release's name (default: the manifest's, else the directory's).
    pub release: Option<&'a str>,
    pub runtime: RuntimeDependency,
    /// Give the crate the `keyfactor` binary (feature `cli`); an existing
    /// crate that has it keeps it.
    pub cli: bool,
}

/// The crate `new` describes, with the documents and overrides copied in.
/// Rerunning it on the same documents gives the same bytes; an existing
/// crate's version is kept.
pub fn new_crate(new: &NewCrate<'_>) -> Result<Target> {
    if !package::is_crate_name(new.name) {
        bail!("--name {:?} is not a crate name (ASCII letters, digits, `-`, `_`; a letter first)", new.name);
    }
    let manifest = Manifest::for_dir(new.spec_dir, new.release)?;
    let overrides = overrides_text(&manifest)?;
    let version = existing(new.out, "version").unwrap_or_else(|| "0.1.0".into());
    let package = Package {
        name: new.name.to_string(),
        version,
        release: manifest.release.clone(),
        documents: Vec::new(),
        runtime: new.runtime.clone(),
        cli: new.cli || std::fs::read_to_string(new.out.join("Cargo.toml")).is_ok_and(|t| package::has_cli(&t)),
    };
    package_target(new.out, package, &manifest, new.spec_dir, overrides)
}

/// The crate at `dir` as its recorded release gives it (for `check`).
pub fn recorded_crate(dir: &Path) -> Result<Target> {
    let manifest = read_recorded_manifest(dir)?;
    let cargo_toml = read(&dir.join("Cargo.toml"))?;
    let field = |key| package::package_field(&cargo_toml, key);
    let package = Package {
        name: field("name").context("Cargo.toml has no [package] name")?,
        version: field("version").context("Cargo.toml has no [package] version")?,
        release: manifest.release.clone(),
        documents: Vec::new(),
        runtime: RuntimeDependency::of_cargo_toml(&cargo_toml).context(
            "Cargo.toml has no `keyfactor-runtime = ...` dependency line as `cargo keyfactor new` writes it",
        )?,
        cli: package::has_cli(&cargo_toml),
    };
    let overrides = overrides_text(&manifest)?;
    package_target(dir, package, &manifest, &manifest.documents_dir(), overrides)
}

/// The release manifest of a crate [`new_crate`] wrote, with a hint when
/// `dir` is no such crate.
pub fn read_recorded_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    if !path.exists() {
        bail!(
            "{} does not exist: {} is not a crate `cargo keyfactor new` wrote (point --manifest-path at one)",
            path.display(),
            dir.display()
        );
    }
    Ok(Manifest::read(&path)?)
}

/// A note when the crate was written by another generator version (its
/// files may then differ with no document changed).
pub fn generator_note(manifest: &Manifest) -> Option<String> {
    let recorded = manifest.generator.as_deref()?;
    (recorded != keyfactor_generator::VERSION).then(|| {
        format!(
            "note: the crate was written by generator {recorded}, this is {}; regenerating may change code \
             with no document changed",
            keyfactor_generator::VERSION
        )
    })
}

/// The crate at `out`: generated with its own type-name lock, the package
/// files around `src/generated`, and the release recorded under `spec/`.
fn package_target(
    out: &Path,
    mut package: Package,
    manifest: &Manifest,
    documents_dir: &Path,
    overrides: Option<String>,
) -> Result<Target> {
    let mut warnings = Warnings::default();
    let overrides_used = manifest.overrides()?;
    let (docs, used) = load_release_with(manifest, documents_dir, &overrides_used, &mut warnings)?;
    overrides_used.check_all_used(&used)?;
    let lock = read_type_name_lock(&out.join("type-names.lock"))?;
    let generated = generate_locked(&docs, &lock, &options(&manifest.release), warnings)?;
    package.documents = documents(manifest);
    let mut extras: Vec<(PathBuf, String)> =
        package::package_files(&generated.api, &package).into_iter().map(|(rel, text)| (out.join(rel), text)).collect();
    extras.extend(recorded_release(manifest, documents_dir, overrides)?.into_iter().map(|(rel, t)| (out.join(rel), t)));
    Ok(Target { dir: out.join("src/generated"), generated, extras })
}

/// How a crate's code is generated.
pub fn options(release: &str) -> Options {
    Options {
        release: release.to_string(),
        source: format!("the Keyfactor Command release {release} documents"),
        area_features: true,
        command: COMMAND.into(),
    }
}

/// The documents as the crate's README lists them.
pub fn documents(manifest: &Manifest) -> Vec<Document> {
    manifest.documents.iter().map(|d| Document { file: d.file.clone(), sha256: d.sha256.clone() }).collect()
}

/// The directory a release's documents are kept in, beside its manifest.
pub fn documents_dir_name(release: &str) -> String {
    let safe: String =
        release.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    format!("keyfactor-command-{safe}")
}

/// The release as a crate records it, by path relative to the crate:
/// `spec/release.yaml`, the documents (read from `documents_dir`) in
/// `spec/keyfactor-command-<release>/`, and `spec/overrides.yaml` when
/// there are overrides.
pub fn recorded_release(
    manifest: &Manifest,
    documents_dir: &Path,
    overrides: Option<String>,
) -> Result<Vec<(String, String)>> {
    let dir_name = documents_dir_name(&manifest.release);
    let mut files = Vec::new();
    for entry in &manifest.documents {
        let path = documents_dir.join(&entry.file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        // Documents are JSON or YAML, so text; kept byte-for-byte.
        let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
        files.push((format!("spec/{dir_name}/{}", entry.file), text));
    }
    let recorded = Manifest {
        release: manifest.release.clone(),
        directory: Some(dir_name.into()),
        documents: manifest.documents.clone(),
        overrides: overrides.is_some().then(|| "overrides.yaml".into()),
        type_names: Some("../type-names.lock".into()),
        generator: Some(keyfactor_generator::VERSION.to_string()),
        dir: PathBuf::new(),
    };
    let header = "# The Keyfactor Command release this crate is generated from: its documents,\n\
                  # kept byte-for-byte in `directory`, with their sha256. Written by `cargo keyfactor`;\n\
                  # `cargo keyfactor check` regenerates the crate from it, `upgrade` moves it on.\n";
    files.push((MANIFEST.to_string(), recorded.to_yaml(header)));
    if let Some(text) = overrides {
        files.push(("spec/overrides.yaml".to_string(), text));
    }
    Ok(files)
}

/// The text of the overrides file `manifest` names, if it names one.
pub fn overrides_text(manifest: &Manifest) -> Result<Option<String>> {
    manifest.overrides.as_ref().map(|file| read(&manifest.dir.join(file))).transpose()
}

/// A `[package]` field of the crate's existing `Cargo.toml`.
fn existing(out: &Path, key: &str) -> Option<String> {
    package::package_field(&std::fs::read_to_string(out.join("Cargo.toml")).ok()?, key)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// `path` made absolute with links and `..` resolved, also where it does not
/// exist yet (its nearest existing ancestor is resolved).
pub fn resolved(path: &Path) -> Result<PathBuf> {
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

/// `path` relative to `from` (both resolved), for a path dependency.
pub fn path_from(path: &Path, from: &Path) -> Result<String> {
    let (path, from) = (resolved(path)?, resolved(from)?);
    let relative = pathdiff::diff_paths(&path, &from).unwrap_or(path);
    Ok(relative.to_string_lossy().replace('\\', "/"))
}

//! The move of a client crate to another Keyfactor Command release in one
//! step, and what it means for the crate's users: `cargo keyfactor upgrade`
//! for a crate `cargo keyfactor new` wrote, `cargo xtask upgrade` for this
//! repository's client ([`ClientCrate`] says where each keeps what).
//!
//! Everything is worked out in memory first (documents read and checked,
//! overrides applied and the stale ones found, the client generated with the
//! type-name lock, the diff, the version bump, the CHANGELOG entry); only
//! then are files written, each staged and moved into place, with the old
//! ones put back if a move fails. It refuses to start on uncommitted changes
//! to the files it writes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use keyfactor_generator::diff::{self, Entry, Report};
use keyfactor_generator::emit::package::{self, Package, RuntimeDependency};
use keyfactor_generator::emit::{Files, Options, cargo_features, type_names_lock};
use keyfactor_generator::release::{Manifest, load_release_with, sha256_hex};
use keyfactor_generator::{Generated, Warnings, generate_locked, output};

use crate::client_crate;

/// A client crate as an upgrade sees it: where its release is recorded and
/// which of its files are generated.
#[derive(Debug, Clone)]
pub struct ClientCrate {
    /// The directory paths are named from, whose git status guards the upgrade.
    pub root: PathBuf,
    /// The crate's directory (its `Cargo.toml`).
    pub dir: PathBuf,
    /// Its release manifest.
    pub manifest: PathBuf,
    pub changelog: PathBuf,
    /// The `Cargo.lock` recording the crate's version, when there is one.
    pub cargo_lock: PathBuf,
    /// Whether every file around `src/generated` is generated too (a crate of
    /// `cargo keyfactor new`), or only the features block of a hand-written
    /// `Cargo.toml` (this repository's client).
    pub whole: bool,
    /// The command named in the generated files' headers.
    pub command: String,
}

impl ClientCrate {
    /// A crate `cargo keyfactor new` wrote, at `dir`.
    pub fn written_by_new(dir: &Path) -> Self {
        ClientCrate {
            root: dir.to_path_buf(),
            dir: dir.to_path_buf(),
            manifest: dir.join(client_crate::MANIFEST),
            changelog: dir.join("CHANGELOG.md"),
            cargo_lock: dir.join("Cargo.lock"),
            whole: true,
            command: client_crate::COMMAND.into(),
        }
    }

    fn rel(&self, path: &Path) -> String {
        crate::files::relative(path, &self.root)
    }
}

/// What the upgrade is to.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// The new release's documents: the `release.yaml` there names them,
    /// else every `*.json` / `*.yaml` document in the directory is one.
    pub spec_dir: PathBuf,
    /// The release's name (default: the manifest's, else the directory's).
    pub release: Option<String>,
    /// Remove the overrides the new documents made stale; without it they
    /// are listed and nothing changes.
    pub drop_stale: bool,
    /// The CHANGELOG entry's date (default: today, UTC).
    pub date: Option<String>,
}

/// What an upgrade did.
pub struct Upgraded {
    pub report: Report,
    pub previous_version: String,
    pub version: String,
    /// What to tell the user.
    pub summary: String,
}

/// Upgrades `krate` to the release of `args`: plans everything, refuses
/// uncommitted changes to what it writes, then writes it all or nothing.
pub fn upgrade(krate: &ClientCrate, args: &Args) -> Result<Upgraded> {
    let plan = plan(krate, args)?;
    let mut writes: Vec<String> = plan.files.iter().map(|(path, _)| krate.rel(path)).collect();
    writes.push(krate.rel(&plan.generated_dir));
    if !plan.documents.is_empty() {
        writes.push(krate.rel(&plan.documents_dir));
    }
    let writes: Vec<&str> = writes.iter().map(String::as_str).collect();
    refuse_uncommitted(&krate.root, &writes)?;
    plan.write()?;
    Ok(Upgraded { report: plan.report, previous_version: plan.previous, version: plan.version, summary: plan.summary })
}

/// Fails when git reports changes to `paths` (relative to `root`) that are
/// not committed: the upgrade would overwrite them.
fn refuse_uncommitted(root: &Path, paths: &[&str]) -> Result<()> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["status", "--porcelain", "--untracked-files=all", "--"])
        .args(paths)
        .output()
        .context("running git status (the upgrade needs a git checkout to know what is committed)")?;
    if !output.status.success() {
        bail!("git status failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    let changed = String::from_utf8_lossy(&output.stdout);
    if !changed.trim().is_empty() {
        bail!("uncommitted changes to files the upgrade writes; commit or discard them first:\n{}", changed.trim_end());
    }
    Ok(())
}

/// Everything an upgrade writes, worked out before anything is.
struct Plan {
    /// Where the new documents go, beside the manifest.
    documents_dir: PathBuf,
    documents: Files,
    files: Vec<(PathBuf, String)>,
    generated_dir: PathBuf,
    generated: Generated,
    report: Report,
    previous: String,
    version: String,
    summary: String,
}

fn plan(krate: &ClientCrate, args: &Args) -> Result<Plan> {
    let current = Manifest::read(&krate.manifest)?;
    let old = keyfactor_generator::generate_release(&krate.manifest, None)
        .context("generating the current release (before the upgrade)")?;
    let lock = current.type_name_lock()?;

    let spec_dir = &args.spec_dir;
    let new = Manifest::for_dir(spec_dir, args.release.as_deref())?;
    let overrides = current.overrides()?;
    let mut warnings = Warnings::default();
    let (docs, used) = load_release_with(&new, spec_dir, &overrides, &mut warnings)?;
    let stale = overrides.stale(&used);
    let overrides_path = current.overrides.as_ref().map(|f| current.dir.join(f));
    if !stale.is_empty() && !args.drop_stale {
        let list: Vec<String> = stale.iter().map(|&i| format!("  /overrides/{i}: {}", overrides.target(i))).collect();
        bail!(
            "{} override(s) in {} match nothing in release {}'s documents; \
             rerun with --drop-stale to remove them (nothing was changed):\n{}",
            stale.len(),
            overrides_path.as_deref().map_or_else(String::new, |p| krate.rel(p)),
            new.release,
            list.join("\n")
        );
    }
    let options = if krate.whole {
        client_crate::options(&new.release)
    } else {
        Options {
            release: new.release.clone(),
            source: format!("the Keyfactor Command release {} documents", new.release),
            area_features: true,
            command: krate.command.clone(),
        }
    };
    let generated = generate_locked(&docs, &lock, &options, warnings)?;

    let report = diff::compare(&old.api, &generated.api, &current.release, &new.release);
    let cargo_toml_path = krate.dir.join("Cargo.toml");
    let cargo_toml =
        std::fs::read_to_string(&cargo_toml_path).with_context(|| format!("reading {}", cargo_toml_path.display()))?;
    let field = |key| package::package_field(&cargo_toml, key);
    let previous =
        field("version").with_context(|| format!("{} has no [package] version", krate.rel(&cargo_toml_path)))?;
    let name = field("name").with_context(|| format!("{} has no [package] name", krate.rel(&cargo_toml_path)))?;
    let version = diff::bumped(&previous, report.bump()).map_err(anyhow::Error::msg)?;

    let dir_name = client_crate::documents_dir_name(&new.release);
    let documents_dir = current.dir.join(&dir_name);
    let date = args.date.clone().unwrap_or_else(today);
    let mut notes = Vec::new();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut overrides_text = client_crate::overrides_text(&current)?;
    if let (false, Some(path)) = (stale.is_empty(), &overrides_path) {
        for &i in &stale {
            notes.push(format!(
                "The override for `{}` matched nothing in the new documents and was removed.",
                overrides.target(i)
            ));
        }
        let text = overrides.text_without(&stale);
        files.push((path.clone(), text.clone()));
        overrides_text = Some(text);
    }
    let entry = diff::changelog_entry(
        &report,
        &Entry { version: &version, previous_version: &previous, date: &date, notes: &notes },
    );
    files.push((krate.changelog.clone(), changelog(&krate.changelog, &entry)?));
    if krate.whole {
        let package = Package {
            name: name.clone(),
            version: version.clone(),
            release: new.release.clone(),
            documents: client_crate::documents(&new),
            runtime: RuntimeDependency::of_cargo_toml(&cargo_toml)
                .context("Cargo.toml has no `keyfactor-runtime = ...` line as `cargo keyfactor new` writes it")?,
            cli: package::has_cli(&cargo_toml),
        };
        let package_files = package::package_files(&generated.api, &package);
        files.extend(package_files.into_iter().map(|(rel, text)| (krate.dir.join(rel), text)));
        // The documents are written below (with a README); the manifest and overrides here.
        let recorded = client_crate::recorded_release(&new, spec_dir, overrides_text)?;
        files.extend(
            recorded
                .into_iter()
                .filter(|(rel, _)| !rel.starts_with("spec/keyfactor-command-"))
                .map(|(rel, text)| (krate.dir.join(rel), text)),
        );
    } else {
        files.push((krate.manifest.clone(), release_manifest(&new, &dir_name, &current)));
        if let Some(lock_path) = current.type_names_path() {
            files.push((lock_path, type_names_lock(&generated.api)));
        }
        let cargo_toml = output::replace_block(&set_version(&cargo_toml, &version), &cargo_features(&generated.api))
            .with_context(|| {
                format!("{} has no `# @generated begin` ... `# @generated end` block", krate.rel(&cargo_toml_path))
            })?;
        files.push((cargo_toml_path, cargo_toml));
    }
    // The lock records the crate's own version too (`--locked` builds need it).
    if let Ok(lock) = std::fs::read_to_string(&krate.cargo_lock) {
        files.push((krate.cargo_lock.clone(), lock_with_version(&lock, &name, &version)));
    }

    // Documents already where they belong (put there by hand) stay as they are.
    let in_place = spec_dir.canonicalize().ok() == documents_dir.canonicalize().ok();
    let documents = if in_place { Files::new() } else { documents(spec_dir, &new, &date)? };
    let summary = Summary {
        old: &current.release,
        new: &new.release,
        name: &name,
        previous: &previous,
        version: &version,
        documents_dir: &krate.rel(&documents_dir),
        stale: stale.len(),
    }
    .text(&report);
    let generated_dir = krate.dir.join("src/generated");
    Ok(Plan { documents_dir, documents, files, generated_dir, generated, report, previous, version, summary })
}

fn today() -> String {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    civil_date(days as i64)
}

/// `yyyy-mm-dd` of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The new release's documents, byte-for-byte, with a README of provenance.
fn documents(spec_dir: &Path, manifest: &Manifest, date: &str) -> Result<Files> {
    let mut files = Files::new();
    let mut table = String::new();
    for entry in &manifest.documents {
        let path = spec_dir.join(&entry.file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        debug_assert_eq!(sha256_hex(&bytes), entry.sha256.to_ascii_lowercase());
        // Documents are text (JSON or YAML); `Files` holds text.
        let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
        table.push_str(&format!("| `{}` | `{}` |\n", entry.file, entry.sha256));
        files.insert(entry.file.clone(), text);
    }
    files.insert(
        "README.md".into(),
        format!(
            "# Keyfactor Command release {} API documents\n\n\
             The OpenAPI documents of Keyfactor Command release {}, copied byte-for-byte by an upgrade \
             on {date}. Never edit them: corrections go into the overrides file. The release manifest beside \
             this directory names them with their sha256.\n\n\
             Before committing, record here where they came from (the server or repository, and the commit) and \
             under which terms they are published.\n\n\
             | file | sha256 |\n|---|---|\n{table}",
            manifest.release, manifest.release
        ),
    );
    Ok(files)
}

/// `spec/release.yaml` for the new release, keeping the overrides and lock.
fn release_manifest(new: &Manifest, dir_name: &str, current: &Manifest) -> String {
    let header = "# The documents that make up the Keyfactor Command release the committed\n\
                  # client is generated from, kept byte-for-byte in `directory` (see its\n\
                  # README). `cargo xtask codegen` reads them from there, or from --spec-dir /\n\
                  # KEYFACTOR_SPEC_DIR, and checks each sha256. Written by `cargo xtask upgrade`.\n";
    let manifest = Manifest {
        release: new.release.clone(),
        directory: Some(dir_name.into()),
        documents: new.documents.clone(),
        overrides: current.overrides.clone(),
        type_names: current.type_names.clone(),
        generator: None,
        dir: PathBuf::new(),
    };
    manifest.to_yaml(header)
}

/// `version = "..."` of the `[package]` table set to `version`.
fn set_version(cargo_toml: &str, version: &str) -> String {
    let mut in_package = false;
    let mut done = false;
    let mut out = String::with_capacity(cargo_toml.len());
    for line in cargo_toml.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_package = trimmed == "[package]";
        }
        if in_package && !done && trimmed.starts_with("version") && trimmed.contains('=') {
            out.push_str(&format!("version = \"{version}\"\n"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Cargo.lock with `package`'s recorded version set to `version`.
fn lock_with_version(lock: &str, package: &str, version: &str) -> String {
    let name = format!("name = \"{package}\"\n");
    let mut out = String::with_capacity(lock.len());
    let mut lines = lock.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line == name && lines.peek().is_some_and(|next| next.starts_with("version = ")) {
            lines.next();
            out.push_str(&format!("version = \"{version}\"\n"));
        }
    }
    out
}

/// The changelog at `path` with `entry` as its newest version entry: before
/// the first `## <version>` heading, after the header and `## Unreleased`.
fn changelog(path: &Path, entry: &str) -> Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "# Changelog\n".to_string(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let at = text
        .match_indices("\n## ")
        .find(|(i, _)| text[i + 4..].starts_with(|c: char| c.is_ascii_digit()))
        .map_or(text.len(), |(i, _)| i + 1);
    let (head, rest) = text.split_at(at);
    Ok(format!("{}\n\n{entry}{}{rest}", head.trim_end_matches('\n'), if rest.is_empty() { "" } else { "\n" }))
}

/// What the summary of an upgrade names.
struct Summary<'a> {
    old: &'a str,
    new: &'a str,
    name: &'a str,
    previous: &'a str,
    version: &'a str,
    documents_dir: &'a str,
    stale: usize,
}

impl Summary<'_> {
    fn text(&self, report: &Report) -> String {
        let Summary { old, new, name, previous, version, documents_dir, stale } = self;
        let mut out = format!(
            "upgraded the client from release {old} to {new}: {} breaking change(s), {} other(s); \
             {name} {previous} -> {version} ({:?})\n",
            report.breaking,
            report.changes.len() - report.breaking,
            report.bump()
        );
        out.push_str(&format!("  documents: {documents_dir}/ (add their source and terms to its README)\n"));
        if *stale > 0 {
            out.push_str(&format!("  overrides dropped as stale: {stale}\n"));
        }
        for g in report.groups().iter().filter(|g| g.breaking).take(10) {
            out.push_str(&format!("  breaking: {} {} ({} place(s))\n", g.kind.name(), g.detail, g.subjects.len()));
        }
        out.push_str("  review: CHANGELOG.md, `git diff`, then `cargo test`\n");
        out
    }
}

impl Plan {
    /// Writes the plan: the documents directory and the generated directory
    /// swapped in whole, the other files staged beside their targets and
    /// moved into place; if a step fails, what was already written is put
    /// back (a new documents directory is removed).
    fn write(&self) -> Result<()> {
        let documents_dir = &self.documents_dir;
        let new_documents = !documents_dir.exists();
        if !self.documents.is_empty() {
            output::write_atomically(documents_dir, &self.documents)
                .with_context(|| format!("writing {}", documents_dir.display()))?;
        }
        let mut undo: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
        let result = self.write_files(&mut undo);
        if result.is_err() {
            for (path, before) in undo.into_iter().rev() {
                let _ = match before {
                    Some(bytes) => std::fs::write(&path, bytes),
                    None => std::fs::remove_file(&path),
                };
            }
            if new_documents {
                let _ = std::fs::remove_dir_all(documents_dir);
            }
        }
        result
    }

    fn write_files(&self, undo: &mut Vec<(PathBuf, Option<Vec<u8>>)>) -> Result<()> {
        for (path, text) in &self.files {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            let before = std::fs::read(path).ok();
            let name = path.file_name().unwrap_or_default().to_string_lossy().to_string();
            let stage = path.with_file_name(format!(".{name}.upgrade"));
            std::fs::write(&stage, text).with_context(|| format!("writing {}", stage.display()))?;
            std::fs::rename(&stage, path).with_context(|| format!("writing {}", path.display()))?;
            undo.push((path.clone(), before));
        }
        output::write_atomically(&self.generated_dir, &self.generated.files)
            .with_context(|| format!("writing {}", self.generated_dir.display()))
    }
}

/// Runs cargo-semver-checks, when it is installed, on the new client against
/// the committed one, and says whether it agrees with the diff: on the bump
/// it requires, and on the breaks it finds (each must be in the diff).
pub fn semver_checks(krate: &ClientCrate, upgraded: &Upgraded) {
    let (report, version) = (&upgraded.report, &upgraded.version);
    let installed = Command::new("cargo-semver-checks").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed {
        println!("cargo-semver-checks is not installed; skipped (`cargo install --locked cargo-semver-checks@0.51.0`)");
        return;
    }
    eprintln!("running cargo-semver-checks against the committed client...");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // As a patch release: every check runs, and the summary says what the
    // changes require (with the bumped version it would skip them).
    let output = Command::new(cargo)
        .current_dir(&krate.root)
        .args(["semver-checks", "check-release", "--manifest-path"])
        .arg(krate.dir.join("Cargo.toml"))
        .args(["--baseline-rev", "HEAD"])
        .args(["--release-type", "patch"])
        .output();
    let Ok(output) = output else {
        println!("cargo-semver-checks could not run");
        return;
    };
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let findings = crate::semver::findings(&stdout);
    let missing: Vec<&crate::semver::Finding> =
        findings.iter().filter(|f| crate::semver::covering(report, f).is_none()).collect();
    let required = crate::semver::required(&stderr).or_else(|| crate::semver::required(&stdout));
    let bump = report.bump();
    let agree = crate::semver::agrees(required, bump) && missing.is_empty();
    println!(
        "cargo-semver-checks requires {} ({} finding(s), {} not in the diff); the diff bumps to {version} ({bump:?}): {}",
        required.map_or("no update".to_string(), |r| format!("a {r} update")),
        findings.len(),
        missing.len(),
        if agree { "they agree" } else { "they DISAGREE, review both" }
    );
    for f in missing {
        println!("  not in the diff: {}: {}", f.lint, f.item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_names() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_791), "2026-12-04");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(crate::client_crate::documents_dir_name("25.5 (beta)"), "keyfactor-command-25.5--beta-");
    }

    #[test]
    fn the_lock_records_the_new_version() {
        let lock = "[[package]]\nname = \"keyfactor-client\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"x\"\nversion = \"0.1.0\"\n";
        let updated = lock_with_version(lock, "keyfactor-client", "0.2.0");
        assert_eq!(updated, lock.replacen("0.1.0", "0.2.0", 1));
    }

    #[test]
    fn the_package_version_is_set_and_nothing_else() {
        let toml = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(set_version(toml, "0.2.0"), toml.replace("0.1.0", "0.2.0"));
    }
}

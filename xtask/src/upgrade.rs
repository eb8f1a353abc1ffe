//! `cargo xtask upgrade --spec-dir DIR`: moves the committed client to
//! another Keyfactor Command release in one step, and says what that means
//! for its users.
//!
//! Everything is worked out in memory first (documents read and checked,
//! overrides applied and the stale ones found, the client generated with the
//! type-name lock, the diff, the version bump, the CHANGELOG entry); only
//! then are files written, each staged and moved into place, with the old
//! ones put back if a move fails. It refuses to start on uncommitted changes
//! to the files it writes.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use keyfactor_generator::diff::{self, Entry, Report};
use keyfactor_generator::emit::{Files, Options, cargo_features, type_names_lock};
use keyfactor_generator::release::{Manifest, load_release_with, sha256_hex};
use keyfactor_generator::{Generated, Warnings, generate_locked, output};

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

/// The files of the client that an upgrade rewrites, relative to the root.
const WRITES: &[&str] = &[
    "spec/release.yaml",
    "spec/overrides.yaml",
    "spec/type-names.lock",
    "generated-client/Cargo.toml",
    "generated-client/src/generated",
    "CHANGELOG.md",
    "Cargo.lock",
];

pub fn run(args: Args) -> Result<ExitCode> {
    let root = crate::root();
    refuse_uncommitted(&root, WRITES)?;
    let spec_dir = match (&args.spec_dir, &args.from_server) {
        (Some(dir), None) => dir.clone(),
        (dir, Some(url)) => {
            // With --from-server, --spec-dir is where the documents go.
            let dir = dir.clone().unwrap_or_else(|| root.join("target/upgrade-fetch"));
            fetch(url, &dir, &args.release)?;
            dir
        }
        (None, None) => bail!("--spec-dir DIR (the new release's documents) or --from-server URL is needed"),
    };
    let plan = plan(&root, &spec_dir, &args)?;
    if !plan.documents.is_empty() {
        refuse_uncommitted(&root, &[plan.documents_dir.as_str()])?;
    }
    plan.write(&root)?;
    print!("{}", plan.summary);
    if !args.no_replay {
        replay(&root)?;
    }
    if !args.no_semver_checks {
        semver_checks(&root, &plan.report, &plan.version);
    }
    Ok(ExitCode::SUCCESS)
}

fn fetch(url: &str, dir: &Path, release: &Option<String>) -> Result<()> {
    let mut args = vec!["--url".to_string(), url.to_string(), "--out".to_string(), dir.display().to_string()];
    args.extend(release.iter().flat_map(|r| ["--release".to_string(), r.clone()]));
    if crate::run_package(&crate::tools_root(), "keyfactor-release", "fetch", &args)? != ExitCode::SUCCESS {
        bail!("fetching the documents from {url} failed");
    }
    Ok(())
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
    /// `spec/keyfactor-command-<release>`, relative to the root.
    documents_dir: String,
    documents: Files,
    files: Vec<(String, String)>,
    generated: Generated,
    report: Report,
    version: String,
    summary: String,
}

fn plan(root: &Path, spec_dir: &Path, args: &Args) -> Result<Plan> {
    let manifest_path = root.join("spec/release.yaml");
    let current = Manifest::read(&manifest_path)?;
    let old = keyfactor_generator::generate_release(&manifest_path, None)
        .context("generating the current release (before the upgrade)")?;
    let lock = current.type_name_lock()?;

    let new = Manifest::for_dir(spec_dir, args.release.as_deref())?;
    let overrides = current.overrides()?;
    let mut warnings = Warnings::default();
    let (docs, used) = load_release_with(&new, spec_dir, &overrides, &mut warnings)?;
    let stale = overrides.stale(&used);
    if !stale.is_empty() && !args.drop_stale {
        let list: Vec<String> = stale.iter().map(|&i| format!("  /overrides/{i}: {}", overrides.target(i))).collect();
        bail!(
            "{} override(s) in spec/overrides.yaml match nothing in release {}'s documents; \
             rerun with --drop-stale to remove them (nothing was changed):\n{}",
            stale.len(),
            new.release,
            list.join("\n")
        );
    }
    let source = format!("the Keyfactor Command release {} documents", new.release);
    let options =
        Options { release: new.release.clone(), source, area_features: true, command: "cargo xtask codegen".into() };
    let generated = generate_locked(&docs, &lock, &options, warnings)?;

    let report = diff::compare(&old.api, &generated.api, &current.release, &new.release);
    let cargo_toml_path = root.join("generated-client/Cargo.toml");
    let cargo_toml = std::fs::read_to_string(&cargo_toml_path).context("reading generated-client/Cargo.toml")?;
    let previous = keyfactor_generator::emit::package::package_version(&cargo_toml)
        .context("generated-client/Cargo.toml has no [package] version")?;
    let version = diff::bumped(&previous, report.bump()).map_err(anyhow::Error::msg)?;

    let dir_name = format!("keyfactor-command-{}", dir_safe(&new.release));
    let documents_dir = format!("spec/{dir_name}");
    let date = args.date.clone().unwrap_or_else(today);
    let mut notes = Vec::new();
    let mut files = Vec::new();
    if !stale.is_empty() {
        for &i in &stale {
            notes.push(format!(
                "The override for `{}` matched nothing in the new documents and was removed.",
                overrides.target(i)
            ));
        }
        files.push(("spec/overrides.yaml".into(), overrides.text_without(&stale)));
    }
    let entry = diff::changelog_entry(
        &report,
        &Entry { version: &version, previous_version: &previous, date: &date, notes: &notes },
    );
    files.push(("CHANGELOG.md".into(), changelog(root, &entry)?));
    files.push(("spec/release.yaml".into(), release_manifest(&new, &dir_name, &current)));
    if let Some(lock_path) = current.type_names.as_ref() {
        files.push((format!("spec/{}", lock_path.display()), type_names_lock(&generated.api)));
    }
    let cargo_toml = output::replace_block(&set_version(&cargo_toml, &version), &cargo_features(&generated.api))
        .context("generated-client/Cargo.toml has no `# @generated begin` ... `# @generated end` block")?;
    files.push(("generated-client/Cargo.toml".into(), cargo_toml));
    // The lock records the workspace's own versions too (`--locked` builds need it).
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        files.push(("Cargo.lock".into(), lock_with_version(&lock, "keyfactor-client", &version)));
    }

    // Documents already where they belong (put there by hand) stay as they are.
    let in_place = spec_dir.canonicalize().ok() == root.join(&documents_dir).canonicalize().ok();
    let documents = if in_place { Files::new() } else { documents(spec_dir, &new, &date)? };
    let summary = summary(&current.release, &new.release, &report, &previous, &version, &documents_dir, &stale);
    Ok(Plan { documents_dir, documents, files, generated, report, version, summary })
}

/// A release name as a directory name: what is not a letter, digit, `.`, `_` or `-` becomes `-`.
fn dir_safe(release: &str) -> String {
    release.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect()
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
             The OpenAPI documents of Keyfactor Command release {}, copied byte-for-byte by `cargo xtask upgrade` \
             on {date}. Never edit them: corrections go into `spec/overrides.yaml`. `spec/release.yaml` names them \
             with their sha256.\n\n\
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
    let mut out = String::from(
        "# The documents that make up the Keyfactor Command release the committed\n\
         # client is generated from, kept byte-for-byte in `directory` (see its\n\
         # README). `cargo xtask codegen` reads them from there, or from --spec-dir /\n\
         # KEYFACTOR_SPEC_DIR, and checks each sha256. Written by `cargo xtask upgrade`.\n",
    );
    out.push_str(&format!(
        "release: {}\ndirectory: {dir_name}\n",
        serde_json::to_string(&new.release).unwrap_or_default()
    ));
    if let Some(overrides) = &current.overrides {
        out.push_str(&format!("overrides: {}\n", overrides.display()));
    }
    if let Some(lock) = &current.type_names {
        out.push_str(&format!("type_names: {}\n", lock.display()));
    }
    out.push_str("documents:\n");
    for entry in &new.documents {
        out.push_str(&format!("  - file: {}\n    sha256: {}\n", entry.file, entry.sha256.to_ascii_lowercase()));
    }
    out
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

/// CHANGELOG.md with `entry` as its newest version entry: before the first
/// `## <version>` heading, after the header and `## Unreleased`.
fn changelog(root: &Path, entry: &str) -> Result<String> {
    let path = root.join("CHANGELOG.md");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "# Changelog\n".to_string(),
        Err(e) => return Err(e).context("reading CHANGELOG.md"),
    };
    let at = text
        .match_indices("\n## ")
        .find(|(i, _)| text[i + 4..].starts_with(|c: char| c.is_ascii_digit()))
        .map_or(text.len(), |(i, _)| i + 1);
    let (head, rest) = text.split_at(at);
    Ok(format!("{}\n\n{entry}{}{rest}", head.trim_end_matches('\n'), if rest.is_empty() { "" } else { "\n" }))
}

fn summary(
    old: &str,
    new: &str,
    report: &Report,
    previous: &str,
    version: &str,
    documents_dir: &str,
    stale: &[usize],
) -> String {
    let groups = report.groups();
    let mut out = format!(
        "upgraded the client from release {old} to {new}: {} breaking change(s), {} other(s); \
         keyfactor-client {previous} -> {version} ({:?})\n",
        report.breaking,
        report.changes.len() - report.breaking,
        report.bump()
    );
    out.push_str(&format!("  documents: {documents_dir}/ (add their source and terms to its README)\n"));
    if !stale.is_empty() {
        out.push_str(&format!("  overrides dropped as stale: {}\n", stale.len()));
    }
    for g in groups.iter().filter(|g| g.breaking).take(10) {
        out.push_str(&format!("  breaking: {} {} ({} place(s))\n", g.kind.name(), g.detail, g.subjects.len()));
    }
    out.push_str("  review: CHANGELOG.md, `git diff`, then `cargo test --workspace`\n");
    out
}

impl Plan {
    /// Writes the plan: the documents directory and the generated directory
    /// swapped in whole, the other files staged beside their targets and
    /// moved into place; if a step fails, what was already written is put
    /// back (a new documents directory is removed).
    fn write(&self, root: &Path) -> Result<()> {
        let documents_dir = root.join(&self.documents_dir);
        let new_documents = !documents_dir.exists();
        if !self.documents.is_empty() {
            output::write_atomically(&documents_dir, &self.documents)
                .with_context(|| format!("writing {}", documents_dir.display()))?;
        }
        let mut undo: Vec<(PathBuf, Option<Vec<u8>>)> = Vec::new();
        let result = self.write_files(root, &mut undo);
        if result.is_err() {
            for (path, before) in undo.into_iter().rev() {
                let _ = match before {
                    Some(bytes) => std::fs::write(&path, bytes),
                    None => std::fs::remove_file(&path),
                };
            }
            if new_documents {
                let _ = std::fs::remove_dir_all(&documents_dir);
            }
        }
        result
    }

    fn write_files(&self, root: &Path, undo: &mut Vec<(PathBuf, Option<Vec<u8>>)>) -> Result<()> {
        for (rel, text) in &self.files {
            let path = root.join(rel);
            let before = std::fs::read(&path).ok();
            let name = path.file_name().unwrap_or_default().to_string_lossy().to_string();
            let stage = path.with_file_name(format!(".{name}.upgrade"));
            std::fs::write(&stage, text).with_context(|| format!("writing {}", stage.display()))?;
            std::fs::rename(&stage, &path).with_context(|| format!("writing {}", path.display()))?;
            undo.push((path, before));
        }
        let generated_dir = root.join("generated-client/src/generated");
        output::write_atomically(&generated_dir, &self.generated.files)
            .with_context(|| format!("writing {}", generated_dir.display()))
    }
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

/// Runs cargo-semver-checks, when it is installed, on the new client against
/// the committed one, and says whether it agrees with the diff: on the bump
/// it requires, and on the breaks it finds (each must be in the diff).
fn semver_checks(root: &Path, report: &Report, version: &str) {
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
        .current_dir(root)
        .args(["semver-checks", "check-release", "--package", "keyfactor-client", "--baseline-rev", "HEAD"])
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
        assert_eq!(dir_safe("25.5 (beta)"), "25.5--beta-");
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

//! `cargo xtask semver-agreement`: the check that every break
//! cargo-semver-checks finds between the clients of two fixture releases is
//! in the diff (the comparison itself is `keyfactor_release::semver`).
//!
//! The two tools see different things. cargo-semver-checks compares the
//! public API of two builds (items removed, arity changed); the diff compares
//! the documents as call sites see them (it also sees field and response
//! type changes, which cargo-semver-checks does not). Where they overlap the
//! diff must not miss anything: a removed method, a removed setter, a
//! removed type, a new argument.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use keyfactor_generator::diff;
use keyfactor_generator::emit::package::RuntimeDependency;

use keyfactor_release::client_crate::{NewCrate, new_crate};
use keyfactor_release::semver::{agrees, covering, findings, required, run_semver_checks};

/// `cargo xtask semver-agreement [OLD_DIR NEW_DIR]`: generates the clients
/// of two releases' documents (default: `spec/fixtures/diff/old` and `new`)
/// as two versions of one crate (the new one with the old one's type-name
/// lock, as an upgrade does), runs cargo-semver-checks on them, and fails if
/// a break it finds is not in the diff of the two releases.
pub fn agreement(dirs: Option<(PathBuf, PathBuf)>) -> Result<ExitCode> {
    let root = crate::root();
    let fixtures = root.join("spec/fixtures/diff");
    let dirs_given = dirs.is_some();
    let (old, new) = dirs.unwrap_or_else(|| (fixtures.join("old"), fixtures.join("new")));
    // Outside the workspace (cargo would take crates below it for members).
    let work = std::env::temp_dir().join(format!("keyfactor-semver-agreement-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let result = check_agreement(&root, &work, &old, &new, dirs_given);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn check_agreement(root: &Path, work: &Path, old: &Path, new: &Path, dirs_given: bool) -> Result<ExitCode> {
    let name = "keyfactor-fixture-client";
    write_client_crate(root, &work.join("old"), old, name, "old", None)?;
    write_client_crate(root, &work.join("new"), new, name, "new", Some(&work.join("old/type-names.lock")))?;
    let (stdout, stderr) = run_semver_checks(work, &root.join("target/semver-agreement"))?;
    let findings = findings(&stdout);
    // The fixtures differ in every kind of change: finding nothing there means the check is broken.
    if findings.is_empty() && !dirs_given {
        bail!(
            "cargo-semver-checks found nothing between the fixture releases, which differ in every kind of change:\n{stdout}{stderr}"
        );
    }
    let output = format!("{stdout}{stderr}");
    let lock = diff::read_lock(&work.join("old/type-names.lock"))?;
    let report = diff::compare(&diff::load_dir(old, &lock)?, &diff::load_dir(new, &lock)?, "old", "new");
    let mut missing = 0;
    for finding in &findings {
        match covering(&report, finding) {
            Some(c) => println!(
                "ok       {}: {}  <-  diff: {} {} ({})",
                finding.lint,
                finding.item,
                c.kind.name(),
                c.subject,
                c.detail
            ),
            None => {
                missing += 1;
                println!("MISSING  {}: {}", finding.lint, finding.item);
            }
        }
    }
    let bump = report.bump();
    println!(
        "{} finding(s) of cargo-semver-checks, {missing} not in the diff; it requires {}, the diff calls for {bump:?}",
        findings.len(),
        required(&output).unwrap_or("no update")
    );
    if missing > 0 || !agrees(required(&output), bump) {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// A client crate at `out` for the documents in `spec`, on the runtime of
/// the checkout at `root` and with its Cargo.lock; with `lock`, the type
/// names of another crate are kept (as an upgrade keeps them).
pub(crate) fn write_client_crate(
    root: &Path,
    out: &Path,
    spec: &Path,
    name: &str,
    release: &str,
    lock: Option<&Path>,
) -> Result<()> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out)?;
    if let Some(lock) = lock {
        std::fs::copy(lock, out.join("type-names.lock"))?;
    }
    let runtime = RuntimeDependency::Path(root.join("runtime").display().to_string());
    let new = NewCrate { spec_dir: spec, out, name, release: Some(release), runtime, cli: false };
    keyfactor_release::files::write(&new_crate(&new)?, out)?;
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock"))?;
    Ok(())
}

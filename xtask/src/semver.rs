//! cargo-semver-checks beside `cargo xtask diff`: what it requires of a
//! version, and `cargo xtask semver-agreement`, the check that every break it
//! finds between the clients of two fixture releases is in the diff.
//!
//! The two tools see different things. cargo-semver-checks compares the
//! public API of two builds (items removed, arity changed); the diff compares
//! the documents as call sites see them (it also sees field and response
//! type changes, which cargo-semver-checks does not). Where they overlap the
//! diff must not miss anything: a removed method, a removed setter, a
//! removed type, a new argument.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use keyfactor_generator::diff::{self, Bump, Change, Report};
use keyfactor_generator::emit::package::RuntimeDependency;

use crate::new_crate::{CrateSpec, crate_target};

/// The lints whose findings are additions, not breaks: the one this project
/// sets to a minor update (see `[package.metadata.cargo-semver-checks.lints]`
/// in generated-client/Cargo.toml), and deprecations.
fn minor_lint(lint: &str) -> bool {
    lint == "constructible_struct_adds_field" || lint.contains("deprecated")
}

/// The update cargo-semver-checks' output says is required: `major`,
/// `minor`, or none.
pub fn required(output: &str) -> Option<&'static str> {
    if output.contains("requires new major version") {
        Some("major")
    } else if output.contains("requires new minor version") {
        Some("minor")
    } else {
        None
    }
}

/// Whether the diff's bump covers what cargo-semver-checks requires.
pub fn agrees(required: Option<&str>, bump: Bump) -> bool {
    match required {
        Some("major") => bump == Bump::Breaking,
        Some(_) => bump >= Bump::Minor,
        None => true,
    }
}

/// One finding of cargo-semver-checks: its lint and the item it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub lint: String,
    pub item: String,
}

/// The findings in cargo-semver-checks' human output: each `--- failure
/// LINT: ... ---` section's `Failed in:` lines.
pub fn findings(output: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut lint: Option<String> = None;
    let mut listing = false;
    for line in output.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("--- failure ") {
            lint = rest.split(':').next().map(str::to_string);
            listing = false;
        } else if trimmed == "Failed in:" {
            listing = true;
        } else if trimmed.is_empty() || !line.starts_with("  ") {
            listing = false;
        } else if listing && let Some(lint) = &lint {
            out.push(Finding { lint: lint.clone(), item: trimmed.to_string() });
        }
    }
    out
}

/// The names a finding is about: the function or type, and the member
/// (setter, field) where there is one. Items read `Client::f`,
/// `Builder::setter`, `struct crate::types::T`, `field f of struct T`,
/// `field T.f in ...`, `crate::Client::f takes ...`.
fn subject(item: &str) -> (String, Option<String>) {
    let words: Vec<&str> = item.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if let ["field", field, "of", _, owner, ..] = words.as_slice() {
        return (owner.to_string(), Some(field.to_string()));
    }
    let path = match words.as_slice() {
        ["struct" | "enum" | "field" | "trait" | "function" | "method", path, ..] => *path,
        [path, ..] => *path,
        [] => item,
    };
    if let Some((owner, field)) = path.rsplit_once('.') {
        let owner = owner.rsplit("::").next().unwrap_or(owner);
        return (owner.to_string(), Some(field.to_string()));
    }
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [.., owner, member] if *owner == "Client" || *owner == "MockServer" => (member.to_string(), None),
        [.., owner, member] if owner.starts_with(char::is_uppercase) && member.starts_with(char::is_lowercase) => {
            (function_of(owner), Some(member.to_string()))
        }
        [.., "operations", _, builder] => (function_of(builder), None),
        [.., last] => (last.to_string(), None),
        [] => (item.to_string(), None),
    }
}

/// A request builder's function (`GetWidgetsById` -> `get_widgets_by_id`),
/// or a type's name unchanged.
fn function_of(name: &str) -> String {
    let builder = ["Get", "Post", "Put", "Delete", "Patch", "Head"].iter().any(|m| name.starts_with(m));
    if !builder {
        return name.to_string();
    }
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn normal(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The change of `report` that covers `finding`, if any: one about the same
/// function or type (and member), breaking unless the lint is one this
/// project counts as an addition.
pub fn covering<'a>(report: &'a Report, finding: &Finding) -> Option<&'a Change> {
    let (name, member) = subject(&finding.item);
    let breaking = !minor_lint(&finding.lint);
    let name = normal(&name);
    report.changes.iter().filter(|c| c.breaking || !breaking).find(|c| {
        let about =
            normal(&c.subject) == name || c.affects.iter().any(|a| normal(a.trim_start_matches("types::")) == name);
        let whole = matches!(
            c.kind,
            diff::Kind::EndpointRemoved
                | diff::Kind::VersionRemoved
                | diff::Kind::TypeRemoved
                | diff::Kind::TypeRenamed
        );
        about && (whole || member.as_ref().is_none_or(|m| normal(&c.detail).contains(&normal(m))))
    })
}

/// `cargo xtask semver-agreement`: generates the clients of
/// `spec/fixtures/diff/old` and `new` as two versions of one crate (the new
/// one with the old one's type-name lock, as an upgrade does), runs
/// cargo-semver-checks on them, and fails if a break it finds is not in the
/// diff of the two releases.
pub fn agreement() -> Result<ExitCode> {
    let root = crate::root();
    // Outside the workspace (cargo would take crates below it for members).
    let work = std::env::temp_dir().join(format!("keyfactor-semver-agreement-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let result = check_agreement(&root, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn check_agreement(root: &Path, work: &Path) -> Result<ExitCode> {
    let fixtures = root.join("spec/fixtures/diff");
    let runtime = RuntimeDependency::Path(root.join("runtime").display().to_string());
    for release in ["old", "new"] {
        let out = work.join(release);
        if release == "new" {
            std::fs::create_dir_all(&out)?;
            std::fs::copy(work.join("old/type-names.lock"), out.join("type-names.lock"))?;
        }
        let spec =
            CrateSpec { out: &out, name: "keyfactor-fixture-client", release: Some(release), runtime: Some(&runtime) };
        crate::targets::write(&crate_target(&spec, &fixtures.join(release))?)?;
        std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock"))?;
    }
    let (stdout, stderr) = run_semver_checks(work, &root.join("target/semver-agreement"))?;
    let findings = findings(&stdout);
    if findings.is_empty() {
        bail!(
            "cargo-semver-checks found nothing between the fixture releases, which differ in every kind of change:\n{stdout}{stderr}"
        );
    }
    let output = format!("{stdout}{stderr}");
    let lock = diff::read_lock(&work.join("old/type-names.lock"))?;
    let report = diff::compare(
        &diff::load_dir(&fixtures.join("old"), &lock)?,
        &diff::load_dir(&fixtures.join("new"), &lock)?,
        "old",
        "new",
    );
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

fn run_semver_checks(work: &Path, target: &Path) -> Result<(String, String)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(work)
        .env("CARGO_TARGET_DIR", target)
        .args(["semver-checks", "check-release", "--manifest-path"])
        .arg(PathBuf::from("new/Cargo.toml"))
        .args(["--baseline-root", "old", "--release-type", "patch"])
        .output()
        .context("running cargo semver-checks (install it: cargo install --locked cargo-semver-checks)")?;
    // Findings are on stdout, progress and the summary on stderr.
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if !output.status.success() && findings(&stdout).is_empty() {
        bail!("cargo semver-checks failed:\n{stdout}{stderr}");
    }
    Ok((stdout.into_owned(), stderr.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // cargo-semver-checks 0.51's output, shortened.
    const OUTPUT: &str = "     Checked [   0.019s] 202 checks: 199 pass, 3 fail, 0 warn, 58 skip

--- failure inherent_method_missing: pub method removed or renamed ---

Description:
A publicly-visible method or associated fn is no longer available under its prior name.

Failed in:
  Client::delete_widgets_by_id, previously in file /tmp/sv/old/src/generated/operations/widget.rs:42
  GetWidgets::legacy, previously in file /tmp/sv/old/src/generated/operations/widget.rs:91

--- failure struct_missing: pub struct removed or renamed ---

Failed in:
  struct fixture_client::types::WidgetRequest, previously in file /tmp/sv/old/src/generated/types.rs:87
  struct fixture_client::operations::widget::DeleteWidgetsById, previously in file /tmp/sv/old/src/generated/operations/widget.rs:223

     Summary semver requires new major version: 2 major and 0 minor checks failed
";

    #[test]
    fn findings_and_the_required_update_are_read_from_the_output() {
        let found = findings(OUTPUT);
        assert_eq!(found.len(), 4);
        assert_eq!(
            found[1],
            Finding {
                lint: "inherent_method_missing".into(),
                item: "GetWidgets::legacy, previously in file /tmp/sv/old/src/generated/operations/widget.rs:91".into()
            }
        );
        assert_eq!(required(OUTPUT), Some("major"));
        assert!(agrees(Some("major"), Bump::Breaking) && !agrees(Some("major"), Bump::Minor));
        assert!(agrees(None, Bump::Patch) && agrees(Some("minor"), Bump::Minor));
    }

    #[test]
    fn findings_name_the_function_type_or_member() {
        assert_eq!(subject("Client::delete_widgets_by_id, previously in"), ("delete_widgets_by_id".into(), None));
        assert_eq!(subject("GetWidgets::legacy, previously in"), ("get_widgets".into(), Some("legacy".into())));
        assert_eq!(subject("struct x::types::WidgetRequest, previously"), ("WidgetRequest".into(), None));
        assert_eq!(
            subject("struct x::operations::widget::DeleteWidgetsById, previously"),
            ("delete_widgets_by_id".into(), None)
        );
        assert_eq!(subject("x::mock::MockServer::get_widgets takes 0 parameters"), ("get_widgets".into(), None));
        assert_eq!(subject("field note of struct Widget, previously in"), ("Widget".into(), Some("note".into())));
        assert_eq!(subject("field Widget.color in /tmp/x/types.rs:75"), ("Widget".into(), Some("color".into())));
        assert_eq!(subject("method x::Client::get_widgets_by_id in /tmp/x.rs:64"), ("get_widgets_by_id".into(), None));
    }

    #[test]
    fn every_finding_of_the_sample_is_covered_by_the_fixture_diff() {
        let fixtures = crate::root().join("spec/fixtures/diff");
        let lock = Default::default();
        let report = diff::compare(
            &diff::load_dir(&fixtures.join("old"), &lock).unwrap(),
            &diff::load_dir(&fixtures.join("new"), &lock).unwrap(),
            "old",
            "new",
        );
        for finding in findings(OUTPUT) {
            assert!(covering(&report, &finding).is_some(), "{finding:?}");
        }
        let unrelated = Finding { lint: "struct_missing".into(), item: "struct x::types::Nothing, previously".into() };
        assert!(covering(&report, &unrelated).is_none());
    }
}

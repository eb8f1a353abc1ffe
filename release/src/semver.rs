//! cargo-semver-checks beside the diff: what it requires of a version, its
//! findings, and which change of the diff covers each (the checks of
//! `upgrade`, `cargo xtask semver-agreement` and `cargo xtask differential`).
//!
//! The two tools see different things. cargo-semver-checks compares the
//! public API of two builds (items removed, arity changed); the diff compares
//! the documents as call sites see them (it also sees field and response
//! type changes, which cargo-semver-checks does not). Where they overlap the
//! diff must not miss anything: a removed method, a removed setter, a
//! removed type, a new argument.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use keyfactor_generator::diff::{Bump, Change, Report};

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

/// The public item a finding is about, named as the diff's
/// [`Change::items`] name items: `Client::f`, `MockServer::f`,
/// `Builder::setter`, `operations::m::Builder`, `types::T`,
/// `types::T::field`, `types::T::CONST`, `types::codes::T`, `feature "a"`,
/// `mod operations::m`. Items read `Client::f, previously in ...`,
/// `struct krate::types::T, previously ...`, `field f of struct T, ...`,
/// `field T.f in ...`, `krate::Client::f takes ...`, `Code::CONST,
/// previously in file F:L` (the type read from the old source at F:L).
pub fn item_of(finding: &Finding) -> String {
    let item = finding.item.as_str();
    let words: Vec<&str> = item.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if finding.lint.starts_with("feature_") {
        let name = words.iter().find(|w| !matches!(**w, "feature" | "Feature")).unwrap_or(&"");
        return format!("feature {:?}", name.trim_matches(['`', '"']));
    }
    if let ["field", field, "of", _, owner, ..] = words.as_slice() {
        return format!("types::{owner}::{field}");
    }
    let path = match words.as_slice() {
        ["struct" | "enum" | "field" | "trait" | "function" | "method" | "mod" | "module" | "type", path, ..] => *path,
        [path, ..] => *path,
        [] => item,
    };
    if let Some((owner, field)) = path.rsplit_once('.') {
        let owner = owner.rsplit("::").next().unwrap_or(owner);
        return format!("types::{owner}::{field}");
    }
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    if finding.lint.starts_with("module_") {
        let at = segments.iter().position(|s| *s == "operations").unwrap_or(segments.len().saturating_sub(1));
        return format!("mod {}", segments[at..].join("::"));
    }
    for root in ["types", "operations"] {
        if let Some(at) = segments.iter().position(|s| *s == root) {
            return segments[at..].join("::");
        }
    }
    match segments.as_slice() {
        [.., "Code", constant] => match code_type_at(item) {
            Some(ty) => format!("types::{ty}::{constant}"),
            None => format!("types::?::{constant}"),
        },
        [.., owner, member] => format!("{owner}::{member}"),
        [one] => one.to_string(),
        [] => item.to_string(),
    }
}

/// The integer code whose constants are at `previously in file F:L`: the
/// `impl crate::Code<codes::T>` block around that line of the old source.
fn code_type_at(item: &str) -> Option<String> {
    let location = item.rsplit(' ').next()?;
    let (file, line) = location.rsplit_once(':')?;
    let line: usize = line.parse().ok()?;
    let text = std::fs::read_to_string(file).ok()?;
    let lines: Vec<&str> = text.lines().take(line).collect();
    lines.iter().rev().find_map(|l| {
        let rest = l.trim().strip_prefix("impl crate::Code<codes::")?;
        Some(rest.split('>').next()?.to_string())
    })
}

/// Whether the diff item `changed` covers the finding's `item`: the same
/// item, or one that holds it (a type holds its fields and constants, a
/// builder its setters).
fn covers(changed: &str, item: &str) -> bool {
    if changed == item {
        return true;
    }
    if let Some(constant) = item.strip_prefix("types::?::") {
        return changed.starts_with("types::") && changed.ends_with(&format!("::{constant}"));
    }
    let builder = changed.strip_prefix("operations::").and_then(|p| p.rsplit("::").next());
    let member_of = |owner: &str| item.strip_prefix(owner).is_some_and(|rest| rest.starts_with("::"));
    member_of(changed) || builder.is_some_and(member_of)
}

/// The change of `report` that covers `finding`, if any: one that names its
/// item among the items it removes or changes, breaking unless the lint is
/// one this project counts as an addition.
pub fn covering<'a>(report: &'a Report, finding: &Finding) -> Option<&'a Change> {
    let item = item_of(finding);
    let breaking = !minor_lint(&finding.lint);
    report.changes.iter().filter(|c| c.breaking || !breaking).find(|c| c.items.iter().any(|i| covers(i, &item)))
}

/// cargo-semver-checks between the crates `old` and `new` in `work` (two
/// versions of one crate), with its build in `target`; its output (stdout,
/// stderr). Fails when it could not run.
pub fn run_semver_checks(work: &Path, target: &Path) -> Result<(String, String)> {
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
    use keyfactor_generator::diff;

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
    fn findings_name_the_item_as_the_diff_does() {
        let item = |lint: &str, item: &str| item_of(&Finding { lint: lint.into(), item: item.into() });
        let method = "inherent_method_missing";
        assert_eq!(item(method, "Client::delete_widgets_by_id, previously in"), "Client::delete_widgets_by_id");
        assert_eq!(item(method, "GetWidgets::legacy, previously in"), "GetWidgets::legacy");
        assert_eq!(item("struct_missing", "struct x::types::WidgetRequest, previously"), "types::WidgetRequest");
        assert_eq!(
            item("struct_missing", "struct x::operations::widget::DeleteWidgetsById, previously"),
            "operations::widget::DeleteWidgetsById"
        );
        assert_eq!(
            item("method_parameter_count_changed", "x::mock::MockServer::get_widgets takes 0 parameters"),
            "MockServer::get_widgets"
        );
        assert_eq!(
            item("struct_pub_field_missing", "field note of struct Widget, previously in"),
            "types::Widget::note"
        );
        assert_eq!(
            item("constructible_struct_adds_field", "field Widget.color in /tmp/x/types.rs:75"),
            "types::Widget::color"
        );
        assert_eq!(
            item("method_deprecated", "method x::Client::get_widgets_by_id in /tmp/x.rs:64"),
            "Client::get_widgets_by_id"
        );
        assert_eq!(item("enum_missing", "enum x::types::codes::Kind, previously in"), "types::codes::Kind");
        // A code constant: its type is read from the old source.
        let source = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            source.path(),
            "impl crate::Code<codes::RevokeCode> {\n    pub const KEY_COMPROMISED: Self = Self::number(1);\n}\n",
        )
        .unwrap();
        let at = format!("Code::KEY_COMPROMISED, previously in file {}:2", source.path().display());
        assert_eq!(item("inherent_associated_pub_const_missing", &at), "types::RevokeCode::KEY_COMPROMISED");
        assert!(covers("types::RevokeCode", "types::RevokeCode::KEY_COMPROMISED"));
        assert!(covers("operations::widget::GetWidgets", "GetWidgets::legacy"));
        assert!(!covers("types::Widget", "types::WidgetRequest"));
    }

    #[test]
    fn every_finding_of_the_sample_is_covered_by_the_fixture_diff() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures/diff");
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

//! `cargo keyfactor` as a team uses it, outside any checkout of this
//! project: the tool installed from a clone into a root of its own, a crate
//! written for one release, built and committed, then upgraded to the next
//! release: version bumped, CHANGELOG entry, `check` clean, and it builds.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?} failed:\n{}", text(&output));
    output
}

fn git(dir: &Path, args: &[&str]) -> Output {
    run(Command::new("git").current_dir(dir).args(args))
}

/// `cargo install --path cargo-keyfactor` from a clone of this repository
/// (its committed state) into `install_root`; the build directory is
/// this checkout's target/, so that dependencies built for its tests are reused.
fn install_from_a_clone(work: &Path) -> (PathBuf, PathBuf) {
    let clone = work.join("clone");
    run(Command::new("git").args(["clone", "--quiet"]).arg(root()).arg(&clone));
    let install_root = work.join("tools");
    run(cargo()
        .env("CARGO_TARGET_DIR", root().join("target"))
        .args(["install", "--quiet", "--locked", "--debug", "--path"])
        .arg(clone.join("cargo-keyfactor"))
        .arg("--root")
        .arg(&install_root));
    (install_root.join("bin"), clone)
}

/// `cargo keyfactor ARGS` as cargo runs an installed subcommand: found on
/// PATH, the working directory the user's.
fn cargo_keyfactor(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    cargo().current_dir(dir).env("PATH", path).arg("keyfactor").args(args).output().unwrap()
}

/// Builds the crate at `dir` (outside every workspace) with its command
/// line, and this repository's lock file, so that it resolves the versions
/// CI tested.
fn build(dir: &Path) {
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    run(cargo().current_dir(dir).env("CARGO_TARGET_DIR", root().join("target/outside")).args([
        "build",
        "--quiet",
        "--features",
        "cli",
    ]));
    std::fs::remove_file(dir.join("Cargo.lock")).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn installed_from_a_clone_it_writes_builds_and_upgrades_a_crate_of_its_own() {
    let work = tempfile::tempdir().unwrap();
    let (bin, clone) = install_from_a_clone(work.path());
    let fixtures = root().join("spec/fixtures/diff");
    let krate = work.path().join("acme-keyfactor");
    let runtime = format!("path={}", clone.join("runtime").display());

    let new = cargo_keyfactor(
        &bin,
        work.path(),
        &[
            "new",
            "--spec-dir",
            fixtures.join("old").to_str().unwrap(),
            "--release",
            "1.0",
            "--out",
            "acme-keyfactor",
            "--name",
            "acme-keyfactor",
            "--runtime",
            &runtime,
            "--cli",
        ],
    );
    assert!(new.status.success(), "{}", text(&new));
    // The crate records its release: documents byte-for-byte, with their sha256.
    for file in ["v1.yaml", "v2.yaml"] {
        let copied = std::fs::read(krate.join("spec/keyfactor-command-1.0").join(file)).unwrap();
        assert_eq!(copied, std::fs::read(fixtures.join("old").join(file)).unwrap());
    }
    let manifest = read(&krate.join("spec/release.yaml"));
    assert!(manifest.contains("release: \"1.0\"\ndirectory: keyfactor-command-1.0\n"), "{manifest}");
    assert!(manifest.contains(&format!("generator: \"{}\"", keyfactor_generator::VERSION)), "{manifest}");
    build(&krate);
    // The command line of this release: its areas and operations, each version its own.
    let help = run(Command::new(cli_binary()).args(["widget", "--help"]));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("get-widgets-by-id") && help.contains("post-widgets-search"), "{help}");
    let old = run(Command::new(cli_binary()).args(["old", "--help"]));
    assert!(String::from_utf8_lossy(&old.stdout).contains("get-old-v2"));

    git(&krate, &["init", "--quiet"]);
    git(&krate, &["-c", "user.name=t", "-c", "user.email=t@example.com", "add", "."]);
    git(&krate, &["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "release 1.0"]);
    let check = cargo_keyfactor(&bin, &krate, &["check"]);
    assert!(check.status.success(), "{}", text(&check));

    let upgrade = cargo_keyfactor(
        &bin,
        &krate,
        &[
            "upgrade",
            "--spec-dir",
            fixtures.join("new").to_str().unwrap(),
            "--release",
            "2.0",
            "--date",
            "2026-12-08",
            "--no-semver-checks",
        ],
    );
    let summary = text(&upgrade);
    assert!(upgrade.status.success(), "{summary}");
    assert!(summary.contains("acme-keyfactor 0.1.0 -> 0.2.0 (Breaking)"), "{summary}");
    let cargo_toml = read(&krate.join("Cargo.toml"));
    assert!(cargo_toml.contains("\nversion = \"0.2.0\"\n"), "{cargo_toml}");
    assert!(cargo_toml.contains(&format!("keyfactor-runtime = {{ path = \"{}\" }}", clone.join("runtime").display())));
    let changelog = read(&krate.join("CHANGELOG.md"));
    assert!(changelog.starts_with("# Changelog\n\n## 0.2.0 (2026-12-08)"), "{changelog}");
    assert!(changelog.contains("Keyfactor Command release `1.0` -> `2.0`"), "{changelog}");
    assert!(read(&krate.join("spec/release.yaml")).contains("release: \"2.0\"\ndirectory: keyfactor-command-2.0\n"));
    assert!(read(&krate.join("README.md")).contains("**release 2.0**"));
    assert!(cargo_toml.contains("[[bin]]\nname = \"keyfactor\"\n"), "the command line is kept: {cargo_toml}");
    let check = cargo_keyfactor(&bin, &krate, &["check"]);
    assert!(check.status.success(), "{}", text(&check));
    build(&krate);
    let dry_run = run(Command::new(cli_binary())
        .args(["widget", "get-widgets-v2", "--dry-run", "--server", "https://kf.example.com/KeyfactorAPI"])
        .env("KEYFACTOR_AUTH_ACCESS_TOKEN", "t"));
    let dry_run = String::from_utf8_lossy(&dry_run.stdout);
    assert!(dry_run.starts_with("GET https://kf.example.com/KeyfactorAPI/Widgets"), "{dry_run}");
}

/// The `keyfactor` binary `build` made.
fn cli_binary() -> PathBuf {
    root().join("target/outside/debug/keyfactor")
}

#[test]
fn check_finds_drift_and_upgrade_refuses_uncommitted_changes() {
    let work = tempfile::tempdir().unwrap();
    let krate = work.path().join("k");
    let bin = Path::new(env!("CARGO_BIN_EXE_cargo-keyfactor"));
    let tool =
        |dir: &Path, args: &[&str]| Command::new(bin).current_dir(dir).arg("keyfactor").args(args).output().unwrap();
    let spec = root().join("spec/fixtures/diff/old");
    let new = tool(work.path(), &["new", "--spec-dir", spec.to_str().unwrap(), "--out", "k", "--name", "k"]);
    assert!(new.status.success(), "{}", text(&new));
    assert!(text(&new).contains(&format!("keyfactor-runtime: version {}", keyfactor_runtime_version())));
    assert!(tool(&krate, &["check"]).status.success());

    let types = krate.join("src/generated/types.rs");
    std::fs::write(&types, read(&types).replace("pub struct", "pub(crate) struct")).unwrap();
    let drift = tool(&krate, &["check"]);
    assert!(!drift.status.success());
    assert!(text(&drift).contains("src/generated: stale: types.rs"), "{}", text(&drift));
    assert!(text(&drift).contains("cargo keyfactor generate"), "{}", text(&drift));
    assert!(tool(&krate, &["generate"]).status.success());
    assert!(tool(&krate, &["check"]).status.success());

    // Not in git: an upgrade cannot tell what is committed, and says so.
    let next = root().join("spec/fixtures/diff/new");
    let upgrade = tool(&krate, &["upgrade", "--spec-dir", next.to_str().unwrap(), "--no-semver-checks"]);
    assert!(!upgrade.status.success());
    assert!(text(&upgrade).contains("git"), "{}", text(&upgrade));
    git(&krate, &["init", "--quiet"]);
    std::fs::write(krate.join("CHANGELOG.md"), "# Changelog\n\nmine\n").unwrap();
    let upgrade = tool(&krate, &["upgrade", "--spec-dir", next.to_str().unwrap(), "--no-semver-checks"]);
    assert!(!upgrade.status.success());
    assert!(text(&upgrade).contains("uncommitted changes to files the upgrade writes"), "{}", text(&upgrade));
    assert_eq!(read(&krate.join("CHANGELOG.md")), "# Changelog\n\nmine\n");
    assert!(read(&krate.join("Cargo.toml")).contains("\nversion = \"0.1.0\"\n"));

    // A directory that is no such crate is named as such.
    let elsewhere = tool(work.path(), &["check"]);
    assert!(!elsewhere.status.success());
    assert!(text(&elsewhere).contains("is not a crate `cargo keyfactor new` wrote"), "{}", text(&elsewhere));
}

/// The runtime version this tool's `new` defaults to: the workspace's.
fn keyfactor_runtime_version() -> String {
    let toml = read(&root().join("runtime/Cargo.toml"));
    keyfactor_generator::emit::package::package_version(&toml).unwrap()
}

/// Run for `cargo xtask diff`, the tool's help and errors name that command.
#[test]
fn help_names_the_command_the_user_typed() {
    let help = |env: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-keyfactor"));
        command.args(["keyfactor", "diff", "--help"]).env_remove("KEYFACTOR_RELEASE_AS");
        if let Some(name) = env {
            command.env("KEYFACTOR_RELEASE_AS", name);
        }
        String::from_utf8_lossy(&command.output().unwrap().stdout).into_owned()
    };
    assert!(help(None).contains("Usage: cargo keyfactor diff [OPTIONS] <OLD> <NEW>"), "{}", help(None));
    let xtask = help(Some("cargo xtask"));
    assert!(xtask.contains("Usage: cargo xtask diff [OPTIONS] <OLD> <NEW>"), "{xtask}");
}

//! `cargo xtask codegen` as a user runs it: deterministic whatever the
//! environment and working directory, and all or nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn spec_dir() -> PathBuf {
    std::env::var_os("KEYFACTOR_SPEC_DIR").map_or_else(
        || keyfactor_generator::release::Manifest::read(&root().join("spec/release.yaml")).unwrap().documents_dir(),
        PathBuf::from,
    )
}

fn xtask() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.env_remove("KEYFACTOR_SPEC_DIR");
    command
}

/// Every file of the committed client's generated code and its Cargo.toml.
fn committed() -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path, out) } else { out.push((path.clone(), std::fs::read(&path).unwrap())) }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("generated-client/src/generated"), &mut out);
    out.push((
        root().join("generated-client/Cargo.toml"),
        std::fs::read(root().join("generated-client/Cargo.toml")).unwrap(),
    ));
    out.sort();
    out
}

#[test]
fn output_does_not_depend_on_environment_or_working_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let output = xtask()
        .args(["codegen", "--check", "--spec-dir"])
        .arg(spec_dir())
        .current_dir(elsewhere.path())
        .env("TZ", "Pacific/Chatham")
        .env("LANG", "tr_TR.UTF-8")
        .env("LC_ALL", "tr_TR.UTF-8")
        .env("HOME", elsewhere.path())
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("the committed client is up to date"), "{stderr}");
}

#[test]
fn a_failed_run_leaves_the_committed_client_byte_identical() {
    let before = committed();
    // A document that is not the published one: refused before anything is written.
    let bad = tempfile::tempdir().unwrap();
    for file in ["Keyfactor-Command-v25-v1.swagger.json", "Keyfactor-Command-v25-v2.swagger.json"] {
        let mut text = std::fs::read(spec_dir().join(file)).unwrap();
        text.truncate(text.len() / 2);
        std::fs::write(bad.path().join(file), text).unwrap();
    }
    let output = xtask().args(["codegen", "--spec-dir"]).arg(bad.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("Keyfactor-Command-v25-v1.swagger.json: sha256 is"), "{stderr}");
    assert!(stderr.contains("swagger/v1/swagger.json"), "{stderr}");
    assert!(committed() == before, "the committed client changed");

    // A missing document.
    let empty = tempfile::tempdir().unwrap();
    let output = xtask().args(["codegen", "--spec-dir"]).arg(empty.path()).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("document of release 25 not found"));
    assert!(committed() == before, "the committed client changed");
}

//! A user's test crate, outside this repository, that compiles one area of
//! the client (and `mock`) and replays recordings of every area: each
//! recording is served under its own API path, whatever areas the crate
//! compiles, and the crate's own area still calls through it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The user's test: every recording's replay client sits under an API path
/// that every recorded request starts with, and the rest of some recorded
/// path is an endpoint of the release (of any area).
const TEST: &str = r#"
use keyfactor_client::mock::{ReplayServer, cassette::Cassette};
use keyfactor_client::keyfactor_runtime::GeneratedClient;

#[tokio::test(flavor = "multi_thread")]
async fn every_recording_is_served_under_its_api_path() {
    let dir = std::path::PathBuf::from(std::env::var("RECORDINGS").expect("RECORDINGS"));
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml")).collect();
    files.sort();
    assert!(!files.is_empty());
    for file in &files {
        let paths: Vec<String> = Cassette::read(file).unwrap().interactions.iter().map(|i| i.request.path()).collect();
        let replay = ReplayServer::start(file).await.unwrap();
        let base = replay.client().base_url().strip_prefix(&replay.uri()).unwrap().to_string();
        assert!(!base.is_empty(), "{}: no API path", file.display());
        assert!(paths.iter().all(|p| p.to_lowercase().starts_with(&format!("{}/", base.to_lowercase()))), "{}: {base}", file.display());
        let routed = paths.iter().any(|p| {
            let rest: Vec<&str> = p[base.len()..].split('/').filter(|s| !s.is_empty()).collect();
            keyfactor_client::Client::PATHS.iter().any(|t| {
                let t: Vec<&str> = t.split('/').filter(|s| !s.is_empty()).collect();
                t.len() == rest.len() && t.iter().zip(&rest).all(|(t, r)| t.starts_with('{') || t.eq_ignore_ascii_case(r))
            })
        });
        assert!(routed, "{}: nothing recorded under {base} is an endpoint", file.display());
        println!("{} {base}", file.file_name().unwrap().to_string_lossy());
    }
    // The one area compiled in works through a replay of another recording set.
    assert!(keyfactor_client::OPERATIONS.iter().all(|op| op.tag == "Template"));
}
"#;

#[test]
fn a_test_crate_with_one_area_replays_recordings_of_every_area() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("one-area");
    std::fs::create_dir_all(app.join("tests")).unwrap();
    std::fs::create_dir_all(app.join("src")).unwrap();
    let client = root().join("generated-client");
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"one-area\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dev-dependencies]\n\
             keyfactor-client = {{ path = {client:?}, default-features = false, features = [\"template\", \"mock\"] }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
        ),
    )
    .unwrap();
    std::fs::write(app.join("src/lib.rs"), "").unwrap();
    std::fs::write(app.join("tests/replay.rs"), TEST).unwrap();
    std::fs::copy(root().join("Cargo.lock"), app.join("Cargo.lock")).unwrap();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&app)
        .env("CARGO_TARGET_DIR", root().join("target/outside"))
        .env("RECORDINGS", root().join("conformance/recordings"))
        .args(["test", "--quiet", "--", "--nocapture"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let served = stdout.lines().filter(|l| l.ends_with("/KeyfactorAPI") || l.ends_with("/Keyfactor/API")).count();
    let recordings = std::fs::read_dir(root().join("conformance/recordings"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|e| e == "yaml"))
        .count();
    assert_eq!(served, recordings, "{stdout}");
}

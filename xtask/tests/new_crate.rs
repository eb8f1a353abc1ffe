//! `cargo xtask new-crate` as a user runs it: a crate for another release,
//! written outside this repository, that is stable on rerun, builds
//! clippy-clean on its own, and serves one program beside the v25 client
//! with one configuration, one authentication and one error type.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn new_crate(out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["new-crate", "--name", "keyfactor-client-10", "--release", "10", "--spec-dir"])
        .arg(root().join("spec/fixtures/release-10"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Every file below `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(path.strip_prefix(base).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_crate_is_complete_and_a_rerun_changes_no_byte_while_check_finds_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("keyfactor-client-10");
    let first = new_crate(&out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let written = files(&out);
    for file in
        ["Cargo.toml", "README.md", "src/lib.rs", "type-names.lock", "src/generated/mod.rs", "src/generated/types.rs"]
    {
        assert!(written.contains_key(Path::new(file)), "{file} missing: {:?}", written.keys());
    }
    let readme = String::from_utf8_lossy(&written[Path::new("README.md")]).into_owned();
    let sha = keyfactor_generator::release::sha256_hex(
        &std::fs::read(root().join("spec/fixtures/release-10/v1.yaml")).unwrap(),
    );
    assert!(readme.contains("release 10") && readme.contains(&format!("| `v1.yaml` | `{sha}` |")), "{readme}");
    let cargo_toml = String::from_utf8_lossy(&written[Path::new("Cargo.toml")]).into_owned();
    assert!(cargo_toml.contains("name = \"keyfactor-client-10\"") && cargo_toml.contains("agent = []"), "{cargo_toml}");
    assert!(cargo_toml.contains("keyfactor-runtime = { path = \""), "{cargo_toml}");

    let again = new_crate(&out, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(files(&out) == written, "a rerun on the same release changed the crate");
    let check = new_crate(&out, &["--check"]);
    assert!(check.status.success(), "{}", stderr(&check));

    // A hand edit is drift: --check fails, naming the file, and writes nothing.
    let types = out.join("src/generated/types.rs");
    let mut edited = std::fs::read_to_string(&types).unwrap();
    edited.push_str("// edited\n");
    std::fs::write(&types, &edited).unwrap();
    let check = new_crate(&out, &["--check"]);
    assert!(!check.status.success());
    assert!(stderr(&check).contains("types.rs"), "{}", stderr(&check));
    assert_eq!(std::fs::read_to_string(&types).unwrap(), edited);

    // The version is the crate's own: a rerun keeps it.
    let bumped = cargo_toml.replace("version = \"0.1.0\"", "version = \"3.2.1\"");
    std::fs::write(out.join("Cargo.toml"), &bumped).unwrap();
    assert!(new_crate(&out, &[]).status.success());
    assert_eq!(std::fs::read_to_string(out.join("Cargo.toml")).unwrap(), bumped);
    assert_eq!(std::fs::read_to_string(&types).unwrap().as_bytes(), &written[Path::new("src/generated/types.rs")][..]);
}

#[test]
fn bad_arguments_are_refused_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("crate");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["new-crate", "--name", "9lives", "--spec-dir"])
        .arg(root().join("spec/fixtures/release-10"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("is not a crate name"), "{}", stderr(&output));
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["new-crate", "--name", "k", "--spec-dir"])
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("holds no release.yaml"), "{}", stderr(&output));
    assert!(!out.exists(), "something was written");
}

fn cargo(dir: &Path, args: &[&str]) {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root().join("target/outside"))
        .arg(args[0])
        .arg("--quiet")
        .args(&args[1..])
        .status()
        .unwrap();
    assert!(status.success(), "cargo {args:?} in {} failed", dir.display());
}

/// Rustdoc as docs.rs runs it (`--cfg docsrs`; the stable toolchain is told
/// to allow `doc_cfg` as docs.rs's nightly does): every method and type of an
/// area says which feature it needs, and each method's doc line names it too.
fn feature_markers_in_the_docs(out: &Path) {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(out)
        .env("CARGO_TARGET_DIR", root().join("target/outside-docs"))
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings")
        .args(["doc", "--quiet", "--no-deps", "--all-features"])
        .status()
        .unwrap();
    assert!(status.success(), "cargo doc failed");
    let docs = root().join("target/outside-docs/doc/keyfactor_client_10");
    let client = std::fs::read_to_string(docs.join("struct.Client.html")).unwrap();
    let marker = "Available on <strong>crate feature <code>agent</code></strong> only";
    assert!(client.contains(marker), "no feature marker on the methods of Client");
    assert!(client.contains("compiled with the cargo feature <code>agent</code>"), "no feature in the doc line");
    let module = std::fs::read_to_string(docs.join("operations/index.html")).unwrap();
    assert!(module.contains("title=\"Available on crate feature `agent` only\""), "no feature marker on the module");
}

/// The program a team with servers of two releases writes.
const APP: &str = r#"
use keyfactor_client::keyfactor_runtime;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), keyfactor_client::Error> {
    let url = std::env::args().nth(1).expect("usage: app BASE_URL");
    // Credentials from the environment, as kfutil and the Terraform provider read them.
    let shared: keyfactor_runtime::Client = keyfactor_runtime::ClientBuilder::from_env_for(url)?.build()?;
    let current = keyfactor_client::Client::from(shared.clone());
    let older = keyfactor_client_10::Client::from(shared);

    let id = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f".parse().unwrap();
    let agent = current.get_agents_by_id(id).send().await?;
    let agents = older.get_agents().return_limit(5).send().await?;
    println!("release 25: agent {}", agent.client_machine.unwrap_or_default());
    println!("release 10: {} agents", agents.len());
    // Errors of both releases are one type.
    match older.get_agents_by_id(id).send().await {
        Err(keyfactor_client::Error::Status { status, .. }) => println!("release 10: HTTP {status}"),
        other => panic!("expected an error status, got {other:?}"),
    }
    Ok(())
}
"#;

#[test]
fn outside_this_repository_the_crate_builds_clippy_clean_and_serves_beside_the_v25_client() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("keyfactor-client-10");
    let output = new_crate(&out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    // The workspace's lock pins the same versions, so that no resolution (nor network) is needed.
    std::fs::copy(root().join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    cargo(&out, &["clippy", "--all-targets", "--all-features", "--", "-D", "warnings"]);
    // Every area alone, none and all build warning-free.
    let features = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check-features", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root().join("target/outside"))
        .output()
        .unwrap();
    assert!(features.status.success(), "{}", stderr(&features));
    assert!(stderr(&features).contains("feature sets build without warnings"), "{}", stderr(&features));
    feature_markers_in_the_docs(&out);

    let app = tmp.path().join("app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    let client = root().join("generated-client");
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
             keyfactor-client = {{ path = {client:?}, default-features = false, features = [\"agent\"] }}\n\
             keyfactor-client-10 = {{ path = \"../keyfactor-client-10\" }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n"
        ),
    )
    .unwrap();
    std::fs::write(app.join("src/main.rs"), APP).unwrap();
    std::fs::copy(root().join("Cargo.lock"), app.join("Cargo.lock")).unwrap();
    cargo(&app, &["clippy", "--", "-D", "warnings"]);
    cargo(&app, &["build"]);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let server = runtime.block_on(serve_two_releases());
    let output = Command::new(root().join("target/outside/debug/app"))
        .arg(format!("{}/KeyfactorAPI", server.uri()))
        .env_clear()
        .env("HOME", tmp.path())
        .env("KEYFACTOR_USERNAME", "svc-automation")
        .env("KEYFACTOR_PASSWORD", "s3cret")
        .env("KEYFACTOR_DOMAIN", "KEYFACTOR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", stderr(&output));
    assert_eq!(stdout, "release 25: agent host25\nrelease 10: 2 agents\nrelease 10: HTTP 404\n");
    runtime.block_on(server.verify());
}

/// A server that answers the v25 client's `GET /Agents/{id}` and the release-10
/// client's `GET /Agents?pq.returnLimit=5`, both only with the one Basic credential.
async fn serve_two_releases() -> wiremock::MockServer {
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    // base64("KEYFACTOR\svc-automation:s3cret")
    let basic = "Basic S0VZRkFDVE9SXHN2Yy1hdXRvbWF0aW9uOnMzY3JldA==";
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents/3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f"))
        .and(header("authorization", basic))
        .and(header("x-keyfactor-api-version", "1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ClientMachine": "host25"})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents"))
        .and(query_param("pq.returnLimit", "5"))
        .and(header("authorization", basic))
        .and(header("x-keyfactor-api-version", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!([{"ClientMachine": "a"}, {"ClientMachine": "b"}])),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents/3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f"))
        .and(header("authorization", basic))
        .and(header("x-keyfactor-api-version", "1"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(serde_json::json!({"ErrorCode": "0xA0110002", "Message": "no such agent"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// `--from-server`: the crate's documents are fetched first, as
/// `cargo xtask fetch-spec` does, into OUT/spec.
#[test]
fn a_crate_is_made_from_a_servers_documents() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        let document = root().join("spec/keyfactor-command-25/Keyfactor-Command-v25-v2.swagger.json");
        Mock::given(method("GET"))
            .and(path("/KeyfactorAPI/swagger/v1/swagger.json"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Keyfactor-Product-Version", "24.4.0+1")
                    .set_body_raw(std::fs::read(document).unwrap(), "application/json"),
            )
            .mount(&server)
            .await;
        server
    });
    let out = tmp.path().join("keyfactor-client-24");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env("KEYFACTOR_AUTH_ACCESS_TOKEN", "t")
        .env("HOME", tmp.path())
        .args(["new-crate", "--name", "keyfactor-client-24", "--from-server"])
        .arg(format!("{}/KeyfactorAPI", server.uri()))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.join("spec/keyfactor-command-24.4.0/Keyfactor-Command-24.4.0-v1.swagger.json").exists());
    assert!(std::fs::read_to_string(out.join("spec/release.yaml")).unwrap().contains("release: \"24.4.0\""));
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("**release 24.4.0**"), "{readme}");
}

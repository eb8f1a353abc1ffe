//! `cargo xtask upgrade` as a maintainer runs it, on a clone of this
//! repository's committed state: one command moves the client to another
//! release, bumps the version and writes the CHANGELOG by what the diff says,
//! and `codegen --check` passes afterwards; a stale override, uncommitted
//! changes or bad documents stop it with nothing changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

const V1: &str = "Keyfactor-Command-v25-v1.swagger.json";
const V2: &str = "Keyfactor-Command-v25-v2.swagger.json";

/// A clone of the committed repository.
fn clone(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    let status = Command::new("git").args(["clone", "--quiet"]).arg(root()).arg(&repo).status().unwrap();
    assert!(status.success());
    for (key, value) in [("user.email", "test@example.com"), ("user.name", "test")] {
        Command::new("git").current_dir(&repo).args(["config", key, value]).status().unwrap();
    }
    repo
}

fn v25(file: &str) -> Vec<u8> {
    std::fs::read(root().join("spec/keyfactor-command-25").join(file)).unwrap()
}

/// "Release 25.5": v25 with an endpoint removed (`POST /Agents/Reset`), a
/// field added (`AgentResponse.Region`), and `GET /Certificates/{id}` gone,
/// which makes the override adding its `includeHasPrivateKey` stale.
fn release_25_5(dir: &Path) -> PathBuf {
    let out = dir.join("specs-25.5");
    std::fs::create_dir_all(&out).unwrap();
    let mut v1: Value = serde_json::from_slice(&v25(V1)).unwrap();
    let paths = v1["paths"].as_object_mut().unwrap();
    paths.remove("/Agents/Reset");
    paths["/Certificates/{id}"].as_object_mut().unwrap().remove("get");
    let schemas = v1["components"]["schemas"].as_object_mut().unwrap();
    schemas["Keyfactor.Web.KeyfactorApi.Models.Orchestrators.AgentResponse"]["properties"]["Region"] =
        json!({"type": "string", "nullable": true});
    std::fs::write(out.join(V1), serde_json::to_vec_pretty(&v1).unwrap()).unwrap();
    std::fs::write(out.join(V2), v25(V2)).unwrap();
    out
}

fn xtask(repo: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env("KEYFACTOR_WORKSPACE", repo)
        .env_remove("KEYFACTOR_SPEC_DIR")
        .args(args)
        .output()
        .unwrap()
}

fn upgrade(repo: &Path, spec_dir: &Path, extra: &[&str]) -> Output {
    let spec = spec_dir.display().to_string();
    let mut args = vec![
        "upgrade",
        "--spec-dir",
        &spec,
        "--release",
        "25.5",
        "--date",
        "2026-12-04",
        "--no-replay",
        "--no-semver-checks",
    ];
    args.extend(extra);
    xtask(repo, &args)
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn git_status(repo: &Path) -> String {
    let output = Command::new("git").current_dir(repo).args(["status", "--porcelain"]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn read(repo: &Path, file: &str) -> String {
    std::fs::read_to_string(repo.join(file)).unwrap()
}

#[test]
fn an_upgrade_moves_the_client_and_says_what_it_means() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = clone(tmp.path());
    let specs = release_25_5(tmp.path());

    // A stale override stops it, listed, with nothing changed.
    let refused = upgrade(&repo, &specs, &[]);
    assert!(!refused.status.success());
    let message = text(&refused);
    assert!(message.contains("1 override(s) in spec/overrides.yaml match nothing"), "{message}");
    assert!(message.contains("GET /Certificates/{id}") && message.contains("--drop-stale"), "{message}");
    assert_eq!(git_status(&repo), "");

    let done = upgrade(&repo, &specs, &["--drop-stale"]);
    let summary = text(&done);
    assert!(done.status.success(), "{summary}");
    assert!(summary.contains("upgraded the client from release 25 to 25.5"), "{summary}");

    // The documents, byte-for-byte, named with their sha256.
    for file in [V1, V2] {
        let copied = std::fs::read(repo.join("spec/keyfactor-command-25.5").join(file)).unwrap();
        assert_eq!(copied, std::fs::read(specs.join(file)).unwrap());
        let sha = keyfactor_generator::release::sha256_hex(&copied);
        assert!(read(&repo, "spec/release.yaml").contains(&format!("  - file: {file}\n    sha256: {sha}\n")));
    }
    let manifest = read(&repo, "spec/release.yaml");
    assert!(manifest.contains("release: \"25.5\"\ndirectory: keyfactor-command-25.5\n"), "{manifest}");
    assert!(!read(&repo, "spec/overrides.yaml").contains("includeHasPrivateKey"));
    assert!(read(&repo, "spec/overrides.yaml").contains("type: CsrEnrollmentRequest"));

    // A breaking change while the version is 0.x: a minor bump.
    assert!(read(&repo, "generated-client/Cargo.toml").contains("\nversion = \"0.2.0\"\n"));
    assert!(read(&repo, "Cargo.lock").contains("name = \"keyfactor-client\"\nversion = \"0.2.0\"\n"));
    let changelog = read(&repo, "CHANGELOG.md");
    let entry = &changelog[changelog.find("## 0.2.0 (2026-12-04)").expect("the new entry")..];
    assert!(entry.contains("Keyfactor Command release `25` -> `25.5`"), "{entry}");
    assert!(
        entry.contains("Version 0.1.0 -> 0.2.0: breaking changes (a minor bump while the version is 0.x)"),
        "{entry}"
    );
    let (breaking, added) = (entry.find("### Breaking").unwrap(), entry.find("### Added").unwrap());
    assert!(breaking < added, "{entry}");
    assert!(
        // The same change in two places is written once, with both.
        entry.contains(
            "- endpoint-removed: the endpoint is gone in 2 places: `GET /Certificates/{id}`, `POST /Agents/Reset`; \
             affects `get_certificates_by_id`, `post_agents_reset`."
        ),
        "{entry}"
    );
    assert!(entry.contains("field-added: new optional field(s): `region` in `AgentResponse`"), "{entry}");
    // The type no endpoint returns any more: its impl and its areas are said to go.
    assert!(entry.contains("trait-impl-removed: no longer implements `Deserialize`"), "{entry}");
    assert!(entry.contains("The override for `GET /Certificates/{id}` matched nothing"), "{entry}");
    // Only the new entry is new: the policy and older entries follow it unchanged.
    assert!(changelog.starts_with("# Changelog\n"), "{changelog}");

    // Only reviewing is left: the tree is consistent.
    let check = xtask(&repo, &["codegen", "--check"]);
    assert!(check.status.success(), "{}", text(&check));
}

#[test]
fn uncommitted_changes_to_what_it_writes_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = clone(tmp.path());
    let specs = release_25_5(tmp.path());
    std::fs::write(repo.join("CHANGELOG.md"), "# Changelog\n\nmy notes\n").unwrap();
    let refused = upgrade(&repo, &specs, &["--drop-stale"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("uncommitted changes to files the upgrade writes"), "{}", text(&refused));
    assert!(text(&refused).contains("CHANGELOG.md"), "{}", text(&refused));
    assert_eq!(read(&repo, "CHANGELOG.md"), "# Changelog\n\nmy notes\n");
    assert_eq!(git_status(&repo), " M CHANGELOG.md\n");
}

#[test]
fn a_failed_upgrade_leaves_the_tree_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = clone(tmp.path());
    let specs = release_25_5(tmp.path());
    let mut v1: Value = serde_json::from_slice(&std::fs::read(specs.join(V1)).unwrap()).unwrap();
    v1["components"]["schemas"]["Keyfactor.Web.KeyfactorApi.Models.Orchestrators.AgentResponse"]["properties"]["Region"] =
        json!({"$ref": "#/components/schemas/Nowhere"});
    std::fs::write(specs.join(V1), serde_json::to_vec(&v1).unwrap()).unwrap();
    let failed = upgrade(&repo, &specs, &["--drop-stale"]);
    assert!(!failed.status.success());
    let message = text(&failed);
    assert!(message.contains("Keyfactor-Command-v25-v1.swagger.json#/components/schemas/"), "{message}");
    assert!(message.contains("Nowhere"), "{message}");
    assert_eq!(git_status(&repo), "");
    assert!(!repo.join("spec/keyfactor-command-25.5").exists());
}

#[test]
fn the_same_documents_under_a_new_release_name_are_a_patch() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = clone(tmp.path());
    let specs = tmp.path().join("same");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::write(specs.join(V1), v25(V1)).unwrap();
    std::fs::write(specs.join(V2), v25(V2)).unwrap();
    let done = upgrade(&repo, &specs, &[]);
    assert!(done.status.success(), "{}", text(&done));
    assert!(read(&repo, "generated-client/Cargo.toml").contains("\nversion = \"0.1.1\"\n"));
    assert!(read(&repo, "CHANGELOG.md").contains("Version 0.1.0 -> 0.1.1: nothing a user of the client can see."));
    assert!(xtask(&repo, &["codegen", "--check"]).status.success());
}

/// `--from-server`: the documents come from a server running the release
/// (here a loopback one serving 25.5), named by its product version.
#[test]
fn an_upgrade_fetches_the_documents_from_a_server() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = clone(tmp.path());
    let specs = release_25_5(tmp.path());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let server = runtime.block_on(serve_documents(&specs));
    let url = format!("{}/KeyfactorAPI", server.uri());
    let done = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .env("KEYFACTOR_WORKSPACE", &repo)
        .env("KEYFACTOR_USERNAME", "svc")
        .env("KEYFACTOR_PASSWORD", "pw")
        .env("HOME", tmp.path())
        .args([
            "upgrade",
            "--from-server",
            &url,
            "--drop-stale",
            "--date",
            "2026-12-04",
            "--no-replay",
            "--no-semver-checks",
        ])
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", text(&done));
    let manifest = read(&repo, "spec/release.yaml");
    assert!(manifest.contains("release: \"25.5.1\"\ndirectory: keyfactor-command-25.5.1\n"), "{manifest}");
    assert!(manifest.contains("file: Keyfactor-Command-25.5.1-v1.swagger.json"), "{manifest}");
    assert!(read(&repo, "CHANGELOG.md").contains("release `25` -> `25.5.1`"));
    assert!(xtask(&repo, &["codegen", "--check"]).status.success());
}

/// Serves `specs`' two documents as a 25.5.1 server does, to Basic `svc:pw` only.
async fn serve_documents(specs: &Path) -> wiremock::MockServer {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    for (n, file) in [(1, V1), (2, V2)] {
        let body = std::fs::read(specs.join(file)).unwrap();
        Mock::given(method("GET"))
            .and(path(format!("/KeyfactorAPI/swagger/v{n}/swagger.json")))
            .and(header("authorization", "Basic c3ZjOnB3"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Keyfactor-Product-Version", "25.5.1+5c0ffee")
                    .set_body_raw(body, "application/json"),
            )
            .mount(&server)
            .await;
    }
    server
}

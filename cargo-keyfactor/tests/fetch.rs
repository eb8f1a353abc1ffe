//! `fetch` against a server on loopback that serves two version documents
//! behind Basic authentication, run as the binary a user runs.

use std::process::Command;

use keyfactor_generator::release::{Manifest, load_release, sha256_hex};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn document(version: &str) -> String {
    let doc = serde_json::json!({
        "openapi": "3.0.4",
        "info": {"title": "Keyfactor API", "version": version},
        "paths": {"/Status/Endpoints": {"get": {"tags": ["Status"], "responses": {"200": {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}
        }}}}}
    });
    serde_json::to_string_pretty(&doc).unwrap()
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    // base64("CORP\alice:pw")
    let auth = "Basic Q09SUFxhbGljZTpwdw==";
    for (n, version) in [("1", "1.0"), ("2", "2")] {
        Mock::given(method("GET"))
            .and(path(format!("/KeyfactorAPI/swagger/v{n}/swagger.json")))
            .and(header("authorization", auth))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(document(version), "application/json")
                    .insert_header("X-Keyfactor-Product-Version", "25.4.1+dc0db2c8"),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    server
}

/// Runs `cargo keyfactor fetch` on a blocking thread, so that the server
/// on this runtime can answer it.
async fn fetch_off_runtime(server: &MockServer, out: &std::path::Path) -> std::process::Output {
    let (uri, out) = (server.uri(), out.to_path_buf());
    tokio::task::spawn_blocking(move || fetch(&uri, &out)).await.unwrap()
}

fn fetch(uri: &str, out: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-keyfactor"))
        .args(["keyfactor", "fetch", "--url"])
        .arg(format!("{uri}/KeyfactorAPI"))
        .arg("--out")
        .arg(out)
        .env_clear()
        .env("KEYFACTOR_USERNAME", "alice")
        .env("KEYFACTOR_PASSWORD", "pw")
        .env("KEYFACTOR_DOMAIN", "CORP")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn fetches_every_version_with_the_clients_credentials_into_a_release() {
    let server = server().await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("25.4.1");
    let output = fetch_off_runtime(&server, &dir).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("release 25.4.1, product version 25.4.1+dc0db2c8"), "{stdout}");

    let v1 = std::fs::read_to_string(dir.join("Keyfactor-Command-25.4.1-v1.swagger.json")).unwrap();
    assert_eq!(v1, document("1.0"), "stored byte for byte");
    assert!(stdout.contains(&sha256_hex(v1.as_bytes())), "{stdout}");
    // The manifest is one the generator reads, checksums included.
    let manifest = Manifest::read(&dir.join("release.yaml")).unwrap();
    assert_eq!(manifest.release, "25.4.1");
    let docs = load_release(&manifest, &dir, &mut Default::default()).unwrap();
    let versions: Vec<&str> = docs.iter().map(|d| d.version_header.as_str()).collect();
    assert_eq!(versions, ["1.0", "2"]);
    // v3 was asked for and not found: that ended the listing.
    let asked: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_string()).collect();
    assert_eq!(asked.last().map(String::as_str), Some("/KeyfactorAPI/swagger/v3/swagger.json"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_login_writes_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("release");
    let output = fetch_off_runtime(&server, &dir).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("HTTP 401"));
    assert!(!dir.exists());
}

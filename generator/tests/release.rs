//! The release manifest: documents that are missing or not the published
//! ones are clear errors that say how to get the right ones.

use std::fs;
use std::path::Path;

use keyfactor_generator::{Error, generate_release};

const DOC: &str = r#"{"openapi":"3.0.4","info":{"title":"t","version":"1.0"},"paths":{}}"#;

fn manifest(dir: &Path, sha: &str) -> std::path::PathBuf {
    let path = dir.join("release.yaml");
    fs::write(&path, format!("release: \"99\"\ndocuments:\n  - file: v1.json\n    sha256: {sha}\n")).unwrap();
    path
}

#[test]
fn a_missing_document_says_where_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = generate_release(&manifest(dir.path(), "00"), dir.path()).unwrap_err();
    assert!(matches!(err, Error::Spec { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("v1.json: document of release 99 not found"), "{message}");
    assert!(message.contains("<base>/swagger/v1/swagger.json"), "{message}");
}

#[test]
fn a_document_with_another_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("v1.json"), DOC).unwrap();
    let err = generate_release(&manifest(dir.path(), "abc123"), dir.path()).unwrap_err();
    let message = err.to_string();
    let actual = keyfactor_generator::release::sha256_hex(DOC.as_bytes());
    assert!(message.contains(&format!("sha256 is {actual}, the release manifest expects abc123")), "{message}");
    assert!(message.contains("/swagger/v2/swagger.json"), "{message}");
}

#[test]
fn a_document_with_the_recorded_checksum_loads() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("v1.json"), DOC).unwrap();
    let sha = keyfactor_generator::release::sha256_hex(DOC.as_bytes());
    let generated = generate_release(&manifest(dir.path(), &sha), dir.path()).unwrap();
    assert_eq!(generated.api.versions[0].header, "1.0");
    assert_eq!(generated.api.operations().count(), 0);
}

#[test]
fn two_documents_claiming_one_version_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    fs::write(&a, DOC).unwrap();
    fs::write(&b, DOC.replace("\"1.0\"", "\"1\"")).unwrap();
    let err = keyfactor_generator::generate_files(
        &[&a, &b],
        &keyfactor_generator::emit::Options { source: "test".into(), area_features: false },
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("b.json#/info/version: API version 1 is also claimed by"), "{message}");
}

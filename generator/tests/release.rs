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
    let err = generate_release(&manifest(dir.path(), "00"), Some(dir.path())).unwrap_err();
    assert!(matches!(err, Error::Spec { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("v1.json: document of release 99 not found"), "{message}");
    assert!(message.contains("<base>/swagger/v1/swagger.json"), "{message}");
}

#[test]
fn a_document_with_another_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("v1.json"), DOC).unwrap();
    let err = generate_release(&manifest(dir.path(), "abc123"), Some(dir.path())).unwrap_err();
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
    let generated = generate_release(&manifest(dir.path(), &sha), Some(dir.path())).unwrap();
    assert_eq!(generated.api.versions[0].header, "1.0");
    assert_eq!(generated.api.operations().count(), 0);
}

/// Without a spec directory, the documents are read from the manifest's
/// `directory`, relative to the manifest, not to the working directory.
#[test]
fn documents_are_read_from_the_manifests_directory_by_default() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("docs")).unwrap();
    fs::write(dir.path().join("docs/v1.json"), DOC).unwrap();
    let sha = keyfactor_generator::release::sha256_hex(DOC.as_bytes());
    let path = dir.path().join("release.yaml");
    fs::write(&path, format!("release: \"99\"\ndirectory: docs\ndocuments:\n  - file: v1.json\n    sha256: {sha}\n"))
        .unwrap();
    assert_eq!(generate_release(&path, None).unwrap().api.versions[0].header, "1.0");
    let err = generate_release(&path, Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn two_documents_claiming_one_version_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    fs::write(&a, DOC).unwrap();
    fs::write(&b, DOC.replace("\"1.0\"", "\"1\"")).unwrap();
    let err = keyfactor_generator::generate_files(
        &[&a, &b],
        &keyfactor_generator::emit::Options {
            release: "test".into(),
            source: "test".into(),
            area_features: false,
            command: "cargo xtask codegen".into(),
        },
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("b.json#/info/version: API version 1 is also claimed by"), "{message}");
}

#[test]
fn the_manifests_type_name_lock_keeps_names_a_new_schema_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"openapi":"3.0.4","info":{"title":"t","version":"1.0"},"paths":{},"components":{"schemas":{
        "K.Widgets.Widget":{"type":"object","properties":{"Id":{"type":"integer"}}},
        "K.Other.Widget":{"type":"object","properties":{"Name":{"type":"string"}}}}}}"#;
    std::fs::write(dir.path().join("v1.json"), doc).unwrap();
    let manifest = dir.path().join("release.yaml");
    std::fs::write(
        &manifest,
        format!(
            "release: \"2\"\ntype_names: names.lock\ndocuments:\n  - file: v1.json\n    sha256: {}\n",
            keyfactor_generator::release::sha256_hex(doc.as_bytes())
        ),
    )
    .unwrap();
    // No lock yet: both take the qualified names of the rule.
    let names = |g: &keyfactor_generator::Generated| g.api.types.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let first = generate_release(&manifest, Some(dir.path())).unwrap();
    assert_eq!(names(&first), ["OtherWidget", "WidgetsWidget"]);
    // The previous release called K.Widgets.Widget just Widget: that name stays.
    std::fs::write(dir.path().join("names.lock"), "\"K.Widgets.Widget\": Widget\n").unwrap();
    let second = generate_release(&manifest, Some(dir.path())).unwrap();
    assert_eq!(names(&second), ["OtherWidget", "Widget"]);
    let lock = keyfactor_generator::emit::type_names_lock(&second.api);
    assert!(lock.contains("\"K.Other.Widget\": OtherWidget\n\"K.Widgets.Widget\": Widget\n"), "{lock}");
}

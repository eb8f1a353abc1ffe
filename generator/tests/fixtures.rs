//! Snapshots of the code generated for the project's own fixture documents.

use std::path::{Path, PathBuf};

use keyfactor_generator::emit::Options;
use keyfactor_generator::{Generated, generate_files};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures").join(name)
}

fn options(source: &str, area_features: bool) -> Options {
    Options {
        release: "fixture".into(),
        source: source.to_string(),
        area_features,
        command: "cargo xtask codegen".into(),
    }
}

fn features() -> Generated {
    let (v1, v2) = (fixture("features-v1.yaml"), fixture("features-v2.yaml"));
    generate_files(&[&v2, &v1], &options("spec/fixtures/features-v*.yaml", true)).expect("fixtures generate")
}

#[test]
fn feature_fixture_types() {
    insta::assert_snapshot!(features().files["types.rs"]);
}

#[test]
fn feature_fixture_operations() {
    let generated = features();
    for module in ["thing", "label", "gadget"] {
        insta::assert_snapshot!(module, generated.files[&format!("operations/{module}.rs")]);
    }
}

#[test]
fn feature_fixture_surface_and_versions_table() {
    let generated = features();
    insta::assert_snapshot!(keyfactor_generator::emit::surface(&generated.api));
    insta::assert_snapshot!(generated.files["versions.md"]);
    insta::assert_snapshot!(generated.warnings.to_string());
}

#[test]
fn compat_fixtures_before_and_after_an_added_optional_parameter() {
    for side in ["before", "after"] {
        let doc = fixture(&format!("compat-{side}.yaml"));
        let generated = generate_files(&[&doc], &options("compat", false)).unwrap();
        insta::assert_snapshot!(format!("compat_{side}"), generated.files["operations/widget.rs"]);
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let (a, b) = (features(), features());
    assert_eq!(a.files, b.files);
}

#[test]
fn overrides_change_a_property_and_add_a_parameter() {
    let (v1, v2) = (fixture("features-v1.yaml"), fixture("features-v2.yaml"));
    let overrides = keyfactor_generator::overrides::Overrides::read(&fixture("features-overrides.yaml")).unwrap();
    let generated =
        keyfactor_generator::generate_files_with(&[&v1, &v2], &overrides, &options("overrides", false)).unwrap();
    // The property is set in every document that has the schema: v1's Thing
    // (replaced) and v2's (added), plus the parameter: three corrections.
    insta::assert_snapshot!("overridden_types", generated.files["types.rs"]);
    insta::assert_snapshot!("overridden_label", generated.files["operations/label.rs"]);
    assert_eq!(generated.warnings.count("corrections from the overrides file applied"), 3);
}

#[test]
fn an_override_that_matches_nothing_is_an_error_with_its_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("o.yaml");
    std::fs::write(
        &file,
        "overrides:\n  - {schema: Vendor.Models.Things.Thing, property: Id, set: {type: string}, reason: r}\n  - {schema: Nope, property: X, set: {}, reason: stale}\n  - {operation: GET /Gone, parameter: {name: x, in: query}, reason: stale too}\n",
    )
    .unwrap();
    let overrides = keyfactor_generator::overrides::Overrides::read(&file).unwrap();
    let err =
        keyfactor_generator::generate_files_with(&[&fixture("features-v1.yaml")], &overrides, &options("t", false))
            .unwrap_err();
    let message = err.to_string();
    // Every stale override at once.
    assert!(
        message.contains("o.yaml#/overrides/1: 2 override(s) match nothing in the documents: /overrides/1 (Nope.X), /overrides/2 (GET /Gone)"),
        "{message}"
    );

    std::fs::write(&file, "overrides:\n  - {schema: S, reason: half}\n").unwrap();
    let err = keyfactor_generator::overrides::Overrides::read(&file).unwrap_err().to_string();
    assert!(err.contains("o.yaml#/overrides/0: an override has either"), "{err}");
}

/// An older release's shape (see `spec/fixtures/release-10/v1.yaml`): YAML,
/// operationIds, prefixed query parameters, header parameters with schemas,
/// XML media types.
#[test]
fn an_older_releases_shape() {
    let doc = fixture("release-10/v1.yaml");
    let generated = generate_files(&[&doc], &options("spec/fixtures/release-10/v1.yaml", true)).expect("generates");
    let agent = &generated.files["operations/agent.rs"];
    // Setters as release 25 names them; the release's own wire names.
    assert!(agent.contains("pub fn page_returned(") && agent.contains("\"pq.pageReturned\""), "{agent}");
    assert!(!agent.contains("pq_page_returned"), "{agent}");
    // Paged listings are detected through the prefixes.
    assert!(agent.contains("pub fn stream("), "{agent}");
    // Header parameters with schemas stay out of the public API.
    assert!(!agent.contains("requested_with") && !agent.contains("fn x_keyfactor_api_version"), "{agent}");
    assert_eq!(generated.api.versions[0].header, "1", "sent without the `v` of `info.version: v1`");
    insta::assert_snapshot!("release_10_agent", agent);
    insta::assert_snapshot!("release_10_types", generated.files["types.rs"]);
    insta::assert_snapshot!("release_10_warnings", generated.warnings.to_string());
}

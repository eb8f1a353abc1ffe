//! Snapshots of the code generated for the project's own fixture documents.

use std::path::{Path, PathBuf};

use keyfactor_generator::{Generated, generate_files};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/fixtures").join(name)
}

fn features() -> Generated {
    let (v1, v2) = (fixture("features-v1.yaml"), fixture("features-v2.yaml"));
    generate_files(&[&v2, &v1], "spec/fixtures/features-v*.yaml").expect("fixtures generate")
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
        let generated = generate_files(&[&doc], "compat").unwrap();
        insta::assert_snapshot!(format!("compat_{side}"), generated.files["operations/widget.rs"]);
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let (a, b) = (features(), features());
    assert_eq!(a.files, b.files);
}

//! Overrides name their schema as the release diff matches types (the Rust
//! name, or the schema name without its namespace), so that one survives a
//! release that only moved its schema; stale ones are reported all at once
//! and can be dropped from the file with everything else kept.

use std::path::{Path, PathBuf};

use keyfactor_generator::emit::Options;
use keyfactor_generator::model::TypeNameLock;
use keyfactor_generator::overrides::Overrides;
use keyfactor_generator::{Generated, Result, generate_files_with};

fn options() -> Options {
    Options { release: "t".into(), source: "t".into(), area_features: false, command: "cargo xtask codegen".into() }
}

/// A document whose `Widget` schema lives in `namespace`.
fn document(dir: &Path, namespace: &str) -> PathBuf {
    let path = dir.join(format!("{namespace}.yaml"));
    let text = format!(
        "openapi: 3.0.4\ninfo: {{title: t, version: '1.0'}}\npaths:\n  /Widgets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/{namespace}.Widget'}}\ncomponents:\n  schemas:\n    {namespace}.Widget: {{type: object, properties: {{Id: {{type: integer}}}}}}\n    {namespace}.Gadgets.Gizmo: {{type: object, properties: {{Id: {{type: integer}}}}}}\n    {namespace}.Tools.Gizmo: {{type: object, properties: {{Id: {{type: integer}}}}}}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn generate(dir: &Path, namespace: &str, overrides: &str, lock: &TypeNameLock) -> Result<Generated> {
    let file = dir.join("overrides.yaml");
    std::fs::write(&file, overrides).unwrap();
    let overrides = Overrides::read(&file)?.with_type_names(lock);
    generate_files_with(&[&document(dir, namespace)], &overrides, &options())
}

fn widget_has_region(generated: &Generated) -> bool {
    generated.files["types.rs"].contains("pub region: Option<String>")
}

const REGION: &str = "property: Region, set: {type: string, nullable: true}, reason: the server sends it";

#[test]
fn a_type_named_by_its_rust_name_survives_a_namespace_move() {
    let dir = tempfile::tempdir().unwrap();
    let by_type = format!("overrides:\n  - {{type: Widget, {REGION}}}\n");
    // Release 10's namespace, then release 25's: the same Rust type.
    assert!(widget_has_region(&generate(dir.path(), "KeyfactorApi.Models", &by_type, &TypeNameLock::new()).unwrap()));
    let lock = TypeNameLock::from([(("KeyfactorApi.Models.Widget".to_string(), String::new()), "Widget".to_string())]);
    let moved = generate(dir.path(), "Keyfactor.Web.KeyfactorApi.Models", &by_type, &lock).unwrap();
    assert!(widget_has_region(&moved));
}

#[test]
fn a_schema_named_without_its_namespace_or_by_its_old_full_name_still_applies() {
    let dir = tempfile::tempdir().unwrap();
    for schema in ["Widget", "KeyfactorApi.Models.Widget"] {
        let overrides = format!("overrides:\n  - {{schema: {schema}, {REGION}}}\n");
        let generated = generate(dir.path(), "Keyfactor.Web.KeyfactorApi.Models", &overrides, &TypeNameLock::new());
        assert!(widget_has_region(&generated.unwrap()), "{schema}");
    }
}

#[test]
fn a_name_two_schemas_share_asks_for_the_full_name() {
    let dir = tempfile::tempdir().unwrap();
    let overrides = format!("overrides:\n  - {{schema: Gizmo, {REGION}}}\n");
    let err = generate(dir.path(), "K", &overrides, &TypeNameLock::new()).err().unwrap().to_string();
    assert!(err.contains("overrides.yaml#/overrides/0: `Gizmo` names 2 schemas"), "{err}");
    assert!(err.contains("K.Gadgets.Gizmo, K.Tools.Gizmo; give the full name"), "{err}");
    let overrides = format!("overrides:\n  - {{schema: K.Tools.Gizmo, {REGION}}}\n");
    assert!(generate(dir.path(), "K", &overrides, &TypeNameLock::new()).is_ok());
}

#[test]
fn stale_entries_are_dropped_from_the_text_with_everything_else_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("overrides.yaml");
    let text = "# Corrections.\noverrides:\n  - type: Widget\n    property: A\n    set: {type: string}\n    reason: one\n  # The next one is stale.\n  - type: Gone\n    property: B\n    set: {type: string}\n    reason: two\n  - operation: GET /Widgets\n    parameter: {name: q, in: query}\n    reason: three\n";
    std::fs::write(&file, text).unwrap();
    let overrides = Overrides::read(&file).unwrap();
    assert_eq!(overrides.len(), 3);
    assert_eq!(overrides.target(1), "Gone.B");
    assert_eq!(
        overrides.text_without(&[1]),
        "# Corrections.\noverrides:\n  - type: Widget\n    property: A\n    set: {type: string}\n    reason: one\n  # The next one is stale.\n  - operation: GET /Widgets\n    parameter: {name: q, in: query}\n    reason: three\n"
    );
    assert_eq!(Overrides::read(&file).unwrap().text_without(&[]), text);
}

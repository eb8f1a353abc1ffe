//! `diff` on the project's fixture releases (one change of every kind) and
//! on the published v25 documents against a copy with a few edits.

use std::path::{Path, PathBuf};

use keyfactor_release::diff::{Kind, Report, compare, json, load_dir, markdown};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn lock() -> keyfactor_generator::model::TypeNameLock {
    Default::default()
}

fn fixture_report() -> Report {
    let dir = root().join("spec/fixtures/diff");
    compare(&load_dir(&dir.join("old"), &lock()).unwrap(), &load_dir(&dir.join("new"), &lock()).unwrap(), "old", "new")
}

#[test]
fn every_kind_of_change_is_reported_and_classified() {
    let report = fixture_report();
    let kinds: Vec<(Kind, bool)> = report.changes.iter().map(|c| (c.kind, c.breaking)).collect();
    for expected in [
        (Kind::EndpointAdded, false),
        (Kind::EndpointRemoved, true),
        (Kind::VersionAdded, false),
        (Kind::VersionRemoved, true),
        (Kind::Deprecated, false),
        (Kind::ParameterAdded, false),
        (Kind::ParameterAdded, true),
        (Kind::ParameterRemoved, true),
        (Kind::ParameterChanged, true),
        (Kind::BodyChanged, true),
        (Kind::ResponseChanged, true),
        (Kind::FieldAdded, false),
        (Kind::FieldAdded, true),
        (Kind::FieldRemoved, true),
        (Kind::FieldChanged, true),
        (Kind::FieldChanged, false),
        (Kind::EnumValuesAdded, false),
        (Kind::TypeRenamed, true),
        (Kind::TypeAdded, false),
        (Kind::TypeRemoved, true),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} missing from {kinds:?}");
    }
    assert_eq!(report.breaking, 15);
    insta::assert_snapshot!("fixture_markdown", markdown(&report));
    insta::assert_snapshot!("fixture_json", json(&report));
}

#[test]
fn identical_releases_have_no_changes() {
    let dir = root().join("spec/fixtures/diff/old");
    let api = load_dir(&dir, &lock()).unwrap();
    let report = compare(&api, &api, "a", "b");
    assert!(report.changes.is_empty() && report.breaking == 0);
}

fn spec_dir() -> PathBuf {
    std::env::var_os("KEYFACTOR_SPEC_DIR").map_or_else(
        || keyfactor_generator::release::Manifest::read(&root().join("spec/release.yaml")).unwrap().documents_dir(),
        PathBuf::from,
    )
}

const V1: &str = "Keyfactor-Command-v25-v1.swagger.json";
const V2: &str = "Keyfactor-Command-v25-v2.swagger.json";

/// v25 as published, and a copy with edits a next release might make.
#[test]
fn v25_against_an_edited_copy() {
    let new = tempfile::tempdir().unwrap();
    let read =
        |file: &str| -> Value { serde_json::from_slice(&std::fs::read(spec_dir().join(file)).unwrap()).unwrap() };
    let mut v1 = read(V1);
    let agents = &mut v1["paths"]["/Agents"]["get"];
    agents["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "IncludeBlueprint", "in": "query", "schema": {"type": "boolean"}}));
    v1["paths"]["/Agents/{id}"]["get"]["deprecated"] = json!(true);
    v1["paths"].as_object_mut().unwrap().remove("/Agents/Reset");
    let schemas = v1["components"]["schemas"].as_object_mut().unwrap();
    let agent = &mut schemas["Keyfactor.Web.KeyfactorApi.Models.Orchestrators.AgentResponse"]["properties"];
    agent["Region"] = json!({"type": "string", "nullable": true});
    agent["Version"] = json!({"type": "integer", "format": "int32"});
    schemas["CSS.CMS.Core.Enums.AgentPlatformType"]["enum"].as_array_mut().unwrap().push(json!(8));
    std::fs::write(new.path().join(V1), serde_json::to_vec_pretty(&v1).unwrap()).unwrap();
    std::fs::write(new.path().join(V2), std::fs::read(spec_dir().join(V2)).unwrap()).unwrap();

    let report =
        compare(&load_dir(&spec_dir(), &lock()).unwrap(), &load_dir(new.path(), &lock()).unwrap(), "v25", "v25-edited");
    assert_eq!(report.breaking, 2, "{}", markdown(&report));
    insta::assert_snapshot!("v25_edited_markdown", markdown(&report));
}

#[test]
fn with_the_old_releases_type_name_lock_no_type_is_renamed() {
    let dir = root().join("spec/fixtures/diff");
    let old = load_dir(&dir.join("old"), &lock()).unwrap();
    // The lock codegen would have written for the old release.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), keyfactor_generator::emit::type_names_lock(&old)).unwrap();
    let locked = keyfactor_release::diff::read_lock(file.path()).unwrap();
    let report = compare(
        &load_dir(&dir.join("old"), &locked).unwrap(),
        &load_dir(&dir.join("new"), &locked).unwrap(),
        "old",
        "new",
    );
    assert!(!report.changes.iter().any(|c| c.kind == Kind::TypeRenamed), "{}", markdown(&report));
    let added = report.changes.iter().find(|c| c.subject == "OtherWidget").unwrap();
    assert_eq!(added.detail, "new type `OtherWidget`");
    assert_eq!(report.breaking, 12);
}

/// An older release (10.x shape: YAML, model-binding prefixes, the
/// KeyfactorApi.Models namespace, header parameters with schemas, XML media
/// types) against release 25's shape: only what a call site feels is left,
/// each change classified.
#[test]
fn an_older_release_against_a_newer_one_reports_only_what_call_sites_feel() {
    let fixtures = root().join("spec/fixtures");
    let old = load_dir(&fixtures.join("release-10"), &lock()).unwrap();
    let new = load_dir(&fixtures.join("release-25"), &lock()).unwrap();
    let report = compare(&old, &new, "release-10", "release-25");
    let count = |kind: Kind| report.changes.iter().filter(|c| c.kind == kind).count();
    // The namespace move of AgentResponse and CertificateRetrievalResponse is no change.
    assert_eq!((count(Kind::TypeRemoved), count(Kind::TypeAdded), count(Kind::ResponseChanged)), (0, 0, 0));
    assert_eq!((count(Kind::ParameterRemoved), count(Kind::ParameterWireRenamed)), (0, 9));
    assert!(report.changes.iter().filter(|c| c.kind == Kind::ParameterWireRenamed).all(|c| !c.breaking));
    assert_eq!(report.breaking, 2, "{}", markdown(&report));
    insta::assert_snapshot!("release_10_to_25_markdown", markdown(&report));
}

/// The same change on many endpoints is one group naming them all: here
/// every `SortAscending` parameter of v25 turned back into a plain integer,
/// as an older release declares it.
#[test]
fn the_same_change_on_many_endpoints_is_one_group() {
    let new = tempfile::tempdir().unwrap();
    let mut v1: Value = serde_json::from_slice(&std::fs::read(spec_dir().join(V1)).unwrap()).unwrap();
    let mut edited = 0;
    for item in v1["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            for p in op["parameters"].as_array_mut().into_iter().flatten() {
                if p["name"] == "SortAscending" {
                    p["schema"] = json!({"type": "integer", "format": "int32"});
                    edited += 1;
                }
            }
        }
    }
    std::fs::write(new.path().join(V1), serde_json::to_vec(&v1).unwrap()).unwrap();
    std::fs::write(new.path().join(V2), std::fs::read(spec_dir().join(V2)).unwrap()).unwrap();
    let report =
        compare(&load_dir(&spec_dir(), &lock()).unwrap(), &load_dir(new.path(), &lock()).unwrap(), "v25", "edited");
    let groups = report.groups();
    let sort: Vec<&keyfactor_release::diff::Group> = groups
        .iter()
        .filter(|g| g.detail == "query parameter `SortAscending` (setter `sort_ascending`): `SortOrder` -> `i32`")
        .collect();
    assert_eq!(sort.len(), 1, "{}", markdown(&report));
    assert!(edited > 40 && sort[0].subjects.len() == edited, "{edited} {}", markdown(&report));
    // Every endpoint is named; the one other break: `SortOrder` leaves the
    // areas whose operations no longer reach it.
    let text = markdown(&report);
    assert!(sort[0].subjects.iter().all(|s| text.contains(&format!("`{s}`"))), "{text}");
    let areas = report.changes.iter().find(|c| c.kind == Kind::TypeAreasRemoved).unwrap();
    assert_eq!((areas.subject.as_str(), areas.items.as_slice()), ("SortOrder", &["types::SortOrder".to_string()][..]));
    assert_eq!(report.breaking, edited + 1, "{text}");
    // The CHANGELOG entry names every endpoint too, one line per area.
    let entry = keyfactor_release::diff::changelog_entry(
        &report,
        &keyfactor_release::diff::Entry { version: "0.2.0", previous_version: "0.1.0", date: "2026-12-08", notes: &[] },
    );
    assert!(entry.contains(&format!("in {edited} places, by area below")), "{entry}");
    assert!(entry.contains("\n  - area `agent`: `GET /Agents`\n"), "{entry}");
    assert!(sort[0].subjects.iter().all(|s| entry.contains(&format!("`{s}`"))), "{entry}");
}

//! The replay against the shared recordings, and against recordings made up
//! here to show that each check can fail.

use std::path::PathBuf;

use super::*;

fn api() -> Api {
    crate::release_model(std::env::var_os("KEYFACTOR_SPEC_DIR").map(PathBuf::from)).unwrap()
}

/// One interaction as a go-vcr cassette.
fn cassette(method: &str, url: &str, version: &str, body: &str, code: u16, response: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        "version: 2\ninteractions:\n  - id: 0\n    request:\n      method: {method}\n      url: {}\n      body: {}\n      headers:\n        X-Keyfactor-Api-Version: [{}]\n    response:\n      code: {code}\n      body: {}\n      headers:\n        Content-Type: [application/json]\n",
        quote(url),
        quote(body),
        quote(version),
        quote(response)
    )
}

fn replay_one_cassette(text: &str) -> (String, Outcome) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.yaml"), text).unwrap();
    let mut reports = replay_dir(&api(), dir.path()).unwrap();
    let (_, label, outcome) = reports.remove(0).interactions.remove(0);
    (label, outcome)
}

const HOST: &str = "https://kf.example.com";

#[test]
fn every_shared_recording_replays_without_mismatch() {
    let dir = crate::default_cassette_dir();
    let reports = replay_dir(&api(), &dir).unwrap();
    let text = render(&reports);
    assert_eq!(reports.len(), 6, "{text}");
    let total: usize = reports.iter().map(|r| r.interactions.len()).sum();
    assert_eq!(total, 53, "{text}");
    assert!(reports.iter().all(|r| r.mismatched() == 0 && r.unsupported() == 0), "{text}");
}

#[test]
fn routes_differing_only_in_the_parameter_pick_by_its_type() {
    let (label, outcome) = replay_one_cassette(&cassette(
        "GET",
        &format!("{HOST}/KeyfactorAPI/MetadataFields/12"),
        "1",
        "",
        200,
        r#"{"Id":12}"#,
    ));
    assert!(label.ends_with("-> get_metadata_fields_by_id (1.0)"), "{label}");
    assert!(matches!(outcome, Outcome::Matched(_)), "{outcome:?}");
    let (label, _) = replay_one_cassette(&cassette(
        "GET",
        &format!("{HOST}/Keyfactor/API/MetadataFields/Email"),
        "1",
        "",
        200,
        r#"{"Id":3}"#,
    ));
    assert!(label.ends_with("-> get_metadata_fields_by_name (1.0)"), "{label}");
}

#[test]
fn the_version_header_picks_the_version_function() {
    let (label, outcome) = replay_one_cassette(&cassette(
        "GET",
        &format!("{HOST}/KeyfactorAPI/Security/Roles/909"),
        "2",
        "",
        200,
        r#"{"Id":909}"#,
    ));
    assert!(label.ends_with("-> get_security_roles_by_id_v2 (2)"), "{label}");
    assert!(matches!(outcome, Outcome::Matched(_)), "{outcome:?}");
}

#[test]
fn a_response_member_the_documents_mistype_is_carried_and_reported() {
    let (_, outcome) = replay_one_cassette(&cassette(
        "GET",
        &format!("{HOST}/KeyfactorAPI/Security/Roles/909"),
        "1",
        "",
        200,
        r#"{"Id":"nine","Name":"r"}"#,
    ));
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert_eq!(m.mistyped, ["$.Id"]);
}

#[test]
fn a_response_the_client_cannot_decode_is_a_mismatch() {
    let (_, outcome) = replay_one_cassette(&cassette(
        "GET",
        &format!("{HOST}/KeyfactorAPI/Agents"),
        "1",
        "",
        200,
        r#"[{"ClientMachine":"a"},5]"#,
    ));
    let Outcome::Mismatched(why) = outcome else { panic!("{outcome:?}") };
    assert!(why.contains("cannot decode") && why.contains("`[1]`"), "{why}");
}

#[test]
fn undeclared_response_members_at_any_depth_survive_decoding_and_are_counted() {
    let body = r#"[{"ClientMachine":"a","Region":"eu","JobTypes":[{"Name":"j","Queue":{"Depth":3}}],"LastSeen":"2024-05-01T10:00:00.1234567"}]"#;
    let (label, outcome) =
        replay_one_cassette(&cassette("GET", &format!("{HOST}/KeyfactorAPI/Agents"), "1", "", 200, body));
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert_eq!(m.undeclared_received, ["$[0].Region", "$[0].JobTypes[0].Queue"]);
    let report = render(&[FileReport { file: "one.yaml".into(), interactions: vec![(0, label, Outcome::Matched(m))] }]);
    assert!(report.contains("2 undeclared members carried (0 sent, 2 received)"), "{report}");
    assert!(report.contains("received $[0].Region, $[0].JobTypes[0].Queue"), "{report}");
}

#[test]
fn a_query_parameter_the_documents_lack_is_sent_and_counted() {
    let url = format!("{HOST}/KeyfactorAPI/Security/Roles/909?includeEverything=true");
    let (_, outcome) = replay_one_cassette(&cassette("GET", &url, "1", "", 200, r#"{"Id":909}"#));
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert_eq!(m.undeclared_sent, ["query.includeEverything"]);
}

#[test]
fn a_query_value_that_does_not_fit_its_type_is_sent_as_recorded() {
    // `IncludeBlueprint`-like flags: .NET binds `True`; the documents declare a boolean.
    let url = format!("{HOST}/KeyfactorAPI/Agents?ReturnLimit=many");
    let (_, outcome) = replay_one_cassette(&cassette("GET", &url, "1", "", 200, "[]"));
    assert!(matches!(outcome, Outcome::Matched(_)), "{outcome:?}");
}

#[test]
fn a_request_without_a_required_parameter_is_a_mismatch() {
    let url = format!("{HOST}/KeyfactorAPI/Analytics/Certificates/Count");
    let (_, outcome) = replay_one_cassette(&cassette("GET", &url, "1", "", 200, "5"));
    let Outcome::Mismatched(why) = outcome else { panic!("{outcome:?}") };
    assert!(why.contains("does not fit the operation") && why.contains("collectionId"), "{why}");
}

#[test]
fn a_body_member_the_documents_lack_is_sent_and_counted() {
    let body = r#"{"Name":"r","Description":"d","Colour":"blue","Permissions":[],"Extra":{"Nested":[1,{"x":null}]}}"#;
    let (_, outcome) = replay_one_cassette(&cassette(
        "POST",
        &format!("{HOST}/KeyfactorAPI/Security/Roles"),
        "1",
        body,
        200,
        r#"{"Id":1}"#,
    ));
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert_eq!(m.undeclared_sent, ["body.Colour", "body.Extra"]);
}

#[test]
fn a_body_member_the_documents_mistype_is_sent_as_recorded() {
    let body = r#"{"Name":"r","Description":5,"Permissions":[]}"#;
    let (_, outcome) = replay_one_cassette(&cassette(
        "POST",
        &format!("{HOST}/KeyfactorAPI/Security/Roles"),
        "1",
        body,
        200,
        r#"{"Id":1}"#,
    ));
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert_eq!(m.mistyped, ["body.Description"]);
}

/// Recorders that strip request bodies (`body: ""`): everything else is
/// compared, the interaction counts as matched with a note, and the response
/// is still checked.
#[test]
fn a_request_recorded_without_its_body_matches_with_a_note() {
    let url = format!("{HOST}/KeyfactorAPI/CertificateStores/Certificates/Add");
    let ok = r#"["3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f"]"#;
    let (label, outcome) = replay_one_cassette(&cassette("POST", &url, "1", "", 200, ok));
    assert!(label.contains("post_certificate_stores_certificates_add"), "{label}");
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert_eq!(m.notes, ["request body not recorded"]);
    let report = render(&[FileReport { file: "one.yaml".into(), interactions: vec![(0, label, Outcome::Matched(m))] }]);
    assert!(report.contains("1 matched") && report.contains("request body not recorded"), "{report}");

    let (_, outcome) = replay_one_cassette(&cassette("POST", &url, "1", "null", 200, r#"{"not":"a list"}"#));
    let Outcome::Mismatched(why) = outcome else { panic!("{outcome:?}") };
    assert!(why.starts_with("response:"), "{why}");
}

#[test]
fn a_recorded_body_is_still_compared() {
    let url = format!("{HOST}/KeyfactorAPI/Security/Roles");
    let (_, outcome) =
        replay_one_cassette(&cassette("POST", &url, "1", r#"{"Name":"r","Description":"d"}"#, 200, r#"{"Id":1}"#));
    let Outcome::Matched(m) = outcome else { panic!("{outcome:?}") };
    assert!(m.notes.is_empty() && m.undeclared_sent.is_empty() && m.mistyped.is_empty(), "{m:?}");
}

#[test]
fn error_statuses_decode_into_the_error_type() {
    let error = r#"{"ErrorCode":"0xA0110002","Message":"No private key."}"#;
    let url = format!("{HOST}/KeyfactorAPI/Security/Roles/909");
    let (_, outcome) = replay_one_cassette(&cassette("GET", &url, "1", "", 400, error));
    assert!(matches!(outcome, Outcome::Matched(_)), "{outcome:?}");
    let (_, outcome) = replay_one_cassette(&cassette("DELETE", &url, "1", "", 204, ""));
    assert!(matches!(outcome, Outcome::Matched(_)), "{outcome:?}");
}

#[test]
fn an_endpoint_the_documents_lack_is_reported_unsupported() {
    let (_, outcome) =
        replay_one_cassette(&cassette("GET", &format!("{HOST}/KeyfactorAPI/Nowhere/1"), "1", "", 200, "{}"));
    let Outcome::Unsupported(why) = outcome else { panic!("{outcome:?}") };
    assert!(why.contains("no endpoint for GET /KeyfactorAPI/Nowhere/1"), "{why}");
    let (_, outcome) =
        replay_one_cassette(&cassette("GET", &format!("{HOST}/KeyfactorAPI/Agents"), "2", "", 200, "[]"));
    let Outcome::Unsupported(why) = outcome else { panic!("{outcome:?}") };
    assert!(why.contains("GET /Agents has no version 2"), "{why}");
}

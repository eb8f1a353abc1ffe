//! Replaying recorded Keyfactor traffic to code under test (feature
//! `mock`), as a user would: the recording is the Terraform provider's
//! `security_role_resource.yaml` (see conformance/recordings/README.md).

use keyfactor_client::Client;
use keyfactor_client::mock::ReplayServer;
use keyfactor_client::types::{
    LegacySecurityRolesSecurityRoleCreationRequest, LegacySecurityRolesSecurityRoleUpdateRequest,
};

fn recording(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/recordings").join(name)
}

/// Code under test: create a role, read it, rename its description, delete it.
#[allow(deprecated)] // version 1 of these endpoints, as the recording used them
async fn role_lifecycle(client: &Client) -> keyfactor_client::Result<(i32, Option<String>)> {
    let role = client
        .post_security_roles(LegacySecurityRolesSecurityRoleCreationRequest {
            name: "tf-unit-role-576809000".into(),
            description: "Unit test role".into(),
            permissions: Some(vec![]),
            ..Default::default()
        })
        .send()
        .await?;
    let id = role.id.expect("the server gives the new role an id");
    let read = client.get_security_roles_by_id(id).send().await?;
    assert_eq!(read.name, role.name);
    let _ = client.get_security_roles_by_id(id).send().await?;
    let updated = client
        .put_security_roles(LegacySecurityRolesSecurityRoleUpdateRequest {
            id,
            name: read.name.clone().unwrap_or_default(),
            description: "Unit test role updated".into(),
            permissions: Some(vec!["Certificates:EditMetadata".into(), "Certificates:Read".into()]),
            ..Default::default()
        })
        .send()
        .await?;
    let _ = client.get_security_roles_by_id(id).send().await?;
    client.delete_security_roles_by_id(id).send().await?;
    Ok((id, updated.description))
}

#[tokio::test]
async fn user_code_runs_against_recorded_answers() {
    let replay = ReplayServer::start(recording("security_role_resource.yaml")).await.unwrap();
    assert!(replay.client().base_url().ends_with("/Keyfactor/API"), "{}", replay.client().base_url());
    let (id, description) = role_lifecycle(replay.client()).await.unwrap();
    assert_eq!(id, 909);
    assert_eq!(description.as_deref(), Some("Unit test role updated"));
}

#[tokio::test]
async fn an_unrecorded_request_fails_clearly() {
    let replay = ReplayServer::start(recording("security_role_resource.yaml")).await.unwrap();
    #[allow(deprecated)]
    let err = replay.client().get_security_roles_by_id(910).send().await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("HTTP 501")
            && message.contains("nothing recorded matches GET /Keyfactor/API/Security/Roles/910"),
        "{message}"
    );
    assert!(message.contains("closest is interaction"), "{message}");
}

#[tokio::test]
async fn a_cassette_that_is_not_one_is_an_error_naming_the_file() {
    let err = ReplayServer::start(recording("README.md")).await.err().unwrap();
    assert!(err.to_string().contains("README.md: not a go-vcr cassette"), "{err}");
}

/// Writes a go-vcr cassette of `(method, url, response body)` interactions.
fn cassette(dir: &std::path::Path, interactions: &[(&str, &str, &str)]) -> std::path::PathBuf {
    let mut text = String::from("version: 2\ninteractions:\n");
    for (i, (method, url, body)) in interactions.iter().enumerate() {
        text.push_str(&format!(
            "  - id: {i}\n    request:\n      method: {method}\n      url: {url}\n      body: \"\"\n      headers:\n        X-Keyfactor-Api-Version: [\"1\"]\n    response:\n      code: 200\n      body: {}\n      headers:\n        Content-Type: [application/json]\n",
            serde_json::to_string(body).unwrap()
        ));
    }
    let path = dir.join("made-up.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The API path comes from what all recorded requests share before an
/// operation's path, whatever the first request is (here one to an endpoint
/// the documents lack, whose path alone would suggest `/KeyfactorAPI/Security`).
#[tokio::test]
async fn the_api_path_is_found_whatever_the_first_request_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = cassette(
        dir.path(),
        &[
            ("POST", "https://kf.example.com/KeyfactorAPI/Security/Lookup", "{}"),
            ("GET", "https://kf.example.com/KeyfactorAPI/EnrollmentPatterns/25", r#"{"Id":25,"Name":"Web"}"#),
        ],
    );
    let replay = ReplayServer::start(&path).await.unwrap();
    assert!(replay.client().base_url().ends_with("/KeyfactorAPI"), "{}", replay.client().base_url());
    let pattern = replay.client().get_enrollment_patterns_by_id(25).send().await.unwrap();
    assert_eq!(pattern.name.as_deref(), Some("Web"));
}

/// Servers started and dropped one after another in one test, without any
/// request in between, used to hang at about the 26th (tokio's cooperative
/// budget ran out inside wiremock's blocking drop; see the runtime's `Loopback`).
async fn start_and_drop_forty_of_each() {
    let recording = recording("agents_data_source.yaml");
    for _ in 0..40 {
        let mock = keyfactor_client::mock::MockServer::start().await;
        mock.get_agents().times(0).respond(vec![]).await;
        drop(mock);
        let replay = ReplayServer::start(&recording).await.unwrap();
        drop(replay);
    }
}

#[tokio::test]
async fn forty_servers_in_one_test_on_a_current_thread_runtime() {
    start_and_drop_forty_of_each().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_servers_in_one_test_on_a_multi_thread_runtime() {
    start_and_drop_forty_of_each().await;
}

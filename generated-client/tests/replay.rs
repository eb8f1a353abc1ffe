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

//! The typed mock server (feature `mock`), used as a user's test would.

use futures_util::TryStreamExt;
use keyfactor_client::mock::MockServer;
use keyfactor_client::types::{AgentResponse, LegacySecurityRolesSecurityRoleCreationRequest, SortOrder};
use keyfactor_client::{Client, Error};
use serde_json::json;

fn agent(name: &str) -> AgentResponse {
    AgentResponse { client_machine: Some(name.into()), ..Default::default() }
}

/// Code under test: what a user would write with the client.
async fn machine_names(client: &Client) -> keyfactor_client::Result<Vec<String>> {
    let agents = client.get_agents().sort_ascending(SortOrder::DESCENDING).send().await?;
    Ok(agents.into_iter().filter_map(|a| a.client_machine).collect())
}

#[tokio::test]
async fn a_matched_call_gets_the_typed_response() {
    let mock = MockServer::start().await;
    mock.get_agents().with(|r| r.sort_ascending(SortOrder::DESCENDING)).respond(vec![agent("a"), agent("b")]).await;
    assert_eq!(machine_names(mock.client()).await.unwrap(), ["a", "b"]);
    mock.verify().await;
}

#[tokio::test]
async fn an_unmatched_call_names_the_closest_expectation_and_the_difference() {
    let mock = MockServer::start().await;
    mock.get_agents().with(|r| r.return_limit(5)).times(0).respond(vec![]).await;
    let err = mock.client().get_agents().return_limit(6).send().await.unwrap_err();
    let Error::Status { status: 501, body, .. } = &err else { panic!("{err:?}") };
    assert!(body.contains("no expectation matches GET /KeyfactorAPI/Agents?ReturnLimit=6"), "{body}");
    assert!(body.contains("closest is `get_agents`"), "{body}");
    assert!(body.contains(r#"query ReturnLimit is ["6"], expected "5""#), "{body}");
}

/// The closest expectation is the one of the same method and path, then
/// version, then fewest other differences, whatever order they were
/// registered in; the hint reads as plain text in the error's `Display`.
#[tokio::test]
async fn the_closest_expectation_does_not_depend_on_the_order_of_registration() {
    for by_id_first in [true, false] {
        let mock = MockServer::start().await;
        if by_id_first {
            mock.get_templates_by_id(999).times(0).respond(Default::default()).await;
            mock.get_templates().with(|r| r.return_limit(5)).times(0).respond(vec![]).await;
        } else {
            mock.get_templates().with(|r| r.return_limit(5)).times(0).respond(vec![]).await;
            mock.get_templates_by_id(999).times(0).respond(Default::default()).await;
        }
        let err = mock.client().get_templates().return_limit(6).send().await.unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("closest is `get_templates`:"), "{shown}");
        assert!(shown.ends_with(r#"query ReturnLimit is ["6"], expected "5""#), "{shown}");
        assert!(!shown.contains('\\'), "{shown}");
    }
}

#[tokio::test]
async fn each_version_is_its_own_expectation() {
    let mock = MockServer::start().await;
    let id = 909;
    mock.get_security_roles_by_id_v2(id).times(0).respond(Default::default()).await;
    #[allow(deprecated)]
    let err = mock.client().get_security_roles_by_id(id).send().await.unwrap_err();
    let body = match &err {
        Error::Status { status: 501, body, .. } => body,
        other => panic!("{other:?}"),
    };
    assert!(body.contains("`get_security_roles_by_id_v2`"), "{body}");
    assert!(body.contains("x-keyfactor-api-version is 1.0, expected 2"), "{body}");
}

#[tokio::test]
#[allow(deprecated)]
async fn a_body_matcher_takes_the_typed_body() {
    let mock = MockServer::start().await;
    let request = LegacySecurityRolesSecurityRoleCreationRequest {
        name: "auditors".into(),
        description: "read only".into(),
        ..Default::default()
    };
    let created = keyfactor_client::types::LegacySecurityRolesSecurityRoleResponse {
        id: Some(7),
        name: Some("auditors".into()),
        ..Default::default()
    };
    mock.post_security_roles(request.clone()).respond(created).await;
    let role = mock.client().post_security_roles(request.clone()).send().await.unwrap();
    assert_eq!(role.id, Some(7));

    let other = LegacySecurityRolesSecurityRoleCreationRequest { name: "admins".into(), ..request };
    let err = mock.client().post_security_roles(other).send().await.unwrap_err();
    let Error::Status { status: 501, body, .. } = &err else { panic!("{err:?}") };
    // (Key order depends on serde_json's `preserve_order`, which another crate may turn on.)
    let (sent, expected) = body.split_once("body is ").unwrap().1.split_once(", expected ").unwrap();
    assert!(sent.contains(r#""Name":"admins""#) && expected.contains(r#""Name":"auditors""#), "{body}");
}

#[tokio::test]
async fn a_sequence_of_responses_pages_a_listing() {
    let mock = MockServer::start().await;
    mock.get_agents().times(2).respond_sequence(vec![vec![agent("a"), agent("b")], vec![agent("c")]]).await;
    let agents: Vec<_> = mock.client().get_agents().return_limit(2).stream().try_collect().await.unwrap();
    assert_eq!(agents.len(), 3);
    mock.verify().await;
}

#[tokio::test]
async fn an_error_status_comes_back_as_the_clients_error() {
    let mock = MockServer::start().await;
    let error = json!({"ErrorCode": "0xA0110002", "Message": "No agent."});
    mock.get_agents_by_id("3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f".parse().unwrap()).respond_status(404, error).await;
    let err = mock
        .client()
        .get_agents_by_id("3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f".parse().unwrap())
        .send()
        .await
        .unwrap_err();
    let Error::Status { status: 404, api_error: Some(api), .. } = &err else { panic!("{err:?}") };
    assert_eq!(api.code.as_deref(), Some("0xA0110002"));
}

/// An expectation never met fails `verify`, and fails the test when the
/// server is dropped.
#[tokio::test]
async fn unmet_expectations_fail_verify_and_drop() {
    let explicit = tokio::spawn(async {
        let mock = MockServer::start().await;
        mock.get_agents().respond(vec![]).await;
        mock.verify().await;
    });
    let panic = explicit.await.unwrap_err().into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("get_agents"), "{message}");

    let on_drop = tokio::spawn(async {
        let mock = MockServer::start().await;
        mock.get_agents().times(2).respond(vec![]).await;
        let _ = mock.client().get_agents().send().await;
    });
    assert!(on_drop.await.unwrap_err().is_panic());
}

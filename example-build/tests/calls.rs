//! The client the build script generated calls a server on loopback: a
//! version-2 operation sends its version header, a paged listing streams
//! every page.

use futures_util::StreamExt;
use keyfactor_example_build::Client;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_version_two_call_sends_its_header() {
    let server = MockServer::start().await;
    let id = uuid::Uuid::from_u128(7);
    Mock::given(method("GET"))
        .and(path(format!("/KeyfactorAPI/Agents/{id}")))
        .and(header("x-keyfactor-api-version", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ClientMachine": "host1", "Extra": 1})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let agent = client.get_agents_by_id_v2(id).send().await.unwrap();
    assert_eq!(agent.client_machine.as_deref(), Some("host1"));
    assert_eq!(agent.unknown_fields.len(), 1);
}

#[tokio::test]
async fn a_paged_listing_streams_every_page() {
    let server = MockServer::start().await;
    for (page, names) in [("1", vec!["a", "b"]), ("2", vec!["c"])] {
        let body: Vec<_> = names.iter().map(|n| serde_json::json!({"ClientMachine": n})).collect();
        Mock::given(method("GET"))
            .and(path("/KeyfactorAPI/Agents"))
            .and(query_param("PageReturned", page))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let agents: Vec<_> = client.get_agents().return_limit(2).stream().collect().await;
    let names: Vec<_> = agents.into_iter().map(|a| a.unwrap().client_machine.unwrap()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

//! The client of an older release's shape, as a user calls it: setters named
//! as release 25 names them, the release's own wire names sent, paged
//! listings streamed, header parameters with schemas kept out of the API.

use futures_util::TryStreamExt;
use keyfactor_compat_older::Client;
use keyfactor_compat_older::types::SortOrder;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AGENT: &str = r#"{"AgentId":"3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f","ClientMachine":"host1","Status":2,"LastSeen":"2024-05-01T10:00:00"}"#;

#[tokio::test]
async fn setters_lose_the_prefix_and_the_wire_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents"))
        .and(query_param("pq.queryString", "ClientMachine -contains \"host\""))
        .and(query_param("pq.sortAscending", "1"))
        .and(query_param("pq.returnLimit", "2"))
        .and(header("x-keyfactor-api-version", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(format!("[{AGENT}]"), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let agents = client
        .get_agents()
        .query_string("ClientMachine -contains \"host\"")
        .sort_ascending(SortOrder::DESCENDING)
        .return_limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(agents[0].client_machine.as_deref(), Some("host1"));
    assert_eq!(agents[0].last_seen.unwrap().to_rfc3339(), "2024-05-01T10:00:00+00:00");
}

#[tokio::test]
async fn paged_listings_stream_page_by_page() {
    let server = MockServer::start().await;
    for (page, body) in [("1", format!("[{AGENT},{AGENT}]")), ("2", format!("[{AGENT}]"))] {
        Mock::given(method("GET"))
            .and(path("/KeyfactorAPI/Agents"))
            .and(query_param("pq.pageReturned", page))
            .and(query_param("pq.returnLimit", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let agents: Vec<_> = client.get_agents().return_limit(2).stream().try_collect().await.unwrap();
    assert_eq!(agents.len(), 3);
}

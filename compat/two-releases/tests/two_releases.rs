//! Two releases in one program: a team with servers of two Keyfactor
//! Command releases builds both clients from one configuration, shares one
//! authentication (one OAuth token), and handles the errors of both as one
//! type. `keyfactor_client` is the v25 client; `keyfactor_client_10` the
//! client generated from `spec/fixtures/release-10`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use keyfactor_runtime::{Auth, Error, OAuthConfig, RetryPolicy};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const AGENT: &str = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f";

/// Release 25 answers `GET /Agents/{id}` (version `1.0`), release 10
/// `GET /Agents?pq.returnLimit=2` (version `1`), both only with `authorization`.
async fn two_releases(authorization: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/KeyfactorAPI/Agents/{AGENT}")))
        .and(header("x-keyfactor-api-version", "1.0"))
        .and(header("authorization", authorization))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ClientMachine": "host25"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents"))
        .and(query_param("pq.returnLimit", "2"))
        .and(header("x-keyfactor-api-version", "1"))
        .and(header("authorization", authorization))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!([{"ClientMachine": "a"}, {"ClientMachine": "b"}])),
        )
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// Code of the user's: one `?` for the errors of both releases.
async fn machines(
    current: &keyfactor_client::Client,
    older: &keyfactor_client_10::Client,
) -> keyfactor_runtime::Result<Vec<String>> {
    let agent = current.get_agents_by_id(AGENT.parse().unwrap()).send().await?;
    let agents = older.get_agents().return_limit(2).send().await?;
    let mut out = vec![agent.client_machine.unwrap_or_default()];
    out.extend(agents.into_iter().filter_map(|a| a.client_machine));
    Ok(out)
}

#[tokio::test]
async fn one_builder_configures_the_clients_of_both_releases() {
    // base64("KEYFACTOR\svc:pw")
    let server = two_releases("Basic S0VZRkFDVE9SXHN2Yzpwdw==").await;
    let shared = keyfactor_runtime::Client::builder(format!("{}/KeyfactorAPI", server.uri()))
        .auth(Auth::basic("KEYFACTOR\\svc", "pw"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let current = keyfactor_client::Client::from(shared.clone());
    let older = keyfactor_client_10::Client::from(shared);
    assert_eq!(machines(&current, &older).await.unwrap(), ["host25", "a", "b"]);
    assert_eq!(current.base_url(), older.base_url());
}

#[tokio::test]
async fn a_client_of_one_release_makes_the_client_of_another() {
    let server = two_releases("Bearer token-1").await;
    let current = keyfactor_client::Client::builder(format!("{}/KeyfactorAPI", server.uri()))
        .auth(Auth::bearer("token-1"))
        .build()
        .unwrap();
    let older = keyfactor_client_10::Client::from(current.as_ref().clone());
    assert_eq!(machines(&current, &older).await.unwrap(), ["host25", "a", "b"]);
}

/// An OAuth token endpoint that counts the tokens it issues.
struct TokenEndpoint(Arc<AtomicUsize>);

impl Respond for TokenEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": format!("t{n}"), "token_type": "Bearer", "expires_in": 3600
        }))
    }
}

#[tokio::test]
async fn the_clients_of_both_releases_share_one_oauth_token() {
    let server = two_releases("Bearer t1").await;
    let issued = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST")).and(path("/token")).respond_with(TokenEndpoint(issued.clone())).mount(&server).await;
    let oauth = OAuthConfig::new(format!("{}/token", server.uri()), "client", "secret");
    let shared = keyfactor_runtime::Client::builder(format!("{}/KeyfactorAPI", server.uri()))
        .auth(Auth::oauth(oauth))
        .build()
        .unwrap();
    let current = keyfactor_client::Client::from(shared.clone());
    let older = keyfactor_client_10::Client::from(shared);
    assert_eq!(machines(&current, &older).await.unwrap(), ["host25", "a", "b"]);
    assert_eq!(issued.load(Ordering::SeqCst), 1, "one token for both releases");
}

#[tokio::test]
async fn the_errors_of_both_releases_are_one_type() {
    let server = MockServer::start().await;
    let error = |status: u16, code: &str| {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({"ErrorCode": code, "Message": "refused"}))
    };
    Mock::given(header("x-keyfactor-api-version", "1.0")).respond_with(error(404, "0xA0110001")).mount(&server).await;
    Mock::given(header("x-keyfactor-api-version", "1")).respond_with(error(400, "0xA0110002")).mount(&server).await;
    let shared = keyfactor_runtime::Client::builder(format!("{}/KeyfactorAPI", server.uri())).build().unwrap();
    let current = keyfactor_client::Client::from(shared.clone());
    let older = keyfactor_client_10::Client::from(shared);
    let errors: Vec<Error> = vec![
        current.get_agents_by_id(AGENT.parse().unwrap()).send().await.unwrap_err(),
        older.get_agents().send().await.unwrap_err(),
    ];
    let seen: Vec<(&str, u16, Option<&str>)> = errors
        .iter()
        .map(|e| match e {
            Error::Status { operation, status, api_error, .. } => {
                (*operation, *status, api_error.as_ref().and_then(|a| a.code.as_deref()))
            }
            other => panic!("expected an error status, got {other}"),
        })
        .collect();
    assert_eq!(seen, [("get_agents_by_id", 404, Some("0xA0110001")), ("get_agents", 400, Some("0xA0110002"))]);
}

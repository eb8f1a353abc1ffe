//! The runtime against real HTTP servers on loopback: authentication,
//! retries, timeouts, bad bodies, paging and tracing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use keyfactor_client::{Auth, Client, ClientBuilder, Error, OAuthConfig, RetryPolicy};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const AGENT: &str = r#"{"AgentId":"3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f","ClientMachine":"orchestrator-1","Status":2}"#;
const AGENT_ID: &str = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f";

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(format!("{}/KeyfactorAPI", server.uri()))
        .retry_policy(RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_secs(5)))
}

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

fn agent_id() -> uuid::Uuid {
    AGENT_ID.parse().unwrap()
}

async fn requests_to(server: &MockServer, route: &str) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == route).count()
}

#[tokio::test]
async fn basic_auth_sends_domain_and_user() {
    let server = MockServer::start().await;
    // base64("CORP\alice:pa:ss")
    Mock::given(header("authorization", "Basic Q09SUFxhbGljZTpwYTpzcw=="))
        .respond_with(json(AGENT))
        .expect(1)
        .mount(&server)
        .await;
    let auth = Auth::Basic { username: "alice".into(), password: "pa:ss".into(), domain: Some("CORP".into()) };
    let client = builder(&server).auth(auth).build().unwrap();
    client.get_agents_by_id(agent_id()).send().await.unwrap();
}

/// A token endpoint that hands out `t1`, `t2`, ... and counts its calls.
struct TokenEndpoint {
    issued: Arc<AtomicUsize>,
    expires_in: u64,
    delay: Duration,
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = String::from_utf8_lossy(&request.body).to_string();
        assert!(form.contains("grant_type=client_credentials"), "{form}");
        assert!(form.contains("client_id=my-client") && form.contains("client_secret=my-secret"), "{form}");
        assert!(form.contains("scope=openid+api") && form.contains("audience=kf"), "{form}");
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        json(&format!(r#"{{"access_token":"t{n}","token_type":"Bearer","expires_in":{}}}"#, self.expires_in))
            .set_delay(self.delay)
    }
}

async fn oauth_server(expires_in: u64, delay: Duration) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(TokenEndpoint { issued: issued.clone(), expires_in, delay })
        .mount(&server)
        .await;
    (server, issued)
}

fn oauth_client(server: &MockServer) -> Client {
    let config = OAuthConfig::new(format!("{}/token", server.uri()), "my-client", "my-secret")
        .scopes(vec!["openid".into(), "api".into()])
        .audience("kf");
    builder(server).auth(Auth::oauth(config)).build().unwrap()
}

#[tokio::test]
async fn oauth_token_is_fetched_once_and_cached() {
    let (server, issued) = oauth_server(3600, Duration::ZERO).await;
    Mock::given(header("authorization", "Bearer t1")).respond_with(json(AGENT)).expect(3).mount(&server).await;
    let client = oauth_client(&server);
    for _ in 0..3 {
        client.get_agents_by_id(agent_id()).send().await.unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn oauth_token_is_refreshed_before_it_expires() {
    let (server, issued) = oauth_server(1, Duration::ZERO).await;
    Mock::given(header("authorization", "Bearer t1")).respond_with(json(AGENT)).expect(1).mount(&server).await;
    Mock::given(header("authorization", "Bearer t2")).respond_with(json(AGENT)).expect(1).mount(&server).await;
    let client = oauth_client(&server);
    client.get_agents_by_id(agent_id()).send().await.unwrap();
    // A one-second token is refreshed after 0.9 s.
    tokio::time::sleep(Duration::from_millis(950)).await;
    client.get_agents_by_id(agent_id()).send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn fifty_concurrent_calls_share_one_token_fetch() {
    let (server, issued) = oauth_server(3600, Duration::from_millis(200)).await;
    Mock::given(header("authorization", "Bearer t1")).respond_with(json(AGENT)).expect(50).mount(&server).await;
    let client = oauth_client(&server);
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_agents_by_id(agent_id()).send().await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_401_fetches_a_new_token_and_retries_once() {
    let (server, issued) = oauth_server(3600, Duration::ZERO).await;
    Mock::given(header("authorization", "Bearer t1")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    Mock::given(header("authorization", "Bearer t2")).respond_with(json(AGENT)).expect(1).mount(&server).await;
    let client = oauth_client(&server);
    client.get_agents_by_id(agent_id()).send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);

    // A server that keeps refusing gets one new token, not a loop.
    let (server, issued) = oauth_server(3600, Duration::ZERO).await;
    Mock::given(path(format!("/KeyfactorAPI/Agents/{AGENT_ID}")))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let err = oauth_client(&server).get_agents_by_id(agent_id()).send().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"error":"invalid_client"}"#))
        .mount(&server)
        .await;
    let err = oauth_client(&server).get_agents_by_id(agent_id()).send().await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(message.contains("HTTP 400") && message.contains("invalid_client"), "{message}");
    assert!(!message.contains("my-secret"), "{message}");
}

/// Answers with the given statuses in turn, then 200.
struct Sequence {
    calls: AtomicUsize,
    first: Vec<ResponseTemplate>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.first.get(n).cloned().unwrap_or_else(|| json(AGENT))
    }
}

fn sequence(first: Vec<ResponseTemplate>) -> Sequence {
    Sequence { calls: AtomicUsize::new(0), first }
}

#[tokio::test]
async fn a_429_is_retried_after_the_time_the_server_asks_for() {
    let server = MockServer::start().await;
    let busy = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    Mock::given(method("GET")).respond_with(sequence(vec![busy])).expect(2).mount(&server).await;
    let started = Instant::now();
    builder(&server).build().unwrap().get_agents_by_id(agent_id()).send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_503_then_success_is_retried() {
    let server = MockServer::start().await;
    let unavailable = vec![ResponseTemplate::new(503), ResponseTemplate::new(502)];
    Mock::given(method("GET")).respond_with(sequence(unavailable)).expect(3).mount(&server).await;
    let agent = builder(&server).build().unwrap().get_agents_by_id(agent_id()).send().await.unwrap();
    assert_eq!(agent.client_machine.as_deref(), Some("orchestrator-1"));
}

#[tokio::test]
async fn retries_stop_at_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).expect(3).mount(&server).await;
    let client =
        builder(&server).retry_policy(RetryPolicy::default().max_retries(2).backoff(Duration::ZERO, Duration::ZERO));
    let err = client.build().unwrap().get_agents_by_id(agent_id()).send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn post_is_not_retried_unless_the_caller_opts_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(sequence(vec![ResponseTemplate::new(503)])).mount(&server).await;
    let err = builder(&server).build().unwrap().post_agents_approve(vec![AGENT_ID.into()]).send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests_to(&server, "/KeyfactorAPI/Agents/Approve").await, 1);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sequence(vec![ResponseTemplate::new(503), ResponseTemplate::new(204)]))
        .mount(&server)
        .await;
    let opted_in = builder(&server)
        .retry_policy(RetryPolicy::default().retry_non_idempotent(true).backoff(Duration::ZERO, Duration::ZERO));
    opted_in.build().unwrap().post_agents_approve(vec![AGENT_ID.into()]).send().await.unwrap();
    assert_eq!(requests_to(&server, "/KeyfactorAPI/Agents/Approve").await, 2);
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(json(AGENT).set_delay(Duration::from_secs(5))).mount(&server).await;
    let client = builder(&server).timeout(Duration::from_millis(200)).build().unwrap();
    let started = Instant::now();
    let err = client.get_agents_by_id(agent_id()).send().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { operation: "get_agents_by_id", .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder(format!("http://127.0.0.1:{port}/KeyfactorAPI"))
        .retry_policy(RetryPolicy::default().max_retries(1).backoff(Duration::ZERO, Duration::ZERO))
        .build()
        .unwrap();
    let err = client.get_agents_by_id(agent_id()).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { operation: "get_agents_by_id", .. }), "{err:?}");
}

async fn decode_error(body: &str) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(json(body)).mount(&server).await;
    builder(&server).build().unwrap().get_agents_by_id(agent_id()).send().await.unwrap_err()
}

#[tokio::test]
async fn members_that_do_not_fit_their_types_are_kept_and_the_response_decodes() {
    let server = MockServer::start().await;
    let body = r#"{"AgentId":"3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f","Status":true,"LastSeen":"12:00:00","Region":"eu","JobTypes":[{"Name":"x","Id":"not-a-uuid"}]}"#;
    Mock::given(method("GET")).respond_with(json(body)).mount(&server).await;
    let agent = builder(&server).build().unwrap().get_agents_by_id(agent_id()).send().await.unwrap();
    assert_eq!(agent.agent_id, Some(agent_id()));
    assert_eq!((agent.status.as_ref(), agent.last_seen), (None, None));
    assert_eq!(agent.unknown_fields.get("Status"), Some(&serde_json::json!(true)));
    assert_eq!(agent.unknown_fields.get("LastSeen"), Some(&serde_json::json!("12:00:00")));
    assert_eq!(agent.unknown_fields.get("Region"), Some(&serde_json::json!("eu")));
    assert_eq!(agent.job_types.as_ref().unwrap()[0].unknown_fields.get("Id"), Some(&serde_json::json!("not-a-uuid")));
}

#[tokio::test]
async fn malformed_and_truncated_json_are_decode_errors_with_the_path() {
    // A list item that is no object has no struct to keep it in.
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(json(r#"[{"ClientMachine":"a"},5]"#)).mount(&server).await;
    let err = builder(&server).build().unwrap().get_agents().send().await.unwrap_err();
    let Error::Decode { operation, status, path, snippet, .. } = &err else { panic!("{err:?}") };
    assert_eq!((*operation, *status, path.as_str()), ("get_agents", 200, "[1]"));
    assert!(snippet.starts_with(r#"[{"ClientMachine""#), "{snippet}");

    let err = decode_error(&AGENT[..20]).await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("EOF"), "{err}");

    let err = decode_error("").await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");

    let long = format!("[{}]", "1,".repeat(2000) + "1");
    let Error::Decode { snippet, .. } = decode_error(&long).await else { panic!() };
    assert!(snippet.len() <= 512);
}

#[tokio::test]
async fn an_html_error_page_keeps_its_text() {
    let server = MockServer::start().await;
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    let err = builder(&server).build().unwrap().get_agents_by_id(agent_id()).send().await.unwrap_err();
    let Error::Status { status, api_error, body, .. } = &err else { panic!("{err:?}") };
    assert_eq!((*status, api_error, body.as_str()), (500, &None, page));
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
}

#[tokio::test]
async fn garbage_bytes_never_panic() {
    let server = MockServer::start().await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(bytes.clone()))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(400).set_body_bytes(bytes)).mount(&server).await;
    let client = builder(&server).build().unwrap();
    assert!(matches!(client.get_agents_by_id(agent_id()).send().await, Err(Error::Decode { .. })));
    assert!(matches!(client.post_agents_approve(vec![]).send().await, Err(Error::Status { status: 400, .. })));
}

/// Serves `total` agents, `ReturnLimit` per page, with `X-Total-Count` when asked.
struct Pages {
    total: usize,
    with_total_count: bool,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request.url.query_pairs().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok()).unwrap()
        };
        let (page, limit) = (query("PageReturned"), query("ReturnLimit"));
        let items: Vec<String> = ((page - 1) * limit..(page * limit).min(self.total))
            .map(|i| format!(r#"{{"ClientMachine":"agent-{i}"}}"#))
            .collect();
        let response = json(&format!("[{}]", items.join(",")));
        if self.with_total_count { response.insert_header("X-Total-Count", self.total.to_string()) } else { response }
    }
}

async fn stream_agents(total: usize, with_total_count: bool) -> (Vec<String>, usize) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/KeyfactorAPI/Agents"))
        .respond_with(Pages { total, with_total_count })
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let agents: Vec<_> = client.get_agents().return_limit(2).stream().try_collect().await.unwrap();
    let names = agents.into_iter().map(|a| a.client_machine.unwrap()).collect();
    (names, requests_to(&server, "/KeyfactorAPI/Agents").await)
}

#[tokio::test]
async fn paging_streams_every_item_across_three_pages() {
    let (names, requests) = stream_agents(5, false).await;
    assert_eq!(names, ["agent-0", "agent-1", "agent-2", "agent-3", "agent-4"]);
    assert_eq!(requests, 3, "two full pages and a short one");

    // With X-Total-Count the stream stops without asking for an empty page.
    let (names, requests) = stream_agents(6, true).await;
    assert_eq!(names.len(), 6);
    assert_eq!(requests, 3);
    // Without it, a full last page needs one more (empty) page to be sure.
    let (_, requests) = stream_agents(6, false).await;
    assert_eq!(requests, 4);
}

#[tokio::test]
async fn paging_passes_the_other_parameters_and_stops_on_error() {
    let server = MockServer::start().await;
    Mock::given(query_param("QueryString", "ClientMachine -contains \"web\""))
        .and(query_param("PageReturned", "1"))
        .respond_with(json(&format!("[{AGENT},{AGENT}]")))
        .mount(&server)
        .await;
    Mock::given(query_param("PageReturned", "2")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let stream = client.get_agents().query_string("ClientMachine -contains \"web\"").return_limit(2).stream();
    let results: Vec<_> = futures_util::StreamExt::collect(stream).await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(results[2].as_ref().unwrap_err().status(), Some(500));
}

#[test]
fn debug_of_a_configured_client_shows_no_secret() {
    let basic = Client::builder("https://kf.example.com/KeyfactorAPI").auth(Auth::basic("CORP\\alice", "hunter2"));
    let oauth = Client::builder("https://kf.example.com/KeyfactorAPI").auth(Auth::oauth(OAuthConfig::new(
        "https://idp.example.com/token",
        "cid",
        "oauth-secret-value",
    )));
    let bearer = Client::builder("https://kf.example.com/KeyfactorAPI").auth(Auth::bearer("jwt-secret-value"));
    let mut shown = format!("{basic:?} {oauth:?} {bearer:?}");
    shown += &format!("{:?} {:?} {:?}", basic.build().unwrap(), oauth.build().unwrap(), bearer.build().unwrap());
    for secret in ["hunter2", "oauth-secret-value", "jwt-secret-value"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("alice") && shown.contains("kf.example.com"), "{shown}");
}

#[tokio::test]
async fn one_span_per_request_with_status_and_no_secret() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(json(AGENT)).mount(&server).await;
    let client = builder(&server).auth(Auth::basic("alice", "hunter2")).build().unwrap();
    let log = Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = {
        let log = log.clone();
        move || LogWriter(log.clone())
    };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    client.get_agents_by_id(agent_id()).send().await.unwrap();
    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let closes: Vec<&str> = text.lines().filter(|l| l.contains("keyfactor_request") && l.contains("close")).collect();
    assert_eq!(closes.len(), 1, "{text}");
    for field in
        ["operation=\"get_agents_by_id\"", "method=GET", "path=\"/Agents/{id}\"", "version=\"1.0\"", "status=200"]
    {
        assert!(closes[0].contains(field), "{field} missing in {text}");
    }
    assert!(!text.contains("hunter2") && !text.contains("Basic "), "{text}");
}

struct LogWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

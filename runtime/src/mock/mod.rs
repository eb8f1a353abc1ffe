//! Test doubles for code that uses a generated client (feature `mock`, for
//! dev-dependencies): a typed mock Keyfactor server, and a server that
//! replays recorded traffic. Both run on loopback on wiremock.
//!
//! A client crate's `mock` module wraps [`MockServer`] with one expectation
//! method per operation, of its client function's name and arguments
//! (`mock.get_agents_v2()` is not `mock.get_agents()`); the operation's own
//! setters narrow it (`.with(|r| r.return_limit(5))`). A request matches
//! when its method, path, version header, the expected query parameters and
//! headers, and the JSON body (if the expectation has one) agree. A request
//! no expectation matches is answered with status 501 and a text naming the
//! closest expectation and how it differs, which the client returns as
//! [`crate::Error::Status`]. Every expectation must be met at least once (or
//! `.times(n)`): checked by [`MockServer::verify`] and when the server is
//! dropped.

pub mod cassette;
mod replay;

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::Value;

pub use replay::ReplayServer;

use super::request::{OperationInfo, Request};
use super::{Client, GeneratedClient, RetryPolicy};

/// A request builder the mock can expect: generated for every operation.
pub trait MockOperation {
    /// What the operation returns.
    type Output;
    /// The operation.
    fn info(&self) -> &'static OperationInfo;
    /// The request the builder would send.
    fn mock_request(&self) -> crate::Result<Request>;
}

/// `impl MockOperation` for a generated request builder:
/// `mock_operation!(GetAgents => Vec<crate::types::AgentResponse>)`.
#[macro_export]
macro_rules! mock_operation {
    ($builder:ident => $output:ty) => {
        impl $crate::mock::MockOperation for $builder<'_> {
            type Output = $output;
            fn info(&self) -> &'static $crate::OperationInfo {
                &Self::INFO
            }
            fn mock_request(&self) -> $crate::Result<$crate::codegen::Request> {
                self.request()
            }
        }
    };
}

/// A typed mock Keyfactor Command server on loopback, with a client `C` of
/// a generated crate pointed at it; see the module docs. A client crate's
/// `mock::MockServer` wraps it and adds an expectation method per operation.
pub struct MockServer<C> {
    core: MockCore,
    client: C,
}

/// The server and its expectations, whatever the client.
pub struct MockCore {
    server: Loopback,
    expected: Arc<Mutex<Vec<Arc<Expected>>>>,
}

/// A wiremock server that is dropped on a thread of its own.
///
/// wiremock verifies expectations when its server is dropped, by blocking
/// (`futures::executor::block_on`) on tokio locks. Inside a tokio task whose
/// cooperative budget is used up, such a lock answers "not yet" and leaves
/// the wake-up to the runtime, which the blocked thread never gets back to:
/// a test that starts and drops servers in a loop without real I/O in
/// between used up the budget about every 26 servers and hung. On another
/// thread there is no budget; a failed verification still panics here.
pub(crate) struct Loopback(Option<wiremock::MockServer>);

impl Loopback {
    pub(crate) async fn start() -> Self {
        Loopback(Some(wiremock::MockServer::start().await))
    }

    /// A client of the server under `api_path`, without retries (a test
    /// double answers at once, and a retried request would hide a mismatch).
    pub(crate) fn client<C: GeneratedClient>(&self, api_path: &str) -> C {
        let client = Client::builder(format!("{}{api_path}", self.uri()))
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("a client for a loopback URL");
        C::from(client)
    }
}

impl std::ops::Deref for Loopback {
    type Target = wiremock::MockServer;

    fn deref(&self) -> &wiremock::MockServer {
        self.0.as_ref().expect("present until dropped")
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        let Some(server) = self.0.take() else { return };
        let dropped = std::thread::Builder::new().name("keyfactor-mock-drop".into()).spawn(move || drop(server));
        if let Ok(Err(panic)) = dropped.map(|thread| thread.join())
            && !std::thread::panicking()
        {
            std::panic::resume_unwind(panic);
        }
    }
}

/// The API path the mock serves under, as on a real server.
const API_PATH: &str = "/KeyfactorAPI";

impl<C: GeneratedClient> MockServer<C> {
    /// Starts a server on loopback.
    pub async fn start() -> Self {
        let server = Loopback::start().await;
        let expected: Arc<Mutex<Vec<Arc<Expected>>>> = Arc::default();
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Unmatched(expected.clone()))
            .with_priority(u8::MAX)
            .named("requests no expectation matches")
            .mount(&server)
            .await;
        let client = server.client(API_PATH);
        MockServer { core: MockCore { server, expected }, client }
    }
}

impl<C> MockServer<C> {
    /// A client pointed at this server (clone it to keep one).
    pub fn client(&self) -> &C {
        &self.client
    }

    /// The server's base URL, API path included.
    pub fn base_url(&self) -> String {
        format!("{}{API_PATH}", self.core.server.uri())
    }

    /// Panics, listing them, if some expectations were not met.
    pub async fn verify(&self) {
        self.core.server.verify().await;
    }

    /// Expects the request `builder` would send (for an operation without an
    /// expectation method of its own, or built step by step).
    pub fn expect<B: MockOperation>(&self, builder: B) -> Expect<'_, B> {
        Expect { mock: &self.core, builder, times: None }
    }
}

/// An expected request, to answer with [`Expect::respond`] and friends.
#[must_use = "an expectation does nothing until a `respond...` method is awaited"]
pub struct Expect<'m, B> {
    mock: &'m MockCore,
    builder: B,
    times: Option<u64>,
}

impl<'m, B: MockOperation> Expect<'m, B> {
    /// Narrows the expected request with the operation's own setters:
    /// `.with(|r| r.return_limit(5))`.
    pub fn with(mut self, narrow: impl FnOnce(B) -> B) -> Self {
        self.builder = narrow(self.builder);
        self
    }

    /// How many times the request must come (default: at least once).
    pub fn times(mut self, times: u64) -> Self {
        self.times = Some(times);
        self
    }

    /// Answers with the operation's success status and `value` as JSON.
    pub async fn respond(self, value: B::Output)
    where
        B::Output: Serialize,
    {
        let status = self.builder.info().success_status;
        self.mount(vec![reply(status, &value)]).await;
    }

    /// Answers with `status` and `body` as JSON (Keyfactor's error body is
    /// `{"ErrorCode": "0xA0...", "Message": "..."}`).
    pub async fn respond_status(self, status: u16, body: impl Serialize) {
        self.mount(vec![reply(status, &body)]).await;
    }

    /// Answers the first request with the first value, the next with the
    /// next, and so on, repeating the last: pages of a listing, a job's states.
    pub async fn respond_sequence(self, values: Vec<B::Output>)
    where
        B::Output: Serialize,
    {
        let status = self.builder.info().success_status;
        self.mount(values.iter().map(|v| reply(status, v)).collect()).await;
    }

    async fn mount(self, replies: Vec<wiremock::ResponseTemplate>) {
        let expected = Arc::new(Expected::of(&self.builder));
        self.mock.expected.lock().expect("expectations lock").push(expected.clone());
        let name = expected.describe();
        let mock = wiremock::Mock::given(ExpectedMatch(expected)).respond_with(Sequence::new(replies)).named(name);
        let mock = match self.times {
            Some(n) => mock.expect(n),
            None => mock.expect(1..),
        };
        mock.mount(&self.mock.server).await;
    }
}

fn reply(status: u16, body: &impl Serialize) -> wiremock::ResponseTemplate {
    let json = serde_json::to_value(body).expect("a value of the API's types encodes as JSON");
    let template = wiremock::ResponseTemplate::new(status);
    if json.is_null() { template } else { template.set_body_json(json) }
}

/// Answers in turn, repeating the last answer.
struct Sequence {
    replies: Vec<wiremock::ResponseTemplate>,
    next: std::sync::atomic::AtomicUsize,
}

impl Sequence {
    fn new(replies: Vec<wiremock::ResponseTemplate>) -> Self {
        Sequence { replies, next: Default::default() }
    }
}

impl wiremock::Respond for Sequence {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match self.replies.get(i.min(self.replies.len().saturating_sub(1))) {
            Some(reply) => reply.clone(),
            None => wiremock::ResponseTemplate::new(204),
        }
    }
}

/// What an expectation requires of a request.
struct Expected {
    function: &'static str,
    method: reqwest::Method,
    /// Decoded, below the API path.
    path: String,
    version: &'static str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    /// A request the builder could not even form (a body that does not encode).
    invalid: Option<String>,
}

impl Expected {
    fn of(builder: &impl MockOperation) -> Self {
        let info = builder.info();
        let mut expected = Expected {
            function: info.name,
            method: info.method.clone(),
            path: String::new(),
            version: info.version,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            invalid: None,
        };
        match builder.mock_request() {
            Ok(request) => {
                expected.path = decode(&request.path);
                expected.query = request.query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                expected.headers = request.headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                expected.body = request.body.as_deref().and_then(|b| serde_json::from_slice(b).ok());
            }
            Err(e) => expected.invalid = Some(e.to_string()),
        }
        expected
    }

    fn describe(&self) -> String {
        let query: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        format!("`{}`: {} {API_PATH}{}{query} (version {})", self.function, self.method, self.path, self.version)
    }

    /// How `request` differs from what is expected, each difference with
    /// how much it weighs; empty when it matches.
    fn differences(&self, request: &wiremock::Request) -> Vec<(Weight, String)> {
        let mut out = Vec::new();
        if let Some(why) = &self.invalid {
            out.push((Weight::Detail, format!("the expectation's request is invalid: {why}")));
        }
        if request.method.as_str() != self.method.as_str() {
            out.push((Weight::Method, format!("method is {}, expected {}", request.method, self.method)));
        }
        let path = decode(request.url.path());
        let path = path.strip_prefix(API_PATH).unwrap_or(&path);
        if path != self.path {
            out.push((Weight::Path, format!("path is {path}, expected {}", self.path)));
        }
        let version = header(request, "x-keyfactor-api-version");
        if version != Some(self.version) {
            let text =
                format!("x-keyfactor-api-version is {}, expected {}", version.unwrap_or("not sent"), self.version);
            out.push((Weight::Version, text));
        }
        let sent: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        for (name, value) in &self.query {
            let found: Vec<&String> = sent.iter().filter(|(k, _)| k == name).map(|(_, v)| v).collect();
            if !found.contains(&value) {
                out.push((Weight::Detail, format!("query {name} is {found:?}, expected {value:?}")));
            }
        }
        for (name, value) in &self.headers {
            let found = header(request, name);
            if found != Some(value.as_str()) {
                out.push((Weight::Detail, format!("header {name} is {found:?}, expected {value:?}")));
            }
        }
        if let Some(expected) = &self.body {
            match serde_json::from_slice::<Value>(&request.body) {
                Ok(body) if body == *expected => {}
                Ok(body) => out.push((Weight::Detail, format!("body is {body}, expected {expected}"))),
                Err(_) => out.push((Weight::Detail, format!("body is not JSON, expected {expected}"))),
            }
        }
        out
    }
}

/// How much a difference from an expectation weighs when the closest one is
/// chosen: an expectation of the same method and path is closer than any
/// other, then one of the same version, then the one with fewest other
/// differences (query, headers, body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Weight {
    Method,
    Path,
    Version,
    Detail,
}

/// Orders expectations by closeness to a request (see [`Weight`]); ties go
/// by the expectation's description, never by the order of registration.
fn closeness(differences: &[(Weight, String)]) -> [usize; 4] {
    let count = |w: Weight| differences.iter().filter(|(d, _)| *d == w).count();
    [count(Weight::Method), count(Weight::Path), count(Weight::Version), count(Weight::Detail)]
}

fn header<'r>(request: &'r wiremock::Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

fn decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned()
}

struct ExpectedMatch(Arc<Expected>);

impl wiremock::Match for ExpectedMatch {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.0.differences(request).is_empty()
    }
}

/// Answers a request no expectation matched: 501 and why.
struct Unmatched(Arc<Mutex<Vec<Arc<Expected>>>>);

impl wiremock::Respond for Unmatched {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let expected = self.0.lock().expect("expectations lock");
        let closest =
            expected.iter().map(|e| (e.differences(request), e)).min_by_key(|(d, e)| (closeness(d), e.describe()));
        let version = header(request, "x-keyfactor-api-version").unwrap_or("none");
        let mut text = format!(
            "keyfactor mock: no expectation matches {} {} (version {version})",
            request.method,
            decode(&request.url[url::Position::BeforePath..])
        );
        match closest {
            Some((differences, e)) => {
                let differences: Vec<&str> = differences.iter().map(|(_, d)| d.as_str()).collect();
                text.push_str(&format!("; closest is {}: {}", e.describe(), differences.join("; ")))
            }
            None => text.push_str("; no expectation is set"),
        }
        wiremock::ResponseTemplate::new(501).set_body_string(text)
    }
}

/// Whether two texts are date-times of the same instant.
fn same_instant(recorded: &str, sent: &str) -> bool {
    let parse = crate::datetime::parse;
    recorded.contains(':') && parse(recorded).is_some_and(|r| parse(sent) == Some(r))
}

/// Requests: every recorded field must be sent with an equal value; a field
/// recorded as null may be left out. Keys compare case-insensitively (as the
/// server binds them). `at` names the value in messages (`body`).
pub fn json_matches(recorded: &Value, sent: &Value, at: &str) -> Result<(), String> {
    match (recorded, sent) {
        (Value::Object(r), Value::Object(s)) => {
            for (key, value) in r {
                let found = s.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v);
                match found {
                    Some(sent) => json_matches(value, sent, &format!("{at}.{key}"))?,
                    None if value.is_null() => {}
                    None => return Err(format!("{at}.{key} recorded as {value} but not sent")),
                }
            }
            match s.iter().find(|(k, v)| !v.is_null() && !r.keys().any(|rk| rk.eq_ignore_ascii_case(k))) {
                Some((k, v)) => Err(format!("{at}.{k} sent as {v} but not recorded")),
                None => Ok(()),
            }
        }
        (Value::Array(r), Value::Array(s)) if r.len() == s.len() => {
            r.iter().zip(s).enumerate().try_for_each(|(i, (r, s))| json_matches(r, s, &format!("{at}[{i}]")))
        }
        (Value::Number(r), Value::Number(s)) if r.as_f64() == s.as_f64() => Ok(()),
        (r, s) if r == s => Ok(()),
        // One instant in two forms: a date-time is re-encoded in RFC 3339, UTC.
        (Value::String(r), Value::String(s)) if same_instant(r, s) => Ok(()),
        (r, s) => Err(format!("{at} is {s}, recorded {r}")),
    }
}

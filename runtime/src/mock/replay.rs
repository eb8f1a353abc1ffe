//! Serving recorded traffic to code under test.

use std::path::Path;
use std::sync::Mutex;

use super::cassette::{Cassette, CassetteError, Interaction, major_version};
use super::{decode, header, json_matches};
use crate::request::bound_query_name;
use crate::{Client, GeneratedClient, OperationInfo, RetryPolicy};

/// A loopback server that answers from a go-vcr cassette (the recordings of
/// Keyfactor's Terraform provider, or your own), routing as the server does:
/// path segments and query names compare case-insensitively and without
/// model-binding prefixes, versions `1` and `1.0` are one, and a recorded
/// body must match what is sent (unless the recording left it out).
/// Interactions are served in order: a request takes the first unused
/// matching one, or the last matching one once all are used. A request that
/// nothing recorded matches gets status 501 with the closest recording and
/// how it differs.
///
///
/// `C` is the client of a generated crate, whose operations tell where the
/// recording's API path ends; a client crate's `mock::ReplayServer` is this
/// type for its `Client`:
///
/// ```ignore
/// let replay = keyfactor_client::mock::ReplayServer::start("tests/recordings/agents.yaml").await?;
/// let agents = replay.client().get_agents().send().await?;
/// ```
pub struct ReplayServer<C> {
    server: wiremock::MockServer,
    client: C,
}

impl<C: GeneratedClient> ReplayServer<C> {
    /// Starts a server answering from the cassette at `path`.
    pub async fn start(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        let cassette = Cassette::read(path.as_ref())?;
        let prefix =
            cassette.interactions.first().map(|i| api_path(&i.request.path(), C::operations())).unwrap_or_default();
        let server = wiremock::MockServer::start().await;
        let used = vec![false; cassette.interactions.len()];
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Replay { cassette, used: Mutex::new(used) })
            .mount(&server)
            .await;
        let client = Client::builder(format!("{}{prefix}", server.uri()))
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("a client for a loopback URL");
        Ok(ReplayServer { server, client: C::from(client) })
    }
}

impl<C> ReplayServer<C> {
    /// A client pointed at the server, under the recording's API path.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// The server's address, without the API path.
    pub fn uri(&self) -> String {
        self.server.uri()
    }
}

/// The API path of a recorded request path: what comes before the first
/// segment that an operation of the client starts with
/// (`/Keyfactor/API/Agents/3` -> `/Keyfactor/API`).
fn api_path(path: &str, operations: &[&OperationInfo]) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let first_segments: Vec<&str> =
        operations.iter().filter_map(|op| op.path.split('/').find(|s| !s.is_empty())).collect();
    let start = segments.iter().position(|s| first_segments.iter().any(|f| f.eq_ignore_ascii_case(s)));
    let start = start.unwrap_or(segments.len().saturating_sub(1));
    segments[..start].iter().map(|s| format!("/{s}")).collect()
}

struct Replay {
    cassette: Cassette,
    used: Mutex<Vec<bool>>,
}

impl wiremock::Respond for Replay {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let differences: Vec<Vec<String>> =
            self.cassette.interactions.iter().map(|i| differences(i, request)).collect();
        let matching: Vec<usize> = (0..differences.len()).filter(|&i| differences[i].is_empty()).collect();
        let mut used = self.used.lock().expect("replay lock");
        let chosen = matching.iter().copied().find(|&i| !used[i]).or_else(|| matching.last().copied());
        match chosen {
            Some(i) => {
                used[i] = true;
                self.cassette.interactions[i].response.to_template()
            }
            None => unrecorded(&self.cassette, &differences, request),
        }
    }
}

/// How `sent` differs from the recorded request; empty when it matches.
fn differences(interaction: &Interaction, sent: &wiremock::Request) -> Vec<String> {
    let recorded = &interaction.request;
    let mut out = Vec::new();
    if !sent.method.as_str().eq_ignore_ascii_case(&recorded.method) {
        out.push(format!("method {} instead of {}", sent.method, recorded.method));
    }
    let segments = |path: &str| -> Vec<String> {
        path.split('/').filter(|s| !s.is_empty()).map(|s| decode(s).to_ascii_lowercase()).collect()
    };
    if segments(sent.url.path()) != segments(&recorded.path()) {
        out.push(format!("path {}, recorded {}", sent.url.path(), recorded.path()));
    }
    let normalize = |pairs: Vec<(String, String)>| {
        let mut pairs: Vec<(String, String)> =
            pairs.into_iter().map(|(k, v)| (bound_query_name(&k).to_ascii_lowercase(), v)).collect();
        pairs.sort();
        pairs
    };
    let (want, got) = (normalize(recorded.query()), normalize(sent.url.query_pairs().into_owned().collect()));
    if want != got {
        out.push(format!("query {got:?}, recorded {want:?}"));
    }
    let version = header(sent, "x-keyfactor-api-version").map_or(1, major_version);
    if version != recorded.version() {
        out.push(format!("version {version}, recorded {}", recorded.version()));
    }
    if recorded.body_recorded() {
        let sent_body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap_or_default();
        let recorded_body = recorded.json_body().unwrap_or_default();
        if let Err(why) = json_matches(&recorded_body, &sent_body, "body") {
            out.push(why);
        }
    }
    out
}

fn unrecorded(
    cassette: &Cassette,
    differences: &[Vec<String>],
    sent: &wiremock::Request,
) -> wiremock::ResponseTemplate {
    let mut text = format!(
        "keyfactor replay: nothing recorded matches {} {}",
        sent.method,
        decode(&sent.url[url::Position::BeforePath..])
    );
    let closest = differences.iter().enumerate().min_by_key(|(_, d)| d.len());
    match closest {
        Some((i, why)) => {
            let r = &cassette.interactions[i].request;
            text.push_str(&format!("; closest is interaction {i} ({} {}): {}", r.method, r.path(), why.join("; ")));
        }
        None => text.push_str("; the cassette has no interactions"),
    }
    wiremock::ResponseTemplate::new(501).set_body_string(text)
}

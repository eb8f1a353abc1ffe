//! Serving recorded traffic to code under test.

use std::path::Path;
use std::sync::Mutex;

use super::cassette::{Cassette, CassetteError, Interaction, major_version};
use super::{Loopback, decode, header, json_matches};
use crate::GeneratedClient;
use crate::request::bound_query_name;

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
/// `C` is the client of a generated crate, whose endpoints (all of its
/// release's, whatever areas are compiled in) tell where the recording's API
/// path ends; a client crate's `mock::ReplayServer` is this
/// type for its `Client`:
///
/// ```ignore
/// let replay = keyfactor_client::mock::ReplayServer::start("tests/recordings/agents.yaml").await?;
/// let agents = replay.client().get_agents().send().await?;
/// ```
pub struct ReplayServer<C> {
    server: Loopback,
    client: C,
}

impl<C: GeneratedClient> ReplayServer<C> {
    /// Starts a server answering from the cassette at `path`.
    pub async fn start(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        let cassette = Cassette::read(path.as_ref())?;
        let paths: Vec<String> = cassette.interactions.iter().map(|i| i.request.path()).collect();
        let prefix = api_path(&paths, C::PATHS);
        let server = Loopback::start().await;
        let used = vec![false; cassette.interactions.len()];
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Replay { cassette, used: Mutex::new(used) })
            .mount(&server)
            .await;
        let client = server.client(&prefix);
        Ok(ReplayServer { server, client })
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

/// The API path the recorded requests were made under (`/Keyfactor/API`,
/// `/KeyfactorAPI`): of the prefixes all recorded paths share, the one after
/// which most of them are a path of one of the client's operations
/// (segments compared as the server routes; a `{parameter}` takes any one),
/// of any area.
/// The order of the recording does not matter, nor whether its first request
/// is one this client has; among prefixes that explain equally many, the
/// shortest. A recording none of whose requests the client can make keeps
/// the prefix all its paths share but their last segment.
fn api_path(paths: &[String], endpoints: &[&str]) -> String {
    let recorded: Vec<Vec<String>> = paths.iter().map(|p| segments(p)).collect();
    let templates: Vec<Vec<&str>> =
        endpoints.iter().map(|path| path.split('/').filter(|s| !s.is_empty()).collect()).collect();
    let shared = recorded.iter().skip(1).fold(recorded.first().cloned().unwrap_or_default(), |shared, path| {
        shared.iter().zip(path).take_while(|(a, b)| a.eq_ignore_ascii_case(b)).map(|(a, _)| a.clone()).collect()
    });
    let explained = |depth: usize| {
        recorded.iter().filter(|path| templates.iter().any(|t| routes(t, &path[depth.min(path.len())..]))).count()
    };
    let best = (0..=shared.len()).max_by_key(|&depth| (explained(depth), std::cmp::Reverse(depth)));
    let depth = match best {
        Some(depth) if explained(depth) > 0 => depth,
        _ => shared.len().min(recorded.iter().map(Vec::len).min().unwrap_or(0).saturating_sub(1)),
    };
    shared[..depth].iter().map(|s| format!("/{s}")).collect()
}

/// A path's segments, percent-decoded.
fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(decode).collect()
}

/// Whether `path` is a path of the operation `template`.
fn routes(template: &[&str], path: &[String]) -> bool {
    template.len() == path.len()
        && template.iter().zip(path).all(|(t, p)| t.starts_with('{') || t.eq_ignore_ascii_case(p))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base(paths: &[&str], templates: &[&'static str]) -> String {
        api_path(&paths.iter().map(|p| p.to_string()).collect::<Vec<_>>(), templates)
    }

    #[test]
    fn the_api_path_is_what_the_recorded_requests_share_before_an_operation_path() {
        let ops = ["/Security/Roles", "/Security/Roles/{id}", "/EnrollmentPatterns/{id}", "/Agents"];
        // The first request's endpoint is one this client lacks; a later one tells.
        let paths = ["/KeyfactorAPI/Security/Identities", "/KeyfactorAPI/EnrollmentPatterns/25"];
        assert_eq!(base(&paths, &ops), "/KeyfactorAPI");
        // Any order; another install's path.
        let paths = ["/Keyfactor/API/EnrollmentPatterns/1", "/Keyfactor/API/Security/Roles"];
        assert_eq!(base(&paths, &ops), "/Keyfactor/API");
        // All requests to one endpoint: the shared prefix is longer than the API path.
        let paths = ["/KeyfactorAPI/Security/Roles/909", "/KeyfactorAPI/Security/Roles/910"];
        assert_eq!(base(&paths, &ops), "/KeyfactorAPI");
        // Only unknown endpoints: all but the last segment they share.
        assert_eq!(base(&["/KeyfactorAPI/Nowhere/1", "/KeyfactorAPI/Nowhere/2"], &ops), "/KeyfactorAPI/Nowhere");
        assert_eq!(base(&[], &ops), "");
        // Segments compare case-insensitively and percent-decoded.
        assert_eq!(base(&["/api/security/roles", "/api/Agents"], &ops), "/api");
    }
}

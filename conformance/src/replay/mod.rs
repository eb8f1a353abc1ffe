//! `cargo xtask replay <DIR>`: replays recorded Keyfactor Command traffic
//! (go-vcr cassettes) through the generated client.
//!
//! For every interaction: find the operation the request was for (from the
//! model of the documents, so no code per endpoint), serve the recorded
//! response from a loopback server, call the operation through the client's
//! generated `dynamic::call` with the recorded arguments, then check that the
//! client sent what was recorded and decoded what the server answered.

mod compare;
mod route;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use keyfactor_client::{Client, DynamicArgs, Error, RetryPolicy};
use keyfactor_generator::model::{Api, Location, Operation, Success};
use wiremock::{Mock, MockServer};

use keyfactor_client::mock::cassette::{Cassette, Interaction};

/// What became of one interaction.
#[derive(Debug)]
pub enum Outcome {
    /// Everything recorded matched.
    Matched(Matched),
    /// The client or the documents disagree with the recording; the first difference.
    Mismatched(String),
    /// The documents have no endpoint for the request.
    Unsupported(String),
}

/// What a matched interaction carried besides what the documents declare.
#[derive(Debug, Default)]
pub struct Matched {
    /// What could not be compared.
    pub notes: Vec<String>,
    /// Query parameters and members of the recorded request body the
    /// documents do not declare, sent through the builder's `extra_query`
    /// and the body's `unknown_fields` (`query.verbose`, `body.StoreType`).
    pub undeclared_sent: Vec<String>,
    /// Members of the recorded response the documents do not declare, kept
    /// through decoding and re-encoding (`$.Policies.KeyInfo`).
    pub undeclared_received: Vec<String>,
    /// Declared members whose recorded values do not fit the documents'
    /// types, carried as recorded (request `body.…`, response `$.…`).
    pub mistyped: Vec<String>,
}

/// One cassette's results.
#[derive(Debug)]
pub struct FileReport {
    pub file: PathBuf,
    /// (interaction id, "METHOD path -> function", outcome)
    pub interactions: Vec<(usize, String, Outcome)>,
}

impl FileReport {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.interactions.iter().filter(|(_, _, o)| f(o)).count()
    }

    pub fn mismatched(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Mismatched(_)))
    }

    pub fn unsupported(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Unsupported(_)))
    }

    /// Undeclared members carried: (sent in requests, received in responses).
    pub fn undeclared(&self) -> (usize, usize) {
        self.interactions.iter().fold((0, 0), |(sent, received), (_, _, o)| match o {
            Outcome::Matched(m) => (sent + m.undeclared_sent.len(), received + m.undeclared_received.len()),
            _ => (sent, received),
        })
    }
}

/// Replays every `*.yaml` cassette in `dir` against the model `api`.
pub fn replay_dir(api: &Api, dir: &Path) -> Result<Vec<FileReport>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    files
        .into_iter()
        .map(|file| {
            let cassette = Cassette::read(&file)?;
            let interactions = runtime.block_on(async {
                let mut out = Vec::new();
                for (i, interaction) in cassette.interactions.iter().enumerate() {
                    let (label, outcome) = replay_one(api, interaction).await;
                    out.push((interaction.id.unwrap_or(i), label, outcome));
                }
                out
            });
            Ok(FileReport { file, interactions })
        })
        .collect()
}

/// The report as text: a line per file, and the difference of each mismatch.
pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let name = r.file.file_name().map_or_else(|| r.file.display().to_string(), |n| n.to_string_lossy().into());
        let total = r.interactions.len();
        let (bad, unsupported) = (r.mismatched(), r.unsupported());
        let (sent, received) = r.undeclared();
        let _ = writeln!(
            out,
            "{name}: {total} replayed, {} matched, {bad} mismatched, {unsupported} unsupported; \
             {} undeclared members carried ({sent} sent, {received} received)",
            total - bad - unsupported,
            sent + received,
        );
        for (id, label, outcome) in &r.interactions {
            match outcome {
                Outcome::Matched(m) => {
                    for note in &m.notes {
                        let _ = writeln!(out, "  #{id} {label}: matched; {note}");
                    }
                    if !m.mistyped.is_empty() {
                        let _ = writeln!(
                            out,
                            "  #{id} {label}: carried as recorded, not of the declared type: {}",
                            m.mistyped.join(", ")
                        );
                    }
                    if !m.undeclared_sent.is_empty() || !m.undeclared_received.is_empty() {
                        let list =
                            |members: &[String]| if members.is_empty() { "none".into() } else { members.join(", ") };
                        let _ = writeln!(
                            out,
                            "  #{id} {label}: undeclared, sent {}; received {}",
                            list(&m.undeclared_sent),
                            list(&m.undeclared_received)
                        );
                    }
                }
                Outcome::Mismatched(why) => drop(writeln!(out, "  #{id} {label}: MISMATCH {why}")),
                Outcome::Unsupported(why) => drop(writeln!(out, "  #{id} {label}: unsupported: {why}")),
            }
        }
    }
    out
}

async fn replay_one(api: &Api, interaction: &Interaction) -> (String, Outcome) {
    let request = &interaction.request;
    let mut label = format!("{} {}", request.method, request.path());
    let route = match route::find(api, &request.method, &request.path(), request.version()) {
        Ok(route) => route,
        Err(why) => return (label, Outcome::Unsupported(why)),
    };
    let op = route.operation;
    label = format!("{} {}{} -> {} ({})", request.method, route.prefix, route.rest, op.fn_name, op.version.header);
    let outcome = match check(api, interaction, &route).await {
        Ok(matched) => Outcome::Matched(matched),
        Err(why) => Outcome::Mismatched(why),
    };
    (label, outcome)
}

/// Replays one interaction; `Ok` says what could not be compared and what
/// was carried that the documents do not declare.
async fn check(api: &Api, interaction: &Interaction, route: &route::Route<'_>) -> Result<Matched, String> {
    let op = route.operation;
    let args = arguments(api, interaction, route)?;
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(interaction.response.to_template()).mount(&server).await;
    let client = Client::from(
        keyfactor_client::keyfactor_runtime::Client::builder(format!("{}{}", server.uri(), route.prefix))
            .retry_policy(RetryPolicy::none())
            .build()
            .map_err(|e| e.to_string())?,
    );
    let result = keyfactor_client::dynamic::call(&client, &op.fn_name, &args).await;
    if let Err(Error::InvalidArgument { message, .. }) = &result {
        return Err(format!("the recorded request does not fit the operation: {message}"));
    }
    let sent = server.received_requests().await.unwrap_or_default();
    let [sent] = sent.as_slice() else { return Err(format!("the client sent {} requests, not 1", sent.len())) };
    compare::request(api, op, route, &interaction.request, sent).map_err(|e| format!("request: {e}"))?;
    compare::response(api, op, &interaction.response, result).map_err(|e| format!("response: {e}"))?;
    let mut matched = Matched::default();
    if op.body.is_some() && !interaction.request.body_recorded() {
        matched.notes.push("request body not recorded".into());
    }
    let declared: Vec<&str> =
        op.params.iter().filter(|p| p.location == Location::Query).map(|p| p.wire.as_str()).collect();
    matched.undeclared_sent.extend(args.undeclared_query(&declared).map(|(name, _)| format!("query.{name}")));
    if let (Some(body), Some(json)) = (&op.body, &args.body) {
        compare::undeclared(api, &body.ty, json, "body", &mut matched.undeclared_sent);
        compare::mistyped(api, &body.ty, json, "body", &mut matched.mistyped);
    }
    let response_json = serde_json::from_str(interaction.response.body.as_deref().unwrap_or(""));
    if let (Success::Json { ty, .. }, true, Ok(json)) =
        (&op.success, (200..300).contains(&interaction.response.code), response_json)
    {
        compare::undeclared(api, ty, &json, "$", &mut matched.undeclared_received);
        compare::mistyped(api, ty, &json, "$", &mut matched.mistyped);
    }
    Ok(matched)
}

/// The recorded request's arguments, by the operation's parameter names.
fn arguments(api: &Api, interaction: &Interaction, route: &route::Route<'_>) -> Result<DynamicArgs, String> {
    let op = route.operation;
    let request = &interaction.request;
    let mut args = DynamicArgs::default();
    args.path = route.path_args.clone();
    args.query = request.query();
    for p in op.params.iter().filter(|p| p.location == Location::Header) {
        if let Some(value) = request.header(&p.wire) {
            args.headers.push((p.wire.clone(), value.to_string()));
        }
    }
    if let Some(body) = op.body.as_ref().filter(|_| request.body_recorded()) {
        let recorded = request.json_body().ok_or("the recorded request body is not JSON")?;
        args.body = Some(compare::canonical_keys(api, &body.ty, recorded));
    }
    Ok(args)
}

/// The declared success of `op`, for messages.
fn expected(op: &Operation) -> &'static str {
    match op.success {
        Success::Empty { .. } => "no content",
        Success::Json { .. } => "JSON",
    }
}

#[cfg(test)]
mod tests;

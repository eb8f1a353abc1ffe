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
    /// Everything recorded matched; the notes say what could not be compared.
    Matched(Vec<String>),
    /// The client or the documents disagree with the recording; the first difference.
    Mismatched(String),
    /// The documents have no endpoint for the request.
    Unsupported(String),
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
        let _ = writeln!(
            out,
            "{name}: {total} replayed, {} matched, {bad} mismatched, {unsupported} unsupported",
            total - bad - unsupported
        );
        for (id, label, outcome) in &r.interactions {
            match outcome {
                Outcome::Matched(notes) => {
                    for note in notes {
                        let _ = writeln!(out, "  #{id} {label}: matched; {note}");
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
        Ok(notes) => Outcome::Matched(notes),
        Err(why) => Outcome::Mismatched(why),
    };
    (label, outcome)
}

/// Replays one interaction; `Ok` holds notes on what could not be compared.
async fn check(api: &Api, interaction: &Interaction, route: &route::Route<'_>) -> Result<Vec<String>, String> {
    let op = route.operation;
    let args = arguments(api, interaction, route)?;
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(interaction.response.to_template()).mount(&server).await;
    let client = Client::builder(format!("{}{}", server.uri(), route.prefix))
        .retry_policy(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let result = keyfactor_client::dynamic::call(&client, &op.fn_name, &args).await;
    if let Err(Error::InvalidArgument { message, .. }) = &result {
        return Err(format!("the recorded request does not fit the operation: {message}"));
    }
    let sent = server.received_requests().await.unwrap_or_default();
    let [sent] = sent.as_slice() else { return Err(format!("the client sent {} requests, not 1", sent.len())) };
    compare::request(api, op, route, &interaction.request, sent).map_err(|e| format!("request: {e}"))?;
    compare::response(api, op, &interaction.response, result).map_err(|e| format!("response: {e}"))?;
    let unrecorded_body = op.body.is_some() && !interaction.request.body_recorded();
    Ok(unrecorded_body.then(|| "request body not recorded".to_string()).into_iter().collect())
}

/// The recorded request's arguments, by the operation's parameter names.
fn arguments(api: &Api, interaction: &Interaction, route: &route::Route<'_>) -> Result<DynamicArgs, String> {
    let op = route.operation;
    let request = &interaction.request;
    let mut args = DynamicArgs { path: route.path_args.clone(), query: request.query(), ..Default::default() };
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

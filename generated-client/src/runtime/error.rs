//! The client's one error type.

use std::fmt;

/// Longest piece of a response body kept in an error.
const SNIPPET: usize = 512;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a request. Each variant names the
/// operation (the client method) it happened in.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured with something unusable.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// Credentials could not be obtained (the OAuth token endpoint failed).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The request could not be sent or the response not received.
    #[error("{operation}: request failed: {source}")]
    Transport {
        operation: &'static str,
        #[source]
        source: reqwest::Error,
    },
    /// No response within the configured timeout.
    #[error("{operation}: no response within the timeout")]
    Timeout {
        operation: &'static str,
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error status.
    #[error("{operation}: HTTP {status}{}{}", api_error.as_ref().map(|e| format!(": {e}")).unwrap_or_else(|| snippet_suffix(body)), correlation_suffix(correlation_id))]
    Status {
        operation: &'static str,
        status: u16,
        /// Keyfactor's error body, when the response has one.
        api_error: Option<ApiError>,
        /// The response body as text (at most 512 bytes).
        body: String,
        correlation_id: Option<String>,
    },
    /// The response does not have the shape the documents declare.
    #[error("{operation}: cannot decode the HTTP {status} response at `{path}`: {message}; body: {snippet:?}")]
    Decode {
        operation: &'static str,
        status: u16,
        /// Where in the JSON decoding failed, e.g. `[3].Name`.
        path: String,
        message: String,
        /// The start of the body (at most 512 bytes).
        snippet: String,
    },
    /// An argument given as text (see the `dynamic` feature) does not fit the
    /// parameter's type.
    #[error("{operation}: {message}")]
    InvalidArgument { operation: &'static str, message: String },
    /// The request body could not be encoded as JSON.
    #[error("{operation}: cannot encode the request body: {source}")]
    Encode {
        operation: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The error body Keyfactor Command sends with most error statuses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ApiError {
    #[serde(rename = "ErrorCode", default)]
    pub code: Option<String>,
    #[serde(rename = "Message", default)]
    pub message: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{message} (error code {code})"),
            (None, Some(message)) => f.write_str(message),
            (Some(code), None) => write!(f, "error code {code}"),
            (None, None) => f.write_str("no message"),
        }
    }
}

fn snippet_suffix(body: &str) -> String {
    if body.trim().is_empty() { String::new() } else { format!(": {:?}", body.trim()) }
}

fn correlation_suffix(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" (correlation id {id})")).unwrap_or_default()
}

/// The first bytes of `body` as text, cut at a character boundary.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET)]);
    text.trim_end_matches('\u{fffd}').to_string()
}

/// Reads Keyfactor's error body, if the body is one.
pub(crate) fn api_error(body: &[u8]) -> Option<ApiError> {
    serde_json::from_slice::<ApiError>(body).ok().filter(|e| e.code.is_some() || e.message.is_some())
}

//! The client's one error type.

use std::fmt;

/// Longest piece of a response body kept in an error.
const SNIPPET: usize = 512;

/// The result of every client call.
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
    /// The request could not be sent or the response not received. The
    /// message says why in plain words where the cause is known (the host
    /// name does not resolve, nothing listens there, the TLS certificate is
    /// not trusted or not for that name), then the whole chain of causes.
    #[error("{operation}: request failed: {}", cause(source))]
    Transport {
        /// The operation (`Client` method) that failed.
        operation: &'static str,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// No response within the configured timeout.
    #[error(
        "{operation}: no response within the timeout (raise it with `ClientBuilder::timeout` or KEYFACTOR_CLIENT_TIMEOUT): {}",
        chain(source)
    )]
    Timeout {
        /// The operation (`Client` method) that failed.
        operation: &'static str,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error status.
    #[error("{operation}: HTTP {status}{}{}", api_error.as_ref().map(|e| format!(": {e}")).unwrap_or_else(|| snippet_suffix(body)), correlation_suffix(correlation_id))]
    Status {
        /// The operation (`Client` method) that failed.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// Keyfactor's error body, when the response has one.
        api_error: Option<ApiError>,
        /// The response body as text (at most 512 bytes).
        body: String,
        /// `X-Keyfactor-Correlation-Id` of the response, for finding the request in the server's logs.
        correlation_id: Option<String>,
    },
    /// The server does not offer the API version this function sends: it runs
    /// an older Keyfactor Command release that lacks this version of the
    /// endpoint (ASP.NET API versioning's `UnsupportedApiVersion`). Call the
    /// function of a version it offers instead (`get_x` for `get_x_v2`).
    #[error(
        "{operation}: the server does not offer version {requested} of this endpoint{}{}",
        offered_suffix(supported),
        correlation_suffix(correlation_id)
    )]
    UnsupportedApiVersion {
        /// The operation (`Client` method) that failed.
        operation: &'static str,
        /// The `x-keyfactor-api-version` the function sent.
        requested: &'static str,
        /// The versions the server offers for the endpoint (its
        /// `api-supported-versions` header); empty when it did not say.
        supported: Vec<String>,
        /// `X-Keyfactor-Correlation-Id` of the response, for finding the request in the server's logs.
        correlation_id: Option<String>,
    },
    /// The response does not have the shape the documents declare.
    #[error("{operation}: cannot decode the HTTP {status} response at `{path}`: {message}; body: {snippet:?}")]
    Decode {
        /// The operation (`Client` method) that failed.
        operation: &'static str,
        /// The HTTP status code of the response.
        status: u16,
        /// Where in the JSON decoding failed, e.g. `[3].Name`.
        path: String,
        /// What did not fit.
        message: String,
        /// The start of the body (at most 512 bytes).
        snippet: String,
    },
    /// An argument given as text (see the `dynamic` feature) does not fit the
    /// parameter's type.
    #[error("{operation}: {message}")]
    InvalidArgument {
        /// The operation the argument is for.
        operation: &'static str,
        /// What does not fit.
        message: String,
    },
    /// Not a failure: the client was built with
    /// [`ClientBuilder::dry_run`](crate::ClientBuilder::dry_run), and this is
    /// the request it would have sent.
    #[error("{0}")]
    DryRun(Box<DryRun>),
    /// The request body could not be encoded as JSON.
    #[error("{operation}: cannot encode the request body: {source}")]
    Encode {
        /// The operation (`Client` method) that failed.
        operation: &'static str,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::UnsupportedApiVersion { .. } => Some(400),
            _ => None,
        }
    }
}

/// Whether an error response says the requested API version is not offered.
/// ASP.NET API versioning answers 400 with `{"error":{"code":
/// "UnsupportedApiVersion"}}` in older versions and a problem-details body
/// whose `type` ends in `unsupported-api-version` in newer ones; Keyfactor
/// may also carry the code as its `ErrorCode`.
pub(crate) fn is_unsupported_version(status: u16, body: &[u8]) -> bool {
    if status != 400 {
        return false;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else { return false };
    let text = |pointer: &str| value.pointer(pointer).and_then(serde_json::Value::as_str).unwrap_or("");
    ["/error/code", "/code", "/ErrorCode"].iter().any(|p| text(p).eq_ignore_ascii_case("UnsupportedApiVersion"))
        || text("/type").trim_end_matches('/').to_ascii_lowercase().ends_with("unsupported-api-version")
}

/// The versions an `api-supported-versions` header lists: `1.0, 2`.
pub(crate) fn supported_versions(header: Option<&str>) -> Vec<String> {
    header.unwrap_or("").split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect()
}

fn offered_suffix(supported: &[String]) -> String {
    if supported.is_empty() { String::new() } else { format!(" (it offers {})", supported.join(", ")) }
}

/// The error body Keyfactor Command sends with most error statuses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ApiError {
    /// Keyfactor's `ErrorCode`, e.g. `0xA0110001`.
    #[serde(rename = "ErrorCode", default)]
    pub code: Option<String>,
    /// Keyfactor's `Message`.
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

/// Every message of `error` and its sources, each once: reqwest's own is
/// "error sending request", the reason is further down.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut messages: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let message = e.to_string();
        if !messages.iter().any(|m| m.contains(&message)) {
            messages.push(message);
        }
        next = e.source();
    }
    messages.join(": ")
}

/// Why a request failed, in words a user can act on, then the chain.
fn cause(error: &reqwest::Error) -> String {
    let chain = chain(error);
    match hint(error, &chain.to_ascii_lowercase()) {
        Some(hint) => format!("{hint} ({chain})"),
        None => chain,
    }
}

fn hint(error: &reqwest::Error, chain: &str) -> Option<&'static str> {
    let io_kind = {
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
        let mut kind = None;
        while let Some(e) = next {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                kind = Some(io.kind());
            }
            next = e.source();
        }
        kind
    };
    Some(if chain.contains("dns error") || chain.contains("failed to lookup address") {
        "the server's host name does not resolve: check the host in the base URL (KEYFACTOR_HOSTNAME)"
    } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) || chain.contains("connection refused") {
        "the connection was refused: nothing listens at that host and port (check KEYFACTOR_HOSTNAME and KEYFACTOR_PORT)"
    } else if chain.contains("unknownissuer") || chain.contains("unknown issuer") {
        "the server's TLS certificate is not signed by a CA this client trusts: give its CA \
         (KEYFACTOR_CA_CERT or `ClientBuilder::ca_certificate_pem`)"
    } else if chain.contains("notvalidforname") || chain.contains("not valid for name") {
        "the server's TLS certificate is not for this host name: use a name the certificate lists"
    } else if chain.contains("expired") && chain.contains("certificate") {
        "the server's TLS certificate has expired"
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake") {
        "the TLS handshake with the server failed"
    } else if io_kind == Some(std::io::ErrorKind::ConnectionReset) || chain.contains("connection closed") {
        "the server closed the connection"
    } else {
        return None;
    })
}

/// The body as plain text on one line (no quotes escaped: a mock's hint or
/// a server's message reads as written).
fn snippet_suffix(body: &str) -> String {
    let line: String = body.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if line.is_empty() { String::new() } else { format!(": {line}") }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_of_unsupported_api_version_answers() {
        let legacy = br#"{"error":{"code":"UnsupportedApiVersion","message":"The HTTP resource ... does not support the API version '2'."}}"#;
        let problem = br#"{"type":"https://docs.api-versioning.org/problems#unsupported-api-version","title":"Unsupported API version","status":400}"#;
        let keyfactor = br#"{"ErrorCode":"UnsupportedApiVersion","Message":"no"}"#;
        for body in [&legacy[..], &problem[..], &keyfactor[..]] {
            assert!(is_unsupported_version(400, body), "{}", String::from_utf8_lossy(body));
        }
        assert!(!is_unsupported_version(404, legacy));
        assert!(!is_unsupported_version(400, br#"{"ErrorCode":"0xA0110002","Message":"bad"}"#));
        assert!(!is_unsupported_version(400, b"<html>"));
        assert_eq!(supported_versions(Some("1.0, 2")), ["1.0", "2"]);
        assert!(supported_versions(None).is_empty());
    }
}

/// A request as it would have been sent (see [`Error::DryRun`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRun {
    /// The operation (`Client` method).
    pub operation: &'static str,
    /// The HTTP method.
    pub method: String,
    /// The whole URL, query included.
    pub url: String,
    /// The headers, in order; credentials are replaced by `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: Option<String>,
}

impl DryRun {
    pub(crate) fn of(operation: &'static str, request: &reqwest::Request, auth: &str) -> Self {
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let secret = name == reqwest::header::AUTHORIZATION || value.is_sensitive();
                let value = if secret { "<redacted>".into() } else { String::from_utf8_lossy(value.as_bytes()).into() };
                (name.as_str().to_string(), value)
            })
            .collect();
        if auth != "none" {
            headers.push(("authorization".into(), format!("<{auth}, redacted>")));
        }
        let body = request.body().and_then(|b| b.as_bytes()).map(|b| String::from_utf8_lossy(b).into_owned());
        DryRun { operation, method: request.method().to_string(), url: request.url().to_string(), headers, body }
    }
}

impl fmt::Display for DryRun {
    /// As an HTTP request reads: the request line, the headers, the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            write!(f, "\n{body}\n")?;
        }
        Ok(())
    }
}

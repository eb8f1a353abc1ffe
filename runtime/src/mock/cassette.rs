//! go-vcr (version 2) cassettes: recorded HTTP interactions, the format of
//! the recordings of Keyfactor's Terraform provider. Read by
//! [`super::ReplayServer`] and by the project's conformance replay.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A cassette that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CassetteError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The cassette's path.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a go-vcr cassette: {message}")]
    /// The file is not a go-vcr cassette.
    Format {
        /// The cassette's path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A go-vcr cassette: recorded requests and the responses to them.
#[derive(Debug, Deserialize)]
pub struct Cassette {
    /// The interactions, in recorded order.
    #[serde(default)]
    pub interactions: Vec<Interaction>,
}

/// One recorded request and its response.
#[derive(Debug, Deserialize)]
pub struct Interaction {
    /// go-vcr's number of the interaction, when recorded.
    #[serde(default)]
    pub id: Option<usize>,
    /// The request as sent.
    pub request: RecordedRequest,
    /// The response as received.
    pub response: RecordedResponse,
}

/// A request as a cassette records it.
#[derive(Debug, Deserialize)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The whole URL, query included.
    pub url: String,
    /// The headers, each with its values.
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    /// The body, when there was one.
    #[serde(default)]
    pub body: Option<String>,
}

/// A response as a cassette records it.
#[derive(Debug, Deserialize)]
pub struct RecordedResponse {
    /// The HTTP status code.
    pub code: u16,
    /// The headers, each with its values.
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    /// The body, when there was one.
    #[serde(default)]
    pub body: Option<String>,
}

impl Cassette {
    /// Reads the cassette at `path` (go-vcr's YAML).
    pub fn read(path: &Path) -> Result<Self, CassetteError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| CassetteError::Read { path: path.to_path_buf(), source })?;
        serde_yaml::from_str(&text)
            .map_err(|e| CassetteError::Format { path: path.to_path_buf(), message: e.to_string() })
    }
}

fn header<'a>(headers: &'a BTreeMap<String, Vec<String>>, name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.first()).map(String::as_str)
}

impl RecordedRequest {
    fn parsed_url(&self) -> Option<url::Url> {
        url::Url::parse(&self.url).ok()
    }

    /// The URL's path, still percent-encoded.
    pub fn path(&self) -> String {
        self.parsed_url().map_or_else(|| self.url.clone(), |u| u.path().to_string())
    }

    /// The query parameters of the URL, decoded, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        self.parsed_url().map(|u| u.query_pairs().into_owned().collect()).unwrap_or_default()
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The major API version the request asked for (1 without the header).
    pub fn version(&self) -> u32 {
        self.header("x-keyfactor-api-version").map_or(1, major_version)
    }

    /// Whether the recording kept the request body: recorders that strip
    /// bodies leave the field out, empty, or `null`.
    pub fn body_recorded(&self) -> bool {
        self.body.as_deref().is_some_and(|b| !matches!(b.trim(), "" | "null"))
    }

    /// The body as JSON; `None` for none, empty or `null`.
    pub fn json_body(&self) -> Option<serde_json::Value> {
        let body = self.body.as_deref()?.trim();
        serde_json::from_str(body).ok().filter(|v: &serde_json::Value| !v.is_null())
    }
}

impl RecordedResponse {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The recorded response as a loopback server sends it again: status,
    /// headers (but the framing ones), body with its content type.
    pub fn to_template(&self) -> wiremock::ResponseTemplate {
        let mut template = wiremock::ResponseTemplate::new(self.code);
        for (name, values) in &self.headers {
            let skip = ["content-length", "transfer-encoding", "content-type", "connection"];
            if skip.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                continue;
            }
            for value in values {
                template = template.append_header(name.as_str(), value.as_str());
            }
        }
        let content_type = self.header("content-type").unwrap_or("application/json");
        match self.body.as_deref() {
            Some(body) if !body.is_empty() => template.set_body_raw(body.as_bytes().to_vec(), content_type),
            _ => template,
        }
    }
}

/// `1`, `1.0`, `v2` -> 1, 1, 2 (0 for garbage).
pub fn major_version(text: &str) -> u32 {
    text.trim().trim_start_matches(['v', 'V']).split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0)
}

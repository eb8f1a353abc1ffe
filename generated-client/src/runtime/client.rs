//! The client: configuration, authentication and the one place that sends.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use super::error::{Error, Result, api_error, snippet};
use super::request::Request;
use super::response::Response;

/// How the client authenticates. `Debug` never shows a secret.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    #[default]
    None,
    /// HTTP Basic. A domain is sent as `DOMAIN\user`.
    Basic { username: String, password: String, domain: Option<String> },
    /// A bearer token (JWT).
    Bearer(String),
}

impl Auth {
    /// Basic authentication; `DOMAIN\user` and `user@domain` are accepted as they are.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Auth::Basic { username: username.into(), password: password.into(), domain: None }
    }

    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::Bearer(token.into())
    }

    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Basic { username, password, domain } => {
                let user = match domain {
                    Some(domain) if !username.contains('\\') && !username.contains('@') => {
                        format!("{domain}\\{username}")
                    }
                    _ => username.clone(),
                };
                request.basic_auth(user, Some(password))
            }
            Auth::Bearer(token) => request.bearer_auth(token),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { username, domain, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("domain", domain)
                .field("password", &"<redacted>")
                .finish(),
            Auth::Bearer(_) => f.write_str("Bearer(<redacted>)"),
        }
    }
}

/// A Keyfactor Command API client. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Base URL including the API path, without a trailing slash.
    base_url: String,
    auth: Auth,
    default_headers: HeaderMap,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// `base_url` includes the API path, e.g. `https://host/KeyfactorAPI`.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            auth: Auth::None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("keyfactor-client-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            default_headers: HeaderMap::new(),
            http: None,
        }
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Limit for a whole request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Use this `reqwest::Client` (its own timeouts and TLS settings apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    pub fn build(self) -> Result<Client> {
        let base = url::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL {:?} is not a URL: {e}", self.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!("base URL {:?} must be http or https", self.base_url)));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url.trim_end_matches('/').to_string(),
                auth: self.auth,
                default_headers: self.default_headers,
            }),
        })
    }
}

/// A response whose status says success, body not yet decoded.
struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Client {
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// The base URL, including the API path.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub(crate) async fn send_json<T: DeserializeOwned>(&self, request: Request) -> Result<Response<T>> {
        let operation = request.operation.name;
        let raw = self.execute(request).await?;
        let mut de = serde_json::Deserializer::from_slice(&raw.body);
        let decode_error = |path: String, message: String| Error::Decode {
            operation,
            status: raw.status,
            path,
            message,
            snippet: snippet(&raw.body),
        };
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| decode_error(e.path().to_string(), e.inner().to_string()))?;
        de.end().map_err(|e| decode_error(".".into(), e.to_string()))?;
        Ok(Response::new(raw.status, raw.headers, value))
    }

    pub(crate) async fn send_empty(&self, request: Request) -> Result<Response<()>> {
        let raw = self.execute(request).await?;
        Ok(Response::new(raw.status, raw.headers, ()))
    }

    /// Sends `request`; error statuses become [`Error::Status`].
    async fn execute(&self, request: Request) -> Result<RawResponse> {
        let op = request.operation;
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                Error::Timeout { operation: op.name, source }
            } else {
                Error::Transport { operation: op.name, source }
            }
        };
        let url = format!("{}{}", self.inner.base_url, request.path);
        let mut builder = self
            .inner
            .http
            .request(op.method.clone(), url)
            .headers(self.inner.default_headers.clone())
            .header("x-keyfactor-requested-with", "APIClient")
            .header("x-keyfactor-api-version", op.version)
            .header(ACCEPT, "application/json");
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = request.body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        builder = self.inner.auth.apply(builder);
        let response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        if !(200..300).contains(&status) {
            return Err(Error::Status {
                operation: op.name,
                status,
                api_error: api_error(&body),
                body: snippet(&body),
                correlation_id: headers
                    .get("x-keyfactor-correlation-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            });
        }
        Ok(RawResponse { status, headers, body })
    }
}

//! The client: configuration and the one place that sends requests.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::FutureExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::auth::{Auth, Authenticator};
use super::error::DryRun;
use super::error::{Error, Result, api_error, is_unsupported_version, snippet, supported_versions};
use super::object::decode_setting_aside;
use super::request::{OperationInfo, Request};
use super::response::Response;
use super::retry::{RetryPolicy, parse_retry_after, retryable_status};

/// A connection to one Keyfactor Command server: base URL, authentication,
/// retries, TLS. Cheap to clone; clones share connections and the OAuth
/// token.
///
/// It has no operations of its own: each generated client crate wraps it in
/// a `Client` of its release, with a method per operation and version, and
/// converts from it (`From<keyfactor_runtime::Client>`). Clients of several
/// releases made from clones of one `Client` share its connections, its
/// token and its configuration.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Base URL including the API path, without a trailing slash.
    base_url: String,
    auth: Authenticator,
    auth_kind: &'static str,
    default_headers: HeaderMap,
    retry: RetryPolicy,
    dry_run: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth_kind)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// What a generated client crate's `Client` is: a wrapper of the runtime's
/// [`Client`] for one release, made from it with `From` and giving it back
/// with `AsRef`. The test doubles and [`ClientBuilder`] work with any of them.
pub trait GeneratedClient: From<Client> + AsRef<Client> + Clone + Send + Sync + 'static {
    /// The Keyfactor Command release the client was generated for (`"25"`).
    const RELEASE: &'static str;
    /// Every operation of the client (of the areas compiled in).
    fn operations() -> &'static [&'static OperationInfo];
    /// The path template of every endpoint of the release, whatever areas
    /// are compiled in, sorted and each once: what the test doubles route
    /// by, so that they answer the same under any set of areas.
    const PATHS: &'static [&'static str];
}

/// Configures a client: `C` is what [`build`](Self::build) returns, a
/// generated crate's `Client` (its `ClientBuilder` is this type for it) or
/// the runtime's own [`Client`]. `Debug` shows no secret.
#[must_use]
pub struct ClientBuilder<C = Client> {
    base_url: String,
    auth: Auth,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    ca_pem: Vec<Vec<u8>>,
    accept_invalid_certs: bool,
    dry_run: bool,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &self.default_headers.keys().collect::<Vec<_>>())
            .field("retry", &self.retry)
            .field("ca_certificates", &self.ca_pem.len())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish_non_exhaustive()
    }
}

impl<C> ClientBuilder<C> {
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
            retry: RetryPolicy::default(),
            ca_pem: Vec::new(),
            accept_invalid_certs: false,
            dry_run: false,
            client: PhantomData,
        }
    }

    /// Settings from the environment and the profile file, as Keyfactor's Go
    /// auth client reads them (see the crate docs); change them further here.
    pub fn from_env() -> Result<Self> {
        super::config::from_env(None).map(ClientBuilder::retype)
    }

    /// Like [`from_env`](Self::from_env), but for the server at `base_url`
    /// (the host settings are then not needed).
    pub fn from_env_for(base_url: impl Into<String>) -> Result<Self> {
        super::config::from_env(Some(base_url.into())).map(ClientBuilder::retype)
    }

    /// The same settings, building another kind of client.
    fn retype<D>(self) -> ClientBuilder<D> {
        ClientBuilder {
            base_url: self.base_url,
            auth: self.auth,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            user_agent: self.user_agent,
            default_headers: self.default_headers,
            http: self.http,
            retry: self.retry,
            ca_pem: self.ca_pem,
            accept_invalid_certs: self.accept_invalid_certs,
            dry_run: self.dry_run,
            client: PhantomData,
        }
    }

    /// How requests authenticate (default: none).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Limit for one attempt of a request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Sends nothing: every call fails with [`Error::DryRun`], which holds
    /// the request it would have sent (credentials redacted). For tools
    /// that show what a command would do.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Which failures are retried, how often and how long apart (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Trust this CA certificate (PEM, one or more certificates) besides the
    /// built-in roots.
    pub fn ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem.push(pem.into());
        self
    }

    /// Accept any server certificate. Only for tests against servers you
    /// control: it makes the connection open to interception.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.accept_invalid_certs = accept;
        self
    }

    /// Use this `reqwest::Client`; its own timeouts and TLS settings apply
    /// instead of this builder's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The client; for a generated crate's builder, that crate's `Client`.
    pub fn build(self) -> Result<C>
    where
        C: From<Client>,
    {
        self.build_runtime().map(C::from)
    }

    fn build_runtime(self) -> Result<Client> {
        let base = url::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL {:?} is not a URL: {e}", self.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!("base URL {:?} must be http or https", self.base_url)));
        }
        if self.accept_invalid_certs {
            tracing::warn!(base_url = %self.base_url, "TLS certificate verification is off for this Keyfactor client");
        }
        let http = match self.http.clone() {
            Some(http) => http,
            None => self.http_client_with(&self.ca_pem)?,
        };
        let auth_kind = match &self.auth {
            Auth::None => "none",
            Auth::Basic { .. } => "basic",
            Auth::Bearer(_) => "bearer",
            Auth::OAuth(_) => "oauth2",
        };
        let auth = Authenticator::new(self.auth.clone(), |ca| {
            let mut pems = self.ca_pem.clone();
            pems.extend(ca.map(<[u8]>::to_vec));
            self.http_client_with(&pems)
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url.trim_end_matches('/').to_string(),
                auth,
                auth_kind,
                default_headers: self.default_headers,
                retry: self.retry,
                dry_run: self.dry_run,
            }),
        })
    }

    fn http_client_with(&self, ca_pems: &[Vec<u8>]) -> Result<reqwest::Client> {
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(&self.user_agent)
            .danger_accept_invalid_certs(self.accept_invalid_certs);
        for pem in ca_pems {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("the CA certificate is not valid PEM: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Config("the CA certificate PEM holds no certificate".into()));
            }
            for cert in certs {
                http = http.add_root_certificate(cert);
            }
        }
        http.build().map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
    }
}

/// A response before its status is judged and its body decoded.
struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl Client {
    /// A builder for a client of the API at `base_url` (e.g. `https://HOST/KeyfactorAPI`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// A client configured from the environment and the profile file, as
    /// Keyfactor's Go auth client (kfutil, the Terraform provider) reads them.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::<Client>::from_env()?.build()
    }

    /// The base URL, including the API path.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    async fn send_json<T: DeserializeOwned>(&self, request: Result<Request>) -> Result<Response<T>> {
        let request = request?;
        let operation = request.operation.name;
        let raw = self.execute(request).await?;
        let decode_error = |path: String, message: String| Error::Decode {
            operation,
            status: raw.status,
            path,
            message,
            snippet: snippet(&raw.body),
        };
        // Plain serde_json is faster; the path is only worth finding for an error.
        // (Text, not bytes: the tolerant path decodes members with `from_str`,
        // and one deserializer type halves what the types' decoding compiles to.)
        let text = std::str::from_utf8(&raw.body)
            .map_err(|e| decode_error(".".into(), format!("the body is not UTF-8: {e}")))?;
        let value = match serde_json::from_str(text) {
            Ok(value) => value,
            // A member the documents mistype must not lose the whole response.
            Err(plain) => match decode_setting_aside::<T>(text) {
                Ok((value, set_aside)) => {
                    tracing::warn!(
                        operation,
                        status = raw.status,
                        set_aside = %set_aside,
                        first_error = %plain,
                        "response members do not fit their declared types; kept as received in `unknown_fields`"
                    );
                    value
                }
                Err(located) => return Err(decode_error(located.path().to_string(), plain.to_string())),
            },
        };
        Ok(Response::new(raw.status, raw.headers, value))
    }

    /// Sends `request` and reads the response as the server wrote it: any
    /// JSON (`null` for no content), not decoded into a type.
    #[cfg(feature = "cli")]
    pub(crate) async fn send_raw(&self, request: Request) -> Result<Response<serde_json::Value>> {
        let operation = request.operation.name;
        let raw = self.execute(request).await?;
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Response::new(raw.status, raw.headers, serde_json::Value::Null));
        }
        match serde_json::from_slice(&raw.body) {
            Ok(value) => Ok(Response::new(raw.status, raw.headers, value)),
            Err(e) => Err(Error::Decode {
                operation,
                status: raw.status,
                path: ".".into(),
                message: format!("not JSON: {e}"),
                snippet: snippet(&raw.body),
            }),
        }
    }

    async fn send_empty(&self, request: Result<Request>) -> Result<Response<()>> {
        let raw = self.execute(request?).await?;
        Ok(Response::new(raw.status, raw.headers, ()))
    }

    /// GET of any path below the base URL (e.g. `/swagger/v1/swagger.json`)
    /// with the client's authentication, TLS, retries and error handling;
    /// the body as bytes. For what the generated methods do not cover.
    pub async fn get_raw(&self, path: &str) -> Result<Response<bytes::Bytes>> {
        static RAW: OperationInfo = OperationInfo {
            name: "get_raw",
            method: reqwest::Method::GET,
            path: "",
            version: "1.0",
            tag: "",
            deprecated: false,
            success_status: 200,
        };
        let mut request = Request::new(&RAW, &[]);
        request.path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        let raw = self.execute(request).await?;
        Ok(Response::new(raw.status, raw.headers, raw.body))
    }

    /// Sends `request`, retrying as the policy allows; error statuses become
    /// [`Error::Status`]. One span per request, without secrets.
    async fn execute(&self, request: Request) -> Result<RawResponse> {
        let op = request.operation;
        let span = tracing::info_span!(
            "keyfactor_request",
            operation = op.name,
            method = %op.method,
            path = op.path,
            version = op.version,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self.execute_with_retries(&request).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        let raw = match result {
            Ok(raw) => raw,
            Err(e) => {
                tracing::debug!(parent: &span, error = %e, "request failed");
                return Err(e);
            }
        };
        span.record("status", raw.status);
        if (200..300).contains(&raw.status) {
            return Ok(raw);
        }
        let header = |name: &str| raw.headers.get(name).and_then(|v| v.to_str().ok());
        let correlation_id = header("x-keyfactor-correlation-id").map(str::to_string);
        if is_unsupported_version(raw.status, &raw.body) {
            return Err(Error::UnsupportedApiVersion {
                operation: op.name,
                requested: op.version,
                supported: supported_versions(header("api-supported-versions")),
                correlation_id,
            });
        }
        Err(Error::Status {
            operation: op.name,
            status: raw.status,
            api_error: api_error(&raw.body),
            body: snippet(&raw.body),
            correlation_id,
        })
    }

    async fn execute_with_retries(&self, request: &Request) -> Result<RawResponse> {
        let op = request.operation;
        let policy = &self.inner.retry;
        let mut attempt = 0;
        let mut rejected: Option<HeaderValue> = None;
        let mut refreshed = false;
        loop {
            let outcome = self.send_once(request, rejected.as_ref()).await;
            tracing::Span::current().record("attempts", attempt + 1);
            let retry_after = match &outcome {
                Ok((raw, token)) if raw.status == 401 && token.is_some() && !refreshed => {
                    // An OAuth token the server no longer accepts: fetch a new one, once.
                    refreshed = true;
                    rejected = token.clone();
                    tracing::debug!("401 with an OAuth token; retrying once with a new token");
                    continue;
                }
                Ok((raw, _)) if retryable_status(raw.status) && policy.allows(&op.method, attempt) => raw
                    .headers
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now())),
                Err(Error::Transport { source, .. }) if source.is_connect() && policy.allows(&op.method, attempt) => {
                    None
                }
                _ => return outcome.map(|(raw, _)| raw),
            };
            let delay = policy.delay(attempt, retry_after);
            tracing::info!(attempt = attempt + 1, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One attempt; returns the response whatever its status, and the OAuth
    /// token it was sent with.
    async fn send_once(
        &self,
        request: &Request,
        rejected: Option<&HeaderValue>,
    ) -> Result<(RawResponse, Option<HeaderValue>)> {
        let op = request.operation;
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                Error::Timeout { operation: op.name, source: source.without_url() }
            } else {
                Error::Transport { operation: op.name, source: source.without_url() }
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
            builder = builder.header(name.as_ref(), value);
        }
        if let Some(body) = &request.body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body.clone());
        }
        if self.inner.dry_run {
            let request = builder.build().map_err(transport)?;
            return Err(Error::DryRun(Box::new(DryRun::of(op.name, &request, self.inner.auth_kind))));
        }
        let (builder, token) = self.inner.auth.authorize(builder, rejected).await?;
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let body = read_body(&mut response).await.map_err(transport)?;
        Ok((RawResponse { status, headers, body }, token))
    }
}

/// The whole body, in one buffer of the size the server announced: no
/// second copy of a large response (collecting chunks and joining them
/// holds the body twice at the end).
async fn read_body(response: &mut reqwest::Response) -> reqwest::Result<bytes::Bytes> {
    // A length the server claims is only a hint: no more than 256 MiB up front.
    let announced = response.content_length().unwrap_or(0).min(256 << 20) as usize;
    let mut body = Vec::with_capacity(announced);
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(bytes::Bytes::from(body))
}

impl AsRef<Client> for Client {
    fn as_ref(&self) -> &Client {
        self
    }
}

// The generated builders' `send` and `send_with_metadata` are plain functions
// returning these futures: one generic async body here compiles far faster
// than an async fn per builder.

/// Sends `request` and decodes the JSON response (with its metadata).
pub fn send_json<T: DeserializeOwned>(
    client: &Client,
    request: Result<Request>,
) -> impl Future<Output = Result<Response<T>>> {
    client.send_json(request)
}

/// Sends `request` and decodes the JSON response.
pub fn send_json_value<T: DeserializeOwned>(
    client: &Client,
    request: Result<Request>,
) -> impl Future<Output = Result<T>> {
    client.send_json(request).map(|response| response.map(Response::into_inner))
}

/// Sends `request`, expecting no content (with the response's metadata).
pub fn send_empty(client: &Client, request: Result<Request>) -> impl Future<Output = Result<Response<()>>> {
    client.send_empty(request)
}

/// Sends `request`, expecting no content.
pub fn send_empty_value(client: &Client, request: Result<Request>) -> impl Future<Output = Result<()>> {
    client.send_empty(request).map(|response| response.map(Response::into_inner))
}

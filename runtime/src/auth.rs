//! Authentication: Basic, a static bearer token, or OAuth2 client
//! credentials with a cached token. No secret is ever shown by `Debug`,
//! put in an error message or logged.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use serde::Deserialize;

use super::error::{Error, Result, snippet};

/// How the client authenticates.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No authentication (a server behind a proxy that authenticates).
    #[default]
    None,
    /// HTTP Basic. A domain is sent as `DOMAIN\user`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
        /// The Windows domain, if any.
        domain: Option<String>,
    },
    /// A bearer token (JWT) that the caller obtained.
    Bearer(String),
    /// OAuth2 client credentials: the client fetches, caches and refreshes the token.
    OAuth(OAuthConfig),
}

impl Auth {
    /// Basic authentication; `DOMAIN\user` and `user@domain` are sent as they are.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Auth::Basic { username: username.into(), password: password.into(), domain: None }
    }

    /// A bearer token the caller obtained.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::Bearer(token.into())
    }

    /// OAuth2 client credentials (see [`OAuthConfig`]).
    pub fn oauth(config: OAuthConfig) -> Self {
        Auth::OAuth(config)
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
            Auth::OAuth(config) => f.debug_tuple("OAuth").field(config).finish(),
        }
    }
}

/// OAuth2 client-credentials settings.
#[derive(Clone)]
pub struct OAuthConfig {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
    audience: Option<String>,
    ca_pem: Option<Vec<u8>>,
}

impl OAuthConfig {
    /// Scopes default to `openid`.
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        OAuthConfig {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: vec!["openid".into()],
            audience: None,
            ca_pem: None,
        }
    }

    /// The scopes the token is requested for.
    pub fn scopes(mut self, scopes: Vec<String>) -> Self {
        self.scopes = scopes;
        self
    }

    /// The audience the token is requested for.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// A CA certificate (PEM) to trust for the token endpoint only.
    pub fn ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("audience", &self.audience)
            .finish()
    }
}

/// Adds credentials to each request: fixed ones, or a cached OAuth token.
pub(crate) enum Authenticator {
    None,
    Basic { user: String, password: String },
    Bearer(String),
    OAuth(TokenCache),
}

impl Authenticator {
    pub(crate) fn new(auth: Auth, token_http: impl FnOnce(Option<&[u8]>) -> Result<reqwest::Client>) -> Result<Self> {
        Ok(match auth {
            Auth::None => Authenticator::None,
            Auth::Basic { username, password, domain } => {
                let user = match domain {
                    Some(domain) if !username.contains('\\') && !username.contains('@') => {
                        format!("{domain}\\{username}")
                    }
                    _ => username,
                };
                Authenticator::Basic { user, password }
            }
            Auth::Bearer(token) => Authenticator::Bearer(token),
            Auth::OAuth(config) => {
                let http = token_http(config.ca_pem.as_deref())?;
                Authenticator::OAuth(TokenCache { config, http, token: tokio::sync::Mutex::new(None) })
            }
        })
    }

    /// Adds the credentials to `request`. With OAuth, returns the token used;
    /// `rejected` is a token the server refused, which forces a new one.
    pub(crate) async fn authorize(
        &self,
        request: reqwest::RequestBuilder,
        rejected: Option<&HeaderValue>,
    ) -> Result<(reqwest::RequestBuilder, Option<HeaderValue>)> {
        Ok(match self {
            Authenticator::None => (request, None),
            Authenticator::Basic { user, password } => (request.basic_auth(user, Some(password)), None),
            Authenticator::Bearer(token) => (request.bearer_auth(token), None),
            Authenticator::OAuth(cache) => {
                let header = cache.header(rejected).await?;
                (request.header(reqwest::header::AUTHORIZATION, header.clone()), Some(header))
            }
        })
    }
}

fn sensitive(value: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::Auth("the OAuth token contains characters that cannot be sent in a header".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The OAuth token, fetched once and shared by all requests until it is
/// about to expire. The mutex makes concurrent callers wait for one fetch.
pub(crate) struct TokenCache {
    config: OAuthConfig,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
}

struct Token {
    header: HeaderValue,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl TokenCache {
    /// The cached token's header, fetching a new token when there is none,
    /// when it is due for refresh, or when it is the one the server rejected.
    async fn header(&self, rejected: Option<&HeaderValue>) -> Result<HeaderValue> {
        let mut token = self.token.lock().await;
        if let Some(current) = token.as_ref()
            && Instant::now() < current.refresh_at
            && rejected.is_none_or(|r| *r != current.header)
        {
            return Ok(current.header.clone());
        }
        let fresh = self.fetch().await?;
        let header = fresh.header.clone();
        *token = Some(fresh);
        Ok(header)
    }

    async fn fetch(&self) -> Result<Token> {
        let c = &self.config;
        let form = token_request_form(c);
        let failed = |why: String| Error::Auth(format!("cannot get an OAuth token from {}: {why}", c.token_url));
        let started = Instant::now();
        let response = self
            .http
            .post(&c.token_url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
        if !status.is_success() {
            return Err(failed(format!("HTTP {}: {:?}", status.as_u16(), snippet(&body))));
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| failed(format!("the response is not a token: {e}")))?;
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(300));
        // Refresh a little before expiry: a tenth of the lifetime, at most 30 s.
        let margin = (lifetime / 10).min(Duration::from_secs(30));
        tracing::debug!(token_url = %c.token_url, lifetime_s = lifetime.as_secs(), "fetched an OAuth token");
        Ok(Token {
            header: sensitive(&format!("Bearer {}", parsed.access_token))?,
            refresh_at: started + lifetime - margin,
        })
    }
}

/// The client-credentials grant as a form body. (Built apart from the
/// request future, which must stay `Send`, as the serializer is not.)
fn token_request_form(c: &OAuthConfig) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials")
        .append_pair("client_id", &c.client_id)
        .append_pair("client_secret", &c.client_secret);
    if !c.scopes.is_empty() {
        form.append_pair("scope", &c.scopes.join(" "));
    }
    if let Some(audience) = &c.audience {
        form.append_pair("audience", audience);
    }
    form.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let all = format!(
            "{:?} {:?} {:?}",
            Auth::basic("u", "hunter2"),
            Auth::bearer("tok-secret"),
            Auth::oauth(OAuthConfig::new("https://idp/token", "id", "client-secret-value"))
        );
        for secret in ["hunter2", "tok-secret", "client-secret-value"] {
            assert!(!all.contains(secret), "{all}");
        }
    }
}

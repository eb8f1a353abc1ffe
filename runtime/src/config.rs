//! Configuration from the environment and the profile file, read the way
//! Keyfactor's own Go auth client (used by kfutil and the Terraform
//! provider) reads them, so existing setups work unchanged.
//!
//! Environment variables win over the profile file. Authentication is chosen
//! like the Go client does: an access token, else OAuth2 client credentials
//! (client id and secret), else Basic (username and password).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::auth::{Auth, OAuthConfig};
use super::client::ClientBuilder;
use super::error::{Error, Result};

/// Where a setting came from, for error messages.
#[derive(Debug, Clone)]
enum Source {
    Env(&'static str),
    File { path: PathBuf, profile: String, key: &'static str },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Env(name) => write!(f, "{name}"),
            Source::File { path, profile, key } => write!(f, "servers.{profile}.{key} in {}", path.display()),
        }
    }
}

/// One server entry of the profile file (`servers.<profile>`).
#[derive(Debug, Default, Deserialize)]
struct FileServer {
    host: Option<String>,
    port: Option<u16>,
    api_path: Option<String>,
    username: Option<String>,
    password: Option<String>,
    domain: Option<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    audience: Option<String>,
    scopes: Option<Scopes>,
    access_token: Option<String>,
    skip_tls_verify: Option<bool>,
    ca_cert_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scopes {
    List(Vec<String>),
    Text(String),
}

#[derive(Debug, Deserialize)]
struct FileConfig {
    #[serde(default)]
    servers: BTreeMap<String, FileServer>,
}

/// Settings gathered from the environment and the profile file.
struct Settings<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    file: Option<(PathBuf, String, FileServer)>,
}

impl Settings<'_> {
    /// The value of `var`, else of the profile's `key`, with where it came from.
    fn get(&self, var: &'static str, key: &'static str) -> Option<(String, Source)> {
        if let Some(v) = (self.env)(var).filter(|v| !v.trim().is_empty()) {
            return Some((v.trim().to_string(), Source::Env(var)));
        }
        let (path, profile, server) = self.file.as_ref()?;
        let value = match key {
            "host" => server.host.clone(),
            "port" => server.port.map(|p| p.to_string()),
            "api_path" => server.api_path.clone(),
            "username" => server.username.clone(),
            "password" => server.password.clone(),
            "domain" => server.domain.clone(),
            "token_url" => server.token_url.clone(),
            "client_id" => server.client_id.clone(),
            "client_secret" => server.client_secret.clone(),
            "audience" => server.audience.clone(),
            "access_token" => server.access_token.clone(),
            "skip_tls_verify" => server.skip_tls_verify.map(|b| b.to_string()),
            "ca_cert_path" => server.ca_cert_path.clone(),
            "scopes" => match &server.scopes {
                Some(Scopes::List(list)) => Some(list.join(",")),
                Some(Scopes::Text(text)) => Some(text.clone()),
                None => None,
            },
            _ => None,
        }?;
        let value = value.trim().to_string();
        (!value.is_empty()).then(|| (value, Source::File { path: path.clone(), profile: profile.clone(), key }))
    }

    fn flag(&self, var: &'static str, key: &'static str) -> Result<bool> {
        match self.get(var, key) {
            None => Ok(false),
            Some((v, source)) => match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(Error::Config(format!("{source} is {v:?}; expected true or false"))),
            },
        }
    }
}

/// Reads the configuration from the process environment and the profile
/// file; `base_url`, when given, replaces the host settings.
pub(crate) fn from_env(base_url: Option<String>) -> Result<ClientBuilder> {
    from_lookup(&|name| std::env::var(name).ok(), base_url)
}

/// Reads the configuration through `env` (a stand-in for the process
/// environment, so that it can be tested without touching it).
pub(crate) fn from_lookup(env: &dyn Fn(&str) -> Option<String>, base: Option<String>) -> Result<ClientBuilder> {
    let settings = Settings { env, file: read_profile(env)? };
    let base_url = match base {
        Some(base) => base,
        None => base_url(&settings)?,
    };
    let mut builder = ClientBuilder::new(base_url).auth(auth(&settings)?);
    if let Some((timeout, source)) = settings.get("KEYFACTOR_CLIENT_TIMEOUT", "") {
        builder = builder.timeout(parse_duration(&timeout).ok_or_else(|| {
            Error::Config(format!("{source} is {timeout:?}; expected a duration such as 60s, 2m or 90"))
        })?);
    }
    if settings.flag("KEYFACTOR_SKIP_VERIFY", "skip_tls_verify")? {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some((ca, source)) = settings.get("KEYFACTOR_CA_CERT", "ca_cert_path") {
        builder = builder.ca_certificate_pem(read_pem(&ca, &source)?);
    }
    Ok(builder)
}

/// What a program configured with `from_env` needs, for its `--help`
/// (the examples show it as clap's `after_help`).
pub const ENVIRONMENT_HELP: &str = "\
Server and credentials come from the environment, or from the profile file, as kfutil and the
Keyfactor Terraform provider read them (the environment wins):
  KEYFACTOR_HOSTNAME            the server (required), e.g. keyfactor.example.com
  KEYFACTOR_PORT                default 443
  KEYFACTOR_API_PATH            default KeyfactorAPI
  KEYFACTOR_USERNAME, KEYFACTOR_PASSWORD, KEYFACTOR_DOMAIN
                                Basic authentication
  KEYFACTOR_AUTH_CLIENT_ID, KEYFACTOR_AUTH_CLIENT_SECRET, KEYFACTOR_AUTH_TOKEN_URL
                                OAuth 2 client credentials, with KEYFACTOR_AUTH_SCOPES,
                                KEYFACTOR_AUTH_AUDIENCE and KEYFACTOR_AUTH_CA_CERT (the token
                                endpoint's CA)
  KEYFACTOR_AUTH_ACCESS_TOKEN   a ready bearer token
  KEYFACTOR_CA_CERT             the CA of the server's certificate (a file or PEM)
  KEYFACTOR_SKIP_VERIFY         true to skip TLS verification (not for production)
  KEYFACTOR_CLIENT_TIMEOUT      e.g. 60s, 2m
Profile file: $HOME/.keyfactor/command_config.json (JSON or YAML; KEYFACTOR_AUTH_CONFIG_FILE
reads another), profile `default` (KEYFACTOR_AUTH_CONFIG_PROFILE picks another).";

fn read_profile(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<(PathBuf, String, FileServer)>> {
    let explicit = env("KEYFACTOR_AUTH_CONFIG_FILE").filter(|v| !v.trim().is_empty());
    let path = match &explicit {
        Some(path) => PathBuf::from(path),
        None => match env("HOME").or_else(|| env("USERPROFILE")) {
            Some(home) => PathBuf::from(home).join(".keyfactor").join("command_config.json"),
            None => return Ok(None),
        },
    };
    let profile = env("KEYFACTOR_AUTH_CONFIG_PROFILE").filter(|v| !v.trim().is_empty());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        // The default file is optional; a file or profile the user named is not.
        Err(_) if explicit.is_none() && profile.is_none() => return Ok(None),
        Err(e) if explicit.is_some() => {
            return Err(Error::Config(format!(
                "KEYFACTOR_AUTH_CONFIG_FILE is {}, which cannot be read: {e}",
                path.display()
            )));
        }
        Err(e) => {
            return Err(Error::Config(format!(
                "KEYFACTOR_AUTH_CONFIG_PROFILE is {:?}, but the profile file {} (the default place; set \
                 KEYFACTOR_AUTH_CONFIG_FILE to read another) cannot be read: {e}",
                profile.as_deref().unwrap_or_default(),
                path.display()
            )));
        }
    };
    let config: FileConfig = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| Error::Config(format!("{}: invalid JSON: {e}", path.display())))?
    } else {
        serde_yaml::from_str(&text).map_err(|e| Error::Config(format!("{}: invalid YAML: {e}", path.display())))?
    };
    let name = profile.clone().unwrap_or_else(|| "default".into());
    let mut servers = config.servers;
    match servers.remove(&name) {
        Some(server) => Ok(Some((path, name, server))),
        None if profile.is_none() => Ok(None),
        None => Err(Error::Config(format!(
            "KEYFACTOR_AUTH_CONFIG_PROFILE is {name:?}, but {} has no servers.{name}",
            path.display()
        ))),
    }
}

fn base_url(settings: &Settings) -> Result<String> {
    let (host, host_source) = settings
        .get("KEYFACTOR_HOSTNAME", "host")
        .ok_or_else(|| Error::Config("KEYFACTOR_HOSTNAME is not set (nor `host` in the profile file)".into()))?;
    let host = host.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    if host.is_empty() || host.contains('/') {
        return Err(Error::Config(format!("{host_source} must be a host name, without a path")));
    }
    let port = match settings.get("KEYFACTOR_PORT", "port") {
        None => 443,
        Some((p, source)) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| Error::Config(format!("{source} is {p:?}; expected a port number")))?,
    };
    let api_path = settings.get("KEYFACTOR_API_PATH", "api_path").map_or_else(|| "KeyfactorAPI".into(), |(p, _)| p);
    let api_path = api_path.trim_matches('/');
    let authority = if port == 443 || host.contains(':') { host.to_string() } else { format!("{host}:{port}") };
    Ok(format!("https://{authority}/{api_path}"))
}

fn auth(settings: &Settings) -> Result<Auth> {
    if let Some((token, _)) = settings.get("KEYFACTOR_AUTH_ACCESS_TOKEN", "access_token") {
        return Ok(Auth::bearer(token));
    }
    let client_id = settings.get("KEYFACTOR_AUTH_CLIENT_ID", "client_id");
    let client_secret = settings.get("KEYFACTOR_AUTH_CLIENT_SECRET", "client_secret");
    match (client_id, client_secret) {
        (Some((client_id, _)), Some((client_secret, _))) => return oauth(settings, client_id, client_secret),
        (Some((_, source)), None) => {
            return Err(Error::Config(format!("{source} is set but KEYFACTOR_AUTH_CLIENT_SECRET is not")));
        }
        (None, Some((_, source))) => {
            return Err(Error::Config(format!("{source} is set but KEYFACTOR_AUTH_CLIENT_ID is not")));
        }
        (None, None) => {}
    }
    match (settings.get("KEYFACTOR_USERNAME", "username"), settings.get("KEYFACTOR_PASSWORD", "password")) {
        (Some(user), Some((password, _))) => basic(settings, user, password),
        (Some((_, source)), None) => Err(Error::Config(format!("{source} is set but KEYFACTOR_PASSWORD is not"))),
        (None, Some((_, source))) => Err(Error::Config(format!("{source} is set but KEYFACTOR_USERNAME is not"))),
        (None, None) => Err(Error::Config(
            "no credentials: set KEYFACTOR_USERNAME and KEYFACTOR_PASSWORD, or KEYFACTOR_AUTH_CLIENT_ID, \
             KEYFACTOR_AUTH_CLIENT_SECRET and KEYFACTOR_AUTH_TOKEN_URL, or KEYFACTOR_AUTH_ACCESS_TOKEN"
                .into(),
        )),
    }
}

fn basic(settings: &Settings, (username, user_source): (String, Source), password: String) -> Result<Auth> {
    let (user, implied) = split_domain(&username);
    let domain = match (settings.get("KEYFACTOR_DOMAIN", "domain"), implied) {
        (Some((explicit, source)), Some(implied)) if !explicit.eq_ignore_ascii_case(implied) => {
            return Err(Error::Config(format!(
                "{source} is {explicit:?} but {user_source} names the domain {implied:?}"
            )));
        }
        (Some((explicit, _)), _) => Some(explicit),
        (None, implied) => implied.map(str::to_string),
    };
    Ok(Auth::Basic { username: user.to_string(), password, domain })
}

/// `DOMAIN\user` and `user@domain` -> (`user`, `DOMAIN`).
fn split_domain(username: &str) -> (&str, Option<&str>) {
    if let Some((domain, user)) = username.split_once('\\') {
        (user, Some(domain))
    } else if let Some((user, domain)) = username.rsplit_once('@') {
        (user, Some(domain))
    } else {
        (username, None)
    }
}

fn oauth(settings: &Settings, client_id: String, client_secret: String) -> Result<Auth> {
    let (token_url, source) = settings.get("KEYFACTOR_AUTH_TOKEN_URL", "token_url").ok_or_else(|| {
        Error::Config("KEYFACTOR_AUTH_CLIENT_ID and _SECRET are set but KEYFACTOR_AUTH_TOKEN_URL is not".into())
    })?;
    url::Url::parse(&token_url).map_err(|e| Error::Config(format!("{source} is not a URL: {e}")))?;
    let scopes = settings.get("KEYFACTOR_AUTH_SCOPES", "scopes").map_or_else(
        || vec!["openid".to_string()],
        |(s, _)| s.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
    );
    let ca = match settings.get("KEYFACTOR_AUTH_CA_CERT", "") {
        Some((ca, source)) => Some(read_pem(&ca, &source)?),
        None => None,
    };
    let mut config = OAuthConfig::new(token_url, client_id, client_secret).scopes(scopes);
    if let Some((audience, _)) = settings.get("KEYFACTOR_AUTH_AUDIENCE", "audience") {
        config = config.audience(audience);
    }
    if let Some(ca) = ca {
        config = config.ca_certificate_pem(ca);
    }
    Ok(Auth::OAuth(config))
}

/// A PEM given inline, or the path of a PEM file.
fn read_pem(value: &str, source: &Source) -> Result<Vec<u8>> {
    if value.contains("-----BEGIN") {
        return Ok(value.as_bytes().to_vec());
    }
    std::fs::read(value).map_err(|e| Error::Config(format!("{source}: cannot read the CA certificate {value}: {e}")))
}

/// `60s`, `2m`, `1h`, `500ms` or a number of seconds.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    (seconds.is_finite() && seconds > 0.0).then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    fn debug(vars: &[(&str, &str)]) -> Result<String> {
        from_lookup(&lookup(vars), None).map(|b| format!("{b:?}"))
    }

    #[test]
    fn basic_from_environment_with_defaults() {
        let b = debug(&[
            ("KEYFACTOR_HOSTNAME", "kf.example.com"),
            ("KEYFACTOR_USERNAME", "CORP\\alice"),
            ("KEYFACTOR_PASSWORD", "s3cret"),
        ])
        .unwrap();
        assert!(b.contains("base_url: \"https://kf.example.com/KeyfactorAPI\""), "{b}");
        assert!(b.contains("username: \"alice\", domain: Some(\"CORP\")"), "{b}");
        assert!(!b.contains("s3cret"), "{b}");
    }

    #[test]
    fn port_path_and_implied_domain() {
        let b = debug(&[
            ("KEYFACTOR_HOSTNAME", "https://kf.example.com/"),
            ("KEYFACTOR_PORT", "8443"),
            ("KEYFACTOR_API_PATH", "/Keyfactor/API/"),
            ("KEYFACTOR_USERNAME", "alice@corp.example"),
            ("KEYFACTOR_PASSWORD", "pw"),
            ("KEYFACTOR_CLIENT_TIMEOUT", "2m"),
        ])
        .unwrap();
        assert!(b.contains("https://kf.example.com:8443/Keyfactor/API"), "{b}");
        assert!(b.contains("domain: Some(\"corp.example\")"), "{b}");
        assert!(b.contains("timeout: 120s"), "{b}");
    }

    #[test]
    fn missing_and_contradictory_settings_name_the_variable() {
        let e = debug(&[("KEYFACTOR_USERNAME", "a")]).unwrap_err().to_string();
        assert!(e.contains("KEYFACTOR_HOSTNAME is not set"), "{e}");
        let e = debug(&[("KEYFACTOR_HOSTNAME", "h"), ("KEYFACTOR_USERNAME", "a")]).unwrap_err().to_string();
        assert!(e.contains("KEYFACTOR_USERNAME is set but KEYFACTOR_PASSWORD is not"), "{e}");
        let e = debug(&[
            ("KEYFACTOR_HOSTNAME", "h"),
            ("KEYFACTOR_USERNAME", "CORP\\a"),
            ("KEYFACTOR_PASSWORD", "p"),
            ("KEYFACTOR_DOMAIN", "OTHER"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("KEYFACTOR_DOMAIN is \"OTHER\" but KEYFACTOR_USERNAME names the domain \"CORP\""), "{e}");
        let e = debug(&[("KEYFACTOR_HOSTNAME", "h"), ("KEYFACTOR_AUTH_CLIENT_ID", "id")]).unwrap_err().to_string();
        assert!(e.contains("KEYFACTOR_AUTH_CLIENT_ID is set but KEYFACTOR_AUTH_CLIENT_SECRET is not"), "{e}");
        let e = debug(&[("KEYFACTOR_HOSTNAME", "h"), ("KEYFACTOR_AUTH_ACCESS_TOKEN", "t"), ("KEYFACTOR_PORT", "x")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("KEYFACTOR_PORT is \"x\""), "{e}");
        let e = debug(&[
            ("KEYFACTOR_HOSTNAME", "h"),
            ("KEYFACTOR_AUTH_ACCESS_TOKEN", "t"),
            ("KEYFACTOR_SKIP_VERIFY", "maybe"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("KEYFACTOR_SKIP_VERIFY is \"maybe\""), "{e}");
    }

    #[test]
    fn profile_file_json_and_yaml_with_environment_winning() {
        let dir = std::env::temp_dir().join(format!("kf-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("command_config.json");
        std::fs::write(
            &json,
            r#"{"servers":{"default":{"host":"file.example.com","username":"bob","password":"pw","domain":"CORP"},
                "oauth":{"host":"o.example.com","client_id":"cid","client_secret":"cs","token_url":"https://idp/token",
                         "scopes":["openid","api"],"api_path":"Keyfactor/API","auth_provider":{"type":"azid"}}}}"#,
        )
        .unwrap();
        let file = json.to_str().unwrap();
        let b = debug(&[("KEYFACTOR_AUTH_CONFIG_FILE", file)]).unwrap();
        assert!(b.contains("https://file.example.com/KeyfactorAPI") && b.contains("username: \"bob\""), "{b}");
        let b = debug(&[("KEYFACTOR_AUTH_CONFIG_FILE", file), ("KEYFACTOR_HOSTNAME", "env.example.com")]).unwrap();
        assert!(b.contains("https://env.example.com/KeyfactorAPI"), "{b}");
        let b = debug(&[("KEYFACTOR_AUTH_CONFIG_FILE", file), ("KEYFACTOR_AUTH_CONFIG_PROFILE", "oauth")]).unwrap();
        assert!(b.contains("OAuth") && b.contains("scopes: [\"openid\", \"api\"]"), "{b}");
        assert!(b.contains("https://o.example.com/Keyfactor/API") && !b.contains("\"cs\""), "{b}");
        let e = debug(&[("KEYFACTOR_AUTH_CONFIG_FILE", file), ("KEYFACTOR_AUTH_CONFIG_PROFILE", "nope")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("KEYFACTOR_AUTH_CONFIG_PROFILE is \"nope\""), "{e}");

        let yaml = dir.join("config.yaml");
        std::fs::write(&yaml, "servers:\n  default:\n    host: y.example.com\n    username: carol\n").unwrap();
        let e = debug(&[("KEYFACTOR_AUTH_CONFIG_FILE", yaml.to_str().unwrap())]).unwrap_err().to_string();
        assert!(e.contains("servers.default.username in") && e.contains("but KEYFACTOR_PASSWORD is not"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_profile_without_a_file_names_the_default_path_and_the_variable_that_moves_it() {
        let home = std::env::temp_dir().join(format!("kf-no-profile-{}", std::process::id()));
        let e = debug(&[("HOME", home.to_str().unwrap()), ("KEYFACTOR_AUTH_CONFIG_PROFILE", "prod")])
            .unwrap_err()
            .to_string();
        let default = home.join(".keyfactor").join("command_config.json");
        assert!(
            e.contains(&format!(
                "KEYFACTOR_AUTH_CONFIG_PROFILE is \"prod\", but the profile file {} (the default place; set \
                 KEYFACTOR_AUTH_CONFIG_FILE to read another) cannot be read",
                default.display()
            )),
            "{e}"
        );
        let e = debug(&[("KEYFACTOR_AUTH_CONFIG_FILE", "/nowhere/config.json")]).unwrap_err().to_string();
        assert!(e.contains("KEYFACTOR_AUTH_CONFIG_FILE is /nowhere/config.json, which cannot be read"), "{e}");
    }

    #[test]
    fn the_help_text_names_every_variable_read() {
        let source = include_str!("config.rs");
        let source = &source[..source.find("mod tests").unwrap_or(source.len())];
        for (at, _) in source.match_indices("\"KEYFACTOR_") {
            let name: String = source[at + 1..].chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
            assert!(ENVIRONMENT_HELP.contains(&name), "{name} is read but not in ENVIRONMENT_HELP");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("0"), None);
    }
}

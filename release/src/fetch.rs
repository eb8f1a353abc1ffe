//! Downloads every API version document a server serves and writes them,
//! with their sha256, as a release directory (`release.yaml` + documents).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use keyfactor_generator::{emit::Files, output, release::sha256_hex};
use keyfactor_runtime::{Client, Error};

/// The highest version number asked for; servers stop far below it.
const MAX_VERSION: u32 = 50;

/// What [`fetch`] wrote.
#[derive(Debug)]
pub struct Fetched {
    pub dir: PathBuf,
    /// `X-Keyfactor-Product-Version`, e.g. `25.4.1+dc0db2c8`.
    pub product_version: Option<String>,
    pub release: String,
    /// (file name, `info.version`, sha256)
    pub documents: Vec<(String, String, String)>,
}

/// Fetches `<base>/swagger/v1/swagger.json`, `.../v2/...` and further
/// versions until the server has no more, into `out`, replaced whole.
pub async fn fetch(client: &Client, out: &Path, release: Option<String>) -> Result<Fetched> {
    let mut bodies = Vec::new();
    let mut product_version = None;
    for version in 1..=MAX_VERSION {
        let path = format!("/swagger/v{version}/swagger.json");
        match client.get_raw(&path).await {
            Ok(response) => {
                if product_version.is_none() {
                    product_version = response.product_version().map(str::to_string);
                }
                bodies.push((version, response.into_inner()));
            }
            Err(Error::Status { status: 404, .. }) if version > 1 => break,
            Err(e) => return Err(e).with_context(|| format!("fetching {}{path}", client.base_url())),
        }
    }
    let release = release
        .or_else(|| product_version.as_deref().map(|v| v.split('+').next().unwrap_or(v).to_string()))
        .unwrap_or_else(|| "unknown".into());
    let mut files = Files::new();
    let mut documents = Vec::new();
    for (version, body) in bodies {
        let text = String::from_utf8(body.to_vec())
            .with_context(|| format!("swagger/v{version}/swagger.json is not UTF-8"))?;
        let info_version = document_version(&text).with_context(|| format!("swagger/v{version}/swagger.json"))?;
        let file = format!("Keyfactor-Command-{release}-v{version}.swagger.json");
        documents.push((file.clone(), info_version, sha256_hex(text.as_bytes())));
        files.insert(file, text);
    }
    files.insert("release.yaml".into(), manifest(client.base_url(), &release, product_version.as_deref(), &documents));
    output::write_atomically(out, &files)?;
    Ok(Fetched { dir: out.to_path_buf(), product_version, release, documents })
}

/// `info.version` of a document, which must be an OpenAPI document.
fn document_version(text: &str) -> Result<String> {
    let value: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    if value.get("openapi").is_none() {
        bail!("not an OpenAPI document");
    }
    value.pointer("/info/version").and_then(|v| v.as_str()).map(str::to_string).context("no info.version")
}

/// A release manifest as `spec/release.yaml` has it.
fn manifest(base: &str, release: &str, product: Option<&str>, documents: &[(String, String, String)]) -> String {
    let mut out = format!(
        "# Fetched from {base} by `cargo xtask fetch-spec`; product version {}.\nrelease: \"{release}\"\ndocuments:\n",
        product.unwrap_or("unknown")
    );
    for (file, version, sha) in documents {
        let _ = writeln!(out, "  - file: {file}  # info.version {version}\n    sha256: {sha}");
    }
    out
}

/// One line per document, for the command's output.
pub fn summary(fetched: &Fetched) -> String {
    let mut out = format!(
        "wrote {} (release {}, product version {}):\n",
        fetched.dir.display(),
        fetched.release,
        fetched.product_version.as_deref().unwrap_or("not reported")
    );
    for (file, version, sha) in &fetched.documents {
        let _ = writeln!(out, "  {file}  info.version {version}  sha256 {sha}");
    }
    out
}

//! Enrolls for a certificate whose key the server generates (PFX
//! enrollment, version 2 of `POST /Enrollment/PFX`), optionally installs it
//! into certificate stores, and writes the PKCS#12 file.
//!
//! ```sh
//! KEYFACTOR_PFX_PASSWORD='s3cret!' cargo run --example enroll_pfx -- \
//!     --subject "CN=web01.example.com" --template WebServer --san dns:web01.example.com --out web01.p12
//! ```
//!
//! The server and credentials come from the environment or the profile file,
//! as kfutil and the Terraform provider read them (see the README).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use clap::Parser;
use keyfactor_client::Client;
use keyfactor_client::types::{ManagementStoreRequest, PfxEnrollmentWithStoresRequest};

/// Enroll for a certificate with a server-generated key and write the PKCS#12.
#[derive(Parser)]
#[command(after_help = keyfactor_client::keyfactor_runtime::ENVIRONMENT_HELP)]
struct Args {
    /// The subject, e.g. `CN=web01.example.com,O=Example`.
    #[arg(long)]
    subject: String,
    /// The template's short name (or give --pattern).
    #[arg(long)]
    template: Option<String>,
    /// The enrollment pattern's id.
    #[arg(long)]
    pattern: Option<i32>,
    /// The certificate authority (`host\logical-name`).
    #[arg(long)]
    ca: Option<String>,
    /// A subject alternative name, `dns:web01.example.com` (repeatable).
    #[arg(long = "san", value_parser = parse_san)]
    sans: Vec<(String, String)>,
    /// A certificate store to install the certificate into, by id (repeatable).
    #[arg(long = "store")]
    stores: Vec<uuid::Uuid>,
    #[arg(long, default_value = "RSA")]
    key_type: String,
    #[arg(long, default_value_t = 2048)]
    key_length: i32,
    /// The PKCS#12 password.
    #[arg(long, env = "KEYFACTOR_PFX_PASSWORD", hide_env_values = true)]
    password: String,
    /// Where to write the PKCS#12.
    #[arg(long)]
    out: PathBuf,
}

/// What to enroll for.
pub struct Enrollment {
    pub subject: String,
    pub template: Option<String>,
    pub pattern: Option<i32>,
    pub ca: Option<String>,
    pub sans: Vec<(String, String)>,
    pub stores: Vec<uuid::Uuid>,
    pub key_type: String,
    pub key_length: i32,
    pub password: String,
    pub timestamp: DateTime<Utc>,
}

/// The issued certificate.
#[derive(Debug)]
pub struct Issued {
    pub id: Option<i32>,
    pub thumbprint: String,
    /// The PKCS#12 file's bytes.
    pub pkcs12: Vec<u8>,
    /// The stores it was installed into.
    pub stores: Vec<uuid::Uuid>,
}

/// Enrolls (`POST /Enrollment/PFX`, version 2, the result as a PKCS#12).
pub async fn enroll(client: &Client, enrollment: &Enrollment) -> Result<Issued, Box<dyn std::error::Error>> {
    let stores = enrollment
        .stores
        .iter()
        .map(|id| ManagementStoreRequest { store_id: Some(*id), ..Default::default() })
        .collect::<Vec<_>>();
    let request = PfxEnrollmentWithStoresRequest {
        subject: Some(enrollment.subject.clone()),
        custom_friendly_name: Some(common_name(&enrollment.subject).to_string()),
        template: enrollment.template.clone(),
        enrollment_pattern_id: enrollment.pattern,
        certificate_authority: enrollment.ca.clone(),
        sans: Some(by_kind(&enrollment.sans)),
        stores: (!stores.is_empty()).then_some(stores),
        key_type: Some(enrollment.key_type.clone()),
        key_length: Some(enrollment.key_length),
        password: Some(enrollment.password.clone()),
        include_chain: Some(true),
        populate_missing_values_from_ad: Some(false),
        timestamp: Some(enrollment.timestamp),
        ..Default::default()
    };
    let response = client.post_enrollment_pfx_v2("STORE", request).send().await?;
    let issued = response.certificate_information.unwrap_or_default();
    let blob = issued.pkcs12_blob.ok_or("the server returned no PKCS#12 (the request may wait for approval)")?;
    Ok(Issued {
        id: issued.keyfactor_id,
        thumbprint: issued.thumbprint.unwrap_or_default(),
        pkcs12: base64::engine::general_purpose::STANDARD.decode(blob)?,
        stores: response.successful_stores.unwrap_or_default(),
    })
}

/// The `CN` of a subject, else the whole subject.
fn common_name(subject: &str) -> &str {
    subject.split(',').find_map(|rdn| rdn.trim().strip_prefix("CN=")).unwrap_or(subject)
}

fn by_kind(sans: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (kind, value) in sans {
        out.entry(kind.clone()).or_default().push(value.clone());
    }
    out
}

fn parse_san(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((kind, value)) if !kind.is_empty() && !value.is_empty() => Ok((kind.to_lowercase(), value.to_string())),
        _ => Err(format!("{text:?}: expected KIND:VALUE, e.g. dns:web01.example.com")),
    }
}

/// One line for the terminal.
pub fn summary(issued: &Issued, out: &std::path::Path) -> String {
    let id = issued.id.map_or_else(|| "?".into(), |id| id.to_string());
    let stores = match issued.stores.len() {
        0 => String::new(),
        n => format!("; installed into {n} store(s)"),
    };
    format!(
        "issued certificate {id} (thumbprint {}); wrote {} bytes of PKCS#12 to {}{stores}",
        issued.thumbprint,
        issued.pkcs12.len(),
        out.display()
    )
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let run = async {
        let client = Client::from_env()?;
        let enrollment = Enrollment {
            subject: args.subject,
            template: args.template,
            pattern: args.pattern,
            ca: args.ca,
            sans: args.sans,
            stores: args.stores,
            key_type: args.key_type,
            key_length: args.key_length,
            password: args.password,
            timestamp: Utc::now(),
        };
        let issued = enroll(&client, &enrollment).await?;
        std::fs::write(&args.out, &issued.pkcs12).map_err(|e| format!("{}: {e}", args.out.display()))?;
        Ok::<_, Box<dyn std::error::Error>>(summary(&issued, &args.out))
    };
    match run.await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(all(test, feature = "mock"))]
#[path = "common/mod.rs"]
mod common;

#[cfg(all(test, feature = "mock"))]
mod tests {
    use super::*;
    use keyfactor_client::mock::ReplayServer;

    #[test]
    fn help_names_the_variables_and_the_profile_file_it_reads() {
        common::assert_help_names_the_environment(<Args as clap::CommandFactory>::command());
    }

    const RECORDING: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/recordings/certificate_resource_pfx_rsa2048.yaml");

    /// Against the Terraform provider's recording of a version-2 PFX
    /// enrollment with a 25.4.1 server: the request the example sends is the
    /// one recorded (the provider sends an empty template with a pattern).
    #[tokio::test]
    async fn enrolls_and_decodes_the_pkcs12() {
        let replay = ReplayServer::start(RECORDING).await.unwrap();
        let enrollment = Enrollment {
            subject: "CN=tf-unit-pfx-rsa2048-135773000.example.com".into(),
            template: Some(String::new()),
            pattern: Some(1),
            ca: Some("Sub-CA".into()),
            sans: vec![],
            stores: vec![],
            key_type: "RSA".into(),
            key_length: 2048,
            password: "[REDACTED]".into(),
            timestamp: "2026-03-23T14:20:25Z".parse().unwrap(),
        };
        let issued = enroll(replay.client(), &enrollment).await.unwrap();
        assert_eq!(issued.id, Some(2722));
        // A PKCS#12 file is a DER SEQUENCE.
        assert_eq!(issued.pkcs12.first(), Some(&0x30));
        let line = summary(&issued, "web.p12".as_ref());
        assert!(
            line.starts_with("issued certificate 2722 (thumbprint 338717584D023A399AFF5C1536D4B5D726ACAE08); wrote "),
            "{line}"
        );
    }

    #[test]
    fn the_friendly_name_is_the_common_name() {
        assert_eq!(common_name("CN=web01.example.com, O=Example"), "web01.example.com");
        assert_eq!(common_name("O=Example"), "O=Example");
    }
}

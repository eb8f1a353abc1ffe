//! Enrolls for a certificate with a certificate signing request and writes
//! the certificate, with its chain, as PEM.
//!
//! ```sh
//! cargo run --example enroll_csr -- --csr web01.csr --template WebServer --san dns:web01.example.com --out web01.pem
//! ```
//!
//! The server and credentials come from the environment or the profile file,
//! as kfutil and the Terraform provider read them (`KEYFACTOR_HOSTNAME`,
//! `KEYFACTOR_USERNAME`, `KEYFACTOR_PASSWORD`, ...; see the README).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Parser;
use keyfactor_client::Client;
use keyfactor_client::types::CsrEnrollmentRequest;

/// Enroll for a certificate with a CSR and write the certificate and its chain.
#[derive(Parser)]
#[command(after_help = keyfactor_client::keyfactor_runtime::ENVIRONMENT_HELP)]
struct Args {
    /// The certificate signing request (PEM).
    #[arg(long)]
    csr: PathBuf,
    /// The template's short name.
    #[arg(long)]
    template: String,
    /// The certificate authority (`host\logical-name`); default: the template's.
    #[arg(long)]
    ca: Option<String>,
    /// A subject alternative name, `dns:web01.example.com` or `ip:10.0.0.5` (repeatable).
    #[arg(long = "san", value_parser = parse_san)]
    sans: Vec<(String, String)>,
    /// Where to write the certificate and its chain (PEM).
    #[arg(long)]
    out: PathBuf,
}

/// What to enroll for.
pub struct Enrollment {
    pub csr: String,
    pub template: String,
    pub ca: Option<String>,
    /// `(kind, value)`: `("dns", "web01.example.com")`.
    pub sans: Vec<(String, String)>,
    /// When the request was made (the server records it).
    pub timestamp: DateTime<Utc>,
}

/// The issued certificate.
#[derive(Debug)]
pub struct Issued {
    pub id: Option<i32>,
    pub thumbprint: String,
    pub serial_number: String,
    /// The certificate and its chain, PEM.
    pub pem: String,
}

/// Enrolls with the CSR (`POST /Enrollment/CSR`, the certificate as PEM).
pub async fn enroll(client: &Client, enrollment: &Enrollment) -> keyfactor_client::Result<Issued> {
    let request = CsrEnrollmentRequest {
        csr: enrollment.csr.clone(),
        template: Some(enrollment.template.clone()),
        certificate_authority: enrollment.ca.clone(),
        include_chain: Some(true),
        sans: Some(by_kind(&enrollment.sans)),
        timestamp: Some(enrollment.timestamp),
        ..Default::default()
    };
    let response = client.post_enrollment_csr("PEM", request).send().await?;
    let issued = response.certificate_information.unwrap_or_default();
    Ok(Issued {
        id: issued.keyfactor_id,
        thumbprint: issued.thumbprint.unwrap_or_default(),
        serial_number: issued.serial_number.unwrap_or_default(),
        pem: issued.certificates.unwrap_or_default().join("\n"),
    })
}

/// SANs as the API takes them: values by kind.
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
    format!(
        "issued certificate {id} (thumbprint {}, serial {}); wrote it with its chain to {}",
        issued.thumbprint,
        issued.serial_number,
        out.display()
    )
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let run = async {
        let csr = std::fs::read_to_string(&args.csr).map_err(|e| format!("{}: {e}", args.csr.display()))?;
        let client = Client::from_env()?;
        let enrollment =
            Enrollment { csr, template: args.template, ca: args.ca, sans: args.sans, timestamp: Utc::now() };
        let issued = enroll(&client, &enrollment).await?;
        std::fs::write(&args.out, &issued.pem).map_err(|e| format!("{}: {e}", args.out.display()))?;
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
    use keyfactor_client::mock::cassette::Cassette;

    #[test]
    fn help_names_the_variables_and_the_profile_file_it_reads() {
        common::assert_help_names_the_environment(<Args as clap::CommandFactory>::command());
    }

    const RECORDING: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/recordings/certificate_resource_csr.yaml");

    /// Against the Terraform provider's recording of a CSR enrollment with a
    /// 25.4.1 server: the request the example sends is the one recorded.
    #[tokio::test]
    async fn enrolls_a_recorded_csr_and_returns_the_chain() {
        let recorded = Cassette::read(RECORDING.as_ref()).unwrap().interactions[0].request.json_body().unwrap();
        let replay = ReplayServer::start(RECORDING).await.unwrap();
        let enrollment = Enrollment {
            csr: recorded["CSR"].as_str().unwrap().to_string(),
            template: "Server_tlsServerAuth-1y".into(),
            ca: Some("Sub-CA".into()),
            sans: vec![],
            timestamp: "2026-03-07T03:08:22Z".parse().unwrap(),
        };
        let issued = enroll(replay.client(), &enrollment).await.unwrap();
        assert_eq!(issued.id, Some(1907));
        assert!(issued.pem.contains("-----BEGIN CERTIFICATE-----"), "{}", issued.pem);
        assert_eq!(
            summary(&issued, "web.pem".as_ref()),
            "issued certificate 1907 (thumbprint 52FBDBC69B2AB1FF68FA337752FBE2ACCB227C9A, \
             serial 32669454250078DA75F355D2AD92C579E004C49E); wrote it with its chain to web.pem"
        );
    }

    #[test]
    fn sans_group_by_kind() {
        let sans = vec![
            parse_san("DNS:a.example.com").unwrap(),
            parse_san("dns:b").unwrap(),
            parse_san("ip:10.0.0.5").unwrap(),
        ];
        let grouped = by_kind(&sans);
        assert_eq!(grouped["dns"], ["a.example.com", "b"]);
        assert_eq!(grouped["ip"], ["10.0.0.5"]);
        assert!(parse_san("web01").is_err());
    }
}

//! Revokes one certificate, found by id or by thumbprint, with a reason
//! given by name.
//!
//! ```sh
//! cargo run --example revoke -- --thumbprint 52FBDBC69B2AB1FF68FA337752FBE2ACCB227C9A --reason "key compromised"
//! cargo run --example revoke -- --id 1907 --reason superceded --comment "replaced by 2044"
//! ```
//!
//! The server and credentials come from the environment or the profile file,
//! as kfutil and the Terraform provider read them (see the README).

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Parser;
use keyfactor_client::Client;
use keyfactor_client::types::{RevokeCertificateRequest, RevokeCode};

/// Revoke a certificate.
#[derive(Parser)]
#[command(after_help = keyfactor_client::keyfactor_runtime::ENVIRONMENT_HELP)]
struct Args {
    /// The certificate's id in Keyfactor Command.
    #[arg(long, conflicts_with = "thumbprint", required_unless_present = "thumbprint")]
    id: Option<i32>,
    /// The certificate's SHA-1 thumbprint (hex).
    #[arg(long)]
    thumbprint: Option<String>,
    /// Why: a name (`"key compromised"`, `superceded` as the documents spell it, `"cessation of operation"`, ...) or its number.
    #[arg(long, default_value = "unspecified", value_parser = parse_reason)]
    reason: RevokeCode,
    #[arg(long, default_value = "revoked with the Keyfactor Rust client's example")]
    comment: String,
}

/// Which certificate.
pub enum Target {
    Id(i32),
    Thumbprint(String),
}

/// Revokes the certificate (`POST /Certificates/Revoke`); returns the ids revoked.
pub async fn revoke(
    client: &Client,
    target: &Target,
    reason: RevokeCode,
    comment: &str,
    effective: DateTime<Utc>,
) -> Result<Vec<i32>, Box<dyn std::error::Error>> {
    let id = match target {
        Target::Id(id) => *id,
        Target::Thumbprint(thumbprint) => find_by_thumbprint(client, thumbprint).await?,
    };
    let request = RevokeCertificateRequest {
        certificate_ids: Some(vec![id]),
        reason: Some(reason),
        comment: Some(comment.to_string()),
        effective_date: Some(effective),
        ..Default::default()
    };
    let response = client.post_certificates_revoke(request).send().await?;
    Ok(response.revoked_ids.unwrap_or_default())
}

/// The id of the one certificate with this thumbprint.
async fn find_by_thumbprint(client: &Client, thumbprint: &str) -> Result<i32, Box<dyn std::error::Error>> {
    let found = client.get_certificates().query_string(format!("Thumbprint -eq \"{thumbprint}\"")).send().await?;
    match found.as_slice() {
        [one] => one.id.ok_or_else(|| "the server gave the certificate no id".into()),
        [] => Err(format!("no certificate has the thumbprint {thumbprint}").into()),
        _ => Err(format!("{} certificates have the thumbprint {thumbprint}", found.len()).into()),
    }
}

/// A reason by the documents' name (any case or spacing) or by number.
fn parse_reason(text: &str) -> Result<RevokeCode, String> {
    let code: RevokeCode = text.parse().unwrap_or_else(|never| match never {});
    if code.is_known() {
        return Ok(code);
    }
    let names: Vec<String> = RevokeCode::NAMES.iter().map(|(n, name)| format!("{name} ({n})")).collect();
    Err(format!("{text:?} is not a revocation reason; one of: {}", names.join(", ")))
}

/// One line for the terminal.
pub fn summary(revoked: &[i32], reason: &RevokeCode) -> String {
    let why = reason.name().map_or_else(|| reason.to_string(), str::to_string);
    match revoked {
        [] => format!("nothing was revoked (reason {why})"),
        ids => format!(
            "revoked certificate {} ({why})",
            ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let target = match (args.id, args.thumbprint) {
        (Some(id), _) => Target::Id(id),
        (None, Some(thumbprint)) => Target::Thumbprint(thumbprint),
        (None, None) => unreachable!("clap requires one of them"),
    };
    let run = async {
        let client = Client::from_env()?;
        let revoked = revoke(&client, &target, args.reason.clone(), &args.comment, Utc::now()).await?;
        Ok::<_, Box<dyn std::error::Error>>(summary(&revoked, &args.reason))
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
    use keyfactor_client::mock::{MockServer, ReplayServer};
    use keyfactor_client::types::CertificateRetrievalBulkResponse;

    #[test]
    fn help_names_the_variables_and_the_profile_file_it_reads() {
        common::assert_help_names_the_environment(<Args as clap::CommandFactory>::command());
    }

    const RECORDING: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/recordings/certificate_resource_csr.yaml");
    const COMMENT: &str = "Terraform destroy called on provider with associated cert ID";

    /// Against the Terraform provider's recording: reason 5 by its name.
    #[tokio::test]
    async fn revokes_by_id_with_a_reason_by_name() {
        let replay = ReplayServer::start(RECORDING).await.unwrap();
        let reason = parse_reason("Cessation of operation").unwrap();
        let effective = "2026-03-07T03:08:27Z".parse().unwrap();
        let revoked = revoke(replay.client(), &Target::Id(1907), reason.clone(), COMMENT, effective).await.unwrap();
        assert_eq!(revoked, [1907]);
        assert_eq!(summary(&revoked, &reason), "revoked certificate 1907 (Cessation of operation)");
    }

    #[tokio::test]
    async fn revokes_by_thumbprint() {
        let mock = MockServer::start().await;
        mock.get_certificates()
            .with(|r| r.query_string("Thumbprint -eq \"ABC123\""))
            .respond(vec![CertificateRetrievalBulkResponse { id: Some(44), ..Default::default() }])
            .await;
        let effective: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let request = RevokeCertificateRequest {
            certificate_ids: Some(vec![44]),
            reason: Some(RevokeCode::KEY_COMPROMISED),
            comment: Some("leaked".into()),
            effective_date: Some(effective),
            ..Default::default()
        };
        mock.post_certificates_revoke(request)
            .respond(keyfactor_client::types::RevocationResponse { revoked_ids: Some(vec![44]), ..Default::default() })
            .await;
        let reason = parse_reason("KeyCompromised").unwrap();
        let target = Target::Thumbprint("ABC123".into());
        assert_eq!(revoke(mock.client(), &target, reason, "leaked", effective).await.unwrap(), [44]);
    }

    #[test]
    fn reasons_are_names_or_numbers_the_documents_list() {
        assert_eq!(parse_reason("key compromised").unwrap(), RevokeCode::KEY_COMPROMISED);
        assert_eq!(parse_reason("1").unwrap(), RevokeCode::KEY_COMPROMISED);
        let err = parse_reason("lost it").unwrap_err();
        assert!(err.contains("Key compromised (1)"), "{err}");
    }
}

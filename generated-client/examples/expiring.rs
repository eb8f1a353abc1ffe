//! Lists every certificate that expires within N days, fetched page by page
//! with a Keyfactor query, as a table (soonest first).
//!
//! ```sh
//! cargo run --example expiring -- --days 30
//! ```
//!
//! The server and credentials come from the environment or the profile file,
//! as kfutil and the Terraform provider read them (see the README).

use std::process::ExitCode;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::Parser;
use futures_util::TryStreamExt;
use keyfactor_client::Client;
use keyfactor_client::types::CertificateRetrievalBulkResponse;

/// List certificates that expire soon.
#[derive(Parser)]
#[command(after_help = keyfactor_client::keyfactor_runtime::ENVIRONMENT_HELP)]
struct Args {
    /// Expiring within this many days from now.
    #[arg(long, default_value_t = 30)]
    days: i64,
    /// Certificates per page.
    #[arg(long, default_value_t = 100)]
    page_size: i32,
}

/// One row of the table.
#[derive(Debug, PartialEq)]
pub struct Expiring {
    pub id: i32,
    pub common_name: String,
    pub not_after: DateTime<Utc>,
    pub thumbprint: String,
}

/// The Keyfactor query for certificates that expire between `now` and `now + days`.
pub fn query(now: DateTime<Utc>, days: i64) -> String {
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    format!("NotAfter -ge \"{}\" AND NotAfter -le \"{}\"", at(now), at(now + Duration::days(days)))
}

/// Every certificate that expires within `days` of `now`, streamed page by
/// page (`GET /Certificates` with `QueryString`, `PageReturned`, `ReturnLimit`).
pub async fn expiring(
    client: &Client,
    now: DateTime<Utc>,
    days: i64,
    page_size: i32,
) -> keyfactor_client::Result<Vec<Expiring>> {
    let certificates = client.get_certificates().query_string(query(now, days)).return_limit(page_size).stream();
    let mut rows: Vec<Expiring> = certificates.try_filter_map(|c| async move { Ok(row(c)) }).try_collect().await?;
    rows.sort_by_key(|r| (r.not_after, r.id));
    Ok(rows)
}

fn row(c: CertificateRetrievalBulkResponse) -> Option<Expiring> {
    Some(Expiring {
        id: c.id?,
        common_name: c.issued_cn.or(c.issued_dn).unwrap_or_default(),
        not_after: c.not_after?,
        thumbprint: c.thumbprint.unwrap_or_default(),
    })
}

/// The rows as a text table, with the days left from `now`.
pub fn table(rows: &[Expiring], now: DateTime<Utc>) -> String {
    let width = rows.iter().map(|r| r.common_name.len()).chain([11]).max().unwrap_or(11);
    let mut out =
        format!("{:>6}  {:<10}  {:>9}  {:<width$}  thumbprint\n", "id", "expires", "days left", "common name");
    for r in rows {
        let left = (r.not_after - now).num_days();
        out.push_str(&format!(
            "{:>6}  {}  {:>9}  {:<width$}  {}\n",
            r.id,
            r.not_after.format("%Y-%m-%d"),
            left,
            r.common_name,
            r.thumbprint
        ));
    }
    out.push_str(&format!("{} certificate(s)\n", rows.len()));
    out
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let now = Utc::now();
    let run = async {
        let client = Client::from_env()?;
        Ok::<_, keyfactor_client::Error>(table(&expiring(&client, now, args.days, args.page_size).await?, now))
    };
    match run.await {
        Ok(table) => {
            print!("{table}");
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
    use keyfactor_client::mock::MockServer;

    #[test]
    fn help_names_the_variables_and_the_profile_file_it_reads() {
        common::assert_help_names_the_environment(<Args as clap::CommandFactory>::command());
    }

    fn certificate(id: i32, cn: &str, not_after: &str) -> CertificateRetrievalBulkResponse {
        CertificateRetrievalBulkResponse {
            id: Some(id),
            issued_cn: Some(cn.into()),
            not_after: Some(not_after.parse().unwrap()),
            thumbprint: Some(format!("T{id}")),
            ..Default::default()
        }
    }

    /// No recording lists certificates by expiry; the mock serves two pages.
    #[tokio::test]
    async fn lists_what_expires_page_by_page_soonest_first() {
        let now: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap();
        let mock = MockServer::start().await;
        mock.get_certificates()
            .with(|r| r.query_string(query(now, 30)).return_limit(2))
            .times(2)
            .respond_sequence(vec![
                vec![
                    certificate(7, "web01.example.com", "2026-03-20T12:00:00Z"),
                    certificate(9, "db", "2026-03-05T00:00:00Z"),
                ],
                vec![certificate(12, "mail.example.com", "2026-03-10T08:00:00Z")],
            ])
            .await;
        let rows = expiring(mock.client(), now, 30, 2).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [9, 12, 7]);
        assert_eq!(
            table(&rows, now),
            "    id  expires     days left  common name        thumbprint\n\
             \u{20}    9  2026-03-05          4  db                 T9\n\
             \u{20}   12  2026-03-10          9  mail.example.com   T12\n\
             \u{20}    7  2026-03-20         19  web01.example.com  T7\n\
             3 certificate(s)\n"
        );
        mock.verify().await;
    }

    #[test]
    fn the_query_bounds_the_expiry_date() {
        let now: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        assert_eq!(query(now, 7), "NotAfter -ge \"2026-03-01T10:00:00Z\" AND NotAfter -le \"2026-03-08T10:00:00Z\"");
    }
}

//! Lists the certificate stores of an orchestrator (agent) or of a store
//! type, and the certificates each holds (its last inventory).
//!
//! ```sh
//! cargo run --example store_inventory -- --store-type K8STLSSecr
//! cargo run --example store_inventory -- --agent 275bcd31-9e7b-4c4a-bce9-1719e0c2168d
//! ```
//!
//! The server and credentials come from the environment or the profile file,
//! as kfutil and the Terraform provider read them (see the README).

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Parser;
use futures_util::TryStreamExt;
use keyfactor_client::Client;

/// List certificate stores and what they hold.
#[derive(Parser)]
#[command(after_help = keyfactor_client::keyfactor_runtime::ENVIRONMENT_HELP)]
struct Args {
    /// The stores of this orchestrator (its id).
    #[arg(long, conflicts_with = "store_type", required_unless_present = "store_type")]
    agent: Option<uuid::Uuid>,
    /// The stores of this store type (its short name).
    #[arg(long)]
    store_type: Option<String>,
}

/// Whose stores.
pub enum Owner {
    Agent(uuid::Uuid),
    StoreType(String),
}

/// A store and the certificates its last inventory found.
#[derive(Debug)]
pub struct Store {
    pub id: uuid::Uuid,
    pub machine: String,
    pub path: String,
    /// `(alias, common name or DN, expires)`.
    pub certificates: Vec<(String, String, String)>,
}

/// The store type's number, from its short name (`GET /CertificateStoreTypes/Name/{name}`).
pub async fn store_type(client: &Client, name: &str) -> Result<i32, Box<dyn std::error::Error>> {
    let types = client.get_certificate_store_types_name_by_name(name).send().await?;
    types.iter().find_map(|t| t.store_type).ok_or_else(|| format!("no store type is named {name}").into())
}

/// The machine name of the orchestrator with this id (`GET /Agents` with a query).
pub async fn agent(client: &Client, id: uuid::Uuid) -> Result<String, Box<dyn std::error::Error>> {
    let agents = client.get_agents().query_string(format!("AgentId -eq \"{id}\"")).send().await?;
    let agent = agents.first().ok_or_else(|| format!("no orchestrator has the id {id}"))?;
    Ok(agent.client_machine.clone().unwrap_or_default())
}

/// The stores of `owner`, each with its inventory (`GET /CertificateStores`
/// page by page, then `GET /CertificateStores/{id}/Inventory` for each).
pub async fn stores(client: &Client, owner: &Owner) -> Result<Vec<Store>, Box<dyn std::error::Error>> {
    let query = match owner {
        Owner::Agent(id) => format!("AgentId -eq \"{id}\""),
        Owner::StoreType(name) => format!("CertStoreType -eq {}", store_type(client, name).await?),
    };
    let found: Vec<_> = client.get_certificate_stores().query_string(query).stream().try_collect().await?;
    let mut out = Vec::new();
    for store in found {
        let Some(id) = store.id else { continue };
        let inventory = client.get_certificate_stores_by_id_inventory(id).send().await?;
        let certificates = inventory
            .into_iter()
            .flat_map(|entry| {
                let alias = entry.name.unwrap_or_default();
                entry.certificates.unwrap_or_default().into_iter().map(move |c| {
                    let expires = c.not_after.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
                    (alias.clone(), c.issued_dn.unwrap_or_default(), expires)
                })
            })
            .collect();
        out.push(Store {
            id,
            machine: store.client_machine.unwrap_or_default(),
            path: store.storepath.unwrap_or_default(),
            certificates,
        });
    }
    Ok(out)
}

/// The stores as text: one heading per store, one line per certificate.
pub fn report(stores: &[Store]) -> String {
    let mut out = String::new();
    for store in stores {
        let _ = writeln!(
            out,
            "{} {} ({}): {} certificate(s)",
            store.machine,
            store.path,
            store.id,
            store.certificates.len()
        );
        for (alias, subject, expires) in &store.certificates {
            let _ = writeln!(out, "  {alias:<24} {expires:<10}  {subject}");
        }
    }
    if stores.is_empty() {
        out.push_str("no certificate store\n");
    }
    out
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let owner = match (args.agent, args.store_type) {
        (Some(id), _) => Owner::Agent(id),
        (None, Some(name)) => Owner::StoreType(name),
        (None, None) => unreachable!("clap requires one of them"),
    };
    let run = async {
        let client = Client::from_env()?;
        if let Owner::Agent(id) = &owner {
            println!("orchestrator {}", agent(&client, *id).await?);
        }
        Ok::<_, Box<dyn std::error::Error>>(report(&stores(&client, &owner).await?))
    };
    match run.await {
        Ok(text) => {
            print!("{text}");
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
    use keyfactor_client::types::{
        CertificateStoreInventoryCertificateResponse, CertificateStoreInventoryResponse, CertificateStoreResponse,
        CertificateStoreTypeResponse,
    };

    #[test]
    fn help_names_the_variables_and_the_profile_file_it_reads() {
        common::assert_help_names_the_environment(<Args as clap::CommandFactory>::command());
    }

    const RECORDING: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/recordings/certificate_store_resource.yaml");

    /// Against the Terraform provider's recording: the store type by its
    /// name, the orchestrator by its id.
    #[tokio::test]
    async fn finds_the_store_type_and_the_orchestrator_as_recorded() {
        let replay = ReplayServer::start(RECORDING).await.unwrap();
        assert_eq!(store_type(replay.client(), "K8STLSSecr").await.unwrap(), 154);
        let id = "275bcd31-9e7b-4c4a-bce9-1719e0c2168d".parse().unwrap();
        assert_eq!(agent(replay.client(), id).await.unwrap(), "container_uo-25-4");
    }

    /// No recording lists stores with their inventories; the mock serves them.
    #[tokio::test]
    async fn lists_the_stores_of_a_store_type_with_what_they_hold() {
        let mock = MockServer::start().await;
        let store_id: uuid::Uuid = "de8d1371-94f5-49b4-9819-623063d36b30".parse().unwrap();
        mock.get_certificate_store_types_name_by_name("K8STLSSecr")
            .respond(vec![CertificateStoreTypeResponse { store_type: Some(154), ..Default::default() }])
            .await;
        mock.get_certificate_stores()
            .with(|r| r.query_string("CertStoreType -eq 154"))
            .respond(vec![CertificateStoreResponse {
                id: Some(store_id),
                client_machine: Some("cluster-1".into()),
                storepath: Some("default/web".into()),
                ..Default::default()
            }])
            .await;
        mock.get_certificate_stores_by_id_inventory(store_id)
            .respond(vec![CertificateStoreInventoryResponse {
                name: Some("web-tls".into()),
                certificates: Some(vec![CertificateStoreInventoryCertificateResponse {
                    issued_dn: Some("CN=web01.example.com".into()),
                    not_after: Some("2027-03-07T02:58:22Z".parse().unwrap()),
                    ..Default::default()
                }]),
                ..Default::default()
            }])
            .await;
        let stores = stores(mock.client(), &Owner::StoreType("K8STLSSecr".into())).await.unwrap();
        assert_eq!(
            report(&stores),
            "cluster-1 default/web (de8d1371-94f5-49b4-9819-623063d36b30): 1 certificate(s)\n  \
             web-tls                  2027-03-07  CN=web01.example.com\n"
        );
        mock.verify().await;
    }
}

//! TLS against a real HTTPS server on loopback whose certificate is issued
//! by a throwaway CA: refused by default, accepted with the CA configured, or
//! with verification explicitly switched off.

use std::sync::Arc;

use keyfactor_client::{Client, ClientBuilder, Error, RetryPolicy};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

const AGENT: &str = r#"{"AgentId":"3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f","ClientMachine":"tls-agent"}"#;

/// Starts an HTTPS server answering every request with `AGENT`; returns its
/// port and the CA certificate (PEM) that issued its certificate.
async fn https_server() -> (u16, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&key, &ca, &ca_key).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{AGENT}",
                    AGENT.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, ca.pem())
}

fn client(port: u16) -> ClientBuilder {
    Client::builder(format!("https://localhost:{port}/KeyfactorAPI")).retry_policy(RetryPolicy::none())
}

async fn get_agent(client: Client) -> keyfactor_client::Result<Option<String>> {
    let id = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f".parse().unwrap();
    Ok(client.get_agents_by_id(id).send().await?.client_machine)
}

fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text += &format!(": {e}");
        source = e.source();
    }
    text
}

#[tokio::test]
async fn an_unknown_ca_is_refused_by_default() {
    let (port, _) = https_server().await;
    let err = get_agent(client(port).build().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(chain(&err).to_lowercase().contains("certificate"), "{}", chain(&err));
    // What `Display` alone says (as `{err}` and the examples print it): the cause, and what to do.
    let shown = err.to_string();
    assert!(
        shown.starts_with("get_agents_by_id: request failed: the server's TLS certificate is not signed by a CA this client trusts: give its CA (KEYFACTOR_CA_CERT or `ClientBuilder::ca_certificate_pem`) ("),
        "{shown}"
    );
    assert!(shown.to_lowercase().contains("unknownissuer"), "{shown}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_saying_so() {
    let (port, ca_pem) = https_server().await;
    // The certificate is for `localhost`; the client connects by address.
    let client = Client::builder(format!("https://127.0.0.1:{port}/KeyfactorAPI"))
        .retry_policy(RetryPolicy::none())
        .ca_certificate_pem(ca_pem)
        .build()
        .unwrap();
    let shown = get_agent(client).await.unwrap_err().to_string();
    assert!(
        shown.starts_with("get_agents_by_id: request failed: the server's TLS certificate is not for this host name: use a name the certificate lists ("),
        "{shown}"
    );
}

#[tokio::test]
async fn the_configured_ca_is_trusted() {
    let (port, ca_pem) = https_server().await;
    let client = client(port).ca_certificate_pem(ca_pem).build().unwrap();
    assert_eq!(get_agent(client).await.unwrap().as_deref(), Some("tls-agent"));
}

#[tokio::test]
async fn verification_can_be_switched_off_explicitly() {
    let (port, _) = https_server().await;
    let client = client(port).danger_accept_invalid_certs(true).build().unwrap();
    assert_eq!(get_agent(client).await.unwrap().as_deref(), Some("tls-agent"));
}

#[test]
fn a_ca_that_is_not_pem_is_a_configuration_error() {
    let err = client(443).ca_certificate_pem("not a certificate").build().unwrap_err();
    assert!(err.to_string().contains("CA certificate"), "{err}");
}

//! What `Display` of a failed request says, on loopback: the cause in words
//! a user can act on, then the chain underneath (reqwest's own message,
//! "error sending request", says nothing by itself).

use std::time::Duration;

use keyfactor_client::{Client, Error, RetryPolicy};

async fn get_agents(base: &str, timeout: Duration) -> Error {
    let client = Client::builder(base).retry_policy(RetryPolicy::none()).timeout(timeout).build().unwrap();
    client.get_agents().send().await.unwrap_err()
}

#[tokio::test]
async fn a_refused_connection_says_nothing_listens_there() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = get_agents(&format!("http://127.0.0.1:{port}/KeyfactorAPI"), Duration::from_secs(5)).await;
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "get_agents: request failed: the connection was refused: nothing listens at that host and port \
             (check KEYFACTOR_HOSTNAME and KEYFACTOR_PORT) (error sending request"
        ),
        "{shown}"
    );
    assert!(shown.to_lowercase().contains("connection refused"), "{shown}");
}

#[tokio::test]
async fn a_host_that_does_not_resolve_says_so() {
    // `.invalid` never resolves (RFC 2606).
    let err = get_agents("http://keyfactor.invalid/KeyfactorAPI", Duration::from_secs(20)).await;
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "get_agents: request failed: the server's host name does not resolve: check the host in the base URL \
             (KEYFACTOR_HOSTNAME) (error sending request"
        ),
        "{shown}"
    );
    assert!(shown.contains("dns error"), "{shown}");
}

#[tokio::test]
async fn a_server_that_does_not_answer_in_time_says_which_setting_to_raise() {
    // Accepts connections, never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            open.push(tcp);
        }
    });
    let err = get_agents(&format!("http://127.0.0.1:{port}/KeyfactorAPI"), Duration::from_millis(300)).await;
    held.abort();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "get_agents: no response within the timeout (raise it with `ClientBuilder::timeout` or KEYFACTOR_CLIENT_TIMEOUT): "
        ),
        "{shown}"
    );
    assert!(shown.to_lowercase().contains("timed out") || shown.contains("timeout"), "{shown}");
}

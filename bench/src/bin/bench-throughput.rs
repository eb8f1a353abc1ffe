//! Requests per second of a generated call against a hand-written reqwest
//! call doing the same work (same headers, same JSON decoding into the same
//! type), both against one minimal HTTP/1.1 server on loopback. Rounds
//! alternate between the two; prints `<generated rps> <hand-written rps>`
//! as medians over the rounds.

use std::time::Instant;

use keyfactor_bench::median;
use keyfactor_client::types::AgentResponse;

const BODY: &str = r#"{"AgentId":"3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f","ClientMachine":"orchestrator-1","Username":"svc","AgentPlatform":1,"Version":"25.4.1.0","Status":2,"LastSeen":"2026-03-12T16:26:49.633Z","Capabilities":["SSL","LOGS"],"Blueprint":null,"Thumbprint":"","JobTypes":[]}"#;
const ID: &str = "3a2c0b5e-0c5d-4c8e-9c1e-6b3f1d2a4e5f";

async fn generated(client: &keyfactor_client::Client, n: usize) -> f64 {
    let id = ID.parse().unwrap();
    let started = Instant::now();
    for _ in 0..n {
        let agent = client.get_agents_by_id(id).send().await.unwrap();
        assert!(agent.client_machine.is_some());
    }
    n as f64 / started.elapsed().as_secs_f64()
}

async fn hand_written(http: &reqwest::Client, base: &str, n: usize) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        let response = http
            .get(format!("{base}/Agents/{ID}"))
            .header("x-keyfactor-requested-with", "APIClient")
            .header("x-keyfactor-api-version", "1.0")
            .header("accept", "application/json")
            .bearer_auth("token")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let bytes = response.bytes().await.unwrap();
        let agent: AgentResponse = serde_json::from_slice(&bytes).unwrap();
        assert!(agent.client_machine.is_some());
    }
    n as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let requests: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let rounds: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(7);
    let base = format!("http://127.0.0.1:{}/KeyfactorAPI", keyfactor_bench::serve(BODY.as_bytes()).await);
    let client =
        keyfactor_client::Client::builder(&base).auth(keyfactor_client::Auth::bearer("token")).build().unwrap();
    // The same reqwest settings the client uses by default (timeouts cost a
    // timer per request), so that the difference is the generated code and runtime.
    let http = reqwest::Client::builder()
        .user_agent("bench")
        .timeout(std::time::Duration::from_secs(60))
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    // Warm up both connection pools.
    generated(&client, 200).await;
    hand_written(&http, &base, 200).await;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        ours.push(generated(&client, requests).await);
        theirs.push(hand_written(&http, &base, requests).await);
    }
    println!("{:.0} {:.0}", median(ours), median(theirs));
}

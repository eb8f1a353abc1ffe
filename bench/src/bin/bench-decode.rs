//! What decoding a listing costs when the documents mistype a member of
//! every item, against the same listing well typed, through the generated
//! client (`GET /Agents`) from a server on loopback.
//!
//! `bench-decode time ITEMS ROUNDS` prints `<well-typed ms> <mistyped ms>`,
//! medians over rounds that alternate between the two.
//! `bench-decode memory MB [mistyped|typed]` prints `<body bytes> <peak RSS
//! growth bytes>` for one listing of about MB megabytes; the server runs in
//! a child process, so only the client's memory counts.
//! `bench-decode pages PAGES ITEMS` serves a paged listing of PAGES full
//! pages of ITEMS items (then `[]`) and prints its port (for the command
//! line's `--all`).

use std::io::{BufRead, Write};
use std::time::Instant;

use keyfactor_bench::median;

/// One `AgentResponse` as a 25.4 server writes it (the shape of the
/// recorded `GET /Agents` items); with `mistyped`,
/// `AuthCertificateReenrollment` is a number (the documents say string).
fn item(i: usize, mistyped: bool) -> String {
    let reenrollment = if mistyped { format!("{}", i % 3) } else { "\"None\"".to_string() };
    format!(
        r#"{{"AgentId":"3a2c0b5e-0c5d-4c8e-9c1e-{i:012}","ClientMachine":"container_uo-{i}","Username":"alpha-rho-rho-alpha-82852","AgentPlatform":1,"Version":"25.4.1.0","Status":2,"LastSeen":"2026-03-12T16:26:49.633Z","Capabilities":["SSL","LOGS"],"Blueprint":null,"Thumbprint":"","LegacyThumbprint":"","AuthCertificateReenrollment":{reenrollment},"LastThumbprintUsed":"","LastErrorCode":null,"LastErrorMessage":null,"JobTypes":[{{"Name":"SSL Endpoint Discovery","CertStoreTypeShortName":"","CertStoreJobType":"","JobTypeId":"332abd4e-cf9a-4449-a550-3c984a2399f9"}},{{"Name":"Orchestrator Log Retrieval","CertStoreTypeShortName":"","CertStoreJobType":"","JobTypeId":"0d8cf0c8-56ca-4b8a-b16a-c062018e170d"}}]}}"#
    )
}

fn listing(items: usize, mistyped: bool) -> Vec<u8> {
    let mut body = String::with_capacity(items * 330 + 2);
    body.push('[');
    for i in 0..items {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&item(i, mistyped));
    }
    body.push(']');
    body.into_bytes()
}

async fn serve(body: Vec<u8>) -> u16 {
    keyfactor_bench::serve(&body).await
}

fn client(port: u16) -> keyfactor_client::Client {
    keyfactor_client::Client::builder(format!("http://127.0.0.1:{port}/KeyfactorAPI")).build().unwrap()
}

async fn fetch(client: &keyfactor_client::Client, items: usize) -> f64 {
    let started = Instant::now();
    let agents = client.get_agents().return_limit(items as i32).send().await.unwrap();
    assert_eq!(agents.len(), items);
    started.elapsed().as_secs_f64() * 1000.0
}

async fn time(items: usize, rounds: usize) {
    let (typed, mistyped) = (client(serve(listing(items, false)).await), client(serve(listing(items, true)).await));
    // Warm up connections and allocator.
    fetch(&typed, items).await;
    fetch(&mistyped, items).await;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        a.push(fetch(&typed, items).await);
        b.push(fetch(&mistyped, items).await);
    }
    println!("{:.3} {:.3}", median(a), median(b));
}

fn max_rss_bytes() -> u64 {
    keyfactor_bench::peak_rss_kib().unwrap_or(0) * 1024
}

async fn memory(megabytes: usize, mistyped: bool) {
    let items = megabytes * 1024 * 1024 / item(0, mistyped).len();
    // Counted, not built: building it here would raise the peak measured.
    let body_len = 2 + (0..items).map(|i| item(i, mistyped).len()).sum::<usize>() + items.saturating_sub(1);
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["serve", &items.to_string(), if mistyped { "mistyped" } else { "typed" }])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port: u16 = line.trim().parse().unwrap();
    let client = client(port);
    let before = max_rss_bytes();
    let agents = client.get_agents().return_limit(items as i32).send().await.unwrap();
    let peak = max_rss_bytes();
    assert_eq!(agents.len(), items);
    assert_eq!(agents[0].unknown_fields.get("AuthCertificateReenrollment").is_some(), mistyped);
    drop(agents);
    let _ = child.kill();
    let _ = child.wait();
    println!("{body_len} {}", peak.saturating_sub(before));
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| args.get(i).and_then(|a| a.parse::<usize>().ok()).expect("a number");
    match args.first().map(String::as_str) {
        Some("time") => time(number(1), number(2)).await,
        Some("memory") => memory(number(1), args.get(2).is_none_or(|a| a == "mistyped")).await,
        Some("pages") => {
            let port = keyfactor_bench::serve_pages(&listing(number(2), false), number(1)).await;
            println!("{port}");
            std::io::stdout().flush().unwrap();
            std::future::pending::<()>().await;
        }
        Some("serve") => {
            let port = serve(listing(number(1), args.get(2).is_some_and(|a| a == "mistyped"))).await;
            println!("{port}");
            std::io::stdout().flush().unwrap();
            std::future::pending::<()>().await;
        }
        _ => eprintln!("usage: bench-decode time ITEMS ROUNDS | memory MB [mistyped|typed]"),
    }
}

//! What the benchmark binaries share: peak memory, a minimal HTTP/1.1
//! server on loopback that answers every request with one JSON body, and
//! medians.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Starts a server answering every request on every connection with `body`
/// (`application/json`), keeping connections open; returns its port.
pub async fn serve(body: &[u8]) -> u16 {
    serve_pages(body, usize::MAX).await
}

/// Like [`serve`], answering the first `pages` requests with `body` and the
/// others with `[]`: a paged listing of `pages` full pages.
pub async fn serve_pages(body: &[u8], pages: usize) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let reply = |body: &[u8]| -> Arc<Vec<u8>> {
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        Arc::new([head.as_bytes(), body].concat())
    };
    let (full, empty) = (reply(body), reply(b"[]"));
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let (full, empty, served) = (full.clone(), empty.clone(), served.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut pending = Vec::new();
                loop {
                    let n = match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        let n = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let response = if n < pages { &full } else { &empty };
                        if tcp.write_all(response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    port
}

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Peak resident memory of this process so far, in KiB (Linux: `VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

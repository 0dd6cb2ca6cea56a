//! The chat load client (issue 16's benchmark), driven by `bench/chat.sh`, which seeds a desk,
//! creates the chats (active, answered by one agent, started by one customer), signs both in
//! and starts the server(s). For each chat it opens the customer's socket on one node and the
//! agent's socket on another (or the same), so 2 connections per chat; once all are open, the
//! customers send messages at a fixed total rate, spread evenly over the chats, and the client
//! measures two round trips for every message:
//! - **ack**: the customer's `send` until its `ack` (stored and committed on the server);
//! - **delivery**: the customer's `send` until the agent's socket receives the `message` (through
//!   the event bus: NOTIFY on PostgreSQL, across nodes when there are two).
//!
//! The server's memory per connection is the growth of its resident set (`VmRSS` in
//! `/proc/<pid>/status`) while the sockets open, divided by the sockets it holds.
//!
//!     chat_load customer_base=http://127.0.0.1:P1 agent_base=http://127.0.0.1:P2 slug=acme \
//!       customer_cookie=fd_portal_1=... agent_cookie=fd_manage=... first_chat=1 chats=5000 \
//!       rate=1000 seconds=30 customer_pid=123 agent_pid=456

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Settings {
    customer_base: String,
    agent_base: String,
    slug: String,
    customer_cookie: String,
    agent_cookie: String,
    first_chat: i64,
    chats: usize,
    rate: f64,
    seconds: u64,
    warmup: u64,
    /// How long after the last send answers are still awaited.
    drain: u64,
    pids: Vec<u32>,
}

fn settings() -> Settings {
    let args: HashMap<String, String> = std::env::args()
        .skip(1)
        .filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let get = |k: &str| args.get(k).cloned().unwrap_or_else(|| panic!("missing {k}=..."));
    let num = |k: &str, d: &str| args.get(k).map(String::as_str).unwrap_or(d).parse::<f64>().expect(k);
    let mut pids: Vec<u32> = ["customer_pid", "agent_pid"].iter().filter_map(|k| args.get(*k)?.parse().ok()).collect();
    pids.dedup();
    Settings {
        customer_base: get("customer_base").replacen("http://", "ws://", 1),
        agent_base: get("agent_base").replacen("http://", "ws://", 1),
        slug: get("slug"),
        customer_cookie: get("customer_cookie"),
        agent_cookie: get("agent_cookie"),
        first_chat: num("first_chat", "1") as i64,
        chats: num("chats", "100") as usize,
        rate: num("rate", "1000"),
        seconds: num("seconds", "30") as u64,
        warmup: num("warmup", "3") as u64,
        drain: num("drain", "3") as u64,
        pids,
    }
}

/// Resident memory of a process in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

async fn open(url: &str, cookie: &str) -> Result<Socket, String> {
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert("cookie", cookie.parse().map_err(|_| "bad cookie".to_string())?);
    for attempt in 0..5 {
        match tokio_tungstenite::connect_async(request.clone()).await {
            Ok((socket, _)) => return Ok(socket),
            Err(e) if attempt == 4 => return Err(format!("{url}: {e}")),
            Err(_) => tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await,
        }
    }
    unreachable!()
}

#[derive(Default)]
struct Samples {
    ack_us: Vec<u64>,
    delivery_us: Vec<u64>,
    sent: u64,
    lost: u64,
}

/// One chat's two sockets: sends every `period` (first after `phase`), records both round trips
/// of messages sent after `measure_from`, until `stop`.
struct Plan {
    period: Duration,
    phase: Duration,
    measure_from: Instant,
    stop: Instant,
    drain: Duration,
}

async fn drive(mut customer: Socket, mut agent: Socket, id: i64, plan: Plan, samples: Arc<Mutex<Samples>>) {
    let Plan { period, phase, measure_from, stop, drain } = plan;
    // A fixed schedule (not an interval that catches up or drifts): the rate is exact.
    let mut next = tokio::time::Instant::now() + phase;
    let mut pending_ack: HashMap<String, Instant> = HashMap::new();
    let mut pending_delivery: HashMap<String, Instant> = HashMap::new();
    let mut n = 0u64;
    let deadline = tokio::time::Instant::from_std(stop);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next), if Instant::now() < stop => {
                next += period;
                // The condition was checked before the sleep, which may end past the stop.
                if Instant::now() >= stop {
                    continue;
                }
                n += 1;
                let client_id = format!("load-{id}-{n}");
                let frame = serde_json::json!({"type": "send", "client_id": client_id, "body": format!("Load message {n}")});
                let now = Instant::now();
                if customer.send(Message::Text(frame.to_string().into())).await.is_err() {
                    break;
                }
                if now >= measure_from {
                    pending_ack.insert(client_id.clone(), now);
                    pending_delivery.insert(client_id, now);
                    samples.lock().unwrap().sent += 1;
                }
            }
            frame = customer.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    if v["type"] == "ack" {
                        if let Some(at) = v["client_id"].as_str().and_then(|c| pending_ack.remove(c)) {
                            samples.lock().unwrap().ack_us.push(at.elapsed().as_micros() as u64);
                        }
                    } else if v["type"] == "error" {
                        eprintln!("chat {id}: {text}");
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            },
            frame = agent.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    if v["type"] == "message"
                        && let Some(at) = v["client_id"].as_str().and_then(|c| pending_delivery.remove(c))
                    {
                        samples.lock().unwrap().delivery_us.push(at.elapsed().as_micros() as u64);
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            },
            _ = tokio::time::sleep_until(deadline + drain) => break,
        }
        if Instant::now() > stop && pending_ack.is_empty() && pending_delivery.is_empty() {
            break;
        }
    }
    samples.lock().unwrap().lost += pending_ack.len().max(pending_delivery.len()) as u64;
    let _ = customer.close(None).await;
    let _ = agent.close(None).await;
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    let s = settings();
    let before: Vec<u64> = s.pids.iter().map(|p| rss_kib(*p)).collect();
    let opened = Instant::now();
    // A few hundred handshakes at a time: the listener's backlog is finite.
    let gate = Arc::new(Semaphore::new(256));
    let mut opening = Vec::with_capacity(s.chats);
    for i in 0..s.chats {
        let id = s.first_chat + i as i64;
        let customer_url = format!("{}/portal/{}/chats/{id}/socket", s.customer_base, s.slug);
        let agent_url = format!("{}/manage/chats/{id}/socket", s.agent_base);
        let (cc, ac, gate) = (s.customer_cookie.clone(), s.agent_cookie.clone(), gate.clone());
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let customer = open(&customer_url, &cc).await?;
            let agent = open(&agent_url, &ac).await?;
            Ok::<_, String>((id, customer, agent))
        }));
    }
    let mut pairs = Vec::with_capacity(s.chats);
    let mut failures = 0;
    for o in opening {
        match o.await.unwrap() {
            Ok(p) => pairs.push(p),
            Err(e) => {
                failures += 1;
                if failures <= 5 {
                    eprintln!("{e}");
                }
            }
        }
    }
    let open_secs = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after: Vec<u64> = s.pids.iter().map(|p| rss_kib(*p)).collect();
    let connections = pairs.len() * 2;
    println!("connections open: {connections} ({failures} chats failed) in {open_secs:.1} s");
    let per_node = if s.pids.len() == 2 { pairs.len() } else { connections };
    for (i, pid) in s.pids.iter().enumerate() {
        let grown = after[i].saturating_sub(before[i]);
        println!(
            "server {pid}: RSS {} -> {} KiB, {:.1} KiB per connection ({per_node} connections)",
            before[i],
            after[i],
            grown as f64 / per_node.max(1) as f64
        );
    }

    let samples = Arc::new(Mutex::new(Samples::default()));
    let n = pairs.len().max(1) as f64;
    let period = Duration::from_secs_f64(n / s.rate);
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(s.warmup);
    let stop = measure_from + Duration::from_secs(s.seconds);
    let mut tasks = Vec::with_capacity(pairs.len());
    for (k, (id, customer, agent)) in pairs.into_iter().enumerate() {
        let phase = period.mul_f64(k as f64 / n);
        let plan = Plan { period, phase, measure_from, stop, drain: Duration::from_secs(s.drain) };
        tasks.push(tokio::spawn(drive(customer, agent, id, plan, samples.clone())));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut got = samples.lock().unwrap();
    got.ack_us.sort_unstable();
    got.delivery_us.sort_unstable();
    let rate = got.sent as f64 / s.seconds as f64;
    println!("messages sent (measured): {} over {} s = {rate:.0}/s; unanswered: {}", got.sent, s.seconds, got.lost);
    for (label, v) in
        [("ack (send -> ack)", &got.ack_us), ("delivery (customer send -> agent receives)", &got.delivery_us)]
    {
        println!(
            "{label}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
            v.len(),
            percentile(v, 0.5),
            percentile(v, 0.99),
            percentile(v, 1.0)
        );
    }
    println!(
        "RESULT connections={connections} rate={rate:.0} ack_p50={:.2} ack_p99={:.2} delivery_p50={:.2} delivery_p99={:.2} unanswered={}",
        percentile(&got.ack_us, 0.5),
        percentile(&got.ack_us, 0.99),
        percentile(&got.delivery_us, 0.5),
        percentile(&got.delivery_us, 0.99),
        got.lost
    );
}

//! An open-loop load client for pages that search (issue 15's benchmark): requests start on a
//! fixed schedule, `rate` per second, whether or not earlier ones have been answered, and each
//! one's latency counts from the moment it was due, not from when it went out. A closed loop
//! (`wrk -cN`: N clients, each waiting for its answer before it asks again) measures how long a
//! search waits behind the others once the machine is saturated, and its schedule slows down
//! with the server, hiding the waits it causes; this measures the latency a desk's users see at
//! a stated load, as the chat benchmark does at 1,000 messages/s.
//!
//! Every request asks words no earlier request of the run asked (one to three of the help-desk
//! words `bench/search_articles.py` writes, each in 1 % to 15 % of the articles), so no answer
//! comes from memory.
//!
//!     search_load base=http://127.0.0.1:P path=/portal/acme/kb/search?q= rate=300 \
//!       [requests=3000] [warmup=300] [cookie=...] [pid=SERVER_PID] [max_in_flight=64] [slow_ms=50]
//!
//! With `pid`, the server's CPU time per request (from `/proc/<pid>/stat`) is reported too.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

const WORDS: &str = "password reset account sign email invoice billing payment printer network vpn error \
update install settings login user access order shipping refund mobile app export report \
dashboard browser cache server backup security two factor code team admin permission \
configure connection slow crash file upload download license subscription plan customer \
support ticket message notification calendar sync device windows mac android iphone";

struct Settings {
    base: String,
    path: String,
    rate: f64,
    /// Requests in the run, the first `warmup` of them not counted: the same list of searches
    /// at every rate, so runs at different rates ask the same mix.
    requests: usize,
    warmup: usize,
    cookie: Option<String>,
    pid: Option<u32>,
    max_in_flight: usize,
    /// Requests slower than this (ms) are listed with their words (those measured, not the warm-up).
    slow_ms: Option<u64>,
}

fn settings() -> Settings {
    let args: HashMap<String, String> = std::env::args()
        .skip(1)
        .filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let num = |k: &str, d: &str| args.get(k).map(String::as_str).unwrap_or(d).parse::<f64>().expect(k);
    Settings {
        base: args.get("base").cloned().expect("missing base=http://127.0.0.1:PORT"),
        path: args.get("path").cloned().unwrap_or_else(|| "/portal/acme/kb/search?q=".into()),
        rate: num("rate", "200"),
        requests: num("requests", "3000") as usize,
        warmup: num("warmup", "300") as usize,
        cookie: args.get("cookie").cloned(),
        pid: args.get("pid").and_then(|p| p.parse().ok()),
        max_in_flight: num("max_in_flight", "64") as usize,
        slow_ms: args.get("slow_ms").and_then(|v| v.parse().ok()),
    }
}

/// The run's searches, `total` of them, the same list in every run, none asked twice: a tenth
/// are one word or the start of one (at least 3 letters, as a search box asks while someone
/// types), half are two words, the rest three (`n % 10` chooses); the words come from a fixed
/// pseudo-random sequence. A search's cost grows with its matches, and one common word matches
/// the most, so the mix is kept the same at every rate and length of run (up to about 3,000
/// searches, when the single words run out and become two; hence runs of a fixed number of
/// requests, not seconds).
fn searches(total: usize) -> Vec<String> {
    let list: Vec<&str> = WORDS.split_whitespace().collect();
    let mut singles: Vec<String> = list.iter().flat_map(|w| (3..=w.len()).map(move |n| w[..n].to_string())).collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |below: usize| {
        // xorshift64*: enough to scatter words; the same sequence every run.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % below
    };
    let mut asked = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        let count = match out.len() % 10 {
            0 if !singles.is_empty() => {
                let single = singles.swap_remove(next(singles.len()));
                if asked.insert(single.clone()) {
                    out.push(single);
                }
                continue;
            }
            0..=5 => 2,
            _ => 3,
        };
        let words: Vec<&str> = (0..count).map(|_| list[next(list.len())]).collect();
        let query = words.join("+");
        if words.windows(2).all(|w| w[0] != w[1]) && asked.insert(query.clone()) {
            out.push(query);
        }
    }
    out
}

/// The process's user + system CPU time, in clock ticks (100 per second on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields.get(11..13).map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum()).unwrap_or(0)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

struct Outcome {
    latency_us: u64,
    ok: bool,
}

#[tokio::main]
async fn main() {
    let s = settings();
    let client = reqwest::Client::builder().pool_max_idle_per_host(s.max_in_flight).build().expect("client");
    let period = Duration::from_secs_f64(1.0 / s.rate);
    let total = s.requests;
    let measured_from = s.warmup.min(total.saturating_sub(1));
    let in_flight = Arc::new(Semaphore::new(s.max_in_flight));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::with_capacity(total);
    let mut cpu_at_measure = None;
    let mut measure_started = Instant::now();
    for (n, words) in searches(total).into_iter().enumerate() {
        let due = start + period * n as u32;
        tokio::time::sleep_until(due).await;
        if n == measured_from {
            cpu_at_measure = s.pid.map(cpu_ticks);
            measure_started = Instant::now();
        }
        let url = format!("{}{}{words}", s.base, s.path);
        let slow = s.slow_ms.filter(|_| n >= measured_from).map(|ms| (ms * 1000, url.clone()));
        let (client, in_flight, cookie) = (client.clone(), in_flight.clone(), s.cookie.clone());
        tasks.push(tokio::spawn(async move {
            // Waiting here for a free connection counts: the request was due at `due`.
            let _permit = in_flight.acquire_owned().await.expect("semaphore");
            let mut request = client.get(url);
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let ok = match request.send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            };
            let latency_us = due.elapsed().as_micros() as u64;
            if let Some((_, url)) = slow.filter(|(limit_us, _)| latency_us > *limit_us) {
                eprintln!("slow: {} ms {url}", latency_us / 1000);
            }
            Outcome { latency_us, ok }
        }));
    }
    let mut latencies = Vec::new();
    let mut failed = 0;
    for (n, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.expect("request task");
        if n >= measured_from {
            latencies.push(outcome.latency_us);
            failed += usize::from(!outcome.ok);
        }
    }
    let elapsed = measure_started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let cpu = match (s.pid, cpu_at_measure) {
        (Some(pid), Some(before)) => {
            format!(
                " server_cpu_per_request_ms={:.2}",
                (cpu_ticks(pid) - before) as f64 * 10.0 / latencies.len() as f64
            )
        }
        _ => String::new(),
    };
    println!(
        "rate={} requests={} failed={failed} achieved={:.0}/s p50_ms={:.1} p90_ms={:.1} p99_ms={:.1} p999_ms={:.1} max_ms={:.1}{cpu}",
        s.rate,
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.999),
        percentile(&latencies, 1.0),
    );
}

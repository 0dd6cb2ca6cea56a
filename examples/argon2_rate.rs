//! How many Argon2id verifications per second this machine can do with Frontdesk's parameters,
//! on N threads (default: all cores). The sign-in benchmark is measured against this ceiling.
//!
//!     cargo run --release --example argon2_rate -- [THREADS] [SECONDS]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let hash: PasswordHash = Argon2::default().hash_password(b"Bench-Passw0rd-1").expect("hash");
    let hash = Arc::new(hash.to_string());
    let done = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (hash, done) = (hash.clone(), done.clone());
            std::thread::spawn(move || {
                let parsed = PasswordHash::new(&hash).expect("parse");
                while Instant::now() < end {
                    Argon2::default().verify_password(b"Bench-Passw0rd-1", &parsed).expect("verify");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let n = done.load(Ordering::Relaxed);
    println!(
        "argon2id (m=19456 KiB, t=2, p=1): {threads} threads, {seconds} s: {n} verifications, {:.1}/s",
        n as f64 / seconds as f64
    );
}

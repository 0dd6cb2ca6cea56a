//! This node's memory of the customers' portal sessions it read lately, with their accounts.
//!
//! Every page a signed-in customer opens needs their session and their account: two reads that
//! cost more than the page itself (docs/benchmarks.md, "Signed-in customers' pages"). Requests
//! that only read (GET, HEAD) take them from here; anything else reads them again, so that no
//! write is ever allowed on what a node remembers. An entry is used for `MAX_AGE` at most, and
//! only while its session's own times say it is current and its seen-at time is not yet due to
//! be written (the read that writes it runs then). It is forgotten before that:
//! - when its session ends, whoever deleted it (`Event::SessionEnded`: migration 0029's trigger);
//! - when any customer is changed or deleted, or any session ends (`Event::SignInsChanged`:
//!   migration 0037's triggers notify it for customers, and bump a counter for both that every
//!   node reads four times a second, which also stands in for a `LISTEN` connection cut silently);
//! - after a request on this node that may have written as someone signed in (a form sent with
//!   a session cookie that was not refused), before its answer leaves: whoever was told a change
//!   was made (a sign-out, an account disabled, a new name) is never shown the old one;
//! - when this node may have missed events; nothing is kept or used while the bus is not live,
//!   nor until this cache has heard of the latest miss.
//!
//! So a change made elsewhere (another node, the command line, SQL typed by hand) shows here as
//! soon as its event arrives: at commit on PostgreSQL, within a quarter of a second on SQLite
//! or while PostgreSQL's notifications do not arrive. Staff signed in to a portal are not kept:
//! their rights change by other paths.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use super::sessions::Session;
use crate::accounts::customers::Customer;
use crate::config::SessionLimits;
use crate::events::{Event, EventBus};
use crate::web::state::AppState;
use crate::web::tokens::token_hash;

/// The longest an entry is used: a bound on anything no event covers.
const MAX_AGE: Duration = Duration::from_secs(30);

/// Sessions remembered at most; past that, those too old to use are dropped, then all.
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, Debug)]
pub struct SignedInCache {
    inner: Arc<RwLock<Memory>>,
    bus: EventBus,
    /// The bus's count of misses when this cache last forgot all for one (`EventBus::misses`).
    misses_heard: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct Memory {
    /// Moves on every forgetting, so that a read made before it is not kept after it.
    generation: u64,
    /// By the hash of the session's token, as the database keys it.
    by_token: HashMap<String, Entry>,
    /// Session id to token hash, to forget one session.
    token_of: HashMap<i64, String>,
}

#[derive(Clone, Debug)]
struct Entry {
    session: Session,
    customer: Customer,
    read_at: Instant,
}

/// Taken before reading a session from the database; the read is kept only if nothing was
/// forgotten meanwhile.
#[derive(Clone, Copy, Debug)]
pub struct BeforeReading(u64);

impl SignedInCache {
    /// A cache that forgets what the events on `bus` say changed.
    pub fn following(bus: &EventBus) -> SignedInCache {
        let cache = SignedInCache { inner: Arc::default(), bus: bus.clone(), misses_heard: Arc::default() };
        let mut events = bus.subscribe();
        let following = cache.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(Event::SessionEnded { session_id }) => following.forget_session(session_id),
                    Ok(Event::Missed) => following.forget_all_missed(),
                    Ok(Event::SignInsChanged) | Err(RecvError::Lagged(_)) => following.forget_all(),
                    Ok(_) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
        cache
    }

    /// The session of `token` and its customer, if this node read them lately and they may
    /// still serve a request that only reads, at `t` (seconds).
    pub fn get(&self, token: &str, limits: SessionLimits, t: i64) -> Option<(Session, Customer)> {
        if !self.trusted() {
            return None;
        }
        self.read().get(&token_hash(token), limits, t)
    }

    /// Whether every change made elsewhere reaches this cache now.
    fn trusted(&self) -> bool {
        self.bus.is_live() && self.bus.misses() == self.misses_heard.load(Ordering::Acquire)
    }

    pub fn before_reading(&self) -> BeforeReading {
        BeforeReading(self.read().generation)
    }

    /// Keeps what was read for `token`, unless something was forgotten since `before`.
    pub fn keep(&self, before: BeforeReading, token: &str, session: &Session, customer: &Customer) {
        if self.trusted() {
            self.write().keep(before, token_hash(token), session, customer);
        }
    }

    pub fn forget_all(&self) {
        self.write().forget_all();
    }

    fn forget_session(&self, session_id: i64) {
        self.write().forget_session(session_id);
    }

    /// Forgets all for a miss; trusted again once it has heard of the latest (read first: a miss
    /// delivered meanwhile leaves it untrusted until its own turn).
    fn forget_all_missed(&self) {
        let misses = self.bus.misses();
        self.forget_all();
        self.misses_heard.store(misses, Ordering::Release);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Memory> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Memory> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Memory {
    fn get(&self, hash: &str, limits: SessionLimits, t: i64) -> Option<(Session, Customer)> {
        let entry = self.by_token.get(hash)?;
        let usable = entry.read_at.elapsed() < MAX_AGE && entry.session.current_without_writing(limits, t);
        usable.then(|| (entry.session.clone(), entry.customer.clone()))
    }

    fn keep(&mut self, before: BeforeReading, hash: String, session: &Session, customer: &Customer) {
        if self.generation != before.0 {
            return;
        }
        if self.by_token.len() >= MAX_ENTRIES {
            self.by_token.retain(|_, e| e.read_at.elapsed() < MAX_AGE);
            if self.by_token.len() >= MAX_ENTRIES {
                self.by_token.clear();
            }
            let Memory { by_token, token_of, .. } = self;
            token_of.retain(|_, hash| by_token.contains_key(hash));
        }
        self.token_of.insert(session.id, hash.clone());
        let entry = Entry { session: session.clone(), customer: customer.clone(), read_at: Instant::now() };
        self.by_token.insert(hash, entry);
    }

    fn forget_all(&mut self) {
        self.generation += 1;
        self.by_token.clear();
        self.token_of.clear();
    }

    fn forget_session(&mut self, session_id: i64) {
        self.generation += 1;
        if let Some(hash) = self.token_of.remove(&session_id) {
            self.by_token.remove(&hash);
        }
    }
}

/// Whether a request only reads: only these may use what the cache remembers, and only the
/// others make it forget.
pub fn only_reads(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware: after a request that may have written as someone signed in, this node forgets
/// every session it remembers, before the answer leaves (other nodes hear of it from the
/// database). A refused request (4xx) wrote nothing, and one without a session cookie changed
/// no one's session but through the database's triggers: neither makes it forget, so that
/// nobody empties the memory by sending forms.
pub async fn forget_after_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let may_write = !only_reads(req.method()) && carries_a_session(req.headers());
    let response = next.run(req).await;
    if may_write && !response.status().is_client_error() {
        state.signed_in.forget_all();
    }
    response
}

/// Whether a request carries a session cookie of either realm (`super::extract`).
fn carries_a_session(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).any(|c| {
        let name = c.trim_start().split('=').next().unwrap_or_default();
        let name = name.strip_prefix("__Host-").unwrap_or(name);
        name == super::extract::MANAGE_COOKIE || name.starts_with(super::extract::PORTAL_COOKIE_PREFIX)
    })
}

#[cfg(test)]
mod tests;

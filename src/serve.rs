//! The HTTP/1 accept loop, with the limits that keep slow or idle clients from holding the
//! server: a header timeout (which also closes kept-alive connections that sit idle), a deadline
//! for request bodies, and a cap on connections served at once. At the cap, a new connection
//! replaces the oldest one with no request in progress (a half-sent request or an idle
//! keep-alive), so clients that hold connections open cannot keep others, or `/healthz`, out.
//! Every request gets an id, in its log span, in the `X-Request-Id` response header and on its
//! error page (so what a user reports leads to the log lines).
//!
//! WebSockets (the chat feature): connections are served with upgrades enabled. Once a
//! connection is upgraded, hyper hands its socket to the upgrade and this loop's task for it
//! ends, so none of these HTTP timeouts, nor eviction, apply to it; the chat must give its
//! sockets their own ping/pong liveness and its own cap.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderValue;
use axum::response::Response;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tower::{Service, ServiceExt};
use tracing::Instrument;

use crate::config::ConnectionLimits;

/// One connection as the cap sees it.
#[derive(Default)]
struct Tracked {
    /// Requests being handled on it right now.
    busy: AtomicUsize,
    evicted: AtomicBool,
    evict: Notify,
}

/// The open connections, oldest first (ids grow).
#[derive(Default)]
struct Connections {
    open: Mutex<BTreeMap<u64, Arc<Tracked>>>,
    next_id: AtomicU64,
}

impl Connections {
    fn add(self: &Arc<Self>) -> (u64, Arc<Tracked>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let tracked = Arc::new(Tracked::default());
        self.open.lock().unwrap_or_else(|e| e.into_inner()).insert(id, tracked.clone());
        (id, tracked)
    }

    fn remove(&self, id: u64) {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }

    /// Closes the oldest connection with no request in progress; false when all are busy.
    fn evict_oldest_idle(&self) -> bool {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let idle = open.values().find(|c| c.busy.load(Ordering::Acquire) == 0 && !c.evicted.load(Ordering::Acquire));
        match idle {
            Some(c) => {
                c.evicted.store(true, Ordering::Release);
                c.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Counts a request as in progress on its connection until dropped.
struct Busy(Arc<Tracked>);

impl Busy {
    fn start(tracked: &Arc<Tracked>) -> Busy {
        tracked.busy.fetch_add(1, Ordering::AcqRel);
        Busy(tracked.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in progress
/// finish.
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let connections = Arc::new(Connections::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(limits.header_timeout_secs));
    let body_timeout = Duration::from_secs(limits.body_timeout_secs);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let permit = take_slot(&slots, &connections).await;
        let (id, tracked) = connections.add();
        let service = hyper::service::service_fn({
            let (app, tracked) = (app.clone(), tracked.clone());
            move |request| handle(app.clone(), request, remote, body_timeout, Busy::start(&tracked))
        });
        let connection = http.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let (connections, mut stop) = (connections.clone(), stop_rx.clone());
        tokio::spawn(async move {
            let _permit: OwnedSemaphorePermit = permit;
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, %remote, "connection closed with an error");
                    }
                }
                // Dropping the connection closes its socket; it had no request in progress.
                _ = tracked.evict.notified() => tracing::debug!(%remote, "idle connection closed to make room"),
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            connections.remove(id);
        });
    }
    let _ = stop_tx.send(true);
    // Every slot back means every connection has finished.
    let _ = slots.acquire_many(u32::try_from(max).unwrap_or(u32::MAX)).await;
    Ok(())
}

/// A free connection slot; at the cap, makes one by closing the oldest idle connection, or
/// waits for one to finish when none is idle.
async fn take_slot(slots: &Arc<Semaphore>, connections: &Connections) -> OwnedSemaphorePermit {
    if let Ok(permit) = slots.clone().try_acquire_owned() {
        return permit;
    }
    if !connections.evict_oldest_idle() {
        tracing::warn!("every connection is busy; a new one waits (see FRONTDESK_MAX_CONNECTIONS)");
    }
    slots.clone().acquire_owned().await.expect("the connection semaphore is never closed")
}

/// Runs one request through the app with the client's address, a body deadline and an id.
async fn handle<S>(
    app: S,
    request: hyper::Request<Incoming>,
    remote: SocketAddr,
    body_timeout: Duration,
    busy: Busy,
) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    let mut request = request.map(|body| Body::new(DeadlineBody::new(body, body_timeout)));
    request.extensions_mut().insert(ConnectInfo(remote));
    let id = next_request_id();
    let span = tracing::info_span!("request", id = %id);
    let mut response = REQUEST_ID.scope(id.clone(), app.oneshot(request).instrument(span)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    // The request stays in progress until its answer is written out, so eviction never cuts one.
    Ok(response.map(|body| Body::new(BusyBody { inner: body, _busy: busy })))
}

/// A response body that keeps its connection counted as busy until it has been sent.
struct BusyBody {
    inner: Body,
    _busy: Busy,
}

impl http_body::Body for BusyBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

tokio::task_local! {
    /// The id of the request this task is answering, for the error page to show.
    static REQUEST_ID: String;
}

/// The id of the request being answered, when called while answering one.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(String::clone).ok()
}

/// A process-unique request id: the start time (so ids differ across restarts) and a counter.
fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| crate::db::now() as u64 % 1_000_000);
    format!("{start:06}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The slowest a body may arrive beyond the body timeout: each chunk received extends the
/// deadline by its length at this rate. A large upload on a slow line (25 MB at 1 Mbit/s takes
/// over three minutes) goes through; a client trickling bytes to hold a connection does not.
pub const MIN_BODY_BYTES_PER_SEC: f64 = 16.0 * 1024.0;

/// A request body that fails once its deadline passes, so a client sending a body slowly
/// cannot hold a connection (and a handler) for longer than the body timeout plus the time its
/// data justifies at `MIN_BODY_BYTES_PER_SEC`.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    fn new(inner: Incoming, timeout: Duration) -> DeadlineBody {
        DeadlineBody { inner, deadline: Box::pin(tokio::time::sleep(timeout)) }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            if let Some(data) = frame.as_ref().and_then(|f| f.as_ref().ok()).and_then(Frame::data_ref) {
                let earned = Duration::from_secs_f64(data.len() as f64 / MIN_BODY_BYTES_PER_SEC);
                let later = this.deadline.deadline() + earned;
                this.deadline.as_mut().reset(later);
            }
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err("the request body did not arrive within the body timeout".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

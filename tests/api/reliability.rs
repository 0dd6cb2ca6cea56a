//! Connections that clients leave half-sent or idle are closed, a cap on connections keeps the
//! server answering, and a database outage gives quick 503s with `Retry-After`, then recovery.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous bound for the server to close a connection whose timeout is 1 s; before the fix it
/// never did.
const CLOSE_BOUND: Duration = Duration::from_secs(10);

fn port_of(app: &TestApp) -> u16 {
    app.base.rsplit(':').next().unwrap().parse().unwrap()
}

/// Opens a connection and sends the start of a request, without the blank line ending its
/// headers.
async fn half_sent_request(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    stream
}

/// Reads until the server closes the connection; what it sent, or None if it kept it open
/// past `bound`.
async fn read_until_closed(stream: &mut TcpStream, bound: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(bound, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn more_half_sent_requests_than_the_cap_do_not_keep_healthz_out() {
    const CAP: usize = 4;
    let app = spawn_with(|c| c.connections.max_connections = CAP).await;
    let port = port_of(&app);
    let mut held = Vec::new();
    for _ in 0..2 * CAP {
        held.push(half_sent_request(port).await);
    }
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let health = client.get(format!("{}/healthz", app.base)).send().await.expect("/healthz answers");
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok\n");

    // The oldest half-sent requests were closed to make room; at most CAP connections stay.
    let mut closed = 0;
    for stream in &mut held {
        if read_until_closed(stream, Duration::from_secs(2)).await.is_some() {
            closed += 1;
        }
    }
    assert!(closed > CAP, "only {closed} of {} held connections were closed", held.len());
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let app = spawn_with(|c| c.connections.header_timeout_secs = 1).await;
    let mut stream = half_sent_request(port_of(&app)).await;
    let started = Instant::now();
    assert!(read_until_closed(&mut stream, CLOSE_BOUND).await.is_some(), "the connection stayed open");
    assert!(started.elapsed() >= Duration::from_millis(900), "closed before its timeout");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let app = spawn_with(|c| c.connections.header_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(("127.0.0.1", port_of(&app))).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let answered = read_until_closed(&mut stream, CLOSE_BOUND).await.expect("the idle connection stayed open");
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(answered.contains("ok\n"), "{answered}");
}

#[tokio::test]
async fn a_slowly_sent_body_is_cut_off_after_the_body_timeout() {
    let app = spawn_with(|c| c.connections.body_timeout_secs = 1).await;
    let mut stream = TcpStream::connect(("127.0.0.1", port_of(&app))).await.unwrap();
    let head = "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 100\r\n\r\nemail=a";
    stream.write_all(head.as_bytes()).await.unwrap();
    let answered = read_until_closed(&mut stream, CLOSE_BOUND).await.expect("the slow body held the connection");
    assert!(answered.is_empty() || answered.starts_with("HTTP/1.1 4"), "{answered}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);
}

/// A private PostgreSQL cluster this test may stop and start (scripts/pg-cluster).
struct Cluster {
    dir: PathBuf,
    url: String,
    _tempdir: tempfile::TempDir,
}

fn pg_cluster(command: &str, dir: &Path) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster");
    std::process::Command::new(script).arg(command).arg(dir).output().expect("run scripts/pg-cluster")
}

impl Cluster {
    /// None when the machine has no PostgreSQL server binaries.
    fn start() -> Option<Cluster> {
        let tempdir = tempfile::tempdir().unwrap();
        let dir = tempdir.path().join("pg");
        let out = pg_cluster("start", &dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() && stderr.contains("no PostgreSQL server binaries") {
            return None;
        }
        assert!(out.status.success(), "pg-cluster start failed: {stderr}");
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Some(Cluster { dir, url, _tempdir: tempdir })
    }

    fn stop(&self) {
        pg_cluster("stop", &self.dir);
    }

    fn restart(&self) {
        let out = pg_cluster("start", &self.dir);
        assert!(out.status.success(), "pg-cluster start failed: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(url, self.url, "the cluster came back on its port");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn a_postgresql_outage_answers_503_with_retry_after_then_recovers() {
    let Some(cluster) = Cluster::start() else {
        eprintln!("skipped: no PostgreSQL server binaries on this machine (set FRONTDESK_PG_BINDIR)");
        return;
    };
    let app = spawn_on(cluster.url.parse().unwrap(), tempfile::tempdir().unwrap(), |c| {
        c.database_timeouts.acquire_timeout_ms = 1000;
        c.database_timeouts.health_timeout_ms = 500;
    })
    .await;
    let admin = app.admin().await;
    assert_eq!(admin.get("/manage").await.status, StatusCode::OK);

    // Requests keep coming while the database goes away and comes back.
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let load = tokio::spawn({
        let admin = admin.clone();
        async move {
            let mut seen = Vec::new();
            while !*stop_rx.borrow_and_update() {
                let page = admin.get("/manage").await;
                seen.push((page.status, page.headers.get("retry-after").is_some()));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            seen
        }
    });
    cluster.stop();
    let deadline = Instant::now() + Duration::from_secs(30);
    let down = loop {
        let page = admin.get("/manage").await;
        if page.status == StatusCode::SERVICE_UNAVAILABLE {
            break page;
        }
        assert!(Instant::now() < deadline, "no 503 while the database is stopped: {}", page.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(down.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
    assert!(down.headers.contains_key("x-request-id"));
    down.assert_contains("cannot reach its database").assert_lacks("Something went wrong");
    let health = app.browser().get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    // The common sign-in page needs only the portals, which the node keeps in memory, so it
    // may still be served; signing in says the database is away, never "Something went wrong".
    let b = app.browser();
    let login = b.get("/login").await;
    assert!([StatusCode::OK, StatusCode::SERVICE_UNAVAILABLE].contains(&login.status), "{}", login.body);
    let page = b.sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.headers.contains_key("retry-after"));

    cluster.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    while admin.get("/manage").await.status != StatusCode::OK {
        assert!(Instant::now() < deadline, "no recovery after the database came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.browser().get("/healthz").await.status, StatusCode::OK);
    stop_tx.send(true).unwrap();
    let seen = load.await.unwrap();
    for (status, retry_after) in &seen {
        assert!(
            *status == StatusCode::OK || (*status == StatusCode::SERVICE_UNAVAILABLE && *retry_after),
            "during the outage: {status} (retry-after: {retry_after}); all: {seen:?}"
        );
    }
    // The session made before the outage still works, and the database holds it.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 1);
}

/// Log lines written while a test runs, as text.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_panicking_handler_answers_the_error_page_and_its_request_id_leads_to_the_log() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    // The test runtime has one thread, so the server's tasks log here too.
    let _guard = tracing::subscriber::set_default(subscriber);

    // The application's layers and accept loop around one route that panics.
    let dir = tempfile::tempdir().unwrap();
    let config = frontdesk::config::Config::for_database(fresh_database(&dir).await);
    let state = frontdesk::startup::Application::build(&config).await.unwrap().state();
    async fn boom() -> &'static str {
        panic!("the cause an administrator looks for")
    }
    let routes = axum::Router::new().route("/boom", axum::routing::get(boom));
    let app = frontdesk::web::with_layers(routes, state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(frontdesk::serve::serve(listener, app, config.connections, std::future::pending()));

    let page = Browser::new(&base).get("/boom").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    page.assert_contains("Something went wrong on our side").assert_lacks("the cause an administrator looks for");
    assert!(page.headers.get("content-security-policy").is_some(), "the panic page has the security headers");
    let id = page.headers.get("x-request-id").expect("request id").to_str().unwrap().to_string();
    assert_eq!(page.between("<code id=\"request-id\">", "</code>"), id);
    let line = log.text().lines().find(|l| l.contains("a handler panicked")).map(str::to_string);
    let line = line.unwrap_or_else(|| panic!("no log line for the panic in:\n{}", log.text()));
    assert!(line.contains(&id) && line.contains("the cause an administrator looks for"), "{line}");
}

#[tokio::test]
async fn error_pages_show_the_request_id_of_their_answer() {
    let app = spawn().await;
    let b = app.browser();
    for (path, status) in [("/nowhere", StatusCode::NOT_FOUND), ("/portal/no-such-portal/login", StatusCode::NOT_FOUND)]
    {
        let page = b.get(path).await;
        assert_eq!(page.status, status, "{path}");
        let id = page.headers.get("x-request-id").expect("request id").to_str().unwrap().to_string();
        assert_eq!(page.between("<code id=\"request-id\">", "</code>"), id, "{path}");
    }
}

#[tokio::test]
async fn a_large_upload_arriving_steadily_gets_the_time_its_size_needs() {
    let app = spawn_with(|c| c.connections.body_timeout_secs = 1).await;
    let (_, department) = app.portal_with_department("default").await;
    let args = ["user", "add", "--portal", "default", "--role", "customer", "--email", "ana@client.test"];
    app.cli_ok(&args, "Cust0mer-Secret!\n");
    let ana = app.browser();
    ana.sign_in_portal("default", "ana@client.test", "Cust0mer-Secret!").await;
    // 400 KB over about 2.5 s: longer than the body timeout, far faster than the minimum rate.
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> = (0..10).map(|_| Ok(vec![b'x'; 40_000])).collect();
    let slow = futures_util::stream::iter(pieces).then(|piece| async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        piece
    });
    let file = reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(slow), 400_000)
        .file_name("big.log")
        .mime_str("text/plain")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", ana.cookie("fd_csrf").unwrap())
        .text("department", department.to_string())
        .text("subject", "A slow upload")
        .text("message", "Over a slow line.")
        .part("files", file);
    let url = format!("{}/portal/default/tickets/new", ana.base);
    let answer = ana.client.post(url).multipart(form).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT size AS n FROM attachments").await, 400_000);
}

//! A real HTTP endpoint on 127.0.0.1 that receives SMS the way a gateway does, records each
//! request, and answers 200 (or what the test asks for).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub content_type: String,
    pub body: String,
}

#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
}

pub struct SmsGateway {
    pub port: u16,
    inbox: Inbox,
    server: Option<tokio::task::JoinHandle<()>>,
}

async fn receive(
    State(inbox): State<Inbox>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    inbox.received.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    (StatusCode::OK, r#"{"status":"queued"}"#)
}

impl SmsGateway {
    pub async fn start() -> SmsGateway {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let mut g = SmsGateway { port: listener.local_addr().unwrap().port(), inbox: Inbox::default(), server: None };
        g.serve(listener);
        g
    }

    /// A gateway that is not listening yet; `up` starts it on the same port.
    pub fn down() -> SmsGateway {
        SmsGateway { port: super::mail::free_port(), inbox: Inbox::default(), server: None }
    }

    pub async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let app = Router::new().route("/{*path}", post(receive)).with_state(self.inbox.clone());
        self.server = Some(tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        }));
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/sms", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    pub async fn wait_for(&self, needle: &str) -> Received {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(r) = self.received().into_iter().find(|r| r.body.contains(needle)) {
                return r;
            }
            assert!(Instant::now() < deadline, "no SMS containing {needle:?}; got {:?}", self.received());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmsGateway {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
        }
    }
}

/// The first run of six digits in a text.
pub fn six_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(6) {
        if w.iter().all(char::is_ascii_digit) {
            return w.iter().collect();
        }
    }
    panic!("no 6-digit code in {text:?}")
}

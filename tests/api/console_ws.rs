//! WebSockets as a signed-in browser opens them, for the console lane's tests (ticket viewers,
//! the agents' chat pages): the browser's cookies on the upgrade request, and frames read as
//! JSON with a deadline, so that a missing frame fails the test instead of hanging it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::cookie::CookieStore;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};

use crate::common::Browser;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a frame it expects.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Opens `path` as `browser` would (its cookies, its own origin); the HTTP status when refused.
pub async fn open(browser: &Browser, path: &str) -> Result<Socket, u16> {
    open_from(browser, path, Some(&browser.base)).await
}

/// Opens `path` with the `Origin` header given (`None`: none at all).
pub async fn open_from(browser: &Browser, path: &str, origin: Option<&str>) -> Result<Socket, u16> {
    let url = format!("{}{path}", browser.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    let base: reqwest::Url = browser.base.parse().expect("base URL");
    if let Some(cookies) = browser.jar.cookies(&base) {
        request.headers_mut().insert("cookie", cookies);
    }
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().expect("an origin"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("WebSocket to {path} failed: {e}"),
    }
}

/// Sends one JSON text frame.
pub async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::Text(frame.to_string().into())).await.expect("send a frame");
}

/// The next JSON frame; panics after `DEADLINE`. `None` once the server closed the socket.
pub async fn next(socket: &mut Socket) -> Option<Value> {
    loop {
        let frame = tokio::time::timeout(DEADLINE, socket.next()).await.expect("a frame within the deadline");
        match frame {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(text.as_str()).expect("a JSON frame")),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Reads frames until one satisfies `wanted`, which it returns; panics after `DEADLINE` (or if
/// the socket closes first), naming what came instead.
pub async fn until(socket: &mut Socket, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = match tokio::time::timeout(left, socket.next()).await {
            Ok(frame) => frame,
            Err(_) => panic!("no frame with {what} within {DEADLINE:?}; got {seen:?}"),
        };
        match frame {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(text.as_str()).expect("a JSON frame");
                if wanted(&value) {
                    return value;
                }
                seen.push(value);
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => panic!("closed before {what}; got {seen:?}"),
            Some(Ok(_)) => {}
        }
    }
}

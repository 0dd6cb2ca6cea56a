//! The baseline for `bench/run.sh`: a bare axum page of about the sign-in page's size, on the same
//! runtime, so that Frontdesk's figures can be read as a share of what the stack itself allows
//! on this machine.
//!
//!     cargo run --release --example bare_axum -- 127.0.0.1:PORT

use axum::Router;
use axum::response::Html;
use axum::routing::get;

const PAGE: &str = concat!(
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in</title></head><body>",
    "<form method=\"post\" action=\"/login\"><label>Email <input name=\"email\"></label>",
    "<label>Password <input name=\"password\" type=\"password\"></label><button>Sign in</button></form>",
    "</body></html>"
);

#[tokio::main]
async fn main() {
    let bind = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8090".into());
    let listener = tokio::net::TcpListener::bind(&bind).await.expect("bind");
    let app = Router::new().route("/login", get(|| async { Html(PAGE) }));
    axum::serve(listener, app).await.expect("serve");
}

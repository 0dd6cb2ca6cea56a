//! HTTP plumbing shared by every feature: the router, cookies, CSRF, client info, static files.

pub mod client;
pub mod cookies;
pub mod csrf;
pub mod extract;
pub mod headers;
pub mod input;
pub mod layout;
pub mod log_paths;
pub mod next;
pub mod settings;
pub mod sockets;
pub mod state;
pub mod tokens;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::portals;
use state::AppState;

/// Forms are small; anything bigger is refused with 413 before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    with_layers(routes(), state)
}

/// The plumbing's own routes, then every feature's pages.
fn routes() -> Router<AppState> {
    let plumbing = Router::new()
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .route("/language/{tag}", get(crate::i18n::switch::choose))
        .route("/portal/{slug}/language/{tag}", get(crate::i18n::switch::choose));
    crate::features::ALL
        .iter()
        .fold(plumbing, |router, feature| router.merge((feature.router)()))
        .fallback(crate::auth::common_login::not_found)
}

/// Wraps `routes` in what every request goes through. The portal-host rewrite changes the path,
/// so it wraps the routes as one service and runs before routing; everything it or a route
/// answers (a 503 when the database is away, the page for a panic) then passes through the
/// security headers. Public so tests can serve extra routes (one that panics) the same way.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    let https = state.public_url.scheme() == "https";
    let routes = routes
        .layer(middleware::from_fn_with_state(state.clone(), csrf::ensure_cookie))
        .layer(middleware::from_fn_with_state(state.clone(), crate::auth::signed_in::forget_after_writes))
        .layer(middleware::from_fn(|req, next| input::refuse_control_characters(req, next, MAX_BODY_BYTES)))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // For a feature's own middleware (`from_fn` has no state; features' routers are built
        // before the state exists).
        .layer(axum::Extension(state.clone()))
        .with_state(state.clone());
    let by_host = middleware::from_fn_with_state(state.clone(), portals::resolve::serve_portal_hosts);
    let app = Router::new()
        .fallback_service(tower::Layer::layer(&by_host, routes))
        .layer(CatchPanicLayer::custom(crate::error::panic_page))
        // Outside the panic catcher, so that the page for a panic is in the request's language.
        .layer(middleware::from_fn_with_state(state.clone(), crate::i18n::scope_request))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            header::HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("same-origin"),
        ));
    // Downloads (`Content-Disposition`) go out as stored: their length known to the browser, and no
    // time spent compressing files that mostly are compressed already.
    let compress = DefaultPredicate::new().and(
        |_: StatusCode, _: axum::http::Version, headers: &axum::http::HeaderMap, _: &axum::http::Extensions| {
            !headers.contains_key(header::CONTENT_DISPOSITION)
        },
    );
    headers::add(app, https)
        .layer(CompressionLayer::new().compress_when(compress))
        .layer(TraceLayer::new_for_http().make_span_with(log_paths::RequestSpan))
        .with_state(state)
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_reachable().await {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}

/// A Unix time in the request's language: `2026-11-24 09:30 UTC`, `24/11/2026 09:30 UTC`.
pub fn format_time(ts: i64) -> String {
    crate::i18n::datetime(crate::i18n::Lang::current(), ts)
}

/// `host` or `host:port` of a URL, as a `Host` header or an `Origin` would name it.
pub fn host_and_port(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

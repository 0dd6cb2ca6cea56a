//! Security headers on every response, set in one place. Each is added only when the response
//! does not already carry it, so a route with different needs (a chat widget that other sites
//! may frame, say) sets its own `Content-Security-Policy` and keeps it.

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use super::state::AppState;

/// Pages load only this server's own styles and scripts (no inline ones) and may not be framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'";

/// One year: browsers then refuse plain HTTP for this host.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Adds the content security policy, `Cache-Control: no-store` (pages show signed-in people's data
/// or carry one-time links and CSRF tokens: nothing here is for a shared or back-button cache;
/// the stylesheet sets its own caching), and HSTS when the server is reached over https.
pub fn add(router: Router<AppState>, https: bool) -> Router<AppState> {
    let router = router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    if https {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ))
    } else {
        router
    }
}

//! Which portal a request is for: the `/portal/{slug}` in its path, or its `Host` header when a
//! portal has its own host name. Handlers take `CurrentPortal` and never read the slug themselves.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Portal;
use crate::error::AppError;
use crate::web::state::AppState;

#[derive(Clone, Debug)]
pub struct CurrentPortal {
    pub portal: Portal,
    /// Prefix for links inside this portal: `/portal/{slug}`, or empty on the portal's own host.
    pub base: String,
}

impl CurrentPortal {
    /// The portal's top menu, from what each feature declares.
    pub fn menu(&self) -> Vec<crate::web::layout::NavItem> {
        crate::web::layout::portal_menu(&self.base)
    }
}

/// Set by `serve_portal_hosts` when the request came in on a portal's own host name.
#[derive(Clone, Debug)]
struct HostPortal(Portal);

impl FromRequestParts<AppState> for CurrentPortal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(HostPortal(portal)) = parts.extensions.get::<HostPortal>() {
            crate::i18n::request::set_portal_default(portal.default_language);
            return Ok(CurrentPortal { portal: portal.clone(), base: String::new() });
        }
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let slug = params.get("slug").ok_or(AppError::NotFound)?;
        let portal = super::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
        crate::i18n::request::set_portal_default(portal.default_language);
        let base = format!("/portal/{}", portal.slug);
        Ok(CurrentPortal { portal, base })
    }
}

/// Paths that belong to the whole server, never to a portal's own host.
fn is_server_path(path: &str) -> bool {
    ["/manage", "/static/", "/healthz", "/portal/"].iter().any(|p| path.starts_with(p))
}

/// Middleware: a request for a portal's own host name is served as that portal's pages, so
/// `https://support.example.com/login` is `/portal/{slug}/login`.
pub async fn serve_portal_hosts(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
    let public_host = crate::web::host_and_port(&state.public_url);
    let Some(host) = host.filter(|h| Some(h) != public_host.as_ref()) else {
        return next.run(req).await;
    };
    if is_server_path(req.uri().path()) {
        return next.run(req).await;
    }
    let bare = host.split(':').next().unwrap_or(&host).to_string();
    // One reading of the portals for both names: a database that is away is a 503 either way,
    // never a 404 for a host that has a portal.
    let portals = match super::cache::snapshot(&state.db).await {
        Ok(portals) => portals,
        Err(e) => return axum::response::IntoResponse::into_response(AppError::from(e)),
    };
    let portal = portals.by_host(&host).or_else(|| portals.by_host(&bare)).cloned();
    if let Some(portal) = portal {
        // Every answer on the portal's host is the portal's, even one no route gives (a 404).
        crate::i18n::request::set_portal_default(portal.default_language);
        let path_and_query = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let rewritten = format!("/portal/{}{}", portal.slug, path_and_query);
        if let Ok(uri) = rewritten.parse::<Uri>() {
            *req.uri_mut() = uri;
            req.extensions_mut().insert(HostPortal(portal));
        }
    }
    next.run(req).await
}

//! Staff sign-in with a portal's own Microsoft Entra ID (OpenID Connect, authorization code flow
//! with PKCE). One redirect URI serves every portal: `{public URL}/auth/oidc/callback`; the
//! flow's `state` says which portal a sign-in belongs to.
//!
//! - `settings`: the `entra_*` portal settings (the client secret sealed, see `crate::secrets`).
//! - `provider`: discovery, the authorization URL, redeeming the code, verifying the ID token.
//! - `flows`: sign-ins under way, in the database so any node can finish them.
//! - `identities` and `accounts`: which staff account a directory user is (`tid` + `oid`).
//! - `routes`: starting a sign-in and taking the provider's answer.
//! - `sign_out`: signing out through the provider, and the way back.

pub mod accounts;
pub mod flows;
pub mod identities;
pub mod provider;
pub mod routes;
pub mod settings;
pub mod sign_out;

use axum::Router;
use axum::routing::get;

use crate::web::layout::Feature;
use crate::web::state::AppState;

pub const START_PATH: &str = "/auth/oidc/start";
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
pub const SIGNED_OUT_PATH: &str = "/auth/oidc/signed-out";

/// Staff sign-in with a portal's Microsoft Entra ID: its pages and its settings.
pub const FEATURE: Feature = Feature {
    name: "microsoft-sign-in",
    menu: &[],
    notices: &[],
    portal_menu: &[],
    visitor_links: &[],
    router,
    settings: &[settings::GROUP],
    home_panels: &[],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

fn router() -> Router<AppState> {
    Router::new()
        .route(START_PATH, get(routes::start))
        .route(CALLBACK_PATH, get(routes::callback))
        .route(SIGNED_OUT_PATH, get(sign_out::signed_out))
}

/// The address that starts a Microsoft sign-in for a portal's staff.
pub fn start_path(slug: &str) -> String {
    format!("{START_PATH}?portal={slug}")
}

//! Signing out of a session that Microsoft signed in: the local session ends first, then the
//! browser goes to the provider's end-session endpoint, which sends it back to
//! `/auth/oidc/signed-out` and on to the portal's staff sign-in page.

use crate::web::extract::Query;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::SIGNED_OUT_PATH;
use super::routes::login_path;
use super::settings;
use crate::auth::sessions::Session;
use crate::error::AppResult;
use crate::portals;
use crate::web::state::AppState;

/// Where the browser goes after the local session ended: the provider's end-session endpoint
/// when the session came from it, else the sign-in page.
pub async fn after_sign_out(state: &AppState, session: &Session) -> AppResult<String> {
    let Some(portal_id) = session.sso_portal_id else { return Ok("/manage/login?msg=signed-out".into()) };
    let Some(portal) = portals::by_id(&state.db, portal_id).await? else {
        return Ok("/manage/login?msg=signed-out".into());
    };
    let local = format!("{}&msg=signed-out", login_path(Some(&portal)));
    let entra = settings::load(&state.db, portal.id).await?;
    let (Some(issuer), Some(client_id)) = (entra.issuer(), entra.client_id.as_deref()) else { return Ok(local) };
    match state.directories.get(&state.oidc_http, &issuer, client_id).await {
        Ok(directory) => Ok(directory
            .end_session_url(&state.absolute(SIGNED_OUT_PATH), &portal.slug)
            .map(String::from)
            .unwrap_or(local)),
        Err(e) => {
            tracing::warn!(portal = %portal.slug, error = %e, "could not reach the provider to sign out there");
            Ok(format!("{}&msg=signed-out-here", login_path(Some(&portal))))
        }
    }
}

#[derive(Deserialize)]
pub struct SignedOutQuery {
    #[serde(default)]
    state: String,
}

/// Back from the provider's sign-out: on to the portal's staff sign-in page.
pub async fn signed_out(State(state): State<AppState>, Query(q): Query<SignedOutQuery>) -> AppResult<Response> {
    let portal = portals::by_slug(&state.db, &q.state).await?;
    Ok(Redirect::to(&format!(
        "{}{}msg=signed-out",
        login_path(portal.as_ref()),
        if portal.is_some() { "&" } else { "?" }
    ))
    .into_response())
}

//! The common sign-in page `/login`: pick your portal and sign in to it, or go to the staff
//! sign-in. Like every sign-in form, its answers never tell whether an account exists.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::portal_login::{Authenticated, authenticate, signed_in_cookies, start_session};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::portals::{self, Portal};
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/common_login.html")]
struct LoginPage {
    csrf: String,
    portals: Vec<Portal>,
    selected: String,
    email: String,
    error: Option<String>,
}

/// The portals offered on this page (those with `listed` on).
async fn listed_portals(state: &AppState) -> AppResult<Vec<Portal>> {
    Ok(portals::listed(&state.db).await?)
}

pub async fn page(State(state): State<AppState>, CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    let portals = listed_portals(&state).await?;
    let selected = portals.first().map(|p| p.slug.clone()).unwrap_or_default();
    Ok(LoginPage { csrf, portals, selected, email: String::new(), error: None }.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    portal: String,
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let portal = portals::by_slug(&state.db, &form.portal)
        .await?
        .ok_or_else(|| AppError::bad_request(Msg::new("login-choose-portal")))?;
    // A portal whose customers sign in with codes: on to its own page, which asks for one.
    if !crate::auth::settings::load(&state.db, portal.id).await?.customer_signin.password {
        return Ok(Redirect::to(&format!("/portal/{}/login?msg=use-code", portal.slug)).into_response());
    }
    match authenticate(&state, &portal, &form.email, &form.password, &client, &headers).await? {
        Authenticated::Yes(subject, verified) => {
            let cookie = start_session(&state, &headers, &portal, subject, &client).await?;
            let home = format!("/portal/{}/", portal.slug);
            Ok((signed_in_cookies(cookie, verified), Redirect::to(&home)).into_response())
        }
        Authenticated::No(status, message) => {
            let page = LoginPage {
                csrf,
                portals: listed_portals(&state).await?,
                selected: form.portal,
                email: form.email,
                error: Some(message),
            };
            Ok((status, page).into_response())
        }
    }
}

pub async fn root() -> Redirect {
    Redirect::to("/login")
}

/// Used by the router for unmatched paths, so that a 404 is a page and not an empty body. A
/// missing page under `/portal/{slug}/` is in that portal's language, as its other pages are.
pub async fn not_found(State(state): State<AppState>, uri: axum::http::Uri) -> AppError {
    let slug = uri.path().strip_prefix("/portal/").and_then(|rest| rest.split('/').next()).unwrap_or_default();
    if !slug.is_empty()
        && let Ok(Some(portal)) = portals::by_slug(&state.db, slug).await
    {
        crate::i18n::request::set_portal_default(portal.default_language);
    }
    AppError::NotFound
}

//! Sign-in and sign-out for a portal (`/portal/{slug}/login`, or `/login` on the portal's own
//! host). Customers of the portal sign in here, and so can staff who work in it.

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::extract::{PortalUser, portal_cookie};
use super::manage_login::EmptyForm;
use super::sessions::{self, Realm, Subject};
use super::signin::{PasswordAttempt, SignInError, Verified, check_password};
use crate::accounts::{Email, customers, staff};
use crate::auth::settings::{self, SignInMethods};
use crate::error::AppResult;
use crate::i18n::Texts as _;
use crate::i18n::{Msg, t, t1};
use crate::portals::Portal;
use crate::portals::resolve::CurrentPortal;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::next::after_sign_in;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/portal_login.html")]
struct LoginPage {
    csrf: String,
    portal: CurrentPortal,
    methods: SignInMethods,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<Msg>,
    /// What other features offer someone without an account (see `layout::VisitorLink`).
    visitor_links: Vec<crate::web::layout::NavItem>,
}

/// The outcome of a portal sign-in.
pub enum Authenticated {
    /// Who signed in, and the cookie that marks the browser as known to them (if new).
    Yes(Subject, Verified),
    /// The status and message to show.
    No(StatusCode, String),
}

/// Checks a portal sign-in: the portal's customer with that email, else a staff member who
/// works in the portal.
pub async fn authenticate(
    state: &AppState,
    portal: &Portal,
    email: &str,
    password: &str,
    client: &Client,
    headers: &HeaderMap,
) -> AppResult<Authenticated> {
    if !settings::load(&state.db, portal.id).await?.customer_signin.password {
        return Ok(Authenticated::No(StatusCode::BAD_REQUEST, t1("portal-login-no-passwords", "portal", &portal.name)));
    }
    let parsed = Email::parse(email).ok();
    let mut customer = None;
    let mut member = None;
    if let Some(e) = &parsed {
        customer = customers::by_email(&state.db, portal.id, e).await?;
        if customer.is_none() {
            member = staff::in_portal_by_email(&state.db, portal.id, e).await?;
        }
    }
    let stored_hash = customer
        .as_ref()
        .and_then(|c| c.password_hash.clone())
        .or(member.as_ref().and_then(|s| s.password_hash.clone()));
    let subject = match (&customer, &member) {
        (Some(c), _) => Some(Subject::Customer(c.id)),
        (None, Some(s)) => Some(Subject::Staff(s.id)),
        (None, None) => None,
    };
    let attempt = PasswordAttempt {
        subject,
        identifier: email.to_string(),
        stored_hash,
        password: password.to_string(),
        portal_id: Some(portal.id),
        signed_in_session: None,
    };
    let verified = match check_password(state, attempt, client, headers).await {
        Ok(v) => v,
        Err(SignInError::Unexpected(e)) => return Err(e),
        Err(e @ SignInError::Throttled(_)) => return Ok(Authenticated::No(StatusCode::TOO_MANY_REQUESTS, e.message())),
        Err(e) => return Ok(Authenticated::No(StatusCode::UNAUTHORIZED, e.message())),
    };
    let refusal = match (customer, member) {
        (Some(c), _) if !c.is_active() => Some(t("signin-customer-disabled")),
        (Some(c), _) => return Ok(Authenticated::Yes(Subject::Customer(c.id), verified)),
        (None, Some(s)) => match s.refusal() {
            Some(why) => Some(why.to_string()),
            // Only said after the right password, so it tells nothing to someone guessing.
            None if crate::sso::identities::is_self_managed(&state.db, s.id).await? => Some(t("signin-self-managed")),
            None => return Ok(Authenticated::Yes(Subject::Staff(s.id), verified)),
        },
        (None, None) => unreachable!("a password only verifies against a real account"),
    };
    Ok(Authenticated::No(StatusCode::FORBIDDEN, refusal.unwrap_or_default()))
}

/// Starts a portal session (ending the one this browser had in the portal) and returns the
/// `Set-Cookie` header for it.
pub async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    portal: &Portal,
    subject: Subject,
    client: &Client,
) -> AppResult<axum::http::HeaderValue> {
    let cookie = portal_cookie(portal.id);
    if let Some(old) = state.cookies.get(headers, &cookie) {
        sessions::end_by_token(&state.db, old).await?;
    }
    let token = sessions::start(&state.db, state.sessions, Realm::Portal, subject, Some(portal.id), client).await?;
    tracing::info!(portal = %portal.slug, ?subject, ip = %client.ip, "signed in to portal");
    Ok(state.cookies.set(&cookie, &token, None))
}

/// The session cookie, and the known-browser cookie when the browser is new to the account.
pub fn signed_in_cookies(
    session: axum::http::HeaderValue,
    verified: Verified,
) -> AppendHeaders<Vec<(header::HeaderName, axum::http::HeaderValue)>> {
    let mut cookies = vec![(header::SET_COOKIE, session)];
    cookies.extend(verified.remember.map(|c| (header::SET_COOKIE, c)));
    AppendHeaders(cookies)
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    msg: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    portal: CurrentPortal,
    Query(q): Query<LoginQuery>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let methods = settings::load(&state.db, portal.portal.id).await?.customer_signin;
    let notice = match q.msg.as_deref() {
        Some("signed-out") => Some(Msg::new("signin-notice-signed-out")),
        Some("password-set") => Some(Msg::new("signin-notice-password-set")),
        Some("use-code") => Some(Msg::new("signin-notice-use-code")),
        _ => None,
    };
    let next = q.next.unwrap_or_default();
    let visitor_links = crate::web::layout::visitor_links(&state.db, &portal.portal, &portal.base).await?;
    let page = LoginPage { csrf, portal, methods, email: String::new(), next, error: None, notice, visitor_links };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    match authenticate(&state, &portal.portal, &form.email, &form.password, &client, &headers).await? {
        Authenticated::Yes(subject, verified) => {
            let cookie = start_session(&state, &headers, &portal.portal, subject, &client).await?;
            let home = format!("{}/", portal.base);
            let area = if portal.base.is_empty() { "/" } else { portal.base.as_str() };
            let target = after_sign_in(&form.next, &state.public_url, area, &home);
            Ok((signed_in_cookies(cookie, verified), Redirect::to(&target)).into_response())
        }
        Authenticated::No(status, message) => {
            let methods = settings::load(&state.db, portal.portal.id).await?.customer_signin;
            let visitor_links = crate::web::layout::visitor_links(&state.db, &portal.portal, &portal.base).await?;
            let page = LoginPage {
                csrf,
                portal,
                methods,
                email: form.email,
                next: form.next,
                error: Some(message),
                notice: None,
                visitor_links,
            };
            Ok((status, page).into_response())
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    sessions::end_by_id(&state.db, user.session.id).await?;
    let cookie = state.cookies.clear(&portal_cookie(user.portal.portal.id));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&format!("{}/login?msg=signed-out", user.portal.base)))
        .into_response())
}

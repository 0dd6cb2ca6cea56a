//! Sign-in and sign-out for the management interface (`/manage/login`). Its session is separate
//! from any portal session: signing in here does not sign you in to a portal, nor the reverse.

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::extract::{MANAGE_COOKIE, ManageUserPendingPassword};
use super::sessions::{self, Realm, Subject};
use super::signin::{PasswordAttempt, SignInError, check_password};
use crate::accounts::{Email, staff};
use crate::error::AppResult;
use crate::i18n::Texts as _;
use crate::i18n::{Msg, t};
use crate::portals::{self, Portal};
use crate::sso;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::next::after_sign_in;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/manage_login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    next: String,
    portal: Option<Portal>,
    error: Option<String>,
    notice: Option<Msg>,
    microsoft: MicrosoftSignIn,
}

/// The "Sign in with Microsoft" part of the page. Its addresses are absolute, on the public URL:
/// this page is also served on portals' own hosts, where `/auth/oidc/start` is not (and the
/// flow's cookie must be set on the host that Microsoft sends the person back to).
#[derive(Default)]
struct MicrosoftSignIn {
    /// The portal's own page, when that portal uses Microsoft: where its button goes.
    start: Option<String>,
    /// The common page: listed portals that use Microsoft, to pick one's organisation from.
    organisations: Vec<Portal>,
    /// Where the organisation form goes.
    action: String,
}

impl MicrosoftSignIn {
    async fn for_page(state: &AppState, portal: Option<&Portal>, next: &str) -> AppResult<MicrosoftSignIn> {
        let enabled = sso::settings::enabled_portal_ids(&state.db).await?;
        let action = state.absolute(sso::START_PATH);
        Ok(match portal {
            Some(p) if enabled.contains(&p.id) => {
                let mut start = state.absolute(&sso::start_path(&p.slug));
                if !next.is_empty() {
                    start.push_str("&next=");
                    start.extend(url::form_urlencoded::byte_serialize(next.as_bytes()));
                }
                MicrosoftSignIn { start: Some(start), organisations: vec![], action }
            }
            Some(_) => MicrosoftSignIn::default(),
            None => MicrosoftSignIn {
                start: None,
                organisations: portals::listed(&state.db)
                    .await?
                    .into_iter()
                    .filter(|p| enabled.contains(&p.id))
                    .collect(),
                action,
            },
        })
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    portal: Option<String>,
    msg: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let portal = match q.portal.as_deref() {
        Some(slug) => portals::by_slug(&state.db, slug).await?,
        None => None,
    };
    let notice = match q.msg.as_deref() {
        Some("signed-out") => Some(Msg::new("signin-notice-signed-out")),
        Some("signed-out-here") => Some(Msg::new("signin-notice-signed-out-here")),
        Some("password-set") => Some(Msg::new("signin-notice-password-set")),
        _ => None,
    };
    let next = q.next.unwrap_or_default();
    let microsoft = MicrosoftSignIn::for_page(&state, portal.as_ref(), &next).await?;
    Ok(LoginPage { csrf, email: String::new(), next, portal, error: None, notice, microsoft }.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    portal: String,
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let requested_portal = match form.portal.as_str() {
        "" => None,
        slug => portals::by_slug(&state.db, slug).await?,
    };
    let microsoft = MicrosoftSignIn::for_page(&state, requested_portal.as_ref(), &form.next).await?;
    let refuse = |status: StatusCode, message: String| {
        let page = LoginPage {
            csrf: csrf.clone(),
            email: form.email.clone(),
            next: form.next.clone(),
            portal: requested_portal.clone(),
            error: Some(message),
            notice: None,
            microsoft,
        };
        Ok((status, page).into_response())
    };
    let email = Email::parse(&form.email);
    let account = match &email {
        Ok(e) => staff::by_email(&state.db, e).await?,
        Err(_) => None,
    };
    let attempt = PasswordAttempt {
        subject: account.as_ref().map(|a| Subject::Staff(a.id)),
        identifier: form.email.clone(),
        stored_hash: account.as_ref().and_then(|a| a.password_hash.clone()),
        password: form.password.clone(),
        portal_id: None,
        signed_in_session: None,
    };
    let verified = match check_password(&state, attempt, &client, &headers).await {
        Ok(v) => v,
        Err(SignInError::Unexpected(e)) => return Err(e),
        Err(e @ SignInError::Throttled(_)) => return refuse(StatusCode::TOO_MANY_REQUESTS, e.message()),
        Err(e) => return refuse(StatusCode::UNAUTHORIZED, e.message()),
    };
    let account = account.expect("a password only verifies against a real account");
    if let Some(why) = account.refusal() {
        return refuse(StatusCode::FORBIDDEN, why.to_string());
    }
    // Only said after the right password, so it tells nothing to someone guessing.
    if sso::identities::is_self_managed(&state.db, account.id).await? {
        return refuse(StatusCode::FORBIDDEN, t("signin-self-managed"));
    }
    let memberships = staff::memberships(&state.db, account.id).await?;
    if memberships.is_empty() && !account.is_superadmin {
        return refuse(StatusCode::FORBIDDEN, t("signin-no-portal"));
    }
    let portal_id = requested_portal
        .filter(|p| account.is_superadmin || memberships.iter().any(|(m, _)| m.id == p.id))
        .map(|p| p.id)
        .or(memberships.first().map(|(p, _)| p.id));
    // A new token at every sign-in: whatever session this browser had here ends now.
    if let Some(old) = state.cookies.get(&headers, MANAGE_COOKIE) {
        sessions::end_by_token(&state.db, old).await?;
    }
    let token =
        sessions::start(&state.db, state.sessions, Realm::Manage, Subject::Staff(account.id), portal_id, &client)
            .await?;
    tracing::info!(staff_id = account.id, ip = %client.ip, "staff signed in to management");
    let target = if account.must_change_password {
        "/manage/profile?msg=must-change".to_string()
    } else {
        after_sign_in(&form.next, &state.public_url, "/manage", "/manage")
    };
    let mut cookies = vec![(header::SET_COOKIE, state.cookies.set(MANAGE_COOKIE, &token, None))];
    cookies.extend(verified.remember.map(|c| (header::SET_COOKIE, c)));
    Ok((AppendHeaders(cookies), Redirect::to(&target)).into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn logout(
    State(state): State<AppState>,
    ManageUserPendingPassword(user): ManageUserPendingPassword,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    // A feature may refuse (an agent with chats in progress), and is told just before the
    // session ends (so that what it records is the sign-out, not an expiry seen meanwhile).
    let hooks = crate::features::ALL.iter().flat_map(|f| f.sign_out);
    for hook in hooks.clone() {
        if let Some(refusal) = (hook.guard)(&state, &user, &csrf).await? {
            return Ok(refusal);
        }
    }
    for hook in hooks {
        (hook.signed_out)(&state, &user).await?;
    }
    sessions::end_by_id(&state.db, user.session.id).await?;
    tracing::info!(staff_id = user.staff.id, "staff signed out of management");
    let target = crate::sso::sign_out::after_sign_out(&state, &user.session).await?;
    Ok(([(header::SET_COOKIE, state.cookies.clear(MANAGE_COOKIE))], Redirect::to(&target)).into_response())
}

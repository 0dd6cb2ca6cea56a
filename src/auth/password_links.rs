//! Pages behind one-time links: set a first password (invitation) or choose a new one (reset).
//! Staff links are `/manage/password/{token}`; customers' are `{portal}/password/{token}`.
//! Opening the page spends nothing; submitting a valid password uses the link, then does what
//! every password change does (`password_change::apply`): sets the password, voids the person's
//! other links, ends every session of the account and queues a "your password was changed"
//! email, all in one transaction.

use crate::web::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::hashing::normalize;
use super::known_browsers;
use super::links::{self, Link, LinkState, Purpose};
use super::password_change::{self, NewPassword, Sessions};
use super::profile::policy_for;
use super::sessions::Subject;
use crate::accounts::{customers, staff};
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::i18n::{Lang, Msg, t};
use crate::portals::resolve::CurrentPortal;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/set_password.html")]
struct SetPasswordPage {
    csrf: String,
    heading: String,
    place: String,
    email: String,
    action: String,
    rules: Vec<Msg>,
    errors: Vec<Msg>,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    new_password: String,
    confirm_password: String,
}

/// The page a link that cannot be used leads to: what happened and what to do.
fn link_problem(state: LinkState, forgot_url: &str) -> AppError {
    match state {
        LinkState::Used(_) => AppError::Page(StatusCode::GONE, Msg::new("link-used").arg("url", forgot_url)),
        LinkState::Expired(_) => AppError::Page(StatusCode::GONE, Msg::new("link-expired").arg("url", forgot_url)),
        LinkState::Unknown | LinkState::Valid(_) => AppError::Page(StatusCode::NOT_FOUND, Msg::new("link-invalid")),
    }
}

/// Who a valid link is for: their email, whether they have a password already, and the
/// language they chose.
async fn holder(state: &AppState, link: &Link) -> AppResult<(String, bool, Option<Lang>)> {
    match link.subject {
        Subject::Staff(id) => {
            let s = staff::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
            Ok((s.email, s.password_hash.is_some(), s.language))
        }
        Subject::Customer(id) => {
            let c =
                customers::by_id(&state.db, link.portal_id.unwrap_or_default(), id).await?.ok_or(AppError::NotFound)?;
            Ok((c.email, c.password_hash.is_some(), c.language))
        }
    }
}

fn heading(purpose: Purpose) -> String {
    match purpose {
        Purpose::Invite => t("set-password-invite"),
        Purpose::Reset => t("set-password-reset"),
    }
}

async fn form_page(
    state: &AppState,
    link: &Link,
    csrf: String,
    action: String,
    place: String,
    errors: Vec<Msg>,
) -> AppResult<SetPasswordPage> {
    let (email, _, own) = holder(state, link).await?;
    // The link came from the person's own mailbox: the page speaks the language the email did.
    crate::i18n::request::set_account_choice(own);
    if let Some(portal_id) = link.portal_id {
        let portal = crate::portals::by_id(&state.db, portal_id).await?;
        crate::i18n::request::set_portal_default(portal.and_then(|p| p.default_language));
    }
    let policy = policy_for(&state.db, link.subject, link.portal_id).await?;
    Ok(SetPasswordPage { csrf, heading: heading(link.purpose), place, email, action, rules: policy.rules(), errors })
}

/// Why a password was not set through a link.
#[derive(Debug)]
enum SetPasswordError {
    /// The form is shown again with these messages.
    Refused(Vec<Msg>),
    /// Answered as the error it is (a link used meanwhile, the database away).
    Unexpected(AppError),
}

impl From<AppError> for SetPasswordError {
    fn from(e: AppError) -> Self {
        SetPasswordError::Unexpected(e)
    }
}

impl From<sqlx::Error> for SetPasswordError {
    fn from(e: sqlx::Error) -> Self {
        SetPasswordError::Unexpected(e.into())
    }
}

/// Checks the new password, then uses the link and applies everything in one transaction.
async fn complete(
    state: &AppState,
    token: &str,
    link: &Link,
    form: &NewPasswordForm,
    sign_in_url: &str,
) -> Result<(), SetPasswordError> {
    let policy = policy_for(&state.db, link.subject, link.portal_id).await?;
    let mut errors = policy.check(&form.new_password).err().unwrap_or_default();
    if normalize(&form.new_password) != normalize(&form.confirm_password) {
        errors.push(Msg::new("set-password-mismatch"));
    }
    if !errors.is_empty() {
        return Err(SetPasswordError::Refused(errors));
    }
    let hash = state.hasher.hash(&form.new_password).await?;
    // A first password (an invitation to a new account) replaces none: nothing to warn of.
    let (_, had_password, _) = holder(state, link).await?;
    let notice = if had_password {
        Some(
            password_change::notice(&state.db, link.subject, link.portal_id, Some(sign_in_url), Sessions::EndAll)
                .await?,
        )
    } else {
        None
    };
    let mut tx = state.db.writer().begin().await?;
    let Some(used) = links::consume(&mut tx, token).await? else {
        // Used or expired between opening the page and submitting it: change nothing.
        return Err(link_problem(links::inspect(&state.db, token).await?, sign_in_url).into());
    };
    let change = NewPassword {
        subject: used.subject,
        portal_id: used.portal_id,
        hash: &hash,
        sessions: Sessions::EndAll,
        notice,
    };
    password_change::apply(&mut tx, change).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(subject = ?used.subject, purpose = ?used.purpose, "password set through a one-time link");
    Ok(())
}

/// After a password set through a link from the person's own mailbox: the browser is theirs, so
/// others' failed sign-ins do not hold it back (see `known_browsers`).
async fn proven(state: &AppState, headers: &HeaderMap, link: &Link, to: &str) -> AppResult<Response> {
    let browser = known_browsers::token(&state.cookies, headers);
    let cookie = known_browsers::remember(&state.db, &state.cookies, browser, link.subject, link.portal_id).await?;
    let mut response = Redirect::to(to).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    }
    Ok(response)
}

// ---- staff ------------------------------------------------------------------------------------

async fn staff_link(state: &AppState, token: &str) -> AppResult<Link> {
    let link_state = links::inspect(&state.db, token).await?;
    match link_state {
        LinkState::Valid(link) if matches!(link.subject, Subject::Staff(_)) => Ok(link),
        _ if link_state.link().is_some_and(|l| matches!(l.subject, Subject::Staff(_))) => {
            Err(link_problem(link_state, &state.absolute("/manage/forgot")))
        }
        _ => Err(link_problem(LinkState::Unknown, "")),
    }
}

pub async fn staff_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let link = staff_link(&state, &token).await?;
    let page = form_page(&state, &link, csrf, format!("/manage/password/{token}"), "Frontdesk".into(), vec![]).await?;
    Ok(page.into_response())
}

pub async fn staff_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> AppResult<Response> {
    let link = staff_link(&state, &token).await?;
    match complete(&state, &token, &link, &form, &state.absolute("/manage/login")).await {
        Ok(()) => Ok(proven(&state, &headers, &link, "/manage/login?msg=password-set").await?),
        Err(SetPasswordError::Unexpected(e)) => Err(e),
        Err(SetPasswordError::Refused(errors)) => {
            let page =
                form_page(&state, &link, csrf, format!("/manage/password/{token}"), "Frontdesk".into(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---- customers ---------------------------------------------------------------------------------

/// A customer's link, only under the portal it was issued for (another portal's address gets
/// "not valid", whatever the link's state).
async fn customer_link(state: &AppState, portal: &CurrentPortal, token: &str) -> AppResult<Link> {
    let link_state = links::inspect(&state.db, token).await?;
    let ours = |l: &Link| matches!(l.subject, Subject::Customer(_)) && l.portal_id == Some(portal.portal.id);
    match link_state {
        LinkState::Valid(link) if ours(&link) => Ok(link),
        _ if link_state.link().is_some_and(ours) => {
            Err(link_problem(link_state, &format!("{}/forgot", state.portal_url(&portal.portal))))
        }
        _ => Err(link_problem(LinkState::Unknown, "")),
    }
}

pub async fn customer_page(
    State(state): State<AppState>,
    portal: CurrentPortal,
    Path((_slug, token)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let link = customer_link(&state, &portal, &token).await?;
    let action = format!("{}/password/{token}", portal.base);
    Ok(form_page(&state, &link, csrf, action, portal.portal.name.clone(), vec![]).await?.into_response())
}

pub async fn customer_submit(
    State(state): State<AppState>,
    portal: CurrentPortal,
    Path((_slug, token)): Path<(String, String)>,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> AppResult<Response> {
    let link = customer_link(&state, &portal, &token).await?;
    let sign_in = format!("{}/login", state.portal_url(&portal.portal));
    match complete(&state, &token, &link, &form, &sign_in).await {
        Ok(()) => Ok(proven(&state, &headers, &link, &format!("{}/login?msg=password-set", portal.base)).await?),
        Err(SetPasswordError::Unexpected(e)) => Err(e),
        Err(SetPasswordError::Refused(errors)) => {
            let action = format!("{}/password/{token}", portal.base);
            let page = form_page(&state, &link, csrf, action, portal.portal.name.clone(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

//! Profile pages for both interfaces: your details and language, change your password
//! (offering to sign out your other sessions) and see and end your own sessions.

use crate::web::extract::{Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::codes::{AdmitError, RequestLimit};
use super::extract::{ManageUser, ManageUserPendingPassword, PortalUser};
use super::hashing::normalize;
use super::password_change::{self, NewPassword, Sessions};
use super::policy::PasswordPolicy;
use super::profile_language::{self, LanguageOption};
use super::sessions::{self, Realm, Session, Subject};
use super::signin::{PasswordAttempt, SignInError, check_password};
use crate::accounts::customers::UpdateCustomerError;
use crate::accounts::phone::Mobile;
use crate::accounts::{customers, staff};
use crate::auth::settings;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::i18n::{Msg, t, t1};
use crate::portals::resolve::CurrentPortal;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::format_time;
use crate::web::layout::Shell;
use crate::web::state::AppState;

/// One row of the "where you are signed in" table.
pub struct SessionView {
    pub id: i64,
    pub current: bool,
    pub area: String,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
}

fn session_views(list: Vec<Session>, current: i64) -> Vec<SessionView> {
    list.into_iter()
        .map(|s| SessionView {
            id: s.id,
            current: s.id == current,
            area: match (s.realm, s.sso_portal_id) {
                (Realm::Manage, Some(_)) => t("sessions-manage-microsoft"),
                (Realm::Manage, None) => t("sessions-manage"),
                (Realm::Portal, _) => t("sessions-portal"),
            },
            device: if s.user_agent.is_empty() {
                t("sessions-unknown-browser")
            } else {
                s.user_agent.chars().take(80).collect()
            },
            ip: s.ip,
            started: format_time(s.created_at),
            last_seen: format_time(s.last_seen_at),
        })
        .collect()
}

/// The policy a person's new password must meet: their portal's, or for staff the strictest of
/// every portal they work in (see `PasswordPolicy::strictest`). The default applies only to
/// someone who works in no portal: starting from it would make every length-only portal demand
/// composition rules too.
pub async fn policy_for(db: &Db, subject: Subject, portal_id: Option<i64>) -> AppResult<PasswordPolicy> {
    let portals = match (subject, portal_id) {
        (Subject::Customer(_), Some(pid)) => vec![settings::load(db, pid).await?],
        (Subject::Customer(_), None) => vec![],
        (Subject::Staff(id), _) => settings::load_for_staff(db, id).await?,
    };
    let policies = portals.into_iter().map(|s| s.password_policy);
    Ok(policies.reduce(|a, b| a.strictest(b)).unwrap_or_default())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
    #[serde(default)]
    sign_out_others: Option<String>,
}

/// Why a password change did not happen.
#[derive(Debug)]
enum PasswordChangeError {
    /// The form is shown again with these messages.
    Refused(Vec<Msg>),
    /// Answered as the error it is (an error page).
    Unexpected(AppError),
}

impl From<AppError> for PasswordChangeError {
    fn from(e: AppError) -> Self {
        PasswordChangeError::Unexpected(e)
    }
}

impl From<sqlx::Error> for PasswordChangeError {
    fn from(e: sqlx::Error) -> Self {
        PasswordChangeError::Unexpected(e.into())
    }
}

/// Checks and applies a password change.
async fn change_password(
    state: &AppState,
    client: &Client,
    subject: Subject,
    portal_id: Option<i64>,
    keep_session: i64,
    form: &PasswordForm,
) -> Result<(), PasswordChangeError> {
    let (identifier, stored_hash) = match subject {
        Subject::Staff(id) => staff::by_id(&state.db, id).await?.map(|s| (s.email, s.password_hash)),
        Subject::Customer(id) => {
            let pid = portal_id.ok_or(AppError::NotFound)?;
            customers::by_id(&state.db, pid, id).await?.map(|c| (c.email, c.password_hash))
        }
    }
    .ok_or(AppError::NotFound)?;
    let attempt = PasswordAttempt {
        subject: Some(subject),
        identifier,
        stored_hash,
        password: form.current_password.clone(),
        portal_id,
        signed_in_session: Some(keep_session),
    };
    match check_password(state, attempt, client, &axum::http::HeaderMap::new()).await {
        Ok(_) => {}
        Err(SignInError::Unexpected(e)) => return Err(e.into()),
        Err(SignInError::WrongCredentials) => {
            return Err(PasswordChangeError::Refused(vec![Msg::new("profile-current-wrong")]));
        }
        Err(SignInError::Throttled(secs)) => {
            let wait = super::throttle::human_wait(secs);
            return Err(PasswordChangeError::Refused(vec![Msg::new("signin-throttled").arg("wait", wait)]));
        }
    }
    let policy = policy_for(&state.db, subject, portal_id).await?;
    let mut errors = policy.check(&form.new_password).err().unwrap_or_default();
    if normalize(&form.new_password) != normalize(&form.confirm_password) {
        errors.push(Msg::new("profile-new-mismatch"));
    }
    if normalize(&form.new_password) == normalize(&form.current_password) {
        errors.push(Msg::new("profile-new-same"));
    }
    if !errors.is_empty() {
        return Err(PasswordChangeError::Refused(errors));
    }
    let hash = state.hasher.hash(&form.new_password).await?;
    let sessions = if form.sign_out_others.is_some() { Sessions::EndAllBut(keep_session) } else { Sessions::Keep };
    let sign_in_url = match portal_id {
        Some(pid) => match crate::portals::by_id(&state.db, pid).await? {
            Some(portal) => format!("{}/login", state.portal_url(&portal)),
            None => return Err(AppError::NotFound.into()),
        },
        None => state.absolute("/manage/login"),
    };
    let notice = password_change::notice(&state.db, subject, portal_id, Some(&sign_in_url), sessions).await?;
    let mut tx = state.db.writer().begin().await?;
    password_change::apply(&mut tx, NewPassword { subject, portal_id, hash: &hash, sessions, notice: Some(notice) })
        .await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(?subject, "password changed");
    Ok(())
}

#[derive(Deserialize)]
pub struct MsgQuery {
    msg: Option<String>,
}

// ---- management interface -------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/manage_profile.html")]
struct ManageProfilePage {
    shell: Shell,
    csrf: String,
    rules: Vec<Msg>,
    errors: Vec<Msg>,
    must_change: bool,
    sessions: Vec<SessionView>,
    /// Signs in with Microsoft: no Frontdesk password to change.
    self_managed: bool,
    languages: Vec<LanguageOption>,
    /// Which ticket emails they get in the portal they work in.
    ticket_emails: Vec<crate::tickets::notify::preferences::PreferenceOption>,
}

async fn manage_profile_page(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    errors: Vec<Msg>,
) -> AppResult<ManageProfilePage> {
    let policy = policy_for(&state.db, user.subject(), None).await?;
    let list = sessions::list(&state.db, state.sessions, user.subject()).await?;
    Ok(ManageProfilePage {
        shell: Shell::new(user, csrf.clone(), "/manage/profile", msg),
        csrf,
        rules: policy.rules(),
        errors,
        must_change: user.staff.must_change_password,
        sessions: session_views(list, user.session.id),
        self_managed: crate::sso::identities::is_self_managed(&state.db, user.staff.id).await?,
        languages: profile_language::options(user.staff.language),
        ticket_emails: crate::tickets::notify::preferences::options(&state.db, user.portal.id, user.staff.id).await?,
    })
}

pub async fn manage_profile(
    State(state): State<AppState>,
    ManageUserPendingPassword(user): ManageUserPendingPassword,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    Ok(manage_profile_page(&state, &user, csrf, q.msg.as_deref(), vec![]).await?.into_response())
}

/// A staff member changes their own name (the one every portal they work in shows) and
/// language.
pub async fn manage_update_details(
    State(state): State<AppState>,
    ManageUserPendingPassword(user): ManageUserPendingPassword,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> AppResult<Response> {
    let language = profile_language::parse(form.language.as_deref())?;
    let email = crate::accounts::Email::parse(&user.staff.email).map_err(AppError::bad_request)?;
    let name = crate::accounts::parse_person_name(&form.name, &email).map_err(AppError::bad_request)?;
    if let Some(lang) = language {
        profile_language::save_staff(&state.db, user.staff.id, lang).await?;
    }
    crate::accounts::staff::set_name(&state.db, user.staff.id, &name).await?;
    tracing::info!(staff_id = user.staff.id, "staff member changed their name");
    Ok(Redirect::to("/manage/profile?msg=saved").into_response())
}

pub async fn manage_change_password(
    State(state): State<AppState>,
    ManageUserPendingPassword(user): ManageUserPendingPassword,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    if crate::sso::identities::is_self_managed(&state.db, user.staff.id).await? {
        return Err(AppError::bad_request(Msg::new("profile-password-self-managed")));
    }
    match change_password(&state, &client, user.subject(), None, user.session.id, &form).await {
        Ok(()) => Ok(Redirect::to("/manage/profile?msg=password-changed").into_response()),
        Err(PasswordChangeError::Unexpected(e)) => Err(e),
        Err(PasswordChangeError::Refused(errors)) => {
            let page = manage_profile_page(&state, &user, csrf, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn manage_end_session(
    State(state): State<AppState>,
    ManageUserPendingPassword(user): ManageUserPendingPassword,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<super::manage_login::EmptyForm>,
) -> AppResult<Response> {
    if !sessions::end_own(&state.db, user.subject(), id).await? {
        return Err(AppError::NotFound);
    }
    let target =
        if id == user.session.id { "/manage/login?msg=signed-out" } else { "/manage/profile?msg=session-ended" };
    Ok(Redirect::to(target).into_response())
}

// ---- portal ----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/portal_profile.html")]
struct PortalProfilePage {
    csrf: String,
    portal: CurrentPortal,
    u: PortalUser,
    rules: Vec<Msg>,
    /// Errors of the password form.
    errors: Vec<Msg>,
    /// Errors of the details form.
    details_errors: Vec<String>,
    notice: Option<Msg>,
    sessions: Vec<SessionView>,
    languages: Vec<LanguageOption>,
}

async fn portal_profile_page(
    state: &AppState,
    user: PortalUser,
    csrf: String,
    msg: Option<&str>,
    errors: Vec<Msg>,
) -> AppResult<PortalProfilePage> {
    let policy = policy_for(&state.db, user.subject(), Some(user.portal.portal.id)).await?;
    let list: Vec<Session> = sessions::list(&state.db, state.sessions, user.subject())
        .await?
        .into_iter()
        .filter(|s| s.realm == Realm::Portal && s.portal_id == Some(user.portal.portal.id))
        .collect();
    let notice = match msg {
        Some("password-changed") => Some(Msg::new("notice-password-changed")),
        Some("session-ended") => Some(Msg::new("notice-session-ended")),
        Some("must-change") => Some(Msg::new("notice-must-change")),
        Some("saved") => Some(Msg::new("profile-saved")),
        _ => None,
    };
    Ok(PortalProfilePage {
        csrf,
        portal: user.portal.clone(),
        rules: policy.rules(),
        errors,
        details_errors: vec![],
        notice,
        sessions: session_views(list, user.session.id),
        languages: profile_language::options(user.language()),
        u: user,
    })
}

pub async fn portal_profile(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    Ok(portal_profile_page(&state, user, csrf, q.msg.as_deref(), vec![]).await?.into_response())
}

pub async fn portal_change_password(
    State(state): State<AppState>,
    user: PortalUser,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let portal_id = Some(user.portal.portal.id);
    match change_password(&state, &client, user.subject(), portal_id, user.session.id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("{}/profile?msg=password-changed", user.portal.base)).into_response()),
        Err(PasswordChangeError::Unexpected(e)) => Err(e),
        Err(PasswordChangeError::Refused(errors)) => {
            let page = portal_profile_page(&state, user, csrf, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn portal_end_session(
    State(state): State<AppState>,
    user: PortalUser,
    Path((_slug, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<super::manage_login::EmptyForm>,
) -> AppResult<Response> {
    if !sessions::end_own(&state.db, user.subject(), id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("{}/profile?msg=session-ended", user.portal.base)).into_response())
}

#[derive(Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mobile: String,
    /// Absent: unchanged; empty: automatic; else a tag of `Lang::ALL`.
    #[serde(default)]
    language: Option<String>,
}

/// Mobile numbers a customer may try in an hour: plenty for typos, too few to probe which
/// numbers other customers use.
const MOBILE_TRIES: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 10 };

/// Counts a try at a new mobile number; the wait, worded, when there were too many this hour.
async fn admit_mobile_try(
    state: &AppState,
    user: &PortalUser,
    id: i64,
    mobile: Option<&Mobile>,
) -> AppResult<Option<String>> {
    if mobile.is_none_or(|m| user.mobile() == Some(m.as_str())) {
        return Ok(None);
    }
    let key = format!("mobile:{}:{id}", user.portal.portal.id);
    match super::codes::admit_request(&state.db, &[(key, MOBILE_TRIES)]).await {
        Ok(()) => Ok(None),
        Err(AdmitError::Wait(wait)) => Ok(Some(t1("profile-mobile-wait", "wait", super::throttle::human_wait(wait)))),
        Err(AdmitError::Db(e)) => Err(e.into()),
    }
}

/// A customer changes their name, mobile number or language; a staff member only their
/// language (their other details are changed in the management interface).
pub async fn portal_update_details(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> AppResult<Response> {
    let language = profile_language::parse(form.language.as_deref())?;
    let saved = format!("{}/profile?msg=saved", user.portal.base);
    let id = match user.subject() {
        Subject::Customer(id) => id,
        Subject::Staff(staff_id) => {
            let Some(lang) = language else { return Err(AppError::bad_request(Msg::new("profile-staff-details"))) };
            profile_language::save_staff(&state.db, staff_id, lang).await?;
            return Ok(Redirect::to(&saved).into_response());
        }
    };
    let email = crate::accounts::Email::parse(user.email()).map_err(AppError::bad_request)?;
    let name = crate::accounts::parse_person_name(&form.name, &email);
    let mobile = match form.mobile.trim() {
        "" => Ok(None),
        typed => Mobile::parse(typed).map(Some),
    };
    let (status, error) = match (name, mobile) {
        (Ok(name), Ok(mobile)) => {
            if let Some(wait) = admit_mobile_try(&state, &user, id, mobile.as_ref()).await? {
                (StatusCode::TOO_MANY_REQUESTS, wait)
            } else {
                match customers::update_details(&state.db, user.portal.portal.id, id, &name, mobile.as_ref()).await {
                    Ok(()) => {
                        if let Some(lang) = language {
                            profile_language::save_customer(&state.db, user.portal.portal.id, id, lang).await?;
                        }
                        return Ok(Redirect::to(&saved).into_response());
                    }
                    // It names neither the number nor the customer who has it.
                    Err(UpdateCustomerError::MobileTaken(_)) => {
                        (StatusCode::UNPROCESSABLE_ENTITY, t("profile-mobile-refused"))
                    }
                    Err(UpdateCustomerError::Db(e)) => return Err(e.into()),
                }
            }
        }
        (name, mobile) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            [name.err(), mobile.err()].into_iter().flatten().map(|m| m.to_string()).collect::<Vec<_>>().join(" "),
        ),
    };
    let mut page = portal_profile_page(&state, user, csrf, None, vec![]).await?;
    page.details_errors = vec![error];
    Ok((status, page).into_response())
}

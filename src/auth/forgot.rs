//! "Forgot your password?" on every sign-in page. The answer is the same whether or not the
//! account exists, and it comes before any lookup is done: the work of finding the account and
//! queueing the email runs after the response, so the response time tells nothing either.

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::emails::{self, Origin};
use super::links::{self, Purpose};
use super::sessions::Subject;
use super::throttle::{self, Admission, Outcome, PER_ADDRESS};
use crate::accounts::{Email, customers, staff};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::i18n::{Lang, Msg, render_in, t, t1};
use crate::outbox;
use crate::portals::resolve::CurrentPortal;
use crate::portals::{self, Portal, settings};
use crate::sso;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

/// At most this many reset emails per account: one a minute, five an hour.
const PER_MINUTE: i64 = 1;
const PER_HOUR: i64 = 5;

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/forgot.html")]
struct ForgotPage {
    csrf: String,
    heading: String,
    action: String,
    back: String,
    /// On the common page: the portals to choose from.
    portals: Vec<Portal>,
    email: String,
    sent_to: Option<String>,
    /// The portal's staff sign in with Microsoft: there is no password to reset (the seed's
    /// message instead of the form).
    self_managed: bool,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
    #[serde(default)]
    portal: String,
}

/// Who asked, once the account is found.
enum Target {
    Staff { id: i64, name: String, email: String, portal: Option<Portal>, lang: Option<Lang> },
    Customer { id: i64, name: String, email: String, portal: Portal, lang: Option<Lang> },
}

/// Refuses more than a few requests an hour from one address, so the form cannot be used to
/// flood mailboxes from one place.
async fn admit_address(state: &AppState, client: &Client) -> AppResult<()> {
    let keys = [(format!("forgot:{}", client.ip), PER_ADDRESS)];
    match throttle::admit(&state.db, &keys).await? {
        Admission::Wait(secs) => {
            Err(AppError::TooManyRequests(Msg::new("forgot-wait").arg("wait", throttle::human_wait(secs))))
        }
        // Every request counts, as a failure would: the limit is on how many are sent.
        Admission::Admitted(admitted) => Ok(throttle::finish(&state.db, &admitted, Outcome::Failed).await?),
    }
}

/// Tells a staff member whose sign-in their directory manages that there is no password to
/// reset, at most as often as reset links are sent.
async fn send_self_managed(
    state: &AppState,
    staff_id: i64,
    name: &str,
    email: &str,
    own: Option<Lang>,
) -> AppResult<()> {
    let recent: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE recipient = $1 AND created_at > $2")
        .bind(email)
        .bind(now() - 3600)
        .fetch_one(state.db.pool())
        .await
        .and_then(|r| sqlx::Row::try_get(&r, "n"))?;
    if recent >= PER_HOUR {
        tracing::info!(staff_id, "self-managed notice not sent: too many emails lately");
        return Ok(());
    }
    let origin = Origin { portal_name: None };
    let lang = own.or(emails::staff_portals_language(&state.db, staff_id).await?).unwrap_or_default();
    let sign_in = state.absolute("/manage/login");
    let message = render_in(lang, || emails::self_managed(name, &origin, &sign_in).to(email, None, None));
    let mut tx = state.db.writer().begin().await?;
    outbox::enqueue_email(&mut tx, &message).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(staff_id, "password reset asked for a self-managed account; told so by email");
    Ok(())
}

async fn send_reset(state: AppState, target: Target) -> AppResult<()> {
    if let Target::Staff { id, name, email, lang, .. } = &target
        && sso::identities::is_self_managed(&state.db, *id).await?
    {
        return send_self_managed(&state, *id, name, email, *lang).await;
    }
    let (subject, email, name, portal, own) = match &target {
        Target::Staff { id, name, email, portal, lang } => (Subject::Staff(*id), email, name, portal.as_ref(), *lang),
        Target::Customer { id, name, email, portal, lang } => {
            (Subject::Customer(*id), email, name, Some(portal), *lang)
        }
    };
    let lang = match (own, portal, subject) {
        (None, None, Subject::Staff(id)) => emails::staff_portals_language(&state.db, id).await?.unwrap_or_default(),
        _ => emails::recipient_language(own, portal),
    };
    let sender_name = match portal {
        Some(p) => settings::load(&state.db, p.id).await?.sender_name,
        None => None,
    };
    let portal_id = portal.map(|p| p.id);
    let mut tx = state.db.writer().begin().await?;
    links::lock_subject(&mut tx, subject).await?;
    let t = now();
    if links::issued_since(&mut tx, Purpose::Reset, subject, t - 60).await? >= PER_MINUTE
        || links::issued_since(&mut tx, Purpose::Reset, subject, t - 3600).await? >= PER_HOUR
    {
        tracing::info!(?subject, "password reset not sent: too many requested lately");
        return Ok(());
    }
    let token = links::issue(&mut tx, Purpose::Reset, subject, portal_id).await?;
    let link = match &target {
        Target::Staff { .. } => state.absolute(&format!("/manage/password/{token}")),
        Target::Customer { portal, .. } => format!("{}/password/{token}", state.portal_url(portal)),
    };
    let origin = Origin { portal_name: portal.map(|p| p.name.as_str()) };
    let message = render_in(lang, || emails::password_reset(name, &origin, &link).to(email, portal_id, sender_name));
    outbox::enqueue_email(&mut tx, &message).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(?subject, "password reset link queued");
    Ok(())
}

/// Answers at once and looks for the account afterwards.
fn in_background(state: AppState, find: impl Future<Output = AppResult<Option<Target>>> + Send + 'static) {
    tokio::spawn(async move {
        let result = match find.await {
            Ok(Some(target)) => send_reset(state, target).await,
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::error!(error = ?e, "could not queue a password reset");
        }
    });
}

fn confirmation(email: &str) -> String {
    t1("forgot-sent", "email", email)
}

// ---- management ---------------------------------------------------------------------------------

fn manage_page(csrf: String, email: String, sent_to: Option<String>) -> ForgotPage {
    ForgotPage {
        csrf,
        heading: t("forgot-title"),
        action: "/manage/forgot".into(),
        back: "/manage/login".into(),
        portals: vec![],
        email,
        sent_to,
        self_managed: false,
    }
}

#[derive(Deserialize)]
pub struct ManageForgotQuery {
    portal: Option<String>,
}

/// From a portal's staff sign-in page (`?portal=SLUG`): when that portal's staff sign in with
/// Microsoft, the answer is that their directory manages their password.
pub async fn manage_form(
    State(state): State<AppState>,
    Query(q): Query<ManageForgotQuery>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let mut page = manage_page(csrf, String::new(), None);
    if let Some(portal) = portals::by_slug(&state.db, q.portal.as_deref().unwrap_or_default()).await?
        && sso::settings::load(&state.db, portal.id).await?.enabled
    {
        page.self_managed = true;
        page.back = format!("/manage/login?portal={}", portal.slug);
    }
    Ok(page.into_response())
}

pub async fn manage_submit(
    State(state): State<AppState>,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<Response> {
    admit_address(&state, &client).await?;
    let email = form.email.trim().to_string();
    let db = state.db.clone();
    let wanted = email.clone();
    in_background(state, async move {
        let Ok(parsed) = Email::parse(&wanted) else { return Ok(None) };
        Ok(staff::by_email(&db, &parsed).await?.filter(|s| s.is_active()).map(|s| Target::Staff {
            id: s.id,
            name: s.name,
            email: s.email,
            portal: None,
            lang: s.language,
        }))
    });
    Ok(manage_page(csrf, email.clone(), Some(confirmation(&email))).into_response())
}

// ---- portals ------------------------------------------------------------------------------------

/// The portal's customer with that email, else a staff member who works in the portal.
async fn find_in_portal(state: &AppState, portal: Portal, email: &str) -> AppResult<Option<Target>> {
    let Ok(parsed) = Email::parse(email) else { return Ok(None) };
    if let Some(c) = customers::by_email(&state.db, portal.id, &parsed).await?.filter(|c| c.is_active()) {
        return Ok(Some(Target::Customer { id: c.id, name: c.name, email: c.email, portal, lang: c.language }));
    }
    Ok(staff::in_portal_by_email(&state.db, portal.id, &parsed)
        .await?
        .filter(|s| s.is_active())
        .map(|s| Target::Staff { id: s.id, name: s.name, email: s.email, portal: Some(portal), lang: s.language }))
}

fn portal_page(csrf: String, portal: &CurrentPortal, email: String, sent_to: Option<String>) -> ForgotPage {
    ForgotPage {
        csrf,
        heading: t1("forgot-heading-portal", "portal", &portal.portal.name),
        action: format!("{}/forgot", portal.base),
        back: format!("{}/login", portal.base),
        portals: vec![],
        email,
        sent_to,
        self_managed: false,
    }
}

pub async fn portal_form(portal: CurrentPortal, CsrfToken(csrf): CsrfToken) -> Response {
    portal_page(csrf, &portal, String::new(), None).into_response()
}

pub async fn portal_submit(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<Response> {
    admit_address(&state, &client).await?;
    let email = form.email.trim().to_string();
    let (bg_state, found_portal, wanted) = (state.clone(), portal.portal.clone(), email.clone());
    in_background(state, async move { find_in_portal(&bg_state, found_portal, &wanted).await });
    Ok(portal_page(csrf, &portal, email.clone(), Some(confirmation(&email))).into_response())
}

// ---- the common page ------------------------------------------------------------------------------

pub async fn common_form(State(state): State<AppState>, CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    let portals = portals::listed(&state.db).await?;
    Ok(ForgotPage {
        csrf,
        heading: t("forgot-title"),
        action: "/forgot".into(),
        back: "/login".into(),
        portals,
        email: String::new(),
        sent_to: None,
        self_managed: false,
    }
    .into_response())
}

pub async fn common_submit(
    State(state): State<AppState>,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<Response> {
    let portal = portals::by_slug(&state.db, &form.portal)
        .await?
        .ok_or_else(|| AppError::Page(StatusCode::BAD_REQUEST, Msg::new("login-choose-portal")))?;
    admit_address(&state, &client).await?;
    let email = form.email.trim().to_string();
    let (bg_state, wanted) = (state.clone(), email.clone());
    in_background(state.clone(), async move { find_in_portal(&bg_state, portal, &wanted).await });
    Ok(ForgotPage {
        csrf,
        heading: t("forgot-title"),
        action: "/forgot".into(),
        back: "/login".into(),
        portals: portals::listed(&state.db).await?,
        email: email.clone(),
        sent_to: Some(confirmation(&email)),
        self_managed: false,
    }
    .into_response())
}

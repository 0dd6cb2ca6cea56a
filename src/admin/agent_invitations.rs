//! Asking someone who already has a staff account to work in this portal too. Their account is
//! shared with the other portals they work in, so it joins only when they accept, signed in as
//! themselves; a system administrator may add it directly.

use crate::web::extract::{Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::MsgQuery;
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::portal_invitations::{self, PortalInvitation};
use crate::accounts::staff::{self, Staff};
use crate::auth::ManageUser;
use crate::auth::emails::{self, Origin};
use crate::auth::manage_login::EmptyForm;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang, Msg, Texts as _};
use crate::outbox;
use crate::portals::settings;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
use crate::web::state::AppState;

/// Whether adding `existing` to the user's portal needs its owner's consent: always, unless a
/// system administrator adds it or the account works in no portal at all.
pub async fn needs_consent(state: &AppState, user: &ManageUser, existing: &Staff) -> AppResult<bool> {
    if user.staff.is_superadmin {
        return Ok(false);
    }
    Ok(existing.is_superadmin || !staff::memberships(&state.db, existing.id).await?.is_empty())
}

/// Records the invitation and emails its owner; the account joins once they accept.
pub async fn ask(state: &AppState, user: &ManageUser, existing: &Staff, role: Role) -> AppResult<Response> {
    let portal = &user.portal;
    let mut tx = state.db.writer().begin().await?;
    portal_invitations::upsert(&mut tx, portal.id, existing.id, role, user.staff.id).await?;
    let link = state.absolute("/manage/invitations");
    let origin = Origin { portal_name: Some(&portal.name) };
    let sender = settings::load(&state.db, portal.id).await?.sender_name;
    // In the words of the person asked: their own language, else the inviting portal's.
    let lang = existing.language.or(portal.default_language).unwrap_or_default();
    let content = i18n::render_in(lang, || {
        emails::portal_invitation(&existing.name, &origin, &user.staff.name, &role_words(lang, role), &link)
    });
    outbox::enqueue_email(&mut tx, &content.to(&existing.email, Some(portal.id), sender)).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(staff_id = existing.id, portal = %portal.slug, by = user.staff.id, "existing account asked to join portal");
    Ok(Redirect::to("/manage/agents?msg=asked").into_response())
}

fn role_words(lang: Lang, role: Role) -> String {
    match role {
        Role::Admin => lang.t("invitation-email-role-admin"),
        Role::Agent => lang.t("invitation-email-role-agent"),
    }
}

/// Withdraws an invitation this portal sent.
pub async fn withdraw(
    State(state): State<AppState>,
    user: ManageUser,
    Path(staff_id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    if !portal_invitations::remove(&state.db, user.portal.id, staff_id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(staff_id, portal = %user.portal.slug, by = user.staff.id, "portal invitation withdrawn");
    Ok(Redirect::to("/manage/agents?msg=withdrawn").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/invitations.html")]
struct InvitationsPage {
    shell: Shell,
    csrf: String,
    invitations: Vec<PortalInvitation>,
}

/// The invitations addressed to the signed-in person.
pub async fn mine(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    let invitations = portal_invitations::of_staff(&state.db, user.staff.id).await?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/invitations", q.msg.as_deref());
    Ok(InvitationsPage { shell, csrf, invitations }.into_response())
}

pub async fn accept(
    State(state): State<AppState>,
    user: ManageUser,
    Path(portal_id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    refuse_outside_directory(&state, &user, portal_id).await?;
    if !portal_invitations::accept(&state.db, portal_id, user.staff.id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(staff_id = user.staff.id, portal_id, "portal invitation accepted");
    Ok(Redirect::to("/manage/invitations?msg=accepted").into_response())
}

/// A session that a portal's Microsoft directory signed in speaks only for portals that use that
/// directory: it cannot take the account into another one.
async fn refuse_outside_directory(state: &AppState, user: &ManageUser, portal_id: i64) -> AppResult<()> {
    let Some(sso_portal_id) = user.session.sso_portal_id else { return Ok(()) };
    let Some(portal) = crate::portals::by_id(&state.db, portal_id).await? else { return Err(AppError::NotFound) };
    let joined = [(portal, Role::Agent)];
    if crate::sso::accounts::session_still_vouched_for(&state.db, sso_portal_id, &user.staff, &joined).await? {
        return Ok(());
    }
    Err(AppError::forbidden(Msg::new("invitations-outside-directory").arg("portal", &joined[0].0.name)))
}

pub async fn decline(
    State(state): State<AppState>,
    user: ManageUser,
    Path(portal_id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    if !portal_invitations::remove(&state.db, portal_id, user.staff.id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(staff_id = user.staff.id, portal_id, "portal invitation declined");
    Ok(Redirect::to("/manage/invitations?msg=declined").into_response())
}

//! Which staff account a directory user signs in as. A linked account is found by issuer, `tid`
//! and `oid`; at a first sign-in the portal's link rule decides: match the user name to an
//! existing staff account of the portal, or create an agent who waits for approval.
//!
//! A portal's directory speaks only for accounts that answer to it alone: it may link or sign in
//! an account only if every portal the account works in uses that same directory. Otherwise one
//! portal's administrators, who choose their directory's users, could sign in as someone whom
//! other portals trust.

use super::identities;
use super::provider::DirectoryUser;
use super::settings::{EntraSettings, LinkRule};
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::staff::{self, CreateStaffError, NewStaff, Staff};
use crate::accounts::{Email, parse_person_name};
use crate::auth::emails::{self, Origin};
use crate::auth::links;
use crate::auth::sessions::Subject;
use crate::db::{Db, is_unique_violation};
use crate::error::AppResult;
use crate::i18n::{self, Msg};
use crate::outbox;
use crate::portals::{Portal, settings as portal_settings};
use crate::web::state::AppState;

pub enum Resolution {
    /// Sign in as this account.
    SignIn(Staff),
    /// A new agent was created (or exists) and waits for an administrator.
    AwaitingApproval,
    /// No sign-in: a heading and what to do.
    Refused(Msg, Msg),
}

pub async fn resolve(
    state: &AppState,
    portal: &Portal,
    entra: &EntraSettings,
    user: &DirectoryUser,
) -> AppResult<Resolution> {
    let issuer = entra.issuer().unwrap_or_default();
    if let Some(identity) = identities::find(&state.db, &issuer, &user.tenant_id, &user.object_id).await? {
        identities::touch(&state.db, identity.id, user).await?;
        return linked(state, portal, &issuer, identity.staff_id).await;
    }
    match entra.link_rule {
        LinkRule::MatchUsername => match_username(state, portal, &issuer, user).await,
        LinkRule::CreatePending => create_pending(state, portal, &issuer, user).await,
    }
}

/// The first of `portals` that does not sign its staff in with the directory `issuer`, if any.
pub async fn portal_outside_directory(
    db: &Db,
    issuer: &str,
    memberships: &[(Portal, Role)],
) -> Result<Option<Portal>, sqlx::Error> {
    for (portal, _) in memberships {
        let theirs = super::settings::load(db, portal.id).await?;
        if !(theirs.enabled && theirs.issuer().as_deref() == Some(issuer)) {
            return Ok(Some(portal.clone()));
        }
    }
    Ok(None)
}

/// Whether a session that a portal's directory signed in may go on: the directory must still
/// speak for every portal the account works in (it may have joined another since).
pub async fn session_still_vouched_for(
    db: &Db,
    sso_portal_id: i64,
    account: &Staff,
    memberships: &[(Portal, Role)],
) -> Result<bool, sqlx::Error> {
    let directory = super::settings::load(db, sso_portal_id).await?;
    let Some(issuer) = directory.issuer().filter(|_| directory.enabled && !account.is_superadmin) else {
        return Ok(false);
    };
    Ok(portal_outside_directory(db, &issuer, memberships).await?.is_none())
}

/// Whether every portal the account works in signs its staff in with this same directory.
async fn answers_only_to(state: &AppState, issuer: &str, account: &Staff) -> AppResult<Option<Resolution>> {
    if account.is_superadmin {
        return Ok(Some(system_administrator()));
    }
    let memberships = staff::memberships(&state.db, account.id).await?;
    if let Some(other) = portal_outside_directory(&state.db, issuer, &memberships).await? {
        return Ok(Some(Resolution::Refused(
            Msg::new("sso-use-password-title"),
            Msg::new("sso-use-password").arg("portal", &other.name),
        )));
    }
    Ok(None)
}

fn system_administrator() -> Resolution {
    // The desk's own administrators keep their password: a portal's directory being
    // misconfigured or unreachable must never lock them out, nor speak for them.
    Resolution::Refused(Msg::new("sso-system-administrator-title"), Msg::new("sso-system-administrator"))
}

async fn linked(state: &AppState, portal: &Portal, issuer: &str, staff_id: i64) -> AppResult<Resolution> {
    let Some(account) = staff::by_id(&state.db, staff_id).await? else {
        return Ok(Resolution::Refused(Msg::new("sso-no-account-title"), Msg::new("sso-no-account")));
    };
    if account.awaiting_approval {
        return Ok(Resolution::AwaitingApproval);
    }
    // (Waiting for approval is answered above.)
    if account.refusal().is_some() {
        return Ok(Resolution::Refused(Msg::new("sso-disabled-title"), Msg::new("sso-disabled")));
    }
    let works_here = account.is_superadmin || staff::in_portal(&state.db, portal.id, account.id).await?.is_some();
    if !works_here {
        return Ok(Resolution::Refused(
            Msg::new("sso-not-staff-title"),
            Msg::new("sso-not-staff").arg("portal", &portal.name),
        ));
    }
    if let Some(refusal) = answers_only_to(state, issuer, &account).await? {
        tracing::warn!(staff_id = account.id, portal = %portal.slug, "Microsoft sign-in refused: the account also answers to other portals");
        return Ok(refusal);
    }
    Ok(Resolution::SignIn(account))
}

async fn match_username(
    state: &AppState,
    portal: &Portal,
    issuer: &str,
    user: &DirectoryUser,
) -> AppResult<Resolution> {
    let unknown = |name: &str| {
        Resolution::Refused(
            Msg::new("sso-no-match-title"),
            Msg::new("sso-no-match").arg("name", name).arg("portal", &portal.name),
        )
    };
    let Some(username) = user.username.as_deref() else {
        return Ok(Resolution::Refused(Msg::new("sso-no-username-title"), Msg::new("sso-no-username")));
    };
    let Ok(email) = Email::parse(username) else { return Ok(unknown(username)) };
    let Some(account) = staff::in_portal_by_email(&state.db, portal.id, &email).await? else {
        return Ok(unknown(username));
    };
    if let Some(refusal) = answers_only_to(state, issuer, &account).await? {
        tracing::warn!(staff_id = account.id, portal = %portal.slug, "Microsoft account not linked: the staff account also answers to other portals");
        return Ok(refusal);
    }
    if identities::linked_in_tenant(&state.db, account.id, &user.tenant_id).await? {
        return Ok(Resolution::Refused(
            Msg::new("sso-already-linked-title"),
            Msg::new("sso-already-linked").arg("email", &account.email).arg("portal", &portal.name),
        ));
    }
    let mut tx = state.db.writer().begin().await?;
    if let Err(e) = identities::link(&mut tx, portal.id, account.id, issuer, user).await {
        return if is_unique_violation(&e) { Ok(busy()) } else { Err(e.into()) };
    }
    // From now on the directory decides who this is: the old password and any link to set one
    // stop working.
    sqlx::query("UPDATE staff SET password_hash = NULL, must_change_password = 0 WHERE id = $1")
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    links::void_all(&mut tx, Subject::Staff(account.id)).await?;
    tx.commit().await?;
    tracing::info!(staff_id = account.id, portal = %portal.slug, "Microsoft account linked by user name");
    linked(state, portal, issuer, account.id).await
}

/// Two first sign-ins of one user at the same moment: one links, the other is told to retry.
fn busy() -> Resolution {
    Resolution::Refused(Msg::new("sso-busy-title"), Msg::new("sso-busy"))
}

async fn create_pending(
    state: &AppState,
    portal: &Portal,
    issuer: &str,
    user: &DirectoryUser,
) -> AppResult<Resolution> {
    let address =
        [user.email.as_deref(), user.username.as_deref()].into_iter().flatten().find_map(|a| Email::parse(a).ok());
    let Some(email) = address else {
        return Ok(Resolution::Refused(Msg::new("sso-no-email-title"), Msg::new("sso-no-email")));
    };
    let name = user
        .name
        .as_deref()
        .and_then(|n| parse_person_name(n, &email).ok())
        .or_else(|| parse_person_name("", &email).ok())
        .unwrap_or_else(|| email.to_string());
    let mut tx = state.db.writer().begin().await?;
    let new =
        NewStaff { email: &email, name: &name, password_hash: None, must_change_password: false, is_superadmin: false };
    let id = match staff::create_in_portal(&mut tx, new, portal.id, Role::Agent, &[]).await {
        Ok(id) => id,
        Err(CreateStaffError::EmailTaken(_)) => {
            return Ok(Resolution::Refused(
                Msg::new("sso-not-linked-title"),
                Msg::new("sso-not-linked").arg("email", email.to_string()).arg("portal", &portal.name),
            ));
        }
        Err(CreateStaffError::Db(e)) => return Err(e.into()),
    };
    sqlx::query("UPDATE staff SET awaiting_approval = 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if let Err(e) = identities::link(&mut tx, portal.id, id, issuer, user).await {
        return if is_unique_violation(&e) { Ok(busy()) } else { Err(e.into()) };
    }
    notify_administrators(state, &mut tx, portal, id, &name, email.as_str()).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(staff_id = id, portal = %portal.slug, "agent created by a first Microsoft sign-in; awaiting approval");
    Ok(Resolution::AwaitingApproval)
}

/// Emails every active administrator of the portal who may manage agents.
async fn notify_administrators(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    portal: &Portal,
    new_id: i64,
    name: &str,
    email: &str,
) -> AppResult<()> {
    let sender_name = portal_settings::load(&state.db, portal.id).await?.sender_name;
    let link = state.absolute(&format!("/manage/agents/{new_id}"));
    for admin in staff::with_permission(&state.db, portal.id, Permission::ManageAgents).await? {
        if admin.id == new_id || !admin.is_active() {
            continue;
        }
        let origin = Origin { portal_name: Some(&portal.name) };
        // In each administrator's language: their own choice, else the portal's.
        let lang = admin.language.or(portal.default_language).unwrap_or_default();
        let content = i18n::render_in(lang, || emails::approval_needed(&admin.name, &origin, name, email, &link));
        let message = content.to(&admin.email, Some(portal.id), sender_name.clone());
        outbox::enqueue_email(tx, &message).await?;
    }
    Ok(())
}

//! Staff of the portal being worked in: add an agent or administrator, set their role,
//! permissions and departments, disable them, end their sessions.

use crate::web::extract::{Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use super::authority::{self, MembershipChange};
use crate::accounts::departments::{self, Department};
use crate::accounts::permissions::{Permission, Role};
use crate::accounts::portal_invitations::{self, PortalInvitation};
use crate::accounts::staff::{self, CreateStaffError, NewStaff, Staff};
use crate::accounts::{Email, parse_person_name};
use crate::auth::ManageUser;
use crate::auth::invitations::{Invitee, queue_staff_invitation};
use crate::auth::links::Purpose;
use crate::auth::manage_login::EmptyForm;
use crate::auth::sessions::{self, Subject};
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::i18n::{Msg, t};
use crate::sso::identities::{self, Identity};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/agents.html")]
struct AgentsPage {
    shell: Shell,
    csrf: String,
    agents: Vec<(Staff, Role)>,
    /// Existing accounts asked to join, who have not answered yet.
    invitations: Vec<PortalInvitation>,
    errors: Vec<String>,
    email: String,
    name: String,
    /// How long the invitation's link works.
    invite_hours: i64,
}

async fn list_page(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    errors: Vec<String>,
    email: String,
    name: String,
) -> AppResult<AgentsPage> {
    let shell = Shell::new(user, csrf.clone(), "/manage/agents", msg);
    let agents = staff::list_for_portal(&state.db, user.portal.id).await?;
    let invitations = portal_invitations::of_portal(&state.db, user.portal.id).await?;
    let invite_hours = Purpose::Invite.lifetime_secs() / 3600;
    Ok(AgentsPage { shell, csrf, agents, invitations, errors, email, name, invite_hours })
}

pub async fn list(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    Ok(list_page(&state, &user, csrf, q.msg.as_deref(), vec![], String::new(), String::new()).await?.into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    email: String,
    #[serde(default)]
    name: String,
    role: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let invalid = |errors: Vec<String>, form: CreateForm| async {
        let page = list_page(&state, &user, csrf.clone(), None, errors, form.email, form.name).await?;
        Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(e) => return invalid(vec![e.to_string()], form).await,
    };
    let Some(role) = Role::parse(&form.role) else {
        return invalid(vec![t("agents-choose-role")], form).await;
    };
    authority::may_grant_role(&user, role)?;
    let name = match parse_person_name(&form.name, &email) {
        Ok(n) => n,
        Err(e) => return invalid(vec![e.to_string()], form).await,
    };
    let existing = staff::by_email(&state.db, &email).await?;
    if let Some(existing) = &existing {
        if staff::in_portal(&state.db, user.portal.id, existing.id).await?.is_some() {
            return invalid(vec![Msg::new("agents-already-here").arg("email", email.as_str()).to_string()], form).await;
        }
        // Someone else's account (another portal's, or a system administrator's) joins only
        // with its owner's consent, unless a system administrator adds it.
        if super::agent_invitations::needs_consent(&state, &user, existing).await? {
            return super::agent_invitations::ask(&state, &user, existing, role).await;
        }
    }
    let mut tx = state.db.writer().begin().await?;
    let (id, name) = match existing {
        Some(existing) => {
            staff::set_role(&mut tx, existing.id, user.portal.id, role).await?;
            (existing.id, existing.name)
        }
        None => {
            let new = NewStaff {
                email: &email,
                name: &name,
                password_hash: None,
                must_change_password: false,
                is_superadmin: false,
            };
            match staff::create_in_portal(&mut tx, new, user.portal.id, role, &[]).await {
                Ok(id) => (id, name),
                Err(CreateStaffError::EmailTaken(e)) => {
                    let message = Msg::new("agents-email-taken").arg("email", e.to_string());
                    return invalid(vec![message.to_string()], form).await;
                }
                Err(CreateStaffError::Db(e)) => return Err(e.into()),
            }
        }
    };
    // Someone whose directory manages their sign-in has no password to set: they are just added.
    if identities::is_self_managed(&state.db, id).await? {
        tx.commit().await?;
        tracing::info!(staff_id = id, portal = %user.portal.slug, by = user.staff.id, "Microsoft-linked staff added to portal");
        return Ok(Redirect::to(&format!("/manage/agents/{id}?msg=added-microsoft")).into_response());
    }
    let who = Invitee { name: &name, email: email.as_str() };
    let had_account = existing_had_password(&state, id).await?;
    queue_staff_invitation(&state, &mut tx, id, who, &user.portal, role, had_account).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(staff_id = id, portal = %user.portal.slug, by = user.staff.id, "staff invited to portal");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=invited")).into_response())
}

/// Whether the account already has a password (an existing staff member given another portal).
async fn existing_had_password(state: &AppState, id: i64) -> AppResult<bool> {
    Ok(staff::by_id(&state.db, id).await?.is_some_and(|s| s.password_hash.is_some()))
}

/// Sends the invitation again, with a new link (the earlier ones stop working).
pub async fn invite(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let (agent, role) = member_to_act_on(&state, &user, id).await?;
    // A new link voids the ones sent before, wherever the account works.
    authority::may_change_account(&state, &user, &agent).await?;
    if identities::is_self_managed(&state.db, id).await? {
        return Err(AppError::bad_request(Msg::new("agents-has-no-password").arg("name", &agent.name)));
    }
    let mut tx = state.db.writer().begin().await?;
    let who = Invitee { name: &agent.name, email: &agent.email };
    queue_staff_invitation(&state, &mut tx, id, who, &user.portal, role, agent.password_hash.is_some()).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(staff_id = id, by = user.staff.id, "staff invitation sent again");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=invited")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/agent.html")]
struct AgentPage {
    shell: Shell,
    csrf: String,
    agent: Staff,
    role: Role,
    permissions: Vec<(Permission, bool)>,
    departments: Vec<(Department, bool)>,
    is_self: bool,
    /// Microsoft accounts linked through this portal.
    microsoft: Vec<Identity>,
    self_managed: bool,
    /// Their presence here (chats, tickets) and how many chats they take at once.
    presence: (crate::chat::presence::State, crate::chat::presence::State, i64),
}

/// A staff member of this portal whom `user` may act on (see `authority::may_act_on_member`).
async fn member_to_act_on(state: &AppState, user: &ManageUser, id: i64) -> AppResult<(Staff, Role)> {
    user.require(Permission::ManageAgents)?;
    let (agent, role) = load_agent(state, user, id).await?;
    authority::may_act_on_member(user, &agent, role)?;
    Ok((agent, role))
}

async fn load_agent(state: &AppState, user: &ManageUser, id: i64) -> AppResult<(Staff, Role)> {
    staff::in_portal(&state.db, user.portal.id, id).await?.ok_or(AppError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let (agent, role) = load_agent(&state, &user, id).await?;
    let granted = staff::granted_permissions(&state.db, id, user.portal.id).await?;
    let member_of = departments::of_staff(&state.db, user.portal.id, id).await?;
    let departments = departments::list(&state.db, user.portal.id).await?.into_iter().map(|d| {
        let on = member_of.contains(&d.id);
        (d, on)
    });
    Ok(AgentPage {
        shell: Shell::new(&user, csrf.clone(), "/manage/agents", q.msg.as_deref()),
        csrf,
        is_self: agent.id == user.staff.id,
        microsoft: identities::of_staff_in_portal(&state.db, id, user.portal.id).await?,
        self_managed: identities::is_self_managed(&state.db, id).await?,
        presence: crate::chat::presence::states(&state.db, user.portal.id, id).await?,
        permissions: Permission::ALL.into_iter().map(|p| (p, granted.contains(&p))).collect(),
        departments: departments.collect(),
        agent,
        role,
    }
    .into_response())
}

/// Role, permissions (`perm=KEY`, repeated) and departments (`department=ID`, repeated).
pub async fn update(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let (agent, current_role) = load_agent(&state, &user, id).await?;
    let value = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let email = Email::parse(&agent.email).map_err(AppError::bad_request)?;
    let name = match value("name").map(|n| parse_person_name(n, &email)).transpose().map_err(AppError::bad_request)? {
        Some(name) if name != agent.name => {
            authority::may_change_account(&state, &user, &agent).await?;
            Some(name)
        }
        _ => None,
    };
    let role =
        value("role").and_then(Role::parse).ok_or_else(|| AppError::bad_request(Msg::new("agents-choose-role")))?;
    if agent.id == user.staff.id && role != Role::Admin && user.role == Role::Admin {
        return Err(AppError::bad_request(Msg::new("agents-keep-own-admin-role")));
    }
    let mut permissions = Vec::new();
    for (_, key) in pairs.iter().filter(|(k, _)| k == "perm") {
        let unknown = || AppError::bad_request(Msg::new("agents-unknown-permission").arg("key", format!("{key:?}")));
        permissions.push(Permission::parse(key).ok_or_else(unknown)?);
    }
    let current_permissions = staff::granted_permissions(&state.db, id, user.portal.id).await?;
    authority::may_change_membership(
        &user,
        &MembershipChange {
            target: &agent,
            current_role,
            current_permissions: &current_permissions,
            new_role: role,
            new_permissions: &permissions,
        },
    )?;
    let mut department_ids = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "department") {
        department_ids
            .push(v.parse::<i64>().map_err(|_| AppError::bad_request(Msg::new("agents-unknown-department")))?);
    }
    let change =
        staff::PortalChange { name: name.as_deref(), role, permissions: &permissions, department_ids: &department_ids };
    staff::update_in_portal(&state.db, id, user.portal.id, change).await.map_err(|e| place_error(e, &agent, &user))?;
    tracing::info!(staff_id = id, by = user.staff.id, portal = %user.portal.slug, "staff role and permissions updated");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=saved")).into_response())
}

async fn set_disabled(state: AppState, user: ManageUser, id: i64, disabled: bool) -> AppResult<Response> {
    let (agent, _) = member_to_act_on(&state, &user, id).await?;
    authority::may_disable(&state, &user, &agent).await?;
    match staff::set_disabled(&state.db, id, disabled).await {
        Ok(()) => {}
        Err(staff::StatusError::LastSystemAdministrator) => {
            let message = Msg::new("authority-last-system-administrator").arg("name", &agent.name);
            return Err(AppError::bad_request(message));
        }
        Err(staff::StatusError::Db(e)) => return Err(e.into()),
    }
    tracing::info!(staff_id = id, by = user.staff.id, disabled, "staff account status changed");
    let msg = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg={msg}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    /// "true" to disable the account, "false" to enable it again.
    disabled: bool,
}

pub async fn status(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    set_disabled(state, user, id, form.disabled).await
}

pub async fn end_sessions(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let (agent, _) = member_to_act_on(&state, &user, id).await?;
    let keep = (id == user.staff.id).then_some(user.session.id);
    let mut conn = state.db.writer().acquire().await?;
    // Everywhere for those with power over the whole account; otherwise only in this portal.
    let ended = if authority::has_account_power(&state, &user, &agent).await? {
        sessions::end_all(&mut conn, Subject::Staff(id), keep).await?
    } else {
        sessions::end_all_in_portal(&mut conn, Subject::Staff(id), user.portal.id, keep).await?
    };
    tracing::info!(staff_id = id, by = user.staff.id, ended, "staff sessions ended by an administrator");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=sessions-ended")).into_response())
}

/// Takes someone out of this portal; their account and other portals stay as they are.
pub async fn remove(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let (agent, _) = member_to_act_on(&state, &user, id).await?;
    if agent.id == user.staff.id {
        return Err(AppError::bad_request(Msg::new("agents-cannot-remove-self")));
    }
    if !user.staff.is_superadmin && user.role != Role::Admin {
        // Taking someone out takes away all they hold here: only what the actor could take away.
        let held = staff::granted_permissions(&state.db, id, user.portal.id).await?;
        if let Some(p) = held.iter().find(|p| !user.permissions.contains(p)) {
            return Err(AppError::forbidden(
                Msg::new("agents-holds-more").arg("name", &agent.name).arg("permission", t(p.label_key())),
            ));
        }
    }
    staff::remove_from_portal(&state.db, id, user.portal.id).await.map_err(|e| place_error(e, &agent, &user))?;
    tracing::info!(staff_id = id, portal = %user.portal.slug, by = user.staff.id, "staff removed from portal");
    Ok(Redirect::to("/manage/agents?msg=removed").into_response())
}

/// The words for a change that would leave the portal without an administrator.
fn place_error(e: staff::PlaceError, agent: &Staff, user: &ManageUser) -> AppError {
    match e {
        staff::PlaceError::LastAdministrator => AppError::bad_request(
            Msg::new("agents-last-administrator").arg("name", &agent.name).arg("portal", &user.portal.name),
        ),
        staff::PlaceError::Db(e) => e.into(),
    }
}

/// Lets an agent created by a first Microsoft sign-in sign in.
pub async fn approve(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let (agent, _) = member_to_act_on(&state, &user, id).await?;
    authority::may_change_account(&state, &user, &agent).await?;
    staff::approve(&state.db, id).await?;
    tracing::info!(staff_id = id, by = user.staff.id, "staff account approved");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=approved")).into_response())
}

/// Removes the link to a Microsoft account made through this portal; the account can then be
/// sent a link to set a password, or be linked again at its next Microsoft sign-in.
pub async fn unlink_microsoft(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    member_to_act_on(&state, &user, id).await?;
    let removed = identities::unlink(&state.db, id, user.portal.id).await?;
    tracing::info!(staff_id = id, by = user.staff.id, removed, "Microsoft account unlinked");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=unlinked")).into_response())
}

/// Takes an agent offline on every channel of this portal; their offers and chats go back to
/// the queue, and their open pages hear of it at once.
pub async fn force_offline(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    member_to_act_on(&state, &user, id).await?;
    crate::chat::presence::force_offline(&state, user.portal.id, id).await?;
    tracing::info!(staff_id = id, by = user.staff.id, "agent forced offline by an administrator");
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=forced-offline")).into_response())
}

#[derive(Deserialize)]
pub struct CapacityForm {
    capacity: String,
}

/// Most chats at once an administrator may give an agent.
const MAX_CHAT_CAPACITY: i64 = 50;

pub async fn chat_capacity(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CapacityForm>,
) -> AppResult<Response> {
    member_to_act_on(&state, &user, id).await?;
    let capacity = form.capacity.trim().parse::<i64>().ok().filter(|n| (1..=MAX_CHAT_CAPACITY).contains(n));
    let Some(capacity) = capacity else {
        return Err(AppError::bad_request(Msg::new("presence-capacity-invalid").arg("max", MAX_CHAT_CAPACITY)));
    };
    crate::chat::presence::set_capacity(&state, user.portal.id, id, capacity).await?;
    Ok(Redirect::to(&format!("/manage/agents/{id}?msg=saved")).into_response())
}

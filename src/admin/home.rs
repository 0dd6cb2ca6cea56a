//! The management home page and the portal switcher.

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::MsgQuery;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::sessions;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/home.html")]
struct HomePage {
    shell: Shell,
    /// Catalog keys of the role and of the permissions held.
    role: &'static str,
    permissions: Vec<&'static str>,
    /// How many agents, customers and departments, for those who look after the portal's people.
    stats: Option<(i64, i64, i64)>,
    portal_slug: String,
    /// Email cannot go out (no SMTP server), for those who look after the portal's settings.
    mail_problem: bool,
    /// Agents created by a first Microsoft sign-in, for those who may approve them.
    awaiting_approval: i64,
    /// Other portals that asked this person to work in them.
    invitations: usize,
    /// What the features show here (`Feature::home_panels`), rendered and escaped by them.
    panels: Vec<String>,
}

async fn count(state: &AppState, sql: &'static str, portal_id: i64) -> AppResult<i64> {
    Ok(sqlx::query(sql).bind(portal_id).fetch_one(state.db.pool()).await?.try_get("n")?)
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    let pid = user.portal.id;
    // Counting a portal's customers reads every one of them: only for those who manage
    // accounts, not on every agent's dashboard.
    let stats = if user.can(Permission::ManageAgents) || user.can(Permission::ManageDepartments) {
        let agents = count(&state, "SELECT COUNT(*) AS n FROM staff_portals WHERE portal_id = $1", pid).await?;
        let customers = count(&state, "SELECT COUNT(*) AS n FROM customers WHERE portal_id = $1", pid).await?;
        let departments = count(&state, "SELECT COUNT(*) AS n FROM departments WHERE portal_id = $1", pid).await?;
        Some((agents, customers, departments))
    } else {
        None
    };
    let awaiting_approval = if user.can(Permission::ManageAgents) {
        let sql = "SELECT COUNT(*) AS n FROM staff s JOIN staff_portals sp ON sp.staff_id = s.id \
                   WHERE sp.portal_id = $1 AND s.awaiting_approval = 1";
        count(&state, sql, pid).await?
    } else {
        0
    };
    let invitations = crate::accounts::portal_invitations::of_staff(&state.db, user.staff.id).await?.len();
    let permissions = crate::accounts::permissions::Permission::ALL
        .into_iter()
        .filter(|p| user.can(*p))
        .map(|p| p.label_key())
        .collect();
    let panels = crate::web::layout::home_panels(&state, &user).await?;
    Ok(HomePage {
        shell: Shell::new(&user, csrf, "/manage", q.msg.as_deref()),
        role: user.role.label_key(),
        permissions,
        stats,
        portal_slug: user.portal.slug.clone(),
        mail_problem: state.mail_problem.is_some() && user.can(Permission::ManagePortalSettings),
        awaiting_approval,
        invitations,
        panels,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct SwitchForm {
    portal: String,
    /// Where to go in the portal switched to (a link to a ticket of another portal); a page of
    /// the management interface only.
    #[serde(default)]
    next: String,
}

pub async fn switch_portal(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> AppResult<Response> {
    let (portal, _) = user
        .memberships
        .iter()
        .find(|(p, _)| p.slug == form.portal)
        .ok_or_else(|| AppError::forbidden(Msg::new("home-not-your-portal")))?;
    sessions::set_portal(&state.db, user.session.id, portal.id).await?;
    let to = crate::web::next::after_sign_in(&form.next, &state.public_url, "/manage", "/manage?msg=switched");
    Ok(Redirect::to(&to).into_response())
}

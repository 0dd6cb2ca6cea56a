//! The sign-out rule: an agent with conversations in progress (answered, or offered to them)
//! may not sign out; signing out takes them off every channel in every portal.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sqlx::Row;

use super::presence::{self, Channel, SetBy};
use crate::auth::ManageUser;
use crate::error::AppResult;
use crate::i18n::Texts as _;
use crate::web::layout::{Shell, SignOutHook};
use crate::web::state::AppState;

pub const HOOK: SignOutHook = SignOutHook {
    guard: |state, user, csrf| Box::pin(refuse_while_chatting(state, user, csrf)),
    signed_out: |state, user| Box::pin(take_off_every_channel(state, user)),
};

struct OpenChat {
    id: i64,
    portal: String,
    customer: String,
    offered: bool,
    here: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/signout_refused.html")]
struct RefusedPage {
    shell: Shell,
    csrf: String,
    chats: Vec<OpenChat>,
}

/// The chats the agent answers or is offered, in every portal.
async fn open_chats(state: &AppState, user: &ManageUser) -> AppResult<Vec<OpenChat>> {
    let rows = sqlx::query(
        "SELECT c.id, c.portal_id, c.state, c.requester_name, p.name FROM chats c JOIN portals p ON p.id = c.portal_id \
         WHERE c.agent_id = $1 AND c.state IN ('offered', 'active') ORDER BY c.portal_id, c.id",
    )
    .bind(user.staff.id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OpenChat {
                id: r.try_get("id")?,
                portal: r.try_get("name")?,
                customer: r.try_get("requester_name")?,
                offered: r.try_get::<String, _>("state")? == "offered",
                here: r.try_get::<i64, _>("portal_id")? == user.portal.id,
            })
        })
        .collect()
}

async fn refuse_while_chatting(state: &AppState, user: &ManageUser, csrf: &str) -> AppResult<Option<Response>> {
    let chats = open_chats(state, user).await?;
    if chats.is_empty() {
        return Ok(None);
    }
    let shell = Shell::new(user, csrf.to_string(), "", None);
    let page = RefusedPage { shell, csrf: csrf.to_string(), chats };
    Ok(Some((StatusCode::CONFLICT, page).into_response()))
}

async fn take_off_every_channel(state: &AppState, user: &ManageUser) -> AppResult<()> {
    let portals =
        sqlx::query("SELECT DISTINCT portal_id FROM agent_presence WHERE staff_id = $1 AND state <> 'offline'")
            .bind(user.staff.id)
            .fetch_all(state.db.pool())
            .await?;
    for row in portals {
        let portal_id: i64 = row.try_get("portal_id")?;
        for channel in Channel::ALL {
            presence::set(state, portal_id, user.staff.id, channel, presence::State::Offline, SetBy::SignOut).await?;
        }
    }
    Ok(())
}

//! The presence switch in the header of every management page, the presence page (the same
//! switch, the agent's capacity and the chats offered to them, all without JavaScript), and
//! answering an offer from there.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::presence::{self, Channel, SetBy};
use super::routing;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::manage_login::EmptyForm;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::{Path, Query};
use crate::web::layout::{MsgQuery, Notice, Shell};
use crate::web::state::AppState;

pub const NOTICES: &[Notice] = &[
    Notice { code: "presence-saved", text: "presence-notice-saved" },
    Notice { code: "offer-declined", text: "presence-notice-declined" },
    Notice { code: "forced-offline", text: "presence-notice-forced-offline" },
];

pub fn router() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/manage/presence", get(page).post(switch))
        .route("/manage/presence/capacity", post(set_capacity))
        .route("/manage/presence/offers/{id}/accept", post(accept))
        .route("/manage/presence/offers/{id}/decline", post(decline))
}

/// The channels `user` answers in the portal they work in.
fn channels_of(user: &ManageUser) -> Vec<Channel> {
    let mut channels = Vec::new();
    if user.can(Permission::AnswerChats) {
        channels.push(Channel::Chat);
    }
    if user.can(Permission::AnswerTickets) {
        channels.push(Channel::Tickets);
    }
    channels
}

pub fn channel_label(c: &Channel) -> &'static str {
    match c {
        Channel::Chat => "presence-channel-chat",
        Channel::Tickets => "presence-channel-tickets",
    }
}

pub fn state_label(s: &presence::State) -> &'static str {
    match s {
        presence::State::Available => "presence-available",
        presence::State::Away => "presence-away",
        presence::State::Offline => "presence-offline",
    }
}

#[derive(Template)]
#[template(path = "chat/templates/presence_header.html")]
struct HeaderItem<'a> {
    csrf: &'a str,
    channels: Vec<Channel>,
}

/// The header's switch: one small form per channel, state buttons; the script marks the
/// current state and shows offers.
pub fn header_item(user: &ManageUser, csrf: &str) -> Option<String> {
    let channels = channels_of(user);
    if channels.is_empty() {
        return None;
    }
    HeaderItem { csrf, channels }.render().ok()
}

struct Offer {
    chat_id: i64,
    customer: String,
    department: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/presence_page.html")]
struct PresencePage {
    shell: Shell,
    csrf: String,
    rows: Vec<(Channel, presence::State)>,
    capacity: i64,
    answers_chats: bool,
    offers: Vec<Offer>,
    errors: Vec<String>,
}

async fn offers_of(state: &AppState, portal_id: i64, staff_id: i64) -> AppResult<Vec<Offer>> {
    let rows = sqlx::query(
        "SELECT c.id, c.requester_name, d.name FROM chats c JOIN departments d ON d.portal_id = c.portal_id \
         AND d.id = c.department_id WHERE c.portal_id = $1 AND c.agent_id = $2 AND c.state = 'offered' ORDER BY c.id",
    )
    .bind(portal_id)
    .bind(staff_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Offer {
                chat_id: r.try_get("id")?,
                customer: r.try_get("requester_name")?,
                department: r.try_get("name")?,
            })
        })
        .collect()
}

async fn render(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    errors: Vec<String>,
) -> AppResult<PresencePage> {
    let shell = Shell::new(user, csrf.clone(), "/manage/presence", msg);
    let (chat, tickets, capacity) = presence::states(&state.db, user.portal.id, user.staff.id).await?;
    let rows = channels_of(user).into_iter().map(|c| (c, if c == Channel::Chat { chat } else { tickets })).collect();
    let offers = offers_of(state, user.portal.id, user.staff.id).await?;
    let answers_chats = user.can(Permission::AnswerChats);
    Ok(PresencePage { shell, csrf, rows, capacity, answers_chats, offers, errors })
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    Ok(render(&state, &user, csrf, q.msg.as_deref(), vec![]).await?.into_response())
}

#[derive(Deserialize)]
pub struct SwitchForm {
    channel: String,
    state: String,
}

/// Only members of the portal have a presence there, each on the channels they answer.
async fn check_channel(state: &AppState, user: &ManageUser, channel: Channel) -> AppResult<()> {
    if !channels_of(user).contains(&channel) || !presence::is_member(&state.db, user.portal.id, user.staff.id).await? {
        return Err(AppError::forbidden(Msg::new("presence-not-an-agent").arg("portal", &user.portal.name)));
    }
    Ok(())
}

pub async fn switch(
    State(state): State<AppState>,
    user: ManageUser,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> AppResult<Response> {
    let channel = match form.channel.as_str() {
        "chat" => Channel::Chat,
        "tickets" => Channel::Tickets,
        _ => return Err(AppError::bad_request(Msg::new("presence-bad-choice"))),
    };
    let Some(to) = presence::State::parse(&form.state) else {
        return Err(AppError::bad_request(Msg::new("presence-bad-choice")));
    };
    check_channel(&state, &user, channel).await?;
    presence::set(&state, user.portal.id, user.staff.id, channel, to, SetBy::Agent).await?;
    Ok(Redirect::to(&back(&state, &headers)).into_response())
}

/// Back to the page the switch was used on (the header's forms are on every page).
fn back(state: &AppState, headers: &HeaderMap) -> String {
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(|r| url::Url::parse(r).ok());
    let path = referer
        .filter(|u| u.origin() == state.public_url.origin())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_default();
    let target = crate::web::next::after_sign_in(&path, &state.public_url, "/manage", "/manage/presence");
    if target.starts_with("/manage/presence") { "/manage/presence?msg=presence-saved".into() } else { target }
}

#[derive(Deserialize)]
pub struct CapacityForm {
    capacity: String,
}

/// Most chats at once an agent may set for themselves (an administrator may set more).
pub const MAX_CAPACITY: i64 = 20;

pub async fn set_capacity(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CapacityForm>,
) -> AppResult<Response> {
    check_channel(&state, &user, Channel::Chat).await?;
    match parse_capacity(&form.capacity) {
        Some(n) => {
            presence::set_capacity(&state, user.portal.id, user.staff.id, n).await?;
            Ok(Redirect::to("/manage/presence?msg=presence-saved").into_response())
        }
        None => {
            let error = Msg::new("presence-capacity-invalid").arg("max", MAX_CAPACITY).to_string();
            let page = render(&state, &user, csrf, None, vec![error]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub fn parse_capacity(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|n| (1..=MAX_CAPACITY).contains(n))
}

pub async fn accept(
    State(state): State<AppState>,
    user: ManageUser,
    Path(chat_id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::AnswerChats)?;
    routing::accept(&state, user.portal.id, user.staff.id, chat_id).await?;
    Ok(Redirect::to(&format!("/manage/chats/{chat_id}")).into_response())
}

pub async fn decline(
    State(state): State<AppState>,
    user: ManageUser,
    Path(chat_id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::AnswerChats)?;
    routing::decline(&state, user.portal.id, user.staff.id, chat_id).await?;
    Ok(Redirect::to("/manage/presence?msg=offer-declined").into_response())
}

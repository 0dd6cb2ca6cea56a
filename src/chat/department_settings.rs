//! A department's chat and assignment settings (lane: core): how long an offered agent has to
//! accept a chat, when chats are answered (the format is `crate::chat::hours`'), and whether new
//! tickets are assigned round robin to agents available for tickets.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::{Path, Query};
use crate::web::layout::{MsgQuery, Shell};
use crate::web::state::AppState;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/manage/departments/{id}/chat", axum::routing::get(page).post(save))
}

/// Seconds an agent may take to accept a chat.
pub const ACCEPT_MIN: i64 = 5;
pub const ACCEPT_MAX: i64 = 600;
/// Longest schedule text kept.
const HOURS_MAX_CHARS: usize = 1_000;

#[derive(Clone, Debug, Default)]
struct Settings {
    name: String,
    accept_seconds: String,
    hours: String,
    round_robin: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/department_settings.html")]
struct SettingsPage {
    shell: Shell,
    csrf: String,
    id: i64,
    settings: Settings,
    errors: Vec<String>,
}

async fn load(state: &AppState, portal_id: i64, id: i64) -> AppResult<Settings> {
    let row = sqlx::query(
        "SELECT name, chat_accept_seconds, chat_hours, assign_tickets FROM departments WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Settings {
        name: row.try_get("name")?,
        accept_seconds: row.try_get::<i64, _>("chat_accept_seconds")?.to_string(),
        hours: row.try_get::<Option<String>, _>("chat_hours")?.unwrap_or_default(),
        round_robin: row.try_get::<String, _>("assign_tickets")? == "round_robin",
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageDepartments)?;
    let settings = load(&state, user.portal.id, id).await?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/departments", q.msg.as_deref());
    Ok(SettingsPage { shell, csrf, id, settings, errors: vec![] }.into_response())
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    accept_seconds: String,
    /// One rule per line (a multi-line field, see `crate::web::input`).
    #[serde(default)]
    chat_hours: String,
    /// A checkbox: present when ticked.
    round_robin: Option<String>,
}

/// The stored values, or what is wrong with them.
fn check(form: &SettingsForm) -> Result<(i64, Option<String>), Vec<String>> {
    let mut errors = Vec::new();
    let seconds = form.accept_seconds.trim().parse::<i64>().ok().filter(|n| (ACCEPT_MIN..=ACCEPT_MAX).contains(n));
    if seconds.is_none() {
        errors
            .push(Msg::new("department-chat-accept-invalid").arg("min", ACCEPT_MIN).arg("max", ACCEPT_MAX).to_string());
    }
    // One rule per line; the schedule's own reader (talk's `hours`) says what a line may hold.
    let hours = form.chat_hours.trim().replace("\r\n", "\n");
    if hours.chars().count() > HOURS_MAX_CHARS || hours.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(Msg::new("department-chat-hours-invalid").arg("max", HOURS_MAX_CHARS).to_string());
    } else if !hours.is_empty()
        && let Err(msg) = super::hours::parse(&hours)
    {
        // The schedule's own reader says what is wrong and how to write it.
        errors.push(msg.to_string());
    }
    match seconds {
        Some(s) if errors.is_empty() => Ok((s, Some(hours).filter(|h| !h.is_empty()))),
        _ => Err(errors),
    }
}

pub async fn save(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageDepartments)?;
    let current = load(&state, user.portal.id, id).await?;
    let (seconds, hours) = match check(&form) {
        Ok(values) => values,
        Err(errors) => {
            let settings = Settings {
                name: current.name,
                accept_seconds: form.accept_seconds.clone(),
                hours: form.chat_hours.clone(),
                round_robin: form.round_robin.is_some(),
            };
            let shell = Shell::new(&user, csrf.clone(), "/manage/departments", None);
            let page = SettingsPage { shell, csrf, id, settings, errors };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mode = if form.round_robin.is_some() { "round_robin" } else { "manual" };
    sqlx::query(
        "UPDATE departments SET chat_accept_seconds = $1, chat_hours = $2, assign_tickets = $3 WHERE portal_id = $4 AND id = $5",
    )
    .bind(seconds)
    .bind(hours)
    .bind(mode)
    .bind(user.portal.id)
    .bind(id)
    .execute(state.db.writer())
    .await?;
    tracing::info!(department_id = id, by = user.staff.id, "department chat settings saved");
    Ok(Redirect::to(&format!("/manage/departments/{id}/chat?msg=saved")).into_response())
}

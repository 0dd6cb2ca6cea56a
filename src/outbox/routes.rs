//! The administrators' outbox page: what was sent, what waits, what failed and why, with
//! "Retry" for failed messages.

use crate::web::extract::{Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::{OutboxEntry, list, retry as retry_message};
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::manage_login::EmptyForm;
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::MsgQuery;
use crate::web::layout::Shell;
use crate::web::state::AppState;

const SHOWN: i64 = 200;

#[derive(Template, WebTemplate)]
#[template(path = "outbox/templates/outbox.html")]
struct OutboxPage {
    shell: Shell,
    csrf: String,
    /// Email cannot go out: no SMTP server is configured.
    mail_problem: bool,
    entries: Vec<OutboxEntry>,
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManagePortalSettings)?;
    let entries = list(&state.db, user.portal.id, user.staff.is_superadmin, SHOWN).await?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/outbox", q.msg.as_deref());
    Ok(OutboxPage { shell, csrf, mail_problem: state.mail_problem.is_some(), entries }.into_response())
}

pub async fn retry(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::ManagePortalSettings)?;
    if !retry_message(&state.db, user.portal.id, user.staff.is_superadmin, id).await? {
        return Err(AppError::NotFound);
    }
    state.outbox.notify();
    tracing::info!(id, by = user.staff.id, "outbox message queued again");
    Ok(Redirect::to("/manage/outbox?msg=requeued").into_response())
}

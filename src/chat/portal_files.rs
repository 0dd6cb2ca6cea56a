//! Files in a chat, both sides: uploaded over HTTP (the socket carries text only), stored like
//! ticket attachments (`tickets::attachments`, chunked, type found from the content) within the
//! portal's per-file limit, and linked to a message in the same transaction that stores it. The
//! upload is the raw file as the body, `?client_id=…&name=…`; the answer is the `ack` the socket
//! would give. A form's CSRF token travels in the `X-CSRF-Token` header (the widget's visitor
//! token in `X-Chat-Token` instead: it is no cookie, so another site cannot make a browser send
//! it). Downloads are checked like the chat itself: the file must be on a message of a chat the
//! person may read.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::portal_access::{Requester, own_chat, parse_id};
use super::store::{self, Author, Sender};
use crate::auth::ManageUser;
use crate::auth::extract::MaybePortalUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::tickets::attachments;
use crate::web::csrf;
use crate::web::state::AppState;

pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn router() -> Router<AppState> {
    let limit = DefaultBodyLimit::max(crate::tickets::uploads::BODY_LIMIT_BYTES);
    Router::new()
        .route("/portal/{slug}/chats/{id}/files", post(customer_upload).layer(limit))
        .route("/portal/{slug}/chats/{id}/files/{file}", get(customer_download))
        .route("/manage/chats/{id}/files", post(agent_upload).layer(limit))
        .route("/manage/chats/{id}/files/{file}", get(agent_download))
}

#[derive(Deserialize, Default)]
pub struct UploadQuery {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    name: String,
}

/// The CSRF check of a script's upload: the header must be the browser's cookie.
fn check_csrf(state: &AppState, headers: &HeaderMap) -> AppResult<()> {
    csrf::check_origin(headers, state)?;
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if csrf::field_matches(csrf::cookie_value(state, headers).as_deref(), sent) { Ok(()) } else { Err(AppError::Csrf) }
}

async fn customer_upload(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    Path((_slug, id)): Path<(String, String)>,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> AppResult<Response> {
    let headers = request.headers().clone();
    let requester = Requester::of(&state, portal.portal.id, user.as_ref(), &headers, None);
    match &requester {
        Requester::Nobody => return Ok(StatusCode::UNAUTHORIZED.into_response()),
        // The widget's token is sent on purpose, never by a browser on its own.
        Requester::Visitor { .. } if headers.contains_key(super::portal_access::TOKEN_HEADER) => {
            csrf::check_origin(&headers, &state)?
        }
        _ => check_csrf(&state, &headers)?,
    }
    let chat = own_chat(&state, portal.portal.id, &requester, &id).await?;
    let sender = Sender::in_session(Author::Customer, state.sessions, user.as_ref().map(|u| u.session.id));
    upload(&state, chat.portal_id, chat.id, sender, &query, request.into_body()).await
}

async fn agent_upload(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    Path(id): Path<String>,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> AppResult<Response> {
    let Ok(user) = user else { return Ok(StatusCode::UNAUTHORIZED.into_response()) };
    check_csrf(&state, request.headers())?;
    let chat = store::load(&state.db, user.portal.id, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    if !super::ws::agent_side(&state, &user, &chat).await? {
        return Err(AppError::forbidden(Msg::new("chat-error-read-only")));
    }
    if chat.state != "active" {
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("chat-error-not-yours")));
    }
    let sender = Sender::in_session(Author::Agent(user.staff.id), state.sessions, Some(user.session.id));
    upload(&state, chat.portal_id, chat.id, sender, &query, request.into_body()).await
}

/// Stores the file (pending), then the message carrying it; the acknowledgement as JSON.
async fn upload(
    state: &AppState,
    portal_id: i64,
    chat_id: i64,
    sender: Sender,
    query: &UploadQuery,
    body: Body,
) -> AppResult<Response> {
    if !super::ws::valid_client_id(&query.client_id) {
        return Err(AppError::bad_request(Msg::new("chat-error-bad-client-id")));
    }
    let limits = crate::tickets::settings::load(&state.db, portal_id).await?;
    let name = if query.name.trim().is_empty() { "file" } else { query.name.as_str() };
    let stored = attachments::store_pending(
        &state.db,
        portal_id,
        name,
        body.into_data_stream(),
        limits.file_bytes(),
        crate::db::now(),
    )
    .await
    .map_err(|e| match e.message(&attachments::clean_filename(name)) {
        Some(msg) if matches!(e, attachments::AttachmentError::TooLarge(_)) => {
            AppError::Page(StatusCode::PAYLOAD_TOO_LARGE, msg)
        }
        Some(msg) => AppError::Page(StatusCode::UNPROCESSABLE_ENTITY, msg),
        None => AppError::Internal(anyhow::anyhow!("{e}")),
    })?;
    let delivered = super::ws::deliver(state, portal_id, chat_id, sender, &query.client_id, "", Some(stored.id)).await;
    let seq = match delivered {
        Ok(seq) => seq,
        Err(e) => {
            let _ = attachments::discard_pending(&state.db, portal_id, &[stored.id]).await;
            return Err(e);
        }
    };
    // A resend of a file already stored: this copy is not needed.
    let _ = attachments::discard_pending(&state.db, portal_id, &[stored.id]).await;
    let ack = json!({"type": "ack", "client_id": query.client_id, "seq": seq});
    Ok(([(header::CONTENT_TYPE, "application/json; charset=utf-8")], ack.to_string()).into_response())
}

async fn customer_download(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    headers: HeaderMap,
    Path((_slug, id, file)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let requester = Requester::of(&state, portal.portal.id, user.as_ref(), &headers, None);
    let chat = own_chat(&state, portal.portal.id, &requester, &id).await?;
    serve(&state, chat.portal_id, chat.id, &file).await
}

async fn agent_download(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let Ok(user) = user else { return Ok(StatusCode::UNAUTHORIZED.into_response()) };
    let chat = store::load(&state.db, user.portal.id, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    super::ws::agent_side(&state, &user, &chat).await?;
    serve(&state, chat.portal_id, chat.id, &file).await
}

async fn serve(state: &AppState, portal_id: i64, chat_id: i64, file: &str) -> AppResult<Response> {
    let file = parse_id(file)?;
    if !store::has_file(&state.db, portal_id, chat_id, file).await? {
        return Err(AppError::NotFound);
    }
    crate::tickets::downloads::serve(&state.db, portal_id, file).await
}

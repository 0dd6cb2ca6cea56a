//! The chat on the company's own site (lane: talk). An administrator lists the sites allowed to
//! embed it (`chat_embed_origins`) and copies a one-line `<script>` onto them
//! (`static/chat-widget.js`); the script adds a button that opens an iframe of
//! `/portal/{slug}/chat/embed`, a Frontdesk page served with `Content-Security-Policy:
//! frame-ancestors` naming those sites only (the page does not exist for a portal that lists
//! none, or does not take chats from visitors).
//!
//! No third-party cookie is needed: inside another site's page the iframe's cookies are
//! third-party ones, which browsers increasingly refuse. The start is a JSON request that needs
//! no cookie (a cross-site page cannot send it: JSON needs a CORS preflight, which is never
//! granted, and the `Origin` is checked); its answer carries the visitor's token, which the
//! iframe keeps in its own session storage and sends explicitly: as the subprotocol
//! `token.TOKEN` on the socket (never in its address),
//! `X-Chat-Token` on uploads and on ending the chat.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::portal::{Availability, StartForm, Starter, availability, check, create};
use super::portal_access::{Requester, own_chat};
use super::{lanes, portal_settings, store};
use crate::accounts::departments::{self, Department};
use crate::auth::codes;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::portals::resolve::CurrentPortal;
use crate::web::client::Client;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/{slug}/chat/embed", get(embed))
        .route("/portal/{slug}/chat/embed/start", post(start))
        .route("/portal/{slug}/chat/embed/{id}/end", post(end))
        .route("/portal/{slug}/chat/embed/{id}/rating", post(rate))
        .route("/portal/{slug}/chat/embed/{id}/transcript", post(transcript))
        .route(
            "/static/chat-widget.js",
            get(|| async { super::portal::script(include_str!("../../static/chat-widget.js")) }),
        )
}

/// The policy of the embedded page: this server's own scripts, styles and socket, framed by the
/// listed sites only.
pub fn embed_policy(origins: &[String]) -> String {
    format!(
        "default-src 'self'; base-uri 'self'; object-src 'none'; form-action 'self'; frame-ancestors {}",
        origins.join(" ")
    )
}

#[derive(Template)]
#[template(path = "chat/templates/embed.html")]
struct EmbedPage {
    portal: CurrentPortal,
    departments: Vec<Department>,
    message_max: usize,
}

/// The portal's sites, if it takes chats from visitors and lists any; otherwise the page does not exist.
impl EmbedPage {
    fn stars(&self) -> [i64; 5] {
        [1, 2, 3, 4, 5]
    }
}

async fn embedding_sites(state: &AppState, portal: &CurrentPortal) -> AppResult<Vec<String>> {
    let settings = portal_settings::load(&state.db, portal.portal.id).await?;
    if !settings.visitors || settings.embed_origins.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(settings.embed_origins)
}

async fn embed(State(state): State<AppState>, portal: CurrentPortal) -> AppResult<Response> {
    let origins = embedding_sites(&state, &portal).await?;
    let departments = departments::list(&state.db, portal.portal.id).await?;
    let page = EmbedPage { portal, departments, message_max: store::BODY_MAX_CHARS };
    let html = page.render().map_err(|e| AppError::Internal(e.into()))?;
    let policy = HeaderValue::from_str(&embed_policy(&origins)).map_err(|e| AppError::Internal(e.into()))?;
    Ok(([(header::CONTENT_SECURITY_POLICY, policy)], Html(html)).into_response())
}

#[derive(Deserialize, Default)]
struct StartRequest {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    message: String,
}

fn json_error(status: StatusCode, messages: Vec<Msg>) -> Response {
    let texts: Vec<String> = messages.iter().map(ToString::to_string).collect();
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], json!({"errors": texts}).to_string())
        .into_response()
}

/// Starts a visitor's chat from the widget; the chat's addresses and the visitor's token.
async fn start(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    embedding_sites(&state, &portal).await?;
    crate::web::csrf::check_origin(&headers, &state)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Ok(json_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, vec![Msg::new("form-unreadable")]));
    }
    let Ok(request) = serde_json::from_slice::<StartRequest>(&body) else {
        return Ok(json_error(StatusCode::BAD_REQUEST, vec![Msg::new("form-unreadable")]));
    };
    let form = StartForm {
        department: request.department,
        message: request.message,
        name: request.name,
        email: request.email,
        confirm: "1".into(),
    };
    let portal_id = portal.portal.id;
    let departments = departments::list(&state.db, portal_id).await?;
    let checked = match check(&form, &departments, &Starter::Visitor) {
        Ok(c) => c,
        Err(errors) => return Ok(json_error(StatusCode::UNPROCESSABLE_ENTITY, errors)),
    };
    match availability(&state, portal_id, checked.department_id).await? {
        Availability::Open => {}
        _ => {
            let leave = format!("{}/chat", state.portal_url(&portal.portal));
            let msg = Msg::new("chat-widget-unavailable");
            let body = json!({"errors": [msg.to_string()], "leave_message": leave});
            return Ok((
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                body.to_string(),
            )
                .into_response());
        }
    }
    let key = (format!("chat-start-ip:{}", client.ip), super::portal::CHATS_PER_CLIENT);
    if let Err(codes::AdmitError::Wait(secs)) = codes::admit_request(&state.db, &[key]).await {
        let wait = crate::auth::throttle::human_wait(secs);
        return Ok(json_error(StatusCode::TOO_MANY_REQUESTS, vec![Msg::new("chat-wait").arg("wait", wait)]));
    }
    let (id, token) = create(&state, portal_id, &Starter::Visitor, &checked, store::Origin::Widget).await?;
    let here = format!("{}/chats/{id}", portal.base);
    let body = json!({
        "chat_id": id,
        "token": token,
        "socket": format!("{here}/socket"),
        "upload": format!("{here}/files"),
        "end": format!("{}/chat/embed/{id}/end", portal.base),
        "rating": format!("{}/chat/embed/{id}/rating", portal.base),
        "transcript": format!("{}/chat/embed/{id}/transcript", portal.base),
    });
    Ok(([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response())
}

/// The widget's chat, by the visitor's token in `X-Chat-Token` (never a cookie); `None`: 401.
async fn widget_chat(
    state: &AppState,
    portal: &CurrentPortal,
    headers: &HeaderMap,
    id: &str,
) -> AppResult<Option<store::Chat>> {
    crate::web::csrf::check_origin(headers, state)?;
    let Some(token) = headers.get(super::portal_access::TOKEN_HEADER).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let requester = Requester::Visitor { token: token.to_string() };
    Ok(Some(own_chat(state, portal.portal.id, &requester, id).await?))
}

/// Ends the widget's chat.
async fn end(
    State(state): State<AppState>,
    portal: CurrentPortal,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let Some(chat) = widget_chat(&state, &portal, &headers, &id).await? else {
        return Ok(StatusCode::UNAUTHORIZED.into_response());
    };
    if !chat.is_ended() {
        lanes::end_by_customer(&state, chat.portal_id, chat.id).await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
struct RatingRequest {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// Rates the widget's chat once it has ended (JSON: `rating` 1-5, `comment`).
async fn rate(
    State(state): State<AppState>,
    portal: CurrentPortal,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let Some(chat) = widget_chat(&state, &portal, &headers, &id).await? else {
        return Ok(StatusCode::UNAUTHORIZED.into_response());
    };
    let Ok(request) = serde_json::from_slice::<RatingRequest>(&body) else {
        return Ok(json_error(StatusCode::BAD_REQUEST, vec![Msg::new("form-unreadable")]));
    };
    let (rating, comment) = match super::portal_chat::check_rating(&request.rating, &request.comment) {
        Ok(r) => r,
        Err(msg) => return Ok(json_error(StatusCode::UNPROCESSABLE_ENTITY, vec![msg])),
    };
    if !store::rate(&state.db, chat.portal_id, chat.id, rating, comment.as_deref()).await? {
        let msg = if chat.is_ended() { "chat-rating-already" } else { "chat-rating-not-ended" };
        return Ok(json_error(StatusCode::CONFLICT, vec![Msg::new(msg)]));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Emails the widget chat's transcript to the address the visitor gave.
async fn transcript(
    State(state): State<AppState>,
    portal: CurrentPortal,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let Some(chat) = widget_chat(&state, &portal, &headers, &id).await? else {
        return Ok(StatusCode::UNAUTHORIZED.into_response());
    };
    match super::portal_transcript::queue(&state, &portal.portal, &chat).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(AppError::TooManyRequests(msg)) => Ok(json_error(StatusCode::TOO_MANY_REQUESTS, vec![msg])),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_sites_only() {
        let policy = embed_policy(&["https://www.example.com".into(), "http://127.0.0.1:3000".into()]);
        assert!(policy.ends_with("frame-ancestors https://www.example.com http://127.0.0.1:3000"), "{policy}");
        assert!(policy.contains("default-src 'self'"));
    }
}

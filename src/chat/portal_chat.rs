//! One chat as its customer (or visitor) sees it: the queue place and wait, the messages, a
//! box to write (over the socket with `static/chat.js`; a plain form without it), files, end;
//! once ended, a rating and "email me the transcript". And the customer's chat history.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::lanes;
use super::portal_access::{Requester, own_chat};
use super::store::{self, Author, Chat, Sender};
use crate::auth::extract::{MaybePortalUser, PortalUser};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, Texts as _};
use crate::portals::resolve::CurrentPortal;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

const HISTORY_LIMIT: i64 = 100;
const COMMENT_MAX_CHARS: usize = 2_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/{slug}/chats", get(history))
        .route("/portal/{slug}/chats/{id}", get(show))
        .route("/portal/{slug}/chats/{id}/send", post(send))
        .route("/portal/{slug}/chats/{id}/end", post(end))
        .route("/portal/{slug}/chats/{id}/rating", post(rate))
        .route("/portal/{slug}/chats/{id}/transcript", post(super::portal_transcript::send))
        .merge(super::portal_files::router())
}

/// The requester of this request, with 401 for nobody at all.
pub(crate) fn requester(
    state: &AppState,
    portal: &CurrentPortal,
    user: Option<&PortalUser>,
    headers: &HeaderMap,
) -> Requester {
    Requester::of(state, portal.portal.id, user, headers, None)
}

/// The chat this request may see, or 404 (signed-out people without a token are sent to sign in).
async fn visible_chat(
    state: &AppState,
    portal: &CurrentPortal,
    user: Option<&PortalUser>,
    headers: &HeaderMap,
    id: &str,
) -> Result<Chat, Response> {
    let requester = requester(state, portal, user, headers);
    if matches!(requester, Requester::Nobody) {
        return Err(Redirect::to(&format!("{}/login", portal.base)).into_response());
    }
    own_chat(state, portal.portal.id, &requester, id).await.map_err(IntoResponse::into_response)
}

pub struct MessageView {
    pub seq: i64,
    pub author: String,
    pub name: String,
    pub body: String,
    pub when: String,
    pub file: Option<(String, String, String)>,
}

pub struct ChatView {
    pub id: i64,
    pub department: String,
    pub state: String,
    /// What the customer is told of where the chat stands.
    pub status: String,
    pub ended: bool,
    pub rated: Option<i64>,
    pub last_seq: i64,
    pub started: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/portal_chat.html")]
struct ChatPage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    chat: ChatView,
    messages: Vec<MessageView>,
    notice: Option<Msg>,
    here: String,
    message_max: usize,
}

impl ChatPage {
    fn stars(&self) -> [i64; 5] {
        [1, 2, 3, 4, 5]
    }
}

/// What the customer is told of where the chat stands, in the current language.
pub(crate) async fn status_text(state: &AppState, chat: &Chat) -> String {
    match chat.state.as_str() {
        "active" => Msg::new("chat-status-active").arg("name", chat.agent_name.clone().unwrap_or_default()).to_string(),
        "ended" => Msg::new("chat-status-ended").to_string(),
        _ => match lanes::queue_place(state, chat.portal_id, chat.id).await.ok().flatten() {
            Some(place) => {
                let mut text = Msg::new("chat-status-position").arg("position", place.position).to_string();
                if let Some(secs) = place.wait_secs {
                    text.push(' ');
                    text.push_str(&Msg::new("chat-status-wait").arg("minutes", ((secs + 59) / 60).max(1)).to_string());
                }
                text
            }
            None => Msg::new("chat-status-waiting").to_string(),
        },
    }
}

pub(crate) fn message_views(chat: &Chat, messages: &[store::ChatMessage], files_base: &str) -> Vec<MessageView> {
    let lang = Lang::current();
    messages
        .iter()
        .map(|m| MessageView {
            seq: m.seq,
            author: m.author.clone(),
            name: match m.author.as_str() {
                "customer" => chat.requester_name.clone(),
                "agent" => m.staff_name.clone().unwrap_or_default(),
                _ => String::new(),
            },
            body: m.text_in(lang),
            when: crate::web::format_time(m.created_at),
            file: m.file.as_ref().map(|f| {
                (format!("{files_base}/{}", f.id), f.filename.clone(), crate::tickets::downloads::human_size(f.size))
            }),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    msg: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let chat = match visible_chat(&state, &portal, user.as_ref(), &headers, &id).await {
        Ok(chat) => chat,
        Err(answer) => return Ok(answer),
    };
    let here = format!("{}/chats/{}", portal.base, chat.id);
    let messages = store::all_messages(&state.db, chat.portal_id, chat.id).await?;
    let messages = message_views(&chat, &messages, &format!("{here}/files"));
    let view = ChatView {
        id: chat.id,
        department: chat.department.clone(),
        state: chat.state.clone(),
        status: status_text(&state, &chat).await,
        ended: chat.is_ended(),
        rated: chat.rating,
        last_seq: messages.last().map(|m| m.seq).unwrap_or(0),
        started: crate::web::format_time(chat.created_at),
    };
    let notice = match q.msg.as_deref() {
        Some("rated") => Some(Msg::new("chat-notice-rated")),
        Some("transcript") => Some(Msg::new("chat-notice-transcript")),
        Some("ended") => Some(Msg::new("chat-notice-ended")),
        _ => None,
    };
    let page = ChatPage { csrf, portal, user, chat: view, messages, notice, here, message_max: store::BODY_MAX_CHARS };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    message: String,
    /// The page's own id for this message, so that a form posted twice stores it once.
    #[serde(default)]
    client_id: String,
}

/// The form without script: the message is stored, and the page shown again.
async fn send(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<SendForm>,
) -> AppResult<Response> {
    let chat = match visible_chat(&state, &portal, user.as_ref(), &headers, &id).await {
        Ok(chat) => chat,
        Err(answer) => return Ok(answer),
    };
    let body = super::ws::check_body(&form.message).map_err(AppError::bad_request)?;
    let client_id =
        if super::ws::valid_client_id(&form.client_id) { form.client_id } else { crate::web::tokens::random_token() };
    let sender = Sender::in_session(Author::Customer, state.sessions, user.as_ref().map(|u| u.session.id));
    super::ws::deliver(&state, chat.portal_id, chat.id, sender, &client_id, &body, None).await?;
    Ok(Redirect::to(&format!("{}/chats/{}#chat-end", portal.base, chat.id)).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

async fn end(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let chat = match visible_chat(&state, &portal, user.as_ref(), &headers, &id).await {
        Ok(chat) => chat,
        Err(answer) => return Ok(answer),
    };
    if !chat.is_ended() {
        lanes::end_by_customer(&state, chat.portal_id, chat.id).await?;
    }
    Ok(Redirect::to(&format!("{}/chats/{}?msg=ended", portal.base, chat.id)).into_response())
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// A rating from 1 to 5 and an optional comment, checked.
pub(crate) fn check_rating(rating: &str, comment: &str) -> Result<(i64, Option<String>), Msg> {
    let rating =
        rating.trim().parse::<i64>().ok().filter(|r| (1..=5).contains(r)).ok_or(Msg::new("chat-rating-choose"))?;
    let comment = comment.trim();
    if comment.chars().count() > COMMENT_MAX_CHARS {
        return Err(Msg::new("chat-rating-comment-too-long").arg("max", COMMENT_MAX_CHARS));
    }
    Ok((rating, (!comment.is_empty()).then(|| comment.to_string())))
}

async fn rate(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RatingForm>,
) -> AppResult<Response> {
    let chat = match visible_chat(&state, &portal, user.as_ref(), &headers, &id).await {
        Ok(chat) => chat,
        Err(answer) => return Ok(answer),
    };
    let (rating, comment) = check_rating(&form.rating, &form.comment).map_err(AppError::bad_request)?;
    if !store::rate(&state.db, chat.portal_id, chat.id, rating, comment.as_deref()).await? {
        let msg = if chat.is_ended() { "chat-rating-already" } else { "chat-rating-not-ended" };
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new(msg)));
    }
    Ok(Redirect::to(&format!("{}/chats/{}?msg=rated", portal.base, chat.id)).into_response())
}

pub struct HistoryRow {
    pub id: i64,
    pub department: String,
    pub started: String,
    pub status: String,
    pub rating: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/portal_history.html")]
struct HistoryPage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    chats: Vec<HistoryRow>,
}

/// The customer's chats (a visitor sees the one chat their browser holds).
async fn history(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
) -> AppResult<Response> {
    let portal_id = portal.portal.id;
    let chats = match requester(&state, &portal, user.as_ref(), &headers) {
        Requester::Customer(c) => store::of_customer(&state.db, portal_id, c.id, HISTORY_LIMIT).await?,
        Requester::Visitor { token } => {
            store::of_visitor(&state.db, portal_id, &crate::web::tokens::token_hash(&token))
                .await?
                .into_iter()
                .collect()
        }
        Requester::Staff => return Err(AppError::forbidden(Msg::new("chat-staff-use-management"))),
        Requester::Nobody => return Ok(Redirect::to(&format!("{}/login", portal.base)).into_response()),
    };
    let rows = chats
        .into_iter()
        .map(|c| HistoryRow {
            id: c.id,
            department: c.department.clone(),
            started: crate::web::format_time(c.created_at),
            status: state_label(&c.state),
            rating: c.rating,
        })
        .collect();
    Ok(HistoryPage { csrf, portal, user, chats: rows }.into_response())
}

pub(crate) fn state_label(state: &str) -> String {
    match state {
        "active" => Msg::new("chat-state-active"),
        "ended" => Msg::new("chat-state-ended"),
        _ => Msg::new("chat-state-waiting"),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_with_a_short_comment() {
        assert_eq!(check_rating("5", "  great "), Ok((5, Some("great".into()))));
        assert_eq!(check_rating("1", ""), Ok((1, None)));
        assert!(check_rating("0", "").is_err() && check_rating("6", "").is_err() && check_rating("x", "").is_err());
        assert!(check_rating("3", &"a".repeat(COMMENT_MAX_CHARS + 1)).is_err());
    }
}

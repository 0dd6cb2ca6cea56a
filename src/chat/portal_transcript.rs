//! "Email me the transcript": the whole conversation by email to the address the chat was
//! started with, in the language the customer chatted in, through the outbox (so it is sent even
//! if the mail server is away for a while).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use super::portal_access::{Requester, own_chat};
use super::store::{self, Chat, ChatMessage};
use crate::auth::codes::{self, RequestLimit};
use crate::auth::emails::EmailContent;
use crate::auth::extract::MaybePortalUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, render_in, t, t1};
use crate::web::csrf::CsrfForm;
use crate::web::state::AppState;

/// Transcripts of one chat in an hour: each is an email to an address typed by the requester.
pub const PER_CHAT: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 3 };

/// The transcript email, in the current language (build it inside `render_in`).
pub fn transcript_email(chat: &Chat, messages: &[ChatMessage], place: &str) -> EmailContent {
    let lang = Lang::current();
    let started = crate::i18n::datetime(lang, chat.created_at);
    let mut paragraphs =
        vec![Msg::new("chat-transcript-intro").arg("department", &chat.department).arg("when", &started).in_lang(lang)];
    for m in messages {
        let who = match m.author.as_str() {
            "customer" => chat.requester_name.clone(),
            "agent" => m.staff_name.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let when = crate::i18n::datetime(lang, m.created_at);
        let mut text = m.text_in(lang);
        if let Some(file) = &m.file {
            text = format!("{text} [{}]", file.filename).trim().to_string();
        }
        paragraphs.push(if who.is_empty() { format!("{when} · {text}") } else { format!("{when} · {who}: {text}") });
    }
    EmailContent {
        subject: t1("chat-transcript-subject", "place", place),
        greeting: t1("email-greeting", "name", &chat.requester_name),
        paragraphs,
        action: None,
        after: vec![t("chat-transcript-after")],
        signature: place.to_string(),
        lang,
    }
}

#[derive(serde::Deserialize)]
pub struct Empty {}

pub async fn send(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let requester = Requester::of(&state, portal.portal.id, user.as_ref(), &headers, None);
    if matches!(requester, Requester::Nobody) {
        return Ok(Redirect::to(&format!("{}/login", portal.base)).into_response());
    }
    let chat = own_chat(&state, portal.portal.id, &requester, &id).await?;
    queue(&state, &portal.portal, &chat).await?;
    Ok(Redirect::to(&format!("{}/chats/{}?msg=transcript", portal.base, chat.id)).into_response())
}

/// Puts the transcript in the outbox (limited per chat and hour).
pub async fn queue(state: &AppState, portal: &crate::portals::Portal, chat: &Chat) -> AppResult<()> {
    let key = (format!("chat-transcript:{}:{}", chat.portal_id, chat.id), PER_CHAT);
    match codes::admit_request(&state.db, &[key]).await {
        Ok(()) => {}
        Err(codes::AdmitError::Wait(secs)) => {
            let wait = crate::auth::throttle::human_wait(secs);
            return Err(AppError::TooManyRequests(Msg::new("chat-transcript-wait").arg("wait", wait)));
        }
        Err(codes::AdmitError::Db(e)) => return Err(e.into()),
    }
    let messages = store::all_messages(&state.db, chat.portal_id, chat.id).await?;
    let sender_name = crate::portals::settings::load(&state.db, portal.id).await?.sender_name;
    let email = render_in(chat.language, || transcript_email(chat, &messages, &portal.name));
    let mut conn = state.db.writer().acquire().await?;
    crate::outbox::enqueue_email(&mut conn, &email.to(&chat.requester_email, Some(portal.id), sender_name)).await?;
    state.outbox.notify();
    Ok(())
}

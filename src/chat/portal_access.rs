//! Who may reach a chat from the portal's side: the signed-in customer who started it, or the
//! visitor holding its token (an HttpOnly cookie on the portal; sent explicitly by the embedded
//! widget, whose iframe may not have cookies). Anything else is "no such chat" (404), so an id
//! tells nothing; a request with no credentials at all is 401 for scripts.

use axum::http::HeaderMap;

use super::store::{self, Chat};
use crate::accounts::customers::Customer;
use crate::auth::extract::{PortalPerson, PortalUser};
use crate::error::{AppError, AppResult};
use crate::web::state::AppState;
use crate::web::tokens::{constant_time_eq, token_hash};

/// The header the widget sends its visitor token in (HTTP requests of the embedded page).
pub const TOKEN_HEADER: &str = "x-chat-token";
/// A visitor's chat lasts this long in the browser: long enough to come back to the transcript.
pub const VISITOR_COOKIE_SECS: i64 = 7 * 24 * 3600;

/// The cookie that carries a visitor's chat token in one portal.
pub fn visitor_cookie(portal_id: i64) -> String {
    format!("fd_chat_{portal_id}")
}

/// Who is asking for a chat.
#[derive(Clone, Debug)]
pub enum Requester {
    Customer(Customer),
    /// A visitor, by the token they hold.
    Visitor {
        token: String,
    },
    /// Nobody we can tell (no session, no token).
    Nobody,
    /// Staff signed in to the portal: they answer chats in the management interface.
    Staff,
}

impl Requester {
    /// From the portal session and, failing that, a token: the header, the `token` parameter
    /// (the widget's socket) or the portal's visitor cookie.
    pub fn of(
        state: &AppState,
        portal_id: i64,
        user: Option<&PortalUser>,
        headers: &HeaderMap,
        token_param: Option<&str>,
    ) -> Requester {
        if let Some(user) = user {
            return match &user.person {
                PortalPerson::Customer(c) => Requester::Customer(c.clone()),
                PortalPerson::Staff(_) => Requester::Staff,
            };
        }
        let header = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
        let cookie = state.cookies.get(headers, &visitor_cookie(portal_id));
        match header.or(token_param).or(cookie).filter(|t| !t.is_empty() && t.len() <= 100) {
            Some(token) => Requester::Visitor { token: token.to_string() },
            None => Requester::Nobody,
        }
    }

    /// Whether this requester started `chat`.
    pub fn owns(&self, chat: &Chat) -> bool {
        match self {
            Requester::Customer(c) => chat.customer_id == Some(c.id),
            Requester::Visitor { token } => {
                chat.customer_id.is_none()
                    && chat.visitor_token_hash.as_deref().is_some_and(|h| constant_time_eq(h, &token_hash(token)))
            }
            Requester::Nobody | Requester::Staff => false,
        }
    }

    /// The name a file stored for them is linked under, and other small courtesies.
    pub fn is_visitor(&self) -> bool {
        matches!(self, Requester::Visitor { .. })
    }
}

/// The chat `raw_id` if `requester` started it in this portal; 404 otherwise.
pub async fn own_chat(state: &AppState, portal_id: i64, requester: &Requester, raw_id: &str) -> AppResult<Chat> {
    let id = parse_id(raw_id)?;
    let chat = store::load(&state.db, portal_id, id).await?.ok_or(AppError::NotFound)?;
    if requester.owns(&chat) { Ok(chat) } else { Err(AppError::NotFound) }
}

/// An id from an address: anything but a positive number is a chat that does not exist.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)
}

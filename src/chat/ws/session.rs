//! What a socket knows of the session that opened it. Every message sent counts as the
//! session's use and must not be stored once the session has ended; asking the database each
//! time was a read per message, most of a message's wait on two nodes under load. The socket
//! instead keeps the session's times as last read (`Standing`) and asks again only when they
//! run out, a seen-at time is due, or word comes that the session ended (`Event::SessionEnded`,
//! told by every node) or that such word may have been lost (`Event::Missed`): the writer then
//! forgets what was known, and looks.

use std::sync::{Arc, Mutex};

use crate::auth::sessions::{self, Standing};
use crate::web::state::AppState;

/// What was last heard, and how many times it was forgotten: an answer asked before a
/// forgetting is not kept after it.
#[derive(Debug, Default)]
struct Heard {
    forgotten: u64,
    standing: Option<Standing>,
}

/// Shared by the socket's reader and writer.
#[derive(Clone, Debug)]
pub(super) struct SessionWord {
    /// None for a visitor's token, which no session stands behind.
    session_id: Option<i64>,
    heard: Arc<Mutex<Heard>>,
}

impl SessionWord {
    pub(super) fn new(session_id: Option<i64>) -> SessionWord {
        SessionWord { session_id, heard: Arc::default() }
    }

    pub(super) fn session_id(&self) -> Option<i64> {
        self.session_id
    }

    fn heard(&self) -> std::sync::MutexGuard<'_, Heard> {
        self.heard.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Word of the session's end, or of words lost: the next use asks the database.
    pub(super) fn forget(&self) {
        let mut heard = self.heard();
        heard.forgotten += 1;
        heard.standing = None;
    }

    fn keep(&self, asked_after: u64, standing: Standing) {
        let mut heard = self.heard();
        if heard.forgotten == asked_after {
            heard.standing = Some(standing);
        }
    }

    /// Whether the session is still current, read from the database (the writer's look).
    /// A database hiccup keeps it.
    pub(super) async fn alive(&self, state: &AppState) -> bool {
        let Some(id) = self.session_id else { return true };
        let asked_after = self.heard().forgotten;
        match sessions::standing(&state.db, state.sessions, id).await {
            Ok(Some(standing)) => {
                self.keep(asked_after, standing);
                true
            }
            Ok(None) => false,
            Err(_) => true,
        }
    }

    /// Like `alive`, counting a message sent as the session's use, and asking the database only
    /// when what is known does not answer. A database hiccup keeps it.
    pub(super) async fn in_use(&self, state: &AppState) -> bool {
        let Some(id) = self.session_id else { return true };
        let (asked_after, known) = {
            let heard = self.heard();
            (heard.forgotten, heard.standing)
        };
        match sessions::use_now(&state.db, state.sessions, &state.session_touches, id, known).await {
            Ok(Some(standing)) => {
                self.keep(asked_after, standing);
                true
            }
            Ok(None) => false,
            Err(_) => true,
        }
    }
}

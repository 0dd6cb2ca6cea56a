//! What a socket knows of the session that opened it. Every message sent counts as the
//! session's use and must not be stored once the session has ended; asking the database each
//! time was a read per message, most of a message's wait on two nodes under load. The socket
//! instead keeps the session's times as last read (`Standing`) and asks again only when they
//! run out, a seen-at time is due, or word comes that the session ended (`Event::SessionEnded`,
//! told by every node) or that such word may have been lost (`Event::Missed`): the writer then
//! forgets what was known, and looks. The writer's periodic look also takes what is known on
//! trust, for a while: it is only the fallback for an end nobody told.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::sessions::{self, Standing};
use crate::web::state::AppState;

/// How long the writer's periodic look takes what was read of the session on trust. The look
/// is only the fallback for an end the socket was not told of: every end is told, and so is
/// word that some may have been lost.
const TRUSTED_FOR: Duration = Duration::from_secs(5 * 60);

/// What was last heard, when the database last said it, and how many times it was forgotten:
/// an answer asked before a forgetting is not kept after it.
#[derive(Debug, Default)]
struct Heard {
    forgotten: u64,
    standing: Option<(Standing, Instant)>,
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

    /// Keeps `standing` unless the session was forgotten since the question; `read_now` when the
    /// database was asked, else the time it was last asked stays.
    fn keep(&self, asked_after: u64, standing: Standing, read_now: bool) {
        let mut heard = self.heard();
        if heard.forgotten == asked_after {
            let read_at = heard.standing.filter(|_| !read_now).map_or_else(Instant::now, |(_, at)| at);
            heard.standing = Some((standing, read_at));
        }
    }

    /// Whether the session is still current (the writer's look): from what was read lately if
    /// its times still hold, else from the database. A database hiccup keeps it.
    pub(super) async fn alive(&self, state: &AppState) -> bool {
        let Some(id) = self.session_id else { return true };
        let (asked_after, known) = {
            let heard = self.heard();
            (heard.forgotten, heard.standing)
        };
        let now = crate::db::now();
        if known.is_some_and(|(standing, read_at)| {
            read_at.elapsed() < TRUSTED_FOR && standing.current_at(now, state.sessions)
        }) {
            return true;
        }
        match sessions::standing(&state.db, state.sessions, id).await {
            Ok(Some(standing)) => {
                self.keep(asked_after, standing, true);
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
            (heard.forgotten, heard.standing.map(|(standing, _)| standing))
        };
        match sessions::use_now(&state.db, state.sessions, &state.session_touches, id, known).await {
            Ok(Some(standing)) => {
                self.keep(asked_after, standing, known.is_none());
                true
            }
            Ok(None) => false,
            Err(_) => true,
        }
    }
}

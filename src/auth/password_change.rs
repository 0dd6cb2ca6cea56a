//! What a new password does, by whatever route it comes (the profile, a reset or invitation
//! link, `frontdesk user set-password`): store the hash, void every open link of the person
//! (a reset or invitation sent earlier must not undo the change), end the sessions the route
//! asks for, and queue a "your password was changed" email (unless it is the account's first
//! password); all in the caller's transaction, so either everything happens or nothing does.

use sqlx::AnyConnection;

use super::emails::{self, Origin};
use super::links;
use super::sessions::{self, Subject};
use crate::accounts::{customers, staff};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::render_in;
use crate::outbox::{self, Email};
use crate::portals::{self, settings};

/// Which of the person's sessions end with the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sessions {
    /// Every one (a reset, an invitation, the command line).
    EndAll,
    /// All but this one, the session making the change.
    EndAllBut(i64),
    /// None (the person chose to stay signed in elsewhere).
    Keep,
}

/// A password change, ready to apply.
pub struct NewPassword<'a> {
    pub subject: Subject,
    /// A customer's portal (staff have none).
    pub portal_id: Option<i64>,
    /// The Argon2id hash of the new password.
    pub hash: &'a str,
    pub sessions: Sessions,
    /// The "your password was changed" email, from `notice`; none for a first password.
    pub notice: Option<Email>,
}

/// Applies a change inside the caller's transaction; returns how many sessions ended.
pub async fn apply(conn: &mut AnyConnection, change: NewPassword<'_>) -> Result<u64, sqlx::Error> {
    match change.subject {
        Subject::Staff(id) => staff::set_password(&mut *conn, id, change.hash, false).await?,
        Subject::Customer(id) => {
            customers::set_password(&mut *conn, change.portal_id.unwrap_or_default(), id, change.hash, false).await?
        }
    }
    links::void_all(&mut *conn, change.subject).await?;
    let ended = match change.sessions {
        Sessions::EndAll => sessions::end_all(&mut *conn, change.subject, None).await?,
        Sessions::EndAllBut(keep) => sessions::end_all(&mut *conn, change.subject, Some(keep)).await?,
        Sessions::Keep => 0,
    };
    if let Some(notice) = &change.notice {
        outbox::enqueue_email(&mut *conn, notice).await?;
    }
    Ok(ended)
}

/// The "your password was changed" email for a person, in their language (their own, else their
/// portal's; for staff, the language all their portals share). `sign_in_url` is where to sign in
/// (the command line does not know the server's address, so it may have none).
pub async fn notice(
    db: &Db,
    subject: Subject,
    portal_id: Option<i64>,
    sign_in_url: Option<&str>,
    sessions: Sessions,
) -> AppResult<Email> {
    let (email, name, portal, lang) = match subject {
        Subject::Staff(id) => {
            let s = staff::by_id(db, id).await?.ok_or(AppError::NotFound)?;
            let lang = s.language.or(emails::staff_portals_language(db, id).await?);
            (s.email, s.name, None, lang.unwrap_or_default())
        }
        Subject::Customer(id) => {
            let pid = portal_id.ok_or(AppError::NotFound)?;
            let c = customers::by_id(db, pid, id).await?.ok_or(AppError::NotFound)?;
            let portal = portals::by_id(db, pid).await?;
            let lang = emails::recipient_language(c.language, portal.as_ref());
            (c.email, c.name, portal, lang)
        }
    };
    let sender_name = match &portal {
        Some(p) => settings::load(db, p.id).await?.sender_name,
        None => None,
    };
    let origin = Origin { portal_name: portal.as_ref().map(|p| p.name.as_str()) };
    let others_signed_out = sessions != Sessions::Keep;
    let content = render_in(lang, || emails::password_changed(&name, &origin, &email, sign_in_url, others_signed_out));
    Ok(content.to(&email, portal.as_ref().map(|p| p.id), sender_name))
}

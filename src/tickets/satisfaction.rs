//! Satisfaction ratings: once a ticket is resolved, its requester says how it went, good or
//! bad, with an optional comment. One rating per ticket (`ticket_ratings`); rating again
//! changes it, and the history records the first rating only.
//!
//! Three ways in: the signed-in customer's ticket page, the visitor's private link page (both
//! show the form while the ticket is resolved or closed), and two links ("Good", "Bad") in the
//! "resolved" email, which need no sign-in. Those links carry a random token of 256 bits, of
//! which only the SHA-256 is stored (`ticket_rating_links`); it rates that one ticket for
//! `LINK_LIFETIME_SECS`. Opening the link only shows the form, preselected: mail scanners
//! follow links, so nothing is recorded until the form is posted (with its CSRF token). Tokens
//! that open nothing are throttled per client address (`pages`).
//!
//! The dashboard counts ratings per department and day in `ticket_daily`, kept by triggers on
//! `ticket_ratings` (migration 0016).

mod pages;

use sqlx::{AnyConnection, Row};

use super::store::{self, Event};
use super::{Actor, Status};
use crate::db::Db;
use crate::i18n::{Msg, t};
use crate::web::tokens::token_hash;

pub use pages::{RatingForm as RatingFormFields, checked, router, save_in};

/// How long the links of a "resolved" email rate the ticket.
pub const LINK_LIFETIME_SECS: i64 = 30 * 24 * 3600;
/// The longest comment, in characters.
pub const COMMENT_MAX_CHARS: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rating {
    Good,
    Bad,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::Bad => "bad",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        match s {
            "good" => Some(Rating::Good),
            "bad" => Some(Rating::Bad),
            _ => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            Rating::Good => t("ticket-rating-good"),
            Rating::Bad => t("ticket-rating-bad"),
        }
    }
}

/// The words for a stored rating code (an unknown one as it is).
pub fn label_of(code: &str) -> String {
    Rating::parse(code).map(Rating::label).unwrap_or_else(|| code.to_string())
}

/// Only a ticket the desk has finished with is rated.
pub fn may_rate(status: Status) -> bool {
    matches!(status, Status::Resolved | Status::Closed)
}

/// Makes a rating link for a ticket, in the caller's transaction (the one queueing the email),
/// and returns its token. Only its SHA-256 is stored.
pub async fn issue_link(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    now: i64,
) -> Result<String, sqlx::Error> {
    let table = "ticket_rating_links";
    crate::tickets::visitors::links::issue_token(conn, table, portal_id, ticket_id, now, LINK_LIFETIME_SECS).await
}

/// The path of a rating link inside its portal, with the rating to preselect.
pub fn rate_path(token: &str, rating: Rating) -> String {
    format!("/tickets/rate/{token}?rating={}", rating.as_str())
}

/// The ticket as a rating needs it.
#[derive(Clone, Debug)]
pub struct RatedTicket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub status: Status,
    pub department_id: i64,
}

fn rated_ticket(r: &sqlx::any::AnyRow) -> Result<RatedTicket, sqlx::Error> {
    let code: String = r.try_get("status")?;
    Ok(RatedTicket {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        subject: r.try_get("subject")?,
        status: Status::parse(&code).ok_or_else(|| sqlx::Error::Decode(format!("unknown status {code:?}").into()))?,
        department_id: r.try_get("department_id")?,
    })
}

/// The ticket of `portal_id` that a live rating link opens, unless it is a disabled customer's
/// (a link must not outlive the account it acts for, as `visitors::links::find`).
pub async fn find_by_link(
    conn: &mut AnyConnection,
    portal_id: i64,
    token: &str,
    now: i64,
) -> Result<Option<RatedTicket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.id, t.number, t.subject, t.status, t.department_id FROM ticket_rating_links l \
         JOIN tickets t ON t.portal_id = l.portal_id AND t.id = l.ticket_id \
         LEFT JOIN customers c ON c.portal_id = t.portal_id AND c.id = t.customer_id \
         WHERE l.portal_id = $1 AND l.token_hash = $2 AND l.expires_at > $3 AND c.disabled_at IS NULL",
    )
    .bind(portal_id)
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(rated_ticket).transpose()
}

/// A ticket of the portal by id (one the caller has already found for this person).
pub async fn find(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
) -> Result<Option<RatedTicket>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, number, subject, status, department_id FROM tickets WHERE portal_id = $1 AND id = $2")
            .bind(portal_id)
            .bind(ticket_id)
            .fetch_optional(conn)
            .await?;
    row.as_ref().map(rated_ticket).transpose()
}

/// A rating as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub rating: Rating,
    pub comment: String,
    pub updated_at: i64,
}

/// The ticket's rating, if it has one.
pub async fn current(db: &Db, portal_id: i64, ticket_id: i64) -> Result<Option<Stored>, sqlx::Error> {
    let row =
        sqlx::query("SELECT rating, comment, updated_at FROM ticket_ratings WHERE portal_id = $1 AND ticket_id = $2")
            .bind(portal_id)
            .bind(ticket_id)
            .fetch_optional(db.pool())
            .await?;
    let Some(r) = row else { return Ok(None) };
    let code: String = r.try_get("rating")?;
    Ok(Some(Stored {
        rating: Rating::parse(&code).ok_or_else(|| sqlx::Error::Decode(format!("unknown rating {code:?}").into()))?,
        comment: r.try_get("comment")?,
        updated_at: r.try_get("updated_at")?,
    }))
}

/// What a rating form sent, checked: the rating, and the comment trimmed.
pub fn check(rating: &str, comment: &str) -> Result<(Rating, String), Msg> {
    let rating = Rating::parse(rating.trim()).ok_or_else(|| Msg::new("ticket-rating-choose"))?;
    let comment = comment.trim();
    if comment.chars().count() > COMMENT_MAX_CHARS {
        return Err(Msg::new("ticket-rating-comment-too-long").arg("max", COMMENT_MAX_CHARS as i64));
    }
    Ok((rating, comment.to_string()))
}

/// Records the rating of `ticket` (in the department it is in now), or changes the one it has;
/// the first rating goes into the ticket's history. In the caller's transaction.
pub async fn save(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket: &RatedTicket,
    (rating, comment): (Rating, &str),
    (actor, actor_name): (Actor, &str),
    now: i64,
) -> Result<(), sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE ticket_ratings SET rating = $1, comment = $2, department_id = $3, updated_at = $4 \
         WHERE portal_id = $5 AND ticket_id = $6",
    )
    .bind(rating.as_str())
    .bind(comment)
    .bind(ticket.department_id)
    .bind(now)
    .bind(portal_id)
    .bind(ticket.id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 1 {
        return Ok(());
    }
    // Two first ratings at once (two nodes): the later one changes the earlier.
    sqlx::query(
        "INSERT INTO ticket_ratings (portal_id, ticket_id, department_id, rating, comment, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (portal_id, ticket_id) DO UPDATE SET \
         rating = excluded.rating, comment = excluded.comment, department_id = excluded.department_id, \
         updated_at = excluded.updated_at",
    )
    .bind(portal_id)
    .bind(ticket.id)
    .bind(ticket.department_id)
    .bind(rating.as_str())
    .bind(comment)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let event = Event { what: "rated", old: None, new: Some(rating.as_str()) };
    store::record(conn, portal_id, ticket.id, actor, actor_name, event, now).await
}

/// Forgets expired rating links. Run now and then by the janitor.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM ticket_rating_links WHERE expires_at <= $1").bind(now).execute(db.writer()).await?;
    Ok(done.rows_affected())
}

/// A ticket's rating as the agents' ticket page shows it.
pub struct Shown {
    pub good: bool,
    pub label: String,
    pub comment: String,
    pub when: String,
}

/// The ticket's rating for the agents' page, if it has one.
pub async fn shown(db: &Db, portal_id: i64, ticket_id: i64) -> Result<Option<Shown>, sqlx::Error> {
    Ok(current(db, portal_id, ticket_id).await?.map(|s| Shown {
        good: s.rating == Rating::Good,
        label: s.rating.label(),
        comment: s.comment,
        when: crate::web::format_time(s.updated_at),
    }))
}

/// The rating form as a requester's page shows it.
pub struct RatingView {
    /// Where it posts.
    pub action: String,
    /// `good`, `bad`, or empty: the choice checked.
    pub chosen: &'static str,
    pub comment: String,
    /// The ticket has a rating already.
    pub rated: bool,
    pub error: Option<Msg>,
}

/// The form for a requester's page of the ticket, while it may be rated; `None` otherwise.
pub async fn form_for(
    db: &Db,
    portal_id: i64,
    ticket_id: i64,
    status: Status,
    action: String,
) -> Result<Option<RatingView>, sqlx::Error> {
    if !may_rate(status) {
        return Ok(None);
    }
    let stored = current(db, portal_id, ticket_id).await?;
    Ok(Some(RatingView {
        action,
        chosen: stored.as_ref().map_or("", |s| s.rating.as_str()),
        comment: stored.as_ref().map(|s| s.comment.clone()).unwrap_or_default(),
        rated: stored.is_some(),
        error: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_is_good_or_bad_and_its_comment_is_bounded() {
        assert_eq!(check(" good ", " thanks "), Ok((Rating::Good, "thanks".to_string())));
        assert_eq!(check("bad", ""), Ok((Rating::Bad, String::new())));
        assert!(check("", "x").is_err() && check("meh", "").is_err());
        assert!(check("good", &"x".repeat(COMMENT_MAX_CHARS + 1)).is_err());
        assert!(may_rate(Status::Resolved) && may_rate(Status::Closed) && !may_rate(Status::Pending));
        assert_eq!(rate_path("abc", Rating::Bad), "/tickets/rate/abc?rating=bad");
    }
}

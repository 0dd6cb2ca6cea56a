//! Server-side sessions. The browser holds a random 256-bit token; the database holds its hash.
//! A session ends when it has been idle too long, when it reaches its absolute lifetime, at
//! sign-out, or when an administrator (or its owner) ends it. Every node reads the same table,
//! so a node can die without signing anyone out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::config::SessionLimits;
use crate::db::{Db, now};
use crate::web::client::Client;
use crate::web::tokens::{random_token, token_hash};

/// Seen-at times are written at most this often, so that browsing does not write on every page.
const TOUCH_EVERY_MAX_SECS: i64 = 60;

/// How stale a stored seen-at time may be: a thirtieth of the idle limit, at most a minute (30
/// minutes idle: 60 s; 1 minute idle: 2 s).
fn touch_every(limits: SessionLimits) -> i64 {
    (limits.idle_secs / 30).clamp(1, TOUCH_EVERY_MAX_SECS)
}

/// The last moment a session that was last written as seen at `last_seen_at` may still be
/// used. Requests less than `touch_every` seconds after a write leave no trace, so the true
/// last request may be up to `touch_every - 1` s later than the stored time: the limit counts
/// from the latest it can have been. A session therefore never ends sooner than the configured
/// idle time after its last request, and at most `touch_every - 1` s later.
fn idle_deadline(last_seen_at: i64, limits: SessionLimits) -> i64 {
    last_seen_at + (touch_every(limits) - 1) + limits.idle_secs
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Realm {
    /// The management interface (staff only).
    Manage,
    /// One portal (its customers, or staff visiting it).
    Portal,
}

impl Realm {
    fn as_str(self) -> &'static str {
        match self {
            Realm::Manage => "manage",
            Realm::Portal => "portal",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Staff(i64),
    Customer(i64),
}

impl Subject {
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Subject::Staff(id) => (Some(id), None),
            Subject::Customer(id) => (None, Some(id)),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub realm: Realm,
    pub subject: Subject,
    pub portal_id: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_agent: String,
    pub ip: String,
    /// The portal whose identity provider signed this session in, if one did.
    pub sso_portal_id: Option<i64>,
}

impl Session {
    /// Whether this session, as read, may serve a request at `t` without asking the database:
    /// current by its own times, and its seen-at time not yet due to be written.
    pub fn current_without_writing(&self, limits: SessionLimits, t: i64) -> bool {
        t < self.expires_at
            && t < idle_deadline(self.last_seen_at, limits)
            && t - self.last_seen_at < touch_every(limits)
    }
}

const COLUMNS: &str = "id, realm, staff_id, customer_id, portal_id, created_at, last_seen_at, expires_at, user_agent, \
     ip, sso_portal_id";

fn from_row(row: &AnyRow) -> Result<Session, sqlx::Error> {
    let staff: Option<i64> = row.try_get("staff_id")?;
    let customer: Option<i64> = row.try_get("customer_id")?;
    let subject = match (staff, customer) {
        (Some(s), _) => Subject::Staff(s),
        (None, Some(c)) => Subject::Customer(c),
        (None, None) => return Err(sqlx::Error::Protocol("session without a subject".into())),
    };
    let realm: String = row.try_get("realm")?;
    Ok(Session {
        id: row.try_get("id")?,
        realm: if realm == "manage" { Realm::Manage } else { Realm::Portal },
        subject,
        portal_id: row.try_get("portal_id")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
        user_agent: row.try_get("user_agent")?,
        ip: row.try_get("ip")?,
        sso_portal_id: row.try_get("sso_portal_id")?,
    })
}

/// Starts a session and returns the token for the cookie.
pub async fn start(
    db: &Db,
    limits: SessionLimits,
    realm: Realm,
    subject: Subject,
    portal_id: Option<i64>,
    client: &Client,
) -> Result<String, sqlx::Error> {
    start_signed_in_by(db, limits, realm, subject, portal_id, client, None).await
}

/// Starts a session that a portal's identity provider signed in (`sso_portal_id`), so that
/// signing out also goes through that provider.
pub async fn start_signed_in_by(
    db: &Db,
    limits: SessionLimits,
    realm: Realm,
    subject: Subject,
    portal_id: Option<i64>,
    client: &Client,
    sso_portal_id: Option<i64>,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    let (staff_id, customer_id) = subject.columns();
    let t = now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, realm, staff_id, customer_id, portal_id, created_at, last_seen_at, \
         expires_at, user_agent, ip, sso_portal_id) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10)",
    )
    .bind(token_hash(&token))
    .bind(realm.as_str())
    .bind(staff_id)
    .bind(customer_id)
    .bind(portal_id)
    .bind(t)
    .bind(t + limits.absolute_secs)
    .bind(&client.user_agent)
    .bind(&client.ip)
    .bind(sso_portal_id)
    .execute(db.writer())
    .await?;
    Ok(token)
}

/// The live session for a token in a realm, or `None`. An expired session is deleted.
pub async fn find(db: &Db, limits: SessionLimits, realm: Realm, token: &str) -> Result<Option<Session>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE token_hash = $1 AND realm = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token_hash(token))
        .bind(realm.as_str())
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let session = from_row(&row)?;
    let t = now();
    if t >= session.expires_at || t >= idle_deadline(session.last_seen_at, limits) {
        end_by_id(db, session.id).await?;
        return Ok(None);
    }
    if t - session.last_seen_at >= touch_every(limits) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(t)
            .bind(session.id)
            .execute(db.writer())
            .await?;
    }
    Ok(Some(session))
}

/// Ends the session a token belongs to (sign-out).
pub async fn end_by_token(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(db.writer()).await?;
    Ok(())
}

pub async fn end_by_id(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(db.writer()).await?;
    Ok(())
}

/// Ends one of a person's own sessions; false when it is not theirs (or already gone).
pub async fn end_own(db: &Db, subject: Subject, id: i64) -> Result<bool, sqlx::Error> {
    let (staff_id, customer_id) = subject.columns();
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND (staff_id = $2 OR customer_id = $3)")
        .bind(id)
        .bind(staff_id)
        .bind(customer_id)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of a person, in both realms, except `keep` (the current one) if given.
/// Takes a connection so that it can run in the same transaction as the change that causes it.
pub async fn end_all(conn: &mut AnyConnection, subject: Subject, keep: Option<i64>) -> Result<u64, sqlx::Error> {
    let (staff_id, customer_id) = subject.columns();
    let done = sqlx::query("DELETE FROM sessions WHERE (staff_id = $1 OR customer_id = $2) AND id <> $3")
        .bind(staff_id)
        .bind(customer_id)
        .bind(keep.unwrap_or(-1))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Ends a person's sessions that work in one portal: their portal sessions there, and
/// management sessions currently in it. An administrator of one portal ends only these; the
/// person's work in other portals is not theirs to end.
pub async fn end_all_in_portal(
    conn: &mut AnyConnection,
    subject: Subject,
    portal_id: i64,
    keep: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let (staff_id, customer_id) = subject.columns();
    let done =
        sqlx::query("DELETE FROM sessions WHERE (staff_id = $1 OR customer_id = $2) AND portal_id = $3 AND id <> $4")
            .bind(staff_id)
            .bind(customer_id)
            .bind(portal_id)
            .bind(keep.unwrap_or(-1))
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// Ends the sessions that one portal's identity provider signed a staff member in to (when the
/// link to that provider is removed).
pub async fn end_signed_in_by(conn: &mut AnyConnection, staff_id: i64, sso_portal_id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND sso_portal_id = $2")
        .bind(staff_id)
        .bind(sso_portal_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session that one portal's identity provider signed in (the portal's directory
/// changed, so what it vouched for no longer holds).
pub async fn end_all_signed_in_through(conn: &mut AnyConnection, sso_portal_id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE sso_portal_id = $1").bind(sso_portal_id).execute(conn).await?;
    Ok(done.rows_affected())
}

/// A person's live sessions, newest first.
pub async fn list(db: &Db, limits: SessionLimits, subject: Subject) -> Result<Vec<Session>, sqlx::Error> {
    let (staff_id, customer_id) = subject.columns();
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE (staff_id = $1 OR customer_id = $2) AND expires_at > $3 \
         AND last_seen_at > $4 ORDER BY last_seen_at DESC"
    );
    let t = now();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(staff_id)
        .bind(customer_id)
        .bind(t)
        .bind(t - idle_deadline(0, limits))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Points a management session at another portal (the portal switcher).
pub async fn set_portal(db: &Db, id: i64, portal_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET portal_id = $1 WHERE id = $2")
        .bind(portal_id)
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Deletes sessions that can no longer be used. Run now and then by the janitor.
pub async fn purge_expired(db: &Db, limits: SessionLimits) -> Result<u64, sqlx::Error> {
    let t = now();
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(t)
        .bind(t - idle_deadline(0, limits))
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// The oldest `last_seen_at` of a session still in use at `now` (one seen at or before it has
/// run out for idleness), for checks that look at many sessions at once.
pub fn idle_cutoff(limits: SessionLimits, now: i64) -> i64 {
    now - (touch_every(limits) - 1) - limits.idle_secs
}

/// Whether session `id` still exists and has not run out, without counting as activity.
pub async fn is_current(db: &Db, limits: SessionLimits, id: i64) -> Result<bool, sqlx::Error> {
    Ok(standing(db, limits, id).await?.is_some())
}

/// What the database says of a session still current now; `None` once it has ended or run out.
pub async fn standing(db: &Db, limits: SessionLimits, id: i64) -> Result<Option<Standing>, sqlx::Error> {
    standing_at(db, limits, id, now()).await
}

/// A current session's times, as last read: enough to tell, without asking again, that it is
/// still current a little later. Only its end (`Event::SessionEnded`) can take it sooner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    last_seen_at: i64,
    expires_at: i64,
}

impl Standing {
    /// Whether the session is still current at `t` by its own times: before its lifetime's end
    /// and its idle limit (only its end, which the holder hears of, can stop it sooner).
    pub fn current_at(self, t: i64, limits: SessionLimits) -> bool {
        t < self.expires_at && t < idle_deadline(self.last_seen_at, limits)
    }
}

async fn standing_at(db: &Db, limits: SessionLimits, id: i64, t: i64) -> Result<Option<Standing>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT last_seen_at, expires_at FROM sessions WHERE id = $1 AND expires_at > $2 AND last_seen_at > $3",
    )
    .bind(id)
    .bind(t)
    .bind(idle_cutoff(limits, t))
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok(Standing { last_seen_at: r.try_get("last_seen_at")?, expires_at: r.try_get("expires_at")? }))
        .transpose()
}

/// A session a write depends on, checked by the write itself (in its statement, or its
/// transaction), so that nothing slips between the check and the write: a message sent over a
/// socket is stored only if the session that opened the socket is still current as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InUse {
    pub id: i64,
    /// The session's seen-at time must be later than this (`idle_cutoff`); its `expires_at` later
    /// than the write's time.
    pub seen_after: i64,
}

impl InUse {
    pub fn at(limits: SessionLimits, id: i64, t: i64) -> InUse {
        InUse { id, seen_after: idle_cutoff(limits, t) }
    }

    /// Whether the session is current at `t`, read in the caller's transaction.
    pub async fn current_on(self, conn: &mut AnyConnection, t: i64) -> Result<bool, sqlx::Error> {
        let found =
            sqlx::query("SELECT 1 AS one FROM sessions WHERE id = $1 AND expires_at > $2 AND last_seen_at > $3")
                .bind(self.id)
                .bind(t)
                .bind(self.seen_after)
                .fetch_optional(conn)
                .await?;
        Ok(found.is_some())
    }
}

/// This node's memory of the sessions whose seen-at time it wrote lately. Many sockets of one
/// session (an agent's chats, a customer's tabs) then write that row once, not all in the same
/// second: on SQLite each write waits for the one writer, and the chat's messages wait behind.
#[derive(Clone, Debug, Default)]
pub struct Touches(Arc<Mutex<HashMap<i64, i64>>>);

/// Sessions remembered before those not written lately are forgotten.
const TOUCHES_KEPT: usize = 10_000;

/// Who writes a session's seen-at time this period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Touch {
    /// This caller.
    Yours,
    /// Another caller on this node wrote (or is writing) it at this time.
    Written(i64),
}

impl Touches {
    /// Who writes session `id`'s seen-at time at `t`: this node once per `every` seconds.
    fn claim(&self, id: i64, t: i64, every: i64) -> Touch {
        let mut touched = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&at) = touched.get(&id).filter(|&&at| t - at < every) {
            return Touch::Written(at);
        }
        if touched.len() >= TOUCHES_KEPT {
            touched.retain(|_, at| t - *at < every);
        }
        touched.insert(id, t);
        Touch::Yours
    }
}

/// Whether a session is still current, counting this as a use of it: a message sent over a
/// socket, which no page request records. Its seen-at time is written as a page's would be, so
/// that someone chatting for longer than the idle limit without opening a page stays signed in.
///
/// `known` is what the caller last heard, if no word of the session's end came since: within
/// the session's lifetime it saves the read, so that a socket's messages do not each ask the
/// database again. The seen-at time, when due, is written with the same conditions as the read,
/// so that the write also says whether the session is still current.
pub async fn use_now(
    db: &Db,
    limits: SessionLimits,
    touches: &Touches,
    id: i64,
    known: Option<Standing>,
) -> Result<Option<Standing>, sqlx::Error> {
    let t = now();
    let every = touch_every(limits);
    let known = match known.filter(|k| k.current_at(t, limits)) {
        Some(known) => known,
        None => match standing_at(db, limits, id, t).await? {
            Some(found) => found,
            None => return Ok(None),
        },
    };
    if t - known.last_seen_at < every {
        return Ok(Some(known));
    }
    match touches.claim(id, t, every) {
        Touch::Written(at) => Ok(Some(Standing { last_seen_at: at.max(known.last_seen_at), ..known })),
        Touch::Yours => {
            let written = sqlx::query(
                "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND expires_at > $1 AND last_seen_at > $3",
            )
            .bind(t)
            .bind(id)
            .bind(idle_cutoff(limits, t))
            .execute(db.writer())
            .await?;
            Ok((written.rows_affected() > 0).then_some(Standing { last_seen_at: t, ..known }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_written_once_per_period_however_many_sockets_use_it() {
        let touches = Touches::default();
        assert_eq!(touches.claim(7, 100, 60), Touch::Yours);
        assert_eq!(touches.claim(7, 101, 60), Touch::Written(100));
        assert_eq!(touches.claim(7, 159, 60), Touch::Written(100));
        assert_eq!(touches.claim(8, 101, 60), Touch::Yours, "another session");
        assert_eq!(touches.claim(7, 160, 60), Touch::Yours, "the next period");
    }

    #[test]
    fn the_idle_limit_counts_from_the_latest_unrecorded_request() {
        let one_minute = SessionLimits { idle_secs: 60, absolute_secs: 3600 };
        assert_eq!(touch_every(one_minute), 2);
        // Written at 0; a request at 1 left no trace; the session lives until 1 + 60.
        assert_eq!(idle_deadline(0, one_minute), 61);
        let default = SessionLimits::default();
        assert_eq!(touch_every(default), 60);
        assert_eq!(idle_deadline(0, default), 30 * 60 + 59);
    }
}

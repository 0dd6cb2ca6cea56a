//! The conversation's SQL: a chat, its numbered messages, its system lines (lane: talk).
//!
//! Every message gets the next number of its chat (`chats.last_seq + 1`) in the transaction
//! that stores it, so numbers have no gaps and a client resumes with "everything after N". The
//! increment takes the chat's row lock (PostgreSQL) or the one writer (SQLite) first, so two
//! sends of one chat are written one after the other, on any number of nodes; only then is the
//! sender's `client_id` looked up, which makes a resend of a message already stored return the
//! stored one instead of a second copy.
//!
//! System lines ("Ana joined", "transferred to Sales") are messages by `system` whose body is a
//! catalog key and its arguments as JSON (`SystemLine`), shown in each reader's language.

use sqlx::{AnyConnection, Row};

use super::recent::RecentMessages;
use crate::auth::sessions::InUse;
use crate::config::SessionLimits;
use crate::db::{Backend, Db, is_unique_violation, now};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventBus};
use crate::i18n::{Lang, Msg};

/// The longest message, in characters.
pub const BODY_MAX_CHARS: usize = 5_000;
/// The longest client id: a UUID is 36 characters.
pub const CLIENT_ID_MAX_CHARS: usize = 64;
/// Messages one side (customer or agents) may add to a chat per `FLOOD_WINDOW_SECS`, however
/// many connections or forms they send them from.
pub const FLOOD_LIMIT: i64 = 30;
pub const FLOOD_WINDOW_SECS: i64 = 10;
/// Messages read at once when catching up; a client far behind asks again.
pub const PAGE: i64 = 500;

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Author {
    Customer,
    Agent(i64),
    System,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Customer => "customer",
            Author::Agent(_) => "agent",
            Author::System => "system",
        }
    }
    pub(super) fn staff_id(self) -> Option<i64> {
        if let Author::Agent(id) = self { Some(id) } else { None }
    }
}

/// Who sends a message and, for a socket's, the session it is sent in: the message is stored
/// only while that session is current, checked by the write itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sender {
    pub author: Author,
    pub session: Option<InUse>,
}

impl Sender {
    /// A message sent in session `session` (none for a visitor's token), which must still be
    /// current when the message is stored: a slow upload, or a socket's message, may reach the
    /// database after a sign-out.
    pub fn in_session(author: Author, limits: SessionLimits, session: Option<i64>) -> Sender {
        Sender { author, session: session.map(|id| InUse::at(limits, id, now())) }
    }
}

impl From<Author> for Sender {
    fn from(author: Author) -> Sender {
        Sender { author, session: None }
    }
}

/// Where a chat was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Portal,
    Widget,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Portal => "portal",
            Origin::Widget => "widget",
        }
    }
}

/// A chat about to be created, in state `waiting`, with the customer's first message.
#[derive(Clone, Debug)]
pub struct NewChat<'a> {
    pub portal_id: i64,
    pub department_id: i64,
    pub customer_id: Option<i64>,
    /// SHA-256 of the visitor's token (visitors only).
    pub visitor_token_hash: Option<String>,
    pub requester_name: &'a str,
    pub requester_email: &'a str,
    pub language: Lang,
    pub origin: Origin,
    pub first_message: &'a str,
}

/// A chat as the pages and the socket see it.
#[derive(Clone, Debug)]
pub struct Chat {
    pub id: i64,
    pub portal_id: i64,
    pub department_id: i64,
    pub department: String,
    pub customer_id: Option<i64>,
    pub visitor_token_hash: Option<String>,
    pub requester_name: String,
    pub requester_email: String,
    pub language: Lang,
    pub origin: String,
    /// `waiting`, `offered`, `active` or `ended`.
    pub state: String,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub queued_at: i64,
    pub last_seq: i64,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub ticket_id: Option<i64>,
}

impl Chat {
    pub fn is_ended(&self) -> bool {
        self.state == "ended"
    }
}

/// A file carried by a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatFile {
    pub id: i64,
    pub filename: String,
    pub size: i64,
}

/// One stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessage {
    pub seq: i64,
    /// `customer`, `agent` or `system`.
    pub author: String,
    pub staff_id: Option<i64>,
    /// The agent's name for an agent's message; `None` otherwise (the page knows the customer).
    pub staff_name: Option<String>,
    pub client_id: Option<String>,
    pub body: String,
    pub file: Option<ChatFile>,
    pub created_at: i64,
}

impl ChatMessage {
    /// The text to show a reader in `lang`: a system line is translated, anything else as written.
    pub fn text_in(&self, lang: Lang) -> String {
        if self.author == "system" {
            SystemLine::decode(&self.body).map(|l| l.in_lang(lang)).unwrap_or_default()
        } else {
            self.body.clone()
        }
    }
}

/// The outcome of `append`: the message, and whether this call stored it (false: a resend of
/// one stored before, returned as it was).
#[derive(Clone, Debug)]
pub struct Appended {
    pub message: ChatMessage,
    pub fresh: bool,
}

const CHAT_COLUMNS: &str = "c.id, c.portal_id, c.department_id, d.name AS department, c.customer_id, \
    c.visitor_token_hash, c.requester_name, c.requester_email, c.language, c.origin, c.state, c.agent_id, \
    s.name AS agent_name, c.queued_at, c.last_seq, c.created_at, c.accepted_at, c.ended_at, c.ended_by, c.rating, \
    c.rating_comment, c.ticket_id";

const CHAT_FROM: &str = "FROM chats c JOIN departments d ON d.portal_id = c.portal_id AND d.id = c.department_id \
    LEFT JOIN staff s ON s.id = c.agent_id";

fn chat_from_row(r: &sqlx::any::AnyRow) -> Result<Chat, sqlx::Error> {
    let language: String = r.try_get("language")?;
    Ok(Chat {
        id: r.try_get("id")?,
        portal_id: r.try_get("portal_id")?,
        department_id: r.try_get("department_id")?,
        department: r.try_get("department")?,
        customer_id: r.try_get("customer_id")?,
        visitor_token_hash: r.try_get("visitor_token_hash")?,
        requester_name: r.try_get("requester_name")?,
        requester_email: r.try_get("requester_email")?,
        language: Lang::parse(&language).unwrap_or_default(),
        origin: r.try_get("origin")?,
        state: r.try_get("state")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        queued_at: r.try_get("queued_at")?,
        last_seq: r.try_get("last_seq")?,
        created_at: r.try_get("created_at")?,
        accepted_at: r.try_get("accepted_at")?,
        ended_at: r.try_get("ended_at")?,
        ended_by: r.try_get("ended_by")?,
        rating: r.try_get("rating")?,
        rating_comment: r.try_get("rating_comment")?,
        ticket_id: r.try_get("ticket_id")?,
    })
}

/// Writes a chat in state `waiting` (queued now) with the first message as number 1; its id.
/// The caller then hands it to routing (`routing::enqueue`).
pub async fn create(db: &Db, new: NewChat<'_>) -> AppResult<i64> {
    let now = now();
    let mut tx = db.writer().begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO chats (portal_id, department_id, customer_id, visitor_token_hash, requester_name, \
         requester_email, language, origin, state, queued_at, last_seq, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, 0, $9) RETURNING id",
    )
    .bind(new.portal_id)
    .bind(new.department_id)
    .bind(new.customer_id)
    .bind(new.visitor_token_hash.as_deref())
    .bind(new.requester_name)
    .bind(new.requester_email)
    .bind(new.language.tag())
    .bind(new.origin.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    append_on(&mut tx, new.portal_id, id, Author::Customer.into(), None, new.first_message, None).await?;
    tx.commit().await?;
    Ok(id)
}

/// The chat `chat_id` of the portal, or `None` (another portal's id is `None` too).
pub async fn load(db: &Db, portal_id: i64, chat_id: i64) -> AppResult<Option<Chat>> {
    let sql = format!("SELECT {CHAT_COLUMNS} {CHAT_FROM} WHERE c.portal_id = $1 AND c.id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(chat_id).fetch_optional(db.pool()).await?;
    Ok(row.as_ref().map(chat_from_row).transpose()?)
}

/// A customer's chats, newest first (at most `limit`).
pub async fn of_customer(db: &Db, portal_id: i64, customer_id: i64, limit: i64) -> AppResult<Vec<Chat>> {
    let sql = format!(
        "SELECT {CHAT_COLUMNS} {CHAT_FROM} WHERE c.portal_id = $1 AND c.customer_id = $2 \
         ORDER BY c.created_at DESC, c.id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(customer_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(chat_from_row).collect::<Result<_, _>>()?)
}

/// The chat a visitor's token reaches, in this portal.
pub async fn of_visitor(db: &Db, portal_id: i64, token_hash: &str) -> AppResult<Option<Chat>> {
    let sql = format!("SELECT {CHAT_COLUMNS} {CHAT_FROM} WHERE c.portal_id = $1 AND c.visitor_token_hash = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(token_hash).fetch_optional(db.pool()).await?;
    Ok(row.as_ref().map(chat_from_row).transpose()?)
}

/// Where ordinary messages are written: the database, and on SQLite the task that stores
/// those waiting together (`store_sqlite`). One per node, in its state.
#[derive(Clone, Debug)]
pub struct MessageWriter {
    db: Db,
    events: EventBus,
    recent: RecentMessages,
    batcher: Option<super::store_sqlite::Batcher>,
}

impl MessageWriter {
    /// `recent` is the node's copy of the chats' latest messages; `events` is told of each
    /// message stored.
    pub fn start(db: &Db, events: &EventBus, recent: &RecentMessages) -> MessageWriter {
        let batcher = match db.backend() {
            Backend::Sqlite => Some(super::store_sqlite::Batcher::start(db.clone(), events.clone(), recent.clone())),
            Backend::Postgres => None,
        };
        MessageWriter { db: db.clone(), events: events.clone(), recent: recent.clone(), batcher }
    }
}

/// Stores an ordinary message (text, no file) with one statement, numbered as it is inserted,
/// and tells every node: on PostgreSQL once the statement has committed, with the other events
/// told at about the same time (`store_pg`, `EventBus::tell_soon`); on SQLite with the other
/// messages waiting, the storing task telling this process (`store_sqlite`). Kept in
/// the node's copy of recent messages. `None`: nothing was stored, and the caller stores it with
/// `append_on` in a transaction (a resend, a flood or an ended chat, which that path answers
/// exactly).
pub async fn append_at_once(
    writer: &MessageWriter,
    portal_id: i64,
    chat_id: i64,
    sender: Sender,
    client_id: &str,
    body: &str,
) -> AppResult<Option<ChatMessage>> {
    let Sender { author, session } = sender;
    let message = Ordinary { portal_id, chat_id, author, client_id, body, at: now(), session };
    if let Some(batcher) = &writer.batcher {
        return Ok(batcher.append(&message).await);
    }
    // In a task of its own: a caller cancelled once the statement has gone out (a socket that
    // closes, a client that stops waiting for an upload) would otherwise leave a message
    // stored and untold, and its resend would find it stored.
    let (db, events, recent) = (writer.db.clone(), writer.events.clone(), writer.recent.clone());
    let (client_id, body, at) = (client_id.to_string(), body.to_string(), message.at);
    let stored = tokio::spawn(async move {
        let message = Ordinary { portal_id, chat_id, author, client_id: &client_id, body: &body, at, session };
        let stored = match super::store_pg::append_at_once(&db, &message).await {
            Ok(numbered) => numbered.map(|n| message.stored(n)),
            // A resend racing its own first copy: the careful path finds the first.
            Err(e) if is_unique_violation(&e) => None,
            Err(e) => return Err(e),
        };
        if let Some(stored) = &stored {
            recent.remember(portal_id, chat_id, std::slice::from_ref(stored));
            events.tell_soon(Event::ChatMessage { portal_id, chat_id, seq: stored.seq });
        }
        Ok(stored)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("the task storing a message failed: {e}")))??;
    Ok(stored)
}

/// What `append_at_once` stores: text, no file, not a system line.
pub(super) struct Ordinary<'a> {
    pub portal_id: i64,
    pub chat_id: i64,
    pub author: Author,
    pub client_id: &'a str,
    pub body: &'a str,
    /// When it was sent; its flood window ends here.
    pub at: i64,
    /// The session it is sent in (a socket's): stored only while that is current.
    pub session: Option<InUse>,
}

/// The number an ordinary message was stored under, and its agent's name.
#[derive(Debug)]
pub(super) struct Numbered {
    pub seq: i64,
    pub staff_name: Option<String>,
}

impl Ordinary<'_> {
    pub fn stored(&self, numbered: Numbered) -> ChatMessage {
        ChatMessage {
            seq: numbered.seq,
            author: self.author.as_str().to_string(),
            staff_id: self.author.staff_id(),
            staff_name: numbered.staff_name,
            client_id: Some(self.client_id.to_string()),
            body: self.body.to_string(),
            file: None,
            created_at: self.at,
        }
    }
}

/// Stores a message in the caller's transaction (see the module's notes); refused with 409 once
/// the chat has ended (system lines excepted: "ended" comes after the end). `attachment_id` is a
/// pending upload of the portal, linked to the message here. When the answer is not `fresh`
/// (a resend), the caller rolls back: the number taken goes back.
pub async fn append_on(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    sender: Sender,
    client_id: Option<&str>,
    body: &str,
    attachment_id: Option<i64>,
) -> AppResult<Appended> {
    let Sender { author, session } = sender;
    if let Some(session) = session
        && !session.current_on(conn, now()).await?
    {
        return Err(signed_out());
    }
    // An agent writes only in their own active chat (a transfer hands it on), checked here with
    // the numbering so that no transfer slips between a check and the insert.
    let open_only = match author {
        Author::System => "",
        Author::Customer => " AND state <> 'ended'",
        Author::Agent(_) => " AND state = 'active' AND agent_id = $3",
    };
    let sql = format!(
        "UPDATE chats SET last_seq = last_seq + 1 WHERE portal_id = $1 AND id = $2{open_only} RETURNING last_seq"
    );
    let mut numbering = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(chat_id);
    if let Some(staff_id) = author.staff_id() {
        numbering = numbering.bind(staff_id);
    }
    let seq: i64 = match numbering.fetch_optional(&mut *conn).await? {
        Some(row) => row.try_get("last_seq")?,
        None => return Err(why_not_stored(conn, portal_id, chat_id).await),
    };
    let before = before_storing(conn, portal_id, chat_id, author, client_id).await?;
    if let Some(stored) = before.resent {
        let message = message_at(conn, portal_id, chat_id, stored).await?;
        return Ok(Appended { message, fresh: false });
    }
    if author != Author::System && before.recent >= FLOOD_LIMIT {
        return Err(AppError::TooManyRequests(Msg::new("chat-error-slow-down")));
    }
    if let Some(file) = attachment_id
        && !crate::tickets::attachments::link_pending(conn, portal_id, file).await?
    {
        return Err(AppError::Page(axum::http::StatusCode::CONFLICT, Msg::new("upload-expired")));
    }
    let now = now();
    sqlx::query(
        "INSERT INTO chat_messages (portal_id, chat_id, seq, author, staff_id, client_id, body, attachment_id, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(portal_id)
    .bind(chat_id)
    .bind(seq)
    .bind(author.as_str())
    .bind(author.staff_id())
    .bind(client_id)
    .bind(body)
    .bind(attachment_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Only an agent's name and a file's details need reading back.
    let message = match (author, attachment_id) {
        (Author::Customer | Author::System, None) => ChatMessage {
            seq,
            author: author.as_str().to_string(),
            staff_id: None,
            staff_name: None,
            client_id: client_id.map(str::to_string),
            body: body.to_string(),
            file: None,
            created_at: now,
        },
        _ => message_at(conn, portal_id, chat_id, seq).await?,
    };
    Ok(Appended { message, fresh: true })
}

/// What `append_on` checks before storing, in one statement: the number of a message this
/// side already stored with the same client id (a resend), and how many this side sent in the
/// flood window (a resend is answered before that is looked at, so it is never refused).
struct BeforeStoring {
    resent: Option<i64>,
    recent: i64,
}

async fn before_storing(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    author: Author,
    client_id: Option<&str>,
) -> Result<BeforeStoring, sqlx::Error> {
    let row = sqlx::query(
        "SELECT (SELECT seq FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 AND author = $3 \
                 AND client_id = $4) AS resent, \
                (SELECT COUNT(*) FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 AND author = $3 \
                 AND created_at > $5) AS recent",
    )
    .bind(portal_id)
    .bind(chat_id)
    .bind(author.as_str())
    .bind(client_id)
    .bind(now() - FLOOD_WINDOW_SECS)
    .fetch_one(&mut *conn)
    .await?;
    Ok(BeforeStoring { resent: row.try_get("resent")?, recent: row.try_get("recent")? })
}

/// The session a message was sent in has ended: nothing is stored, and the socket closes.
pub fn signed_out() -> AppError {
    AppError::Page(axum::http::StatusCode::UNAUTHORIZED, Msg::new("chat-error-signed-out"))
}

/// Why the numbering found no chat to write in: ended, another agent's (or not yet accepted),
/// or none of this portal.
async fn why_not_stored(conn: &mut AnyConnection, portal_id: i64, chat_id: i64) -> AppError {
    let found = sqlx::query("SELECT state FROM chats WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(chat_id)
        .fetch_optional(conn)
        .await;
    let conflict = |key| AppError::Page(axum::http::StatusCode::CONFLICT, Msg::new(key));
    match found.map(|row| row.map(|r| r.try_get::<String, _>("state"))) {
        Ok(Some(Ok(state))) if state == "ended" => conflict("chat-error-ended"),
        Ok(Some(Ok(_))) => conflict("chat-error-not-yours"),
        Ok(Some(Err(e))) | Err(e) => e.into(),
        Ok(None) => AppError::NotFound,
    }
}

/// A message's columns, read from `chat_messages m` joined with `MESSAGE_JOINS`.
pub(super) const MESSAGE_FIELDS: &str = "m.seq, m.author, m.staff_id, s.name AS staff_name, m.client_id, m.body, \
    m.attachment_id, a.filename, a.size, m.created_at";
pub(super) const MESSAGE_JOINS: &str = "LEFT JOIN staff s ON s.id = m.staff_id \
    LEFT JOIN attachments a ON a.portal_id = m.portal_id AND a.id = m.attachment_id";

pub(super) fn message_from_row(r: &sqlx::any::AnyRow) -> Result<ChatMessage, sqlx::Error> {
    let attachment: Option<i64> = r.try_get("attachment_id")?;
    let file = match attachment {
        Some(id) => Some(ChatFile {
            id,
            filename: r.try_get::<Option<String>, _>("filename")?.unwrap_or_default(),
            size: r.try_get::<Option<i64>, _>("size")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(ChatMessage {
        seq: r.try_get("seq")?,
        author: r.try_get("author")?,
        staff_id: r.try_get("staff_id")?,
        staff_name: r.try_get("staff_name")?,
        client_id: r.try_get("client_id")?,
        body: r.try_get("body")?,
        file,
        created_at: r.try_get("created_at")?,
    })
}

async fn message_at(
    conn: &mut AnyConnection,
    portal_id: i64,
    chat_id: i64,
    seq: i64,
) -> Result<ChatMessage, sqlx::Error> {
    let sql = format!(
        "SELECT {MESSAGE_FIELDS} FROM chat_messages m {MESSAGE_JOINS} WHERE m.portal_id = $1 AND m.chat_id = $2 AND m.seq = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(chat_id).bind(seq).fetch_one(conn).await?;
    message_from_row(&row)
}

/// The chat's messages numbered after `after_seq`, in order (at most `PAGE`).
pub async fn messages_after(db: &Db, portal_id: i64, chat_id: i64, after_seq: i64) -> AppResult<Vec<ChatMessage>> {
    let sql = format!(
        "SELECT {MESSAGE_FIELDS} FROM chat_messages m {MESSAGE_JOINS} WHERE m.portal_id = $1 AND m.chat_id = $2 AND m.seq > $3 ORDER BY m.seq LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(chat_id)
        .bind(after_seq)
        .bind(PAGE)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(message_from_row).collect::<Result<_, _>>()?)
}

/// Every message of the chat, in order (a transcript, the page without script).
pub async fn all_messages(db: &Db, portal_id: i64, chat_id: i64) -> AppResult<Vec<ChatMessage>> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map(|m: &ChatMessage| m.seq).unwrap_or(0);
        let page = messages_after(db, portal_id, chat_id, after).await?;
        let done = (page.len() as i64) < PAGE;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

/// Whether the file `attachment_id` belongs to a message of this chat (for its download).
pub async fn has_file(db: &Db, portal_id: i64, chat_id: i64, attachment_id: i64) -> AppResult<bool> {
    let row =
        sqlx::query("SELECT 1 AS one FROM chat_messages WHERE portal_id = $1 AND chat_id = $2 AND attachment_id = $3")
            .bind(portal_id)
            .bind(chat_id)
            .bind(attachment_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.is_some())
}

/// Stores the customer's rating of an ended chat, once. False when the chat is not ended or was
/// rated already.
pub async fn rate(db: &Db, portal_id: i64, chat_id: i64, rating: i64, comment: Option<&str>) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE chats SET rating = $1, rating_comment = $2 WHERE portal_id = $3 AND id = $4 AND state = 'ended' \
         AND rating IS NULL",
    )
    .bind(rating)
    .bind(comment)
    .bind(portal_id)
    .bind(chat_id)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A line the desk writes into a chat: a catalog key (`chat-system-...`) and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemLine {
    pub key: String,
    pub args: Vec<(String, String)>,
}

/// The argument names a system line may carry (the catalog's `{ $name }`s).
const SYSTEM_ARGS: &[&str] = &["name", "department", "agent"];

impl SystemLine {
    pub fn new(key: &'static str) -> SystemLine {
        SystemLine { key: key.to_string(), args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> SystemLine {
        self.args.push((name.to_string(), value.into()));
        self
    }

    /// The stored body: `{"key":"chat-system-joined","args":{"name":"Ana"}}`.
    pub fn encode(&self) -> String {
        let args: serde_json::Map<String, serde_json::Value> =
            self.args.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        serde_json::json!({ "key": self.key, "args": args }).to_string()
    }

    /// A stored body read back; `None` for one this version cannot show.
    pub fn decode(body: &str) -> Option<SystemLine> {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let key = value.get("key")?.as_str()?.to_string();
        if !key.starts_with("chat-system-") {
            return None;
        }
        let args = match value.get("args").and_then(|a| a.as_object()) {
            Some(map) => map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
            None => Vec::new(),
        };
        Some(SystemLine { key, args })
    }

    /// The line in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        let args: Vec<(&'static str, crate::i18n::Arg)> = self
            .args
            .iter()
            .filter_map(|(k, v)| SYSTEM_ARGS.iter().find(|name| **name == k).map(|name| (*name, v.as_str().into())))
            .collect();
        lang.with(&self.key, &args)
    }
}

/// Writes a system line into a chat, in the caller's transaction.
pub async fn system_line(conn: &mut AnyConnection, portal_id: i64, chat_id: i64, line: &SystemLine) -> AppResult<i64> {
    let appended = append_on(conn, portal_id, chat_id, Author::System.into(), None, &line.encode(), None).await?;
    Ok(appended.message.seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_lines_read_back_and_refuse_foreign_keys() {
        let line = SystemLine::new("chat-system-joined").arg("name", "Ana \"<b>\"");
        assert_eq!(SystemLine::decode(&line.encode()), Some(line.clone()));
        assert_eq!(SystemLine::decode("{\"key\":\"error-internal\"}"), None);
        assert_eq!(SystemLine::decode("not json"), None);
        assert!(line.in_lang(Lang::En).contains("Ana"));
    }
}

//! The emails of tickets, queued in the outbox in the transaction of the change that causes
//! them (the caller's `conn`), so a ticket, its message, its history and its emails are stored
//! together or not at all.
//!
//! - The requester gets a receipt when the ticket is opened, each public reply of the desk (never
//!   a note) and a notice when it is resolved.
//! - Agents get "new ticket" (those of its department, not whoever opened it), "assigned to you"
//!   (not when they assigned it to themselves) and the customer's replies on tickets assigned to
//!   them. Only active accounts that work in the portal and may see the ticket; each kind can be
//!   turned off on their profile (`preferences`).
//!
//! Every email is written in its recipient's language, its subject starts with `[#number]`, and
//! all of a ticket's emails form one conversation (see `keys`).
//!
//! Call from a handler: `let ctx = notify::Context::new(&state, &portal).await?;` then, inside
//! the transaction, e.g. `notify::desk_replied(&mut tx, &ctx, ticket_id, message_id).await?`,
//! and `state.outbox.notify()` after the commit. Each function returns how many emails it queued.

pub mod content;
pub mod keys;
pub mod preferences;

use sqlx::{AnyConnection, Row};

use self::content::{About, TicketEmail};
use self::preferences::Kind;
use crate::auth::emails::recipient_language;
use crate::i18n::{Lang, render_in};
use crate::outbox::{self, Thread};
use crate::portals::{Portal, settings};
use crate::web::state::AppState;

/// What every ticket email of a portal needs: where links point and who it comes from.
#[derive(Clone, Debug)]
pub struct Context {
    pub portal: Portal,
    /// The portal's pages, absolute, without a trailing slash (its own host when it has one).
    pub portal_url: String,
    /// The management interface, absolute, without a trailing slash.
    pub manage_url: String,
    /// The portal's sender name, if it set one.
    pub sender_name: Option<String>,
}

impl Context {
    pub async fn new(state: &AppState, portal: &Portal) -> Result<Context, sqlx::Error> {
        Ok(Context {
            portal: portal.clone(),
            portal_url: state.portal_url(portal),
            manage_url: state.absolute("/manage"),
            sender_name: settings::load(&state.db, portal.id).await?.sender_name,
        })
    }

    /// The ticket's page in the management interface, for agents. It names the portal: an agent
    /// working in another of their portals is offered to switch to this one.
    fn manage_ticket_url(&self, number: i64) -> String {
        format!("{}/tickets/{number}?portal={}", self.manage_url, self.portal.slug)
    }
}

/// Where the requester follows their ticket. A customer's ticket: its page in the portal
/// (`{portal}/tickets/{number}`), where they sign in. A visitor's ticket has no account to sign
/// in with: each email carries a fresh private link (only its hash is stored, so an earlier
/// link cannot be read back), issued in the transaction that queues the email.
async fn follow_url(
    conn: &mut AnyConnection,
    ctx: &Context,
    ticket_id: i64,
    ticket: &Ticket,
) -> Result<String, sqlx::Error> {
    if ticket.customer_id.is_some() {
        return Ok(format!("{}/tickets/{}", ctx.portal_url, ticket.number));
    }
    let token = super::visitors::issue_link(conn, ctx.portal.id, ticket_id, crate::db::now()).await?;
    Ok(format!("{}{}", ctx.portal_url, super::visitors::follow_path(&token)))
}

/// What the emails say about a ticket.
struct Ticket {
    number: i64,
    subject: String,
    customer_id: Option<i64>,
    requester_name: String,
    requester_email: String,
    verified: bool,
    department_id: i64,
    department: String,
}

async fn load_ticket(conn: &mut AnyConnection, portal_id: i64, ticket_id: i64) -> Result<Option<Ticket>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT t.number, t.subject, t.customer_id, t.requester_name, t.requester_email, t.verified_at, \
         t.department_id, d.name AS department FROM tickets t \
         JOIN departments d ON d.portal_id = t.portal_id AND d.id = t.department_id \
         WHERE t.portal_id = $1 AND t.id = $2",
    )
    .bind(portal_id)
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Ticket {
        number: r.try_get("number")?,
        subject: r.try_get("subject")?,
        customer_id: r.try_get("customer_id")?,
        requester_name: r.try_get("requester_name")?,
        requester_email: r.try_get("requester_email")?,
        verified: r.try_get::<Option<i64>, _>("verified_at")?.is_some(),
        department_id: r.try_get("department_id")?,
        department: r.try_get("department")?,
    }))
}

/// A message of the thread.
struct Message {
    id: i64,
    public: bool,
    author_staff_id: Option<i64>,
    author_name: String,
    body: String,
    email_key: Option<String>,
}

/// One message of the ticket (`Some(id)`), or its first public one (`None`).
async fn load_message(
    conn: &mut AnyConnection,
    portal_id: i64,
    ticket_id: i64,
    message_id: Option<i64>,
) -> Result<Option<Message>, sqlx::Error> {
    let which = if message_id.is_some() { "id = $3" } else { "kind = 'public' AND $3 = 0" };
    let sql = format!(
        "SELECT id, kind, author_staff_id, author_name, body, email_message_id FROM ticket_messages \
         WHERE portal_id = $1 AND ticket_id = $2 AND {which} ORDER BY created_at, id LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(ticket_id)
        .bind(message_id.unwrap_or(0))
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Message {
        id: r.try_get("id")?,
        public: r.try_get::<String, _>("kind")? == "public",
        author_staff_id: r.try_get("author_staff_id")?,
        author_name: r.try_get("author_name")?,
        body: r.try_get("body")?,
        email_key: r.try_get("email_message_id")?,
    }))
}

/// Someone an email goes to, and the language to write to them in.
struct Recipient {
    email: String,
    name: String,
    lang: Lang,
}

/// The requester, if they are to get email: a customer whose account is not disabled, or a
/// visitor once their address is proven (before that, nobody has shown the address is theirs).
async fn requester(conn: &mut AnyConnection, ctx: &Context, ticket: &Ticket) -> Result<Option<Recipient>, sqlx::Error> {
    let Some(customer_id) = ticket.customer_id else {
        let lang = recipient_language(None, Some(&ctx.portal));
        let visitor = Recipient { email: ticket.requester_email.clone(), name: ticket.requester_name.clone(), lang };
        return Ok(ticket.verified.then_some(visitor));
    };
    let row = sqlx::query(
        "SELECT email, name, language FROM customers WHERE portal_id = $1 AND id = $2 AND disabled_at IS NULL",
    )
    .bind(ctx.portal.id)
    .bind(customer_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| staff_or_customer(&r, ctx)).transpose()
}

fn staff_or_customer(r: &sqlx::any::AnyRow, ctx: &Context) -> Result<Recipient, sqlx::Error> {
    let own = crate::portals::language_of(r, "language")?;
    Ok(Recipient {
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        lang: recipient_language(own, Some(&ctx.portal)),
    })
}

/// Active staff of the portal who belong to the department and want `kind`, but `except`.
async fn department_agents(
    conn: &mut AnyConnection,
    ctx: &Context,
    department_id: i64,
    except: Option<i64>,
    kind: Kind,
) -> Result<Vec<Recipient>, sqlx::Error> {
    let sql = format!(
        "SELECT s.email, s.name, s.language FROM department_members m \
         JOIN departments d ON d.id = m.department_id \
         JOIN staff s ON s.id = m.staff_id \
         JOIN staff_portals sp ON sp.staff_id = s.id AND sp.portal_id = d.portal_id \
         WHERE d.portal_id = $1 AND d.id = $2 AND s.id <> $3 \
         AND s.disabled_at IS NULL AND s.awaiting_approval = 0 AND {} ORDER BY s.id",
        preferences::wants(kind)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ctx.portal.id)
        .bind(department_id)
        .bind(except.unwrap_or(0))
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| staff_or_customer(r, ctx)).collect()
}

/// The staff member `staff_id` if they are active, work in the portal, may see the ticket
/// (its department's member, an administrator, or allowed every department) and want `kind`.
async fn eligible_agent(
    conn: &mut AnyConnection,
    ctx: &Context,
    ticket: &Ticket,
    staff_id: i64,
    kind: Kind,
) -> Result<Option<Recipient>, sqlx::Error> {
    let sql = format!(
        "SELECT s.email, s.name, s.language FROM staff s \
         JOIN staff_portals sp ON sp.staff_id = s.id AND sp.portal_id = $1 \
         WHERE s.id = $2 AND s.disabled_at IS NULL AND s.awaiting_approval = 0 AND {} \
         AND (sp.role = 'admin' \
           OR EXISTS (SELECT 1 FROM staff_permissions p WHERE p.portal_id = $1 AND p.staff_id = s.id \
                      AND p.permission = 'see_all_departments') \
           OR EXISTS (SELECT 1 FROM department_members m JOIN departments d ON d.id = m.department_id \
                      WHERE d.portal_id = $1 AND d.id = $3 AND m.staff_id = s.id))",
        preferences::wants(kind)
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ctx.portal.id)
        .bind(staff_id)
        .bind(ticket.department_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| staff_or_customer(&r, ctx)).transpose()
}

/// The ticket's assignee, if it has one.
async fn assignee_of(conn: &mut AnyConnection, portal_id: i64, ticket_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query("SELECT assignee_id FROM tickets WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(ticket_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get::<Option<i64>, _>("assignee_id")).transpose()?.flatten())
}

/// Writes `make`'s email in the recipient's language and queues it in the conversation.
async fn queue(
    conn: &mut AnyConnection,
    ctx: &Context,
    to: &Recipient,
    thread: &Thread,
    make: impl FnOnce() -> TicketEmail,
) -> Result<(), sqlx::Error> {
    let email = render_in(to.lang, make).to(&to.email, ctx.portal.id, ctx.sender_name.clone(), thread.clone());
    outbox::enqueue_email(conn, &email).await?;
    Ok(())
}

fn about<'a>(ctx: &'a Context, ticket: &'a Ticket, url: &'a str) -> About<'a> {
    About { number: ticket.number, subject: &ticket.subject, place: &ctx.portal.name, url }
}

mod events;
pub use events::{assigned, customer_replied, desk_replied, resolved, ticket_created};

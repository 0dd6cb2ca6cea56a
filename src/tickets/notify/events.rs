//! The five moments a ticket sends email. Each takes the change's transaction (`conn`), reads
//! what it needs in it (so it sees the change), and returns how many emails it queued. A ticket
//! or message that is not the portal's queues nothing.

use sqlx::AnyConnection;

use super::content::{self, Quote};
use super::preferences::Kind;
use super::{
    Context, about, assignee_of, department_agents, eligible_agent, follow_url, keys, load_message, load_ticket, queue,
    requester,
};
use crate::tickets::satisfaction::Rating;

/// A ticket was opened: the requester's receipt (with their message and the link to follow it)
/// and "new ticket" to the agents of its department, but not to the one who opened it.
pub async fn ticket_created(conn: &mut AnyConnection, ctx: &Context, ticket_id: i64) -> Result<usize, sqlx::Error> {
    let pid = ctx.portal.id;
    let Some(ticket) = load_ticket(&mut *conn, pid, ticket_id).await? else { return Ok(0) };
    let Some(first) = load_message(&mut *conn, pid, ticket_id, None).await? else { return Ok(0) };
    let thread = keys::for_message(&mut *conn, pid, ticket_id, first.id, first.email_key.as_deref()).await?;
    let mut queued = 0;
    if let Some(to) = requester(&mut *conn, ctx, &ticket).await? {
        let url = follow_url(&mut *conn, ctx, ticket_id, &ticket).await?;
        queue(&mut *conn, ctx, &to, &thread, || content::received(&about(ctx, &ticket, &url), &to.name, &first.body))
            .await?;
        queued += 1;
    }
    let url = ctx.manage_ticket_url(ticket.number);
    let agents =
        department_agents(&mut *conn, ctx, ticket.department_id, first.author_staff_id, Kind::NewTicket).await?;
    for to in &agents {
        let first = Quote { author: first.author_name.clone(), body: first.body.clone() };
        queue(&mut *conn, ctx, to, &thread, || {
            content::new_ticket(&about(ctx, &ticket, &url), &to.name, &ticket.department, first)
        })
        .await?;
    }
    Ok(queued + agents.len())
}

/// The customer replied: the ticket's assignee gets the reply (if they want it).
pub async fn customer_replied(
    conn: &mut AnyConnection,
    ctx: &Context,
    ticket_id: i64,
    message_id: i64,
) -> Result<usize, sqlx::Error> {
    let pid = ctx.portal.id;
    let Some(ticket) = load_ticket(&mut *conn, pid, ticket_id).await? else { return Ok(0) };
    let Some(message) = load_message(&mut *conn, pid, ticket_id, Some(message_id)).await?.filter(|m| m.public) else {
        return Ok(0);
    };
    let Some(assignee) = assignee_of(&mut *conn, pid, ticket_id).await? else { return Ok(0) };
    let Some(to) = eligible_agent(&mut *conn, ctx, &ticket, assignee, Kind::CustomerReply).await? else {
        return Ok(0);
    };
    let thread = keys::for_message(&mut *conn, pid, ticket_id, message.id, message.email_key.as_deref()).await?;
    let url = ctx.manage_ticket_url(ticket.number);
    let reply = Quote { author: message.author_name, body: message.body };
    queue(conn, ctx, &to, &thread, || content::customer_reply(&about(ctx, &ticket, &url), &to.name, reply)).await?;
    Ok(1)
}

/// The desk answered in public: the requester gets the reply's text. An internal note sends
/// nothing, whoever calls this with one.
pub async fn desk_replied(
    conn: &mut AnyConnection,
    ctx: &Context,
    ticket_id: i64,
    message_id: i64,
) -> Result<usize, sqlx::Error> {
    let pid = ctx.portal.id;
    let Some(ticket) = load_ticket(&mut *conn, pid, ticket_id).await? else { return Ok(0) };
    let Some(message) = load_message(&mut *conn, pid, ticket_id, Some(message_id)).await? else { return Ok(0) };
    if !message.public {
        tracing::warn!(ticket_id, message_id, "an internal note was offered to the requester's email; not sent");
        return Ok(0);
    }
    let Some(to) = requester(&mut *conn, ctx, &ticket).await? else { return Ok(0) };
    let thread = keys::for_message(&mut *conn, pid, ticket_id, message.id, message.email_key.as_deref()).await?;
    let url = follow_url(&mut *conn, ctx, ticket_id, &ticket).await?;
    let reply = Quote { author: message.author_name, body: message.body };
    queue(conn, ctx, &to, &thread, || content::desk_reply(&about(ctx, &ticket, &url), &to.name, reply)).await?;
    Ok(1)
}

/// The ticket was resolved: the requester is told, with two links to rate how it went (see
/// `satisfaction`).
pub async fn resolved(conn: &mut AnyConnection, ctx: &Context, ticket_id: i64) -> Result<usize, sqlx::Error> {
    let pid = ctx.portal.id;
    let Some(ticket) = load_ticket(&mut *conn, pid, ticket_id).await? else { return Ok(0) };
    let Some(to) = requester(&mut *conn, ctx, &ticket).await? else { return Ok(0) };
    let thread = keys::for_notice(&mut *conn, pid, ticket_id, "resolved").await?;
    let url = follow_url(&mut *conn, ctx, ticket_id, &ticket).await?;
    let token = crate::tickets::satisfaction::issue_link(&mut *conn, pid, ticket_id, crate::db::now()).await?;
    let rate = |r| format!("{}{}", ctx.portal_url, crate::tickets::satisfaction::rate_path(&token, r));
    let (good, bad) = (rate(Rating::Good), rate(Rating::Bad));
    queue(conn, ctx, &to, &thread, || {
        content::resolved(&about(ctx, &ticket, &url), &to.name, Some((good.as_str(), bad.as_str())))
    })
    .await?;
    Ok(1)
}

/// The ticket was assigned to `assignee_id` by `actor_staff_id` (`None`: by the desk itself,
/// e.g. a routing rule). The assignee is told, unless they assigned it to themselves.
pub async fn assigned(
    conn: &mut AnyConnection,
    ctx: &Context,
    ticket_id: i64,
    assignee_id: i64,
    actor_staff_id: Option<i64>,
) -> Result<usize, sqlx::Error> {
    if actor_staff_id == Some(assignee_id) {
        return Ok(0);
    }
    let pid = ctx.portal.id;
    let Some(ticket) = load_ticket(&mut *conn, pid, ticket_id).await? else { return Ok(0) };
    let Some(to) = eligible_agent(&mut *conn, ctx, &ticket, assignee_id, Kind::Assigned).await? else {
        return Ok(0);
    };
    let actor = match actor_staff_id {
        Some(id) => staff_name(&mut *conn, id).await?,
        None => None,
    };
    let thread = keys::for_notice(&mut *conn, pid, ticket_id, "assigned").await?;
    let url = ctx.manage_ticket_url(ticket.number);
    queue(conn, ctx, &to, &thread, || content::assigned(&about(ctx, &ticket, &url), &to.name, actor.as_deref()))
        .await?;
    Ok(1)
}

async fn staff_name(conn: &mut AnyConnection, staff_id: i64) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT name FROM staff WHERE id = $1").bind(staff_id).fetch_optional(conn).await?;
    row.map(|r| sqlx::Row::try_get(&r, "name")).transpose()
}

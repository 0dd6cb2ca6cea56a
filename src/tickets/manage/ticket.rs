//! The agents' ticket page: the whole thread (public replies and internal notes told apart), the
//! requester and their other tickets, the properties form, the reply form and the history.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{priority_label, status_label};
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _, t, t1, t2};
use crate::tickets::access::{self, Scope};
use crate::tickets::manage_queries::{self as queries, DeskTicket, HistoryRow, OtherTicket};
use crate::tickets::portal::FileLink;
use crate::tickets::store::{Thread, ThreadMessage};
use crate::tickets::{Priority, Status, downloads, replies, settings, uploads};
use crate::web::csrf::CsrfToken;
use crate::web::extract::{Path, Query};
use crate::web::layout::Shell;
use crate::web::state::AppState;

pub struct MessageView {
    pub id: i64,
    pub note: bool,
    pub author: String,
    pub from_customer: bool,
    pub body: String,
    pub when: String,
    pub files: Vec<FileLink>,
}

impl MessageView {
    fn new(m: ThreadMessage, files: Vec<downloads::ListedFile>) -> MessageView {
        MessageView {
            id: m.id,
            note: m.note,
            author: m.author_name,
            from_customer: m.from_customer,
            body: m.body,
            when: crate::web::format_time(m.created_at),
            files: files.into_iter().map(FileLink::from).collect(),
        }
    }
}

pub struct HistoryView {
    pub who: String,
    pub what: String,
    pub when: String,
}

pub struct OtherView {
    pub number: i64,
    pub subject: String,
    pub status: String,
}

impl From<OtherTicket> for OtherView {
    fn from(o: OtherTicket) -> OtherView {
        OtherView { number: o.number, subject: o.subject, status: status_label(o.status) }
    }
}

/// One choice of a select: value, label, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/manage_ticket.html")]
pub struct TicketPage {
    pub shell: Shell,
    pub ticket: DeskTicket,
    pub status: String,
    pub active: bool,
    pub priority: String,
    pub department: String,
    pub assignee: String,
    pub created: String,
    pub messages: Vec<MessageView>,
    pub history: Vec<HistoryView>,
    pub others: Vec<OtherView>,
    pub may_answer: bool,
    /// The requester's account page, for those who manage accounts.
    pub customer_link: Option<String>,
    pub statuses: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub assignees: Vec<Choice>,
    /// The properties shown (`Props::stamp`), which the properties form carries back.
    pub seen: String,
    /// What the reply form held when it was refused.
    pub reply: String,
    pub errors: Vec<Msg>,
    pub limits: uploads::FileLimits,
    /// What the merge form held when it was refused (`merge.rs`).
    pub merge_into: String,
    /// The saved replies offered for this ticket (`replies.rs`), filled for it.
    pub saved_replies: Vec<OfferedReply>,
    /// The requester's satisfaction rating, if they gave one.
    pub rating: Option<crate::tickets::satisfaction::Shown>,
    /// Whether each message offers to start a knowledge-base article from it (`kb::manage`).
    pub may_start_article: bool,
}

/// A saved reply on the reply form: its text already filled for the ticket.
pub struct OfferedReply {
    pub id: i64,
    pub title: String,
    pub text: String,
}

/// A ticket number from the address; anything else is a ticket that does not exist.
pub fn parse_number(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)
}

/// The ticket with the number in the address, if the agent sees it; otherwise 404, the same
/// answer as for a number that does not exist.
pub async fn visible_ticket(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<(Scope, DeskTicket)> {
    let number = parse_number(raw)?;
    let scope = access::scope(&state.db, user).await?;
    let mut conn = state.db.pool().acquire().await?;
    let ticket = queries::find(&mut conn, user.portal.id, &scope, number).await?.ok_or(AppError::NotFound)?;
    Ok((scope, ticket))
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    current: T,
    code: fn(T) -> &'static str,
    label: fn(T) -> String,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: code(*v).into(), label: label(*v), selected: *v == current }).collect()
}

/// The page for `ticket`, as `user` sees it.
pub async fn render(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    scope: &Scope,
    ticket: DeskTicket,
    msg: Option<&str>,
) -> AppResult<TicketPage> {
    let portal_id = user.portal.id;
    let messages = crate::tickets::store::thread(&state.db, portal_id, ticket.id, Thread::Whole).await?;
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let mut files = downloads::of_messages(&state.db, portal_id, &ids).await?;
    let messages = messages.into_iter().map(|m| {
        let files = files.remove(&m.id).unwrap_or_default();
        MessageView::new(m, files)
    });
    let history = queries::history(&state.db, portal_id, ticket.id).await?;
    let saved_replies = offered_replies(state, user, &ticket).await?;
    let others = queries::other_tickets(&state.db, portal_id, scope, &ticket).await?;
    let (department_names, staff_names) = queries::names(&state.db, portal_id).await?;
    let mut conn = state.db.pool().acquire().await?;
    let agents = queries::department_agents(&mut conn, portal_id, ticket.props.department_id).await?;
    drop(conn);
    let props = ticket.props;
    let name_of =
        |names: &HashMap<i64, String>, id: i64| names.get(&id).cloned().unwrap_or_else(|| t("desk-someone-removed"));
    let mut assignees =
        vec![Choice { value: String::new(), label: t("desk-unassigned"), selected: props.assignee_id.is_none() }];
    // The assignee stays on the list even if they have left the department since, so that
    // saving other changes does not unassign them.
    let gone = props.assignee_id.filter(|id| !agents.iter().any(|(agent, _)| agent == id));
    let gone = gone.map(|id| (id, name_of(&staff_names, id)));
    assignees.extend(agents.into_iter().chain(gone).map(|(id, name)| Choice {
        value: id.to_string(),
        label: name,
        selected: props.assignee_id == Some(id),
    }));
    let mut departments: Vec<Choice> = department_names
        .iter()
        .map(|(id, name)| Choice { value: id.to_string(), label: name.clone(), selected: *id == props.department_id })
        .collect();
    departments.sort_by(|a, b| a.label.cmp(&b.label));
    let history = history.iter().map(|h| history_view(h, &department_names, &staff_names)).collect();
    Ok(TicketPage {
        shell: Shell::new(user, csrf, "/manage/tickets", msg),
        status: status_label(props.status),
        active: props.status.is_active(),
        priority: priority_label(props.priority),
        department: name_of(&department_names, props.department_id),
        assignee: props.assignee_id.map_or_else(|| t("desk-unassigned"), |id| name_of(&staff_names, id)),
        created: crate::web::format_time(ticket.created_at),
        messages: messages.collect(),
        limits: settings::load(&state.db, portal_id).await?.into(),
        rating: crate::tickets::satisfaction::shown(&state.db, portal_id, ticket.id).await?,
        history,
        others: others.into_iter().map(OtherView::from).collect(),
        may_answer: access::may_answer(user),
        customer_link: ticket
            .customer_id
            .filter(|_| user.can(crate::accounts::permissions::Permission::ManageAgents))
            .map(|id| format!("/manage/customers/{id}")),
        statuses: choices(&Status::ALL, props.status, Status::as_str, status_label),
        priorities: choices(&Priority::ALL, props.priority, Priority::as_str, priority_label),
        departments,
        assignees,
        seen: props.stamp(),
        ticket,
        reply: String::new(),
        errors: vec![],
        merge_into: String::new(),
        saved_replies,
        may_start_article: user.can(crate::accounts::permissions::Permission::EditKnowledgeBase),
    })
}

/// The saved replies offered to `user` on `ticket`, their placeholders filled (none on a merged
/// ticket, which takes no reply).
async fn offered_replies(state: &AppState, user: &ManageUser, ticket: &DeskTicket) -> AppResult<Vec<OfferedReply>> {
    if !access::may_answer(user) || ticket.merged_into.is_some() {
        return Ok(Vec::new());
    }
    let found = replies::offered(&state.db, user.portal.id, user.staff.id, ticket.props.department_id).await?;
    Ok(found
        .into_iter()
        .map(|r| OfferedReply { id: r.id, text: fill_for(&r.body, user, ticket), title: r.title })
        .collect())
}

fn fill_for(body: &str, user: &ManageUser, ticket: &DeskTicket) -> String {
    replies::fill(body, &ticket.requester_name, ticket.number, &user.staff.name)
}

/// A line of history in words: "changed the status from New to Open".
fn history_view(h: &HistoryRow, departments: &HashMap<i64, String>, staff: &HashMap<i64, String>) -> HistoryView {
    let old = h.old_value.as_deref().unwrap_or("");
    let new = h.new_value.as_deref().unwrap_or("");
    let by_id = |names: &HashMap<i64, String>, v: &str| {
        v.parse::<i64>().ok().and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| t("desk-someone-removed"))
    };
    let status = |v: &str| Status::parse(v).map(status_label).unwrap_or_else(|| v.to_string());
    let priority = |v: &str| Priority::parse(v).map(priority_label).unwrap_or_else(|| v.to_string());
    let what = match h.what.as_str() {
        "created" => t("desk-history-created"),
        "status" => t2("desk-history-status", "old", status(old), "new", status(new)),
        "priority" => t2("desk-history-priority", "old", priority(old), "new", priority(new)),
        "department" => t2("desk-history-department", "old", by_id(departments, old), "new", by_id(departments, new)),
        "assignee" if new.is_empty() => t1("desk-history-unassigned", "old", by_id(staff, old)),
        "assignee" => t1("desk-history-assigned", "new", by_id(staff, new)),
        "reply" => t("desk-history-reply"),
        "note" => t("desk-history-note"),
        "attachment" => t1("desk-history-attachment", "name", new),
        "verified" => t("desk-history-verified"),
        "merged-into" => t1("ticket-merge-history-into", "number", new),
        "merged-in" => t1("ticket-merge-history-in", "number", new),
        "rated" => t1("ticket-rating-history", "rating", crate::tickets::satisfaction::label_of(new)),
        other => other.to_string(),
    };
    HistoryView { who: h.actor_name.clone(), what, when: crate::web::format_time(h.created_at) }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    msg: Option<String>,
    /// The portal the ticket belongs to, as links in emails name it: an agent who works in
    /// several portals may be working in another one when they follow the link.
    portal: Option<String>,
    /// A saved reply to put in the reply box (the page without script: `replies.rs`).
    reply: Option<String>,
}

/// The ticket is in another portal of the agent's: offer to switch to it (a POST, so that a
/// link alone never changes what the session works in).
#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/manage_other_portal.html")]
struct OtherPortalPage {
    shell: Shell,
    portal_slug: String,
    portal_name: String,
    next: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    if let Some(slug) = q.portal.as_deref().filter(|slug| !slug.is_empty() && *slug != user.portal.slug) {
        let (portal, _) = user.memberships.iter().find(|(p, _)| p.slug == slug).ok_or(AppError::NotFound)?;
        let page = OtherPortalPage {
            portal_slug: portal.slug.clone(),
            portal_name: portal.name.clone(),
            next: format!("/manage/tickets/{}?portal={}", parse_number(&number)?, portal.slug),
            shell: Shell::new(&user, csrf, "/manage/tickets", None),
        };
        return Ok(page.into_response());
    }
    let (scope, ticket) = visible_ticket(&state, &user, &number).await?;
    let chosen = match q.reply.as_deref().filter(|r| !r.is_empty()) {
        // Saved replies are offered only to those who may answer (`offered_replies`).
        Some(_) if !access::may_answer(&user) => return Err(AppError::NotFound),
        Some(raw) => Some(replies::offered_one(&state.db, &user, ticket.props.department_id, raw).await?),
        None => None,
    };
    let text = chosen.map(|r| fill_for(&r.body, &user, &ticket));
    let mut page = render(&state, &user, csrf, &scope, ticket, q.msg.as_deref()).await?;
    page.reply = text.unwrap_or_default();
    Ok(page.into_response())
}

/// A file of the ticket, notes' files included: the agent sees the whole thread.
pub async fn download(
    State(state): State<AppState>,
    user: ManageUser,
    Path((number, attachment)): Path<(String, String)>,
) -> AppResult<Response> {
    let (_, ticket) = visible_ticket(&state, &user, &number).await?;
    let id = attachment.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)?;
    if !downloads::on_ticket(&state.db, user.portal.id, ticket.id, id, false).await? {
        return Err(AppError::NotFound);
    }
    downloads::serve(&state.db, user.portal.id, id).await
}

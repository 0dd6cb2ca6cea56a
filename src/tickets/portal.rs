//! A customer's tickets in the portal: submit one, list their own, read the public thread,
//! reply, close and reopen. Staff signed in to a portal have no tickets of their own here: they
//! get a page that sends them to the management interface, where tickets are answered.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::portal_queries::{self as queries, Cursor, Filter, ListedTicket, OwnTicket};
use super::settings;
use super::store::{self, NewTicket};
use super::store::{Thread, ThreadMessage};
use super::{Actor, Priority, Status, downloads, uploads};
use crate::accounts::customers::Customer;
use crate::auth::extract::{PortalPerson, PortalUser};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _, t};
use crate::portals::resolve::CurrentPortal;
use crate::web::csrf::CsrfToken;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/{slug}/tickets", get(list))
        // The forms that carry files take larger bodies; every other keeps the 64 KiB of forms.
        .route("/portal/{slug}/tickets/new", get(new_form).post(create).layer(uploads::body_limit()))
        .route("/portal/{slug}/tickets/{number}", get(show))
        .route("/portal/{slug}/tickets/{number}/reply", post(reply).layer(uploads::body_limit()))
        .route("/portal/{slug}/tickets/{number}/files/{attachment}", get(files::download))
        .route("/portal/{slug}/tickets/{number}/close", post(close))
        .route("/portal/{slug}/tickets/{number}/reopen", post(reopen))
}

pub const SUBJECT_MAX_CHARS: usize = 200;
pub const MESSAGE_MAX_CHARS: usize = 20_000;

/// The translated name of a status.
pub fn status_label(status: Status) -> String {
    match status {
        Status::New => t("tickets-status-new"),
        Status::Open => t("tickets-status-open"),
        Status::Pending => t("tickets-status-pending"),
        Status::Resolved => t("tickets-status-resolved"),
        Status::Closed => t("tickets-status-closed"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/portal_staff.html")]
struct StaffPage {
    csrf: String,
    portal: CurrentPortal,
    u: PortalUser,
}

/// The signed-in customer, or the page staff get instead (or the profile, for a new password
/// first, as the portal's home does).
fn customer_or_staff_page(user: &PortalUser, csrf: &str) -> Result<Customer, Box<Response>> {
    if user.must_change_password() {
        return Err(Box::new(Redirect::to(&format!("{}/profile?msg=must-change", user.portal.base)).into_response()));
    }
    match &user.person {
        PortalPerson::Customer(c) => Ok(c.clone()),
        PortalPerson::Staff(_) => Err(Box::new(
            StaffPage { csrf: csrf.to_string(), portal: user.portal.clone(), u: user.clone() }.into_response(),
        )),
    }
}

/// The signed-in customer for a change; staff may not act on tickets from the portal.
pub(crate) fn customer_for_change(user: &PortalUser) -> AppResult<Customer> {
    if user.must_change_password() {
        return Err(AppError::forbidden(Msg::new("notice-must-change")));
    }
    match &user.person {
        PortalPerson::Customer(c) => Ok(c.clone()),
        PortalPerson::Staff(_) => Err(AppError::forbidden(Msg::new("tickets-staff-use-management"))),
    }
}

/// A ticket number from the address; anything else is a ticket that does not exist.
fn parse_number(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)
}

fn check_text(text: &str, max: usize, empty: &'static str, long: &'static str) -> Result<String, Msg> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Msg::new(empty));
    }
    if text.chars().count() > max {
        return Err(Msg::new(long).arg("max", max as i64));
    }
    Ok(text.to_string())
}

pub(crate) fn check_subject(s: &str) -> Result<String, Msg> {
    // A subject is one line: line breaks, other control characters and text-direction
    // overrides (which make a subject read other than it is) have no place in it.
    if s.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("tickets-subject-control"));
    }
    check_text(s, SUBJECT_MAX_CHARS, "tickets-subject-required", "tickets-subject-too-long")
}

pub(crate) fn check_message(s: &str) -> Result<String, Msg> {
    check_text(s, MESSAGE_MAX_CHARS, "tickets-message-required", "tickets-message-too-long")
}

// ---- new ticket ------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/portal_new.html")]
struct NewTicketPage {
    csrf: String,
    portal: CurrentPortal,
    u: PortalUser,
    departments: Vec<crate::accounts::departments::Department>,
    form: NewTicketForm,
    errors: Vec<Msg>,
    subject_max: usize,
    limits: uploads::FileLimits,
    /// The priorities offered, when the portal lets customers choose (`ticket_customer_priority`).
    priorities: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewTicketForm {
    #[serde(default)]
    department: String,
    /// Read only when the portal lets customers choose; empty is normal.
    #[serde(default)]
    priority: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

impl NewTicketPage {
    fn selected(&self, id: &i64) -> bool {
        self.form.department == id.to_string()
    }

    fn priority_selected(&self, code: &str) -> bool {
        self.form.priority == code || (self.form.priority.is_empty() && code == Priority::Normal.as_str())
    }
}

/// The priority the customer asked for, if the portal lets them choose; otherwise normal.
/// `None` for a value that is not a priority.
fn chosen_priority(offered: bool, raw: &str) -> Option<Priority> {
    match raw.trim() {
        _ if !offered => Some(Priority::Normal),
        "" => Some(Priority::Normal),
        code => Priority::parse(code),
    }
}

async fn new_ticket_page(
    state: &AppState,
    user: PortalUser,
    csrf: String,
    form: NewTicketForm,
    errors: Vec<Msg>,
) -> AppResult<NewTicketPage> {
    let departments = crate::accounts::departments::list(&state.db, user.portal.portal.id).await?;
    let settings = settings::load(&state.db, user.portal.portal.id).await?;
    let priorities = if settings.customer_priority {
        Priority::ALL.iter().map(|p| (p.as_str(), super::manage::priority_label(*p))).collect()
    } else {
        Vec::new()
    };
    let limits = settings.into();
    Ok(NewTicketPage {
        priorities,
        csrf,
        portal: user.portal.clone(),
        u: user,
        departments,
        form,
        errors,
        subject_max: SUBJECT_MAX_CHARS,
        limits,
    })
}

/// `?subject=`: words to start the subject with (a knowledge-base search that found nothing).
#[derive(Deserialize, Default)]
pub(crate) struct Prefill {
    #[serde(default)]
    subject: String,
}

impl Prefill {
    /// The subject as the form may show it: one line, at most `SUBJECT_MAX_CHARS`.
    pub(crate) fn subject(&self) -> String {
        let clean = self.subject.chars().map(|c| if crate::web::input::is_forbidden_in_name(c) { ' ' } else { c });
        clean.collect::<String>().trim().chars().take(SUBJECT_MAX_CHARS).collect()
    }
}

async fn new_form(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfToken(csrf): CsrfToken,
    Query(prefill): Query<Prefill>,
) -> AppResult<Response> {
    if let Err(page) = customer_or_staff_page(&user, &csrf) {
        return Ok(*page);
    }
    let form = NewTicketForm { subject: prefill.subject(), ..NewTicketForm::default() };
    Ok(new_ticket_page(&state, user, csrf, form, vec![]).await?.into_response())
}

/// Tickets one customer may open in an hour: far more than a person writes, and a bound on the
/// email every ticket sends to its department's agents.
pub const TICKETS_PER_HOUR: crate::auth::codes::RequestLimit =
    crate::auth::codes::RequestLimit { min_interval_secs: 0, per_hour: 30 };

/// How long the customer must wait before opening another ticket, if they have opened
/// `TICKETS_PER_HOUR` in the last hour; counts this one otherwise.
async fn too_many_tickets(state: &AppState, portal_id: i64, customer_id: i64) -> AppResult<Option<i64>> {
    let keys = [(format!("customer-ticket:{portal_id}:{customer_id}"), TICKETS_PER_HOUR)];
    crate::auth::codes::wait_before(&state.db, &keys).await
}

/// Who may post is settled before the form is read, so that nobody else's files are stored.
async fn create(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfToken(csrf): CsrfToken,
    request: Request,
) -> AppResult<Response> {
    let customer = customer_for_change(&user)?;
    let portal_id = user.portal.portal.id;
    let upload = uploads::read::<NewTicketForm>(&state, portal_id, request).await?;
    let form = upload.form.clone();
    let departments = crate::accounts::departments::list(&state.db, portal_id).await?;
    // Only the portal's own departments: an id from elsewhere is refused before the database sees it.
    let department = form.department.trim().parse::<i64>().ok().filter(|id| departments.iter().any(|d| d.id == *id));
    let offered = settings::load(&state.db, portal_id).await?.customer_priority;
    let priority = chosen_priority(offered, &form.priority);
    let subject = check_subject(&form.subject);
    let message = check_message(&form.message);
    let (Some(department_id), Some(priority), Ok(subject), Ok(message)) = (department, priority, &subject, &message)
    else {
        let unknown = department.is_none().then(|| Msg::new("tickets-department-unknown"));
        let no_priority = priority.is_none().then(|| Msg::new("tickets-priority-unknown"));
        let choose_again = (!upload.files.is_empty()).then(|| Msg::new("attachments-choose-again"));
        let errors = [unknown, no_priority, subject.err(), message.err(), choose_again].into_iter().flatten().collect();
        upload.discard(&state.db).await;
        let page = new_ticket_page(&state, user, csrf, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if let Some(secs) = too_many_tickets(&state, portal_id, customer.id).await? {
        upload.discard(&state.db).await;
        let wait = Msg::new("tickets-wait").arg("wait", crate::auth::throttle::human_wait(secs));
        let page = new_ticket_page(&state, user, csrf, form, vec![wait]).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let new = NewTicket {
        portal_id,
        department_id,
        customer_id: Some(customer.id),
        requester_name: &customer.name,
        requester_email: &customer.email,
        verified: true,
        priority,
        subject,
        body: message,
        opened_by: Actor::Customer(customer.id),
    };
    let emails = super::notify::Context::new(&state, &user.portal.portal).await?;
    let now = now();
    let mut tx = state.db.writer().begin().await?;
    let created = store::create(&mut tx, &new, now).await?;
    upload.link(&mut tx, created.id, created.message_id, new.opened_by, &customer.name, now).await?;
    super::notify::ticket_created(&mut tx, &emails, created.id).await?;
    tx.commit().await?;
    state.outbox.notify();
    Ok(Redirect::to(&format!("{}/tickets/{}?msg=created", user.portal.base, created.number)).into_response())
}

// ---- the list --------------------------------------------------------------------------------

pub struct TicketRow {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub closed: bool,
    pub updated: String,
    pub last_speaker: String,
}

impl From<ListedTicket> for TicketRow {
    fn from(t: ListedTicket) -> TicketRow {
        TicketRow {
            number: t.number,
            subject: t.subject,
            status: status_label(t.status),
            closed: !t.status.is_active(),
            updated: crate::web::format_time(t.updated_at),
            last_speaker: if t.last_speaker == "customer" {
                crate::i18n::t("tickets-speaker-you")
            } else {
                crate::i18n::t("tickets-speaker-staff")
            },
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/portal_list.html")]
struct ListPage {
    csrf: String,
    portal: CurrentPortal,
    u: PortalUser,
    filter: &'static str,
    tickets: Vec<TicketRow>,
    /// The "older" link's cursor.
    next: Option<String>,
    first_page: bool,
    /// The words searched for ("" when none).
    q: String,
    /// `&q=...` for the list's links, or "".
    q_param: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    before: Option<String>,
    /// Words to find in the customer's tickets.
    q: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let customer = match customer_or_staff_page(&user, &csrf) {
        Ok(c) => c,
        Err(page) => return Ok(*page),
    };
    let filter = Filter::parse(q.status.as_deref());
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(raw) => Some(Cursor::parse(raw).ok_or_else(|| AppError::bad_request(Msg::new("tickets-bad-page")))?),
    };
    let q: String = q.q.as_deref().unwrap_or_default().trim().chars().take(200).collect();
    let words = (!q.is_empty()).then(|| crate::search::Terms::parse(&q));
    let portal_id = user.portal.portal.id;
    let (tickets, next) = queries::list(&state.db, portal_id, customer.id, filter, words.as_ref(), before).await?;
    let q_param = if q.is_empty() {
        String::new()
    } else {
        format!("&{}", url::form_urlencoded::Serializer::new(String::new()).append_pair("q", &q).finish())
    };
    let page = ListPage {
        csrf,
        portal: user.portal.clone(),
        u: user,
        filter: filter.code(),
        tickets: tickets.into_iter().map(TicketRow::from).collect(),
        next: next.map(Cursor::encode),
        first_page: before.is_none(),
        q,
        q_param,
    };
    Ok(page.into_response())
}

// ---- one ticket ------------------------------------------------------------------------------

pub struct MessageView {
    pub id: i64,
    pub author: String,
    pub from_customer: bool,
    pub body: String,
    pub when: String,
    pub files: Vec<FileLink>,
}

/// A file under a message: its download link's id, its name and its size for people.
pub struct FileLink {
    pub id: i64,
    pub filename: String,
    pub size: String,
}

impl From<downloads::ListedFile> for FileLink {
    fn from(f: downloads::ListedFile) -> FileLink {
        FileLink { id: f.id, size: downloads::human_size(f.size), filename: f.filename }
    }
}

impl MessageView {
    fn new(m: ThreadMessage, files: Vec<downloads::ListedFile>) -> MessageView {
        MessageView {
            id: m.id,
            author: m.author_name,
            from_customer: m.from_customer,
            body: m.body,
            when: crate::web::format_time(m.created_at),
            files: files.into_iter().map(FileLink::from).collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/portal_ticket.html")]
struct TicketPage {
    csrf: String,
    portal: CurrentPortal,
    u: PortalUser,
    ticket: OwnTicket,
    status: String,
    closed: bool,
    created: String,
    updated: String,
    messages: Vec<MessageView>,
    notice: Option<Msg>,
    errors: Vec<Msg>,
    reply: String,
    limits: Option<uploads::FileLimits>,
    /// Where the page's forms post.
    here: String,
    files_base: String,
    /// The satisfaction form, once the ticket is resolved or closed.
    rating: Option<super::satisfaction::RatingView>,
}

/// The public thread of a ticket with the files of each message, as its requester sees it.
pub async fn public_messages(db: &crate::db::Db, portal_id: i64, ticket_id: i64) -> AppResult<Vec<MessageView>> {
    let messages = super::store::thread(db, portal_id, ticket_id, Thread::Public).await?;
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let mut files = downloads::of_messages(db, portal_id, &ids).await?;
    Ok(messages
        .into_iter()
        .map(|m| {
            let files = files.remove(&m.id).unwrap_or_default();
            MessageView::new(m, files)
        })
        .collect())
}

async fn ticket_page(state: &AppState, user: PortalUser, csrf: String, ticket: OwnTicket) -> AppResult<TicketPage> {
    let portal_id = user.portal.portal.id;
    let messages = public_messages(&state.db, portal_id, ticket.id).await?;
    let limits = Some(settings::load(&state.db, portal_id).await?.into());
    let here = format!("{}/tickets/{}", user.portal.base, ticket.number);
    let rating =
        super::satisfaction::form_for(&state.db, portal_id, ticket.id, ticket.status, format!("{here}/rating")).await?;
    Ok(TicketPage {
        rating,
        files_base: format!("{here}/files"),
        here,
        csrf,
        portal: user.portal.clone(),
        u: user,
        status: status_label(ticket.status),
        closed: ticket.status == Status::Closed,
        created: crate::web::format_time(ticket.created_at),
        updated: crate::web::format_time(ticket.updated_at),
        ticket,
        messages,
        notice: None,
        errors: vec![],
        reply: String::new(),
        limits,
    })
}

/// The customer's own ticket with the number in the address, or 404.
async fn own_ticket(state: &AppState, customer: &Customer, portal_id: i64, raw: &str) -> AppResult<OwnTicket> {
    let number = parse_number(raw)?;
    let mut conn = state.db.pool().acquire().await?;
    queries::find_own(&mut conn, portal_id, customer.id, number).await?.ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    msg: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    user: PortalUser,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, number)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let customer = match customer_or_staff_page(&user, &csrf) {
        Ok(c) => c,
        Err(page) => return Ok(*page),
    };
    let ticket = own_ticket(&state, &customer, user.portal.portal.id, &number).await?;
    let mut page = ticket_page(&state, user, csrf, ticket).await?;
    page.notice = match q.msg.as_deref() {
        Some("created") => Some(Msg::new("tickets-notice-created")),
        Some("replied") => Some(Msg::new("tickets-notice-replied")),
        Some("closed") => Some(Msg::new("tickets-notice-closed")),
        Some("reopened") => Some(Msg::new("tickets-notice-reopened")),
        Some("rated") => Some(Msg::new("ticket-rating-saved")),
        _ => None,
    };
    Ok(page.into_response())
}

mod changes;
mod files;
use changes::{close, reopen, reply};

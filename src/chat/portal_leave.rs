//! Leaving a message when nobody can chat (no agent available, or outside the department's
//! hours): the customer's message becomes a ticket in that department, made by the tickets'
//! own code (`tickets::store::create` and its notifications for a customer; the visitors'
//! path, with its private link by email, for a visitor).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::portal::{Availability, Checked, StartForm, Starter, check, starter};
use crate::accounts::Email;
use crate::accounts::departments;
use crate::auth::codes::{self, RequestLimit};
use crate::auth::extract::{MaybePortalUser, PortalUser};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::portals::resolve::CurrentPortal;
use crate::tickets::portal::{SUBJECT_MAX_CHARS, check_subject};
use crate::tickets::store::NewTicket;
use crate::tickets::{Actor, Priority};
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

/// Messages left by visitors from one client address in an hour (each sends an email).
pub const LEFT_PER_CLIENT: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 10 };
/// Messages left by one customer in an hour.
pub const LEFT_PER_CUSTOMER: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 30 };

pub fn router() -> Router<AppState> {
    Router::new().route("/portal/{slug}/chat/leave", post(leave))
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/portal_leave.html")]
pub struct LeavePage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    visitor: bool,
    form: LeaveForm,
    errors: Vec<Msg>,
    /// Why there is no chat now.
    reason: Msg,
    hours: Vec<String>,
    zone: String,
    subject_max: usize,
}

#[derive(Deserialize, Default, Clone)]
pub struct LeaveForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// The first line of a message, as a subject.
fn subject_from(message: &str) -> String {
    let first = message.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    let clean: String = first.chars().filter(|c| !crate::web::input::is_forbidden_in_name(*c)).collect();
    clean.chars().take(SUBJECT_MAX_CHARS).collect()
}

/// The page offering to leave a message, filled with what the chat would have started with.
pub(crate) fn offer(
    portal: CurrentPortal,
    user: Option<PortalUser>,
    csrf: String,
    checked: &Checked,
    why: Availability,
) -> LeavePage {
    let (reason, hours, zone) = match why {
        Availability::Closed { hours, zone } => (Msg::new("chat-leave-closed"), hours, zone),
        _ => (Msg::new("chat-leave-nobody"), vec![], String::new()),
    };
    let form = LeaveForm {
        department: checked.department_id.to_string(),
        subject: subject_from(&checked.message),
        message: checked.message.clone(),
        name: checked.name.clone(),
        email: checked.email.clone(),
    };
    let visitor = user.is_none();
    LeavePage { csrf, portal, user, visitor, form, errors: vec![], reason, hours, zone, subject_max: SUBJECT_MAX_CHARS }
}

async fn admit(state: &AppState, portal_id: i64, starter: &Starter, client: &Client) -> AppResult<Option<i64>> {
    let key = match starter {
        Starter::Customer(c) => (format!("chat-leave:{portal_id}:{}", c.id), LEFT_PER_CUSTOMER),
        Starter::Visitor => (format!("chat-leave-ip:{}", client.ip), LEFT_PER_CLIENT),
    };
    codes::wait_before(&state.db, &[key]).await
}

async fn leave(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<LeaveForm>,
) -> AppResult<Response> {
    let starter = match starter(&state, &portal, user.as_ref()).await {
        Ok(s) => s,
        Err(answer) => return Ok(answer),
    };
    let portal_id = portal.portal.id;
    let departments = departments::list(&state.db, portal_id).await?;
    let as_start = StartForm {
        department: form.department.clone(),
        message: form.message.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        confirm: String::new(),
    };
    let checked = check(&as_start, &departments, &starter);
    let subject = check_subject(&form.subject);
    let (checked, subject) = match (checked, subject) {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => {
            let errors: Vec<Msg> = c.err().unwrap_or_default().into_iter().chain(s.err()).collect();
            let visitor = user.is_none();
            let reason = Msg::new("chat-leave-nobody");
            let page = LeavePage {
                csrf,
                portal,
                user,
                visitor,
                form,
                errors,
                reason,
                hours: vec![],
                zone: String::new(),
                subject_max: SUBJECT_MAX_CHARS,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if let Some(secs) = admit(&state, portal_id, &starter, &client).await? {
        let wait = crate::auth::throttle::human_wait(secs);
        return Err(AppError::TooManyRequests(Msg::new("chat-wait").arg("wait", wait)));
    }
    match starter {
        Starter::Customer(customer) => {
            let number = customer_ticket(&state, &portal, &customer, &checked, &subject).await?;
            Ok(Redirect::to(&format!("{}/tickets/{number}?msg=created", portal.base)).into_response())
        }
        Starter::Visitor => {
            let email =
                Email::parse(&checked.email).map_err(|_| AppError::bad_request(Msg::new("chat-email-invalid")))?;
            let submission = crate::tickets::visitors::Submission {
                name: checked.name,
                email,
                department_id: checked.department_id,
                subject,
                message: checked.message,
            };
            crate::tickets::visitors::create(&state, &portal.portal, &submission).await?;
            Ok(Redirect::to(&format!("{}/tickets/submit/sent", portal.base)).into_response())
        }
    }
}

/// The customer's ticket, as the new-ticket form makes it; its number.
async fn customer_ticket(
    state: &AppState,
    portal: &CurrentPortal,
    customer: &crate::accounts::customers::Customer,
    checked: &Checked,
    subject: &str,
) -> AppResult<i64> {
    let new = NewTicket {
        portal_id: portal.portal.id,
        department_id: checked.department_id,
        customer_id: Some(customer.id),
        requester_name: &customer.name,
        requester_email: &customer.email,
        verified: true,
        priority: Priority::Normal,
        subject,
        body: &checked.message,
        opened_by: Actor::Customer(customer.id),
    };
    let emails = crate::tickets::notify::Context::new(state, &portal.portal).await?;
    let mut tx = state.db.writer().begin().await?;
    let created = crate::tickets::store::create(&mut tx, &new, now()).await?;
    crate::tickets::notify::ticket_created(&mut tx, &emails, created.id).await?;
    tx.commit().await?;
    state.outbox.notify();
    Ok(created.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_is_the_first_line() {
        assert_eq!(subject_from("\n  Printer on fire\nsince Monday"), "Printer on fire");
        assert_eq!(subject_from(&"a".repeat(300)).len(), SUBJECT_MAX_CHARS);
    }
}

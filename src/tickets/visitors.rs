//! Tickets from visitors: people who are not signed in submit one with their name and email
//! address, when the portal allows it (`ticket_visitors`, off by default).
//!
//! Anyone can type anyone's address, so the ticket starts unverified and belongs to no customer.
//! The visitor gets one email with a private link (`links`): opening it proves the address is
//! theirs, marks the ticket verified and, when a customer of the portal has that address, makes
//! it theirs (it then shows in their list). The link reads and answers that one ticket only.
//! Submissions are limited per address and per client, and the answer is the same whether or
//! not the address belongs to a customer. Texts in `locales/*/ticket-visitors.ftl`.

mod follow;
pub mod links;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

pub use links::{LINK_LIFETIME_SECS, follow_path, issue_link};

use super::portal::{SUBJECT_MAX_CHARS, check_message, check_subject};
use super::store::{self, NewTicket};
use super::{Actor, Priority};
use crate::accounts::Email;
use crate::accounts::departments::{self, Department};
use crate::auth::codes::{self, RequestLimit};
use crate::auth::emails::EmailContent;
use crate::auth::extract::MaybePortalUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, Texts as _, render_in, t, t1, t2};
use crate::portals::Portal;
use crate::portals::resolve::CurrentPortal;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::VisitorLink;
use crate::web::state::AppState;

/// Tickets one email address may be sent in an hour (from any portal): each sends it an email.
pub const PER_EMAIL: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 5 };
/// Tickets from one client address in an hour (several people may share one).
pub const PER_CLIENT: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 20 };
const NAME_MAX_CHARS: usize = 100;

pub fn router() -> Router<AppState> {
    // The link's token is in these addresses: no page sends it on in a `Referer`.
    let private = Router::new()
        .route("/portal/{slug}/tickets/follow/{token}", get(follow::show))
        .route("/portal/{slug}/tickets/follow/{token}/reply", post(follow::reply))
        .route("/portal/{slug}/tickets/follow/{token}/close", post(follow::close))
        .route("/portal/{slug}/tickets/follow/{token}/reopen", post(follow::reopen))
        .route("/portal/{slug}/tickets/follow/{token}/rating", post(follow::rate))
        .route("/portal/{slug}/tickets/follow/{token}/files/{attachment}", get(follow::download))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")));
    Router::new()
        .route("/portal/{slug}/tickets/submit", get(form).post(submit))
        .route("/portal/{slug}/tickets/submit/sent", get(sent))
        .merge(private)
}

/// The link on the portal's sign-in page, shown while visitors may submit tickets.
pub const VISITOR_LINK: VisitorLink = VisitorLink {
    path: "/tickets/submit",
    label: "ticket-visitors-link",
    offered: |db, portal| Box::pin(offered(db, portal)),
};

pub(crate) async fn offered(db: &crate::db::Db, portal: &Portal) -> Result<bool, sqlx::Error> {
    Ok(super::settings::load(db, portal.id).await?.visitors)
}

/// The portal takes tickets from visitors, or the page does not exist.
async fn ensure_offered(state: &AppState, portal: &CurrentPortal) -> AppResult<()> {
    if offered(&state.db, &portal.portal).await? { Ok(()) } else { Err(AppError::NotFound) }
}

#[derive(Deserialize, Default, Clone)]
pub struct VisitorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/visitor_new.html")]
struct FormPage {
    csrf: String,
    portal: CurrentPortal,
    departments: Vec<Department>,
    form: VisitorForm,
    errors: Vec<Msg>,
    subject_max: usize,
}

impl FormPage {
    fn selected(&self, id: &i64) -> bool {
        self.form.department == id.to_string()
    }
}

async fn form_page(state: &AppState, portal: CurrentPortal, csrf: String, form: VisitorForm) -> AppResult<FormPage> {
    let departments = departments::list(&state.db, portal.portal.id).await?;
    Ok(FormPage { csrf, portal, departments, form, errors: vec![], subject_max: SUBJECT_MAX_CHARS })
}

/// Someone signed in submits with their account instead.
fn to_account_form(portal: &CurrentPortal) -> Response {
    Redirect::to(&format!("{}/tickets/new", portal.base)).into_response()
}

async fn form(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    Query(prefill): Query<super::portal::Prefill>,
) -> AppResult<Response> {
    ensure_offered(&state, &portal).await?;
    if user.is_some() {
        return Ok(to_account_form(&portal));
    }
    let form = VisitorForm { subject: prefill.subject(), ..VisitorForm::default() };
    Ok(form_page(&state, portal, csrf, form).await?.into_response())
}

/// A submission that passed every check.
pub(crate) struct Submission {
    pub(crate) name: String,
    pub(crate) email: Email,
    pub(crate) department_id: i64,
    pub(crate) subject: String,
    pub(crate) message: String,
}

fn check_name(name: &str) -> Result<String, Msg> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Msg::new("ticket-visitors-name-required"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Msg::new("person-name-too-long"));
    }
    if name.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("person-name-forbidden-characters"));
    }
    Ok(name.to_string())
}

fn check(form: &VisitorForm, departments: &[Department]) -> Result<Submission, Vec<Msg>> {
    let name = check_name(&form.name);
    let email = Email::parse(&form.email).map_err(|_| Msg::new("ticket-visitors-email-invalid"));
    // Only the portal's own departments: an id from elsewhere is refused before the database sees it.
    let department = form.department.trim().parse::<i64>().ok().filter(|id| departments.iter().any(|d| d.id == *id));
    let department = department.ok_or_else(|| Msg::new("tickets-department-unknown"));
    let subject = check_subject(&form.subject);
    let message = check_message(&form.message);
    match (name, email, department, subject, message) {
        (Ok(name), Ok(email), Ok(department_id), Ok(subject), Ok(message)) => {
            Ok(Submission { name, email, department_id, subject, message })
        }
        (name, email, department, subject, message) => {
            Err([name.err(), email.err(), department.err(), subject.err(), message.err()]
                .into_iter()
                .flatten()
                .collect())
        }
    }
}

/// Counts a submission against the address's and the client's hourly limits; the seconds to
/// wait when either is reached (nothing is counted then).
async fn admit(state: &AppState, client: &Client, email: &Email) -> AppResult<Option<i64>> {
    let keys = [
        (format!("visitor-ticket:{}", email.lower()), PER_EMAIL),
        (format!("visitor-ticket-ip:{}", client.ip), PER_CLIENT),
    ];
    codes::wait_before(&state.db, &keys).await
}

async fn submit(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<VisitorForm>,
) -> AppResult<Response> {
    ensure_offered(&state, &portal).await?;
    if user.is_some() {
        return Ok(to_account_form(&portal));
    }
    let mut page = form_page(&state, portal, csrf, form).await?;
    let submission = match check(&page.form, &page.departments) {
        Ok(s) => s,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if let Some(secs) = admit(&state, &client, &submission.email).await? {
        let wait = crate::auth::throttle::human_wait(secs);
        page.errors = vec![Msg::new("ticket-visitors-wait").arg("wait", wait)];
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    create(&state, &page.portal.portal, &submission).await?;
    Ok(Redirect::to(&format!("{}/tickets/submit/sent", page.portal.base)).into_response())
}

/// Writes the unverified ticket, its link and the email carrying the link, all or nothing. The
/// email is in the language the visitor used the form in.
pub(crate) async fn create(state: &AppState, portal: &Portal, s: &Submission) -> AppResult<()> {
    let lang = Lang::current();
    let sender_name = crate::portals::settings::load(&state.db, portal.id).await?.sender_name;
    let new = NewTicket {
        portal_id: portal.id,
        department_id: s.department_id,
        customer_id: None,
        requester_name: &s.name,
        requester_email: s.email.as_str(),
        verified: false,
        priority: Priority::Normal,
        subject: &s.subject,
        body: &s.message,
        opened_by: Actor::Other,
    };
    let now = now();
    let mut tx = state.db.writer().begin().await?;
    let created = store::create(&mut tx, &new, now).await?;
    let token = issue_link(&mut tx, portal.id, created.id, now).await?;
    let url = format!("{}{}", state.portal_url(portal), follow_path(&token));
    let email = render_in(lang, || link_email(&s.name, &portal.name, created.number, &s.subject, &url));
    crate::outbox::enqueue_email(&mut tx, &email.to(s.email.as_str(), Some(portal.id), sender_name)).await?;
    // The department's agents hear of it as of any ticket (the unverified requester gets only
    // the link above).
    let emails = super::notify::Context::new(state, portal).await?;
    super::notify::ticket_created(&mut tx, &emails, created.id).await?;
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(portal = %portal.slug, number = created.number, "visitor's ticket submitted; link queued");
    Ok(())
}

/// The email with the private link to a visitor's ticket, in the current language (build it
/// inside `render_in`).
pub fn link_email(name: &str, place: &str, number: i64, subject: &str, url: &str) -> EmailContent {
    let received = Msg::new("ticket-visitors-email-received").arg("number", number).arg("subject", subject);
    EmailContent {
        subject: t2("ticket-visitors-email-subject", "number", number, "place", place),
        greeting: t1("email-greeting", "name", name),
        paragraphs: vec![received.to_string(), t("ticket-visitors-email-how")],
        action: Some((t("ticket-visitors-email-action"), url.to_string())),
        after: vec![t("ticket-visitors-email-private"), t("ticket-visitors-email-unexpected")],
        signature: place.to_string(),
        lang: Lang::current(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/visitor_sent.html")]
struct SentPage {
    portal: CurrentPortal,
}

async fn sent(State(state): State<AppState>, portal: CurrentPortal) -> AppResult<Response> {
    ensure_offered(&state, &portal).await?;
    Ok(SentPage { portal }.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_email_carries_the_link_in_both_parts_and_each_language() {
        let url = "https://help.example.com/tickets/follow/abc";
        let email = render_in(Lang::En, || link_email("Ana", "Acme", 1001, "Printer <fire>", url));
        let email = email.to("ana@x.test", Some(1), None);
        assert!(email.subject.contains("1001") && email.subject.contains("Acme"), "{}", email.subject);
        assert!(email.text.contains(url) && email.html.contains(url));
        assert!(email.text.contains("Printer <fire>") && !email.html.contains("<fire>"));
        let pt = render_in(Lang::PtBr, || link_email("Ana", "Acme", 1001, "S", url)).to("ana@x.test", None, None);
        assert!(pt.text.contains("Olá, Ana!") && pt.text.contains("chamado"), "{}", pt.text);
    }

    #[test]
    fn names_are_required_and_kept_to_one_plain_line() {
        assert_eq!(check_name("  Ana  "), Ok("Ana".to_string()));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"a".repeat(101)).is_err());
        assert!(check_name("Ana\r\nBcc: x").is_err());
    }
}

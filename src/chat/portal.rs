//! The customers' side of chat (lane: talk): "Chat" in the portal's menu. A signed-in customer
//! (or, where the portal allows it, a visitor with a name and an email address) picks a
//! department and writes a first message; knowledge-base articles that may answer it are
//! offered first; then, if the department answers chats now, the chat starts and the customer
//! waits on its page (`portal_chat`). When nobody is available or it is outside the
//! department's hours, the page offers to leave a message instead (`portal_leave`), which
//! becomes a ticket. Every step works without script.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::Row;

use super::portal_access::{VISITOR_COOKIE_SECS, visitor_cookie};
use super::store::{self, NewChat, Origin};
use super::{hours, lanes, portal_settings};
use crate::accounts::Email;
use crate::accounts::departments::{self, Department};
use crate::auth::codes::{self, RequestLimit};
use crate::auth::extract::{MaybePortalUser, PortalPerson, PortalUser};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, Texts as _};
use crate::portals::resolve::CurrentPortal;
use crate::search::{ArticleSearch, Terms};
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::PortalMenuEntry;
use crate::web::state::AppState;
use crate::web::tokens::{random_token, token_hash};

pub const PORTAL_MENU: &[PortalMenuEntry] = &[PortalMenuEntry { path: "/chat", label: "chat-menu", order: 30 }];
pub const SETTINGS: &[crate::web::settings::SettingsGroup] = &[portal_settings::GROUP];

/// Chats one customer may start in an hour.
pub const CHATS_PER_CUSTOMER: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 20 };
/// Chats visitors from one client address may start in an hour.
pub const CHATS_PER_CLIENT: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 10 };
const NAME_MAX_CHARS: usize = 100;
const SUGGESTIONS: i64 = 5;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/{slug}/chat", get(start_form).post(start))
        .route("/static/chat.js", get(|| async { script(include_str!("../../static/chat.js")) }))
        .merge(super::portal_chat::router())
        .merge(super::portal_leave::router())
}

pub(crate) fn script(source: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        source,
    )
        .into_response()
}

/// The person starting a chat: a customer, or a visitor (when the portal lets them).
pub(crate) enum Starter {
    Customer(crate::accounts::customers::Customer),
    Visitor,
}

/// Who may start a chat here; otherwise the answer to give (the sign-in page, or the page staff
/// get).
pub(crate) async fn starter(
    state: &AppState,
    portal: &CurrentPortal,
    user: Option<&PortalUser>,
) -> Result<Starter, Response> {
    match user.map(|u| &u.person) {
        Some(PortalPerson::Customer(c)) => Ok(Starter::Customer(c.clone())),
        Some(PortalPerson::Staff(_)) => Err(AppError::forbidden(Msg::new("chat-staff-use-management")).into_response()),
        None => {
            let settings = portal_settings::load(&state.db, portal.portal.id)
                .await
                .map_err(|e| AppError::from(e).into_response())?;
            if settings.visitors {
                Ok(Starter::Visitor)
            } else {
                let next: String =
                    url::form_urlencoded::byte_serialize(format!("{}/chat", portal.base).as_bytes()).collect();
                Err(Redirect::to(&format!("{}/login?next={next}", portal.base)).into_response())
            }
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct StartForm {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub message: String,
    /// Visitors only.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// Set once the suggested articles were shown: start without showing them again.
    #[serde(default)]
    pub confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat/templates/portal_start.html")]
struct StartPage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    visitor: bool,
    departments: Vec<Department>,
    form: StartForm,
    errors: Vec<Msg>,
    /// Articles that may answer the message (shown before the chat starts).
    articles: Vec<(String, String)>,
    message_max: usize,
}

impl StartPage {
    fn selected(&self, id: &i64) -> bool {
        self.form.department == id.to_string()
    }
}

async fn start_page(
    state: &AppState,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    csrf: String,
    form: StartForm,
) -> AppResult<StartPage> {
    let departments = departments::list(&state.db, portal.portal.id).await?;
    let visitor = user.is_none();
    Ok(StartPage {
        csrf,
        portal,
        user,
        visitor,
        departments,
        form,
        errors: vec![],
        articles: vec![],
        message_max: store::BODY_MAX_CHARS,
    })
}

async fn start_form(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    if let Err(answer) = starter(&state, &portal, user.as_ref()).await {
        return Ok(answer);
    }
    if user.as_ref().is_some_and(PortalUser::must_change_password) {
        return Ok(Redirect::to(&format!("{}/profile?msg=must-change", portal.base)).into_response());
    }
    Ok(start_page(&state, portal, user, csrf, StartForm::default()).await?.into_response())
}

/// A start that passed every check.
pub(crate) struct Checked {
    pub department_id: i64,
    pub message: String,
    pub name: String,
    pub email: String,
}

fn check_name(name: &str) -> Result<String, Msg> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Msg::new("chat-name-required"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Msg::new("person-name-too-long"));
    }
    if name.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(Msg::new("person-name-forbidden-characters"));
    }
    Ok(name.to_string())
}

/// Checks a start form; a visitor's name and address too.
pub(crate) fn check(form: &StartForm, departments: &[Department], starter: &Starter) -> Result<Checked, Vec<Msg>> {
    let department = form.department.trim().parse::<i64>().ok().filter(|id| departments.iter().any(|d| d.id == *id));
    let department = department.ok_or_else(|| Msg::new("chat-department-unknown"));
    let message = super::ws::check_body(&form.message);
    let (name, email) = match starter {
        Starter::Customer(c) => (Ok(c.name.clone()), Ok(c.email.clone())),
        Starter::Visitor => (
            check_name(&form.name),
            Email::parse(&form.email).map(|e| e.as_str().to_string()).map_err(|_| Msg::new("chat-email-invalid")),
        ),
    };
    match (department, message, name, email) {
        (Ok(department_id), Ok(message), Ok(name), Ok(email)) => Ok(Checked { department_id, message, name, email }),
        (d, m, n, e) => Err([d.err(), m.err(), n.err(), e.err()].into_iter().flatten().collect()),
    }
}

/// Articles of the knowledge base that may answer `message`, as (address, title).
pub(crate) async fn suggestions(
    state: &AppState,
    portal: &CurrentPortal,
    user: Option<&PortalUser>,
    message: &str,
) -> AppResult<Vec<(String, String)>> {
    let text: String = message.chars().take(200).collect();
    let terms = Terms::parse(&text);
    if terms.is_empty() {
        return Ok(vec![]);
    }
    let reader = crate::kb::Reader::of(user);
    let search = ArticleSearch { portal_id: portal.portal.id, reader, terms: &terms, limit: SUGGESTIONS, offset: 0 };
    let hits = crate::kb::search_memo::articles(state, &search).await?;
    Ok(hits.into_iter().map(|h| (format!("{}/kb/articles/{}", portal.base, h.id), h.title)).collect())
}

/// Whether a department answers chats now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    Open,
    /// Outside its hours: the hours, one line per day, and their zone.
    Closed {
        hours: Vec<String>,
        zone: String,
    },
    NobodyAvailable,
}

pub async fn availability(state: &AppState, portal_id: i64, department_id: i64) -> AppResult<Availability> {
    let row = sqlx::query("SELECT chat_hours FROM departments WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(department_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    let stored: Option<String> = row.try_get("chat_hours")?;
    let now = crate::db::now();
    if !hours::open_at(stored.as_deref(), now) {
        let schedule = hours::parse(stored.as_deref().unwrap_or_default()).unwrap_or_default();
        return Ok(Availability::Closed { hours: schedule.describe(Lang::current()), zone: schedule.zone() });
    }
    if !lanes::anyone_available(state, portal_id, department_id).await? {
        return Ok(Availability::NobodyAvailable);
    }
    Ok(Availability::Open)
}

/// Counts a start against the hourly limits; the seconds to wait when one is reached.
async fn admit(state: &AppState, portal_id: i64, starter: &Starter, client: &Client) -> AppResult<Option<i64>> {
    let key = match starter {
        Starter::Customer(c) => (format!("chat-start:{portal_id}:{}", c.id), CHATS_PER_CUSTOMER),
        Starter::Visitor => (format!("chat-start-ip:{}", client.ip), CHATS_PER_CLIENT),
    };
    codes::wait_before(&state.db, &[key]).await
}

async fn start(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<StartForm>,
) -> AppResult<Response> {
    let starter = match starter(&state, &portal, user.as_ref()).await {
        Ok(s) => s,
        Err(answer) => return Ok(answer),
    };
    if user.as_ref().is_some_and(PortalUser::must_change_password) {
        return Err(AppError::forbidden(Msg::new("notice-must-change")));
    }
    let mut page = start_page(&state, portal, user, csrf, form).await?;
    let checked = match check(&page.form, &page.departments, &starter) {
        Ok(c) => c,
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if page.form.confirm.is_empty() {
        page.articles = suggestions(&state, &page.portal, page.user.as_ref(), &checked.message).await?;
        if !page.articles.is_empty() {
            return Ok(page.into_response());
        }
    }
    let portal_id = page.portal.portal.id;
    match availability(&state, portal_id, checked.department_id).await? {
        Availability::Open => {}
        closed => {
            return Ok(super::portal_leave::offer(page.portal, page.user, page.csrf, &checked, closed).into_response());
        }
    }
    if let Some(secs) = admit(&state, portal_id, &starter, &client).await? {
        let wait = crate::auth::throttle::human_wait(secs);
        page.errors = vec![Msg::new("chat-wait").arg("wait", wait)];
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let (id, token) = create(&state, portal_id, &starter, &checked, Origin::Portal).await?;
    let mut answer = Redirect::to(&format!("{}/chats/{id}", page.portal.base)).into_response();
    if let Some(token) = token {
        let cookie = state.cookies.set(&visitor_cookie(portal_id), &token, Some(VISITOR_COOKIE_SECS));
        answer.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(answer)
}

/// Creates the chat and hands it to routing; its id, and a visitor's new token.
pub(crate) async fn create(
    state: &AppState,
    portal_id: i64,
    starter: &Starter,
    checked: &Checked,
    origin: Origin,
) -> AppResult<(i64, Option<String>)> {
    let (customer_id, token) = match starter {
        Starter::Customer(c) => (Some(c.id), None),
        Starter::Visitor => (None, Some(random_token())),
    };
    let new = NewChat {
        portal_id,
        department_id: checked.department_id,
        customer_id,
        visitor_token_hash: token.as_deref().map(token_hash),
        requester_name: &checked.name,
        requester_email: &checked.email,
        language: Lang::current(),
        origin,
        first_message: &checked.message,
    };
    let id = store::create(&state.db, new).await?;
    lanes::enqueue(state, portal_id, id).await?;
    tracing::info!(portal_id, chat = id, "chat started");
    Ok((id, token))
}

//! Customer sign-in with a one-time code: enter email or mobile number, press "Get code", type
//! the 6-digit code that arrives by email, SMS or both (as the portal is set up), signed in.
//! The answer to "Get code" is the same whether or not the account exists, and the lookup and
//! sending happen after the response, so its timing tells nothing either.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::codes::{self, PER_ADDRESS, PER_IDENTITY, Verdict};
use super::emails::{EmailContent, recipient_language};
use super::known_browsers;
use super::portal_login::start_session;
use super::sessions::Subject;
use super::throttle::{self, Admission, Outcome};
use crate::accounts::Email;
use crate::accounts::customers::{self, Customer};
use crate::accounts::phone::Mobile;
use crate::auth::settings::{self as signin_settings, SignInMethods};
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::i18n::{Lang, Msg, render_in, t, t1};
use crate::outbox;
use crate::portals::resolve::CurrentPortal;
use crate::portals::settings;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;
use crate::web::tokens::random_token;

/// The browser's request token for a portal's code sign-in.
fn code_cookie(portal_id: i64) -> String {
    format!("fd_code_{portal_id}")
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/portal_code.html")]
struct CodePage {
    csrf: String,
    portal: CurrentPortal,
    sent: Option<String>,
    error: Option<String>,
}

/// What a person typed to identify themselves.
enum Identity {
    Email(Email),
    Mobile(Mobile),
}

impl Identity {
    fn parse(typed: &str) -> Result<Identity, Msg> {
        if typed.contains('@') {
            Email::parse(typed).map(Identity::Email)
        } else {
            Mobile::parse(typed)
                .map(Identity::Mobile)
                .map_err(|e| Msg::new("code-identity-invalid").arg("reason", e.to_string()))
        }
    }
    fn key(&self, portal_id: i64) -> String {
        match self {
            Identity::Email(e) => format!("code:{portal_id}:{}", e.lower()),
            Identity::Mobile(m) => format!("code:{portal_id}:{m}"),
        }
    }
}

fn channels_text(methods: SignInMethods) -> String {
    match (methods.email_code, methods.sms_code) {
        (true, true) => t("code-by-both"),
        (false, true) => t("code-by-sms"),
        _ => t("code-by-email"),
    }
}

#[derive(Deserialize)]
pub struct RequestForm {
    identity: String,
}

pub async fn request(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> AppResult<Response> {
    let methods = signin_settings::load(&state.db, portal.portal.id).await?.customer_signin;
    if !methods.codes() {
        return Err(AppError::bad_request(Msg::new("code-not-offered").arg("portal", &portal.portal.name)));
    }
    let identity = Identity::parse(form.identity.trim()).map_err(AppError::bad_request)?;
    let keys = [(identity.key(portal.portal.id), PER_IDENTITY), (format!("code-ip:{}", client.ip), PER_ADDRESS)];
    match codes::admit_request(&state.db, &keys).await {
        Ok(()) => {}
        Err(codes::AdmitError::Wait(wait)) => {
            let wait = throttle::human_wait(wait);
            return Err(AppError::TooManyRequests(Msg::new("code-wait-request").arg("wait", wait)));
        }
        Err(codes::AdmitError::Db(e)) => return Err(e.into()),
    }
    let request_token = random_token();
    let lifetime = state.code_lifetime_secs;
    let cookie = state.cookies.set(&code_cookie(portal.portal.id), &request_token, Some(lifetime + 300));
    let (bg_state, bg_portal) = (state.clone(), portal.clone());
    tokio::spawn(async move {
        if let Err(e) = send_code(&bg_state, &bg_portal, identity, methods, &request_token).await {
            tracing::error!(error = ?e, "could not queue a sign-in code");
        }
    });
    let sent = Msg::new("code-sent")
        .arg("identity", form.identity.trim())
        .arg("channels", channels_text(methods))
        .arg("minutes", lifetime / 60)
        .to_string();
    // Only a form can use this address; the switcher goes back to where the code is typed.
    crate::i18n::request::switcher_returns_to(format!("{}/login/code", portal.base));
    let page = CodePage { csrf, portal, sent: Some(sent), error: None };
    Ok(([(header::SET_COOKIE, cookie)], page).into_response())
}

/// Finds the customer and queues the code on every channel the portal uses and they have.
async fn send_code(
    state: &AppState,
    portal: &CurrentPortal,
    identity: Identity,
    methods: SignInMethods,
    request_token: &str,
) -> AppResult<()> {
    let pid = portal.portal.id;
    let customer = match &identity {
        Identity::Email(e) => customers::by_email(&state.db, pid, e).await?,
        Identity::Mobile(m) => customers::by_mobile(&state.db, pid, m).await?,
    };
    let Some(customer) = customer.filter(Customer::is_active) else { return Ok(()) };
    let mobile = customer.mobile.as_deref().filter(|_| methods.sms_code);
    if !methods.email_code && mobile.is_none() {
        tracing::info!(customer_id = customer.id, "sign-in code not sent: SMS only, and no mobile number on file");
        return Ok(());
    }
    let code = codes::generate_code();
    let minutes = state.code_lifetime_secs / 60;
    let name = &portal.portal.name;
    // In the customer's language, whoever asked and in whatever language.
    let lang = recipient_language(customer.language, Some(&portal.portal));
    let mut tx = state.db.writer().begin().await?;
    codes::store(&mut tx, pid, customer.id, request_token, &code, state.code_lifetime_secs).await?;
    if methods.email_code {
        let sender = settings::load(&state.db, pid).await?.sender_name;
        let email =
            render_in(lang, || code_email(&customer.name, name, &code, minutes)).to(&customer.email, Some(pid), sender);
        outbox::enqueue_email(&mut tx, &email).await?;
    }
    if let Some(mobile) = mobile {
        let text = Msg::new("code-sms").arg("code", &code).arg("portal", name).arg("minutes", minutes).in_lang(lang);
        outbox::enqueue_sms(&mut tx, Some(pid), mobile, &text).await?;
    }
    tx.commit().await?;
    state.outbox.notify();
    tracing::info!(
        customer_id = customer.id,
        email = methods.email_code,
        sms = mobile.is_some(),
        "sign-in code queued"
    );
    Ok(())
}

/// The email that carries a code, in the current language (see `render_in`).
fn code_email(customer: &str, portal: &str, code: &str, minutes: i64) -> EmailContent {
    EmailContent {
        subject: t1("email-code-subject", "portal", portal),
        greeting: t1("email-greeting", "name", customer),
        paragraphs: vec![t1("email-code-intro", "portal", portal), code.to_string()],
        action: None,
        after: vec![t1("email-code-after", "minutes", minutes)],
        signature: portal.to_string(),
        lang: Lang::current(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn page(portal: CurrentPortal, CsrfToken(csrf): CsrfToken) -> Response {
    CodePage { csrf, portal, sent: None, error: None }.into_response()
}

pub async fn verify(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> AppResult<Response> {
    let refuse = |status: StatusCode, message: String| {
        (status, CodePage { csrf: csrf.clone(), portal: portal.clone(), sent: None, error: Some(message) })
            .into_response()
    };
    let keys = [(format!("code-verify:{}", client.ip), throttle::PER_ADDRESS)];
    let admitted = match throttle::admit(&state.db, &keys).await? {
        Admission::Wait(secs) => {
            let message = t1("code-wait-verify", "wait", throttle::human_wait(secs));
            return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, message));
        }
        Admission::Admitted(a) => a,
    };
    // A browser that never asked for a code is checked like one whose code was never sent (a
    // request nobody made), so every refusal runs the same statements.
    let request_token =
        state.cookies.get(&headers, &code_cookie(portal.portal.id)).map_or_else(random_token, str::to_owned);
    match codes::verify(&state.db, portal.portal.id, &request_token, &form.code).await? {
        Verdict::SignIn(customer_id) => {
            throttle::finish(&state.db, &admitted, Outcome::Succeeded).await?;
            let subject = Subject::Customer(customer_id);
            let session = start_session(&state, &headers, &portal.portal, subject, &client).await?;
            let clear = state.cookies.clear(&code_cookie(portal.portal.id));
            // The code reached the customer's own mailbox or phone: this browser is theirs.
            let browser = known_browsers::token(&state.cookies, &headers);
            let known =
                known_browsers::remember(&state.db, &state.cookies, browser, subject, Some(portal.portal.id)).await?;
            let mut response = Redirect::to(&format!("{}/", portal.base)).into_response();
            for cookie in [Some(session), Some(clear), known].into_iter().flatten() {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Verdict::Refused => {
            throttle::finish(&state.db, &admitted, Outcome::Failed).await?;
            Ok(refuse(StatusCode::UNAUTHORIZED, t("code-refused")))
        }
    }
}

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
use super::emails::EmailContent;
use super::known_browsers;
use super::portal_login::start_session;
use super::sessions::Subject;
use super::throttle::{self, Admission, Outcome};
use crate::accounts::Email;
use crate::accounts::customers::{self, Customer};
use crate::accounts::phone::Mobile;
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::outbox;
use crate::portals::resolve::CurrentPortal;
use crate::portals::settings::{self, SignInMethods};
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;
use crate::web::tokens::random_token;

const REFUSED: &str =
    "That code is not correct, or it has expired or been used. Check the latest message, or ask for a new code.";

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
    fn parse(typed: &str) -> Result<Identity, String> {
        if typed.contains('@') {
            Email::parse(typed).map(Identity::Email).map_err(|e| e.to_string())
        } else {
            Mobile::parse(typed)
                .map(Identity::Mobile)
                .map_err(|e| format!("Enter your email address, or your mobile number. {e}"))
        }
    }
    fn key(&self, portal_id: i64) -> String {
        match self {
            Identity::Email(e) => format!("code:{portal_id}:{}", e.lower()),
            Identity::Mobile(m) => format!("code:{portal_id}:{m}"),
        }
    }
}

fn channels_text(methods: SignInMethods) -> &'static str {
    match (methods.email_code, methods.sms_code) {
        (true, true) => "by email and by SMS",
        (false, true) => "by SMS",
        _ => "by email",
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
    let methods = settings::load(&state.db, portal.portal.id).await?.customer_signin;
    if !methods.codes() {
        return Err(AppError::bad_request(format!(
            "{} does not offer sign-in codes. Sign in with your password.",
            portal.portal.name
        )));
    }
    let identity = Identity::parse(form.identity.trim()).map_err(AppError::bad_request)?;
    let keys = [(identity.key(portal.portal.id), PER_IDENTITY), (format!("code-ip:{}", client.ip), PER_ADDRESS)];
    match codes::admit_request(&state.db, &keys).await {
        Ok(()) => {}
        Err(codes::AdmitError::Wait(wait)) => {
            return Err(AppError::TooManyRequests(
                format!("A code was sent a moment ago. You can ask for another in {}.", throttle::human_wait(wait))
                    .into(),
            ));
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
    let sent = format!(
        "If {} has an account here, we have sent a 6-digit code {}. It expires in {} minutes.",
        form.identity.trim(),
        channels_text(methods),
        lifetime / 60
    );
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
    let mut tx = state.db.writer().begin().await?;
    codes::store(&mut tx, pid, customer.id, request_token, &code, state.code_lifetime_secs).await?;
    if methods.email_code {
        let sender = settings::load(&state.db, pid).await?.sender_name;
        let email = EmailContent {
            subject: format!("Your sign-in code for {name}"),
            greeting: format!("Hello {},", customer.name),
            paragraphs: vec![format!("Your code to sign in to {name} is:"), code.clone()],
            action: None,
            after: vec![format!(
                "It expires in {minutes} minutes and works once, in the browser where you asked for it. If you did not \
                 ask for it, ignore this email; nobody can sign in without it."
            )],
            signature: name.clone(),
        }
        .to(&customer.email, Some(pid), sender);
        outbox::enqueue_email(&mut tx, &email).await?;
    }
    if let Some(mobile) = mobile {
        let text =
            format!("{code} is your code to sign in to {name}. It expires in {minutes} minutes. Do not share it.");
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
            let message =
                format!("Too many wrong codes from your network. Wait {} and try again.", throttle::human_wait(secs));
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
            Ok(refuse(StatusCode::UNAUTHORIZED, REFUSED.into()))
        }
    }
}

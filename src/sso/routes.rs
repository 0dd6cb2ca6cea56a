//! `/auth/oidc/start` sends a person to their portal's Microsoft sign-in; `/auth/oidc/callback`
//! takes the answer and signs them in to the management interface (signing out is in
//! `sign_out`). Every failure a person can meet ends
//! on a page that says what happened and what to do; the technical cause goes to the log.

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

use super::accounts::{self, Resolution};
use super::flows::{self, BROWSER_COOKIE, FLOW_SECS, FLOWS_PER_ADDRESS, Taken};
use super::provider::{Directory, DirectoryUser, ProviderError};
use super::settings::{self, EntraSettings};
use super::{CALLBACK_PATH, start_path};
use crate::auth::extract::MANAGE_COOKIE;
use crate::auth::sessions::{self, Realm, Subject};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::portals::{self, Portal};
use crate::web::client::Client;
use crate::web::next::after_sign_in;
use crate::web::state::AppState;
use crate::web::tokens::{constant_time_eq, random_token, token_hash};

#[derive(Template, WebTemplate)]
#[template(path = "sso/templates/outcome.html")]
struct Outcome {
    title: Msg,
    message: Msg,
    good: bool,
    retry: Option<String>,
    back: String,
}

pub(super) fn login_path(portal: Option<&Portal>) -> String {
    match portal {
        Some(p) => format!("/manage/login?portal={}", p.slug),
        None => "/manage/login".into(),
    }
}

/// A page that ends a sign-in that did not succeed. `retry` offers to start again.
fn outcome(status: StatusCode, title: Msg, message: Msg, portal: Option<&Portal>, retry: bool) -> Response {
    follow_portal_language(portal);
    let page = Outcome {
        title,
        message,
        good: false,
        retry: portal.filter(|_| retry).map(|p| start_path(&p.slug)),
        back: login_path(portal),
    };
    (status, page).into_response()
}

fn provider_failed(e: &ProviderError, portal: &Portal) -> Response {
    tracing::warn!(portal = %portal.slug, error = %e, "Microsoft sign-in failed");
    match e {
        ProviderError::Unreachable(_) => outcome(
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("sso-unreachable-title"),
            Msg::new("sso-unreachable").arg("portal", &portal.name),
            Some(portal),
            true,
        ),
        ProviderError::Refused(_) => {
            outcome(StatusCode::BAD_GATEWAY, Msg::new("sso-refused-title"), Msg::new("sso-refused"), Some(portal), true)
        }
        ProviderError::Rejected(_) | ProviderError::UnknownKey(_) => outcome(
            StatusCode::UNAUTHORIZED,
            Msg::new("sso-not-verified-title"),
            Msg::new("sso-not-verified"),
            Some(portal),
            true,
        ),
    }
}

/// These pages are at server paths, not the portal's: they learn the portal from the flow, and
/// are in its language as its sign-in page is (a person's own choice still comes first).
fn follow_portal_language(portal: Option<&Portal>) {
    if let Some(portal) = portal {
        crate::i18n::request::set_portal_default(portal.default_language);
    }
}

fn not_enabled(portal: &Portal) -> Response {
    outcome(
        StatusCode::NOT_FOUND,
        Msg::new("sso-off-title"),
        Msg::new("sso-off").arg("portal", &portal.name),
        Some(portal),
        false,
    )
}

/// The tenant's provider, or the page to show when it cannot be reached.
async fn directory(state: &AppState, portal: &Portal, entra: &EntraSettings) -> Result<Arc<Directory>, Response> {
    let (Some(issuer), Some(client_id)) = (entra.issuer(), entra.client_id.as_deref()) else {
        return Err(not_enabled(portal));
    };
    // Stored before the operator narrowed the list, say: never trusted, never contacted.
    if !state.authority_hosts.allows(&entra.authority_host) {
        tracing::warn!(portal = %portal.slug, host = %entra.authority_host, "sign-in host not allowed by FRONTDESK_ENTRA_AUTHORITY_HOSTS");
        return Err(outcome(
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("sso-misconfigured-title"),
            Msg::new("sso-host-not-allowed"),
            Some(portal),
            false,
        ));
    }
    state.directories.get(&state.oidc_http, &issuer, client_id).await.map_err(|e| provider_failed(&e, portal))
}

/// Redeems the code and verifies the ID token; a token signed with a key this node has not seen
/// makes it fetch the tenant's keys again once.
async fn redeem_and_verify(
    state: &AppState,
    directory: &Directory,
    entra: &EntraSettings,
    secret: &str,
    code: &str,
    browser_secret: &str,
    flow_state: &str,
) -> Result<DirectoryUser, ProviderError> {
    let redirect = state.absolute(CALLBACK_PATH);
    let nonce = flows::derive("nonce", browser_secret, flow_state);
    let verifier = flows::derive("pkce", browser_secret, flow_state);
    let tenant = entra.tenant_id.as_deref().unwrap_or_default();
    let redeemed = directory.redeem(&state.oidc_http, secret, &redirect, code, &verifier).await?;
    match directory.verify(&redeemed, secret, &redirect, &nonce, tenant) {
        Err(ProviderError::UnknownKey(why)) => {
            tracing::info!(why, "ID token signed with a key not known here; fetching the tenant's keys again");
            let (issuer, client_id) = (entra.issuer().unwrap_or_default(), entra.client_id.clone().unwrap_or_default());
            let fresh = state.directories.refresh(&state.oidc_http, &issuer, &client_id).await?;
            fresh.verify(&redeemed, secret, &redirect, &nonce, tenant)
        }
        other => other,
    }
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    portal: String,
    #[serde(default)]
    next: String,
    login_hint: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<StartQuery>,
) -> AppResult<Response> {
    let portal = portals::by_slug(&state.db, &q.portal).await?.ok_or(AppError::NotFound)?;
    follow_portal_language(Some(&portal));
    let entra = settings::load(&state.db, portal.id).await?;
    if !entra.enabled {
        return Ok(not_enabled(&portal));
    }
    if flows::started_from(&state.db, &client.ip).await? >= FLOWS_PER_ADDRESS {
        return Err(AppError::TooManyRequests(Msg::new("sso-too-many")));
    }
    let directory = match directory(&state, &portal, &entra).await {
        Ok(d) => d,
        Err(page) => return Ok(page),
    };
    // One secret per browser, kept across flows, so two tabs signing in at once both work.
    let browser_secret = state.cookies.get(&headers, BROWSER_COOKIE).map(str::to_owned).unwrap_or_else(random_token);
    let flow_state = random_token();
    let next = after_sign_in(&q.next, &state.public_url, "/manage", "/manage");
    flows::create(&state.db, &flow_state, portal.id, &browser_secret, &next, &client.ip).await?;
    let hint = q.login_hint.as_deref().filter(|h| !h.is_empty() && h.len() <= 256);
    let url = directory
        .authorize_url(
            &state.absolute(CALLBACK_PATH),
            &flow_state,
            &flows::derive("nonce", &browser_secret, &flow_state),
            &flows::derive("pkce", &browser_secret, &flow_state),
            hint,
        )
        .map_err(|e| AppError::Internal(anyhow::anyhow!("authorization URL: {e}")))?;
    tracing::info!(portal = %portal.slug, ip = %client.ip, "Microsoft sign-in started");
    let cookie = state.cookies.set(BROWSER_COOKIE, &browser_secret, Some(FLOW_SECS));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    /// RFC 9207: the provider names itself, so an answer from another provider is caught.
    iss: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let Some(flow_state) = q.state.as_deref().filter(|s| !s.is_empty()) else {
        tracing::warn!(ip = %client.ip, "Microsoft sign-in answer without state");
        return Ok(outcome(
            StatusCode::BAD_REQUEST,
            Msg::new("sso-incomplete-title"),
            Msg::new("sso-no-state"),
            None,
            false,
        ));
    };
    let flow = match flows::take(&state.db, flow_state).await? {
        Taken::Fresh(flow) => flow,
        other => return stale_flow(&state, other, &client).await,
    };
    let portal = portals::by_id(&state.db, flow.portal_id).await?.ok_or(AppError::NotFound)?;
    follow_portal_language(Some(&portal));
    let browser_secret = state.cookies.get(&headers, BROWSER_COOKIE).unwrap_or_default().to_owned();
    if browser_secret.is_empty() || !constant_time_eq(&token_hash(&browser_secret), &flow.browser_hash) {
        tracing::warn!(portal = %portal.slug, ip = %client.ip, "Microsoft sign-in answer in another browser");
        return Ok(outcome(
            StatusCode::BAD_REQUEST,
            Msg::new("sso-other-browser-title"),
            Msg::new("sso-other-browser"),
            Some(&portal),
            true,
        ));
    }
    if let Some(error) = q.error.as_deref() {
        return Ok(provider_said_no(&portal, error, q.error_description.as_deref()));
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(outcome(
            StatusCode::BAD_REQUEST,
            Msg::new("sso-incomplete-title"),
            Msg::new("sso-no-code"),
            Some(&portal),
            true,
        ));
    };
    let entra = settings::load(&state.db, portal.id).await?;
    if !entra.enabled {
        return Ok(not_enabled(&portal));
    }
    if let Some(iss) = q.iss.as_deref()
        && Some(iss) != entra.issuer().as_deref()
    {
        return Ok(provider_failed(&ProviderError::Rejected(format!("answer from issuer {iss}")), &portal));
    }
    let Some(secret) = client_secret(&state, &portal, &entra) else {
        return Ok(outcome(
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("sso-misconfigured-title"),
            Msg::new("sso-secret-unreadable"),
            Some(&portal),
            false,
        ));
    };
    let directory = match directory(&state, &portal, &entra).await {
        Ok(d) => d,
        Err(page) => return Ok(page),
    };
    let user = match redeem_and_verify(&state, &directory, &entra, &secret, code, &browser_secret, flow_state).await {
        Ok(user) => user,
        Err(e) => return Ok(provider_failed(&e, &portal)),
    };
    let resolution = accounts::resolve(&state, &portal, &entra, &user).await?;
    answer(&state, &headers, &client, &portal, &flow.next, resolution, &user).await
}

/// What the person sees once the directory vouched for them: signed in, waiting for approval,
/// or refused with the reason.
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    client: &Client,
    portal: &Portal,
    next: &str,
    resolution: Resolution,
    user: &DirectoryUser,
) -> AppResult<Response> {
    match resolution {
        Resolution::SignIn(account) => {
            let token = sessions::start_signed_in_by(
                &state.db,
                state.sessions,
                Realm::Manage,
                Subject::Staff(account.id),
                Some(portal.id),
                client,
                Some(portal.id),
            )
            .await?;
            if let Some(old) = state.cookies.get(headers, MANAGE_COOKIE) {
                sessions::end_by_token(&state.db, old).await?;
            }
            tracing::info!(staff_id = account.id, portal = %portal.slug, ip = %client.ip, "staff signed in with Microsoft");
            let target = after_sign_in(next, &state.public_url, "/manage", "/manage");
            let mut response = Redirect::to(&target).into_response();
            let headers = response.headers_mut();
            headers.append(header::SET_COOKIE, state.cookies.set(MANAGE_COOKIE, &token, None));
            headers.append(header::SET_COOKIE, state.cookies.clear(BROWSER_COOKIE));
            Ok(response)
        }
        Resolution::AwaitingApproval => {
            let page = Outcome {
                title: Msg::new("sso-awaiting-approval-title"),
                message: Msg::new("sso-awaiting-approval").arg("portal", &portal.name),
                good: true,
                retry: None,
                back: login_path(Some(portal)),
            };
            Ok((StatusCode::FORBIDDEN, page).into_response())
        }
        Resolution::Refused(title, message) => {
            tracing::info!(portal = %portal.slug, tid = %user.tenant_id, oid = %user.object_id, why = %message.english(), "Microsoft sign-in refused");
            Ok(outcome(StatusCode::FORBIDDEN, title, message, Some(portal), false))
        }
    }
}

/// The answer of a flow that was used already, expired, or never existed.
async fn stale_flow(state: &AppState, taken: Taken, client: &Client) -> AppResult<Response> {
    let (title, message, portal_id) = match taken {
        Taken::Used(p) => (Msg::new("sso-used-title"), Msg::new("sso-used"), Some(p)),
        Taken::Expired(p) => {
            (Msg::new("sso-expired-title"), Msg::new("sso-expired").arg("minutes", FLOW_SECS / 60), Some(p))
        }
        _ => (Msg::new("sso-unknown-title"), Msg::new("sso-unknown"), None),
    };
    tracing::warn!(ip = %client.ip, title = %title.english(), "Microsoft sign-in answer refused");
    let portal = match portal_id {
        Some(id) => portals::by_id(&state.db, id).await?,
        None => None,
    };
    Ok(outcome(StatusCode::BAD_REQUEST, title, message, portal.as_ref(), true))
}

fn provider_said_no(portal: &Portal, error: &str, description: Option<&str>) -> Response {
    tracing::info!(portal = %portal.slug, error, description, "Microsoft sign-in ended at the provider");
    if error == "access_denied" {
        return outcome(
            StatusCode::UNAUTHORIZED,
            Msg::new("sso-cancelled-title"),
            Msg::new("sso-cancelled"),
            Some(portal),
            true,
        );
    }
    let shown: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
    outcome(
        StatusCode::BAD_GATEWAY,
        Msg::new("sso-provider-error-title"),
        Msg::new("sso-provider-error").arg("error", shown),
        Some(portal),
        true,
    )
}

fn client_secret(state: &AppState, portal: &Portal, entra: &EntraSettings) -> Option<String> {
    entra
        .client_secret(portal.id, state.secret_key.as_ref())
        .inspect_err(|why| tracing::error!(portal = %portal.slug, why, "Entra ID client secret cannot be read"))
        .ok()
        .flatten()
}

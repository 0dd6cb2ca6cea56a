//! CSRF protection for every form.
//!
//! Each browser gets a random `fd_csrf` cookie (HttpOnly, SameSite=Lax) and every form carries the
//! same value in a hidden `csrf` field. Another site can make a browser send the cookie but can
//! neither read it nor guess it, so it cannot fill the field. A form posted with an `Origin`
//! header naming another site is refused as well, before any of it is read.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::Msg;
use crate::web::host_and_port;
use crate::web::state::AppState;
use crate::web::tokens::{constant_time_eq, random_token};

const COOKIE: &str = "fd_csrf";
/// Kept for a year so that a form left open for hours still posts.
const COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The token to put in this page's forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Middleware: makes sure the browser has a CSRF cookie and the handler knows its value.
pub async fn ensure_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing = state.cookies.get(req.headers(), COOKIE).filter(|v| v.len() == 43).map(str::to_owned);
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (random_token(), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if fresh {
        resp.headers_mut().append(header::SET_COOKIE, state.cookies.set(COOKIE, &token, Some(COOKIE_MAX_AGE)));
    }
    resp
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("CSRF middleware is not installed")))
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A url-encoded form whose CSRF field has been checked. Use it for every POST handler.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        check_origin(req.headers(), state)?;
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::bad_request(Msg::new("form-not-a-form")));
        }
        let cookie = state.cookies.get(req.headers(), COOKIE).map(str::to_owned);
        let body = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::bad_request(Msg::new("form-incomplete"))
            }
        })?;
        let field: CsrfField =
            serde_urlencoded::from_bytes(&body).map_err(|_| AppError::bad_request(Msg::new("form-unreadable")))?;
        if !field_matches(cookie.as_deref(), &field.csrf) {
            return Err(AppError::Csrf);
        }
        let value = serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::bad_request(Msg::new("form-wrong-field").arg("detail", e.to_string())))?;
        Ok(CsrfForm(value))
    }
}

/// The browser's CSRF cookie, for a form read otherwise than by `CsrfForm` (a multipart upload,
/// see `tickets::uploads`).
pub fn cookie_value(state: &AppState, headers: &HeaderMap) -> Option<String> {
    state.cookies.get(headers, COOKIE).map(str::to_owned)
}

/// Whether a form's `csrf` field is the browser's cookie: the check `CsrfForm` makes.
pub fn field_matches(cookie: Option<&str>, field: &str) -> bool {
    cookie.is_some_and(|c| constant_time_eq(c, field))
}

/// Refuses a form whose `Origin` names another host than the one it was sent to.
pub fn check_origin(headers: &HeaderMap, state: &AppState) -> Result<(), AppError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    if origin == "null" {
        return Err(AppError::Csrf);
    }
    let origin_host = url::Url::parse(origin).ok().as_ref().and_then(host_and_port);
    let request_host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let public_host = host_and_port(&state.public_url);
    match origin_host {
        Some(o) if Some(o.as_str()) == request_host || Some(&o) == public_host.as_ref() => Ok(()),
        _ => Err(AppError::Csrf),
    }
}

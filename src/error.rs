//! `AppError`: what a handler can fail with. Users see a plain message on an error page; the
//! cause of an internal error goes to the log only.

use askama::Template;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("CSRF check failed")]
    Csrf,
    #[error("request body too large")]
    TooLarge,
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A page with its own status and message (a used or expired link, say).
    #[error("{1}")]
    Page(StatusCode, String),
    /// The database cannot be reached (no connection within the acquire timeout, or a dropped
    /// one). Answered with 503 and `Retry-After`, logged as one line.
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

const INTERNAL_MESSAGE: &str = "Something went wrong on our side. Please try again in a moment.";

/// Seconds a client is asked to wait while the database is away.
const DATABASE_RETRY_AFTER_SECS: &str = "5";

impl AppError {
    pub fn bad_request(msg: impl Into<String>) -> Self {
        AppError::BadRequest(msg.into())
    }
    pub fn forbidden(msg: impl Into<String>) -> Self {
        AppError::Forbidden(msg.into())
    }

    fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "That page does not exist, or you may not see it.".into()),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired or was sent from another site. Go back, reload the page and try again.".into(),
            ),
            AppError::TooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "What you sent is too large. Shorten the text and try again.".into())
            }
            AppError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m.clone()),
            AppError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, m.clone()),
            AppError::Page(status, m) => (*status, m.clone()),
            AppError::DatabaseUnavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The help desk cannot reach its database at the moment. Please try again in a few seconds.".into(),
            ),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE.into()),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::db::is_unavailable(&e) { AppError::DatabaseUnavailable(e) } else { AppError::Internal(e.into()) }
    }
}

impl AppError {
    /// An internal error whose cause is the database being away is an outage, not a bug (it
    /// arrives this way when a handler wraps the database error in `anyhow`).
    fn outage_as_unavailable(self) -> AppError {
        match self {
            AppError::Internal(cause) => match cause.downcast::<sqlx::Error>() {
                Ok(e) => AppError::from(e),
                Err(cause) => AppError::Internal(cause),
            },
            other => other,
        }
    }
}

#[derive(Template)]
#[template(path = "web/templates/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    reference: Option<&'a str>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let error = self.outage_as_unavailable();
        let (status, message) = error.status_and_message();
        match &error {
            AppError::Internal(cause) => tracing::error!(error = format!("{cause:#}"), "request failed"),
            AppError::DatabaseUnavailable(cause) => {
                // One line per request (the span carries the request id), no backtrace.
                tracing::warn!(error = %cause, "database unavailable; answered 503");
                let mut response = error_page(status, &message);
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static(DATABASE_RETRY_AFTER_SECS));
                return response;
            }
            other => tracing::debug!(error = %other, "request refused"),
        }
        error_page(status, &message)
    }
}

/// Renders the error page for a status and a user-facing message, with the request's id for
/// the user to quote.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let reference = crate::serve::current_request_id();
    let page = ErrorPage {
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error"),
        message,
        reference: reference.as_deref(),
    };
    let body = page.render().unwrap_or_else(|_| message.to_string());
    (status, Html(body)).into_response()
}

/// The answer when a handler panics: the error page (500), and one log line with the panic's
/// message and the id the page shows.
pub fn panic_page(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let request_id = crate::serve::current_request_id().unwrap_or_default();
    tracing::error!(request_id, panic = message, "a handler panicked");
    error_page(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
}

pub type AppResult<T> = Result<T, AppError>;

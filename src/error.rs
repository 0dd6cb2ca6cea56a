//! `AppError`: what a handler can fail with. Users see a plain message on an error page; the
//! cause of an internal error goes to the log only.

use askama::Template;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::Texts as _;
use crate::i18n::{Lang, Msg};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0:?}")]
    BadRequest(Msg),
    #[error("forbidden: {0:?}")]
    Forbidden(Msg),
    #[error("CSRF check failed")]
    Csrf,
    #[error("request body too large")]
    TooLarge,
    #[error("too many requests: {0:?}")]
    TooManyRequests(Msg),
    #[error("unavailable: {0:?}")]
    Unavailable(Msg),
    /// A page with its own status and message (a used or expired link, say).
    #[error("{1:?}")]
    Page(StatusCode, Msg),
    /// The database cannot be reached (no connection within the acquire timeout, or a dropped
    /// one). Answered with 503 and `Retry-After`, logged as one line.
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Seconds a client is asked to wait while the database is away.
const DATABASE_RETRY_AFTER_SECS: &str = "5";

impl AppError {
    pub fn bad_request(msg: impl Into<Msg>) -> Self {
        AppError::BadRequest(msg.into())
    }
    pub fn forbidden(msg: impl Into<Msg>) -> Self {
        AppError::Forbidden(msg.into())
    }

    fn status_and_message(&self) -> (StatusCode, Msg) {
        match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, Msg::new("error-not-found")),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            AppError::Csrf => (StatusCode::FORBIDDEN, Msg::new("error-csrf")),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, Msg::new("error-too-large")),
            AppError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m.clone()),
            AppError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, m.clone()),
            AppError::Page(status, m) => (*status, m.clone()),
            AppError::DatabaseUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Msg::new("error-database-unavailable"))
            }
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, Msg::new("error-internal")),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::db::is_unavailable(&e) {
            AppError::DatabaseUnavailable(e)
        } else if refers_to_something_removed(&e) {
            // Two people at once: one removed what the other's change points at (a category
            // deleted while an article is written into it). The transaction wrote nothing.
            tracing::info!(error = %e, "a change referred to a row removed meanwhile");
            AppError::Page(StatusCode::CONFLICT, Msg::new("error-changed-meanwhile"))
        } else {
            AppError::Internal(e.into())
        }
    }
}

fn refers_to_something_removed(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
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
    title: String,
    message: String,
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
/// The page is in the request's language.
pub fn error_page(status: StatusCode, message: &Msg) -> Response {
    let reference = crate::serve::current_request_id();
    let lang = Lang::current();
    let page = ErrorPage {
        status: status.as_u16(),
        title: status_title(lang, status),
        message: message.in_lang(lang),
        reference: reference.as_deref(),
    };
    let body = page.render().unwrap_or_else(|_| message.in_lang(lang));
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
    error_page(StatusCode::INTERNAL_SERVER_ERROR, &Msg::new("error-internal"))
}

/// The status's name in `lang`, for the page's title.
fn status_title(lang: Lang, status: StatusCode) -> String {
    let key = match status.as_u16() {
        400 => "error-title-400",
        403 => "error-title-403",
        404 => "error-title-404",
        409 => "error-title-409",
        410 => "error-title-410",
        413 => "error-title-413",
        422 => "error-title-422",
        429 => "error-title-429",
        500 => "error-title-500",
        503 => "error-title-503",
        _ => "error-title-other",
    };
    lang.t(key)
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// A change pointing at a row removed meanwhile is a 409 with a message, not a 500.
    #[tokio::test]
    async fn a_foreign_key_refused_is_a_conflict() {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut conn).await.unwrap();
        sqlx::query("CREATE TABLE parent (id INTEGER PRIMARY KEY)").execute(&mut conn).await.unwrap();
        sqlx::query("CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id))")
            .execute(&mut conn)
            .await
            .unwrap();
        let refused = sqlx::query("INSERT INTO child (parent_id) VALUES (7)").execute(&mut conn).await.unwrap_err();
        let (status, msg) = AppError::from(refused).status_and_message();
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(msg, Msg::new("error-changed-meanwhile"));
    }
}

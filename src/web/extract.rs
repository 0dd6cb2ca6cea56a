//! `Query` and `Path` as handlers take them: axum's own, except that an address they cannot
//! read is refused with the error page, in the reader's language. (axum's refusals are English
//! plain text, and name the field or value that did not fit.)

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::Msg;

/// The query string, read into `T`; a query that does not fit (a field given twice, a number
/// that is not one) is a 400.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "query string refused");
                Err(AppError::bad_request(Msg::new("error-bad-address")))
            }
        }
    }
}

/// The path's parameters, read into `T`; a path whose parameters do not fit (an id that is not
/// a number) is a 400.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "path refused");
                Err(AppError::bad_request(Msg::new("error-bad-address")))
            }
        }
    }
}

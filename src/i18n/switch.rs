//! The language switcher of the sign-in pages: plain links (no JavaScript), usable before
//! sign-in. Choosing a language sets a cookie and returns to the page; a signed-in person's
//! profile choice still comes first.

use std::collections::HashMap;

use crate::web::extract::{Path, Query};
use axum::extract::State;
use axum::http::header;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Lang;
use super::request::{COOKIE, current_path, set_chosen};
use crate::error::AppError;
use crate::web::state::AppState;

/// A choice of language is kept for a year.
const CHOICE_MAX_AGE_SECS: i64 = 365 * 24 * 3600;

/// One link of the switcher.
pub struct LanguageLink {
    pub tag: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// A link per language, each coming back to the page being shown.
pub fn links() -> Vec<LanguageLink> {
    let current = Lang::current();
    let next: String =
        percent_encoding::utf8_percent_encode(&current_path(), percent_encoding::NON_ALPHANUMERIC).collect();
    Lang::ALL
        .into_iter()
        .map(|lang| LanguageLink {
            tag: lang.tag(),
            name: lang.native_name(),
            href: format!("/language/{}?next={next}", lang.tag()),
            current: lang == current,
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ChooseQuery {
    #[serde(default)]
    next: String,
}

/// `GET /language/{tag}?next=/path`: remembers the choice and goes back (only ever to a page of
/// this server).
pub async fn choose(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    Query(query): Query<ChooseQuery>,
) -> Result<Response, AppError> {
    let tag = params.get("tag").map(String::as_str).unwrap_or_default();
    let lang = Lang::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag)).ok_or(AppError::NotFound)?;
    let back = crate::web::next::after_sign_in(&query.next, &state.public_url, "/", "/");
    let cookie = state.cookies.set(COOKIE, lang.tag(), Some(CHOICE_MAX_AGE_SECS));
    set_chosen(lang);
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Redirect::to(&back)).into_response())
}

//! The knowledge base in management (`/manage/kb/...`): categories, articles with their drafts,
//! revisions and files. Every route needs `edit_kb` in the portal the agent works in (403
//! otherwise), and every query is scoped to that portal, so another portal's ids answer 404.
//!
//! Pages: `manage_categories.rs` (the category tree), `manage_articles.rs` (list, create, edit,
//! publish, unpublish, delete; the SQL in `manage_queries.rs`), `manage_revisions.rs` (history,
//! a line diff, restore) and `manage_files.rs` (files of an article, stored like ticket
//! attachments).

use axum::Router;
use axum::routing::{get, post};

use super::Visibility;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, t};
use crate::tickets::uploads;
use crate::web::layout::{MenuEntry, Notice};
use crate::web::state::AppState;

use super::manage_revisions as revisions;
use super::{manage_articles as articles, manage_categories as categories, manage_files as files};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/kb", get(articles::list))
        .route("/manage/kb/categories", get(categories::list).post(categories::create))
        .route("/manage/kb/categories/{id}", get(categories::edit).post(categories::update))
        .route("/manage/kb/categories/{id}/delete", post(categories::delete))
        .route("/manage/kb/articles/new", get(articles::new_page))
        // The article forms carry files; every other form keeps the 64 KiB of forms.
        .route("/manage/kb/articles", post(articles::create).layer(uploads::body_limit()))
        .route("/manage/kb/articles/{id}", get(articles::edit).post(articles::save).layer(uploads::body_limit()))
        .route("/manage/kb/articles/{id}/unpublish", post(articles::unpublish))
        .route("/manage/kb/articles/{id}/discard", post(articles::discard))
        .route("/manage/kb/articles/{id}/delete", post(articles::delete))
        .route("/manage/kb/articles/{id}/revisions", get(revisions::list))
        .route("/manage/kb/articles/{id}/revisions/{number}", get(revisions::show))
        .route("/manage/kb/articles/{id}/revisions/{number}/restore", post(revisions::restore))
        .route("/manage/kb/articles/{id}/files/{file}", get(files::download))
        .route("/manage/kb/articles/{id}/files/{file}/delete", post(files::delete))
        .route_layer(axum::middleware::from_fn(forget_trust_after_writes))
}

/// After any form of these pages was sent, this node's copies of the knowledge bases are checked
/// against the database again: an editor who publishes then opens the portal sees the change
/// even before the database's notification reaches the node (SQLite has none).
async fn forget_trust_after_writes(
    axum::Extension(state): axum::Extension<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let writes = request.method() != axum::http::Method::GET && request.method() != axum::http::Method::HEAD;
    let response = next.run(request).await;
    if writes {
        state.kb.changed();
    }
    response
}

/// The management menu's entry, for those who edit the knowledge base.
pub const MENU: &[MenuEntry] = &[MenuEntry {
    href: ACTIVE,
    label: "kb-manage-menu",
    order: 7,
    visible: crate::web::layout::Visibility::Holders(Permission::EditKnowledgeBase),
}];

pub const NOTICES: &[Notice] = &[
    Notice { code: "kb-category-saved", text: "kb-manage-notice-category-saved" },
    Notice { code: "kb-category-deleted", text: "kb-manage-notice-category-deleted" },
    Notice { code: "kb-article-saved", text: "kb-manage-notice-article-saved" },
    Notice { code: "kb-article-published", text: "kb-manage-notice-article-published" },
    Notice { code: "kb-article-unpublished", text: "kb-manage-notice-article-unpublished" },
    Notice { code: "kb-article-deleted", text: "kb-manage-notice-article-deleted" },
    Notice { code: "kb-article-restored", text: "kb-manage-notice-article-restored" },
    Notice { code: "kb-file-deleted", text: "kb-manage-notice-file-deleted" },
    Notice { code: "kb-draft-discarded", text: "kb-manage-notice-draft-discarded" },
];

/// The menu entry every knowledge-base page highlights.
pub const ACTIVE: &str = "/manage/kb";

/// The one check of every route: `edit_kb` in the portal being worked in.
pub fn require_editor(user: &ManageUser) -> AppResult<()> {
    user.require(Permission::EditKnowledgeBase)
}

/// An id from an address; anything else is something that does not exist.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}

/// The languages an article or a category name may be in, as stored.
pub const LANGUAGES: [&str; 2] = ["en", "pt-BR"];

/// A stored language's name, in itself ("English", "Português (Brasil)").
pub fn language_label(tag: &str) -> String {
    Lang::parse(tag).map_or_else(|| tag.to_string(), |l| l.native_name().to_string())
}

pub fn visibility_label(v: Visibility) -> String {
    match v {
        Visibility::Public => t("kb-manage-visibility-public"),
        Visibility::Customers => t("kb-manage-visibility-customers"),
        Visibility::Internal => t("kb-manage-visibility-internal"),
    }
}

/// One choice of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn language_choices(current: &str) -> Vec<Choice> {
    LANGUAGES
        .iter()
        .map(|tag| Choice { value: tag.to_string(), label: language_label(tag), selected: *tag == current })
        .collect()
}

pub fn visibility_choices(current: &str) -> Vec<Choice> {
    Visibility::ALL
        .iter()
        .map(|v| Choice { value: v.as_str().into(), label: visibility_label(*v), selected: v.as_str() == current })
        .collect()
}

/// A single-line field that is too long, or holds what a name may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotOneLine;

/// A single-line text field, trimmed: `Ok(None)` when empty.
pub fn one_line(raw: &str, max_chars: usize) -> Result<Option<String>, NotOneLine> {
    let value = raw.trim();
    if value.chars().count() > max_chars || value.chars().any(crate::web::input::is_forbidden_in_name) {
        return Err(NotOneLine);
    }
    Ok((!value.is_empty()).then(|| value.to_string()))
}

//! Articles in management: the list (with their helpful votes), a new article (from scratch, as
//! a translation of another, or from a ticket's reply), the editor (draft, settings, files,
//! preview), publishing, taking an article down and deleting it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::manage::{ACTIVE, Choice, LANGUAGES, language_label, parse_id, require_editor, visibility_label};
use super::manage_article_form::{self as form, ArticleForm, Valid};
use super::manage_categories::{self as categories};
use super::manage_queries::{self as queries, EditorArticle, ListFilter, Saved};
use super::store::{self, Author, NewArticle};
use crate::auth::ManageUser;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _, t};
use crate::tickets::uploads::{self, Upload};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::{Path, Query};
use crate::web::layout::Shell;
use crate::web::state::AppState;

/// Articles on one page of the list.
const PAGE_SIZE: i64 = 50;

// ---- the list ----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    msg: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: String,
    /// Words of the title.
    #[serde(default)]
    q: String,
}

pub struct ListedArticle {
    pub id: i64,
    pub title: String,
    pub language: String,
    pub category: String,
    pub visibility: String,
    pub state: String,
    pub published: bool,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/manage_articles.html")]
struct ListPage {
    shell: Shell,
    articles: Vec<ListedArticle>,
    categories: Vec<Choice>,
    languages: Vec<Choice>,
    states: Vec<Choice>,
    has_categories: bool,
    page: i64,
    /// The filters as a query string (`&category=..`), for the pages' links.
    filter_query: String,
    words: String,
    next: bool,
}

/// The list's filters from the address; what is not one of the portal's choices is ignored.
fn filter_of(q: &ListQuery, all: &[categories::Category]) -> ListFilter {
    let known = |choices: &[&str], value: &str| choices.iter().find(|c| **c == value).map(|c| c.to_string());
    ListFilter {
        category_id: q.category.parse().ok().filter(|id| all.iter().any(|c| c.id == *id)).unwrap_or(0),
        language: known(&LANGUAGES, &q.language).unwrap_or_default(),
        state: known(&["draft", "published", "changes"], &q.state).unwrap_or_default(),
        words: q.q.trim().chars().take(form::TITLE_MAX_CHARS).collect(),
    }
}

/// The choices of the language and state filters, "any" first.
fn filter_choices(filter: &ListFilter) -> (Vec<Choice>, Vec<Choice>) {
    let any =
        |value: &str| Choice { value: String::new(), label: t("kb-manage-filter-any"), selected: value.is_empty() };
    let mut languages = vec![any(&filter.language)];
    languages.extend(super::manage::language_choices(&filter.language));
    let mut states = vec![any(&filter.state)];
    for (value, key) in [
        ("draft", "kb-manage-state-draft"),
        ("published", "kb-manage-state-published"),
        ("changes", "kb-manage-state-changes"),
    ] {
        states.push(Choice { value: value.into(), label: t(key), selected: filter.state == value });
    }
    (languages, states)
}

/// The filters as the rest of a query string (`&category=..`), for the pages' links.
fn filter_query(filter: &ListFilter) -> String {
    let category = if filter.category_id > 0 { filter.category_id.to_string() } else { String::new() };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("category", &category)
        .append_pair("language", &filter.language)
        .append_pair("state", &filter.state)
        .append_pair("q", &filter.words)
        .finish();
    format!("&{query}")
}

pub async fn list(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    require_editor(&user)?;
    let portal_id = user.portal.id;
    let all = categories::all(&state.db, portal_id).await?;
    let filter = filter_of(&q, &all);
    let page = q.page.parse::<i64>().ok().filter(|p| (1..=10_000).contains(p)).unwrap_or(1);
    let mut rows = queries::list(&state.db, portal_id, &filter, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE).await?;
    let next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let name_of = |id: i64| all.iter().find(|c| c.id == id).map(|c| c.name()).unwrap_or_default();
    let articles = rows
        .iter()
        .map(|a| ListedArticle {
            id: a.id,
            title: a.working_title().to_string(),
            language: language_label(&a.language),
            category: name_of(a.category_id),
            visibility: visibility_label(a.visibility),
            state: form::state_label(a),
            published: a.published_revision.is_some(),
            helpful_yes: a.helpful_yes,
            helpful_no: a.helpful_no,
            updated: crate::web::format_time(a.updated_at),
        })
        .collect();
    let (languages, states) = filter_choices(&filter);
    let selected = (filter.category_id > 0).then_some(filter.category_id);
    let page = ListPage {
        shell: Shell::new(&user, csrf, ACTIVE, q.msg.as_deref()),
        articles,
        categories: categories::choices(&all, selected, None),
        languages,
        states,
        has_categories: !all.is_empty(),
        page,
        filter_query: filter_query(&filter),
        words: filter.words,
        next,
    };
    Ok(page.into_response())
}

// ---- a new article -----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    category: String,
    /// Write the other-language version of this article.
    #[serde(default)]
    translation_of: String,
    #[serde(default)]
    language: String,
    /// Start from a reply of this ticket (its number) ...
    #[serde(default)]
    ticket: String,
    /// ... this message of it.
    #[serde(default)]
    message: String,
}

/// The form of a new article, filled as the query asks.
async fn new_form(state: &AppState, user: &ManageUser, q: &NewQuery) -> AppResult<ArticleForm> {
    let mut form = ArticleForm {
        language: if crate::i18n::Lang::current() == crate::i18n::Lang::PtBr { "pt-BR" } else { "en" }.into(),
        category: q.category.clone(),
        visibility: "public".into(),
        ..ArticleForm::default()
    };
    if !q.translation_of.is_empty() {
        let original =
            queries::find(&state.db, user.portal.id, parse_id(&q.translation_of)?).await?.ok_or(AppError::NotFound)?;
        let (title, body) = queries::working_text(&state.db, user.portal.id, &original).await?;
        let other = LANGUAGES.iter().find(|l| **l != original.language).copied().unwrap_or("en");
        form.language = LANGUAGES.iter().find(|l| **l == q.language).copied().unwrap_or(other).into();
        form.category = original.category_id.to_string();
        form.visibility = original.visibility.as_str().into();
        form.translation_of = original.translation_of.unwrap_or(original.id).to_string();
        (form.title, form.body) = (title, body);
    }
    if !q.ticket.is_empty() {
        // The agent must see the ticket, as on its page; a message of another ticket is 404.
        let (_, ticket) = crate::tickets::manage::ticket::visible_ticket(state, user, &q.ticket).await?;
        let message_id = parse_id(&q.message)?;
        let thread =
            crate::tickets::store::thread(&state.db, user.portal.id, ticket.id, crate::tickets::store::Thread::Whole)
                .await?;
        let message = thread.into_iter().find(|m| m.id == message_id).ok_or(AppError::NotFound)?;
        form.title = ticket.subject.chars().take(form::TITLE_MAX_CHARS).collect();
        form.body = message.body;
        // What was said on a ticket is for agents until an editor decides otherwise.
        form.visibility = "internal".into();
    }
    Ok(form)
}

pub async fn new_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    require_editor(&user)?;
    let form = new_form(&state, &user, &q).await?;
    Ok(form::page(&state, &user, csrf, None, None, form, vec![]).await?.into_response())
}

/// Reads the article form with its files and checks it; a refused form gets its page again
/// (422), its files deleted.
async fn read_form(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    article: Option<&EditorArticle>,
    request: Request,
) -> AppResult<Result<(Upload<ArticleForm>, Valid), Response>> {
    let upload: Upload<ArticleForm> = uploads::read(state, user.portal.id, request).await?;
    let all = categories::all(&state.db, user.portal.id).await?;
    match form::check(state, user.portal.id, article.map(|a| a.id), &upload.form, &all).await? {
        Ok(valid) => Ok(Ok((upload, valid))),
        Err(errors) => {
            upload.discard(&state.db).await;
            let page = form::page(state, user, csrf, None, article, upload.form, errors).await?;
            Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()))
        }
    }
}

fn expired() -> AppError {
    AppError::Page(StatusCode::CONFLICT, Msg::new("upload-expired"))
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    request: Request,
) -> AppResult<Response> {
    require_editor(&user)?;
    let (upload, v) = match read_form(&state, &user, csrf, None, request).await? {
        Ok(read) => read,
        Err(page) => return Ok(page),
    };
    let now = now();
    let portal_id = user.portal.id;
    let mut tx = state.db.writer().begin().await?;
    if !translation_still_free(&mut tx, &state, portal_id, None, &v).await? {
        upload.discard(&state.db).await;
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("kb-manage-translation-taken")));
    }
    let new = NewArticle {
        portal_id,
        category_id: v.category_id,
        language: v.language,
        translation_of: v.translation_of,
        visibility: v.visibility,
        title: &v.title,
        markdown: &v.markdown,
        staff_id: Some(user.staff.id),
    };
    let id = store::create_article(&mut tx, &new, now).await?;
    let files: Vec<i64> = upload.files.iter().map(|f| f.id).collect();
    if !queries::link_files(&mut tx, portal_id, id, &files).await? {
        return Err(expired());
    }
    let msg = publish_if_asked(&mut tx, &user, id, &upload.form, &v, now).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/manage/kb/articles/{id}?msg={msg}")).into_response())
}

/// Whether the article may still be the translation the form asked for, checked again inside
/// the transaction that stores it: the portal's version row, taken first, makes two editors
/// translating one original at once go in turn, and the second sees the first's translation.
async fn translation_still_free(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    portal_id: i64,
    article_id: Option<i64>,
    v: &Valid,
) -> AppResult<bool> {
    let Some(original) = v.translation_of else { return Ok(true) };
    sqlx::query("UPDATE kb_versions SET version = version + 1 WHERE portal_id = $1")
        .bind(portal_id)
        .execute(&mut *tx)
        .await?;
    Ok(queries::check_translation(&state.db, portal_id, article_id, v.language, original).await?.is_ok())
}

/// Publishes the text just saved when the editor pressed "Publish"; the notice to show.
async fn publish_if_asked(
    conn: &mut sqlx::AnyConnection,
    user: &ManageUser,
    id: i64,
    form: &ArticleForm,
    v: &Valid,
    now: i64,
) -> AppResult<&'static str> {
    if !form.publishing() {
        return Ok("kb-article-saved");
    }
    let author = Author { staff_id: Some(user.staff.id), name: &user.staff.name };
    store::publish(conn, user.portal.id, id, (&v.title, &v.markdown), author, None, now).await?;
    Ok("kb-article-published")
}

// ---- the editor --------------------------------------------------------------------------------

/// The portal's article in the address, for an editor; 404 for another portal's.
pub async fn editable(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<EditorArticle> {
    require_editor(user)?;
    queries::find(&state.db, user.portal.id, parse_id(raw)?).await?.ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    msg: Option<String>,
}

pub async fn edit(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    let (title, body) = queries::working_text(&state.db, user.portal.id, &article).await?;
    let form = ArticleForm {
        title,
        body,
        language: article.language.clone(),
        category: article.category_id.to_string(),
        visibility: article.visibility.as_str().into(),
        translation_of: article.translation_of.map(|id| id.to_string()).unwrap_or_default(),
        action: String::new(),
    };
    let page = form::page(&state, &user, csrf, q.msg.as_deref(), Some(&article), form, vec![]).await?;
    Ok(page.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    request: Request,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    let (upload, v) = match read_form(&state, &user, csrf, Some(&article), request).await? {
        Ok(read) => read,
        Err(page) => return Ok(page),
    };
    let now = now();
    let portal_id = user.portal.id;
    let saved = Saved {
        category_id: v.category_id,
        language: v.language,
        translation_of: v.translation_of,
        visibility: v.visibility,
        title: &v.title,
        markdown: &v.markdown,
        staff_id: user.staff.id,
    };
    let mut tx = state.db.writer().begin().await?;
    if !translation_still_free(&mut tx, &state, portal_id, Some(article.id), &v).await? {
        upload.discard(&state.db).await;
        return Err(AppError::Page(StatusCode::CONFLICT, Msg::new("kb-manage-translation-taken")));
    }
    if !queries::save_draft(&mut tx, portal_id, article.id, &saved, now).await? {
        // Deleted by another editor since the form was read.
        upload.discard(&state.db).await;
        return Err(AppError::NotFound);
    }
    let files: Vec<i64> = upload.files.iter().map(|f| f.id).collect();
    if !queries::link_files(&mut tx, portal_id, article.id, &files).await? {
        return Err(expired());
    }
    let msg = publish_if_asked(&mut tx, &user, article.id, &upload.form, &v, now).await?;
    if !upload.form.publishing() {
        queries::drop_draft(&mut tx, portal_id, article.id, true).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/manage/kb/articles/{}?msg={msg}", article.id)).into_response())
}

/// Forgets the unpublished changes of a published article (readers' version stays).
pub async fn discard(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    let mut conn = state.db.writer().acquire().await?;
    queries::drop_draft(&mut conn, user.portal.id, article.id, false).await?;
    Ok(Redirect::to(&format!("/manage/kb/articles/{}?msg=kb-draft-discarded", article.id)).into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn unpublish(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    queries::unpublish(&state.db, user.portal.id, article.id, now()).await?;
    Ok(Redirect::to(&format!("/manage/kb/articles/{}?msg=kb-article-unpublished", article.id)).into_response())
}

/// Deleting asks for a ticked box: it takes every revision with it.
#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

pub async fn delete(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    if form.confirm != "yes" {
        return Err(AppError::bad_request(Msg::new("kb-manage-article-delete-confirm")));
    }
    let mut tx = state.db.writer().begin().await?;
    queries::delete(&mut tx, user.portal.id, article.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/manage/kb?msg=kb-article-deleted").into_response())
}

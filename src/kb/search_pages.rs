//! Searching the knowledge base: the portal's search page (`/kb/search?q=`), the suggestions
//! the new-ticket forms show while the subject is typed (`/kb/suggest?q=`, JSON, read by
//! `static/kb-suggest.js`), and the agents' article finder for the reply box
//! (`/manage/kb/find?q=`, JSON, read by `static/kb-find.js`). Every one searches only what its
//! reader may read (`Reader`) in its own portal.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::{Reader, search_memo};
use crate::auth::ManageUser;
use crate::auth::extract::{MaybePortalUser, PortalUser};
use crate::error::AppResult;
use crate::i18n::Texts as _;
use crate::portals::resolve::CurrentPortal;
use crate::search::{ArticleHit, ArticleSearch, Terms};
use crate::web::csrf::CsrfToken;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/{slug}/kb/search", get(search_page))
        .route("/portal/{slug}/kb/suggest", get(suggest))
        .route("/manage/kb/find", get(find))
        .route("/static/kb-suggest.js", get(|| async { script(include_str!("../../static/kb-suggest.js")) }))
        .route("/static/kb-find.js", get(|| async { script(include_str!("../../static/kb-find.js")) }))
}

/// Results on one page of the search page.
const PAGE_SIZE: i64 = 10;
/// Pages one can walk to: relevance is long gone by then.
const MAX_PAGE: i64 = 20;
/// Suggestions shown under a subject, and articles offered to an agent.
const SUGGESTIONS: i64 = 5;
const FOUND_FOR_AGENTS: i64 = 8;
/// Characters of a query kept (a pasted essay is cut).
const QUERY_MAX_CHARS: usize = 200;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// 1-based; anything unreadable is the first page.
    #[serde(default)]
    page: String,
}

impl SearchQuery {
    fn text(&self) -> String {
        self.q.trim().chars().take(QUERY_MAX_CHARS).collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/search_results.html")]
struct SearchPage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    /// What was typed (trimmed).
    q: String,
    /// Whether any word was typed (only punctuation is no search).
    searched: bool,
    hits: Vec<ArticleHit>,
    page: i64,
    more: bool,
    /// Where "open a ticket" goes, the words filled in as its subject.
    new_ticket: String,
}

impl SearchPage {
    fn page_link(&self, page: i64) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("page", &page.to_string())
            .finish();
        format!("{}/kb/search?{query}", self.portal.base)
    }

    /// A result's language, when it is not the page's.
    fn other_language(&self, hit: &ArticleHit) -> Option<&'static str> {
        let name = if hit.language == "pt-BR" { "Português" } else { "English" };
        (hit.language != crate::i18n::Lang::current().tag()).then_some(name)
    }
}

/// Where someone opens a ticket with `subject` filled in: the account form, or the visitors'
/// form when the portal takes tickets from visitors and nobody is signed in.
async fn new_ticket_link(
    state: &AppState,
    portal: &CurrentPortal,
    signed_in: bool,
    subject: &str,
) -> AppResult<String> {
    let visitors = !signed_in && crate::tickets::visitors::offered(&state.db, &portal.portal).await?;
    let path = if visitors { "/tickets/submit" } else { "/tickets/new" };
    let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("subject", subject).finish();
    Ok(format!("{}{path}?{query}", portal.base))
}

async fn search_page(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    if user.as_ref().is_some_and(PortalUser::must_change_password) {
        return Ok(Redirect::to(&format!("{}/profile?msg=must-change", portal.base)).into_response());
    }
    let q = query.text();
    let terms = Terms::parse(&q);
    let page = query.page.trim().parse::<i64>().unwrap_or(1).clamp(1, MAX_PAGE);
    let search = ArticleSearch {
        portal_id: portal.portal.id,
        reader: Reader::of(user.as_ref()),
        terms: &terms,
        limit: PAGE_SIZE + 1,
        offset: (page - 1) * PAGE_SIZE,
    };
    let mut hits = search_memo::articles(&state, &search).await?;
    let more = hits.len() as i64 > PAGE_SIZE && page < MAX_PAGE;
    hits.truncate(PAGE_SIZE as usize);
    let new_ticket = new_ticket_link(&state, &portal, user.is_some(), &q).await?;
    let searched = !terms.is_empty();
    Ok(SearchPage { csrf, portal, user, q, searched, hits, page, more, new_ticket }.into_response())
}

/// One article in a JSON answer.
#[derive(Serialize)]
struct FoundArticle {
    id: i64,
    title: String,
    /// The article's page in the portal (absolute for agents: it goes into a reply).
    url: String,
    language: String,
    /// Agents only: `public`, `customers` or `internal`, so an internal one is marked.
    #[serde(skip_serializing_if = "Option::is_none")]
    visibility: Option<String>,
}

#[derive(Serialize)]
struct Found {
    articles: Vec<FoundArticle>,
}

fn json(found: &Found) -> Response {
    let body = serde_json::to_string(found).unwrap_or_else(|_| "{\"articles\":[]}".into());
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
}

fn script(source: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        source,
    )
        .into_response()
}

async fn suggest(
    State(state): State<AppState>,
    MaybePortalUser(portal, user): MaybePortalUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let terms = Terms::parse(&query.text());
    let reader = Reader::of(user.as_ref());
    let search = ArticleSearch { portal_id: portal.portal.id, reader, terms: &terms, limit: SUGGESTIONS, offset: 0 };
    let articles = search_memo::articles(&state, &search)
        .await?
        .into_iter()
        .map(|hit| FoundArticle {
            url: format!("{}/kb/articles/{}", portal.base, hit.id),
            id: hit.id,
            title: hit.title,
            language: hit.language,
            visibility: None,
        })
        .collect();
    Ok(json(&Found { articles }))
}

/// The agent's portal's articles, internal ones too (marked), with the address customers
/// follow. Any agent of the portal may link an article; writing them needs `edit_kb`.
async fn find(
    State(state): State<AppState>,
    user: Result<ManageUser, Response>,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    // A script asks: it gets 401, not the sign-in page.
    let Ok(user) = user else { return Ok(StatusCode::UNAUTHORIZED.into_response()) };
    let terms = Terms::parse(&query.text());
    let portal_id = user.portal.id;
    let search = ArticleSearch { portal_id, reader: Reader::Agent, terms: &terms, limit: FOUND_FOR_AGENTS, offset: 0 };
    let hits = search_memo::articles(&state, &search).await?;
    let base = state.portal_url(&user.portal);
    let articles = hits
        .into_iter()
        .map(|hit| FoundArticle {
            url: format!("{base}/kb/articles/{}", hit.id),
            visibility: Some(hit.visibility),
            id: hit.id,
            title: hit.title,
            language: hit.language,
        })
        .collect();
    Ok(json(&Found { articles }))
}

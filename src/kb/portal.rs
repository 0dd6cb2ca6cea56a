//! The knowledge base in the portal: its home (categories with their article counts, popular and
//! recent articles), category pages (sections, articles, by pages) and article pages
//! (breadcrumbs, the stored HTML, the translation, related articles, "Was this helpful?").
//!
//! Anyone may read: a visitor what is public, the portal's signed-in customers also what is for
//! customers, its agents (signed in to the portal) everything. Who reads what is
//! `Reader::condition` / `Reader::may_read`, nowhere else; what a reader may not read is a 404,
//! as is another portal's id. Lists and, once read, articles' HTML come from this node's copy
//! (`portal_cache`): a page makes no statement while the copy is trusted, besides the session's
//! for a signed-in reader; agents' article pages read the row, for its helpful counts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::portal_cache::{self, Snapshot};
use super::{Reader, Visibility};
use crate::auth::extract::{MaybePortalUser, PortalUser};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, Texts as _, t};
use crate::portals::resolve::CurrentPortal;
use crate::web::csrf::CsrfToken;
use crate::web::state::AppState;

/// Articles on one page of a category.
pub const PAGE_SIZE: usize = 50;
/// Related articles under an article.
const RELATED: usize = 5;

/// Who reads and in which language, for every knowledge-base page.
pub struct Reading {
    pub portal: CurrentPortal,
    pub user: Option<PortalUser>,
    pub csrf: String,
    pub reader: Reader,
    pub lang: Lang,
}

impl Reading {
    /// The reader of this request, or the profile page for someone who must choose a new
    /// password first (as the portal's home does).
    pub fn new(MaybePortalUser(portal, user): MaybePortalUser, csrf: String) -> Result<Reading, Box<Response>> {
        if user.as_ref().is_some_and(PortalUser::must_change_password) {
            let to = format!("{}/profile?msg=must-change", portal.base);
            return Err(Box::new(Redirect::to(&to).into_response()));
        }
        let reader = Reader::of(user.as_ref());
        Ok(Reading { portal, user, csrf, reader, lang: Lang::current() })
    }

    pub fn portal_id(&self) -> i64 {
        self.portal.portal.id
    }

    fn home(&self) -> String {
        format!("{}/kb", self.portal.base)
    }

    fn category_href(&self, id: i64) -> String {
        format!("{}/kb/categories/{id}", self.portal.base)
    }

    pub fn article_href(&self, id: i64) -> String {
        format!("{}/kb/articles/{id}", self.portal.base)
    }

    /// A link to an article as lists show it: its language named when it is not the page's,
    /// and for agents, who may read what is not public.
    fn link(&self, a: &portal_cache::Article) -> ArticleLink {
        ArticleLink {
            href: self.article_href(a.id),
            title: a.title.clone(),
            language: (a.language != self.lang).then(|| a.language.native_name()),
            tag: a.language.tag(),
            restricted: restricted_label(self.reader, a.visibility),
        }
    }

    fn category_card(&self, snapshot: &Snapshot, c: &portal_cache::Category) -> CategoryCard {
        let count = snapshot.view(self.reader, self.lang).count(c.id);
        CategoryCard {
            href: self.category_href(c.id),
            name: c.name(self.lang).to_string(),
            description: c.description(self.lang).to_string(),
            count,
        }
    }

    /// The categories below `parent` this reader has something to read in (agents see every one).
    fn cards(&self, snapshot: &Snapshot, parent: Option<i64>) -> Vec<CategoryCard> {
        snapshot
            .children(parent)
            .map(|c| self.category_card(snapshot, c))
            .filter(|c| c.count > 0 || self.reader == Reader::Agent)
            .collect()
    }

    /// Help › the categories down to `category_id`.
    fn crumbs(&self, snapshot: &Snapshot, category_id: i64) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb { href: self.home(), name: t("kb-portal-title") }];
        crumbs.extend(
            snapshot
                .path(category_id)
                .into_iter()
                .map(|c| Crumb { href: self.category_href(c.id), name: c.name(self.lang).to_string() }),
        );
        crumbs
    }

    async fn snapshot(&self, state: &AppState) -> AppResult<std::sync::Arc<Snapshot>> {
        Ok(portal_cache::current(state, self.portal_id()).await?)
    }
}

/// What agents see beside an article that not everyone may read.
fn restricted_label(reader: Reader, visibility: Visibility) -> Option<String> {
    match (reader, visibility) {
        (Reader::Agent, Visibility::Internal) => Some(t("kb-portal-internal")),
        (Reader::Agent, Visibility::Customers) => Some(t("kb-portal-customers-only")),
        _ => None,
    }
}

pub struct ArticleLink {
    pub href: String,
    pub title: String,
    /// The article's language, when it is not the page's.
    pub language: Option<&'static str>,
    /// The article's language tag, for `lang` and `hreflang`.
    pub tag: &'static str,
    pub restricted: Option<String>,
}

impl ArticleLink {
    /// "Read this article in English", said in the translation's own language, which is the
    /// one its reader looks for.
    pub fn also_in(&self) -> String {
        Lang::parse(self.tag).unwrap_or_default().t("kb-portal-also-in")
    }
}

pub struct CategoryCard {
    pub href: String,
    pub name: String,
    pub description: String,
    pub count: usize,
}

pub struct Crumb {
    pub href: String,
    pub name: String,
}

/// An id from the address; anything else is something that does not exist.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)
}

// ---- home ------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/portal_home.html")]
struct HomePage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    search_q: String,
    categories: Vec<CategoryCard>,
    popular: Vec<ArticleLink>,
    recent: Vec<ArticleLink>,
    /// Visitors are told that signing in shows more, when the portal has articles for customers.
    sign_in_for_more: bool,
}

pub async fn home(
    State(state): State<AppState>,
    who: MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let r = match Reading::new(who, csrf) {
        Ok(r) => r,
        Err(page) => return Ok(*page),
    };
    let snapshot = r.snapshot(&state).await?;
    let view = snapshot.view(r.reader, r.lang);
    let links = |list: &[usize]| list.iter().map(|i| r.link(&snapshot.articles[*i])).collect::<Vec<_>>();
    let sign_in_for_more = r.reader == Reader::Visitor && snapshot.has_customers_only;
    let page = HomePage {
        categories: r.cards(&snapshot, None),
        popular: links(&view.popular),
        recent: links(&view.recent),
        sign_in_for_more,
        search_q: String::new(),
        csrf: r.csrf,
        portal: r.portal,
        user: r.user,
    };
    Ok(page.into_response())
}

// ---- a category ------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/portal_category.html")]
struct CategoryPage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    search_q: String,
    crumbs: Vec<Crumb>,
    name: String,
    description: String,
    sections: Vec<CategoryCard>,
    articles: Vec<ArticleLink>,
    page: usize,
    pages: usize,
    here: String,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

/// The page number asked for: 1 when absent; a 400 for what is not a page number.
fn page_number(raw: Option<&str>) -> AppResult<usize> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(p) => {
            p.parse::<usize>().ok().filter(|n| *n > 0).ok_or(AppError::bad_request(Msg::new("kb-portal-bad-page")))
        }
    }
}

pub async fn category(
    State(state): State<AppState>,
    who: MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let r = match Reading::new(who, csrf) {
        Ok(r) => r,
        Err(page) => return Ok(*page),
    };
    let id = parse_id(&id)?;
    let page = page_number(q.page.as_deref())?;
    let snapshot = r.snapshot(&state).await?;
    let category = snapshot.category(id).ok_or(AppError::NotFound)?;
    let view = snapshot.view(r.reader, r.lang);
    // A category with nothing this reader may read is, to them, one that does not exist.
    if view.count(id) == 0 && r.reader != Reader::Agent {
        return Err(AppError::NotFound);
    }
    let listed = view.listed(id);
    let pages = listed.len().div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let articles = listed.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE);
    let page = CategoryPage {
        crumbs: r.crumbs(&snapshot, category.parent_id.unwrap_or(0)),
        name: category.name(r.lang).to_string(),
        description: category.description(r.lang).to_string(),
        sections: r.cards(&snapshot, Some(id)),
        articles: articles.map(|i| r.link(&snapshot.articles[*i])).collect(),
        page,
        pages,
        here: r.category_href(id),
        search_q: String::new(),
        csrf: r.csrf,
        portal: r.portal,
        user: r.user,
    };
    Ok(page.into_response())
}

// ---- an article ------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/portal_article.html")]
struct ArticlePage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
    search_q: String,
    crumbs: Vec<Crumb>,
    title: String,
    /// Sanitised when it was published: shown as stored.
    body_html: String,
    language: &'static str,
    updated: String,
    restricted: Option<String>,
    translations: Vec<ArticleLink>,
    related: Vec<ArticleLink>,
    here: String,
    /// Customers and visitors vote; agents see the counts instead.
    votes: Option<(i64, i64)>,
    thanks: bool,
    id: i64,
}

/// The article's row as its page needs it, if `reader` may read it, with the portal's
/// knowledge-base version: one statement.
async fn read_article(
    state: &AppState,
    portal_id: i64,
    id: i64,
    reader: Reader,
) -> AppResult<Option<sqlx::any::AnyRow>> {
    let sql = format!(
        "SELECT a.id, a.category_id, a.language, a.translation_of, a.visibility, a.title, a.body_html, a.published_at, \
         a.helpful_yes, a.helpful_no, (SELECT v.version FROM kb_versions v WHERE v.portal_id = a.portal_id) AS kb_version \
         FROM kb_articles a WHERE a.portal_id = $1 AND a.id = $2 AND {}",
        reader.condition("a")
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(id).fetch_optional(state.db.pool()).await?)
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    msg: Option<String>,
}

pub async fn article(
    State(state): State<AppState>,
    who: MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, id)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let r = match Reading::new(who, csrf) {
        Ok(r) => r,
        Err(page) => return Ok(*page),
    };
    let id = parse_id(&id)?;
    let thanks = q.msg.as_deref() == Some("voted");
    let page = if r.reader == Reader::Agent {
        agents_article(&state, r, id).await?
    } else {
        readers_article(&state, r, id).await?
    };
    Ok(ArticlePage { thanks, ..page }.into_response())
}

/// Customers and visitors: everything from this node's copy, the HTML kept in memory once read.
async fn readers_article(state: &AppState, r: Reading, id: i64) -> AppResult<ArticlePage> {
    let snapshot = r.snapshot(state).await?;
    let shown = snapshot.article(id).filter(|a| r.reader.may_read(a.visibility)).ok_or(AppError::NotFound)?;
    let body_html = snapshot.body(&state.db, r.portal_id(), id).await?.ok_or(AppError::NotFound)?;
    Ok(article_page(r, &snapshot, shown, shown.title.clone(), body_html.to_string(), shown.published_at, None))
}

/// Agents see the helpful counts, which the copy does not follow: the row is read each time.
async fn agents_article(state: &AppState, r: Reading, id: i64) -> AppResult<ArticlePage> {
    let row = read_article(state, r.portal_id(), id, r.reader).await?.ok_or(AppError::NotFound)?;
    let language: String = row.try_get("language")?;
    let visibility: String = row.try_get("visibility")?;
    let shown = portal_cache::Article::new(
        id,
        row.try_get("category_id")?,
        Lang::parse(&language).unwrap_or_default(),
        row.try_get::<Option<i64>, _>("translation_of")?.unwrap_or(id),
        Visibility::parse(&visibility).unwrap_or(Visibility::Internal),
    );
    let version = row.try_get::<Option<i64>, _>("kb_version")?.unwrap_or(0);
    let snapshot = portal_cache::snapshot(&state.db, &state.kb, r.portal_id(), version).await?;
    let votes = Some((row.try_get("helpful_yes")?, row.try_get("helpful_no")?));
    let published_at = row.try_get::<Option<i64>, _>("published_at")?.unwrap_or(0);
    Ok(article_page(r, &snapshot, &shown, row.try_get("title")?, row.try_get("body_html")?, published_at, votes))
}

fn article_page(
    r: Reading,
    snapshot: &Snapshot,
    shown: &portal_cache::Article,
    title: String,
    body_html: String,
    published_at: i64,
    votes: Option<(i64, i64)>,
) -> ArticlePage {
    ArticlePage {
        crumbs: r.crumbs(snapshot, shown.category_id),
        title,
        body_html,
        language: shown.language.tag(),
        updated: crate::i18n::date(r.lang, published_at),
        restricted: restricted_label(r.reader, shown.visibility),
        translations: snapshot.translations(shown, r.reader).into_iter().map(|a| r.link(a)).collect(),
        related: snapshot.related(shown, r.reader, RELATED).into_iter().map(|a| r.link(a)).collect(),
        here: r.article_href(shown.id),
        votes,
        thanks: false,
        id: shown.id,
        search_q: String::new(),
        csrf: r.csrf,
        portal: r.portal,
        user: r.user,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_checked() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("")).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        assert!(page_number(Some("0")).is_err());
        assert!(page_number(Some("-1")).is_err());
        assert!(page_number(Some("x")).is_err());
        assert!(parse_id("12abc").is_err());
    }
}

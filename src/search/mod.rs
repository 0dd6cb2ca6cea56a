//! Full-text search: one interface (this module) over one implementation per engine, each in
//! its own module: SQLite's FTS5 tables kept current by triggers (`sqlite`), PostgreSQL's
//! tsvector columns with GIN indexes (`postgres`), both made by migration 0019.
//!
//! Articles are ranked (bm25 / ts_rank, the title counting more than the text), stemmed in the
//! article's language, the last word a prefix; the snippet and its highlight are built here
//! from the article's text, the same on both engines. Tickets are searched by every word as a
//! prefix, as a filter of the queues (`ticket_condition`). Whatever is typed is quoted
//! (`query::Terms`): punctuation and operators never reach the engine as syntax.
//!
//! Every article query keeps the reader's visibility (`Reader::condition`) and the portal.

pub mod query;
pub mod snippet;

mod common_words;
mod postgres;
mod sqlite;
pub mod sqlite_upkeep;

use crate::db::{Backend, Db};
use crate::kb::Reader;
pub use query::{Language, Terms};

/// An article found, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleHit {
    pub id: i64,
    pub title: String,
    /// `en` or `pt-BR`.
    pub language: String,
    pub category_id: i64,
    /// `public`, `customers` or `internal`.
    pub visibility: String,
    /// A piece of the text around the words found, HTML-escaped, with `<mark>` around them.
    pub snippet_html: String,
}

/// An article search: the portal's articles that `reader` may read.
#[derive(Clone, Copy, Debug)]
pub struct ArticleSearch<'a> {
    pub portal_id: i64,
    pub reader: Reader,
    pub terms: &'a Terms,
    pub limit: i64,
    pub offset: i64,
}

/// What an engine hands back: the best articles, in order, with their text for the snippet.
struct RankedArticle {
    id: i64,
    title: String,
    language: String,
    category_id: i64,
    visibility: String,
    body_text: String,
}

impl RankedArticle {
    /// Both engines select the same columns under the same names.
    fn from_row(r: &sqlx::any::AnyRow) -> Result<RankedArticle, sqlx::Error> {
        use sqlx::Row;
        Ok(RankedArticle {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            language: r.try_get("language")?,
            category_id: r.try_get("category_id")?,
            visibility: r.try_get("visibility")?,
            body_text: r.try_get("body_text")?,
        })
    }
}

/// The articles matching the search, best first (empty for a search with no words).
pub async fn articles(db: &Db, search: &ArticleSearch<'_>) -> Result<Vec<ArticleHit>, sqlx::Error> {
    if search.terms.is_empty() || search.limit <= 0 {
        return Ok(Vec::new());
    }
    let ranked = match db.backend() {
        Backend::Sqlite => sqlite::articles(db, search).await?,
        Backend::Postgres => postgres::articles(db, search).await?,
    };
    Ok(ranked
        .into_iter()
        .map(|a| {
            let language = if a.language == "pt-BR" { Language::Portuguese } else { Language::English };
            let snippet_html = snippet::highlighted(&a.body_text, search.terms, language);
            ArticleHit {
                id: a.id,
                title: a.title,
                language: a.language,
                category_id: a.category_id,
                visibility: a.visibility,
                snippet_html,
            }
        })
        .collect())
}

/// Who searches tickets: agents search everything of a ticket, customers all but the
/// internal notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TicketSearcher {
    Agent,
    Customer,
}

/// The condition on a ticket aliased `t` that keeps those matching `terms`, with `?` where
/// its one value goes, and that value. The caller adds its own portal and visibility
/// conditions on `t`; `terms` must not be empty. Best where the query walks few tickets (one
/// customer's) or where many match (the walk soon finds a page of them).
pub fn ticket_condition(backend: Backend, terms: &Terms, who: TicketSearcher) -> (&'static str, String) {
    match backend {
        Backend::Sqlite => sqlite::ticket_condition(terms, who),
        Backend::Postgres => postgres::ticket_condition(terms, who),
    }
}

/// At most this many matches of a ticket search count as few, on either engine: sorting them
/// costs less than walking a queue's order would.
const FEW_MATCHES: i64 = 2000;

/// Where few tickets match, a query is better started from the index's matches than by walking
/// a queue's order looking for them (a word on one ticket of a million would walk them all):
/// what to read instead of `tickets t`, with `?` where the value goes, and the value; `None`
/// when many match. `terms` must not be empty.
pub async fn few_ticket_matches(
    db: &Db,
    terms: &Terms,
    who: TicketSearcher,
) -> Result<Option<(&'static str, String)>, sqlx::Error> {
    let database = db.url().as_str();
    if common_words::known_common(database, terms, who) {
        return Ok(None);
    }
    let few = match db.backend() {
        Backend::Sqlite => sqlite::few_ticket_matches(db, terms, who).await?,
        Backend::Postgres => postgres::few_ticket_matches(db, terms, who).await?,
    };
    if few.is_none() {
        common_words::remember_common(database, terms, who);
    }
    Ok(few)
}

/// The first matches in the index's own order, at most a few thousand, read as `few_ticket_matches`
/// reads them: for a count that stops at a cap, where many match. `None` where the engine's
/// own plan for a capped count stops early by itself (PostgreSQL).
pub fn first_ticket_matches(backend: Backend, terms: &Terms, who: TicketSearcher) -> Option<(&'static str, String)> {
    match backend {
        Backend::Sqlite => Some(sqlite::first_ticket_matches(terms, who)),
        Backend::Postgres => None,
    }
}

/// For a bulk load's transaction (`frontdesk seed`): the tickets' index is written once per
/// ticket by `index_tickets` before the commit, not by the triggers on every row. On
/// PostgreSQL those rebuilt a ticket's document for the ticket and again for each message (an
/// hour for a million tickets); SQLite's triggers are cheap and stay on.
pub async fn defer_ticket_index(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => postgres::defer_ticket_index(conn).await,
    }
}

/// Writes the index of a portal's tickets numbered `first_number..=last_number` (the batch
/// just written), after `defer_ticket_index` in the same transaction.
pub async fn index_tickets(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    portal_id: i64,
    first_number: i64,
    last_number: i64,
) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => postgres::index_tickets(conn, portal_id, first_number, last_number).await,
    }
}

/// For a bulk load's transaction (`frontdesk seed`): PostgreSQL's copy of the newest articles
/// (migration 0036) is emptied rather than kept, and searches read every article until
/// `refill_article_copy`; keeping it would copy each article that a later one pushes out
/// (seeding took twice as long). SQLite has no copy.
pub async fn defer_article_copy(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => postgres::defer_article_copy(conn).await,
    }
}

/// Fills a portal's copy of its newest articles again after a bulk load.
pub async fn refill_article_copy(db: &Db, portal_id: i64) -> Result<(), sqlx::Error> {
    match db.backend() {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => postgres::refill_article_copy(db, portal_id).await,
    }
}

/// Starts whatever upkeep the engine's indexes need while a server runs: on SQLite, keeping
/// the tickets' index in few segments (`sqlite_upkeep`); on PostgreSQL nothing (autovacuum).
pub fn start_upkeep(db: &Db) {
    match db.backend() {
        Backend::Sqlite => {
            tokio::spawn(sqlite_upkeep::keep_tickets_index_compact(db.clone()));
        }
        Backend::Postgres => {}
    }
}

/// Brings the engine's indexes to their most compact form at once (after a bulk load): on
/// SQLite the tickets' index in one segment; nothing on PostgreSQL.
pub async fn compact_indexes(db: &Db) -> Result<(), sqlx::Error> {
    match db.backend() {
        Backend::Sqlite => sqlite_upkeep::merge_tickets_index(db, std::time::Duration::ZERO).await.map(drop),
        Backend::Postgres => Ok(()),
    }
}

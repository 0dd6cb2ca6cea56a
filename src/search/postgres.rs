//! Search on PostgreSQL: the `kb_articles.search` tsvector and `ticket_search.document`, both
//! with GIN indexes, `ts_rank` ranking. Never selects a tsvector (sqlx's Any cannot decode it).

use super::query::Language;
use super::{ArticleSearch, RankedArticle, TicketSearcher};
use crate::db::Db;
use crate::search::Terms;

/// Matches ranked per language: at most this many, the newest, of what the reader may read
/// (as on SQLite: a word found in most articles would otherwise rank tens of thousands).
const CANDIDATES: i64 = 500;

/// One language's best candidates, the query stemmed by that language's dictionary as the
/// article was. The candidates are found first (GIN), ranked after: `id + 0` keeps the planner
/// from walking the primary key backwards looking for matches, and `OFFSET 0` from ranking
/// rows it then drops.
fn branch(search: &ArticleSearch<'_>, language: Language) -> String {
    let query = format!("to_tsquery('{}'::regconfig, $2)", language.pg_config());
    format!(
        "SELECT c.id, ts_rank(c.search, {query}) AS score FROM (SELECT a.id, a.search FROM kb_articles a \
         WHERE a.portal_id = $1 AND a.language = '{}' AND {} AND a.search @@ {query} \
         ORDER BY a.id + 0 DESC LIMIT {CANDIDATES} OFFSET 0) c",
        language.code(),
        search.reader.condition("a")
    )
}

pub(super) async fn articles(db: &Db, search: &ArticleSearch<'_>) -> Result<Vec<RankedArticle>, sqlx::Error> {
    let sql = format!(
        "SELECT a.id, a.title, a.language, a.category_id, a.visibility, a.body_text FROM (\
         {} UNION ALL {} ORDER BY score DESC, id LIMIT $3 OFFSET $4) top \
         JOIN kb_articles a ON a.portal_id = $1 AND a.id = top.id ORDER BY top.score DESC, top.id",
        branch(search, Language::English),
        branch(search, Language::Portuguese)
    );
    // Audited: the string holds constant conditions; the typed words are bound, quoted.
    // Planned each time with the words (not a prepared statement's plan for any words): the
    // plan for any words also read an index of every article, 77 ms against 5 at 100,000.
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .persistent(false)
        .bind(search.portal_id)
        .bind(search.terms.tsquery_stemmed())
        .bind(search.limit)
        .bind(search.offset)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(RankedArticle::from_row).collect()
}

pub(super) fn ticket_condition(terms: &Terms, who: TicketSearcher) -> (&'static str, String) {
    let weights = match who {
        TicketSearcher::Agent => "",
        TicketSearcher::Customer => "ABC",
    };
    (
        "(t.portal_id, t.id) IN (SELECT s.portal_id, s.ticket_id FROM ticket_search s \
         WHERE s.document @@ to_tsquery('simple'::regconfig, ?))",
        terms.tsquery_prefixes(weights),
    )
}

/// Migration 0030: the triggers leave the tickets' index to `index_tickets` until the commit.
pub(super) async fn defer_ticket_index(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SET LOCAL frontdesk.ticket_search = 'deferred'").execute(conn).await?;
    Ok(())
}

pub(super) async fn index_tickets(
    conn: &mut sqlx::AnyConnection,
    portal_id: i64,
    first: i64,
    last: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT ticket_search_index_range($1, $2, $3) AS n")
        .bind(portal_id)
        .bind(first)
        .bind(last)
        .fetch_one(conn)
        .await?;
    Ok(())
}

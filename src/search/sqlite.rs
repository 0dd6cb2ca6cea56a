//! Search on SQLite: FTS5 (`kb_articles_fts`, `tickets_fts`), bm25 ranking.

use sqlx::Row;

use super::query::Language;
use super::{ArticleSearch, RankedArticle, TicketSearcher};
use crate::db::Db;
use crate::search::Terms;

/// One language's matches: the article's language decides which stemmer built the query.
fn branch(search: &ArticleSearch<'_>, language: Language, param: usize) -> String {
    format!(
        "SELECT kb_articles_fts.rowid AS id, bm25(kb_articles_fts, 10.0, 1.0) AS score \
         FROM kb_articles_fts JOIN kb_articles a ON a.id = kb_articles_fts.rowid \
         WHERE kb_articles_fts MATCH ${param} AND a.portal_id = $1 AND a.language = '{}' AND {}",
        language.code(),
        search.reader.condition("a")
    )
}

pub(super) async fn articles(db: &Db, search: &ArticleSearch<'_>) -> Result<Vec<RankedArticle>, sqlx::Error> {
    // The best ids first (bm25 is lower-is-better), then the text of those few only.
    let sql = format!(
        "SELECT a.id, a.title, a.language, a.category_id, a.visibility, a.body_text FROM (\
         {} UNION ALL {} ORDER BY score, id LIMIT $4 OFFSET $5) top \
         JOIN kb_articles a ON a.id = top.id ORDER BY top.score, top.id",
        branch(search, Language::English, 2),
        branch(search, Language::Portuguese, 3)
    );
    // Audited: the string holds constant conditions; the typed words are bound, quoted.
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(search.portal_id)
        .bind(search.terms.fts5_stemmed(Language::English))
        .bind(search.terms.fts5_stemmed(Language::Portuguese))
        .bind(search.limit)
        .bind(search.offset)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RankedArticle {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                language: r.try_get("language")?,
                category_id: r.try_get("category_id")?,
                visibility: r.try_get("visibility")?,
                body_text: r.try_get("body_text")?,
            })
        })
        .collect()
}

pub(super) fn ticket_condition(terms: &Terms, who: TicketSearcher) -> (&'static str, String) {
    let columns = match who {
        TicketSearcher::Agent => None,
        TicketSearcher::Customer => Some("subject people public_text"),
    };
    ("t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)", terms.fts5_prefixes(columns))
}

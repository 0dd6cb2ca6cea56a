//! Search on SQLite: FTS5 (`kb_articles_fts`, `tickets_fts`), bm25 ranking.

use super::query::Language;
use super::{ArticleSearch, RankedArticle, TicketSearcher};
use crate::db::Db;
use crate::search::Terms;

/// Matches ranked per query: at most this many, the newest, of what the reader may read (per
/// language where the words stem apart; shared by both where they stem alike, so a portal's
/// 500 newest English matches leave its older Portuguese ones unranked, which PostgreSQL's one
/// branch per language does not). A word found in a good share of 100,000 articles would
/// otherwise rank tens of thousands of rows (~200 ms); a search matching fewer (nearly all
/// that people type) ranks every match.
const CANDIDATES: i64 = 500;

/// The FTS5 query: the words, stemmed in `language`, in an article's title or text (the
/// index's only columns: a column filter would cost a copy of every match's positions).
fn fts_query(search: &ArticleSearch<'_>, language: Language) -> String {
    search.terms.fts5_stemmed(language)
}

/// The best candidates of the words bound at `$param`, in articles of `language` (of either
/// language with `None`): the newest matches of the portal's articles the reader may read,
/// each checked in migration 0032's index (bm25 is lower-is-better). The walk goes through the
/// words' matches in every portal, one look in the index each, as bm25 reads them all anyway
/// to count them: a portal with few articles in a database of many pays for the others'.
fn branch(param: usize, language: Option<Language>, reader: &str) -> String {
    let language = language.map(|l| format!(" AND s.language = '{}'", l.code())).unwrap_or_default();
    format!(
        "SELECT id, score FROM (SELECT f.rowid AS id, bm25(kb_articles_fts, 10.0, 1.0) AS score \
         FROM kb_articles_fts f CROSS JOIN kb_articles s INDEXED BY kb_articles_search_scope ON s.id = f.rowid \
         WHERE kb_articles_fts MATCH ${param} AND s.portal_id = $1 AND {reader}{language} \
         ORDER BY f.rowid DESC LIMIT {CANDIDATES})"
    )
}

pub(super) async fn articles(db: &Db, search: &ArticleSearch<'_>) -> Result<Vec<RankedArticle>, sqlx::Error> {
    let (english, portuguese) = (fts_query(search, Language::English), fts_query(search, Language::Portuguese));
    let reader = search.reader.condition("s");
    // Words that stem alike in both languages (most searches) are asked once, for articles of
    // either; otherwise each language's words in its own articles.
    let (branches, words, next) = if english == portuguese {
        (branch(2, None, &reader), vec![english], 3)
    } else {
        let both = format!(
            "{} UNION ALL {}",
            branch(2, Some(Language::English), &reader),
            branch(3, Some(Language::Portuguese), &reader)
        );
        (both, vec![english, portuguese], 4)
    };
    // The best ids first, then the text of those few only, the reader's rule applied again.
    let sql = format!(
        "SELECT a.id, a.title, a.language, a.category_id, a.visibility, a.body_text FROM (\
         {branches} ORDER BY score, id LIMIT ${next} OFFSET ${}) top CROSS \
         JOIN kb_articles a ON a.id = top.id WHERE a.portal_id = $1 AND {} ORDER BY top.score, top.id",
        next + 1,
        search.reader.condition("a")
    );
    // Audited: the string holds constant conditions; the typed words are bound, quoted.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(search.portal_id);
    for words in words {
        query = query.bind(words);
    }
    let rows = query.bind(search.limit).bind(search.offset).fetch_all(db.pool()).await?;
    rows.iter().map(RankedArticle::from_row).collect()
}

pub(super) fn ticket_condition(terms: &Terms, who: TicketSearcher) -> (&'static str, String) {
    // Every match is read once (a check ticket by ticket would expand the prefixes again for
    // each: seconds for a common word at a million tickets).
    ("t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)", ticket_query(terms, who))
}

fn ticket_query(terms: &Terms, who: TicketSearcher) -> String {
    let columns = match who {
        TicketSearcher::Agent => None,
        TicketSearcher::Customer => Some("subject people public_text"),
    };
    terms.fts5_prefixes(columns)
}

/// The first 4,004 matches (four times a count's cap), each ticket then found by its rowid: a
/// count of up to 1,001 tickets among them reads no further. Reading every match first, as
/// `t.id IN (...)` does, costs as much for a common word as the rest of the page.
pub(super) fn first_ticket_matches(terms: &Terms, who: TicketSearcher) -> (&'static str, String) {
    (
        "(SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH ? LIMIT 4004) found CROSS JOIN tickets t",
        ticket_query(terms, who),
    )
}

pub(super) async fn few_ticket_matches(
    db: &Db,
    terms: &Terms,
    who: TicketSearcher,
) -> Result<Option<(&'static str, String)>, sqlx::Error> {
    let query = ticket_query(terms, who);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH $1 LIMIT {})",
        super::FEW_MATCHES + 1
    )))
    .bind(&query)
    .fetch_one(db.pool())
    .await?;
    let n: i64 = sqlx::Row::try_get(&row, "n")?;
    // CROSS JOIN: SQLite keeps the matches as the outer loop, each ticket found by its rowid.
    Ok((n <= super::FEW_MATCHES).then_some((
        "(SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH ?) found CROSS JOIN tickets t",
        query,
    )))
}

//! Search on PostgreSQL: the `kb_articles.search` tsvector and `ticket_search.document`, both
//! with GIN indexes, `ts_rank` ranking. Never selects a tsvector (sqlx's Any cannot decode it).

use super::query::Language;
use super::{ArticleSearch, RankedArticle, TicketSearcher};
use crate::db::Db;
use crate::search::Terms;

/// Matches ranked per language: at most this many, the newest, of what the reader may read
/// (as on SQLite: a word found in most articles would otherwise rank tens of thousands).
const CANDIDATES: i64 = 500;

/// One language's candidates and their ranks, the query stemmed by that language's dictionary
/// as the article was. The candidates are first looked for in the copy of the newest published
/// articles (`kb_search_newest`, through the function migration 0036 explains), small and
/// narrow; in the whole table only when the copy holds fewer than `CANDIDATES` of them and is
/// not every published article (its `below` is above 0). A copy is always every published
/// article from `below` up, so its newest matches are the table's. In the table, `id + 0` keeps
/// the planner from walking the primary key backwards looking for matches, `OFFSET 0` from
/// ranking rows it then drops; the language is written into the statement, not bound, so that
/// each language's own index is used (migration 0035). Both `WHERE` conditions on counts are
/// evaluated once, before any row is read: the whole table is never read when the copy answered.
fn branch(search: &ArticleSearch<'_>, language: Language, name: &str) -> (String, String) {
    let query = format!("to_tsquery('{}'::regconfig, $2)", language.pg_config());
    let code = language.code();
    let candidates = format!(
        "{name} AS MATERIALIZED (SELECT m.id, m.search FROM \
         frontdesk_kb_newest_matches($1, '{code}', {query}, ARRAY[{visible}], {CANDIDATES}) m), \
         {name}_all AS MATERIALIZED (SELECT a.id, a.search FROM kb_articles a \
         WHERE (SELECT COUNT(*) FROM {name}) < {CANDIDATES} AND EXISTS (SELECT 1 FROM kb_search_bounds b \
         WHERE b.portal_id = $1 AND b.language = '{code}' AND b.below > 0) \
         AND a.portal_id = $1 AND a.language = '{code}' AND {readable} AND a.search @@ {query} \
         ORDER BY a.id + 0 DESC LIMIT {CANDIDATES} OFFSET 0)",
        visible = search.reader.visibilities(),
        readable = search.reader.condition("a"),
    );
    let ranked = format!(
        "SELECT id, ts_rank(search, {query}) AS score FROM {name} WHERE NOT EXISTS (SELECT 1 FROM {name}_all) \
         UNION ALL SELECT id, ts_rank(search, {query}) AS score FROM {name}_all"
    );
    (candidates, ranked)
}

pub(super) async fn articles(db: &Db, search: &ArticleSearch<'_>) -> Result<Vec<RankedArticle>, sqlx::Error> {
    let (english, english_ranked) = branch(search, Language::English, "english");
    let (portuguese, portuguese_ranked) = branch(search, Language::Portuguese, "portuguese");
    let sql = format!(
        "WITH {english}, {portuguese} \
         SELECT a.id, a.title, a.language, a.category_id, a.visibility, a.body_text FROM (\
         {english_ranked} UNION ALL {portuguese_ranked} ORDER BY score DESC, id LIMIT $3 OFFSET $4) top \
         JOIN kb_articles a ON a.portal_id = $1 AND a.id = top.id AND {readable} ORDER BY top.score DESC, top.id",
        // Checked again on the article itself: a copy out of step with it (rows written by hand,
        // a restore without triggers) drops a result rather than shows one to the wrong reader.
        readable = search.reader.condition("a"),
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
    (
        "(t.portal_id, t.id) IN (SELECT s.portal_id, s.ticket_id FROM ticket_search s \
         WHERE s.document @@ to_tsquery('simple'::regconfig, ?))",
        ticket_query(terms, who),
    )
}

fn ticket_query(terms: &Terms, who: TicketSearcher) -> String {
    let weights = match who {
        TicketSearcher::Agent => "",
        TicketSearcher::Customer => "ABC",
    };
    terms.tsquery_prefixes(weights)
}

/// Past this many matches by the planner's estimate, the matches are not counted. PostgreSQL
/// knows how common a frequent word is; a word it knows nothing of, as a prefix, it puts at
/// 0.5 % of the tickets (5,000 of a million), however rare: counting those is cheap through
/// the index, and walking a queue's order for them read every ticket (28 s at a million for a
/// word on 13 tickets).
const COUNT_BELOW_ESTIMATE: i64 = 10_000;

pub(super) async fn few_ticket_matches(
    db: &Db,
    terms: &Terms,
    who: TicketSearcher,
) -> Result<Option<(&'static str, String)>, sqlx::Error> {
    let query = ticket_query(terms, who);
    const MATCHES: &str =
        "SELECT 1 AS one FROM ticket_search s WHERE s.document @@ to_tsquery('simple'::regconfig, $1)";
    let plan = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {MATCHES}")))
        .persistent(false)
        .bind(&query)
        .fetch_all(db.pool())
        .await?;
    let estimate = plan
        .first()
        .and_then(|row| sqlx::Row::try_get::<String, _>(row, 0).ok())
        .and_then(|line| estimated_rows(&line));
    if estimate.is_none_or(|rows| rows > COUNT_BELOW_ESTIMATE) {
        return Ok(None);
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM ({MATCHES} LIMIT {}) few",
        super::FEW_MATCHES + 1
    )))
    .persistent(false)
    .bind(&query)
    .fetch_one(db.pool())
    .await?;
    let n: i64 = sqlx::Row::try_get(&row, "n")?;
    // OFFSET 0: the matches are read once, first, then each ticket by its key.
    Ok((n <= super::FEW_MATCHES).then_some((
        "(SELECT s.ticket_id AS id FROM ticket_search s WHERE s.document @@ to_tsquery('simple'::regconfig, ?) \
         OFFSET 0) found CROSS JOIN tickets t",
        query,
    )))
}

/// The rows a plan's top line estimates (`... (cost=0.00..93.50 rows=5000 width=0)`).
fn estimated_rows(line: &str) -> Option<i64> {
    let after = &line[line.find(" rows=")? + 6..];
    after[..after.find(' ').unwrap_or(after.len())].parse().ok()
}

/// Migration 0030: the triggers leave the tickets' index to `index_tickets` until the commit.
pub(super) async fn defer_ticket_index(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SET LOCAL frontdesk.ticket_search = 'deferred'").execute(conn).await?;
    Ok(())
}

/// Migration 0036: the articles' triggers empty the copy until `refill_article_copy`.
pub(super) async fn defer_article_copy(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SET LOCAL frontdesk.kb_search = 'deferred'").execute(conn).await?;
    Ok(())
}

pub(super) async fn refill_article_copy(db: &Db, portal_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 AS done FROM frontdesk_kb_newest_rebuild($1, NULL)")
        .bind(portal_id)
        .fetch_one(db.writer())
        .await?;
    Ok(())
}

pub(super) async fn index_tickets(
    conn: &mut sqlx::AnyConnection,
    portal_id: i64,
    first_number: i64,
    last_number: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT ticket_search_index_numbers($1, $2, $3) AS n")
        .bind(portal_id)
        .bind(first_number)
        .bind(last_number)
        .fetch_one(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_estimate_is_read_from_the_plans_top_line() {
        let line = "Bitmap Heap Scan on ticket_search s  (cost=94.75..15827.10 rows=5000 width=8)";
        assert_eq!(super::estimated_rows(line), Some(5000));
        assert_eq!(super::estimated_rows("Seq Scan on t  (cost=0.00..1.01 rows=1 width=4)"), Some(1));
        assert_eq!(super::estimated_rows("Result"), None);
    }
}

//! PostgreSQL's copy of the newest published articles' words (migration 0036), which article
//! search asks first: it follows every change an article can go through, and searches find
//! the same as from the whole table. On SQLite, which has no copy, the searches alone.

use frontdesk::kb::Reader;
use frontdesk::kb::Visibility;
use frontdesk::kb::store::{self, Author};
use frontdesk::search::{self, ArticleSearch, Terms};
use sqlx::Row;

use super::{Doc, hold_newest, publish_all, publish_all_in};
use crate::common::{TestApp, spawn};

async fn found(app: &TestApp, portal_id: i64, reader: Reader, text: &str) -> Vec<i64> {
    let terms = Terms::parse(text);
    let search = ArticleSearch { portal_id, reader, terms: &terms, limit: 50, offset: 0 };
    let mut ids: Vec<i64> = search::articles(&app.db, &search).await.unwrap().into_iter().map(|h| h.id).collect();
    ids.sort_unstable();
    ids
}

/// Articles the copy should hold and does not, and holds and should not (words and visibility
/// compared too), and bounds whose count is wrong or out of their size's eighth: none, none and
/// none, on PostgreSQL. The copy holds every published article from `below` up.
async fn copy_is_the_newest(app: &TestApp) {
    if app.db.backend() != frontdesk::db::Backend::Postgres {
        return;
    }
    let row = sqlx::query(
        "WITH expected AS (SELECT a.portal_id, a.language, a.id, a.visibility, a.search FROM kb_articles a \
         JOIN kb_search_bounds b ON b.portal_id = a.portal_id AND b.language = a.language \
         WHERE a.published_revision IS NOT NULL AND a.id >= b.below), \
         held AS (SELECT portal_id, language, article_id, visibility, search FROM kb_search_newest) \
         SELECT (SELECT COUNT(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM held) m) AS missing, \
         (SELECT COUNT(*) FROM (SELECT * FROM held EXCEPT SELECT * FROM expected) e) AS extra, \
         (SELECT COUNT(*) FROM kb_search_bounds b WHERE b.held <> (SELECT COUNT(*) FROM kb_search_newest n \
         WHERE n.portal_id = b.portal_id AND n.language = b.language) \
         OR b.held > b.size + b.size / 8 OR (b.below > 0 AND b.held < b.size - b.size / 8)) AS miscounted",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let counts: (i64, i64, i64) = (row.get("missing"), row.get("extra"), row.get("miscounted"));
    assert_eq!(counts, (0, 0, 0), "articles missing from the copy, held though they should not be, bounds miscounted");
}

async fn set(app: &TestApp, sql: &str, id: i64) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).bind(id).execute(app.db.writer()).await.unwrap();
}

#[tokio::test]
async fn the_copy_of_the_newest_articles_follows_every_change_and_finds_what_the_table_would() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    hold_newest(&app, portal, 3).await;
    let harbour = |n: &'static str| ("en", Visibility::Public, n, "Boats wait in the harbour.");
    let docs: Vec<Doc> = vec![
        harbour("One"),
        harbour("Two"),
        harbour("Three"),
        harbour("Four"),
        harbour("Five"),
        harbour("Six"),
        ("pt-BR", Visibility::Public, "Porto", "Os barcos esperam no porto."),
    ];
    let a = publish_all(&app, portal, &docs).await;
    let theirs = publish_all(&app, other, &docs[..2]).await;
    copy_is_the_newest(&app).await;
    // Three from the copy, three from the table under it; never the other portal's.
    assert_eq!(found(&app, portal, Reader::Visitor, "harbour").await, a[..6].to_vec());
    assert_eq!(found(&app, other, Reader::Visitor, "harbour").await, theirs);

    // Withdrawn: the one under the copy moves up into it.
    set(&app, "UPDATE kb_articles SET published_revision = NULL WHERE id = $1", a[5]).await;
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Visitor, "harbour").await, a[..5].to_vec());

    // Edited, in the copy and under it: the old words go, the new ones are found.
    let author = Author { staff_id: None, name: "Frontdesk" };
    for (id, text) in [(a[4], ("Four", "Lighthouse keepers.")), (a[0], ("One", "Lighthouse history."))] {
        let mut tx = app.db.writer().begin().await.unwrap();
        store::publish(&mut tx, portal, id, text, author, None, 300).await.unwrap();
        tx.commit().await.unwrap();
    }
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Visitor, "harbour").await, a[1..4].to_vec());
    assert_eq!(found(&app, portal, Reader::Visitor, "lighthouse").await, vec![a[0], a[4]]);

    // Made internal: agents still find it, visitors not.
    set(&app, "UPDATE kb_articles SET visibility = 'internal' WHERE id = $1", a[3]).await;
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Visitor, "harbour").await, a[1..3].to_vec());
    assert_eq!(found(&app, portal, Reader::Agent, "harbour").await, a[1..4].to_vec());

    // Moved to Portuguese: the English copy fills from under it, the Portuguese one takes it.
    set(&app, "UPDATE kb_articles SET language = 'pt-BR' WHERE id = $1", a[2]).await;
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Agent, "barcos").await, vec![a[6]]);
    assert_eq!(found(&app, portal, Reader::Agent, "harbour").await, vec![a[1], a[2], a[3]]);

    // Deleted, and published again.
    set(&app, "DELETE FROM kb_revisions WHERE article_id = $1", a[3]).await;
    set(&app, "DELETE FROM kb_articles WHERE id = $1", a[3]).await;
    set(&app, "UPDATE kb_articles SET published_revision = 1 WHERE id = $1", a[5]).await;
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Agent, "harbour").await, vec![a[1], a[2], a[5]]);

    // A vote or a draft leaves the copy as it is; a copy made larger takes in every article.
    set(&app, "UPDATE kb_articles SET helpful_yes = helpful_yes + 1 WHERE id = $1", a[5]).await;
    set(&app, "UPDATE kb_articles SET draft_markdown = 'unreleased harbour' WHERE id = $1", a[0]).await;
    hold_newest(&app, portal, 100).await;
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Agent, "harbour").await, vec![a[1], a[2], a[5]]);
    assert_eq!(found(&app, portal, Reader::Agent, "unreleased").await, Vec::<i64>::new());
}

/// What only hand-written SQL could do to the copy: a result it wrongly holds is checked again
/// on the article, a portal or id is never changed, and emptied articles empty the copy.
#[tokio::test]
async fn a_copy_out_of_step_never_shows_what_a_reader_may_not_read() {
    let app = spawn().await;
    if app.db.backend() != frontdesk::db::Backend::Postgres {
        return;
    }
    let (portal, _) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    let docs: Vec<Doc> = vec![
        ("en", Visibility::Public, "Quay", "Ships at the quay."),
        ("en", Visibility::Internal, "Quay staff", "Quay staff rota."),
    ];
    let a = publish_all(&app, portal, &docs).await;
    set(&app, "UPDATE kb_search_newest SET visibility = 'public' WHERE article_id = $1", a[1]).await;
    assert_eq!(found(&app, portal, Reader::Visitor, "quay").await, vec![a[0]]);

    let moved = sqlx::query("UPDATE kb_articles SET portal_id = $1 WHERE id = $2")
        .bind(other)
        .bind(a[0])
        .execute(app.db.writer())
        .await
        .expect_err("an article's portal never changes");
    assert!(moved.to_string().contains("do not change"), "{moved}");

    sqlx::query("TRUNCATE kb_articles CASCADE").execute(app.db.writer()).await.unwrap();
    let b = publish_all(&app, portal, &docs[..1]).await;
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Agent, "quay").await, b);
}

/// A bulk load (`frontdesk seed`) empties the copy rather than keeping it: searches read every
/// article meanwhile, and find the same before and after it is filled again.
#[tokio::test]
async fn a_bulk_load_leaves_searches_to_the_whole_table_until_the_copy_is_filled_again() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    hold_newest(&app, portal, 2).await;
    let harbour = |n: &'static str| ("en", Visibility::Public, n, "Boats wait in the harbour.");
    let mut all = publish_all(&app, portal, &[harbour("One"), harbour("Two"), harbour("Three")]).await;

    let mut tx = app.db.writer().begin().await.unwrap();
    search::defer_article_copy(&mut tx, app.db.backend()).await.unwrap();
    all.extend(publish_all_in(&mut tx, portal, &[harbour("Four"), harbour("Five")]).await);
    tx.commit().await.unwrap();
    assert_eq!(found(&app, portal, Reader::Visitor, "harbour").await, all);
    if app.db.backend() == frontdesk::db::Backend::Postgres {
        let held: i64 = sqlx::query("SELECT COUNT(*) AS n FROM kb_search_newest WHERE portal_id = $1")
            .bind(portal)
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(held, 0, "the copy is emptied by a bulk load");
    }

    search::refill_article_copy(&app.db, portal).await.unwrap();
    copy_is_the_newest(&app).await;
    assert_eq!(found(&app, portal, Reader::Visitor, "harbour").await, all);
}

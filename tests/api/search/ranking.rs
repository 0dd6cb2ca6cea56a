//! The ranking test the issue asks for, on the fixed corpus: the exact article first, Portuguese
//! stemmed forms found, punctuation an empty result; visibility and portal kept.

use frontdesk::kb::Reader;
use frontdesk::kb::Visibility;
use frontdesk::search::{self, ArticleSearch, Terms};

use super::{CORPUS, Doc, hold_newest, publish_all};
use crate::common::{TestApp, spawn};

async fn find(app: &TestApp, portal_id: i64, reader: Reader, text: &str) -> Vec<(i64, String)> {
    let terms = Terms::parse(text);
    let search = ArticleSearch { portal_id, reader, terms: &terms, limit: 10, offset: 0 };
    let hits = search::articles(&app.db, &search).await.unwrap_or_else(|e| panic!("{text:?}: {e}"));
    hits.into_iter().map(|h| (h.id, h.snippet_html)).collect()
}

async fn ids(app: &TestApp, portal_id: i64, reader: Reader, text: &str) -> Vec<i64> {
    find(app, portal_id, reader, text).await.into_iter().map(|(id, _)| id).collect()
}

#[tokio::test]
async fn search_ranks_the_exact_article_first_and_stems_both_languages() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let a = publish_all(&app, portal, CORPUS).await;
    let (reset, email, printer, billing, policy, impressora, senha) = (a[0], a[1], a[2], a[3], a[4], a[5], a[6]);

    // The exact article first, though another mentions the words too.
    let found = ids(&app, portal, Reader::Visitor, "reset password").await;
    assert_eq!(found, vec![reset], "reset password");
    let found = ids(&app, portal, Reader::Visitor, "password").await;
    assert_eq!(found.first(), Some(&reset), "password: {found:?}");
    assert!(found.contains(&email) && !found.contains(&policy), "password: {found:?}");
    // English stems: "printers" and "printing" find the printer article.
    assert_eq!(ids(&app, portal, Reader::Visitor, "printers").await, vec![printer]);
    // The word being typed is a prefix.
    assert_eq!(ids(&app, portal, Reader::Visitor, "printer troubl").await, vec![printer]);
    assert_eq!(ids(&app, portal, Reader::Visitor, "passw").await.first(), Some(&reset));

    // Portuguese: a plural finds the singular, "configurações" finds "configuração" and
    // "configurar", and the other way round.
    assert_eq!(ids(&app, portal, Reader::Visitor, "impressoras").await, vec![impressora]);
    let found = ids(&app, portal, Reader::Visitor, "configurações").await;
    assert!(found.contains(&impressora) && found.contains(&senha), "configurações: {found:?}");
    assert_eq!(ids(&app, portal, Reader::Visitor, "senhas").await, vec![senha]);

    // Only punctuation, or FTS and tsquery syntax, is an empty result or a plain search, never
    // an error.
    for text in ["", "   ", "!!!", "\"", "\"\"", "*", "(", ")", "- -", "&|!", ":*", "'", "\\", "^", "...", "«»", "🙂"]
    {
        assert!(ids(&app, portal, Reader::Agent, text).await.is_empty(), "{text:?}");
    }
    for text in [
        "password\"",
        "\"password",
        "pass*word",
        "password:*",
        "NEAR(password reset)",
        "password AND OR NOT",
        "' OR 1=1 --",
        "a'b\\c",
        "title:password",
        "{title}: password",
        "password & !reset | (x",
        "passw\u{301}ord",
    ] {
        find(&app, portal, Reader::Agent, text).await;
    }
    assert_eq!(ids(&app, portal, Reader::Visitor, "reset: password!").await, vec![reset]);

    // The snippet marks the words found and escapes the text.
    let (_, snippet) = find(&app, portal, Reader::Visitor, "printers").await.remove(0);
    assert!(snippet.contains("<mark>printer</mark>") && snippet.contains("<mark>printers</mark>"), "{snippet}");
    assert!(!snippet.contains("<b>"), "{snippet}");

    // Visibility: customers see theirs, agents the internal one too, visitors neither.
    assert!(ids(&app, portal, Reader::Visitor, "invoices").await.is_empty());
    assert_eq!(ids(&app, portal, Reader::Customer, "invoices").await, vec![billing]);
    assert!(ids(&app, portal, Reader::Customer, "runbook").await.is_empty());
    assert_eq!(ids(&app, portal, Reader::Agent, "runbook").await, vec![policy]);
}

#[tokio::test]
async fn search_keeps_to_the_portal_and_to_published_text() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    let mine = publish_all(&app, portal, &CORPUS[..1]).await;
    publish_all(&app, other, &CORPUS[..1]).await;
    assert_eq!(ids(&app, portal, Reader::Agent, "password").await, mine);

    // An edit re-indexes the article: the old words are gone, the new ones found; a draft is
    // not searched.
    let mut tx = app.db.writer().begin().await.unwrap();
    let author = frontdesk::kb::store::Author { staff_id: None, name: "Frontdesk" };
    frontdesk::kb::store::publish(&mut tx, portal, mine[0], ("Sign-in help", "Use the magic link."), author, None, 200)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(ids(&app, portal, Reader::Agent, "password").await.is_empty());
    assert_eq!(ids(&app, portal, Reader::Agent, "magic link").await, mine);
    sqlx::query("UPDATE kb_articles SET draft_title = 'Secret plans', draft_markdown = 'unreleased' WHERE id = $1")
        .bind(mine[0])
        .execute(app.db.writer())
        .await
        .unwrap();
    assert!(ids(&app, portal, Reader::Agent, "unreleased").await.is_empty());

    // Deleted articles leave the index.
    sqlx::query("DELETE FROM kb_revisions WHERE article_id = $1").bind(mine[0]).execute(app.db.writer()).await.unwrap();
    sqlx::query("DELETE FROM kb_articles WHERE id = $1").bind(mine[0]).execute(app.db.writer()).await.unwrap();
    assert!(ids(&app, portal, Reader::Agent, "magic").await.is_empty());
}

/// Makes the next article's id `next`, as if other portals had written thousands meanwhile.
async fn skip_article_ids(app: &TestApp, portal_id: i64, next: i64) {
    if app.db.backend() == frontdesk::db::Backend::Postgres {
        sqlx::query("SELECT setval(pg_get_serial_sequence('kb_articles', 'id'), $1) AS id")
            .bind(next - 1)
            .fetch_one(app.db.writer())
            .await
            .unwrap();
        return;
    }
    // SQLite gives the next row the highest id plus one: a draft holds the place (never searched).
    sqlx::query(
        "INSERT INTO kb_articles (id, portal_id, category_id, language, visibility, title, created_at, updated_at) \
         SELECT $1, $2, MIN(id), 'en', 'internal', 'placeholder', 0, 0 FROM kb_categories WHERE portal_id = $2",
    )
    .bind(next - 1)
    .bind(portal_id)
    .execute(app.db.writer())
    .await
    .unwrap();
}

async fn newest_500_are_ranked(app: &TestApp, portal: i64, old: &[i64], new: &[i64]) {
    // lighthouse: new[500..600] and old[50..450] are the newest 500; old[60] the best of them.
    let found = ids(app, portal, Reader::Visitor, "lighthouse").await;
    assert_eq!(found.first(), Some(&old[60]), "lighthouse: {found:?}");
    assert!(!found.contains(&old[0]), "lighthouse: {found:?}");
    // beacon: new[100..600] are the newest 500; new[150] the best of them, new[0] left out.
    let found = ids(app, portal, Reader::Visitor, "beacon").await;
    assert_eq!(found.first(), Some(&new[150]), "beacon: {found:?}");
    assert!(!found.contains(&new[0]), "beacon: {found:?}");
}

/// A word in more than 500 articles is ranked among its newest 500 (the cap both engines keep,
/// src/search), whether those are all among the newest ids (`beacon`) or spread far apart
/// (`lighthouse`, in 450 old articles and 100 written after a gap of 20,000 ids): the best
/// title among the newest 500 comes first; the same title just outside them is never found. A
/// faster way to find the newest matches must keep this (one was tried: docs/benchmarks.md).
#[tokio::test]
async fn a_common_word_is_ranked_among_its_newest_500_matches_however_far_apart() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let best = |i: usize, of: usize, title: &'static str| if i == 0 || i == of { title } else { "A note" };
    let old: Vec<Doc> = (0..450)
        .map(|i| ("en", Visibility::Public, best(i, 60, "Lighthouse lighthouse lighthouse"), "About the lighthouse."))
        .collect();
    let old = publish_all(&app, portal, &old).await;
    skip_article_ids(&app, portal, old[449] + 20_001).await;
    let new: Vec<Doc> = (0..600)
        .map(|i| {
            let body = if i < 500 { "The beacon." } else { "The beacon by the lighthouse." };
            ("en", Visibility::Public, best(i, 150, "Beacon beacon beacon"), body)
        })
        .collect();
    let new = publish_all(&app, portal, &new).await;
    assert!(new[0] > old[449] + 20_000, "the gap: {} after {}", new[0], old[449]);

    newest_500_are_ranked(&app, portal, &old, &new).await;
    // PostgreSQL looks first in a copy of the newest articles' words (migration 0036): the same
    // answers whether it holds them all, the newest 520 (the 520 newest beacons: that word is
    // answered by the copy; 100 lighthouses: that one by the whole table) or the newest 50.
    for size in [520, 50] {
        if hold_newest(&app, portal, size).await {
            newest_500_are_ranked(&app, portal, &old, &new).await;
        }
    }
    // PostgreSQL drops stop words: `the` alone is no query, and finds nothing. SQLite keeps
    // every word, and finds it.
    if app.db.backend() == frontdesk::db::Backend::Postgres {
        assert_eq!(ids(&app, portal, Reader::Visitor, "the").await, Vec::<i64>::new());
    }
}

//! `frontdesk seed` at a small size: the counts and proportions it promises, two portals kept
//! apart, accounts that sign in, the same desk from the same seed, and a refusal to seed over
//! existing tickets without `--force`.

use sqlx::Row;

use crate::common::{self, TestApp};

const SMALL: &[&str] = &["seed", "--tickets", "600", "--customers", "60", "--agents", "4", "--departments", "2"];

async fn statuses(app: &TestApp) -> Vec<(String, i64)> {
    let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM tickets GROUP BY status ORDER BY status")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.iter().map(|r| (r.try_get("status").unwrap(), r.try_get("n").unwrap())).collect()
}

fn share(counts: &[(String, i64)], which: &[&str]) -> f64 {
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let part: i64 = counts.iter().filter(|(s, _)| which.contains(&s.as_str())).map(|(_, n)| n).sum();
    part as f64 / total as f64
}

#[tokio::test]
async fn seed_builds_the_desk_it_promises_and_the_same_one_twice() {
    let app = common::spawn().await;
    let out = app.cli_ok(SMALL, "");
    assert!(out.contains("Seeded 600 tickets") && out.contains("Seed-Passw0rd!"), "{out}");
    assert!(out.contains("admin@seed.test") && out.contains("customer1@acme.example"), "{out}");

    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 600);
    let acme = app
        .count("SELECT COUNT(*) AS n FROM tickets t JOIN portals p ON p.id = t.portal_id WHERE p.slug = 'acme'")
        .await;
    assert_eq!(acme, 540, "nine in ten tickets go to the large portal");
    let counts = statuses(&app).await;
    let (active, resolved, closed) =
        (share(&counts, &["new", "open", "pending"]), share(&counts, &["resolved"]), share(&counts, &["closed"]));
    assert!((0.32..=0.48).contains(&active), "open and reopened: {counts:?}");
    assert!((0.23..=0.37).contains(&resolved), "resolved: {counts:?}");
    assert!((0.23..=0.37).contains(&closed), "closed: {counts:?}");
    let reopened = app.count("SELECT COUNT(DISTINCT ticket_id) AS n FROM ticket_events WHERE what = 'status' AND old_value = 'resolved' AND new_value = 'open'").await;
    assert!((10..=60).contains(&reopened), "reopened: {reopened}");
    let messages = app.count("SELECT COUNT(*) AS n FROM ticket_messages WHERE kind = 'public'").await;
    assert!((600 * 2..=600 * 4).contains(&messages), "about three messages a ticket: {messages}");
    assert!(app.count("SELECT COUNT(*) AS n FROM ticket_messages WHERE kind = 'note'").await > 20);
    assert!(app.count("SELECT COUNT(*) AS n FROM ticket_message_attachments").await > 0);
    // Every ticket is whole, numbered from #1001 in its portal, and belongs to a customer of its portal.
    let orphans = "SELECT COUNT(*) AS n FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_messages m \
                   WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id) OR NOT EXISTS (SELECT 1 FROM customers c \
                   WHERE c.portal_id = t.portal_id AND c.id = t.customer_id)";
    assert_eq!(app.count(orphans).await, 0);
    assert_eq!(app.count("SELECT MIN(number) AS n FROM tickets").await, 1001);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers").await, 60);
    // On SQLite the search index is left in one piece (src/search/sqlite_upkeep.rs).
    if app.db.backend() == frontdesk::db::Backend::Sqlite {
        assert_eq!(app.count("SELECT COUNT(DISTINCT segid) AS n FROM tickets_fts_idx").await, 1);
    } else {
        // On PostgreSQL each batch is indexed at its end (migration 0030): the documents are
        // those the triggers write when every row is touched again.
        let pool = app.db.pool();
        sqlx::query("CREATE TABLE seeded_documents AS SELECT portal_id, ticket_id, document FROM ticket_search")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE tickets SET subject = subject").execute(pool).await.unwrap();
        let same = "SELECT COUNT(*) AS n FROM seeded_documents d JOIN ticket_search s \
                    ON s.portal_id = d.portal_id AND s.ticket_id = d.ticket_id WHERE s.document = d.document";
        assert_eq!(app.count(same).await, 600);
    }

    // The accounts sign in and see the desk.
    let agent = app.manage_as("agent1@acme.seed.test", frontdesk::seed::PASSWORD).await;
    agent.get("/manage/tickets?queue=unassigned&status=any").await.assert_contains("ticket-number");
    // A word only the seeded internal notes hold is found: the index was written.
    let admin = app.manage_as("admin@seed.test", frontdesk::seed::PASSWORD).await;
    admin.get("/manage/tickets?queue=all&status=any&q=prioritise").await.assert_contains("ticket-number");
    let customer = app.browser();
    customer.sign_in_portal("acme", "customer1@acme.example", frontdesk::seed::PASSWORD).await;
    customer.get("/portal/acme/tickets").await.assert_contains("/portal/acme/tickets/");

    // Over existing tickets: refused, unless --force.
    let refused = app.cli(SMALL, "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 600);
    let mut forced = SMALL.to_vec();
    forced.extend(["--force", "--seed", "2"]);
    app.cli_ok(&forced, "");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 1200);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers").await, 60, "accounts are reused");

    // The same seed builds the same desk.
    let other = common::spawn().await;
    other.cli_ok(SMALL, "");
    let desk = |app: &TestApp| {
        let pool = app.db.pool().clone();
        async move {
            let rows = sqlx::query(
                "SELECT number, subject, status, priority FROM tickets WHERE number < 1601 ORDER BY portal_id, number",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            rows.iter()
                .map(|r| {
                    format!(
                        "{}:{}:{}:{}",
                        r.try_get::<i64, _>(0).unwrap(),
                        r.try_get::<String, _>(1).unwrap(),
                        r.try_get::<String, _>(2).unwrap(),
                        r.try_get::<String, _>(3).unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let fresh = common::spawn().await;
    fresh.cli_ok(SMALL, "");
    assert_eq!(desk(&other).await, desk(&fresh).await);
}

#[tokio::test]
async fn seed_writes_a_knowledge_base_in_the_proportions_it_promises() {
    let app = common::spawn().await;
    let args =
        ["seed", "--tickets", "0", "--customers", "40", "--agents", "2", "--departments", "1", "--articles", "400"];
    let out = app.cli_ok(&args, "");
    assert!(out.contains("Seeded 400 knowledge-base articles"), "{out}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles").await, 400);
    let acme = "SELECT COUNT(*) AS n FROM kb_articles a JOIN portals p ON p.id = a.portal_id WHERE p.slug = 'acme'";
    assert_eq!(app.count(acme).await, 360, "nine in ten articles go to the large portal");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_categories").await, 20, "ten categories in each portal");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_category_names").await, 40, "each named in both languages");

    let share = |n: i64| n as f64 / 400.0;
    let portuguese = share(app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE language = 'pt-BR'").await);
    assert!((0.2..=0.4).contains(&portuguese), "Portuguese: {portuguese}");
    let public = share(app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE visibility = 'public'").await);
    let customers = share(app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE visibility = 'customers'").await);
    let internal = share(app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE visibility = 'internal'").await);
    assert!((0.55..=0.8).contains(&public), "public: {public}");
    assert!((0.08..=0.26).contains(&customers), "customers only: {customers}");
    assert!((0.08..=0.26).contains(&internal), "internal: {internal}");
    // Translations: Portuguese, of an English original of the same portal, category and visibility.
    let translations = app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE translation_of IS NOT NULL").await;
    assert!(translations >= 20, "translations: {translations}");
    let sound = "SELECT COUNT(*) AS n FROM kb_articles t JOIN kb_articles o ON o.portal_id = t.portal_id AND o.id = t.translation_of \
                 WHERE t.language = 'pt-BR' AND o.language = 'en' AND o.category_id = t.category_id \
                 AND o.visibility = t.visibility AND o.translation_of IS NULL";
    assert_eq!(app.count(sound).await, translations);
    // Published as revision 1, rendered; the counters agree with the votes, all from the portal's customers.
    let published = "SELECT COUNT(*) AS n FROM kb_articles a JOIN kb_revisions r ON r.portal_id = a.portal_id \
                     AND r.article_id = a.id AND r.number = 1 AND r.title = a.title AND r.body_html = a.body_html \
                     WHERE a.published_revision = 1 AND a.body_html LIKE '%<ol>%' AND a.body_html NOT LIKE '%**%'";
    assert_eq!(app.count(published).await, 400);
    let votes = app.count("SELECT COUNT(*) AS n FROM kb_votes").await;
    assert!(votes > 400, "votes: {votes}");
    assert_eq!(app.count("SELECT CAST(SUM(helpful_yes + helpful_no) AS BIGINT) AS n FROM kb_articles").await, votes);
    let yes = app.count("SELECT COUNT(*) AS n FROM kb_votes WHERE helpful = 1").await;
    assert_eq!(app.count("SELECT CAST(SUM(helpful_yes) AS BIGINT) AS n FROM kb_articles").await, yes);
    let strangers = "SELECT COUNT(*) AS n FROM kb_votes v WHERE NOT EXISTS (SELECT 1 FROM customers c \
                     WHERE c.portal_id = v.portal_id AND v.voter = 'customer:' || c.id)";
    assert_eq!(app.count(strangers).await, 0);

    // The portal shows it, in each language.
    let visitor = app.browser();
    visitor.get("/portal/acme/kb").await.assert_contains("Getting started").assert_contains("id=\"kb-recent\"");
    app.browser_pt().get("/portal/globex/kb").await.assert_contains("Primeiros passos");
}

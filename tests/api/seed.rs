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

    // The accounts sign in and see the desk.
    let agent = app.manage_as("agent1@acme.seed.test", frontdesk::seed::PASSWORD).await;
    agent.get("/manage/tickets?queue=unassigned&status=any").await.assert_contains("ticket-number");
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

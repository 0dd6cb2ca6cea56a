//! Saved views: an agent saves the queue's filters under a name, finds the view in the queue
//! menu with a count capped at 1000, renames and deletes it; an administrator shares a view
//! with a department, whose members see it and others do not; a shared view goes through each
//! viewer's own scope, so it never shows more than their queues do.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, Browser, TestApp};
use crate::queue_filters::{numbers_in, set};

/// Saves a view from `browser`; its id (read from the redirect to it).
async fn save(browser: &Browser, name: &str, query: &str, share: &str) -> i64 {
    let page = browser.post("/manage/tickets/views", &[("name", name), ("query", query), ("share", share)]).await;
    page.assert_redirect_to("/manage/tickets?view=");
    page.location.as_deref().unwrap().rsplit('=').next().unwrap().parse().unwrap()
}

async fn views_in_db(app: &TestApp) -> Vec<String> {
    let rows = sqlx::query("SELECT name, query, COALESCE(department_id, 0) AS d FROM ticket_views ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let (name, query, d): (String, String, i64) = (r.get("name"), r.get("query"), r.get("d"));
            format!("{name}|{query}|{d}")
        })
        .collect()
}

#[tokio::test]
async fn an_agent_saves_counts_renames_and_deletes_a_personal_view() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (_, bob) = app.signed_in_agent("default", "bob@desk.test", &[support], &["answer_tickets"]).await;
    let urgent = app.ticket(portal, support, None, "Urgent one").await;
    app.ticket(portal, support, None, "Calm one").await;
    set(&app, portal, urgent, "priority = 'urgent'").await;

    // The page's canonical filters, saved as they are (the form carries them).
    let page = ana.get("/manage/tickets?queue=unassigned&priority=urgent").await;
    let query = page.between("name=\"query\" value=\"", "\"").replace("&amp;", "&").replace("&#38;", "&");
    assert_eq!(query, "queue=unassigned&priority=urgent");
    let id = save(&ana, "  Urgent unassigned ", &query, "").await;
    assert_eq!(views_in_db(&app).await, vec!["Urgent unassigned|queue=unassigned&priority=urgent|0"]);
    let view = ana.get(&format!("/manage/tickets?view={id}")).await;
    view.assert_status(StatusCode::OK);
    view.assert_contains(&format!(
        r#"<a href="/manage/tickets?view={id}" aria-current="page">Urgent unassigned <span class="count">1</span></a>"#
    ));
    assert_eq!(numbers_in(&view), vec![urgent]);

    // Personal: a colleague neither sees it nor changes it.
    bob.get("/manage/tickets").await.assert_lacks("Urgent unassigned");
    bob.get(&format!("/manage/tickets?view={id}")).await.assert_status(StatusCode::NOT_FOUND);
    bob.post(&format!("/manage/tickets/views/{id}/delete"), &[]).await.assert_status(StatusCode::NOT_FOUND);
    bob.post(&format!("/manage/tickets/views/{id}/rename"), &[("name", "Mine now")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // Without the CSRF token, nothing either.
    ana.post_raw(&format!("/manage/tickets/views/{id}/delete"), &[]).await;
    assert_eq!(views_in_db(&app).await.len(), 1);

    // Bad names and filters are refused and store nothing.
    ana.post("/manage/tickets/views", &[("name", " "), ("query", "")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    ana.post("/manage/tickets/views", &[("name", "Bad"), ("query", "priority=huge")])
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    // Sharing is for administrators.
    ana.post("/manage/tickets/views", &[("name", "Shared"), ("query", ""), ("share", &support.to_string())])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(views_in_db(&app).await.len(), 1);

    let renamed = ana.post(&format!("/manage/tickets/views/{id}/rename"), &[("name", "Fires")]).await;
    renamed.assert_redirect_to(&format!("/manage/tickets?view={id}"));
    ana.get("/manage/tickets").await.assert_contains("Fires <span class=\"count\">1</span>");
    ana.post(&format!("/manage/tickets/views/{id}/delete"), &[]).await.assert_redirect_to("/manage/tickets");
    assert!(views_in_db(&app).await.is_empty());
    ana.get("/manage/tickets").await.assert_lacks("Fires");
}

/// `count` open tickets numbered from 5001 in one statement; `priority` is SQL over their
/// position `i` (from 1), a constant of the test.
async fn open_tickets(app: &TestApp, (portal, department): (i64, i64), count: i64, priority: &str, subject: &str) {
    let sql = format!(
        "INSERT INTO tickets (portal_id, number, requester_name, requester_email, department_id, status, priority, \
         subject, last_speaker, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3) \
         SELECT $1, 5000 + i, 'Rita', 'rita@client.test', $2, 'open', {priority}, $4, 'customer', 1, 1 FROM n"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal)
        .bind(department)
        .bind(count)
        .bind(subject)
        .execute(app.db.writer())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_views_count_stops_at_a_thousand_while_queues_count_exactly() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    app.ticket(portal, support, None, "The first").await;
    // 1,005 more tickets in one statement.
    open_tickets(&app, (portal, support), 1005, "'high'", "Many").await;
    let admin = app.admin().await;
    let many = save(&admin, "Every high one", "queue=all&priority=high", "").await;
    let few = save(&admin, "Normal ones", "queue=all&priority=normal", "").await;
    let page = admin.get("/manage/tickets").await;
    page.assert_contains(&format!(
        r#"<a href="/manage/tickets?view={many}">Every high one <span class="count">1000+</span>"#
    ));
    page.assert_contains(&format!(r#"<a href="/manage/tickets?view={few}">Normal ones <span class="count">1</span>"#));
    // The queues themselves count exactly, from the counters the database keeps.
    page.assert_contains("All <span class=\"count\">1006</span>");
}

/// A view with words counts from the search index's first matches when they hold more than the
/// cap, and counts in full when they do not (SQLite; PostgreSQL counts in full).
#[tokio::test]
async fn a_views_count_with_words_is_right_whether_the_first_matches_hold_the_cap_or_not() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    // 4,100 high tickets first, then 1,010 normal ones, all about printers.
    open_tickets(&app, (portal, support), 5110, "CASE WHEN i <= 4100 THEN 'high' ELSE 'normal' END", "Many printers")
        .await;
    let admin = app.admin().await;
    let high = save(&admin, "High printers", "queue=all&priority=high&q=printer", "").await;
    let normal = save(&admin, "Normal printers", "queue=all&priority=normal&q=printer", "").await;
    let low = save(&admin, "Low printers", "queue=all&priority=low&q=printer", "").await;
    let page = admin.get("/manage/tickets").await;
    for (id, name, count) in [(high, "High", "1000+"), (normal, "Normal", "1000+"), (low, "Low", "0")] {
        page.assert_contains(&format!(
            r#"<a href="/manage/tickets?view={id}">{name} printers <span class="count">{count}</span>"#
        ));
    }
}

#[tokio::test]
async fn a_shared_view_reaches_its_department_and_never_widens_what_an_agent_sees() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (_, bob) = app.signed_in_agent("default", "bob@desk.test", &[billing], &["answer_tickets"]).await;
    let ours = app.ticket(portal, support, None, "Support ticket").await;
    let theirs = app.ticket(portal, billing, None, "Billing ticket").await;
    let (_, beta_support) = app.portal_with_department("beta").await;
    let admin = app.admin().await;

    // Everything the administrator sees, shared with Support.
    let all = save(&admin, "Everything open", "queue=all", &support.to_string()).await;
    let admin_view = admin.get(&format!("/manage/tickets?view={all}")).await;
    assert_eq!(numbers_in(&admin_view), vec![theirs, ours]);
    let view = ana.get(&format!("/manage/tickets?view={all}")).await;
    view.assert_status(StatusCode::OK).assert_contains("Everything open").assert_lacks("Billing ticket");
    assert_eq!(numbers_in(&view), vec![ours]);
    view.assert_contains(&format!(r#"<a href="/manage/tickets?view={all}" aria-current="page">Everything open <span class="muted">(shared)</span> <span class="count">1</span>"#));
    // A view of Billing's queue, shared with Support: empty for its members.
    let billing_view = save(&admin, "Billing queue", &format!("queue=d{billing}"), &support.to_string()).await;
    assert!(numbers_in(&ana.get(&format!("/manage/tickets?view={billing_view}")).await).is_empty());
    // Another department's agent sees neither.
    bob.get("/manage/tickets").await.assert_lacks("Everything open").assert_lacks("Billing queue");
    bob.get(&format!("/manage/tickets?view={all}")).await.assert_status(StatusCode::NOT_FOUND);

    // Members cannot change a shared view; administrators can.
    ana.post(&format!("/manage/tickets/views/{all}/delete"), &[]).await.assert_status(StatusCode::FORBIDDEN);
    ana.post(&format!("/manage/tickets/views/{all}/rename"), &[("name", "Ours")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(views_in_db(&app).await.len(), 2);
    // Another portal's department is not one to share with.
    admin
        .post("/manage/tickets/views", &[("name", "Away"), ("query", ""), ("share", &beta_support.to_string())])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    admin
        .post(&format!("/manage/tickets/views/{billing_view}/delete"), &[])
        .await
        .assert_redirect_to("/manage/tickets");
    assert_eq!(views_in_db(&app).await, vec![format!("Everything open|queue=all|{support}")]);
}

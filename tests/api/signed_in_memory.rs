//! Each node remembers the customers' sessions it read lately, for pages that only read
//! (`src/auth/signed_in.rs`). Whatever ends a session or changes a customer shows on the next
//! page when it was done through the same node, and within a second when it was done anywhere
//! else: another node, or SQL typed by hand (the command line's path too).

use crate::common::{self, Browser, TestApp, spawn_on};

const PASSWORD: &str = "Cust0mer-Secret!";
const KB: &str = "/portal/default/kb";

/// A customer signed in to the default portal, who has opened the knowledge base once (so
/// that the node remembers their session); their id.
async fn reading_customer(app: &TestApp, email: &str) -> (Browser, i64) {
    let id = app.customer("default", email, PASSWORD).await;
    let browser = app.browser();
    browser.sign_in_portal("default", email, PASSWORD).await.assert_redirect_to("/portal/default/");
    browser.get(KB).await.assert_status(reqwest::StatusCode::OK).assert_contains(email);
    browser.get(KB).await.assert_contains(email);
    (browser, id)
}

fn signed_out(page: &common::Page) -> bool {
    page.status == 200 && page.body.contains("/portal/default/login") && !page.body.contains("avatar-menu")
}

/// SQL typed by hand (the command line's path, and another node's), with `$1` = `customer`.
async fn by_hand(app: &TestApp, sql: &'static str, customer: i64) {
    sqlx::query(sql).bind(customer).execute(app.db.writer()).await.unwrap();
}

async fn sessions_of(app: &TestApp, customer: i64) -> i64 {
    app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE customer_id = $1", customer).await
}

#[tokio::test]
async fn a_customer_disabled_through_this_node_is_signed_out_of_its_next_page() {
    let app = common::spawn().await;
    let (carla, id) = reading_customer(&app, "carla@client.test").await;
    let admin = app.admin().await;
    admin
        .post(&format!("/manage/customers/{id}/status"), &[("disabled", "true")])
        .await
        .assert_redirect_to(&format!("/manage/customers/{id}?msg=disabled"));
    let page = carla.get(KB).await;
    assert!(signed_out(&page), "still signed in after being disabled:\n{}", page.body);
    assert_eq!(sessions_of(&app, id).await, 0);
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM customers WHERE id = $1 AND disabled_at IS NOT NULL", id).await,
        1
    );
}

#[tokio::test]
async fn a_name_changed_through_this_node_shows_on_the_next_page() {
    let app = common::spawn().await;
    let (carla, id) = reading_customer(&app, "carla@client.test").await;
    carla
        .post("/portal/default/profile/details", &[("name", "Carla Renamed"), ("mobile", "")])
        .await
        .assert_redirect_to("/portal/default/profile");
    carla.get(KB).await.assert_contains("Carla Renamed");
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM customers WHERE id = $1 AND name = 'Carla Renamed'", id).await,
        1
    );
}

#[tokio::test]
async fn a_customer_disabled_on_another_node_is_signed_out_of_this_ones_pages_within_a_second() {
    let first = common::spawn().await;
    let second = spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), |_| {}).await;
    // Carla reads on the second node; an administrator disables her on the first.
    let (carla, id) = reading_customer(&second, "carla@client.test").await;
    let admin = first.admin().await;
    admin.post(&format!("/manage/customers/{id}/status"), &[("disabled", "true")]).await;
    carla.get_until(KB, "the signed-out page", signed_out).await;
    assert_eq!(sessions_of(&second, id).await, 0);
}

#[tokio::test]
async fn a_session_deleted_by_hand_in_sql_stops_within_a_second() {
    let app = common::spawn().await;
    let (carla, id) = reading_customer(&app, "carla@client.test").await;
    by_hand(&app, "DELETE FROM sessions WHERE customer_id = $1", id).await;
    carla.get_until(KB, "the signed-out page", signed_out).await;
}

#[tokio::test]
async fn a_customer_changed_by_hand_in_sql_shows_within_a_second() {
    let app = common::spawn().await;
    let (carla, id) = reading_customer(&app, "carla@client.test").await;
    by_hand(&app, "UPDATE customers SET name = 'Carla By Hand' WHERE id = $1", id).await;
    carla.get_until(KB, "the new name", |p| p.body.contains("Carla By Hand")).await;
    // Disabled by hand, without ending her sessions: her pages stop all the same.
    by_hand(&app, "UPDATE customers SET disabled_at = 1 WHERE id = $1", id).await;
    carla.get_until(KB, "the signed-out page", signed_out).await;
    assert_eq!(sessions_of(&app, id).await, 1, "the session was left, as the SQL left it");
}

/// Drops the triggers that announce a session's end: `sessions_ended` (migration 0029: the
/// notification on PostgreSQL, the row of `ended_sessions` on SQLite) and, with `counted`,
/// `sessions_ended_counted` (migration 0037: the counter every node reads).
async fn silence_session_ends(app: &TestApp, counted: bool) {
    let mut triggers = vec!["sessions_ended"];
    if counted {
        triggers.push("sessions_ended_counted");
    }
    for trigger in triggers {
        let drop = match app.db.backend() {
            frontdesk::db::Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
            frontdesk::db::Backend::Postgres => format!("DROP TRIGGER {trigger} ON sessions"),
        };
        sqlx::query(sqlx::AssertSqlSafe(drop)).execute(app.db.writer()).await.unwrap();
    }
}

#[tokio::test]
async fn a_session_ended_when_no_notification_arrives_stops_within_a_second() {
    // As when a node's `LISTEN` connection was cut without a word: the counter stands in.
    let app = common::spawn().await;
    let (carla, id) = reading_customer(&app, "carla@client.test").await;
    silence_session_ends(&app, false).await;
    by_hand(&app, "DELETE FROM sessions WHERE customer_id = $1", id).await;
    carla.get_until(KB, "the signed-out page", signed_out).await;
}

#[tokio::test]
async fn a_page_that_writes_reads_the_session_again() {
    let app = common::spawn().await;
    let (carla, id) = reading_customer(&app, "carla@client.test").await;
    // A session ended where no word of it can come from: the node's memory still holds it, yet
    // a request that writes is refused as signed out.
    silence_session_ends(&app, true).await;
    by_hand(&app, "DELETE FROM sessions WHERE customer_id = $1", id).await;
    let page = carla.post("/portal/default/profile/details", &[("name", "Carla Late"), ("mobile", "")]).await;
    page.assert_redirect_to("/portal/default/login");
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM customers WHERE id = $1 AND name = 'Carla Late'", id).await,
        0
    );
    // And that request, sent with a session cookie, made the node forget what it remembered.
    let page = carla.get(KB).await;
    assert!(signed_out(&page), "{}", page.body);
}

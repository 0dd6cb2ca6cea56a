//! Round-robin assignment: a department set to it gives each new ticket to its agent available
//! for tickets (and signed in) who was given one longest ago; nobody available: unassigned.

use crate::common::chat_core::{spawn_chat, switch};
use crate::common::{self, TestApp};
use reqwest::StatusCode;

async fn assignee(app: &TestApp, number: i64) -> Option<i64> {
    let row =
        sqlx::query("SELECT assignee_id FROM tickets WHERE number = $1").bind(number).fetch_one(app.db.pool()).await;
    sqlx::Row::try_get(&row.unwrap(), "assignee_id").unwrap()
}

#[tokio::test]
async fn new_tickets_go_round_robin_to_the_agents_available_for_tickets() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department) = app.portal_with_department("default").await;
    let admin = app.admin().await;
    let settings = format!("/manage/departments/{department}/chat");
    admin.get("/manage/departments").await.assert_contains(&settings);
    let bad = admin.post(&settings, &[("accept_seconds", "2"), ("chat_hours", ""), ("round_robin", "1")]).await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Please give a whole number of seconds from 5 to 600.");
    assert_eq!(
        app.text("SELECT assign_tickets AS v FROM departments WHERE name = 'Support of default'").await,
        "manual"
    );
    let saved = admin
        .post(
            &settings,
            &[("accept_seconds", "45"), ("chat_hours", "UTC-03:00\r\nmon-fri 09:00-18:00"), ("round_robin", "1")],
        )
        .await;
    saved.assert_redirect_to(&format!("{settings}?msg=saved"));
    let page = admin.get(&settings).await;
    page.assert_contains(r#"name="round_robin" value="1" checked"#)
        .assert_contains("mon-fri 09:00-18:00")
        .assert_contains(r#"value="45""#);
    assert_eq!(
        app.count("SELECT chat_accept_seconds AS n FROM departments WHERE name = 'Support of default'").await,
        45
    );
    assert_eq!(
        app.text("SELECT chat_hours AS v FROM departments WHERE name = 'Support of default'").await,
        "UTC-03:00\nmon-fri 09:00-18:00"
    );

    let perms = ["answer_tickets"];
    let (ana, ana_b) = app.signed_in_agent("default", "ana@desk.test", &[department], &perms).await;
    let (bruno, bruno_b) = app.signed_in_agent("default", "bruno@desk.test", &[department], &perms).await;
    let (_, carla_b) = app.signed_in_agent("default", "carla@desk.test", &[department], &perms).await;
    switch(&ana_b, "tickets", "available").await;
    switch(&bruno_b, "tickets", "available").await;
    switch(&carla_b, "tickets", "away").await;

    // Through the portal, as a customer opens one.
    let customer = app.browser();
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "rita@client.test"],
        "Cust0mer-Secret!\n",
    );
    customer.sign_in_portal("default", "rita@client.test", "Cust0mer-Secret!").await;
    let dep = department.to_string();
    let opened = customer
        .post("/portal/default/tickets/new", &[("department", &dep), ("subject", "Printer"), ("message", "On fire.")])
        .await;
    opened.assert_redirect_to("/portal/default/tickets/");
    let first = app.count("SELECT MAX(number) AS n FROM tickets").await;
    assert_eq!(assignee(&app, first).await, Some(ana), "never given one: Ana first (the first available)");
    let mut turns = Vec::new();
    for subject in ["Two", "Three", "Four"] {
        let n = app.ticket(portal, department, None, subject).await;
        turns.push(assignee(&app, n).await);
    }
    assert_eq!(turns, vec![Some(bruno), Some(ana), Some(bruno)], "in turn; Carla is away");

    // Signed out: out of the turn.
    ana_b.post("/manage/logout", &[]).await.assert_redirect_to("/manage/login");
    let n = app.ticket(portal, department, None, "Five").await;
    assert_eq!(assignee(&app, n).await, Some(bruno));
    // Bruno's session ran out: nobody is available, the ticket waits unassigned.
    sqlx::query("UPDATE sessions SET expires_at = 1 WHERE staff_id = $1")
        .bind(bruno)
        .execute(app.db.writer())
        .await
        .unwrap();
    let n = app.ticket(portal, department, None, "Six").await;
    assert_eq!(assignee(&app, n).await, None);
    let counted = app
        .count_with("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM ticket_counts WHERE assignee_id = $1", bruno)
        .await;
    assert_eq!(counted, 3, "the dashboard's counts follow");
}

#[tokio::test]
async fn a_department_without_round_robin_leaves_new_tickets_unassigned() {
    let app = common::spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let (_, ana_b) = app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_tickets"]).await;
    switch(&ana_b, "tickets", "available").await;
    let n = app.ticket(portal, department, None, "One").await;
    assert_eq!(assignee(&app, n).await, None);
    // Another portal's department id: not found, nothing changed.
    let (_, other) = app.portal_with_department("second").await;
    let admin = app.admin().await;
    let page = admin
        .post(&format!("/manage/departments/{other}/chat"), &[("accept_seconds", "30"), ("round_robin", "1")])
        .await;
    page.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments WHERE assign_tickets = 'round_robin'").await, 0);
}

#[tokio::test]
async fn chat_hours_are_checked_by_the_schedule_reader() {
    let app = common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let admin = app.admin().await;
    let settings = format!("/manage/departments/{department}/chat");
    let bad = admin.post(&settings, &[("accept_seconds", "30"), ("chat_hours", "someday 25:00-26:00")]).await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("is not a day. Use mon, tue, wed");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments WHERE chat_hours IS NOT NULL").await, 0);
    admin.post(&settings, &[("accept_seconds", "30"), ("chat_hours", "")]).await.assert_redirect_to(&settings);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM departments WHERE chat_hours IS NOT NULL").await,
        0,
        "empty: always"
    );
}

//! An outsider's probe of the desk's ticket pages, the visitors' links and the ticket emails.

use frontdesk::tickets::store::{self, NewTicket};
use frontdesk::tickets::{Actor, Priority};
use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, Browser, TestApp};

const AGENT_PASSWORD: &str = "Ag3nt-Secret!x";

async fn agent(app: &TestApp, slug: &str, email: &str, departments: &[i64], permissions: &[&str]) -> (i64, Browser) {
    app.cli_ok(&["user", "add", "--portal", slug, "--role", "agent", "--email", email], &format!("{AGENT_PASSWORD}\n"));
    let id = app.id_of("SELECT id FROM staff WHERE email_lower = $1", email).await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", slug).await;
    for department in departments {
        sqlx::query("INSERT INTO department_members (department_id, staff_id) VALUES ($1, $2)")
            .bind(department)
            .bind(id)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    for permission in permissions {
        sqlx::query("INSERT INTO staff_permissions (staff_id, portal_id, permission) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(portal)
            .bind(permission)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    (id, app.manage_as(email, AGENT_PASSWORD).await)
}

async fn ticket(app: &TestApp, portal: i64, department: i64, customer: Option<i64>, subject: &str) -> i64 {
    let new = NewTicket {
        portal_id: portal,
        department_id: department,
        customer_id: customer,
        requester_name: "Rita Requester",
        requester_email: "rita@client.test",
        verified: true,
        priority: Priority::Normal,
        subject,
        body: "The first message.",
        opened_by: Actor::Other,
    };
    let mut tx = app.db.writer().begin().await.unwrap();
    let created = store::create(&mut tx, &new, 1_700_000_000).await.unwrap();
    tx.commit().await.unwrap();
    created.number
}

/// The properties form of the ticket page as `browser` sees it now: the fields it would post.
async fn properties_form(browser: &Browser, number: i64) -> Vec<(String, String)> {
    let page = browser.get(&format!("/manage/tickets/{number}")).await;
    let form = page.between("id=\"properties\"", "</form>");
    let selected = |name: &str| {
        let select = form.split(&format!("name=\"{name}\"")).nth(1).unwrap().split("</select>").next().unwrap();
        let option = select.split("<option").find(|o| o.contains(" selected")).unwrap_or("value=\"\"");
        option.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let seen = form.split("name=\"seen\" value=\"").nth(1).expect("the form carries what it showed");
    let mut fields: Vec<(String, String)> =
        ["status", "priority", "department", "assignee"].iter().map(|n| (n.to_string(), selected(n))).collect();
    fields.push(("seen".into(), seen.split('"').next().unwrap().to_string()));
    fields
}

/// `fields` with `name` set to `value`.
fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields.iter().map(|(n, v)| (n.clone(), if n == name { value.to_string() } else { v.clone() })).collect()
}

async fn post_props(browser: &Browser, number: i64, fields: &[(String, String)]) -> crate::common::Page {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    browser.post(&format!("/manage/tickets/{number}/update"), &fields).await
}

async fn props_of(app: &TestApp, number: i64) -> String {
    let row = sqlx::query(
        "SELECT status, priority, COALESCE(assignee_id, 0) AS assignee FROM tickets WHERE portal_id = 1 AND number = $1",
    )
    .bind(number)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let assignee: i64 = row.try_get("assignee").unwrap();
    format!(
        "{}/{}/{assignee}",
        row.try_get::<String, _>("status").unwrap(),
        row.try_get::<String, _>("priority").unwrap()
    )
}

async fn property_events(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what IN ('status', 'priority', 'department', 'assignee')")
        .await
}

#[tokio::test]
async fn a_properties_form_shown_before_a_colleagues_change_is_refused_not_applied_over_it() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = agent(&app, "default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bob_id, bob) = agent(&app, "default", "bob@desk.test", &[support], &["answer_tickets"]).await;
    let number = ticket(&app, portal, support, None, "Printer on fire").await;

    // Both open the ticket; Bob raises the priority and takes it.
    let anas_form = properties_form(&ana, number).await;
    let bobs_form = properties_form(&bob, number).await;
    let bobs_change = with(&with(&bobs_form, "priority", "urgent"), "assignee", &bob_id.to_string());
    post_props(&bob, number, &bobs_change).await.assert_redirect_to(&format!("/manage/tickets/{number}?msg="));
    assert_eq!(props_of(&app, number).await, format!("new/urgent/{bob_id}"));
    let events = property_events(&app).await;

    // Ana, on the page she opened before, only meant to set it pending: her form still holds
    // the old priority and no assignee. It is refused, and Bob's change stands.
    let refused = post_props(&ana, number, &with(&anas_form, "status", "pending")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    refused.assert_contains("The ticket changed while you were on it");
    assert_eq!(props_of(&app, number).await, format!("new/urgent/{bob_id}"), "Bob's change was undone");
    assert_eq!(property_events(&app).await, events, "a refused change wrote history");

    // Opened again, her form shows Bob's change and applies.
    let fresh = properties_form(&ana, number).await;
    post_props(&ana, number, &with(&fresh, "status", "pending")).await.assert_redirect_to("/manage/tickets/");
    assert_eq!(props_of(&app, number).await, format!("pending/urgent/{bob_id}"));

    // Two saving at the same moment from the same page: one wins, the other is told; the
    // history holds the winner's change only.
    let shown = properties_form(&ana, number).await;
    let (low, high) = (with(&shown, "priority", "low"), with(&shown, "priority", "high"));
    let (a, b) = tokio::join!(post_props(&ana, number, &low), post_props(&bob, number, &high));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    let winner = if a.status == StatusCode::SEE_OTHER { "low" } else { "high" };
    assert_eq!(props_of(&app, number).await, format!("pending/{winner}/{bob_id}"));
    assert_eq!(property_events(&app).await, events + 2, "Ana's status, then the winner's priority");
}

const PASSWORD: &str = "Cust0mer-Secret!";

/// Everything a visitor's link could write: messages, events, statuses.
async fn ticket_footprint(app: &TestApp) -> String {
    let messages = app.count("SELECT COUNT(*) AS n FROM ticket_messages").await;
    let events = app.count("SELECT COUNT(*) AS n FROM ticket_events").await;
    let status = app.text("SELECT status AS v FROM tickets WHERE number = 1001").await;
    format!("{messages}/{events}/{status}")
}

#[tokio::test]
async fn a_disabled_customer_keeps_no_access_through_an_earlier_private_link() {
    let sink = crate::common::mail::SmtpSink::start();
    let app = common::spawn_with_mail(&sink).await;
    let (portal, support) = app.portal_with_department("default").await;
    sqlx::query("INSERT INTO portal_settings (portal_id, key, value) VALUES ($1, 'ticket_visitors', 'true')")
        .bind(portal)
        .execute(app.db.writer())
        .await
        .unwrap();
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "carla@client.test"],
        &format!("{PASSWORD}\n"),
    );
    // Carla writes in before signing in; opening the emailed link makes the ticket hers.
    let department = support.to_string();
    let fields = [
        ("name", "Carla"),
        ("email", "carla@client.test"),
        ("department", department.as_str()),
        ("subject", "Refund please"),
        ("message", "The order never came."),
    ];
    let carla = app.browser();
    carla.post("/portal/default/tickets/submit", &fields).await.assert_redirect_to("/portal/default/tickets/submit");
    let link = sink.wait_for("carla@client.test", "1001").await.link("/tickets/follow/");
    carla.get(&link).await.assert_status(StatusCode::OK).assert_contains("Refund please");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE customer_id IS NOT NULL").await, 1);
    carla.post(&format!("{link}/close"), &[]).await.assert_redirect_to(&link);

    // The portal disables her account: her sessions stop, and so does the link from the email.
    sqlx::query("UPDATE customers SET disabled_at = 1 WHERE email_lower = 'carla@client.test'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let before = ticket_footprint(&app).await;
    assert_eq!(carla.get(&link).await.status, StatusCode::NOT_FOUND, "a disabled customer read the ticket");
    let (status, _, _) = carla.get_bytes(&format!("{link}/files/1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let reply = carla.post(&format!("{link}/reply"), &[("message", "Still here")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(carla.post(&format!("{link}/reopen"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ticket_footprint(&app).await, before, "a disabled customer changed the ticket");

    // Enabled again, the link works again.
    sqlx::query("UPDATE customers SET disabled_at = NULL").execute(app.db.writer()).await.unwrap();
    carla.get(&link).await.assert_status(StatusCode::OK).assert_contains("Refund please");
}

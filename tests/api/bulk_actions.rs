//! Bulk actions from the queue: the ticked tickets change together, each with its own history
//! and emails; one refused ticket (not visible, another portal's, an assignee from outside its
//! department, merged) and nothing changes, the page naming the ticket and why; an agent
//! without `answer_tickets` changes nothing.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, TestApp};
use crate::queue_filters::set;

/// Everything a bulk action could touch, of every portal.
async fn footprint(app: &TestApp) -> String {
    let rows = sqlx::query(
        "SELECT portal_id, number, status, priority, department_id, COALESCE(assignee_id, 0) AS assignee, updated_at, \
         (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id) AS events FROM tickets t ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| {
            let ints: Vec<i64> = ["portal_id", "number", "department_id", "assignee", "updated_at", "events"]
                .iter()
                .map(|c| r.get(*c))
                .collect();
            format!("{ints:?}{}{}", r.get::<String, _>("status"), r.get::<String, _>("priority"))
        })
        .collect();
    out.push(format!("outbox {}", app.count("SELECT COUNT(*) AS n FROM outbox").await));
    out.join(" ")
}

fn fields<'a>(numbers: &'a [String], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut list: Vec<(&str, &str)> = numbers.iter().map(|n| ("ticket", n.as_str())).collect();
    list.extend_from_slice(extra);
    list
}

#[tokio::test]
async fn a_bulk_change_applies_to_each_ticket_with_its_history_and_emails() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let carl = app.agent("default", "carl@desk.test", "carl", &[support], &["answer_tickets"]).await;
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(app.ticket(portal, support, None, &format!("Bulk {i}")).await.to_string());
    }
    let untouched = app.ticket(portal, support, None, "Not selected").await;

    // The queue offers the checkboxes, "select all" (no script needed) and the form.
    let queue = ana.get("/manage/tickets?queue=unassigned").await;
    queue.assert_contains(&format!(r#"<input type="checkbox" name="ticket" value="{}""#, numbers[0]));
    queue.assert_contains(r#"action="/manage/tickets/bulk""#).assert_lacks(" checked>");
    let all = ana.get("/manage/tickets?queue=unassigned&select=all").await;
    all.assert_contains(&format!(r##"value="{untouched}" aria-label="#{untouched}" checked>"##));

    let carl_id = carl.to_string();
    let extra =
        [("assignee", carl_id.as_str()), ("priority", "high"), ("status", "pending"), ("back", "queue=unassigned")];
    let done = ana.post("/manage/tickets/bulk", &fields(&numbers, &extra)).await;
    done.assert_redirect_to("/manage/tickets?queue=unassigned");
    for number in &numbers {
        let row =
            sqlx::query("SELECT id, status, priority, assignee_id FROM tickets WHERE portal_id = $1 AND number = $2")
                .bind(portal)
                .bind(number.parse::<i64>().unwrap())
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(row.get::<String, _>("status"), "pending");
        assert_eq!(row.get::<String, _>("priority"), "high");
        assert_eq!(row.get::<Option<i64>, _>("assignee_id"), Some(carl));
        let id: i64 = row.get("id");
        let events =
            sqlx::query("SELECT what FROM ticket_events WHERE ticket_id = $1 AND actor_name = 'ana' ORDER BY what")
                .bind(id)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        let whats: Vec<String> = events.iter().map(|r| r.get("what")).collect();
        assert_eq!(whats, ["assignee", "priority", "status"], "ticket {number}");
        let page = ana.get(&format!("/manage/tickets/{number}")).await;
        page.assert_contains("assigned it to carl");
    }
    // One assignment email per ticket, as three single changes would send.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'carl@desk.test'").await, 3);
    let row = sqlx::query("SELECT priority FROM tickets WHERE number = $1")
        .bind(untouched)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("priority"), "normal");
}

#[tokio::test]
async fn one_refused_ticket_and_nothing_changes_with_the_page_naming_it() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let carl = app.agent("default", "carl@desk.test", "carl", &[support], &["answer_tickets"]).await;
    let (_, viewer) = app.signed_in_agent("default", "vera@desk.test", &[support], &[]).await;
    let a = app.ticket(portal, support, None, "Support A").await;
    let b = app.ticket(portal, support, None, "Support B").await;
    let hidden = app.ticket(portal, billing, None, "Billing C").await;
    let merged = app.ticket(portal, support, None, "Merged D").await;
    let (beta_portal, beta_support) = app.portal_with_department("beta").await;
    let mut beta_numbers = Vec::new();
    for i in 0..6 {
        beta_numbers.push(app.ticket(beta_portal, beta_support, None, &format!("Beta {i}")).await);
    }
    let foreign = *beta_numbers.last().unwrap();
    sqlx::query("UPDATE tickets SET merged_into_id = (SELECT id FROM tickets WHERE portal_id = $1 AND number = $2) WHERE portal_id = $1 AND number = $3")
        .bind(portal)
        .bind(a)
        .bind(merged)
        .execute(app.db.writer())
        .await
        .unwrap();
    let before = footprint(&app).await;
    let admin = app.admin().await;
    let carl_id = carl.to_string();

    // A ticket of a department she does not see; another portal's number; a merged ticket.
    let cases = [
        (hidden, "not found among the tickets you can see"),
        (foreign, "not found"),
        (merged, "merged into another ticket"),
    ];
    for (refused, why) in cases {
        let numbers = [a.to_string(), refused.to_string(), b.to_string()];
        let page = ana.post("/manage/tickets/bulk", &fields(&numbers, &[("priority", "urgent")])).await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains(&format!("#{refused}: {why}"));
        page.assert_contains("Nothing was changed").assert_lacks(&format!("#{a}:"));
        assert_eq!(footprint(&app).await, before);
    }
    // The administrator sees Billing, but Carl does not answer there.
    let numbers = [a.to_string(), hidden.to_string()];
    let page = admin.post("/manage/tickets/bulk", &fields(&numbers, &[("assignee", &carl_id)])).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&format!("#{hidden}: The assignee must be an agent of"));
    assert_eq!(footprint(&app).await, before);
    // Moving to Billing keeps Carl, who is not of Billing: refused too, for each.
    set(&app, portal, a, &format!("assignee_id = {carl}")).await;
    let before = footprint(&app).await;
    let numbers = [a.to_string(), b.to_string()];
    let page = admin.post("/manage/tickets/bulk", &fields(&numbers, &[("department", &billing.to_string())])).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&format!("#{a}:"))
        .assert_lacks(&format!("#{b}:"));
    assert_eq!(footprint(&app).await, before);

    // Without answer_tickets: refused before anything is read.
    let numbers = [a.to_string()];
    viewer
        .post("/manage/tickets/bulk", &fields(&numbers, &[("priority", "low")]))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // No selection, no change, a hostile value, too many tickets.
    ana.post("/manage/tickets/bulk", &[("priority", "low")])
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("at least one");
    ana.post("/manage/tickets/bulk", &fields(&numbers, &[]))
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("Choose what to change");
    ana.post("/manage/tickets/bulk", &fields(&numbers, &[("status", "gone")]))
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    ana.post("/manage/tickets/bulk", &[("ticket", "1 OR 1=1"), ("status", "open")])
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let many: Vec<String> = (1..=101).map(|n| (1000 + n).to_string()).collect();
    ana.post("/manage/tickets/bulk", &fields(&many, &[("status", "open")]))
        .await
        .assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    // Without the CSRF token.
    ana.post_raw("/manage/tickets/bulk", &[("ticket", &a.to_string()), ("status", "open")]).await;
    assert_eq!(footprint(&app).await, before);
}

//! The tickets' dashboard on the management home: its numbers equal a direct count after a
//! series of changes (through the pages, and through plain SQL as bulk actions or the command
//! line write), departments the agent does not see are absent, the chart draws 30 days; and on
//! PostgreSQL two nodes changing tickets at once keep the counters right.

use frontdesk::tickets::store::{self, NewTicket};
use frontdesk::tickets::{Actor, Priority};
use sqlx::Row;

use crate::common::node::start_node;
use crate::common::{ADMIN_EMAIL, AGENT_PASSWORD, Browser, Page, TestApp};

/// A ticket in `department`, opened now; its number.
pub async fn ticket_now(app: &TestApp, portal_id: i64, department_id: i64, subject: &str) -> i64 {
    let new = NewTicket {
        portal_id,
        department_id,
        customer_id: None,
        requester_name: "Rita Requester",
        requester_email: "rita@client.test",
        verified: true,
        priority: Priority::Normal,
        subject,
        body: "Hello.",
        opened_by: Actor::Other,
    };
    let mut tx = app.db.writer().begin().await.unwrap();
    let created = store::create(&mut tx, &new, frontdesk::db::now()).await.unwrap();
    tx.commit().await.unwrap();
    created.number
}

/// The number shown in the dashboard's cell with this id.
fn cell(page: &Page, id: &str) -> i64 {
    let marker = format!("id=\"{id}\"");
    let start = page.body.find(&marker).unwrap_or_else(|| panic!("{id} not on the page:\n{}", page.body));
    let rest = &page.body[start..];
    let text = &rest[rest.find('>').unwrap() + 1..];
    text[..text.find('<').unwrap()].trim().parse().unwrap_or_else(|_| panic!("{id}: {text:.40}"))
}

/// The five numbers of a department straight from the tickets.
async fn direct(app: &TestApp, portal_id: i64, department_id: i64, staff_id: i64) -> [i64; 5] {
    let today = frontdesk::db::now().div_euclid(86_400) * 86_400;
    let row = sqlx::query(
        "SELECT \
           SUM(CASE WHEN status IN ('new', 'open') THEN 1 ELSE 0 END) AS open, \
           SUM(CASE WHEN status IN ('new', 'open', 'pending') AND assignee_id IS NULL THEN 1 ELSE 0 END) AS unassigned, \
           SUM(CASE WHEN status IN ('new', 'open', 'pending') AND assignee_id = $3 THEN 1 ELSE 0 END) AS mine, \
           SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending, \
           SUM(CASE WHEN resolved_at >= $4 AND resolved_at < $4 + 86400 THEN 1 ELSE 0 END) AS resolved \
         FROM tickets WHERE portal_id = $1 AND department_id = $2",
    )
    .bind(portal_id)
    .bind(department_id)
    .bind(staff_id)
    .bind(today)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let n = |c: &str| row.try_get::<Option<i64>, _>(c).unwrap().unwrap_or(0);
    [n("open"), n("unassigned"), n("mine"), n("pending"), n("resolved")]
}

fn shown(page: &Page, department_id: i64) -> [i64; 5] {
    ["open", "unassigned", "mine", "pending", "resolved-today"].map(|k| cell(page, &format!("d{department_id}-{k}")))
}

async fn assert_dashboard(app: &TestApp, browser: &Browser, portal_id: i64, staff_id: i64, departments: &[i64]) {
    let page = browser.get("/manage").await;
    page.assert_status(reqwest::StatusCode::OK);
    for d in departments {
        assert_eq!(shown(&page, *d), direct(app, portal_id, *d, staff_id).await, "department {d}");
    }
}

async fn update(browser: &Browser, number: i64, status: &str, department: i64, assignee: &str) {
    let path = format!("/manage/tickets/{number}/update");
    let fields =
        [("status", status), ("priority", "normal"), ("department", &department.to_string()), ("assignee", assignee)];
    let page = browser.post(&path, &fields).await;
    assert!(page.status.is_redirection(), "{path}: {} {}", page.status, page.body);
}

#[tokio::test]
async fn dashboard_numbers_equal_a_direct_count_after_a_series_of_changes() {
    let app = crate::common::spawn().await;
    let (pid, support) = app.portal_with_department("default").await;
    let billing = app.department(pid, "Billing").await;
    let secret = app.department(pid, "Secret").await;
    let (ana, browser) =
        app.signed_in_agent("default", "ana@desk.test", &[support, billing], &["answer_tickets"]).await;
    let bob = app.agent("default", "bob@desk.test", "Bob", &[support, billing], &["answer_tickets"]).await;
    let mut numbers = Vec::new();
    for i in 0..6 {
        numbers.push(ticket_now(&app, pid, support, &format!("Support {i}")).await);
    }
    for i in 0..3 {
        numbers.push(app.ticket(pid, billing, None, &format!("Billing {i}")).await);
    }
    ticket_now(&app, pid, secret, "Hidden").await;
    assert_dashboard(&app, &browser, pid, ana, &[support, billing]).await;

    let (ana_s, bob_s) = (ana.to_string(), bob.to_string());
    update(&browser, numbers[0], "open", support, &ana_s).await;
    update(&browser, numbers[1], "pending", support, "").await;
    update(&browser, numbers[2], "resolved", support, &bob_s).await;
    update(&browser, numbers[3], "new", billing, "").await;
    update(&browser, numbers[4], "resolved", support, &ana_s).await;
    update(&browser, numbers[4], "open", support, &ana_s).await;
    update(&browser, numbers[6], "pending", billing, &ana_s).await;
    assert_dashboard(&app, &browser, pid, ana, &[support, billing]).await;

    // Writes that bypass the pages (bulk actions, the command line) keep the counters too.
    sqlx::query("UPDATE tickets SET status = 'closed', assignee_id = NULL WHERE portal_id = $1 AND department_id = $2")
        .bind(pid)
        .bind(billing)
        .execute(app.db.writer())
        .await
        .unwrap();
    sqlx::query("DELETE FROM tickets WHERE portal_id = $1 AND number = $2")
        .bind(pid)
        .bind(numbers[5])
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_dashboard(&app, &browser, pid, ana, &[support, billing]).await;
    let page = browser.get("/manage").await;
    assert_eq!(cell(&page, &format!("d{support}-resolved-today")), 2);
    assert_eq!(cell(&page, &format!("d{support}-mine")), 2);

    // A department the agent does not see is absent; the administrator sees it.
    page.assert_lacks(&format!("dashboard-d{secret}")).assert_lacks("Secret");
    let admin = app.admin().await;
    let admin_id = app.id_of("SELECT id FROM staff WHERE email_lower = $1", ADMIN_EMAIL).await;
    assert_dashboard(&app, &admin, pid, admin_id, &[support, billing, secret]).await;
}

#[tokio::test]
async fn the_chart_draws_thirty_days_as_svg_with_words_for_screen_readers() {
    let app = crate::common::spawn().await;
    let (pid, support) = app.portal_with_department("default").await;
    let (_, browser) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    for i in 0..3 {
        ticket_now(&app, pid, support, &format!("Today {i}")).await;
    }
    let page = browser.get("/manage").await;
    let svg = page.between("<svg id=\"ticket-chart\"", "</svg>");
    assert!(svg.contains("viewBox=\"0 0 "), "{svg}");
    assert_eq!(svg.matches("class=\"chart-day\"").count(), 30);
    assert!(svg.contains("<title id=\"ticket-chart-title\">") && svg.contains("<desc id=\"ticket-chart-desc\">"));
    assert!(svg.contains("3 tickets were created and 0 resolved"), "{svg}");
    let today = frontdesk::tickets::dashboard::chart::iso_date(frontdesk::db::now().div_euclid(86_400));
    let table = page.between("id=\"dashboard-chart-table\"", "</details>");
    assert!(table.contains(&format!("<td>{today}</td><td>3</td><td>0</td>")), "{table}");
    // The chart needs no script (the page loads only the header's presence script).
    assert!(!svg.contains("<script") && !table.contains("<script"));
    assert_eq!(page.body.matches("<script").count(), page.body.matches(r#"<script src="/static/presence.js""#).count());
    let pt = app.manage_as_pt("ana@desk.test", AGENT_PASSWORD).await;
    let page = pt.get("/manage").await;
    page.assert_contains("Chamados criados e resolvidos por dia");
}

/// Two nodes sharing one PostgreSQL change tickets at once; each node's dashboard then equals
/// a direct count. (SQLite serves one node.)
#[tokio::test]
async fn two_nodes_sharing_postgresql_keep_the_counts_right() {
    let app = crate::common::spawn().await;
    if !app.database_url.as_str().starts_with("postgres") {
        return;
    }
    let (pid, support) = app.portal_with_department("default").await;
    let billing = app.department(pid, "Billing").await;
    let ana = app.agent("default", "ana@desk.test", "Ana", &[support, billing], &["answer_tickets"]).await;
    let mut numbers = Vec::new();
    for i in 0..20u32 {
        numbers
            .push(ticket_now(&app, pid, if i.is_multiple_of(2) { support } else { billing }, &format!("T{i}")).await);
    }
    let nodes = [start_node(app.database_url.as_str()), start_node(app.database_url.as_str())];
    let mut browsers = Vec::new();
    for node in &nodes {
        let b = Browser::new(&node.base);
        b.sign_in_manage("ana@desk.test", AGENT_PASSWORD).await;
        browsers.push(b);
    }
    let ana_s = ana.to_string();
    let statuses = ["open", "pending", "resolved", "new"];
    let work = |which: usize| {
        let (browser, numbers, ana_s) = (&browsers[which], &numbers, &ana_s);
        async move {
            for (i, number) in numbers.iter().enumerate() {
                // Both nodes change every ticket: the second writer of a ticket may be refused
                // (409, changed meanwhile), never lost in the counters.
                let department = if (i + which).is_multiple_of(3) { billing } else { support };
                let assignee = if (i + which).is_multiple_of(2) { ana_s.as_str() } else { "" };
                let path = format!("/manage/tickets/{number}/update");
                let dep = department.to_string();
                let fields = [
                    ("status", statuses[(i + which) % 4]),
                    ("priority", "high"),
                    ("department", &dep),
                    ("assignee", assignee),
                ];
                let page = browser.post(&path, &fields).await;
                assert!(
                    page.status.is_redirection() || page.status == reqwest::StatusCode::CONFLICT,
                    "{}",
                    page.status
                );
            }
        }
    };
    tokio::join!(work(0), work(1));
    for browser in &browsers {
        assert_dashboard(&app, browser, pid, ana, &[support, billing]).await;
    }
    let drift = app
        .count(
            "SELECT COUNT(*) AS n FROM ticket_counts c WHERE c.n <> (SELECT COUNT(*) FROM tickets t \
             WHERE t.portal_id = c.portal_id AND t.department_id = c.department_id AND t.status = c.status \
             AND COALESCE(t.assignee_id, 0) = c.assignee_id)",
        )
        .await;
    assert_eq!(drift, 0);
}

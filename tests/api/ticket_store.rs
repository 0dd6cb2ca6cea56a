//! The ground tickets stand on: numbers per portal that two nodes never share, a ticket that is
//! written whole or not at all, and a database that refuses to tie a ticket to another portal's
//! customer or department.

use frontdesk::tickets::store::{self, Created, FIRST_NUMBER, NewTicket};
use frontdesk::tickets::{Actor, Priority};
use reqwest::StatusCode;

use crate::common::{self, TestApp};

fn ticket<'a>(portal_id: i64, department_id: i64, customer_id: Option<i64>) -> NewTicket<'a> {
    NewTicket {
        portal_id,
        department_id,
        customer_id,
        requester_name: "Ana",
        requester_email: "ana@client.test",
        verified: customer_id.is_some(),
        priority: Priority::Normal,
        subject: "The printer is on fire",
        body: "Since this morning.",
        opened_by: customer_id.map_or(Actor::Other, Actor::Customer),
    }
}

/// A portal with a department and a customer: (portal, department, customer).
async fn portal_with_a_customer(app: &TestApp, slug: &str) -> (i64, i64, i64) {
    let (portal, department) = app.portal_with_department(slug).await;
    let email = format!("ana@{slug}.test");
    app.cli_ok(&["user", "add", "--portal", slug, "--role", "customer", "--email", &email], "Cust0mer-Secret!\n");
    let customer = app.id_of("SELECT id FROM customers WHERE email_lower = $1", &email).await;
    (portal, department, customer)
}

async fn create(app: &TestApp, new: &NewTicket<'_>) -> Result<Created, sqlx::Error> {
    let mut tx = app.db.writer().begin().await?;
    let created = store::create(&mut tx, new, 1_800_000_000).await?;
    tx.commit().await?;
    Ok(created)
}

#[tokio::test]
async fn two_nodes_creating_tickets_at_once_never_share_a_number() {
    let first = common::spawn().await;
    let second = common::spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), |_| {}).await;
    let (portal, department, customer) = portal_with_a_customer(&first, "default").await;
    let (other_portal, other_department, _) = portal_with_a_customer(&first, "beta").await;

    let mut tasks = Vec::new();
    for i in 0..40 {
        let db = if i % 2 == 0 { first.db.clone() } else { second.db.clone() };
        tasks.push(tokio::spawn(async move {
            let mut tx = db.writer().begin().await.unwrap();
            let created = store::create(&mut tx, &ticket(portal, department, Some(customer)), 1_800_000_000).await;
            tx.commit().await.unwrap();
            created.unwrap().number
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (FIRST_NUMBER..FIRST_NUMBER + 40).collect::<Vec<_>>());

    // Another portal counts on its own.
    let theirs = create(&second, &ticket(other_portal, other_department, None)).await.unwrap();
    assert_eq!(theirs.number, FIRST_NUMBER);

    // A ticket whose transaction is rolled back leaves no ticket, message or history, and its
    // number goes to the next one.
    let mut tx = first.db.writer().begin().await.unwrap();
    let abandoned = store::create(&mut tx, &ticket(portal, department, Some(customer)), 1_800_000_000).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(first.count_with("SELECT COUNT(*) AS n FROM tickets WHERE id = $1", abandoned.id).await, 0);
    let next = create(&first, &ticket(portal, department, Some(customer))).await.unwrap();
    assert_eq!(next.number, abandoned.number);
    assert_eq!(first.count("SELECT COUNT(*) AS n FROM tickets").await, 42);
    assert_eq!(first.count("SELECT COUNT(*) AS n FROM ticket_messages WHERE kind = 'public'").await, 42);
    assert_eq!(first.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what = 'created'").await, 42);
}

#[tokio::test]
async fn the_database_refuses_another_portals_customer_or_department() {
    let app = common::spawn().await;
    let (portal, department, customer) = portal_with_a_customer(&app, "default").await;
    let (_, other_department, other_customer) = portal_with_a_customer(&app, "beta").await;

    assert!(create(&app, &ticket(portal, department, Some(other_customer))).await.is_err());
    assert!(create(&app, &ticket(portal, other_department, Some(customer))).await.is_err());
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_messages").await, 0);

    // A department that tickets belong to is not deleted; the administrator is told why.
    create(&app, &ticket(portal, department, Some(customer))).await.unwrap();
    let admin = app.admin().await;
    let refused = admin.post(&format!("/manage/departments/{department}/delete"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Tickets still belong to this department");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM departments WHERE id = $1", department).await, 1);
    let portuguese = app.manage_as_pt(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let refused = portuguese.post(&format!("/manage/departments/{department}/delete"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Ainda há chamados neste departamento");
}

#[tokio::test]
async fn seeing_every_department_is_a_permission_and_memberships_stay_in_their_portal() {
    let app = common::spawn().await;
    let (portal, support, _) = portal_with_a_customer(&app, "default").await;
    let (_, beta_support, _) = portal_with_a_customer(&app, "beta").await;
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "agent", "--email", "ana@desk.test"],
        "Ag3nt-Secret!x\n",
    );
    let ana = app.count("SELECT id AS n FROM staff WHERE email_lower = 'ana@desk.test'").await;
    // A membership in another portal's department (written behind the pages' back) is not hers here.
    for department in [support, beta_support] {
        sqlx::query("INSERT INTO department_members (department_id, staff_id) VALUES ($1, $2)")
            .bind(department)
            .bind(ana)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    assert_eq!(frontdesk::accounts::departments::of_staff(&app.db, portal, ana).await.unwrap(), [support]);

    let admin = app.admin().await;
    let page = admin.get(&format!("/manage/agents/{ana}")).await;
    page.assert_contains(r#"value="see_all_departments""#).assert_contains("See the tickets of every department");
    admin
        .post(&format!("/manage/agents/{ana}"), &[("role", "agent"), ("perm", "see_all_departments")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{ana}?msg=saved"));
    let granted =
        "SELECT COUNT(*) AS n FROM staff_permissions WHERE staff_id = $1 AND permission = 'see_all_departments'";
    assert_eq!(app.count_with(granted, ana).await, 1);
    let portuguese = app.manage_as_pt(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    portuguese.get(&format!("/manage/agents/{ana}")).await.assert_contains("Ver os chamados de todos os departamentos");
}

#[tokio::test]
async fn queues_page_by_keyset_and_show_only_what_the_agent_may_see() {
    use frontdesk::tickets::Status;
    use frontdesk::tickets::access::Scope;
    use frontdesk::tickets::queues::{self, Queue, StatusFilter};

    let app = common::spawn().await;
    let (portal, support, customer) = portal_with_a_customer(&app, "default").await;
    let (beta, beta_support, _) = portal_with_a_customer(&app, "beta").await;
    sqlx::query("INSERT INTO departments (portal_id, name, created_at) VALUES ($1, 'Billing', 0)")
        .bind(portal)
        .execute(app.db.writer())
        .await
        .unwrap();
    let billing = app.count("SELECT id AS n FROM departments WHERE name = 'Billing'").await;
    // 60 tickets a minute apart, alternating departments; two of them with equal times.
    for i in 0..60i64 {
        let department = if i % 2 == 0 { support } else { billing };
        let mut tx = app.db.writer().begin().await.unwrap();
        let at = 1_800_000_000 + (i.min(58)) * 60;
        store::create(&mut tx, &ticket(portal, department, Some(customer)), at).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut tx = app.db.writer().begin().await.unwrap();
    store::create(&mut tx, &ticket(beta, beta_support, None), 1_900_000_000).await.unwrap();
    tx.commit().await.unwrap();
    let admin_id = app.count("SELECT id AS n FROM staff WHERE email_lower = 'admin@example.com'").await;
    sqlx::query("UPDATE tickets SET assignee_id = $1 WHERE portal_id = $2 AND number < 1011")
        .bind(admin_id)
        .bind(portal)
        .execute(app.db.writer())
        .await
        .unwrap();
    sqlx::query("UPDATE tickets SET status = 'closed' WHERE portal_id = $1 AND number > 1055")
        .bind(portal)
        .execute(app.db.writer())
        .await
        .unwrap();

    let everything = Scope::WholePortal;
    let no_filters = queues::Filters::default();
    let all_any = queues::Selection { queue: Queue::All, status: StatusFilter::Any, filters: &no_filters };
    let first = queues::page(&app.db, portal, &everything, all_any, None, 50).await.unwrap();
    assert_eq!(first.len(), 50);
    assert!(first.windows(2).all(|w| (w[0].updated_at, w[0].id) > (w[1].updated_at, w[1].id)), "newest first");
    let after = Some(first.last().unwrap().cursor(queues::Sort::Activity));
    let second = queues::page(&app.db, portal, &everything, all_any, after, 50).await.unwrap();
    assert_eq!(second.len(), 10, "the rest, none twice, another portal's never");
    let mut numbers: Vec<i64> = first.iter().chain(&second).map(|r| r.number).collect();
    numbers.sort();
    assert_eq!(numbers, (1001..1061).collect::<Vec<_>>());

    let count = |scope: Scope, queue, status| {
        let db = app.db.clone();
        async move {
            let filters = queues::Filters::default();
            let selection = queues::Selection { queue, status, filters: &filters };
            queues::count_capped(&db, portal, &scope, selection).await.unwrap()
        }
    };
    assert_eq!(count(everything.clone(), Queue::All, StatusFilter::Any).await, 60);
    assert_eq!(count(everything.clone(), Queue::All, StatusFilter::Active).await, 55);
    assert_eq!(count(everything.clone(), Queue::All, StatusFilter::Only(Status::Closed)).await, 5);
    assert_eq!(count(everything.clone(), Queue::Mine(admin_id), StatusFilter::Any).await, 10);
    assert_eq!(count(everything.clone(), Queue::Unassigned, StatusFilter::Any).await, 50);
    assert_eq!(count(everything.clone(), Queue::Department(billing), StatusFilter::Any).await, 30);
    let support_only = Scope::Departments(vec![support]);
    assert_eq!(count(support_only.clone(), Queue::All, StatusFilter::Any).await, 30);
    assert_eq!(count(support_only.clone(), Queue::Department(billing), StatusFilter::Any).await, 0);
    let rows = queues::page(&app.db, portal, &support_only, all_any, None, 100).await.unwrap();
    assert!(rows.iter().all(|r| r.department_id == support) && rows.len() == 30);
    assert_eq!(count(Scope::Departments(vec![]), Queue::All, StatusFilter::Any).await, 0);
    // Another portal's department named in a scope shows nothing of it here.
    assert_eq!(count(Scope::Departments(vec![beta_support]), Queue::All, StatusFilter::Any).await, 0);
}

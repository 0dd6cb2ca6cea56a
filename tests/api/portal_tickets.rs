//! A customer's tickets in the portal: submit, list (keyset pages), read the public thread, reply,
//! close, reopen; and every boundary: another customer's or another portal's ticket is a 404 that
//! changes nothing, bad input is a 4xx that writes nothing, internal notes never show.

use frontdesk::tickets::store::{self, NewTicket};
use frontdesk::tickets::{Actor, Priority};
use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{Browser, TestApp};

const PASSWORD: &str = "Cust0mer-Secret!";

/// A customer of the portal, signed in with `browser`; their id.
async fn customer(app: &TestApp, browser: &Browser, slug: &str, email: &str) -> i64 {
    app.cli_ok(&["user", "add", "--portal", slug, "--role", "customer", "--email", email], &format!("{PASSWORD}\n"));
    browser.sign_in_portal(slug, email, PASSWORD).await.assert_redirect_to(&format!("/portal/{slug}/"));
    app.id_of("SELECT id FROM customers WHERE email_lower = $1", email).await
}

async fn submit(browser: &Browser, department: i64, subject: &str, message: &str) -> crate::common::Page {
    let department = department.to_string();
    browser
        .post("/portal/default/tickets/new", &[("department", &department), ("subject", subject), ("message", message)])
        .await
}

async fn status_of(app: &TestApp, number: i64) -> String {
    let row = sqlx::query("SELECT status FROM tickets WHERE number = $1").bind(number).fetch_one(app.db.pool()).await;
    row.unwrap().try_get("status").unwrap()
}

/// Rows of ticket data, to prove a refused request wrote nothing.
async fn footprint(app: &TestApp) -> (i64, i64, i64, String) {
    let statuses = sqlx::query("SELECT status FROM tickets ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let statuses = statuses.iter().map(|r| r.try_get::<String, _>("status").unwrap()).collect::<Vec<_>>().join(",");
    (
        app.count("SELECT COUNT(*) AS n FROM tickets").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_messages").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_events").await,
        statuses,
    )
}

#[tokio::test]
async fn a_customer_submits_a_ticket_replies_closes_and_reopens_it() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;

    ana.get("/portal/default/").await.assert_contains("/tickets/new").assert_contains("My tickets");
    ana.get("/portal/default/tickets/new").await.assert_contains("Support of default").assert_contains("name=\"csrf\"");
    let created = submit(&ana, department, "The printer is on fire", "Since this morning.\nSecond line.").await;
    created.assert_redirect_to("/portal/default/tickets/1001?msg=created");
    let page = ana.follow("/portal/default/tickets/1001?msg=created").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("#1001").assert_contains("The printer is on fire").assert_contains("Second line.");
    page.assert_contains("Your ticket has been submitted.").assert_contains("Support of default");

    let list = ana.get("/portal/default/tickets").await;
    list.assert_contains("#1001").assert_contains("The printer is on fire").assert_contains(">New<");
    list.assert_contains("last reply by you");

    // A reply to a ticket the desk marked resolved opens it again.
    sqlx::query("UPDATE tickets SET status = 'resolved', last_speaker = 'staff'")
        .execute(app.db.writer())
        .await
        .unwrap();
    ana.get("/portal/default/tickets").await.assert_contains("last reply by support").assert_contains(">Resolved<");
    let replied = ana.post("/portal/default/tickets/1001/reply", &[("message", "It is still burning.")]).await;
    replied.assert_redirect_to("/portal/default/tickets/1001?msg=replied");
    assert_eq!(status_of(&app, 1001).await, "open");
    ana.get("/portal/default/tickets/1001").await.assert_contains("It is still burning.");
    ana.get("/portal/default/tickets").await.assert_contains("last reply by you");

    ana.post("/portal/default/tickets/1001/close", &[]).await.assert_redirect_to("/portal/default/tickets/1001");
    assert_eq!(status_of(&app, 1001).await, "closed");
    ana.get("/portal/default/tickets?status=closed").await.assert_contains("#1001");
    ana.get("/portal/default/tickets?status=open").await.assert_lacks("#1001");
    let refused = ana.post("/portal/default/tickets/1001/reply", &[("message", "Hello?")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Reopen it first");
    ana.get("/portal/default/tickets/1001").await.assert_contains("Reopen ticket").assert_lacks("Send reply");

    ana.post("/portal/default/tickets/1001/reopen", &[]).await.assert_redirect_to("/portal/default/tickets/1001");
    assert_eq!(status_of(&app, 1001).await, "open");
    ana.get("/portal/default/tickets?status=open").await.assert_contains("#1001");

    let messages = app.count("SELECT COUNT(*) AS n FROM ticket_messages WHERE kind = 'public'").await;
    assert_eq!(messages, 2, "the first message and one reply; the refused one is not stored");
    let events = sqlx::query("SELECT what, old_value, new_value FROM ticket_events ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let old: Option<String> = r.try_get("old_value").unwrap();
            let new: Option<String> = r.try_get("new_value").unwrap();
            format!(
                "{}:{}>{}",
                r.try_get::<String, _>("what").unwrap(),
                old.unwrap_or_default(),
                new.unwrap_or_default()
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(events.len(), 5, "{events:?}");
    assert_eq!(events[0], "created:>new");
    assert_eq!(events[1], "status:resolved>open");
    assert!(events[2].starts_with("reply:>"), "{events:?}");
    assert_eq!(events[3..], ["status:open>closed".to_string(), "status:closed>open".to_string()]);
    let actor = app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE actor_customer_id IS NOT NULL").await;
    assert_eq!(actor, 5);

    // An internal note is part of the thread for agents only.
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_name, body, created_at) \
         SELECT portal_id, id, 'note', 'Agent', 'INTERNAL: customer is difficult', updated_at FROM tickets",
    )
    .execute(app.db.writer())
    .await
    .unwrap();
    ana.get("/portal/default/tickets/1001").await.assert_lacks("INTERNAL").assert_contains("It is still burning.");
}

#[tokio::test]
async fn another_customer_or_portal_gets_404_and_changes_nothing() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    app.portal_with_department("beta").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    submit(&ana, department, "Ana private problem", "Details only Ana may read.").await.assert_redirect_to("/");
    let before = footprint(&app).await;

    let bob = app.browser();
    customer(&app, &bob, "default", "bob@client.test").await;
    let carl = app.browser();
    customer(&app, &carl, "beta", "carl@beta.test").await;
    for (who, base) in [(&bob, "/portal/default"), (&carl, "/portal/beta")] {
        let page = who.get(&format!("{base}/tickets/1001")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{base}");
        page.assert_lacks("Ana private problem");
        who.get(&format!("{base}/tickets")).await.assert_lacks("Ana private problem").assert_lacks("#1001");
        for action in ["reply", "close", "reopen"] {
            let page = who.post(&format!("{base}/tickets/1001/{action}"), &[("message", "Mine now")]).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{base} {action}");
        }
        let junk = who.get(&format!("{base}/tickets/1001%20OR%201=1")).await;
        assert_eq!(junk.status, StatusCode::NOT_FOUND);
    }
    // Carl's session belongs to beta: on the default portal he is nobody.
    let elsewhere = carl.get("/portal/default/tickets/1001").await;
    assert!(elsewhere.status.is_redirection() || elsewhere.status.is_client_error(), "{}", elsewhere.status);
    assert!(!elsewhere.body.contains("Ana private problem"));
    let refused = carl.post("/portal/default/tickets/1001/close", &[]).await;
    assert!(!refused.location.unwrap_or_default().contains("/tickets/1001"), "never a success");
    assert_eq!(footprint(&app).await, before, "nothing changed");
    // Someone not signed in is sent to sign in.
    app.browser().get("/portal/default/tickets/1001").await.assert_redirect_to("/portal/default/login");
}

#[tokio::test]
async fn bad_input_gets_4xx_and_writes_nothing() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let (_, foreign_department) = app.portal_with_department("beta").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;

    let empty = submit(&ana, department, "   ", "A message").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("Please give the ticket a subject.").assert_contains("A message");
    let huge = "x".repeat(100_000);
    let long = submit(&ana, department, &huge, "A message").await;
    assert!(long.status.is_client_error(), "{}", long.status);
    let over = submit(&ana, department, &"y".repeat(201), "A message").await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    over.assert_contains("at most 200 characters");
    let too_long = submit(&ana, department, "Subject", &"z".repeat(20_001)).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_long.assert_contains("The message can have at most");
    let no_message = submit(&ana, department, "Subject", "").await;
    assert_eq!(no_message.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_message.assert_contains("Please write a message.");
    for wrong in [999_999, foreign_department, -1] {
        let page = submit(&ana, wrong, "Subject", "A message").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "department {wrong}");
        page.assert_contains("Please choose one of the departments listed.");
    }
    let not_a_number = ana
        .post(
            "/portal/default/tickets/new",
            &[("department", "1; DROP TABLE tickets"), ("subject", "S"), ("message", "M")],
        )
        .await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    let department = department.to_string();
    let fields = [("department", department.as_str()), ("subject", "No token"), ("message", "M")];
    let no_csrf = ana.post_raw("/portal/default/tickets/new", &fields).await;
    assert!(no_csrf.status.is_client_error(), "{}", no_csrf.status);
    assert_eq!(footprint(&app).await, (0, 0, 0, String::new()), "nothing written");

    submit(&ana, department.parse().unwrap(), "A real one", "Fine").await.assert_redirect_to("/");
    let before = footprint(&app).await;
    let blank = ana.post("/portal/default/tickets/1001/reply", &[("message", " \n ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    blank.assert_contains("Please write a message.");
    let no_csrf = ana.post_raw("/portal/default/tickets/1001/close", &[]).await;
    assert!(no_csrf.status.is_client_error(), "{}", no_csrf.status);
    let bad_page = ana.get("/portal/default/tickets?before=yesterday").await;
    assert_eq!(bad_page.status, StatusCode::BAD_REQUEST);
    assert_eq!(footprint(&app).await, before, "nothing written");
}

#[tokio::test]
async fn the_list_pages_by_keyset_newest_activity_first() {
    let app = crate::common::spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    let ana_id = customer(&app, &ana, "default", "ana@client.test").await;
    for i in 1..=30 {
        let subject = format!("Problem number {i:02}");
        let new = NewTicket {
            portal_id: portal,
            department_id: department,
            customer_id: Some(ana_id),
            requester_name: "Ana",
            requester_email: "ana@client.test",
            verified: true,
            priority: Priority::Normal,
            subject: &subject,
            body: "Body",
            opened_by: Actor::Customer(ana_id),
        };
        let mut tx = app.db.writer().begin().await.unwrap();
        // Tickets 11 and 12 share a second: the id breaks the tie.
        let now = 1_800_000_000 + if i == 12 { 11 } else { i };
        store::create(&mut tx, &new, now).await.unwrap();
        tx.commit().await.unwrap();
    }
    let first = ana.get("/portal/default/tickets").await;
    assert_eq!(first.body.matches("Problem number").count(), 25);
    let order: Vec<usize> = (1..=30).filter_map(|i| first.body.find(&format!("Problem number {i:02}<"))).collect();
    assert!(order.windows(2).all(|w| w[0] > w[1]), "newest first");
    first.assert_contains("Problem number 30").assert_lacks("Problem number 05<");
    let older = first.between("id=\"older\" href=\"", "\"").replace("&amp;", "&");
    assert!(older.contains("before=") && !older.contains("offset"), "{older}");
    let second = ana.get(&older).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.body.matches("Problem number").count(), 5);
    second
        .assert_contains("Problem number 05<")
        .assert_contains("Problem number 01<")
        .assert_lacks("Problem number 06<");
    second.assert_lacks("id=\"older\"");
    let source = include_str!("../../src/tickets/portal_queries.rs");
    assert!(!source.to_uppercase().contains(" OFFSET"), "keyset pagination only");
}

#[tokio::test]
async fn the_pages_speak_portuguese() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser_pt();
    customer(&app, &ana, "default", "ana@client.test").await;
    let new = ana.get("/portal/default/tickets/new").await;
    new.assert_contains("Novo chamado").assert_contains("Assunto").assert_no_english();
    let refused = submit(&ana, department, "", "Mensagem").await;
    refused.assert_contains("Informe o assunto do chamado.").assert_no_english();
    submit(&ana, department, "Impressora", "Pegando fogo").await.assert_redirect_to("/portal/default/tickets/1001");
    let ticket = ana.get("/portal/default/tickets/1001?msg=created").await;
    ticket.assert_contains("Seu chamado foi enviado.").assert_contains("Enviar resposta").assert_no_english();
    ana.get("/portal/default/tickets")
        .await
        .assert_contains("Meus chamados")
        .assert_contains(">Novo<")
        .assert_no_english();
    ana.post("/portal/default/tickets/1001/close", &[]).await;
    let closed = ana.get("/portal/default/tickets/1001?msg=closed").await;
    closed.assert_contains("Reabrir chamado").assert_no_english();
    let refused = ana.post("/portal/default/tickets/1001/reply", &[("message", "Oi")]).await;
    refused.assert_contains("Reabra-o primeiro").assert_no_english();

    let admin = app.browser_pt();
    admin.sign_in_portal("default", crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    let staff = admin.get("/portal/default/tickets").await;
    staff.assert_contains("interface de gerenciamento").assert_no_english();
}

#[tokio::test]
async fn staff_signed_in_to_the_portal_are_sent_to_management_and_change_nothing() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    submit(&ana, department, "Ana needs help", "Please.").await.assert_redirect_to("/portal/default/tickets/1001");
    let before = footprint(&app).await;

    let admin = app.browser();
    admin
        .sign_in_portal("default", crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD)
        .await
        .assert_redirect_to("/");
    for path in ["/portal/default/tickets", "/portal/default/tickets/new", "/portal/default/tickets/1001"] {
        let page = admin.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page.assert_contains("id=\"staff-explanation\"").assert_contains("/manage/login?portal=default");
        page.assert_lacks("Ana needs help");
    }
    let department = department.to_string();
    let fields = [("department", department.as_str()), ("subject", "Staff"), ("message", "M")];
    assert_eq!(admin.post("/portal/default/tickets/new", &fields).await.status, StatusCode::FORBIDDEN);
    for action in ["reply", "close", "reopen"] {
        let page = admin.post(&format!("/portal/default/tickets/1001/{action}"), &[("message", "From staff")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(footprint(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_customer_who_must_change_their_password_does_that_first() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    sqlx::query("UPDATE customers SET must_change_password = 1").execute(app.db.writer()).await.unwrap();
    ana.get("/portal/default/tickets").await.assert_redirect_to("/portal/default/profile?msg=must-change");
    let refused = submit(&ana, department, "Subject", "Message").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 0);
}

#[tokio::test]
async fn customers_choose_a_priority_only_where_the_portal_lets_them() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let d = department.to_string();
    let post = |subject: &'static str, priority: &'static str| {
        let d = d.clone();
        let ana = &ana;
        async move {
            ana.post(
                "/portal/default/tickets/new",
                &[("department", d.as_str()), ("subject", subject), ("message", "Text."), ("priority", priority)],
            )
            .await
        }
    };
    let priority_of = |subject: &'static str| {
        let app = &app;
        async move {
            let row =
                sqlx::query("SELECT priority FROM tickets WHERE subject = $1").bind(subject).fetch_one(app.db.pool());
            row.await.unwrap().try_get::<String, _>("priority").unwrap()
        }
    };

    // Off (the default): no choice on the form, and a posted one is ignored.
    ana.get("/portal/default/tickets/new").await.assert_lacks("name=\"priority\"");
    post("Asked for urgent", "urgent").await.assert_redirect_to("/portal/default/tickets/1001");
    assert_eq!(priority_of("Asked for urgent").await, "normal");

    app.cli_ok(&["portal", "set", "default", "ticket_customer_priority", "true"], "");
    let form = ana.get("/portal/default/tickets/new").await;
    form.assert_contains("How urgent is it?").assert_contains(r#"<option value="normal" selected>"#);
    post("Really high", "high").await.assert_redirect_to("/portal/default/tickets/1002");
    assert_eq!(priority_of("Really high").await, "high");
    let refused = post("Sky high", "sky-high").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Please choose one of the priorities listed.");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 2);
}

#[tokio::test]
async fn a_customer_opening_tickets_by_the_dozen_is_asked_to_wait() {
    let app = crate::common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let ana = app.browser();
    customer(&app, &ana, "default", "ana@client.test").await;
    let per_hour = frontdesk::tickets::portal::TICKETS_PER_HOUR.per_hour;
    for i in 0..per_hour {
        let subject = format!("Ticket {i}");
        submit(&ana, department, &subject, "Text.").await.assert_redirect_to("/portal/default/tickets/");
    }
    let refused = submit(&ana, department, "One too many", "Text.").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    refused.assert_contains("You have opened many tickets in the last hour.").assert_contains("One too many");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, per_hour);
    // Another customer is not held up.
    let bia = app.browser();
    customer(&app, &bia, "default", "bia@client.test").await;
    submit(&bia, department, "Mine", "Text.").await.assert_redirect_to("/portal/default/tickets/");
}

//! Tickets in the management interface: the queues with their counts and keyset pages, the
//! ticket page (thread with notes told apart, requester, other tickets, history), replies,
//! notes and property changes; and every boundary: an agent outside the department, an agent
//! without `answer_tickets`, another portal's ticket, hostile ids in forms. Each refusal is a
//! 403/404/4xx that changes nothing.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, AGENT_PASSWORD, TestApp};

/// Everything a refused change could have touched.
async fn footprint(app: &TestApp) -> String {
    let rows = sqlx::query(
        "SELECT number, status, priority, department_id, COALESCE(assignee_id, 0) AS assignee, updated_at, \
         (SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket_id = t.id) AS messages, \
         (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id) AS events FROM tickets t ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            format!(
                "{}:{}:{}:{}:{}:{}:{}:{}",
                r.try_get::<i64, _>("number").unwrap(),
                r.try_get::<String, _>("status").unwrap(),
                r.try_get::<String, _>("priority").unwrap(),
                r.try_get::<i64, _>("department_id").unwrap(),
                r.try_get::<i64, _>("assignee").unwrap(),
                r.try_get::<i64, _>("updated_at").unwrap(),
                r.try_get::<i64, _>("messages").unwrap(),
                r.try_get::<i64, _>("events").unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn column(app: &TestApp, sql: &'static str, number: i64) -> String {
    let row = sqlx::query(sql).bind(number).fetch_one(app.db.pool()).await.unwrap();
    row.try_get::<String, _>(0).unwrap()
}

#[tokio::test]
async fn an_agent_works_a_ticket_from_the_queue_to_resolved() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bob_id, _) = app.signed_in_agent("default", "bob@desk.test", &[support, billing], &["answer_tickets"]).await;
    let first = app.ticket(portal, support, None, "The printer is on fire").await;
    let _billing_ticket = app.ticket(portal, billing, None, "Invoice twice").await;

    // The queues: Mine is empty, Unassigned and her department show the ticket; no "All" for her,
    // and the other department's ticket is nowhere.
    let queue = ana.get("/manage/tickets").await;
    assert_eq!(queue.status, StatusCode::OK);
    queue.assert_contains("/manage/tickets\"").assert_contains("Mine <span class=\"count\">0</span>");
    let unassigned = ana.get("/manage/tickets?queue=unassigned").await;
    unassigned.assert_contains("The printer is on fire").assert_lacks("Invoice twice");
    unassigned.assert_contains("Unassigned <span class=\"count\">1</span>");
    unassigned.assert_contains("Support of default <span class=\"count\">1</span>").assert_lacks("queue=all");
    ana.get(&format!("/manage/tickets?queue=d{billing}")).await.assert_status(StatusCode::NOT_FOUND);
    ana.get("/manage/tickets?queue=all").await.assert_status(StatusCode::NOT_FOUND);

    // The ticket page: the thread, the requester, the properties with the department's agents.
    let page = ana.get(&format!("/manage/tickets/{first}")).await;
    page.assert_contains("The first message.").assert_contains("Rita Requester").assert_contains("rita@client.test");
    page.assert_contains(&format!(r#"<option value="{bob_id}">"#)).assert_contains("opened the ticket");

    // An internal note, then a public reply that leaves the ticket pending.
    let note = ana
        .post(&format!("/manage/tickets/{first}/reply"), &[("message", "Checked the fuse box."), ("kind", "note")])
        .await;
    note.assert_redirect_to(&format!("/manage/tickets/{first}?msg=ticket-noted"));
    assert_eq!(column(&app, "SELECT status FROM tickets WHERE number = $1", first).await, "new");
    let reply = ana
        .post(
            &format!("/manage/tickets/{first}/reply"),
            &[("message", "Please unplug it."), ("kind", "public"), ("then", "pending")],
        )
        .await;
    reply.assert_redirect_to(&format!("/manage/tickets/{first}?msg=ticket-replied"));
    assert_eq!(column(&app, "SELECT status FROM tickets WHERE number = $1", first).await, "pending");
    assert_eq!(column(&app, "SELECT last_speaker FROM tickets WHERE number = $1", first).await, "staff");
    let kinds = "SELECT kind FROM ticket_messages WHERE author_staff_id IS NOT NULL ORDER BY id";
    let kinds: Vec<String> =
        sqlx::query(kinds).fetch_all(app.db.pool()).await.unwrap().iter().map(|r| r.try_get(0).unwrap()).collect();
    assert_eq!(kinds, ["note", "public"]);
    let page = ana.get(&format!("/manage/tickets/{first}?msg=ticket-replied")).await;
    page.assert_contains("Your reply has been sent.")
        .assert_contains("Internal note")
        .assert_contains("class=\"message note\"");
    page.assert_contains("added an internal note").assert_contains("replied to the customer");
    page.assert_contains("changed the status from New to Pending");

    // The customer's side never shows the note.
    let thread =
        frontdesk::tickets::store::thread(&app.db, portal, 1, frontdesk::tickets::store::Thread::Public).await.unwrap();
    assert!(thread.iter().all(|m| m.body != "Checked the fuse box."));

    // Properties: assign to Bob, raise the priority, resolve.
    let bob = bob_id.to_string();
    let support_id = support.to_string();
    let fields = [("status", "resolved"), ("priority", "urgent"), ("department", &support_id), ("assignee", &bob)];
    ana.post(&format!("/manage/tickets/{first}/update"), &fields)
        .await
        .assert_redirect_to(&format!("/manage/tickets/{first}?msg=ticket-updated"));
    let row = sqlx::query("SELECT status, priority, assignee_id, resolved_at FROM tickets WHERE number = $1")
        .bind(first)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("status").unwrap(), "resolved");
    assert_eq!(row.try_get::<String, _>("priority").unwrap(), "urgent");
    assert_eq!(row.try_get::<Option<i64>, _>("assignee_id").unwrap(), Some(bob_id));
    assert!(row.try_get::<Option<i64>, _>("resolved_at").unwrap().is_some());
    let page = ana.get(&format!("/manage/tickets/{first}")).await;
    page.assert_contains("assigned it to bob").assert_contains("changed the priority from Normal to Urgent");
    let history = "SELECT COUNT(*) AS n FROM ticket_events WHERE actor_staff_id = $1 AND what IN ('status', 'priority', 'assignee')";
    assert_eq!(app.count_with(history, ana_id).await, 4, "pending by the reply, then status, priority, assignee");

    // Resolved tickets leave the default view and show under their status.
    ana.get("/manage/tickets?queue=unassigned").await.assert_lacks("The printer is on fire");
    ana.get("/manage/tickets?queue=mine&status=any").await.assert_lacks("The printer is on fire");
    let bobs = app.manage_as("bob@desk.test", AGENT_PASSWORD).await;
    bobs.get("/manage/tickets?queue=mine&status=resolved").await.assert_contains("The printer is on fire");

    // Moving it to a department she does not see sends her back to the queues.
    let billing_id = billing.to_string();
    let fields = [("status", "open"), ("priority", "urgent"), ("department", &billing_id), ("assignee", &bob)];
    ana.post(&format!("/manage/tickets/{first}/update"), &fields)
        .await
        .assert_redirect_to("/manage/tickets?msg=ticket-moved");
    ana.get(&format!("/manage/tickets/{first}")).await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_boundary_refuses_and_changes_nothing() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    let (beta_portal, beta_support) = app.portal_with_department("beta").await;
    let first = app.ticket(portal, support, None, "Support ticket").await;
    let billing_ticket = app.ticket(portal, billing, None, "Billing ticket").await;
    let beta_ticket = app.ticket(beta_portal, beta_support, None, "Beta ticket").await;
    assert_eq!((first, billing_ticket, beta_ticket), (1001, 1002, 1001));
    let (_, reader) = app.signed_in_agent("default", "reader@desk.test", &[support], &[]).await;
    let (_, outsider) = app.signed_in_agent("default", "outsider@desk.test", &[billing], &["answer_tickets"]).await;
    let (beta_agent_id, _) = app.signed_in_agent("beta", "beta@desk.test", &[beta_support], &["answer_tickets"]).await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let before = footprint(&app).await;

    // An agent outside the department: the ticket does not exist for them.
    outsider.get("/manage/tickets/1001").await.assert_status(StatusCode::NOT_FOUND);
    let note = [("message", "sneaky"), ("kind", "note")];
    outsider.post("/manage/tickets/1001/reply", &note).await.assert_status(StatusCode::NOT_FOUND);
    let s = support.to_string();
    let props = [("status", "closed"), ("priority", "low"), ("department", s.as_str()), ("assignee", "")];
    outsider.post("/manage/tickets/1001/update", &props).await.assert_status(StatusCode::NOT_FOUND);
    outsider.get("/manage/tickets?queue=unassigned").await.assert_lacks("Support ticket");

    // Without answer_tickets: reading yes, writing no.
    reader.get("/manage/tickets/1001").await.assert_contains("Support ticket").assert_lacks("id=\"reply-form\"");
    reader.post("/manage/tickets/1001/reply", &note).await.assert_status(StatusCode::FORBIDDEN);
    reader.post("/manage/tickets/1001/update", &props).await.assert_status(StatusCode::FORBIDDEN);

    // Another portal's ticket and departments: not found, not usable.
    let beta_agent = app.manage_as("beta@desk.test", AGENT_PASSWORD).await;
    beta_agent.get("/manage/tickets/1002").await.assert_status(StatusCode::NOT_FOUND);
    let foreign_department = beta_support.to_string();
    let foreign =
        [("status", "open"), ("priority", "low"), ("department", foreign_department.as_str()), ("assignee", "")];
    ana.post("/manage/tickets/1001/update", &foreign).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let foreign_agent = beta_agent_id.to_string();
    let foreign =
        [("status", "open"), ("priority", "low"), ("department", s.as_str()), ("assignee", foreign_agent.as_str())];
    let refused = ana.post("/manage/tickets/1001/update", &foreign).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("The assignee must be an agent of Support of default");

    // Hostile values: a number that is not one, a status that is not one, a cursor that is not one.
    for path in ["/manage/tickets/abc", "/manage/tickets/-1", "/manage/tickets/99999999999999999999"] {
        ana.get(path).await.assert_status(StatusCode::NOT_FOUND);
    }
    let bad_status = [("message", "hi"), ("kind", "public"), ("then", "burning")];
    ana.post("/manage/tickets/1001/reply", &bad_status).await.assert_status(StatusCode::BAD_REQUEST);
    let bad_kind = [("message", "hi"), ("kind", "shout")];
    ana.post("/manage/tickets/1001/reply", &bad_kind).await.assert_status(StatusCode::BAD_REQUEST);
    let bad_props = [("status", "open"), ("priority", "sky-high"), ("department", s.as_str()), ("assignee", "")];
    ana.post("/manage/tickets/1001/update", &bad_props).await.assert_status(StatusCode::BAD_REQUEST);
    ana.get("/manage/tickets?status=burning").await.assert_status(StatusCode::BAD_REQUEST);
    ana.get("/manage/tickets?queue=unassigned&after=x:y").await.assert_status(StatusCode::BAD_REQUEST);
    let empty = ana.post("/manage/tickets/1001/reply", &[("message", "   "), ("kind", "public")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("Please write a message.");
    let long = "x".repeat(20_001);
    ana.post("/manage/tickets/1001/reply", &[("message", long.as_str())])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // Without the form's token.
    let no_csrf = ana.post_raw("/manage/tickets/1001/reply", &[("message", "hi")]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    assert_eq!(footprint(&app).await, before, "a refused request changed a ticket");
}

#[tokio::test]
async fn administrators_see_the_whole_portal_and_queues_page_by_keyset() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let billing = app.department(portal, "Billing").await;
    for i in 0..55 {
        app.ticket(portal, if i % 2 == 0 { support } else { billing }, None, &format!("Ticket number {i:02}")).await;
    }
    // Distinct activity times, newest last created.
    sqlx::query("UPDATE tickets SET updated_at = 1700000000 + number").execute(app.db.writer()).await.unwrap();
    let admin = app.admin().await;
    let all = admin.get("/manage/tickets?queue=all").await;
    all.assert_contains("All <span class=\"count\">55</span>").assert_contains("Ticket number 54");
    all.assert_lacks("Ticket number 04<").assert_contains("Billing <span class=\"count\">27</span>");
    let older = all.between("id=\"older\" href=\"", "\"").replace("&amp;", "&");
    let second = admin.get(&older).await;
    second.assert_contains("Ticket number 04").assert_contains("Ticket number 00").assert_lacks("Ticket number 05<");
    second.assert_lacks("id=\"older\"");

    // An agent granted every department sees "All" too; one without, not.
    let (_, wide) = app.signed_in_agent("default", "wide@desk.test", &[], &["see_all_departments"]).await;
    wide.get("/manage/tickets?queue=all").await.assert_contains("All <span class=\"count\">55</span>");
    let (_, narrow) = app.signed_in_agent("default", "narrow@desk.test", &[], &[]).await;
    narrow.get("/manage/tickets").await.assert_contains("No tickets here.").assert_lacks("queue=all");

    // In Portuguese.
    let pt = app.manage_as_pt(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let page = pt.get("/manage/tickets?queue=all").await;
    page.assert_contains("Chamados").assert_contains("Sem responsável").assert_contains("Todos");
    page.assert_no_english();
    let page = pt.get("/manage/tickets/1001").await;
    page.assert_contains("Propriedades").assert_contains("Histórico").assert_contains("abriu o chamado");
    page.assert_no_english();
}

#[tokio::test]
async fn a_link_to_a_ticket_of_another_portal_offers_to_switch_to_it() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (beta, beta_support) = app.portal_with_department("beta").await;
    app.ticket(portal, support, None, "Default ticket").await;
    app.ticket(beta, beta_support, None, "Beta ticket").await;
    let admin = app.admin().await;
    // Working in the default portal, the link names beta: a page offers the switch, no more.
    let page = admin.get("/manage/tickets/1001?portal=beta").await;
    page.assert_contains("This ticket is in another portal").assert_lacks("Default ticket").assert_lacks("Beta ticket");
    let next = page.between("name=\"next\" value=\"", "\"").replace("&#x3d;", "=").replace("&#x3f;", "?");
    assert_eq!(next, "/manage/tickets/1001?portal=beta");
    admin
        .post("/manage/switch-portal", &[("portal", "beta"), ("next", &next)])
        .await
        .assert_redirect_to("/manage/tickets/1001?portal=beta");
    admin.get("/manage/tickets/1001?portal=beta").await.assert_contains("Beta ticket");
    // `next` never leaves the management interface.
    admin
        .post("/manage/switch-portal", &[("portal", "default"), ("next", "https://evil.example/")])
        .await
        .assert_redirect_to("/manage?msg=switched");
    // A portal the agent does not work in is not found.
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "agent", "--email", "ana@desk.test"],
        &format!("{AGENT_PASSWORD}\n"),
    );
    let ana = app.manage_as("ana@desk.test", AGENT_PASSWORD).await;
    ana.get("/manage/tickets/1001?portal=beta").await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_desk_s_replies_resolution_and_assignments_reach_people_by_email_but_notes_never_do() {
    let sink = crate::common::mail::SmtpSink::start();
    let app = common::spawn_with_mail(&sink).await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bob_id, _) = app.signed_in_agent("default", "bob@desk.test", &[support], &["answer_tickets"]).await;
    let number = app.ticket(portal, support, None, "Lost my keys").await;

    let path = format!("/manage/tickets/{number}/reply");
    ana.post(&path, &[("message", "Secret internal remark."), ("kind", "note")]).await;
    ana.post(&path, &[("message", "They are at the front desk."), ("kind", "public")]).await;
    let reply = sink.wait_for("rita@client.test", "New reply: Lost my keys").await;
    assert!(reply.subject.starts_with(&format!("[#{number}]")), "{}", reply.subject);
    assert!(reply.text.contains("They are at the front desk."));
    let key: String =
        sqlx::query("SELECT email_message_id FROM ticket_messages WHERE body = 'They are at the front desk.'")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
    assert!(reply.message_id.contains(&key), "{} / {key}", reply.message_id);

    let s = support.to_string();
    let bob = bob_id.to_string();
    let props =
        [("status", "resolved"), ("priority", "normal"), ("department", s.as_str()), ("assignee", bob.as_str())];
    ana.post(&format!("/manage/tickets/{number}/update"), &props).await.assert_redirect_to("/manage/tickets/");
    let resolved = sink.wait_for("rita@client.test", "Resolved: Lost my keys").await;
    assert!(!resolved.in_reply_to.is_empty());
    let assigned = sink.wait_for("bob@desk.test", "Assigned to you: Lost my keys").await;
    assert!(assigned.text.contains(&format!("/manage/tickets/{number}?portal=default")), "{}", assigned.text);

    // The note is in no email, sent or waiting.
    for mail in sink.messages() {
        assert!(!mail.text.contains("Secret internal remark") && !mail.html.contains("Secret internal remark"));
    }
    let queued = app.count("SELECT COUNT(*) AS n FROM outbox WHERE body_text LIKE '%Secret internal remark%'").await;
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn a_visitor_gets_the_desk_s_reply_with_a_private_link_that_opens_their_ticket() {
    let sink = crate::common::mail::SmtpSink::start();
    let app = common::spawn_with_mail(&sink).await;
    let (_, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    app.cli_ok(&["portal", "set", "default", "ticket_visitors", "true"], "");
    let visitor = app.browser();
    visitor.get("/portal/default/tickets/submit").await;
    let s = support.to_string();
    let fields = [
        ("name", "Vera Visitor"),
        ("email", "vera@visitor.test"),
        ("department", s.as_str()),
        ("subject", "Where is my parcel"),
        ("message", "It did not arrive."),
    ];
    visitor
        .post("/portal/default/tickets/submit", &fields)
        .await
        .assert_redirect_to("/portal/default/tickets/submit/sent");
    let first = sink.wait_for("vera@visitor.test", "#1001").await;
    let link_of = |text: &str| text.split_whitespace().find(|w| w.contains("/tickets/follow/")).unwrap().to_string();
    visitor.get(&link_of(&first.text).replace(&app.base, "")).await.assert_contains("Where is my parcel");

    ana.get("/manage/tickets/1001").await.assert_contains("Vera Visitor").assert_lacks("id=\"unverified\"");
    ana.post("/manage/tickets/1001/reply", &[("message", "It is on its way."), ("kind", "public")]).await;
    let reply = sink.wait_for("vera@visitor.test", "New reply: Where is my parcel").await;
    let link = link_of(&reply.text);
    assert_ne!(link, link_of(&first.text), "each email carries a link of its own");
    let page = app.browser().get(&link.replace(&app.base, "")).await;
    page.assert_contains("It is on its way.");
    // Only hashes of the links are stored.
    let token = link.rsplit('/').next().unwrap().to_string();
    let stored = app.count("SELECT COUNT(*) AS n FROM ticket_links").await;
    assert_eq!(stored, 2);
    let raw = sqlx::query("SELECT COUNT(*) AS n FROM ticket_links WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap();
    assert_eq!(raw, 0);
}

#[tokio::test]
async fn an_assignee_who_left_the_department_stays_until_someone_changes_the_assignee() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bob_id, _) = app.signed_in_agent("default", "bob@desk.test", &[support], &["answer_tickets"]).await;
    let number = app.ticket(portal, support, None, "Keep Bob on it").await;
    let (s, bob) = (support.to_string(), bob_id.to_string());
    let assign = [("status", "open"), ("priority", "normal"), ("department", s.as_str()), ("assignee", bob.as_str())];
    ana.post(&format!("/manage/tickets/{number}/update"), &assign).await.assert_redirect_to("/manage/tickets/");
    sqlx::query("DELETE FROM department_members WHERE staff_id = $1")
        .bind(bob_id)
        .execute(app.db.writer())
        .await
        .unwrap();

    // The form still shows him selected, and saving another change keeps him.
    let page = ana.get(&format!("/manage/tickets/{number}")).await;
    page.assert_contains(&format!(r#"<option value="{bob_id}" selected>"#));
    let urgent = [("status", "open"), ("priority", "urgent"), ("department", s.as_str()), ("assignee", bob.as_str())];
    ana.post(&format!("/manage/tickets/{number}/update"), &urgent).await.assert_redirect_to("/manage/tickets/");
    let row = sqlx::query("SELECT priority, assignee_id FROM tickets WHERE number = $1")
        .bind(number)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("priority").unwrap(), "urgent");
    assert_eq!(row.try_get::<Option<i64>, _>("assignee_id").unwrap(), Some(bob_id));
    // Assigning him anew is refused: he is no longer an agent of the department.
    sqlx::query("UPDATE tickets SET assignee_id = NULL").execute(app.db.writer()).await.unwrap();
    let refused = ana.post(&format!("/manage/tickets/{number}/update"), &urgent).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn only_agents_who_may_answer_are_offered_and_accepted_as_assignees() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (reader_id, _) = app.signed_in_agent("default", "reader@desk.test", &[support], &[]).await;
    let number = app.ticket(portal, support, None, "Who can take it").await;
    let page = ana.get(&format!("/manage/tickets/{number}")).await;
    page.assert_lacks(&format!(r#"<option value="{reader_id}""#));
    let (s, reader) = (support.to_string(), reader_id.to_string());
    let assign =
        [("status", "open"), ("priority", "normal"), ("department", s.as_str()), ("assignee", reader.as_str())];
    let refused = ana.post(&format!("/manage/tickets/{number}/update"), &assign).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE assignee_id IS NOT NULL").await, 0);
    // An empty portal in a link is no portal at all.
    ana.get(&format!("/manage/tickets/{number}?portal=")).await.assert_contains("Who can take it");
}

//! Ticket emails through the outbox: the requester's receipt, replies and "resolved"; agents'
//! "new ticket", "assigned to you" and the customer's replies; each in its recipient's language,
//! `[#number]` first in the subject, threaded, and queued in the change's own transaction.

use frontdesk::tickets::notify::{self, Context};
use frontdesk::tickets::store::{self, NewTicket};
use frontdesk::tickets::{Actor, Priority};
use reqwest::StatusCode;
use sqlx::Row;

use crate::common::mail::SmtpSink;
use crate::common::{Browser, TestApp};

const PASSWORD: &str = "Desk-Secret-42!";

/// A customer of the default portal signed in with a new browser.
async fn customer(app: &TestApp, email: &str, pt: bool) -> (Browser, i64) {
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", email],
        &format!("{PASSWORD}\n"),
    );
    let browser = if pt { app.browser_pt() } else { app.browser() };
    browser.sign_in_portal("default", email, PASSWORD).await.assert_redirect_to("/portal/default/");
    (browser, app.id_of("SELECT id FROM customers WHERE email_lower = $1", email).await)
}

/// An agent of the default portal in `departments`; their id.
async fn agent(app: &TestApp, email: &str, name: &str, departments: &[i64]) -> i64 {
    app.agent("default", email, name, departments, &[]).await
}

async fn department(app: &TestApp, portal_id: i64, name: &str) -> i64 {
    app.department(portal_id, name).await
}

/// Who the outbox holds emails for, in the order they were queued (after `after_id`).
async fn recipients(app: &TestApp, after_id: i64) -> Vec<String> {
    let rows = sqlx::query("SELECT recipient FROM outbox WHERE id > $1 ORDER BY id")
        .bind(after_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.iter().map(|r| r.try_get("recipient").unwrap()).collect()
}

async fn last_outbox_id(app: &TestApp) -> i64 {
    app.count("SELECT COALESCE(MAX(id), 0) AS n FROM outbox").await
}

fn key_of(message_id: &str) -> &str {
    message_id.trim_start_matches('<').split('@').next().unwrap()
}

#[tokio::test]
async fn a_new_ticket_sends_a_receipt_and_tells_the_agents_of_its_department() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (portal_id, support) = app.portal_with_department("default").await;
    let billing = department(&app, portal_id, "Billing").await;
    agent(&app, "bob@desk.test", "Bob Agent", &[support]).await;
    agent(&app, "carol@desk.test", "Carol Agent", &[support]).await;
    agent(&app, "dave@desk.test", "Dave Billing", &[billing]).await;
    agent(&app, "erin@desk.test", "Erin Gone", &[support]).await;
    app.cli_ok(&["user", "disable", "--email", "erin@desk.test"], "");

    // Carol turns "new ticket" emails off on her profile; the others keep the default (on).
    let carol = app.manage_as("carol@desk.test", crate::common::AGENT_PASSWORD).await;
    let profile = carol.get("/manage/profile").await;
    profile.assert_contains("Ticket emails").assert_contains(r#"name="new_ticket" value="on" checked"#);
    let refused = carol.post_raw("/manage/profile/ticket-emails", &[("assigned", "on")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "no CSRF token: {}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff_email_preferences").await, 0);
    let twice = carol.post("/manage/profile/ticket-emails", &[("assigned", "on"), ("assigned", "on")]).await;
    assert!(twice.status.is_client_error(), "a duplicated field: {}", twice.status);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff_email_preferences").await, 0);
    let saved = carol.post("/manage/profile/ticket-emails", &[("assigned", "on"), ("customer_reply", "on")]).await;
    saved.assert_redirect_to("/manage/profile?msg=saved");
    let profile = carol.get("/manage/profile").await;
    profile
        .assert_contains(r#"name="new_ticket" value="on">"#)
        .assert_contains(r#"name="assigned" value="on" checked"#);
    let off = app.count("SELECT COUNT(*) AS n FROM staff_email_preferences WHERE kind = 'new_ticket' AND enabled = 0");
    assert_eq!(off.await, 1);

    let (ana, _) = customer(&app, "ana@client.test", false).await;
    let before = last_outbox_id(&app).await;
    // A refused submission queues nothing.
    let fields = [("department", support.to_string()), ("subject", String::new()), ("message", "x".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(ana.post("/portal/default/tickets/new", &fields).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(recipients(&app, before).await.is_empty());

    let message = "The printer is on fire.\nSince this morning.";
    let fields = [("department", support.to_string().as_str()), ("subject", "Printer on fire"), ("message", message)]
        .map(|(k, v)| (k, v.to_string()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ana.post("/portal/default/tickets/new", &fields).await.assert_redirect_to("/portal/default/tickets/1001");
    assert_eq!(recipients(&app, before).await, ["ana@client.test", "bob@desk.test"], "not Carol, Dave or Erin");

    let receipt = sink.wait_for("ana@client.test", "[#1001]").await;
    assert!(receipt.subject.starts_with("[#1001] ") && receipt.subject.contains("Printer on fire"), "{receipt:?}");
    assert!(receipt.text.replace("\r\n", "\n").contains(message), "{}", receipt.text);
    assert!(receipt.text.contains(&format!("{}/portal/default/tickets/1001", app.base)), "{}", receipt.text);
    assert!(receipt.html.contains("The printer is on fire."));
    assert!(receipt.message_id.starts_with("<ticket-") && receipt.message_id.ends_with("@frontdesk.test>"));
    let stored = app.text("SELECT email_message_id AS v FROM ticket_messages").await;
    assert_eq!(stored, key_of(&receipt.message_id), "the first message keeps its email's key");

    let new = sink.wait_for("bob@desk.test", "[#1001] New ticket").await;
    assert!(new.text.replace("\r\n", "\n").contains(message), "{}", new.text);
    assert!(new.text.contains("Support of default"), "{}", new.text);
    assert!(new.text.contains(&format!("{}/manage/tickets/1001?portal=default", app.base)), "{}", new.text);
    assert_eq!(new.message_id, receipt.message_id, "one conversation for the customer and the agents");

    // The customer's reply goes to the assignee, threaded after the first email.
    let bob = app.id_of("SELECT id FROM staff WHERE email_lower = $1", "bob@desk.test").await;
    sqlx::query("UPDATE tickets SET assignee_id = $1").bind(bob).execute(app.db.writer()).await.unwrap();
    let before = last_outbox_id(&app).await;
    let reply = ana.post("/portal/default/tickets/1001/reply", &[("message", "Now the scanner too.")]).await;
    reply.assert_redirect_to("/portal/default/tickets/1001?msg=replied");
    assert_eq!(recipients(&app, before).await, ["bob@desk.test"]);
    let replied = sink.wait_for("bob@desk.test", "[#1001] Customer replied").await;
    assert!(replied.text.contains("Now the scanner too."), "{}", replied.text);
    assert_eq!(replied.in_reply_to, receipt.message_id);
    assert_eq!(replied.references, receipt.message_id);
    let keys = app.count("SELECT COUNT(DISTINCT email_message_id) AS n FROM ticket_messages").await;
    assert_eq!(keys, 2, "each message's email key is stored");
    assert!(
        sink.messages().iter().all(|m| !m.to.contains("carol") && !m.to.contains("dave") && !m.to.contains("erin"))
    );
}

#[tokio::test]
async fn each_recipient_reads_their_own_language() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (_, support) = app.portal_with_department("default").await;
    agent(&app, "bob@desk.test", "Bob Agent", &[support]).await;
    agent(&app, "rui@desk.test", "Rui Agente", &[support]).await;
    sqlx::query("UPDATE staff SET language = 'pt-BR' WHERE email_lower = 'rui@desk.test'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let rui = app.manage_as_pt("rui@desk.test", crate::common::AGENT_PASSWORD).await.get("/manage/profile").await;
    rui.assert_contains("E-mails de chamados").assert_contains("Um novo chamado em um dos meus departamentos");
    rui.assert_no_english();
    let (maria, _) = customer(&app, "maria@cliente.test", true).await;
    // Her choice on her profile, in Portuguese.
    maria.post("/portal/default/profile/details", &[("name", "Maria"), ("language", "pt-BR")]).await;
    let fields =
        [("department", support.to_string()), ("subject", "Impressora".into()), ("message", "Não imprime.".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    maria.post("/portal/default/tickets/new", &fields).await.assert_redirect_to("/portal/default/tickets/1001");

    let receipt = sink.wait_for("maria@cliente.test", "[#1001] Recebido: Impressora").await;
    assert!(
        receipt.text.contains("Olá, Maria!") && receipt.text.contains("Recebemos sua solicitação"),
        "{}",
        receipt.text
    );
    assert!(receipt.text.contains("Não imprime.") && !receipt.text.contains("We received"));
    assert!(receipt.html.contains(r#"<html lang="pt-BR">"#));
    let rui = sink.wait_for("rui@desk.test", "[#1001] Novo chamado: Impressora").await;
    assert!(rui.text.contains("abriu o chamado #1001"), "{}", rui.text);
    // Whoever caused the email does not choose its language: Bob chose none, and reads English.
    let bob = sink.wait_for("bob@desk.test", "[#1001] New ticket: Impressora").await;
    assert!(bob.text.contains("Hello Bob Agent,"), "{}", bob.text);
}

/// The default portal's email context, as a handler makes it.
async fn context(app: &TestApp, portal_id: i64) -> Context {
    let portal = frontdesk::portals::by_id(&app.db, portal_id).await.unwrap().unwrap();
    Context {
        portal,
        portal_url: format!("{}/portal/default", app.base),
        manage_url: format!("{}/manage", app.base),
        sender_name: None,
    }
}

async fn add_message(app: &TestApp, ticket_id: i64, kind: &str, author: i64, body: &str) -> i64 {
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_staff_id, author_name, body, created_at) \
         SELECT portal_id, id, $1, $2, 'Bob Agent', $3, 5 FROM tickets WHERE id = $4 RETURNING id",
    )
    .bind(kind)
    .bind(author)
    .bind(body)
    .bind(ticket_id)
    .fetch_one(app.db.writer())
    .await
    .unwrap()
    .try_get("id")
    .unwrap()
}

#[tokio::test]
async fn desk_replies_resolution_and_assignment_reach_who_they_should() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (portal_id, support) = app.portal_with_department("default").await;
    let billing = department(&app, portal_id, "Billing").await;
    let bob = agent(&app, "bob@desk.test", "Bob Agent", &[support]).await;
    let carol = agent(&app, "carol@desk.test", "Carol Agent", &[support]).await;
    let dave = agent(&app, "dave@desk.test", "Dave Billing", &[billing]).await;
    let (_, ana) = customer(&app, "ana@client.test", false).await;
    let ctx = context(&app, portal_id).await;

    // Bob opens a ticket for Ana: Ana's receipt and Carol's "new ticket", nothing for Bob.
    let new = NewTicket {
        portal_id,
        department_id: support,
        customer_id: Some(ana),
        requester_name: "Ana",
        requester_email: "ana@client.test",
        verified: true,
        priority: Priority::Normal,
        subject: "VPN is down",
        body: "Called in: the VPN does not connect.",
        opened_by: Actor::Staff(bob),
    };
    // Rolled back, a ticket leaves no email behind.
    let mut tx = app.db.writer().begin().await.unwrap();
    let created = store::create(&mut tx, &new, 1).await.unwrap();
    assert_eq!(notify::ticket_created(&mut tx, &ctx, created.id).await.unwrap(), 2);
    tx.rollback().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, 0);

    let mut tx = app.db.writer().begin().await.unwrap();
    let created = store::create(&mut tx, &new, 1).await.unwrap();
    assert_eq!(notify::ticket_created(&mut tx, &ctx, created.id).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(recipients(&app, 0).await, ["ana@client.test", "carol@desk.test"]);
    let receipt = sink.wait_for("ana@client.test", "[#1001] Received").await;

    // A public reply goes to Ana with its text; a note goes nowhere.
    let reply = add_message(&app, created.id, "public", bob, "Restart the router, please.").await;
    let note = add_message(&app, created.id, "note", bob, "SECRET: her router is ancient").await;
    let before = last_outbox_id(&app).await;
    let mut tx = app.db.writer().begin().await.unwrap();
    assert_eq!(notify::desk_replied(&mut tx, &ctx, created.id, reply).await.unwrap(), 1);
    assert_eq!(notify::desk_replied(&mut tx, &ctx, created.id, note).await.unwrap(), 0);
    // Another portal's ticket is not this context's: nothing.
    assert_eq!(notify::desk_replied(&mut tx, &ctx, created.id + 1000, reply).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(recipients(&app, before).await, ["ana@client.test"]);
    let answer = sink.wait_for("ana@client.test", "[#1001] New reply").await;
    assert!(
        answer.text.contains("Restart the router, please.") && answer.text.contains("Bob Agent"),
        "{}",
        answer.text
    );
    assert_eq!(answer.in_reply_to, receipt.message_id);
    let note_key =
        app.count_with("SELECT COUNT(*) AS n FROM ticket_messages WHERE id = $1 AND email_message_id IS NULL", note);
    assert_eq!(note_key.await, 1);

    // Assigned: to Carol by Bob (told), to Bob by himself (not), to Dave of another department (not).
    let before = last_outbox_id(&app).await;
    let mut tx = app.db.writer().begin().await.unwrap();
    assert_eq!(notify::assigned(&mut tx, &ctx, created.id, carol, Some(bob)).await.unwrap(), 1);
    assert_eq!(notify::assigned(&mut tx, &ctx, created.id, bob, Some(bob)).await.unwrap(), 0);
    assert_eq!(notify::assigned(&mut tx, &ctx, created.id, dave, Some(bob)).await.unwrap(), 0);
    assert_eq!(notify::resolved(&mut tx, &ctx, created.id).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(recipients(&app, before).await, ["carol@desk.test", "ana@client.test"]);
    let assigned = sink.wait_for("carol@desk.test", "[#1001] Assigned to you").await;
    assert!(assigned.text.contains("Bob Agent assigned ticket #1001"), "{}", assigned.text);
    let done = sink.wait_for("ana@client.test", "[#1001] Resolved").await;
    assert!(done.references.starts_with(&receipt.message_id), "the root first: {}", done.references);
    assert_eq!(done.in_reply_to, answer.message_id);

    // A disabled account, or one that turned the kind off, gets nothing.
    sqlx::query(
        "INSERT INTO staff_email_preferences (portal_id, staff_id, kind, enabled) VALUES ($1, $2, 'assigned', 0)",
    )
    .bind(portal_id)
    .bind(carol)
    .execute(app.db.writer())
    .await
    .unwrap();
    app.cli_ok(&["user", "disable", "--email", "bob@desk.test"], "");
    let mut tx = app.db.writer().begin().await.unwrap();
    assert_eq!(notify::assigned(&mut tx, &ctx, created.id, carol, None).await.unwrap(), 0);
    assert_eq!(notify::assigned(&mut tx, &ctx, created.id, bob, None).await.unwrap(), 0);
    tx.commit().await.unwrap();

    let outbox = sqlx::query("SELECT body_text, body_html FROM outbox").fetch_all(app.db.pool()).await.unwrap();
    for row in outbox {
        let (text, html): (String, Option<String>) = (row.try_get(0).unwrap(), row.try_get(1).unwrap());
        assert!(!text.contains("SECRET") && !html.unwrap_or_default().contains("SECRET"));
    }
    assert!(sink.messages().iter().all(|m| !m.text.contains("SECRET") && !m.html.contains("SECRET")));
}

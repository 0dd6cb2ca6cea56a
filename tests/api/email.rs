//! Email through the durable outbox, against a real SMTP server: invitations, password resets,
//! retries when the server is down, refusals, and several nodes sharing the work.

use std::time::{Duration, Instant};

use crate::common::mail::SmtpSink;
use crate::common::*;
use reqwest::StatusCode;

async fn outbox_status(app: &TestApp, recipient: &'static str) -> String {
    use sqlx::Row;
    sqlx::query("SELECT status FROM outbox WHERE recipient = $1 ORDER BY id DESC")
        .bind(recipient)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("status")
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_invitation_created_while_smtp_is_down_arrives_once_it_is_up() {
    let mut sink = SmtpSink::down();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    admin.post("/manage/agents", &[("email", "late@example.com"), ("name", "Late"), ("role", "agent")]).await;
    // The agent exists and the invitation waits in the outbox with the reason it is not sent.
    wait_until("a failed attempt", async || {
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE attempts >= 1 AND last_error IS NOT NULL").await == 1
    })
    .await;
    assert_eq!(outbox_status(&app, "late@example.com").await, "pending");
    let page = admin.get("/manage/outbox").await;
    page.assert_contains("late@example.com").assert_contains("waiting");

    sink.up();
    let mail = sink.wait_for("late@example.com", "Set your password").await;
    assert!(mail.text.contains("/manage/password/"));
    wait_until("status sent", async || outbox_status(&app, "late@example.com").await == "sent").await;
    assert_eq!(sink.messages().len(), 1, "sent exactly once");
}

#[tokio::test]
async fn a_recipient_refused_with_550_is_marked_failed_and_can_be_retried() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    admin.post("/manage/agents", &[("email", "reject-me@example.com"), ("name", "Nobody"), ("role", "agent")]).await;
    wait_until("failure", async || outbox_status(&app, "reject-me@example.com").await == "failed").await;
    let error = app.text("SELECT last_error AS v FROM outbox WHERE recipient = 'reject-me@example.com'").await;
    assert!(error.contains("550"), "{error}");
    let page = admin.get("/manage/outbox").await;
    page.assert_contains("reject-me@example.com")
        .assert_contains(">failed<")
        .assert_contains("550")
        .assert_contains(">Retry</button>");

    let id = app.count("SELECT id AS n FROM outbox WHERE recipient = 'reject-me@example.com'").await;
    admin.post(&format!("/manage/outbox/{id}/retry"), &[]).await.assert_redirect_to("/manage/outbox?msg=requeued");
    // It is tried again (and refused again: the mailbox still does not exist).
    wait_until("second failure", async || {
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'reject-me@example.com' AND status = 'failed' AND attempts = 1")
            .await
            == 1
    })
    .await;
    assert!(sink.messages().is_empty());
    // Only failed messages can be retried, and only one's own portal's.
    assert_eq!(admin.post("/manage/outbox/999999/retry", &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forgot_password_answers_the_same_and_a_reset_link_works_once() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let other_session = app.admin().await;
    let b = app.browser();
    b.get("/manage/login").await.assert_contains(r#"href="/manage/forgot""#);
    let known = b.post("/manage/forgot", &[("email", ADMIN_EMAIL)]).await;
    let unknown = b.post("/manage/forgot", &[("email", "nobody@example.com")]).await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.body.replace(ADMIN_EMAIL, "X"), unknown.body.replace("nobody@example.com", "X"));
    known.assert_contains("we have sent it a link");

    let mail = sink.wait_for(ADMIN_EMAIL, "Reset your password").await;
    assert!(mail.text.contains("expires in 1 hour"));
    let link = mail.link("/manage/password/");
    b.get(&link).await.assert_contains("Choose a new password");
    // A garbled or tampered link changes nothing and says so.
    let mut tampered = link.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let page = b.get(&tampered).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("This link is not valid");
    assert_eq!(b.get("/manage/password/short").await.status, StatusCode::NOT_FOUND);

    let new = "Brand-New-Pass-5";
    b.post(&link, &[("new_password", new), ("confirm_password", new)])
        .await
        .assert_redirect_to("/manage/login?msg=password-set");
    // Every session of the account ended, and a notice went out.
    other_session.get("/manage").await.assert_redirect_to("/manage/login");
    sink.wait_for(ADMIN_EMAIL, "was changed").await;
    assert_eq!(app.browser().sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.browser().sign_in_manage(ADMIN_EMAIL, new).await.assert_redirect_to("/manage");

    // Used once, it is spent.
    let again = b.post(&link, &[("new_password", "Another-Pass-6"), ("confirm_password", "Another-Pass-6")]).await;
    assert_eq!(again.status, StatusCode::GONE);
    again.assert_contains("already been used");
    app.browser().sign_in_manage(ADMIN_EMAIL, new).await.assert_redirect_to("/manage");
}

#[tokio::test]
async fn an_expired_reset_link_is_refused_and_changes_nothing() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.browser().post("/manage/forgot", &[("email", ADMIN_EMAIL)]).await;
    let link = sink.wait_for(ADMIN_EMAIL, "Reset your password").await.link("/manage/password/");
    sqlx::query("UPDATE one_time_tokens SET expires_at = expires_at - 3601").execute(app.db.pool()).await.unwrap();
    let b = app.browser();
    let page = b.get(&link).await;
    assert_eq!(page.status, StatusCode::GONE);
    page.assert_contains("This link has expired");
    let page = b.post(&link, &[("new_password", "Too-Late-Pass-1"), ("confirm_password", "Too-Late-Pass-1")]).await;
    assert_eq!(page.status, StatusCode::GONE);
    app.browser().sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/manage");
}

#[tokio::test]
async fn customers_reset_their_password_from_their_portal() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let out = app.cli(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "cy@client.test"],
        "Cust0mer-Secret!\n",
    );
    assert!(out.status.success());
    app.cli(&["portal", "set", "default", "sender_name", "Acme Support"], "");
    let b = app.browser();
    b.get("/portal/default/login").await.assert_contains(r#"href="/portal/default/forgot""#);
    b.post("/portal/default/forgot", &[("email", "cy@client.test")]).await.assert_contains("we have sent it a link");
    let mail = sink.wait_for("cy@client.test", "Reset your password").await;
    assert!(mail.from.contains("Acme Support") && mail.from.contains("<help@frontdesk.test>"), "{}", mail.from);
    let link = mail.link("/portal/default/password/");
    b.post(&link, &[("new_password", "Cy-New-Secret-2"), ("confirm_password", "Cy-New-Secret-2")])
        .await
        .assert_redirect_to("/portal/default/login?msg=password-set");
    b.sign_in_portal("default", "cy@client.test", "Cy-New-Secret-2").await.assert_redirect_to("/portal/default/");
    // A customer's link does not open under another portal.
    app.cli(&["portal", "add", "beta", "--name", "Beta"], "");
    let foreign = link.replace("/portal/default/", "/portal/beta/");
    assert_eq!(b.get(&foreign).await.status, StatusCode::NOT_FOUND);

    // The common page's form works the same way.
    b.get("/forgot").await.assert_contains(r#"<option value="default""#);
    b.post("/forgot", &[("portal", "default"), ("email", "cy@client.test")])
        .await
        .assert_contains("we have sent it a link");
}

#[tokio::test]
async fn reset_emails_are_limited_per_account() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let b = app.browser();
    for _ in 0..3 {
        b.post("/manage/forgot", &[("email", ADMIN_EMAIL)]).await.assert_contains("we have sent it a link");
    }
    sink.wait_for(ADMIN_EMAIL, "Reset your password").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM one_time_tokens WHERE purpose = 'reset'").await, 1);
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn without_smtp_the_server_runs_and_says_mail_is_not_delivered() {
    let app = spawn().await;
    let admin = app.admin().await;
    admin.get("/manage").await.assert_contains("Email is not being delivered");
    admin.post("/manage/agents", &[("email", "wait@example.com"), ("name", "W"), ("role", "agent")]).await;
    let page = admin.get("/manage/outbox").await;
    page.assert_contains("Email is not being delivered").assert_contains("wait@example.com").assert_contains("waiting");
    assert_eq!(outbox_status(&app, "wait@example.com").await, "pending");
}

#[tokio::test]
async fn staff_given_another_portal_are_invited_and_keep_their_password_until_they_set_one() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.cli(
        &["user", "add", "--portal", "default", "--role", "agent", "--email", "vo@example.com"],
        "Voice-Agent-Pw1\n",
    );
    app.cli(&["portal", "add", "omni", "--name", "Omnichannel"], "");
    let admin = app.admin().await;
    admin.post("/manage/switch-portal", &[("portal", "omni")]).await;
    admin
        .post("/manage/agents", &[("email", "vo@example.com"), ("role", "agent")])
        .await
        .assert_redirect_to("/manage/agents/");
    let mail = sink.wait_for("vo@example.com", "Set your password for Omnichannel").await;
    assert!(mail.text.contains("the one you use everywhere"), "{}", mail.text);
    app.manage_as("vo@example.com", "Voice-Agent-Pw1").await;

    // Sending it again voids the first link.
    let id = app.count("SELECT id AS n FROM staff WHERE email_lower = 'vo@example.com'").await;
    admin
        .post(&format!("/manage/agents/{id}/invite"), &[])
        .await
        .assert_redirect_to(&format!("/manage/agents/{id}?msg=invited"));
    let first = mail.link("/manage/password/");
    wait_until("second invitation", async || sink.messages().len() == 2).await;
    let second = sink.messages()[1].link("/manage/password/");
    assert_ne!(first, second);
    assert_eq!(app.browser().get(&first).await.status, StatusCode::GONE);
    let b = app.browser();
    b.post(&second, &[("new_password", "Omni-Agent-Pw2"), ("confirm_password", "Omni-Agent-Pw2")])
        .await
        .assert_redirect_to("/manage/login");
    app.manage_as("vo@example.com", "Omni-Agent-Pw2").await;
    assert_eq!(
        app.browser().sign_in_manage("vo@example.com", "Voice-Agent-Pw1").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn two_nodes_on_one_database_never_send_a_message_twice() {
    let sink = SmtpSink::start();
    let first = spawn_with_mail(&sink).await;
    let port = sink.port;
    let second = spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), |c| use_smtp(c, port)).await;
    const N: usize = 40;
    let now = frontdesk::db::now();
    for i in 0..N {
        sqlx::query(
            "INSERT INTO outbox (kind, recipient, subject, body_text, body_html, status, attempts, next_attempt_at, created_at) \
             VALUES ('email', $1, $2, 'text', '<p>html</p>', 'pending', 0, $3, $3)",
        )
        .bind(format!("bulk{i}@example.com"))
        .bind(format!("Bulk message {i}"))
        .bind(now)
        .execute(first.db.writer())
        .await
        .unwrap();
    }
    wait_until("all sent", async || {
        first.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'").await == N as i64
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await; // give any duplicate time to show up
    let mut subjects: Vec<String> = sink.messages().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), N, "each message sent exactly once");
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), N);
    drop(second);
}

#[tokio::test]
async fn messages_queued_before_a_restart_are_sent_after_it() {
    // A node without SMTP queues an invitation; the next start (with SMTP) sends it.
    let first = spawn().await;
    let admin = first.admin().await;
    admin.post("/manage/customers", &[("email", "later@client.test"), ("name", "Later")]).await;
    assert_eq!(outbox_status(&first, "later@client.test").await, "pending");
    let sink = SmtpSink::start();
    let port = sink.port;
    let restarted = spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), |c| use_smtp(c, port)).await;
    let mail = sink.wait_for("later@client.test", "Your account at Help desk").await;
    assert!(mail.text.contains("/portal/default/password/"));
    wait_until("sent", async || outbox_status(&restarted, "later@client.test").await == "sent").await;
}

#[tokio::test]
async fn links_for_a_portal_with_its_own_host_use_that_host() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.cli(&["portal", "set", "default", "host", "help.acme.test"], "");
    let admin = app.admin().await;
    admin.post("/manage/customers", &[("email", "hosted@client.test"), ("name", "Hosted")]).await;
    let mail = sink.wait_for("hosted@client.test", "Your account").await;
    assert!(mail.text.contains("http://help.acme.test/password/"), "{}", mail.text);
    // Staff links stay on the public URL.
    admin.post("/manage/agents", &[("email", "staffer@example.com"), ("role", "agent")]).await;
    let mail = sink.wait_for("staffer@example.com", "Set your password").await;
    assert!(mail.text.contains(&format!("{}/manage/password/", app.base)), "{}", mail.text);
    // And it opens the set-password page.
    let staff_link = mail.link("/manage/password/");
    app.browser().get(&staff_link).await.assert_contains("Set your password");
}

#[tokio::test]
async fn administrators_find_the_outbox_in_the_menu_and_agents_do_not() {
    let app = spawn().await;
    let admin = app.admin().await;
    admin.get("/manage").await.assert_contains(r#"<a href="/manage/outbox">Outbox</a>"#);
    app.cli(
        &["user", "add", "--portal", "default", "--role", "agent", "--email", "plain@example.com"],
        "Plain-Agent-Pw1\n",
    );
    let agent = app.manage_as("plain@example.com", "Plain-Agent-Pw1").await;
    agent.get("/manage").await.assert_lacks("/manage/outbox");
    assert_eq!(agent.get("/manage/outbox").await.status, StatusCode::FORBIDDEN);
}

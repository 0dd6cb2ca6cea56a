//! Outbox delivery across nodes: claims that run out are never acted on, a restarted node takes
//! its own claims back at once, every message keeps one `Message-ID`, and sent messages keep no
//! live link in the database.

use std::time::{Duration, Instant};

use crate::common::mail::SmtpSink;
use crate::common::*;
use reqwest::StatusCode;
use sqlx::Row;

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Queues `n` emails straight into the outbox (as if some node's requests had), each with its
/// own message key; `claimed` marks them claimed by a node for an hour.
async fn queue(app: &TestApp, prefix: &str, n: usize, claimed: Option<&str>) {
    let now = frontdesk::db::now();
    for i in 0..n {
        sqlx::query(
            "INSERT INTO outbox (kind, recipient, subject, body_text, body_html, status, attempts, next_attempt_at, \
             created_at, message_key, claimed_by, claim_token, claimed_until) \
             VALUES ('email', $1, $2, 'text', '<p>html</p>', 'pending', $3, $4, $4, $5, $6, $7, $8)",
        )
        .bind(format!("{prefix}{i}@example.com"))
        .bind(format!("{prefix} message {i}"))
        .bind(if claimed.is_some() { 1i64 } else { 0 })
        .bind(now)
        .bind(format!("{prefix}-{i}"))
        .bind(claimed.map(str::to_string))
        .bind(claimed.map(|_| "an-old-claim".to_string()))
        .bind(claimed.map(|_| now + 3600))
        .execute(app.db.writer())
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn two_nodes_and_a_slow_mail_server_deliver_every_message_exactly_once() {
    // Each message takes 1 s to be accepted and a claim lasts 3 s: a batch outlives its lease,
    // so the second node takes over the messages the first has not reached yet.
    let sink = SmtpSink::start_slow(1.0);
    let port = sink.port;
    let slow = move |c: &mut frontdesk::config::Config| {
        use_smtp(c, port);
        c.outbox.lease_secs = 3;
    };
    let first = spawn_with(slow).await;
    let _second = spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), slow).await;
    const N: usize = 12;
    queue(&first, "slow", N, None).await;
    wait_until("all sent", async || {
        first.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'").await == N as i64
    })
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await; // a late duplicate would show up by now

    let mails = sink.messages();
    let mut subjects: Vec<String> = mails.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), N, "every message delivered");
    assert_eq!(mails.len(), N, "no message delivered twice: {:?}", sink.subjects());
    for mail in &mails {
        let i: usize = mail.subject.rsplit(' ').next().unwrap().parse().unwrap();
        assert_eq!(mail.message_id, format!("<slow-{i}@frontdesk.test>"));
    }
    assert_eq!(
        first.count("SELECT COUNT(*) AS n FROM outbox WHERE claimed_by IS NOT NULL OR claim_token IS NOT NULL").await,
        0,
        "no claim left behind"
    );
}

#[tokio::test]
async fn a_restarted_node_sends_the_messages_it_had_claimed_at_once() {
    // A node named node-a died while holding claims for an hour; node-b holds others.
    let first = spawn().await;
    queue(&first, "mine", 3, Some("node-a")).await;
    queue(&first, "theirs", 1, Some("node-b")).await;

    let sink = SmtpSink::start();
    let port = sink.port;
    let restarted = spawn_on(first.database_url.clone(), tempfile::tempdir().unwrap(), |c| {
        use_smtp(c, port);
        c.outbox.node_id = Some("node-a".into());
    })
    .await;
    for i in 0..3 {
        sink.wait_for(&format!("mine{i}@example.com"), "mine message").await;
    }
    wait_until("marked sent", async || {
        restarted.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'").await == 3
    })
    .await;
    // Another node's claim is left to that node (or to its lease).
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(
        restarted.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND claimed_by = 'node-b'").await,
        1
    );
}

#[tokio::test]
async fn a_message_keeps_its_message_id_across_retries() {
    let mut sink = SmtpSink::down();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    admin.post("/manage/agents", &[("email", "retry@example.com"), ("name", "Retry"), ("role", "agent")]).await;
    wait_until("a failed attempt", async || {
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE attempts >= 1 AND last_error IS NOT NULL").await == 1
    })
    .await;
    let key = app.text("SELECT message_key AS v FROM outbox WHERE recipient = 'retry@example.com'").await;
    assert!(key.len() >= 32, "a random key: {key}");

    sink.up();
    let mail = sink.wait_for("retry@example.com", "Set your password").await;
    assert_eq!(mail.message_id, format!("<{key}@frontdesk.test>"));
    assert_eq!(app.text("SELECT message_key AS v FROM outbox WHERE recipient = 'retry@example.com'").await, key);
}

#[tokio::test]
async fn a_sent_invitation_leaves_no_usable_link_in_the_database() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    let admin = app.admin().await;
    admin.post("/manage/agents", &[("email", "sealed@example.com"), ("name", "Sealed"), ("role", "agent")]).await;
    let mail = sink.wait_for("sealed@example.com", "Set your password").await;
    let link = mail.link("/manage/password/");
    let token = link.rsplit('/').next().unwrap().to_string();
    wait_until("marked sent", async || {
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'sealed@example.com' AND status = 'sent'").await
            == 1
    })
    .await;

    // The outbox no longer holds the link (the token table holds only its hash).
    let row = sqlx::query("SELECT body_text, body_html FROM outbox WHERE recipient = 'sealed@example.com'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let text: String = row.get("body_text");
    let html: Option<String> = row.get("body_html");
    assert!(!text.contains(&token) && !html.unwrap_or_default().contains(&token), "the link is still stored");
    // The outbox page still lists the message.
    admin
        .get("/manage/outbox")
        .await
        .assert_contains("sealed@example.com")
        .assert_contains(">sent<")
        .assert_contains("text is erased once it is sent");

    // The emailed link still works.
    let b = app.browser();
    assert_eq!(b.get(&link).await.status, StatusCode::OK);
    b.post(&link, &[("new_password", "Sealed-Agent-Pw1"), ("confirm_password", "Sealed-Agent-Pw1")])
        .await
        .assert_redirect_to("/manage/login");
    app.manage_as("sealed@example.com", "Sealed-Agent-Pw1").await;
}

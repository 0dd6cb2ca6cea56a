//! `kill -9` while customers submit tickets with attachments: after a restart, every ticket
//! whose submission was answered with success is there, complete (first message, history,
//! attachment byte for byte, receipt queued), and no ticket is there half-written. Runs on the
//! suite's database (SQLite, or PostgreSQL with `FRONTDESK_TEST_DATABASE_URL`).

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::Mutex;

use crate::common::node::start_node;
use crate::common::{Browser, fresh_database, run_cli};

const PASSWORD: &str = "Cust0mer-Secret!";
const SUBMITTERS: usize = 4;

/// What a submitter was told was saved: the ticket's number, subject and file.
#[derive(Clone, Debug)]
struct Confirmed {
    number: i64,
    subject: String,
    sha256: String,
    size: usize,
}

/// A file of its own for each submission (so a mix-up shows), a little over one chunk.
fn file_for(submitter: usize, i: usize) -> Vec<u8> {
    let seed = format!("{submitter}-{i}-");
    seed.bytes().cycle().take(300_000 + i).collect()
}

async fn submit(browser: &Browser, department: &str, subject: &str, file: Vec<u8>) -> Option<i64> {
    let csrf = browser.cookie("fd_csrf")?;
    let part = reqwest::multipart::Part::bytes(file).file_name("report.log").mime_str("text/plain").ok()?;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("department", department.to_string())
        .text("subject", subject.to_string())
        .text("message", format!("Message of {subject}."))
        .part("files", part);
    let url = format!("{}/portal/default/tickets/new", browser.base);
    let resp = browser.client.post(url).multipart(form).send().await.ok()?;
    if resp.status() != StatusCode::SEE_OTHER {
        return None;
    }
    // Only a complete answer counts as "told it was saved".
    let location = resp.headers().get("location")?.to_str().ok()?.to_string();
    resp.bytes().await.ok()?;
    let number = location.strip_prefix("/portal/default/tickets/")?.split('?').next()?;
    number.parse().ok()
}

async fn submitter(browser: Arc<Browser>, department: String, who: usize, confirmed: Arc<Mutex<Vec<Confirmed>>>) {
    for i in 0.. {
        let subject = format!("Crash test {who}-{i}");
        let file = file_for(who, i);
        let (sha256, size) = (format!("{:x}", Sha256::digest(&file)), file.len());
        match submit(&browser, &department, &subject, file).await {
            Some(number) => confirmed.lock().await.push(Confirmed { number, subject, sha256, size }),
            None => return,
        }
    }
}

#[tokio::test]
async fn tickets_answered_with_success_survive_kill_9_complete() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = fresh_database(&dir).await;
    let mut node = start_node(db_url.as_str());
    let args = ["user", "add", "--portal", "default", "--role", "customer", "--email", "ana@client.test"];
    assert!(run_cli(&db_url, &args, &format!("{PASSWORD}\n")).status.success());
    let admin = Browser::new(&node.base);
    admin.sign_in_manage(crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    admin.post("/manage/departments", &[("name", "Support")]).await.assert_redirect_to("/manage/departments");
    let db = frontdesk::db::Db::connect(&db_url).await.unwrap();
    let department: i64 =
        sqlx::query("SELECT id FROM departments").fetch_one(db.pool()).await.unwrap().try_get("id").unwrap();

    let customer = Arc::new(Browser::new(&node.base));
    customer.sign_in_portal("default", "ana@client.test", PASSWORD).await.assert_redirect_to("/portal/default/");
    let confirmed = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..SUBMITTERS)
        .map(|who| tokio::spawn(submitter(customer.clone(), department.to_string(), who, confirmed.clone())))
        .collect();
    // Let them get going, then pull the plug mid-flight.
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if confirmed.lock().await.len() >= 8 {
            break;
        }
    }
    node.kill_9();
    for task in tasks {
        task.await.unwrap();
    }
    let confirmed = confirmed.lock().await.clone();
    assert!(confirmed.len() >= 4, "too few submissions before the kill: {}", confirmed.len());
    eprintln!("{} submissions confirmed before kill -9", confirmed.len());

    // Restarted, the node has every confirmed ticket, whole.
    db.close().await;
    let restarted = start_node(db_url.as_str());
    let db = frontdesk::db::Db::connect(&db_url).await.unwrap();
    for c in &confirmed {
        let row = sqlx::query(
            "SELECT t.subject, m.body, a.sha256, a.size, \
             (SELECT SUM(LENGTH(k.data)) FROM attachment_chunks k WHERE k.portal_id = a.portal_id AND k.attachment_id = a.id) AS stored, \
             (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.what = 'created') AS created, \
             (SELECT COUNT(*) FROM outbox o WHERE o.subject LIKE '%' || t.subject || '%') AS receipts \
             FROM tickets t JOIN ticket_messages m ON m.portal_id = t.portal_id AND m.ticket_id = t.id \
             JOIN ticket_message_attachments l ON l.portal_id = m.portal_id AND l.message_id = m.id \
             JOIN attachments a ON a.portal_id = l.portal_id AND a.id = l.attachment_id \
             WHERE t.number = $1",
        )
        .bind(c.number)
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("ticket #{} ({}) was confirmed but is not whole: {e}", c.number, c.subject));
        assert_eq!(row.try_get::<String, _>("subject").unwrap(), c.subject);
        assert_eq!(row.try_get::<String, _>("body").unwrap(), format!("Message of {}.", c.subject));
        assert_eq!(row.try_get::<String, _>("sha256").unwrap(), c.sha256);
        assert_eq!(row.try_get::<i64, _>("size").unwrap(), c.size as i64);
        assert_eq!(row.try_get::<i64, _>("stored").unwrap(), c.size as i64);
        assert_eq!(row.try_get::<i64, _>("created").unwrap(), 1);
        assert_eq!(row.try_get::<i64, _>("receipts").unwrap(), 1, "the receipt of #{}", c.number);
    }
    // Nothing half-written: every ticket has its first message and its history.
    let half = "SELECT COUNT(*) AS n FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_messages m \
                WHERE m.portal_id = t.portal_id AND m.ticket_id = t.id) OR NOT EXISTS (SELECT 1 FROM ticket_events e \
                WHERE e.portal_id = t.portal_id AND e.ticket_id = t.id AND e.what = 'created')";
    let n: i64 = sqlx::query(half).fetch_one(db.pool()).await.unwrap().try_get("n").unwrap();
    assert_eq!(n, 0);
    // The customer's session survived too, and the pages show the tickets.
    let again = Browser::new(&restarted.base);
    again.sign_in_portal("default", "ana@client.test", PASSWORD).await;
    let last = confirmed.iter().max_by_key(|c| c.number).unwrap();
    again.get(&format!("/portal/default/tickets/{}", last.number)).await.assert_contains(&last.subject);
    db.close().await;
}

//! Emails of one conversation carry Message-ID, In-Reply-To and References that chain them, so
//! mail clients show one thread (and replies can later be matched to their ticket).

use frontdesk::outbox::{self, Email, Thread};

use crate::common::{self, mail::SmtpSink};

fn email(subject: &str, thread: Option<Thread>) -> Email {
    Email {
        portal_id: None,
        to: "ana@client.test".into(),
        sender_name: None,
        subject: subject.into(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
        thread,
    }
}

fn thread(key: &str, earlier: &[&str]) -> Option<Thread> {
    Some(Thread { key: key.into(), earlier: earlier.iter().map(|k| k.to_string()).collect() })
}

#[tokio::test]
async fn a_conversations_emails_name_the_ones_before_them() {
    let sink = SmtpSink::start();
    let app = common::spawn_with_mail(&sink).await;
    let mut tx = app.db.writer().begin().await.unwrap();
    let long: Vec<String> = (1..=15).map(|i| format!("t7.m{i}")).collect();
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    for (subject, thread) in [
        ("[#1001] first", thread("t7.m1", &[])),
        ("[#1001] second", thread("t7.m2", &["t7.m1"])),
        ("[#1001] later", thread("t7.m16", &long)),
        ("[#1001] hostile key", thread("a>b\r\nBcc: x@evil.test", &["t7.m1", "<bad>"])),
        ("no thread", None),
    ] {
        outbox::enqueue_email(&mut tx, &email(subject, thread)).await.unwrap();
    }
    tx.commit().await.unwrap();

    let first = sink.wait_for("ana@client.test", "[#1001] first").await;
    assert_eq!(first.message_id, "<t7.m1@frontdesk.test>");
    assert_eq!((first.in_reply_to.as_str(), first.references.as_str()), ("", ""));
    let second = sink.wait_for("ana@client.test", "[#1001] second").await;
    assert_eq!(second.message_id, "<t7.m2@frontdesk.test>");
    assert_eq!(second.in_reply_to, "<t7.m1@frontdesk.test>");
    assert_eq!(second.references, "<t7.m1@frontdesk.test>");
    // A long conversation names its start and its latest emails, ten in all.
    let later = sink.wait_for("ana@client.test", "[#1001] later").await;
    assert_eq!(later.in_reply_to, "<t7.m15@frontdesk.test>");
    let references: Vec<&str> = later.references.split_whitespace().collect();
    assert_eq!(references.len(), 10);
    assert_eq!(
        (references[0], references[1], references[9]),
        ("<t7.m1@frontdesk.test>", "<t7.m7@frontdesk.test>", "<t7.m15@frontdesk.test>")
    );
    // A key that would break the header is replaced; references that would are left out.
    let hostile = sink.wait_for("ana@client.test", "[#1001] hostile key").await;
    assert!(
        !hostile.message_id.contains("evil") && hostile.message_id.ends_with("@frontdesk.test>"),
        "{}",
        hostile.message_id
    );
    assert_eq!(hostile.references, "<t7.m1@frontdesk.test>");
    assert!(sink.messages().iter().all(|m| m.to == "ana@client.test"), "no header injection");
    let plain = sink.wait_for("ana@client.test", "no thread").await;
    assert!(plain.in_reply_to.is_empty() && plain.references.is_empty());
}

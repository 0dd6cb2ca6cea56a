//! Messages read for sockets several chats at a time (src/chat/read_batch.rs): each chat gets
//! its own messages, after the number it asked from, however the reads are batched (two
//! sockets of one chat at different numbers, padding rows, another portal's number).

use frontdesk::chat::store::{Author, append_at_once};

use crate::chat_socket::{active_chat, desk};
use crate::common;

#[tokio::test]
async fn reads_asked_at_once_each_get_their_own_chats_messages() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let first = active_chat(&desk, "Hello").await;
    // Two more chats like the first.
    for _ in 0..2 {
        sqlx::query(
            "INSERT INTO chats (portal_id, department_id, customer_id, requester_name, requester_email, language, \
             origin, state, agent_id, queued_at, created_at, accepted_at) SELECT portal_id, department_id, \
             customer_id, requester_name, requester_email, language, origin, state, agent_id, queued_at, created_at, \
             accepted_at FROM chats WHERE id = $1",
        )
        .bind(first)
        .execute(app.db.writer())
        .await
        .unwrap();
    }
    let ids = app.count_with("SELECT COUNT(*) AS n FROM chats WHERE id > $1", first).await;
    assert_eq!(ids, 2);
    let last = app.count("SELECT MAX(id) AS n FROM chats").await;
    let middle = app.count_with("SELECT MIN(id) AS n FROM chats WHERE id > $1", first).await;
    let chats = [first, middle, last];
    for (k, chat) in chats.iter().enumerate() {
        for n in 0..=k {
            let text = format!("chat {chat} message {n}");
            append_at_once(&app.state.chat_writer, portal, *chat, Author::Customer.into(), &text, &text).await.unwrap();
        }
    }
    let before: Vec<i64> = futures_util::future::join_all(
        chats
            .iter()
            .map(|c| app.count_with("SELECT COALESCE(MAX(seq), 0) AS n FROM chat_messages WHERE chat_id = $1", *c)),
    )
    .await;

    let reader = &app.state.chat_reader;
    // Each chat from its start, the first one also from its last message, and a chat of
    // another portal's number: all at once.
    let asks = [
        (portal, chats[0], 0),
        (portal, chats[1], 0),
        (portal, chats[2], 0),
        (portal, chats[0], before[0]),
        (portal + 1, chats[2], 0),
        (portal, chats[1], 1),
        // A fifth chat (none such): eight rows, three of them padding.
        (portal, chats[2] + 1000, 0),
    ];
    let answers = futures_util::future::join_all(asks.iter().map(|(p, c, after)| reader.after(*p, *c, *after))).await;
    let bodies: Vec<Vec<String>> =
        answers.into_iter().map(|a| a.expect("read").into_iter().map(|m| m.body).collect()).collect();
    for (k, chat) in chats.iter().enumerate() {
        let own: Vec<&String> = bodies[k].iter().filter(|b| b.starts_with("chat ")).collect();
        let expected: Vec<String> = (0..=k).map(|n| format!("chat {chat} message {n}")).collect();
        assert_eq!(own, expected.iter().collect::<Vec<_>>(), "chat {chat}: {:?}", bodies[k]);
        assert_eq!(bodies[k].len() as i64, before[k], "every message of chat {chat}, none of another");
    }
    assert!(bodies[3].is_empty(), "nothing after the last message: {:?}", bodies[3]);
    assert!(bodies[4].is_empty(), "another portal's number reads nothing: {:?}", bodies[4]);
    // Two sockets of one chat at different numbers, read together: each gets its own page.
    assert_eq!(bodies[5], vec![format!("chat {} message 1", chats[1])], "after the first message");
    assert!(bodies[6].is_empty(), "no such chat: {:?}", bodies[6]);
}

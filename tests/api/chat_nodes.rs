//! Several nodes on one PostgreSQL database (one process is one node on SQLite: these tests
//! return at once there). An offer made on one node reaches the agent's presence socket on the
//! other; fifty chats started at once through both nodes' portals never give one chat two open
//! offers nor an agent more than their capacity; a node killed with `kill -9` takes its sockets
//! with it, the customer resumes on the other node losing and duplicating nothing, and the
//! agent whose only connection was there turns away, then their chat goes back to the queue; a
//! burst of messages on one node reaches the other each once and in order.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::chat_socket::{Socket, connect, send, stored, until};
use crate::common::chat_core::{chat, double_offers, eventually, next_frame, presence, spawn_chat, switch};
use crate::common::node::start_node_with;
use crate::common::{self, AGENT_PASSWORD, Browser, TestApp};

const PASSWORD: &str = "Cust0mer-Passw0rd!";

/// The same person (cookies) talking to another node.
fn on(browser: &Browser, base: &str) -> Browser {
    Browser { client: browser.client.clone(), jar: browser.jar.clone(), base: base.to_string() }
}

fn is_postgres(app: &TestApp) -> bool {
    app.database_url.as_str().starts_with("postgres")
}

async fn signed_in_customer(app: &TestApp, email: &str) -> Browser {
    app.customer("default", email, PASSWORD).await;
    let customer = app.browser();
    customer.sign_in_portal("default", email, PASSWORD).await.assert_status(StatusCode::SEE_OTHER);
    customer
}

/// The portal's start form, past the suggestions, on whichever node `customer` talks to.
async fn start_chat(customer: &Browser, department: i64, message: &str) -> i64 {
    let dep = department.to_string();
    let page =
        customer.post("/portal/default/chat", &[("department", &dep), ("message", message), ("confirm", "1")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "start on {}: {}", customer.base, page.body);
    page.location.unwrap().rsplit('/').next().unwrap().parse().expect("a chat id in the address")
}

async fn accept(agent: &Browser, chat_id: i64) {
    let page = agent.post(&format!("/manage/presence/offers/{chat_id}/accept"), &[]).await;
    assert!(page.status.is_redirection(), "accept {chat_id}: {} {}", page.status, page.body);
}

async fn capacity(agent: &Browser, n: i64) {
    agent
        .post("/manage/presence/capacity", &[("capacity", &n.to_string())])
        .await
        .assert_redirect_to("/manage/presence");
}

/// On PostgreSQL: a desk, a second node on its database, a department, and Ana available for
/// chats (signed in on the first node). `None` on SQLite.
async fn two_nodes_and_ana() -> Option<(TestApp, TestApp, i64, Browser)> {
    let app = spawn_chat(60, 30, 300).await;
    if !is_postgres(&app) {
        return None;
    }
    let second =
        common::spawn_on(app.database_url.clone(), tempfile::tempdir().unwrap(), |c| c.chat = app.state.chat).await;
    let (_, department) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats"]).await;
    switch(&ana, "chat", "available").await;
    Some((app, second, department, ana))
}

#[tokio::test]
async fn chat_nodes_an_offer_made_on_one_node_reaches_the_presence_socket_on_the_other() {
    let Some((app, second, department, ana)) = two_nodes_and_ana().await else { return };
    let ana_there = on(&ana, &second.base);
    let mut presence_socket = connect(&ana_there, "/manage/presence/socket").await.expect("presence socket");
    next_frame(&mut presence_socket, "presence").await;

    // Started on the first node; the offer arrives on the second through the event bus.
    let customer = signed_in_customer(&app, "carla@client.test").await;
    let id = start_chat(&customer, department, "Hello from node one").await;
    let offer = next_frame(&mut presence_socket, "offer").await;
    assert_eq!(offer["chat_id"], id, "{offer}");
    let mut customer_socket = connect(&customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    until(&mut customer_socket, "state", |s| s["state"] == "offered").await;
    // Accepted on the second node: the customer on the first sees the agent join.
    accept(&ana_there, id).await;
    let active = until(&mut customer_socket, "state", |s| s["state"] == "active").await;
    assert_eq!(active["agent"], "ana");
    assert_eq!(chat(&app, id).await.0, "active");
}

#[tokio::test]
async fn chat_nodes_fifty_chats_at_once_on_two_nodes_respect_capacity_and_one_offer_each() {
    let app = spawn_chat(60, 30, 300).await;
    if !is_postgres(&app) {
        return;
    }
    let second =
        common::spawn_on(app.database_url.clone(), tempfile::tempdir().unwrap(), |c| c.chat = app.state.chat).await;
    let (_, department) = app.portal_with_department("default").await;
    let mut agents = Vec::new();
    let mut sockets = Vec::new();
    for (i, name) in ["ana", "bruno", "carla"].iter().enumerate() {
        let (id, b) =
            app.signed_in_agent("default", &format!("{name}@desk.test"), &[department], &["answer_chats"]).await;
        capacity(&b, 2).await;
        switch(&b, "chat", "available").await;
        // Their live connections spread over both nodes.
        let node = if i % 2 == 0 { &app.base } else { &second.base };
        sockets.push(connect(&on(&b, node), "/manage/presence/socket").await.expect("presence socket"));
        agents.push(id);
    }
    // Five customers start ten chats each, all at once, half of them through each node.
    let mut customers = Vec::new();
    for i in 0..5 {
        customers.push(signed_in_customer(&app, &format!("c{i}@client.test")).await);
    }
    let mut starts = Vec::new();
    for n in 0..50 {
        let node = if n % 2 == 0 { &app.base } else { &second.base };
        let customer = on(&customers[n % 5], node);
        starts.push(tokio::spawn(async move { start_chat(&customer, department, &format!("Chat number {n}")).await }));
    }
    let mut ids = BTreeSet::new();
    for s in starts {
        ids.insert(s.await.unwrap());
    }
    assert_eq!(ids.len(), 50);

    assert_eq!(double_offers(&app).await, 0, "a chat with two open offers");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats WHERE state = 'offered'").await, 6, "3 agents × 2");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats WHERE state = 'waiting'").await, 44);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats WHERE state NOT IN ('offered', 'waiting')").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chat_offers WHERE outcome IS NULL").await, 6);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats WHERE state = 'waiting' AND agent_id IS NOT NULL").await, 0);
    let mismatched = app
        .count(
            "SELECT COUNT(*) AS n FROM chats c JOIN chat_offers o ON o.portal_id = c.portal_id AND o.chat_id = c.id \
             AND o.outcome IS NULL WHERE c.state <> 'offered' OR o.staff_id <> c.agent_id",
        )
        .await;
    assert_eq!(mismatched, 0, "an open offer that is not the chat's");
    for id in &agents {
        let held = app
            .count_with("SELECT COUNT(*) AS n FROM chats WHERE agent_id = $1 AND state IN ('offered', 'active')", *id)
            .await;
        assert_eq!(held, 2, "agent {id} holds {held} chats, capacity 2");
    }
    // Each agent's socket, wherever it is, was told of exactly its two offers.
    for socket in &mut sockets {
        let a = next_frame(socket, "offer").await;
        let b = next_frame(socket, "offer").await;
        assert_ne!(a["chat_id"], b["chat_id"]);
    }
    // Accepting frees nothing (active chats count); declining hands over to the next in line.
    let first_offer = app.count("SELECT MIN(id) AS n FROM chats WHERE state = 'offered'").await;
    let holder = chat(&app, first_offer).await.1.unwrap();
    let holder_browser = app.manage_as(&email_of(&app, holder).await, AGENT_PASSWORD).await;
    let page = holder_browser.post(&format!("/manage/presence/offers/{first_offer}/decline"), &[]).await;
    assert!(page.status.is_redirection(), "decline: {} {}", page.status, page.body);
    assert_eq!(double_offers(&app).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats WHERE state = 'offered'").await, 6);
}

async fn email_of(app: &TestApp, staff_id: i64) -> String {
    use sqlx::Row;
    sqlx::query("SELECT email FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get("email")
        .unwrap()
}

/// Message frames until 1.5 s pass without one (the socket then quiet); acks and others skipped.
async fn drain_messages(socket: &mut Socket) -> Vec<Value> {
    let mut messages = Vec::new();
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_millis(1500), socket.next()).await {
        if let Message::Text(text) = frame {
            let frame: Value = serde_json::from_str(&text).unwrap();
            if frame["type"] == "message" {
                messages.push(frame);
            }
        }
    }
    messages
}

#[tokio::test]
async fn chat_nodes_a_killed_node_loses_nothing_and_its_silent_agent_is_requeued() {
    // Leases of 3 s, away 1 s after, chats back to the queue 5 s after, swept every 100 ms.
    let app = spawn_chat(3, 1, 5).await;
    if !is_postgres(&app) {
        return;
    }
    let timings = [
        ("FRONTDESK_CHAT_LEASE_SECS", "3"),
        ("FRONTDESK_CHAT_AWAY_AFTER_SECS", "1"),
        ("FRONTDESK_CHAT_REQUEUE_AFTER_SECS", "5"),
        ("FRONTDESK_CHAT_SWEEP_MS", "100"),
    ];
    let mut doomed = start_node_with(app.database_url.as_str(), &timings);
    let (portal, department) = app.portal_with_department("default").await;
    // Ana stays on the surviving node; Bruno's only connection is on the doomed one.
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats"]).await;
    capacity(&ana, 1).await;
    switch(&ana, "chat", "available").await;
    let mut ana_presence = connect(&ana, "/manage/presence/socket").await.unwrap();
    let carla = signed_in_customer(&app, "carla@client.test").await;
    let first = start_chat(&carla, department, "My order is late").await;
    accept(&ana, first).await;
    next_frame(&mut ana_presence, "presence").await;

    let (bruno_id, bruno) = app.signed_in_agent("default", "bruno@desk.test", &[department], &["answer_chats"]).await;
    let bruno_there = on(&bruno, &doomed.base);
    switch(&bruno_there, "chat", "available").await;
    let mut bruno_presence = connect(&bruno_there, "/manage/presence/socket").await.unwrap();
    let dora = signed_in_customer(&app, "dora@client.test").await;
    let second = start_chat(&dora, department, "Where is my invoice?").await;
    assert_eq!(chat(&app, second).await, ("offered".into(), Some(bruno_id)), "Ana is full");
    next_frame(&mut bruno_presence, "offer").await;
    accept(&bruno_there, second).await;

    // Carla talks to Ana through the doomed node.
    let carla_there = on(&carla, &doomed.base);
    let path = format!("/portal/default/chats/{first}/socket");
    let mut carla_socket = connect(&carla_there, &path).await.unwrap();
    let mut ana_socket = connect(&ana, &format!("/manage/chats/{first}/socket")).await.unwrap();
    until(&mut ana_socket, "message", |m| m["seq"] == 1).await;
    send(&mut ana_socket, json!({"type": "send", "client_id": "a-1", "body": "Let me look"})).await;
    // 2 says that Ana joined.
    let seen = until(&mut carla_socket, "message", |m| m["seq"] == 3).await;
    assert_eq!(seen["body"], "Let me look");
    let last_seen = 3;
    // Sent, and the node dies before (or just after) storing it; no acknowledgement is read.
    send(&mut carla_socket, json!({"type": "send", "client_id": "c-inflight", "body": "Order 1234"})).await;
    doomed.kill_9();
    // Ana writes while Carla is away.
    send(&mut ana_socket, json!({"type": "send", "client_id": "a-2", "body": "Found it"})).await;
    until(&mut ana_socket, "ack", |a| a["client_id"] == "a-2").await;
    send(&mut ana_socket, json!({"type": "send", "client_id": "a-3", "body": "It ships today"})).await;
    until(&mut ana_socket, "ack", |a| a["client_id"] == "a-3").await;

    // Carla's client reconnects to the other node after the last message it has, and resends
    // what was not acknowledged with the same id.
    let mut carla_socket = connect(&carla, &format!("{path}?after={last_seen}")).await.unwrap();
    send(&mut carla_socket, json!({"type": "send", "client_id": "c-inflight", "body": "Order 1234"})).await;
    let messages = drain_messages(&mut carla_socket).await;
    let rows = stored(&app, first).await;
    let bodies: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(bodies.iter().filter(|b| **b == "Order 1234").count(), 1, "stored once: {bodies:?}");
    assert!(bodies.contains(&"Found it") && bodies.contains(&"It ships today"), "{bodies:?}");
    let received: Vec<i64> = messages.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    let expected: Vec<i64> = rows.iter().map(|r| r.0).filter(|s| *s > last_seen).collect();
    assert_eq!(received, expected, "each message after {last_seen} once, in order: {messages:?}");

    // Bruno's lease runs out with no connection to renew it: away after the grace period,
    // still holding his chat; then the chat goes back to the queue (Ana is full: it waits).
    eventually(10, "Bruno turned away", || async { presence(&app, portal, bruno_id, "chat").await.0 == "away" }).await;
    assert_eq!(chat(&app, second).await, ("active".into(), Some(bruno_id)), "requeued before the longer period");
    eventually(15, "Bruno's chat back in the queue", || async { chat(&app, second).await == ("waiting".into(), None) })
        .await;
    assert_eq!(presence(&app, portal, bruno_id, "chat").await, ("away".into(), "grace".into()));
    // Ana, connected to the surviving node all along, stays available with her chat.
    assert_eq!(
        presence(&app, portal, app.id_of("SELECT id FROM staff WHERE email = $1", "ana@desk.test").await, "chat")
            .await
            .0,
        "available"
    );
    assert_eq!(chat(&app, first).await.0, "active");
}

/// A node tells the others of its messages after storing them, several events to a
/// notification when they come quickly (`EventBus::tell_soon`): a burst sent through one node
/// reaches the agent's socket on the other, every message once and in order (how a
/// notification's several events read back is checked in `events::payload`).
#[tokio::test]
async fn chat_nodes_a_burst_of_messages_reaches_the_other_node_each_once_in_order() {
    let Some((app, second, department, ana)) = two_nodes_and_ana().await else { return };
    let carla = signed_in_customer(&app, "carla@client.test").await;
    let id = start_chat(&carla, department, "Hello").await;
    accept(&ana, id).await;
    let mut ana_socket = connect(&on(&ana, &second.base), &format!("/manage/chats/{id}/socket")).await.unwrap();
    let mut carla_socket = connect(&carla, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    // The opening message and Ana's joining come first.
    until(&mut ana_socket, "message", |m| m["seq"] == 2).await;
    let burst: Vec<String> = (1..=25).map(|n| format!("Burst {n}")).collect();
    for (n, body) in burst.iter().enumerate() {
        send(&mut carla_socket, json!({"type": "send", "client_id": format!("b-{n}"), "body": body})).await;
    }
    let mut received = Vec::new();
    while received.len() < burst.len() {
        let message = until(&mut ana_socket, "message", |_| true).await;
        received.push(message["body"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(received, burst, "each message once, in order, on the other node");
    assert_eq!(stored(&app, id).await.len(), 2 + burst.len());
}

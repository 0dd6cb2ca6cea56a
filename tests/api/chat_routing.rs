//! Routing new chats: to the available agent of the department with the fewest open chats,
//! then the one idle longest; capacity; away and offline agents skipped; the accept timeout
//! hands off; a queue when nobody is free; transfers; no chat offered twice under load.

use crate::common::chat_core::{chat, double_offers, eventually, new_chat, spawn_chat, switch};
use crate::common::{self, Browser, TestApp};
use frontdesk::chat::routing::{self, EndedBy};
use reqwest::StatusCode;
use sqlx::Row;

/// A portal's department and `n` agents answering chats there, each signed in.
async fn desk(app: &TestApp, names: &[&str]) -> (i64, i64, Vec<(i64, Browser)>) {
    let (portal, department) = app.portal_with_department("default").await;
    let mut agents = Vec::new();
    for name in names {
        let email = format!("{name}@desk.test");
        agents.push(app.signed_in_agent("default", &email, &[department], &["answer_chats"]).await);
    }
    (portal, department, agents)
}

async fn accept(agent: &Browser, chat_id: i64) {
    agent
        .post(&format!("/manage/presence/offers/{chat_id}/accept"), &[])
        .await
        .assert_redirect_to(&format!("/manage/chats/{chat_id}"));
}

async fn offer_outcomes(app: &TestApp, chat_id: i64) -> Vec<(i64, String)> {
    sqlx::query("SELECT staff_id, COALESCE(outcome, 'open') AS outcome FROM chat_offers WHERE chat_id = $1 ORDER BY offered_at, staff_id")
        .bind(chat_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("staff_id").unwrap(), r.try_get("outcome").unwrap()))
        .collect()
}

#[tokio::test]
async fn a_new_chat_goes_to_the_agent_with_fewest_chats_then_to_the_one_idle_longest() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana", "bruno", "carla"]).await;
    let [(ana, ana_b), (bruno, bruno_b), (carla, carla_b)] = agents.try_into().ok().unwrap();
    switch(&ana_b, "chat", "available").await;
    switch(&bruno_b, "chat", "available").await;

    let first = new_chat(&app, portal, department, "Rita").await;
    assert_eq!(chat(&app, first).await, ("offered".into(), Some(ana)), "equally idle: the first by id");
    accept(&ana_b, first).await;
    assert_eq!(chat(&app, first).await, ("active".into(), Some(ana)));
    assert_eq!(offer_outcomes(&app, first).await, vec![(ana, "accepted".into())]);

    let second = new_chat(&app, portal, department, "Sam").await;
    assert_eq!(chat(&app, second).await.1, Some(bruno), "Ana has a chat, Bruno none");
    accept(&bruno_b, second).await;

    let third = new_chat(&app, portal, department, "Tess").await;
    assert_eq!(chat(&app, third).await.1, Some(ana), "one chat each: Ana has been idle longest");

    switch(&carla_b, "chat", "available").await;
    let fourth = new_chat(&app, portal, department, "Uma").await;
    assert_eq!(chat(&app, fourth).await.1, Some(carla), "Carla has none");
    assert_eq!(double_offers(&app).await, 0);
}

#[tokio::test]
async fn an_agent_gets_no_more_chats_than_their_capacity_and_the_next_waits() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana"]).await;
    let (ana, ana_b) = &agents[0];
    let bad = ana_b.post("/manage/presence/capacity", &[("capacity", "0")]).await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("Please give a whole number from 1 to 20.");
    ana_b.post("/manage/presence/capacity", &[("capacity", "1")]).await.assert_redirect_to("/manage/presence");
    let page = ana_b.get("/manage/presence").await;
    page.assert_status(StatusCode::OK)
        .assert_contains(r#"name="capacity" type="number" inputmode="numeric" min="1" max="20" value="1""#);
    switch(ana_b, "chat", "available").await;

    let first = new_chat(&app, portal, department, "Rita").await;
    accept(ana_b, first).await;
    let second = new_chat(&app, portal, department, "Sam").await;
    assert_eq!(chat(&app, second).await, ("waiting".into(), None), "Ana is at her capacity");
    let place = routing::queue_place(&app.db, portal, second).await.unwrap().expect("in the queue");
    assert_eq!(place.position, 1);

    routing::end(&app.state, portal, first, EndedBy::Agent(*ana)).await.unwrap();
    assert_eq!(chat(&app, first).await.0, "ended");
    assert_eq!(chat(&app, second).await, ("offered".into(), Some(*ana)), "her chat ended: the next is hers");
    assert_eq!(routing::queue_place(&app.db, portal, second).await.unwrap(), None);
}

#[tokio::test]
async fn away_offline_and_silent_agents_get_no_chats() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana", "bruno", "carla", "dora"]).await;
    switch(&agents[0].1, "chat", "away").await;
    switch(&agents[1].1, "chat", "available").await;
    switch(&agents[1].1, "chat", "offline").await;
    // Carla is available, but her lease ran out (her pages are closed).
    switch(&agents[2].1, "chat", "available").await;
    sqlx::query("UPDATE agent_presence SET lease_until = 0 WHERE staff_id = $1")
        .bind(agents[2].0)
        .execute(app.db.writer())
        .await
        .unwrap();
    // Dora never said anything: offline.
    let waiting = new_chat(&app, portal, department, "Rita").await;
    assert_eq!(chat(&app, waiting).await, ("waiting".into(), None));
    assert!(!frontdesk::chat::presence::anyone_available(&app.db, portal, department).await.unwrap());

    switch(&agents[3].1, "chat", "available").await;
    assert_eq!(chat(&app, waiting).await, ("offered".into(), Some(agents[3].0)), "Dora became available: it is hers");
    assert!(frontdesk::chat::presence::anyone_available(&app.db, portal, department).await.unwrap());
    let next = new_chat(&app, portal, department, "Sam").await;
    assert_eq!(chat(&app, next).await.1, Some(agents[3].0));

    // Without `answer_chats` there is no chat channel to switch.
    let (_, outsider) = app.signed_in_agent("default", "olga@desk.test", &[department], &["answer_tickets"]).await;
    let refused = outsider.post("/manage/presence", &[("channel", "chat"), ("state", "available")]).await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM agent_presence p JOIN staff s ON s.id = p.staff_id WHERE s.email_lower = 'olga@desk.test'").await, 0);
}

#[tokio::test]
async fn an_offer_not_accepted_in_time_goes_to_the_next_agent_and_never_back() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana", "bruno"]).await;
    let [(ana, ana_b), (bruno, bruno_b)] = agents.try_into().ok().unwrap();
    sqlx::query("UPDATE departments SET chat_accept_seconds = 1 WHERE id = $1")
        .bind(department)
        .execute(app.db.writer())
        .await
        .unwrap();
    switch(&ana_b, "chat", "available").await;
    switch(&bruno_b, "chat", "available").await;
    let id = new_chat(&app, portal, department, "Rita").await;
    assert_eq!(chat(&app, id).await.1, Some(ana));
    eventually(5, "the offer goes to Bruno", || async { chat(&app, id).await.1 == Some(bruno) }).await;
    assert_eq!(offer_outcomes(&app, id).await, vec![(ana, "expired".into()), (bruno, "open".into())]);

    // Ana's offer is gone: accepting it now is refused, and changes nothing.
    let late = ana_b.post(&format!("/manage/presence/offers/{id}/accept"), &[]).await;
    late.assert_status(StatusCode::CONFLICT).assert_contains("This chat is no longer offered to you");
    bruno_b
        .post(&format!("/manage/presence/offers/{id}/decline"), &[])
        .await
        .assert_redirect_to("/manage/presence?msg=offer-declined");
    assert_eq!(chat(&app, id).await, ("waiting".into(), None), "both let it pass: it waits for someone else");
    assert_eq!(offer_outcomes(&app, id).await, vec![(ana, "expired".into()), (bruno, "declined".into())]);
}

#[tokio::test]
async fn chats_wait_in_order_when_nobody_is_free_with_their_place_and_a_wait() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana"]).await;
    let (ana, ana_b) = &agents[0];
    let first = new_chat(&app, portal, department, "Rita").await;
    let second = new_chat(&app, portal, department, "Sam").await;
    let place = |id| routing::queue_place(&app.db, portal, id);
    assert_eq!(place(first).await.unwrap().unwrap().position, 1);
    assert_eq!(place(second).await.unwrap().unwrap().position, 2);
    assert_eq!(place(second).await.unwrap().unwrap().estimated_wait_secs, None, "no chat answered yet");

    ana_b.post("/manage/presence/capacity", &[("capacity", "1")]).await.assert_redirect_to("/manage/presence");
    switch(ana_b, "chat", "available").await;
    assert_eq!(chat(&app, first).await, ("offered".into(), Some(*ana)), "the oldest first");
    assert_eq!(place(second).await.unwrap().unwrap().position, 1);
    sqlx::query("UPDATE chats SET created_at = created_at - 40 WHERE id = $1")
        .bind(first)
        .execute(app.db.writer())
        .await
        .unwrap();
    accept(ana_b, first).await;
    let estimate =
        place(second).await.unwrap().unwrap().estimated_wait_secs.expect("a wait from the department's history");
    assert!((40..=42).contains(&estimate), "{estimate}");
}

#[tokio::test]
async fn an_agent_transfers_a_chat_to_another_agent_or_department() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana", "bruno"]).await;
    let [(ana, ana_b), (bruno, bruno_b)] = agents.try_into().ok().unwrap();
    let sales = app.department(portal, "Sales").await;
    let (carla, carla_b) = app.signed_in_agent("default", "carla@desk.test", &[sales], &["answer_chats"]).await;
    switch(&ana_b, "chat", "available").await;
    let id = new_chat(&app, portal, department, "Rita").await;
    accept(&ana_b, id).await;

    let busy = routing::transfer_to_agent(&app.state, portal, ana, id, bruno).await;
    assert!(busy.is_err(), "Bruno is not available");
    assert_eq!(chat(&app, id).await, ("active".into(), Some(ana)), "a refused transfer changes nothing");
    switch(&bruno_b, "chat", "available").await;
    routing::transfer_to_agent(&app.state, portal, ana, id, bruno).await.unwrap();
    assert_eq!(chat(&app, id).await, ("offered".into(), Some(bruno)));
    accept(&bruno_b, id).await;
    assert_eq!(offer_outcomes(&app, id).await, vec![(ana, "transferred".into()), (bruno, "accepted".into())]);
    assert!(routing::transfer_to_agent(&app.state, portal, ana, id, bruno).await.is_err(), "no longer Ana's chat");

    switch(&carla_b, "chat", "available").await;
    routing::transfer_to_department(&app.state, portal, bruno, id, sales).await.unwrap();
    assert_eq!(chat(&app, id).await, ("offered".into(), Some(carla)));
    let moved = app.count_with("SELECT department_id AS n FROM chats WHERE id = $1", id).await;
    assert_eq!(moved, sales);
    assert!(routing::transfer_to_department(&app.state, portal, carla, id, 999_999).await.is_err());

    // The conversation tells both sides, in each reader's language (talk's system lines).
    let lines: Vec<String> =
        sqlx::query("SELECT body FROM chat_messages WHERE chat_id = $1 AND author = 'system' ORDER BY seq")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("body").unwrap())
            .collect();
    let keys: Vec<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        [
            "chat-system-joined",
            "chat-system-transferred-agent",
            "chat-system-joined",
            "chat-system-transferred-department"
        ],
        "{lines:?}"
    );
    assert!(lines[1].contains("bruno") && lines[3].contains("Sales"), "{lines:?}");
}

#[tokio::test]
async fn fifty_chats_at_once_with_three_agents_are_each_offered_once() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, agents) = desk(&app, &["ana", "bruno", "carla"]).await;
    for (_, b) in &agents {
        b.post("/manage/presence/capacity", &[("capacity", "20")]).await.assert_redirect_to("/manage/presence");
        switch(b, "chat", "available").await;
    }
    // On PostgreSQL a second node shares the database, and half the chats arrive there.
    let second = if app.database_url.as_str().starts_with("postgres") {
        let dir = tempfile::tempdir().unwrap();
        Some(common::spawn_on(app.database_url.clone(), dir, |c| c.chat = app.state.chat).await)
    } else {
        None
    };
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(new_waiting_chat(&app, portal, department, i).await);
    }
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let state = match (&second, i % 2) {
            (Some(node), 1) => node.state.clone(),
            _ => app.state.clone(),
        };
        tasks.push(tokio::spawn(async move { routing::enqueue(&state, portal, id).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(double_offers(&app).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats WHERE state = 'offered'").await, 50);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chat_offers WHERE outcome IS NULL").await, 50);
    let mismatched = app
        .count("SELECT COUNT(*) AS n FROM chats c JOIN chat_offers o ON o.chat_id = c.id AND o.outcome IS NULL WHERE o.staff_id <> c.agent_id")
        .await;
    assert_eq!(mismatched, 0);
    for (id, _) in &agents {
        let n = app.count_with("SELECT COUNT(*) AS n FROM chats WHERE agent_id = $1", *id).await;
        assert!((16..=17).contains(&n), "agent {id} got {n} chats");
    }
}

async fn new_waiting_chat(app: &TestApp, portal: i64, department: i64, i: usize) -> i64 {
    sqlx::query(
        "INSERT INTO chats (portal_id, department_id, requester_name, requester_email, language, origin, state, \
         queued_at, created_at) VALUES ($1, $2, $3, 'c@client.test', 'en', 'portal', 'waiting', $4, $4) RETURNING id",
    )
    .bind(portal)
    .bind(department)
    .bind(format!("Customer {i}"))
    .bind(frontdesk::db::now())
    .fetch_one(app.db.writer())
    .await
    .unwrap()
    .try_get("id")
    .unwrap()
}

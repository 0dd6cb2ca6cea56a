//! Agents' presence: the header switch on every page, the presence socket (offers pushed,
//! leases renewed), silent agents turned away and their chats requeued, expired sessions
//! offline, an administrator forcing an agent offline.

use std::time::Duration;

use crate::common::chat_core::{
    chat, eventually, new_chat, next_frame, open_socket, ping, presence, spawn_chat, switch,
};
use crate::common::spawn_with;
use crate::common::{Browser, TestApp};
use futures_util::StreamExt;
use reqwest::StatusCode;

async fn one_agent(app: &TestApp, pt: bool) -> (i64, i64, i64, Browser) {
    let (portal, department) = app.portal_with_department("default").await;
    let (ana, _) =
        app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats", "answer_tickets"]).await;
    let browser = if pt {
        app.manage_as_pt("ana@desk.test", crate::common::AGENT_PASSWORD).await
    } else {
        app.manage_as("ana@desk.test", crate::common::AGENT_PASSWORD).await
    };
    (portal, department, ana, browser)
}

#[tokio::test]
async fn every_management_page_has_the_switch_which_works_without_javascript() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, _, ana, ana_b) = one_agent(&app, false).await;
    for path in ["/manage", "/manage/profile", "/manage/presence"] {
        let page = ana_b.get(path).await;
        page.assert_status(StatusCode::OK)
            .assert_contains(r#"id="presence-menu""#)
            .assert_contains(
                r#"<form method="post" action="/manage/presence" class="presence-switch" data-channel="chat">"#,
            )
            .assert_contains(r#"data-channel="tickets""#)
            .assert_contains(r#"<script src="/static/presence.js" defer></script>"#);
    }
    assert!(ana_b.get("/static/presence.js").await.body.contains("/manage/presence/socket"));

    // The form sends the agent back to the page they were on.
    let csrf = ana_b.cookie("fd_csrf").unwrap();
    let back = ana_b
        .client
        .post(format!("{}/manage/presence", app.base))
        .header("referer", format!("{}/manage/profile", app.base))
        .form(&[("csrf", csrf.as_str()), ("channel", "tickets"), ("state", "away")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(back.headers()["location"], "/manage/profile");
    assert_eq!(presence(&app, portal, ana, "tickets").await, ("away".into(), "-".into()));
    switch(&ana_b, "chat", "available").await;
    let page = ana_b.get("/manage/presence").await;
    page.assert_contains(r#"<strong class="presence-state" data-state="available">Available</strong>"#);
    page.assert_contains(r#"<strong class="presence-state" data-state="away">Away</strong>"#);
    assert_eq!(presence(&app, portal, ana, "chat").await, ("available".into(), "-".into()));

    let bad = ana_b.post("/manage/presence", &[("channel", "chat"), ("state", "asleep")]).await;
    bad.assert_status(StatusCode::BAD_REQUEST).assert_contains("Please choose one of the states offered.");
    let no_csrf = ana_b.post_raw("/manage/presence", &[("channel", "chat"), ("state", "offline")]).await;
    no_csrf.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(presence(&app, portal, ana, "chat").await.0, "available");

    let pt = app.manage_as_pt("ana@desk.test", crate::common::AGENT_PASSWORD).await;
    let page = pt.get("/manage/presence").await;
    page.assert_contains("Disponível").assert_contains("Ausente").assert_contains("Chats ao mesmo tempo");
}

#[tokio::test]
async fn the_presence_socket_pushes_offers_and_refuses_strangers() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, ana, ana_b) = one_agent(&app, false).await;
    let stranger = open_socket(&app.browser(), "/manage/presence/socket").await;
    match stranger {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("a socket without a session: {:?}", other.map(|_| ())),
    }
    switch(&ana_b, "chat", "available").await;
    let mut socket = open_socket(&ana_b, "/manage/presence/socket").await.expect("the agent's socket");
    let hello = next_frame(&mut socket, "presence").await;
    assert_eq!(hello["chat"], "available");
    assert_eq!(hello["tickets"], "offline");

    let id = new_chat(&app, portal, department, "Rita Requester").await;
    let offer = next_frame(&mut socket, "offer").await;
    assert_eq!(offer["chat_id"], id);
    assert_eq!(offer["portal_id"], portal);
    assert_eq!(offer["customer"], "Rita Requester");
    assert_eq!(offer["department"], "Support of default");
    assert!(offer["until"].as_i64().unwrap() > frontdesk::db::now());
    // The page without JavaScript lists it too.
    ana_b.get("/manage/presence").await.assert_contains(&format!("/manage/presence/offers/{id}/accept"));

    ana_b.post(&format!("/manage/presence/offers/{id}/accept"), &[]).await.assert_redirect_to("/manage/chats/");
    assert_eq!(next_frame(&mut socket, "withdrawn").await["chat_id"], id);
    assert_eq!(chat(&app, id).await, ("active".into(), Some(ana)));

    switch(&ana_b, "chat", "away").await;
    assert_eq!(next_frame(&mut socket, "presence").await["chat"], "away");
}

#[tokio::test]
async fn a_silent_agent_turns_away_then_their_chats_go_back_to_the_queue() {
    // Lease 3 s, away 1 s after it runs out, chats requeued 2 s after.
    let app = spawn_chat(3, 1, 2).await;
    let (portal, department, ana, ana_b) = one_agent(&app, false).await;
    switch(&ana_b, "chat", "available").await;
    let mut socket = open_socket(&ana_b, "/manage/presence/socket").await.unwrap();
    next_frame(&mut socket, "presence").await;
    let id = new_chat(&app, portal, department, "Rita").await;
    ana_b.post(&format!("/manage/presence/offers/{id}/accept"), &[]).await.assert_redirect_to("/manage/chats/");
    let queued_at = app.count_with("SELECT queued_at AS n FROM chats WHERE id = $1", id).await;

    // The open socket keeps her present well past one lease.
    for _ in 0..10 {
        ping(&mut socket).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(presence(&app, portal, ana, "chat").await, ("available".into(), "-".into()));
    assert_eq!(chat(&app, id).await.0, "active");

    drop(socket);
    eventually(8, "Ana turns away", || async {
        presence(&app, portal, ana, "chat").await == ("away".into(), "grace".into())
    })
    .await;
    eventually(8, "her chat goes back to the queue", || async { chat(&app, id).await == ("waiting".into(), None) })
        .await;
    assert_eq!(
        app.count_with("SELECT queued_at AS n FROM chats WHERE id = $1", id).await,
        queued_at,
        "at its old place"
    );
    assert_eq!(
        app.text("SELECT outcome AS v FROM chat_offers").await,
        "withdrawn",
        "and it does not come back to her on its own"
    );

    // Back: available again (the desk had turned her away, not she).
    let mut socket = open_socket(&ana_b, "/manage/presence/socket").await.unwrap();
    assert_eq!(next_frame(&mut socket, "presence").await["chat"], "available", "the lease first, then the frame");
    assert_eq!(presence(&app, portal, ana, "chat").await, ("available".into(), "-".into()));
}

/// A page that vanished without closing its socket (a laptop shut, a network gone) answers
/// nothing: the socket closes once it has heard nothing for the silence limit, the lease runs
/// out, and the agent turns away as if the page had closed. A page that only answers the
/// socket's pings, as a browser does on its own in a hidden tab, stays present.
#[tokio::test]
async fn an_agent_whose_page_answers_nothing_turns_away() {
    let app = spawn_with(|c| {
        c.chat = frontdesk::config::ChatTimings {
            lease_secs: 3,
            away_after_secs: 1,
            requeue_after_secs: 300,
            sweep_ms: 100,
            silent_after_secs: 3,
        }
    })
    .await;
    let (portal, _, ana, ana_b) = one_agent(&app, false).await;
    switch(&ana_b, "chat", "available").await;
    let mut socket = open_socket(&ana_b, "/manage/presence/socket").await.unwrap();
    next_frame(&mut socket, "presence").await;

    // Reading the socket answers its pings (tungstenite, as a browser): twice the limit, present.
    let mut pings = 0;
    let open = tokio::time::timeout(Duration::from_secs(7), async {
        while let Some(Ok(frame)) = socket.next().await {
            pings += i32::from(frame.is_ping());
        }
    })
    .await;
    assert!(open.is_err(), "the socket stays open while its pings are answered");
    assert!(pings >= 3, "the socket pings every third of the lease: {pings} in 7 s");
    assert_eq!(presence(&app, portal, ana, "chat").await, ("available".into(), "-".into()));

    // Then nothing: the socket is neither read nor closed.
    eventually(15, "Ana turns away", || async {
        presence(&app, portal, ana, "chat").await == ("away".into(), "grace".into())
    })
    .await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(frame)) = socket.next().await {
            if frame.is_close() {
                return true;
            }
        }
        true
    })
    .await;
    assert_eq!(closed, Ok(true), "the server closed the silent socket");
}

#[tokio::test]
async fn an_agent_whose_session_ended_goes_offline_and_their_socket_closes() {
    let app = spawn_chat(3, 30, 300).await;
    let (portal, _, ana, ana_b) = one_agent(&app, false).await;
    switch(&ana_b, "chat", "available").await;
    switch(&ana_b, "tickets", "available").await;
    let mut socket = open_socket(&ana_b, "/manage/presence/socket").await.unwrap();
    next_frame(&mut socket, "presence").await;
    sqlx::query("UPDATE sessions SET expires_at = 1 WHERE staff_id = $1")
        .bind(ana)
        .execute(app.db.writer())
        .await
        .unwrap();
    eventually(5, "Ana goes offline", || async {
        presence(&app, portal, ana, "chat").await == ("offline".into(), "session".into())
            && presence(&app, portal, ana, "tickets").await == ("offline".into(), "session".into())
    })
    .await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        use futures_util::StreamExt;
        while let Some(Ok(m)) = socket.next().await {
            if m.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the socket of an ended session closes");
}

#[tokio::test]
async fn an_administrator_forces_an_agent_offline_and_their_chats_go_back_to_the_queue() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department, ana, ana_b) = one_agent(&app, false).await;
    switch(&ana_b, "chat", "available").await;
    switch(&ana_b, "tickets", "available").await;
    let mut socket = open_socket(&ana_b, "/manage/presence/socket").await.unwrap();
    next_frame(&mut socket, "presence").await;
    let answered = new_chat(&app, portal, department, "Rita").await;
    ana_b.post(&format!("/manage/presence/offers/{answered}/accept"), &[]).await.assert_redirect_to("/manage/chats/");
    let offered = new_chat(&app, portal, department, "Sam").await;
    assert_eq!(chat(&app, offered).await, ("offered".into(), Some(ana)));

    // An agent without `manage_agents` may not; the page shows the administrator her presence.
    let (_, bruno_b) = app.signed_in_agent("default", "bruno@desk.test", &[department], &["answer_chats"]).await;
    bruno_b.post(&format!("/manage/agents/{ana}/force-offline"), &[]).await.assert_status(StatusCode::FORBIDDEN);
    let admin = app.admin().await;
    let page = admin.get(&format!("/manage/agents/{ana}")).await;
    page.assert_contains(r#"<strong data-state="available">Available</strong>"#).assert_contains("Take offline now");
    admin
        .post(&format!("/manage/agents/{ana}/force-offline"), &[])
        .await
        .assert_redirect_to(&format!("/manage/agents/{ana}?msg=forced-offline"));
    admin
        .get(&format!("/manage/agents/{ana}?msg=forced-offline"))
        .await
        .assert_contains("The agent is offline in this portal");

    assert_eq!(next_frame(&mut socket, "presence").await["chat"], "offline", "she sees it at once");
    for channel in ["chat", "tickets"] {
        assert_eq!(presence(&app, portal, ana, channel).await, ("offline".into(), "forced".into()));
    }
    assert_eq!(chat(&app, answered).await, ("waiting".into(), None));
    assert_eq!(chat(&app, offered).await, ("waiting".into(), None));
    // Bruno is available: the queue goes to him, oldest first.
    switch(&bruno_b, "chat", "available").await;
    assert_eq!(chat(&app, answered).await.0, "offered");

    // Another portal's administrator cannot reach her.
    admin.post("/manage/agents/999999/force-offline", &[]).await.assert_status(StatusCode::NOT_FOUND);
    admin
        .post(&format!("/manage/agents/{ana}/chat-capacity"), &[("capacity", "7")])
        .await
        .assert_redirect_to(&format!("/manage/agents/{ana}"));
    assert_eq!(
        app.count_with("SELECT capacity AS n FROM agent_presence WHERE staff_id = $1 AND channel = 'chat'", ana).await,
        7
    );
    admin
        .post(&format!("/manage/agents/{ana}/chat-capacity"), &[("capacity", "many")])
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}

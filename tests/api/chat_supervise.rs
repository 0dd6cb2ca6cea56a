//! Supervisors: every chat in progress in their departments, with wait, duration and agent,
//! updated live; reading along (the agent's socket, read-only) without writing; nothing of
//! another department or portal; and nobody without `supervise_chats`.

use reqwest::StatusCode;
use serde_json::json;

use crate::common;
use crate::console_ws::fixtures::{available, bodies, chat, chat_row};
use crate::console_ws::{self};

#[tokio::test]
async fn a_supervisor_sees_their_departments_chats_and_reads_along_without_writing() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let sales = app.department(portal, "Sales").await;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_chats"]).await;
    let cy_id = app.agent("default", "cy@desk.test", "cy", &[sales], &["answer_chats"]).await;
    let (_, sue) = app.signed_in_agent("default", "sue@desk.test", &[support], &["supervise_chats"]).await;
    available(&app, portal, ana_id).await;
    let waiting = chat(&app, portal, support, None, "waiting", None, "Hello?").await;
    let offered = chat(&app, portal, support, None, "offered", Some(ana_id), "Are you there?").await;
    let active = chat(&app, portal, support, None, "active", Some(ana_id), "My order is late").await;
    let in_sales = chat(&app, portal, sales, None, "active", Some(cy_id), "A price, please").await;
    let ended = chat(&app, portal, support, None, "active", Some(ana_id), "Thanks, bye").await;
    ana.post(&format!("/manage/chats/{ended}/end"), &[]).await.assert_redirect_to("/manage/chats?done=ended");

    let page = sue.get("/manage/chats/supervise").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("href=\"/manage/chats/supervise\"")
        .assert_contains(&format!("id=\"chat-{waiting}\""))
        .assert_contains(&format!("id=\"chat-{offered}\""))
        .assert_contains(&format!("id=\"chat-{active}\""))
        .assert_contains("Agent: ana")
        .assert_contains("Answered for")
        .assert_contains("Waited")
        .assert_lacks(&format!("id=\"chat-{in_sales}\""))
        .assert_lacks(&format!("id=\"chat-{ended}\""));
    // A supervisor who does not answer chats has no agent's console.
    page.assert_lacks("href=\"/manage/chats\"");
    sue.get(&format!("/manage/chats/{active}")).await.assert_status(StatusCode::FORBIDDEN);
    sue.post(&format!("/manage/chats/{active}/end"), &[]).await.assert_status(StatusCode::FORBIDDEN);

    // Reading along: the page, then the socket, which hears Ana and refuses Sue's messages.
    let read = sue.get(&format!("/manage/chats/supervise/{active}")).await;
    read.assert_status(StatusCode::OK)
        .assert_contains("My order is late")
        .assert_contains("id=\"read-only\"")
        .assert_contains("data-readonly=\"true\"")
        .assert_lacks("/send\"");
    sue.get(&format!("/manage/chats/supervise/{in_sales}")).await.assert_status(StatusCode::NOT_FOUND);
    sue.get("/manage/chats/supervise/nope").await.assert_status(StatusCode::NOT_FOUND);
    let mut sue_socket = console_ws::open(&sue, &format!("/manage/chats/{active}/socket")).await.expect("read along");
    let mut ana_socket = console_ws::open(&ana, &format!("/manage/chats/{active}/socket")).await.expect("agent socket");
    console_ws::send(&mut ana_socket, json!({"type": "send", "client_id": "a-1", "body": "It ships today."})).await;
    let heard =
        console_ws::until(&mut sue_socket, "Ana's message", |f| f["type"] == "message" && f["author"] == "agent").await;
    assert_eq!(heard["body"], "It ships today.");
    console_ws::send(&mut sue_socket, json!({"type": "send", "client_id": "s-1", "body": "Psst"})).await;
    let refused = console_ws::until(&mut sue_socket, "a refusal", |f| f["type"] == "error").await;
    assert_eq!(refused["client_id"], "s-1");
    assert_eq!(bodies(&app, active, "agent").await, vec!["It ships today.".to_string()]);
    assert_eq!(console_ws::open(&sue, &format!("/manage/chats/{in_sales}/socket")).await.err(), Some(404));

    // Live: Ana accepts her offer, Sue's page is told and shows it answered.
    let mut live = console_ws::open(&sue, "/manage/chats/live").await.expect("live socket");
    ana.post(&format!("/manage/chats/{offered}/accept"), &[])
        .await
        .assert_redirect_to(&format!("/manage/chats/{offered}"));
    assert_eq!(console_ws::next(&mut live).await.expect("a change")["type"], "chats");
    let rows = sue.get("/manage/chats/supervise?part=lists").await;
    let row = rows.between(&format!("id=\"chat-{offered}\""), "</li>");
    assert!(row.contains("In progress") && row.contains("Answered for"), "{row}");
    assert_eq!(chat_row(&app, offered).await.0, "active");
}

#[tokio::test]
async fn only_supervisors_of_the_portal_see_it() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (other, other_support) = app.portal_with_department("other").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_chats"]).await;
    let (_, sue) = app.signed_in_agent("default", "sue@desk.test", &[support], &["supervise_chats"]).await;
    let ours = chat(&app, portal, support, None, "waiting", None, "Ours").await;
    let theirs = chat(&app, other, other_support, None, "waiting", None, "Theirs").await;

    ana.get("/manage/chats/supervise").await.assert_status(StatusCode::FORBIDDEN);
    ana.get(&format!("/manage/chats/supervise/{ours}")).await.assert_status(StatusCode::FORBIDDEN);
    ana.get("/manage").await.assert_lacks("href=\"/manage/chats/supervise\"");
    let page = sue.get("/manage/chats/supervise").await;
    page.assert_contains(&format!("id=\"chat-{ours}\"")).assert_lacks(&format!("id=\"chat-{theirs}\""));
    sue.get(&format!("/manage/chats/supervise/{theirs}")).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(console_ws::open(&sue, &format!("/manage/chats/{theirs}/socket")).await.err(), Some(404));
    // In Portuguese too.
    let sue_pt = app.manage_as_pt("sue@desk.test", common::AGENT_PASSWORD).await;
    sue_pt.get("/manage/chats/supervise").await.assert_contains("Chats em andamento").assert_contains("Aguardando");
}

/// A chat moved to a department its supervisor does not see: their read-along socket is told
/// and closes (before, it went on hearing the chat until it closed for another reason); asked
/// again, it is refused for good.
#[tokio::test]
async fn a_supervisor_reads_no_further_once_the_chat_leaves_their_departments() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let sales = app.department(portal, "Sales").await;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_chats"]).await;
    let (_, sue) = app.signed_in_agent("default", "sue@desk.test", &[support], &["supervise_chats"]).await;
    available(&app, portal, ana_id).await;
    let active = chat(&app, portal, support, None, "active", Some(ana_id), "My order is late").await;
    let path = format!("/manage/chats/{active}/socket");
    let mut sue_socket = console_ws::open(&sue, &path).await.expect("read along");
    console_ws::until(&mut sue_socket, "the first message", |f| f["type"] == "message").await;

    ana.post(&format!("/manage/chats/{active}/transfer-department"), &[("department", &sales.to_string())])
        .await
        .assert_redirect_to("/manage/chats?done=transferred");
    let told = console_ws::until(&mut sue_socket, "the refusal", |f| f["type"] == "error").await;
    assert_eq!(told["message"], "You can no longer see this chat.");
    let mut after = Vec::new();
    while let Some(frame) = console_ws::next(&mut sue_socket).await {
        after.push(frame);
    }
    assert!(after.iter().all(|f| f["type"] != "message"), "nothing more heard: {after:?}");
    assert_eq!(console_ws::open(&sue, &path).await.err(), Some(404));
    assert_eq!(sue.get(&path).await.headers.get(frontdesk::chat::ws::REFUSED_HEADER).unwrap(), "not-yours");
}

/// A supervisor whose right to read along is taken away while their socket is open: at the
/// chat's next move they are told and the socket closes (it held the rights of its opening).
#[tokio::test]
async fn a_supervisor_whose_right_is_taken_away_reads_no_further() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_chats"]).await;
    let cy_id = app.agent("default", "cy@desk.test", "cy", &[support], &["answer_chats"]).await;
    let (sue_id, sue) = app.signed_in_agent("default", "sue@desk.test", &[support], &["supervise_chats"]).await;
    available(&app, portal, ana_id).await;
    available(&app, portal, cy_id).await;
    let active = chat(&app, portal, support, None, "active", Some(ana_id), "My order is late").await;
    let mut sue_socket = console_ws::open(&sue, &format!("/manage/chats/{active}/socket")).await.expect("read along");
    console_ws::until(&mut sue_socket, "the first message", |f| f["type"] == "message").await;

    sqlx::query("DELETE FROM staff_permissions WHERE staff_id = $1 AND permission = 'supervise_chats'")
        .bind(sue_id)
        .execute(app.db.writer())
        .await
        .unwrap();
    ana.post(&format!("/manage/chats/{active}/transfer-agent"), &[("agent", &cy_id.to_string())])
        .await
        .assert_redirect_to("/manage/chats?done=transferred");
    let told = console_ws::until(&mut sue_socket, "the refusal", |f| f["type"] == "error").await;
    assert_eq!(told["message"], "You can no longer see this chat.");
    while console_ws::next(&mut sue_socket).await.is_some() {}
}

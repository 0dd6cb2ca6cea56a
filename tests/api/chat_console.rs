//! The agents' chat pages: offers with Accept / Decline, the agent's chats, the departments'
//! queue; a chat's page with saved replies, transfer, end and "turn into a ticket"; and who may
//! do any of it. Chats start from a known state (`console_ws::fixtures`); what the agent does
//! goes through HTTP and the sockets, and the database is checked after each step.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, AGENT_PASSWORD, TestApp};
use crate::console_ws::fixtures::{available, bodies, chat, chat_row};
use crate::console_ws::{self};

struct Desk {
    app: TestApp,
    portal: i64,
    support: i64,
    sales: i64,
    customer: i64,
}

async fn desk() -> Desk {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let sales = app.department(portal, "Sales").await;
    let customer = app.customer("default", "rita@client.test", AGENT_PASSWORD).await;
    Desk { app, portal, support, sales, customer }
}

async fn offer_of(app: &TestApp, chat_id: i64, staff_id: i64) -> Option<Option<String>> {
    use sqlx::Row;
    sqlx::query("SELECT outcome FROM chat_offers WHERE chat_id = $1 AND staff_id = $2 ORDER BY offered_at DESC")
        .bind(chat_id)
        .bind(staff_id)
        .fetch_optional(app.db.pool())
        .await
        .expect("offers")
        .map(|r| r.try_get("outcome").expect("outcome"))
}

#[tokio::test]
async fn offer_accept_messages_transfer_and_end() {
    let d = desk().await;
    let app = &d.app;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[d.support], &["answer_chats"]).await;
    let (bo_id, bo) = app.signed_in_agent("default", "bo@desk.test", &[d.support], &["answer_chats"]).await;
    available(app, d.portal, ana_id).await;
    available(app, d.portal, bo_id).await;
    let rita = Some((d.customer, "Rita Requester", "rita@client.test"));
    let id = chat(app, d.portal, d.support, rita, "offered", Some(ana_id), "My printer is on fire").await;
    let waiting = chat(app, d.portal, d.support, None, "waiting", None, "Anyone there?").await;
    let elsewhere = chat(app, d.portal, d.sales, None, "waiting", None, "Sales question").await;

    // The menu leads to the list: the offer with its time left, the department's queue (not
    // another department's).
    let home = ana.get("/manage/chats").await;
    home.assert_status(StatusCode::OK)
        .assert_contains("href=\"/manage/chats\"")
        .assert_contains(&format!("id=\"offer-{id}\""))
        .assert_contains(&format!("action=\"/manage/chats/{id}/accept\""))
        .assert_contains("Time left to accept:")
        .assert_contains(&format!("id=\"waiting-{waiting}\""))
        .assert_lacks(&format!("id=\"waiting-{elsewhere}\""));
    // The live socket and the lists alone, for the script.
    let part = ana.get("/manage/chats?part=lists").await;
    part.assert_status(StatusCode::OK).assert_contains(&format!("id=\"offer-{id}\"")).assert_lacks("<html");
    // Bo is not offered it and cannot accept it.
    bo.get("/manage/chats").await.assert_lacks(&format!("id=\"offer-{id}\""));
    bo.post(&format!("/manage/chats/{id}/accept"), &[]).await.assert_status(StatusCode::NOT_FOUND);

    let accepted = ana.post(&format!("/manage/chats/{id}/accept"), &[]).await;
    accepted.assert_redirect_to(&format!("/manage/chats/{id}"));
    assert_eq!(chat_row(app, id).await.0, "active");
    assert_eq!(offer_of(app, id, ana_id).await, Some(Some("accepted".into())));
    let list = ana.get("/manage/chats").await;
    list.assert_contains(&format!("id=\"active-{id}\"")).assert_lacks(&format!("id=\"offer-{id}\""));

    // The chat's page: the conversation so far, and the forms.
    let page = ana.get(&format!("/manage/chats/{id}")).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("My printer is on fire")
        .assert_contains(&format!("data-socket=\"/manage/chats/{id}/socket\""))
        .assert_contains("id=\"transfer-agent\"")
        .assert_contains(&format!("<option value=\"{bo_id}\">bo</option>"))
        .assert_contains("id=\"turn-into-ticket\"")
        .assert_contains("id=\"end-chat\"");

    // Messages over the agent's socket reach the customer's, and the page without script
    // sends too (once, however often the form is sent).
    let customer = app.browser();
    customer.sign_in_portal("default", "rita@client.test", AGENT_PASSWORD).await;
    let mut rita_socket =
        console_ws::open(&customer, &format!("/portal/default/chats/{id}/socket")).await.expect("customer socket");
    let mut ana_socket = console_ws::open(&ana, &format!("/manage/chats/{id}/socket")).await.expect("agent socket");
    console_ws::send(&mut ana_socket, json!({"type": "send", "client_id": "m-1", "body": "Unplug it, please."})).await;
    console_ws::until(&mut ana_socket, "the ack", |f| f["type"] == "ack" && f["client_id"] == "m-1").await;
    let heard =
        console_ws::until(&mut rita_socket, "Ana's message", |f| f["type"] == "message" && f["author"] == "agent")
            .await;
    assert_eq!(heard["body"], "Unplug it, please.");
    let form = [("body", "Is it out?"), ("client_id", "form-1")];
    ana.post(&format!("/manage/chats/{id}/send"), &form).await.assert_redirect_to(&format!("/manage/chats/{id}"));
    ana.post(&format!("/manage/chats/{id}/send"), &form).await.assert_redirect_to(&format!("/manage/chats/{id}"));
    ana.post(&format!("/manage/chats/{id}/send"), &[("body", "   ")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bodies(app, id, "agent").await, vec!["Unplug it, please.".to_string(), "Is it out?".to_string()]);

    // Transfer to Bo: a hostile agent id is 404; Bo gets the offer, accepts, ends.
    let other_portal_agent = app.portal_with_department("other").await;
    let stranger = app.agent("other", "eve@other.test", "eve", &[other_portal_agent.1], &["answer_chats"]).await;
    let hostile = ana.post(&format!("/manage/chats/{id}/transfer-agent"), &[("agent", &stranger.to_string())]).await;
    hostile.assert_status(StatusCode::NOT_FOUND);
    let moved = ana.post(&format!("/manage/chats/{id}/transfer-agent"), &[("agent", &bo_id.to_string())]).await;
    moved.assert_redirect_to("/manage/chats?done=transferred");
    assert_eq!(chat_row(app, id).await.0, "offered");
    assert_eq!(chat_row(app, id).await.1, Some(bo_id));
    assert_eq!(offer_of(app, id, bo_id).await, Some(None), "Bo's offer is open");
    ana.get(&format!("/manage/chats/{id}")).await.assert_status(StatusCode::NOT_FOUND);
    bo.get("/manage/chats").await.assert_contains(&format!("id=\"offer-{id}\""));
    bo.post(&format!("/manage/chats/{id}/accept"), &[]).await.assert_redirect_to(&format!("/manage/chats/{id}"));
    bo.post(&format!("/manage/chats/{id}/end"), &[]).await.assert_redirect_to("/manage/chats?done=ended");
    let (state, agent, ended_by, _) = chat_row(app, id).await;
    assert_eq!((state.as_str(), agent, ended_by.as_deref()), ("ended", Some(bo_id), Some("agent")));
    bo.get("/manage/chats?done=ended")
        .await
        .assert_contains("The chat has ended.")
        .assert_lacks(&format!("id=\"active-{id}\""));
    // An ended chat takes no more actions.
    bo.post(&format!("/manage/chats/{id}/end"), &[]).await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn decline_and_transfer_to_a_department() {
    let d = desk().await;
    let app = &d.app;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[d.support], &["answer_chats"]).await;
    let (cy_id, cy) = app.signed_in_agent("default", "cy@desk.test", &[d.sales], &["answer_chats"]).await;
    available(app, d.portal, ana_id).await;
    let offered = chat(app, d.portal, d.support, None, "offered", Some(ana_id), "Hello?").await;
    ana.post(&format!("/manage/chats/{offered}/decline"), &[]).await.assert_redirect_to("/manage/chats?done=declined");
    assert_eq!(offer_of(app, offered, ana_id).await, Some(Some("declined".into())));
    assert_ne!(chat_row(app, offered).await.1, Some(ana_id), "never back to Ana");

    let id = chat(app, d.portal, d.support, None, "active", Some(ana_id), "Actually it is about a price").await;
    // A department of another portal, or the chat's own, is not a choice.
    let (_, foreign) = app.portal_with_department("other").await;
    ana.post(&format!("/manage/chats/{id}/transfer-department"), &[("department", &foreign.to_string())])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    ana.post(&format!("/manage/chats/{id}/transfer-department"), &[("department", "x")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    available(app, d.portal, cy_id).await;
    let moved =
        ana.post(&format!("/manage/chats/{id}/transfer-department"), &[("department", &d.sales.to_string())]).await;
    moved.assert_redirect_to("/manage/chats?done=transferred");
    let department = app.count_with("SELECT department_id AS n FROM chats WHERE id = $1", id).await;
    assert_eq!(department, d.sales);
    // Sales' available agent gets it at once.
    assert_eq!(chat_row(app, id).await.1, Some(cy_id));
    cy.get("/manage/chats").await.assert_contains(&format!("id=\"offer-{id}\""));
}

#[tokio::test]
async fn saved_replies_are_offered_filled_for_the_chat() {
    let d = desk().await;
    let app = &d.app;
    let (ana_id, ana) =
        app.signed_in_agent("default", "ana@desk.test", &[d.support], &["answer_chats", "answer_tickets"]).await;
    let made = ana
        .post(
            "/manage/saved-replies",
            &[("title", "Greeting"), ("body", "Hi {{customer_name}}, {{agent_name}} here."), ("owner", "me")],
        )
        .await;
    assert!(made.status.is_redirection(), "{}", made.body);
    let reply_id = app.count("SELECT id AS n FROM saved_replies").await;
    let id = chat(app, d.portal, d.support, None, "active", Some(ana_id), "Hi").await;
    let page = ana.get(&format!("/manage/chats/{id}")).await;
    page.assert_contains("Greeting").assert_contains("data-reply=\"Hi Vera Visitor, ana here.\"");
    // Without script: the link puts it in the box.
    let filled = ana.get(&format!("/manage/chats/{id}?reply={reply_id}")).await;
    filled.assert_status(StatusCode::OK).assert_contains(">Hi Vera Visitor, ana here.</textarea>");
    ana.get(&format!("/manage/chats/{id}?reply=999999")).await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_chat_becomes_a_ticket_the_customer_sees() {
    let d = desk().await;
    let app = &d.app;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[d.support], &["answer_chats"]).await;
    let rita = Some((d.customer, "Rita Requester", "rita@client.test"));
    let id = chat(app, d.portal, d.support, rita, "active", Some(ana_id), "The invoice total is wrong").await;
    ana.post(&format!("/manage/chats/{id}/send"), &[("body", "I will look into it.")]).await;

    let refused = ana.post(&format!("/manage/chats/{id}/ticket"), &[("subject", "  ")]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 0);

    let made = ana.post(&format!("/manage/chats/{id}/ticket"), &[("subject", "Wrong invoice total")]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let number = app.count("SELECT number AS n FROM tickets").await;
    made.assert_redirect_to(&format!("/manage/tickets/{number}"));
    let (state, _, ended_by, ticket_id) = chat_row(app, id).await;
    assert_eq!((state.as_str(), ended_by.as_deref()), ("ended", Some("ticket")));
    let ticket = app.count("SELECT id AS n FROM tickets").await;
    assert_eq!(ticket_id, Some(ticket));
    assert_eq!(app.count_with("SELECT customer_id AS n FROM tickets WHERE id = $1", ticket).await, d.customer);
    assert_eq!(app.count_with("SELECT department_id AS n FROM tickets WHERE id = $1", ticket).await, d.support);
    let first = app.text("SELECT body AS v FROM ticket_messages ORDER BY id LIMIT 1").await;
    assert!(first.contains("The invoice total is wrong") && first.contains("I will look into it."), "{first}");
    assert!(first.contains("Rita Requester") && first.contains("ana"), "{first}");
    // Twice: no second ticket.
    ana.post(&format!("/manage/chats/{id}/ticket"), &[("subject", "Again")]).await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 1);
    // The agent's ticket page and the chat page link it; the customer sees it in the portal.
    ana.get(&format!("/manage/tickets/{number}")).await.assert_contains("The invoice total is wrong");
    ana.get(&format!("/manage/chats/{id}")).await.assert_contains(&format!("href=\"/manage/tickets/{number}\""));
    let customer = app.browser();
    customer.sign_in_portal("default", "rita@client.test", AGENT_PASSWORD).await;
    customer.get("/portal/default/tickets").await.assert_contains("Wrong invoice total");
    let theirs = customer.get(&format!("/portal/default/tickets/{number}")).await;
    theirs.assert_status(StatusCode::OK).assert_contains("The invoice total is wrong");
}

#[tokio::test]
async fn who_may_use_the_console() {
    let d = desk().await;
    let app = &d.app;
    let (ana_id, ana) = app.signed_in_agent("default", "ana@desk.test", &[d.support], &["answer_chats"]).await;
    let (_, weak) = app.signed_in_agent("default", "walt@desk.test", &[d.support], &["answer_tickets"]).await;
    let id = chat(app, d.portal, d.support, None, "active", Some(ana_id), "Hi").await;

    // Without answer_chats: no menu entry, 403 on every page and action.
    let home = weak.get("/manage").await;
    home.assert_lacks("href=\"/manage/chats\"");
    weak.get("/manage/chats").await.assert_status(StatusCode::FORBIDDEN);
    weak.get(&format!("/manage/chats/{id}")).await.assert_status(StatusCode::FORBIDDEN);
    weak.post(&format!("/manage/chats/{id}/end"), &[]).await.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(chat_row(app, id).await.0, "active");

    // Another portal's chat, and ids that are not ids: 404, as a chat that does not exist.
    let (other, other_support) = app.portal_with_department("other").await;
    let theirs = chat(app, other, other_support, None, "active", None, "Elsewhere").await;
    for path in [
        format!("/manage/chats/{theirs}"),
        "/manage/chats/abc".into(),
        "/manage/chats/-1".into(),
        "/manage/chats/999999".into(),
    ] {
        ana.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    ana.post(&format!("/manage/chats/{theirs}/end"), &[]).await.assert_status(StatusCode::NOT_FOUND);
    // Forms need their CSRF token.
    ana.post_raw(&format!("/manage/chats/{id}/end"), &[]).await.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(chat_row(app, id).await.0, "active");

    // The lists' live socket: 401 without a session, refused to the weaker role, and it tells
    // Ana when her lists change.
    assert_eq!(console_ws::open(&app.browser(), "/manage/chats/live").await.err(), Some(401));
    assert_eq!(console_ws::open(&weak, "/manage/chats/live").await.err(), Some(403));
    let mut live = console_ws::open(&ana, "/manage/chats/live").await.expect("the live socket");
    ana.post(&format!("/manage/chats/{id}/end"), &[]).await.assert_redirect_to("/manage/chats?done=ended");
    let told = console_ws::next(&mut live).await.expect("a change");
    assert_eq!(told["type"], "chats");
}

#[tokio::test]
async fn the_console_speaks_portuguese() {
    let d = desk().await;
    let app = &d.app;
    let ana_id = app.agent("default", "ana@desk.test", "ana", &[d.support], &["answer_chats"]).await;
    let ana = app.manage_as_pt("ana@desk.test", AGENT_PASSWORD).await;
    let offered = chat(app, d.portal, d.support, None, "offered", Some(ana_id), "Olá").await;
    let active = chat(app, d.portal, d.support, None, "active", Some(ana_id), "Oi").await;
    let list = ana.get("/manage/chats").await;
    list.assert_contains("Oferecidos a você")
        .assert_contains("Tempo para aceitar:")
        .assert_contains(">Aceitar</button>");
    ana.get(&format!("/manage/chats/{offered}")).await.assert_contains(">Recusar</button>");
    let page = ana.get(&format!("/manage/chats/{active}")).await;
    page.assert_contains("Transformar em ticket")
        .assert_contains("Chat com Vera Visitor")
        .assert_contains("Encerrar o chat");
    let refused = ana.post(&format!("/manage/chats/{active}/ticket"), &[("subject", "")]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_lacks("Subject");
}

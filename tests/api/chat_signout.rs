//! The sign-out rule: refused while the agent has conversations in progress, in their
//! language, the session kept; accepted once they end, taking the agent off every channel of
//! every portal.

use crate::common::chat_core::{chat, new_chat, presence, spawn_chat, switch};
use crate::common::{AGENT_PASSWORD, Browser, TestApp};
use frontdesk::chat::routing::{self, EndedBy};
use reqwest::StatusCode;

const REFUSED_EN: &str =
    "You cannot sign out while conversations are in progress. Finish them to leave the application.";
const REFUSED_PT: &str =
    "Você não pode fazer logout enquanto houver atendimentos em andamento. Finalize-os para sair da aplicação.";

async fn refused_then_accepted(app: &TestApp, agent: Browser, ana: i64, portal: i64, department: i64, message: &str) {
    switch(&agent, "chat", "available").await;
    switch(&agent, "tickets", "available").await;
    let id = new_chat(app, portal, department, "Rita").await;

    // Offered, not yet accepted: in progress too.
    let refused = agent.post("/manage/logout", &[]).await;
    refused.assert_status(StatusCode::CONFLICT).assert_contains(message);
    agent.post(&format!("/manage/presence/offers/{id}/accept"), &[]).await.assert_redirect_to("/manage/chats/");
    let refused = agent.post("/manage/logout", &[]).await;
    refused
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(message)
        .assert_contains(&format!("/manage/chats/{id}"));
    agent.get("/manage/presence").await.assert_status(StatusCode::OK);
    assert_eq!(presence(app, portal, ana, "chat").await.0, "available");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", ana).await, 1);

    routing::end(&app.state, portal, id, EndedBy::Agent(ana)).await.unwrap();
    assert_eq!(chat(app, id).await.0, "ended");
    agent.post("/manage/logout", &[]).await.assert_redirect_to("/manage/login");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE staff_id = $1", ana).await, 0);
    agent.get("/manage/presence").await.assert_redirect_to("/manage/login");
    for channel in ["chat", "tickets"] {
        assert_eq!(presence(app, portal, ana, channel).await, ("offline".into(), "sign-out".into()), "{channel}");
    }
}

#[tokio::test]
async fn sign_out_is_refused_while_a_chat_is_in_progress_then_takes_the_agent_offline() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department) = app.portal_with_department("default").await;
    let (ana, agent) =
        app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats", "answer_tickets"]).await;
    // Ana also works in a second portal, where she is available for tickets.
    let (other, _) = app.portal_with_department("second").await;
    sqlx::query("INSERT INTO staff_portals (staff_id, portal_id, role, created_at) VALUES ($1, $2, 'agent', 0)")
        .bind(ana)
        .bind(other)
        .execute(app.db.writer())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO agent_presence (portal_id, staff_id, channel, state, idle_since, lease_until, updated_at) \
         VALUES ($1, $2, 'tickets', 'available', 0, 0, 0)",
    )
    .bind(other)
    .bind(ana)
    .execute(app.db.writer())
    .await
    .unwrap();
    refused_then_accepted(&app, agent, ana, portal, department, REFUSED_EN).await;
    assert_eq!(presence(&app, other, ana, "tickets").await, ("offline".into(), "sign-out".into()), "in every portal");
}

#[tokio::test]
async fn the_refusal_is_in_portuguese_for_a_portuguese_speaker() {
    let app = spawn_chat(60, 30, 300).await;
    let (portal, department) = app.portal_with_department("default").await;
    let ana = app.agent("default", "ana@desk.test", "Ana", &[department], &["answer_chats", "answer_tickets"]).await;
    let agent = app.manage_as_pt("ana@desk.test", AGENT_PASSWORD).await;
    refused_then_accepted(&app, agent, ana, portal, department, REFUSED_PT).await;
}

#[tokio::test]
async fn someone_without_chats_signs_out_at_once() {
    let app = spawn_chat(60, 30, 300).await;
    app.admin().await.post("/manage/logout", &[]).await.assert_redirect_to("/manage/login");
}

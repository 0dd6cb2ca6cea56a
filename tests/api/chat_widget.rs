//! The embeddable chat: the setting listing the sites allowed to embed it (checked), the snippet
//! on the settings page, the embedded page's `frame-ancestors`, and a visitor's chat started from
//! it without cookies (a JSON start that returns a token, then the socket with that token).

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use crate::chat_socket::{available, connect, until};
use crate::common::{self, Browser, TestApp};

async fn allow_embedding(app: &TestApp, origins: &str) {
    app.cli_ok(&["portal", "set", "default", "chat_visitors", "true"], "");
    app.cli_ok(&["portal", "set", "default", "chat_embed_origins", origins], "");
}

#[tokio::test]
async fn chat_widget_sites_are_checked_and_the_snippet_is_shown() {
    let app = common::spawn().await;
    for bad in ["http://shop.test", "https://shop.test/page", "shop.test", "https://*.shop.test", "javascript:alert(1)"]
    {
        let out = app.cli(&["portal", "set", "default", "chat_embed_origins", bad], "");
        assert!(!out.status.success(), "{bad} accepted");
        assert!(String::from_utf8_lossy(&out.stderr).contains("is not a site address"), "{bad}");
    }
    allow_embedding(&app, "https://WWW.Shop.test/, http://127.0.0.1:4000 https://www.shop.test").await;
    let stored = app.text("SELECT value AS v FROM portal_settings WHERE key = 'chat_embed_origins'").await;
    assert_eq!(stored, "https://www.shop.test http://127.0.0.1:4000");
    let admin = app.admin().await;
    let page = admin.get("/manage/settings").await;
    page.assert_status(StatusCode::OK).assert_contains("/static/chat-widget.js&#34; data-portal=&#34;default&#34;");
    let script = app.browser().get("/static/chat-widget.js").await;
    script.assert_status(StatusCode::OK).assert_contains("/chat/embed");
    assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
}

#[tokio::test]
async fn chat_widget_page_may_be_framed_by_the_listed_sites_only() {
    let app = common::spawn().await;
    app.portal_with_department("default").await;
    let visitor = app.browser();
    visitor.get("/portal/default/chat/embed").await.assert_status(StatusCode::NOT_FOUND);
    app.cli_ok(&["portal", "set", "default", "chat_embed_origins", "https://www.shop.test"], "");
    visitor.get("/portal/default/chat/embed").await.assert_status(StatusCode::NOT_FOUND);
    allow_embedding(&app, "https://www.shop.test http://127.0.0.1:4000").await;
    let page = visitor.get("/portal/default/chat/embed").await;
    page.assert_status(StatusCode::OK).assert_contains("id=\"chat-embed-start\"").assert_contains("Support of default");
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.ends_with("frame-ancestors https://www.shop.test http://127.0.0.1:4000"), "{policy}");
    assert_eq!(policy.matches("frame-ancestors").count(), 1);
    // Every other page keeps refusing to be framed.
    let chat_page = visitor.get("/portal/default/chat").await;
    assert!(chat_page.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

async fn start_from_widget(visitor: &Browser, origin: &str, body: Value) -> (StatusCode, Value) {
    let response = visitor
        .client
        .post(format!("{}/portal/default/chat/embed/start", visitor.base))
        .header("origin", origin)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn chat_widget_visitor_chats_with_a_token_and_no_cookie() {
    let app = common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let (_, agent) = app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats"]).await;
    allow_embedding(&app, "https://www.shop.test").await;
    let visitor = app.browser();
    let dep = department.to_string();
    let body = json!({"name": "Vera", "email": "vera@visitor.test", "department": dep, "message": "Hi from the shop"});
    // Nobody available yet: a link to leave a message instead.
    let (status, answer) = start_from_widget(&visitor, &app.base, body.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(answer["leave_message"].as_str().unwrap().ends_with("/portal/default/chat"), "{answer}");
    available(&agent).await;
    let (status, _) = start_from_widget(&visitor, "https://evil.test", body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) =
        start_from_widget(&visitor, &app.base, json!({"name": "", "email": "x", "department": dep, "message": ""}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["errors"].as_array().unwrap().len(), 3, "{answer}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 0);

    let (status, answer) = start_from_widget(&visitor, &app.base, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = answer["token"].as_str().unwrap().to_string();
    let id = answer["chat_id"].as_i64().unwrap();
    let row = sqlx::query("SELECT origin, visitor_token_hash, customer_id FROM chats WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("origin").unwrap(), "widget");
    assert_eq!(
        row.try_get::<Option<String>, _>("visitor_token_hash").unwrap(),
        Some(frontdesk::web::tokens::token_hash(&token))
    );
    assert!(visitor.cookie("fd_chat_1").is_none(), "no cookie is needed or set");
    // The socket takes the token explicitly; without it, or with another, nothing.
    let path = format!("/portal/default/chats/{id}/socket");
    assert_eq!(connect(&visitor, &path).await.err(), Some(401));
    assert_eq!(connect(&visitor, &format!("{path}?token=not-the-token")).await.err(), Some(404));
    let socket = connect(&visitor, &format!("{path}?token={token}")).await.unwrap();
    drop(socket);
    // As the widget sends it: a subprotocol, not in the address.
    let url = format!("{}{path}", app.base.replace("http://", "ws://"));
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url.as_str()).unwrap();
    let offered = format!("frontdesk-chat, token.{token}");
    request.headers_mut().insert("sec-websocket-protocol", offered.parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "frontdesk-chat");
    assert_eq!(until(&mut socket, "message", |_| true).await["body"], "Hi from the shop");
    // Ending takes the token in its header.
    let end = format!("{}/portal/default/chat/embed/{id}/end", app.base);
    let refused = visitor.client.post(&end).header("x-chat-token", "wrong").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let ended = visitor.client.post(&end).header("x-chat-token", &token).send().await.unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.text("SELECT state AS v FROM chats").await, "ended");
    until(&mut socket, "state", |s| s["state"] == "ended").await;
    // Then a rating and the transcript, with the token too.
    let post = |what: &'static str, token: &str, body: Value| {
        let request = visitor
            .client
            .post(format!("{}/portal/default/chat/embed/{id}/{what}", app.base))
            .header("x-chat-token", token);
        async move { request.json(&body).send().await.unwrap().status() }
    };
    assert_eq!(post("rating", "wrong", json!({"rating": "5"})).await, StatusCode::NOT_FOUND);
    assert_eq!(post("rating", &token, json!({"rating": "7"})).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(post("rating", &token, json!({"rating": "5", "comment": "Fast"})).await, StatusCode::NO_CONTENT);
    assert_eq!(post("rating", &token, json!({"rating": "1"})).await, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT rating AS n FROM chats").await, 5);
    assert_eq!(post("transcript", &token, json!({})).await, StatusCode::NO_CONTENT);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'vera@visitor.test'").await, 1);
}

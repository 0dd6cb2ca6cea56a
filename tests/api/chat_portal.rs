//! The customers' chat pages: starting (signed in, or as a visitor where allowed), leaving a
//! message when nobody is available or outside the hours (a ticket), ending, rating, the
//! transcript by email, the history, and ids that are not one's own.

use reqwest::StatusCode;
use sqlx::Row;

use crate::chat_socket::{active_chat, desk, start_chat};
use crate::common::{self, Browser};

#[tokio::test]
async fn chat_a_customer_starts_a_chat_and_sees_it_waiting_then_in_their_history() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    // The form, from the portal's menu.
    let home = desk.customer.get("/portal/default/chat").await;
    home.assert_status(StatusCode::OK).assert_contains("name=\"department\"").assert_lacks("name=\"email\"");
    assert!(desk.customer.get("/portal/default/").await.body.contains("/portal/default/chat\""));
    // Refused input: no department of this portal, an empty message.
    let page = desk.customer.post("/portal/default/chat", &[("department", "999999"), ("message", " ")]).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Choose one of the departments")
        .assert_contains("Write a message first");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 0);
    let id = start_chat(&desk.customer, desk.department, "Where is my order?").await;
    let row = sqlx::query("SELECT state, customer_id, requester_email, origin, agent_id FROM chats WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("state").unwrap(), "offered", "routed to the available agent");
    assert_eq!(row.try_get::<Option<i64>, _>("customer_id").unwrap(), Some(desk.customer_id));
    assert_eq!(row.try_get::<String, _>("requester_email").unwrap(), "carla@client.test");
    assert_eq!(row.try_get::<Option<i64>, _>("agent_id").unwrap(), Some(desk.agent_id));
    let page = desk.customer.get(&format!("/portal/default/chats/{id}")).await;
    page.assert_status(StatusCode::OK).assert_contains("Where is my order?").assert_contains("/static/chat.js");
    page.assert_contains(&format!("data-socket=\"/portal/default/chats/{id}/socket\""));
    let history = desk.customer.get("/portal/default/chats").await;
    history.assert_status(StatusCode::OK).assert_contains(&format!("/portal/default/chats/{id}\""));
    // Without script, the form posts the message.
    desk.customer
        .post(&format!("/portal/default/chats/{id}/send"), &[("message", "Order 1234")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM chat_messages WHERE chat_id = $1", id).await, 2);
}

#[tokio::test]
async fn chat_ids_of_other_customers_and_portals_are_not_found() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = start_chat(&desk.customer, desk.department, "Mine").await;
    app.customer("default", "eve@client.test", "Cust0mer-Passw0rd!").await;
    let eve = app.browser();
    eve.sign_in_portal("default", "eve@client.test", "Cust0mer-Passw0rd!").await;
    for path in ["", "/send", "/end", "/rating", "/transcript"] {
        let url = format!("/portal/default/chats/{id}{path}");
        let page = if path.is_empty() {
            eve.get(&url).await
        } else {
            eve.post(&url, &[("message", "x"), ("rating", "1")]).await
        };
        page.assert_status(StatusCode::NOT_FOUND);
    }
    assert!(eve.get("/portal/default/chats").await.body.contains("not chatted"));
    app.portal_with_department("other").await;
    app.customer("other", "olga@client.test", "Cust0mer-Passw0rd!").await;
    let olga = app.browser();
    olga.sign_in_portal("other", "olga@client.test", "Cust0mer-Passw0rd!").await;
    olga.get(&format!("/portal/other/chats/{id}")).await.assert_status(StatusCode::NOT_FOUND);
    olga.get("/portal/other/chats/abc").await.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM chat_messages WHERE chat_id = $1", id).await, 1);
    assert_eq!(app.text("SELECT state AS v FROM chats").await, "offered");
}

#[tokio::test]
async fn chat_nobody_available_offers_to_leave_a_message_which_becomes_a_ticket() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    desk.agent.post("/manage/presence", &[("channel", "chat"), ("state", "away")]).await;
    let dep = desk.department.to_string();
    let page = desk
        .customer
        .post(
            "/portal/default/chat",
            &[("department", &dep), ("message", "Broken screen\nIt flickers."), ("confirm", "1")],
        )
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Nobody can answer a chat right now")
        .assert_contains("value=\"Broken screen\"");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 0);
    let left = desk
        .customer
        .post(
            "/portal/default/chat/leave",
            &[("department", &dep), ("subject", "Broken screen"), ("message", "Broken screen\nIt flickers.")],
        )
        .await;
    left.assert_redirect_to("/portal/default/tickets/");
    let row = sqlx::query("SELECT t.customer_id, t.department_id, t.subject, m.body FROM tickets t JOIN ticket_messages m ON m.ticket_id = t.id")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<Option<i64>, _>("customer_id").unwrap(), Some(desk.customer_id));
    assert_eq!(row.try_get::<i64, _>("department_id").unwrap(), desk.department);
    assert_eq!(row.try_get::<String, _>("subject").unwrap(), "Broken screen");
    assert_eq!(row.try_get::<String, _>("body").unwrap(), "Broken screen\nIt flickers.");
    desk.customer.follow(left.location.as_deref().unwrap()).await.assert_contains("Broken screen");
}

#[tokio::test]
async fn chat_outside_the_department_hours_shows_them_and_offers_a_message_in_both_languages() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    // Open one minute a week, a day away from now.
    let now = frontdesk::db::now();
    let day = ["thu", "fri", "sat", "sun", "mon", "tue", "wed"][((now / 86_400 + 2) % 7) as usize];
    let hours = format!("UTC-03:00\n{day} 03:00-03:01");
    sqlx::query("UPDATE departments SET chat_hours = $1 WHERE id = $2")
        .bind(&hours)
        .bind(desk.department)
        .execute(app.db.writer())
        .await
        .unwrap();
    let dep = desk.department.to_string();
    let page = desk
        .customer
        .post("/portal/default/chat", &[("department", &dep), ("message", "Hello"), ("confirm", "1")])
        .await;
    page.assert_status(StatusCode::OK)
        .assert_contains("Chats are answered during")
        .assert_contains("03:00–03:01")
        .assert_contains("UTC−03:00");
    let pt = app.browser_pt();
    app.customer("default", "paula@client.test", "Cust0mer-Passw0rd!").await;
    pt.sign_in_portal("default", "paula@client.test", "Cust0mer-Passw0rd!").await;
    let page = pt.post("/portal/default/chat", &[("department", &dep), ("message", "Olá"), ("confirm", "1")]).await;
    page.assert_contains("Deixe uma mensagem").assert_contains("Horário do chat");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 0);
}

#[tokio::test]
async fn chat_ending_rating_and_the_transcript_by_email() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = active_chat(&desk, "Need a refund").await;
    let here = format!("/portal/default/chats/{id}");
    desk.customer.post(&format!("{here}/rating"), &[("rating", "5")]).await.assert_status(StatusCode::CONFLICT);
    desk.customer.post(&format!("{here}/end"), &[]).await.assert_redirect_to(&format!("{here}?msg=ended"));
    let row =
        sqlx::query("SELECT state, ended_by FROM chats WHERE id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(
        (row.try_get::<String, _>("state").unwrap(), row.try_get::<Option<String>, _>("ended_by").unwrap()),
        ("ended".into(), Some("customer".into()))
    );
    let page = desk.customer.get(&here).await;
    page.assert_contains("How was this chat?").assert_lacks("id=\"chat-compose\"");
    desk.customer.post(&format!("{here}/send"), &[("message", "late")]).await.assert_status(StatusCode::CONFLICT);
    desk.customer.post(&format!("{here}/rating"), &[("rating", "9")]).await.assert_status(StatusCode::BAD_REQUEST);
    desk.customer
        .post(&format!("{here}/rating"), &[("rating", "4"), ("comment", "Quick <b>and</b> kind")])
        .await
        .assert_redirect_to(&format!("{here}?msg=rated"));
    desk.customer.post(&format!("{here}/rating"), &[("rating", "1")]).await.assert_status(StatusCode::CONFLICT);
    let row = sqlx::query("SELECT rating, rating_comment FROM chats WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<Option<i64>, _>("rating").unwrap(), Some(4));
    assert_eq!(row.try_get::<Option<String>, _>("rating_comment").unwrap().as_deref(), Some("Quick <b>and</b> kind"));
    desk.customer.get(&here).await.assert_contains("Rated 4/5").assert_lacks("How was this chat?");

    desk.customer.post(&format!("{here}/transcript"), &[]).await.assert_redirect_to(&format!("{here}?msg=transcript"));
    let mail = sqlx::query(
        "SELECT recipient, subject, body_text FROM outbox WHERE kind = 'email' AND recipient = 'carla@client.test'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(mail.try_get::<String, _>("subject").unwrap(), "Your chat with Help desk");
    assert!(mail.try_get::<String, _>("body_text").unwrap().contains("Need a refund"));
    for _ in 0..2 {
        desk.customer.post(&format!("{here}/transcript"), &[]).await;
    }
    desk.customer.post(&format!("{here}/transcript"), &[]).await.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'carla@client.test'").await, 3);
}

#[tokio::test]
async fn chat_transcripts_go_out_in_the_language_the_customer_chatted_in() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    app.customer("default", "paula@client.test", "Cust0mer-Passw0rd!").await;
    let pt = app.browser_pt();
    pt.sign_in_portal("default", "paula@client.test", "Cust0mer-Passw0rd!").await;
    let id = start_chat(&pt, desk.department, "Meu pedido atrasou").await;
    assert_eq!(app.text("SELECT language AS v FROM chats").await, "pt-BR");
    let page = pt.get(&format!("/portal/default/chats/{id}")).await;
    page.assert_contains("Aguardando um atendente")
        .assert_contains("Encerrar o chat")
        .assert_contains("Enviar a transcrição");
    pt.post(&format!("/portal/default/chats/{id}/transcript"), &[]).await.assert_status(StatusCode::SEE_OTHER);
    let subject = app.text("SELECT subject AS v FROM outbox WHERE recipient = 'paula@client.test'").await;
    assert_eq!(subject, "Seu chat com Help desk");
}

#[tokio::test]
async fn chat_visitors_start_chats_only_where_the_portal_allows_it() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let visitor = app.browser();
    visitor.get("/portal/default/chat").await.assert_redirect_to("/portal/default/login");
    let dep = desk.department.to_string();
    let fields = [
        ("department", dep.as_str()),
        ("message", "Do you ship abroad?"),
        ("confirm", "1"),
        ("name", "Vera"),
        ("email", "vera@visitor.test"),
    ];
    visitor.post("/portal/default/chat", &fields).await.assert_redirect_to("/portal/default/login");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 0);

    app.cli_ok(&["portal", "set", "default", "chat_visitors", "true"], "");
    visitor.get("/portal/default/chat").await.assert_status(StatusCode::OK).assert_contains("name=\"email\"");
    let bad = visitor
        .post(
            "/portal/default/chat",
            &[("department", &dep), ("message", "Hi"), ("confirm", "1"), ("name", ""), ("email", "nope")],
        )
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("tell us your name")
        .assert_contains("one email address");
    let started = visitor.post("/portal/default/chat", &fields).await;
    started.assert_redirect_to("/portal/default/chats/");
    let pid = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let token = visitor.cookie(&format!("fd_chat_{pid}")).expect("the visitor's cookie");
    let set_cookie = started
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("fd_chat_"))
        .unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    let row = sqlx::query("SELECT id, customer_id, visitor_token_hash, requester_name FROM chats")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<Option<i64>, _>("customer_id").unwrap(), None);
    assert_eq!(
        row.try_get::<Option<String>, _>("visitor_token_hash").unwrap(),
        Some(frontdesk::web::tokens::token_hash(&token))
    );
    assert_eq!(row.try_get::<String, _>("requester_name").unwrap(), "Vera");
    let id: i64 = row.try_get("id").unwrap();
    visitor
        .get(&format!("/portal/default/chats/{id}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Do you ship abroad?");
    // Another browser has no token; a wrong one reaches nothing.
    app.browser().get(&format!("/portal/default/chats/{id}")).await.assert_redirect_to("/portal/default/login");
    let other = Browser::new(&app.base);
    let url: reqwest::Url = app.base.parse().unwrap();
    other.jar.add_cookie_str(&format!("fd_chat_{pid}=wrong-token"), &url);
    other.get(&format!("/portal/default/chats/{id}")).await.assert_status(StatusCode::NOT_FOUND);
    // A signed-in customer does not reach a visitor's chat.
    desk.customer.get(&format!("/portal/default/chats/{id}")).await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn chat_suggested_articles_come_before_the_chat_starts() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    crate::search::publish_all(&app, portal, crate::search::CORPUS).await;
    let dep = desk.department.to_string();
    let page = desk.customer.post("/portal/default/chat", &[("department", &dep), ("message", "password")]).await;
    page.assert_status(StatusCode::OK)
        .assert_contains("These articles may answer your question")
        .assert_contains("Reset your password");
    page.assert_lacks("Password policy for agents")
        .assert_contains("name=\"confirm\" value=\"1\"")
        .assert_contains(">password</textarea>");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 0);
    let started = desk
        .customer
        .post("/portal/default/chat", &[("department", &dep), ("message", "password"), ("confirm", "1")])
        .await;
    started.assert_redirect_to("/portal/default/chats/");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 1);
    // Nothing found: the chat starts at once.
    let direct = desk.customer.post("/portal/default/chat", &[("department", &dep), ("message", "zzqx wobble")]).await;
    direct.assert_redirect_to("/portal/default/chats/");
}

#[tokio::test]
async fn chat_files_are_uploaded_with_csrf_stored_once_and_downloaded_by_the_chat_only() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let id = crate::chat_socket::active_chat(&desk, "See the log").await;
    let upload = |browser: &Browser, csrf: Option<String>, client_id: &'static str| {
        let request = browser
            .client
            .post(format!("{}/portal/default/chats/{id}/files?client_id={client_id}&name=..%2Fapp.log", browser.base))
            .body("line 1\nline 2\n");
        let request = match csrf {
            Some(token) => request.header("x-csrf-token", token),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    assert_eq!(upload(&desk.customer, None, "f-1").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(upload(&desk.customer, Some("forged".into()), "f-1").await.status(), StatusCode::FORBIDDEN);
    let csrf = desk.customer.cookie("fd_csrf");
    let mut agent = crate::chat_socket::connect(&desk.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    for _ in 0..2 {
        let answer = upload(&desk.customer, csrf.clone(), "f-1").await;
        assert_eq!(answer.status(), StatusCode::OK);
        let ack: serde_json::Value = answer.json().await.unwrap();
        assert_eq!((ack["client_id"].as_str(), ack["seq"].as_i64()), (Some("f-1"), Some(3)), "{ack}");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachments").await, 1, "the resend's copy is not kept");
    let message = crate::chat_socket::until(&mut agent, "message", |m| m["seq"] == 3).await;
    assert_eq!(message["file"]["name"], "app.log");
    let url = message["file"]["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("/manage/chats/{id}/files/")), "{url}");
    let (status, headers, body) = desk.agent.get_bytes(&url).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, b"line 1\nline 2\n".as_slice()));
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let file = url.rsplit('/').next().unwrap().to_string();
    let (status, _, body) = desk.customer.get_bytes(&format!("/portal/default/chats/{id}/files/{file}")).await;
    assert_eq!((status, body.len()), (StatusCode::OK, 14));
    app.customer("default", "eve@client.test", "Cust0mer-Passw0rd!").await;
    let eve = app.browser();
    eve.sign_in_portal("default", "eve@client.test", "Cust0mer-Passw0rd!").await;
    assert_eq!(eve.get_bytes(&format!("/portal/default/chats/{id}/files/{file}")).await.0, StatusCode::NOT_FOUND);
    let page = desk.customer.get(&format!("/portal/default/chats/{id}")).await;
    page.assert_contains("app.log").assert_contains(&format!("/portal/default/chats/{id}/files/{file}"));
}

#[tokio::test]
async fn chat_department_hours_are_checked_with_a_helpful_message() {
    let app = common::spawn().await;
    let (_, department) = app.portal_with_department("default").await;
    let admin = app.admin().await;
    let path = format!("/manage/departments/{department}/chat");
    let page = admin.post(&path, &[("accept_seconds", "30"), ("chat_hours", "UTC-03:00\nmon-fri 9-17")]).await;
    assert!(page.status.is_client_error(), "{}", page.status);
    page.assert_contains("is not a period of time").assert_contains("09:00-18:00");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments WHERE chat_hours IS NOT NULL").await, 0);
    let saved =
        admin.post(&path, &[("accept_seconds", "30"), ("chat_hours", "UTC-03:00\r\nmon-fri 09:00-17:00")]).await;
    assert!(saved.status.is_redirection(), "{} {}", saved.status, saved.body);
    assert_eq!(app.text("SELECT chat_hours AS v FROM departments").await, "UTC-03:00\nmon-fri 09:00-17:00");
}

/// A start recorded by a request that took the limit's lock first, in the same second or on a
/// node whose clock runs a little ahead, does not make the next one wait "a second": the chat
/// limit has no minimum interval, only an hourly count (once failed with 50 starts at once).
#[tokio::test]
async fn chat_starts_at_the_same_moment_are_not_refused_under_the_hourly_limit() {
    let app = common::spawn().await;
    let desk = desk(&app).await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let ahead = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 + 2;
    sqlx::query("INSERT INTO code_requests (key, created_at) VALUES ($1, $2)")
        .bind(format!("chat-start:{portal}:{}", desk.customer_id))
        .bind(ahead)
        .execute(app.db.writer())
        .await
        .unwrap();
    start_chat(&desk.customer, desk.department, "Right after another").await;
}

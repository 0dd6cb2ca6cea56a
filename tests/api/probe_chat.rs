//! Probes of live chat as an outsider would attack it: sockets opened from another site with
//! the victim's cookies; read-along by the tickets' department rule on every path; other
//! portals' ids and weak roles on the agents' actions; garbage in the chat settings; forms
//! without CSRF.

use reqwest::StatusCode;
use serde_json::json;

use crate::chat_socket::{Desk, active_chat, desk, send, until};
use crate::common;
use crate::console_ws::{open, open_from};

const EVIL: &str = "https://evil.example";

#[tokio::test]
async fn probe_chat_every_socket_refuses_another_sites_origin() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let id = active_chat(&d, "Hello").await;
    let customer_path = format!("/portal/default/chats/{id}/socket");
    let agent_path = format!("/manage/chats/{id}/socket");
    let presence_path = "/manage/presence/socket";
    for origin in [EVIL, "null", "http://127.0.0.1.evil.example"] {
        assert_eq!(open_from(&d.customer, &customer_path, Some(origin)).await.err(), Some(403), "customer {origin}");
        assert_eq!(open_from(&d.agent, &agent_path, Some(origin)).await.err(), Some(403), "agent {origin}");
        assert_eq!(open_from(&d.agent, presence_path, Some(origin)).await.err(), Some(403), "presence {origin}");
    }
    // Frontdesk's own pages (the widget's iframe included) still open them.
    let mut customer = open(&d.customer, &customer_path).await.expect("own origin: customer");
    until(&mut customer, "message", |m| m["body"] == "Hello").await;
    let mut agent = open(&d.agent, &agent_path).await.expect("own origin: agent");
    until(&mut agent, "message", |m| m["body"] == "Hello").await;
    open(&d.agent, presence_path).await.expect("own origin: presence");
}

#[tokio::test]
async fn probe_chat_read_along_follows_the_tickets_department_rule_everywhere() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    let sales = app.department(portal, "Sales").await;
    let id = active_chat(&d, "Read me along").await;
    // Sees every department without belonging to this one: the tickets' rule admits them.
    let (_, wide) =
        app.signed_in_agent("default", "wide@desk.test", &[], &["supervise_chats", "see_all_departments"]).await;
    // Supervises Sales only: not this chat.
    let (_, narrow) = app.signed_in_agent("default", "narrow@desk.test", &[sales], &["supervise_chats"]).await;
    // Sees every department but does not supervise.
    let (_, nosy) = app.signed_in_agent("default", "nosy@desk.test", &[], &["see_all_departments"]).await;

    wide.get(&format!("/manage/chats/supervise/{id}")).await.assert_status(StatusCode::OK);
    let mut socket = open(&wide, &format!("/manage/chats/{id}/socket")).await.expect("the page's rule admits them");
    until(&mut socket, "message", |m| m["body"] == "Read me along").await;
    send(&mut socket, json!({"type": "send", "client_id": "probe-wide-1", "body": "I write"})).await;
    until(&mut socket, "error", |_| true).await;
    assert!(!crate::chat_socket::stored(&app, id).await.iter().any(|(_, _, b)| b == "I write"), "read-only");

    for (who, browser) in [("narrow", &narrow), ("nosy", &nosy)] {
        let page = browser.get(&format!("/manage/chats/supervise/{id}")).await.status;
        assert!(page == StatusCode::NOT_FOUND || page == StatusCode::FORBIDDEN, "{who}: page {page}");
        assert_eq!(open(browser, &format!("/manage/chats/{id}/socket")).await.err(), Some(404), "{who}: socket");
    }
}

/// A second portal with its own agent, department and chat; and the desk of the first.
async fn two_portals(app: &common::TestApp) -> (Desk, i64, i64, i64) {
    let d = desk(app).await;
    let (_, other_department) = app.portal_with_department("other").await;
    let other_agent =
        app.agent("other", "olga@other.test", "olga", &[other_department], &["answer_chats", "supervise_chats"]).await;
    let other_portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "other").await;
    let other_chat = crate::console_ws::fixtures::chat(
        app,
        other_portal,
        other_department,
        None,
        "active",
        Some(other_agent),
        "Other portal",
    )
    .await;
    (d, other_department, other_agent, other_chat)
}

#[tokio::test]
async fn probe_chat_other_portals_ids_and_bad_transfer_targets_are_not_found() {
    let app = common::spawn().await;
    let (d, other_department, other_agent, other_chat) = two_portals(&app).await;
    let id = active_chat(&d, "Transfer me").await;
    let (no_perm, _) = app.signed_in_agent("default", "weak@desk.test", &[d.department], &[]).await;
    for agent in [other_agent, d.agent_id, no_perm, i64::MAX] {
        let to = agent.to_string();
        let page = d.agent.post(&format!("/manage/chats/{id}/transfer-agent"), &[("agent", &to)]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "transfer to agent {agent}");
    }
    for dep in [other_department.to_string(), d.department.to_string(), "-1".into(), "99999999999999999999".into()] {
        let page = d.agent.post(&format!("/manage/chats/{id}/transfer-department"), &[("department", &dep)]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "transfer to department {dep}");
    }
    let (state, agent): (String, Option<i64>) = crate::console_ws::fixtures::chat_row(&app, id).await.into_tuple();
    assert_eq!((state.as_str(), agent), ("active", Some(d.agent_id)), "nothing half-written");

    // The other portal's chat, on every route of this portal.
    let c = other_chat;
    for path in
        [format!("/manage/chats/{c}"), format!("/manage/chats/supervise/{c}"), format!("/manage/chats/{c}/files/1")]
    {
        let status = d.agent.get(&path).await.status;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{path}: {status}");
    }
    for path in ["accept", "decline", "end", "send", "ticket"] {
        let page = d.agent.post(&format!("/manage/chats/{c}/{path}"), &[("body", "x"), ("subject", "x")]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [format!("/manage/presence/offers/{c}/accept"), format!("/manage/presence/offers/{c}/decline")] {
        let status = d.agent.post(&path, &[]).await.status;
        assert!(status.is_client_error(), "{path}: {status}");
    }
    assert_eq!(open(&d.agent, &format!("/manage/chats/{c}/socket")).await.err(), Some(404));
    assert_eq!(open(&d.customer, &format!("/portal/default/chats/{c}/socket")).await.err(), Some(404));
    let status = d.customer.get(&format!("/portal/default/chats/{c}")).await.status;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Their agent, forced offline from here; their department's settings from here.
    let admin = app.admin().await;
    let status = admin.post(&format!("/manage/agents/{other_agent}/force-offline"), &[]).await.status;
    assert_eq!(status, StatusCode::NOT_FOUND, "force offline another portal's agent");
    let status = admin.get(&format!("/manage/departments/{other_department}/chat")).await.status;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An agent without manage_agents forces nobody offline.
    let (_, plain) = app.signed_in_agent("default", "plain@desk.test", &[d.department], &["answer_chats"]).await;
    let status = plain.post(&format!("/manage/agents/{}/force-offline", d.agent_id), &[]).await.status;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "plain agent: {status}");
    let (state, _) = crate::console_ws::fixtures::chat_row(&app, id).await.into_tuple();
    assert_eq!(state, "active");
}

trait IntoTuple {
    fn into_tuple(self) -> (String, Option<i64>);
}

impl IntoTuple for (String, Option<i64>, Option<String>, Option<i64>) {
    fn into_tuple(self) -> (String, Option<i64>) {
        (self.0, self.1)
    }
}

#[tokio::test]
async fn probe_chat_settings_garbage_is_refused_and_nothing_is_stored() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let admin = app.admin().await;
    for capacity in ["0", "-1", "abc", "99999999999999999999", "1e3", ""] {
        let page = d.agent.post("/manage/presence/capacity", &[("capacity", capacity)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "capacity {capacity:?}");
    }
    let path = format!("/manage/departments/{}/chat", d.department);
    for seconds in ["0", "-5", "4", "601", "99999999999999999999", "NaN", ""] {
        let page = admin.post(&path, &[("accept_seconds", seconds), ("chat_hours", "")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "accept {seconds:?}");
    }
    let long = "mon 09:00-17:00\n".repeat(200);
    for hours in ["mon 25:00-99:00", "garbage", "\u{1}", "mon 17:00-09:00 extra", long.as_str(), "<script>"] {
        let page = admin.post(&path, &[("accept_seconds", "30"), ("chat_hours", hours)]).await;
        assert!(page.status.is_client_error(), "hours {hours:?}: {}", page.status);
        page.assert_lacks("<script>");
    }
    let kept = app
        .count_with("SELECT COUNT(*) AS n FROM departments WHERE id = $1 AND chat_hours IS NULL", d.department)
        .await;
    assert_eq!(kept, 1, "no schedule stored");
    for origins in [
        "javascript:alert(1)",
        "*",
        "null",
        "https://a.com/path",
        "https://a.com\r\nX: y",
        "https://a.com; script-src *",
    ] {
        let out = app.cli(&["portal", "set", "default", "chat_embed_origins", origins], "");
        assert!(!out.status.success(), "origins {origins:?} accepted");
    }
    let stored =
        app.count("SELECT COUNT(*) AS n FROM portal_settings WHERE key = 'chat_embed_origins' AND value <> ''").await;
    assert_eq!(stored, 0, "no embed origins stored");
}

#[tokio::test]
async fn probe_chat_posts_without_csrf_are_refused() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let id = active_chat(&d, "No forgery").await;
    let dep = d.department.to_string();
    let agent_posts = [
        format!("/manage/chats/{id}/end"),
        format!("/manage/chats/{id}/send"),
        format!("/manage/chats/{id}/ticket"),
        format!("/manage/chats/{id}/transfer-department"),
        "/manage/presence".into(),
        "/manage/presence/capacity".into(),
    ];
    for path in agent_posts {
        let page = d.agent.post_raw(&path, &[("body", "x"), ("channel", "chat"), ("state", "offline")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let customer_posts = [
        format!("/portal/default/chats/{id}/send"),
        format!("/portal/default/chats/{id}/end"),
        format!("/portal/default/chats/{id}/rating"),
        format!("/portal/default/chats/{id}/transcript"),
        "/portal/default/chat".into(),
        "/portal/default/chat/leave".into(),
    ];
    for path in customer_posts {
        let page = d.customer.post_raw(&path, &[("body", "x"), ("department", &dep), ("message", "x")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let (state, _) = crate::console_ws::fixtures::chat_row(&app, id).await.into_tuple();
    assert_eq!(state, "active");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 1);
}

#[tokio::test]
async fn probe_chat_a_flood_of_sends_is_limited_per_chat_not_per_connection() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let id = active_chat(&d, "Flood").await;
    // Over HTTP (no socket, so no connection to limit): the chat itself refuses a flood.
    let mut refused = 0;
    for n in 0..60 {
        let page =
            d.customer.post(&format!("/portal/default/chats/{id}/send"), &[("message", &format!("spam {n}"))]).await;
        assert!(page.status.is_redirection() || page.status == StatusCode::TOO_MANY_REQUESTS, "{}", page.status);
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 25, "refused {refused} of 60");
    // A fresh socket is no way around it; it says "slow down" without dropping the message.
    let mut socket = open(&d.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    for n in 0..10_000 {
        send(&mut socket, json!({"type": "send", "client_id": format!("f{n}"), "body": "again"})).await;
    }
    send(&mut socket, json!({"type": "ping"})).await;
    until(&mut socket, "pong", |_| true).await;
    let customer_lines =
        app.count_with("SELECT COUNT(*) AS n FROM chat_messages WHERE chat_id = $1 AND author = 'customer'", id).await;
    assert!(customer_lines <= 62, "{customer_lines} stored");
    // The agent still writes.
    d.agent.post(&format!("/manage/chats/{id}/send"), &[("body", "Please stop")]).await;
    assert!(crate::chat_socket::stored(&app, id).await.iter().any(|(_, _, b)| b == "Please stop"));
}

#[tokio::test]
async fn probe_chat_garbage_ids_and_parameters_are_4xx_never_500() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let admin = app.admin().await;
    let id = active_chat(&d, "Garbage").await;
    let junk = ["abc", "0", "-1", "99999999999999999999", "1.5", "%00", "1%20OR%201=1"];
    for x in junk {
        for (who, browser, path) in [
            ("agent", &d.agent, format!("/manage/chats/{x}")),
            ("agent", &d.agent, format!("/manage/chats/{id}/files/{x}")),
            ("customer", &d.customer, format!("/portal/default/chats/{x}")),
            ("customer", &d.customer, format!("/portal/default/chats/{id}/files/{x}")),
            ("admin", &admin, format!("/manage/chats/supervise/{x}")),
            ("admin", &admin, format!("/manage/departments/{x}/chat")),
        ] {
            let status = browser.get(&path).await.status;
            assert!(status.is_client_error(), "{who} GET {path}: {status}");
        }
        for (browser, path) in [
            (&d.agent, format!("/manage/presence/offers/{x}/accept")),
            (&d.agent, format!("/manage/chats/{x}/end")),
            (&admin, format!("/manage/agents/{x}/force-offline")),
            (&d.customer, format!("/portal/default/chats/{x}/rating")),
        ] {
            let status = browser.post(&path, &[("rating", "5")]).await.status;
            assert!(status.is_client_error(), "POST {path}: {status}");
        }
        for (browser, path) in [
            (&d.agent, format!("/manage/chats/{x}/socket")),
            (&d.customer, format!("/portal/default/chats/{x}/socket")),
        ] {
            let status = open(browser, &path).await.err();
            assert!(status.is_some_and(|s| (400..500).contains(&s)), "socket {path}: {status:?}");
        }
    }
    for after in ["abc", "-1", "99999999999999999999", "1e3"] {
        let path = format!("/manage/chats/{id}/socket?after={after}");
        assert_eq!(open(&d.agent, &path).await.err(), Some(400), "{path}");
    }
    // Past the end: a resume that knows more than the server gets nothing, not an error.
    let mut socket = open(&d.agent, &format!("/manage/chats/{id}/socket?after={}", i64::MAX)).await.unwrap();
    send(&mut socket, json!({"type": "ping"})).await;
    until(&mut socket, "pong", |_| true).await;
    for (channel, state) in [("chat", "busy"), ("x", "available"), ("", ""), ("chat\u{0}", "away")] {
        let status = d.agent.post("/manage/presence", &[("channel", channel), ("state", state)]).await.status;
        assert!(status.is_client_error(), "presence {channel:?} {state:?}: {status}");
    }
    let dep = d.department.to_string();
    for department in ["abc", "-1", "99999999999999999999", ""] {
        let page = d
            .customer
            .post("/portal/default/chat", &[("department", department), ("message", "hi"), ("confirm", "1")])
            .await;
        assert!(page.status.is_client_error(), "start in {department:?}: {}", page.status);
    }
    for message in ["", "   ", "a\u{7}b", &"x".repeat(5_001)] {
        let page = d
            .customer
            .post("/portal/default/chat", &[("department", &dep), ("message", message), ("confirm", "1")])
            .await;
        assert!(page.status.is_client_error(), "start with {message:?}: {}", page.status);
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM chats").await, 1, "nothing half-started");
}

#[tokio::test]
async fn probe_chat_hostile_names_and_filenames_are_shown_as_text() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    app.cli_ok(&["portal", "set", "default", "chat_visitors", "true"], "");
    let visitor = app.browser();
    let dep = d.department.to_string();
    let evil = "<img src=x onerror=alert(1)>";
    let refused = visitor
        .post(
            "/portal/default/chat",
            &[
                ("department", &dep),
                ("message", "hi"),
                ("confirm", "1"),
                ("name", "Ve\u{1b}[31mra"),
                ("email", "v@v.test"),
            ],
        )
        .await;
    assert!(refused.status.is_client_error(), "control characters in a name: {}", refused.status);
    let started = visitor
        .post(
            "/portal/default/chat",
            &[("department", &dep), ("message", evil), ("confirm", "1"), ("name", evil), ("email", "v@v.test")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let id: i64 = started.location.clone().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    d.agent.post(&format!("/manage/presence/offers/{id}/accept"), &[]).await;
    for path in [format!("/manage/chats/{id}"), "/manage/chats".to_string()] {
        let page = d.agent.get(&path).await;
        page.assert_status(StatusCode::OK).assert_lacks(evil);
    }
    // A file named to break out of the header or the page.
    let upload = |name: &'static str, client_id: &'static str| {
        let url = format!("{}/manage/chats/{id}/files", d.agent.base);
        let csrf = d.agent.cookie("fd_csrf").unwrap();
        d.agent
            .client
            .post(url)
            .query(&[("client_id", client_id), ("name", name)])
            .header("x-csrf-token", csrf)
            .header("origin", d.agent.base.clone())
            .body("<script>alert(1)</script>")
            .send()
    };
    let status = upload("a.html\r\nX-Evil: 1", "file-0").await.unwrap().status();
    assert!(status.is_client_error(), "a line break in a file name: {status}");
    let status = upload("a\"b<i>.html X-Evil: 1", "file-1").await.unwrap().status();
    assert_eq!(status, StatusCode::OK, "upload");
    let file = app
        .count_with("SELECT attachment_id AS n FROM chat_messages WHERE chat_id = $1 AND attachment_id IS NOT NULL", id)
        .await;
    let (status, headers, _) = d.agent.get_bytes(&format!("/manage/chats/{id}/files/{file}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-evil").is_none());
    let kind = headers["content-type"].to_str().unwrap();
    assert!(!kind.contains("text/html"), "served as {kind}");
    let page = d.agent.get(&format!("/manage/chats/{id}")).await;
    page.assert_lacks("<i>.html");
}

#[tokio::test]
async fn probe_chat_a_disabled_agents_open_socket_writes_nothing_more() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let id = active_chat(&d, "Are you still there?").await;
    let mut agent = open(&d.agent, &format!("/manage/chats/{id}/socket")).await.unwrap();
    send(&mut agent, json!({"type": "send", "client_id": "before", "body": "Yes"})).await;
    until(&mut agent, "ack", |a| a["client_id"] == "before").await;
    // The account is disabled (its sessions end) while the socket is open.
    app.cli_ok(&["user", "disable", "--email", "ana@desk.test"], "");
    send(&mut agent, json!({"type": "send", "client_id": "after", "body": "I was fired, here is a coupon"})).await;
    loop {
        match crate::chat_socket::next(&mut agent).await {
            None => break,
            Some(frame) => assert_ne!(frame["type"], "ack", "{frame}"),
        }
    }
    let bodies: Vec<String> = crate::chat_socket::stored(&app, id).await.into_iter().map(|(_, _, b)| b).collect();
    assert!(!bodies.iter().any(|b| b.contains("coupon")), "{bodies:?}");
    assert_eq!(open(&d.agent, &format!("/manage/chats/{id}/socket")).await.err(), Some(401));
    // A customer who signed out: their socket stops writing too.
    let mut customer = open(&d.customer, &format!("/portal/default/chats/{id}/socket")).await.unwrap();
    until(&mut customer, "message", |m| m["body"] == "Yes").await;
    let signed_out = d.customer.post("/portal/default/logout", &[]).await;
    assert!(signed_out.status.is_redirection(), "the sign-out itself: {}", signed_out.status);
    let left = app.count_with("SELECT COUNT(*) AS n FROM sessions WHERE customer_id = $1", d.customer_id).await;
    assert_eq!(left, 0, "the customer's session ended");
    send(&mut customer, json!({"type": "send", "client_id": "gone", "body": "from a closed session"})).await;
    loop {
        match crate::chat_socket::next(&mut customer).await {
            None => break,
            Some(frame) => assert_ne!(frame["type"], "ack", "{frame}"),
        }
    }
    let bodies: Vec<String> = crate::chat_socket::stored(&app, id).await.into_iter().map(|(_, _, b)| b).collect();
    assert!(!bodies.iter().any(|b| b.contains("closed session")), "{bodies:?}");
}

#[tokio::test]
async fn probe_chat_nobody_accepts_an_offer_made_to_someone_else() {
    let app = common::spawn().await;
    let d = desk(&app).await;
    let id = crate::chat_socket::start_chat(&d.customer, d.department, "Who takes me?").await;
    let (state, agent) = crate::console_ws::fixtures::chat_row(&app, id).await.into_tuple();
    assert_eq!((state.as_str(), agent), ("offered", Some(d.agent_id)));
    let (_, bo) = app.signed_in_agent("default", "bo@desk.test", &[d.department], &["answer_chats"]).await;
    crate::chat_socket::available(&bo).await;
    for path in [format!("/manage/presence/offers/{id}/accept"), format!("/manage/chats/{id}/accept")] {
        let status = bo.post(&path, &[]).await.status;
        assert!(status.is_client_error(), "{path}: {status}");
    }
    let status = bo.post(&format!("/manage/presence/offers/{id}/decline"), &[]).await.status;
    assert!(status.is_client_error(), "decline: {status}");
    let (state, agent) = crate::console_ws::fixtures::chat_row(&app, id).await.into_tuple();
    assert_eq!((state.as_str(), agent), ("offered", Some(d.agent_id)), "unchanged");
}

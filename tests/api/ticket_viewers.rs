//! Collision warnings: two agents on one ticket see each other live, and who is writing a reply;
//! nobody of another department or portal ever appears; the socket refuses strangers.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, TestApp};
use crate::console_ws::{self, Socket};

fn names(frame: &Value) -> Vec<(String, bool)> {
    frame["viewers"]
        .as_array()
        .expect("a list of viewers")
        .iter()
        .map(|v| (v["name"].as_str().unwrap_or_default().to_string(), v["writing"].as_bool().unwrap_or_default()))
        .collect()
}

async fn open_on(browser: &common::Browser, number: i64) -> Socket {
    console_ws::open(browser, &format!("/manage/tickets/{number}/viewers/socket")).await.expect("the socket opens")
}

async fn viewers_row(app: &TestApp, staff_id: i64) -> Option<i64> {
    use sqlx::Row;
    sqlx::query("SELECT writing FROM ticket_viewers WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_optional(app.db.pool())
        .await
        .expect("ticket_viewers")
        .map(|r| r.try_get::<i64, _>("writing").expect("writing"))
}

#[tokio::test]
async fn two_agents_on_one_ticket_see_each_other_and_who_is_writing() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let sales = app.department(portal, "Sales").await;
    let number = app.ticket(portal, support, None, "Printer on fire").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bo_id, bo) = app.signed_in_agent("default", "bo@desk.test", &[support], &["answer_tickets"]).await;
    let (_, sales_agent) = app.signed_in_agent("default", "cy@desk.test", &[sales], &["answer_tickets"]).await;

    // The page carries the panel and its script.
    let page = ana.get(&format!("/manage/tickets/{number}")).await;
    page.assert_status(StatusCode::OK).assert_contains("id=\"ticket-viewers\"").assert_contains("/static/viewers.js");
    let script = ana.get("/static/viewers.js").await;
    script.assert_status(StatusCode::OK).assert_contains("data-socket");

    let mut ana_socket = open_on(&ana, number).await;
    let first = console_ws::next(&mut ana_socket).await.expect("the list");
    assert_eq!(first["type"], "viewers");
    assert!(names(&first).is_empty(), "nobody else yet: {first}");

    let mut bo_socket = open_on(&bo, number).await;
    let seen = console_ws::until(&mut ana_socket, "Bo", |f| !names(f).is_empty()).await;
    assert_eq!(names(&seen), vec![("bo".to_string(), false)]);
    let bo_sees = console_ws::until(&mut bo_socket, "Ana", |f| !names(f).is_empty()).await;
    assert_eq!(names(&bo_sees), vec![("ana".to_string(), false)]);
    assert_eq!(viewers_row(&app, bo_id).await, Some(0));

    // Bo types in the reply box: Ana sees "writing", and the database says so.
    console_ws::send(&mut bo_socket, json!({"type": "writing", "writing": true})).await;
    let writing = console_ws::until(&mut ana_socket, "Bo writing", |f| names(f).iter().any(|(_, w)| *w)).await;
    assert_eq!(names(&writing), vec![("bo".to_string(), true)]);
    assert_eq!(viewers_row(&app, bo_id).await, Some(1));
    let page = ana.get(&format!("/manage/tickets/{number}")).await;
    page.assert_contains("is writing a reply");

    // An agent of another department may not even open it.
    let refused = console_ws::open(&sales_agent, &format!("/manage/tickets/{number}/viewers/socket")).await;
    assert_eq!(refused.err(), Some(404));

    // Bo leaves: Ana's list empties and Bo's row is gone.
    bo_socket.close(None).await.expect("close");
    let empty = console_ws::until(&mut ana_socket, "Bo gone", |f| names(f).is_empty()).await;
    assert!(names(&empty).is_empty());
    for _ in 0..50 {
        if viewers_row(&app, bo_id).await.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(viewers_row(&app, bo_id).await, None);
}

#[tokio::test]
async fn another_portals_agent_never_appears_and_strangers_are_refused() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (other_portal, other_support) = app.portal_with_department("other").await;
    let number = app.ticket(portal, support, None, "Ours").await;
    let theirs = app.ticket(other_portal, other_support, None, "Theirs").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (_, eve) = app.signed_in_agent("other", "eve@other.test", &[other_support], &["answer_tickets"]).await;

    let mut ana_socket = open_on(&ana, number).await;
    assert!(names(&console_ws::next(&mut ana_socket).await.expect("the list")).is_empty());
    // Eve opens the ticket of her own portal with the same number (numbers are per portal),
    // and cannot reach ours by any number.
    assert_eq!(theirs, number, "both portals number their first ticket alike");
    let mut eve_socket = open_on(&eve, theirs).await;
    assert!(names(&console_ws::next(&mut eve_socket).await.expect("the list")).is_empty());
    let missing = format!("/manage/tickets/{}/viewers/socket", number + 1);
    assert_eq!(console_ws::open(&eve, &missing).await.err(), Some(404));
    // Ana hears nothing of Eve, even after a renewal.
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(1500), console_ws::next(&mut ana_socket)).await;
    assert!(quiet.is_err(), "Ana was told of someone: {quiet:?}");
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM ticket_viewers WHERE portal_id = $1", portal).await, 1);

    // Without a session: 401, not a redirect; from another site's page: refused.
    let stranger = app.browser();
    let path = format!("/manage/tickets/{number}/viewers/socket");
    assert_eq!(console_ws::open(&stranger, &path).await.err(), Some(401));
    assert_eq!(console_ws::open_from(&ana, &path, Some("http://evil.test")).await.err(), Some(403));
    assert_eq!(console_ws::open(&ana, "/manage/tickets/abc/viewers/socket").await.err(), Some(404));
}

/// Two nodes on one PostgreSQL database: an agent on each, on the same ticket, see each other
/// and who writes, through the event bus (`LISTEN`/`NOTIFY`). Skipped on SQLite.
#[tokio::test]
async fn agents_on_two_nodes_see_each_other() {
    let app = common::spawn().await;
    if !app.database_url.as_str().starts_with("postgres") {
        return;
    }
    let (portal, support) = app.portal_with_department("default").await;
    let number = app.ticket(portal, support, None, "Seen from two nodes").await;
    app.agent("default", "ana@desk.test", "ana", &[support], &["answer_tickets"]).await;
    app.agent("default", "bo@desk.test", "bo", &[support], &["answer_tickets"]).await;
    let node = common::node::start_node(app.database_url.as_str());
    let ana = app.manage_as("ana@desk.test", common::AGENT_PASSWORD).await;
    let bo = common::Browser::new(&node.base);
    bo.sign_in_manage("bo@desk.test", common::AGENT_PASSWORD).await;

    let mut ana_socket = open_on(&ana, number).await;
    assert!(names(&console_ws::next(&mut ana_socket).await.expect("the list")).is_empty());
    let mut bo_socket = open_on(&bo, number).await;
    let seen = console_ws::until(&mut ana_socket, "Bo from the other node", |f| !names(f).is_empty()).await;
    assert_eq!(names(&seen), vec![("bo".to_string(), false)]);
    console_ws::send(&mut bo_socket, json!({"type": "writing", "writing": true})).await;
    console_ws::until(&mut ana_socket, "Bo writing", |f| names(f).iter().any(|(_, w)| *w)).await;
    // Ana writes too: Bo, on the other node, hears it.
    console_ws::send(&mut ana_socket, json!({"type": "writing", "writing": true})).await;
    console_ws::until(&mut bo_socket, "Ana writing", |f| names(f) == vec![("ana".to_string(), true)]).await;
    bo_socket.close(None).await.expect("close");
    console_ws::until(&mut ana_socket, "Bo gone", |f| names(f).is_empty()).await;
}

/// An agent whose page vanished without closing its socket (a laptop shut, a network gone) is
/// not shown on the ticket for as long as the connection lives: once the socket has heard
/// nothing for the silence limit, not even the answers to its pings, the agent leaves the list.
/// A page that answers the pings, as browsers do on their own, stays.
#[tokio::test]
async fn an_agent_whose_page_answers_nothing_leaves_the_list() {
    use futures_util::StreamExt;
    let app = common::spawn_with(|c| {
        c.chat = frontdesk::config::ChatTimings { silent_after_secs: 3, ..Default::default() };
    })
    .await;
    let (portal, support) = app.portal_with_department("default").await;
    let number = app.ticket(portal, support, None, "Printer on fire").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bo_id, bo) = app.signed_in_agent("default", "bo@desk.test", &[support], &["answer_tickets"]).await;
    let mut ana_socket = open_on(&ana, number).await;
    let mut bo_socket = open_on(&bo, number).await;
    console_ws::until(&mut ana_socket, "Bo", |f| !names(f).is_empty()).await;

    // Both pages read (and so answer the pings) for more than twice the limit: Bo stays.
    let mut bo_pings = 0;
    let mut ana_frames = Vec::new();
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(7);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(until) => break,
            frame = bo_socket.next() => match frame {
                Some(Ok(f)) => bo_pings += i32::from(f.is_ping()),
                _ => panic!("Bo's socket closed while his page answered"),
            },
            frame = ana_socket.next() => match frame {
                Some(Ok(f)) if f.is_text() => ana_frames.push(f.into_text().expect("text").to_string()),
                Some(Ok(_)) => {}
                _ => panic!("Ana's socket closed while her page answered"),
            },
        }
    }
    assert!(bo_pings >= 3, "a ping every third of the limit: {bo_pings} in 7 s");
    assert!(ana_frames.iter().all(|f| !f.contains("\"viewers\":[]")), "Bo never left: {ana_frames:?}");
    assert_eq!(viewers_row(&app, bo_id).await, Some(0));

    // Then Bo's page neither reads nor closes: he leaves Ana's list, and his row goes.
    let gone = console_ws::until(&mut ana_socket, "Bo gone", |f| names(f).is_empty()).await;
    assert!(names(&gone).is_empty());
    assert_eq!(viewers_row(&app, bo_id).await, None);
    drop(bo_socket);
}

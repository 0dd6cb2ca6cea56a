//! An outsider's probe of the customer's ticket pages in the portal: hostile ticket numbers and
//! list cursors, another customer's or portal's tickets, forged departments, missing CSRF tokens,
//! markup in what customers type, and replies racing a close. Each pins a refusal (4xx, never a
//! 500) that writes nothing, or a page that escapes what it shows.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{Browser, TestApp};

const PASSWORD: &str = "Cust0mer-Secret!";

async fn sign_in(app: &TestApp, browser: &Browser, slug: &str, name: &str, email: &str) {
    let args = ["user", "add", "--portal", slug, "--role", "customer", "--email", email, "--name", name];
    app.cli_ok(&args, &format!("{PASSWORD}\n"));
    browser.sign_in_portal(slug, email, PASSWORD).await.assert_redirect_to(&format!("/portal/{slug}/"));
}

async fn footprint(app: &TestApp) -> (i64, i64, i64, String) {
    let rows = sqlx::query("SELECT status FROM tickets ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let statuses = rows.iter().map(|r| r.try_get::<String, _>("status").unwrap()).collect::<Vec<_>>().join(",");
    (
        app.count("SELECT COUNT(*) AS n FROM tickets").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_messages").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_events").await,
        statuses,
    )
}

async fn submit(browser: &Browser, slug: &str, department: i64, subject: &str, message: &str) -> crate::common::Page {
    let department = department.to_string();
    let path = format!("/portal/{slug}/tickets/new");
    browser.post(&path, &[("department", &department), ("subject", subject), ("message", message)]).await
}

#[tokio::test]
async fn hostile_and_foreign_ticket_numbers_are_404_on_every_route_and_change_nothing() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Ana's own", "Mine.").await.assert_redirect_to("/portal/default/tickets/1001");
    let bob = app.browser();
    sign_in(&app, &bob, "default", "Bob", "bob@client.test").await;
    let before = footprint(&app).await;

    let numbers = ["1001", "0", "-1", "-1001", "9999999999999999999", "1e3", "01001", "+1001", "%20", "abc", "1001.0"];
    for n in numbers {
        let page = bob.get(&format!("/portal/default/tickets/{n}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {n}");
        for action in ["reply", "close", "reopen"] {
            let page = bob.post(&format!("/portal/default/tickets/{n}/{action}"), &[("message", "Intrusion")]).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {n}/{action}");
        }
    }
    assert_eq!(footprint(&app).await, before);
    // Leading zeros name the same ticket for its owner: no second spelling leaks anything else.
    assert!(ana.get("/portal/default/tickets/01001").await.status.is_success());
}

#[tokio::test]
async fn another_portals_tickets_and_departments_are_out_of_reach() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let other_desk = app.portal_with_department("acme").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Default's ticket", "Here.").await.assert_redirect_to("/portal/default/tickets/");
    let eve = app.browser();
    sign_in(&app, &eve, "acme", "Eve", "eve@acme.test").await;
    let before = footprint(&app).await;

    // Acme's customer, through acme's address and through default's, cannot reach default's ticket.
    for slug in ["acme", "default"] {
        let number = "1001";
        let status = eve.get(&format!("/portal/{slug}/tickets/{number}")).await.status;
        assert!(status == StatusCode::NOT_FOUND || status.is_redirection(), "GET on {slug}: {status}");
        for action in ["reply", "close", "reopen"] {
            let page = eve.post(&format!("/portal/{slug}/tickets/{number}/{action}"), &[("message", "x")]).await;
            assert!(page.status.is_client_error() || page.status.is_redirection(), "{slug}/{action}: {}", page.status);
        }
    }
    // A forged department: default's id posted to acme, and ids that do not exist.
    for forged in [desk.to_string(), "0".into(), "-1".into(), "99999999999999999999".into(), "1 OR 1=1".into()] {
        let page = eve
            .post("/portal/acme/tickets/new", &[("department", &forged), ("subject", "Forged"), ("message", "x")])
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "department {forged}");
    }
    assert_eq!(footprint(&app).await, before);
    submit(&eve, "acme", other_desk, "Acme's own", "Fine.").await.assert_redirect_to("/portal/acme/tickets/");
}

#[tokio::test]
async fn posts_without_or_with_a_wrong_csrf_token_are_refused_and_write_nothing() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Mine", "Body.").await.assert_redirect_to("/portal/default/tickets/1001");
    let before = footprint(&app).await;
    let desk = desk.to_string();
    let routes = ["new", "1001/reply", "1001/close", "1001/reopen"];
    for route in routes {
        let path = format!("/portal/default/tickets/{route}");
        let fields = [("department", desk.as_str()), ("subject", "S"), ("message", "M")];
        let missing = ana.post_raw(&path, &fields).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN, "no token on {route}");
        let wrong = ana.post_raw(&path, &[("csrf", "forged"), ("message", "M")]).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "wrong token on {route}");
    }
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn hostile_list_cursors_are_400_or_an_empty_page_never_a_500() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Listed", "Body.").await.assert_redirect_to("/portal/default/tickets/");
    let bad = ["abc", "1", ":", "1:", ":1", "1e3:1", "99999999999999999999:1", "1' OR '1'='1:1", "1:2:3", "%00"];
    for cursor in bad {
        let page = ana.get(&format!("/portal/default/tickets?before={}", urlencode(cursor))).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "before={cursor}");
    }
    let odd = ["-1:-1", "0:0", "9223372036854775807:9223372036854775807", "-9223372036854775808:1"];
    for cursor in odd {
        let page = ana.get(&format!("/portal/default/tickets?before={}", urlencode(cursor))).await;
        assert_eq!(page.status, StatusCode::OK, "before={cursor}");
    }
    let all = ana.get("/portal/default/tickets?before=9223372036854775807:9223372036854775807").await;
    all.assert_contains("Listed");
    let status = ana.get("/portal/default/tickets?status=%27%3B--").await.status;
    assert_eq!(status, StatusCode::OK);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn markup_in_subject_message_and_name_is_escaped_on_list_and_ticket_in_both_languages() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser_pt();
    let name = "<img src=x onerror=alert(1)>";
    sign_in(&app, &ana, "default", name, "ana@client.test").await;
    let subject = "<script>alert('s')</script>";
    let message = "</p><script>alert(\"m\")</script>";
    submit(&ana, "default", desk, subject, message).await.assert_redirect_to("/portal/default/tickets/1001");
    ana.post("/portal/default/tickets/1001/reply", &[("message", "<b onmouseover=x>r</b>")]).await;
    let en = app.browser();
    en.sign_in_portal("default", "ana@client.test", PASSWORD).await;
    for browser in [&ana, &en] {
        for path in ["/portal/default/tickets", "/portal/default/tickets/1001"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::OK);
            page.assert_lacks("<script>alert").assert_lacks("<img src=x").assert_lacks("<b onmouseover");
            page.assert_contains("&#60;script&#62;alert");
        }
    }
}

#[tokio::test]
async fn replies_racing_a_close_leave_status_and_history_consistent() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Race", "Start.").await.assert_redirect_to("/portal/default/tickets/1001");
    let reply = |i: usize| {
        let ana = &ana;
        async move {
            let text = format!("Reply {i}");
            ana.post("/portal/default/tickets/1001/reply", &[("message", &text)]).await.status
        }
    };
    let close = ana.post("/portal/default/tickets/1001/close", &[]);
    let (statuses, close) =
        tokio::join!(futures_util::future::join_all(vec![reply(1), reply(2), reply(3), reply(4)]), close);
    for s in statuses.iter().chain([&close.status]) {
        assert!(s.is_redirection() || *s == StatusCode::CONFLICT, "status {s}");
    }
    let replies = statuses.iter().filter(|s| s.is_redirection()).count() as i64;
    // One message per accepted reply (plus the first), one reply event for each.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_messages").await, replies + 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what = 'reply'").await, replies);
    // The status the ticket ended in is the one the last status event recorded.
    let last = sqlx::query("SELECT new_value FROM ticket_events WHERE what = 'status' ORDER BY id DESC")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let status = app.text("SELECT status AS v FROM tickets WHERE number = 1001").await;
    if let Some(row) = last.first() {
        assert_eq!(row.try_get::<String, _>("new_value").unwrap(), status);
    }
}

#[tokio::test]
async fn a_disabled_customers_session_reaches_no_ticket_and_writes_nothing() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Before", "Body.").await.assert_redirect_to("/portal/default/tickets/1001");
    app.cli_ok(&["user", "disable", "--portal", "default", "--email", "ana@client.test"], "");
    let before = footprint(&app).await;
    for path in ["/portal/default/tickets", "/portal/default/tickets/new", "/portal/default/tickets/1001"] {
        let page = ana.get(path).await;
        assert!(page.status.is_redirection() || page.status.is_client_error(), "GET {path}: {}", page.status);
        page.assert_lacks("Before");
    }
    let desk = desk.to_string();
    for route in ["new", "1001/reply", "1001/close", "1001/reopen"] {
        let fields = [("department", desk.as_str()), ("subject", "S"), ("message", "M")];
        let page = ana.post(&format!("/portal/default/tickets/{route}"), &fields).await;
        assert!(page.status.is_redirection() || page.status.is_client_error(), "{route}: {}", page.status);
    }
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn on_another_portals_own_host_a_customers_session_reaches_none_of_their_tickets() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    app.portal_with_department("acme").await;
    app.cli_ok(&["portal", "set", "acme", "host", "help.acme.test"], "");
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Default secret", "Body.").await.assert_redirect_to("/portal/default/tickets/1001");
    // (An explicit /portal/default/ path on that host is default's portal, where she is signed in.)
    for path in ["/tickets", "/tickets/1001", "/portal/acme/tickets/1001"] {
        let page = ana.get_on_host("help.acme.test", path).await;
        assert!(page.status.is_redirection() || page.status.is_client_error(), "{path}: {}", page.status);
        page.assert_lacks("Default secret");
    }
    let visitor = app.browser();
    let page = visitor.get_on_host("help.acme.test", "/tickets/1001").await;
    assert!(page.status.is_redirection() || page.status.is_client_error(), "visitor: {}", page.status);
}

#[tokio::test]
async fn a_nul_character_in_a_message_is_refused_not_a_server_error() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    let before = footprint(&app).await;
    let page = submit(&ana, "default", desk, "Nul", "before\0after").await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert_eq!(footprint(&app).await, before);
    submit(&ana, "default", desk, "Fine", "Body.").await.assert_redirect_to("/portal/default/tickets/1001");
    let before = footprint(&app).await;
    let page = ana.post("/portal/default/tickets/1001/reply", &[("message", "a\0b")]).await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn odd_form_bodies_are_4xx_and_write_nothing() {
    let app = crate::common::spawn().await;
    let desk = app.portal_with_department("default").await.1;
    let ana = app.browser();
    sign_in(&app, &ana, "default", "Ana", "ana@client.test").await;
    submit(&ana, "default", desk, "Mine", "Body.").await.assert_redirect_to("/portal/default/tickets/1001");
    let before = footprint(&app).await;
    let desk = desk.to_string();
    let twice = [("department", desk.as_str()), ("subject", "A"), ("subject", "B"), ("message", "M")];
    let page = ana.post("/portal/default/tickets/new", &twice).await;
    assert!(page.status.is_client_error(), "duplicate fields: {}", page.status);
    let page = ana.post("/portal/default/tickets/1001/reply", &[("message", "a"), ("message", "b")]).await;
    assert!(page.status.is_client_error(), "duplicate reply: {}", page.status);
    assert_eq!(footprint(&app).await, before);
}

/// A right-to-left override makes `exe.pdf` read as `fdp.exe`-like nonsense to agents; subjects
/// refuse it as they refuse line breaks.
#[tokio::test]
async fn a_subject_with_a_text_direction_override_is_refused() {
    let app = crate::common::spawn().await;
    let department = app.portal_with_department("default").await.1.to_string();
    let browser = app.browser();
    sign_in(&app, &browser, "default", "Ana", "ana@client.test").await;
    let before = footprint(&app).await;
    let refused = browser
        .post(
            "/portal/default/tickets/new",
            &[("department", department.as_str()), ("subject", "invoice \u{202e}fdp.exe"), ("message", "see it")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    refused.assert_contains("without control characters or text-direction overrides");
    assert_eq!(footprint(&app).await, before);
}

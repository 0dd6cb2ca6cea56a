//! An outsider's probe of the desk's ticket pages, the visitors' links and the ticket emails.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{self, Browser, TestApp, with_fields, with_files};

/// The properties form of the ticket page as `browser` sees it now: the fields it would post.
async fn properties_form(browser: &Browser, number: i64) -> Vec<(String, String)> {
    let page = browser.get(&format!("/manage/tickets/{number}")).await;
    let form = page.between("id=\"properties\"", "</form>");
    let selected = |name: &str| {
        let select = form.split(&format!("name=\"{name}\"")).nth(1).unwrap().split("</select>").next().unwrap();
        let option = select.split("<option").find(|o| o.contains(" selected")).unwrap_or("value=\"\"");
        option.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let seen = form.split("name=\"seen\" value=\"").nth(1).expect("the form carries what it showed");
    let mut fields: Vec<(String, String)> =
        ["status", "priority", "department", "assignee"].iter().map(|n| (n.to_string(), selected(n))).collect();
    fields.push(("seen".into(), seen.split('"').next().unwrap().to_string()));
    fields
}

/// `fields` with `name` set to `value`.
fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields.iter().map(|(n, v)| (n.clone(), if n == name { value.to_string() } else { v.clone() })).collect()
}

async fn post_props(browser: &Browser, number: i64, fields: &[(String, String)]) -> crate::common::Page {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    browser.post(&format!("/manage/tickets/{number}/update"), &fields).await
}

async fn props_of(app: &TestApp, number: i64) -> String {
    let row = sqlx::query(
        "SELECT status, priority, COALESCE(assignee_id, 0) AS assignee FROM tickets WHERE portal_id = 1 AND number = $1",
    )
    .bind(number)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let assignee: i64 = row.try_get("assignee").unwrap();
    format!(
        "{}/{}/{assignee}",
        row.try_get::<String, _>("status").unwrap(),
        row.try_get::<String, _>("priority").unwrap()
    )
}

async fn property_events(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what IN ('status', 'priority', 'department', 'assignee')")
        .await
}

#[tokio::test]
async fn a_properties_form_shown_before_a_colleagues_change_is_refused_not_applied_over_it() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (bob_id, bob) = app.signed_in_agent("default", "bob@desk.test", &[support], &["answer_tickets"]).await;
    let number = app.ticket(portal, support, None, "Printer on fire").await;

    // Both open the ticket; Bob raises the priority and takes it.
    let anas_form = properties_form(&ana, number).await;
    let bobs_form = properties_form(&bob, number).await;
    let bobs_change = with(&with(&bobs_form, "priority", "urgent"), "assignee", &bob_id.to_string());
    post_props(&bob, number, &bobs_change).await.assert_redirect_to(&format!("/manage/tickets/{number}?msg="));
    assert_eq!(props_of(&app, number).await, format!("new/urgent/{bob_id}"));
    let events = property_events(&app).await;

    // Ana, on the page she opened before, only meant to set it pending: her form still holds
    // the old priority and no assignee. It is refused, and Bob's change stands.
    let refused = post_props(&ana, number, &with(&anas_form, "status", "pending")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    refused.assert_contains("The ticket changed while you were on it");
    assert_eq!(props_of(&app, number).await, format!("new/urgent/{bob_id}"), "Bob's change was undone");
    assert_eq!(property_events(&app).await, events, "a refused change wrote history");

    // Opened again, her form shows Bob's change and applies.
    let fresh = properties_form(&ana, number).await;
    post_props(&ana, number, &with(&fresh, "status", "pending")).await.assert_redirect_to("/manage/tickets/");
    assert_eq!(props_of(&app, number).await, format!("pending/urgent/{bob_id}"));

    // Two saving at the same moment from the same page: one wins, the other is told; the
    // history holds the winner's change only.
    let shown = properties_form(&ana, number).await;
    let (low, high) = (with(&shown, "priority", "low"), with(&shown, "priority", "high"));
    let (a, b) = tokio::join!(post_props(&ana, number, &low), post_props(&bob, number, &high));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    let winner = if a.status == StatusCode::SEE_OTHER { "low" } else { "high" };
    assert_eq!(props_of(&app, number).await, format!("pending/{winner}/{bob_id}"));
    assert_eq!(property_events(&app).await, events + 2, "Ana's status, then the winner's priority");
}

const PASSWORD: &str = "Cust0mer-Secret!";

/// Everything a visitor's link could write: messages, events, statuses.
async fn ticket_footprint(app: &TestApp) -> String {
    let messages = app.count("SELECT COUNT(*) AS n FROM ticket_messages").await;
    let events = app.count("SELECT COUNT(*) AS n FROM ticket_events").await;
    let status = app.text("SELECT status AS v FROM tickets WHERE number = 1001").await;
    format!("{messages}/{events}/{status}")
}

#[tokio::test]
async fn a_disabled_customer_keeps_no_access_through_an_earlier_private_link() {
    let sink = crate::common::mail::SmtpSink::start();
    let app = common::spawn_with_mail(&sink).await;
    let (portal, support) = app.portal_with_department("default").await;
    app.put_setting(portal, "ticket_visitors", "true").await;
    app.customer("default", "carla@client.test", PASSWORD).await;
    // Carla writes in before signing in; opening the emailed link makes the ticket hers.
    let department = support.to_string();
    let fields = [
        ("name", "Carla"),
        ("email", "carla@client.test"),
        ("department", department.as_str()),
        ("subject", "Refund please"),
        ("message", "The order never came."),
    ];
    let carla = app.browser();
    carla.post("/portal/default/tickets/submit", &fields).await.assert_redirect_to("/portal/default/tickets/submit");
    let link = sink.wait_for("carla@client.test", "1001").await.link("/tickets/follow/");
    carla.get(&link).await.assert_status(StatusCode::OK).assert_contains("Refund please");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE customer_id IS NOT NULL").await, 1);
    carla.post(&format!("{link}/close"), &[]).await.assert_redirect_to(&link);

    // The portal disables her account: her sessions stop, and so does the link from the email.
    sqlx::query("UPDATE customers SET disabled_at = 1 WHERE email_lower = 'carla@client.test'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let before = ticket_footprint(&app).await;
    assert_eq!(carla.get(&link).await.status, StatusCode::NOT_FOUND, "a disabled customer read the ticket");
    let (status, _, _) = carla.get_bytes(&format!("{link}/files/1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let reply = carla.post(&format!("{link}/reply"), &[("message", "Still here")]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(carla.post(&format!("{link}/reopen"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ticket_footprint(&app).await, before, "a disabled customer changed the ticket");

    // Enabled again, the link works again.
    sqlx::query("UPDATE customers SET disabled_at = NULL").execute(app.db.writer()).await.unwrap();
    carla.get(&link).await.assert_status(StatusCode::OK).assert_contains("Refund please");
}

/// Rows a refused reply must not add: messages, events, files and their chunks and links.
async fn reply_footprint(app: &TestApp) -> [i64; 5] {
    [
        app.count("SELECT COUNT(*) AS n FROM ticket_messages").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_events").await,
        app.count("SELECT COUNT(*) AS n FROM attachments").await,
        app.count("SELECT COUNT(*) AS n FROM attachment_chunks").await,
        app.count("SELECT COUNT(*) AS n FROM ticket_message_attachments").await,
    ]
}

#[tokio::test]
async fn hostile_multipart_on_the_agents_reply_is_4xx_and_leaves_nothing_and_odd_names_are_tamed() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let number = app.ticket(portal, support, None, "Files").await;
    let path = format!("/manage/tickets/{number}/reply");
    let csrf = ana.cookie("fd_csrf").unwrap();
    let before = reply_footprint(&app).await;

    // A file before the token: refused before anything is stored.
    let form = with_files(reqwest::multipart::Form::new(), &[("early.txt", b"early")]);
    let early = ana.post_form(&path, with_fields(form, &[("csrf", csrf.as_str()), ("message", "hi")])).await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    // Bodies that are not the form, or not one that can be read.
    for content_type in ["text/plain", "application/json", "multipart/form-data", "multipart/form-data; boundary=x"] {
        let sent = ana
            .client
            .post(format!("{}{path}", ana.base))
            .header("content-type", content_type)
            .body(format!("csrf={csrf}&message=hi&kind=note"))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), StatusCode::BAD_REQUEST, "{content_type}");
    }
    let twice = ana.post_multipart(&path, &[("message", "m"), ("kind", "note"), ("kind", "public")], &[]).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "a field given twice");
    let names: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
    let fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    assert_eq!(ana.post_multipart(&path, &fields, &[]).await.status, StatusCode::BAD_REQUEST, "40 fields");
    let big = "x".repeat(200_000);
    let huge = ana.post_multipart(&path, &[("message", &big), ("kind", "note")], &[("a.txt", b"a")]).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let eleven: Vec<(String, &[u8])> = (0..11).map(|i| (format!("f{i}.txt"), b"abc".as_slice())).collect();
    let eleven: Vec<(&str, &[u8])> = eleven.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let many = ana.post_multipart(&path, &[("message", "m"), ("kind", "note")], &eleven).await;
    assert_eq!(many.status, StatusCode::PAYLOAD_TOO_LARGE);
    let nul = ana.post_multipart(&path, &[("message", "m"), ("kind", "note")], &[("a\u{0}.txt", b"a")]).await;
    assert!(nul.status.is_client_error(), "{}", nul.status);
    assert_eq!(reply_footprint(&app).await, before, "a refused reply left something behind");

    // Names with paths, direction overrides, markup or no end are kept short, plain and inert;
    // markup comes back only ever as a download.
    let long = "y".repeat(5000);
    let svg: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let files: [(&str, &[u8]); 4] =
        [("../../etc/x.html", svg), ("invoice\u{202e}fdp.exe", b"MZ"), (&long, b"long"), ("<img src=x>.svg", svg)];
    let sent = ana.post_multipart(&path, &[("message", "Files for you"), ("kind", "note")], &files).await;
    sent.assert_redirect_to(&format!("/manage/tickets/{number}?msg=ticket-noted"));
    let stored: Vec<(i64, String)> = sqlx::query("SELECT id, filename FROM attachments ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("id").unwrap(), r.try_get("filename").unwrap()))
        .collect();
    let names: Vec<&str> = stored.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["x.html", "invoicefdp.exe", "y".repeat(200).as_str(), "<img src=x>.svg"]);
    ana.get(&format!("/manage/tickets/{number}"))
        .await
        .assert_contains("&#60;img src=x&#62;.svg")
        .assert_lacks("<img src=x>");
    for (id, _) in &stored {
        let (status, headers, _) = ana.get_bytes(&format!("/manage/tickets/{number}/files/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/octet-stream");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"") && !disposition.contains('/'), "{disposition}");
    }
}

#[tokio::test]
async fn a_ticket_is_assigned_only_to_an_active_agent_of_its_portal_and_department() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, beta_support) = app.portal_with_department("beta").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let (gone_id, _) = app.signed_in_agent("default", "gone@desk.test", &[support], &[]).await;
    let (waiting_id, _) = app.signed_in_agent("default", "waiting@desk.test", &[support], &[]).await;
    let (beta_id, _) = app.signed_in_agent("beta", "beta@desk.test", &[beta_support], &[]).await;
    // A stale membership: beta's agent listed in default's department.
    sqlx::query("INSERT INTO department_members (department_id, staff_id) VALUES ($1, $2)")
        .bind(support)
        .bind(beta_id)
        .execute(app.db.writer())
        .await
        .unwrap();
    sqlx::query("UPDATE staff SET disabled_at = 1 WHERE id = $1").bind(gone_id).execute(app.db.writer()).await.unwrap();
    sqlx::query("UPDATE staff SET awaiting_approval = 1 WHERE id = $1")
        .bind(waiting_id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let customer = app.customer("default", "cu@client.test", PASSWORD).await;
    let superadmin = app.count("SELECT id AS n FROM staff WHERE is_superadmin = 1").await;
    let number = app.ticket(portal, support, Some(customer), "Assign me").await;
    let form = properties_form(&ana, number).await;
    let before = (props_of(&app, number).await, property_events(&app).await);
    let outbox = app.count("SELECT COUNT(*) AS n FROM outbox").await;

    for (who, id) in [
        ("a disabled agent", gone_id),
        ("an agent awaiting approval", waiting_id),
        ("another portal's agent", beta_id),
        ("a customer's id", customer),
        ("a system administrator outside the department", superadmin),
    ] {
        let refused = post_props(&ana, number, &with(&form, "assignee", &id.to_string())).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}");
        refused.assert_contains("The assignee must be an agent of Support");
    }
    for hostile in ["-1", "0", "1.5", "99999999999999999999", "1 OR 1=1"] {
        let refused = post_props(&ana, number, &with(&form, "assignee", hostile)).await;
        assert!(refused.status.is_client_error(), "{hostile}: {}", refused.status);
    }
    assert_eq!((props_of(&app, number).await, property_events(&app).await), before);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, outbox, "an assignment email went out");
}

#[tokio::test]
async fn a_disabled_agents_open_session_reads_and_writes_nothing() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (dan_id, dan) = app.signed_in_agent("default", "dan@desk.test", &[support], &["answer_tickets"]).await;
    let number = app.ticket(portal, support, None, "Before he left").await;
    let form = properties_form(&dan, number).await;
    sqlx::query("UPDATE staff SET disabled_at = 1 WHERE id = $1").bind(dan_id).execute(app.db.writer()).await.unwrap();
    let before = (reply_footprint(&app).await, props_of(&app, number).await);

    for path in
        [format!("/manage/tickets/{number}"), "/manage/tickets".into(), format!("/manage/tickets/{number}/files/1")]
    {
        dan.get(&path).await.assert_redirect_to("/manage/login");
    }
    dan.post(&format!("/manage/tickets/{number}/reply"), &[("message", "one last word")])
        .await
        .assert_redirect_to("/manage/login");
    dan.post_multipart(&format!("/manage/tickets/{number}/reply"), &[("message", "m")], &[("a.txt", b"a")])
        .await
        .assert_redirect_to("/manage/login");
    post_props(&dan, number, &with(&form, "status", "closed")).await.assert_redirect_to("/manage/login");
    dan.post("/manage/profile/ticket-emails", &[]).await.assert_redirect_to("/manage/login");
    assert_eq!((reply_footprint(&app).await, props_of(&app, number).await), before);
}

#[tokio::test]
async fn switching_portals_never_sends_anyone_off_the_management_interface() {
    let app = common::spawn().await;
    app.portal_with_department("beta").await;
    let admin = app.admin().await;
    for hostile in [
        "https://evil.example/manage",
        "//evil.example/manage",
        "/\\evil.example",
        "/manage/..//evil.example",
        "/manage/%2e%2e/%2e%2e//evil.example",
        "/portal/beta/tickets",
        "/manager",
        "javascript:alert(1)",
    ] {
        let page = admin.post("/manage/switch-portal", &[("portal", "beta"), ("next", hostile)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{hostile:?}");
        assert_eq!(page.location.as_deref(), Some("/manage?msg=switched"), "{hostile:?}");
    }
    let tab = admin.post("/manage/switch-portal", &[("portal", "beta"), ("next", "/\t/evil.example")]).await;
    assert_eq!(tab.status, StatusCode::BAD_REQUEST, "control characters are refused outright");
    // Encoded slashes stay inside the path: still a page of the management interface.
    let page = admin.post("/manage/switch-portal", &[("portal", "beta"), ("next", "/manage/%2F%2Fevil.example")]).await;
    assert!(page.location.as_deref().unwrap().starts_with("/manage/"), "{:?}", page.location);
    // A portal the account does not work in, or no such portal.
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[], &[]).await;
    let refused = ana.post("/manage/switch-portal", &[("portal", "beta"), ("next", "/manage/tickets")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let no_token = ana.post_raw("/manage/switch-portal", &[("portal", "default"), ("next", "/manage/tickets")]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_notes_words_and_files_never_reach_the_requester_page_download_or_email() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let customer_id = app.customer("default", "cu@client.test", PASSWORD).await;
    let number = app.ticket(portal, support, Some(customer_id), "Printer").await;
    let path = format!("/manage/tickets/{number}/reply");
    // A note with a file that resolves the ticket, then a public reply.
    let note = [("message", "INTERNAL-ONLY suspect fraud"), ("kind", "note"), ("then", "resolved")];
    ana.post_multipart(&path, &note, &[("fraud-report.txt", b"INTERNAL-FILE")]).await.assert_redirect_to("/manage/");
    ana.post(&path, &[("message", "We are on it."), ("kind", "public"), ("then", "open")])
        .await
        .assert_redirect_to("/manage/");
    let note_file = app.id_of("SELECT id FROM attachments WHERE filename = $1", "fraud-report.txt").await;

    let customer = app.browser();
    customer.sign_in_portal("default", "cu@client.test", PASSWORD).await;
    let page = customer.get(&format!("/portal/default/tickets/{number}")).await;
    page.assert_contains("We are on it.").assert_lacks("INTERNAL").assert_lacks("fraud-report");
    let (status, _, body) = customer.get_bytes(&format!("/portal/default/tickets/{number}/files/{note_file}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!String::from_utf8_lossy(&body).contains("INTERNAL"));

    // The resolution and the reply went to the customer; no email says a word of the note.
    let rows = sqlx::query("SELECT recipient, subject, body_text, body_html FROM outbox")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let to_customer = rows.iter().filter(|r| r.try_get::<String, _>("recipient").unwrap() == "cu@client.test").count();
    assert!(to_customer >= 2, "the resolution and the reply");
    for r in &rows {
        let all: String = ["subject", "body_text", "body_html"]
            .iter()
            .map(|c| r.try_get::<Option<String>, _>(*c).unwrap().unwrap_or_default())
            .collect();
        assert!(!all.contains("INTERNAL") && !all.contains("fraud-report"), "a note leaked into an email: {all}");
    }
}

/// A form post: who sends it, where, with which fields.
type Post<'a> = (&'a Browser, String, &'a [(&'a str, &'a str)]);

#[tokio::test]
async fn every_ticket_form_without_its_token_is_refused_and_writes_nothing() {
    let sink = crate::common::mail::SmtpSink::start();
    let app = common::spawn_with_mail(&sink).await;
    let (portal, support) = app.portal_with_department("default").await;
    app.put_setting(portal, "ticket_visitors", "true").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    app.customer("default", "cu@client.test", PASSWORD).await;
    let customer = app.browser();
    customer.sign_in_portal("default", "cu@client.test", PASSWORD).await;
    let department = support.to_string();
    let visitor = app.browser();
    let fields = [
        ("name", "Vera"),
        ("email", "vera@visitor.test"),
        ("department", department.as_str()),
        ("subject", "Hello"),
        ("message", "Hi."),
    ];
    visitor.post("/portal/default/tickets/submit", &fields).await.assert_redirect_to("/portal/default/");
    let link = sink.wait_for("vera@visitor.test", "1001").await.link("/tickets/follow/");
    visitor.get(&link).await.assert_status(StatusCode::OK);
    let number = app.ticket(portal, support, None, "Another").await;
    let form = properties_form(&ana, number).await;
    let mut props: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    props[0].1 = "closed";
    let before = (reply_footprint(&app).await, app.count("SELECT COUNT(*) AS n FROM tickets").await);
    let prefs = app.count("SELECT COUNT(*) AS n FROM staff_email_preferences").await;

    let message = [("message", "no token")];
    let posts: [Post; 10] = [
        (&ana, format!("/manage/tickets/{number}/reply"), &message),
        (&ana, format!("/manage/tickets/{number}/update"), &props),
        (&ana, "/manage/profile/ticket-emails".into(), &[]),
        (&ana, "/manage/switch-portal".into(), &[("portal", "default")]),
        (&customer, "/portal/default/tickets/new".into(), &fields[2..]),
        (&visitor, "/portal/default/tickets/submit".into(), &fields),
        (&visitor, format!("{link}/reply"), &message),
        (&visitor, format!("{link}/close"), &[]),
        (&visitor, format!("{link}/reopen"), &[]),
        (&customer, "/portal/default/tickets/1001/close".into(), &[]),
    ];
    for (browser, path, fields) in posts {
        let refused = browser.post_raw(&path, fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        // A token of another browser is no better.
        let mut forged = vec![("csrf", "x".repeat(43))];
        forged.extend(fields.iter().map(|(n, v)| (*n, v.to_string())));
        let forged: Vec<(&str, &str)> = forged.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_eq!(browser.post_raw(&path, &forged).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!((reply_footprint(&app).await, app.count("SELECT COUNT(*) AS n FROM tickets").await), before);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff_email_preferences").await, prefs);
}

#[tokio::test]
async fn a_public_reply_racing_the_customers_close_is_refused_not_added_to_the_closed_ticket() {
    let app = common::spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (_, ana) = app.signed_in_agent("default", "ana@desk.test", &[support], &["answer_tickets"]).await;
    let customer = app.customer("default", "cu@client.test", PASSWORD).await;
    let number = app.ticket(portal, support, Some(customer), "Closing soon").await;
    // Open (a reply keeps that status, so nothing but the reply itself is written).
    sqlx::query("UPDATE tickets SET status = 'open'").execute(app.db.writer()).await.unwrap();
    let before = (
        app.count("SELECT COUNT(*) AS n FROM ticket_messages").await,
        app.count("SELECT COUNT(*) AS n FROM outbox").await,
    );

    // The customer's close is being written (not yet committed) while the agent sends a reply
    // read from the ticket as it was: the close commits first.
    let mut close = app.db.writer().begin().await.unwrap();
    sqlx::query("UPDATE tickets SET status = 'closed' WHERE portal_id = $1 AND number = $2")
        .bind(portal)
        .bind(number)
        .execute(&mut *close)
        .await
        .unwrap();
    let path = format!("/manage/tickets/{number}/reply");
    let reply = ana.post(&path, &[("message", "Here is your answer."), ("kind", "public")]);
    let commit = async {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        close.commit().await.unwrap();
    };
    let (replied, ()) = tokio::join!(reply, commit);
    assert_eq!(replied.status, StatusCode::CONFLICT, "{:?} {}", replied.location, replied.body);
    assert_eq!(app.text("SELECT status AS v FROM tickets").await, "closed");
    let after = (
        app.count("SELECT COUNT(*) AS n FROM ticket_messages").await,
        app.count("SELECT COUNT(*) AS n FROM outbox").await,
    );
    assert_eq!(after, before, "a reply was added to, or emailed about, a ticket closed meanwhile");
}

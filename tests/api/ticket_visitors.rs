//! Visitors' tickets: people who are not signed in submit one when the portal allows it, get an
//! email with a private link, and follow the ticket through it. Checked against a real SMTP
//! server and the database: the ticket stays unverified and nobody's until the link is opened,
//! the token is stored only hashed, a link opens its own ticket in its own portal only, and
//! refusals (throttling, bad input, wrong links) write nothing.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::{Column, Row};

use crate::common::mail::{Mail, SmtpSink};
use crate::common::{Browser, Page, TestApp};

const PASSWORD: &str = "Cust0mer-Secret!";

async fn allow_visitors(app: &TestApp, portal_id: i64) {
    app.put_setting(portal_id, "ticket_visitors", "true").await;
}

/// A portal (added unless `default`) with a department, taking visitors' tickets: its ids.
async fn visitor_portal(app: &TestApp, slug: &str) -> (i64, i64) {
    let (portal, department) = app.portal_with_department(slug).await;
    allow_visitors(app, portal).await;
    (portal, department)
}

async fn submit(browser: &Browser, slug: &str, fields: [(&str, &str); 5]) -> Page {
    browser.post(&format!("/portal/{slug}/tickets/submit"), &fields).await
}

async fn submit_as(browser: &Browser, slug: &str, department: i64, email: &str, subject: &str) -> Page {
    let department = department.to_string();
    let fields = [
        ("name", "Vera Visitor"),
        ("email", email),
        ("department", department.as_str()),
        ("subject", subject),
        ("message", "It stopped working this morning."),
    ];
    submit(browser, slug, fields).await
}

/// The private link the email to `to` about ticket `number` carries, as a path on the server.
async fn link_from(sink: &SmtpSink, to: &str, number: i64) -> (Mail, String) {
    let mail = sink.wait_for(to, &number.to_string()).await;
    let link = mail.link("/tickets/follow/");
    (mail, link)
}

/// Rows of everything a submission or a change writes.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut counts = vec![];
    for sql in [
        "SELECT COUNT(*) AS n FROM tickets",
        "SELECT COUNT(*) AS n FROM ticket_messages",
        "SELECT COUNT(*) AS n FROM ticket_events",
        "SELECT COUNT(*) AS n FROM ticket_links",
        "SELECT COUNT(*) AS n FROM outbox",
        "SELECT COUNT(*) AS n FROM tickets WHERE verified_at IS NOT NULL",
        "SELECT COUNT(*) AS n FROM tickets WHERE status <> 'new'",
    ] {
        counts.push(app.count(sql).await);
    }
    counts
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every column of `table` in a form the `Any` driver reads: on PostgreSQL each one but `bytea`
/// cast to text (search columns are `tsvector`, which it cannot decode); on SQLite all of them.
async fn readable_columns(app: &TestApp, table: &str) -> String {
    if !app.database_url.as_str().starts_with("postgres") {
        return "*".into();
    }
    let columns = sqlx::query(
        "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS kind FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = $1",
    )
    .bind(table)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let list: Vec<String> = columns
        .iter()
        .map(|c| {
            let (name, kind): (String, String) = (c.get("name"), c.get("kind"));
            if kind == "bytea" { format!("\"{name}\"") } else { format!("CAST(\"{name}\" AS TEXT) AS \"{name}\"") }
        })
        .collect();
    list.join(", ")
}

/// Fails if `needle` is stored in any text or binary column of any table.
async fn assert_nowhere_in_database(app: &TestApp, needle: &str) {
    let tables_sql = if app.database_url.as_str().starts_with("postgres") {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = 'public'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let tables = sqlx::query(tables_sql).fetch_all(app.db.pool()).await.unwrap();
    assert!(tables.len() > 10, "the tables were listed");
    for table in tables {
        let name: String = table.try_get("name").unwrap();
        if name.starts_with("_sqlx") {
            continue; // the migrations' own bookkeeping
        }
        let columns = readable_columns(app, &name).await;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {columns} FROM {name}")))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        for row in rows {
            for i in 0..row.columns().len() {
                let text = row.try_get::<Option<String>, _>(i).ok().flatten();
                let bytes = row.try_get::<Option<Vec<u8>>, _>(i).ok().flatten();
                let found = text.is_some_and(|t| t.contains(needle))
                    || bytes.is_some_and(|b| String::from_utf8_lossy(&b).contains(needle));
                assert!(!found, "the token is stored in {name}.{}", row.columns()[i].name());
            }
        }
    }
}

#[tokio::test]
async fn the_form_exists_only_while_the_portal_takes_visitors_tickets() {
    let app = crate::common::spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let visitor = app.browser();
    for path in ["/portal/default/tickets/submit", "/portal/default/tickets/submit/sent"] {
        assert_eq!(visitor.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let refused = submit_as(&visitor, "default", department, "vera@visitor.test", "Hello").await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(footprint(&app).await, vec![0; 7], "nothing written");
    visitor.get("/portal/default/login").await.assert_lacks("/tickets/submit");
    assert_eq!(visitor.get("/portal/nowhere/tickets/submit").await.status, StatusCode::NOT_FOUND);

    allow_visitors(&app, portal).await;
    let login = visitor.get("/portal/default/login").await;
    login
        .assert_contains("href=\"/portal/default/tickets/submit\"")
        .assert_contains("Submit a ticket without signing in");
    let form = visitor.get("/portal/default/tickets/submit").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("name=\"csrf\"").assert_contains("Support of default").assert_contains("name=\"email\"");

    // Someone signed in submits with their account.
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "ana@client.test"],
        &format!("{PASSWORD}\n"),
    );
    let ana = app.browser();
    ana.sign_in_portal("default", "ana@client.test", PASSWORD).await.assert_redirect_to("/portal/default/");
    ana.get("/portal/default/tickets/submit").await.assert_redirect_to("/portal/default/tickets/new");
    let posted = submit_as(&ana, "default", department, "ana@client.test", "Mine").await;
    posted.assert_redirect_to("/portal/default/tickets/new");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 0);
}

#[tokio::test]
async fn a_visitor_follows_the_ticket_through_the_emailed_link_stored_only_hashed() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (_, department) = visitor_portal(&app, "default").await;
    let vera = app.browser();

    let sent = submit_as(&vera, "default", department, "Vera@Visitor.test", "Printer is on fire").await;
    sent.assert_redirect_to("/portal/default/tickets/submit/sent");
    let page = vera.get("/portal/default/tickets/submit/sent").await;
    page.assert_contains("Check your email").assert_lacks("/tickets/follow/");
    let ticket = sqlx::query("SELECT customer_id, verified_at, requester_name, requester_email, status FROM tickets")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(ticket.try_get::<Option<i64>, _>("customer_id").unwrap(), None);
    assert_eq!(ticket.try_get::<Option<i64>, _>("verified_at").unwrap(), None, "unverified");
    assert_eq!(ticket.try_get::<String, _>("requester_name").unwrap(), "Vera Visitor");
    assert_eq!(ticket.try_get::<String, _>("requester_email").unwrap(), "Vera@Visitor.test");

    let (mail, link) = link_from(&sink, "Vera@Visitor.test", 1001).await;
    assert!(mail.subject.contains("Your ticket #1001"), "{}", mail.subject);
    assert!(mail.text.contains("Printer is on fire") && mail.html.contains(&link), "{}", mail.text);
    let token = link.rsplit('/').next().unwrap().to_string();
    assert!(link.starts_with("/portal/default/tickets/follow/") && token.len() >= 22, "{link}");
    let hash = app.text("SELECT token_hash AS v FROM ticket_links").await;
    assert_eq!(hash, frontdesk::web::tokens::token_hash(&token));
    // Once the email is sent the outbox erases it: the token is then stored nowhere.
    wait_until("the email marked sent", async || {
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'").await == 1
    })
    .await;
    assert_nowhere_in_database(&app, &token).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what = 'verified'").await, 0);

    // Opening it (from another browser: the link is all it takes) proves the address.
    let reader = app.browser();
    let page = reader.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("#1001").assert_contains("Printer is on fire").assert_contains("It stopped working");
    assert_eq!(page.headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE verified_at IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE customer_id IS NULL").await, 1, "no customer");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what = 'verified'").await, 1);
    reader.get(&link).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_events WHERE what = 'verified'").await, 1, "once");

    // Reply, close, reopen: a customer's rules.
    sqlx::query("UPDATE tickets SET status = 'resolved', last_speaker = 'staff'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let replied = reader.post(&format!("{link}/reply"), &[("message", "Still burning.")]).await;
    replied.assert_redirect_to(&format!("{link}?msg=replied"));
    assert_eq!(replied.headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(app.text("SELECT status AS v FROM tickets").await, "open");
    assert_eq!(app.text("SELECT last_speaker AS v FROM tickets").await, "customer");
    reader
        .get(&format!("{link}?msg=replied"))
        .await
        .assert_contains("Still burning.")
        .assert_contains("Your reply has been added.");
    reader.post(&format!("{link}/close"), &[]).await.assert_redirect_to(&format!("{link}?msg=closed"));
    assert_eq!(app.text("SELECT status AS v FROM tickets").await, "closed");
    let refused = reader.post(&format!("{link}/reply"), &[("message", "Hello?")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Reopen it first");
    reader.post(&format!("{link}/reopen"), &[]).await.assert_redirect_to(&format!("{link}?msg=reopened"));
    assert_eq!(app.text("SELECT status AS v FROM tickets").await, "open");
    let blank = reader.post(&format!("{link}/reply"), &[("message", "  ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_csrf = reader.post_raw(&format!("{link}/close"), &[]).await;
    assert!(no_csrf.status.is_client_error(), "{}", no_csrf.status);
    assert_eq!(app.text("SELECT status AS v FROM tickets").await, "open");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM ticket_messages").await, 2, "first message and one reply");

    // Internal notes stay internal.
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_name, body, created_at) \
         SELECT portal_id, id, 'note', 'Agent', 'INTERNAL: suspicious visitor', updated_at FROM tickets",
    )
    .execute(app.db.writer())
    .await
    .unwrap();
    reader.get(&link).await.assert_lacks("INTERNAL").assert_contains("Still burning.");
}

#[tokio::test]
async fn a_customers_address_joins_their_list_only_once_the_link_is_opened() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (_, department) = visitor_portal(&app, "default").await;
    app.cli_ok(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "ana@client.test"],
        &format!("{PASSWORD}\n"),
    );
    let ana_id = app.id_of("SELECT id FROM customers WHERE email_lower = $1", "ana@client.test").await;
    let visitor = app.browser();
    let stranger_sent = submit_as(&visitor, "default", department, "nobody@nowhere.test", "From a stranger").await;
    let as_ana = submit_as(&visitor, "default", department, "ANA@Client.test", "Typed as Ana").await;
    // The answer does not tell whether the address is a customer's.
    assert_eq!(stranger_sent.location, as_ana.location);
    let (_, link) = link_from(&sink, "ANA@Client.test", 1002).await;

    let ana = app.browser();
    ana.sign_in_portal("default", "ana@client.test", PASSWORD).await.assert_redirect_to("/portal/default/");
    ana.get("/portal/default/tickets").await.assert_lacks("Typed as Ana").assert_lacks("#1002");
    assert_eq!(ana.get("/portal/default/tickets/1002").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE customer_id IS NOT NULL").await, 0);

    app.browser().get(&link).await.assert_contains("Typed as Ana");
    let owner: Option<i64> = sqlx::query("SELECT customer_id FROM tickets WHERE number = 1002")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .try_get("customer_id")
        .unwrap();
    assert_eq!(owner, Some(ana_id));
    ana.get("/portal/default/tickets").await.assert_contains("Typed as Ana").assert_lacks("From a stranger");
    ana.get("/portal/default/tickets/1002").await.assert_contains("It stopped working");
    // A reply through the link is now Ana's.
    app.browser().post(&format!("{link}/reply"), &[("message", "Through the link")]).await.assert_redirect_to(&link);
    let by_ana =
        app.count_with("SELECT COUNT(*) AS n FROM ticket_messages WHERE author_customer_id = $1", ana_id).await;
    assert_eq!(by_ana, 1);
    ana.get("/portal/default/tickets/1002").await.assert_contains("Through the link");
}

#[tokio::test]
async fn a_link_opens_its_own_ticket_in_its_own_portal_only() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (_, desk) = visitor_portal(&app, "default").await;
    let (_, beta_desk) = visitor_portal(&app, "beta").await;
    let visitor = app.browser();
    submit_as(&visitor, "default", desk, "one@visitor.test", "First visitor problem").await.assert_redirect_to("/");
    submit_as(&visitor, "default", desk, "two@visitor.test", "Second visitor problem").await.assert_redirect_to("/");
    submit_as(&visitor, "beta", beta_desk, "three@visitor.test", "Beta visitor problem").await.assert_redirect_to("/");
    let (_, first) = link_from(&sink, "one@visitor.test", 1001).await;
    let (_, beta) = link_from(&sink, "three@visitor.test", 1001).await;
    assert!(beta.starts_with("/portal/beta/tickets/follow/"), "{beta}");
    let first_token = first.rsplit('/').next().unwrap();
    let beta_token = beta.rsplit('/').next().unwrap();
    let page = visitor.get(&first).await;
    page.assert_contains("First visitor problem").assert_lacks("Second visitor").assert_lacks("Beta visitor");
    let before = footprint(&app).await;

    let random = frontdesk::web::tokens::random_token();
    let wrong = [
        format!("/portal/beta/tickets/follow/{first_token}"),
        format!("/portal/default/tickets/follow/{beta_token}"),
        format!("/portal/nowhere/tickets/follow/{first_token}"),
        format!("/portal/default/tickets/follow/{random}"),
        format!("/portal/default/tickets/follow/{}", &first_token[..first_token.len() - 1]),
        format!("/portal/default/tickets/follow/{first_token}x"),
        format!("/portal/default/tickets/follow/{}", first_token.to_uppercase()),
        "/portal/default/tickets/follow/%27%20OR%201=1".to_string(),
        "/portal/default/tickets/follow/1001".to_string(),
    ];
    for path in &wrong {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {path}");
        page.assert_lacks("visitor problem");
        for action in ["reply", "close", "reopen"] {
            let page = visitor.post(&format!("{path}/{action}"), &[("message", "Intrusion")]).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {path}/{action}");
        }
    }
    assert_eq!(footprint(&app).await, before, "nothing changed");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE verified_at IS NOT NULL").await, 1, "first only");

    // Links of a portal with its own host name use it, and work there.
    app.cli_ok(&["portal", "set", "beta", "host", "help.beta.test"], "");
    submit_as(&visitor, "beta", beta_desk, "four@visitor.test", "On the host").await.assert_redirect_to("/");
    let mail = sink.wait_for("four@visitor.test", "#1002").await;
    assert!(mail.text.contains("http://help.beta.test/tickets/follow/"), "{}", mail.text);
    let hosted = mail.link("/tickets/follow/");
    visitor.get_on_host("help.beta.test", &hosted).await.assert_contains("On the host");
}

#[tokio::test]
async fn wrong_links_from_one_network_are_throttled() {
    let app = crate::common::spawn().await;
    visitor_portal(&app, "default").await;
    let visitor = app.browser();
    let mut statuses = vec![];
    for _ in 0..80 {
        let random = frontdesk::web::tokens::random_token();
        let status = visitor.get(&format!("/portal/default/tickets/follow/{random}")).await.status;
        statuses.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    assert!(statuses[..50].iter().all(|s| *s == StatusCode::NOT_FOUND), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let random = frontdesk::web::tokens::random_token();
    let page = visitor.get(&format!("/portal/default/tickets/follow/{random}")).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Too many wrong links");
}

#[tokio::test]
async fn submissions_are_limited_per_email_address_and_a_refusal_writes_nothing() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (_, department) = visitor_portal(&app, "default").await;
    let visitor = app.browser();
    for i in 1..=5 {
        let page = submit_as(&visitor, "default", department, "flood@victim.test", &format!("Spam {i}")).await;
        page.assert_redirect_to("/portal/default/tickets/submit/sent");
    }
    let before = footprint(&app).await;
    // The same address in other letters is the same address.
    let refused = submit_as(&visitor, "default", department, "FLOOD@victim.test", "Spam 6").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    refused.assert_contains("You can send another in").assert_contains("Spam 6");
    assert_eq!(footprint(&app).await, before, "nothing written");
    // Another address from the same network still gets through.
    submit_as(&visitor, "default", department, "real@person.test", "Real").await.assert_redirect_to("/");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 6);
}

#[tokio::test]
async fn bad_input_gets_4xx_and_writes_nothing() {
    let app = crate::common::spawn().await;
    let (_, department) = visitor_portal(&app, "default").await;
    let (_, foreign) = app.portal_with_department("beta").await;
    let visitor = app.browser();
    let department = department.to_string();
    let foreign = foreign.to_string();
    let huge = "x".repeat(100_000);
    let good = [
        ("name", "Vera"),
        ("email", "vera@visitor.test"),
        ("department", department.as_str()),
        ("subject", "Subject"),
        ("message", "Message"),
    ];
    let with = |field: &str, value: &'static str| {
        let mut fields = good;
        fields.iter_mut().find(|(k, _)| *k == field).unwrap().1 = value;
        fields
    };
    let cases: Vec<([(&str, &str); 5], &str)> = vec![
        (with("name", "   "), "Please tell us your name."),
        (with("name", "Vera\u{202E}Bcc"), "A name may not contain line breaks"),
        (with("email", "not-an-email"), "Please enter one email address"),
        (with("email", "a@x.test, b@y.test"), "Please enter one email address"),
        (with("email", ""), "Please enter one email address"),
        (with("department", "999999"), "Please choose one of the departments listed."),
        (with("department", "1; DROP TABLE tickets"), "Please choose one of the departments listed."),
        (with("subject", ""), "Please give the ticket a subject."),
        (with("message", ""), "Please write a message."),
    ];
    for (fields, message) in cases {
        let page = submit(&visitor, "default", fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        page.assert_contains(message);
    }
    let mut foreign_department = good;
    foreign_department[2].1 = foreign.as_str();
    let page = submit(&visitor, "default", foreign_department).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let crlf = submit(&visitor, "default", with("name", "Vera\r\nBcc: x@y.test")).await;
    assert!(crlf.status.is_client_error(), "{}", crlf.status);
    let mut long = good;
    long[3].1 = huge.as_str();
    let page = submit(&visitor, "default", long).await;
    assert!(page.status.is_client_error(), "{}", page.status);
    let no_csrf = visitor.post_raw("/portal/default/tickets/submit", &good).await;
    assert!(no_csrf.status.is_client_error(), "{}", no_csrf.status);
    assert_eq!(footprint(&app).await, vec![0; 7], "nothing written");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM code_requests").await, 0, "refusals use up no allowance");
    submit(&visitor, "default", good).await.assert_redirect_to("/portal/default/tickets/submit/sent");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets").await, 1);
}

#[tokio::test]
async fn a_visitor_reading_portuguese_gets_every_page_and_the_email_in_portuguese() {
    let sink = SmtpSink::start();
    let app = crate::common::spawn_with_mail(&sink).await;
    let (_, department) = visitor_portal(&app, "default").await;
    let visitor = app.browser_pt();
    let login = visitor.get("/portal/default/login").await;
    login.assert_contains("Abra um chamado sem entrar");
    let form = visitor.get("/portal/default/tickets/submit").await;
    assert_eq!(form.html_lang(), "pt-BR");
    form.assert_no_english().assert_contains("Seu e-mail");
    let department = department.to_string();
    let bad = [("name", ""), ("email", "x"), ("department", department.as_str()), ("subject", ""), ("message", "")];
    let refused = submit(&visitor, "default", bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_no_english().assert_contains("Informe seu nome.");
    submit_as(&visitor, "default", department.parse().unwrap(), "vera@visitor.test", "Impressora")
        .await
        .assert_redirect_to("/");
    let sent = visitor.get("/portal/default/tickets/submit/sent").await;
    sent.assert_no_english().assert_contains("Confira seu e-mail");
    let (mail, link) = link_from(&sink, "vera@visitor.test", 1001).await;
    assert!(mail.subject.contains("Seu chamado nº 1001"), "{}", mail.subject);
    assert!(mail.text.contains("Abrir seu chamado") && !mail.text.contains("Open your ticket"), "{}", mail.text);
    let page = visitor.get(&link).await;
    assert_eq!(page.html_lang(), "pt-BR");
    page.assert_no_english().assert_contains("Responder");
    visitor.post(&format!("{link}/close"), &[]).await;
    visitor.get(&format!("{link}?msg=closed")).await.assert_no_english().assert_contains("Reabrir");
}

//! Work that touches many rows takes one query, not one per row: the statements the server sends
//! are counted from sqlx's own log of them.

#[allow(dead_code)] // This binary uses a few of the shared helpers.
mod common;

use std::sync::{Arc, Mutex, OnceLock};

use common::oidc::{OidcProvider, TENANT, allowed_hosts, connect_portal, secret_key, sign_in_with_microsoft};
use common::*;
use reqwest::StatusCode;
use tracing_subscriber::layer::SubscriberExt;

const PASSWORD: &str = "Str0ng-Enough-Pw";

/// Every statement the server has sent, in order, from the `sqlx::query` log events.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

/// Reads the SQL of one `sqlx::query` event: the whole statement when sqlx gives it, else
/// its summary (a short statement is its own summary).
#[derive(Default)]
struct StatementText {
    statement: String,
    summary: String,
}

impl tracing::field::Visit for StatementText {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "db.statement" => self.statement = value.to_string(),
            "summary" => self.summary = value.to_string(),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut text = StatementText::default();
        event.record(&mut text);
        let sql = if text.statement.trim().is_empty() { text.summary } else { text.statement };
        self.0.lock().unwrap().push(sql);
    }
}

impl Statements {
    /// The one log for this test process (SQLite runs statements on its own threads, so the
    /// subscriber must be the global one), and the lock that keeps the tests from counting
    /// each other's statements.
    fn global() -> (&'static Statements, &'static tokio::sync::Mutex<()>) {
        static STATEMENTS: OnceLock<Statements> = OnceLock::new();
        static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let statements = STATEMENTS.get_or_init(|| {
            let statements = Statements::default();
            let subscriber = tracing_subscriber::registry().with(statements.clone());
            tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
            statements
        });
        (statements, &ONE_AT_A_TIME)
    }

    fn mark(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// Statements sent since `mark` that contain `fragment`.
    fn since(&self, mark: usize, fragment: &str) -> usize {
        self.since_all(mark, &[fragment])
    }

    /// Statements sent since `mark` that contain every one of `fragments`.
    fn since_all(&self, mark: usize, fragments: &[&str]) -> usize {
        self.0.lock().unwrap()[mark..].iter().filter(|sql| fragments.iter().all(|f| sql.contains(f))).count()
    }
}

fn cli_ok(app: &TestApp, args: &[&str]) {
    let out = app.cli(args, &format!("{PASSWORD}\n"));
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Statements about portal settings while a staff member opens their profile (which shows the
/// password rules of every portal they work in).
/// The middle of five loads: the background work of a server that another test of this binary
/// just stopped may log a statement meanwhile, and an event is now and then missed while the
/// global subscriber settles; neither happens twice in a row.
async fn settings_queries_for_profile(app: &TestApp, email: &str, statements: &Statements) -> usize {
    let b = app.manage_as(email, PASSWORD).await;
    let mut counts = Vec::new();
    for _ in 0..5 {
        let mark = statements.mark();
        let page = b.get("/manage/profile").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        counts.push(statements.since(mark, "portal_settings"));
    }
    counts.sort_unstable();
    counts[counts.len() / 2]
}

#[tokio::test]
async fn password_rules_of_all_of_a_staff_members_portals_come_from_one_query() {
    let (statements, lock) = Statements::global();
    let _one_at_a_time = lock.lock().await;
    let app = spawn().await;
    cli_ok(&app, &["user", "add", "--portal", "default", "--role", "agent", "--email", "ana@example.com"]);
    let in_one_portal = settings_queries_for_profile(&app, "ana@example.com", statements).await;
    for slug in ["beta", "gamma", "delta"] {
        cli_ok(&app, &["portal", "add", slug, "--name", slug]);
        cli_ok(&app, &["user", "add", "--portal", slug, "--role", "agent", "--email", "ana@example.com"]);
    }
    // The strictest rules win: a portal that asks for 20 characters.
    cli_ok(&app, &["portal", "set", "gamma", "password_min_length", "20"]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff_portals sp JOIN staff s ON s.id = sp.staff_id WHERE s.email_lower = 'ana@example.com'").await, 4);
    let in_four_portals = settings_queries_for_profile(&app, "ana@example.com", statements).await;
    assert_eq!(in_four_portals, in_one_portal, "one query whatever the number of portals");
    let b = app.manage_as("ana@example.com", PASSWORD).await;
    b.get("/manage/profile").await.assert_contains("20");
}

#[tokio::test]
async fn an_agents_permissions_and_departments_are_stored_in_one_statement_each() {
    let (statements, lock) = Statements::global();
    let _one_at_a_time = lock.lock().await;
    let app = spawn().await;
    cli_ok(&app, &["user", "add", "--portal", "default", "--role", "agent", "--email", "ana@example.com"]);
    let admin = app.admin().await;
    for name in ["Sales", "Support", "Billing"] {
        admin.post("/manage/departments", &[("name", name)]).await.assert_redirect_to("/manage/departments");
    }
    let ana: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE email_lower = 'ana@example.com'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let departments: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM departments ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let ids: Vec<String> = departments.iter().map(i64::to_string).collect();
    let mut form = vec![("role", "agent"), ("perm", "answer_tickets"), ("perm", "answer_chats"), ("perm", "edit_kb")];
    // Named twice: granted once.
    form.push(("perm", "answer_chats"));
    form.extend(ids.iter().map(|id| ("department", id.as_str())));

    let mark = statements.mark();
    admin.post(&format!("/manage/agents/{ana}"), &form).await.assert_redirect_to(&format!("/manage/agents/{ana}"));
    assert_eq!(statements.since(mark, "INSERT INTO staff_permissions"), 1);
    assert_eq!(statements.since(mark, "INSERT INTO department_members"), 1);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM staff_permissions WHERE staff_id = $1", ana).await, 3);
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM department_members WHERE staff_id = $1", ana).await, 3);
}

#[tokio::test]
async fn who_to_ask_for_approval_comes_from_one_query() {
    let (statements, lock) = Statements::global();
    let _one_at_a_time = lock.lock().await;
    let provider = OidcProvider::start();
    let app = spawn_with(|c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = allowed_hosts(&provider);
    })
    .await;
    const BRUNO: common::oidc::DirectoryUser = common::oidc::DirectoryUser {
        login: "bruno@contoso.test",
        username: None,
        oid: "b2b2b2b2-0000-4000-8000-000000000002",
        name: "Bruno Costa",
        email: None,
    };
    provider.add_tenant(TENANT, &app, &[BRUNO]).await;
    connect_portal(&app, "default", &provider.url, "create_pending").await;
    cli_ok(&app, &["user", "add", "--portal", "default", "--role", "admin", "--email", "boss@example.com"]);
    for email in ["mgr@example.com", "agent1@example.com", "agent2@example.com"] {
        cli_ok(&app, &["user", "add", "--portal", "default", "--role", "agent", "--email", email]);
    }
    let admin = app.admin().await;
    let mgr: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE email_lower = 'mgr@example.com'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    admin.post(&format!("/manage/agents/{mgr}"), &[("role", "agent"), ("perm", "manage_agents")]).await;

    let mark = statements.mark();
    let page = sign_in_with_microsoft(&app.browser(), "default", BRUNO.login).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    page.assert_contains("waiting for an administrator");
    assert_eq!(statements.since(mark, "staff_permissions"), 1, "one query, not one per staff member");
    let recipients: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM outbox ORDER BY recipient").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(recipients, [ADMIN_EMAIL, "boss@example.com", "mgr@example.com"]);
}

/// A chat socket reads its session when it opens, not for each message: each message is
/// checked as it is stored, by the statement that stores it. Nor is an agent's chat read again
/// before each of their messages. At a thousand messages a second those reads were most of a
/// message's wait on two nodes.
#[tokio::test]
async fn a_chat_sockets_messages_read_no_session_and_no_chat_on_the_side() {
    use common::chat_core::{next_frame, open_socket};
    use futures_util::SinkExt;
    let (statements, lock) = Statements::global();
    let _one_at_a_time = lock.lock().await;
    let app = spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let (ana, agent) = app.signed_in_agent("default", "ana@desk.test", &[department], &["answer_chats"]).await;
    let now = frontdesk::db::now();
    let chat: i64 = sqlx::query_scalar(
        "INSERT INTO chats (portal_id, department_id, requester_name, requester_email, language, origin, state, \
         agent_id, queued_at, created_at, accepted_at) VALUES ($1, $2, 'Carla', 'carla@client.test', 'en', 'portal', \
         'active', $3, $4, $4, $4) RETURNING id",
    )
    .bind(portal)
    .bind(department)
    .bind(ana)
    .bind(now)
    .fetch_one(app.db.writer())
    .await
    .unwrap();
    let mut socket = open_socket(&agent, &format!("/manage/chats/{chat}/socket")).await.expect("the agent's socket");
    next_frame(&mut socket, "state").await;
    let mark = statements.mark();
    for n in 1..=5 {
        let frame = serde_json::json!({"type": "send", "client_id": format!("m-{n}"), "body": format!("Message {n}")});
        socket.send(tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into())).await.unwrap();
        assert_eq!(next_frame(&mut socket, "ack").await["seq"], n);
    }
    assert_eq!(statements.since(mark, "FROM sessions WHERE id = $1 AND"), 0, "no session read on the side");
    assert_eq!(statements.since(mark, "FROM chats c"), 0, "no chat read on the side");
    assert_eq!(statements.since(mark, "INSERT INTO chat_messages"), 5, "each message stored");
    assert_eq!(statements.since(mark, "EXISTS (SELECT 1 FROM sessions"), 5, "by a statement that checks the session");
    // Nor does that statement notify: on PostgreSQL its commit would take the lock of the
    // notification queue, one message's commit after another; the node tells the others
    // after it (`EventBus::tell_soon`).
    assert_eq!(
        statements.since_all(mark, &["INSERT INTO chat_messages", "pg_notify"]),
        0,
        "no notification in the store"
    );
}

/// A signed-in customer's pages that only read take their session and account from the node's
/// memory (`src/auth/signed_in.rs`) while nothing changed: the two reads cost more than the page.
/// A request that writes makes the node read them again.
#[tokio::test]
async fn a_signed_in_customers_pages_read_no_session_while_nothing_changed() {
    let (statements, lock) = Statements::global();
    let _one_at_a_time = lock.lock().await;
    let app = spawn().await;
    app.customer("default", "carla@client.test", PASSWORD).await;
    let carla = app.browser();
    carla.sign_in_portal("default", "carla@client.test", PASSWORD).await.assert_redirect_to("/portal/default/");
    carla.get("/portal/default/kb").await.assert_contains("carla@client.test");
    let mark = statements.mark();
    for _ in 0..5 {
        carla.get("/portal/default/kb").await.assert_contains("carla@client.test");
    }
    assert_eq!(statements.since(mark, "FROM sessions WHERE token_hash"), 0, "no session read");
    assert_eq!(statements.since(mark, "FROM customers WHERE"), 0, "no customer read");
    // Nobody empties the node's memory by sending forms that change no one's session or account:
    // a form to no page, a form refused (no CSRF token), a password-reset request (it locks
    // the customer's row with `SET id = id`, which no trigger counts).
    let stranger = app.browser();
    stranger.post("/portal/default/nothing-here", &[]).await;
    stranger.post("/portal/default/forgot", &[("email", "carla@client.test")]).await.assert_status(StatusCode::OK);
    carla.post_raw("/portal/default/profile/details", &[("name", "Not Carla")]).await;
    // Long enough for every node's read of the change counters (four a second) to have seen a
    // change, had there been one.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let mark = statements.mark();
    carla.get("/portal/default/kb").await.assert_contains("carla@client.test");
    assert_eq!(statements.since(mark, "FROM sessions WHERE token_hash"), 0, "still no session read");
    carla
        .post("/portal/default/profile/details", &[("name", "Carla C"), ("mobile", "")])
        .await
        .assert_redirect_to("/portal/default/profile");
    let mark = statements.mark();
    carla.get("/portal/default/kb").await.assert_contains("Carla C");
    assert_eq!(statements.since(mark, "FROM sessions WHERE token_hash"), 1, "read again after a write");
}

//! What the fixed stack itself allows, without any of Frontdesk's own work: axum answering
//! through sqlx's `Any` driver, the way every Frontdesk page reaches its database. Run beside
//! `bare_axum` with the same wrk settings (`bench/floor.sh`), on a desk seeded by
//! `frontdesk seed`, to see how far a page or a submission can go before any of our code runs.
//!
//!     cargo run --release --example stack_floor -- 127.0.0.1:PORT sqlite:///path/bench.db
//!
//! - `GET /one`: one `SELECT 1` (what `/healthz` does);
//! - `GET /rows`: one statement reading the 50 newest active tickets, decoded, nothing rendered;
//! - `GET /rows-native`: the same through sqlx's SQLite driver without the `Any` layer;
//! - `GET /page`: the statements an agent's queue page needs at the least (session, staff,
//!   permissions, departments, the 50 tickets, the menu's counters), decoded, nothing rendered;
//! - `POST /submit`: a ticket, its first message and its history line in one transaction on the
//!   single writer, the least a submission writes (no outbox, no throttle, no files).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

#[derive(Clone)]
struct Pools {
    read: AnyPool,
    write: AnyPool,
    /// The same file through sqlx's own SQLite driver, without the `Any` layer (SQLite only).
    native: Option<sqlx::SqlitePool>,
}

const TICKETS: &str = "SELECT t.id, t.number, t.subject, t.status, t.priority, t.priority_rank, t.department_id, \
     t.assignee_id, t.requester_name, t.last_speaker, t.created_at, t.updated_at FROM tickets t \
     WHERE t.portal_id = $1 AND t.status IN ('new', 'open', 'pending') ORDER BY t.updated_at DESC, t.id DESC LIMIT 51";

async fn one(State(p): State<Pools>) -> String {
    let n: i32 = sqlx::query("SELECT 1 AS n").fetch_one(&p.read).await.unwrap().get("n");
    n.to_string()
}

/// Reads and decodes the rows as the queue does, so that the driver's per-row cost counts.
async fn tickets(pool: &AnyPool) -> usize {
    let rows = sqlx::query(TICKETS).bind(1_i64).fetch_all(pool).await.unwrap();
    rows.iter()
        .map(|r| {
            let subject: String = r.get("subject");
            let name: String = r.get("requester_name");
            let id: i64 = r.get("id");
            let assignee: Option<i64> = r.get("assignee_id");
            subject.len() + name.len() + id as usize + assignee.unwrap_or(0) as usize
        })
        .sum()
}

async fn rows(State(p): State<Pools>) -> String {
    tickets(&p.read).await.to_string()
}

/// `/rows` through the SQLite driver itself: tells the `Any` layer's cost from the driver's.
async fn rows_native(State(p): State<Pools>) -> String {
    let Some(pool) = p.native else { return "SQLite only".into() };
    let rows = sqlx::query(TICKETS).bind(1_i64).fetch_all(&pool).await.unwrap();
    rows.iter().map(|r| r.get::<String, _>("subject").len()).sum::<usize>().to_string()
}

async fn page(State(p): State<Pools>) -> String {
    let small = [
        "SELECT id, staff_id FROM sessions WHERE token_hash = 'none'",
        "SELECT id, email, name FROM staff WHERE id = 1",
        "SELECT portal_id, role FROM staff_portals WHERE staff_id = 1",
        "SELECT id, name FROM departments WHERE portal_id = 1",
    ];
    for sql in small {
        sqlx::query(sql).fetch_all(&p.read).await.unwrap();
    }
    let n = tickets(&p.read).await;
    sqlx::query("SELECT department_id, status, n FROM ticket_counts WHERE portal_id = 1")
        .fetch_all(&p.read)
        .await
        .unwrap();
    n.to_string()
}

async fn submit(State(p): State<Pools>) -> String {
    let mut tx = p.write.begin().await.unwrap();
    let number: i64 = sqlx::query(
        "INSERT INTO portal_counters (portal_id, name, last_value) VALUES (1, 'ticket', 1001) \
         ON CONFLICT (portal_id, name) DO UPDATE SET last_value = portal_counters.last_value + 1 RETURNING last_value",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap()
    .get("last_value");
    let id: i64 = sqlx::query(
        "INSERT INTO tickets (portal_id, number, requester_name, requester_email, department_id, status, priority, \
         subject, last_speaker, created_at, updated_at) SELECT 1, $1, 'Floor', 'floor@example.com', MIN(id), 'new', \
         'normal', 'A floor ticket', 'customer', 1, 1 FROM departments WHERE portal_id = 1 RETURNING id",
    )
    .bind(number)
    .fetch_one(&mut *tx)
    .await
    .unwrap()
    .get("id");
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_name, body, created_at) \
         VALUES (1, $1, 'public', 'Floor', 'Some words', 1)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO ticket_events (portal_id, ticket_id, actor_name, what, new_value, created_at) \
         VALUES (1, $1, 'Floor', 'created', 'new', 1)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    number.to_string()
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8091".into());
    let url = args.next().expect("a database URL");
    let sqlite = url.starts_with("sqlite:");
    let open = |n: u32| {
        AnyPoolOptions::new().max_connections(n).after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    sqlx::raw_sql("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;").execute(conn).await?;
                }
                Ok(())
            })
        })
    };
    let read = open(if sqlite { 8 } else { 16 }).connect(&url).await.expect("connect");
    let write = if sqlite { open(1).connect(&url).await.expect("connect") } else { read.clone() };
    let native = if sqlite { Some(sqlx::SqlitePool::connect(&url).await.expect("connect")) } else { None };
    let listener = tokio::net::TcpListener::bind(&bind).await.expect("bind");
    let app = Router::new()
        .route("/one", get(one))
        .route("/rows", get(rows))
        .route("/rows-native", get(rows_native))
        .route("/page", get(page))
        .route("/submit", post(submit))
        .with_state(Pools { read, write, native });
    axum::serve(listener, app).await.expect("serve");
}

//! Health check, first-run bootstrap and the `serve` command's start-up errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = spawn().await;
    let page = app.browser().get("/healthz").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.trim(), "ok");
    app.db.close().await;
    let page = app.browser().get("/healthz").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn first_start_creates_a_portal_and_an_administrator_once() {
    let app = spawn().await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE slug = 'default'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff WHERE is_superadmin = 1").await, 1);
    let b = app.admin().await;
    b.follow("/manage").await.assert_contains("Help desk").assert_contains("Administrator");
}

/// Starts the real binary on a fresh database; returns it with the lines it printed up to the
/// first-run password.
fn start_binary(db_url: &str) -> (std::process::Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve")
        .env("FRONTDESK_BIND", "127.0.0.1:0")
        .env("FRONTDESK_DATABASE_URL", db_url)
        .env("FRONTDESK_LOG", "warn")
        .env_remove("FRONTDESK_ADMIN_PASSWORD")
        .env_remove("FRONTDESK_ADMIN_EMAIL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start frontdesk");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    while !lines.last().is_some_and(|l: &String| l.contains("password:")) {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).expect("read stdout") > 0, "frontdesk stopped early: {lines:?}");
        lines.push(line.trim_end().to_string());
    }
    (child, lines)
}

#[tokio::test]
async fn serve_prints_where_to_sign_in_and_a_generated_password_that_must_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("fd.db").display());
    let (mut child, lines) = start_binary(&db_url);
    let text = lines.join("\n");
    let base = lines[0].trim_start_matches("Frontdesk is running at ").trim_end_matches('/').to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{text}");
    assert!(text.contains("/manage/login"), "{text}");
    assert!(text.contains("email:    admin@example.com"), "{text}");
    let password = text.split("password: ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();

    let b = Browser::new(&base);
    b.sign_in_manage("admin@example.com", &password).await.assert_redirect_to("/manage/profile?msg=must-change");
    // Every other page sends them back to choose a password.
    b.get("/manage/agents").await.assert_redirect_to("/manage/profile");
    let new = "Sea-Shell-Orange-42";
    let page = b
        .post(
            "/manage/profile/password",
            &[("current_password", &password), ("new_password", new), ("confirm_password", new)],
        )
        .await;
    page.assert_redirect_to("/manage/profile?msg=password-changed");
    b.get("/manage/agents").await.assert_contains("Agents and administrators");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn serve_fails_with_one_clear_line_for_a_bad_url_or_a_busy_port() {
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--database-url", "mysql://nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: FRONTDESK_DATABASE_URL") && err.contains("sqlite://"), "{err}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("FRONTDESK_DATABASE_URL", format!("sqlite://{}", dir.path().join("x.db").display()))
        .env("FRONTDESK_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot listen on") && err.contains("FRONTDESK_BIND"), "{err}");

    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("FRONTDESK_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("FRONTDESK_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot connect to the database"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test]
async fn what_the_user_was_told_was_saved_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("fd.db").display());
    let (mut child, lines) = start_binary(&db_url);
    let base = lines[0].trim_start_matches("Frontdesk is running at ").trim_end_matches('/').to_string();
    let password =
        lines.iter().find_map(|l| l.split("password: ").nth(1)).unwrap().split_whitespace().next().unwrap().to_string();
    let b = Browser::new(&base);
    b.sign_in_manage("admin@example.com", &password).await;
    let new = "Survives-Kill-9!";
    b.post(
        "/manage/profile/password",
        &[("current_password", &password), ("new_password", new), ("confirm_password", new)],
    )
    .await
    .assert_redirect_to("/manage/profile?msg=password-changed");
    b.post("/manage/departments", &[("name", "Durable")]).await.assert_redirect_to("/manage/departments?msg=created");
    let session = b.cookie("fd_manage").unwrap();
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    child.wait().unwrap();

    // Restart on the same file and port-0; the session, the password and the department remain.
    let mut restarted = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve")
        .env("FRONTDESK_BIND", "127.0.0.1:0")
        .env("FRONTDESK_DATABASE_URL", &db_url)
        .env("FRONTDESK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(restarted.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let base = first.trim().trim_start_matches("Frontdesk is running at ").trim_end_matches('/').to_string();
    let c = Browser::new(&base);
    let resp = c
        .client
        .get(format!("{base}/manage/departments"))
        .header("cookie", format!("fd_manage={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("Durable"));
    c.sign_in_manage("admin@example.com", new).await.assert_redirect_to("/manage");
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}

#[tokio::test]
async fn when_one_node_dies_another_keeps_the_session_and_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = fresh_database(&dir).await;
    let mut a = node::start_node(db_url.as_str());
    let mut b = node::start_node(db_url.as_str());
    let (base_a, base_b) = (a.base.clone(), b.base.clone());
    let browser = Browser::new(&base_a);
    browser.sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/manage");
    browser
        .post("/manage/departments", &[("name", "Night shift")])
        .await
        .assert_redirect_to("/manage/departments?msg=created");
    let session = browser.cookie("fd_manage").unwrap();
    let csrf = browser.cookie("fd_csrf").unwrap();
    a.kill_9();

    // The same browser (same cookies), now sent to the other node by the load balancer.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cookies = format!("fd_manage={session}; fd_csrf={csrf}");
    let page = client.get(format!("{base_b}/manage/departments")).header("cookie", &cookies).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Night shift"));
    let resp = client
        .post(format!("{base_b}/manage/departments"))
        .header("cookie", &cookies)
        .form(&[("csrf", csrf.as_str()), ("name", "Day shift")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    b.kill_9();
}

/// On PostgreSQL every connection of the pool runs without parallel workers (src/db/postgres.rs,
/// `configure_connection`); SQLite has none to turn off.
#[tokio::test]
async fn postgres_connections_run_without_parallel_workers() {
    let app = crate::common::spawn().await;
    if app.db.backend() != frontdesk::db::Backend::Postgres {
        return;
    }
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = app.db.pool().acquire().await.unwrap();
        let workers: String = sqlx::query_scalar("SELECT current_setting('max_parallel_workers_per_gather')")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(workers, "0");
        held.push(conn);
    }
}

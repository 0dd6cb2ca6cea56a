//! Password sign-in and sign-out on both interfaces, and what keeps them apart.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn management_sign_in_shows_the_shell_and_stores_only_a_token_hash() {
    let app = spawn().await;
    let b = app.browser();
    b.get("/manage/login").await.assert_contains("Management interface").assert_contains(r#"name="csrf""#);
    let page = b.sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    page.assert_redirect_to("/manage");
    let set_cookie =
        page.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let session_cookie = set_cookie.iter().find(|c| c.starts_with("fd_manage=")).expect("session cookie");
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"), "{session_cookie}");

    let home = b.get("/manage").await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_contains(r#"id="avatar-menu""#)
        .assert_contains(">Profile</a>")
        .assert_contains(">Settings</a>")
        .assert_contains("Sign out")
        .assert_contains(r#"id="menu""#)
        .assert_contains(r#"id="actions""#);

    let token = b.cookie("fd_manage").unwrap();
    let stored = app.text("SELECT token_hash AS v FROM sessions WHERE realm = 'manage'").await;
    assert_eq!(stored.len(), 64);
    assert_ne!(stored, token);
    assert_eq!(stored, frontdesk::web::tokens::token_hash(&token));
}

#[tokio::test]
async fn unknown_account_and_wrong_password_get_the_same_answer() {
    let app = spawn().await;
    let b = app.browser();
    let wrong = b.sign_in_manage(ADMIN_EMAIL, "Not-The-Passw0rd").await;
    let unknown = b.sign_in_manage("nobody@example.com", "Not-The-Passw0rd").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    wrong.assert_contains("The email address or password is incorrect.");
    unknown.assert_contains("The email address or password is incorrect.");
    // Apart from the email echoed back into the form, the pages are the same.
    assert_eq!(wrong.body.replace(ADMIN_EMAIL, "X"), unknown.body.replace("nobody@example.com", "X"));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = spawn().await;
    let b = app.admin().await;
    let token = b.cookie("fd_manage").unwrap();
    b.post("/manage/logout", &[]).await.assert_redirect_to("/manage/login?msg=signed-out");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);
    // Replaying the old cookie gets nowhere.
    let replay = Browser::new(&app.base);
    let resp = replay
        .client
        .get(format!("{}/manage", app.base))
        .header("cookie", format!("fd_manage={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(resp.headers()["location"].to_str().unwrap().starts_with("/manage/login"));
}

/// A session's number is never given to another, even once its row is gone: sockets and the
/// ends told to them go by number (SQLite would give the highest number again, migration 0033).
#[tokio::test]
async fn a_session_number_is_never_given_twice() {
    let app = spawn().await;
    let first = app.admin().await;
    let ended = app.count("SELECT MAX(id) AS n FROM sessions").await;
    first.post("/manage/logout", &[]).await.assert_redirect_to("/manage/login?msg=signed-out");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0, "the newest row is gone");
    let _second = app.admin().await;
    let next = app.count("SELECT MAX(id) AS n FROM sessions").await;
    assert!(next > ended, "the new session took number {next}, the ended one had {ended}");
}

#[tokio::test]
async fn portal_and_management_sessions_are_separate() {
    let app = spawn().await;
    let b = app.admin().await;
    // Signed in to management, but not to the portal.
    b.get("/portal/default/").await.assert_contains(">Sign in</a>").assert_lacks("Welcome");
    b.get("/portal/default/profile").await.assert_redirect_to("/portal/default/login");

    // Now sign in to the portal too: a staff member there sees the way to management.
    b.sign_in_portal("default", ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/portal/default/");
    let home = b.get("/portal/default/").await;
    home.assert_contains("Welcome, Administrator").assert_contains("Management interface");
    assert!(home.body.contains(r#"href="/manage/login?portal=default""#));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 2);

    // Signing out of the portal leaves management signed in.
    b.post("/portal/default/logout", &[]).await.assert_redirect_to("/portal/default/login?msg=signed-out");
    assert_eq!(b.get("/manage").await.status, StatusCode::OK);
    b.get("/portal/default/").await.assert_lacks("Welcome");

    // And the reverse: a portal session does not open management.
    let c = app.browser();
    c.sign_in_portal("default", ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/portal/default/");
    c.get("/manage").await.assert_redirect_to("/manage/login");
}

#[tokio::test]
async fn signing_in_again_rotates_the_session_token() {
    let app = spawn().await;
    let b = app.admin().await;
    let first = b.cookie("fd_manage").unwrap();
    b.sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/manage");
    let second = b.cookie("fd_manage").unwrap();
    assert_ne!(first, second);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 1);
}

#[tokio::test]
async fn customers_sign_in_on_the_common_page_and_on_their_portal() {
    let app = spawn().await;
    let out = app.cli(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "cleo@example.net", "--name", "Cleo"],
        "Cust0mer-Secret!\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let b = app.browser();
    let login = b.get("/login").await;
    login.assert_contains(r#"<option value="default""#).assert_contains("/manage/login");
    b.post("/login", &[("portal", "default"), ("email", "cleo@example.net"), ("password", "Cust0mer-Secret!")])
        .await
        .assert_redirect_to("/portal/default/");
    let home = b.get("/portal/default/").await;
    home.assert_contains("Welcome, Cleo").assert_lacks("Management interface");

    let wrong = app
        .browser()
        .post("/login", &[("portal", "default"), ("email", "cleo@example.net"), ("password", "nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("The email address or password is incorrect.");

    // A customer has no way into management.
    let m = app.browser().sign_in_manage("cleo@example.net", "Cust0mer-Secret!").await;
    assert_eq!(m.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_and_absolute_expiry_end_sessions() {
    let app = spawn().await;
    let b = app.admin().await;
    assert_eq!(b.get("/manage").await.status, StatusCode::OK);
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60").execute(app.db.pool()).await.unwrap();
    b.get("/manage").await.assert_redirect_to("/manage/login");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);

    let b = app.admin().await;
    sqlx::query("UPDATE sessions SET expires_at = expires_at - 13 * 3600").execute(app.db.pool()).await.unwrap();
    b.get("/manage").await.assert_redirect_to("/manage/login");
}

#[tokio::test]
async fn a_portal_with_its_own_host_is_served_at_that_hosts_root() {
    let app = spawn().await;
    let out = app.cli(&["portal", "set", "default", "host", "support.acme.test"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let b = app.browser();
    let resp = b.client.get(format!("{}/", app.base)).header("host", "support.acme.test").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.text().await.unwrap();
    assert!(body.contains("<h1>Help desk</h1>") && body.contains(r#"href="/login""#), "{body}");
    let resp = b.client.get(format!("{}/login", app.base)).header("host", "support.acme.test").send().await.unwrap();
    let body = resp.text().await.unwrap();
    assert!(body.contains("Sign in to Help desk") && body.contains(r#"action="/login""#), "{body}");
}

#[tokio::test]
async fn https_public_urls_get_host_prefixed_secure_cookies() {
    let app = spawn_with(|c| c.public_url = Some("https://help.example.com".parse().unwrap())).await;
    let b = app.browser();
    let page = b.get("/manage/login").await;
    let csrf_cookie = page.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(
        csrf_cookie.starts_with("__Host-fd_csrf=")
            && csrf_cookie.contains("; Secure")
            && csrf_cookie.contains("HttpOnly"),
        "{csrf_cookie}"
    );
    let token = csrf_cookie.trim_start_matches("__Host-fd_csrf=").split(';').next().unwrap().to_string();
    let resp = b
        .client
        .post(format!("{}/manage/login", app.base))
        .header("cookie", format!("__Host-fd_csrf={token}"))
        .form(&[("csrf", token.as_str()), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let session = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(
        session.starts_with("__Host-fd_manage=") && session.contains("Path=/") && session.contains("; Secure"),
        "{session}"
    );
}

#[tokio::test]
async fn guessing_across_many_accounts_from_one_address_is_throttled() {
    let app = spawn().await;
    let b = app.browser();
    for i in 0..20 {
        let page = b.sign_in_manage(&format!("user{i}@example.com"), "Wrong-Passw0rd").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // After 20 failures from this address the next attempt waits, whatever the account.
    let page = b.sign_in_manage("someone-new@example.com", "Wrong-Passw0rd").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("SELECT failures AS n FROM signin_throttle WHERE key = 'address:127.0.0.1'").await, 20);
}

//! CSRF, throttling of guesses, bad input, and portals kept apart.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn().await;
    let b = app.browser();
    b.get("/manage/login").await;
    let page = b.post_raw("/manage/login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("This form has expired or was sent from another site");
    let page = b
        .post_raw("/manage/login", &[("csrf", "forged-value"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);

    // A signed-in user's forms are protected the same way.
    let admin = app.admin().await;
    let page = admin.post_raw("/manage/departments", &[("name", "Sales")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 0);
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = spawn().await;
    let b = app.admin().await;
    let csrf = b.cookie("fd_csrf").unwrap();
    let resp = b
        .client
        .post(format!("{}/manage/departments", app.base))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("name", "Sales")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 0);
    // The same form from this site's own origin goes through.
    let resp = b
        .client
        .post(format!("{}/manage/departments", app.base))
        .header("origin", app.base.as_str())
        .form(&[("csrf", csrf.as_str()), ("name", "Sales")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 1);
}

#[tokio::test]
async fn repeated_failures_are_throttled_even_for_the_right_password() {
    let app = spawn().await;
    let b = app.browser();
    for _ in 0..5 {
        assert_eq!(b.sign_in_manage(ADMIN_EMAIL, "Wrong-Passw0rd").await.status, StatusCode::UNAUTHORIZED);
    }
    // After five failures the next attempt, even with the right password, must wait its turn.
    let page = b.sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Too many failed sign-in attempts. Wait");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);
    assert_eq!(app.count("SELECT failures AS n FROM signin_throttle WHERE key = 'account:admin@example.com'").await, 5);

    // An unknown account is throttled exactly the same way, so throttling reveals nothing.
    let c = Browser::new(&app.base);
    for _ in 0..5 {
        c.sign_in_manage("ghost@example.com", "Wrong-Passw0rd").await;
    }
    assert_eq!(c.sign_in_manage("ghost@example.com", "Wrong-Passw0rd").await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_hourly_cap_holds_even_when_delays_are_skipped() {
    let app = spawn().await;
    // Pretend 100 failures happened this hour with no delay pending (times in milliseconds).
    let now_ms = frontdesk::db::now() * 1000;
    sqlx::query("INSERT INTO signin_throttle (key, failures, window_start, blocked_until) VALUES ('account:admin@example.com', 100, $1, 0)")
        .bind(now_ms - 60_000)
        .execute(app.db.pool())
        .await
        .unwrap();
    let page = app.browser().sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("Wait 59 minutes");
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_500() {
    let app = spawn().await;
    let b = app.admin().await;
    // A form missing a field.
    let page = b.post("/manage/login", &[("email", ADMIN_EMAIL)]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("missing a field");
    // Not a form at all.
    let resp = b
        .client
        .post(format!("{}/manage/login", app.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("takes a submitted form"));
    // An oversized body.
    let huge = "x".repeat(200 * 1024);
    let page = b.post("/manage/departments", &[("name", &huge)]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", page.body);
    page.assert_contains("too large");
    // A name too long for a department: a message, nothing written.
    let long = "d".repeat(81);
    let page = b.post("/manage/departments", &[("name", &long)]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("1 to 80 characters");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 0);
    // Malformed ids and unknown pages.
    assert_eq!(b.get("/manage/agents/not-a-number").await.status, StatusCode::BAD_REQUEST);
    let page = b.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("does not exist");
    assert_eq!(b.get("/portal/no-such-portal/login").await.status, StatusCode::NOT_FOUND);
    // A password far too long is refused by the policy, not by a crash.
    let long_pw = "Aa1!".repeat(300);
    let page = b
        .post(
            "/manage/profile/password",
            &[("current_password", ADMIN_PASSWORD), ("new_password", &long_pw), ("confirm_password", &long_pw)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("at most 256 characters");
}

#[tokio::test]
async fn portals_are_kept_apart() {
    let app = spawn().await;
    for args in [
        vec!["portal", "add", "beta", "--name", "Beta Corp"],
        vec!["user", "add", "--portal", "beta", "--role", "admin", "--email", "boss@beta.test"],
        vec!["user", "add", "--portal", "beta", "--role", "customer", "--email", "carl@beta.test"],
        vec!["user", "add", "--portal", "default", "--role", "customer", "--email", "ada@alpha.test"],
        vec!["user", "add", "--portal", "default", "--role", "agent", "--email", "agent@alpha.test"],
    ] {
        let out = app.cli(&args, "Str0ng-Enough-Pw\n");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let beta_customer = app.count("SELECT id AS n FROM customers WHERE email_lower = 'carl@beta.test'").await;
    let beta_admin = app.count("SELECT id AS n FROM staff WHERE email_lower = 'boss@beta.test'").await;
    let alpha_customer = app.count("SELECT id AS n FROM customers WHERE email_lower = 'ada@alpha.test'").await;

    // An administrator of beta cannot reach the default portal's people.
    let boss = app.manage_as("boss@beta.test", "Str0ng-Enough-Pw").await;
    assert_eq!(boss.get(&format!("/manage/customers/{alpha_customer}")).await.status, StatusCode::NOT_FOUND);
    boss.get("/manage/customers").await.assert_contains("carl@beta.test").assert_lacks("ada@alpha.test");
    boss.get("/manage/agents").await.assert_lacks("agent@alpha.test");
    let page = boss.post("/manage/switch-portal", &[("portal", "default")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = boss.post(&format!("/manage/customers/{alpha_customer}/status"), &[("disabled", "true")]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count_with("SELECT COUNT(*) AS n FROM customers WHERE id = $1 AND disabled_at IS NULL", alpha_customer)
            .await,
        1
    );

    // The default portal's administrator cannot reach beta's either (until made a member).
    let admin = app.admin().await;
    let agent_alpha = app.manage_as("agent@alpha.test", "Str0ng-Enough-Pw").await;
    assert_eq!(agent_alpha.get(&format!("/manage/agents/{beta_admin}")).await.status, StatusCode::FORBIDDEN);
    // The superadmin works in every portal, but only in the one they switched to.
    assert_eq!(admin.get(&format!("/manage/customers/{beta_customer}")).await.status, StatusCode::NOT_FOUND);

    // A customer of one portal is nobody in another: not signed in there, and their password
    // does not open it.
    let ada = app.browser();
    ada.sign_in_portal("default", "ada@alpha.test", "Str0ng-Enough-Pw").await.assert_redirect_to("/portal/default/");
    ada.get("/portal/beta/profile").await.assert_redirect_to("/portal/beta/login");
    let page = ada.sign_in_portal("beta", "ada@alpha.test", "Str0ng-Enough-Pw").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    // Even the session token itself does not work under another portal's cookie.
    let token = ada.cookie("fd_portal_1").expect("portal 1 session cookie");
    let beta_id = app.count("SELECT id AS n FROM portals WHERE slug = 'beta'").await;
    let resp = ada
        .client
        .get(format!("{}/portal/beta/profile", app.base))
        .header("cookie", format!("fd_portal_{beta_id}={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

//! Throttling slows guessing without letting anyone lock others out: bursts get no more tries
//! than the same attempts in a row, failures count once per account across every form, a
//! browser that signed in before is not held back by others' failures, and attempts cut short
//! leave nothing behind.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;

const PASSWORD: &str = "Str0ng-Enough-Pw";

/// Fires `n` sign-ins at once from browsers that never signed in.
async fn burst(app: &TestApp, n: usize, email: &str, password: &str) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let b = app.browser();
        let (email, password) = (email.to_string(), password.to_string());
        b.get("/manage/login").await;
        tasks.push(tokio::spawn(async move { b.sign_in_manage(&email, &password).await.status }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

async fn failures(app: &TestApp, key: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT failures FROM signin_throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(app.db.pool())
        .await
        .unwrap()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_gets_no_more_tries_than_in_a_row() {
    let app = spawn().await;
    let statuses = burst(&app, 60, ADMIN_EMAIL, "Wrong-Passw0rd").await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let waited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, waited), (5, 55), "{statuses:?}");
    assert_eq!(failures(&app, "account:admin@example.com").await, 5);
}

#[tokio::test]
async fn failures_count_once_per_account_across_every_form() {
    let app = spawn().await;
    let b = app.browser();
    for _ in 0..3 {
        assert_eq!(b.sign_in_manage(ADMIN_EMAIL, "Wrong-Passw0rd").await.status, StatusCode::UNAUTHORIZED);
    }
    // The administrator works in the default portal, so its sign-in form counts for them too.
    for _ in 0..2 {
        assert_eq!(b.sign_in_portal("default", ADMIN_EMAIL, "Wrong-Passw0rd").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(failures(&app, "account:admin@example.com").await, 5);
    assert_eq!(b.sign_in_manage(ADMIN_EMAIL, "Wrong-Passw0rd").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b.sign_in_portal("default", ADMIN_EMAIL, "Wrong-Passw0rd").await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn others_failures_never_keep_out_a_browser_that_signed_in_before() {
    let app = spawn().await;
    let out = app.cli(
        &["user", "add", "--portal", "default", "--role", "agent", "--email", "ana@example.com"],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success());
    // The owner and a colleague signed in from their browsers before, and signed out.
    let owner = app.admin().await;
    let ana = app.manage_as("ana@example.com", PASSWORD).await;
    for b in [&owner, &ana] {
        assert!(b.cookie("fd_browser").is_some(), "the browser is remembered");
        b.post("/manage/logout", &[]).await;
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM known_browsers").await, 2);

    // Someone behind the same address hammers the account, and made-up accounts.
    burst(&app, 110, ADMIN_EMAIL, "Wrong-Passw0rd").await;
    for i in 0..25 {
        app.browser().sign_in_manage(&format!("made-up-{i}@example.com"), "Wrong-Passw0rd").await;
    }
    assert_eq!(app.browser().sign_in_manage("ana@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);

    // The owner's browser and the colleague's get in at once.
    owner.sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/manage");
    ana.sign_in_manage("ana@example.com", PASSWORD).await.assert_redirect_to("/manage");
    // A browser the account never used waits its turn, but a minute at most: a delay, not a lock.
    let page = app.browser().sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_lacks("minutes");
}

#[tokio::test]
async fn a_known_browser_that_keeps_failing_loses_its_standing() {
    let app = spawn().await;
    let owner = app.admin().await;
    owner.post("/manage/logout", &[]).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let status = owner.sign_in_manage(ADMIN_EMAIL, "Wrong-Passw0rd").await.status;
        statuses.push(status);
        if status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    // Its own failures slow it down like anyone else's.
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(failures(&app, "account:admin@example.com").await, 0, "a known browser's failures are its own");
}

#[tokio::test]
async fn sign_ins_cut_short_by_the_client_leave_nothing_behind() {
    let app = spawn().await;
    let b = app.browser();
    b.get("/manage/login").await;
    let impatient = reqwest::Client::builder()
        .cookie_provider(b.jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_millis(10))
        .build()
        .unwrap();
    let csrf = b.cookie("fd_csrf").unwrap();
    for _ in 0..100 {
        let form = [("csrf", csrf.as_str()), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];
        let _ = impatient.post(format!("{}/manage/login", app.base)).form(&form).send().await;
    }
    // Once the checks under way have finished, nothing is counted and nothing waits.
    for _ in 0..100 {
        if app.count("SELECT COUNT(*) AS n FROM signin_throttle WHERE in_flight > 0").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM signin_throttle WHERE failures > 0").await, 0);
    app.browser().sign_in_manage(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_redirect_to("/manage");
}

#[tokio::test]
async fn many_people_behind_one_address_sign_in_at_the_same_moment() {
    let app = spawn().await;
    let emails: Vec<String> = (0..24).map(|i| format!("person{i}@office.test")).collect();
    for email in &emails {
        let args = ["user", "add", "--portal", "default", "--role", "customer", "--email", email.as_str()];
        assert!(app.cli(&args, &format!("{PASSWORD}\n")).status.success());
    }
    let mut people = Vec::new();
    for email in emails {
        let b = app.browser();
        b.get("/login").await;
        people.push((b, email));
    }
    // All at once: a barrier lets every request go when the last one is ready.
    let ready = std::sync::Arc::new(tokio::sync::Barrier::new(people.len()));
    let mut tasks = Vec::new();
    for (b, email) in people {
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            ready.wait().await;
            let page = b.sign_in_portal("default", &email, PASSWORD).await;
            if page.status != StatusCode::SEE_OTHER {
                eprintln!("{email}: {} {}", page.status, page.body);
            }
            page.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER, "everyone gets in");
    }
}

#[tokio::test]
async fn throttling_tells_nothing_about_who_has_an_account_where() {
    let app = spawn().await;
    for args in [
        ["user", "add", "--portal", "default", "--role", "agent", "--email", "agent@example.com"],
        ["user", "add", "--portal", "default", "--role", "customer", "--email", "customer@example.com"],
    ] {
        assert!(app.cli(&args, &format!("{PASSWORD}\n")).status.success());
    }
    // Five failures on the management form, then one on the portal's: the same answer whether
    // the address is staff, a customer, or nobody.
    for email in ["agent@example.com", "customer@example.com", "nobody@example.com"] {
        let b = app.browser();
        for _ in 0..5 {
            assert_eq!(b.sign_in_manage(email, "Wrong-Passw0rd").await.status, StatusCode::UNAUTHORIZED);
        }
        let page = b.sign_in_portal("default", email, "Wrong-Passw0rd").await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
    }
}

#[tokio::test]
async fn wrong_current_passwords_count_against_the_account_too() {
    let app = spawn().await;
    let admin = app.admin().await;
    for _ in 0..5 {
        let page = admin
            .post(
                "/manage/profile/password",
                &[
                    ("current_password", "Wrong-Passw0rd"),
                    ("new_password", "N3w-Passw0rd!x"),
                    ("confirm_password", "N3w-Passw0rd!x"),
                ],
            )
            .await;
        page.assert_contains("Your current password is not correct");
    }
    assert_eq!(failures(&app, "account:admin@example.com").await, 5);
    // A browser the account never used now waits, like after five wrong sign-ins.
    assert_eq!(app.browser().sign_in_manage(ADMIN_EMAIL, "Wrong-Passw0rd").await.status, StatusCode::TOO_MANY_REQUESTS);
}

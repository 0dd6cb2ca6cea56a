//! Passwords across routes: the portal's policy, links voided by any change, the "password
//! changed" notice, Unicode forms, the idle limit, and what a customer's profile reveals.

use crate::common::mail::SmtpSink;
use crate::common::*;
use reqwest::StatusCode;

const CUSTOMER: &str = "cleo@client.test";
const CUSTOMER_PASSWORD: &str = "Cust0mer-Secret!";

fn add_customer(app: &TestApp, email: &str, password: &str) {
    let out = app
        .cli(&["user", "add", "--portal", "default", "--role", "customer", "--email", email], &format!("{password}\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn portal_set(app: &TestApp, key: &str, value: &str) {
    let out = app.cli(&["portal", "set", "default", key, value], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn change_password(b: &Browser, path: &str, current: &str, new: &str) -> Page {
    b.post(path, &[("current_password", current), ("new_password", new), ("confirm_password", new)]).await
}

async fn open_links(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM one_time_tokens WHERE used_at IS NULL").await
}

#[tokio::test]
async fn a_length_only_portal_accepts_a_passphrase_and_staff_meet_every_portal_they_work_in() {
    let app = spawn().await;
    add_customer(&app, CUSTOMER, CUSTOMER_PASSWORD);
    portal_set(&app, "password_policy", "length_only");
    portal_set(&app, "password_min_length", "20");
    let cleo = app.browser();
    cleo.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await.assert_redirect_to("/portal/default/");
    cleo.get("/portal/default/profile").await.assert_contains("At least 20 characters").assert_lacks("upper-case");
    let passphrase = "correct horse battery staple";
    change_password(&cleo, "/portal/default/profile/password", CUSTOMER_PASSWORD, passphrase)
        .await
        .assert_redirect_to("/portal/default/profile?msg=password-changed");
    app.browser().sign_in_portal("default", CUSTOMER, passphrase).await.assert_redirect_to("/portal/default/");

    // The administrator also works in beta, which keeps the composition rules: their password
    // must satisfy both portals, so 20 characters and the composition rules.
    app.cli(&["portal", "add", "beta", "--name", "Beta"], "");
    let out = app.cli(&["user", "add", "--portal", "beta", "--role", "admin", "--email", ADMIN_EMAIL], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let admin = app.admin().await;
    let page = change_password(&admin, "/manage/profile/password", ADMIN_PASSWORD, passphrase).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("upper-case");
    let page = change_password(&admin, "/manage/profile/password", ADMIN_PASSWORD, "Sh0rt-but-Ok!!").await;
    page.assert_contains("at least 20 characters");
    let both = "Tr0pical-Fish-and-Chips!";
    change_password(&admin, "/manage/profile/password", ADMIN_PASSWORD, both)
        .await
        .assert_redirect_to("/manage/profile?msg=password-changed");
    app.manage_as(ADMIN_EMAIL, both).await;
}

#[tokio::test]
async fn a_profile_change_voids_earlier_links_and_sends_a_notice() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.browser().post("/manage/forgot", &[("email", ADMIN_EMAIL)]).await;
    let reset = sink.wait_for(ADMIN_EMAIL, "Reset your password").await.link("/manage/password/");
    assert_eq!(open_links(&app).await, 1);

    let admin = app.admin().await;
    let new = "Changed-On-Profile-1";
    change_password(&admin, "/manage/profile/password", ADMIN_PASSWORD, new)
        .await
        .assert_redirect_to("/manage/profile?msg=password-changed");
    let notice = sink.wait_for(ADMIN_EMAIL, "was changed").await;
    assert!(notice.text.contains("no longer work"), "{}", notice.text);
    assert!(notice.text.contains("/manage/login"), "{}", notice.text);
    assert_eq!(open_links(&app).await, 0);

    // The reset link sent before the change no longer sets a password.
    let b = app.browser();
    let page = b.get(&reset).await;
    assert_eq!(page.status, StatusCode::GONE);
    page.assert_contains("the password was changed after it was sent");
    let page = b.post(&reset, &[("new_password", "Attacker-Pass-99"), ("confirm_password", "Attacker-Pass-99")]).await;
    assert_eq!(page.status, StatusCode::GONE);
    app.manage_as(ADMIN_EMAIL, new).await;

    // A customer changing their password on their portal's profile gets the notice too.
    add_customer(&app, CUSTOMER, CUSTOMER_PASSWORD);
    let cleo = app.browser();
    cleo.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await;
    change_password(&cleo, "/portal/default/profile/password", CUSTOMER_PASSWORD, "Cleo-Changed-Pw-2")
        .await
        .assert_redirect_to("/portal/default/profile?msg=password-changed");
    let notice = sink.wait_for(CUSTOMER, "was changed").await;
    assert!(notice.text.contains("/portal/default/login"), "{}", notice.text);
    assert!(!notice.text.contains("has been signed out"), "the other sessions were kept: {}", notice.text);
}

#[tokio::test]
async fn setting_a_password_through_one_link_or_the_cli_voids_every_other_link() {
    let sink = SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    // An invited customer also asks for a reset, and sets their password with the reset link.
    let admin = app.admin().await;
    admin.post("/manage/customers", &[("email", "ivy@client.test"), ("name", "Ivy")]).await;
    let invitation = sink.wait_for("ivy@client.test", "Your account at").await.link("/portal/default/password/");
    let b = app.browser();
    b.post("/portal/default/forgot", &[("email", "ivy@client.test")]).await;
    let reset = sink.wait_for("ivy@client.test", "Reset your password").await.link("/portal/default/password/");
    assert_eq!(open_links(&app).await, 2);
    b.post(&reset, &[("new_password", "Ivy-Own-Secret-1"), ("confirm_password", "Ivy-Own-Secret-1")])
        .await
        .assert_redirect_to("/portal/default/login?msg=password-set");
    assert_eq!(open_links(&app).await, 0);
    // Her first password replaced none: no "password changed" notice, only the two links.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox WHERE recipient = 'ivy@client.test'").await, 2);
    let page =
        b.post(&invitation, &[("new_password", "Ivy-Other-Pass-2"), ("confirm_password", "Ivy-Other-Pass-2")]).await;
    assert_eq!(page.status, StatusCode::GONE);
    b.sign_in_portal("default", "ivy@client.test", "Ivy-Own-Secret-1").await.assert_redirect_to("/portal/default/");

    // `frontdesk user set-password` voids a pending reset and sends the notice.
    add_customer(&app, CUSTOMER, CUSTOMER_PASSWORD);
    app.browser().post("/portal/default/forgot", &[("email", CUSTOMER)]).await;
    let reset = sink.wait_for(CUSTOMER, "Reset your password").await.link("/portal/default/password/");
    let out = app.cli(&["user", "set-password", "--email", CUSTOMER, "--portal", "default"], "Set-By-Operator-3\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(open_links(&app).await, 0);
    assert_eq!(app.browser().get(&reset).await.status, StatusCode::GONE);
    let notice = sink.wait_for(CUSTOMER, "was changed").await;
    assert!(notice.text.contains("has been signed out"), "{}", notice.text);
    app.browser().sign_in_portal("default", CUSTOMER, "Set-By-Operator-3").await.assert_redirect_to("/portal/default/");
}

#[tokio::test]
async fn passwords_match_whatever_unicode_form_they_are_typed_in() {
    let app = spawn().await;
    let composed = "Caf\u{e9}!Pass-2024";
    let decomposed = "Cafe\u{301}!Pass-2024";
    let out = app.cli(&["user", "set-password", "--email", ADMIN_EMAIL], &format!("{composed}\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.manage_as(ADMIN_EMAIL, decomposed).await;
    app.manage_as(ADMIN_EMAIL, composed).await;

    // A hash made before normalisation, from the decomposed form as typed, still works, and is
    // replaced at that sign-in by one of the normalised form, which the composed form matches.
    use argon2::PasswordHasher as _;
    let old = argon2::Argon2::default().hash_password(decomposed.as_bytes()).unwrap().to_string();
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE email_lower = $2")
        .bind(&old)
        .bind(ADMIN_EMAIL)
        .execute(app.db.writer())
        .await
        .unwrap();
    assert_eq!(app.browser().sign_in_manage(ADMIN_EMAIL, "Cafe!Pass-2024").await.status, StatusCode::UNAUTHORIZED);
    app.manage_as(ADMIN_EMAIL, decomposed).await;
    let stored = app.text("SELECT password_hash AS v FROM staff WHERE email_lower = 'admin@example.com'").await;
    assert_ne!(stored, old, "the old hash is replaced");
    app.manage_as(ADMIN_EMAIL, composed).await;
}

#[tokio::test]
async fn an_active_session_outlives_a_one_minute_idle_limit() {
    let app = spawn_with(|c| c.sessions.idle_secs = 60).await;
    let b = app.admin().await;
    let back = |secs: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
                .bind(secs)
                .execute(db.writer())
                .await
                .unwrap();
        }
    };
    // A request 50 s after the last recorded one, then another 15 s later: 65 s since the
    // recorded time, but never more than 50 s without a request.
    back(50).await;
    assert_eq!(b.get("/manage").await.status, StatusCode::OK);
    back(15).await;
    assert_eq!(b.get("/manage").await.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 1);
    // A whole minute (and a second) with no request ends it.
    back(62).await;
    b.get("/manage").await.assert_redirect_to("/manage/login");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions").await, 0);
}

#[tokio::test]
async fn the_profile_does_not_tell_whose_mobile_number_a_customer_types() {
    let app = spawn().await;
    add_customer(&app, CUSTOMER, CUSTOMER_PASSWORD);
    add_customer(&app, "bob@client.test", "B0b-Customer-Pw!");
    let cleo = app.browser();
    cleo.sign_in_portal("default", CUSTOMER, CUSTOMER_PASSWORD).await;
    cleo.post("/portal/default/profile/details", &[("name", "Cleo"), ("mobile", "+1 555 123 0001")])
        .await
        .assert_redirect_to("/portal/default/profile?msg=saved");

    let bob = app.browser();
    bob.sign_in_portal("default", "bob@client.test", "B0b-Customer-Pw!").await;
    let page = bob.post("/portal/default/profile/details", &[("name", "Bob"), ("mobile", "+15551230001")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("This mobile number cannot be used for your account.")
        .assert_lacks("another customer")
        .assert_lacks("5551230001");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers WHERE mobile IS NOT NULL").await, 1);

    // Trying number after number is limited: ten an hour.
    for i in 2..=10 {
        let mobile = format!("+1555123{i:04}");
        bob.post("/portal/default/profile/details", &[("name", "Bob"), ("mobile", &mobile)])
            .await
            .assert_redirect_to("/portal/default/profile?msg=saved");
    }
    let page = bob.post("/portal/default/profile/details", &[("name", "Bob"), ("mobile", "+15551230099")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("tried too many mobile numbers");
    assert_eq!(
        app.text("SELECT mobile AS v FROM customers WHERE email_lower = 'bob@client.test'").await,
        "+15551230010"
    );
    // Saving the name with the number already on file is not a try.
    bob.post("/portal/default/profile/details", &[("name", "Bobby"), ("mobile", "+15551230010")])
        .await
        .assert_redirect_to("/portal/default/profile?msg=saved");
}

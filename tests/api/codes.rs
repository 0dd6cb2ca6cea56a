//! Customers signing in with a one-time code by email, SMS or both, against a real SMTP server
//! and a real HTTP SMS endpoint.

use crate::common;
use crate::common::mail::SmtpSink;
use crate::common::sms::{SmsGateway, six_digits};
use crate::common::*;
use reqwest::StatusCode;

const CUSTOMER: &str = "cara@client.test";

/// An app sending mail to `sink` and SMS to `gateway`, with further config changes.
async fn spawn_messaging(
    sink: &SmtpSink,
    gateway: &SmsGateway,
    adjust: impl FnOnce(&mut frontdesk::config::Config),
) -> TestApp {
    spawn_with(|c| {
        use_smtp(c, sink.port);
        use_sms(c, gateway);
        adjust(c);
    })
    .await
}

/// Adds the test customer, with a mobile number, through the CLI.
fn add_customer(app: &TestApp, mobile: &str) {
    let out = app.cli(
        &[
            "user", "add", "--portal", "default", "--role", "customer", "--email", CUSTOMER, "--name", "Cara",
            "--mobile", mobile,
        ],
        "Cust0mer-Secret!\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// An app with mail and SMS, a customer with a mobile number, and the given sign-in methods.
async fn setup(methods: &str) -> (TestApp, SmtpSink, SmsGateway) {
    let sink = SmtpSink::start();
    let gateway = SmsGateway::start().await;
    let app = spawn_messaging(&sink, &gateway, |_| {}).await;
    add_customer(&app, "+1 (555) 123-0001");
    let out = app.cli(&["portal", "set", "default", "customer_signin", methods], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (app, sink, gateway)
}

async fn request_code(b: &Browser, identity: &str) -> Page {
    b.post("/portal/default/login/code/request", &[("identity", identity)]).await
}

#[tokio::test]
async fn a_customer_signs_in_with_a_code_sent_by_email() {
    let (app, sink, gateway) = setup("email_code").await;
    assert_eq!(app.text("SELECT mobile AS v FROM customers").await, "+15551230001");
    let b = app.browser();
    let login = b.get("/portal/default/login").await;
    login.assert_contains("Get code").assert_lacks(r#"id="password-sign-in""#);

    let page = request_code(&b, "Cara@Client.test").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("we have sent a 6-digit code by email").assert_contains("expires in 10 minutes");
    let mail = sink.wait_for(CUSTOMER, "Your sign-in code for Help desk").await;
    let code = six_digits(&mail.text);
    assert!(mail.html.contains(&code));
    assert!(gateway.received().is_empty(), "email only: no SMS");
    // Only hashes are stored.
    let stored = app.text("SELECT code_hash AS v FROM sign_in_codes").await;
    assert!(!stored.contains(&code) && stored.len() == 64);

    b.post("/portal/default/login/code", &[("code", &code)]).await.assert_redirect_to("/portal/default/");
    b.get("/portal/default/").await.assert_contains("Welcome, Cara");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sign_in_codes WHERE used_at IS NOT NULL").await, 1);
}

#[tokio::test]
async fn with_both_channels_the_same_code_goes_by_email_and_sms_and_either_copy_works() {
    let (app, sink, gateway) = setup("password,email_code,sms_code").await;
    let b = app.browser();
    request_code(&b, "+1 555 123 0001").await.assert_contains("by email and by SMS");
    let sms = gateway.wait_for("is your code to sign in to Help desk").await;
    assert_eq!(sms.authorization, "Bearer gateway-token");
    assert!(sms.content_type.starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_str(&sms.body).unwrap();
    assert_eq!(json["to"], "+15551230001");
    let code = six_digits(json["body"].as_str().unwrap());
    let mail = sink.wait_for(CUSTOMER, "sign-in code").await;
    assert_eq!(six_digits(&mail.text), code, "one code, two copies");
    b.post("/portal/default/login/code", &[("code", &code)]).await.assert_redirect_to("/portal/default/");
}

#[tokio::test]
async fn codes_work_once_expire_and_die_after_five_wrong_tries() {
    let (app, sink, _gateway) = setup("email_code").await;
    // Used once, a code is spent, even replayed with the same browser token.
    let b = app.browser();
    request_code(&b, CUSTOMER).await;
    let code = six_digits(&sink.wait_for(CUSTOMER, "sign-in code").await.text);
    let request_cookie = b.cookie("fd_code_1").expect("code request cookie");
    b.post("/portal/default/login/code", &[("code", &code)]).await.assert_redirect_to("/portal/default/");
    let replay = app.browser();
    replay.jar.add_cookie_str(&format!("fd_code_1={request_cookie}"), &app.base.parse().unwrap());
    let page = replay.post("/portal/default/login/code", &[("code", &code)]).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    page.assert_contains("not correct, or it has expired or been used");

    // A code typed in another browser than the one that asked does not work.
    sqlx::query("DELETE FROM code_requests").execute(app.db.writer()).await.unwrap();
    let asker = app.browser();
    request_code(&asker, CUSTOMER).await;
    let mail = wait_for_nth(&sink, 2).await;
    let code = six_digits(&mail.text);
    assert_eq!(
        app.browser().post("/portal/default/login/code", &[("code", &code)]).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Five wrong tries kill it: the sixth try fails even with the right code.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(asker.post("/portal/default/login/code", &[("code", wrong)]).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(asker.post("/portal/default/login/code", &[("code", &code)]).await.status, StatusCode::UNAUTHORIZED);

    // An expired code is refused.
    sqlx::query("DELETE FROM code_requests").execute(app.db.writer()).await.unwrap();
    let late = app.browser();
    request_code(&late, CUSTOMER).await;
    let code = six_digits(&wait_for_nth(&sink, 3).await.text);
    sqlx::query("UPDATE sign_in_codes SET expires_at = expires_at - 601").execute(app.db.writer()).await.unwrap();
    assert_eq!(late.post("/portal/default/login/code", &[("code", &code)]).await.status, StatusCode::UNAUTHORIZED);
}

async fn wait_for_nth(sink: &SmtpSink, n: usize) -> common::mail::Mail {
    for _ in 0..600 {
        let all = sink.messages();
        if all.len() >= n {
            return all[n - 1].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} messages: {:?}", sink.subjects());
}

#[tokio::test]
async fn asking_again_too_soon_says_when_to_try_and_unknown_people_get_the_same_answers() {
    let (app, sink, _gateway) = setup("email_code").await;
    let b = app.browser();
    let known = request_code(&b, CUSTOMER).await;
    let unknown = request_code(&b, "nobody@client.test").await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body.replace(CUSTOMER, "X"), unknown.body.replace("nobody@client.test", "X"));
    let again = request_code(&b, CUSTOMER).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    again.assert_contains("You can ask for another in");
    let again_unknown = request_code(&b, "nobody@client.test").await;
    assert_eq!(again_unknown.status, StatusCode::TOO_MANY_REQUESTS);
    sink.wait_for(CUSTOMER, "sign-in code").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "one code sent, none for the unknown address");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, 1);
}

#[tokio::test]
async fn a_portal_without_sms_codes_sends_none_and_one_without_codes_refuses_them() {
    let (app, sink, gateway) = setup("email_code").await;
    // The customer types their mobile number; the portal only sends codes by email.
    let b = app.browser();
    request_code(&b, "+15551230001").await.assert_contains("by email");
    sink.wait_for(CUSTOMER, "sign-in code").await;
    assert!(gateway.received().is_empty());

    app.cli(&["portal", "set", "default", "customer_signin", "password"], "");
    let page = request_code(&app.browser(), CUSTOMER).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("does not offer sign-in codes");
    app.browser().get("/portal/default/login").await.assert_lacks("Get code");

    // And a portal with codes only refuses passwords.
    app.cli(&["portal", "set", "default", "customer_signin", "sms_code"], "");
    let page = app.browser().sign_in_portal("default", CUSTOMER, "Cust0mer-Secret!").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("does not use passwords");
    // The common sign-in page sends such a portal's customers to its own page for a code.
    let b = app.browser();
    let page = b.post("/login", &[("portal", "default"), ("email", CUSTOMER), ("password", "")]).await;
    page.assert_redirect_to("/portal/default/login?msg=use-code");
    let page = b.get(page.location.as_deref().unwrap()).await;
    page.assert_contains("signs you in with a one-time code").assert_contains("Get code");
    let page = request_code(&app.browser(), "555-0001").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("country code");
}

#[tokio::test]
async fn an_sms_sent_while_the_gateway_is_down_arrives_when_it_is_up() {
    let sink = SmtpSink::start();
    let mut gateway = SmsGateway::down();
    let app = spawn_messaging(&sink, &gateway, |_| {}).await;
    add_customer(&app, "+44 7700 900123");
    app.cli(&["portal", "set", "default", "customer_signin", "sms_code"], "");
    let b = app.browser();
    request_code(&b, CUSTOMER).await.assert_contains("by SMS");
    for _ in 0..300 {
        if app
            .count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'sms' AND attempts >= 1 AND last_error IS NOT NULL")
            .await
            == 1
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let error = app.text("SELECT last_error AS v FROM outbox WHERE kind = 'sms'").await;
    assert!(error.contains("unreachable"), "{error}");
    gateway.up().await;
    let sms = gateway.wait_for("+447700900123").await;
    let code = six_digits(serde_json::from_str::<serde_json::Value>(&sms.body).unwrap()["body"].as_str().unwrap());
    b.post("/portal/default/login/code", &[("code", &code)]).await.assert_redirect_to("/portal/default/");
}

#[tokio::test]
async fn mobile_numbers_are_edited_by_the_customer_and_by_agents() {
    let (app, _sink, _gateway) = setup("password").await;
    let cara = app.browser();
    cara.sign_in_portal("default", CUSTOMER, "Cust0mer-Secret!").await;
    let page = cara.post("/portal/default/profile/details", &[("name", "Cara C"), ("mobile", "call me")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("country code");
    cara.post("/portal/default/profile/details", &[("name", "Cara C"), ("mobile", "+55 11 91234-5678")])
        .await
        .assert_redirect_to("/portal/default/profile?msg=saved");
    assert_eq!(app.text("SELECT mobile AS v FROM customers").await, "+5511912345678");

    let admin = app.admin().await;
    let id = app.count("SELECT id AS n FROM customers").await;
    admin
        .post(&format!("/manage/customers/{id}"), &[("name", "Cara"), ("mobile", "")])
        .await
        .assert_redirect_to(&format!("/manage/customers/{id}?msg=saved"));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers WHERE mobile IS NULL").await, 1);
    // Two customers of a portal cannot share a number.
    admin.post("/manage/customers", &[("email", "dup@client.test"), ("mobile", "+1 555 999 0000")]).await;
    admin
        .post(&format!("/manage/customers/{id}"), &[("name", "Cara"), ("mobile", "+15559990000")])
        .await
        .assert_contains("already uses the mobile number");
    // The CLI refuses what is not a number.
    let out = app.cli(
        &["user", "add", "--portal", "default", "--role", "customer", "--email", "x@client.test", "--mobile", "12"],
        "Cust0mer-Secret!\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("country code"));
}

#[tokio::test]
async fn the_twilio_format_posts_to_the_messages_api_with_basic_auth() {
    let sink = SmtpSink::start();
    let gateway = SmsGateway::start().await;
    let gateway_port = gateway.port;
    let app = spawn_messaging(&sink, &gateway, |c| {
        let sms = c.sms.as_mut().unwrap();
        sms.url = format!("http://127.0.0.1:{gateway_port}").parse().unwrap();
        sms.format = frontdesk::config::SmsFormat::Twilio;
        sms.token = None;
        sms.username = Some("AC0123456789".into());
        sms.password = Some(frontdesk::config::Secret::new("twilio-auth-token"));
        sms.from = Some("+15550000000".into());
    })
    .await;
    add_customer(&app, "+15551230001");
    app.cli(&["portal", "set", "default", "customer_signin", "sms_code"], "");
    let b = app.browser();
    request_code(&b, "+15551230001").await;
    let sms = gateway.wait_for("Body=").await;
    assert_eq!(sms.path, "/2010-04-01/Accounts/AC0123456789/Messages.json");
    use base64::Engine;
    let expected = base64::engine::general_purpose::STANDARD.encode("AC0123456789:twilio-auth-token");
    assert_eq!(sms.authorization, format!("Basic {expected}"));
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&sms.body).unwrap();
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("To"), "+15551230001");
    assert_eq!(get("From"), "+15550000000");
    let code = six_digits(&get("Body"));
    b.post("/portal/default/login/code", &[("code", &code)]).await.assert_redirect_to("/portal/default/");
}

#[tokio::test]
async fn codes_are_limited_to_five_an_hour_per_account_and_thirty_per_address() {
    let (app, _sink, _gateway) = setup("email_code").await;
    let now = frontdesk::db::now();
    // Five requests in the last hour, the latest long enough ago for the 30-second rule.
    for minutes_ago in [50, 40, 30, 20, 10] {
        sqlx::query("INSERT INTO code_requests (key, created_at) VALUES ($1, $2)")
            .bind(format!("code:1:{CUSTOMER}"))
            .bind(now - minutes_ago * 60)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    let page = request_code(&app.browser(), CUSTOMER).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("You can ask for another in 10 minutes");

    // Thirty requests from one address in the hour, whatever accounts they were for.
    for i in 0..30 {
        sqlx::query("INSERT INTO code_requests (key, created_at) VALUES ('code-ip:127.0.0.1', $1)")
            .bind(now - 3000 + i)
            .execute(app.db.writer())
            .await
            .unwrap();
    }
    let page = request_code(&app.browser(), "someone-else@client.test").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    page.assert_contains("minutes");
}

#[tokio::test]
async fn simultaneous_requests_for_one_identity_send_one_code() {
    let (app, sink, _gateway) = setup("email_code").await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let b = app.browser();
        b.get("/portal/default/login").await;
        requests.spawn(async move { request_code(&b, CUSTOMER).await.status });
    }
    let statuses = requests.join_all().await;
    let admitted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(admitted, 1, "{statuses:?}");
    sink.wait_for(CUSTOMER, "sign-in code").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
}

//! Hostile input: where `next` may send someone after signing in, control characters anywhere in
//! a request, long and wildcard searches, email addresses and names that are not what they seem,
//! and the security headers on every page.

use crate::common;
use crate::common::oidc::{AtProvider, DirectoryUser, OidcProvider, TENANT, allowed_hosts, connect_portal, secret_key};
use crate::common::*;
use reqwest::StatusCode;

const PORTAL_HOST: &str = "support.acme.test";

/// A server whose portal `default` also answers on its own host name.
async fn with_portal_host() -> TestApp {
    let app = spawn().await;
    let out = app.cli(&["portal", "set", "default", "host", PORTAL_HOST], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app
}

/// Signs in as the administrator on the portal's own host, with `next` in the form.
async fn portal_host_sign_in(app: &TestApp, next: &str) -> Page {
    let b = app.browser();
    b.get("/login").await;
    let csrf = b.cookie("fd_csrf").unwrap();
    let fields = [("csrf", csrf.as_str()), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", next)];
    let resp = b.client.post(format!("{}/login", app.base)).header("host", PORTAL_HOST).form(&fields).send().await;
    let resp = resp.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let location = headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
    Page { status, body: resp.text().await.unwrap(), location, headers }
}

async fn sessions(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM sessions").await
}

#[tokio::test]
async fn next_on_a_portals_own_host_never_leads_to_another_site() {
    let app = with_portal_host().await;
    // The probe's link: the sign-in page refuses it outright.
    let resp = app
        .browser()
        .client
        .get(format!("{}/login?next=/%09/evil.example/", app.base))
        .header("host", PORTAL_HOST)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("control character"));

    // The same `next` posted with the right password: refused before anyone is signed in.
    let page = portal_host_sign_in(&app, "/\t/evil.example/").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{:?}", page.location);
    page.assert_contains("The field “next” has a control character");
    assert_eq!(sessions(&app).await, 0);

    // Values a browser would read as another site, or that leave the portal: to the portal's home.
    for hostile in
        ["/ /evil.example/", "/.//evil.example/", "//evil.example/", "/\\evil.example/", "https://evil.example/"]
    {
        let page = portal_host_sign_in(&app, hostile).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{hostile:?}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/"), "{hostile:?}");
    }
    assert_eq!(sessions(&app).await, 5);
    // A page of the portal is still where one lands.
    assert_eq!(portal_host_sign_in(&app, "/profile").await.location.as_deref(), Some("/profile"));
}

#[tokio::test]
async fn next_on_management_and_portal_paths_stays_in_its_area() {
    let app = spawn().await;
    for (next, expected) in [
        ("/manage/agents?x=1", "/manage/agents?x=1"),
        ("/manage/.//evil.example", "/manage"),
        ("/manage/../portal/default/", "/manage"),
        ("/manage/ /evil.example", "/manage"),
        ("/managed", "/manage"),
    ] {
        let b = app.browser();
        let page =
            b.post("/manage/login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", next)]).await;
        assert_eq!(page.location.as_deref(), Some(expected), "{next:?}");
    }
    for (next, expected) in
        [("/portal/default/profile", "/portal/default/profile"), ("/portal/default/.//x", "/portal/default/")]
    {
        let b = app.browser();
        let fields = [("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", next)];
        let page = b.post("/portal/default/login", &fields).await;
        assert_eq!(page.location.as_deref(), Some(expected), "{next:?}");
    }
}

#[tokio::test]
async fn a_line_break_in_next_is_a_400_and_signs_no_one_in() {
    let app = spawn().await;
    let b = app.browser();
    let page =
        b.post("/manage/login", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", "/manage\n")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("The field “next” has a control character");
    assert!(page.headers.get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("fd_manage")));
    assert_eq!(sessions(&app).await, 0);
    assert_eq!(b.get("/manage/login?next=/manage%0A").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn nul_and_other_control_characters_get_a_400_with_a_message() {
    let app = spawn().await;
    let anonymous = app.browser();
    for path in ["/portal/a%00b/login", "/manage/login?portal=a%00b", "/login?x=%1B", "/manage/password/a%00b"] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        page.assert_contains("control character");
    }
    // Entra ID's error text on the sign-in return has line breaks: that is not refused.
    let page =
        anonymous.get("/auth/oidc/callback?state=x&error=access_denied&error_description=AADSTS%0D%0ATrace").await;
    page.assert_lacks("control character");
    let page = anonymous.post("/portal/default/login", &[("email", "ana\0@example.com"), ("password", "x")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("The field “email” has a control character");

    let admin = app.admin().await;
    for (path, fields) in [
        ("/manage/departments", vec![("name", "Sa\0les")]),
        ("/manage/customers", vec![("email", "zoe@client.test"), ("name", "Zoe\0")]),
        ("/manage/customers", vec![("email", "zoe@client.test"), ("name", "Zoe\r\nBcc: x@evil.example")]),
        ("/manage/agents", vec![("email", "dan@example.com"), ("name", "Dan\tDan"), ("role", "agent")]),
        ("/manage/portals", vec![("slug", "acme"), ("name", "Acme\u{7}")]),
        ("/manage/profile/details", vec![("name", "Admin\u{85}")]),
    ] {
        let page = admin.post(path, &fields).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path} {fields:?}");
        page.assert_contains("has a control character");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, 0);
    assert_eq!(app.text("SELECT name AS v FROM staff").await, "Administrator");
}

#[tokio::test]
async fn customer_search_is_capped_and_takes_wildcards_literally() {
    let app = spawn().await;
    let admin = app.admin().await;
    for (email, name) in
        [("zoe@client.test", "Zoe"), ("a_b@client.test", "Under Score"), ("pct@client.test", "100% Pat")]
    {
        admin
            .post("/manage/customers", &[("email", email), ("name", name)])
            .await
            .assert_redirect_to("/manage/customers/");
    }
    let page = admin.get(&format!("/manage/customers?q={}", "x".repeat(50_000))).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("Search for at most 200 characters.");

    let page = admin.get("/manage/customers?q=_").await;
    page.assert_contains("a_b@client.test").assert_lacks("zoe@client.test").assert_lacks("pct@client.test");
    let page = admin.get("/manage/customers?q=%25").await;
    page.assert_contains("pct@client.test").assert_lacks("zoe@client.test").assert_lacks("a_b@client.test");
    let page = admin.get("/manage/customers?q=z%25e").await;
    page.assert_contains("No customers match");
    admin.get(&format!("/manage/customers?q={}", "z".repeat(200))).await.assert_contains("No customers match");
}

#[tokio::test]
async fn an_email_field_takes_one_plain_address_only() {
    let app = spawn().await;
    let admin = app.admin().await;
    for hostile in [
        "a@x.example,b@y.example",
        "\"ana\"@x.example",
        "<ana@x.example>",
        "ana@x.example>",
        "ana@[127.0.0.1]",
        "a@x.example;b@y.example",
    ] {
        let page = admin.post("/manage/customers", &[("email", hostile), ("name", "Ana")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{hostile}: {}", page.body);
        page.assert_contains("is not an email address");
        let page = admin.post("/manage/agents", &[("email", hostile), ("name", "Ana"), ("role", "agent")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{hostile}: {}", page.body);
        page.assert_contains("is not an email address");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, 0);
}

#[tokio::test]
async fn names_refuse_text_direction_overrides_with_a_message_per_field() {
    let app = spawn().await;
    let admin = app.admin().await;
    let page = admin.post("/manage/customers", &[("email", "zoe@client.test"), ("name", "Zoe\u{202E}fdp.exe")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("A name may not contain line breaks, tabs, control characters or text-direction overrides.");
    let page =
        admin.post("/manage/agents", &[("email", "dan@example.com"), ("name", "\u{2067}Dan"), ("role", "agent")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("A name may not contain");
    let page = admin.post("/manage/departments", &[("name", "Sales\u{202A}")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("A department name may not contain");
    let page = admin.post("/manage/portals", &[("slug", "acme"), ("name", "Acme\u{202D}")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("A portal name may not contain");
    let page = admin.post("/manage/profile/details", &[("name", "Admin\u{202E}")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("A name may not contain");

    assert_eq!(app.count("SELECT COUNT(*) AS n FROM customers").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff").await, 1);
    assert_eq!(app.text("SELECT name AS v FROM staff").await, "Administrator");
    // Names in other scripts are fine.
    admin
        .post("/manage/departments", &[("name", "Vendas – São Paulo 営業")])
        .await
        .assert_redirect_to("/manage/departments");
}

#[tokio::test]
async fn every_page_has_a_content_security_policy_and_is_not_cached() {
    let app = spawn().await;
    let admin = app.admin().await;
    for path in
        ["/manage/login", "/manage", "/manage/customers", "/portal/default/login", "/manage/password/nope", "/nowhere"]
    {
        let page = admin.get(path).await;
        let csp = page.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp:?}");
        assert_eq!(page.headers.get("cache-control").unwrap(), "no-store", "{path}");
        assert!(page.headers.get("strict-transport-security").is_none(), "no HSTS over plain http");
    }
    let css = admin.get("/static/app.css").await;
    assert_eq!(css.headers.get("cache-control").unwrap(), "public, max-age=3600");
}

#[tokio::test]
async fn the_answer_of_the_portal_host_lookup_has_the_security_headers_too() {
    let app = with_portal_host().await;
    // With the database away, looking up which portal a host name is fails: 503.
    app.db.close().await;
    let b = app.browser();
    let resp = b.client.get(format!("{}/login", app.base)).header("host", "elsewhere.test").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let csp = resp.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp:?}");
    assert_eq!(resp.headers().get("x-frame-options").unwrap(), "DENY");
    assert_eq!(resp.headers().get("cache-control").unwrap(), "no-store");
    assert!(resp.text().await.unwrap().contains("cannot reach its database"));
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_url_is_https() {
    let app = spawn_with(|c| c.public_url = Some("https://desk.example".parse().unwrap())).await;
    let page = app.browser().get("/manage/login").await;
    assert_eq!(page.headers.get("strict-transport-security").unwrap(), "max-age=31536000");
}

const ANA: DirectoryUser = DirectoryUser {
    login: "ana@contoso.test",
    username: None,
    oid: "a1a1a1a1-0000-4000-8000-000000000001",
    name: "Ana Silva",
    email: None,
};

#[tokio::test]
async fn next_through_a_microsoft_sign_in_stays_on_this_server() {
    let provider = OidcProvider::start();
    let app = spawn_with(|c| {
        c.secret_key = Some(secret_key());
        c.entra_authority_hosts = allowed_hosts(&provider);
    })
    .await;
    provider.add_tenant(TENANT, &app, &[ANA]).await;
    connect_portal(&app, "default", &provider.url, "match_username").await;
    let args = ["user", "add", "--portal", "default", "--role", "agent", "--email", ANA.login, "--name", ANA.name];
    assert!(app.cli(&args, "Agent-Passw0rd!\n").status.success());

    let b = app.browser();
    let start = "/auth/oidc/start?portal=default&next=%2Fmanage%2F.%2F%2Fevil.example";
    let callback = common::oidc::through_provider_from(&b, start, AtProvider::SignInAs(ANA.login)).await;
    assert_eq!(app.text("SELECT next AS v FROM sso_flows").await, "/manage");
    let page = b.get(&callback).await;
    assert_eq!(page.location.as_deref(), Some("/manage"));
}

//! Attacks on the language machinery from outside: the switcher's `next` and `tag`, hostile
//! cookies and `Accept-Language` headers, refusals the framework answers itself, a portal's own
//! host, and who may change which language.

use crate::common;
use crate::common::*;
use reqwest::StatusCode;

const AGENT: &str = "rui@desk.test";
const AGENT_PASSWORD: &str = "Ag3nt-Secret!x";

/// Requests the framework refuses before a handler runs (a repeated query field, a path
/// segment that is not a number) get the error page in the reader's language, not the
/// framework's English plain text.
#[tokio::test]
async fn refusals_of_malformed_addresses_are_error_pages_in_the_readers_language() {
    let app = spawn().await;
    let visitor = app.browser_pt();
    let page = visitor.get("/language/en?next=%2Flogin&next=%2Fmanage").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(page.html_lang(), "pt-BR");
    page.assert_lacks("Failed to deserialize");

    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for path in ["/manage/profile?msg=saved&msg=saved", "/manage/agents/not-a-number"] {
        let page = admin.get(path).await;
        assert!(page.status.is_client_error(), "{path}: {}", page.status);
        assert_eq!(page.html_lang(), "pt-BR", "{path}: {}", page.body);
        page.assert_lacks("Failed to deserialize").assert_lacks("Invalid URL");
    }
}

/// On a portal's own host, even a page that does not exist is in the portal's language.
#[tokio::test]
async fn a_portal_hosts_missing_page_is_in_the_portals_language() {
    let app = spawn().await;
    app.cli_ok(&["portal", "set", "default", "default_language", "pt-BR"], "");
    app.cli_ok(&["portal", "set", "default", "host", "help.acme.test"], "");
    let visitor = app.browser();
    let login = visitor.get_on_host("help.acme.test", "/login").await;
    assert_eq!(login.html_lang(), "pt-BR");
    let missing = visitor.get_on_host("help.acme.test", "/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.html_lang(), "pt-BR");
    missing.assert_contains("Essa página não existe");
    // The same under the portal's path on the server's own host.
    let missing = visitor.get("/portal/default/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.html_lang(), "pt-BR");
    assert_eq!(visitor.get("/portal/no-such-portal/x").await.html_lang(), "en");
}

/// The switcher on a portal's own host: back to a page of that host, never elsewhere.
#[tokio::test]
async fn the_switcher_on_a_portal_host_stays_on_the_server() {
    let app = spawn().await;
    app.cli_ok(&["portal", "set", "default", "host", "help.acme.test"], "");
    let visitor = app.browser();
    let page = visitor.get_on_host("help.acme.test", "/language/pt-BR?next=%2Flogin").await;
    page.assert_redirect_to("/login");
    for hostile in ["%2F%2Fevil.example", "%2F%5Cevil.example", "%2F%0D%0ASet-Cookie:x=1", "http://evil.example"] {
        let page = visitor.get_on_host("help.acme.test", &format!("/language/pt-BR?next={hostile}")).await;
        // Sent to the portal's home, or refused outright (a line break in the address).
        if page.status.is_redirection() {
            assert_eq!(page.location.as_deref(), Some("/"), "{hostile}");
        } else {
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{hostile}");
        }
        assert!(!page.headers.contains_key("x"), "{hostile}");
    }
    let long = format!("/login?q={}", "a".repeat(5000));
    let page = visitor.get(&format!("/language/en?next={long}")).await;
    assert_eq!(page.location.as_deref(), Some("/"));
}

/// Tags in other spellings: the switcher takes the tag in any case, nothing else.
#[tokio::test]
async fn hostile_tags_are_not_found_and_set_nothing() {
    let app = spawn().await;
    let visitor = app.browser();
    let chosen = visitor.get("/language/PT-br?next=%2Flogin").await;
    chosen.assert_redirect_to("/login");
    // The answer that sets the choice already says it is in it.
    assert_eq!(chosen.headers["content-language"], "pt-BR");
    assert_eq!(visitor.cookie("fd_lang").as_deref(), Some("pt-BR"));
    let overlong = "p".repeat(3000);
    for tag in ["pt_BR", "pt", "%2E%2E%2F", "%EF%BD%85%EF%BD%8E", "en%00", "<script>", overlong.as_str()] {
        let page = visitor.get(&format!("/language/{tag}?next=%2Flogin")).await;
        assert!(page.status.is_client_error(), "{tag}: {}", page.status);
        assert!(
            !page.headers.contains_key("set-cookie")
                || !page.headers["set-cookie"].to_str().unwrap().contains("fd_lang")
        );
        page.assert_lacks("<script>");
    }
    assert_eq!(visitor.cookie("fd_lang").as_deref(), Some("pt-BR"));
}

/// Hostile `Accept-Language` headers and `fd_lang` cookies: no panic, no echo, English.
#[tokio::test]
async fn hostile_language_headers_and_cookies_fall_back_to_english() {
    let app = spawn().await;
    let many_weights = std::iter::repeat_n("de;q=0.5,xx;q=NaN,pt;q=-1,en;q=inf", 2000).collect::<Vec<_>>().join(",");
    for header in [many_weights.as_str(), ";;;,,,q=1", "pt;q=NaN", "*", "pt;q=1e400,en;q=0.1"] {
        let page = Browser::speaking(&app.base, Some(header)).get("/login").await;
        assert_eq!(page.status, StatusCode::OK, "{header:.40}");
    }
    let nan_weight = Browser::speaking(&app.base, Some("pt;q=NaN,en;q=0.1")).get("/login").await;
    assert_eq!(nan_weight.html_lang(), "en");
    let client = reqwest::Client::new();
    for cookie in ["fd_lang=<script>alert(1)</script>", "fd_lang=\"pt-BR\"", "fd_lang=xx; fd_lang=yy", "fd_lang="] {
        let resp = client.get(format!("{}/login", app.base)).header("cookie", cookie).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{cookie}");
        assert_eq!(resp.headers()["content-language"], "en", "{cookie}");
        assert!(!resp.text().await.unwrap().contains("<script>alert"), "{cookie}");
    }
}

/// An agent who may not manage the portal's settings cannot change its language by posting
/// the form, and a profile's language cannot be changed without the form's CSRF token.
#[tokio::test]
async fn weaker_roles_and_forged_forms_change_no_language() {
    let app = spawn().await;
    let args = ["user", "add", "--portal", "default", "--role", "agent", "--email", AGENT, "--name", "Rui"];
    app.cli_ok(&args, &format!("{AGENT_PASSWORD}\n"));
    let agent = app.manage_as_pt(AGENT, AGENT_PASSWORD).await;
    let page = agent.post("/manage/settings", &[("name", "Taken over"), ("default_language", "pt-BR")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.html_lang(), "pt-BR");
    let sql = "SELECT COUNT(*) AS n FROM portals WHERE default_language IS NOT NULL OR name = 'Taken over'";
    assert_eq!(app.count(sql).await, 0);

    let forged = agent.post_raw("/manage/profile/details", &[("name", "Rui"), ("language", "en")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff WHERE language IS NOT NULL").await, 0);
}

/// One bad value among good ones saves nothing, and the bad value is shown escaped.
#[tokio::test]
async fn a_hostile_default_language_saves_nothing_and_is_escaped() {
    let app = spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin
        .post(
            "/manage/settings",
            &[("name", "Renamed"), ("default_language", "<img src=x onerror=alert(1)>"), ("listed", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_lacks("<img src=x").assert_contains("&#60;img src=x");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE name = 'Renamed'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE default_language IS NOT NULL").await, 0);
}

/// A form the server cannot read (a field given twice) is refused in Portuguese, without the
/// form reader's English detail.
#[tokio::test]
async fn an_unreadable_form_is_refused_without_english() {
    let app = spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.post("/manage/profile/details", &[("name", "Ada"), ("name", "Eve"), ("language", "en")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(page.html_lang(), "pt-BR");
    page.assert_contains("Falta um campo no formulário").assert_lacks("duplicate field");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM staff WHERE language IS NOT NULL").await, 0);
}

/// Markup in a name and a portal's name reaches a Portuguese email as text, never as HTML.
#[tokio::test]
async fn markup_in_names_is_escaped_in_portuguese_emails() {
    let sink = common::mail::SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.cli_ok(&["portal", "set", "default", "default_language", "pt-BR"], "");
    app.cli_ok(&["portal", "set", "default", "name", "Acme <i>Suporte</i>"], "");
    let name = "<img src=x onerror=alert(1)> & \"Bia\"";
    let args =
        ["user", "add", "--portal", "default", "--role", "customer", "--email", "bia@client.test", "--name", name];
    app.cli_ok(&args, "Cust0mer-Secret!\n");
    app.browser().post("/portal/default/forgot", &[("email", "bia@client.test")]).await;
    let reset = sink.wait_for("bia@client.test", "Redefina sua senha de").await;
    assert!(reset.html.contains(r#"<html lang="pt-BR">"#), "{}", reset.html);
    assert!(!reset.html.contains("<img src=x") && !reset.html.contains("<i>Suporte"), "{}", reset.html);
    assert!(reset.html.contains("&#60;img src=x"), "{}", reset.html);
    assert!(reset.text.contains(name), "the text part is plain text: {}", reset.text);
}

/// After asking for a sign-in code, the switcher goes back to the page where the code is
/// typed, which a link can open (not to the address the form was posted to: GET there is 405).
#[tokio::test]
async fn the_switcher_after_asking_for_a_code_leads_to_a_page_that_opens() {
    let sink = common::mail::SmtpSink::start();
    let app = spawn_with_mail(&sink).await;
    app.cli_ok(&["portal", "set", "default", "customer_signin", "password,email_code"], "");
    let visitor = app.browser_pt();
    visitor.get("/portal/default/login").await;
    let sent = visitor.post("/portal/default/login/code/request", &[("identity", "nobody@client.test")]).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let href = format!("/language/en?next={}", sent.between("/language/en?next=", "\""));
    let back = visitor.get(&href).await;
    let to = back.location.clone().unwrap_or_default();
    let page = visitor.get(&to).await;
    assert_eq!(page.status, StatusCode::OK, "the switcher led to {to}: {}", page.status);
    assert_eq!(page.html_lang(), "en");
    page.assert_contains("name=\"code\"");
}

/// The pages of a Microsoft sign-in that belong to a portal are in the portal's language, as
/// its sign-in page is (here: Microsoft sign-in is not turned on for it).
#[tokio::test]
async fn microsoft_sign_in_pages_follow_the_portals_language() {
    let app = spawn().await;
    app.cli_ok(&["portal", "set", "default", "default_language", "pt-BR"], "");
    let visitor = app.browser();
    assert_eq!(visitor.get("/portal/default/login").await.html_lang(), "pt-BR");
    let off = visitor.get("/auth/oidc/start?portal=default").await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    assert_eq!(off.html_lang(), "pt-BR", "{}", off.body);
}

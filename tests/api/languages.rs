//! Which language a page is in: the person's own choice, else the portal's default, else the
//! browser's `Accept-Language`, else English; the switcher works before sign-in; error pages and
//! the management layout follow.

use crate::common;
use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, Browser};
use reqwest::StatusCode;

const PORTAL_HOME: &str = "/portal/default/";

#[tokio::test]
async fn the_browser_language_is_used_when_nothing_else_is_known() {
    let app = common::spawn().await;
    let english = app.browser().get("/no-such-page").await;
    assert_eq!(english.status, StatusCode::NOT_FOUND);
    english.assert_contains("That page does not exist, or you may not see it.");
    assert_eq!(english.html_lang(), "en");

    let portuguese = app.browser_pt().get("/no-such-page").await;
    assert_eq!(portuguese.status, StatusCode::NOT_FOUND);
    portuguese.assert_contains("Essa página não existe").assert_contains("Página não encontrada");
    portuguese.assert_lacks("That page does not exist").assert_no_english();
    assert_eq!(portuguese.html_lang(), "pt-BR");
    assert_eq!(portuguese.headers["content-language"], "pt-BR");
    assert!(portuguese.headers["vary"].to_str().unwrap().contains("Accept-Language"));

    // A language Frontdesk does not speak falls through to the next one the browser accepts.
    let german_first = Browser::speaking(&app.base, Some("de-DE,de;q=0.9,pt;q=0.5")).get("/no-such-page").await;
    assert_eq!(german_first.html_lang(), "pt-BR");
    let only_german = Browser::speaking(&app.base, Some("de-DE")).get("/no-such-page").await;
    assert_eq!(only_german.html_lang(), "en");
}

#[tokio::test]
async fn the_switcher_remembers_a_choice_before_sign_in_and_stays_on_this_site() {
    let app = common::spawn().await;
    let browser = Browser::speaking(&app.base, Some("en"));
    let chosen = browser.get("/language/pt-BR?next=%2Flogin%3Fportal%3Ddefault").await;
    chosen.assert_redirect_to("/login?portal=default");
    assert_eq!(browser.cookie("fd_lang").as_deref(), Some("pt-BR"));
    let set_cookie = chosen.headers["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    // The choice beats the browser's English.
    assert_eq!(browser.get("/no-such-page").await.html_lang(), "pt-BR");

    for hostile in ["//evil.example/", "https://evil.example/", "/%2F%2Fevil.example", "/\\evil.example"] {
        let encoded: String = url_encode(hostile);
        let page = browser.get(&format!("/language/en?next={encoded}")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{hostile}");
        let to = page.location.clone().unwrap();
        let resolved = reqwest::Url::parse(&app.base).unwrap().join(&to).unwrap();
        assert_eq!(resolved.host_str(), Some("127.0.0.1"), "{hostile} led to {to}");
    }
    assert_eq!(browser.get("/language/klingon?next=/login").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.cookie("fd_lang").as_deref(), Some("en"), "the last valid choice stays");
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn a_portals_default_language_comes_after_the_persons_choice_and_before_the_browser() {
    let app = common::spawn().await;
    let out = app.cli(&["portal", "set", "default", "default_language", "pt-BR"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.text("SELECT default_language AS v FROM portals WHERE slug = 'default'").await, "pt-BR");
    let shown = String::from_utf8_lossy(&app.cli(&["portal", "show", "default"], "").stdout).to_string();
    assert!(shown.contains("default_language") && shown.contains("pt-BR"), "{shown}");

    // The portal's default beats an English browser.
    let page = Browser::speaking(&app.base, Some("en-US")).get(PORTAL_HOME).await;
    assert_eq!(page.html_lang(), "pt-BR");
    // The person's own choice (the switcher's, before sign-in) beats the portal's default.
    let chooser = Browser::speaking(&app.base, Some("pt-BR"));
    chooser.get("/language/en?next=/").await;
    assert_eq!(chooser.get(PORTAL_HOME).await.html_lang(), "en");

    let refused = app.cli(&["portal", "set", "default", "default_language", "fr"], "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("en or pt-BR"), "the CLI answers in English");
    assert_eq!(app.text("SELECT default_language AS v FROM portals WHERE slug = 'default'").await, "pt-BR");
    assert!(app.cli(&["portal", "set", "default", "default_language", ""], "").status.success());
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM portals WHERE default_language IS NULL").await, 1);
}

#[tokio::test]
async fn the_management_layout_and_its_notices_follow_the_persons_language() {
    let app = common::spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let home = admin.get("/manage?msg=saved").await;
    assert_eq!(home.status, StatusCode::OK);
    for text in ["Início", "Agentes", "Clientes", "Departamentos", "Configurações do portal", "Sair", "Salvo."] {
        home.assert_contains(text);
    }
    for text in [">Home<", ">Agents<", ">Sign out<", "Saved."] {
        home.assert_lacks(text);
    }
    home.assert_no_english();

    // The profile's choice beats the browser's.
    sqlx::query("UPDATE staff SET language = 'en'").execute(app.db.pool()).await.unwrap();
    let home = admin.get("/manage?msg=saved").await;
    home.assert_contains(">Agents<").assert_contains("Saved.").assert_lacks("Início");
    assert_eq!(home.html_lang(), "en");
}

#[tokio::test]
async fn refused_forms_answer_in_the_readers_language() {
    let app = common::spawn().await;
    let admin = app.manage_as_pt(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let refused = admin.post_raw("/manage/departments", &[("name", "Vendas")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("Este formulário expirou").assert_contains("Acesso negado").assert_no_english();
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM departments").await, 0);
}

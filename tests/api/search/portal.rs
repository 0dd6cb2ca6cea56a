//! The portal's search page and suggestions: each reader (visitor, customer, a customer of
//! another portal, staff) finds only what they may read, of this portal only; a search that
//! finds nothing offers a ticket with the words filled in.

use reqwest::StatusCode;

use super::{CORPUS, Doc, publish_all};
use crate::common::{AGENT_PASSWORD, Browser, TestApp, spawn};
use frontdesk::kb::Visibility;

struct Desk {
    app: TestApp,
    ids: Vec<i64>,
    other_id: i64,
}

/// The corpus in `default`, one public article in `other`; a customer in each portal and an
/// agent of `default`.
async fn desk() -> Desk {
    let app = spawn().await;
    let (portal, department) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    let ids = publish_all(&app, portal, CORPUS).await;
    let elsewhere: &[Doc] =
        &[("en", Visibility::Public, "Elsewhere password guide", "Password help of another portal.")];
    let other_id = publish_all(&app, other, elsewhere).await[0];
    app.customer("default", "ana@client.test", "Customer-Passw0rd!").await;
    app.customer("other", "olga@other.test", "Customer-Passw0rd!").await;
    app.agent("default", "agent@desk.test", "Agent", &[department], &[]).await;
    Desk { app, ids, other_id }
}

async fn signed_in(app: &TestApp, slug: &str, email: &str, password: &str) -> Browser {
    let browser = app.browser();
    browser.sign_in_portal(slug, email, password).await.assert_redirect_to("/portal/");
    browser
}

/// The ids a suggestion answer lists.
async fn suggested(browser: &Browser, slug: &str, q: &str) -> Vec<i64> {
    let page = browser.get(&format!("/portal/{slug}/kb/suggest?q={}", urlencode(q))).await;
    page.assert_status(StatusCode::OK);
    assert!(page.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    json["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

fn urlencode(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

fn link(id: i64) -> String {
    format!("href=\"/portal/default/kb/articles/{id}\"")
}

#[tokio::test]
async fn search_and_suggestions_show_each_reader_only_what_they_may_read() {
    let Desk { app, ids, other_id } = desk().await;
    let (reset, billing, policy) = (ids[0], ids[3], ids[4]);
    let visitor = app.browser();
    let customer = signed_in(&app, "default", "ana@client.test", "Customer-Passw0rd!").await;
    let stranger = signed_in(&app, "other", "olga@other.test", "Customer-Passw0rd!").await;
    let agent = signed_in(&app, "default", "agent@desk.test", AGENT_PASSWORD).await;

    // Everyone finds the public article, and nobody the other portal's.
    for who in [&visitor, &customer, &stranger, &agent] {
        let page = who.get("/portal/default/kb/search?q=password").await;
        page.assert_status(StatusCode::OK).assert_contains(&link(reset)).assert_lacks("Elsewhere password guide");
        assert!(suggested(who, "default", "password").await.contains(&reset));
        assert!(!suggested(who, "default", "password").await.contains(&other_id));
    }
    // Customers' articles: this portal's customers and staff only; a customer of another
    // portal is a visitor here.
    for (who, sees) in [(&visitor, false), (&customer, true), (&stranger, false), (&agent, true)] {
        let page = who.get("/portal/default/kb/search?q=invoices").await;
        assert_eq!(page.body.contains(&link(billing)), sees, "{}", page.body);
        assert_eq!(suggested(who, "default", "invoices").await.contains(&billing), sees);
    }
    // Internal articles: staff only.
    for (who, sees) in [(&visitor, false), (&customer, false), (&stranger, false), (&agent, true)] {
        let page = who.get("/portal/default/kb/search?q=runbook").await;
        assert_eq!(page.body.contains(&link(policy)), sees, "{}", page.body);
        assert_eq!(suggested(who, "default", "runbook").await, if sees { vec![policy] } else { vec![] });
    }
    // The other portal's customer finds that portal's article there, not this one's.
    let theirs = suggested(&stranger, "other", "password").await;
    assert_eq!(theirs, vec![other_id]);
    // An unknown portal is a 404, as everywhere.
    visitor.get("/portal/nowhere/kb/search?q=password").await.assert_status(StatusCode::NOT_FOUND);
    visitor.get("/portal/nowhere/kb/suggest?q=password").await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn results_are_ranked_highlighted_escaped_and_paged() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let mut docs: Vec<Doc> = CORPUS.to_vec();
    docs.push((
        "en",
        Visibility::Public,
        "<script>alert(1)</script> Printer cables",
        "A printer cable <img src=x onerror=alert(1)> & more.",
    ));
    let ids = publish_all(&app, portal, &docs).await;
    let visitor = app.browser();

    let page = visitor.get("/portal/default/kb/search?q=printers").await;
    page.assert_status(StatusCode::OK).assert_contains("<mark>printers</mark>").assert_contains("<mark>printer</mark>");
    page.assert_lacks("<script>alert").assert_lacks("<img").assert_contains("&#60;script&#62;alert(1)");
    assert!(page.body.find(&link(ids[2])).is_some() && page.body.contains(&link(ids[7])));

    // Punctuation and operators: a page, never an error.
    for q in ["\"", "*", "NEAR(", "')--", "!!!", "a:b", "-x", "^", "\\"] {
        visitor.get(&format!("/portal/default/kb/search?q={}", urlencode(q))).await.assert_status(StatusCode::OK);
        assert_eq!(suggested(&visitor, "default", q).await, Vec::<i64>::new(), "{q}");
    }

    // Pages of ten.
    let many: Vec<Doc> =
        (0..12).map(|_| ("en", Visibility::Public, "Router lights", "The router lights blink.")).collect();
    let routers = publish_all(&app, portal, &many).await;
    let first = visitor.get("/portal/default/kb/search?q=router").await;
    let shown = |page: &crate::common::Page| routers.iter().filter(|id| page.body.contains(&link(**id))).count();
    assert_eq!(shown(&first), 10);
    first.assert_contains("id=\"next\"").assert_lacks("id=\"previous\"");
    let second = visitor.get("/portal/default/kb/search?q=router&page=2").await;
    assert_eq!(shown(&second), 2);
    second.assert_contains("id=\"previous\"").assert_lacks("id=\"next\"");
    visitor.get("/portal/default/kb/search?q=router&page=x").await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn nothing_found_offers_a_ticket_with_the_words_filled_in() {
    let Desk { app, .. } = desk().await;
    let customer = signed_in(&app, "default", "ana@client.test", "Customer-Passw0rd!").await;
    let page = customer.get("/portal/default/kb/search?q=fax+machine+jammed%3F").await;
    page.assert_status(StatusCode::OK).assert_contains("id=\"nothing-found\"");
    let href = page.between("id=\"open-ticket\" href=\"", "\"").replace("&amp;", "&");
    assert_eq!(href, "/portal/default/tickets/new?subject=fax+machine+jammed%3F");

    let form = customer.get(&href).await;
    form.assert_status(StatusCode::OK).assert_contains("value=\"fax machine jammed?\"");
    // The suggestions box and its script are on the form; the form works without them.
    form.assert_contains("id=\"kb-suggestions\"").assert_contains("/static/kb-suggest.js");
    let department = app.text("SELECT id || '' AS v FROM departments WHERE name = 'Support of default'").await;
    customer
        .post_multipart(
            "/portal/default/tickets/new",
            &[("department", &department), ("subject", "fax machine jammed?"), ("message", "It beeps.")],
            &[],
        )
        .await
        .assert_redirect_to("/portal/default/tickets/");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM tickets WHERE subject = 'fax machine jammed?'").await, 1);

    // A visitor is sent to the visitors' form when the portal takes their tickets, subject
    // filled in too; otherwise to the account form (through sign-in).
    let visitor = app.browser();
    let href = visitor.get("/portal/default/kb/search?q=fax").await.between("id=\"open-ticket\" href=\"", "\"");
    assert_eq!(href, "/portal/default/tickets/new?subject=fax");
    // Through sign-in and back to the form, the words still filled in.
    let login = visitor.get(&href).await;
    login.assert_redirect_to("/portal/default/login?next=%2Fportal%2Fdefault%2Ftickets%2Fnew%3Fsubject%3Dfax");
    let next = "/portal/default/tickets/new?subject=fax";
    visitor
        .post(
            "/portal/default/login",
            &[("email", "ana@client.test"), ("password", "Customer-Passw0rd!"), ("next", next)],
        )
        .await
        .assert_redirect_to(next);
    visitor.get(next).await.assert_status(StatusCode::OK).assert_contains("value=\"fax\"");
    let visitor = app.browser();
    let portal = app.id_of("SELECT id FROM portals WHERE slug = $1", "default").await;
    app.put_setting(portal, "ticket_visitors", "true").await;
    let href = visitor.get("/portal/default/kb/search?q=fax").await.between("id=\"open-ticket\" href=\"", "\"");
    assert_eq!(href, "/portal/default/tickets/submit?subject=fax");
    visitor.get(&href).await.assert_status(StatusCode::OK).assert_contains("value=\"fax\"");
    // A subject no longer than a subject may be.
    let long = "x".repeat(300);
    let page = customer.get(&format!("/portal/default/tickets/new?subject=a+b{long}")).await;
    page.assert_contains(&format!("value=\"a b{}\"", &long[..197]));
}

#[tokio::test]
async fn search_pages_speak_portuguese() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    publish_all(&app, portal, CORPUS).await;
    let visitor = app.browser_pt();
    let page = visitor.get("/portal/default/kb/search?q=impressoras").await;
    page.assert_contains("Buscar nos artigos de ajuda").assert_contains("Configurar a impressora");
    let page = visitor.get("/portal/default/kb/search?q=xyzzy").await;
    page.assert_contains("Nenhum artigo corresponde").assert_contains("Pergunte-nos em um novo chamado");
    let page = app.browser().get("/portal/default/kb/search?q=impressoras").await;
    page.assert_contains("Search the help articles").assert_contains("Português");
}

/// Answers are kept in memory while the knowledge base stays as it was (`kb::search_memo`):
/// every change made in management shows in the next search of the same words.
#[tokio::test]
async fn a_search_asked_again_follows_every_change_to_the_knowledge_base() {
    use crate::kb_manage::{category, fields, last_article};
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat = category(&app, portal, "Accounts").await.to_string();
    let admin = app.admin().await;
    let visitor = app.browser();
    let finds = |q: &'static str, id: i64| {
        let visitor = &visitor;
        async move {
            let page = visitor.get(&format!("/portal/default/kb/search?q={q}")).await;
            page.assert_status(StatusCode::OK);
            let found = page.body.contains(&link(id));
            assert_eq!(found, suggested(visitor, "default", q).await.contains(&id), "{q}");
            found
        }
    };
    admin
        .post("/manage/kb/articles", &fields("Quasar calibration", "Point the quasar north.", &cat, "publish"))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let id = last_article(&app).await;
    let path = format!("/manage/kb/articles/{id}");
    assert!(finds("quasar", id).await);
    assert!(finds("quasar", id).await, "asked again");

    // Made internal (a setting, applied at once): gone for visitors.
    let mut internal = fields("Quasar calibration", "Point the quasar north.", &cat, "save");
    internal[4] = ("visibility", "internal");
    admin.post(&path, &internal).await.assert_status(StatusCode::SEE_OTHER);
    assert!(!finds("quasar", id).await);

    // Public again, with a new title published: found by the new words, not the old.
    admin
        .post(&path, &fields("Nebula alignment", "Point the nebula north.", &cat, "publish"))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(!finds("quasar", id).await);
    assert!(finds("nebula", id).await);

    // Unpublished, then deleted: found no more.
    admin.post(&format!("{path}/unpublish"), &[]).await.assert_status(StatusCode::SEE_OTHER);
    assert!(!finds("nebula", id).await);
    admin.post(&format!("{path}/delete"), &[("confirm", "yes")]).await.assert_status(StatusCode::SEE_OTHER);
    assert!(!finds("nebula", id).await);
}

/// The engine ranks only what the reader may read: better-matching articles that are internal,
/// for customers, or another portal's never take a visitor's page, whether the words stem
/// alike in both languages (`gateway`: one query) or not (`printers`: one per language).
#[tokio::test]
async fn better_matches_a_reader_may_not_read_never_crowd_out_one_they_may() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    let readable: &[Doc] = &[
        ("en", Visibility::Public, "Gateway printers", "How to set up gateway printers."),
        ("pt-BR", Visibility::Public, "Gateway printers no escritório", "Como instalar."),
    ];
    let ids = publish_all(&app, portal, readable).await;
    // Each word twice in the title and the text: ranked above the readable ones.
    let better = ("Gateway printers, gateway printers", "Gateway printers and more gateway printers.");
    let hidden: Vec<Doc> = (0..12)
        .flat_map(|_| {
            [("en", Visibility::Internal, better.0, better.1), ("en", Visibility::Customers, better.0, better.1)]
        })
        .collect();
    publish_all(&app, portal, &hidden).await;
    let elsewhere: Vec<Doc> = (0..12).map(|_| ("en", Visibility::Public, better.0, better.1)).collect();
    publish_all(&app, other, &elsewhere).await;

    let visitor = app.browser();
    for q in ["gateway", "printers"] {
        let page = visitor.get(&format!("/portal/default/kb/search?q={q}")).await;
        page.assert_status(StatusCode::OK).assert_contains(&link(ids[0])).assert_lacks("id=\"next\"");
        let mut found = suggested(&visitor, "default", q).await;
        found.sort();
        assert_eq!(found, ids, "{q}: the visitor's two public articles, and nothing else");
    }
}

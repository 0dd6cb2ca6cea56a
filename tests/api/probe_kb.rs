//! Probes of the knowledge base and search as an outsider attacks them over HTTP: another
//! portal's ids, weaker roles, hostile search input and ids, hostile Markdown, missing CSRF,
//! vote stuffing. Nothing may answer 500, leak an article across portals or roles, or write half.

use frontdesk::kb::Visibility;
use frontdesk::kb::store::{self, Author, NewArticle, NewCategory};
use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{AGENT_PASSWORD, Browser, Page, TestApp, spawn};

const PASSWORD: &str = "Customer-Passw0rd!";

async fn category(app: &TestApp, portal_id: i64, name: &str) -> i64 {
    let mut tx = app.db.writer().begin().await.unwrap();
    let new = NewCategory { portal_id, parent_id: None, position: 0, language: "en", name, description: "" };
    let id = store::create_category(&mut tx, &new, 100).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn article(
    app: &TestApp,
    portal_id: i64,
    category_id: i64,
    visibility: Visibility,
    translation_of: Option<i64>,
    (language, title, markdown): (&str, &str, &str),
) -> i64 {
    let new =
        NewArticle { portal_id, category_id, language, translation_of, visibility, title, markdown, staff_id: None };
    let mut tx = app.db.writer().begin().await.unwrap();
    let id =
        store::create_published(&mut tx, &new, Author { staff_id: None, name: "Probe" }, 1_700_000_000).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn customer(app: &TestApp, slug: &str, email: &str) -> (i64, Browser) {
    let id = app.customer(slug, email, PASSWORD).await;
    let browser = app.browser();
    browser.sign_in_portal(slug, email, PASSWORD).await.assert_redirect_to(&format!("/portal/{slug}/"));
    (id, browser)
}

/// Staff of `slug` signed in to that portal (not to management).
async fn portal_staff(app: &TestApp, slug: &str, email: &str) -> Browser {
    app.agent(slug, email, "Probe Agent", &[], &[]).await;
    let browser = app.browser();
    browser.sign_in_portal(slug, email, AGENT_PASSWORD).await.assert_redirect_to(&format!("/portal/{slug}/"));
    browser
}

fn enc(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

fn no_server_error(page: &Page, what: &str) {
    assert!(page.status.as_u16() < 500, "{what}: {} {}", page.status, page.body);
}

/// The world the probes attack: portal `default` with a public, a customers-only and an
/// internal article (the last two linked to the public one as translations, related by
/// category), files on each; portal `other` with its own articles.
struct World {
    app: TestApp,
    portal: i64,
    other: i64,
    category: i64,
    public: i64,
    customers: i64,
    internal: i64,
    files: [i64; 3],
    foreign: i64,
    foreign_category: i64,
    foreign_internal: i64,
    foreign_file: i64,
}

async fn world() -> World {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    let cat = category(&app, portal, "Printing").await;
    let public =
        article(&app, portal, cat, Visibility::Public, None, ("en", "Printer basics", "Printer **toner**.")).await;
    let customers = article(
        &app,
        portal,
        cat,
        Visibility::Customers,
        Some(public),
        ("pt-BR", "Impressora kumquat", "Texto kumquat da impressora."),
    )
    .await;
    let internal = article(
        &app,
        portal,
        cat,
        Visibility::Internal,
        None,
        ("en", "Printer zebrafish", "Printer zebrafish secret."),
    )
    .await;
    let files = [
        app.kb_article_file(portal, public, b"public bytes").await,
        app.kb_article_file(portal, customers, b"customer bytes").await,
        app.kb_article_file(portal, internal, b"internal bytes").await,
    ];
    let foreign_category = category(&app, other, "Elsewhere").await;
    let foreign = article(
        &app,
        other,
        foreign_category,
        Visibility::Public,
        None,
        ("en", "Printer quokka", "Printer quokka elsewhere."),
    )
    .await;
    let foreign_internal = article(
        &app,
        other,
        foreign_category,
        Visibility::Internal,
        None,
        ("en", "Printer wombat", "Printer wombat elsewhere."),
    )
    .await;
    let foreign_file = app.kb_article_file(other, foreign, b"foreign bytes").await;
    World {
        app,
        portal,
        other,
        category: cat,
        public,
        customers,
        internal,
        files,
        foreign,
        foreign_category,
        foreign_internal,
        foreign_file,
    }
}

/// What a reader of portal `default` must not see, through every reading path.
async fn sees_none_of(w: &World, who: &Browser, hidden: &[&str], hidden_ids: &[i64]) {
    let base = "/portal/default/kb";
    let mut pages = vec![
        who.get(base).await,
        who.get(&format!("{base}/categories/{}", w.category)).await,
        who.get(&format!("{base}/articles/{}", w.public)).await,
        who.get(&format!("{base}/search?q=printer")).await,
        who.get(&format!("{base}/suggest?q=printer")).await,
    ];
    for word in ["zebrafish", "kumquat", "quokka", "wombat", "impressora", "secret"] {
        pages.push(who.get(&format!("{base}/search?q={word}")).await);
        pages.push(who.get(&format!("{base}/suggest?q={word}")).await);
    }
    for page in &pages {
        page.assert_status(StatusCode::OK);
        for word in hidden {
            page.assert_lacks(word);
        }
        for id in hidden_ids {
            page.assert_lacks(&format!("/kb/articles/{id}\""));
        }
    }
    for id in hidden_ids {
        who.get(&format!("{base}/articles/{id}")).await.assert_status(StatusCode::NOT_FOUND);
        who.post(&format!("{base}/articles/{id}/helpful"), &[("helpful", "yes")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn probe_kb_every_reader_sees_only_what_they_may_through_every_path() {
    let w = world().await;
    let app = &w.app;
    let foreign = ["Printer quokka", "quokka elsewhere", "Printer wombat", "wombat elsewhere", ">Elsewhere<"];
    let visitor = app.browser();
    let (_, own_customer) = customer(app, "default", "ana@client.test").await;
    let (_, other_customer) = customer(app, "other", "olga@other.test").await;
    let other_staff = portal_staff(app, "other", "staff@other.test").await;
    let own_staff = portal_staff(app, "default", "staff@default.test").await;

    let not_internal = [w.internal, w.foreign, w.foreign_internal];
    let all_but_public = [w.internal, w.customers, w.foreign, w.foreign_internal];
    let not_customers =
        [&foreign[..], &["Printer zebrafish", "zebrafish</mark> secret", "Impressora kumquat", "Texto"]].concat();
    sees_none_of(&w, &visitor, &not_customers, &all_but_public).await;
    // A session of another portal is nobody here: a visitor.
    sees_none_of(&w, &other_customer, &not_customers, &all_but_public).await;
    sees_none_of(&w, &other_staff, &not_customers, &all_but_public).await;
    let not_internal_words = [&foreign[..], &["Printer zebrafish", "zebrafish</mark> secret"]].concat();
    sees_none_of(&w, &own_customer, &not_internal_words, &not_internal).await;
    // The translation link and the related list show the customers' article to a customer.
    own_customer
        .get(&format!("/portal/default/kb/articles/{}", w.public))
        .await
        .assert_contains(&format!("/kb/articles/{}\"", w.customers));
    // The helpful counts are for agents only.
    let counts = "id=\"kb-votes\"";
    own_customer.get(&format!("/portal/default/kb/articles/{}", w.public)).await.assert_lacks(counts);
    visitor.get(&format!("/portal/default/kb/articles/{}", w.public)).await.assert_lacks(counts);
    own_staff.get(&format!("/portal/default/kb/articles/{}", w.public)).await.assert_contains(counts);
    // The portal's own staff read internal articles in the portal, and nothing of the other.
    own_staff.get(&format!("/portal/default/kb/articles/{}", w.internal)).await.assert_contains("zebrafish");
    sees_none_of(&w, &own_staff, &foreign, &[w.foreign, w.foreign_internal]).await;

    // Files: only of an article one may read, of this article, of this portal.
    let file = |a: i64, f: i64| format!("/portal/default/kb/articles/{a}/files/{f}");
    let [public_file, customer_file, internal_file] = w.files;
    for who in [&visitor, &other_customer, &other_staff] {
        assert_eq!(who.get_bytes(&file(w.public, public_file)).await.0, StatusCode::OK);
        for (a, f) in [(w.customers, customer_file), (w.internal, internal_file), (w.foreign, w.foreign_file)] {
            assert_eq!(who.get_bytes(&file(a, f)).await.0, StatusCode::NOT_FOUND, "{a}/{f}");
        }
    }
    assert_eq!(own_customer.get_bytes(&file(w.customers, customer_file)).await.0, StatusCode::OK);
    for (a, f) in [
        (w.internal, internal_file),
        (w.public, internal_file),
        (w.public, customer_file),
        (w.foreign, w.foreign_file),
        (w.public, w.foreign_file),
    ] {
        let status = own_customer.get_bytes(&file(a, f)).await.0;
        assert_eq!(status, StatusCode::NOT_FOUND, "customer reached file {f} of article {a}");
    }
    let theirs = format!("/portal/other/kb/articles/{}/files/{}", w.foreign, w.foreign_file);
    assert_eq!(own_customer.get_bytes(&theirs).await.0, StatusCode::OK);
    assert_eq!(own_staff.get_bytes(&file(w.foreign, w.foreign_file)).await.0, StatusCode::NOT_FOUND);

    // A disabled customer's session reads as a visitor (or is signed out), never as a customer.
    // Disabled by SQL typed by hand, as another node would: the server hears of it from the
    // database within a second (`src/auth/signed_in.rs`).
    sqlx::query("UPDATE customers SET disabled_at = 1 WHERE email_lower = 'ana@client.test'")
        .execute(app.db.writer())
        .await
        .unwrap();
    let article = format!("/portal/default/kb/articles/{}", w.customers);
    let page = own_customer.get_until(&article, "a refusal", |p| p.status != StatusCode::OK).await;
    assert!(page.status == StatusCode::NOT_FOUND || page.status.is_redirection(), "{}", page.status);
    let page = own_customer.get("/portal/default/kb/search?q=kumquat").await;
    assert!(page.status.is_redirection() || !page.body.contains("kumquat</"), "{}", page.body);
    assert_ne!(own_customer.get_bytes(&file(w.customers, customer_file)).await.0, StatusCode::OK);
    let votes = app.count("SELECT COUNT(*) AS n FROM kb_votes").await;
    assert_eq!(votes, 0, "a refused reader's vote was stored");
    let _ = (w.portal, w.other, w.foreign_category);
}

#[tokio::test]
async fn probe_kb_management_finder_and_history_stay_in_the_agents_portal_and_role() {
    let w = world().await;
    let app = &w.app;
    let other_support = app.id_of("SELECT id FROM departments WHERE name = $1", "Support of other").await;
    let (_, plain) = app.signed_in_agent("default", "plain@desk.test", &[], &["answer_tickets"]).await;
    let (_, outsider) = app.signed_in_agent("other", "outsider@desk.test", &[other_support], &["edit_kb"]).await;
    // Any agent may find (and link) their portal's articles; the other portal's never show.
    let found = plain.get("/manage/kb/find?q=printer").await;
    found.assert_status(StatusCode::OK).assert_contains("zebrafish").assert_lacks("quokka").assert_lacks("wombat");
    let found = outsider.get("/manage/kb/find?q=printer").await;
    found.assert_contains("quokka").assert_contains("wombat").assert_lacks("zebrafish").assert_lacks("basics");
    app.browser().get("/manage/kb/find?q=printer").await.assert_status(StatusCode::UNAUTHORIZED);
    // A customer's session is nobody in management.
    let (_, ana) = customer(app, "default", "ana@client.test").await;
    let page = ana.get("/manage/kb/find?q=printer").await;
    page.assert_status(StatusCode::UNAUTHORIZED);
    let page = ana.get(&format!("/manage/kb/articles/{}", w.internal)).await;
    assert!(page.status.is_redirection() || page.status == StatusCode::FORBIDDEN, "{}", page.status);
    page.assert_lacks("zebrafish");

    // The other portal's ids on every management route: 404, nothing written.
    let (a, f) = (w.internal, w.files[2]);
    let mine = [
        format!("/manage/kb/articles/{a}"),
        format!("/manage/kb/articles/{a}/revisions"),
        format!("/manage/kb/articles/{a}/revisions/1"),
        format!("/manage/kb/articles/{a}/files/{f}"),
        format!("/manage/kb/categories/{}", w.category),
    ];
    for path in &mine {
        let page = outsider.get(path).await;
        page.assert_status(StatusCode::NOT_FOUND).assert_lacks("zebrafish");
    }
    // Their own article with my file id.
    outsider.get(&format!("/manage/kb/articles/{}/files/{f}", w.foreign)).await.assert_status(StatusCode::NOT_FOUND);
    let before = app.count("SELECT COUNT(*) AS n FROM kb_revisions").await;
    let posts = [
        format!("/manage/kb/articles/{a}/revisions/1/restore"),
        format!("/manage/kb/articles/{a}/unpublish"),
        format!("/manage/kb/articles/{a}/discard"),
        format!("/manage/kb/articles/{a}/files/{f}/delete"),
        format!("/manage/kb/articles/{}/files/{f}/delete", w.foreign),
    ];
    for path in &posts {
        outsider.post(path, &[]).await.assert_status(StatusCode::NOT_FOUND);
    }
    // Translating another portal's article, or filing under its category: refused, not stored.
    let foreign_original = w.public.to_string();
    let cat = w.foreign_category.to_string();
    let refused = outsider
        .post(
            "/manage/kb/articles",
            &[
                ("title", "Sneaky"),
                ("body", "x"),
                ("language", "pt-BR"),
                ("category", cat.as_str()),
                ("visibility", "public"),
                ("translation_of", foreign_original.as_str()),
                ("action", "publish"),
            ],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE title = 'Sneaky'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_revisions").await, before);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_article_attachments").await, 4);
}

/// Every search box with what an attacker types.
#[tokio::test]
async fn probe_kb_hostile_search_input_is_text_never_syntax_or_an_error() {
    let w = world().await;
    let app = &w.app;
    let admin = app.admin().await;
    let (customer_id, ana) = customer(app, "default", "ana@client.test").await;
    let support = app.id_of("SELECT id FROM departments WHERE name = $1", "Support of default").await;
    app.ticket(w.portal, support, Some(customer_id), "Printer jam report").await;
    let long = "printer ".repeat(1300);
    let quotes = "\"".repeat(5000);
    let hostile: Vec<String> = [
        "\"",
        "\"printer",
        "printer\"",
        "*",
        "print*",
        "*printer",
        "NEAR(printer toner)",
        "NEAR(",
        "printer NEAR toner",
        "-printer",
        "printer -toner",
        "title:printer",
        "{title}:printer",
        ":",
        "^printer",
        "printer OR toner",
        "OR",
        "AND NOT",
        "'",
        "printer's",
        "''''",
        "\\",
        "printer\\",
        "\\'",
        "a:*",
        "printer & toner | !x",
        "(printer",
        "printer)",
        "<->",
        "printer <-> toner",
        "\u{1}\u{2}\u{7}\u{1b}[31m printer",
        "\t\r\n printer",
        "p1enpublic",
        "p1eninternal",
        "scope:p1eninternal",
        "{scope}:p1eninternal",
        "zebrafish*",
        "ﬁ ﬂ ² ǅ ª",
        "\u{301}\u{301}",
        "日本語 العربية",
        "😀 printer",
        "%",
        "_",
        "%_printer",
        "1e3",
        "-1",
        "0x",
        "99999999999999999999",
    ]
    .into_iter()
    .map(String::from)
    .chain([long, quotes])
    .collect();
    let readers: [(&str, &Browser); 3] = [("visitor", &app.browser()), ("customer", &ana), ("admin", &admin)];
    for q in &hostile {
        let e = enc(q);
        let mut pages = Vec::new();
        for (who, b) in &readers {
            for path in [format!("/portal/default/kb/search?q={e}"), format!("/portal/default/kb/suggest?q={e}")] {
                pages.push((format!("{who} {path}"), b.get(&path).await));
            }
        }
        for path in [
            format!("/manage/kb/find?q={e}"),
            format!("/manage/kb?q={e}"),
            format!("/manage/tickets?queue=all&status=any&q={e}"),
        ] {
            pages.push((path.clone(), admin.get(&path).await));
        }
        pages.push(("my tickets".into(), ana.get(&format!("/portal/default/tickets?q={e}")).await));
        // Control characters are refused for every field (web::input), a clear 400.
        let expected = if q.chars().any(char::is_control) { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        for (what, page) in &pages {
            assert_eq!(page.status, expected, "{what} with {q:?}: {}", page.body);
            if !what.starts_with("/manage") && !what.starts_with("admin") {
                page.assert_lacks("zebrafish secret").assert_lacks("Printer zebrafish");
            }
            page.assert_lacks("quokka").assert_lacks("wombat");
        }
    }
    // Non-UTF-8 percent escapes and odd page numbers: a clear answer, never a 500.
    for path in [
        "/portal/default/kb/search?q=%FF%FE%00",
        "/portal/default/kb/search?q=%C3%28printer",
        "/portal/default/kb/suggest?q=%E2%82",
        "/portal/default/kb/search?q=printer&page=-1",
        "/portal/default/kb/search?q=printer&page=99999999999999999999",
        "/portal/default/kb/search?q=printer&page=1e3",
        "/portal/default/kb/search?q=printer&q=toner",
        "/portal/default/kb/search?q",
        "/portal/default/kb/search?q=%",
        "/portal/default/kb/search?q=%zz",
        "/portal/default/kb/search?q=printer&page=0",
    ] {
        no_server_error(&app.browser().get(path).await, path);
        no_server_error(&ana.get(path).await, path);
    }
    for path in [
        "/manage/kb/find?q=%FF%FE",
        "/manage/kb?q=%FF&page=-1",
        "/manage/kb?category=-1",
        "/manage/kb?category=99999999999999999999",
        "/manage/tickets?queue=all&q=%FF%FE",
    ] {
        no_server_error(&admin.get(path).await, path);
    }
    no_server_error(&ana.get("/portal/default/tickets?q=%FF%FE").await, "my tickets");
    // Internal notes never reach a customer's search.
    let number = app.count("SELECT MAX(number) AS n FROM tickets").await;
    admin
        .post(&format!("/manage/tickets/{number}/reply"), &[("message", "Note about axolotl."), ("kind", "note")])
        .await
        .assert_redirect_to(&format!("/manage/tickets/{number}"));
    ana.get("/portal/default/tickets?q=axolotl").await.assert_lacks("Printer jam report");
    ana.get("/portal/default/tickets?q=axol").await.assert_lacks("Printer jam report");
    admin.get("/manage/tickets?queue=all&status=any&q=axolotl").await.assert_contains("Printer jam report");
}

#[tokio::test]
async fn probe_kb_odd_ids_are_not_found_never_an_error() {
    let w = world().await;
    let app = &w.app;
    let admin = app.admin().await;
    let (_, ana) = customer(app, "default", "ana@client.test").await;
    let ids = ["-1", "0", "99999999999999999999", "1e3", "1.0", "abc", "%20", "0x10", "9223372036854775807"];
    let a = w.public;
    for id in ids {
        let portal = [
            format!("/portal/default/kb/articles/{id}"),
            format!("/portal/default/kb/categories/{id}"),
            format!("/portal/default/kb/articles/{id}/files/1"),
            format!("/portal/default/kb/articles/{a}/files/{id}"),
        ];
        for path in &portal {
            for b in [&ana, &admin] {
                let page = b.get(path).await;
                assert!(
                    page.status == StatusCode::NOT_FOUND || page.status == StatusCode::BAD_REQUEST,
                    "{path}: {}",
                    page.status
                );
            }
        }
        let page = ana.post(&format!("/portal/default/kb/articles/{id}/helpful"), &[("helpful", "yes")]).await;
        assert!(page.status.is_client_error(), "vote on {id}: {}", page.status);
        for path in [
            format!("/manage/kb/articles/new?category={id}&translation_of={id}&language={id}"),
            format!("/manage/kb/articles/new?translation_of={a}&language=pt-BR&category={id}"),
            format!("/manage/kb?category={id}&page={id}&language={id}&state={id}"),
            format!("/portal/default/kb/categories/{}?page={id}", w.category),
        ] {
            no_server_error(&admin.get(&path).await, &path);
        }
        for (ticket, message) in [(id, "1"), ("1", id), (id, id)] {
            let path = format!("/manage/kb/articles/new?ticket={ticket}&message={message}");
            let page = admin.get(&path).await;
            assert!(page.status.is_client_error(), "{path}: {}", page.status);
        }
        let manage = [
            format!("/manage/kb/articles/{id}"),
            format!("/manage/kb/articles/{id}/revisions"),
            format!("/manage/kb/articles/{a}/revisions/{id}"),
            format!("/manage/kb/articles/{a}/files/{id}"),
            format!("/manage/kb/categories/{id}"),
        ];
        for path in &manage {
            let page = admin.get(path).await;
            assert!(page.status.is_client_error(), "{path}: {}", page.status);
        }
        for path in [
            format!("/manage/kb/articles/{a}/revisions/{id}/restore"),
            format!("/manage/kb/articles/{id}/unpublish"),
            format!("/manage/kb/articles/{id}/delete"),
            format!("/manage/kb/articles/{a}/files/{id}/delete"),
            format!("/manage/kb/categories/{id}/delete"),
        ] {
            let page = admin.post(&path, &[("confirm", "yes")]).await;
            assert!(page.status.is_client_error(), "{path}: {}", page.status);
        }
        // Ids in forms.
        for (field, value) in [("category", id), ("translation_of", id)] {
            let mut form = vec![
                ("title", "Odd"),
                ("body", "x"),
                ("language", "pt-BR"),
                ("category", "1"),
                ("visibility", "public"),
                ("translation_of", ""),
                ("action", "publish"),
            ];
            form.retain(|(k, _)| *k != field);
            form.push((field, value));
            let page = admin.post("/manage/kb/articles", &form).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}: {}", page.body);
        }
        let page = admin.post("/manage/kb/categories", &[("parent", id), ("name_en", "Odd")]).await;
        assert!(page.status.is_client_error(), "parent={id}: {}", page.status);
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles WHERE title = 'Odd'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_category_names WHERE name = 'Odd'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles").await, 5);
}

/// What would run or load in a page, lower-cased.
const ACTIVE: [&str; 14] = [
    "<script>alert",
    "<script>x()",
    "onerror=",
    "onload=",
    "onclick=",
    "onmouseover=",
    "=\"javascript:",
    "=javascript:",
    "=\"vbscript:",
    "=\"data:",
    "<svg",
    "<iframe",
    "hidden comment",
    "url(javascript",
];

#[tokio::test]
async fn probe_kb_hostile_markdown_is_harmless_in_the_page_the_preview_and_the_snippet() {
    let w = world().await;
    let app = &w.app;
    let admin = app.admin().await;
    let cat = w.category.to_string();
    let hostile = "Quetzal <script>alert(1)</script>\n\n\
        <img src=x onerror=alert(2)> <svg onload=alert(3)><circle/></svg>\n\n\
        [a](javascript:alert(4)) [b](JaVaScRiPt:alert(5)) [c](data:text/html;base64,PHNjcmlwdD4=) \
        [d](vbscript:x) [e]( javascript:alert(6)) [f](java&#115;cript:alert(7))\n\n\
        <javascript:alert(8)> ![g](javascript:alert(9))\n\n\
        <a href=\"javascript:alert(10)\" onclick=\"alert(11)\">h</a> <!-- hidden comment -->\n\n\
        <iframe src=\"https://evil.test\"></iframe><style>body{}</style><form action=x><input></form>\n\n\
        <div style=\"background:url(javascript:alert(13))\" onmouseover=alert(14)>quetzal div</div>\n\n\
        Quetzal &lt;b&gt;escaped&lt;/b&gt; <b>bold</b>\n\n\
        <math><mtext><table><mglyph><style><img src=x onerror=alert(12)>";
    let title = "Quetzal <script>x()</script> \"title'";
    let fields = [
        ("title", title),
        ("body", hostile),
        ("language", "en"),
        ("category", cat.as_str()),
        ("visibility", "public"),
        ("translation_of", ""),
        ("action", "save"),
    ];
    admin.post("/manage/kb/articles", &fields).await.assert_redirect_to("/manage/kb/articles/");
    let id = app.count("SELECT MAX(id) AS n FROM kb_articles").await;
    // The preview on the edit page (the draft), then the published page.
    let edit = admin.get(&format!("/manage/kb/articles/{id}")).await;
    edit.assert_status(StatusCode::OK);
    let preview = edit.body.split("</textarea>").last().unwrap_or_default().to_lowercase();
    for needle in ACTIVE {
        assert!(!preview.contains(needle), "the preview holds {needle}: {preview}");
    }
    let mut publish = fields.to_vec();
    publish.retain(|(k, _)| *k != "action");
    publish.push(("action", "publish"));
    admin.post(&format!("/manage/kb/articles/{id}"), &publish).await.assert_redirect_to("/manage/kb/articles/");
    let stored: String = sqlx::query("SELECT body_html FROM kb_articles WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("body_html");
    let lower = stored.to_lowercase();
    for needle in ACTIVE.iter().chain(&["<script", "<style", "<form", "<!--"]) {
        assert!(!lower.contains(needle), "stored HTML holds {needle}: {stored}");
    }
    // The history shows the Markdown as text, never as HTML.
    admin.post(&format!("/manage/kb/articles/{id}"), &publish).await.assert_redirect_to("/manage/kb/articles/");
    for path in [format!("/manage/kb/articles/{id}/revisions"), format!("/manage/kb/articles/{id}/revisions/1")] {
        let page = admin.get(&path).await;
        page.assert_status(StatusCode::OK);
        for raw in ["<script>alert", "<script>x()", "<svg", "<iframe", "<img src=x", "href=\"javascript", "<!--"] {
            page.assert_lacks(raw);
        }
    }
    let visitor = app.browser();
    let page = visitor.get(&format!("/portal/default/kb/articles/{id}")).await;
    page.assert_status(StatusCode::OK).assert_contains("quetzal div");
    let lower = page.body.to_lowercase();
    for needle in ACTIVE {
        assert!(!lower.contains(needle), "the article page holds {needle}");
    }
    for q in ["quetzal", "quetzal script", "alert", "escaped", "onerror", "<b>", "script alert"] {
        let page = visitor.get(&format!("/portal/default/kb/search?q={}", enc(q))).await;
        page.assert_status(StatusCode::OK).assert_lacks("<script>alert").assert_lacks("<b>escaped");
        page.assert_lacks("onerror=").assert_lacks("<img src=x");
        let json = visitor.get(&format!("/portal/default/kb/suggest?q={}", enc(q))).await;
        assert!(json.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        // JSON read by a script that sets text, never HTML (static/kb-suggest.js), sent nosniff.
        serde_json::from_str::<serde_json::Value>(&json.body).expect("JSON");
        assert_eq!(json.headers["x-content-type-options"], "nosniff");
        // The query itself, echoed, is escaped.
        let echo = visitor.get(&format!("/portal/default/kb/search?q={}", enc("<img src=x onerror=alert(1)>"))).await;
        echo.assert_lacks("<img src=x onerror");
    }
}

#[tokio::test]
async fn probe_kb_posts_need_csrf_and_votes_cannot_be_stuffed() {
    let w = world().await;
    let app = &w.app;
    let admin = app.admin().await;
    let (_, ana) = customer(app, "default", "ana@client.test").await;
    let a = w.public;
    let cat = w.category.to_string();
    let snapshot = || async {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM kb_articles) AS a, (SELECT COUNT(*) FROM kb_revisions) AS r, \
             (SELECT COUNT(*) FROM kb_categories) AS c, (SELECT COUNT(*) FROM kb_votes) AS v, \
             (SELECT COUNT(*) FROM kb_article_attachments) AS f, \
             (SELECT COUNT(*) FROM kb_articles WHERE published_revision IS NULL) AS u",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        ["a", "r", "c", "v", "f", "u"].map(|c| row.get::<i64, _>(c))
    };
    let before = snapshot().await;
    let article_form: Vec<(&str, &str)> = vec![
        ("title", "Forged"),
        ("body", "x"),
        ("language", "en"),
        ("category", cat.as_str()),
        ("visibility", "public"),
        ("translation_of", ""),
        ("action", "publish"),
    ];
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/manage/kb/categories".into(), vec![("name_en", "Forged")]),
        (format!("/manage/kb/categories/{cat}"), vec![("name_en", "Forged")]),
        (format!("/manage/kb/categories/{cat}/delete"), vec![]),
        ("/manage/kb/articles".into(), article_form.clone()),
        (format!("/manage/kb/articles/{a}"), article_form.clone()),
        (format!("/manage/kb/articles/{a}/unpublish"), vec![]),
        (format!("/manage/kb/articles/{a}/discard"), vec![]),
        (format!("/manage/kb/articles/{a}/delete"), vec![("confirm", "yes")]),
        (format!("/manage/kb/articles/{a}/revisions/1/restore"), vec![]),
        (format!("/manage/kb/articles/{a}/files/{}/delete", w.files[0]), vec![]),
    ];
    for (path, form) in &posts {
        admin.post_raw(path, form).await.assert_status(StatusCode::FORBIDDEN);
        let mut wrong = form.clone();
        wrong.push(("csrf", "not-the-token"));
        admin.post_raw(path, &wrong).await.assert_status(StatusCode::FORBIDDEN);
    }
    let vote = format!("/portal/default/kb/articles/{a}/helpful");
    ana.post_raw(&vote, &[("helpful", "yes")]).await.assert_status(StatusCode::FORBIDDEN);
    app.browser().post_raw(&vote, &[("helpful", "yes")]).await.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(snapshot().await, before, "a forged POST wrote");

    // The same vote many times, and at once: one vote.
    let many = (0..8).map(|_| {
        let (ana, vote) = (ana.clone(), vote.clone());
        async move { ana.post(&vote, &[("helpful", "yes")]).await }
    });
    for page in futures_util::future::join_all(many).await {
        assert!(page.status.is_redirection(), "{} {}", page.status, page.body);
    }
    let counts = |id: i64| async move {
        let row = sqlx::query(
            "SELECT helpful_yes AS y, helpful_no AS n, \
             (SELECT COUNT(*) FROM kb_votes v WHERE v.article_id = a.id AND v.helpful = 1) AS vy, \
             (SELECT COUNT(*) FROM kb_votes v WHERE v.article_id = a.id AND v.helpful = 0) AS vn \
             FROM kb_articles a WHERE a.id = $1",
        )
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        ["y", "n", "vy", "vn"].map(|c| row.get::<i64, _>(c))
    };
    assert_eq!(counts(a).await, [1, 0, 1, 0]);
    // Changing one's mind at once, both ways: the counters follow the stored votes.
    let flips = (0..8).map(|i| {
        let (ana, vote) = (ana.clone(), vote.clone());
        async move { ana.post(&vote, &[("helpful", if i % 2 == 0 { "no" } else { "yes" })]).await }
    });
    futures_util::future::join_all(flips).await;
    let [y, n, vy, vn] = counts(a).await;
    assert_eq!((y, n), (vy, vn), "counters drifted from the votes");
    assert_eq!(y + n, 1);
    // An odd answer, a staff member's vote, a vote on the other portal's article: refused.
    ana.post(&vote, &[("helpful", "maybe")]).await.assert_status(StatusCode::BAD_REQUEST);
    ana.post(&vote, &[]).await.assert_status(StatusCode::BAD_REQUEST);
    let staff = portal_staff(app, "default", "staff@default.test").await;
    staff.post(&vote, &[("helpful", "yes")]).await.assert_status(StatusCode::FORBIDDEN);
    ana.post(&format!("/portal/default/kb/articles/{}/helpful", w.foreign), &[("helpful", "yes")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    ana.post(&format!("/portal/other/kb/articles/{a}/helpful"), &[("helpful", "yes")])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_votes").await, 1);
    // Visitors forging fresh voter cookies are throttled per address.
    let mut refused = 0;
    for i in 0..70 {
        let b = app.browser();
        let url: reqwest::Url = b.base.parse().unwrap();
        b.jar.add_cookie_str(&format!("fd_kb_voter={i:0>43}"), &url);
        let resp = b.post(&vote, &[("helpful", "yes")]).await;
        assert!(resp.status.as_u16() < 500);
        if resp.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 9, "only {refused} of 70 forged votes refused");
    let [y, n, vy, vn] = counts(a).await;
    assert_eq!((y, n), (vy, vn));
    assert!(y + n <= 61, "{y} + {n} votes from one address");
}

/// Distinct words (`{prefix}{n}`) for `n` from `from`, until their letters reach `bytes`.
fn distinct_words(prefix: &str, from: usize, bytes: usize) -> (String, usize) {
    let (mut text, mut total, mut n) = (String::new(), 0, from);
    while total < bytes {
        let word = format!("{prefix}{n}");
        total += word.len();
        text.push_str(&word);
        text.push(' ');
        n += 1;
    }
    (text, n)
}

/// A ticket whose text nears what one PostgreSQL tsvector holds (1 MiB of distinct words; a
/// customer gets there in some thirty replies of words nobody repeats): a reply and a note
/// still go in, and the ticket is still found by its subject.
#[tokio::test]
async fn probe_kb_a_ticket_with_a_megabyte_of_distinct_words_still_takes_replies() {
    let app = spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let number = app.ticket(portal, support, None, "Quagga overflow").await;
    let ticket = app.count_with("SELECT id AS n FROM tickets WHERE number = $1", number).await;
    let (long, _) = distinct_words("k", 0, 612_000);
    sqlx::query(
        "INSERT INTO ticket_messages (portal_id, ticket_id, kind, author_name, body, created_at) \
         VALUES ($1, $2, 'public', 'Rita Requester', $3, 1700000001)",
    )
    .bind(portal)
    .bind(ticket)
    .bind(&long)
    .execute(app.db.writer())
    .await
    .expect("a long message");
    let admin = app.admin().await;
    let (reply, _) = distinct_words("r", 0, 15_000);
    for kind in ["public", "note"] {
        let page = admin
            .post(&format!("/manage/tickets/{number}/reply"), &[("message", reply.as_str()), ("kind", kind)])
            .await;
        page.assert_redirect_to(&format!("/manage/tickets/{number}"));
    }
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM ticket_messages WHERE ticket_id = $1", ticket).await, 4);
    let page = admin.get("/manage/tickets?queue=all&status=any&q=quagga").await;
    page.assert_status(StatusCode::OK).assert_contains(&format!("href=\"/manage/tickets/{number}\""));
}

/// Two editors at once put each of two categories inside the other: one wins, the other is
/// told the category would go inside itself; never a loop (which would hide both, and their
/// articles, from every page).
#[tokio::test]
async fn probe_kb_two_editors_cannot_loop_categories_at_once() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let admin = app.admin().await;
    let (_, editor) = app.signed_in_agent("default", "second@desk.test", &[], &["edit_kb"]).await;
    for round in 0..4 {
        let a = category(&app, portal, &format!("Alpha {round}")).await;
        let b = category(&app, portal, &format!("Beta {round}")).await;
        let (a_name, b_name) = (format!("Alpha {round}"), format!("Beta {round}"));
        let (a_s, b_s) = (a.to_string(), b.to_string());
        let (a_path, b_path) = (format!("/manage/kb/categories/{a}"), format!("/manage/kb/categories/{b}"));
        let a_form = [("parent", b_s.as_str()), ("name_en", a_name.as_str())];
        let b_form = [("parent", a_s.as_str()), ("name_en", b_name.as_str())];
        let (one, two) = tokio::join!(admin.post(&a_path, &a_form), editor.post(&b_path, &b_form));
        for page in [&one, &two] {
            assert!(
                page.status.is_redirection() || page.status == StatusCode::UNPROCESSABLE_ENTITY,
                "{} {}",
                page.status,
                page.body
            );
        }
        let parents = sqlx::query("SELECT id, parent_id FROM kb_categories WHERE id IN ($1, $2) ORDER BY id")
            .bind(a)
            .bind(b)
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<Option<i64>, _>("parent_id"))
            .collect::<Vec<_>>();
        assert_ne!(parents, vec![Some(b), Some(a)], "round {round}: the categories hold each other");
    }
}

/// Two editors at once translate one original into the same language.
#[tokio::test]
async fn probe_kb_two_translations_into_one_language_at_once() {
    let w = world().await;
    let app = &w.app;
    let admin = app.admin().await;
    let (_, editor) = app.signed_in_agent("default", "second@desk.test", &[], &["edit_kb"]).await;
    let original = w.internal.to_string();
    let cat = w.category.to_string();
    let form = |title: &'static str| {
        vec![
            ("title", title),
            ("body", "Texto."),
            ("language", "pt-BR"),
            ("category", cat.as_str()),
            ("visibility", "public"),
            ("translation_of", original.as_str()),
            ("action", "publish"),
        ]
    };
    let (one, two) = (form("Tradução um"), form("Tradução dois"));
    let (a, b) = tokio::join!(admin.post("/manage/kb/articles", &one), editor.post("/manage/kb/articles", &two));
    for page in [&a, &b] {
        assert!(page.status.as_u16() < 500, "{} {}", page.status, page.body);
    }
    let n = app
        .count_with(
            "SELECT COUNT(*) AS n FROM kb_articles WHERE translation_of = $1 AND language = 'pt-BR'",
            w.internal,
        )
        .await;
    assert_eq!(n, 1, "two translations into one language");
    assert!(
        [a.status, b.status].contains(&StatusCode::CONFLICT)
            || [a.status, b.status].contains(&StatusCode::UNPROCESSABLE_ENTITY)
    );
}

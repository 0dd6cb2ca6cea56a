//! The knowledge base in the portal, as readers use it: the home, category and article pages,
//! "Was this helpful?", and articles' files; who may read what, on both engines.

use frontdesk::kb::Visibility;
use frontdesk::kb::store::{self, Author, NewArticle, NewCategory};
use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{AGENT_PASSWORD, Browser, TestApp, spawn};

const PASSWORD: &str = "Customer-Passw0rd!";
const AUTHOR: Author<'static> = Author { staff_id: None, name: "Frontdesk" };

async fn category(app: &TestApp, portal_id: i64, parent_id: Option<i64>, names: &[(&str, &str)]) -> i64 {
    let mut tx = app.db.writer().begin().await.unwrap();
    let (language, name) = names[0];
    let new = NewCategory { portal_id, parent_id, position: 0, language, name, description: "" };
    let id = store::create_category(&mut tx, &new, 100).await.unwrap();
    for (language, name) in &names[1..] {
        store::set_category_name(&mut tx, portal_id, id, language, name, "").await.unwrap();
    }
    tx.commit().await.unwrap();
    id
}

struct Art<'a> {
    category_id: i64,
    language: &'a str,
    translation_of: Option<i64>,
    visibility: Visibility,
    title: &'a str,
    markdown: &'a str,
}

async fn article(app: &TestApp, portal_id: i64, a: Art<'_>, at: i64) -> i64 {
    let new = NewArticle {
        portal_id,
        category_id: a.category_id,
        language: a.language,
        translation_of: a.translation_of,
        visibility: a.visibility,
        title: a.title,
        markdown: a.markdown,
        staff_id: None,
    };
    let mut tx = app.db.writer().begin().await.unwrap();
    let id = store::create_published(&mut tx, &new, AUTHOR, at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn simple(app: &TestApp, portal_id: i64, category_id: i64, visibility: Visibility, title: &str) -> i64 {
    let a = Art { category_id, language: "en", translation_of: None, visibility, title, markdown: "Some **text**." };
    article(app, portal_id, a, 1_700_000_000).await
}

async fn signed_in_customer(app: &TestApp, slug: &str, email: &str) -> Browser {
    app.customer(slug, email, PASSWORD).await;
    let browser = app.browser();
    browser.sign_in_portal(slug, email, PASSWORD).await.assert_redirect_to(&format!("/portal/{slug}/"));
    browser
}

async fn signed_in_agent(app: &TestApp, email: &str) -> Browser {
    app.agent("default", email, "Ada Agent", &[], &[]).await;
    let browser = app.browser();
    browser.sign_in_portal("default", email, AGENT_PASSWORD).await.assert_redirect_to("/portal/default/");
    browser
}

async fn counters(app: &TestApp, portal_id: i64, id: i64) -> (i64, i64, i64) {
    let row = sqlx::query(
        "SELECT helpful_yes, helpful_no, (SELECT COUNT(*) FROM kb_votes v WHERE v.portal_id = a.portal_id AND v.article_id = a.id) AS votes \
         FROM kb_articles a WHERE a.portal_id = $1 AND a.id = $2",
    )
    .bind(portal_id)
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    (row.get("helpful_yes"), row.get("helpful_no"), row.get("votes"))
}

#[tokio::test]
async fn kb_visibility_holds_for_every_reader_through_pages_lists_and_files() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let (other, _) = app.portal_with_department("other").await;
    let cat = category(&app, portal, None, &[("en", "Accounts")]).await;
    let public = simple(&app, portal, cat, Visibility::Public, "Public reset guide").await;
    let customers = simple(&app, portal, cat, Visibility::Customers, "Customer billing guide").await;
    let internal = simple(&app, portal, cat, Visibility::Internal, "Internal escalation guide").await;
    let internal_only = category(&app, portal, None, &[("en", "Agents corner")]).await;
    simple(&app, portal, internal_only, Visibility::Internal, "Internal macros").await;
    let files = [
        (public, app.kb_article_file(portal, public, b"public file").await),
        (customers, app.kb_article_file(portal, customers, b"customer file").await),
        (internal, app.kb_article_file(portal, internal, b"internal file").await),
    ];
    let other_cat = category(&app, other, None, &[("en", "Other topics")]).await;
    let foreign = simple(&app, other, other_cat, Visibility::Public, "Other portal article").await;
    let foreign_file = app.kb_article_file(other, foreign, b"other portal file").await;

    let visitor = app.browser();
    let customer = signed_in_customer(&app, "default", "cora@client.test").await;
    let outsider = signed_in_customer(&app, "other", "otto@other.test").await;
    let staff = signed_in_agent(&app, "ada@desk.test").await;
    // (reader, may read: public, customers, internal)
    let readers = [
        ("visitor", &visitor, [true, false, false]),
        ("customer", &customer, [true, true, false]),
        ("another portal's customer", &outsider, [true, false, false]),
        ("agent", &staff, [true, true, true]),
    ];
    let titles = ["Public reset guide", "Customer billing guide", "Internal escalation guide"];
    for (who, browser, may) in readers {
        let home = browser.get("/portal/default/kb").await;
        home.assert_status(StatusCode::OK);
        let list = browser.get(&format!("/portal/default/kb/categories/{cat}")).await;
        list.assert_status(StatusCode::OK);
        for (i, ((id, file_id), title)) in files.iter().zip(titles).enumerate() {
            let page = browser.get(&format!("/portal/default/kb/articles/{id}")).await;
            let (status, _, body) =
                browser.get_bytes(&format!("/portal/default/kb/articles/{id}/files/{file_id}")).await;
            if may[i] {
                page.assert_status(StatusCode::OK).assert_contains(title).assert_contains("<strong>text</strong>");
                assert_eq!(status, StatusCode::OK, "{who} reading the file of {title}");
                assert!(body.ends_with(b" file"), "{who}: {}", String::from_utf8_lossy(&body));
                list.assert_contains(title);
                assert!(home.body.contains(title), "{who} should see {title} on the home page");
            } else {
                assert_eq!(page.status, StatusCode::NOT_FOUND, "{who} reading {title}");
                assert_eq!(status, StatusCode::NOT_FOUND, "{who} reading the file of {title}");
                list.assert_lacks(title);
                home.assert_lacks(title);
            }
        }
        // A category with nothing this reader may read does not exist for them.
        let corner = browser.get(&format!("/portal/default/kb/categories/{internal_only}")).await;
        assert_eq!(corner.status == StatusCode::OK, may[2], "{who}: a category of internal articles only");
        assert_eq!(home.body.contains("Agents corner"), may[2], "{who}: the home lists the internal category");
        // Another portal's article, category and file, and another article's file, are not here.
        for path in [
            format!("/portal/default/kb/articles/{foreign}"),
            format!("/portal/default/kb/categories/{other_cat}"),
            format!("/portal/default/kb/articles/{foreign}/files/{foreign_file}"),
            format!("/portal/default/kb/articles/{public}/files/{foreign_file}"),
            format!("/portal/default/kb/articles/{public}/files/{}", files[1].1),
            format!("/portal/default/kb/articles/{public}x"),
        ] {
            assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND, "{who}: {path}");
        }
    }
    // Agents are told what not everyone may read, and see the votes instead of voting.
    staff
        .get(&format!("/portal/default/kb/articles/{internal}"))
        .await
        .assert_contains("badge warn\">Internal")
        .assert_contains("id=\"kb-votes\"")
        .assert_lacks("name=\"helpful\"");
    // The other portal's own reader finds its article there.
    outsider.get(&format!("/portal/other/kb/articles/{foreign}")).await.assert_contains("Other portal article");
    // Visitors are told that signing in shows more.
    visitor.get("/portal/default/kb").await.assert_contains("id=\"kb-sign-in-for-more\"");
    customer.get("/portal/default/kb").await.assert_lacks("id=\"kb-sign-in-for-more\"");
}

#[tokio::test]
async fn kb_pages_show_categories_articles_translations_and_related_in_the_readers_language() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let top = category(&app, portal, None, &[("en", "Billing"), ("pt-BR", "Cobrança")]).await;
    let sub = category(&app, portal, Some(top), &[("en", "Invoices"), ("pt-BR", "Faturas")]).await;
    let a = Art {
        category_id: sub,
        language: "en",
        translation_of: None,
        visibility: Visibility::Public,
        title: "Download an invoice",
        markdown: "Open **Invoices** <script>alert(1)</script>",
    };
    let original = article(&app, portal, a, 1_700_000_000).await;
    let a = Art {
        category_id: sub,
        language: "pt-BR",
        translation_of: Some(original),
        visibility: Visibility::Public,
        title: "Baixar uma fatura",
        markdown: "Abra **Faturas**",
    };
    let translation = article(&app, portal, a, 1_700_000_100).await;
    let related = simple(&app, portal, sub, Visibility::Public, "Change the billing address").await;
    let a = Art {
        category_id: sub,
        language: "pt-BR",
        translation_of: None,
        visibility: Visibility::Public,
        title: "Notas fiscais",
        markdown: "Texto.",
    };
    let portuguese_only = article(&app, portal, a, 1_700_000_200).await;

    // English: one entry per translation group, in English, the Portuguese-only one marked.
    let en = app.browser();
    let home = en.get("/portal/default/kb").await;
    home.assert_status(StatusCode::OK).assert_contains("Help center").assert_contains("Billing");
    assert!(home.body.contains("3 articles"), "the top category counts its sections' articles:\n{}", home.body);
    home.assert_contains("id=\"kb-recent\"").assert_lacks("id=\"kb-popular\"");
    home.assert_contains("action=\"/portal/default/kb/search\"").assert_contains("name=\"q\"");
    home.assert_contains("href=\"/portal/default/kb\">Help</a>");
    let top_page = en.get(&format!("/portal/default/kb/categories/{top}")).await;
    top_page.assert_contains("Invoices").assert_contains(&format!("/portal/default/kb/categories/{sub}"));
    let sub_page = en.get(&format!("/portal/default/kb/categories/{sub}")).await;
    let list = sub_page.between("id=\"kb-list\"", "</ul>");
    assert!(list.contains("Download an invoice") && !list.contains("Baixar uma fatura"), "{list}");
    assert!(list.contains("Notas fiscais") && list.contains("Português (Brasil)"), "{list}");
    sub_page.assert_contains(&format!("href=\"/portal/default/kb/categories/{top}\">Billing</a>"));

    let page = en.get(&format!("/portal/default/kb/articles/{original}")).await;
    page.assert_status(StatusCode::OK).assert_contains("<strong>Invoices</strong>").assert_lacks("<script>");
    page.assert_contains(&format!("href=\"/portal/default/kb/articles/{translation}\" hreflang=\"pt-BR\""));
    page.assert_contains("Leia este artigo em português");
    let related_list = page.between("id=\"kb-related\"", "</ul>");
    assert!(related_list.contains(&format!("/articles/{related}\"")), "{related_list}");
    // Related: the same category and language, never the article's own translations.
    assert!(!related_list.contains(&format!("/articles/{translation}\"")), "{related_list}");
    assert!(!related_list.contains(&format!("/articles/{portuguese_only}\"")), "{related_list}");
    // The breadcrumbs lead up through both categories.
    let crumbs = page.between("class=\"kb-crumbs\"", "</nav>");
    assert!(crumbs.contains("Billing") && crumbs.contains("Invoices"), "{crumbs}");

    // A file placed in the text as the editor gives it (relative to the article's address)
    // resolves to the reader's file route.
    let shot = app.kb_article_file(portal, related, b"a plain file").await;
    let mut tx = app.db.writer().begin().await.unwrap();
    let text = format!("See [the notes]({related}/files/{shot}).");
    store::publish(&mut tx, portal, related, ("Change the billing address", &text), AUTHOR, None, 1_700_000_300)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let page = en.get(&format!("/portal/default/kb/articles/{related}")).await;
    page.assert_contains(&format!("href=\"{related}/files/{shot}\""));
    let (status, _, body) = en.get_bytes(&format!("/portal/default/kb/articles/{related}/files/{shot}")).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, b"a plain file".as_slice()));

    // Portuguese: the same pages, in Portuguese, the Portuguese version first.
    let pt = app.browser_pt();
    let home = pt.get("/portal/default/kb").await;
    home.assert_contains("Central de ajuda").assert_contains("Cobrança").assert_contains("3 artigos");
    let sub_page = pt.get(&format!("/portal/default/kb/categories/{sub}")).await;
    let list = sub_page.between("id=\"kb-list\"", "</ul>");
    assert!(list.contains("Baixar uma fatura") && !list.contains("Download an invoice"), "{list}");
    assert!(list.contains("Change the billing address") && list.contains(">English<"), "{list}");
    let page = pt.get(&format!("/portal/default/kb/articles/{translation}")).await;
    page.assert_contains("<strong>Faturas</strong>").assert_contains("Este artigo foi útil?");
    page.assert_contains("Read this article in English").assert_contains("lang=\"pt-BR\" id=\"kb-article\"");
}

#[tokio::test]
async fn kb_category_pages_come_in_pages_of_fifty() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat = category(&app, portal, None, &[("en", "Many")]).await;
    for i in 0..55 {
        simple(&app, portal, cat, Visibility::Public, &format!("Article {i:03}")).await;
    }
    let browser = app.browser();
    let first = browser.get(&format!("/portal/default/kb/categories/{cat}")).await;
    first.assert_contains("Page 1 of 2").assert_contains("Article 049").assert_lacks("Article 050");
    first.assert_contains(&format!("href=\"/portal/default/kb/categories/{cat}?page=2\""));
    let second = browser.get(&format!("/portal/default/kb/categories/{cat}?page=2")).await;
    second.assert_contains("Article 050").assert_contains("Article 054").assert_lacks("Article 049");
    assert_eq!(browser.get(&format!("/portal/default/kb/categories/{cat}?page=3")).await.status, StatusCode::NOT_FOUND);
    let bad = browser.get(&format!("/portal/default/kb/categories/{cat}?page=x")).await;
    bad.assert_status(StatusCode::BAD_REQUEST).assert_contains("That page number is not valid.");
}

#[tokio::test]
async fn kb_helpful_votes_are_one_per_reader_changeable_and_throttled() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat = category(&app, portal, None, &[("en", "Accounts")]).await;
    let id = simple(&app, portal, cat, Visibility::Public, "Reset your password").await;
    let hidden = simple(&app, portal, cat, Visibility::Customers, "Billing for customers").await;
    let vote = format!("/portal/default/kb/articles/{id}/helpful");

    let visitor = app.browser();
    visitor.get(&format!("/portal/default/kb/articles/{id}")).await.assert_contains("Was this article helpful?");
    visitor
        .post(&vote, &[("helpful", "yes")])
        .await
        .assert_redirect_to(&format!("/portal/default/kb/articles/{id}?msg=voted"));
    assert!(visitor.cookie("fd_kb_voter").is_some());
    assert_eq!(counters(&app, portal, id).await, (1, 0, 1));
    visitor.post(&vote, &[("helpful", "yes")]).await.assert_redirect_to("/portal/default/kb/articles/");
    assert_eq!(counters(&app, portal, id).await, (1, 0, 1), "the same vote twice counts once");
    visitor.post(&vote, &[("helpful", "no")]).await;
    assert_eq!(counters(&app, portal, id).await, (0, 1, 1), "a changed vote moves, never adds");
    visitor
        .get(&format!("/portal/default/kb/articles/{id}?msg=voted"))
        .await
        .assert_contains("Thank you for your feedback.");
    let stored: String = sqlx::query("SELECT voter FROM kb_votes WHERE portal_id = $1 AND article_id = $2")
        .bind(portal)
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("voter");
    let cookie = visitor.cookie("fd_kb_voter").unwrap();
    assert!(stored.starts_with("visitor:") && !stored.contains(&cookie), "only the cookie's hash is kept: {stored}");

    let customer = signed_in_customer(&app, "default", "cora@client.test").await;
    customer.post(&vote, &[("helpful", "yes")]).await.assert_redirect_to("/portal/default/kb/articles/");
    customer.post(&vote, &[("helpful", "yes")]).await;
    assert_eq!(counters(&app, portal, id).await, (1, 1, 2));
    app.browser().post(&vote, &[("helpful", "yes")]).await;
    assert_eq!(counters(&app, portal, id).await, (2, 1, 3), "another browser is another visitor");

    // Refused: a vote that is neither, no CSRF token, an article the reader may not read, staff.
    visitor
        .post(&vote, &[("helpful", "maybe")])
        .await
        .assert_status(StatusCode::BAD_REQUEST)
        .assert_contains("Please answer yes or no.");
    let forged = visitor.post_raw(&vote, &[("helpful", "yes")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let hidden_vote = format!("/portal/default/kb/articles/{hidden}/helpful");
    visitor.post(&hidden_vote, &[("helpful", "yes")]).await.assert_status(StatusCode::NOT_FOUND);
    customer.post(&hidden_vote, &[("helpful", "yes")]).await.assert_redirect_to("/portal/default/kb/articles/");
    let staff = signed_in_agent(&app, "ada@desk.test").await;
    staff.post(&vote, &[("helpful", "yes")]).await.assert_status(StatusCode::FORBIDDEN);
    staff.get(&format!("/portal/default/kb/articles/{id}")).await.assert_contains("2 found it helpful, 1 did not.");
    assert_eq!(counters(&app, portal, id).await, (2, 1, 3));
    assert_eq!(counters(&app, portal, hidden).await, (1, 0, 1));

    // The home lists what was found helpful: votes reach the node's copy of the lists within a
    // minute, or with the next change, as here (written by another writer: heard of within a
    // second).
    simple(&app, portal, cat, Visibility::Public, "Something new").await;
    let home = app
        .browser()
        .get_until("/portal/default/kb", "the popular list", |p| p.body.contains("id=\"kb-popular\""))
        .await;
    let popular = home.between("id=\"kb-popular\"", "</ul>");
    assert!(popular.contains("Reset your password") && !popular.contains("Something new"), "{popular}");

    // Sixty votes an hour from one address, whatever the cookies say.
    let mut refused = None;
    for i in 0..60 {
        let page = app.browser().post(&vote, &[("helpful", "yes")]).await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, page));
            break;
        }
    }
    let (i, page) = refused.expect("votes are throttled");
    page.assert_contains("Many votes came from your address");
    let (yes, _, votes) = counters(&app, portal, id).await;
    assert_eq!((yes, votes), (2 + i, 3 + i), "a refused vote counts nowhere");
}

#[tokio::test]
async fn kb_changes_by_other_writers_show_within_a_second() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat = category(&app, portal, None, &[("en", "Accounts")]).await;
    let first = simple(&app, portal, cat, Visibility::Public, "First article").await;
    let browser = app.browser();
    browser.get("/portal/default/kb").await.assert_contains("First article");
    browser.get(&format!("/portal/default/kb/categories/{cat}")).await.assert_contains("First article");

    // Published, renamed, hidden and unpublished by other writers (SQL, as another node or
    // the command line would): each shows within a second (PostgreSQL notifies every node; on
    // SQLite a poll sees the version move).
    let category_page = format!("/portal/default/kb/categories/{cat}");
    let second = simple(&app, portal, cat, Visibility::Public, "Second article").await;
    browser.get_until(&category_page, "the second article", |p| p.body.contains("Second article")).await;
    let mut tx = app.db.writer().begin().await.unwrap();
    store::set_category_name(&mut tx, portal, cat, "en", "Your account", "").await.unwrap();
    tx.commit().await.unwrap();
    browser
        .get_until("/portal/default/kb", "the new name", |p| p.body.contains("Your account"))
        .await
        .assert_lacks(">Accounts<");
    sqlx::query("UPDATE kb_articles SET visibility = 'internal' WHERE portal_id = $1 AND id = $2")
        .bind(portal)
        .bind(second)
        .execute(app.db.writer())
        .await
        .unwrap();
    browser.get_until(&category_page, "the article hidden", |p| !p.body.contains("Second article")).await;
    assert_eq!(browser.get(&format!("/portal/default/kb/articles/{second}")).await.status, StatusCode::NOT_FOUND);
    sqlx::query("UPDATE kb_articles SET published_revision = NULL WHERE portal_id = $1 AND id = $2")
        .bind(portal)
        .bind(first)
        .execute(app.db.writer())
        .await
        .unwrap();
    let first_page = format!("/portal/default/kb/articles/{first}");
    browser.get_until(&first_page, "a 404", |p| p.status == StatusCode::NOT_FOUND).await;
    browser.get_until(&category_page, "a 404", |p| p.status == StatusCode::NOT_FOUND).await;
    browser
        .get("/portal/default/kb")
        .await
        .assert_lacks("First article")
        .assert_contains("There are no articles here yet.");
    // The portal menu leads here.
    browser.get("/portal/default/").await.assert_contains("href=\"/portal/default/kb\">Help</a>");
}

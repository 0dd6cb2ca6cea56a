//! The knowledge base in management (/manage/kb): categories, articles with drafts, publishing,
//! hostile Markdown, translations. `kb_manage_history.rs` has revisions, files, the boundaries
//! (`edit_kb` on every route, another portal's ids) and articles started from a ticket's reply.

use frontdesk::kb::Visibility;
use frontdesk::kb::store::{self, Author, NewArticle, NewCategory};
use reqwest::StatusCode;
use sqlx::Row;

use crate::common::{Browser, TestApp, spawn};

/// A category of the portal, written directly; its id.
pub(crate) async fn category(app: &TestApp, portal_id: i64, name: &str) -> i64 {
    let mut tx = app.db.writer().begin().await.unwrap();
    let new = NewCategory { portal_id, parent_id: None, position: 0, language: "en", name, description: "" };
    let id = store::create_category(&mut tx, &new, 100).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A published article, written directly; its id.
pub(crate) async fn published(
    app: &TestApp,
    portal_id: i64,
    category_id: i64,
    language: &str,
    title: &str,
    markdown: &str,
) -> i64 {
    let mut tx = app.db.writer().begin().await.unwrap();
    let new = NewArticle {
        portal_id,
        category_id,
        language,
        translation_of: None,
        visibility: Visibility::Public,
        title,
        markdown,
        staff_id: None,
    };
    let id = store::create_published(&mut tx, &new, Author { staff_id: None, name: "Seed" }, 100).await.unwrap();
    tx.commit().await.unwrap();
    id
}

pub(crate) async fn last_article(app: &TestApp) -> i64 {
    app.count("SELECT MAX(id) AS n FROM kb_articles").await
}

/// One text column of an article.
pub(crate) async fn article_text(app: &TestApp, id: i64, column: &str) -> Option<String> {
    let sql = format!("SELECT {column} AS v FROM kb_articles WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(app.db.pool()).await.unwrap().get("v")
}

pub(crate) async fn article_number(app: &TestApp, id: i64, column: &str) -> Option<i64> {
    let sql = format!("SELECT {column} AS v FROM kb_articles WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(app.db.pool()).await.unwrap().get("v")
}

/// The article form's fields.
pub(crate) fn fields<'a>(
    title: &'a str,
    body: &'a str,
    category: &'a str,
    action: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("title", title),
        ("body", body),
        ("language", "en"),
        ("category", category),
        ("visibility", "public"),
        ("translation_of", ""),
        ("action", action),
    ]
}

/// Every category as `parent:position:en-name:pt-name`, by id.
async fn categories(app: &TestApp) -> Vec<String> {
    let rows = sqlx::query(
        "SELECT c.id, COALESCE(c.parent_id, 0) AS parent, c.position, \
         COALESCE((SELECT name FROM kb_category_names n WHERE n.category_id = c.id AND n.language = 'en'), '-') AS en, \
         COALESCE((SELECT name FROM kb_category_names n WHERE n.category_id = c.id AND n.language = 'pt-BR'), '-') AS pt \
         FROM kb_categories c ORDER BY c.id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let (parent, position): (i64, i64) = (r.get("parent"), r.get("position"));
            format!("{parent}:{position}:{}:{}", r.get::<String, _>("en"), r.get::<String, _>("pt"))
        })
        .collect()
}

#[tokio::test]
async fn kb_categories_nest_in_two_languages_are_edited_and_deleted_only_when_empty() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let admin = app.admin().await;
    admin.get("/manage").await.assert_contains("href=\"/manage/kb\"");
    admin.get("/manage/kb/categories").await.assert_status(StatusCode::OK).assert_contains("id=\"no-categories\"");

    let add = |fields: Vec<(&'static str, &'static str)>| {
        let admin = admin.clone();
        async move { admin.post("/manage/kb/categories", &fields).await }
    };
    add(vec![
        ("parent", ""),
        ("position", "2"),
        ("name_en", "Accounts"),
        ("name_pt", "Contas"),
        ("description_pt", "Senhas e acesso"),
    ])
    .await
    .assert_redirect_to("/manage/kb/categories?msg=kb-category-saved");
    add(vec![("position", "1"), ("name_en", "Billing")]).await.assert_redirect_to("/manage/kb/categories");
    let accounts = app.id_of("SELECT category_id AS id FROM kb_category_names WHERE name = $1", "Accounts").await;
    let billing = app.id_of("SELECT category_id AS id FROM kb_category_names WHERE name = $1", "Billing").await;
    let inside = accounts.to_string();
    let child = vec![("parent", inside.as_str()), ("name_en", "Passwords")];
    admin.post("/manage/kb/categories", &child).await.assert_redirect_to("/manage/kb/categories");
    let passwords = app.id_of("SELECT category_id AS id FROM kb_category_names WHERE name = $1", "Passwords").await;
    assert_eq!(
        categories(&app).await,
        vec!["0:2:Accounts:Contas".to_string(), "0:1:Billing:-".into(), format!("{accounts}:0:Passwords:-")]
    );
    let description = app.text("SELECT description AS v FROM kb_category_names WHERE language = 'pt-BR'").await;
    assert_eq!(description, "Senhas e acesso");

    // The tree: by position, children under their parent.
    let page = admin.get("/manage/kb/categories?msg=kb-category-saved").await;
    page.assert_contains("The category was saved.");
    let order: Vec<usize> =
        ["Billing", "Accounts", "&#8212; <a", "Passwords"].iter().map(|n| page.body.find(n).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    // Refused: no name, a name of two lines, a category inside itself or its own child, an
    // unknown parent, a position that is not a number. Nothing changes.
    let before = categories(&app).await;
    add(vec![("name_en", " "), ("name_pt", "")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Give the category a name");
    add(vec![("name_en", "A\nB")]).await.assert_status(StatusCode::BAD_REQUEST);
    add(vec![("name_en", "X"), ("parent", "999999")]).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    add(vec![("name_en", "X"), ("position", "first")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("whole number");
    let into_child = passwords.to_string();
    let edit = format!("/manage/kb/categories/{accounts}");
    let moved = admin.post(&edit, &[("parent", into_child.as_str()), ("name_en", "Accounts")]).await;
    moved.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("cannot go inside itself");
    let own = accounts.to_string();
    admin
        .post(&edit, &[("parent", own.as_str()), ("name_en", "Accounts")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(categories(&app).await, before);

    // Edited: the English name dropped for a Portuguese one, moved to the top, repositioned.
    let edit_child = format!("/manage/kb/categories/{passwords}");
    admin.get(&edit_child).await.assert_contains("value=\"Passwords\"");
    let changed = [("parent", ""), ("position", "5"), ("name_en", ""), ("name_pt", "Senhas")];
    admin.post(&edit_child, &changed).await.assert_redirect_to("/manage/kb/categories?msg=kb-category-saved");
    assert_eq!(categories(&app).await[2], "0:5:-:Senhas");

    // Deleted only when empty.
    let back = [("parent", inside.as_str()), ("name_pt", "Senhas")];
    admin.post(&edit_child, &back).await.assert_redirect_to("/manage/kb/categories");
    let refused = admin.post(&format!("/manage/kb/categories/{accounts}/delete"), &[]).await;
    refused.assert_status(StatusCode::CONFLICT).assert_contains("not empty");
    published(&app, portal, billing, "en", "Invoices", "Text").await;
    admin.post(&format!("/manage/kb/categories/{billing}/delete"), &[]).await.assert_status(StatusCode::CONFLICT);
    admin
        .post(&format!("{edit_child}/delete"), &[])
        .await
        .assert_redirect_to("/manage/kb/categories?msg=kb-category-deleted");
    admin
        .post(&format!("/manage/kb/categories/{accounts}/delete"), &[])
        .await
        .assert_redirect_to("/manage/kb/categories");
    assert_eq!(categories(&app).await, vec!["0:1:Billing:-"]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_category_names").await, 1);
    admin.get(&edit_child).await.assert_status(StatusCode::NOT_FOUND);

    // In Portuguese.
    let pt = app.manage_as_pt(crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    pt.get("/manage/kb/categories").await.assert_contains("Nova categoria").assert_contains("Base de conhecimento");
}

#[tokio::test]
async fn kb_articles_are_drafted_published_changed_unpublished_and_deleted() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat = category(&app, portal, "Accounts").await.to_string();
    let admin = app.admin().await;
    admin
        .get("/manage/kb")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("id=\"no-articles\"")
        .assert_contains("id=\"new-article\"");
    admin
        .get(&format!("/manage/kb/articles/new?category={cat}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("id=\"article-form\"");

    // A draft: saved, invisible to readers (not published), previewed.
    let created =
        admin.post("/manage/kb/articles", &fields("Reset a password", "Open **Settings**.", &cat, "save")).await;
    let id = last_article(&app).await;
    created.assert_redirect_to(&format!("/manage/kb/articles/{id}?msg=kb-article-saved"));
    assert_eq!(article_number(&app, id, "published_revision").await, None);
    assert_eq!(article_text(&app, id, "draft_markdown").await.as_deref(), Some("Open **Settings**."));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_revisions").await, 0);
    let page = admin.get(&format!("/manage/kb/articles/{id}?msg=kb-article-saved")).await;
    page.assert_contains("The draft was saved.").assert_contains("Draft");
    assert!(page.between("id=\"preview\"", "</section>").contains("<strong>Settings</strong>"));

    // Published: revision 1, the HTML stored once.
    let publish = fields("Reset a password", "Open **Settings**, then *Password*.", &cat, "publish");
    admin
        .post(&format!("/manage/kb/articles/{id}"), &publish)
        .await
        .assert_redirect_to(&format!("/manage/kb/articles/{id}?msg=kb-article-published"));
    assert_eq!(article_number(&app, id, "published_revision").await, Some(1));
    assert_eq!(
        article_text(&app, id, "body_html").await.unwrap(),
        "<p>Open <strong>Settings</strong>, then <em>Password</em>.</p>\n"
    );
    assert_eq!(article_text(&app, id, "draft_markdown").await, None);

    // A change saved as a draft leaves what readers see alone; settings apply at once.
    let mut change = fields("Reset your password", "New text.", &cat, "save");
    change[4] = ("visibility", "customers");
    admin
        .post(&format!("/manage/kb/articles/{id}"), &change)
        .await
        .assert_redirect_to(&format!("/manage/kb/articles/{id}"));
    assert_eq!(article_text(&app, id, "title").await.unwrap(), "Reset a password");
    assert_eq!(article_text(&app, id, "draft_title").await.as_deref(), Some("Reset your password"));
    assert_eq!(article_text(&app, id, "visibility").await.unwrap(), "customers");
    assert_eq!(article_number(&app, id, "published_revision").await, Some(1));
    admin
        .get(&format!("/manage/kb/articles/{id}"))
        .await
        .assert_contains("id=\"unpublished-changes\"")
        .assert_contains("New text.");

    // The list: its state, and the helpful votes readers gave.
    sqlx::query("UPDATE kb_articles SET helpful_yes = 7, helpful_no = 2 WHERE id = $1")
        .bind(id)
        .execute(app.db.writer())
        .await
        .unwrap();
    let list = admin.get("/manage/kb").await;
    let row = list.between(&format!("id=\"article-{id}\""), "</tr>");
    assert!(row.contains("Reset your password") && row.contains("Published, with unpublished changes"), "{row}");
    assert!(row.contains("7 yes") && row.contains("2 no"), "{row}");
    admin.get("/manage/kb?state=draft").await.assert_contains("id=\"no-articles\"");
    admin.get("/manage/kb?state=changes&language=en").await.assert_contains(&format!("id=\"article-{id}\""));
    admin.get("/manage/kb?language=pt-BR").await.assert_contains("id=\"no-articles\"");
    // Found by words of its title (the draft's), wildcards taken literally.
    admin.get("/manage/kb?q=YOUR+pass").await.assert_contains(&format!("id=\"article-{id}\""));
    admin.get("/manage/kb?q=a+password").await.assert_contains("id=\"no-articles\"");
    for wildcard in ["%25", "_", "Reset%25password"] {
        admin.get(&format!("/manage/kb?q={wildcard}")).await.assert_contains("id=\"no-articles\"");
    }
    let paged = admin.get("/manage/kb?q=your&state=changes").await;
    paged.assert_contains("value=\"your\"");
    admin.get(&format!("/manage/kb/articles/{id}")).await.assert_contains("7 yes");

    // The changes discarded; saving the published text unchanged makes no draft either.
    let discarded = admin.post(&format!("/manage/kb/articles/{id}/discard"), &[]).await;
    discarded.assert_redirect_to(&format!("/manage/kb/articles/{id}?msg=kb-draft-discarded"));
    assert_eq!(article_text(&app, id, "draft_markdown").await, None);
    let page = admin.get(&format!("/manage/kb/articles/{id}?msg=kb-draft-discarded")).await;
    page.assert_contains("The unpublished changes were discarded.").assert_lacks("id=\"unpublished-changes\"");
    page.assert_contains("Open **Settings**, then *Password*.");
    let unchanged = fields("Reset a password", "Open **Settings**, then *Password*.", &cat, "save");
    admin.post(&format!("/manage/kb/articles/{id}"), &unchanged).await.assert_redirect_to("/manage/kb/articles/");
    assert_eq!(article_text(&app, id, "draft_markdown").await, None);
    let changed = fields("Reset a password", "Open **Settings**.", &cat, "save");
    admin.post(&format!("/manage/kb/articles/{id}"), &changed).await.assert_redirect_to("/manage/kb/articles/");
    assert_eq!(article_text(&app, id, "draft_markdown").await.as_deref(), Some("Open **Settings**."));

    // Refused forms change nothing and say why.
    let before = article_text(&app, id, "draft_markdown").await;
    let path = format!("/manage/kb/articles/{id}");
    admin
        .post(&path, &fields(" ", "x", &cat, "save"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Please give the article a title.");
    admin
        .post(&path, &fields("T", "x", "999999", "save"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Choose one of the portal");
    admin
        .post(&path, &fields("T", " ", &cat, "publish"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("needs some text");
    let mut odd = fields("T", "x", &cat, "save");
    odd[4] = ("visibility", "everyone");
    odd[2] = ("language", "fr");
    let refused = admin.post(&path, &odd).await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("Choose who can read")
        .assert_contains("Choose English or Portuguese");
    let long = "x".repeat(60_001);
    admin.post(&path, &fields("T", &long, &cat, "save")).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(article_text(&app, id, "draft_markdown").await, before);
    admin.post_raw(&path, &fields("T", "x", &cat, "save")).await.assert_status(StatusCode::FORBIDDEN);

    // Unpublished: readers lose it, the revisions stay; then deleted with them.
    admin
        .post(&format!("{path}/unpublish"), &[])
        .await
        .assert_redirect_to(&format!("{path}?msg=kb-article-unpublished"));
    assert_eq!(article_number(&app, id, "published_revision").await, None);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_revisions").await, 1);
    let unconfirmed = admin.post(&format!("{path}/delete"), &[]).await;
    unconfirmed.assert_status(StatusCode::BAD_REQUEST).assert_contains("Tick the box");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles").await, 1);
    admin
        .post(&format!("{path}/delete"), &[("confirm", "yes")])
        .await
        .assert_redirect_to("/manage/kb?msg=kb-article-deleted");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_revisions").await, 0);
    admin.get(&path).await.assert_status(StatusCode::NOT_FOUND);

    let pt = app.manage_as_pt(crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    pt.get("/manage/kb").await.assert_contains("Artigos").assert_contains("Novo artigo");
    pt.get(&format!("/manage/kb/articles/new?category={cat}"))
        .await
        .assert_contains("Salvar o rascunho")
        .assert_contains("Quem pode ler");
}

#[tokio::test]
async fn kb_hostile_markdown_is_published_harmless() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat = category(&app, portal, "Accounts").await.to_string();
    let admin = app.admin().await;
    let hostile = "# Hi\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n\
                   <div onclick=\"alert(4)\" style=\"x\">raw <b>bold</b></div> <iframe src=\"https://evil.test\"></iframe>\n\n\
                   <a href=\"data:text/html,hi\">d</a> <!-- hidden --> [ok](https://example.com/help)";
    admin
        .post("/manage/kb/articles", &fields("Hostile", hostile, &cat, "publish"))
        .await
        .assert_redirect_to("/manage/kb/articles/");
    let id = last_article(&app).await;
    let html = article_text(&app, id, "body_html").await.unwrap();
    for bad in ["<script", "alert(1)", "javascript:", "onerror", "onclick", "<iframe", "data:", "<!--", "style="] {
        assert!(!html.contains(bad), "{bad} survived in {html}");
    }
    assert!(
        html.contains("<h1>Hi</h1>")
            && html.contains("<b>bold</b>")
            && html.contains("href=\"https://example.com/help\""),
        "{html}"
    );
    let revision: String = sqlx::query("SELECT body_html FROM kb_revisions WHERE article_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
        .get("body_html");
    assert_eq!(revision, html);
    // The editor's preview is sanitised the same way; the Markdown itself only appears escaped.
    let page = admin.get(&format!("/manage/kb/articles/{id}")).await;
    let preview = page.between("id=\"preview\"", "</section>");
    for bad in ["<script", "javascript:", "onerror", "onclick", "<iframe"] {
        assert!(!preview.contains(bad), "{bad} in the preview: {preview}");
    }
    page.assert_lacks("<script>alert(1)").assert_contains("&#60;script&#62;alert(1)");
}

#[tokio::test]
async fn kb_translations_link_an_original_to_its_other_language_version() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let (other_portal, _) = app.portal_with_department("other").await;
    let cat_id = category(&app, portal, "Accounts").await;
    let cat = cat_id.to_string();
    let original = published(&app, portal, cat_id, "en", "Reset a password", "Open Settings.").await;
    let other_cat = category(&app, other_portal, "Elsewhere").await;
    let foreign = published(&app, other_portal, other_cat, "en", "Other portal's", "x").await;
    let admin = app.admin().await;

    // "Write the version in Portuguese": the form comes filled from the original.
    let page = admin.get(&format!("/manage/kb/articles/{original}")).await;
    let link = format!("/manage/kb/articles/new?translation_of={original}&amp;language=pt-BR");
    page.assert_contains(&link).assert_contains("Português (Brasil)");
    let form = admin.get(&format!("/manage/kb/articles/new?translation_of={original}&language=pt-BR")).await;
    form.assert_contains(&format!("name=\"translation_of\" type=\"text\" inputmode=\"numeric\" value=\"{original}\""))
        .assert_contains("Open Settings.");
    assert!(form.between("id=\"language\"", "</select>").contains("value=\"pt-BR\" selected"));
    admin.get(&format!("/manage/kb/articles/new?translation_of={foreign}")).await.assert_status(StatusCode::NOT_FOUND);

    let translate = |language: &'static str, of: String| {
        let mut f: Vec<(&'static str, String)> = fields("Redefinir a senha", "Abra Configurações.", &cat, "publish")
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        f[2] = ("language", language.to_string());
        f[5] = ("translation_of", of);
        f
    };
    let post = |f: Vec<(&'static str, String)>| {
        let admin: Browser = admin.clone();
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post("/manage/kb/articles", &f).await
        }
    };
    post(translate("pt-BR", original.to_string())).await.assert_redirect_to("/manage/kb/articles/");
    let translation = last_article(&app).await;
    assert_eq!(article_number(&app, translation, "translation_of").await, Some(original));
    admin
        .get(&format!("/manage/kb/articles/{original}"))
        .await
        .assert_contains(&format!("href=\"/manage/kb/articles/{translation}\""));

    // Refused: a second Portuguese version, a translation of a translation, the same language,
    // another portal's article, a number that is none.
    let count = app.count("SELECT COUNT(*) AS n FROM kb_articles").await;
    post(translate("pt-BR", original.to_string()))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("already has a translation");
    post(translate("en", translation.to_string()))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("is itself a translation");
    post(translate("en", original.to_string()))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("another language");
    post(translate("pt-BR", foreign.to_string()))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("no article with that number");
    post(translate("pt-BR", "abc".into())).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_articles").await, count);
    // An original with translations cannot become a translation itself.
    let mut f = translate("pt-BR", foreign.to_string());
    f.retain(|(k, _)| *k != "translation_of");
    let other_en = published(&app, portal, cat_id, "pt-BR", "Outro", "x").await;
    f.push(("translation_of", other_en.to_string()));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut f = f;
    f[2] = ("language", "en");
    admin
        .post(&format!("/manage/kb/articles/{original}"), &f)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("has translations of its own");

    // Nor may it take the language of its translation.
    let mut to_pt = fields("Reset a password", "Open Settings.", &cat, "save");
    to_pt[2] = ("language", "pt-BR");
    let refused = admin.post(&format!("/manage/kb/articles/{original}"), &to_pt).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY).assert_contains("has a translation in that language");
    assert_eq!(article_text(&app, original, "language").await.as_deref(), Some("en"));

    // Deleting the original leaves the translation as an original.
    admin
        .post(&format!("/manage/kb/articles/{original}/delete"), &[("confirm", "yes")])
        .await
        .assert_redirect_to("/manage/kb");
    assert_eq!(article_number(&app, translation, "translation_of").await, None);
}

//! The knowledge base in management, continued from `kb_manage.rs`: revisions (list, diff,
//! restore), files (stored, referenced from the Markdown, previewed, deleted), the boundaries
//! (`edit_kb` on every route, another portal's ids) and an article started from a ticket's reply.

use reqwest::StatusCode;
use sqlx::Row;

use crate::common::spawn;
use crate::kb_manage::{article_number, article_text, category, fields, last_article, published};

#[tokio::test]
async fn kb_revisions_are_listed_compared_and_restored() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat_id = category(&app, portal, "Accounts").await;
    let cat = cat_id.to_string();
    let admin = app.admin().await;
    admin.post("/manage/kb/articles", &fields("Printers", "Line one\nLine two\nLine three", &cat, "publish")).await;
    let id = last_article(&app).await;
    let path = format!("/manage/kb/articles/{id}");
    admin.post(&path, &fields("Printers", "Line one\nLine 2, changed\nLine three\nLine four", &cat, "publish")).await;
    assert_eq!(article_number(&app, id, "published_revision").await, Some(2));

    let list = admin.get(&format!("{path}/revisions")).await;
    list.assert_status(StatusCode::OK)
        .assert_contains("Revision 2")
        .assert_contains("Revision 1")
        .assert_contains("current");
    let old = admin.get(&format!("{path}/revisions/1")).await;
    let diff = old.between("<pre class=\"diff\">", "</pre>");
    assert!(diff.contains("<span class=\"same\">  Line one</span>"), "{diff}");
    assert!(diff.contains("<span class=\"removed\">- Line two</span>"), "{diff}");
    assert!(diff.contains("<span class=\"added\">+ Line 2, changed</span>"), "{diff}");
    assert!(diff.contains("<span class=\"added\">+ Line four</span>"), "{diff}");
    old.assert_contains("<p>Line one\nLine two\nLine three</p>");
    admin
        .get(&format!("{path}/revisions/2"))
        .await
        .assert_contains("id=\"is-current\"")
        .assert_lacks("<pre class=\"diff\">");
    admin.get(&format!("{path}/revisions/9")).await.assert_status(StatusCode::NOT_FOUND);
    admin.get(&format!("{path}/revisions/x")).await.assert_status(StatusCode::NOT_FOUND);

    // Restoring publishes revision 1's text as revision 3; history stays as it was.
    admin
        .post(&format!("{path}/revisions/1/restore"), &[])
        .await
        .assert_redirect_to(&format!("{path}?msg=kb-article-restored"));
    assert_eq!(article_number(&app, id, "published_revision").await, Some(3));
    assert_eq!(article_text(&app, id, "body_html").await.unwrap(), "<p>Line one\nLine two\nLine three</p>\n");
    let restored_from: Option<i64> =
        sqlx::query("SELECT restored_from FROM kb_revisions WHERE article_id = $1 AND number = 3")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("restored_from");
    assert_eq!(restored_from, Some(1));
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM kb_revisions").await, 3);
    admin.get(&format!("{path}/revisions")).await.assert_contains("restores revision 1");
    admin.post(&format!("{path}/revisions/7/restore"), &[]).await.assert_status(StatusCode::NOT_FOUND);

    let pt = app.manage_as_pt(crate::common::ADMIN_EMAIL, crate::common::ADMIN_PASSWORD).await;
    pt.get(&format!("{path}/revisions/2")).await.assert_contains("Restaurar esta revisão").assert_contains("Revisão 2");
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake image bytes";

#[tokio::test]
async fn kb_files_are_stored_referenced_previewed_and_deleted() {
    let app = spawn().await;
    let (portal, _) = app.portal_with_department("default").await;
    let cat_id = category(&app, portal, "Accounts").await;
    let cat = cat_id.to_string();
    let other = published(&app, portal, cat_id, "en", "Another", "x").await;
    let admin = app.admin().await;
    admin.post("/manage/kb/articles", &fields("Printers", "Text", &cat, "save")).await;
    let id = last_article(&app).await;
    let path = format!("/manage/kb/articles/{id}");

    let form = fields("Printers", "Text", &cat, "save");
    let saved = admin.post_multipart(&path, &form, &[("diagram.png", PNG), ("notes.txt", b"Plain notes")]).await;
    saved.assert_redirect_to(&format!("{path}?msg=kb-article-saved"));
    let files = sqlx::query(
        "SELECT a.id, a.filename, a.content_type, a.pending_since FROM kb_article_attachments l \
         JOIN attachments a ON a.portal_id = l.portal_id AND a.id = l.attachment_id WHERE l.article_id = $1 ORDER BY a.id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(files.len(), 2);
    let (image, notes): (i64, i64) = (files[0].get("id"), files[1].get("id"));
    assert_eq!(files[0].get::<String, _>("content_type"), "image/png");
    assert!(files.iter().all(|f| f.get::<Option<i64>, _>("pending_since").is_none()));

    // The editor offers the Markdown of each; used in the text, the preview shows the image.
    let page = admin.get(&path).await;
    let image_md = format!("![diagram.png]({id}/files/{image})");
    page.assert_contains(&image_md).assert_contains(&format!("[notes.txt]({id}/files/{notes})"));
    let body = format!("See:\n\n{image_md}");
    admin.post(&path, &fields("Printers", &body, &cat, "publish")).await.assert_redirect_to(&path);
    let html = article_text(&app, id, "body_html").await.unwrap();
    assert!(html.contains(&format!("<img src=\"{id}/files/{image}\" alt=\"diagram.png\"")), "{html}");
    let preview = admin.get(&path).await.between("id=\"preview\"", "</section>");
    assert!(preview.contains(&format!("src=\"/manage/kb/articles/{id}/files/{image}\"")), "{preview}");
    let (status, headers, bytes) = admin.get_bytes(&format!("{path}/files/{image}")).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG));
    assert_eq!(headers["content-type"], "image/png");
    // Readers reach the image through the portal's article page, whose address the relative
    // link is written against.
    let visitor = app.browser();
    let article_page = visitor.get(&format!("/portal/default/kb/articles/{id}")).await;
    article_page.assert_status(StatusCode::OK).assert_contains(&format!("src=\"{id}/files/{image}\""));
    let (status, _, bytes) = visitor.get_bytes(&format!("/portal/default/kb/articles/{id}/files/{image}")).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG));
    // Only through its own article.
    admin.get(&format!("/manage/kb/articles/{other}/files/{image}")).await.assert_status(StatusCode::NOT_FOUND);

    // A refused form keeps no file.
    let attachments = app.count("SELECT COUNT(*) AS n FROM attachments").await;
    let refused = admin.post_multipart(&path, &fields("", "x", &cat, "save"), &[("more.txt", b"more")]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachments").await, attachments);

    admin
        .post(&format!("{path}/files/{notes}/delete"), &[])
        .await
        .assert_redirect_to(&format!("{path}?msg=kb-file-deleted"));
    assert_eq!(app.count_with("SELECT COUNT(*) AS n FROM kb_article_attachments WHERE article_id = $1", id).await, 1);
    admin.get(&format!("{path}/files/{notes}")).await.assert_status(StatusCode::NOT_FOUND);
    admin.post(&format!("{path}/delete"), &[("confirm", "yes")]).await.assert_redirect_to("/manage/kb");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachments").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM attachment_chunks").await, 0);
}

#[tokio::test]
async fn kb_management_needs_edit_kb_and_never_reaches_another_portal() {
    let app = spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let (other_portal, other_support) = app.portal_with_department("other").await;
    let cat_id = category(&app, portal, "Accounts").await;
    let article = published(&app, portal, cat_id, "en", "Ours", "Text").await;
    let other_cat = category(&app, other_portal, "Theirs").await;
    let (_, plain) = app.signed_in_agent("default", "plain@desk.test", &[support], &["answer_tickets"]).await;
    let (_, editor) = app.signed_in_agent("default", "editor@desk.test", &[support], &["edit_kb"]).await;
    let (_, outsider) = app.signed_in_agent("other", "outsider@desk.test", &[other_support], &["edit_kb"]).await;

    plain.get("/manage").await.assert_lacks("href=\"/manage/kb\"");
    editor.get("/manage").await.assert_contains("href=\"/manage/kb\"");
    let a = format!("/manage/kb/articles/{article}");
    let c = format!("/manage/kb/categories/{cat_id}");
    let gets = [
        "/manage/kb".to_string(),
        "/manage/kb/categories".into(),
        "/manage/kb/articles/new".into(),
        a.clone(),
        format!("{a}/revisions"),
        format!("{a}/revisions/1"),
        c.clone(),
    ];
    for path in &gets {
        plain.get(path).await.assert_status(StatusCode::FORBIDDEN);
        editor.get(path).await.assert_status(StatusCode::OK);
    }
    let cat = cat_id.to_string();
    let posts = [
        ("/manage/kb/categories".to_string(), vec![("name_en", "New")]),
        (c.clone(), vec![("name_en", "Renamed")]),
        (format!("{c}/delete"), vec![]),
        ("/manage/kb/articles".into(), fields("T", "x", &cat, "publish")),
        (a.clone(), fields("Changed", "x", &cat, "publish")),
        (format!("{a}/unpublish"), vec![]),
        (format!("{a}/discard"), vec![]),
        (format!("{a}/files/1/delete"), vec![]),
        (format!("{a}/revisions/1/restore"), vec![]),
        (format!("{a}/delete"), vec![("confirm", "yes")]),
    ];
    let snapshot = || async {
        let rows = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM kb_articles) AS a, (SELECT COUNT(*) FROM kb_revisions) AS r, \
             (SELECT COUNT(*) FROM kb_categories) AS c, (SELECT name FROM kb_category_names WHERE category_id = $1) AS n, \
             (SELECT COALESCE(published_revision, 0) FROM kb_articles WHERE id = $2) AS p",
        )
        .bind(cat_id)
        .bind(article)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let n = |c: &str| rows.get::<i64, _>(c);
        format!("{} {} {} {} {}", n("a"), n("r"), n("c"), rows.get::<String, _>("n"), n("p"))
    };
    let before = snapshot().await;
    for (path, form) in &posts {
        plain.post(path, form).await.assert_status(StatusCode::FORBIDDEN);
        // The other portal's editor is told nothing exists (their own categories list is fine).
        if path != "/manage/kb/categories" && path != "/manage/kb/articles" {
            outsider.post(path, form).await.assert_status(StatusCode::NOT_FOUND);
        }
    }
    for path in gets.iter().skip(3) {
        outsider.get(path).await.assert_status(StatusCode::NOT_FOUND);
    }
    // Another portal's category is unknown in this portal's forms.
    let foreign = other_cat.to_string();
    let refused = editor.post("/manage/kb/articles", &fields("T", "x", &foreign, "save")).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    editor
        .post("/manage/kb/categories", &[("parent", foreign.as_str()), ("name_en", "X")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    outsider.get(&format!("/manage/kb?category={cat_id}")).await.assert_lacks("Ours");
    assert_eq!(snapshot().await, before);
}

#[tokio::test]
async fn kb_an_article_starts_from_a_ticket_reply() {
    let app = spawn().await;
    let (portal, support) = app.portal_with_department("default").await;
    let sales = app.department(portal, "Sales").await;
    category(&app, portal, "Accounts").await;
    let number = app.ticket(portal, support, None, "Printer jams on page two").await;
    let elsewhere = app.ticket(portal, sales, None, "Quote").await;
    let message_of = |n: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query("SELECT m.id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = $1")
                .bind(n)
                .fetch_one(db.pool())
                .await
                .unwrap()
                .get::<i64, _>("id")
        }
    };
    let (message, other_message) = (message_of(number).await, message_of(elsewhere).await);
    let (_, writer) =
        app.signed_in_agent("default", "writer@desk.test", &[support], &["answer_tickets", "edit_kb"]).await;
    let (_, answerer) = app.signed_in_agent("default", "answerer@desk.test", &[support], &["answer_tickets"]).await;

    let link = format!("/manage/kb/articles/new?ticket={number}&amp;message={message}");
    writer
        .get(&format!("/manage/tickets/{number}"))
        .await
        .assert_contains(&link)
        .assert_contains("Start an article from this");
    answerer.get(&format!("/manage/tickets/{number}")).await.assert_lacks("/manage/kb/articles/new");

    let form = writer.get(&format!("/manage/kb/articles/new?ticket={number}&message={message}")).await;
    form.assert_status(StatusCode::OK)
        .assert_contains("value=\"Printer jams on page two\"")
        .assert_contains("The first message.");
    assert!(form.between("id=\"visibility\"", "</select>").contains("value=\"internal\" selected"));
    // Without edit_kb, a ticket the agent does not see, a message of another ticket: refused.
    answerer
        .get(&format!("/manage/kb/articles/new?ticket={number}&message={message}"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    writer
        .get(&format!("/manage/kb/articles/new?ticket={elsewhere}&message={other_message}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    writer
        .get(&format!("/manage/kb/articles/new?ticket={number}&message={other_message}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    writer
        .get(&format!("/manage/kb/articles/new?ticket={number}&message=x"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let pt = app.manage_as_pt("writer@desk.test", crate::common::AGENT_PASSWORD).await;
    pt.get(&format!("/manage/tickets/{number}")).await.assert_contains("Começar um artigo a partir disto");
}

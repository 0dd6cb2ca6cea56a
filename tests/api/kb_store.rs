//! The knowledge base's shared writing code (src/kb/store.rs), on both engines: what every
//! knowledge-base page, the seed and the search build on.

use frontdesk::kb::Visibility;
use frontdesk::kb::store::{self, Author, NewArticle, NewCategory};
use sqlx::Row;

use crate::common::spawn;

#[tokio::test]
async fn publishing_renders_once_and_numbers_revisions() {
    let app = spawn().await;
    let (portal_id, _) = app.portal_with_department("default").await;
    let mut tx = app.db.writer().begin().await.unwrap();
    let category =
        NewCategory { portal_id, parent_id: None, position: 0, language: "en", name: "Accounts", description: "" };
    let category_id = store::create_category(&mut tx, &category, 100).await.unwrap();
    let article = NewArticle {
        portal_id,
        category_id,
        language: "en",
        translation_of: None,
        visibility: Visibility::Public,
        title: "Reset your password",
        markdown: "Open **Settings**.<script>alert(1)</script>",
        staff_id: None,
    };
    let author = Author { staff_id: None, name: "Frontdesk" };
    let id = store::create_published(&mut tx, &article, author, 100).await.unwrap();
    let second = store::publish(&mut tx, portal_id, id, ("Reset a password", "Open *Profile*."), author, None, 200)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(second, 2);

    let row = sqlx::query("SELECT title, body_html, body_text, published_revision, draft_markdown FROM kb_articles WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("title"), "Reset a password");
    assert_eq!(row.get::<String, _>("body_html"), "<p>Open <em>Profile</em>.</p>\n");
    assert_eq!(row.get::<String, _>("body_text"), "Open Profile.");
    assert_eq!(row.get::<i64, _>("published_revision"), 2);
    assert_eq!(row.get::<Option<String>, _>("draft_markdown"), None);
    let first_html: String =
        sqlx::query("SELECT body_html FROM kb_revisions WHERE portal_id = $1 AND article_id = $2 AND number = 1")
            .bind(portal_id)
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .get("body_html");
    assert!(first_html.contains("<strong>Settings</strong>") && !first_html.contains("script"), "{first_html}");
}

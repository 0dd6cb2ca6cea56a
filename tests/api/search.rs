//! Search (src/search, src/kb/search_pages.rs): ranking on a fixed corpus, the portal's search
//! page and suggestions, agents' article finder, ticket search. On both engines.

mod manage_find;
mod newest;
mod portal;
mod ranking;
mod tickets;

use frontdesk::kb::Visibility;
use frontdesk::kb::store::{self, Author, NewArticle, NewCategory};

use crate::common::TestApp;

/// An article of the fixed corpus: language, visibility, title, Markdown.
pub type Doc = (&'static str, Visibility, &'static str, &'static str);

/// A small fixed corpus in both languages and every visibility.
pub const CORPUS: &[Doc] = &[
    (
        "en",
        Visibility::Public,
        "Reset your password",
        "Open **Settings**, choose *Password* and follow the link we email you.",
    ),
    (
        "en",
        Visibility::Public,
        "Change your email address",
        "Your password is needed to confirm a new address. Settings has the form.",
    ),
    (
        "en",
        Visibility::Public,
        "Printer troubleshooting",
        "If the printer does not print, check the queue of printers and the cable.",
    ),
    (
        "en",
        Visibility::Customers,
        "Billing and invoices",
        "Invoices are sent on the first day of the month; download them from Billing.",
    ),
    (
        "en",
        Visibility::Internal,
        "Password policy for agents",
        "Agents rotate nothing; the policy only asks for length. Internal runbook.",
    ),
    (
        "pt-BR",
        Visibility::Public,
        "Configurar a impressora",
        "Para configurar a impressora, abra a configuração do sistema e escolha a fila.",
    ),
    ("pt-BR", Visibility::Public, "Redefinir a senha", "Abra as configurações da conta e escolha Senha."),
];

/// Writes `docs` as published articles of `portal_id` in one category; their ids, in order.
pub async fn publish_all(app: &TestApp, portal_id: i64, docs: &[Doc]) -> Vec<i64> {
    let mut tx = app.db.writer().begin().await.unwrap();
    let ids = publish_all_in(&mut tx, portal_id, docs).await;
    tx.commit().await.unwrap();
    ids
}

/// `publish_all` inside the caller's transaction.
pub async fn publish_all_in(tx: &mut sqlx::AnyConnection, portal_id: i64, docs: &[Doc]) -> Vec<i64> {
    let category =
        NewCategory { portal_id, parent_id: None, position: 0, language: "en", name: "General", description: "" };
    let category_id = store::create_category(&mut *tx, &category, 100).await.unwrap();
    let author = Author { staff_id: None, name: "Frontdesk" };
    let mut ids = Vec::new();
    for (language, visibility, title, markdown) in docs {
        let new = NewArticle {
            portal_id,
            category_id,
            language,
            translation_of: None,
            visibility: *visibility,
            title,
            markdown,
            staff_id: None,
        };
        ids.push(store::create_published(&mut *tx, &new, author, 100).await.unwrap());
    }
    ids
}

/// On PostgreSQL, makes the copy of the newest articles' words (migration 0036) hold only the
/// newest `size` published articles of each language of `portal_id`, at once. False on SQLite,
/// which has no such copy.
pub async fn hold_newest(app: &TestApp, portal_id: i64, size: i64) -> bool {
    if app.db.backend() != frontdesk::db::Backend::Postgres {
        return false;
    }
    sqlx::query("SELECT 1 AS done FROM frontdesk_kb_newest_rebuild($1, $2)")
        .bind(portal_id)
        .bind(size)
        .fetch_one(app.db.writer())
        .await
        .unwrap();
    true
}

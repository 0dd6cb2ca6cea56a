//! An article's revisions in management: the list, one old revision as readers saw it with a
//! line diff of its Markdown against the current one, and restoring it (which publishes its
//! text as a new revision: history is never rewritten).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::manage::{ACTIVE, parse_id};
use super::manage_article_form::html_for_editor;
use super::manage_articles::{EmptyForm, editable};
use super::manage_queries::EditorArticle;
use super::store::{self, Author};
use crate::auth::ManageUser;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::Path;
use crate::web::layout::Shell;
use crate::web::state::AppState;

/// Revisions listed, newest first, at most.
const LIST_LIMIT: i64 = 500;

pub struct Revision {
    pub number: i64,
    pub title: String,
    pub markdown: String,
    pub html: String,
    pub author: String,
    pub restored_from: Option<i64>,
    pub when: String,
}

fn revision(r: &AnyRow) -> Result<Revision, sqlx::Error> {
    Ok(Revision {
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        markdown: r.try_get("body_markdown")?,
        html: r.try_get("body_html")?,
        author: r.try_get("author_name")?,
        restored_from: r.try_get("restored_from")?,
        when: crate::web::format_time(r.try_get("created_at")?),
    })
}

const COLUMNS: &str = "number, title, body_markdown, body_html, author_name, restored_from, created_at";

async fn find(db: &Db, portal_id: i64, article_id: i64, number: i64) -> Result<Option<Revision>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM kb_revisions WHERE portal_id = $1 AND article_id = $2 AND number = $3");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(portal_id)
        .bind(article_id)
        .bind(number)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(revision).transpose()
}

/// The revision readers see now: the published one, or (taken down) the last one published.
async fn current(db: &Db, portal_id: i64, a: &EditorArticle) -> Result<Option<Revision>, sqlx::Error> {
    let number = match a.published_revision {
        Some(n) => n,
        None => sqlx::query(
            "SELECT COALESCE(MAX(number), 0) AS n FROM kb_revisions WHERE portal_id = $1 AND article_id = $2",
        )
        .bind(portal_id)
        .bind(a.id)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?,
    };
    find(db, portal_id, a.id, number).await
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/manage_revisions.html")]
struct ListPage {
    shell: Shell,
    id: i64,
    title: String,
    revisions: Vec<Revision>,
    published: Option<i64>,
}

impl ListPage {
    fn is_published(&self, number: i64) -> bool {
        self.published == Some(number)
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM kb_revisions WHERE portal_id = $1 AND article_id = $2 ORDER BY number DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user.portal.id)
        .bind(article.id)
        .bind(LIST_LIMIT)
        .fetch_all(state.db.pool())
        .await?;
    let page = ListPage {
        shell: Shell::new(&user, csrf, ACTIVE, None),
        id: article.id,
        title: article.working_title().to_string(),
        revisions: rows.iter().map(revision).collect::<Result<_, _>>()?,
        published: article.published_revision,
    };
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/manage_revision.html")]
struct ShowPage {
    shell: Shell,
    id: i64,
    revision: Revision,
    /// The revision readers see now, if another one.
    current: Option<i64>,
    diff: Vec<DiffLine>,
    html: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path((id, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    let number = parse_id(&number)?;
    let revision = find(&state.db, user.portal.id, article.id, number).await?.ok_or(AppError::NotFound)?;
    let current = current(&state.db, user.portal.id, &article).await?.filter(|c| c.number != revision.number);
    let diff = match &current {
        Some(c) => {
            diff(&format!("# {}\n\n{}", revision.title, revision.markdown), &format!("# {}\n\n{}", c.title, c.markdown))
        }
        None => vec![],
    };
    let page = ShowPage {
        shell: Shell::new(&user, csrf, ACTIVE, None),
        id: article.id,
        html: html_for_editor(article.id, &revision.html),
        current: current.map(|c| c.number),
        revision,
        diff,
    };
    Ok(page.into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    user: ManageUser,
    Path((id, number)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let article = editable(&state, &user, &id).await?;
    let number = parse_id(&number)?;
    let old = find(&state.db, user.portal.id, article.id, number).await?.ok_or(AppError::NotFound)?;
    let author = Author { staff_id: Some(user.staff.id), name: &user.staff.name };
    let now = now();
    let mut tx = state.db.writer().begin().await?;
    if !super::manage_queries::touch(&mut tx, user.portal.id, article.id, now).await? {
        return Err(AppError::NotFound);
    }
    store::publish(&mut tx, user.portal.id, article.id, (&old.title, &old.markdown), author, Some(number), now).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/manage/kb/articles/{}?msg=kb-article-restored", article.id)).into_response())
}

// ---- the line diff -----------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Same,
    /// Only in the old revision.
    Removed,
    /// Only in the current one.
    Added,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub change: Change,
    pub text: String,
}

impl DiffLine {
    pub fn class(&self) -> &'static str {
        match self.change {
            Change::Same => "same",
            Change::Removed => "removed",
            Change::Added => "added",
        }
    }
    pub fn sign(&self) -> &'static str {
        match self.change {
            Change::Same => " ",
            Change::Removed => "-",
            Change::Added => "+",
        }
    }
}

/// Past this many lines by lines of table, the middle is shown as all removed then all added
/// (an article is rarely so long, and the table would be too big to build per request).
const MAX_TABLE_CELLS: usize = 4_000_000;

/// The lines of `old` and `new` as a longest-common-subsequence diff: the lines both share kept,
/// the others removed or added, in order.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let line = |change, text: &&str| DiffLine { change, text: text.to_string() };
    let mut out: Vec<DiffLine> = a[..prefix].iter().map(|t| line(Change::Same, t)).collect();
    if (mid_a.len() + 1) * (mid_b.len() + 1) > MAX_TABLE_CELLS {
        out.extend(mid_a.iter().map(|t| line(Change::Removed, t)));
        out.extend(mid_b.iter().map(|t| line(Change::Added, t)));
    } else {
        out.extend(middle(mid_a, mid_b));
    }
    out.extend(a[a.len() - suffix..].iter().map(|t| line(Change::Same, t)));
    out
}

fn middle(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(DiffLine { change: Change::Same, text: a[i].to_string() });
            (i, j) = (i + 1, j + 1);
        } else if j == m || (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            out.push(DiffLine { change: Change::Removed, text: a[i].to_string() });
            i += 1;
        } else {
            out.push(DiffLine { change: Change::Added, text: b[j].to_string() });
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signs(lines: &[DiffLine]) -> String {
        lines.iter().map(|l| format!("{}{}", l.sign(), l.text)).collect::<Vec<_>>().join("|")
    }

    #[test]
    fn lines_kept_removed_and_added_in_order() {
        assert_eq!(signs(&diff("a\nb\nc\nd", "a\nc\nd\ne")), " a|-b| c| d|+e");
        assert_eq!(signs(&diff("same", "same")), " same");
        assert_eq!(signs(&diff("", "new")), "+new");
        assert_eq!(signs(&diff("x\ny", "y\nx")), "-x| y|+x");
        assert_eq!(signs(&diff("h\nold\nt", "h\nnew\nt")), " h|-old|+new| t");
    }
}

//! Categories in management: a tree (a category may sit inside another), each with a name (and
//! a description) in English, in Portuguese or both, and a position among its siblings. A
//! category is deleted only when empty: no article and no category inside it.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::manage::{ACTIVE, Choice, LANGUAGES, one_line, parse_id, require_editor};
use super::store::{self, NewCategory};
use crate::auth::ManageUser;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg, Texts as _};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::extract::Path;
use crate::web::extract::Query;
use crate::web::layout::{MsgQuery, Shell};
use crate::web::state::AppState;

pub const NAME_MAX_CHARS: usize = 100;
pub const DESCRIPTION_MAX_CHARS: usize = 300;
/// Positions people type: any order fits in this range.
const POSITION_LIMIT: i64 = 1_000_000;
/// Deeper than this, the tree is not walked (no cycle can be stored; this is a guard).
const MAX_DEPTH: usize = 32;

/// A category with its names, as management shows it.
#[derive(Clone, Debug, Default)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub position: i64,
    /// (name, description) in English and in Portuguese, where it has one.
    pub en: Option<(String, String)>,
    pub pt: Option<(String, String)>,
}

impl Category {
    /// Its name in the reader's language, else in the other one.
    pub fn name(&self) -> String {
        let (mine, other) = if Lang::current() == Lang::PtBr { (&self.pt, &self.en) } else { (&self.en, &self.pt) };
        mine.as_ref().or(other.as_ref()).map_or_else(|| format!("#{}", self.id), |(name, _)| name.clone())
    }
}

/// Every category of the portal, with its names: one query (a portal has dozens, not thousands).
pub async fn all(db: &Db, portal_id: i64) -> Result<Vec<Category>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.parent_id, c.position, n.language, n.name, n.description FROM kb_categories c \
         LEFT JOIN kb_category_names n ON n.portal_id = c.portal_id AND n.category_id = c.id \
         WHERE c.portal_id = $1 ORDER BY c.id",
    )
    .bind(portal_id)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Category> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        if out.last().is_none_or(|c| c.id != id) {
            out.push(Category {
                id,
                parent_id: row.try_get("parent_id")?,
                position: row.try_get("position")?,
                ..Category::default()
            });
        }
        let category = out.last_mut().expect("pushed above");
        let language: Option<String> = row.try_get("language")?;
        let name: Option<(String, String)> = match row.try_get::<Option<String>, _>("name")? {
            Some(name) => Some((name, row.try_get("description")?)),
            None => None,
        };
        match language.as_deref() {
            Some("en") => category.en = name,
            Some("pt-BR") => category.pt = name,
            _ => {}
        }
    }
    Ok(out)
}

/// The categories in tree order (children under their parent, by position then name), each
/// with its depth.
pub fn tree(categories: &[Category]) -> Vec<(usize, &Category)> {
    let mut children: HashMap<Option<i64>, Vec<&Category>> = HashMap::new();
    for c in categories {
        children.entry(c.parent_id).or_default().push(c);
    }
    for list in children.values_mut() {
        list.sort_by_cached_key(|c| (c.position, c.name().to_lowercase(), c.id));
    }
    fn walk<'a>(
        parent: Option<i64>,
        depth: usize,
        children: &HashMap<Option<i64>, Vec<&'a Category>>,
        out: &mut Vec<(usize, &'a Category)>,
    ) {
        for c in children.get(&parent).into_iter().flatten() {
            out.push((depth, c));
            if depth < MAX_DEPTH {
                walk(Some(c.id), depth + 1, children, out);
            }
        }
    }
    let mut out = Vec::with_capacity(categories.len());
    walk(None, 0, &children, &mut out);
    out
}

/// The category choices of a select, indented by depth; without `except` and what is inside it.
pub fn choices(categories: &[Category], selected: Option<i64>, except: Option<i64>) -> Vec<Choice> {
    let excluded = except.map(|id| descendants_and_self(categories, id)).unwrap_or_default();
    tree(categories)
        .into_iter()
        .filter(|(_, c)| !excluded.contains(&c.id))
        .map(|(depth, c)| Choice {
            value: c.id.to_string(),
            label: format!("{}{}", "\u{2014} ".repeat(depth), c.name()),
            selected: Some(c.id) == selected,
        })
        .collect()
}

fn descendants_and_self(categories: &[Category], id: i64) -> Vec<i64> {
    let mut found = vec![id];
    let mut i = 0;
    while i < found.len() && found.len() <= categories.len() {
        let parent = found[i];
        found.extend(categories.iter().filter(|c| c.parent_id == Some(parent)).map(|c| c.id));
        i += 1;
    }
    found
}

// ---- forms -------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct CategoryForm {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    name_pt: String,
    #[serde(default)]
    description_pt: String,
}

impl CategoryForm {
    fn of(c: &Category) -> CategoryForm {
        let (name_en, description_en) = c.en.clone().unwrap_or_default();
        let (name_pt, description_pt) = c.pt.clone().unwrap_or_default();
        CategoryForm {
            parent: c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            position: c.position.to_string(),
            name_en,
            description_en,
            name_pt,
            description_pt,
        }
    }
}

/// A form that passed its checks: the parent, the position and each language's name (or
/// `None` to have none in that language).
struct Checked {
    parent: Option<i64>,
    position: i64,
    names: [(&'static str, Option<(String, String)>); 2],
}

/// The form's values, checked against the portal's categories (`this` being the category
/// edited, which may not go inside itself).
fn check(form: &CategoryForm, categories: &[Category], this: Option<i64>) -> Result<Checked, Vec<Msg>> {
    let mut errors = Vec::new();
    let parent = match form.parent.trim() {
        "" => None,
        raw => match raw.parse::<i64>().ok().filter(|id| categories.iter().any(|c| c.id == *id)) {
            Some(id) if this.is_some_and(|this| descendants_and_self(categories, this).contains(&id)) => {
                errors.push(Msg::new("kb-manage-category-parent-inside"));
                None
            }
            Some(id) => Some(id),
            None => {
                errors.push(Msg::new("kb-manage-category-parent-unknown"));
                None
            }
        },
    };
    let position = match form.position.trim() {
        "" => 0,
        raw => raw.parse::<i64>().ok().filter(|p| p.abs() <= POSITION_LIMIT).unwrap_or_else(|| {
            errors.push(Msg::new("kb-manage-category-position-invalid").arg("max", POSITION_LIMIT));
            0
        }),
    };
    let mut name_of = |lang: &'static str, name: &str, description: &str| {
        let name = one_line(name, NAME_MAX_CHARS).unwrap_or_else(|_| {
            errors.push(Msg::new("kb-manage-category-name-invalid").arg("max", NAME_MAX_CHARS));
            None
        });
        let description = one_line(description, DESCRIPTION_MAX_CHARS).unwrap_or_else(|_| {
            errors.push(Msg::new("kb-manage-category-description-invalid").arg("max", DESCRIPTION_MAX_CHARS));
            None
        });
        (lang, name.map(|n| (n, description.unwrap_or_default())))
    };
    let names = [
        name_of(LANGUAGES[0], &form.name_en, &form.description_en),
        name_of(LANGUAGES[1], &form.name_pt, &form.description_pt),
    ];
    if errors.is_empty() && names.iter().all(|(_, n)| n.is_none()) {
        errors.push(Msg::new("kb-manage-category-name-required"));
    }
    if errors.is_empty() { Ok(Checked { parent, position, names }) } else { Err(errors) }
}

// ---- pages -------------------------------------------------------------------------------------

pub struct CategoryRow {
    pub id: i64,
    pub depth: usize,
    pub name_en: String,
    pub name_pt: String,
    pub position: i64,
    pub articles: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/manage_categories.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<CategoryRow>,
    parents: Vec<Choice>,
    form: CategoryForm,
    errors: Vec<Msg>,
    name_max: usize,
    description_max: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/manage_category_edit.html")]
struct EditPage {
    shell: Shell,
    id: i64,
    name: String,
    parents: Vec<Choice>,
    form: CategoryForm,
    errors: Vec<Msg>,
    name_max: usize,
    description_max: usize,
}

/// Articles per category of the portal.
async fn article_counts(db: &Db, portal_id: i64) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT category_id, COUNT(*) AS n FROM kb_articles WHERE portal_id = $1 GROUP BY category_id")
            .bind(portal_id)
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(|r| Ok((r.try_get("category_id")?, r.try_get("n")?))).collect()
}

async fn list_view(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    form: CategoryForm,
    errors: Vec<Msg>,
) -> AppResult<ListPage> {
    let categories = all(&state.db, user.portal.id).await?;
    let counts = article_counts(&state.db, user.portal.id).await?;
    let rows = tree(&categories)
        .into_iter()
        .map(|(depth, c)| CategoryRow {
            id: c.id,
            depth,
            name_en: c.en.as_ref().map(|n| n.0.clone()).unwrap_or_default(),
            name_pt: c.pt.as_ref().map(|n| n.0.clone()).unwrap_or_default(),
            position: c.position,
            articles: counts.get(&c.id).copied().unwrap_or(0),
        })
        .collect();
    let selected = form.parent.parse().ok();
    Ok(ListPage {
        shell: Shell::new(user, csrf, ACTIVE, msg),
        rows,
        parents: choices(&categories, selected, None),
        form,
        errors,
        name_max: NAME_MAX_CHARS,
        description_max: DESCRIPTION_MAX_CHARS,
    })
}

pub async fn list(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    require_editor(&user)?;
    Ok(list_view(&state, &user, csrf, q.msg.as_deref(), CategoryForm::default(), vec![]).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CategoryForm>,
) -> AppResult<Response> {
    require_editor(&user)?;
    let categories = all(&state.db, user.portal.id).await?;
    let checked = match check(&form, &categories, None) {
        Ok(checked) => checked,
        Err(errors) => {
            let page = list_view(&state, &user, csrf, None, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let now = now();
    let mut tx = state.db.writer().begin().await?;
    let mut names = checked.names.iter().filter_map(|(lang, n)| n.as_ref().map(|n| (*lang, n)));
    let (language, (name, description)) = names.next().expect("checked: at least one name");
    let new = NewCategory {
        portal_id: user.portal.id,
        parent_id: checked.parent,
        position: checked.position,
        language,
        name,
        description,
    };
    let id = store::create_category(&mut tx, &new, now).await?;
    for (language, (name, description)) in names {
        store::set_category_name(&mut tx, user.portal.id, id, language, name, description).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/manage/kb/categories?msg=kb-category-saved").into_response())
}

async fn find(state: &AppState, user: &ManageUser, raw: &str) -> AppResult<(Vec<Category>, Category)> {
    let id = parse_id(raw)?;
    let categories = all(&state.db, user.portal.id).await?;
    let found = categories.iter().find(|c| c.id == id).cloned().ok_or(AppError::NotFound)?;
    Ok((categories, found))
}

fn edit_view(
    user: &ManageUser,
    csrf: String,
    categories: &[Category],
    c: &Category,
    form: CategoryForm,
    errors: Vec<Msg>,
) -> EditPage {
    EditPage {
        shell: Shell::new(user, csrf, ACTIVE, None),
        id: c.id,
        name: c.name(),
        parents: choices(categories, form.parent.parse().ok(), Some(c.id)),
        form,
        errors,
        name_max: NAME_MAX_CHARS,
        description_max: DESCRIPTION_MAX_CHARS,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Response> {
    require_editor(&user)?;
    let (categories, category) = find(&state, &user, &id).await?;
    let form = CategoryForm::of(&category);
    Ok(edit_view(&user, csrf, &categories, &category, form, vec![]).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CategoryForm>,
) -> AppResult<Response> {
    require_editor(&user)?;
    let (categories, category) = find(&state, &user, &id).await?;
    let checked = match check(&form, &categories, Some(category.id)) {
        Ok(checked) => checked,
        Err(errors) => {
            let page = edit_view(&user, csrf, &categories, &category, form, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let portal_id = user.portal.id;
    let mut tx = state.db.writer().begin().await?;
    // The portal's version row, taken first, makes two moves at once go in turn, and the
    // second sees the first when it looks for a loop below (the check above read before).
    sqlx::query("UPDATE kb_versions SET version = version + 1 WHERE portal_id = $1")
        .bind(portal_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE kb_categories SET parent_id = $1, position = $2, updated_at = $3 WHERE portal_id = $4 AND id = $5",
    )
    .bind(checked.parent)
    .bind(checked.position)
    .bind(now())
    .bind(portal_id)
    .bind(category.id)
    .execute(&mut *tx)
    .await?;
    if let Some(parent) = checked.parent
        && inside_itself(&mut tx, portal_id, category.id, parent).await?
    {
        drop(tx);
        let errors = vec![Msg::new("kb-manage-category-parent-inside")];
        let page = edit_view(&user, csrf, &categories, &category, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    for (language, name) in &checked.names {
        match name {
            Some((name, description)) => {
                store::set_category_name(&mut tx, portal_id, category.id, language, name, description).await?
            }
            None => {
                sqlx::query(
                    "DELETE FROM kb_category_names WHERE portal_id = $1 AND category_id = $2 AND language = $3",
                )
                .bind(portal_id)
                .bind(category.id)
                .bind(*language)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(Redirect::to("/manage/kb/categories?msg=kb-category-saved").into_response())
}

/// Whether the category `id`, now under `parent`, is among the parent's ancestors: another
/// editor moved the parent inside it since the form was checked.
async fn inside_itself(conn: &mut sqlx::AnyConnection, portal_id: i64, id: i64, parent: i64) -> AppResult<bool> {
    let found = sqlx::query(
        "WITH RECURSIVE up (id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM kb_categories WHERE portal_id = $1 AND id = $2 \
           UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM kb_categories c \
           JOIN up ON c.portal_id = $1 AND c.id = up.parent_id WHERE up.depth < $4) \
         SELECT COUNT(*) AS n FROM up WHERE id = $3",
    )
    .bind(portal_id)
    .bind(parent)
    .bind(id)
    .bind(MAX_DEPTH as i64 * 2)
    .fetch_one(conn)
    .await?
    .try_get::<i64, _>("n")?;
    Ok(found > 0)
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn delete(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    require_editor(&user)?;
    let (categories, category) = find(&state, &user, &id).await?;
    let portal_id = user.portal.id;
    let articles = article_counts(&state.db, portal_id).await?.get(&category.id).copied().unwrap_or(0);
    let children = categories.iter().filter(|c| c.parent_id == Some(category.id)).count();
    if articles > 0 || children > 0 {
        let msg = Msg::new("kb-manage-category-not-empty").arg("articles", articles).arg("categories", children as i64);
        return Err(AppError::Page(StatusCode::CONFLICT, msg));
    }
    // The condition repeats the check in the statement itself: an article or a category added
    // since the check above (by another editor) keeps the category.
    sqlx::query(
        "DELETE FROM kb_categories WHERE portal_id = $1 AND id = $2 \
         AND NOT EXISTS (SELECT 1 FROM kb_articles a WHERE a.portal_id = $1 AND a.category_id = $2) \
         AND NOT EXISTS (SELECT 1 FROM kb_categories c WHERE c.portal_id = $1 AND c.parent_id = $2)",
    )
    .bind(portal_id)
    .bind(category.id)
    .execute(state.db.writer())
    .await?;
    Ok(Redirect::to("/manage/kb/categories?msg=kb-category-deleted").into_response())
}

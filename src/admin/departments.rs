//! Departments of the portal being worked in.

use crate::web::extract::{Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use crate::accounts::departments::{self, Department};
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::auth::manage_login::EmptyForm;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/departments.html")]
struct DepartmentsPage {
    shell: Shell,
    csrf: String,
    departments: Vec<Department>,
    errors: Vec<String>,
    name: String,
}

async fn render(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    errors: Vec<String>,
    name: String,
) -> AppResult<DepartmentsPage> {
    let shell = Shell::new(user, csrf.clone(), "/manage/departments", msg);
    let departments = departments::list(&state.db, user.portal.id).await?;
    Ok(DepartmentsPage { shell, csrf, departments, errors, name })
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageDepartments)?;
    Ok(render(&state, &user, csrf, q.msg.as_deref(), vec![], String::new()).await?.into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageDepartments)?;
    let error = match departments::parse_name(&form.name) {
        Ok(name) if departments::create(&state.db, user.portal.id, &name).await? => None,
        Ok(name) => Some(Msg::new("departments-exists").arg("name", format!("{name:?}")).to_string()),
        Err(e) => Some(e.to_string()),
    };
    match error {
        None => Ok(Redirect::to("/manage/departments?msg=created").into_response()),
        Some(e) => {
            let page = render(&state, &user, csrf, None, vec![e], form.name).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageDepartments)?;
    match departments::delete(&state.db, user.portal.id, id).await? {
        departments::Deletion::Deleted => Ok(Redirect::to("/manage/departments?msg=deleted").into_response()),
        departments::Deletion::NotFound => Err(AppError::NotFound),
        departments::Deletion::HasTickets => {
            Err(AppError::Page(StatusCode::CONFLICT, Msg::new("departments-delete-has-tickets")))
        }
    }
}

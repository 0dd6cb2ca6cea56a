//! Customers of the portal being worked in: search, add, disable, end sessions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use super::shell::Shell;
use crate::accounts::customers::{self, CreateCustomerError, Customer};
use crate::accounts::permissions::Permission;
use crate::accounts::{Email, parse_person_name};
use crate::auth::ManageUser;
use crate::auth::invitations::{Invitee, queue_customer_invitation};
use crate::auth::manage_login::EmptyForm;
use crate::auth::sessions::{self, Subject};
use crate::error::{AppError, AppResult};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

const PAGE_SIZE: i64 = 100;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/customers.html")]
struct CustomersPage {
    shell: Shell,
    csrf: String,
    customers: Vec<Customer>,
    search: String,
    errors: Vec<String>,
    email: String,
    name: String,
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    search: String,
    errors: Vec<String>,
    email: String,
    name: String,
) -> AppResult<CustomersPage> {
    let shell = Shell::new(user, csrf.clone(), "/manage/customers", msg);
    let customers = customers::list(&state.db, user.portal.id, &search, PAGE_SIZE).await?;
    Ok(CustomersPage { shell, csrf, customers, search, errors, email, name })
}

pub async fn list(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    Ok(list_page(&state, &user, csrf, q.msg.as_deref(), q.q, vec![], String::new(), String::new())
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    email: String,
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let parsed = Email::parse(&form.email).and_then(|e| parse_person_name(&form.name, &e).map(|n| (e, n)));
    let error = match parsed {
        Err(e) => e,
        Ok((email, name)) => {
            let mut tx = state.db.writer().begin().await?;
            match customers::create(&mut tx, user.portal.id, &email, &name, None, false).await {
                Ok(id) => {
                    let who = Invitee { name: &name, email: email.as_str() };
                    queue_customer_invitation(&state, &mut tx, id, who, &user.portal).await?;
                    tx.commit().await?;
                    state.outbox.notify();
                    tracing::info!(customer_id = id, portal = %user.portal.slug, by = user.staff.id, "customer invited");
                    return Ok(Redirect::to(&format!("/manage/customers/{id}?msg=invited")).into_response());
                }
                Err(CreateCustomerError::EmailTaken(e)) => {
                    format!("This portal already has a customer with the email {e}.")
                }
                Err(CreateCustomerError::Db(e)) => return Err(e.into()),
            }
        }
    };
    let page = list_page(&state, &user, csrf, None, String::new(), vec![error], form.email, form.name).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/customer.html")]
struct CustomerPage {
    shell: Shell,
    csrf: String,
    customer: Customer,
}

async fn load(state: &AppState, user: &ManageUser, id: i64) -> AppResult<Customer> {
    customers::by_id(&state.db, user.portal.id, id).await?.ok_or(AppError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let customer = load(&state, &user, id).await?;
    Ok(CustomerPage { shell: Shell::new(&user, csrf.clone(), "/manage/customers", q.msg.as_deref()), csrf, customer }
        .into_response())
}

async fn set_disabled(state: AppState, user: ManageUser, id: i64, disabled: bool) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    if !customers::set_disabled(&state.db, user.portal.id, id, disabled).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(customer_id = id, by = user.staff.id, disabled, "customer account status changed");
    let msg = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/manage/customers/{id}?msg={msg}")).into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    set_disabled(state, user, id, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    set_disabled(state, user, id, false).await
}

/// Sends the invitation again, with a new link (the earlier ones stop working).
pub async fn invite(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let customer = load(&state, &user, id).await?;
    let mut tx = state.db.writer().begin().await?;
    let who = Invitee { name: &customer.name, email: &customer.email };
    queue_customer_invitation(&state, &mut tx, id, who, &user.portal).await?;
    tx.commit().await?;
    state.outbox.notify();
    Ok(Redirect::to(&format!("/manage/customers/{id}?msg=invited")).into_response())
}

pub async fn end_sessions(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    load(&state, &user, id).await?;
    sessions::end_all(&mut *state.db.writer().acquire().await?, Subject::Customer(id), None).await?;
    Ok(Redirect::to(&format!("/manage/customers/{id}?msg=sessions-ended")).into_response())
}

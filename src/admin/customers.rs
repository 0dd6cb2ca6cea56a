//! Customers of the portal being worked in: search, add, disable, end sessions.

use crate::web::extract::{Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use crate::accounts::customers::{self, CreateCustomerError, Customer, NewCustomer, UpdateCustomerError};
use crate::accounts::permissions::Permission;
use crate::accounts::phone::Mobile;
use crate::accounts::{Email, parse_person_name};
use crate::auth::ManageUser;
use crate::auth::invitations::{Invitee, queue_customer_invitation};
use crate::auth::links::Purpose;
use crate::auth::manage_login::EmptyForm;
use crate::auth::sessions::{self, Subject};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
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
    /// Why the search was not run (too long).
    search_error: Option<String>,
    /// How long the invitation's link works.
    invite_hours: i64,
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
    let invite_hours = Purpose::Invite.lifetime_secs() / 3600;
    Ok(CustomersPage { shell, csrf, customers, search, errors, email, name, search_error: None, invite_hours })
}

pub async fn list(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    if q.q.chars().count() > customers::MAX_SEARCH_CHARS {
        let error = Msg::new("customers-search-too-long").arg("max", customers::MAX_SEARCH_CHARS).to_string();
        let mut page =
            list_page(&state, &user, csrf, None, String::new(), vec![], String::new(), String::new()).await?;
        page.search_error = Some(error);
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    Ok(list_page(&state, &user, csrf, q.msg.as_deref(), q.q, vec![], String::new(), String::new())
        .await?
        .into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    mobile: String,
}

/// An optional mobile number from a form: empty means none.
fn optional_mobile(typed: &str) -> Result<Option<Mobile>, Msg> {
    if typed.trim().is_empty() { Ok(None) } else { Mobile::parse(typed).map(Some) }
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let parsed = Email::parse(&form.email)
        .and_then(|e| parse_person_name(&form.name, &e).map(|n| (e, n)))
        .and_then(|(e, n)| optional_mobile(&form.mobile).map(|m| (e, n, m)));
    let error = match parsed {
        Err(e) => e.to_string(),
        Ok((email, name, mobile)) => {
            let mut tx = state.db.writer().begin().await?;
            let new = NewCustomer { email: &email, name: &name, mobile: mobile.as_ref(), password_hash: None };
            match customers::create(&mut tx, user.portal.id, new).await {
                Ok(id) => {
                    let who = Invitee { name: &name, email: email.as_str() };
                    queue_customer_invitation(&state, &mut tx, id, who, &user.portal).await?;
                    tx.commit().await?;
                    state.outbox.notify();
                    tracing::info!(customer_id = id, portal = %user.portal.slug, by = user.staff.id, "customer invited");
                    return Ok(Redirect::to(&format!("/manage/customers/{id}?msg=invited")).into_response());
                }
                Err(CreateCustomerError::EmailTaken(email)) => {
                    Msg::new("customers-email-taken").arg("email", email.to_string()).to_string()
                }
                Err(CreateCustomerError::MobileTaken(mobile)) => mobile_taken(&mobile),
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
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct DetailsForm {
    name: String,
    #[serde(default)]
    mobile: String,
}

/// An agent corrects a customer's name or mobile number.
pub async fn update(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> AppResult<Response> {
    user.require(Permission::ManageAgents)?;
    let customer = load(&state, &user, id).await?;
    let email = Email::parse(&customer.email).map_err(AppError::bad_request)?;
    let result = match (parse_person_name(&form.name, &email), optional_mobile(&form.mobile)) {
        (Ok(name), Ok(mobile)) => customers::update_details(&state.db, user.portal.id, id, &name, mobile.as_ref())
            .await
            .map_err(|e| match e {
                UpdateCustomerError::MobileTaken(mobile) => Ok(mobile_taken(&mobile)),
                UpdateCustomerError::Db(db) => Err(db),
            }),
        (name, mobile) => Err(Ok([name.err(), mobile.err()]
            .into_iter()
            .flatten()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(" "))),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/manage/customers/{id}?msg=saved")).into_response()),
        Err(Err(db)) => Err(db.into()),
        Err(Ok(message)) => {
            let shell = Shell::new(&user, csrf.clone(), "/manage/customers", None);
            let page = CustomerPage { shell, csrf, customer, errors: vec![message] };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn mobile_taken(mobile: &str) -> String {
    Msg::new("customers-mobile-taken").arg("mobile", mobile).to_string()
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
    Ok(CustomerPage {
        shell: Shell::new(&user, csrf.clone(), "/manage/customers", q.msg.as_deref()),
        csrf,
        customer,
        errors: vec![],
    }
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

#[derive(Deserialize)]
pub struct StatusForm {
    /// "true" to disable the account, "false" to enable it again.
    disabled: bool,
}

pub async fn status(
    State(state): State<AppState>,
    user: ManageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    set_disabled(state, user, id, form.disabled).await
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
    let mut conn = state.db.writer().acquire().await?;
    sessions::end_all_in_portal(&mut conn, Subject::Customer(id), user.portal.id, None).await?;
    Ok(Redirect::to(&format!("/manage/customers/{id}?msg=sessions-ended")).into_response())
}

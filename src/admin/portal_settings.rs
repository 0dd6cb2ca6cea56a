//! Settings of the portal being worked in. The same keys and checks as `frontdesk portal set`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use super::shell::Shell;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::error::AppResult;
use crate::portals::settings::{self, SettingError, SignInMethods};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/portal_settings.html")]
struct SettingsPage {
    shell: Shell,
    csrf: String,
    errors: Vec<String>,
    values: SettingsForm,
    public_url: String,
    sms_problem: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    name: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    sender_name: String,
    #[serde(default)]
    listed: Option<String>,
    #[serde(default)]
    signin_password: Option<String>,
    #[serde(default)]
    signin_email_code: Option<String>,
    #[serde(default)]
    signin_sms_code: Option<String>,
    password_policy: String,
    password_min_length: String,
}

async fn current_values(state: &AppState, user: &ManageUser) -> AppResult<SettingsForm> {
    let shown = settings::show(&state.db, &user.portal).await?;
    let get = |k: &str| shown.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    Ok(SettingsForm {
        name: get("name"),
        host: get("host"),
        sender_name: get("sender_name"),
        listed: (get("listed") == "true").then(|| "true".into()),
        signin_password: get("customer_signin").split(',').any(|m| m == "password").then(|| "1".into()),
        signin_email_code: get("customer_signin").split(',').any(|m| m == "email_code").then(|| "1".into()),
        signin_sms_code: get("customer_signin").split(',').any(|m| m == "sms_code").then(|| "1".into()),
        password_policy: get("password_policy"),
        password_min_length: get("password_min_length"),
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    if !user.can(Permission::ManagePortalSettings) {
        // "Settings" in the avatar menu: staff who may not change the portal get their profile.
        return Ok(Redirect::to("/manage/profile").into_response());
    }
    let values = current_values(&state, &user).await?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/settings", q.msg.as_deref());
    Ok(SettingsPage {
        shell,
        csrf,
        errors: vec![],
        values,
        public_url: state.public_url.to_string(),
        sms_problem: state.sms_problem.clone(),
    }
    .into_response())
}

pub async fn save(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<Response> {
    user.require(Permission::ManagePortalSettings)?;
    let listed = if form.listed.is_some() { "true" } else { "false" };
    let methods = SignInMethods {
        password: form.signin_password.is_some(),
        email_code: form.signin_email_code.is_some(),
        sms_code: form.signin_sms_code.is_some(),
    }
    .as_value();
    // The policy goes first: the allowed minimum length depends on it.
    let pairs = [
        ("name", form.name.as_str()),
        ("host", form.host.as_str()),
        ("sender_name", form.sender_name.as_str()),
        ("listed", listed),
        ("customer_signin", methods.as_str()),
        ("password_policy", form.password_policy.as_str()),
        ("password_min_length", form.password_min_length.as_str()),
    ];
    let mut errors = Vec::new();
    for (key, value) in pairs {
        match settings::set(&state.db, &user.portal, key, value).await {
            Ok(()) => {}
            Err(SettingError::Invalid(m)) => errors.push(m),
            Err(SettingError::Db(e)) => return Err(e.into()),
        }
    }
    if errors.is_empty() {
        tracing::info!(staff_id = user.staff.id, portal = %user.portal.slug, "portal settings saved");
        return Ok(Redirect::to("/manage/settings?msg=saved").into_response());
    }
    let shell = Shell::new(&user, csrf.clone(), "/manage/settings", None);
    let page = SettingsPage {
        shell,
        csrf,
        errors,
        values: form,
        public_url: state.public_url.to_string(),
        sms_problem: state.sms_problem.clone(),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

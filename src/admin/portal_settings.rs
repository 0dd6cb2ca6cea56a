//! Settings of the portal being worked in. The same keys and checks as `frontdesk portal set`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::error::AppResult;
use crate::i18n::Texts as _;
use crate::portals::settings::{self, SignInMethods};
use crate::secrets::NO_KEY_MESSAGE;
use crate::sso;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
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
    entra: EntraPanel,
}

/// What the Microsoft Entra ID part of the page shows besides the form values.
struct EntraPanel {
    redirect_uri: String,
    signed_out_uri: String,
    staff_link: String,
    secret_stored: bool,
    /// Why secrets cannot be stored or read here, if so.
    secret_problem: Option<String>,
}

impl EntraPanel {
    async fn new(state: &AppState, user: &ManageUser) -> AppResult<EntraPanel> {
        let entra = sso::settings::load(&state.db, user.portal.id).await?;
        let secret_problem = match &state.secret_key {
            None => Some(NO_KEY_MESSAGE.to_string()),
            key => entra.client_secret(user.portal.id, key.as_ref()).err(),
        };
        Ok(EntraPanel {
            redirect_uri: state.absolute(sso::CALLBACK_PATH),
            signed_out_uri: state.absolute(sso::SIGNED_OUT_PATH),
            staff_link: state.absolute(&format!("/manage/login?portal={}", user.portal.slug)),
            secret_stored: entra.sealed_secret.is_some(),
            secret_problem,
        })
    }
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
    #[serde(default)]
    entra_enabled: Option<String>,
    #[serde(default)]
    entra_tenant_id: String,
    #[serde(default)]
    entra_client_id: String,
    /// Empty keeps the stored secret.
    #[serde(default)]
    entra_client_secret: String,
    #[serde(default)]
    entra_authority_host: String,
    #[serde(default)]
    entra_link_rule: String,
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
        entra_enabled: (get("entra_enabled") == "true").then(|| "true".into()),
        entra_tenant_id: get("entra_tenant_id"),
        entra_client_id: get("entra_client_id"),
        entra_client_secret: String::new(),
        entra_authority_host: get("entra_authority_host"),
        entra_link_rule: get("entra_link_rule"),
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
        entra: EntraPanel::new(&state, &user).await?,
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
        ("entra_tenant_id", form.entra_tenant_id.as_str()),
        ("entra_client_id", form.entra_client_id.as_str()),
        ("entra_client_secret", form.entra_client_secret.as_str()),
        ("entra_authority_host", form.entra_authority_host.as_str()),
        ("entra_link_rule", form.entra_link_rule.as_str()),
        // Last: turning it on checks the values above.
        ("entra_enabled", if form.entra_enabled.is_some() { "true" } else { "false" }),
    ];
    // An empty secret field keeps the stored secret.
    let pairs: Vec<(&str, &str)> =
        pairs.into_iter().filter(|(key, value)| *key != "entra_client_secret" || !value.is_empty()).collect();
    let errors = settings::set_many(&state.db, &state.settings_context(), &user.portal, &pairs).await?;
    if errors.is_empty() {
        tracing::info!(staff_id = user.staff.id, portal = %user.portal.slug, "portal settings saved");
        return Ok(Redirect::to("/manage/settings?msg=saved").into_response());
    }
    let shell = Shell::new(&user, csrf.clone(), "/manage/settings", None);
    let page = SettingsPage {
        shell,
        csrf,
        errors,
        values: SettingsForm { entra_client_secret: String::new(), ..form },
        public_url: state.public_url.to_string(),
        sms_problem: state.sms_problem.clone(),
        entra: EntraPanel::new(&state, &user).await?,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

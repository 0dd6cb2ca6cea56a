//! All portals, for system administrators: list and create.

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::MsgQuery;
use crate::auth::ManageUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::i18n::Texts as _;
use crate::portals::{self, CreatePortalError, Portal, Slug};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/portals.html")]
struct PortalsPage {
    shell: Shell,
    csrf: String,
    portals: Vec<Portal>,
    errors: Vec<String>,
    slug: String,
    name: String,
}

fn require_superadmin(user: &ManageUser) -> AppResult<()> {
    if user.staff.is_superadmin {
        Ok(())
    } else {
        Err(AppError::forbidden(Msg::new("portals-only-system-administrators")))
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    require_superadmin(&user)?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/portals", q.msg.as_deref());
    let portals = portals::all(&state.db).await?;
    Ok(PortalsPage { shell, csrf, portals, errors: vec![], slug: String::new(), name: String::new() }.into_response())
}

#[derive(Deserialize)]
pub struct CreateForm {
    slug: String,
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    require_superadmin(&user)?;
    let result = match (Slug::parse(&form.slug), portals::parse_name(&form.name)) {
        (Ok(slug), Ok(name)) => portals::create(&state.db, &slug, &name).await.map_err(|e| match e {
            CreatePortalError::SlugTaken(slug) => {
                Ok(Msg::new("portals-slug-taken").arg("slug", format!("{slug:?}")).to_string())
            }
            CreatePortalError::Db(db) => Err(db),
        }),
        (slug, name) => {
            Err(Ok([slug.err(), name.err()].into_iter().flatten().map(|m| m.to_string()).collect::<Vec<_>>().join(" ")))
        }
    };
    match result {
        Ok(portal) => {
            tracing::info!(staff_id = user.staff.id, portal = %portal.slug, "portal created");
            Ok(Redirect::to("/manage/portals?msg=created").into_response())
        }
        Err(Err(db)) => Err(db.into()),
        Err(Ok(message)) => {
            let shell = Shell::new(&user, csrf.clone(), "/manage/portals", None);
            let portals = portals::all(&state.db).await?;
            let page = PortalsPage { shell, csrf, portals, errors: vec![message], slug: form.slug, name: form.name };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

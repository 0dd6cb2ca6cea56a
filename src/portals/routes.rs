//! The portal's own pages (its home). Sign-in and profile pages live in `auth`.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::extract::{MaybePortalUser, PortalUser};
use crate::i18n::Texts as _;
use crate::portals::resolve::CurrentPortal;
use crate::web::csrf::CsrfToken;

#[derive(Template, WebTemplate)]
#[template(path = "portals/templates/home.html")]
struct HomePage {
    csrf: String,
    portal: CurrentPortal,
    user: Option<PortalUser>,
}

pub async fn home(MaybePortalUser(portal, user): MaybePortalUser, CsrfToken(csrf): CsrfToken) -> Response {
    if user.as_ref().is_some_and(PortalUser::must_change_password) {
        return Redirect::to(&format!("{}/profile?msg=must-change", portal.base)).into_response();
    }
    HomePage { csrf, portal, user }.into_response()
}

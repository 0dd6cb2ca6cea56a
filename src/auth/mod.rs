//! Signing in and out, sessions, passwords and throttling, for both interfaces.

use axum::Router;
use axum::routing::{get, post};

use crate::web::layout::{Feature, Notice};
use crate::web::state::AppState;

/// Sign-in adds no menu entry (the profile is in the avatar menu), only its notices.
pub const FEATURE: Feature = Feature {
    name: "sign-in",
    menu: &[],
    notices: &[
        Notice { code: "session-ended", text: "notice-session-ended" },
        Notice { code: "password-changed", text: "notice-password-changed" },
        Notice { code: "must-change", text: "notice-must-change" },
    ],
    portal_menu: &[],
    visitor_links: &[],
    router,
    settings: &[settings::CUSTOMER_SIGNIN, settings::PASSWORDS],
    home_panels: &[],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

pub mod code_login;
pub mod codes;
pub mod common_login;
pub mod emails;
pub mod extract;
pub mod forgot;
pub mod hashing;
pub mod invitations;
pub mod known_browsers;
pub mod links;
pub mod manage_login;
pub mod password_change;
pub mod password_links;
pub mod policy;
pub mod portal_login;
pub mod profile;
pub mod profile_language;
pub mod sessions;
pub mod settings;
pub mod signed_in;
pub mod signin;
pub mod throttle;

pub use extract::{ManageUser, PortalUser};

/// Signing in and out of both interfaces, passwords and profiles.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(common_login::root))
        .route("/login", get(common_login::page).post(common_login::submit))
        .route("/forgot", get(forgot::common_form).post(forgot::common_submit))
        .route("/portal/{slug}/login", get(portal_login::page).post(portal_login::submit))
        .route("/portal/{slug}/logout", post(portal_login::logout))
        .route("/portal/{slug}/profile", get(profile::portal_profile))
        .route("/portal/{slug}/profile/details", post(profile::portal_update_details))
        .route("/portal/{slug}/profile/password", post(profile::portal_change_password))
        .route("/portal/{slug}/sessions/{id}/end", post(profile::portal_end_session))
        .route("/portal/{slug}/login/code/request", post(code_login::request))
        .route("/portal/{slug}/login/code", get(code_login::page).post(code_login::verify))
        .route("/portal/{slug}/forgot", get(forgot::portal_form).post(forgot::portal_submit))
        .route(
            "/portal/{slug}/password/{token}",
            get(password_links::customer_page).post(password_links::customer_submit),
        )
        .route("/manage/login", get(manage_login::page).post(manage_login::submit))
        .route("/manage/logout", post(manage_login::logout))
        .route("/manage/forgot", get(forgot::manage_form).post(forgot::manage_submit))
        .route("/manage/password/{token}", get(password_links::staff_page).post(password_links::staff_submit))
        .route("/manage/profile", get(profile::manage_profile))
        .route("/manage/profile/password", post(profile::manage_change_password))
        .route("/manage/profile/details", post(profile::manage_update_details))
        .route("/manage/sessions/{id}/end", post(profile::manage_end_session))
}

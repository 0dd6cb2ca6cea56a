//! The management interface: home, portal switcher, and the administrators' pages for portals,
//! settings, departments, agents and customers. Every page here is scoped to the portal the
//! signed-in staff member is working in (`ManageUser::portal`).

mod agent_invitations;
mod agents;
pub mod authority;
mod customers;
mod departments;
mod home;
mod portal_list;
mod portal_settings;

use axum::Router;
use axum::routing::{get, post};

use crate::accounts::permissions::Permission;
pub use crate::web::layout::MsgQuery;
use crate::web::layout::{Feature, MenuEntry, Notice, Visibility};
use crate::web::state::AppState;

pub const FEATURE: Feature = Feature {
    name: "management",
    menu: &[
        MenuEntry { href: "/manage", label: "menu-home", order: 0, visible: Visibility::Everyone },
        MenuEntry {
            href: "/manage/agents",
            label: "menu-agents",
            order: 10,
            visible: Visibility::Holders(Permission::ManageAgents),
        },
        MenuEntry {
            href: "/manage/customers",
            label: "menu-customers",
            order: 20,
            visible: Visibility::Holders(Permission::ManageAgents),
        },
        MenuEntry {
            href: "/manage/departments",
            label: "menu-departments",
            order: 30,
            visible: Visibility::Holders(Permission::ManageDepartments),
        },
        MenuEntry {
            href: "/manage/settings",
            label: "menu-portal-settings",
            order: 40,
            visible: Visibility::Holders(Permission::ManagePortalSettings),
        },
        MenuEntry {
            href: "/manage/portals",
            label: "menu-portals",
            order: 60,
            visible: Visibility::SystemAdministrators,
        },
    ],
    notices: &[
        Notice { code: "saved", text: "notice-saved" },
        Notice { code: "created", text: "notice-created" },
        Notice { code: "deleted", text: "notice-deleted" },
        Notice { code: "disabled", text: "notice-disabled" },
        Notice { code: "enabled", text: "notice-enabled" },
        Notice { code: "sessions-ended", text: "notice-sessions-ended" },
        Notice { code: "switched", text: "notice-switched" },
        Notice { code: "invited", text: "notice-invited" },
        Notice { code: "added-microsoft", text: "notice-added-microsoft" },
        Notice { code: "asked", text: "notice-asked" },
        Notice { code: "removed", text: "notice-removed" },
        Notice { code: "withdrawn", text: "notice-withdrawn" },
        Notice { code: "accepted", text: "notice-accepted" },
        Notice { code: "declined", text: "notice-declined" },
        Notice { code: "approved", text: "notice-approved" },
        Notice { code: "unlinked", text: "notice-unlinked" },
    ],
    portal_menu: &[],
    visitor_links: &[],
    router,
    settings: &[],
    home_panels: &[],
    header_items: &[],
    scripts: &[],
    sign_out: &[],
};

/// The management pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage", get(home::page))
        .route("/manage/", get(home::page))
        .route("/manage/switch-portal", post(home::switch_portal))
        .route("/manage/settings", get(portal_settings::page).post(portal_settings::save))
        .route("/manage/portals", get(portal_list::page).post(portal_list::create))
        .route("/manage/departments", get(departments::page).post(departments::create))
        .route("/manage/departments/{id}/delete", post(departments::delete))
        .route("/manage/agents", get(agents::list).post(agents::create))
        .route("/manage/agents/{id}", get(agents::show).post(agents::update))
        .route("/manage/agents/{id}/status", post(agents::status))
        .route("/manage/agents/{id}/end-sessions", post(agents::end_sessions))
        .route("/manage/agents/{id}/force-offline", post(agents::force_offline))
        .route("/manage/agents/{id}/chat-capacity", post(agents::chat_capacity))
        .route("/manage/agents/{id}/invite", post(agents::invite))
        .route("/manage/agents/{id}/approve", post(agents::approve))
        .route("/manage/agents/{id}/remove", post(agents::remove))
        .route("/manage/agents/{id}/unlink-microsoft", post(agents::unlink_microsoft))
        .route("/manage/agents/invitations/{staff_id}/withdraw", post(agent_invitations::withdraw))
        .route("/manage/invitations", get(agent_invitations::mine))
        .route("/manage/invitations/{portal_id}/accept", post(agent_invitations::accept))
        .route("/manage/invitations/{portal_id}/decline", post(agent_invitations::decline))
        .route("/manage/customers", get(customers::list).post(customers::create))
        .route("/manage/customers/{id}", get(customers::show).post(customers::update))
        .route("/manage/customers/{id}/status", post(customers::status))
        .route("/manage/customers/{id}/end-sessions", post(customers::end_sessions))
        .route("/manage/customers/{id}/invite", post(customers::invite))
}

//! The customers' side of chat (lane: talk).

use crate::web::layout::PortalMenuEntry;

pub const PORTAL_MENU: &[PortalMenuEntry] = &[];
pub const SETTINGS: &[crate::web::settings::SettingsGroup] = &[];

pub fn router() -> axum::Router<crate::web::state::AppState> {
    axum::Router::new()
}

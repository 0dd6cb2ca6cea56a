//! The agents' chat pages (lane: console).

use crate::web::layout::MenuEntry;

pub const MENU: &[MenuEntry] = &[];

pub fn router() -> axum::Router<crate::web::state::AppState> {
    axum::Router::new()
}

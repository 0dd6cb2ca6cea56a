//! Agents' presence per channel (lane: core).

use crate::web::layout::Notice;

pub const NOTICES: &[Notice] = &[];

pub fn router() -> axum::Router<crate::web::state::AppState> {
    axum::Router::new()
}

//! A customer's download of a file of their ticket: only files of the ticket's public messages
//! (an internal note's, another ticket's or another portal's file is a 404, as is a file that
//! does not exist, so an id tells nothing).

use axum::extract::{Path, State};
use axum::response::Response;

use super::{customer_for_change, own_ticket};
use crate::auth::extract::PortalUser;
use crate::error::{AppError, AppResult};
use crate::tickets::downloads;
use crate::web::state::AppState;

pub async fn download(
    State(state): State<AppState>,
    user: PortalUser,
    Path((_slug, number, attachment)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let customer = customer_for_change(&user)?;
    let portal_id = user.portal.portal.id;
    let ticket = own_ticket(&state, &customer, portal_id, &number).await?;
    let id = attachment.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)?;
    if !downloads::on_ticket(&state.db, portal_id, ticket.id, id, true).await? {
        return Err(AppError::NotFound);
    }
    downloads::serve(&state.db, portal_id, id).await
}

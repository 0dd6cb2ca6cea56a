//! The pages of ratings: the one behind the links of the "resolved" email (no sign-in), and
//! the form posted from the signed-in customer's ticket page. (The visitor's private link page
//! posts to `visitors::follow::rate`.)

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use super::{RatedTicket, RatingView};
use crate::auth::extract::PortalUser;
use crate::auth::throttle;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _};
use crate::portals::resolve::CurrentPortal;
use crate::tickets::Actor;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    // The token is in the address: no page sends it on in a `Referer`.
    let private = Router::new()
        .route("/portal/{slug}/tickets/rate/{token}", get(link_page).post(link_save))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")));
    Router::new().route("/portal/{slug}/tickets/{number}/rating", post(own_save)).merge(private)
}

/// Wrong rating links from one client address before each next one must wait (as for the
/// visitors' private links: 256 random bits are not guessed, this stops trying at speed).
const WRONG_LINKS: throttle::Rule = throttle::Rule { free: 50, concurrent: 64 };

/// The ticket a live rating link opens, or 404; each lookup passes the client's throttle and a
/// miss counts against it.
async fn open(state: &AppState, portal: &CurrentPortal, client: &Client, token: &str) -> AppResult<RatedTicket> {
    let keys = [(format!("ticket-rating-link:{}", client.ip), WRONG_LINKS)];
    throttle::guarded_lookup(&state.db, &keys, "ticket-rating-link-wait", || async {
        if !crate::tickets::visitors::links::is_well_formed(token) {
            return Ok(None);
        }
        let mut conn = state.db.pool().acquire().await?;
        super::find_by_link(&mut conn, portal.portal.id, token, now()).await
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/rating_page.html")]
struct RatingPage {
    csrf: String,
    portal: CurrentPortal,
    ticket: RatedTicket,
    /// `None` while the ticket is not resolved or closed (reopened since the email).
    rating: Option<RatingView>,
    notice: Option<Msg>,
}

#[derive(Deserialize, Default)]
pub struct LinkQuery {
    rating: Option<String>,
    msg: Option<String>,
}

/// Shows the form, preselected from the link; records nothing (mail scanners open links).
async fn link_page(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, token)): Path<(String, String)>,
    Query(q): Query<LinkQuery>,
) -> AppResult<Response> {
    let ticket = open(&state, &portal, &client, &token).await?;
    let action = format!("{}/tickets/rate/{token}", portal.base);
    let mut rating = super::form_for(&state.db, portal.portal.id, ticket.id, ticket.status, action).await?;
    if let (Some(view), Some(chosen)) = (rating.as_mut(), q.rating.as_deref().and_then(super::Rating::parse)) {
        view.chosen = chosen.as_str();
    }
    let notice = (q.msg.as_deref() == Some("rated")).then(|| Msg::new("ticket-rating-saved"));
    Ok(RatingPage { csrf, portal, ticket, rating, notice }.into_response())
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// The ticket is no longer resolved or closed: nothing to rate now.
fn not_rateable() -> AppError {
    AppError::Page(StatusCode::CONFLICT, Msg::new("ticket-rating-not-resolved"))
}

async fn link_save(
    State(state): State<AppState>,
    portal: CurrentPortal,
    client: Client,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, token)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RatingForm>,
) -> AppResult<Response> {
    let ticket = open(&state, &portal, &client, &token).await?;
    let action = format!("{}/tickets/rate/{token}", portal.base);
    let checked = match super::check(&form.rating, &form.comment) {
        Ok(checked) => checked,
        Err(msg) => {
            let mut rating = super::form_for(&state.db, portal.portal.id, ticket.id, ticket.status, action).await?;
            if let Some(view) = rating.as_mut() {
                view.comment = form.comment;
                view.error = Some(msg);
            }
            let page = RatingPage { csrf, portal, ticket, rating, notice: None };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    // Whoever holds the link acts for the requester, whose name the history shows.
    let mut tx = state.db.writer().begin().await?;
    let (ticket, requester) = requester_of(&mut tx, portal.portal.id, ticket.id).await?;
    save_in(&mut tx, portal.portal.id, &ticket, &checked, requester).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}/tickets/rate/{token}?msg=rated", portal.base)).into_response())
}

/// The ticket again, in the write transaction, and who rates it: its customer or its visitor.
async fn requester_of(
    tx: &mut sqlx::AnyConnection,
    portal_id: i64,
    ticket_id: i64,
) -> AppResult<(RatedTicket, (Actor, String))> {
    let ticket = super::find(tx, portal_id, ticket_id).await?.ok_or(AppError::NotFound)?;
    let row = sqlx::query("SELECT customer_id, requester_name FROM tickets WHERE portal_id = $1 AND id = $2")
        .bind(portal_id)
        .bind(ticket_id)
        .fetch_one(&mut *tx)
        .await?;
    let customer: Option<i64> = sqlx::Row::try_get(&row, "customer_id")?;
    let name: String = sqlx::Row::try_get(&row, "requester_name")?;
    Ok((ticket, (customer.map(Actor::Customer).unwrap_or(Actor::Other), name)))
}

/// Saves a checked rating of a ticket read in `tx`; 409 when it is not resolved or closed.
pub async fn save_in(
    tx: &mut sqlx::AnyConnection,
    portal_id: i64,
    ticket: &RatedTicket,
    (rating, comment): &(super::Rating, String),
    (actor, name): (Actor, String),
) -> AppResult<()> {
    if !super::may_rate(ticket.status) {
        return Err(not_rateable());
    }
    super::save(tx, portal_id, ticket, (*rating, comment), (actor, &name), now()).await?;
    Ok(())
}

/// Checks a posted rating; a bad one is a 422 with its message.
pub fn checked(form: &RatingForm) -> AppResult<(super::Rating, String)> {
    super::check(&form.rating, &form.comment).map_err(|msg| AppError::Page(StatusCode::UNPROCESSABLE_ENTITY, msg))
}

/// The signed-in customer rates their own ticket; another's is a 404.
async fn own_save(
    State(state): State<AppState>,
    user: PortalUser,
    Path((_slug, number)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RatingForm>,
) -> AppResult<Response> {
    let customer = crate::tickets::portal::customer_for_change(&user)?;
    let number = number.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)?;
    let rating = checked(&form)?;
    let portal_id = user.portal.portal.id;
    let mut tx = state.db.writer().begin().await?;
    let own = crate::tickets::portal_queries::find_own(&mut tx, portal_id, customer.id, number).await?;
    let own = own.ok_or(AppError::NotFound)?;
    let ticket = super::find(&mut tx, portal_id, own.id).await?.ok_or(AppError::NotFound)?;
    save_in(&mut tx, portal_id, &ticket, &rating, (Actor::Customer(customer.id), customer.name.clone())).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}/tickets/{number}?msg=rated#rating-form", user.portal.base)).into_response())
}

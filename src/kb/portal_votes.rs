//! "Was this helpful?" and an article's files, as readers reach them.
//!
//! A vote is one per article and customer, or per visitor's browser (a random cookie, of which
//! only the SHA-256 is stored): voting again changes the vote, never adds one. The article's
//! counters change in the same transaction as the vote. Votes are throttled per client address,
//! so that clearing cookies cannot stuff the counts. Agents see the counts instead of voting.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::AnyConnection;

use super::Reader;
use super::portal::{Reading, parse_id};
use crate::auth::codes::{AdmitError, RequestLimit, admit_request};
use crate::auth::extract::{MaybePortalUser, PortalPerson};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::tickets::downloads;
use crate::web::client::Client;
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::state::AppState;
use crate::web::tokens::{random_token, token_hash};

/// The visitor's voting cookie: random, kept a year.
const VOTER_COOKIE: &str = "fd_kb_voter";
const VOTER_COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;
/// Votes from one client address in an hour: far more than a person reads articles.
pub const VOTES_PER_HOUR: RequestLimit = RequestLimit { min_interval_secs: 0, per_hour: 60 };

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    helpful: String,
}

/// Whose vote this is, and the cookie to give a visitor who had none.
fn voter(state: &AppState, headers: &HeaderMap, reading: &Reading) -> AppResult<(String, Option<String>)> {
    match reading.user.as_ref().map(|u| &u.person) {
        Some(PortalPerson::Customer(c)) => Ok((format!("customer:{}", c.id), None)),
        Some(PortalPerson::Staff(_)) => Err(AppError::forbidden(Msg::new("kb-portal-staff-no-vote"))),
        None => match state.cookies.get(headers, VOTER_COOKIE).filter(|v| v.len() == 43) {
            Some(token) => Ok((format!("visitor:{}", token_hash(token)), None)),
            None => {
                let token = random_token();
                Ok((format!("visitor:{}", token_hash(&token)), Some(token)))
            }
        },
    }
}

/// Records the vote and moves the counters; nothing when it is the vote already recorded.
async fn record(
    conn: &mut AnyConnection,
    portal_id: i64,
    article_id: i64,
    voter: &str,
    helpful: bool,
) -> AppResult<()> {
    let value = i64::from(helpful);
    let t = now();
    let inserted = sqlx::query(
        "INSERT INTO kb_votes (portal_id, article_id, voter, helpful, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (portal_id, article_id, voter) DO NOTHING",
    )
    .bind(portal_id)
    .bind(article_id)
    .bind(voter)
    .bind(value)
    .bind(t)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let (yes, no) = if inserted == 1 {
        if helpful { (1, 0) } else { (0, 1) }
    } else {
        let changed = sqlx::query(
            "UPDATE kb_votes SET helpful = $4, created_at = $5 \
             WHERE portal_id = $1 AND article_id = $2 AND voter = $3 AND helpful <> $4",
        )
        .bind(portal_id)
        .bind(article_id)
        .bind(voter)
        .bind(value)
        .bind(t)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        match (changed, helpful) {
            (0, _) => return Ok(()),
            (_, true) => (1, -1),
            (_, false) => (-1, 1),
        }
    };
    sqlx::query(
        "UPDATE kb_articles SET helpful_yes = helpful_yes + $3, helpful_no = helpful_no + $4 \
         WHERE portal_id = $1 AND id = $2",
    )
    .bind(portal_id)
    .bind(article_id)
    .bind(yes as i64)
    .bind(no as i64)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `reader` may read the portal's article `id`.
async fn readable(state: &AppState, portal_id: i64, id: i64, reader: Reader) -> AppResult<bool> {
    let sql = format!(
        "SELECT 1 AS found FROM kb_articles a WHERE a.portal_id = $1 AND a.id = $2 AND {}",
        reader.condition("a")
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(portal_id).bind(id).fetch_optional(state.db.pool()).await?;
    Ok(row.is_some())
}

pub async fn vote(
    State(state): State<AppState>,
    who: MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    client: Client,
    headers: HeaderMap,
    Path((_slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> AppResult<Response> {
    let r = match Reading::new(who, csrf) {
        Ok(r) => r,
        Err(page) => return Ok(*page),
    };
    let id = parse_id(&id)?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::bad_request(Msg::new("kb-portal-helpful-unknown"))),
    };
    let portal_id = r.portal_id();
    if !readable(&state, portal_id, id, r.reader).await? {
        return Err(AppError::NotFound);
    }
    let (voter, new_cookie) = voter(&state, &headers, &r)?;
    let keys = [(format!("kb-vote:{portal_id}:{}", client.ip), VOTES_PER_HOUR)];
    match admit_request(&state.db, &keys).await {
        Ok(()) => {}
        Err(AdmitError::Wait(secs)) => {
            let wait = crate::auth::throttle::human_wait(secs);
            return Err(AppError::TooManyRequests(Msg::new("kb-portal-vote-wait").arg("wait", wait)));
        }
        Err(AdmitError::Db(e)) => return Err(e.into()),
    }
    let mut tx = state.db.writer().begin().await?;
    record(&mut tx, portal_id, id, &voter, helpful).await?;
    tx.commit().await?;
    let mut response = Redirect::to(&format!("{}?msg=voted#helpful", r.article_href(id))).into_response();
    if let Some(token) = new_cookie {
        let cookie = state.cookies.set(VOTER_COOKIE, &token, Some(VOTER_COOKIE_MAX_AGE));
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// A file of an article, for whoever may read the article: a file of an article they may not
/// read, of another article or of another portal is a 404, as is one that does not exist.
pub async fn file(
    State(state): State<AppState>,
    who: MaybePortalUser,
    CsrfToken(csrf): CsrfToken,
    Path((_slug, id, file_id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let r = match Reading::new(who, csrf) {
        Ok(r) => r,
        Err(page) => return Ok(*page),
    };
    let (id, file_id) = (parse_id(&id)?, parse_id(&file_id)?);
    let sql = format!(
        "SELECT 1 AS found FROM kb_article_attachments l \
         JOIN kb_articles a ON a.portal_id = l.portal_id AND a.id = l.article_id \
         WHERE l.portal_id = $1 AND l.article_id = $2 AND l.attachment_id = $3 AND {}",
        r.reader.condition("a")
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(r.portal_id())
        .bind(id)
        .bind(file_id)
        .fetch_optional(state.db.pool())
        .await?;
    if found.is_none() {
        return Err(AppError::NotFound);
    }
    downloads::serve(&state.db, r.portal_id(), file_id).await
}

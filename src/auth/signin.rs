//! The password check shared by every sign-in form: throttling first, then Argon2id (against a
//! dummy hash when there is no account), so that an unknown account and a wrong password get
//! the same answer in the same time.
//!
//! Failures count once per account, whichever form they come through (management, any portal,
//! re-authentication), and per client address. A browser in which the account signed in before
//! is throttled only on its own record, so nobody else's failures keep its owner out.

use axum::http::{HeaderMap, HeaderValue};

use super::known_browsers;
use super::sessions::Subject;
use crate::auth::throttle::{self, Admission, Outcome, PER_ACCOUNT, PER_ADDRESS, PER_KNOWN_BROWSER};
use crate::error::AppError;
use crate::i18n::{t, t1};
use crate::web::client::Client;
use crate::web::state::AppState;

/// Failures after which a known browser is treated like any other.
const KNOWN_BROWSER_FAILURES: i64 = 10;

/// Why a sign-in did not succeed.
#[derive(Debug)]
pub enum SignInError {
    /// Wrong password, unknown account, or an account without a password: one answer for all.
    WrongCredentials,
    /// Too many failures lately; try again after the given seconds.
    Throttled(i64),
    Unexpected(AppError),
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        SignInError::Unexpected(e.into())
    }
}

impl SignInError {
    /// The words for the person signing in (not for `Unexpected`, which becomes an error page).
    pub fn message(&self) -> String {
        match self {
            SignInError::Throttled(secs) => t1("signin-throttled", "wait", throttle::human_wait(*secs)),
            _ => t("signin-wrong-credentials"),
        }
    }
}

/// One password attempt for an account, whether or not the account exists.
pub struct PasswordAttempt {
    /// The account when there is one; `None` for an unknown identifier.
    pub subject: Option<Subject>,
    /// The email address as typed (or the account's, to re-authenticate): failures are counted
    /// per address whichever form they come through and whether or not it names an account,
    /// so the counts tell nothing about who has an account where.
    pub identifier: String,
    pub stored_hash: Option<String>,
    pub password: String,
    /// The portal a customer belongs to (kept with the browser record).
    pub portal_id: Option<i64>,
    /// A re-authentication inside this live session: the session already proves who is there,
    /// so it is throttled on its own, like a known browser.
    pub signed_in_session: Option<i64>,
}

impl PasswordAttempt {
    fn account_key(&self) -> String {
        format!("account:{}", self.identifier.trim().to_lowercase())
    }
}

/// A correct password. `remember` is the cookie that marks this browser as known to the
/// account, when it was not yet: the caller sets it with its answer.
#[derive(Debug)]
pub struct Verified {
    pub remember: Option<HeaderValue>,
}

/// Checks a password. The check runs as a task of its own, so a client that goes away
/// mid-check cannot leave the attempt half counted: it ends as a success or a failure.
pub async fn check_password(
    state: &AppState,
    attempt: PasswordAttempt,
    client: &Client,
    headers: &HeaderMap,
) -> Result<Verified, SignInError> {
    let browser = known_browsers::token(&state.cookies, headers).map(str::to_owned);
    let (state, client) = (state.clone(), client.clone());
    tokio::spawn(async move { check(&state, attempt, &client, browser).await })
        .await
        .map_err(|e| SignInError::Unexpected(anyhow::anyhow!("sign-in check stopped: {e}").into()))?
}

async fn check(
    state: &AppState,
    attempt: PasswordAttempt,
    client: &Client,
    browser: Option<String>,
) -> Result<Verified, SignInError> {
    let db = &state.db;
    let trusted = match attempt.signed_in_session {
        Some(id) => Some(format!("session:{id}")),
        None => trusted_browser(state, &attempt, browser.as_deref()).await?,
    };
    let keys = match trusted {
        Some(key) => vec![(key, PER_KNOWN_BROWSER)],
        None => vec![(attempt.account_key(), PER_ACCOUNT), (format!("address:{}", client.ip), PER_ADDRESS)],
    };
    let admitted = match throttle::admit(db, &keys).await? {
        Admission::Wait(secs) => return Err(SignInError::Throttled(secs)),
        Admission::Admitted(a) => a,
    };
    let verified = state.hasher.verify_and_upgrade(db, &attempt.password, attempt.stored_hash.as_deref()).await;
    let outcome = match &verified {
        Ok(true) => Outcome::Succeeded,
        Ok(false) => Outcome::Failed,
        Err(_) => Outcome::Abandoned,
    };
    throttle::finish(db, &admitted, outcome).await?;
    if outcome == Outcome::Failed && attempt.signed_in_session.is_some() {
        // Admitted on its own session's record, but a failure still counts for the account.
        throttle::count_failure(db, &attempt.account_key(), PER_ACCOUNT).await?;
    }
    match (verified, attempt.subject) {
        (Ok(true), Some(subject)) => {
            let remember =
                known_browsers::remember(db, &state.cookies, browser.as_deref(), subject, attempt.portal_id).await?;
            Ok(Verified { remember })
        }
        (Ok(_), _) => {
            tracing::info!(ip = %client.ip, "failed sign-in");
            Err(SignInError::WrongCredentials)
        }
        (Err(e), _) => Err(SignInError::Unexpected(e)),
    }
}

/// The throttle key of this browser when the account signed in with it before and it has not
/// failed too often since.
async fn trusted_browser(
    state: &AppState,
    attempt: &PasswordAttempt,
    browser: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    let Some(token) = browser else { return Ok(None) };
    let Some(id) = known_browsers::find(&state.db, token, attempt.subject).await? else { return Ok(None) };
    let key = format!("browser:{id}");
    let trusted = throttle::failures(&state.db, &key).await? < KNOWN_BROWSER_FAILURES;
    Ok(trusted.then_some(key))
}

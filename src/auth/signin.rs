//! The password check shared by every sign-in form: throttling first, then Argon2id (against a
//! dummy hash when there is no account), so that an unknown account and a wrong password get
//! the same answer in the same time.

use crate::auth::throttle::{self, Admission, PER_ACCOUNT, PER_ADDRESS};
use crate::error::AppError;
use crate::web::client::Client;
use crate::web::state::AppState;

pub const WRONG_CREDENTIALS: &str = "The email address or password is incorrect.";

/// Why a sign-in did not succeed, worded for the person signing in.
#[derive(Debug)]
pub enum Refusal {
    /// Wrong password, unknown account, or an account without a password: one answer for all.
    WrongCredentials,
    /// Too many failures lately; try again after the given seconds.
    Throttled(i64),
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::WrongCredentials => WRONG_CREDENTIALS.into(),
            Refusal::Throttled(secs) => format!(
                "Too many failed sign-in attempts. Wait {} and try again, or ask an administrator for help.",
                throttle::human_wait(*secs)
            ),
        }
    }
}

/// Checks a password for an account identified by `account_key` (what the person typed, scoped
/// to where they typed it), whether or not the account exists.
pub async fn check_password(
    state: &AppState,
    account_key: &str,
    client: &Client,
    stored_hash: Option<&str>,
    password: &str,
) -> Result<Result<(), Refusal>, AppError> {
    let account_key = format!("account:{account_key}");
    let address_key = format!("address:{}", client.ip);
    let db = &state.db;
    let account_count = match throttle::admit(db, &account_key).await? {
        Admission::Wait(secs) => return Ok(Err(Refusal::Throttled(secs))),
        Admission::Counted(n) => n,
    };
    let address_count = match throttle::admit(db, &address_key).await? {
        Admission::Wait(secs) => {
            throttle::uncount(db, &account_key).await?;
            return Ok(Err(Refusal::Throttled(secs)));
        }
        Admission::Counted(n) => n,
    };
    if state.hasher.verify(password, stored_hash).await? {
        throttle::clear(db, &account_key).await?;
        throttle::uncount(db, &address_key).await?;
        return Ok(Ok(()));
    }
    throttle::record_failure(db, &account_key, PER_ACCOUNT, account_count).await?;
    throttle::record_failure(db, &address_key, PER_ADDRESS, address_count).await?;
    tracing::info!(ip = %client.ip, "failed sign-in");
    Ok(Err(Refusal::WrongCredentials))
}

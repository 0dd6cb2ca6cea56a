//! Throttling of failed sign-ins, per account and per client address.
//!
//! Each key (an account identifier as typed, or an address) counts failures in a one-hour window.
//! After a few free failures every further one adds a growing delay (1 s, 2 s, 4 s ... up to
//! 15 minutes) and the window never admits more than `HOURLY_CAP` failures, so an account can be
//! guessed at most 100 times an hour (OWASP ASVS 2.2.1; in practice far fewer). An attempt is
//! counted *before* the password is checked, so that parallel requests cannot slip past the cap;
//! a success clears the account's count. Unknown accounts are throttled exactly like real ones.

use sqlx::Row;

use crate::db::{Db, now};

const WINDOW_SECS: i64 = 3600;
const HOURLY_CAP: i64 = 100;
const MAX_DELAY_SECS: i64 = 15 * 60;

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Failures allowed before delays start.
    pub free: i64,
}

pub const PER_ACCOUNT: Rule = Rule { free: 5 };
pub const PER_ADDRESS: Rule = Rule { free: 20 };

/// The delay after the `failures`-th failure.
fn delay_after(rule: Rule, failures: i64) -> i64 {
    if failures <= rule.free {
        return 0;
    }
    let exp = (failures - rule.free - 1).min(20) as u32;
    (1i64 << exp).min(MAX_DELAY_SECS)
}

/// The outcome of `admit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// The attempt may go ahead; it is the `n`-th counted in this window.
    Counted(i64),
    /// The key must wait this many seconds; nothing was counted.
    Wait(i64),
}

/// Counts an attempt for a key before the secret is checked, in one statement, unless the key
/// is waiting out a delay or has reached the hourly cap (then nothing is counted).
pub async fn admit(db: &Db, key: &str) -> Result<Admission, sqlx::Error> {
    let t = now();
    let row = sqlx::query(
        "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE \
             WHEN signin_throttle.blocked_until > $2 THEN signin_throttle.failures \
             WHEN signin_throttle.window_start <= $3 THEN 1 \
             WHEN signin_throttle.failures >= $4 THEN signin_throttle.failures \
             ELSE signin_throttle.failures + 1 END, \
           window_start = CASE \
             WHEN signin_throttle.blocked_until > $2 THEN signin_throttle.window_start \
             WHEN signin_throttle.window_start <= $3 THEN $2 \
             ELSE signin_throttle.window_start END \
         RETURNING failures, window_start, blocked_until",
    )
    .bind(key)
    .bind(t)
    .bind(t - WINDOW_SECS)
    .bind(HOURLY_CAP)
    .fetch_one(db.writer())
    .await?;
    let failures: i64 = row.try_get("failures")?;
    let window_start: i64 = row.try_get("window_start")?;
    let blocked_until: i64 = row.try_get("blocked_until")?;
    Ok(if blocked_until > t {
        Admission::Wait(blocked_until - t)
    } else if failures >= HOURLY_CAP {
        // At the cap the count stops growing; the attempt that reached it was the last allowed.
        Admission::Wait((window_start + WINDOW_SECS - t).max(1))
    } else {
        Admission::Counted(failures)
    })
}

/// After a failed attempt (counted by `admit` as the `failures`-th): sets the delay before the
/// next one.
pub async fn record_failure(db: &Db, key: &str, rule: Rule, failures: i64) -> Result<(), sqlx::Error> {
    let delay = delay_after(rule, failures);
    if delay > 0 {
        sqlx::query("UPDATE signin_throttle SET blocked_until = $1 WHERE key = $2")
            .bind(now() + delay)
            .bind(key)
            .execute(db.writer())
            .await?;
    }
    Ok(())
}

/// After a success: the attempt did not fail, so forget the key's count.
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM signin_throttle WHERE key = $1").bind(key).execute(db.writer()).await?;
    Ok(())
}

/// After a success from an address: the attempt counted in advance was not a failure.
pub async fn uncount(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE signin_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Forgets keys whose window and delay are both over. Run now and then by the janitor.
pub async fn purge_stale(db: &Db) -> Result<u64, sqlx::Error> {
    let t = now();
    let done = sqlx::query("DELETE FROM signin_throttle WHERE window_start <= $1 AND blocked_until <= $2")
        .bind(t - WINDOW_SECS)
        .bind(t)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// "3 minutes", "40 seconds": for the message that says when to try again.
pub fn human_wait(secs: i64) -> String {
    if secs >= 120 {
        format!("{} minutes", (secs + 59) / 60)
    } else if secs > 1 {
        format!("{secs} seconds")
    } else {
        "a second".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(delay_after(PER_ACCOUNT, 5), 0);
        assert_eq!(delay_after(PER_ACCOUNT, 6), 1);
        assert_eq!(delay_after(PER_ACCOUNT, 7), 2);
        assert_eq!(delay_after(PER_ACCOUNT, 10), 16);
        assert_eq!(delay_after(PER_ACCOUNT, 40), MAX_DELAY_SECS);
    }

    #[test]
    fn an_hour_of_waiting_admits_far_fewer_than_the_cap() {
        // Spend an hour failing as fast as the delays allow.
        let (mut t, mut failures) = (0i64, 0i64);
        while t < WINDOW_SECS {
            failures += 1;
            t += delay_after(PER_ACCOUNT, failures).max(1);
        }
        assert!(failures < HOURLY_CAP, "{failures}");
    }
}

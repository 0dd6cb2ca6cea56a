//! Throttling of sign-in attempts: slows guessing without letting anyone lock others out.
//!
//! Each key (an account, a client address, or a browser the account has used before) counts its
//! failures in a one-hour window. After a few free failures each attempt must wait for its
//! slot: 1 s after the previous one, then 2 s, 4 s ... up to a minute. So an account can be
//! guessed at most about 70 times an hour, below the cap of 100 that OWASP ASVS 2.2.1 sets (the
//! cap is enforced too), while a person who signs in from a new browser waits a minute at worst.
//!
//! The slot is reserved when an attempt is *admitted*, before the password is hashed, and
//! attempts admitted but not finished count as possible failures (for an address, those beyond
//! the many that people behind it may make at once), so a burst of parallel requests gets no
//! more tries than the same requests one after another. An attempt that never
//! finishes (the node crashed) stops counting when its lease ends; only finished failures stay.
//!
//! Who is not held back is decided by the caller (`signin.rs`): a browser in which the account
//! signed in before is throttled only by its own key, never by others' failures.

use sqlx::Row;

use crate::db::Db;
use crate::i18n::{Lang, Msg};

// Times in this table are Unix milliseconds: a delay of one second must hold for the very next
// request, whenever in its second the previous one came.
const WINDOW_MS: i64 = 3600 * 1000;
const HOURLY_CAP: i64 = 100;
const MAX_DELAY_MS: i64 = 60 * 1000;
/// How long an admitted attempt counts as in flight at most; hashing takes well under a second,
/// even behind a full queue.
const IN_FLIGHT_LEASE_MS: i64 = 30 * 1000;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Failures allowed before delays start.
    pub free: i64,
    /// Attempts that may be under way at once before the ones under way count as possible
    /// failures. None for one account (parallel guesses at one password are a burst); many
    /// people behind one address sign in at the same moment.
    pub concurrent: i64,
}

/// An account, over every form that signs it in.
pub const PER_ACCOUNT: Rule = Rule { free: 5, concurrent: 0 };
/// A client address: many people may share one (an office behind a proxy).
pub const PER_ADDRESS: Rule = Rule { free: 20, concurrent: 64 };
/// A browser the account signed in with before.
pub const PER_KNOWN_BROWSER: Rule = Rule { free: 5, concurrent: 0 };

/// The delay before the next attempt once `failures` attempts have failed (or may fail).
fn delay_after(rule: Rule, failures: i64) -> i64 {
    if failures < rule.free {
        return 0;
    }
    let exp = (failures - rule.free).min(20) as u32;
    (1000i64 << exp).min(MAX_DELAY_MS)
}

/// What the table holds for one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct KeyState {
    failures: i64,
    window_start: i64,
    /// The earliest time the next attempt may start.
    next_slot: i64,
    in_flight: i64,
    in_flight_until: i64,
}

impl KeyState {
    /// The state as it stands at `t`: an old window forgotten, stale in-flight attempts dropped.
    fn at(mut self, t: i64) -> KeyState {
        if self.window_start <= t - WINDOW_MS {
            self.failures = 0;
            self.window_start = t;
        }
        if self.in_flight_until <= t {
            self.in_flight = 0;
        }
        self
    }

    /// Admits one attempt at `t` or says how long to wait. Admitting reserves the slot the
    /// attempt would use if it failed.
    fn admit(self, rule: Rule, t: i64) -> Result<KeyState, i64> {
        let s = self.at(t);
        let possible_failures = s.failures + (s.in_flight - rule.concurrent).max(0);
        if possible_failures >= HOURLY_CAP {
            return Err((s.window_start + WINDOW_MS - t).max(1));
        }
        if s.next_slot > t {
            return Err(s.next_slot - t);
        }
        Ok(KeyState {
            next_slot: t + delay_after(rule, possible_failures + 1),
            in_flight: s.in_flight + 1,
            in_flight_until: t + IN_FLIGHT_LEASE_MS,
            ..s
        })
    }

    /// Records how an admitted attempt ended.
    fn finish(self, rule: Rule, outcome: Outcome, t: i64) -> KeyState {
        let s = self.at(t);
        let in_flight = (s.in_flight - 1).max(0);
        match outcome {
            Outcome::Abandoned => KeyState { in_flight, ..s },
            Outcome::Failed => KeyState { failures: s.failures + 1, in_flight, ..s },
            // The right secret: earlier failures were someone else's, or forgiven.
            Outcome::Succeeded if rule == PER_ACCOUNT || rule == PER_KNOWN_BROWSER => {
                KeyState { failures: 0, next_slot: 0, in_flight, ..s }
            }
            // A shared address keeps its count, but this attempt's reserved slot is released.
            Outcome::Succeeded => KeyState { next_slot: t.min(s.next_slot), in_flight, ..s },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Neither: the check itself could not be made (a database or hashing error).
    Abandoned,
}

/// Attempts admitted together for several keys; finish them with `finish`.
#[derive(Debug)]
pub struct Admitted {
    keys: Vec<(String, Rule)>,
}

#[derive(Debug)]
pub enum Admission {
    Admitted(Admitted),
    /// Wait this many seconds (rounded up); nothing was counted.
    Wait(i64),
}

/// Admits one attempt on every key at once, or on none: the longest wait is returned if any
/// key must wait, and nothing is counted then.
pub async fn admit(db: &Db, keys: &[(String, Rule)]) -> Result<Admission, sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    for (key, _) in keys {
        db.lock_key(&mut tx, &format!("throttle:{key}")).await?;
    }
    // The time is read once the keys are ours: an attempt that waited for the lock must not
    // compare an earlier clock with a slot that the attempt before it just took.
    let t = now_ms();
    let mut admitted = Vec::with_capacity(keys.len());
    let mut wait = 0;
    for (key, rule) in keys {
        let state = load(&mut tx, key).await?;
        match state.admit(*rule, t) {
            Ok(next) => admitted.push((key, next)),
            Err(secs) => wait = wait.max(secs),
        }
    }
    if wait > 0 {
        tx.rollback().await?;
        return Ok(Admission::Wait((wait + 999) / 1000));
    }
    for (key, state) in admitted {
        store(&mut tx, key, state).await?;
    }
    tx.commit().await?;
    Ok(Admission::Admitted(Admitted { keys: keys.to_vec() }))
}

/// Records the outcome of admitted attempts.
pub async fn finish(db: &Db, admitted: &Admitted, outcome: Outcome) -> Result<(), sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    for (key, _) in &admitted.keys {
        db.lock_key(&mut tx, &format!("throttle:{key}")).await?;
    }
    let t = now_ms();
    for (key, rule) in &admitted.keys {
        let state = load(&mut tx, key).await?;
        store(&mut tx, key, state.finish(*rule, outcome, t)).await?;
    }
    tx.commit().await
}

/// Counts one failure on a key that was not admitted for it (a re-authentication's failure,
/// counted against its account too, so the account's hourly cap covers every form).
pub async fn count_failure(db: &Db, key: &str, rule: Rule) -> Result<(), sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    db.lock_key(&mut tx, &format!("throttle:{key}")).await?;
    let t = now_ms();
    let state = load(&mut tx, key).await?.at(t);
    let failures = state.failures + 1;
    let next_slot = state.next_slot.max(t + delay_after(rule, failures));
    store(&mut tx, key, KeyState { failures, next_slot, ..state }).await?;
    tx.commit().await
}

/// Failures counted for a key in the current window.
pub async fn failures(db: &Db, key: &str) -> Result<i64, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    Ok(load(&mut conn, key).await?.at(now_ms()).failures)
}

async fn load(conn: &mut sqlx::AnyConnection, key: &str) -> Result<KeyState, sqlx::Error> {
    let row = sqlx::query(
        "SELECT failures, window_start, blocked_until, in_flight, in_flight_until FROM signin_throttle WHERE key = $1",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(KeyState::default()) };
    Ok(KeyState {
        failures: row.try_get("failures")?,
        window_start: row.try_get("window_start")?,
        next_slot: row.try_get("blocked_until")?,
        in_flight: row.try_get("in_flight")?,
        in_flight_until: row.try_get("in_flight_until")?,
    })
}

async fn store(conn: &mut sqlx::AnyConnection, key: &str, s: KeyState) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO signin_throttle (key, failures, window_start, blocked_until, in_flight, in_flight_until) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
         window_start = excluded.window_start, blocked_until = excluded.blocked_until, \
         in_flight = excluded.in_flight, in_flight_until = excluded.in_flight_until",
    )
    .bind(key)
    .bind(s.failures)
    .bind(s.window_start)
    .bind(s.next_slot)
    .bind(s.in_flight)
    .bind(s.in_flight_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets keys whose window and delay are both over. Run now and then by the janitor.
pub async fn purge_stale(db: &Db) -> Result<u64, sqlx::Error> {
    let t = now_ms();
    let done = sqlx::query(
        "DELETE FROM signin_throttle WHERE window_start <= $1 AND blocked_until <= $2 AND in_flight_until <= $2",
    )
    .bind(t - WINDOW_MS)
    .bind(t)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected())
}

/// "3 minutes", "40 seconds": for the message that says when to try again, in the current
/// request's language.
/// A lookup by a secret someone may try to guess (a private link's token): admitted by the
/// throttle of `keys` first, then a miss counts as a failure, a hit as a success, an error as
/// neither. Too many misses: 429 with `wait_message` (a catalog key taking `$wait`); a miss: 404.
pub async fn guarded_lookup<T, F, Fut>(
    db: &Db,
    keys: &[(String, Rule)],
    wait_message: &'static str,
    lookup: F,
) -> crate::error::AppResult<T>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, sqlx::Error>>,
{
    use crate::error::AppError;
    let admitted = match admit(db, keys).await? {
        Admission::Wait(secs) => {
            let message = crate::i18n::Msg::new(wait_message).arg("wait", human_wait(secs));
            return Err(AppError::TooManyRequests(message));
        }
        Admission::Admitted(admitted) => admitted,
    };
    let found = lookup().await;
    let outcome = match &found {
        Ok(Some(_)) => Outcome::Succeeded,
        Ok(None) => Outcome::Failed,
        Err(_) => Outcome::Abandoned,
    };
    finish(db, &admitted, outcome).await?;
    found?.ok_or(AppError::NotFound)
}

pub fn human_wait(secs: i64) -> String {
    human_wait_in(Lang::current(), secs)
}

/// `human_wait` in `lang`.
pub fn human_wait_in(lang: Lang, secs: i64) -> String {
    let msg = if secs >= 120 {
        Msg::new("wait-minutes").arg("count", (secs + 59) / 60)
    } else if secs > 1 {
        Msg::new("wait-seconds").arg("count", secs)
    } else {
        Msg::new("wait-a-second")
    };
    msg.in_lang(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_worded_in_each_language() {
        assert_eq!(human_wait_in(Lang::En, 300), "5 minutes");
        assert_eq!(human_wait_in(Lang::En, 40), "40 seconds");
        assert_eq!(human_wait_in(Lang::En, 1), "a second");
        assert_eq!(human_wait_in(Lang::PtBr, 300), "5 minutos");
    }

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(delay_after(PER_ACCOUNT, 4), 0);
        assert_eq!(delay_after(PER_ACCOUNT, 5), 1000);
        assert_eq!(delay_after(PER_ACCOUNT, 6), 2000);
        assert_eq!(delay_after(PER_ACCOUNT, 9), 16000);
        assert_eq!(delay_after(PER_ACCOUNT, 40), MAX_DELAY_MS);
    }

    #[test]
    fn an_hour_of_failing_as_fast_as_allowed_stays_under_the_cap() {
        let (mut t, mut s) = (10_000_000_000, KeyState::default());
        let mut failures = 0;
        while t < 10_000_000_000 + WINDOW_MS {
            match s.admit(PER_ACCOUNT, t) {
                Ok(next) => {
                    s = next.finish(PER_ACCOUNT, Outcome::Failed, t);
                    failures += 1;
                }
                Err(wait) => t += wait,
            }
        }
        assert!(failures < HOURLY_CAP, "{failures}");
        assert!(failures > 50, "{failures}");
    }

    #[test]
    fn a_burst_gets_no_more_tries_than_the_same_attempts_in_a_row() {
        let t = 10_000_000_000;
        let mut s = KeyState::default();
        let mut admitted = 0;
        for _ in 0..110 {
            if let Ok(next) = s.admit(PER_ACCOUNT, t) {
                s = next;
                admitted += 1;
            }
        }
        // The five free tries; the next would have to wait a second after them.
        assert_eq!(admitted, PER_ACCOUNT.free);
    }

    #[test]
    fn many_people_behind_one_address_sign_in_at_once() {
        let t = 10_000_000_000;
        let mut s = KeyState::default();
        for i in 0..PER_ADDRESS.concurrent + PER_ADDRESS.free {
            s = s.admit(PER_ADDRESS, t).unwrap_or_else(|_| panic!("attempt {i} under way at once"));
        }
        // Beyond that, a burst from one address is a burst.
        assert!(s.admit(PER_ADDRESS, t).is_err());
    }

    #[test]
    fn attempts_that_never_finish_stop_counting() {
        let t = 10_000_000_000;
        let mut s = KeyState::default();
        for _ in 0..5 {
            s = s.admit(PER_ACCOUNT, t).unwrap();
        }
        assert!(s.admit(PER_ACCOUNT, t + 1).is_err());
        let later = t + IN_FLIGHT_LEASE_MS + 1;
        let s = s.admit(PER_ACCOUNT, later).expect("stale attempts no longer count");
        assert_eq!(s.failures, 0);
        assert_eq!(s.next_slot, later);
    }

    #[test]
    fn a_success_clears_an_account_but_not_a_shared_address() {
        let t = 10_000_000_000;
        let mut account = KeyState::default();
        let mut address = KeyState::default();
        for i in 0..8 {
            let at = t + i * 100_000;
            account = account.admit(PER_ACCOUNT, at).unwrap().finish(PER_ACCOUNT, Outcome::Failed, at);
            address = address.admit(PER_ADDRESS, at).unwrap().finish(PER_ADDRESS, Outcome::Failed, at);
        }
        let t = t + 1_000_000;
        let account = account.admit(PER_ACCOUNT, t).unwrap().finish(PER_ACCOUNT, Outcome::Succeeded, t);
        let address = address.admit(PER_ADDRESS, t).unwrap().finish(PER_ADDRESS, Outcome::Succeeded, t);
        assert_eq!((account.failures, account.next_slot), (0, 0));
        assert_eq!((address.failures, address.next_slot), (8, t));
    }
}

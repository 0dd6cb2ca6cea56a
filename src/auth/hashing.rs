//! Argon2id password hashing on a bounded pool of blocking threads.
//!
//! Hashing is deliberately slow (about 15 ms of CPU at the OWASP parameters), so it never runs
//! on the async runtime: a semaphore admits as many hashes as there are cores and the rest
//! queue, so a flood of sign-ins waits for its turn while other pages stay fast.
//!
//! Every password is normalised to Unicode NFKC before it is checked, hashed or verified (see
//! `normalize`), so the same characters typed on another keyboard or system still match.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use std::cell::RefCell;

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher as _, Version};
use tokio::sync::Semaphore;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Msg;

/// A password in Unicode Normalization Form KC, the form it is hashed in.
///
/// NIST SP 800-63B (5.1.1.2) asks verifiers to normalise with NFKC or NFKD. NFKC: "é" typed as
/// one code point (most keyboards) or as "e" plus a combining accent (some macOS and mobile
/// input) becomes the same, and so do full-width and half-width forms from East Asian input
/// methods; the composed form also keeps the length the policy counts close to what was typed.
pub fn normalize(password: &str) -> Cow<'_, str> {
    match is_nfkc_quick(password.chars()) {
        IsNormalized::Yes => Cow::Borrowed(password),
        _ => Cow::Owned(password.nfkc().collect()),
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// It matched only as typed, not normalised: the hash dates from before normalisation and
    /// should be replaced by one of the normalised form.
    YesAsTyped,
}

/// How long a sign-in may wait for a free hashing slot before the server says it is busy.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    /// A real hash of a random password: unknown accounts are verified against it so that they
    /// take as long as known ones. Made on first use, on the hashing pool.
    dummy_hash: Arc<OnceLock<String>>,
}

impl PasswordHasher {
    pub fn new(workers: usize) -> Self {
        PasswordHasher { slots: Arc::new(Semaphore::new(workers.max(1))), dummy_hash: Arc::new(OnceLock::new()) }
    }

    /// Hashes the normalised form of a password.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = normalize(password).into_owned();
        self.run(move || hash_blocking(&password)).await?.map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
    }

    /// Verifies a password against a stored hash, or against the dummy hash when there is no
    /// account (or no password yet), so that the answer takes the same time either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        Ok(self.check(password, stored).await? != Verified::No)
    }

    /// Verifies a password and, when it matched a hash made before passwords were normalised,
    /// replaces that hash with one of the normalised form (wherever it is stored).
    pub async fn verify_and_upgrade(&self, db: &Db, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let verified = self.check(password, stored).await?;
        if let (Verified::YesAsTyped, Some(old)) = (verified, stored) {
            let new = self.hash(password).await?;
            replace_hash(db, old, &new).await?;
            tracing::info!("a password hash made before normalisation was replaced");
        }
        Ok(verified != Verified::No)
    }

    /// Tries the normalised form, then (if it differs) the form as typed, which is how hashes
    /// made before normalisation were computed. An unknown account does the same work against
    /// the dummy hash.
    pub async fn check(&self, password: &str, stored: Option<&str>) -> Result<Verified, AppError> {
        let stored = stored.map(str::to_owned);
        let dummy = self.dummy_hash.clone();
        let typed = password.to_owned();
        self.run(move || {
            let normal = normalize(&typed);
            let as_typed = (normal != typed).then_some(typed.as_str());
            let hash = match &stored {
                Some(hash) => hash.as_str(),
                None => dummy.get_or_init(|| {
                    hash_blocking(&super::policy::generate_password())
                        .expect("hashing a generated password cannot fail")
                }),
            };
            let verified = if verify_blocking(&normal, hash) {
                Verified::Yes
            } else if as_typed.is_some_and(|t| verify_blocking(t, hash)) {
                Verified::YesAsTyped
            } else {
                Verified::No
            };
            if stored.is_some() { verified } else { Verified::No }
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let busy = || AppError::Unavailable(Msg::new("signin-busy"));
        let permit = tokio::time::timeout(QUEUE_TIMEOUT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing task failed: {e}")))
    }
}

/// Replaces a stored hash by another. Each hash has its own random salt, so the old one names
/// its account alone, whether staff or customer.
async fn replace_hash(db: &Db, old: &str, new: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    for sql in [
        "UPDATE staff SET password_hash = $1 WHERE password_hash = $2",
        "UPDATE customers SET password_hash = $1 WHERE password_hash = $2",
    ] {
        sqlx::query(sql).bind(new).bind(old).execute(&mut *tx).await?;
    }
    tx.commit().await
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let hash: PasswordHash = Argon2::default().hash_password(password.as_bytes()).map_err(|e| e.to_string())?;
    Ok(hash.to_string())
}

thread_local! {
    /// Argon2's working memory (19 MiB at our parameters), kept by each hashing thread and reused:
    /// allocating and zero-faulting it afresh for every sign-in cost about 7% of the CPU.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Recomputes the stored hash's digest for `password` (with the stored algorithm, version,
/// parameters and salt) and compares in constant time.
fn verify_blocking(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut computed = vec![0u8; expected.as_bytes().len()];
    let ok = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.resize(params.block_count(), Block::default());
        argon.hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut computed, &mut memory[..]).is_ok()
    });
    ok && crate::web::tokens::constant_time_eq_bytes(&computed, expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash("Tr0pical-Fish").await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify("Tr0pical-Fish", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("Tr0pical-Fish!", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("anything", None).await.unwrap());
    }

    #[tokio::test]
    async fn composed_and_decomposed_forms_match_and_old_hashes_still_verify() {
        let (composed, decomposed) = ("Caf\u{e9}!Pass-2024", "Cafe\u{301}!Pass-2024");
        assert_eq!(normalize(decomposed), composed);
        assert!(matches!(normalize(composed), Cow::Borrowed(_)));
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash(composed).await.unwrap();
        assert_eq!(hasher.check(decomposed, Some(&hash)).await.unwrap(), Verified::Yes);
        // A hash of the decomposed form as typed, made before normalisation.
        let old = hash_blocking(decomposed).unwrap();
        assert_eq!(hasher.check(decomposed, Some(&old)).await.unwrap(), Verified::YesAsTyped);
        assert_eq!(hasher.check("Cafe!Pass-2024", Some(&old)).await.unwrap(), Verified::No);
        assert_eq!(hasher.check(decomposed, None).await.unwrap(), Verified::No);
    }
}

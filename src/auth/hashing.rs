//! Argon2id password hashing on a bounded pool of blocking threads.
//!
//! Hashing is deliberately slow (about 15 ms of CPU at the OWASP parameters), so it never runs
//! on the async runtime: a semaphore admits as many hashes as there are cores and the rest
//! queue, so a flood of sign-ins waits for its turn while other pages stay fast.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use std::cell::RefCell;

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher as _, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

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

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await?.map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
    }

    /// Verifies a password against a stored hash, or against the dummy hash when there is no
    /// account (or no password yet), so that the answer takes the same time either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let stored = stored.map(str::to_owned);
        let dummy = self.dummy_hash.clone();
        let password = password.to_owned();
        self.run(move || match stored {
            Some(hash) => verify_blocking(&password, &hash),
            None => {
                let dummy = dummy.get_or_init(|| {
                    hash_blocking(&super::policy::generate_password())
                        .expect("hashing a generated password cannot fail")
                });
                verify_blocking(&password, dummy);
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let busy =
            || AppError::Unavailable("The server is very busy signing people in. Please try again in a minute.".into());
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
}

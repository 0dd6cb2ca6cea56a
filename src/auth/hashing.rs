//! Argon2id password hashing on a bounded pool of blocking threads.
//!
//! Hashing is deliberately slow (about 15 ms of CPU at the OWASP parameters), so it never runs
//! on the async runtime: a semaphore admits as many hashes as there are cores and the rest
//! queue, so a flood of sign-ins waits for its turn while other pages stay fast.

use std::sync::Arc;
use std::time::Duration;

use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// How long a sign-in may wait for a free hashing slot before the server says it is busy.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    /// A real hash of a random password: unknown accounts are verified against it so that they
    /// take as long as known ones.
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(workers: usize) -> Self {
        let dummy = super::policy::generate_password();
        let dummy_hash = hash_blocking(&dummy).expect("hashing a generated password cannot fail");
        PasswordHasher {
            slots: Arc::new(Semaphore::new(workers.max(1))),
            dummy_hash: Arc::new(dummy_hash),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
    }

    /// Verifies a password against a stored hash, or against the dummy hash when there is no
    /// account (or no password yet), so that the answer takes the same time either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let (hash, real) = match stored {
            Some(h) => (h.to_owned(), true),
            None => ((*self.dummy_hash).clone(), false),
        };
        let password = password.to_owned();
        let ok = self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(ok && real)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || {
            AppError::Unavailable(
                "The server is very busy signing people in. Please try again in a minute.".into(),
            )
        };
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
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(hash.to_string())
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
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

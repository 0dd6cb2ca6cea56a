//! Secrets Frontdesk must be able to read back (a portal's Entra ID client secret), stored
//! encrypted. The key is derived from `FRONTDESK_SECRET_KEY`, which every node of one desk must
//! share; without it nothing secret can be stored, and the server says so instead of storing it
//! in the clear.
//!
//! Format of a stored value: `v1:` + base64url(24-byte nonce ‖ XChaCha20-Poly1305 ciphertext).
//! The caller's `context` (say `portal:7:entra_client_secret`) is bound in as associated data, so
//! a value copied to another portal or another setting does not decrypt.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

/// The shortest `FRONTDESK_SECRET_KEY` accepted.
pub const MIN_KEY_CHARS: usize = 32;

/// What to tell an operator whose server has no key.
pub const NO_KEY_MESSAGE: &str = "Frontdesk cannot store secrets because FRONTDESK_SECRET_KEY is not set. Set it to \
     a random string of 32 or more characters (for example the output of `openssl rand -base64 48`), the same on \
     every node, and restart the server.";

const VERSION: &str = "v1:";
const NONCE_LEN: usize = 24;

/// The key that seals stored secrets. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SecretKey {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "the stored secret cannot be decrypted with this server's FRONTDESK_SECRET_KEY (was the key changed?); \
         enter the secret again"
    )]
    Undecryptable,
}

impl SecretKey {
    /// Derives the sealing key from the operator's passphrase (HKDF-SHA256; the passphrase may
    /// be any string of 32 or more characters).
    pub fn from_passphrase(passphrase: &str) -> Result<SecretKey, String> {
        if passphrase.chars().count() < MIN_KEY_CHARS {
            return Err(format!(
                "FRONTDESK_SECRET_KEY must be at least {MIN_KEY_CHARS} characters (it has {}); generate one with \
                 `openssl rand -base64 48`",
                passphrase.chars().count()
            ));
        }
        let hk = Hkdf::<Sha256>::new(Some(b"frontdesk secret key"), passphrase.as_bytes());
        let mut key = [0u8; 32];
        hk.expand(b"stored secrets v1", &mut key).expect("32 bytes is a valid HKDF-SHA256 output length");
        Ok(SecretKey { cipher: XChaCha20Poly1305::new(&key.into()) })
    }

    /// The key from `FRONTDESK_SECRET_KEY`: `Ok(None)` when it is unset or empty.
    pub fn from_env() -> Result<Option<SecretKey>, String> {
        match std::env::var("FRONTDESK_SECRET_KEY") {
            Ok(v) if !v.is_empty() => SecretKey::from_passphrase(&v).map(Some),
            _ => Ok(None),
        }
    }

    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, stored: &str, context: &str) -> Result<String, SecretError> {
        let raw = stored
            .strip_prefix(VERSION)
            .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
            .filter(|r| r.len() > NONCE_LEN)
            .ok_or(SecretError::Undecryptable)?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> SecretKey {
        SecretKey::from_passphrase(s).unwrap()
    }

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let k = key("0123456789abcdef0123456789abcdef");
        let sealed = k.seal("s3cret~value", "portal:1:x");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, k.seal("s3cret~value", "portal:1:x"), "a fresh nonce every time");
        assert_eq!(k.open(&sealed, "portal:1:x").unwrap(), "s3cret~value");
    }

    #[test]
    fn another_key_context_or_a_flipped_byte_does_not_open() {
        let k = key("0123456789abcdef0123456789abcdef");
        let sealed = k.seal("secret", "portal:1:x");
        assert_eq!(
            key("another key that is long enough, surely").open(&sealed, "portal:1:x"),
            Err(SecretError::Undecryptable)
        );
        assert_eq!(k.open(&sealed, "portal:2:x"), Err(SecretError::Undecryptable));
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(k.open(&String::from_utf8(tampered).unwrap(), "portal:1:x"), Err(SecretError::Undecryptable));
        assert_eq!(k.open("plain text", "portal:1:x"), Err(SecretError::Undecryptable));
    }

    #[test]
    fn short_passphrases_are_refused_and_debug_shows_nothing() {
        let err = SecretKey::from_passphrase("too short").unwrap_err();
        assert!(err.contains("at least 32"), "{err}");
        assert_eq!(format!("{:?}", key("0123456789abcdef0123456789abcdef")), "SecretKey(<redacted>)");
    }
}

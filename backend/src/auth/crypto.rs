//! The local key that seals stored secrets with AES-256-GCM.

use std::fmt;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::auth::tokens::random_bytes;
use crate::error::ServiceError;

/// The environment variable that contains the key as 64 hex characters.
pub const KEY_ENV: &str = "TRUST_CENTER_SECRET_KEY";
/// Default path of the key file, relative to the working directory.
pub const DEFAULT_KEY_FILE: &str = "data/secret.key";

const NONCE_LENGTH: usize = 12;
const TAG_LENGTH: usize = 16;

/// An AES-256-GCM key. `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl SecretKey {
    /// Takes the key from `env_value` (the value of TRUST_CENTER_SECRET_KEY,
    /// 64 hex characters) when it is set and not blank. Otherwise it reads
    /// `key_file`, or creates that file with 32 random bytes (written as 64
    /// hex characters) and mode 0600 when it does not exist.
    pub fn load(env_value: Option<&str>, key_file: &Path) -> Result<Self, ServiceError> {
        if let Some(value) = env_value.map(str::trim).filter(|v| !v.is_empty()) {
            return parse_hex(value).ok_or_else(|| {
                ServiceError::BadRequest(format!(
                    "{KEY_ENV} is invalid: use 64 hexadecimal characters (32 bytes), for example the output of `openssl rand -hex 32`"
                ))
            });
        }
        match std::fs::read(key_file) {
            Ok(bytes) => parse_file(&bytes, key_file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_file(key_file),
            Err(e) => Err(ServiceError::Internal(format!("cannot read the key file {}: {e}", key_file.display()))),
        }
    }

    /// Seals `plaintext`: a random 12-byte nonce followed by the ciphertext
    /// and its 16-byte tag.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, ServiceError> {
        let nonce = random_bytes::<NONCE_LENGTH>()?;
        let ciphertext = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .map_err(|_| ServiceError::Internal("encryption with the secret key failed".into()))?;
        let mut sealed = Vec::with_capacity(NONCE_LENGTH + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Opens a value sealed by [`SecretKey::encrypt`]. Fails when the key
    /// differs or the value was altered.
    pub fn decrypt(&self, sealed: &[u8]) -> Result<Vec<u8>, ServiceError> {
        if sealed.len() < NONCE_LENGTH + TAG_LENGTH {
            return Err(ServiceError::Internal(format!(
                "the sealed value has {} bytes, fewer than the {} of a nonce and tag: it is damaged",
                sealed.len(),
                NONCE_LENGTH + TAG_LENGTH
            )));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LENGTH);
        self.cipher().decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| {
            ServiceError::Internal(format!(
                "decryption failed: the value was sealed with another key or altered; \
                 check {KEY_ENV} and the key file (default {DEFAULT_KEY_FILE})"
            ))
        })
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }
}

fn parse_hex(value: &str) -> Option<SecretKey> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(value, &mut key).ok()?;
    Some(SecretKey(key))
}

/// Accepts 64 hex characters (with optional surrounding whitespace) or 32
/// raw bytes.
fn parse_file(bytes: &[u8], path: &Path) -> Result<SecretKey, ServiceError> {
    if let Ok(key) = <[u8; 32]>::try_from(bytes) {
        return Ok(SecretKey(key));
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| parse_hex(text.trim()))
        .ok_or_else(|| {
            ServiceError::Internal(format!(
                "the key file {} is invalid: it must contain 64 hexadecimal characters; \
                 restore the original file, because stored credentials cannot be decrypted without it",
                path.display()
            ))
        })
}

fn create_file(path: &Path) -> Result<SecretKey, ServiceError> {
    let io_error = |e: std::io::Error| ServiceError::Internal(format!("cannot create the key file {}: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_error)?;
    }
    let key = random_bytes::<32>()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{}\n", hex::encode(key)).as_bytes()).map_err(io_error)?;
            file.sync_all().map_err(io_error)?;
            tracing::info!(key_file = %path.display(), "created a new secret key file; back it up, because stored credentials cannot be decrypted without it");
            Ok(SecretKey(key))
        }
        // Another process created the file first: use its key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let bytes = std::fs::read(path)
                .map_err(|e| ServiceError::Internal(format!("cannot read the key file {}: {e}", path.display())))?;
            parse_file(&bytes, path)
        }
        Err(e) => Err(io_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let key = parse_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(format!("{key:?}"), "[redacted]");
    }

    #[test]
    fn invalid_env_value_is_rejected_without_echoing_it() {
        let message = SecretKey::load(Some("not-a-key-zz"), Path::new("/nonexistent/x")).unwrap_err().to_string();
        assert!(message.contains(KEY_ENV), "{message}");
        assert!(!message.contains("not-a-key-zz"), "{message}");
    }

    #[test]
    fn altered_value_fails_to_decrypt() {
        let key = parse_hex(&"01".repeat(32)).unwrap();
        let mut sealed = key.encrypt(b"hello").unwrap();
        assert_eq!(key.decrypt(&sealed).unwrap(), b"hello");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(key.decrypt(&sealed).is_err());
        assert!(key.decrypt(&sealed[..20]).is_err());
    }
}

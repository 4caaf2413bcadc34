//! Password hashing with Argon2id (the `argon2` crate's default parameters:
//! 19 MiB of memory, 2 iterations, 1 lane) and a random 16-byte salt.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::auth::tokens::random_bytes;
use crate::error::ServiceError;

/// The minimum password length, in characters.
pub const MIN_LENGTH: usize = 12;

/// The longest accepted password, in characters, so a huge input cannot
/// tie up the hasher.
pub const MAX_LENGTH: usize = 1024;

/// Checks the length limits; the message names the limit, never the password.
pub fn validate(password: &str) -> Result<(), ServiceError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(ServiceError::BadRequest(format!(
            "the password has {length} characters: use at least {MIN_LENGTH}"
        )));
    }
    if length > MAX_LENGTH {
        return Err(ServiceError::BadRequest(format!(
            "the password has {length} characters: use at most {MAX_LENGTH}"
        )));
    }
    Ok(())
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`). It checks
/// no length rule, so callers run [`validate`] first. Argon2id is
/// deliberately slow and memory-hard, so async callers run it on a blocking
/// thread.
pub fn hash(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| ServiceError::Internal(format!("password salt encoding failed: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

/// Returns whether `password` matches `hash`; a malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Runs [`hash`] on tokio's blocking thread pool.
pub(crate) async fn hash_blocking(password: &str) -> Result<String, ServiceError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("the password hashing task failed: {e}")))?
}

/// Runs [`verify`] on tokio's blocking thread pool.
pub(crate) async fn verify_blocking(password: &str, hash: &str) -> Result<bool, ServiceError> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify(&password, &hash))
        .await
        .map_err(|e| ServiceError::Internal(format!("the password verification task failed: {e}")))
}

//! Random values and token hashing shared by sessions, API tokens and
//! client links.

use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// Fills an array from the operating system's random number generator.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], ServiceError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Internal(format!("the operating system's random number generator failed: {e}")))?;
    Ok(bytes)
}

/// Generates a token of 32 random bytes (256 bits) as 64 lower-case hex characters.
pub fn random_token_hex() -> Result<String, ServiceError> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// SHA-256 of `token` as 64 lower-case hex characters: the form in which
/// tokens are stored and looked up.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Returns whether `value` is exactly `len` lower-case hex characters, the
/// shape of every token this module creates. Callers reject other values
/// before any database lookup.
pub fn is_lower_hex(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Characters of generated passwords: letters and digits without the
/// look-alikes 0, O, o, 1, l and I.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Generates a random password of `len` characters from
/// [`PASSWORD_ALPHABET`] (about 5.8 bits each, so 20 characters give about
/// 116 bits).
pub fn random_password(len: usize) -> Result<String, ServiceError> {
    let alphabet_len = PASSWORD_ALPHABET.len();
    // Bytes at or above this bound are skipped so every character is
    // equally likely.
    let bound = 256 - 256 % alphabet_len;
    let mut password = String::with_capacity(len);
    while password.len() < len {
        for byte in random_bytes::<64>()? {
            if usize::from(byte) < bound && password.len() < len {
                password.push(char::from(PASSWORD_ALPHABET[usize::from(byte) % alphabet_len]));
            }
        }
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn random_token_is_64_hex_characters() {
        let token = random_token_hex().unwrap();
        assert!(is_lower_hex(&token, 64), "{token}");
        assert_ne!(token, random_token_hex().unwrap());
    }

    #[test]
    fn random_password_uses_the_alphabet() {
        let password = random_password(20).unwrap();
        assert_eq!(password.len(), 20);
        assert!(password.bytes().all(|b| PASSWORD_ALPHABET.contains(&b)), "{password}");
    }

    #[test]
    fn hex_check_rejects_upper_case_and_wrong_length() {
        assert!(is_lower_hex("0af9", 4));
        assert!(!is_lower_hex("0AF9", 4));
        assert!(!is_lower_hex("0af", 4));
        assert!(!is_lower_hex("0afg", 4));
    }
}

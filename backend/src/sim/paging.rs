//! Opaque `$skiptoken` values, like the GUID-shaped ones real Graph returns.
//!
//! A token encodes the offset of the next page, masked with a key from the
//! seed and the resource, plus a check value, so a client can neither read
//! nor forge one. Clients must follow `@odata.nextLink` as given.

use super::rng::{hash_text, mix};

fn keys(seed: u64, resource: &str) -> (u64, u64) {
    let key = mix(seed ^ hash_text(resource));
    (key, key.rotate_left(17) ^ 0x5EC5_C0DE)
}

pub(crate) fn encode(seed: u64, resource: &str, offset: usize) -> String {
    let (mask, check_key) = keys(seed, resource);
    let masked = offset as u64 ^ mask;
    let check = mix(masked ^ check_key);
    let hex = format!("{masked:016x}{check:016x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Decodes the offset in `token`, or returns `None` for a token this
/// simulator did not issue.
pub(crate) fn decode(seed: u64, resource: &str, token: &str) -> Option<usize> {
    let hex: String = token.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let masked = u64::from_str_radix(&hex[..16], 16).ok()?;
    let check = u64::from_str_radix(&hex[16..], 16).ok()?;
    let (mask, check_key) = keys(seed, resource);
    if mix(masked ^ check_key) != check {
        return None;
    }
    usize::try_from(masked ^ mask).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip() {
        for offset in [0, 1, 50, 12_345] {
            let token = encode(7, "secureScores", offset);
            assert_eq!(decode(7, "secureScores", &token), Some(offset));
        }
    }

    #[test]
    fn foreign_or_edited_tokens_are_rejected() {
        let token = encode(7, "secureScores", 50);
        assert_eq!(decode(7, "secureScoreControlProfiles", &token), None);
        assert_eq!(decode(8, "secureScores", &token), None);
        assert_eq!(decode(7, "secureScores", "not-a-token"), None);
        let mut edited = token.clone();
        edited.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
        assert_eq!(decode(7, "secureScores", &edited), None);
    }
}

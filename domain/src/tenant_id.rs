//! Microsoft Entra tenant ids as the product accepts them.

use std::fmt;

/// A validated, lower-cased tenant id.
///
/// Real tenant ids are GUIDs, but published Graph samples use GUID-like
/// values with longer groups (`...-1234567890abcd`), so the check accepts
/// hexadecimal groups separated by single hyphens, 8 to 64 characters long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantIdError {
    pub value: String,
}

impl fmt::Display for TenantIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a tenant id: use the directory (tenant) id GUID, \
             for example 72f988bf-86f1-41af-91ab-2d7cd011db47",
            self.value
        )
    }
}

impl std::error::Error for TenantIdError {}

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, TenantIdError> {
        let value = raw.trim();
        let error = || TenantIdError {
            value: raw.chars().take(80).collect(),
        };
        if !(8..=64).contains(&value.len()) {
            return Err(error());
        }
        let groups_are_hex = value
            .split('-')
            .all(|group| !group.is_empty() && group.chars().all(|c| c.is_ascii_hexdigit()));
        if !groups_are_hex {
            return Err(error());
        }
        Ok(Self(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_accepted_and_lower_cased() {
        let id = TenantId::parse(" 4B8C18BD-2F9F-4227-AF55-9F1061CF9C32 ").unwrap();
        assert_eq!(id.as_str(), "4b8c18bd-2f9f-4227-af55-9f1061cf9c32");
    }

    #[test]
    fn sample_ids_with_long_groups_are_accepted() {
        assert!(TenantId::parse("12345678-1234-1234-1234-1234567890abcd").is_ok());
        assert!(TenantId::parse("00000001-0001-0001-0001-000000000001c").is_ok());
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for raw in ["", "abc", "not-a-tenant-id", "../../etc/passwd", "1234567--89ab", "-12345678", "12345678-"] {
            assert!(TenantId::parse(raw).is_err(), "{raw} should be rejected");
        }
        let too_long = "a".repeat(65);
        assert!(TenantId::parse(&too_long).is_err());
    }

    #[test]
    fn error_names_the_value_and_the_fix() {
        let message = TenantId::parse("contoso").unwrap_err().to_string();
        assert!(message.contains("'contoso'"));
        assert!(message.contains("GUID"));
    }
}

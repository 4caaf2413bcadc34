//! The compliance mapping shipped with the product.
//!
//! NOTE: only the shipped file and its check exist so far. Overrides, the
//! coverage service, the API and the pages are still to be built.

use domain::compliance::Mapping;

/// The shipped mapping, `backend/compliance/mapping.json`, embedded at build time.
pub const SHIPPED_MAPPING: &str = include_str!("../compliance/mapping.json");

/// Parses the shipped mapping. The file is checked by a test, so this fails
/// only on a build whose file was edited without running the tests.
pub fn shipped() -> Result<Mapping, String> {
    serde_json::from_str(SHIPPED_MAPPING).map_err(|e| format!("the shipped compliance mapping is invalid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::compliance::Framework;

    #[test]
    fn shipped_mapping_validates() {
        let mapping = shipped().unwrap();
        assert_eq!(mapping.validate(), Vec::<String>::new());
        assert!(mapping.entries.len() >= 10);
    }

    #[test]
    fn admin_mfa_supports_soc2_hipaa_and_nist() {
        let mapping = shipped().unwrap();
        let mfa = mapping.entries.iter().find(|e| e.control_id == "AdminMFAV2").expect("AdminMFAV2 is mapped");
        let pairs: Vec<(Framework, &str)> =
            mfa.controls.iter().map(|c| (Framework::parse(&c.framework).unwrap(), c.control.as_str())).collect();
        assert_eq!(
            pairs,
            [(Framework::Soc2, "CC6.1"), (Framework::Hipaa, "164.312(d)"), (Framework::Nist800171, "3.5.3"), (Framework::Nist80053, "IA-2(1)")]
        );
    }
}

//! Recorded payloads from a folder: one sub-folder per tenant id holding
//! `secureScores.json`, `secureScoreControlProfiles.json` and optionally
//! `tenant.json` (`{"displayName": "...", "industry": "..."}`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use domain::TenantId;
use serde::Deserialize;
use serde_json::Value;
use tracing::warn;

use super::{SimError, SimScenario, SimTenant};

pub(crate) const SCORES_FILE: &str = "secureScores.json";
pub(crate) const PROFILES_FILE: &str = "secureScoreControlProfiles.json";
pub(crate) const TENANT_FILE: &str = "tenant.json";

/// A payload file as served.
#[derive(Debug)]
pub(crate) enum Recorded {
    /// The file's `value` array, paged by the simulator.
    Records(Vec<Value>),
    /// A file that is not JSON or has no `value` array, served as it is so
    /// ingestion has to report it.
    Raw(Vec<u8>),
}

#[derive(Debug)]
pub(crate) struct FixtureTenant {
    pub(crate) info: SimTenant,
    pub(crate) scores: Recorded,
    pub(crate) profiles: Recorded,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantFile {
    display_name: Option<String>,
    industry: Option<String>,
}

/// Loads every tenant folder under `dir`, in name order. Folders whose name
/// is not a tenant id are skipped with a warning.
pub(crate) fn load(dir: &Path) -> Result<Vec<FixtureTenant>, SimError> {
    let read_folder = |source: io::Error| SimError::ReadFolder { path: dir.to_path_buf(), source };
    let mut folders: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(read_folder)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(read_folder)?;
    folders.retain(|path| path.is_dir());
    folders.sort();

    let mut tenants = Vec::new();
    for folder in folders {
        let name = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let tenant_id = match TenantId::parse(&name) {
            Ok(id) => id,
            Err(error) => {
                warn!(path = %folder.display(), %error, "skipping fixture folder: its name is not a tenant id");
                continue;
            }
        };
        tenants.push(load_tenant(&folder, tenant_id)?);
    }

    if tenants.is_empty() {
        return Err(SimError::NoTenants { path: dir.to_path_buf() });
    }
    Ok(tenants)
}

fn load_tenant(folder: &Path, tenant_id: TenantId) -> Result<FixtureTenant, SimError> {
    let tenant_path = folder.join(TENANT_FILE);
    let (display_name, industry) = match read_optional(&tenant_path)? {
        Some(bytes) => {
            let file: TenantFile = serde_json::from_slice(&bytes).map_err(|error| SimError::InvalidTenantFile {
                path: tenant_path.clone(),
                detail: error.to_string(),
            })?;
            (file.display_name, file.industry)
        }
        None => (None, None),
    };
    let display_name = display_name
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| format!("Tenant {}", &tenant_id.as_str()[..8.min(tenant_id.as_str().len())]));

    Ok(FixtureTenant {
        scores: load_payload(&folder.join(SCORES_FILE))?,
        profiles: load_payload(&folder.join(PROFILES_FILE))?,
        info: SimTenant { tenant_id, display_name, industry, scenario: SimScenario::Fixture },
    })
}

/// Reads a payload file; a missing file is an empty `value` array.
fn load_payload(path: &Path) -> Result<Recorded, SimError> {
    let Some(bytes) = read_optional(path)? else {
        return Ok(Recorded::Records(Vec::new()));
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut root)) => match root.remove("value") {
            Some(Value::Array(values)) => Ok(Recorded::Records(values)),
            _ => {
                warn!(path = %path.display(), "fixture has no 'value' array, serving it unchanged");
                Ok(Recorded::Raw(bytes))
            }
        },
        Ok(_) => {
            warn!(path = %path.display(), "fixture is not a JSON object, serving it unchanged");
            Ok(Recorded::Raw(bytes))
        }
        Err(error) => {
            warn!(path = %path.display(), %error, "fixture is not valid JSON, serving it unchanged");
            Ok(Recorded::Raw(bytes))
        }
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, SimError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SimError::ReadFile { path: path.to_path_buf(), source }),
    }
}

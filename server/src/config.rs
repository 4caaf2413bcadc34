//! Configuration from environment variables, parsed once at start. Every
//! error names the variable and what it should contain.

use std::net::SocketAddr;
use std::time::Duration;

use backend::graph::Secret;

/// Defaults, documented in `.env.example` and the README.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_SITE_ROOT: &str = "target/site";
pub const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.microsoft.com/v1.0";
pub const DEFAULT_GRAPH_LOGIN_URL: &str = "https://login.microsoftonline.com";
pub const DEMO_DATABASE_URL: &str = "sqlite://data/demo.db?mode=rwc";

#[derive(Debug, thiserror::Error)]
#[error("{variable} is invalid: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub site_root: String,
    /// `None` when DATABASE_URL is unset; the caller picks the default.
    pub database_url: Option<String>,
    pub db_max_connections: u32,
    pub graph_base_url: String,
    pub graph_login_url: String,
    pub graph_client_id: Option<String>,
    pub graph_client_secret: Option<Secret>,
    pub sync_interval: Duration,
    pub sync_concurrency: usize,
    pub graph_request_timeout: Duration,
    pub graph_connect_timeout: Duration,
    pub graph_max_retries: u32,
    /// Write status changes of improvement actions back to Microsoft.
    pub graph_write_back: bool,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let addr_text = get("TRUST_CENTER_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr = addr_text.parse().map_err(|_| ConfigError {
            variable: "TRUST_CENTER_ADDR",
            problem: format!("'{addr_text}' is not an address and port, for example 127.0.0.1:3000"),
        })?;
        let graph_base_url = get("GRAPH_BASE_URL").unwrap_or_else(|| DEFAULT_GRAPH_BASE_URL.to_owned());
        check_url("GRAPH_BASE_URL", &graph_base_url)?;
        let graph_login_url = get("GRAPH_LOGIN_URL").unwrap_or_else(|| DEFAULT_GRAPH_LOGIN_URL.to_owned());
        check_url("GRAPH_LOGIN_URL", &graph_login_url)?;
        let interval_minutes = number(&get, "TRUST_CENTER_SYNC_INTERVAL_MINUTES", 240, 1, 7 * 24 * 60)?;
        Ok(Self {
            addr,
            site_root: get("TRUST_CENTER_SITE_ROOT").unwrap_or_else(|| DEFAULT_SITE_ROOT.to_owned()),
            database_url: get("DATABASE_URL"),
            db_max_connections: number(&get, "TRUST_CENTER_DB_MAX_CONNECTIONS", 8, 1, 256)? as u32,
            graph_base_url,
            graph_login_url,
            graph_client_id: get("GRAPH_CLIENT_ID"),
            graph_client_secret: get("GRAPH_CLIENT_SECRET").map(Secret::new),
            sync_interval: Duration::from_secs(interval_minutes * 60),
            sync_concurrency: number(&get, "TRUST_CENTER_SYNC_CONCURRENCY", 4, 1, 64)? as usize,
            graph_request_timeout: Duration::from_secs(number(&get, "GRAPH_REQUEST_TIMEOUT_SECONDS", 30, 1, 600)?),
            graph_connect_timeout: Duration::from_secs(number(&get, "GRAPH_CONNECT_TIMEOUT_SECONDS", 10, 1, 120)?),
            graph_max_retries: number(&get, "GRAPH_MAX_RETRIES", 4, 0, 10)? as u32,
            graph_write_back: flag(&get, "GRAPH_WRITE_BACK")?,
        })
    }
}

fn number(get: &impl Fn(&str) -> Option<String>, variable: &'static str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
    let Some(text) = get(variable) else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(ConfigError {
            variable,
            problem: format!("'{text}' is not a whole number from {min} to {max}"),
        }),
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, variable: &'static str) -> Result<bool, ConfigError> {
    match get(variable).map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(ConfigError { variable, problem: format!("'{other}' is not true or false") }),
    }
}

fn check_url(variable: &'static str, value: &str) -> Result<(), ConfigError> {
    let ok = (value.starts_with("https://") || value.starts_with("http://")) && value.len() > "http://".len() + 1;
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            variable,
            problem: format!("'{value}' is not an http(s) URL"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.sync_interval, Duration::from_secs(240 * 60));
        assert_eq!(config.graph_base_url, "https://graph.microsoft.com/v1.0");
        assert!(config.database_url.is_none());
    }

    #[test]
    fn bad_number_names_the_variable() {
        let error = config(&[("TRUST_CENTER_SYNC_INTERVAL_MINUTES", "often")]).unwrap_err();
        assert_eq!(error.variable, "TRUST_CENTER_SYNC_INTERVAL_MINUTES");
        assert!(error.to_string().contains("'often'"));
    }

    #[test]
    fn bad_url_is_rejected() {
        let error = config(&[("GRAPH_BASE_URL", "graph.local")]).unwrap_err();
        assert_eq!(error.variable, "GRAPH_BASE_URL");
    }
}

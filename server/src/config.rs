//! Configuration from environment variables, parsed once at start. Every
//! error names the variable and what it should contain.

use std::net::SocketAddr;
use std::time::Duration;

use backend::alerts::{SmtpSettings, SmtpTls};
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
    /// The SMTP server for e-mail alert channels; `None` without SMTP_HOST.
    pub smtp: Option<SmtpSettings>,
    /// The address people reach the dashboard at, for links in notices.
    pub public_url: Option<String>,
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
            smtp: smtp(&get)?,
            public_url: match get("TRUST_CENTER_PUBLIC_URL") {
                Some(url) => {
                    check_url("TRUST_CENTER_PUBLIC_URL", &url)?;
                    Some(url)
                }
                None => None,
            },
        })
    }
}

/// SMTP settings from SMTP_HOST, SMTP_PORT, SMTP_TLS, SMTP_USERNAME,
/// SMTP_PASSWORD and SMTP_FROM; `None` when SMTP_HOST is unset.
fn smtp(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SmtpSettings>, ConfigError> {
    let Some(host) = get("SMTP_HOST") else {
        return Ok(None);
    };
    let tls_text = get("SMTP_TLS").unwrap_or_else(|| "starttls".to_owned());
    let tls = SmtpTls::parse(&tls_text).ok_or_else(|| ConfigError {
        variable: "SMTP_TLS",
        problem: format!("'{tls_text}' is not starttls, tls or none"),
    })?;
    let default_port = match tls {
        SmtpTls::Implicit => 465,
        SmtpTls::StartTls => 587,
        SmtpTls::None => 25,
    };
    let port = number(get, "SMTP_PORT", default_port, 1, 65535)? as u16;
    let from = get("SMTP_FROM").ok_or_else(|| ConfigError {
        variable: "SMTP_FROM",
        problem: "is required with SMTP_HOST: the sender address of alert e-mails, for example alerts@msp.example".to_owned(),
    })?;
    if !backend::alerts::channels::is_email_address(&from) {
        return Err(ConfigError { variable: "SMTP_FROM", problem: format!("'{from}' is not an e-mail address") });
    }
    let username = get("SMTP_USERNAME");
    let password = get("SMTP_PASSWORD").map(Secret::new);
    if username.is_some() != password.is_some() {
        return Err(ConfigError {
            variable: if username.is_some() { "SMTP_PASSWORD" } else { "SMTP_USERNAME" },
            problem: "set SMTP_USERNAME and SMTP_PASSWORD together, or neither".to_owned(),
        });
    }
    Ok(Some(SmtpSettings { host, port, tls, username, password, from }))
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
    fn smtp_needs_a_sender_and_a_known_tls_mode() {
        assert!(config(&[]).unwrap().smtp.is_none());
        let error = config(&[("SMTP_HOST", "smtp.example.com")]).unwrap_err();
        assert_eq!(error.variable, "SMTP_FROM");
        let error = config(&[("SMTP_HOST", "smtp.example.com"), ("SMTP_FROM", "a@b.example"), ("SMTP_TLS", "ssl3")]).unwrap_err();
        assert_eq!(error.variable, "SMTP_TLS");
        let smtp = config(&[("SMTP_HOST", "smtp.example.com"), ("SMTP_FROM", "a@b.example"), ("SMTP_TLS", "tls")]).unwrap().smtp.unwrap();
        assert_eq!((smtp.port, smtp.tls), (465, SmtpTls::Implicit));
        let error = config(&[("SMTP_HOST", "h"), ("SMTP_FROM", "a@b.example"), ("SMTP_USERNAME", "u")]).unwrap_err();
        assert_eq!(error.variable, "SMTP_PASSWORD");
    }

    #[test]
    fn bad_url_is_rejected() {
        let error = config(&[("GRAPH_BASE_URL", "graph.local")]).unwrap_err();
        assert_eq!(error.variable, "GRAPH_BASE_URL");
    }
}

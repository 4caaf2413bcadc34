//! Query-string parsing that returns 400 in the JSON envelope and names the
//! parameter, the value and the accepted values.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;

use super::error::ApiError;

/// Raw query parameters; handlers validate each one they read.
pub struct QueryParams(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("the query string could not be read ({}): encode it as name=value pairs", e.body_text())))?;
        Ok(Self(map))
    }
}

impl QueryParams {
    /// Rejects parameters the route does not know, so a typo is not silently ignored.
    pub fn allow_only(&self, known: &[&str]) -> Result<(), ApiError> {
        let mut unknown: Vec<&str> = self.0.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
        unknown.sort_unstable();
        match unknown.first() {
            None => Ok(()),
            Some(name) => Err(ApiError::bad_request(format!(
                "unknown query parameter '{name}': this route accepts {}",
                known.join(", ")
            ))),
        }
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// Parses a whole number within `min..=max`, or returns `default` when absent.
    pub fn number(&self, name: &str, default: u32, min: u32, max: u32) -> Result<u32, ApiError> {
        let Some(text) = self.text(name) else {
            return Ok(default);
        };
        match text.parse::<u32>() {
            Ok(value) if (min..=max).contains(&value) => Ok(value),
            _ => Err(ApiError::bad_request(format!(
                "{name} '{text}' is invalid: use a whole number from {min} to {max}"
            ))),
        }
    }
}

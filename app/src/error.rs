//! The error every server function returns, shared by the server and the
//! browser.
//!
//! On the wire it is JSON with a stable machine `code` and a `message` that
//! is safe to show, for example
//! `{"code":"not_found","message":"Tenant 72f9... not found"}`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", content = "message", rename_all = "snake_case")]
pub enum AppError {
    /// A named thing does not exist (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The input is invalid. The message names the value and the fix (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// The request conflicts with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The caller is not signed in, or the credentials are wrong (HTTP 401).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is signed in but lacks the permission (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed attempts. The message tells when to try again (HTTP 429).
    #[error("{0}")]
    TooManyRequests(String),
    /// The server failed, and only the server log contains the cause (HTTP 500).
    #[error("{0}")]
    Internal(String),
    /// The call itself failed: network, encoding or an unknown endpoint.
    #[error("{0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Arguments that fail to decode are the caller's mistake: they become
    /// `BadRequest`, with HTTP 400 on the server. Anything else is a
    /// transport failure.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                let err = Self::BadRequest(format!(
                    "the server function arguments are invalid ({detail}): send them form-encoded or as JSON with the documented names"
                ));
                #[cfg(feature = "ssr")]
                let err = ssr::reject(err);
                err
            }
            ServerFnErrorErr::MissingArg(name) => {
                let err = Self::BadRequest(format!("the argument '{name}' is missing: add it to the request"));
                #[cfg(feature = "ssr")]
                let err = ssr::reject(err);
                err
            }
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Mapping of service errors to HTTP statuses, used inside server
    //! function bodies.

    use backend::ServiceError;
    use leptos::prelude::use_context;
    use leptos::server_fn::http_export::StatusCode;
    use leptos_axum::ResponseOptions;

    use super::AppError;

    /// Message for failures whose cause must stay in the server log.
    const INTERNAL_MESSAGE: &str =
        "The server could not complete the request. Try again, and if it keeps failing, check the server log.";

    impl AppError {
        pub fn status(&self) -> StatusCode {
            match self {
                Self::NotFound(_) => StatusCode::NOT_FOUND,
                Self::BadRequest(_) => StatusCode::BAD_REQUEST,
                Self::Conflict(_) => StatusCode::CONFLICT,
                Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                Self::Forbidden(_) => StatusCode::FORBIDDEN,
                Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
                Self::Internal(_) | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }

        /// Builds an internal error with a generic message and logs its
        /// cause, which stays out of the response.
        pub fn internal(cause: impl std::fmt::Display) -> Self {
            tracing::error!(error = %cause, "server function failed");
            Self::Internal(INTERNAL_MESSAGE.to_owned())
        }
    }

    impl From<ServiceError> for AppError {
        fn from(err: ServiceError) -> Self {
            match err {
                ServiceError::NotFound(message) => Self::NotFound(message),
                ServiceError::BadRequest(message) => Self::BadRequest(message),
                ServiceError::Conflict(message) => Self::Conflict(message),
                ServiceError::Database(cause) => Self::internal(format_args!("database error: {cause}")),
                ServiceError::Internal(cause) => Self::internal(cause),
            }
        }
    }

    /// Sets the HTTP status of the current response to match `err` and
    /// returns it. During a page render the status applies to the page.
    pub fn reject(err: impl Into<AppError>) -> AppError {
        let err = err.into();
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(err.status());
        }
        err
    }

    /// Returns the application state that the server provides to every
    /// render and server function.
    pub fn app_context() -> Result<backend::AppContext, AppError> {
        use_context::<backend::AppContext>()
            .ok_or_else(|| reject(AppError::internal("backend::AppContext was not provided to the server function")))
    }
}

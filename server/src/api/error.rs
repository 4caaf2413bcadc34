//! The REST error envelope: `{"error": {"code", "message"}}`. Library and
//! service errors are mapped to HTTP here, in one place; internal causes go
//! to the log, never into the body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use backend::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_parameter`.
    pub code: String,
    /// A description of the failure and how to fix it.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The server failed to handle the request; the server log has the details.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(message) => Self::not_found(message),
            ServiceError::BadRequest(message) => Self::bad_request(message),
            ServiceError::Conflict(message) => Self::new(StatusCode::CONFLICT, "conflict", message),
            ServiceError::Database(e) => {
                tracing::error!(error = %e, "database error");
                if matches!(e, sea_orm::DbErr::ConnectionAcquire(_)) {
                    Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "The database is busy or unreachable; try again shortly.",
                    )
                } else {
                    Self::internal()
                }
            }
            ServiceError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                Self::internal()
            }
        }
    }
}

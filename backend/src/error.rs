//! The service layer's error, mapped to HTTP in one place by the server.

use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A named thing does not exist; the message is safe to show.
    #[error("{0}")]
    NotFound(String),
    /// The input is wrong; the message names the value and the fix.
    #[error("{0}")]
    BadRequest(String),
    /// The request conflicts with the current state (for example a sync is
    /// already running).
    #[error("{0}")]
    Conflict(String),
    /// The database failed; the cause goes to the log, never to the client.
    #[error("database error")]
    Database(#[from] DbErr),
    /// Anything else internal; the cause goes to the log.
    #[error("internal error")]
    Internal(String),
}

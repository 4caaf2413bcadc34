//! Shared state handed to server functions and REST handlers.

use sea_orm::DatabaseConnection;

use crate::auth::login_limiter::LoginLimiter;
use crate::sync::SyncHandle;

#[derive(Clone)]
pub struct AppContext {
    pub db: DatabaseConnection,
    pub sync: SyncHandle,
    /// True when the data comes from the built-in Graph simulator.
    pub demo: bool,
    /// Failed sign-ins per account and per address, kept in this process.
    pub login_limiter: LoginLimiter,
}

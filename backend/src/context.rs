//! Shared state handed to server functions and REST handlers.

use sea_orm::DatabaseConnection;

use crate::sync::SyncHandle;

#[derive(Clone)]
pub struct AppContext {
    pub db: DatabaseConnection,
    pub sync: SyncHandle,
    /// True when the data comes from the built-in Graph simulator.
    pub demo: bool,
}

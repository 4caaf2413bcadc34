//! Shared state handed to server functions and REST handlers.

use sea_orm::DatabaseConnection;

use crate::alerts::Notifier;
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
    /// Sends alert notices; `None` where no secret key was loaded (some
    /// tests), and then alert channels cannot be configured.
    pub alerts: Option<Notifier>,
    /// The demo's Graph simulator (`http://127.0.0.1:PORT`), which can
    /// simulate a regression; `None` outside demo mode.
    pub demo_sim_url: Option<String>,
}

//! Everything with I/O below the HTTP edge: the store, the Graph client and
//! simulator, and sync.

pub mod alerts;
pub mod analytics;
pub mod auth;
pub mod charts;
pub mod compliance;
pub mod context;
pub mod db;
pub mod entity;
pub mod error;
pub mod graph;
pub mod pdf;
pub mod recommendations;
pub mod reports;
pub mod service;
pub mod sim;
pub mod store;
pub mod sync;
#[doc(hidden)]
pub mod testing;

pub use context::AppContext;
pub use error::ServiceError;

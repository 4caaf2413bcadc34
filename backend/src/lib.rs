//! Everything with I/O below the HTTP edge: the store, the Graph client and
//! simulator, and sync.

pub mod context;
pub mod error;
pub mod graph;
pub mod service;
pub mod sync;

pub use context::AppContext;
pub use error::ServiceError;

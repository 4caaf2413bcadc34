//! Writes to the database: tenant registration, snapshot ingestion and
//! sync-run records. Each write that touches several rows runs in one
//! transaction, so a failure leaves what was stored before untouched.

pub mod actions;
pub mod ingest;
pub mod sync_runs;
pub mod tenants;

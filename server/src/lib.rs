//! The `trust-center` server: configuration, CLI commands, the HTTP router
//! (Leptos pages, server functions and the REST API) and the scheduler.

pub mod api;
pub mod cli;
pub mod commands;
pub mod config;
pub mod router;
pub mod scheduler;
pub mod state;

//! The `trust-center` server: configuration, CLI commands, the HTTP router
//! (Leptos pages, server functions and the REST API) and the scheduler.

pub mod admin_commands;
pub mod api;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod router;
pub mod scheduler;
pub mod security;
pub mod state;

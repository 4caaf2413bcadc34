//! Microsoft Graph: wire types, the HTTP client and its errors.

pub mod client;
pub mod error;
pub mod secret;
pub mod wire;

pub use client::{ControlProfileUpdate, GraphClient, GraphConfig, ProfileFetch, ScoreFetch, VendorInformation};
pub use error::GraphError;
pub use secret::Secret;

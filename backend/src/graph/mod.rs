//! Microsoft Graph: wire types, the HTTP client and its errors.

pub mod wire;

//! Secure Score types and math shared by the UI, the REST API and the
//! services. Nothing here performs I/O, so the crate compiles to wasm and
//! every rule can be unit-tested with hand-computed numbers.

pub mod access;
pub mod alerts;
pub mod benchmarks;
pub mod category;
pub mod categories;
pub mod compliance;
pub mod csv;
pub mod recommendations;
pub mod dto;
pub mod score;
pub mod sort;
pub mod tenant_id;
pub mod text;
pub mod trends;

pub use access::{AuditEvent, AuditPage, LinkInfo, Permission, Principal, Role, TokenInfo, TokenScope, UserInfo};
pub use category::Category;
pub use dto::*;
pub use score::{DailyScore, ScoreChange};
pub use tenant_id::{TenantId, TenantIdError};

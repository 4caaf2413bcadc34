//! Access control below the HTTP edge: staff accounts and their passwords,
//! browser sessions, API tokens, read-only client links, the audit log, and
//! Graph credentials sealed with a local key.
//!
//! Raw session tokens, API tokens and link tokens are returned once, when
//! created, and stored nowhere: the database keeps their SHA-256 hashes.
//! Because the tokens carry 256 random bits, an unsalted fast hash is
//! enough to make a leaked table useless for signing in.

pub mod api_tokens;
pub mod audit;
pub mod client_links;
pub mod crypto;
pub mod graph_credentials;
pub mod login_limiter;
pub mod passwords;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use crypto::SecretKey;

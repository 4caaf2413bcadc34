//! HTTP hardening that is independent of who the user is: response security
//! headers with a per-page CSP nonce, cross-site request rejection for
//! state-changing browser requests. Login rate limiting lives in
//! `backend::auth::login_limiter`, because the login server function uses it.

pub mod csrf;
pub mod headers;

pub use csrf::reject_cross_site;
pub use headers::{set_security_headers, with_page_csp};

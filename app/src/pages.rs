//! One module per route.

mod not_found;
mod portfolio;
mod tenant;
mod tenants;

pub use not_found::NotFoundPage;
pub use portfolio::PortfolioPage;
pub use tenant::TenantPage;
pub use tenants::TenantsPage;

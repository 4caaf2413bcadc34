//! One module per route.

mod admin;
mod alerts;
mod benchmarks;
mod categories;
mod client_report;
mod compliance;
mod login;
mod not_found;
mod portfolio;
mod recommendations;
mod tenant;
mod tenants;
mod trends;

pub use admin::{AuditPage, ComplianceMappingPage, TokensPage, UsersPage};
pub use alerts::AlertsPage;
pub use benchmarks::BenchmarksPage;
pub use categories::CategoriesPage;
pub use client_report::ClientReportPage;
pub use compliance::CompliancePage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use portfolio::PortfolioPage;
pub use recommendations::RecommendationsPage;
pub use tenant::TenantPage;
pub use tenants::TenantsPage;
pub use trends::TrendsPage;

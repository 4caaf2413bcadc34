//! Database migrations. They name tables and columns directly and never
//! import entity types, so a migration keeps meaning what it meant when it
//! was written.

pub use sea_orm_migration::prelude::*;

mod m20261204_000001_core_tables;
mod m20261204_000002_access_control;
mod m20261204_000003_analytics;
mod m20261204_000004_recommendations;
mod m20261205_000005_alerts;
mod m20261205_000006_compliance_overrides;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261204_000001_core_tables::Migration),
            Box::new(m20261204_000002_access_control::Migration),
            Box::new(m20261204_000003_analytics::Migration),
            Box::new(m20261204_000004_recommendations::Migration),
            Box::new(m20261205_000005_alerts::Migration),
            Box::new(m20261205_000006_compliance_overrides::Migration),
        ]
    }
}

//! Alerts: rules evaluated after each tenant's sync, one stored alert per
//! episode, and notices through e-mail, Teams, Slack and signed webhooks.
//!
//! The rules themselves are pure and live in [`domain::alerts`]; this module
//! reads their inputs from the store, keeps the episodes, and delivers.

pub mod channels;
pub mod config;
pub mod deliver;
pub mod evaluate;
pub mod query;
pub mod sink;

use chrono::{DateTime, Utc};
use domain::alerts::{AlertKind, ChannelTest, Severity};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use channels::{SmtpSettings, SmtpTls};
pub use config::{configure, rules};
pub use deliver::Notifier;
pub use evaluate::{evaluate_after_sync, evaluate_tenant, Evaluation};
pub use query::{act, get, list, AlertAction, AlertQuery, AlertStatusFilter};

use crate::entity::alert_channel;
use crate::error::ServiceError;

/// Sends a test notice through the channel named `name` now and returns
/// the channel's reply. The queue and the alerts stay untouched.
pub async fn test_channel(db: &DatabaseConnection, notifier: &Notifier, name: &str, now: DateTime<Utc>) -> Result<ChannelTest, ServiceError> {
    let channel = alert_channel::Entity::find()
        .filter(alert_channel::Column::Name.eq(name.trim()))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("no channel is named '{}'; list channels with GET alerts/rules", name.trim())))?;
    let notice = channels::Notice {
        alert_id: 0,
        kind: AlertKind::ScoreDrop,
        severity: Severity::Info,
        tenant_id: "00000000-0000-0000-0000-000000000000".into(),
        tenant_name: "Example tenant".into(),
        message: format!("This is a test notice for the channel '{}'. Nothing happened to any tenant.", channel.name),
        cause: None,
        opened_at: now,
        link: None,
        test: true,
    };
    Ok(match notifier.send_test(&channel, &notice).await {
        Ok(detail) => ChannelTest { ok: true, detail },
        Err(detail) => ChannelTest { ok: false, detail },
    })
}

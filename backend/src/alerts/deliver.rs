//! Sends queued notices. Deliveries live in the database, so a notice
//! survives a restart, and each attempt is recorded. A failed attempt is
//! retried with growing waits ([`domain::alerts::retry_wait`]) until the
//! attempts are used up. Channels are sent to in parallel with a timeout
//! each, so one failing channel delays neither the others nor a sync.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use domain::alerts::{self, AlertKind, ChannelKind, DropCause, Severity};
use futures::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use tokio::sync::Notify;

use super::channels::{self, ChannelTarget, Notice, SmtpSettings};
use crate::auth::crypto::SecretKey;
use crate::entity::{alert, alert_channel, alert_delivery, alert_delivery_attempt, tenant};
use crate::error::ServiceError;

/// Deliveries claimed per round.
const BATCH: u64 = 50;
/// Channels sent to at the same time.
const PARALLEL_SENDS: usize = 8;
/// Seconds a claim reserves a delivery for, longer than one attempt can take.
const CLAIM_SECONDS: i64 = 120;
/// How often the sender looks for due retries without being woken.
const POLL: std::time::Duration = std::time::Duration::from_secs(15);

/// Sends notices; cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<NotifierInner>,
}

struct NotifierInner {
    db: DatabaseConnection,
    key: SecretKey,
    smtp: Option<SmtpSettings>,
    http: reqwest::Client,
    /// The dashboard's public address, for links in notices.
    public_url: Option<String>,
    wake: Arc<Notify>,
}

/// Counts of one sending round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
}

impl Notifier {
    pub fn new(db: DatabaseConnection, key: SecretKey, smtp: Option<SmtpSettings>, public_url: Option<String>) -> Result<Self, ServiceError> {
        let http = reqwest::Client::builder()
            // Never follow a redirect: it could carry the body elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent("trust-center-alerts")
            .build()
            .map_err(|e| ServiceError::Internal(format!("building the notification HTTP client: {e}")))?;
        let public_url = public_url.map(|u| u.trim_end_matches('/').to_owned());
        Ok(Self { inner: Arc::new(NotifierInner { db, key, smtp, http, public_url, wake: Arc::new(Notify::new()) }) })
    }

    /// Returns whether e-mail channels can send.
    pub fn email_configured(&self) -> bool {
        self.inner.smtp.is_some()
    }

    pub fn key(&self) -> &SecretKey {
        &self.inner.key
    }

    /// Returns the handle a sync uses to wake the sender after queuing notices.
    pub fn waker(&self) -> Arc<Notify> {
        self.inner.wake.clone()
    }

    /// Sends due notices in the background until the process ends.
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let notifier = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = notifier.deliver_due(Utc::now()).await {
                    tracing::error!(error = %e, "sending alert notices failed; retrying in {} seconds", POLL.as_secs());
                }
                tokio::select! {
                    _ = notifier.inner.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        })
    }

    /// Sends every notice that is due at `now`, in rounds of [`BATCH`].
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<Round, ServiceError> {
        let mut total = Round::default();
        loop {
            let round = self.round(now).await?;
            total.sent += round.sent;
            total.retrying += round.retrying;
            total.failed += round.failed;
            if round.sent + round.retrying + round.failed < BATCH as u32 {
                return Ok(total);
            }
        }
    }

    async fn round(&self, now: DateTime<Utc>) -> Result<Round, ServiceError> {
        let db = &self.inner.db;
        let due = alert_delivery::Entity::find()
            .filter(alert_delivery::Column::Status.eq("pending"))
            .filter(alert_delivery::Column::NextAttemptAt.lte(now))
            .filter(
                Condition::any()
                    .add(alert_delivery::Column::LockedUntil.is_null())
                    .add(alert_delivery::Column::LockedUntil.lt(now)),
            )
            .order_by_asc(alert_delivery::Column::NextAttemptAt)
            .limit(BATCH)
            .all(db)
            .await?;
        let mut claimed = Vec::with_capacity(due.len());
        for delivery in due {
            if self.claim(&delivery, now).await? {
                claimed.push(delivery);
            }
        }
        if claimed.is_empty() {
            return Ok(Round::default());
        }
        let notices = self.notices(&claimed).await?;
        let channels: HashMap<i32, alert_channel::Model> =
            alert_channel::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
        let outcomes: Vec<(alert_delivery::Model, channels::SendResult, i64)> = futures::stream::iter(claimed)
            .map(|delivery| {
                let notice = notices.get(&delivery.alert_id).cloned();
                let channel = channels.get(&delivery.channel_id).cloned();
                async move {
                    let started = Instant::now();
                    let result = match (notice, channel) {
                        (Some(notice), Some(channel)) => self.send_one(&channel, &notice, delivery.id).await,
                        (None, _) => Err("the alert no longer exists".to_owned()),
                        (_, None) => Err("the channel no longer exists".to_owned()),
                    };
                    (delivery, result, started.elapsed().as_millis() as i64)
                }
            })
            .buffer_unordered(PARALLEL_SENDS)
            .collect()
            .await;
        let mut round = Round::default();
        for (delivery, result, duration_ms) in outcomes {
            let finished = now + Duration::milliseconds(duration_ms);
            match self.record(&delivery, &result, duration_ms, finished).await? {
                Recorded::Sent => round.sent += 1,
                Recorded::Retrying => round.retrying += 1,
                Recorded::Failed => round.failed += 1,
            }
        }
        Ok(round)
    }

    /// Claims a delivery for this sender unless another sender has claimed it.
    async fn claim(&self, delivery: &alert_delivery::Model, now: DateTime<Utc>) -> Result<bool, ServiceError> {
        let _turn = crate::store::ingest::sqlite_turn(&self.inner.db).await;
        let result = alert_delivery::Entity::update_many()
            .col_expr(alert_delivery::Column::LockedUntil, Expr::value(now + Duration::seconds(CLAIM_SECONDS)))
            .filter(alert_delivery::Column::Id.eq(delivery.id))
            .filter(alert_delivery::Column::Status.eq("pending"))
            .filter(alert_delivery::Column::Attempts.eq(delivery.attempts))
            .filter(
                Condition::any()
                    .add(alert_delivery::Column::LockedUntil.is_null())
                    .add(alert_delivery::Column::LockedUntil.lt(now)),
            )
            .exec(&self.inner.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    async fn notices(&self, deliveries: &[alert_delivery::Model]) -> Result<HashMap<i64, Notice>, ServiceError> {
        let ids: Vec<i64> = deliveries.iter().map(|d| d.alert_id).collect();
        let rows = alert::Entity::find().filter(alert::Column::Id.is_in(ids)).all(&self.inner.db).await?;
        let tenant_pks: Vec<i32> = rows.iter().map(|a| a.tenant_pk).collect();
        let tenants: HashMap<i32, tenant::Model> =
            tenant::Entity::find().filter(tenant::Column::Id.is_in(tenant_pks)).all(&self.inner.db).await?.into_iter().map(|t| (t.id, t)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let tenant = tenants.get(&row.tenant_pk)?;
                let notice = Notice {
                    alert_id: row.id,
                    kind: AlertKind::parse(&row.kind)?,
                    severity: Severity::parse(&row.severity).unwrap_or(Severity::Warning),
                    tenant_id: tenant.tenant_id.clone(),
                    tenant_name: tenant.display_name.clone(),
                    message: row.message.clone(),
                    cause: row.details.get("drop").and_then(|d| serde_json::from_value::<DropCause>(d.clone()).ok()),
                    opened_at: row.opened_at,
                    link: self.inner.public_url.as_ref().map(|base| format!("{base}/alerts?alert={}", row.id)),
                    test: false,
                };
                Some((row.id, notice))
            })
            .collect())
    }

    /// Sends `notice` through `channel` now, outside the queue (the
    /// channel editor's test button).
    pub async fn send_test(&self, channel: &alert_channel::Model, notice: &Notice) -> channels::SendResult {
        self.send_one(channel, notice, 0).await
    }

    async fn send_one(&self, channel: &alert_channel::Model, notice: &Notice, delivery_id: i64) -> channels::SendResult {
        let kind = ChannelKind::parse(&channel.kind).ok_or_else(|| format!("unknown channel type '{}'", channel.kind))?;
        let target = ChannelTarget::unseal(&channel.sealed_config, &self.inner.key)
            .map_err(|_| "the channel's stored target could not be unsealed with this server's key".to_owned())?;
        channels::send(kind, &target, notice, &self.inner.http, self.inner.smtp.as_ref(), delivery_id).await
    }

    async fn record(
        &self,
        delivery: &alert_delivery::Model,
        result: &channels::SendResult,
        duration_ms: i64,
        now: DateTime<Utc>,
    ) -> Result<Recorded, ServiceError> {
        let attempt = delivery.attempts + 1;
        let (succeeded, detail) = match result {
            Ok(detail) => (true, detail.clone()),
            Err(error) => (false, error.chars().take(500).collect::<String>()),
        };
        let _turn = crate::store::ingest::sqlite_turn(&self.inner.db).await;
        alert_delivery_attempt::ActiveModel {
            delivery_id: Set(delivery.id),
            attempt: Set(attempt),
            at: Set(now),
            succeeded: Set(succeeded),
            detail: Set(detail.clone()),
            duration_ms: Set(duration_ms),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        let mut change = alert_delivery::ActiveModel { id: Set(delivery.id), attempts: Set(attempt), locked_until: Set(None), ..Default::default() };
        let recorded = if succeeded {
            change.status = Set("sent".to_owned());
            change.sent_at = Set(Some(now));
            change.next_attempt_at = Set(None);
            change.last_error = Set(None);
            Recorded::Sent
        } else {
            change.last_error = Set(Some(detail.clone()));
            match alerts::retry_wait(u32::try_from(attempt).unwrap_or(u32::MAX)) {
                Some(wait) => {
                    change.next_attempt_at = Set(Some(now + wait));
                    Recorded::Retrying
                }
                None => {
                    change.status = Set("failed".to_owned());
                    change.next_attempt_at = Set(None);
                    Recorded::Failed
                }
            }
        };
        change.update(&self.inner.db).await?;
        match recorded {
            Recorded::Sent => tracing::info!(delivery.id = delivery.id, alert.id = delivery.alert_id, attempt, "alert notice sent: {detail}"),
            Recorded::Retrying => tracing::warn!(delivery.id = delivery.id, alert.id = delivery.alert_id, attempt, "alert notice failed, will retry: {detail}"),
            Recorded::Failed => tracing::error!(delivery.id = delivery.id, alert.id = delivery.alert_id, attempt, "alert notice failed for good: {detail}"),
        }
        Ok(recorded)
    }
}

enum Recorded {
    Sent,
    Retrying,
    Failed,
}

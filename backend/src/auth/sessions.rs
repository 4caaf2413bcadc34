//! Browser sessions of staff accounts. The session token goes to the
//! browser once; the database keeps its SHA-256 hash.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use domain::UserInfo;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::auth::{tokens, users};
use crate::entity::session;
use crate::error::ServiceError;

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(2);
/// A session ends this long after sign-in, however active it is.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, to limit writes.
pub const LAST_SEEN_RESOLUTION: Duration = Duration::minutes(1);

/// A session just created: the token for the cookie and its absolute expiry.
/// `Debug` hides the token.
pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A valid session and its account.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    pub session_id: i64,
    pub user: UserInfo,
}

/// Starts a session for account `user_id`. The token is 256 random bits as
/// 64 hex characters.
pub async fn create(
    db: &DatabaseConnection,
    user_id: i32,
    source_ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<NewSession, ServiceError> {
    let token = tokens::random_token_hex()?;
    let expires_at = now + ABSOLUTE_TIMEOUT;
    session::ActiveModel {
        token_hash: Set(tokens::hash_token(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        source_ip: Set(source_ip.map(|ip| ip.chars().take(64).collect())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewSession { token, expires_at })
}

/// Looks up a session token. Returns `None` when the token is unknown, the
/// session has been idle for [`IDLE_TIMEOUT`] or reached its absolute
/// expiry, or the account is disabled or gone. An expired session is
/// deleted. `last_seen_at` is refreshed when it is a minute old or older.
pub async fn resolve(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> Result<Option<SessionInfo>, ServiceError> {
    if !tokens::is_lower_hex(token, 64) {
        return Ok(None);
    }
    let Some(found) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(tokens::hash_token(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };

    if now >= found.expires_at || now - found.last_seen_at >= IDLE_TIMEOUT {
        session::Entity::delete_by_id(found.id).exec(db).await?;
        return Ok(None);
    }
    let Some(user) = users::find(db, found.user_id).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }

    let session_id = found.id;
    if now - found.last_seen_at >= LAST_SEEN_RESOLUTION {
        let mut active: session::ActiveModel = found.into();
        active.last_seen_at = Set(now);
        active.update(db).await?;
    }
    Ok(Some(SessionInfo { session_id, user }))
}

/// Ends the session of `token` (signing out). An unknown token is ignored.
pub async fn revoke(db: &DatabaseConnection, token: &str) -> Result<(), ServiceError> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(tokens::hash_token(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of account `user_id` and returns how many there were.
pub async fn revoke_for_user(db: &DatabaseConnection, user_id: i32) -> Result<u64, ServiceError> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes sessions past their absolute expiry or idle timeout and returns
/// how many were deleted.
pub async fn purge_expired(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, ServiceError> {
    let result = session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - IDLE_TIMEOUT)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

//! API tokens for scripts. The raw token (`tc_` and 64 hex characters) is
//! shown once at creation; the database keeps its SHA-256 hash and its
//! first 10 characters.

use chrono::{DateTime, Duration, Utc};
use domain::{TokenInfo, TokenScope};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::auth::tokens;
use crate::entity::api_token;
use crate::error::ServiceError;

/// The start of every API token, so scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "tc_";
/// Characters of the token kept in clear for display.
pub const DISPLAY_PREFIX_LENGTH: usize = 10;
/// The maximum token name length, in characters.
pub const MAX_NAME_LENGTH: usize = 100;
/// `last_used_at` is written at most this often, to limit writes.
pub const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

fn info(model: api_token::Model) -> Result<TokenInfo, ServiceError> {
    let scope = TokenScope::parse(&model.scope).ok_or_else(|| {
        ServiceError::Internal(format!("API token {} has the unknown scope '{}' in the database", model.id, model.scope))
    })?;
    Ok(TokenInfo {
        id: model.id,
        name: model.name,
        scope,
        prefix: model.prefix,
        created_by: model.created_by,
        created_at: model.created_at,
        last_used_at: model.last_used_at,
        revoked_at: model.revoked_at,
    })
}

fn clean_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ServiceError::BadRequest(
            "the token name is empty: name what the token is for, for example ci-export".into(),
        ));
    }
    if name.chars().count() > MAX_NAME_LENGTH {
        return Err(ServiceError::BadRequest(format!(
            "the token name is longer than {MAX_NAME_LENGTH} characters: shorten it"
        )));
    }
    Ok(name.to_owned())
}

/// Creates a token and returns the raw value, to be shown once, with its
/// description. `created_by` is the audit actor of the creator.
pub async fn create(
    db: &DatabaseConnection,
    name: &str,
    scope: TokenScope,
    created_by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, TokenInfo), ServiceError> {
    let name = clean_name(name)?;
    let raw = format!("{TOKEN_PREFIX}{}", tokens::random_token_hex()?);
    let model = api_token::ActiveModel {
        token_hash: Set(tokens::hash_token(&raw)),
        prefix: Set(raw[..DISPLAY_PREFIX_LENGTH].to_owned()),
        name: Set(name),
        scope: Set(scope.as_str().to_owned()),
        created_by: Set(created_by.map(str::to_owned)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((raw, info(model)?))
}

/// Looks up a raw token. Returns `None` when it is malformed, unknown or
/// revoked. `last_used_at` is refreshed when it is unset or a minute old.
pub async fn resolve(db: &DatabaseConnection, raw: &str, now: DateTime<Utc>) -> Result<Option<TokenInfo>, ServiceError> {
    let well_formed = raw
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(|hex| tokens::is_lower_hex(hex, 64));
    if !well_formed {
        return Ok(None);
    }
    let Some(found) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(tokens::hash_token(raw)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if found.revoked_at.is_some() {
        return Ok(None);
    }

    let stale = found.last_used_at.is_none_or(|at| now - at >= LAST_USED_RESOLUTION);
    if !stale {
        return Ok(Some(info(found)?));
    }
    let mut active: api_token::ActiveModel = found.into();
    active.last_used_at = Set(Some(now));
    Ok(Some(info(active.update(db).await?)?))
}

/// Revokes token `id`. Returns false when there is no such token or it was
/// already revoked.
pub async fn revoke(db: &DatabaseConnection, id: i64, now: DateTime<Utc>) -> Result<bool, ServiceError> {
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Lists every token, revoked ones included, newest first.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<TokenInfo>, ServiceError> {
    api_token::Entity::find()
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(info)
        .collect()
}

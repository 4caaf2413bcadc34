//! Staff accounts: creation, sign-in, listing and the first admin.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use domain::{Role, UserInfo};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, SqlErr,
};

use crate::auth::{passwords, tokens};
use crate::entity::user;
use crate::error::ServiceError;

/// The maximum e-mail address length (the SMTP path limit of RFC 5321).
pub const MAX_EMAIL_LENGTH: usize = 254;

/// Length of the password that [`ensure_first_admin`] generates.
pub const FIRST_ADMIN_PASSWORD_LENGTH: usize = 20;

/// Trims and lower-cases `raw` and checks its shape: one `@` with text on
/// both sides, no whitespace, at most 254 characters.
pub fn normalize_email(raw: &str) -> Result<String, ServiceError> {
    let email = raw.trim().to_lowercase();
    let invalid = |problem: &str| {
        let excerpt: String = email.chars().take(80).collect();
        ServiceError::BadRequest(format!("e-mail address '{excerpt}' is invalid: {problem}"))
    };
    if email.chars().count() > MAX_EMAIL_LENGTH {
        return Err(invalid("use at most 254 characters"));
    }
    if email.chars().any(char::is_whitespace) {
        return Err(invalid("remove the spaces"));
    }
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@') => Ok(email),
        _ => Err(invalid("use one address of the form name@example.com")),
    }
}

fn info(model: user::Model) -> Result<UserInfo, ServiceError> {
    let role = Role::parse(&model.role).ok_or_else(|| {
        ServiceError::Internal(format!("user {} has the unknown role '{}' in the database", model.id, model.role))
    })?;
    Ok(UserInfo {
        id: model.id,
        email: model.email,
        role,
        disabled: model.disabled,
        created_at: model.created_at,
        last_login_at: model.last_login_at,
    })
}

fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Creates an account. The e-mail address is trimmed and lower-cased; an
/// address already in use gives `Conflict`.
pub async fn create(
    db: &DatabaseConnection,
    email: &str,
    role: Role,
    password: &str,
    now: DateTime<Utc>,
) -> Result<UserInfo, ServiceError> {
    let email = normalize_email(email)?;
    passwords::validate(password)?;
    let conflict = || ServiceError::Conflict(format!("an account for '{email}' already exists: choose another e-mail address"));
    if find_by_email(db, &email).await?.is_some() {
        return Err(conflict());
    }

    let password_hash = passwords::hash_blocking(password).await?;
    let inserted = user::ActiveModel {
        email: Set(email.clone()),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => info(model),
        // Another request inserted the same address after the check above.
        Err(error) if is_unique_violation(&error) => Err(conflict()),
        Err(error) => Err(error.into()),
    }
}

async fn find_by_email(db: &DatabaseConnection, email: &str) -> Result<Option<user::Model>, ServiceError> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?)
}

/// Returns an Argon2id hash of a random password, computed once. Sign-in
/// verifies against it when the e-mail address is unknown, so the response
/// time does not reveal which accounts exist.
fn dummy_hash() -> Result<&'static str, ServiceError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = passwords::hash(&tokens::random_password(32)?)?;
    Ok(DUMMY.get_or_init(|| hash))
}

/// Checks an e-mail address and password. Returns `None` for an unknown
/// address, a wrong password or a disabled account, and sets
/// `last_login_at` on success.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserInfo>, ServiceError> {
    let account = match normalize_email(email) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let Some(account) = account else {
        let dummy = tokio::task::spawn_blocking(dummy_hash)
            .await
            .map_err(|e| ServiceError::Internal(format!("the password hashing task failed: {e}")))??;
        passwords::verify_blocking(password, dummy).await?;
        return Ok(None);
    };

    let matches = passwords::verify_blocking(password, &account.password_hash).await?;
    if !matches || account.disabled {
        return Ok(None);
    }
    let mut active: user::ActiveModel = account.into();
    active.last_login_at = Set(Some(now));
    Ok(Some(info(active.update(db).await?)?))
}

/// Lists every account, ordered by e-mail address.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<UserInfo>, ServiceError> {
    user::Entity::find()
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?
        .into_iter()
        .map(info)
        .collect()
}

pub async fn find(db: &DatabaseConnection, id: i32) -> Result<Option<UserInfo>, ServiceError> {
    user::Entity::find_by_id(id).one(db).await?.map(info).transpose()
}

/// Counts admin accounts that are not disabled.
pub async fn count_admins(db: &DatabaseConnection) -> Result<u64, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Disabled.eq(false))
        .count(db)
        .await?)
}

/// With no enabled admin account yet, creates `email` as admin with a
/// random 20-character password and returns that password; otherwise
/// returns `None`. When `email` already belongs to an account, this gives
/// `Conflict` and changes nothing.
pub async fn ensure_first_admin(
    db: &DatabaseConnection,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, ServiceError> {
    if count_admins(db).await? > 0 {
        return Ok(None);
    }
    let password = tokens::random_password(FIRST_ADMIN_PASSWORD_LENGTH)?;
    create(db, email, Role::Admin, &password, now).await?;
    Ok(Some(password))
}

/// Changes the role of account `id`. Demoting the last enabled admin gives
/// `Conflict`; an unknown id gives `NotFound`.
pub async fn set_role(db: &DatabaseConnection, id: i32, role: Role, now: DateTime<Utc>) -> Result<UserInfo, ServiceError> {
    let account = load(db, id).await?;
    if account.role == Role::Admin.as_str() && role != Role::Admin && !account.disabled {
        ensure_another_admin(db).await?;
    }
    let mut active: user::ActiveModel = account.into();
    active.role = Set(role.as_str().to_owned());
    active.updated_at = Set(now);
    info(active.update(db).await?)
}

/// Disables or re-enables account `id`. Disabling also ends the account's
/// sessions. Disabling the last enabled admin gives `Conflict`; an unknown
/// id gives `NotFound`.
pub async fn set_disabled(
    db: &DatabaseConnection,
    id: i32,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<UserInfo, ServiceError> {
    let account = load(db, id).await?;
    if disabled && !account.disabled && account.role == Role::Admin.as_str() {
        ensure_another_admin(db).await?;
    }
    let mut active: user::ActiveModel = account.into();
    active.disabled = Set(disabled);
    active.updated_at = Set(now);
    let updated = info(active.update(db).await?)?;
    if disabled {
        crate::auth::sessions::revoke_for_user(db, id).await?;
    }
    Ok(updated)
}

/// Replaces the password of account `id` and ends its sessions.
pub async fn set_password(
    db: &DatabaseConnection,
    id: i32,
    password: &str,
    now: DateTime<Utc>,
) -> Result<UserInfo, ServiceError> {
    passwords::validate(password)?;
    let account = load(db, id).await?;
    let password_hash = passwords::hash_blocking(password).await?;
    let mut active: user::ActiveModel = account.into();
    active.password_hash = Set(password_hash);
    active.updated_at = Set(now);
    let updated = info(active.update(db).await?)?;
    crate::auth::sessions::revoke_for_user(db, id).await?;
    Ok(updated)
}

async fn load(db: &DatabaseConnection, id: i32) -> Result<user::Model, ServiceError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("user {id} does not exist (see `trust-center user list`)")))
}

async fn ensure_another_admin(db: &DatabaseConnection) -> Result<(), ServiceError> {
    if count_admins(db).await? <= 1 {
        return Err(ServiceError::Conflict(
            "this is the last enabled admin account: make another account admin first".into(),
        ));
    }
    Ok(())
}

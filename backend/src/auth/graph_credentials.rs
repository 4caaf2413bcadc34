//! Graph app credentials kept in the database, with the client secret
//! sealed by the local [`SecretKey`].

use chrono::{DateTime, Utc};
use domain::TenantId;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::auth::crypto::SecretKey;
use crate::entity::graph_credential;
use crate::error::ServiceError;
use crate::graph::Secret;
use crate::store::tenants;

/// The `scope` of the installation-wide credentials.
const DEFAULT_SCOPE: &str = "default";

fn tenant_scope(tenant_pk: i32) -> String {
    format!("tenant:{tenant_pk}")
}

/// Stores `client_id` and `secret` for `tenant`, or as the installation
/// default when `tenant` is `None`, replacing what was stored for that
/// scope. An unregistered tenant gives `NotFound`.
pub async fn store(
    db: &DatabaseConnection,
    key: &SecretKey,
    tenant: Option<&TenantId>,
    client_id: &str,
    secret: &Secret,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let client_id = client_id.trim();
    if client_id.is_empty() {
        return Err(ServiceError::BadRequest(
            "the client id is empty: give the application (client) id of the app registration".into(),
        ));
    }
    if secret.expose().trim().is_empty() {
        return Err(ServiceError::BadRequest(
            "the client secret is empty: give the secret value created for the app registration".into(),
        ));
    }
    let (scope, tenant_pk) = match tenant {
        Some(id) => {
            let registered = tenants::find(db, id).await?.ok_or_else(|| {
                ServiceError::NotFound(format!("tenant {id} is not registered: add it with `trust-center tenant add` first"))
            })?;
            (tenant_scope(registered.id), Some(registered.id))
        }
        None => (DEFAULT_SCOPE.to_owned(), None),
    };
    let sealed = key.encrypt(secret.expose().as_bytes())?;

    let existing = graph_credential::Entity::find()
        .filter(graph_credential::Column::Scope.eq(&scope))
        .one(db)
        .await?;
    match existing {
        Some(model) => {
            let mut active: graph_credential::ActiveModel = model.into();
            active.client_id = Set(client_id.to_owned());
            active.secret_sealed = Set(sealed);
            active.updated_at = Set(now);
            active.update(db).await?;
        }
        None => {
            graph_credential::ActiveModel {
                scope: Set(scope),
                tenant_pk: Set(tenant_pk),
                client_id: Set(client_id.to_owned()),
                secret_sealed: Set(sealed),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Loads and decrypts the client id and secret stored for `tenant`, or for
/// the installation when `tenant` is `None`. Returns `None` when nothing is stored for that
/// scope, including for an unregistered tenant; it does not fall back to
/// the default. A key that does not open the stored secret gives `Internal`.
pub async fn load(
    db: &DatabaseConnection,
    key: &SecretKey,
    tenant: Option<&TenantId>,
) -> Result<Option<(String, Secret)>, ServiceError> {
    let scope = match tenant {
        Some(id) => match tenants::find(db, id).await? {
            Some(registered) => tenant_scope(registered.id),
            None => return Ok(None),
        },
        None => DEFAULT_SCOPE.to_owned(),
    };
    let Some(model) = graph_credential::Entity::find()
        .filter(graph_credential::Column::Scope.eq(&scope))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let plaintext = key.decrypt(&model.secret_sealed)?;
    let secret = String::from_utf8(plaintext).map_err(|_| {
        ServiceError::Internal(format!("the stored Graph client secret for scope {scope} is not UTF-8: store it again"))
    })?;
    Ok(Some((model.client_id, Secret::new(secret))))
}

//! Access control: staff roles, API token scopes, who is asking
//! ([`Principal`]) and what each of them may do, plus the DTOs of the admin
//! pages. Pure rules; the backend stores accounts and resolves credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The role of a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads every page and the API.
    Viewer,
    /// A viewer who may also change recommendation status, export reports
    /// and create client links.
    Analyst,
    /// An analyst who may also manage accounts, tokens and credentials.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Analyst, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Analyst => "analyst",
            Self::Admin => "admin",
        }
    }

    /// Parses the wire value (`viewer`, `analyst`, `admin`), ignoring case
    /// and surrounding spaces.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|role| role.as_str().eq_ignore_ascii_case(raw))
    }

    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Viewer => "Viewer",
            Self::Analyst => "Analyst",
            Self::Admin => "Admin",
        }
    }
}

/// The permissions of an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Reads only.
    Read,
    /// Reads, changes recommendation status and exports.
    ReadWrite,
    /// Everything, including administration.
    Admin,
}

impl TokenScope {
    pub const ALL: [TokenScope; 3] = [TokenScope::Read, TokenScope::ReadWrite, TokenScope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
            Self::Admin => "admin",
        }
    }

    /// Parses the wire value (`read`, `read_write`, `admin`), ignoring case
    /// and surrounding spaces.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|scope| scope.as_str().eq_ignore_ascii_case(raw))
    }

    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::ReadWrite => "Read and write",
            Self::Admin => "Admin",
        }
    }
}

/// An action that needs a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read pages and API data of any tenant.
    Read,
    /// Change the status of an improvement action.
    ChangeStatus,
    /// Export reports.
    Export,
    /// Create a read-only link for one client.
    CreateClientLink,
    /// Manage accounts, API tokens, credentials and the audit log.
    Admin,
}

/// The sender of a request, after authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Staff { user_id: i32, email: String, role: Role },
    ApiToken { token_id: i64, name: String, scope: TokenScope },
    /// A client link opens only its own tenant's client page; that check
    /// happens where the page is served, so [`Principal::allows`] grants it
    /// nothing.
    ClientLink { link_id: i64, tenant_id: String },
}

impl Principal {
    /// Returns whether this principal has `permission`.
    pub fn allows(&self, permission: Permission) -> bool {
        match self {
            Self::Anonymous | Self::ClientLink { .. } => false,
            Self::Staff { role, .. } => match permission {
                Permission::Read => true,
                Permission::ChangeStatus | Permission::Export | Permission::CreateClientLink => {
                    matches!(role, Role::Analyst | Role::Admin)
                }
                Permission::Admin => *role == Role::Admin,
            },
            Self::ApiToken { scope, .. } => match permission {
                Permission::Read => true,
                Permission::ChangeStatus | Permission::Export => {
                    matches!(scope, TokenScope::ReadWrite | TokenScope::Admin)
                }
                Permission::CreateClientLink => false,
                Permission::Admin => *scope == TokenScope::Admin,
            },
        }
    }

    /// Returns the actor written to the audit log, for example
    /// `user:alice@example.com`, `token:7:ci-export`, `client-link:3` or
    /// `anonymous`.
    pub fn actor(&self) -> String {
        match self {
            Self::Anonymous => "anonymous".to_owned(),
            Self::Staff { email, .. } => format!("user:{email}"),
            Self::ApiToken { token_id, name, .. } => format!("token:{token_id}:{name}"),
            Self::ClientLink { link_id, .. } => format!("client-link:{link_id}"),
        }
    }

    pub fn is_authenticated(&self) -> bool {
        !matches!(self, Self::Anonymous)
    }
}

/// A staff account as the admin pages show it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub id: i32,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// An API token without its secret value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scope: TokenScope,
    /// The first 10 characters of the token, so people can recognise it.
    pub prefix: String,
    /// The audit actor who created the token.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A read-only client link without its secret value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LinkInfo {
    pub id: i64,
    pub tenant_id: String,
    /// The audit actor who created the link.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The acting principal as [`Principal::actor`] formats it, or `cli`.
    pub actor: String,
    /// The action, for example `user.create`.
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub source_ip: Option<String>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    pub page: u32,
    pub page_size: u32,
    pub total_items: u32,
    pub total_pages: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERMISSIONS: [Permission; 5] = [
        Permission::Read,
        Permission::ChangeStatus,
        Permission::Export,
        Permission::CreateClientLink,
        Permission::Admin,
    ];

    fn staff(role: Role) -> Principal {
        Principal::Staff { user_id: 1, email: "alice@example.com".into(), role }
    }

    fn token(scope: TokenScope) -> Principal {
        Principal::ApiToken { token_id: 7, name: "ci-export".into(), scope }
    }

    fn granted(principal: &Principal) -> Vec<Permission> {
        PERMISSIONS.into_iter().filter(|p| principal.allows(*p)).collect()
    }

    #[test]
    fn staff_permissions_follow_role() {
        assert_eq!(granted(&staff(Role::Viewer)), vec![Permission::Read]);
        assert_eq!(
            granted(&staff(Role::Analyst)),
            vec![Permission::Read, Permission::ChangeStatus, Permission::Export, Permission::CreateClientLink]
        );
        assert_eq!(granted(&staff(Role::Admin)), PERMISSIONS.to_vec());
    }

    #[test]
    fn token_permissions_follow_scope() {
        assert_eq!(granted(&token(TokenScope::Read)), vec![Permission::Read]);
        assert_eq!(
            granted(&token(TokenScope::ReadWrite)),
            vec![Permission::Read, Permission::ChangeStatus, Permission::Export]
        );
        assert_eq!(
            granted(&token(TokenScope::Admin)),
            vec![Permission::Read, Permission::ChangeStatus, Permission::Export, Permission::Admin]
        );
    }

    #[test]
    fn client_link_and_anonymous_get_nothing() {
        let link = Principal::ClientLink { link_id: 3, tenant_id: "4b8c18bd-2f9f-4227-af55-9f1061cf9c32".into() };
        assert_eq!(granted(&link), Vec::<Permission>::new());
        assert_eq!(granted(&Principal::Anonymous), Vec::<Permission>::new());
    }

    #[test]
    fn actor_names_the_principal() {
        assert_eq!(staff(Role::Viewer).actor(), "user:alice@example.com");
        assert_eq!(token(TokenScope::Read).actor(), "token:7:ci-export");
        let link = Principal::ClientLink { link_id: 3, tenant_id: "x".into() };
        assert_eq!(link.actor(), "client-link:3");
        assert_eq!(Principal::Anonymous.actor(), "anonymous");
    }

    #[test]
    fn only_anonymous_is_unauthenticated() {
        assert!(!Principal::Anonymous.is_authenticated());
        assert!(staff(Role::Viewer).is_authenticated());
        assert!(token(TokenScope::Read).is_authenticated());
        assert!(Principal::ClientLink { link_id: 3, tenant_id: "x".into() }.is_authenticated());
    }

    #[test]
    fn role_and_scope_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_value(role).unwrap(), serde_json::json!(role.as_str()));
        }
        for scope in TokenScope::ALL {
            assert_eq!(TokenScope::parse(scope.as_str()), Some(scope));
            assert_eq!(serde_json::to_value(scope).unwrap(), serde_json::json!(scope.as_str()));
        }
        assert_eq!(TokenScope::parse("read_write"), Some(TokenScope::ReadWrite));
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("owner"), None);
        assert_eq!(TokenScope::parse("write"), None);
        assert_eq!(Role::Analyst.label(), "Analyst");
    }

    #[test]
    fn dtos_use_camel_case() {
        let info = UserInfo {
            id: 1,
            email: "alice@example.com".into(),
            role: Role::Admin,
            disabled: false,
            created_at: "2026-12-04T12:00:00Z".parse().unwrap(),
            last_login_at: None,
        };
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["role"], "admin");
        assert_eq!(json["createdAt"], "2026-12-04T12:00:00Z");
        assert!(json.get("lastLoginAt").is_some());
    }
}

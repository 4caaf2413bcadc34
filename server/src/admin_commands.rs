//! The administration subcommands: `user`, `token` and `credentials`.
//! Every change they make is written to the audit log with the actor `cli`.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use backend::auth::audit::{self, NewAuditEvent};
use backend::auth::crypto::{self, SecretKey};
use backend::auth::{api_tokens, graph_credentials, passwords, users};
use backend::graph::Secret;
use chrono::{DateTime, Utc};
use domain::{Role, TenantId, TokenScope};
use sea_orm::DatabaseConnection;

use crate::cli::{CredentialsCommand, TokenCommand, UserCommand};
use crate::commands::{open_database, CommandError, CommandResult};
use crate::config::Config;

/// The audit actor of every change made from the command line.
const CLI_ACTOR: &str = "cli";

pub async fn user(command: UserCommand) -> CommandResult {
    match command {
        UserCommand::Add { email, role } => {
            let role = Role::parse(&role)
                .ok_or_else(|| CommandError(format!("--role '{role}' is invalid: use viewer, analyst or admin")))?;
            let password = read_secret("Password", "password").await?;
            passwords::validate(&password)?;
            let db = connect().await?;
            let now = Utc::now();
            let created = users::create(&db, &email, role, &password, now).await?;
            record(&db, "user.create", format!("user:{}", created.id), Some(format!("role={}", role.as_str())), now).await?;
            println!("Created {} account {} (id {}).", role.label(), created.email, created.id);
        }
        UserCommand::List => {
            let db = connect().await?;
            let accounts = users::list(&db).await?;
            if accounts.is_empty() {
                println!("No accounts yet: add one with `trust-center user add --email EMAIL --role admin`.");
                return Ok(());
            }
            println!("{:<6} {:<40} {:<8} {:<9} {:<20} LAST SIGN-IN", "ID", "E-MAIL", "ROLE", "STATUS", "CREATED");
            for account in accounts {
                println!(
                    "{:<6} {:<40} {:<8} {:<9} {:<20} {}",
                    account.id,
                    account.email,
                    account.role.as_str(),
                    if account.disabled { "disabled" } else { "active" },
                    format_time(account.created_at),
                    account.last_login_at.map(format_time).unwrap_or_else(|| "-".into())
                );
            }
        }
    }
    Ok(())
}

pub async fn token(command: TokenCommand) -> CommandResult {
    let db = connect().await?;
    let now = Utc::now();
    match command {
        TokenCommand::Create { name, scope } => {
            let scope = TokenScope::parse(&scope)
                .ok_or_else(|| CommandError(format!("--scope '{scope}' is invalid: use read, read_write or admin")))?;
            let (raw, created) = api_tokens::create(&db, &name, scope, Some(CLI_ACTOR), now).await?;
            let detail = format!("name={} scope={}", created.name, scope.as_str());
            record(&db, "token.create", format!("token:{}", created.id), Some(detail), now).await?;
            println!("Created API token {} '{}' with scope {}.", created.id, created.name, scope.as_str());
            println!("Copy it now; it is not shown again:");
            println!();
            println!("  {raw}");
            println!();
            println!("Send it as `Authorization: Bearer TOKEN`.");
        }
        TokenCommand::List => {
            let all = api_tokens::list(&db).await?;
            if all.is_empty() {
                println!("No API tokens yet: create one with `trust-center token create --name NAME --scope read`.");
                return Ok(());
            }
            println!(
                "{:<6} {:<30} {:<10} {:<12} {:<20} {:<20} STATUS",
                "ID", "NAME", "SCOPE", "PREFIX", "CREATED", "LAST USED"
            );
            for token in all {
                let status = match token.revoked_at {
                    Some(at) => format!("revoked {}", format_time(at)),
                    None => "active".into(),
                };
                println!(
                    "{:<6} {:<30} {:<10} {:<12} {:<20} {:<20} {}",
                    token.id,
                    token.name,
                    token.scope.as_str(),
                    token.prefix,
                    format_time(token.created_at),
                    token.last_used_at.map(format_time).unwrap_or_else(|| "-".into()),
                    status
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !api_tokens::revoke(&db, id, now).await? {
                return Err(CommandError(format!(
                    "API token {id} does not exist or is already revoked (see `trust-center token list`)"
                )));
            }
            record(&db, "token.revoke", format!("token:{id}"), None, now).await?;
            println!("Revoked API token {id}.");
        }
    }
    Ok(())
}

pub async fn credentials(command: CredentialsCommand) -> CommandResult {
    match command {
        CredentialsCommand::Set { client_id, tenant } => {
            let tenant = tenant.as_deref().map(TenantId::parse).transpose()?;
            let key_env = std::env::var(crypto::KEY_ENV).ok();
            let key = SecretKey::load(key_env.as_deref(), Path::new(crypto::DEFAULT_KEY_FILE))?;
            let secret = Secret::new(read_secret("Client secret", "client secret").await?);
            let db = connect().await?;
            let now = Utc::now();
            graph_credentials::store(&db, &key, tenant.as_ref(), &client_id, &secret, now).await?;
            let target = match &tenant {
                Some(id) => format!("tenant:{id}"),
                None => "default".to_owned(),
            };
            let detail = format!("client_id={}", client_id.trim());
            record(&db, "graph_credentials.set", target, Some(detail), now).await?;
            match tenant {
                Some(id) => println!("Stored encrypted Graph credentials for tenant {id}."),
                None => println!("Stored the encrypted default Graph credentials."),
            }
        }
    }
    Ok(())
}

async fn connect() -> Result<DatabaseConnection, CommandError> {
    let config = Config::from_env()?;
    open_database(&config, false).await
}

/// Writes an audit event for a change made from the command line.
pub(crate) async fn record(
    db: &DatabaseConnection,
    action: &str,
    target: String,
    detail: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), CommandError> {
    let event = NewAuditEvent { actor: CLI_ACTOR.to_owned(), action, target: Some(target), detail, source_ip: None };
    Ok(audit::record(db, event, now).await?)
}

fn format_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Reads a secret from standard input. On a terminal it prompts twice
/// without echo and requires both entries to match. Otherwise it takes the
/// first line without its line ending. `label` starts the prompt, and
/// `noun` names the value in errors.
async fn read_secret(label: &'static str, noun: &'static str) -> Result<String, CommandError> {
    tokio::task::spawn_blocking(move || read_secret_blocking(label, noun))
        .await
        .map_err(|e| CommandError(format!("reading the {noun} failed: {e}")))?
}

fn read_secret_blocking(label: &str, noun: &str) -> Result<String, CommandError> {
    let read_failed = |e: std::io::Error| CommandError(format!("reading the {noun} from standard input failed: {e}"));
    let value = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("{label}: ")).map_err(read_failed)?;
        let second = rpassword::prompt_password(format!("{label} again: ")).map_err(read_failed)?;
        if first != second {
            return Err(CommandError(format!("the two {noun} entries differ: run the command again")));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(read_failed)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if value.is_empty() {
        return Err(CommandError(format!(
            "the {noun} is empty: type it at the prompt, or pipe it on the first line of standard input"
        )));
    }
    Ok(value)
}

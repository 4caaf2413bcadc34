//! Notification channels: what each one sends and how.
//!
//! - E-mail: a plain-text message over SMTP (lettre).
//! - Microsoft Teams incoming webhook: a message with one Adaptive Card.
//! - Slack incoming webhook: Block Kit blocks with a plain-text fallback.
//! - Generic webhook: the alert as JSON, signed with HMAC-SHA256 over the
//!   exact body bytes; the hex digest is sent as
//!   `X-TrustCenter-Signature: sha256=<hex>`.
//!
//! Webhook URLs and signing secrets are credentials: they are sealed at
//! rest, never logged, and stripped from error messages.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::alerts::{AlertKind, ChannelKind, DropCause, Severity};
use hmac::{Hmac, Mac};
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::auth::crypto::SecretKey;
use crate::error::ServiceError;
use crate::graph::Secret;

/// The header that carries the signature of a generic webhook.
pub const SIGNATURE_HEADER: &str = "X-TrustCenter-Signature";
/// How long one delivery attempt may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);
/// Lost controls listed in a notice; the page shows them all.
const CONTROLS_IN_NOTICE: usize = 8;

/// Returns whether `value` is an e-mail address, with or without a display
/// name (`Alerts <alerts@msp.example>`).
pub fn is_email_address(value: &str) -> bool {
    value.trim().parse::<Mailbox>().is_ok()
}

/// The protection of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// STARTTLS on a plain connection (usually port 587), required.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Implicit,
    /// No TLS: only for a relay on the same host or a test sink.
    None,
}

impl SmtpTls {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "starttls" => Some(Self::StartTls),
            "tls" | "implicit" => Some(Self::Implicit),
            "none" | "off" => Some(Self::None),
            _ => None,
        }
    }
}

/// The SMTP server that e-mail channels send through.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
}

/// A channel's target, sealed at rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelTarget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl ChannelTarget {
    pub fn seal(&self, key: &SecretKey) -> Result<String, ServiceError> {
        let plain = serde_json::to_vec(self).map_err(|e| ServiceError::Internal(format!("encoding a channel target: {e}")))?;
        Ok(hex::encode(key.encrypt(&plain)?))
    }

    pub fn unseal(sealed: &str, key: &SecretKey) -> Result<Self, ServiceError> {
        let bytes = hex::decode(sealed).map_err(|_| ServiceError::Internal("a stored channel target is not hex".into()))?;
        let plain = key.decrypt(&bytes)?;
        serde_json::from_slice(&plain).map_err(|e| ServiceError::Internal(format!("decoding a channel target: {e}")))
    }
}

/// The content of a notice about one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub alert_id: i64,
    pub kind: AlertKind,
    pub severity: Severity,
    pub tenant_id: String,
    pub tenant_name: String,
    pub message: String,
    pub cause: Option<DropCause>,
    pub opened_at: DateTime<Utc>,
    /// The alert on the dashboard, when the public URL is configured.
    pub link: Option<String>,
    /// A test notice sent from the channel editor.
    pub test: bool,
}

impl Notice {
    pub fn title(&self) -> String {
        let test = if self.test { "Test: " } else { "" };
        format!("{test}{}: {} ({})", self.kind.label(), self.tenant_name, self.severity.label())
    }

    /// Returns the cause in plain lines: the change split, then the lost controls.
    pub fn cause_lines(&self) -> Vec<String> {
        let Some(cause) = &self.cause else {
            return Vec::new();
        };
        let mut lines = vec![format!(
            "{:.1} % on {} -> {:.1} % on {}: {:+.1} points in all, {:+.1} from lost points, {:+.1} from maximum-score drift.",
            cause.from_percentage, cause.from_date, cause.to_percentage, cause.to_date, cause.change, cause.points_effect, cause.max_drift
        )];
        if cause.drift_only {
            lines.push("Microsoft added controls or raised their maximum; the tenant lost no points.".to_owned());
        }
        for control in cause.lost_controls.iter().take(CONTROLS_IN_NOTICE) {
            lines.push(format!(
                "{}: {} -> {} points",
                control.control_name,
                domain::score::points_text(control.from_score),
                domain::score::points_text(control.to_score)
            ));
        }
        if cause.lost_controls.len() > CONTROLS_IN_NOTICE {
            lines.push(format!("and {} more controls", cause.lost_controls.len() - CONTROLS_IN_NOTICE));
        }
        lines
    }
}

/// Builds the e-mail of a notice: subject and plain-text body.
pub fn email_text(notice: &Notice) -> (String, String) {
    let subject = format!("[Secure Score] {}", notice.title());
    let mut body = format!(
        "{}\n\nTenant: {} ({})\nAlert: {}\nSeverity: {}\nOpened: {}\n",
        notice.message,
        notice.tenant_name,
        notice.tenant_id,
        notice.kind.label(),
        notice.severity.label(),
        notice.opened_at.format("%Y-%m-%d %H:%M UTC"),
    );
    let cause = notice.cause_lines();
    if !cause.is_empty() {
        body.push_str("\nCause:\n");
        for line in cause {
            body.push_str(&format!("- {line}\n"));
        }
    }
    if let Some(link) = &notice.link {
        body.push_str(&format!("\nOpen the alert: {link}\n"));
    }
    body.push_str("\nSent by the Security Score Dashboard. You get this because your address is on an alert channel.\n");
    (subject, body)
}

/// Builds the Teams message: one Adaptive Card, schema version 1.4.
pub fn teams_payload(notice: &Notice) -> Value {
    let colour = match notice.severity {
        Severity::Critical => "Attention",
        Severity::Warning => "Warning",
        Severity::Info => "Accent",
    };
    let mut body = vec![
        json!({"type": "TextBlock", "text": notice.title(), "weight": "Bolder", "size": "Medium", "color": colour, "wrap": true}),
        json!({"type": "TextBlock", "text": notice.message, "wrap": true}),
        json!({"type": "FactSet", "facts": [
            {"title": "Tenant", "value": format!("{} ({})", notice.tenant_name, notice.tenant_id)},
            {"title": "Alert", "value": notice.kind.label()},
            {"title": "Severity", "value": notice.severity.label()},
            {"title": "Opened", "value": notice.opened_at.format("%Y-%m-%d %H:%M UTC").to_string()},
        ]}),
    ];
    for line in notice.cause_lines() {
        body.push(json!({"type": "TextBlock", "text": format!("- {line}"), "wrap": true, "spacing": "None"}));
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    if let Some(link) = &notice.link {
        card["actions"] = json!([{"type": "Action.OpenUrl", "title": "Open the alert", "url": link}]);
    }
    json!({
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": card}],
    })
}

/// Escapes the three characters Slack's mrkdwn reserves.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Builds the Slack message: a header, the message and facts, the cause.
pub fn slack_payload(notice: &Notice) -> Value {
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": notice.title().chars().take(150).collect::<String>()}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(&notice.message)}}),
        json!({"type": "section", "fields": [
            {"type": "mrkdwn", "text": format!("*Tenant*\n{}", slack_escape(&notice.tenant_name))},
            {"type": "mrkdwn", "text": format!("*Severity*\n{}", notice.severity.label())},
        ]}),
    ];
    let cause = notice.cause_lines();
    if !cause.is_empty() {
        let text = cause.iter().map(|l| format!("- {}", slack_escape(l))).collect::<Vec<_>>().join("\n");
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
    }
    if let Some(link) = &notice.link {
        blocks.push(json!({"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open the alert"}, "url": link}]}));
    }
    json!({"text": format!("{}: {}", notice.title(), notice.message), "blocks": blocks})
}

/// Builds the generic webhook body.
pub fn webhook_payload(notice: &Notice, sent_at: DateTime<Utc>) -> Value {
    json!({
        "event": if notice.test { "alert.test" } else { "alert.opened" },
        "sentAt": sent_at,
        "alert": {
            "id": notice.alert_id,
            "type": notice.kind,
            "typeLabel": notice.kind.label(),
            "severity": notice.severity,
            "tenantId": notice.tenant_id,
            "tenantName": notice.tenant_name,
            "message": notice.message,
            "cause": notice.cause,
            "openedAt": notice.opened_at,
            "link": notice.link,
        },
    })
}

/// `sha256=<hex>` of HMAC-SHA256 over `body` with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The outcome of one send: a short detail for the attempt log.
pub type SendResult = Result<String, String>;

/// Sends `notice` through one channel.
pub async fn send(
    kind: ChannelKind,
    target: &ChannelTarget,
    notice: &Notice,
    http: &reqwest::Client,
    smtp: Option<&SmtpSettings>,
    delivery_id: i64,
) -> SendResult {
    match kind {
        ChannelKind::Email => send_email(target, notice, smtp).await,
        ChannelKind::Teams => post_json(http, target, &teams_payload(notice), None, delivery_id).await,
        ChannelKind::Slack => post_json(http, target, &slack_payload(notice), None, delivery_id).await,
        ChannelKind::Webhook => {
            let body = webhook_payload(notice, Utc::now());
            post_json(http, target, &body, target.secret.as_deref(), delivery_id).await
        }
    }
}

async fn post_json(http: &reqwest::Client, target: &ChannelTarget, body: &Value, secret: Option<&str>, delivery_id: i64) -> SendResult {
    let url = target.url.as_deref().ok_or("the channel has no URL")?;
    let bytes = serde_json::to_vec(body).map_err(|e| format!("encoding the notice: {e}"))?;
    let mut request = http
        .post(url)
        .timeout(SEND_TIMEOUT)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-TrustCenter-Delivery", delivery_id.to_string());
    if let Some(secret) = secret {
        request = request.header(SIGNATURE_HEADER, signature(secret, &bytes));
    }
    // `without_url`: the URL of an incoming webhook is its credential.
    let response = request.body(bytes).send().await.map_err(|e| describe_http_error(&e.without_url()))?;
    let status = response.status();
    if status.is_success() {
        Ok(format!("HTTP {}", status.as_u16()))
    } else {
        let text: String = response.text().await.unwrap_or_default().chars().take(200).collect();
        Err(format!("HTTP {}: {}", status.as_u16(), text.trim()))
    }
}

fn describe_http_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} seconds", SEND_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect to the webhook host".to_owned()
    } else {
        format!("request failed: {error}")
    }
}

async fn send_email(target: &ChannelTarget, notice: &Notice, smtp: Option<&SmtpSettings>) -> SendResult {
    let smtp = smtp.ok_or("SMTP is not configured: set SMTP_HOST and SMTP_FROM")?;
    let from: Mailbox = smtp.from.parse().map_err(|_| format!("SMTP_FROM '{}' is not an e-mail address", smtp.from))?;
    let (subject, body) = email_text(notice);
    let mut builder = Message::builder().from(from).subject(subject).header(ContentType::TEXT_PLAIN);
    for recipient in &target.recipients {
        let mailbox: Mailbox = recipient.parse().map_err(|_| format!("recipient '{recipient}' is not an e-mail address"))?;
        builder = builder.to(mailbox);
    }
    let message = builder.body(body).map_err(|e| format!("building the e-mail: {e}"))?;
    let transport = smtp_transport(smtp)?;
    match transport.send(message).await {
        Ok(response) => Ok(format!("SMTP {}", response.code())),
        Err(error) => Err(format!("SMTP: {error}")),
    }
}

fn smtp_transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let parameters = || TlsParameters::new(smtp.host.clone()).map_err(|e| format!("SMTP TLS: {e}"));
    let tls = match smtp.tls {
        SmtpTls::StartTls => Tls::Required(parameters()?),
        SmtpTls::Implicit => Tls::Wrapper(parameters()?),
        SmtpTls::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(SEND_TIMEOUT));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
    }
    Ok(builder.build())
}

/// Returns the target as the page shows it: recipients for e-mail, or the
/// scheme and host of a URL, because its path and query may carry a credential.
pub fn target_hint(kind: ChannelKind, target: &ChannelTarget) -> String {
    match kind {
        ChannelKind::Email => target.recipients.join(", "),
        _ => match target.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
            Some(url) => {
                let host = url.host_str().unwrap_or("");
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                format!("{}://{host}{port}/…", url.scheme())
            }
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::alerts::LostControl;

    fn notice() -> Notice {
        Notice {
            alert_id: 7,
            kind: AlertKind::ScoreDrop,
            severity: Severity::Critical,
            tenant_id: "aaaaaaaa-0000-0000-0000-000000000001".into(),
            tenant_name: "Contoso <Ltd> & Co".into(),
            message: "Secure Score fell 6.0 points.".into(),
            cause: Some(DropCause {
                from_date: "2026-03-01".parse().unwrap(),
                to_date: "2026-03-08".parse().unwrap(),
                from_percentage: 70.0,
                to_percentage: 64.0,
                change: -6.0,
                points_effect: -5.0,
                max_drift: -1.0,
                drift_only: false,
                lost_controls: vec![LostControl { control_name: "MFARegistrationV2".into(), from_score: 10.0, to_score: 5.0 }],
            }),
            opened_at: "2026-03-08T06:00:00Z".parse().unwrap(),
            link: Some("https://dash.example/alerts?alert=7".into()),
            test: false,
        }
    }

    #[test]
    fn signature_matches_a_hand_checked_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn email_lists_the_cause() {
        let (subject, body) = email_text(&notice());
        assert_eq!(subject, "[Secure Score] Score drop: Contoso <Ltd> & Co (Critical)");
        assert!(body.contains("- 70.0 % on 2026-03-01 -> 64.0 % on 2026-03-08: -6.0 points in all, -5.0 from lost points, -1.0 from maximum-score drift."), "{body}");
        assert!(body.contains("- MFARegistrationV2: 10 -> 5 points"), "{body}");
        assert!(body.contains("Open the alert: https://dash.example/alerts?alert=7"));
    }

    #[test]
    fn teams_card_and_slack_blocks_have_the_required_shape() {
        let teams = teams_payload(&notice());
        assert_eq!(teams["type"], "message");
        assert_eq!(teams["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
        assert_eq!(teams["attachments"][0]["content"]["type"], "AdaptiveCard");
        assert_eq!(teams["attachments"][0]["content"]["actions"][0]["url"], "https://dash.example/alerts?alert=7");
        let slack = slack_payload(&notice());
        assert_eq!(slack["blocks"][2]["fields"][0]["text"], "*Tenant*\nContoso &lt;Ltd&gt; &amp; Co");
        assert!(slack["text"].as_str().unwrap().starts_with("Score drop: Contoso"));
    }

    #[test]
    fn hint_hides_the_webhook_path() {
        let target = ChannelTarget { url: Some("https://hooks.example.com/services/T000/B000/XXXXSECRET".into()), ..Default::default() };
        assert_eq!(target_hint(ChannelKind::Slack, &target), "https://hooks.example.com/…");
        let local = ChannelTarget { url: Some("http://127.0.0.1:9100/hook?token=abc".into()), ..Default::default() };
        assert_eq!(target_hint(ChannelKind::Webhook, &local), "http://127.0.0.1:9100/…");
    }
}

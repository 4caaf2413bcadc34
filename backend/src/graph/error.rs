//! Errors of the Microsoft Graph client, with the sync status they map to and
//! a message an MSP engineer can act on.
//!
//! No variant carries a token or a client secret. `detail` fields hold the
//! error code and message that Microsoft Entra ID or Graph returned, cut to
//! [`DETAIL_MAX_CHARS`] characters.

use domain::SyncStatus;

use super::wire::PayloadError;

/// Longest `detail` kept from an error body, in characters.
pub const DETAIL_MAX_CHARS: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The token endpoint reports that the app is not consented, not present
    /// or disabled in the tenant, or that the tenant does not exist.
    #[error("admin consent is missing in the tenant ({detail})")]
    ConsentMissing { detail: String },
    /// The token endpoint rejected the client id or client secret.
    #[error("the client id or client secret was rejected by Microsoft Entra ID")]
    InvalidCredentials,
    /// Graph returned 403.
    #[error("Microsoft Graph denied access ({detail})")]
    AccessDenied { detail: String },
    /// Graph returned 401 again after the token was fetched anew.
    #[error("Microsoft Graph rejected the access token ({detail})")]
    Unauthorized { detail: String },
    /// Graph still returned 429 after the last retry.
    #[error("Microsoft Graph throttled the request {attempts} times")]
    Throttled { attempts: u32 },
    /// Any other HTTP error, after retries where they apply.
    #[error("Microsoft Graph returned HTTP {status} ({detail})")]
    Upstream { status: u16, detail: String },
    #[error("the request to Microsoft Graph timed out")]
    Timeout,
    #[error("the request to Microsoft Graph failed ({detail})")]
    Network { detail: String },
    /// The body could not be read as the expected payload.
    #[error("Microsoft Graph returned an unreadable payload: {0}")]
    InvalidPayload(#[from] PayloadError),
    /// An `@odata.nextLink` that points outside the configured Graph origin.
    /// It is never requested, because the request would carry the token.
    #[error("refused to follow a next-page link outside the Graph base URL: {link}")]
    InvalidNextLink { link: String },
    /// Paging went on past the client's page limit, most likely a loop.
    #[error("paging stopped after {limit} pages")]
    TooManyPages { limit: usize },
    /// Defender for Endpoint device controls (`scid_*`) cannot be updated
    /// through Graph.
    #[error("control '{control_id}' cannot be updated through Microsoft Graph")]
    NotUpdatable { control_id: String },
    /// A caller passed a value Graph would reject (for example an unknown
    /// control state), so no request was sent.
    #[error("invalid request: {detail}")]
    InvalidRequest { detail: String },
    #[error("invalid Microsoft Graph settings: {detail}")]
    Config { detail: String },
}

impl GraphError {
    /// Maps the error to the tenant sync status it leaves behind.
    pub fn sync_status(&self) -> SyncStatus {
        match self {
            Self::ConsentMissing { .. } => SyncStatus::ConsentMissing,
            Self::AccessDenied { .. } => SyncStatus::AccessDenied,
            Self::Throttled { .. } => SyncStatus::Throttled,
            _ => SyncStatus::Failed,
        }
    }

    /// Builds the message for the tenant's status line: what failed and what
    /// to do.
    pub fn user_message(&self) -> String {
        match self {
            Self::ConsentMissing { detail } => format!(
                "Admin consent is missing in this tenant. Ask a Global Administrator of the customer \
                 to grant consent to the app registration. Microsoft Entra ID returned: {detail}"
            ),
            Self::InvalidCredentials => "Microsoft Entra ID rejected the app's client ID or client secret. \
                 Check that the configured secret is the secret value (not its ID) and that it has not expired."
                .to_owned(),
            Self::AccessDenied { detail } => format!(
                "Microsoft Graph denied access in this tenant. Check that the app has the \
                 SecurityEvents.Read.All permission with admin consent and that the tenant has a licence \
                 that includes Secure Score. Graph returned: {detail}"
            ),
            Self::Unauthorized { detail } => format!(
                "Microsoft Graph rejected the access token, also after a new token was requested. \
                 Grant admin consent again in this tenant and check the app registration. Graph returned: {detail}"
            ),
            Self::Throttled { attempts } => format!(
                "Microsoft Graph throttled every one of {attempts} attempts (HTTP 429). \
                 The next sync tries again."
            ),
            Self::Upstream { status, detail } => format!(
                "Microsoft Graph returned HTTP {status}: {detail}. The next sync tries again. \
                 If this persists, check the Microsoft 365 service health."
            ),
            Self::Timeout => "The request to Microsoft Graph timed out. The next sync tries again.".to_owned(),
            Self::Network { detail } => format!(
                "Microsoft Graph could not be reached ({detail}). Check the server's network access, \
                 DNS and proxy settings."
            ),
            Self::InvalidPayload(error) => format!(
                "Microsoft Graph returned data that could not be read ({error}). The next sync tries again. \
                 If this persists, report it with the tenant id."
            ),
            Self::InvalidNextLink { link } => format!(
                "Microsoft Graph returned a next-page link to another host ({link}). It was not followed, \
                 so the access token was not sent there. Check the configured Graph base URL."
            ),
            Self::TooManyPages { limit } => format!(
                "Paging through Microsoft Graph results stopped after {limit} pages, which suggests a \
                 paging loop. The next sync tries again."
            ),
            Self::NotUpdatable { control_id } => format!(
                "Control '{control_id}' is a Microsoft Defender for Endpoint device control and cannot be \
                 updated through Microsoft Graph. Change it in the Microsoft Defender portal."
            ),
            Self::InvalidRequest { detail } => format!("The update was not sent to Microsoft Graph: {detail}."),
            Self::Config { detail } => format!("The Microsoft Graph settings are invalid: {detail}."),
        }
    }
}

/// Cuts `text` to [`DETAIL_MAX_CHARS`] characters, marking the cut with "…".
pub(crate) fn truncate_detail(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(DETAIL_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_status_mapping() {
        let cases = [
            (GraphError::ConsentMissing { detail: String::new() }, SyncStatus::ConsentMissing),
            (GraphError::AccessDenied { detail: String::new() }, SyncStatus::AccessDenied),
            (GraphError::Throttled { attempts: 5 }, SyncStatus::Throttled),
            (GraphError::InvalidCredentials, SyncStatus::Failed),
            (GraphError::Timeout, SyncStatus::Failed),
            (GraphError::Upstream { status: 503, detail: String::new() }, SyncStatus::Failed),
        ];
        for (error, expected) in cases {
            assert_eq!(error.sync_status(), expected, "{error:?}");
        }
    }

    #[test]
    fn long_detail_is_truncated() {
        let long = "x".repeat(1000);
        let cut = truncate_detail(&long);
        assert_eq!(cut.chars().count(), DETAIL_MAX_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate_detail(" short "), "short");
    }
}

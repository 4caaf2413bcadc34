//! The simulator's catalogue of improvement actions (control profiles).
//!
//! Ids and titles are the project's own, shaped like the real catalogue:
//! Identity, Data, Device, Apps and Infrastructure controls from the usual
//! services, a few Defender for Endpoint `scid_*` controls, two deprecated
//! ones, and a block of Defender for Cloud Apps connector controls
//! (`MDA_<App>_*`) that no tenant licenses, so they are never scored, like
//! the real `MDA_*` entries.

use std::sync::OnceLock;

use serde_json::{json, Value};

use super::rng::hash_text;

/// Measurement behind a control's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    /// On or off: the score is 0 or the maximum.
    Binary,
    /// A share of users; `count`/`total` are sent.
    Users,
    /// A share of devices; `count`/`total` are sent.
    Devices,
}

#[derive(Debug, Clone)]
pub(crate) struct ControlDef {
    pub id: String,
    pub title: &'static str,
    pub category: &'static str,
    pub service: String,
    pub max_score: u32,
    pub measure: Measure,
    pub threats: &'static [&'static str],
    /// False for deprecated controls and unlicensed products: tenants get
    /// a profile but never a score for them.
    pub scorable: bool,
    pub deprecated: bool,
    /// 1-based rank within the category, by maximum score.
    pub rank: u32,
}

const ACCOUNT: &[&str] = &["Account breach"];
const ACCOUNT_CAPS: &[&str] = &["Account Breach", "Elevation of Privilege"];
const PASSWORD: &[&str] = &["Account breach", "Password Cracking"];
const EXFILTRATION: &[&str] = &["Data Exfiltration"];
const ACCOUNT_EXFILTRATION: &[&str] = &["Account breach", "Data Exfiltration"];
const PRIVILEGE: &[&str] = &["Elevation of Privilege", "Account breach"];
const INSIDER: &[&str] = &["Malicious Insider", "Data Exfiltration"];
const SPILLAGE: &[&str] = &["Data Spillage", "Data Deletion"];
const PHISHING: &[&str] = &["Phishing or Whaling", "Account breach"];
const MALWARE: &[&str] = &["Malware", "Ransomware"];
const SPOOFING: &[&str] = &["Spoofing", "Phishing or Whaling"];

struct Row {
    id: &'static str,
    title: &'static str,
    service: &'static str,
    max_score: u32,
    measure: Measure,
    threats: &'static [&'static str],
    deprecated: bool,
}

fn row(
    id: &'static str,
    title: &'static str,
    service: &'static str,
    max_score: u32,
    measure: Measure,
    threats: &'static [&'static str],
) -> Row {
    Row { id, title, service, max_score, measure, threats, deprecated: false }
}

fn retired(id: &'static str, title: &'static str, service: &'static str, max_score: u32) -> Row {
    Row { id, title, service, max_score, measure: Measure::Binary, threats: ACCOUNT, deprecated: true }
}

use Measure::{Binary, Devices, Users};

fn identity_rows() -> Vec<Row> {
    vec![
        row(
            "entra_mfa_admin_roles",
            "Require multifactor authentication for administrative roles",
            "AzureAD",
            10,
            Users,
            ACCOUNT,
        ),
        row("entra_mfa_all_users", "Require multifactor authentication for all users", "AzureAD", 9, Users, ACCOUNT),
        row(
            "entra_mfa_registration_all",
            "Ensure all users can complete multifactor authentication registration",
            "AzureAD",
            9,
            Users,
            ACCOUNT,
        ),
        row("entra_block_legacy_auth", "Block legacy authentication protocols", "AzureAD", 8, Users, PASSWORD),
        row("entra_password_never_expire", "Do not expire passwords", "AzureAD", 8, Binary, PASSWORD),
        row(
            "entra_phishing_resistant_mfa_admins",
            "Require phishing-resistant multifactor authentication for administrators",
            "AzureAD",
            8,
            Users,
            PHISHING,
        ),
        row("entra_signin_risk_policy", "Turn on the sign-in risk policy", "AzureAD", 7, Users, ACCOUNT),
        row("entra_user_risk_policy", "Turn on the user risk policy", "AzureAD", 7, Users, ACCOUNT),
        row(
            "entra_limit_global_admins",
            "Keep between two and four Global Administrators",
            "AzureAD",
            5,
            Binary,
            PRIVILEGE,
        ),
        row(
            "entra_pim_admin_roles",
            "Use Privileged Identity Management for administrative roles",
            "AzureAD",
            5,
            Binary,
            PRIVILEGE,
        ),
        row("entra_banned_password_list", "Use a custom banned password list", "AzureAD", 5, Binary, PASSWORD),
        row(
            "entra_password_hash_sync",
            "Turn on password hash synchronization for hybrid identities",
            "AzureAD",
            5,
            Binary,
            PASSWORD,
        ),
        row(
            "entra_user_consent_verified_publishers",
            "Allow user consent only for apps from verified publishers",
            "AzureAD",
            4,
            Binary,
            EXFILTRATION,
        ),
        row("entra_admin_consent_workflow", "Turn on the admin consent workflow", "AzureAD", 4, Binary, EXFILTRATION),
        row(
            "entra_signin_frequency_admins",
            "Set a sign-in frequency for administrative sessions",
            "AzureAD",
            4,
            Binary,
            ACCOUNT,
        ),
        row(
            "entra_block_device_code_flow",
            "Block the device code flow where it is not needed",
            "AzureAD",
            4,
            Binary,
            PHISHING,
        ),
        row(
            "entra_admin_accounts_cloud_only",
            "Keep administrative accounts separate and cloud-only",
            "AzureAD",
            3,
            Binary,
            ACCOUNT_CAPS,
        ),
        row(
            "entra_guest_access_restricted",
            "Restrict guest user access to directory objects",
            "AzureAD",
            3,
            Binary,
            EXFILTRATION,
        ),
        row(
            "entra_break_glass_accounts",
            "Keep two emergency access accounts outside Conditional Access",
            "AzureAD",
            3,
            Binary,
            ACCOUNT,
        ),
        row(
            "entra_authenticator_context",
            "Show the application name and location in Authenticator prompts",
            "AzureAD",
            3,
            Users,
            PHISHING,
        ),
        row(
            "entra_app_credential_review",
            "Review applications with long-lived credentials",
            "AzureAD",
            3,
            Binary,
            ACCOUNT_EXFILTRATION,
        ),
        row(
            "entra_guest_invite_admins_only",
            "Allow only administrators to invite guest users",
            "AzureAD",
            2,
            Binary,
            EXFILTRATION,
        ),
        row("entra_smart_lockout_threshold", "Tune the smart lockout threshold", "AzureAD", 2, Binary, PASSWORD),
        row(
            "entra_stale_guest_review",
            "Review and remove inactive guest accounts",
            "AzureAD",
            2,
            Users,
            ACCOUNT_EXFILTRATION,
        ),
        row("entra_sspr_enabled", "Turn on self-service password reset", "AzureAD", 1, Users, ACCOUNT),
        row(
            "entra_least_privileged_roles",
            "Use least-privileged administrative roles",
            "AzureAD",
            1,
            Binary,
            ACCOUNT_CAPS,
        ),
        row(
            "entra_linkedin_connections_off",
            "Turn off LinkedIn account connections",
            "AzureAD",
            1,
            Binary,
            EXFILTRATION,
        ),
        row(
            "entra_group_creation_restricted",
            "Restrict who can create Microsoft 365 groups",
            "AzureAD",
            1,
            Binary,
            SPILLAGE,
        ),
        row(
            "mdi_sensor_on_domain_controllers",
            "Install Defender for Identity sensors on all domain controllers",
            "Azure ATP",
            5,
            Binary,
            PRIVILEGE,
        ),
        row(
            "mdi_unsecure_kerberos_delegation",
            "Remove unsecure Kerberos delegation",
            "Azure ATP",
            3,
            Binary,
            PRIVILEGE,
        ),
        row(
            "mdi_dormant_sensitive_accounts",
            "Remove dormant accounts from sensitive groups",
            "Azure ATP",
            2,
            Binary,
            ACCOUNT_CAPS,
        ),
        retired("entra_per_user_mfa_legacy", "Turn on per-user multifactor authentication (retired)", "AzureAD", 9),
    ]
}

fn data_rows() -> Vec<Row> {
    vec![
        row("dlp_policies_enabled", "Turn on data loss prevention policies", "DLP", 5, Binary, EXFILTRATION),
        row("mip_sensitivity_labels_published", "Publish sensitivity labels to users", "MIP", 5, Binary, EXFILTRATION),
        row(
            "mip_auto_labeling_policy",
            "Apply sensitivity labels to sensitive content automatically",
            "MIP",
            3,
            Binary,
            EXFILTRATION,
        ),
        row("mip_label_encryption", "Encrypt content labelled Highly Confidential", "MIP", 3, Binary, INSIDER),
        row(
            "dlp_teams_policies",
            "Extend data loss prevention policies to Teams chats and channels",
            "DLP",
            3,
            Binary,
            EXFILTRATION,
        ),
        row("purview_audit_log_search", "Turn on audit log search", "Purview", 3, Binary, INSIDER),
        row("purview_insider_risk_policy", "Create an insider risk management policy", "IRM", 3, Binary, INSIDER),
        row(
            "spo_external_sharing_limits",
            "Limit external sharing in SharePoint and OneDrive",
            "SPO",
            3,
            Binary,
            SPILLAGE,
        ),
        row(
            "purview_retention_policies",
            "Set retention policies for Exchange, SharePoint and OneDrive",
            "Purview",
            2,
            Binary,
            SPILLAGE,
        ),
        row("spo_anyone_link_expiry", "Set an expiry for Anyone links", "SPO", 2, Binary, SPILLAGE),
        row(
            "spo_default_link_specific_people",
            "Make Specific people the default sharing link type",
            "SPO",
            2,
            Binary,
            SPILLAGE,
        ),
        row("exo_message_encryption", "Set up message encryption for sensitive mail", "EXO", 2, Binary, EXFILTRATION),
        row(
            "purview_communication_compliance",
            "Create a communication compliance policy",
            "Purview",
            2,
            Binary,
            INSIDER,
        ),
        row("mip_container_labels", "Apply sensitivity labels to Teams, groups and sites", "MIP", 2, Binary, SPILLAGE),
        row("purview_customer_lockbox", "Turn on Customer Lockbox", "Purview", 1, Binary, EXFILTRATION),
        row(
            "purview_sensitive_access_alerts",
            "Alert on unusual access to sensitive files",
            "Purview",
            1,
            Binary,
            INSIDER,
        ),
    ]
}

fn device_rows() -> Vec<Row> {
    vec![
        row(
            "intune_require_compliant_devices",
            "Require compliant devices for access to company data",
            "Intune",
            9,
            Devices,
            ACCOUNT_EXFILTRATION,
        ),
        row("mde_onboard_devices", "Onboard all devices to Defender for Endpoint", "MDATP", 5, Devices, MALWARE),
        row("mde_tamper_protection", "Turn on tamper protection", "MDATP", 5, Devices, MALWARE),
        row("intune_device_encryption", "Require encryption on managed devices", "Intune", 4, Devices, EXFILTRATION),
        row(
            "intune_laps_enabled",
            "Manage local administrator passwords with Windows LAPS",
            "Intune",
            4,
            Devices,
            PRIVILEGE,
        ),
        row(
            "mde_asr_office_child_process",
            "Block Office applications from creating child processes",
            "MDATP",
            4,
            Devices,
            MALWARE,
        ),
        row(
            "mde_asr_credential_stealing",
            "Block credential stealing from the Windows local security authority",
            "MDATP",
            4,
            Devices,
            PASSWORD,
        ),
        row(
            "intune_windows_firewall",
            "Turn on Windows Firewall on all managed devices",
            "Intune",
            3,
            Devices,
            MALWARE,
        ),
        row("intune_block_jailbroken", "Block jailbroken and rooted devices", "Intune", 3, Binary, MALWARE),
        row(
            "intune_app_protection_ios",
            "Apply app protection policies on iOS devices",
            "Intune",
            3,
            Binary,
            EXFILTRATION,
        ),
        row(
            "intune_app_protection_android",
            "Apply app protection policies on Android devices",
            "Intune",
            3,
            Binary,
            EXFILTRATION,
        ),
        row(
            "intune_windows_update_rings",
            "Keep Windows devices on supported update rings",
            "Intune",
            3,
            Devices,
            MALWARE,
        ),
        row(
            "mde_asr_email_executables",
            "Block executable content from email and webmail",
            "MDATP",
            3,
            Devices,
            MALWARE,
        ),
        row("mde_network_protection", "Turn on network protection in block mode", "MDATP", 3, Devices, PHISHING),
        row("mde_cloud_protection", "Turn on cloud-delivered protection", "MDATP", 3, Devices, MALWARE),
        row("mde_edr_block_mode", "Turn on EDR in block mode", "MDATP", 3, Binary, MALWARE),
        row("scid_4101", "Turn on real-time protection", "MDATP", 3, Devices, MALWARE),
        row("scid_4102", "Update antivirus security intelligence", "MDATP", 2, Devices, MALWARE),
        row("scid_4117", "Turn off the local storage of network credentials", "MDATP", 2, Devices, PASSWORD),
        row("intune_screen_lock", "Lock devices after a period of inactivity", "Intune", 2, Devices, EXFILTRATION),
        row(
            "intune_min_passcode_length",
            "Require a passcode of at least six characters on mobile devices",
            "Intune",
            2,
            Devices,
            PASSWORD,
        ),
        row("intune_os_minimum_version", "Require a minimum operating system version", "Intune", 2, Devices, MALWARE),
        row("mde_pua_protection", "Block potentially unwanted applications", "MDATP", 2, Devices, MALWARE),
        row("mde_controlled_folder_access", "Turn on controlled folder access", "MDATP", 2, Devices, MALWARE),
        row("mde_smartscreen_apps", "Turn on SmartScreen for apps and files", "MDATP", 2, Devices, PHISHING),
    ]
}

fn apps_rows() -> Vec<Row> {
    vec![
        row("mdo_safe_links_office", "Turn on Safe Links for Office apps", "MDO", 9, Binary, PHISHING),
        row("mdo_safe_attachments", "Turn on Safe Attachments in block mode", "MDO", 8, Binary, MALWARE),
        row(
            "exo_block_auto_forwarding",
            "Block automatic forwarding to external domains",
            "EXO",
            8,
            Binary,
            EXFILTRATION,
        ),
        row("mdo_anti_phishing_impersonation", "Protect priority users from impersonation", "MDO", 5, Binary, PHISHING),
        row("exo_mailbox_auditing", "Turn on mailbox auditing for all users", "EXO", 4, Users, INSIDER),
        row(
            "mdo_preset_strict",
            "Apply the strict preset security policy to priority accounts",
            "MDO",
            4,
            Users,
            PHISHING,
        ),
        row(
            "mdo_safe_attachments_collaboration",
            "Turn on Safe Attachments for SharePoint, OneDrive and Teams",
            "MDO",
            3,
            Binary,
            MALWARE,
        ),
        row("mdo_mailbox_intelligence", "Turn on mailbox intelligence protection", "MDO", 3, Binary, PHISHING),
        row("mdo_spoof_intelligence", "Quarantine messages that fail spoof intelligence", "MDO", 3, Binary, SPOOFING),
        row("mdo_zap_phish", "Turn on zero-hour auto purge for phishing", "MDO", 3, Binary, PHISHING),
        row("mdo_common_attachment_filter", "Turn on the common attachment types filter", "MDO", 3, Binary, MALWARE),
        row("mdo_high_confidence_phish_quarantine", "Quarantine high confidence phishing", "MDO", 3, Binary, PHISHING),
        row("exo_dkim_signing", "Sign outbound mail with DKIM for all domains", "EXO", 3, Binary, SPOOFING),
        row("exo_dmarc_reject", "Publish DMARC records with a reject or quarantine policy", "EXO", 3, Binary, SPOOFING),
        row("exo_spf_records", "Publish SPF records for all domains", "EXO", 3, Binary, SPOOFING),
        row("exo_modern_auth", "Turn on modern authentication for Exchange Online", "EXO", 3, Binary, PASSWORD),
        row(
            "spo_modern_auth_required",
            "Require modern authentication for SharePoint apps",
            "SPO",
            3,
            Binary,
            PASSWORD,
        ),
        row(
            "mda_connect_office365",
            "Connect Microsoft 365 to Defender for Cloud Apps",
            "MCAS",
            3,
            Binary,
            ACCOUNT_EXFILTRATION,
        ),
        row("mda_oauth_app_policy", "Create an OAuth app policy", "MCAS", 3, Binary, EXFILTRATION),
        row("mda_log_collector", "Upload firewall logs for cloud discovery", "MCAS", 3, Binary, EXFILTRATION),
        row("mdo_bulk_threshold", "Set the bulk complaint level threshold to 6 or lower", "MDO", 2, Binary, PHISHING),
        row("mdo_outbound_spam_limits", "Set outbound spam recipient limits", "MDO", 2, Binary, ACCOUNT),
        row("exo_external_sender_tag", "Tag messages from external senders", "EXO", 2, Binary, PHISHING),
        row("exo_smtp_auth_disabled", "Turn off SMTP AUTH client submission", "EXO", 2, Binary, PASSWORD),
        row(
            "exo_outlook_addins_restricted",
            "Stop users from installing Outlook add-ins",
            "EXO",
            2,
            Binary,
            EXFILTRATION,
        ),
        row("spo_idle_session_signout", "Sign out idle sessions in SharePoint and OneDrive", "SPO", 2, Binary, ACCOUNT),
        row(
            "teams_external_access_restricted",
            "Restrict Teams external access to allowed domains",
            "Teams",
            2,
            Binary,
            EXFILTRATION,
        ),
        row("teams_anonymous_join_off", "Stop anonymous users from joining meetings", "Teams", 2, Binary, EXFILTRATION),
        row(
            "teams_lobby_external",
            "Send external participants to the meeting lobby",
            "Teams",
            1,
            Binary,
            EXFILTRATION,
        ),
        row("mda_activity_policy", "Create a custom activity policy", "MCAS", 1, Binary, INSIDER),
        row("forms_phishing_scan", "Turn on phishing scanning in Microsoft Forms", "FORMS", 1, Binary, PHISHING),
        retired("mdo_legacy_atp_policy", "Turn on the legacy Advanced Threat Protection policy (retired)", "MDO", 5),
    ]
}

fn infrastructure_rows() -> Vec<Row> {
    vec![
        row("mdc_servers_endpoint_protection", "Install endpoint protection on servers", "MDC", 5, Devices, MALWARE),
        row(
            "mdi_print_spooler_dc",
            "Turn off the Print Spooler service on domain controllers",
            "Azure ATP",
            3,
            Binary,
            PRIVILEGE,
        ),
        row("mdi_ldap_signing", "Require LDAP signing on domain controllers", "Azure ATP", 3, Binary, ACCOUNT),
        row("mdi_ntlmv1_disabled", "Stop NTLMv1 authentication", "Azure ATP", 3, Binary, PASSWORD),
        row("mdi_smb_signing", "Require SMB signing on servers", "Azure ATP", 2, Binary, ACCOUNT),
    ]
}

/// Connected apps that no simulated tenant licenses.
const UNLICENSED_APPS: [&str; 4] = ["Slack", "Box", "Workday", "Miro"];

/// Setting suffix, title and maximum score of each connector control.
const CONNECTOR_SETTINGS: [(&str, &str, u32); 6] = [
    ("RequireMfa", "Enable multifactor authentication", 7),
    ("ForceSso", "Require single sign-on", 5),
    ("IdleSessionTimeout", "Set an idle session timeout", 3),
    ("PasswordPolicy", "Enforce a strong password policy", 3),
    ("IpAllowList", "Restrict sign-ins to trusted IP ranges", 2),
    ("ExternalSharing", "Restrict sharing with people outside the organization", 2),
];

/// Returns every control profile, sorted by id without regard to case like
/// Graph's listing, built on first use.
pub(crate) fn catalogue() -> &'static [ControlDef] {
    static CATALOGUE: OnceLock<Vec<ControlDef>> = OnceLock::new();
    CATALOGUE.get_or_init(build)
}

fn build() -> Vec<ControlDef> {
    let mut defs = Vec::new();
    let groups = [
        ("Identity", identity_rows()),
        ("Data", data_rows()),
        ("Device", device_rows()),
        ("Apps", apps_rows()),
        ("Infrastructure", infrastructure_rows()),
    ];
    for (category, rows) in groups {
        for (index, row) in rows.into_iter().enumerate() {
            defs.push(ControlDef {
                id: row.id.to_owned(),
                title: row.title,
                category,
                service: row.service.to_owned(),
                max_score: row.max_score,
                measure: row.measure,
                threats: row.threats,
                scorable: !row.deprecated,
                deprecated: row.deprecated,
                rank: index as u32 + 1,
            });
        }
    }

    for app in UNLICENSED_APPS {
        for (index, (setting, title, max_score)) in CONNECTOR_SETTINGS.into_iter().enumerate() {
            defs.push(ControlDef {
                id: format!("MDA_{app}_{setting}"),
                title,
                category: if index < 4 { "Identity" } else { "Apps" },
                service: format!("MDA_{app}"),
                max_score,
                measure: Binary,
                threats: ACCOUNT_EXFILTRATION,
                scorable: false,
                deprecated: false,
                rank: 10,
            });
        }
    }

    defs.sort_by(|a, b| a.id.to_ascii_lowercase().cmp(&b.id.to_ascii_lowercase()).then(a.id.cmp(&b.id)));
    defs
}

/// Builds the `secureScoreControlProfiles` record of `def` for one tenant.
pub(crate) fn profile_json(def: &ControlDef, tenant_id: &str, control_state_updates: Value) -> Value {
    let portal = portal(&def.service);
    json!({
        "actionType": action_type(def),
        "actionUrl": action_url(def, portal),
        "azureTenantId": tenant_id,
        "complianceInformation": [],
        "controlCategory": def.category,
        "controlStateUpdates": control_state_updates,
        "deprecated": def.deprecated,
        "id": def.id,
        "implementationCost": implementation_cost(def),
        "lastModifiedDateTime": Value::Null,
        "maxScore": f64::from(def.max_score),
        "rank": def.rank,
        "remediation": remediation(def, portal),
        "remediationImpact": remediation_impact(def),
        "service": def.service,
        "threats": def.threats,
        "tier": tier(def),
        "title": def.title,
        "userImpact": user_impact(def),
        "vendorInformation": vendor_information(),
    })
}

/// Returns the `vendorInformation` object Graph puts on Secure Score
/// resources.
pub(crate) fn vendor_information() -> Value {
    json!({"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"})
}

/// Builds the `controlScores[].description` text of `def`.
pub(crate) fn description(def: &ControlDef) -> String {
    format!("{}. {}", def.title, rationale(&def.service))
}

fn rationale(service: &str) -> &'static str {
    match service {
        "AzureAD" => "Most intrusions start with stolen or guessed credentials, and this setting limits what such credentials are worth to an attacker.",
        "Azure ATP" => "Domain controllers hold the keys to every account in Active Directory, and Defender for Identity flags settings that make them easier to abuse.",
        "MIP" | "DLP" | "Purview" | "IRM" => "Knowing where sensitive data sits and who moves it is the basis of every data protection policy.",
        "SPO" => "Files shared too widely stay reachable long after the reason for sharing has gone.",
        "Intune" => "Company data on lost, stolen or unmanaged devices is only as safe as the device settings that protect it.",
        "MDATP" | "MDC" => "Endpoint protection settings stop much ransomware and commodity malware before it runs.",
        "MDO" => "Email is still the most common delivery route for phishing links and malicious attachments.",
        "EXO" => "Mail flow settings decide how easily attackers can spoof your domains or quietly copy mail out of the organization.",
        "Teams" => "Meetings and chats with external people can leak information when access is too open.",
        "FORMS" => "Forms are an easy way to host credential-harvesting pages inside a trusted domain.",
        _ => "Defender for Cloud Apps checks the security settings of connected cloud apps and alerts on risky activity in them.",
    }
}

/// Admin portal name and URL for a service.
fn portal(service: &str) -> (&'static str, &'static str) {
    match service {
        "AzureAD" => {
            ("Microsoft Entra admin center", "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/SecurityMenuBlade")
        }
        "MIP" | "DLP" | "Purview" | "IRM" => ("Microsoft Purview portal", "https://purview.microsoft.com/settings"),
        "SPO" => ("SharePoint admin center", "https://admin.microsoft.com/sharepoint?page=sharing"),
        "Intune" => {
            ("Microsoft Intune admin center", "https://intune.microsoft.com/#view/Microsoft_Intune_DeviceSettings")
        }
        "EXO" => ("Exchange admin center", "https://admin.exchange.microsoft.com/#/mailflow"),
        "Teams" => {
            ("Teams admin center", "https://admin.teams.microsoft.com/company-wide-settings/external-communications")
        }
        "FORMS" => {
            ("Microsoft 365 admin center", "https://admin.microsoft.com/#/Settings/Services/:/Settings/L1/OfficeForms")
        }
        "MDC" => (
            "Microsoft Defender for Cloud",
            "https://portal.azure.com/#view/Microsoft_Azure_Security/SecurityMenuBlade",
        ),
        "MDO" => ("Microsoft Defender portal", "https://security.microsoft.com/threatpolicy"),
        "MDATP" | "Azure ATP" => {
            ("Microsoft Defender portal", "https://security.microsoft.com/securescore?viewid=actions")
        }
        _ => ("Microsoft Defender portal", "https://security.microsoft.com/cloudapps/settings"),
    }
}

fn action_type(def: &ControlDef) -> &'static str {
    if def.title.starts_with("Review") {
        "Review"
    } else {
        "Config"
    }
}

fn action_url(def: &ControlDef, (_, portal_url): (&str, &'static str)) -> String {
    if action_type(def) == "Review" {
        format!("https://learn.microsoft.com/en-us/entra/identity/monitoring-health/{}", def.id.replace('_', "-"))
    } else {
        portal_url.to_owned()
    }
}

fn remediation(def: &ControlDef, (portal_name, _): (&str, &str)) -> String {
    let mut action: String = def.title.chars().take(1).flat_map(char::to_lowercase).collect();
    action.push_str(&def.title[def.title.chars().next().map_or(0, char::len_utf8)..]);
    format!(
        "<p>To {action}:</p> <ol> <li>Sign in to the <em>{portal_name}</em> as an administrator.</li> \
         <li>Open the settings this action names and compare them with the recommendation.</li> \
         <li>Apply the recommended setting and select <em>Save</em>.</li> </ol>"
    )
}

fn remediation_impact(def: &ControlDef) -> &'static str {
    match def.category {
        "Identity" => "<p>Users may be asked to sign in again or to register another authentication method.</p>",
        "Data" => "Users see policy tips or labels on documents and mail, and some sharing is blocked.",
        "Device" => "Devices that do not meet the policy lose access to company data until they are brought into line.",
        "Infrastructure" => {
            "<p>Test the change on one server first, because older applications may depend on the legacy setting.</p>"
        }
        _ => "None.",
    }
}

/// Picks from `choices` by a hash of the control id and a salt, so values
/// look scattered but never change.
fn pick<T: Copy>(def: &ControlDef, salt: &str, choices: &[T]) -> T {
    let hash = hash_text(&format!("{salt}:{}", def.id));
    choices[(hash % choices.len() as u64) as usize]
}

/// Mixed casing, "Unknown" and null, as in real payloads.
fn implementation_cost(def: &ControlDef) -> Option<&'static str> {
    pick(
        def,
        "cost",
        &[
            Some("Unknown"),
            Some("Unknown"),
            Some("Unknown"),
            Some("Unknown"),
            Some("Low"),
            Some("Low"),
            Some("low"),
            Some("Moderate"),
            Some("moderate"),
            Some("Medium"),
            Some("High"),
            Some("high"),
            None,
        ],
    )
}

fn user_impact(def: &ControlDef) -> Option<&'static str> {
    pick(
        def,
        "impact",
        &[
            Some("Unknown"),
            Some("Unknown"),
            Some("Unknown"),
            Some("Unknown"),
            Some("None"),
            Some("Low"),
            Some("low"),
            Some("Moderate"),
            Some("moderate"),
            Some("High"),
            Some("high"),
            None,
        ],
    )
}

fn tier(def: &ControlDef) -> &'static str {
    pick(def, "tier", &["Core", "Core", "Core", "Core", "Core", "Core", "Core", "Core", "Defense In Depth", "Advanced"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_size_and_unique_ids() {
        let defs = catalogue();
        assert!(defs.len() >= 120, "{} profiles", defs.len());
        let mut ids: Vec<&str> = defs.iter().map(|def| def.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), defs.len());
    }

    #[test]
    fn catalogue_has_every_category() {
        for category in ["Identity", "Data", "Device", "Apps", "Infrastructure"] {
            assert!(catalogue().iter().any(|def| def.category == category), "{category}");
        }
    }

    #[test]
    fn remediation_lowercases_first_letter() {
        let def = catalogue().iter().find(|def| def.id == "exo_spf_records").unwrap();
        assert!(remediation(def, portal(&def.service)).starts_with("<p>To publish SPF records"));
    }
}

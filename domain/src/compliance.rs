//! Compliance correlation: which framework controls a tenant's Secure Score
//! improvement actions support, and how far.
//!
//! Pure functions over a mapping (Secure Score control id to framework
//! controls) and the tenant's action states. Secure Score evidence supports
//! but does not prove compliance; callers show [`DISCLAIMER`] beside every
//! figure.

use serde::{Deserialize, Serialize};

/// The statement shown wherever compliance figures appear.
pub const DISCLAIMER: &str = "Secure Score evidence supports an audit but does not prove compliance: a framework control also needs policies, procedures and evidence outside Microsoft 365.";

/// The frameworks a mapping may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    /// AICPA Trust Services Criteria (SOC 2), for example `CC6.1`.
    Soc2,
    /// HIPAA Security Rule, 45 CFR 164.308-312, for example `164.312(d)`.
    Hipaa,
    /// CMMC 2.0 Level 2 practices, for example `IA.L2-3.5.3`.
    Cmmc2,
    /// NIST SP 800-171 Rev. 2 requirements, for example `3.5.3`.
    Nist800171,
    /// NIST SP 800-53 Rev. 5 controls, for example `IA-2(1)`.
    Nist80053,
    /// ISO/IEC 27001:2022 Annex A controls, for example `A.8.5`.
    Iso27001,
    /// CIS Microsoft 365 Foundations Benchmark recommendations, for example `5.2.2.1`.
    CisM365,
}

impl Framework {
    pub const ALL: [Framework; 7] =
        [Self::Soc2, Self::Hipaa, Self::Cmmc2, Self::Nist800171, Self::Nist80053, Self::Iso27001, Self::CisM365];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Soc2 => "soc2",
            Self::Hipaa => "hipaa",
            Self::Cmmc2 => "cmmc2",
            Self::Nist800171 => "nist800171",
            Self::Nist80053 => "nist80053",
            Self::Iso27001 => "iso27001",
            Self::CisM365 => "cis_m365",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Soc2 => "SOC 2",
            Self::Hipaa => "HIPAA Security Rule",
            Self::Cmmc2 => "CMMC 2.0 Level 2",
            Self::Nist800171 => "NIST SP 800-171",
            Self::Nist80053 => "NIST SP 800-53",
            Self::Iso27001 => "ISO/IEC 27001:2022",
            Self::CisM365 => "CIS Microsoft 365",
        }
    }

    /// Returns a well-formed control id of the framework, for messages.
    pub fn example(self) -> &'static str {
        match self {
            Self::Soc2 => "CC6.1",
            Self::Hipaa => "164.312(d)",
            Self::Cmmc2 => "IA.L2-3.5.3 (the domain matching the 800-171 family)",
            Self::Nist800171 => "3.5.3",
            Self::Nist80053 => "IA-2(1)",
            Self::Iso27001 => "A.8.5",
            Self::CisM365 => "5.2.2.1",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw.trim())
    }

    /// Checks the form of a control id of this framework (not that the
    /// control exists).
    /// Recognises the framework of a Graph `complianceInformation`
    /// `certificationName`, ignoring case, spaces and punctuation
    /// ("SOC 2", "NIST SP 800-53", "ISO/IEC 27001:2022"). `None` for a
    /// certification the product does not track.
    pub fn from_certification_name(name: &str) -> Option<Self> {
        let folded: String = name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
        if folded.contains("soc2") {
            Some(Self::Soc2)
        } else if folded.contains("hipaa") {
            Some(Self::Hipaa)
        } else if folded.contains("cmmc") {
            Some(Self::Cmmc2)
        } else if folded.contains("800171") {
            Some(Self::Nist800171)
        } else if folded.contains("80053") {
            Some(Self::Nist80053)
        } else if folded.contains("27001") {
            Some(Self::Iso27001)
        } else if folded.contains("cis") && folded.contains("365") {
            Some(Self::CisM365)
        } else {
            None
        }
    }

    pub fn is_well_formed(self, control: &str) -> bool {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let dotted = |s: &str| !s.is_empty() && s.split('.').all(digits);
        match self {
            // CC6.1, A1.2, PI1.3, C1.1, P4.2
            Self::Soc2 => {
                let letters = control.bytes().take_while(u8::is_ascii_uppercase).count();
                (1..=2).contains(&letters) && dotted(&control[letters..]) && control[letters..].contains('.')
            }
            // 164.312(d), 164.308(a)(5)(ii)(B)
            Self::Hipaa => {
                let Some(rest) = ["164.308", "164.310", "164.312"].iter().find_map(|p| control.strip_prefix(p)) else {
                    return false;
                };
                let mut rest = rest;
                let mut parts = 0;
                while let Some(inner) = rest.strip_prefix('(') {
                    let Some(end) = inner.find(')') else { return false };
                    if end == 0 || !inner[..end].bytes().all(|b| b.is_ascii_alphanumeric()) {
                        return false;
                    }
                    rest = &inner[end + 1..];
                    parts += 1;
                }
                rest.is_empty() && parts >= 1
            }
            // IA.L2-3.5.3: 32 CFR 170.14(c)(1) numbers a Level 2 requirement
            // DD.L2-REQ, where REQ is the NIST SP 800-171 Rev. 2 requirement
            // and DD the domain of its family (3.5 is IA).
            Self::Cmmc2 => match control.split_once(".L2-") {
                Some((domain, requirement)) => {
                    Self::Nist800171.is_well_formed(requirement)
                        && requirement.split('.').nth(1).and_then(cmmc_domain_of_family) == Some(domain)
                }
                None => false,
            },
            // 3.5.3
            Self::Nist800171 => control.starts_with("3.") && dotted(control) && control.split('.').count() == 3,
            // IA-2, IA-2(1)
            Self::Nist80053 => {
                let (base, enhancement) = match control.split_once('(') {
                    Some((base, rest)) => (base, Some(rest)),
                    None => (control, None),
                };
                let Some((family, number)) = base.split_once('-') else { return false };
                family.len() == 2
                    && family.bytes().all(|b| b.is_ascii_uppercase())
                    && digits(number)
                    && enhancement.is_none_or(|e| e.strip_suffix(')').is_some_and(digits))
            }
            // A.5.15, A.8.5
            Self::Iso27001 => control
                .strip_prefix("A.")
                .is_some_and(|rest| dotted(rest) && rest.split('.').count() == 2 && ["5", "6", "7", "8"].contains(&rest.split('.').next().unwrap_or(""))),
            // 1.1.1, 5.2.2.1
            Self::CisM365 => dotted(control) && control.split('.').count() >= 2,
        }
    }
}

/// Returns the two-letter CMMC domain of a NIST SP 800-171 Rev. 2
/// requirement family: "5" (3.5, Identification and Authentication) gives "IA".
fn cmmc_domain_of_family(family: &str) -> Option<&'static str> {
    const DOMAINS: [&str; 14] = ["AC", "AT", "AU", "CM", "IA", "IR", "MA", "MP", "PS", "PE", "RA", "CA", "SC", "SI"];
    let index: usize = family.parse().ok()?;
    DOMAINS.get(index.checked_sub(1)?).copied()
}

/// One framework control that a Secure Score action supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MappedControl {
    pub framework: String,
    pub control: String,
    /// The public document that defines the framework control.
    pub source: String,
}

/// The framework controls of one Secure Score action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MappingEntry {
    /// The Secure Score control id (`secureScoreControlProfile.id`).
    pub control_id: String,
    pub controls: Vec<MappedControl>,
}

/// A mapping file: a version and its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mapping {
    pub version: String,
    /// A description of what the mapping covers and who authored it.
    #[serde(default)]
    pub description: String,
    pub entries: Vec<MappingEntry>,
    /// Controls of the built-in Graph simulator and the Microsoft control
    /// each one stands for, so demo tenants show the mapping too.
    #[serde(default)]
    pub simulator_aliases: std::collections::BTreeMap<String, String>,
}

impl Mapping {
    /// Checks every entry: a known framework, a well-formed control id, a
    /// source, and no Secure Score control listed twice. Returns every
    /// problem found, each naming the entry.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.version.trim().is_empty() {
            problems.push("version is empty".to_owned());
        }
        let mut seen = std::collections::HashSet::new();
        for (i, entry) in self.entries.iter().enumerate() {
            let at = format!("entries[{i}] ({})", entry.control_id);
            if entry.control_id.trim().is_empty() {
                problems.push(format!("{at}: controlId is empty"));
            }
            if !seen.insert(entry.control_id.as_str()) {
                problems.push(format!("{at}: controlId appears twice"));
            }
            if entry.controls.is_empty() {
                problems.push(format!("{at}: no framework control"));
            }
            for (j, mapped) in entry.controls.iter().enumerate() {
                match Framework::parse(&mapped.framework) {
                    None => problems.push(format!("{at}.controls[{j}]: unknown framework '{}'", mapped.framework)),
                    Some(framework) if !framework.is_well_formed(&mapped.control) => {
                        problems.push(format!("{at}.controls[{j}]: '{}' is not a {} control id", mapped.control, framework.label()))
                    }
                    Some(_) => {}
                }
                let source = mapped.source.trim();
                if !(source.starts_with("https://") && source.len() > "https://".len() + 3) {
                    problems.push(format!("{at}.controls[{j}]: the source must be an https URL of the public document"));
                }
            }
        }
        for (alias, target) in &self.simulator_aliases {
            if !self.entries.iter().any(|e| &e.control_id == target) {
                problems.push(format!("simulatorAliases.{alias}: '{target}' is not a mapped controlId"));
            }
        }
        problems
    }

    /// Returns the mapped control id of `control_id`: itself, or the
    /// Microsoft control that a simulator control is an alias of.
    pub fn resolve<'a>(&'a self, control_id: &'a str) -> &'a str {
        self.simulator_aliases.get(control_id).map_or(control_id, String::as_str)
    }

    /// Returns the frameworks with controls that `control_id` supports, in
    /// [`Framework::ALL`] order.
    pub fn frameworks_of(&self, control_id: &str) -> Vec<Framework> {
        let Some(entry) = self.entry_for(control_id) else {
            return Vec::new();
        };
        Framework::ALL.into_iter().filter(|f| entry.controls.iter().any(|m| Framework::parse(&m.framework) == Some(*f))).collect()
    }

    /// Returns the entry of an action, through its alias if it has one.
    pub fn entry_for(&self, control_id: &str) -> Option<&MappingEntry> {
        let id = self.resolve(control_id);
        self.entries.iter().find(|e| e.control_id == id)
    }
}

/// The effect of an MSP override on the shipped mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// Maps one more framework control to the action.
    Add,
    /// Drops a shipped framework control from the action.
    Remove,
}

/// An MSP's change to the shipped mapping, stored apart from the shipped
/// file so an upgrade keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MappingOverride {
    /// The Secure Score control id of the action.
    pub control_id: String,
    /// `soc2`, `hipaa`, `cmmc2`, `nist800171`, `nist80053`, `iso27001` or `cis_m365`.
    pub framework: String,
    pub control: String,
    /// The public document that defines the control; required to add one.
    #[serde(default)]
    pub source: String,
    pub kind: OverrideKind,
}

impl MappingOverride {
    /// Checks the fields; the error names the field and the fix.
    pub fn check(&self) -> Result<Framework, String> {
        let id = self.control_id.trim();
        if id.is_empty() || id.len() > 200 {
            return Err("controlId: send the Secure Score control id (secureScoreControlProfile id), 1 to 200 characters".to_owned());
        }
        let framework = Framework::parse(&self.framework).ok_or_else(|| {
            format!("framework: '{}' is not a framework; use soc2, hipaa, cmmc2, nist800171, nist80053, iso27001 or cis_m365", self.framework)
        })?;
        if !framework.is_well_formed(self.control.trim()) {
            return Err(format!("control: '{}' is not a {} control id; write it like {}", self.control, framework.label(), framework.example()));
        }
        let source = self.source.trim();
        if self.kind == OverrideKind::Add && !(source.starts_with("https://") && source.len() > "https://".len() + 3 && source.len() <= 500) {
            return Err("source: send the https URL of the public document that defines the control".to_owned());
        }
        Ok(framework)
    }
}

/// The mapping in force: the shipped file with the MSP's overrides, and
/// the overrides themselves (`GET compliance/mapping`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EffectiveMapping {
    pub shipped_version: String,
    pub overrides: Vec<MappingOverride>,
    pub entries: Vec<MappingEntry>,
}

impl Mapping {
    /// Returns the mapping with `overrides` applied. An `add` maps one more
    /// control to the action (creating its entry), and a `remove` drops one.
    pub fn with_overrides(&self, overrides: &[MappingOverride]) -> Mapping {
        let mut out = self.clone();
        for change in overrides {
            let id = self.resolve(change.control_id.trim()).to_owned();
            let same = |m: &MappedControl| m.framework == change.framework && m.control == change.control.trim();
            match change.kind {
                OverrideKind::Add => {
                    let mapped = MappedControl {
                        framework: change.framework.clone(),
                        control: change.control.trim().to_owned(),
                        source: change.source.trim().to_owned(),
                    };
                    match out.entries.iter_mut().find(|e| e.control_id == id) {
                        Some(entry) if !entry.controls.iter().any(same) => entry.controls.push(mapped),
                        Some(_) => {}
                        None => out.entries.push(MappingEntry { control_id: id, controls: vec![mapped] }),
                    }
                }
                OverrideKind::Remove => {
                    if let Some(entry) = out.entries.iter_mut().find(|e| e.control_id == id) {
                        entry.controls.retain(|m| !same(m));
                    }
                }
            }
        }
        out.entries.retain(|e| !e.controls.is_empty());
        out
    }
}

/// The source given to a Graph-provided control without its own URL:
/// Microsoft's description of `secureScoreControlProfile.complianceInformation`.
pub const GRAPH_SOURCE: &str = "https://learn.microsoft.com/en-us/graph/api/resources/compliancecertification";

/// Reads Graph's `complianceInformation` of one control profile
/// (`[{certificationName, certificationControls: [{name, url}]}]`) as
/// additions to the mapping. Certifications the product does not track are
/// skipped, and so are control names that are not well-formed ids of their
/// framework. A value of any other shape yields nothing.
pub fn graph_additions(control_id: &str, information: &serde_json::Value) -> Vec<MappingOverride> {
    let mut out = Vec::new();
    for certification in information.as_array().into_iter().flatten() {
        let Some(framework) = certification.get("certificationName").and_then(|n| n.as_str()).and_then(Framework::from_certification_name) else {
            continue;
        };
        for control in certification.get("certificationControls").and_then(|c| c.as_array()).into_iter().flatten() {
            let Some(name) = control.get("name").and_then(|n| n.as_str()).map(str::trim) else { continue };
            if !framework.is_well_formed(name) {
                continue;
            }
            let url = control.get("url").and_then(|u| u.as_str()).map(str::trim).filter(|u| u.starts_with("https://") && u.len() <= 500);
            out.push(MappingOverride {
                control_id: control_id.to_owned(),
                framework: framework.as_str().to_owned(),
                control: name.to_owned(),
                source: url.unwrap_or(GRAPH_SOURCE).to_owned(),
                kind: OverrideKind::Add,
            });
        }
    }
    out
}

/// How far one action is done for one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// No points yet.
    Open,
    /// Some points, not all.
    Partial,
    /// Marked Risk Accepted and not done.
    RiskAccepted,
    /// At full score, or resolved through a third party.
    Satisfied,
}

impl ActionState {
    /// Returns the state as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Partial => "partial",
            Self::RiskAccepted => "risk_accepted",
            Self::Satisfied => "satisfied",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Partial => "Partial",
            Self::RiskAccepted => "Risk accepted",
            Self::Satisfied => "Satisfied",
        }
    }
}

/// An action that supports a framework control, on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SupportingAction {
    pub control_id: String,
    pub title: String,
    pub state: ActionState,
    pub score: f64,
    pub max_score: f64,
}

/// One framework control with its state and the actions behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FrameworkControlView {
    pub control: String,
    /// The public document that defines the control.
    pub source: String,
    pub state: ActionState,
    pub actions: Vec<SupportingAction>,
}

/// One framework's coverage for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FrameworkView {
    pub framework: Framework,
    pub label: String,
    pub coverage: Coverage,
    pub controls: Vec<FrameworkControlView>,
}

/// An action of the tenant that the mapping does not cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UnmappedAction {
    pub control_id: String,
    pub title: String,
}

/// A tenant's compliance correlation, as `GET compliance?tenant=` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantCompliance {
    pub tenant_id: String,
    pub display_name: String,
    /// Date of the snapshot the scores come from.
    pub as_of: Option<chrono::NaiveDate>,
    pub mapping_version: String,
    pub disclaimer: String,
    /// Every framework, those without a supported control included.
    pub frameworks: Vec<FrameworkView>,
    pub unmapped_actions: Vec<UnmappedAction>,
}

/// One framework across the portfolio: sums of the tenants' coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioFramework {
    pub framework: Framework,
    pub label: String,
    /// Tenants with at least one supported control of the framework.
    pub tenants: u32,
    /// Tenants whose supported controls are all satisfied.
    pub fully_satisfied_tenants: u32,
    /// Sums over the tenants (a control counts once per tenant).
    pub coverage: Coverage,
}

/// One tenant's coverage of every framework, in [`Framework::ALL`] order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantCoverageRow {
    pub tenant_id: String,
    pub display_name: String,
    pub as_of: Option<chrono::NaiveDate>,
    pub coverage: Vec<Coverage>,
}

/// Framework coverage across the tenants with data (`GET compliance/portfolio`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortfolioCompliance {
    pub mapping_version: String,
    pub disclaimer: String,
    pub frameworks: Vec<PortfolioFramework>,
    /// Tenants with a snapshot, excluded tenants left out, by display name.
    pub tenants: Vec<TenantCoverageRow>,
}

impl PortfolioCompliance {
    /// Sums the tenants' rows into the per-framework totals.
    pub fn from_rows(mapping_version: String, tenants: Vec<TenantCoverageRow>) -> Self {
        let frameworks = Framework::ALL
            .into_iter()
            .enumerate()
            .map(|(i, framework)| {
                let mut total = PortfolioFramework { framework, label: framework.label().to_owned(), tenants: 0, fully_satisfied_tenants: 0, coverage: Coverage::default() };
                for c in tenants.iter().filter_map(|t| t.coverage.get(i)).filter(|c| c.controls > 0) {
                    total.tenants += 1;
                    if c.satisfied == c.controls {
                        total.fully_satisfied_tenants += 1;
                    }
                    total.coverage.controls += c.controls;
                    total.coverage.satisfied += c.satisfied;
                    total.coverage.partial += c.partial;
                    total.coverage.open += c.open;
                    total.coverage.risk_accepted += c.risk_accepted;
                }
                total
            })
            .collect();
        Self { mapping_version, disclaimer: DISCLAIMER.to_owned(), frameworks, tenants }
    }
}

/// Builds every framework's view and the unmapped actions of one tenant.
/// `title` names an action by its control id.
pub fn tenant_views(mapping: &Mapping, actions: &[ActionFacts], title: impl Fn(&str) -> String) -> (Vec<FrameworkView>, Vec<UnmappedAction>) {
    let frameworks = Framework::ALL
        .into_iter()
        .map(|framework| {
            let controls: Vec<FrameworkControlView> = framework_report(mapping, framework, actions)
                .into_iter()
                .map(|(control, supporting)| {
                    let states: Vec<ActionState> = supporting.iter().map(|(_, state)| *state).collect();
                    let source = supporting
                        .first()
                        .and_then(|(id, _)| mapping.entry_for(id))
                        .and_then(|e| e.controls.iter().find(|m| m.control == control && Framework::parse(&m.framework) == Some(framework)))
                        .map(|m| m.source.clone())
                        .unwrap_or_default();
                    let actions = supporting
                        .iter()
                        .filter_map(|(id, state)| {
                            let facts = actions.iter().find(|a| a.control_id == *id)?;
                            Some(SupportingAction {
                                control_id: (*id).to_owned(),
                                title: title(id),
                                state: *state,
                                score: facts.score,
                                max_score: facts.max_score,
                            })
                        })
                        .collect();
                    FrameworkControlView { control: control.to_owned(), source, state: control_state(&states).unwrap_or(ActionState::Open), actions }
                })
                .collect();
            FrameworkView { framework, label: framework.label().to_owned(), coverage: coverage(mapping, framework, actions), controls }
        })
        .collect();
    let mut unmapped: Vec<UnmappedAction> = actions
        .iter()
        .filter(|a| mapping.entry_for(&a.control_id).is_none())
        .map(|a| UnmappedAction { control_id: a.control_id.clone(), title: title(&a.control_id) })
        .collect();
    unmapped.sort_by(|a, b| a.title.cmp(&b.title));
    (frameworks, unmapped)
}

/// One action of one tenant, as the coverage math needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionFacts {
    pub control_id: String,
    pub score: f64,
    pub max_score: f64,
    pub risk_accepted: bool,
    pub third_party: bool,
}

impl ActionFacts {
    pub fn state(&self) -> ActionState {
        if self.third_party || (self.max_score > 0.0 && self.score >= self.max_score - 0.005) {
            ActionState::Satisfied
        } else if self.risk_accepted {
            ActionState::RiskAccepted
        } else if self.score > 0.005 {
            ActionState::Partial
        } else {
            ActionState::Open
        }
    }
}

/// Derives the state of a framework control from its mapped actions. It is
/// satisfied when all actions are, and risk accepted when each action not
/// satisfied is risk-accepted. It is open when no action has points, and
/// partial otherwise.
pub fn control_state(actions: &[ActionState]) -> Option<ActionState> {
    if actions.is_empty() {
        return None;
    }
    if actions.iter().all(|a| *a == ActionState::Satisfied) {
        return Some(ActionState::Satisfied);
    }
    if actions.iter().all(|a| matches!(a, ActionState::Satisfied | ActionState::RiskAccepted)) {
        return Some(ActionState::RiskAccepted);
    }
    if actions.iter().all(|a| *a == ActionState::Open) {
        return Some(ActionState::Open);
    }
    Some(ActionState::Partial)
}

/// One framework's coverage for one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Framework controls with at least one mapped action the tenant has.
    pub controls: u32,
    pub satisfied: u32,
    pub partial: u32,
    pub open: u32,
    pub risk_accepted: u32,
}

/// Splits a control id into text and number runs, so that ids sort in
/// reading order: "3.3.1" before "3.14.2", "A.8.2" before "A.8.12".
fn reading_order_key(control: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut number: Option<u64> = None;
    for c in control.chars() {
        match (c.to_digit(10), number) {
            (Some(d), Some(n)) => number = Some(n.saturating_mul(10).saturating_add(u64::from(d))),
            (Some(d), None) => number = Some(u64::from(d)),
            (None, Some(n)) => {
                key.push((std::mem::take(&mut text), n));
                number = None;
                text.push(c);
            }
            (None, None) => text.push(c),
        }
    }
    key.push((text, number.unwrap_or(0)));
    key
}

/// Lists one framework's controls that the tenant's actions support, each
/// with its actions (control id and state), in reading order of the
/// control ids.
pub fn framework_report<'a>(mapping: &'a Mapping, framework: Framework, actions: &'a [ActionFacts]) -> Vec<(&'a str, Vec<(&'a str, ActionState)>)> {
    let mut by_control: std::collections::BTreeMap<&str, Vec<(&str, ActionState)>> = std::collections::BTreeMap::new();
    for action in actions {
        let Some(entry) = mapping.entry_for(&action.control_id) else { continue };
        for mapped in entry.controls.iter().filter(|m| Framework::parse(&m.framework) == Some(framework)) {
            by_control.entry(mapped.control.as_str()).or_default().push((action.control_id.as_str(), action.state()));
        }
    }
    let mut controls: Vec<(&str, Vec<(&str, ActionState)>)> = by_control.into_iter().collect();
    controls.sort_by_cached_key(|(control, _)| reading_order_key(control));
    controls
}

/// Counts one framework's controls by state for one tenant. Actions the
/// tenant does not have (no profile) do not count.
pub fn coverage(mapping: &Mapping, framework: Framework, actions: &[ActionFacts]) -> Coverage {
    let mut out = Coverage::default();
    for (_, supporting) in framework_report(mapping, framework, actions) {
        let states: Vec<ActionState> = supporting.iter().map(|(_, state)| *state).collect();
        out.controls += 1;
        match control_state(&states) {
            Some(ActionState::Satisfied) => out.satisfied += 1,
            Some(ActionState::RiskAccepted) => out.risk_accepted += 1,
            Some(ActionState::Open) => out.open += 1,
            Some(ActionState::Partial) => out.partial += 1,
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIST: &str = "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final";

    fn mapped(framework: &str, control: &str) -> MappedControl {
        MappedControl { framework: framework.into(), control: control.into(), source: NIST.into() }
    }

    fn facts(id: &str, score: f64, max: f64) -> ActionFacts {
        ActionFacts { control_id: id.into(), score, max_score: max, risk_accepted: false, third_party: false }
    }

    #[test]
    fn control_ids_are_checked_per_framework() {
        assert!(Framework::Soc2.is_well_formed("CC6.1"));
        assert!(!Framework::Soc2.is_well_formed("CC6"));
        assert!(Framework::Hipaa.is_well_formed("164.312(d)"));
        assert!(Framework::Hipaa.is_well_formed("164.308(a)(5)(ii)(B)"));
        assert!(!Framework::Hipaa.is_well_formed("164.312"));
        assert!(!Framework::Hipaa.is_well_formed("164.999(a)"));
        assert!(Framework::Cmmc2.is_well_formed("IA.L2-3.5.3"));
        assert!(!Framework::Cmmc2.is_well_formed("IA.L1-3.5.3"));
        assert!(Framework::Cmmc2.is_well_formed("SI.L2-3.14.2"));
        assert!(!Framework::Cmmc2.is_well_formed("AC.L2-3.5.3"), "3.5 is the IA domain");
        assert!(!Framework::Cmmc2.is_well_formed("IA.L2-3.15.1"), "800-171 has 14 families");
        assert!(Framework::Nist800171.is_well_formed("3.5.3"));
        assert!(Framework::Nist80053.is_well_formed("IA-2(1)"));
        assert!(Framework::Nist80053.is_well_formed("AC-6"));
        assert!(!Framework::Nist80053.is_well_formed("IA-2(x)"));
        assert!(Framework::Iso27001.is_well_formed("A.8.5"));
        assert!(!Framework::Iso27001.is_well_formed("A.9.4.2"), "a 2013 Annex A id is not a 2022 one");
        assert!(Framework::CisM365.is_well_formed("5.2.2.1"));
    }

    #[test]
    fn graph_compliance_information_becomes_additions() {
        let information = serde_json::json!([
            {"certificationName": "NIST SP 800-53", "certificationControls": [
                {"name": "IA-2(1)", "url": "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final"},
                {"name": "not an id", "url": "https://example.org"}
            ]},
            {"certificationName": "SOC 2", "certificationControls": [{"name": "CC6.1", "url": "http://insecure.example"}]},
            {"certificationName": "PCI DSS", "certificationControls": [{"name": "8.4.2"}]},
            {"certificationControls": [{"name": "CC6.2"}]}
        ]);
        let added: Vec<(String, String, String)> =
            graph_additions("AdminMFAV2", &information).into_iter().map(|o| (o.framework, o.control, o.source)).collect();
        assert_eq!(
            added,
            [
                ("nist80053".to_owned(), "IA-2(1)".to_owned(), "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final".to_owned()),
                ("soc2".to_owned(), "CC6.1".to_owned(), GRAPH_SOURCE.to_owned()),
            ]
        );
        assert!(graph_additions("x", &serde_json::json!([])).is_empty());
        assert!(graph_additions("x", &serde_json::json!({"unexpected": true})).is_empty());
        assert_eq!(Framework::from_certification_name("ISO/IEC 27001:2022"), Some(Framework::Iso27001));
        assert_eq!(Framework::from_certification_name("NIST SP 800-171 Rev. 2"), Some(Framework::Nist800171));
        assert_eq!(Framework::from_certification_name("CIS Microsoft 365 Foundations"), Some(Framework::CisM365));
    }

    #[test]
    fn portfolio_totals_sum_the_tenants() {
        let c = |controls, satisfied, partial, open, risk_accepted| Coverage { controls, satisfied, partial, open, risk_accepted };
        let row = |name: &str, soc2: Coverage| TenantCoverageRow {
            tenant_id: name.into(),
            display_name: name.into(),
            as_of: None,
            coverage: Framework::ALL.iter().map(|f| if *f == Framework::Soc2 { soc2.clone() } else { Coverage::default() }).collect(),
        };
        let portfolio = PortfolioCompliance::from_rows("v".into(), vec![row("a", c(3, 3, 0, 0, 0)), row("b", c(4, 1, 2, 0, 1)), row("c", c(0, 0, 0, 0, 0))]);
        let soc2 = &portfolio.frameworks[0];
        assert_eq!((soc2.tenants, soc2.fully_satisfied_tenants), (2, 1));
        assert_eq!(soc2.coverage, c(7, 4, 2, 0, 1));
        assert_eq!(portfolio.frameworks[1].tenants, 0);
    }

    #[test]
    fn validation_names_each_problem() {
        let mapping = Mapping {
            version: "1".into(),
            description: String::new(),
            simulator_aliases: Default::default(),
            entries: vec![
                MappingEntry { control_id: "AdminMFAV2".into(), controls: vec![mapped("soc2", "CC6.1"), mapped("pci", "8.4.2")] },
                MappingEntry {
                    control_id: "AdminMFAV2".into(),
                    controls: vec![MappedControl { framework: "hipaa".into(), control: "164.312(d)".into(), source: "".into() }],
                },
            ],
        };
        assert_eq!(
            mapping.validate(),
            [
                "entries[0] (AdminMFAV2).controls[1]: unknown framework 'pci'",
                "entries[1] (AdminMFAV2): controlId appears twice",
                "entries[1] (AdminMFAV2).controls[0]: the source must be an https URL of the public document",
            ]
        );
    }

    #[test]
    fn control_ids_sort_in_reading_order() {
        let mut ids = ["3.14.2", "3.3.1", "A.8.12", "A.8.2", "164.312(d)", "164.308(a)(5)(ii)(B)", "IA-2(2)", "IA-2", "IA-2(1)", "AC-16", "AC-4"];
        ids.sort_by_cached_key(|id| reading_order_key(id));
        assert_eq!(ids, ["3.3.1", "3.14.2", "164.308(a)(5)(ii)(B)", "164.312(d)", "A.8.2", "A.8.12", "AC-4", "AC-16", "IA-2", "IA-2(1)", "IA-2(2)"]);
    }

    #[test]
    fn action_state_names_match_the_wire() {
        for state in [ActionState::Open, ActionState::Partial, ActionState::RiskAccepted, ActionState::Satisfied] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }

    #[test]
    fn action_states() {
        assert_eq!(facts("a", 10.0, 10.0).state(), ActionState::Satisfied);
        assert_eq!(facts("a", 4.0, 10.0).state(), ActionState::Partial);
        assert_eq!(facts("a", 0.0, 10.0).state(), ActionState::Open);
        assert_eq!(ActionFacts { risk_accepted: true, ..facts("a", 4.0, 10.0) }.state(), ActionState::RiskAccepted);
        assert_eq!(ActionFacts { third_party: true, ..facts("a", 0.0, 10.0) }.state(), ActionState::Satisfied);
    }

    #[test]
    fn coverage_counts_controls_by_their_weakest_actions() {
        // CC6.1 <- Mfa (10 of 10) and Legacy (0 of 8): partial.
        // CC6.8 <- Malware (3 of 6): partial.
        // CC7.2 <- Audit (risk accepted, 0 of 5): risk accepted.
        // CC6.6 <- Legacy only: open.
        // CC6.7 <- Unlicensed, which the tenant has no profile for: not counted.
        // HIPAA 164.312(d) <- Mfa: satisfied.
        let mapping = Mapping {
            version: "1".into(),
            description: String::new(),
            simulator_aliases: Default::default(),
            entries: vec![
                MappingEntry { control_id: "Mfa".into(), controls: vec![mapped("soc2", "CC6.1"), mapped("hipaa", "164.312(d)")] },
                MappingEntry { control_id: "Legacy".into(), controls: vec![mapped("soc2", "CC6.1"), mapped("soc2", "CC6.6")] },
                MappingEntry { control_id: "Malware".into(), controls: vec![mapped("soc2", "CC6.8")] },
                MappingEntry { control_id: "Audit".into(), controls: vec![mapped("soc2", "CC7.2")] },
                MappingEntry { control_id: "Unlicensed".into(), controls: vec![mapped("soc2", "CC6.7")] },
            ],
        };
        let actions = [
            facts("Mfa", 10.0, 10.0),
            facts("Legacy", 0.0, 8.0),
            facts("Malware", 3.0, 6.0),
            ActionFacts { risk_accepted: true, ..facts("Audit", 0.0, 5.0) },
        ];
        assert_eq!(
            coverage(&mapping, Framework::Soc2, &actions),
            Coverage { controls: 4, satisfied: 0, partial: 2, open: 1, risk_accepted: 1 }
        );
        assert_eq!(coverage(&mapping, Framework::Hipaa, &actions), Coverage { controls: 1, satisfied: 1, ..Default::default() });
        assert_eq!(coverage(&mapping, Framework::Iso27001, &actions), Coverage::default());
    }

    #[test]
    fn overrides_add_and_remove_mapped_controls() {
        let shipped = Mapping {
            version: "1".into(),
            description: String::new(),
            simulator_aliases: [("sim_mfa".to_owned(), "AdminMFAV2".to_owned())].into(),
            entries: vec![MappingEntry { control_id: "AdminMFAV2".into(), controls: vec![mapped("soc2", "CC6.1"), mapped("nist80053", "IA-2(1)")] }],
        };
        let add = |id: &str, fw: &str, control: &str| MappingOverride {
            control_id: id.into(),
            framework: fw.into(),
            control: control.into(),
            source: NIST.into(),
            kind: OverrideKind::Add,
        };
        let overrides = [
            add("sim_mfa", "hipaa", "164.312(d)"),
            add("LocalCheck", "soc2", "CC7.2"),
            MappingOverride { kind: OverrideKind::Remove, source: String::new(), ..add("AdminMFAV2", "nist80053", "IA-2(1)") },
        ];
        let effective = shipped.with_overrides(&overrides);
        assert_eq!(effective.frameworks_of("AdminMFAV2"), [Framework::Soc2, Framework::Hipaa]);
        assert_eq!(effective.frameworks_of("sim_mfa"), [Framework::Soc2, Framework::Hipaa]);
        assert_eq!(effective.frameworks_of("LocalCheck"), [Framework::Soc2]);
        assert!(effective.validate().is_empty(), "{:?}", effective.validate());
        // The shipped mapping itself is untouched.
        assert_eq!(shipped.frameworks_of("AdminMFAV2"), [Framework::Soc2, Framework::Nist80053]);
        let bad = MappingOverride { source: "http://example.com".into(), ..add("X", "soc2", "CC6.1") };
        assert_eq!(bad.check().unwrap_err(), "source: send the https URL of the public document that defines the control");
        assert!(add("X", "pci", "1.1").check().unwrap_err().starts_with("framework: 'pci'"));
        assert!(add("X", "hipaa", "164.999(a)").check().unwrap_err().starts_with("control: '164.999(a)'"));
    }

    #[test]
    fn simulator_aliases_resolve_to_mapped_controls() {
        let mut mapping = Mapping {
            version: "1".into(),
            description: String::new(),
            simulator_aliases: [("sim_mfa".to_owned(), "AdminMFAV2".to_owned())].into(),
            entries: vec![MappingEntry { control_id: "AdminMFAV2".into(), controls: vec![mapped("soc2", "CC6.1")] }],
        };
        assert!(mapping.validate().is_empty());
        let actions = [facts("sim_mfa", 5.0, 10.0)];
        assert_eq!(coverage(&mapping, Framework::Soc2, &actions), Coverage { controls: 1, partial: 1, ..Default::default() });
        mapping.simulator_aliases.insert("sim_other".into(), "Nowhere".into());
        assert_eq!(mapping.validate(), ["simulatorAliases.sim_other: 'Nowhere' is not a mapped controlId"]);
    }
}

//! Microsoft Graph Secure Score payloads, parsed tolerantly.
//!
//! Real responses differ from the reference pages: numbers arrive as strings,
//! `on` is "true"/"false", casing of seat-size keys varies, unknown keys
//! appear and optional fields go missing. Everything that is not needed to
//! place a snapshot in time and score it is optional here; what is needed
//! (`createdDateTime`, `currentScore`, `maxScore`, a control's name) fails the
//! whole payload with a message that says which record and field.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// The reason a payload could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PayloadError {
    #[error("the {resource} answer is not valid JSON ({detail})")]
    NotJson { resource: &'static str, detail: String },
    #[error("the {resource} answer has no 'value' array")]
    NoValueArray { resource: &'static str },
    #[error("{resource} record {index} is unusable: {detail}")]
    BadRecord { resource: &'static str, index: usize, detail: String },
}

/// One page of `GET /security/secureScores`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecureScoresPage {
    pub records: Vec<SecureScoreRecord>,
    pub next_link: Option<String>,
}

/// One page of `GET /security/secureScoreControlProfiles`.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlProfilesPage {
    pub profiles: Vec<ControlProfile>,
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecureScoreRecord {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub azure_tenant_id: Option<String>,
    pub created_date_time: DateTime<Utc>,
    #[serde(deserialize_with = "number")]
    pub current_score: f64,
    #[serde(deserialize_with = "number")]
    pub max_score: f64,
    #[serde(default, deserialize_with = "opt_integer")]
    pub active_user_count: Option<i64>,
    /// Unreliable in real data (often 0, sometimes 500000+N): stored, never
    /// used for banding.
    #[serde(default, deserialize_with = "opt_integer")]
    pub licensed_user_count: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub enabled_services: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub average_comparative_scores: Vec<AverageComparativeScore>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub control_scores: Vec<ControlScore>,
}

impl SecureScoreRecord {
    /// Returns the snapshot day: the UTC date of `createdDateTime`.
    pub fn snapshot_date(&self) -> NaiveDate {
        self.created_date_time.date_naive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlScore {
    pub control_name: String,
    #[serde(default)]
    pub control_category: Option<String>,
    #[serde(default, deserialize_with = "number_or_zero")]
    pub score: f64,
    #[serde(default, deserialize_with = "opt_number")]
    pub score_in_percentage: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub implementation_status: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub last_synced: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_text")]
    pub count: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub total: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub on: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AverageComparativeScore {
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default, deserialize_with = "opt_number")]
    pub average_score: Option<f64>,
    #[serde(default, alias = "SeatSizeRangeLowerValue", deserialize_with = "opt_integer")]
    pub seat_size_range_lower_value: Option<i64>,
    #[serde(default, alias = "SeatSizeRangeUpperValue", deserialize_with = "opt_integer")]
    pub seat_size_range_upper_value: Option<i64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub identity_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub identity_score_max: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub data_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub data_score_max: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub device_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub device_score_max: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub apps_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub apps_score_max: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub infrastructure_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub infrastructure_score_max: Option<f64>,
}

impl AverageComparativeScore {
    /// Returns the average as a usable benchmark: `-1`, negative, above 100 or
    /// missing values mean "no benchmark".
    pub fn usable_average(&self) -> Option<f64> {
        self.average_score.filter(|v| (0.0..=100.0).contains(v))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlProfile {
    pub id: String,
    #[serde(default)]
    pub azure_tenant_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub control_category: Option<String>,
    #[serde(default, deserialize_with = "opt_number")]
    pub max_score: Option<f64>,
    #[serde(default, deserialize_with = "opt_integer")]
    pub rank: Option<i64>,
    #[serde(default, deserialize_with = "opt_text")]
    pub tier: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub implementation_cost: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub user_impact: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub action_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub service: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub threats: Vec<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub remediation_impact: Option<String>,
    #[serde(default)]
    pub action_url: Option<String>,
    #[serde(default, deserialize_with = "opt_bool")]
    pub deprecated: Option<bool>,
    #[serde(default)]
    pub compliance_information: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub control_state_updates: Vec<ControlStateUpdate>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
}

impl ControlProfile {
    /// Returns the effective state: the latest `controlStateUpdates` entry by
    /// `updatedDateTime` (entries without a date count as oldest); an empty
    /// list means `Default`.
    pub fn effective_state(&self) -> String {
        self.control_state_updates
            .iter()
            .enumerate()
            .max_by_key(|(index, update)| (update.updated_date_time, *index))
            .and_then(|(_, update)| update.state.clone())
            .filter(|state| !state.trim().is_empty())
            .unwrap_or_else(|| "Default".to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlStateUpdate {
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub updated_by: Option<String>,
    #[serde(default, deserialize_with = "opt_datetime")]
    pub updated_date_time: Option<DateTime<Utc>>,
}

/// Reads a `secureScores` response. Records that fail are reported by index.
pub fn parse_secure_scores(body: &[u8]) -> Result<SecureScoresPage, PayloadError> {
    let (values, next_link) = split_page(body, "secureScores")?;
    let records = values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value(value).map_err(|e| PayloadError::BadRecord {
                resource: "secureScores",
                index,
                detail: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(SecureScoresPage { records, next_link })
}

/// Reads a `secureScoreControlProfiles` response.
pub fn parse_control_profiles(body: &[u8]) -> Result<ControlProfilesPage, PayloadError> {
    let (values, next_link) = split_page(body, "secureScoreControlProfiles")?;
    let profiles = values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_json::from_value(value).map_err(|e| PayloadError::BadRecord {
                resource: "secureScoreControlProfiles",
                index,
                detail: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(ControlProfilesPage { profiles, next_link })
}

fn split_page(body: &[u8], resource: &'static str) -> Result<(Vec<serde_json::Value>, Option<String>), PayloadError> {
    let mut root: serde_json::Value = serde_json::from_slice(body).map_err(|e| PayloadError::NotJson {
        resource,
        detail: e.to_string(),
    })?;
    let next_link = root
        .get("@odata.nextLink")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    match root.get_mut("value").map(serde_json::Value::take) {
        Some(serde_json::Value::Array(values)) => Ok((values, next_link)),
        _ => Err(PayloadError::NoValueArray { resource }),
    }
}

// Tolerant field readers.

#[derive(Deserialize)]
#[serde(untagged)]
enum Loose {
    Number(f64),
    Text(String),
    Bool(bool),
}

fn loose_number(value: Option<Loose>) -> Option<f64> {
    match value? {
        Loose::Number(n) => Some(n),
        Loose::Text(s) => s.trim().parse::<f64>().ok(),
        Loose::Bool(_) => None,
    }
    .filter(|n| n.is_finite())
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let raw = Option::<Loose>::deserialize(d)?;
    loose_number(raw).ok_or_else(|| de::Error::custom("expected a number"))
}

fn number_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(loose_number(Option::<Loose>::deserialize(d)?).unwrap_or(0.0))
}

fn opt_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(loose_number(Option::<Loose>::deserialize(d)?))
}

fn opt_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(loose_number(Option::<Loose>::deserialize(d)?)
        .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
        .map(|n| n as i64))
}

fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Loose>::deserialize(d)? {
        Some(Loose::Bool(b)) => Some(b),
        Some(Loose::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Loose>::deserialize(d)? {
        Some(Loose::Text(s)) => Some(s),
        Some(Loose::Number(n)) => Some(n.to_string()),
        Some(Loose::Bool(b)) => Some(b.to_string()),
        None => None,
    })
}

fn opt_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Option::<Loose>::deserialize(d)? {
        Some(Loose::Text(s)) => DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc)),
        _ => None,
    })
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_given_as_strings_are_read() {
        let body = br#"{"value":[{"createdDateTime":"2026-07-17T00:00:00Z","currentScore":"12.5","maxScore":50,
            "controlScores":[{"controlName":"X","score":"3","on":"true","count":"4","total":7,"unknownKey":{"a":1}}],
            "averageComparativeScores":[{"basis":"TotalSeats","averageScore":48.1,"SeatSizeRangeLowerValue":"1","seatSizeRangeUpperValue":"100"}]}]}"#;
        let page = parse_secure_scores(body).unwrap();
        let record = &page.records[0];
        assert_eq!(record.current_score, 12.5);
        assert_eq!(record.control_scores[0].score, 3.0);
        assert_eq!(record.control_scores[0].on, Some(true));
        assert_eq!(record.control_scores[0].total.as_deref(), Some("7"));
        let seats = &record.average_comparative_scores[0];
        assert_eq!((seats.seat_size_range_lower_value, seats.seat_size_range_upper_value), (Some(1), Some(100)));
    }

    #[test]
    fn missing_required_field_names_the_record() {
        let body = br#"{"value":[{"createdDateTime":"2026-07-17T00:00:00Z","maxScore":50}]}"#;
        let message = parse_secure_scores(body).unwrap_err().to_string();
        assert!(message.contains("record 0"), "{message}");
        assert!(message.contains("currentScore"), "{message}");
    }

    #[test]
    fn empty_value_array_is_a_valid_empty_page() {
        let page = parse_secure_scores(br#"{"value": []}"#).unwrap();
        assert!(page.records.is_empty());
        assert_eq!(page.next_link, None);
    }

    #[test]
    fn minus_one_average_is_no_benchmark() {
        let score = AverageComparativeScore {
            basis: Some("AllTenants".into()),
            average_score: Some(-1.0),
            ..serde_json::from_str("{}").unwrap()
        };
        assert_eq!(score.usable_average(), None);
    }

    #[test]
    fn effective_state_is_latest_update() {
        let body = br#"{"value":[{"id":"A","controlStateUpdates":[
            {"state":"Ignored","updatedDateTime":"2026-01-02T00:00:00Z"},
            {"state":"Default","updatedDateTime":"2026-01-01T00:00:00Z"}]},
            {"id":"B","controlStateUpdates":[]},
            {"id":"C","controlStateUpdates":[{"state":"Default","updatedDateTime":null}]}]}"#;
        let page = parse_control_profiles(body).unwrap();
        let states: Vec<String> = page.profiles.iter().map(ControlProfile::effective_state).collect();
        assert_eq!(states, ["Ignored", "Default", "Default"]);
    }
}

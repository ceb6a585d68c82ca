//! v2 compensations (the "Payroll Integrations API"): `GET|POST /v2/compensations` and
//! `GET|POST /v2/compensations/types` (personio-api.md §3.8).
//!
//! The request bodies and the type object are documented; the compensation object is not
//! (§8), so [`Compensation`] is our reading of what a payroll consumer stores (confidence L).

use serde::{Deserialize, Serialize};

use super::IdRef;

/// A compensation type: `{"id": "<uuid>", "name": "salary", "category": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompensationType {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `RECURRING` or `ONE_TIME` for types made through the API; the built-in salary types
    /// carry `FIXED_SALARY` and `HOURLY_SALARY` (our choice, unconfirmed).
    #[serde(default)]
    pub category: String,
}

/// One compensation in effect during the requested window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compensation {
    pub id: String,
    pub person: IdRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<IdRef>,
    #[serde(rename = "type")]
    pub kind: CompensationType,
    pub amount: Amount,
    /// `MONTHLY`, `QUARTERLY`, `HALF-YEARLY`, `YEARLY`; `HOURLY` for hourly rates; `null`
    /// for one-time payments.
    #[serde(default)]
    pub interval: Option<String>,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::number::compact_option"
    )]
    pub weekly_working_hours: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::number::compact_option"
    )]
    pub full_time_weekly_working_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `{"value": 4200.5, "currency": "EUR"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    #[serde(serialize_with = "crate::number::compact")]
    pub value: f64,
    pub currency: String,
}

/// Body of `POST /v2/compensations`. Needs both the read and the write scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateCompensation {
    pub person: IdRef,
    #[serde(rename = "type")]
    pub kind: IdRef,
    /// At most two decimal places.
    pub value: f64,
    /// ISO 4217; the legal entity's currency when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    /// Default `MONTHLY` for recurring types; ignored for one-time types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Body of `POST /v2/compensations/types`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateCompensationType {
    pub name: String,
    /// `RECURRING` or `ONE_TIME`.
    pub category: String,
}

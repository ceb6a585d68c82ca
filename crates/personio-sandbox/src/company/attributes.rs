//! The employee attribute catalogue: Personio's standard attributes, in the order v1
//! returns them, and the company's custom `dynamic_<n>` attributes.
//!
//! Labels, types and `universal_id`s follow the official v1 example (personio-api.md §2.2).

use personio_api::v1::AttributeType;

/// A standard employee attribute.
#[derive(Debug, Clone, Copy)]
pub struct StandardAttribute {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: AttributeType,
}

use AttributeType::{Date, Decimal, Integer, Standard};

/// Every standard attribute, in v1 response order. `vacation_day_balance` is gone since
/// 2024-04-08 (personio-api.md §2.2, H).
pub const STANDARD_ATTRIBUTES: &[StandardAttribute] = &[
    StandardAttribute {
        key: "id",
        label: "ID",
        kind: Integer,
    },
    StandardAttribute {
        key: "first_name",
        label: "First name",
        kind: Standard,
    },
    StandardAttribute {
        key: "last_name",
        label: "Last name",
        kind: Standard,
    },
    StandardAttribute {
        key: "preferred_name",
        label: "Name (preferred)",
        kind: Standard,
    },
    StandardAttribute {
        key: "email",
        label: "Email",
        kind: Standard,
    },
    StandardAttribute {
        key: "gender",
        label: "Gender",
        kind: Standard,
    },
    StandardAttribute {
        key: "status",
        label: "Status",
        kind: Standard,
    },
    StandardAttribute {
        key: "position",
        label: "Position",
        kind: Standard,
    },
    StandardAttribute {
        key: "supervisor",
        label: "Supervisor",
        kind: Standard,
    },
    StandardAttribute {
        key: "employment_type",
        label: "Employment type",
        kind: Standard,
    },
    StandardAttribute {
        key: "weekly_working_hours",
        label: "Weekly hours",
        kind: Standard,
    },
    StandardAttribute {
        key: "hire_date",
        label: "Hire date",
        kind: Date,
    },
    StandardAttribute {
        key: "contract_end_date",
        label: "Contract ends",
        kind: Date,
    },
    StandardAttribute {
        key: "termination_date",
        label: "Termination date",
        kind: Date,
    },
    StandardAttribute {
        key: "termination_type",
        label: "Termination type",
        kind: Standard,
    },
    StandardAttribute {
        key: "termination_reason",
        label: "Termination reason",
        kind: Standard,
    },
    StandardAttribute {
        key: "probation_period_end",
        label: "Probation period end",
        kind: Date,
    },
    StandardAttribute {
        key: "created_at",
        label: "created_at",
        kind: Date,
    },
    StandardAttribute {
        key: "last_modified_at",
        label: "Last modified",
        kind: Date,
    },
    StandardAttribute {
        key: "subcompany",
        label: "Subcompany",
        kind: Standard,
    },
    StandardAttribute {
        key: "office",
        label: "Office",
        kind: Standard,
    },
    StandardAttribute {
        key: "department",
        label: "Department",
        kind: Standard,
    },
    StandardAttribute {
        key: "cost_centers",
        label: "Cost center",
        kind: Standard,
    },
    StandardAttribute {
        key: "holiday_calendar",
        label: "Public holidays",
        kind: Standard,
    },
    StandardAttribute {
        key: "absence_entitlement",
        label: "Absence entitlement",
        kind: Standard,
    },
    StandardAttribute {
        key: "work_schedule",
        label: "Work schedule",
        kind: Standard,
    },
    StandardAttribute {
        key: "fix_salary",
        label: "Fix salary",
        kind: Decimal,
    },
    StandardAttribute {
        key: "fix_salary_interval",
        label: "Salary interval",
        kind: Standard,
    },
    StandardAttribute {
        key: "hourly_salary",
        label: "Hourly salary",
        kind: Decimal,
    },
    StandardAttribute {
        key: "last_working_day",
        label: "Last day of work",
        kind: Date,
    },
    StandardAttribute {
        key: "profile_picture",
        label: "Profile Picture",
        kind: Standard,
    },
    StandardAttribute {
        key: "team",
        label: "Team",
        kind: Standard,
    },
];

/// The standard attribute with this key.
pub fn standard(key: &str) -> Option<&'static StandardAttribute> {
    STANDARD_ATTRIBUTES.iter().find(|a| a.key == key)
}

/// A custom attribute defined by the company's admin.
#[derive(Debug, Clone)]
pub struct CustomAttributeDef {
    /// The number in `dynamic_<id>`.
    pub id: i64,
    pub key: String,
    pub label: &'static str,
    pub kind: AttributeType,
    /// A semantic id such as `iban`, or none.
    pub universal_id: Option<&'static str>,
    /// Choices of `list` and `tags` attributes.
    pub options: Vec<&'static str>,
}

impl CustomAttributeDef {
    /// The type name v2 uses for this attribute (lowercase, as Personio sends it).
    pub fn v2_type(&self) -> &'static str {
        match self.kind {
            AttributeType::Date => "date",
            AttributeType::Integer => "int",
            AttributeType::Decimal => "double",
            AttributeType::Tags => "string_list",
            _ => "string",
        }
    }
}

/// The custom attributes every generated company has: one of each v1 type and then some.
/// (label, type, universal id, options)
pub(super) const CUSTOM_ATTRIBUTE_TEMPLATES: &[(&str, AttributeType, Option<&str>, &[&str])] = &[
    ("Title", Standard, None, &[]),
    ("IBAN", Standard, Some("iban"), &[]),
    ("Date of birth", Date, Some("date_of_birth"), &[]),
    (
        "T-shirt size",
        AttributeType::List,
        None,
        &["XS", "S", "M", "L", "XL", "XXL"],
    ),
    (
        "Languages",
        AttributeType::Tags,
        None,
        &[
            "English",
            "German",
            "Spanish",
            "French",
            "Polish",
            "Italian",
            "Portuguese",
            "Dutch",
        ],
    ),
    ("Employee number", Integer, None, &[]),
    ("Home office allowance", Decimal, None, &[]),
    ("Notes", AttributeType::Multiline, None, &[]),
    ("LinkedIn profile", AttributeType::Link, None, &[]),
    (
        "Nationality",
        AttributeType::List,
        Some("nationality"),
        &[
            "German",
            "Spanish",
            "British",
            "Polish",
            "French",
            "Italian",
            "Portuguese",
            "Irish",
        ],
    ),
    ("Emergency contact", Standard, None, &[]),
    (
        "Marital status",
        AttributeType::List,
        None,
        &["single", "married", "divorced", "widowed"],
    ),
];

//! Compensations → v2 compensation and compensation type objects.

use personio_api::v2::{
    Amount, Compensation as WireCompensation, CompensationType as WireType, IdRef,
};

use super::v2_timestamp;
use crate::company::{Company, Compensation, CompensationType};

pub(crate) fn compensation_type(t: &CompensationType) -> WireType {
    WireType {
        id: t.id.to_string(),
        name: t.name.clone(),
        category: t.category.as_str().to_owned(),
    }
}

/// A compensation, with the person's legal entity and working hours as they are now.
pub(crate) fn compensation(company: &Company, c: &Compensation) -> WireCompensation {
    let person = company.employee(c.person_id);
    let entity = person.and_then(|p| company.legal_entity(p.legal_entity_id));
    let kind = company
        .compensation_type(c.type_id)
        .map(compensation_type)
        .unwrap_or_else(|| WireType {
            id: c.type_id.to_string(),
            name: String::new(),
            category: String::new(),
        });
    WireCompensation {
        id: c.id.to_string(),
        person: IdRef::new(c.person_id),
        legal_entity: entity.map(|le| IdRef::new(le.id)),
        kind,
        amount: Amount {
            value: c.value,
            currency: c.currency.clone(),
        },
        interval: c.interval.map(|i| i.as_str().to_owned()),
        effective_from: c.effective_from.to_string(),
        comment: c.comment.clone(),
        weekly_working_hours: person.map(|p| p.weekly_hours),
        full_time_weekly_working_hours: entity.map(|le| le.full_time_hours),
        created_at: Some(v2_timestamp(c.created_at)),
    }
}

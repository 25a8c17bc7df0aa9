//! A step of an issue as people read it — on the timeline, on the notices page
//! and in the notices mail: the values it carried, an organisation by its name, a meeting
//! by its day, never an id.

use roundtable_core::workflow::{Field, TransitionFields};
use roundtable_core::{Meeting, OrgId};
use serde::Serialize;

#[derive(Serialize)]
pub struct Detail {
    field: Field,
    value: String,
    /// A value that is a term, not typed text: its locale key, shown in the reader's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    term: Option<String>,
}

/// The values a step carried: an organisation by its name (`org_name`), a meeting (one of
/// `meetings`, the community's) by its day. A value naming something not found is left out.
pub fn details(
    org_name: impl Fn(OrgId) -> Option<String>,
    meetings: &[Meeting],
    fields: &TransitionFields,
) -> Vec<Detail> {
    Field::ALL
        .iter()
        .filter_map(|f| {
            let text = fields.text(*f)?;
            // A closed set's value is shown in the reader's words.
            let term = match f {
                Field::Urgency | Field::WaitingFor => Some(format!("{f}.{text}")),
                _ => None,
            };
            let value = match f {
                Field::ResponsibleOrg => org_name(fields.responsible_org?)?,
                Field::Meeting => {
                    let id = fields.meeting?;
                    meetings.iter().find(|m| m.id == id)?.slot.to_string()
                }
                _ => text,
            };
            Some(Detail { field: *f, value, term })
        })
        .collect()
}

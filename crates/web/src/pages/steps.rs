//! A step of an issue as the pages show it — on the timeline and on the notices
//! page: the values it carried, an organisation by its name, a meeting by its day.

use roundtable_core::Meeting;
use roundtable_core::workflow::{Field, TransitionFields};
use serde::Serialize;

use crate::ops::reference::Names;

#[derive(Serialize)]
pub struct Detail {
    field: Field,
    value: String,
}

/// The values a step carried, as people read them: an organisation by its name, a
/// meeting (one of `meetings`, the community's) by its day — never an id.
pub fn details(names: &Names, meetings: &[Meeting], fields: &TransitionFields) -> Vec<Detail> {
    Field::ALL
        .iter()
        .filter_map(|f| {
            let text = fields.text(*f)?;
            let value = match f {
                Field::ResponsibleOrg => names.org(fields.responsible_org?)?.to_owned(),
                Field::Meeting => {
                    let id = fields.meeting?;
                    meetings.iter().find(|m| m.id == id)?.slot.to_string()
                }
                _ => text,
            };
            Some(Detail { field: *f, value })
        })
        .collect()
}

//! A step of an issue as people read it — on the timeline, on the notices page
//! and in the notices mail: the values it carried, an organisation by its name, a meeting
//! by its day, never an id.

use chrono::NaiveDate;
use roundtable_core::agenda::Reason;
use roundtable_core::notice::MeetingTold;
use roundtable_core::workflow::{Field, TransitionFields};
use roundtable_core::{ItemOutcome, Meeting, OrgId};
use serde::Serialize;

use crate::i18n::Locales;

#[derive(Serialize)]
pub struct Detail {
    field: Field,
    value: String,
    /// A value that is a term, not typed text: its locale key, shown in the reader's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    term: Option<String>,
}

impl Detail {
    /// What a meeting said with its outcome.
    pub fn note(text: String) -> Self {
        Detail { field: Field::Note, value: text, term: None }
    }
}

/// An issue's item on a joint meeting's agenda, as a notice tells it.
pub struct Heard {
    pub told: MeetingTold,
    pub slot: NaiveDate,
    pub reason: Reason,
    pub outcome: Option<ItemOutcome>,
    pub review_on: Option<NaiveDate>,
}

impl Heard {
    /// One line in `lang`: "列入 2026-12-06 联席会议议程 · 承诺逾期" (why it is listed);
    /// with the minutes, "2026-12-06 联席会议纪要已发布 · 形成决定 · 2027-01-03 复议" (what
    /// the meeting did; no outcome: not reached, carried on).
    pub fn line(&self, locales: &Locales, lang: &str) -> String {
        let mut parts = vec![locales.text(lang, &format!("told.{}", self.told), &[("date", self.slot.to_string())])];
        match self.told {
            MeetingTold::Listed => parts.push(locales.text(lang, &format!("doc.reason.{}", self.reason), &[])),
            MeetingTold::Heard => {
                let outcome = self.outcome.map_or("none", |o| o.as_str());
                parts.push(locales.text(lang, &format!("doc.outcome.{outcome}"), &[]));
                if let Some(day) = self.review_on {
                    parts.push(locales.text(lang, "day.review_shown", &[("date", day.to_string())]));
                }
            }
        }
        parts.join(" · ")
    }
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

//! A step of an issue as people read it — on the issue's timeline, on the notices page
//! and in the notices mail: the values it carried, an organisation by its name, a meeting
//! by its day, never an id.

use chrono::{DateTime, NaiveDate, Utc};
use roundtable_core::agenda::Reason;
use roundtable_core::notice::MeetingTold;
use roundtable_core::workflow::{Field, TransitionFields};
use roundtable_core::{ItemOutcome, Meeting, MeetingId, OrgId};
use serde::Serialize;

use crate::i18n::Locales;

#[derive(Serialize, PartialEq)]
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

    /// Why a meeting is off.
    pub fn reason(text: String) -> Self {
        Detail { field: Field::Reason, value: text, term: None }
    }

    /// The date a promise stands at (a reminder's).
    pub fn due_date(day: NaiveDate) -> Self {
        Detail { field: Field::DueDate, value: day.to_string(), term: None }
    }
}

/// How a meeting's notice's words are labelled: why it is off, or what it said.
pub fn told_detail(told: MeetingTold) -> fn(String) -> Detail {
    if told == MeetingTold::Cancelled { Detail::reason } else { Detail::note }
}

/// A meeting's notice in words: the whole `line` for a notice alone; for one of a group,
/// the `head` said once above it and the issue's `own` part.
pub struct HeardLines {
    pub line: String,
    pub head: String,
    pub own: String,
}

/// An issue's item on a joint meeting's agenda, as a notice tells it.
pub struct Heard<'a> {
    pub told: MeetingTold,
    pub slot: NaiveDate,
    pub reason: Reason,
    pub outcome: Option<ItemOutcome>,
    pub review_on: Option<NaiveDate>,
    /// The later date the company asked for that the meeting's decision turned down.
    pub refused_due_date: Option<NaiveDate>,
    /// The company's request to hand the issue back that the meeting's decision turned down.
    pub refused_return: bool,
    /// Listed past the meeting's length: heard if time allows, else at the next meeting.
    pub in_appendix: bool,
    /// Where the meeting is now, unless it is off: its local start ("2026-12-13 14:30")
    /// and place (said of a move: where it is now, after later moves too).
    pub now_at: Option<(String, &'a str)>,
}

impl Heard<'_> {
    /// One line in `lang`: "列入 2026-12-06 联席会议议程 · 承诺逾期" (why it is listed; in
    /// the appendix, that it is heard if time allows);
    /// with the minutes, "2026-12-06 联席会议纪要已发布 · 形成决定 · 2027-01-03 复议" (what
    /// the meeting did; no outcome: not reached, carried on); "2026-12-06 联席会议改期 ·
    /// 现定于 2026-12-13 14:30，社区会议室" (where it is now, unless it is off since);
    /// "2026-12-06 联席会议取消，议题转下次会议".
    pub fn lines(&self, locales: &Locales, lang: &str) -> HeardLines {
        let (head, own) = (self.meeting_line(locales, lang), self.own_line(locales, lang));
        let line = if own.is_empty() { head.clone() } else { format!("{head} · {own}") };
        HeardLines { line, head, own }
    }

    /// What the meeting did, the same for every issue it told at once: "2026-12-06
    /// 联席会议纪要已发布", "2026-12-06 联席会议改期 · 现定于 2026-12-13 14:30，社区会议室".
    fn meeting_line(&self, locales: &Locales, lang: &str) -> String {
        let head = locales.text(lang, &format!("told.{}", self.told), &[("date", self.slot.to_string())]);
        match (&self.told, &self.now_at) {
            (MeetingTold::Moved, Some((when, place))) => {
                let args = [("when", when.clone()), ("place", (*place).to_owned())];
                format!("{head} · {}", locales.text(lang, "told.moved_to", &args))
            }
            _ => head,
        }
    }

    /// What it did with this issue: "承诺逾期 · 列在附录：…", "形成决定 · 不同意延期至
    /// 2026-12-20 · 2027-01-03 复议"; nothing of a move or a cancellation (they are the
    /// meeting's, not the issue's).
    fn own_line(&self, locales: &Locales, lang: &str) -> String {
        let mut parts = Vec::new();
        match self.told {
            MeetingTold::Listed => {
                parts.push(locales.text(lang, &format!("doc.reason.{}", self.reason), &[]));
                if self.in_appendix {
                    parts.push(locales.text(lang, "told.appendix", &[]));
                }
            }
            MeetingTold::Heard => {
                let outcome = self.outcome.map_or("none", |o| o.as_str());
                parts.push(locales.text(lang, &format!("doc.outcome.{outcome}"), &[]));
                if let Some(day) = self.refused_due_date {
                    parts.push(locales.text(lang, "day.refused_shown", &[("date", day.to_string())]));
                }
                if self.refused_return {
                    parts.push(locales.text(lang, "day.refused_return_shown", &[]));
                }
                if let Some(day) = self.review_on {
                    parts.push(locales.text(lang, "day.review_shown", &[("date", day.to_string())]));
                }
            }
            MeetingTold::Moved | MeetingTold::Cancelled => {}
        }
        parts.join(" · ")
    }
}

/// What a meeting told at once: the meeting, what it told, and when (a meeting moved
/// twice tells twice) — the key a meeting's notices are gathered by, as the bell counts.
pub type ToldAt = (MeetingId, MeetingTold, DateTime<Utc>);

/// Notices in the order given, those a meeting gave at once — next to each other, of one
/// meeting, telling the same at one moment (`key`) — gathered into one group; any other
/// notice alone. (The supervisory committee follows dozens of issues: one publication of
/// the minutes is one entry to read, not one per issue.)
pub fn gather<T>(notices: Vec<T>, key: impl Fn(&T) -> Option<ToldAt>) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    for notice in notices {
        let k = key(&notice);
        match groups.last_mut() {
            Some(group) if k.is_some() && key(&group[0]) == k => group.push(notice),
            _ => groups.push(vec![notice]),
        }
    }
    groups
}

/// The words a group's notices all carry alike (why the meeting is off), taken out of each
/// to be said once above them; none when they differ (what it said of each issue).
pub fn said_of_all<'a>(mut each: impl Iterator<Item = &'a mut Vec<Detail>>) -> Vec<Detail> {
    let Some(first) = each.next() else { return Vec::new() };
    let mut rest: Vec<&mut Vec<Detail>> = each.collect();
    if first.is_empty() || rest.iter().any(|d| **d != *first) {
        return Vec::new();
    }
    rest.iter_mut().for_each(|d| d.clear());
    std::mem::take(first)
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

/// How long an open issue has waited in its state for the next party's step, as the pages
/// and the weekly summary say it ("交办 12 天未承诺": the company's), counted in whole days of the community's
/// time. A promise shows its date instead; a closed issue waits for nobody.
#[derive(Clone, Debug, Serialize)]
pub struct Waited {
    key: &'static str,
    days: i64,
}

impl Waited {
    pub fn of(
        state: &roundtable_core::IssueState,
        entered_at: chrono::DateTime<chrono::Utc>,
        tz: chrono_tz::Tz,
        today: NaiveDate,
    ) -> Option<Waited> {
        use roundtable_core::IssueState;
        let key = match state.as_str() {
            IssueState::RAISED => "issues.waiting.raised",
            IssueState::ASSIGNED => "issues.waiting.assigned",
            IssueState::RESOLVED => "issues.waiting.resolved",
            IssueState::PAUSED => "issues.waiting.paused",
            _ => return None,
        };
        let days = (today - entered_at.with_timezone(&tz).date_naive()).num_days();
        (days >= 1).then_some(Waited { key, days })
    }

    /// As said beside the state's own badge (the issue's page, the agenda's standing): a
    /// paused issue reads "暂缓办理 · 已 32 天", not "暂缓办理 · 暂缓 32 天"; the other
    /// states' words say what is awaited, which the state's name does not.
    pub fn beside_state(self) -> Waited {
        match self.key {
            "issues.waiting.paused" => Waited { key: "issues.waiting.paused_beside", ..self },
            _ => self,
        }
    }
}

/// A promise falling due within the week ([`crate::ops::issues::DUE_SOON_DAYS`]), as a
/// list's row says it beside the date: "还剩 3 天", "今天到期" — a company sees what is
/// next before it is late.
#[derive(Clone, Debug, Serialize)]
pub struct DueSoon {
    key: &'static str,
    days: i64,
}

impl DueSoon {
    pub fn of(state: &roundtable_core::IssueState, due: Option<NaiveDate>, today: NaiveDate) -> Option<DueSoon> {
        if *state != roundtable_core::IssueState::COMMITTED {
            return None;
        }
        let days = (due? - today).num_days();
        let key = match days {
            0 => "issues.due_today",
            1.. if days <= i64::from(crate::ops::issues::DUE_SOON_DAYS) => "issues.due_in",
            _ => return None,
        };
        Some(DueSoon { key, days })
    }
}

/// How many days an overdue promise is past its date.
pub fn late_by(overdue: bool, due: Option<NaiveDate>, today: NaiveDate) -> Option<i64> {
    due.filter(|_| overdue).map(|due| (today - due).num_days())
}

#[cfg(test)]
mod tests {
    use super::DueSoon;
    use roundtable_core::IssueState;

    #[test]
    fn a_promise_is_due_soon_from_its_day_to_a_week_before_it() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 26).unwrap();
        let committed = IssueState::new(IssueState::COMMITTED);
        let said = |state: &IssueState, days: i64| {
            DueSoon::of(state, Some(today + chrono::TimeDelta::days(days)), today).map(|d| (d.key, d.days))
        };
        assert_eq!(said(&committed, 0), Some(("issues.due_today", 0)));
        assert_eq!(said(&committed, 1), Some(("issues.due_in", 1)));
        assert_eq!(said(&committed, 7), Some(("issues.due_in", 7)));
        // Further off, or past (the row says how late instead), or no promise standing.
        assert_eq!(said(&committed, 8), None);
        assert_eq!(said(&committed, -1), None);
        assert_eq!(said(&IssueState::new(IssueState::RESOLVED), 3), None);
        assert!(DueSoon::of(&committed, None, today).is_none());
    }
}

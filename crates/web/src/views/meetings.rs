//! What the meeting API sends and accepts: the calendar, the agenda, the meeting-day
//! record and the minutes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use roundtable_core::agenda::{Reason, ScoreRow, Section};
use roundtable_core::{
    AgendaStatus, CorrectionAnswer, ItemOutcome, MeetingStatus, MinutesStage, RevisionStatus, Urgency,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::views::names;

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct MeetingView {
    /// Absent for a meeting the calendar knows but nobody has touched yet.
    pub id: Option<Uuid>,
    /// The first Sunday it stands for.
    pub slot: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    #[schema(value_type = names::MeetingStatusName)]
    pub status: MeetingStatus,
    #[schema(value_type = names::AgendaStatusName)]
    pub agenda_status: AgendaStatus,
    /// Where its minutes stand: `none` before the close, `in_review` while the parties that
    /// attended may ask for corrections (until `review_until`), `draft` after that, then
    /// `published`.
    #[schema(value_type = names::MinutesStageName)]
    pub minutes: MinutesStage,
    /// The review's last day (in the community's time zone), while the minutes are `in_review`.
    pub review_until: Option<NaiveDate>,
    pub announcements: String,
    /// Why the month's meeting is skipped.
    pub skip_reason: Option<String>,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct AgendaItemView {
    pub id: String,
    pub position: i32,
    #[schema(value_type = names::SectionName)]
    pub section: Section,
    #[schema(value_type = names::ReasonName)]
    pub reason: Reason,
    pub issue: Option<Uuid>,
    pub title: String,
    pub minutes: i32,
    pub in_appendix: bool,
    /// Its issue's urgency now (`routine` for an item without an issue).
    #[schema(value_type = names::UrgencyName)]
    pub urgency: Urgency,
    /// Once recorded.
    #[schema(value_type = Option<names::ItemOutcomeName>)]
    pub outcome: Option<ItemOutcome>,
    /// With a decision: the day by which the meeting asked to hear the item again (复议).
    pub review_on: Option<NaiveDate>,
    /// With a decision that turned the company's request for more time down
    /// (`refuse_extension`): the later date it had asked for.
    pub refused_due_date: Option<NaiveDate>,
    /// With a decision that turned the company's request to hand the issue back down
    /// (`refuse_return`; 退回不成立).
    pub refused_return: bool,
    /// With an outcome, its words as recorded (`note`): for secretaries and administrators,
    /// who record them; everyone else reads them in the published minutes (null here).
    pub note: Option<String>,
}

impl AgendaItemView {
    /// Whether its outcome took the issue's steps and stands: no other is recorded over it.
    pub fn outcome_stands(&self) -> bool {
        roundtable_core::meeting::outcome_stands(self.outcome, self.refused_due_date.is_some() || self.refused_return)
    }
}

impl From<roundtable_store::agenda::StoredItem> for AgendaItemView {
    fn from(i: roundtable_store::agenda::StoredItem) -> Self {
        AgendaItemView {
            id: i.id,
            position: i.position,
            section: i.section,
            reason: i.reason,
            issue: i.issue_id.map(|x| x.0),
            title: i.title,
            minutes: i.minutes_allowed,
            in_appendix: i.in_appendix,
            urgency: i.urgency,
            outcome: i.outcome,
            review_on: i.review_on,
            refused_due_date: i.refused_due_date,
            refused_return: i.refused_return,
            // Its words reach others with the minutes (`ops::meetings::detail` adds them
            // for those who record them).
            note: None,
        }
    }
}

/// What a joint meeting told the followers of an issue its agenda listed (a notice's
/// `meeting`).
#[derive(Serialize, ToSchema, Debug)]
pub struct MeetingToldView {
    /// `listed`: the published agenda lists the issue; `heard`: the minutes are published.
    #[schema(value_type = names::MeetingToldName)]
    pub told: roundtable_core::notice::MeetingTold,
    pub meeting: Uuid,
    /// The meeting's day (its month's first Sunday).
    pub slot: NaiveDate,
    /// When and where the meeting is now (what `moved` tells), and whether it is on:
    /// false once it is off (skipped).
    #[serde(serialize_with = "super::instant::rfc3339")]
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
    pub on: bool,
    /// The issue's item on that agenda, as it stands now: why it was listed; what the
    /// meeting did with it (no outcome at a meeting held: not reached, carried on).
    pub item: AgendaItemView,
    /// With `heard`, what the meeting said with its outcome (the minutes are published);
    /// with `cancelled`, why it is off.
    pub note: Option<String>,
}

/// A meeting whose agenda listed an issue, and what that meeting did with it.
#[derive(Serialize, ToSchema, Debug)]
pub struct IssueMeetingView {
    pub meeting: MeetingView,
    /// The issue's item on that agenda: why it was listed (`reason`), and once the meeting
    /// dealt with it, its `outcome` and a decision's `review_on`. A closed meeting's item
    /// without an outcome was not reached and went on to the next agenda.
    pub item: AgendaItemView,
    /// What the meeting said with its outcome (a decision's words, why it deferred): once
    /// the minutes are published, as they may still be corrected before; to secretaries and
    /// administrators at once.
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct AttendanceView {
    pub org: Uuid,
    pub attendees: String,
}

#[derive(Serialize, ToSchema, Debug)]
pub struct MeetingDetail {
    pub meeting: MeetingView,
    /// The agenda: for everyone once published, before that for secretaries and administrators.
    pub items: Option<Vec<AgendaItemView>>,
    /// The property companies compared (once the agenda is published); `null` before.
    /// How each rate is computed: README, "The comparison".
    #[schema(value_type = Option<Vec<ScoreRowSchema>>)]
    pub scorecard: Option<Vec<ScoreRow>>,
    pub attendance: Vec<AttendanceView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// New local date and time, `YYYY-MM-DDTHH:MM[:SS]`.
    #[serde(default, deserialize_with = "crate::views::local_time::optional")]
    #[schema(value_type = Option<String>, example = "2027-02-14T14:30")]
    pub starts_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    /// Skip this month's meeting.
    #[serde(default)]
    pub skip: bool,
    /// Why (shown on the calendar); required when skipping.
    pub reason: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// A topic's title; none with `issue` (its item takes the issue's title).
    #[serde(default)]
    pub title: String,
    /// An open issue of the community to list (raised at the meeting, or since the agenda
    /// went out); once per agenda.
    pub issue: Option<Uuid>,
    /// follow_up, new_issues or other_business; with `issue`, by default new_issues for an
    /// issue nobody has promised anything on yet (raised or assigned), else follow_up.
    #[schema(value_type = Option<names::SectionName>)]
    pub section: Option<Section>,
    #[serde(default = "default_minutes")]
    pub minutes: i32,
}

fn default_minutes() -> i32 {
    5
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaEdit {
    pub announcements: Option<String>,
    /// Items to put first, in this order; the others follow in their order (leaving an
    /// item out does not drop it).
    pub order: Option<Vec<String>>,
    /// Items to remove: not a fixed section's (announcements, comparison, other
    /// business) nor one with a recorded outcome.
    #[serde(default)]
    pub drop: Vec<String>,
    #[serde(default)]
    pub add: Vec<NewItem>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    pub org: Uuid,
    /// Who came, e.g. "李明、王芳".
    pub attendees: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    #[schema(value_type = names::ItemOutcomeName)]
    pub outcome: ItemOutcome,
    pub note: Option<String>,
    /// For a commitment: what the responsible organisation promised…
    pub commitment_text: Option<String>,
    /// …and by when (local date). For an issue committed already (overdue too), the new
    /// due date of an extension, with the reason in `note`.
    pub due_date: Option<NaiveDate>,
    /// For a raised issue: the company that takes it on and commits on the spot. For an
    /// assigned or committed issue, another company than its own: the meeting hands the
    /// issue to it (当场改派; `note` saying why, which the company it leaves is told) and
    /// it commits, `commitment_text` and `due_date` its promise.
    pub responsible_org: Option<Uuid>,
    /// For a decision: the day by which the meeting wants to hear the item again (复议;
    /// after the meeting's day, within a year). The item comes back to the follow-up of the
    /// first agenda on or after it, unless something happens to its issue first.
    pub review_on: Option<NaiveDate>,
    /// For a decision on an issue whose company asked for a later date (申请延期): the
    /// meeting turns the request down, `note` saying why; the commitment keeps its date.
    #[serde(default)]
    pub refuse_extension: bool,
    /// For a decision on an issue whose company asked to hand it back (申请退回): the
    /// meeting finds it the company's own, `note` saying why; it stays assigned to it.
    #[serde(default)]
    pub refuse_return: bool,
}

/// The formats documents come in.
#[derive(Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    /// Print-ready HTML.
    #[default]
    Html,
    /// Markdown.
    Md,
}

impl DocumentFormat {
    pub const ALL: [DocumentFormat; 2] = [DocumentFormat::Html, DocumentFormat::Md];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentFormat::Html => "html",
            DocumentFormat::Md => "md",
        }
    }
}

/// How a document is wanted: its format and the reader's language.
#[derive(Clone, Copy, Debug)]
pub struct Rendering {
    pub format: DocumentFormat,
    pub lang: &'static str,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `html` (default, print-ready) or `md`.
    #[param(value_type = Option<names::DocumentFormat>)]
    pub format: Option<DocumentFormat>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesText {
    /// The secretary's remarks (drafts) or the correction (addenda); up to 10,000 characters.
    pub text: String,
}

/// A correction an organisation that attended asks of the draft minutes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    /// What is recorded wrongly and how it should read; up to 2,000 characters.
    pub text: String,
}

/// The secretary's answer to a correction.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    #[schema(value_type = names::CorrectionAnswerName)]
    pub answer: CorrectionAnswer,
    /// Why, or what was changed; up to 2,000 characters.
    pub reply: Option<String>,
}

/// A correction and its answer.
#[derive(Serialize, ToSchema)]
pub struct CorrectionView {
    pub id: Uuid,
    /// The organisation that asked.
    pub org: Uuid,
    pub org_name: String,
    pub text: String,
    pub asked_at: DateTime<Utc>,
    /// Asked by the caller.
    pub mine: bool,
    /// Null until the secretary answers.
    #[schema(value_type = Option<names::CorrectionAnswerName>)]
    pub answer: Option<CorrectionAnswer>,
    /// The secretary's reply (empty when none).
    pub reply: String,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The parties' review of a closed meeting's draft minutes.
#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    /// The last local day on which corrections may be asked; null where drafts are
    /// not reviewed (`meeting.minutes_review_days = 0`).
    pub last_day: Option<NaiveDate>,
    /// Whether corrections may be asked now (closed, not published, within the review).
    pub open: bool,
    /// Whether the caller may ask one now (open, and an organisation of theirs attended).
    pub may_ask: bool,
    /// Whether the caller may answer (a secretary or administrator, before publication).
    pub may_answer: bool,
    /// Oldest first.
    pub corrections: Vec<CorrectionView>,
}

impl ReviewView {
    /// How many corrections await the secretary's answer.
    pub fn unanswered(&self) -> usize {
        self.corrections.iter().filter(|c| c.answer.is_none()).count()
    }
}

#[derive(Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i32,
    #[schema(value_type = names::RevisionStatusName)]
    pub status: RevisionStatus,
}

/// `n` of `m` (a rate without anything to count has `m` = 0).
#[derive(ToSchema)]
#[allow(dead_code)] // The documented shape of core's `scorecard::Rate`.
pub struct RateSchema {
    pub n: u32,
    pub m: u32,
}

/// One company over one window (core's `scorecard::Window`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WindowSchema {
    /// Issues assigned to the company in the window.
    pub received: u32,
    /// Committed within `commit_within_days` or at the next meeting, to a date within `max_commitment_days`.
    pub response: RateSchema,
    /// Resolved by the due date, of those resolved or fallen due in the window.
    pub resolution: RateSchema,
    /// Rated `scorecard.satisfied_from` or better, of those verified.
    pub satisfaction: RateSchema,
    /// Verified without ever being reopened, of those verified.
    pub first_time: RateSchema,
    pub extended: u32,
    pub reopened: u32,
    /// Its requests to hand an issue back turned down in the window (退回不成立): counted,
    /// not scored.
    pub returns_refused: u32,
    /// The weighted composite, 0–100; `null` with nothing to rate.
    pub score: Option<f64>,
    /// 1 = best; `null` when not ranked.
    pub rank: Option<u32>,
}

/// A company's row of the comparison (core's `scorecard::ScoreRow`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ScoreRowSchema {
    pub org: Uuid,
    /// Since the last meeting.
    pub month: WindowSchema,
    /// The six months before the meeting.
    pub half_year: WindowSchema,
    /// Open commitments past their due date…
    pub overdue: u32,
    /// …of which overdue longer than `scorecard.long_overdue_days`.
    pub long_overdue: u32,
}

//! The meeting's pages: the calendar, a meeting with its agenda (the secretary edits and
//! publishes the draft), the meeting-day screen (attendance, one quick form per item),
//! the minutes (print view; draft, the parties' corrections, publish, addenda) and the
//! company comparison. Each
//! reads and writes through `ops::meetings`.

use roundtable_core::notice::MeetingTold;
use roundtable_store::notices::Seen;
use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use roundtable_core::WorkCalendar;
use roundtable_core::agenda::{Reason, ScoreRow, Section, is_fixed, shown_reason};
use roundtable_core::workdays::DayKind;
use roundtable_core::{
    AgendaStatus, CorrectionAnswer, MeetingId, MeetingStatus, MinutesStage, OrgId, OrgKind, RevisionStatus,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiPath, ApiQuery};
use crate::ops::meetings::calendar::Rescheduled;
use crate::ops::meetings::day::{AtHand, OnTheSpot};
use crate::ops::meetings::{self as ops, agenda, calendar, day, minutes, review};
use crate::ops::reference::{self, Names};
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult, refusal};
use crate::scores::ScoreTable;
use crate::state::AppState;
use crate::views::audit::AuditQuery;
use crate::views::meetings::{
    AgendaEdit, AgendaItemView, AnswerBody, AttendanceBody, CorrectionBody, DocumentFormat, MeetingDetail, MeetingView,
    NewItem, OutcomeBody, Rendering, ScheduleBody,
};

fn local(c: &Caller, at: DateTime<Utc>) -> String {
    at.with_timezone(&c.tz()).format("%Y-%m-%d %H:%M").to_string()
}

/// A meeting as the pages show it: its local time, and where it stands as flags.
#[derive(Serialize)]
pub(crate) struct MeetingShown {
    #[serde(flatten)]
    view: MeetingView,
    starts_local: String,
    /// The local day it is (or was) held, which a moved meeting's slot is not.
    held_on: NaiveDate,
    planned: bool,
    /// Planned, and its day went by without it being opened.
    not_held: bool,
    /// Open, and its day went by without it being closed.
    left_open: bool,
    open: bool,
    /// Open on its own day: the card says the meeting is on now, not "next".
    under_way: bool,
    closed: bool,
    agenda_draft: bool,
    agenda_published: bool,
    /// Its day is a holiday or worked in place of one (see `clash`).
    clash: Option<DayKind>,
}

/// Whether a meeting's day is a public holiday or a Sunday worked in place of one (调休):
/// people are away or at work, so the secretary may want to move it. A skipped month's
/// day is nobody's concern.
pub(crate) fn clash(calendar: &WorkCalendar, day: NaiveDate, status: MeetingStatus) -> Option<DayKind> {
    Some(calendar.kind(day))
        .filter(|k| status != MeetingStatus::Skipped && matches!(k, DayKind::Holiday | DayKind::MakeUpWorkday))
}

impl MeetingShown {
    /// Judged on the caller's today, in the community's time zone, and by the deployment's
    /// working-day calendar.
    pub(crate) fn new(c: &Caller, state: &AppState, view: MeetingView) -> MeetingShown {
        let today = c.now(state).date_naive();
        let held_on = view.starts_at.with_timezone(&c.tz()).date_naive();
        MeetingShown {
            clash: clash(state.calendars().of(c.actor.community), held_on, view.status),
            starts_local: local(c, view.starts_at),
            held_on,
            planned: view.status == MeetingStatus::Planned,
            not_held: view.status == MeetingStatus::Planned && held_on < today,
            left_open: view.status == MeetingStatus::Open && held_on < today,
            open: view.status == MeetingStatus::Open,
            under_way: view.status == MeetingStatus::Open && held_on >= today,
            closed: view.status == MeetingStatus::Closed,
            agenda_draft: view.agenda_status == AgendaStatus::Draft,
            agenda_published: view.agenda_status == AgendaStatus::Published,
            view,
        }
    }
}

/// A month of the calendar.
#[derive(Serialize)]
struct Month {
    month: String,
    slot: NaiveDate,
    starts_local: Option<String>,
    place: Option<String>,
    status: MeetingStatus,
    agenda_status: AgendaStatus,
    /// Where its minutes stand (`MeetingView::minutes`), and the review's last day.
    minutes: MinutesStage,
    review_until: Option<NaiveDate>,
    id: Option<Uuid>,
    past: bool,
    /// Planned, and its day went by without it being opened.
    not_held: bool,
    /// Open, and its day went by without it being closed.
    left_open: bool,
    is_next: bool,
    /// Why it is skipped.
    note: Option<String>,
    /// Its day is a holiday or worked in place of one (see `clash`).
    clash: Option<DayKind>,
}

#[derive(Serialize)]
struct CalendarPage {
    next: Option<MeetingShown>,
    errors: Option<FormErrors>,
    /// The months ahead a secretary may move or skip.
    movable: Vec<Choice>,
    calendar: Vec<Month>,
    meetings: Vec<MeetingShown>,
    /// The meetings as a calendar feed to subscribe to (when public views are on).
    feed: Option<String>,
}

impl Page for CalendarPage {
    const TEMPLATE: &'static str = "meetings";
}

pub async fn list(ctx: Ctx) -> Response {
    let out = list_page(&ctx, StatusCode::OK, None).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    slot: String,
    starts_at: Option<String>,
    place: Option<String>,
    skip: Option<String>,
    reason: Option<String>,
}

/// Moves or skips a month's meeting (the secretary's calendar form).
pub async fn schedule(Posted { ctx, form }: Posted<ScheduleForm>) -> Response {
    let out = async {
        let slot = NaiveDate::parse_from_str(form.slot.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::field("slot", "invalid", "choose a month"))?;
        let starts_at = match filled(&form.starts_at) {
            None => None,
            Some(t) => Some(
                crate::views::local_time::parse(&t)
                    .ok_or_else(|| ApiError::field("starts_at", "invalid", "a date and time"))?,
            ),
        };
        let skip = filled(&form.skip).is_some();
        let body = ScheduleBody { starts_at, place: filled(&form.place), skip, reason: filled(&form.reason) };
        let (_, change) = calendar::schedule(&ctx.state, &ctx.caller()?, slot, body).await?;
        let said = match change {
            Rescheduled::Moved => "meeting_moved",
            Rescheduled::Skipped => "meeting_skipped",
            Rescheduled::Restored => "meeting_restored",
        };
        Ok(Out::Done("/meetings".into(), said))
    }
    .await;
    let out = match out {
        Err(e) => match refusal(&e) {
            Some(status) => list_page(&ctx, status, Some(ctx.form_errors(&e))).await,
            None => Err(e),
        },
        ok => ok,
    };
    ctx.respond(out)
}

/// The year around today: each month's first Sunday, as held, moved, skipped or planned.
async fn list_page(ctx: &Ctx, status: StatusCode, errors: Option<FormErrors>) -> PageResult {
    let caller = ctx.caller()?;
    let state = &ctx.state;
    // The community's meetings, read once for the list, the next meeting and the calendar.
    let records = ops::all(state, &caller).await?;
    let viewer = ops::Viewer::of(state, &caller);
    let next = calendar::next_of(state, &caller, &records);
    let rules = ops::rules(state, &caller);
    let rows: Vec<_> = records.iter().map(|r| r.meeting.clone()).collect();
    let overrides = crate::jobs::agenda::overrides(&rules, &rows);
    let today = caller.now(state).date_naive();
    let start = today.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(5)));
    let months = (0..12).filter_map(|k| {
        let month = start?.checked_add_months(chrono::Months::new(k))?;
        let slot = roundtable_core::meeting::first_sunday(month.year(), month.month())?;
        let held = records.iter().find(|r| r.meeting.slot == slot);
        let shown = held.map(|r| viewer.view(r));
        let planned = rules.occurrence(&overrides, slot);
        let status = held.map_or(MeetingStatus::Planned, |r| r.meeting.status);
        let day = held
            .map(|r| r.meeting.starts_at.with_timezone(&caller.tz()).date_naive())
            .or_else(|| planned.as_ref().map(|o| o.starts_at.date_naive()));
        Some(Month {
            month: format!("{}-{:02}", month.year(), month.month()),
            slot,
            starts_local: held
                .map(|r| local(&caller, r.meeting.starts_at))
                .or_else(|| planned.as_ref().map(|o| o.starts_at.format("%Y-%m-%d %H:%M").to_string())),
            place: held.map(|r| r.meeting.place.clone()).or_else(|| planned.map(|o| o.place)),
            status,
            agenda_status: held.map_or(AgendaStatus::None, |r| r.agenda_status),
            minutes: shown.as_ref().map_or(MinutesStage::NotYet, |v| v.minutes),
            review_until: shown.as_ref().and_then(|v| v.review_until),
            id: held.map(|r| r.meeting.id.0),
            past: slot < today,
            not_held: status == MeetingStatus::Planned && day.is_some_and(|d| d < today),
            left_open: status == MeetingStatus::Open && day.is_some_and(|d| d < today),
            is_next: next.as_ref().is_some_and(|n| n.slot == slot),
            clash: day.and_then(|d| clash(state.calendars().of(caller.actor.community), d, status)),
            note: held
                .filter(|r| r.meeting.status == MeetingStatus::Skipped)
                .and_then(|r| r.meeting.skip_reason.clone()),
        })
    });
    let calendar: Vec<Month> = months.collect();
    // This month's too when its day went by unheld: it may still be held later this month
    // (what "the meeting's day is over: move the meeting first" asks for).
    let this_month = today.with_day(1).unwrap_or(today);
    let movable = calendar
        .iter()
        .filter(|m| m.slot >= this_month && matches!(m.status, MeetingStatus::Planned | MeetingStatus::Skipped))
        .map(|m| Choice::new(m.slot, m.month.clone(), false))
        .collect();
    Out::status(
        status,
        CalendarPage {
            next: next.map(|n| MeetingShown::new(&caller, state, n)),
            errors,
            movable,
            calendar,
            meetings: records.iter().map(|r| MeetingShown::new(&caller, state, viewer.view(r))).collect(),
            feed: ctx
                .state
                .config
                .public
                .enabled
                .then(|| format!("/communities/{}/meetings.ics", caller.actor.community)),
        },
    )
}

pub async fn build(ApiPath(slot): ApiPath<NaiveDate>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        let view = agenda::build(&ctx.state, &ctx.caller()?, slot).await?;
        let id = view.id.ok_or_else(|| ApiError::Internal("a built meeting has an id".into()))?;
        Ok(Out::Done(format!("/meetings/{id}"), "agenda_built"))
    }
    .await;
    ctx.respond(out)
}

/// An agenda item with the words shown beside its section.
#[derive(Serialize)]
struct Reasoned {
    #[serde(flatten)]
    item: AgendaItemView,
    /// Why it is on the agenda, unless that only repeats the section's name.
    reason_shown: Option<Reason>,
}

impl From<AgendaItemView> for Reasoned {
    fn from(item: AgendaItemView) -> Self {
        Reasoned { reason_shown: shown_reason(item.section, item.reason), item }
    }
}

/// An agenda item as the meeting page and the day screen show it.
#[derive(Serialize)]
struct ItemShown {
    #[serde(flatten)]
    item: Reasoned,
    /// What a commitment recorded on it does, if one can be.
    on_the_spot: Option<OnTheSpot>,
    /// Another company can take it on and commit at the meeting (the day screen's).
    hands_on: bool,
    /// Its issue as it stands (the day screen's).
    standing: Option<Standing>,
    /// A fixed section's item or one with an outcome: it cannot be dropped.
    locked: bool,
    /// Its outcome took the issue's steps: the day screen offers no other.
    outcome_stands: bool,
    /// What its outcome form held when it was refused, to be mended rather than typed again.
    typed: Option<OutcomeForm>,
    /// What the form handing it to another company held when it was refused.
    typed_hand_on: Option<OutcomeForm>,
    /// Unticked in a refused agenda editor.
    unticked: bool,
    /// Its position as a refused agenda editor held it.
    typed_position: Option<String>,
}

/// What the pages say of an agenda item's issue as it stands: where, whose, what was
/// promised and by when, how late, how often the date moved, who backs it — as the
/// printed agenda says it to its readers. The day screen adds what was raised and what
/// the company asks, so that the secretary holds it to its words without leaving it.
#[derive(Serialize)]
struct Standing {
    state: roundtable_core::IssueState,
    compound: Option<String>,
    org: Option<String>,
    /// Whose it is: the company not offered to take it on from itself.
    org_id: Option<OrgId>,
    promise: Option<String>,
    due_date: Option<NaiveDate>,
    overdue_days: Option<i64>,
    /// How long it has waited in its state for the next party's step ("交办 70 天未承诺").
    waited: Option<crate::steps::Waited>,
    extensions: u32,
    support: u32,
    /// The company's pending request for a later date (申请延期), for the meeting to decide
    /// (the day screen's).
    asks: Option<Asked>,
    /// What was raised (the day screen's).
    description: Option<String>,
    /// What the company last reported on the way, and the day (进展).
    progress: Option<Reported>,
    /// The company's request to hand the issue back (申请退回): for the meeting to decide.
    returning: Option<Reported>,
}

/// A report on the way (进展) as the agenda's pages show it.
#[derive(Serialize)]
struct Reported {
    note: String,
    on: NaiveDate,
}

#[derive(Serialize)]
struct Asked {
    due_date: NaiveDate,
    reason: String,
    /// The date asked for is past by the meeting (asked long before, the meeting moved):
    /// not offered as the new date, which must be later than today.
    passed: bool,
}

impl Standing {
    fn of(hand: &AtHand, names: &Names, tz: chrono_tz::Tz, today: NaiveDate, day: bool) -> Standing {
        let issue = &hand.issue;
        let commitment = issue.commitment.as_ref();
        Standing {
            waited: crate::steps::Waited::of(&issue.state, issue.state_entered_at, tz, today)
                .map(crate::steps::Waited::beside_state),
            state: issue.state.clone(),
            compound: names.compound(issue.compound).map(str::to_owned),
            org: issue.responsible_org.and_then(|o| names.org(o)).map(str::to_owned),
            org_id: issue.responsible_org,
            promise: commitment.map(|c| c.text.clone()),
            due_date: commitment.map(|c| c.due_date),
            overdue_days: crate::steps::late_by(
                crate::views::is_overdue(issue, today),
                commitment.map(|c| c.due_date),
                today,
            ),
            extensions: issue.extension_count,
            support: issue.support_count,
            asks: issue.extension_request.as_ref().filter(|_| day).map(|r| Asked {
                due_date: r.due_date,
                reason: r.reason.clone(),
                passed: r.due_date < today,
            }),
            description: Some(issue.description.clone()).filter(|d| day && !d.is_empty()),
            returning: issue
                .return_request
                .as_ref()
                .map(|r| Reported { note: r.reason.clone(), on: r.at.with_timezone(&tz).date_naive() }),
            progress: hand
                .progress
                .as_ref()
                .map(|(at, note)| Reported { note: note.clone(), on: at.with_timezone(&tz).date_naive() }),
        }
    }
}

/// The agenda's items, each issue of `at_hand` as it stands (all `day` screen says, with it).
fn items_shown(
    detail: &MeetingDetail,
    at_hand: &HashMap<Uuid, AtHand>,
    names: &Names,
    tz: chrono_tz::Tz,
    today: NaiveDate,
    day: bool,
) -> Vec<ItemShown> {
    let items = detail.items.iter().flatten().cloned();
    items
        .map(|item| {
            let hand = item.issue.and_then(|x| at_hand.get(&x));
            ItemShown {
                on_the_spot: hand.and_then(|h| h.on_the_spot),
                hands_on: hand.is_some_and(|h| h.hands_on),
                standing: hand.map(|h| Standing::of(h, names, tz, today, day)),
                locked: is_fixed(item.section, item.reason) || item.outcome.is_some(),
                outcome_stands: item.outcome_stands(),
                typed: None,
                typed_hand_on: None,
                unticked: false,
                typed_position: None,
                item: item.into(),
            }
        })
        .collect()
}

/// The comparison with the companies' names; absent rows show as an empty table.
fn scorecard_table(ctx: &Ctx, caller: &Caller, names: &Names, rows: Option<Vec<ScoreRow>>) -> Option<ScoreTable> {
    let name = |o: OrgId| names.org(o).map_or_else(|| o.to_string(), str::to_owned);
    rows.map(|rows| ScoreTable::new(&rows, &name, &ctx.state.config.agenda_config(&caller.community)))
}

/// Who an organisation sent (`None`: nobody recorded yet).
#[derive(Serialize)]
struct Attended {
    org: OrgId,
    name: String,
    attendees: Option<String>,
    /// Who it sent to the last meeting, shown as the empty field's hint.
    last: Option<String>,
}

/// Who each organisation sent, as recorded — or as typed into a refused attendance form
/// (`attendees_<org>`; an empty field there left the record as it was).
fn attendance(
    names: &Names,
    detail: &MeetingDetail,
    typed: &[(String, String)],
    last: &[(OrgId, String)],
) -> Vec<Attended> {
    let typed = |org: OrgId| {
        let key = format!("attendees_{org}");
        typed.iter().find(|(k, v)| *k == key && !roundtable_core::text::is_blank(v)).map(|(_, v)| v.clone())
    };
    names
        .orgs
        .iter()
        .filter(|(_, _, k)| !matches!(k, OrgKind::Unit))
        .map(|(id, name, _)| Attended {
            org: *id,
            name: name.clone(),
            attendees: typed(*id)
                .or_else(|| detail.attendance.iter().find(|a| a.org == id.0).map(|a| a.attendees.clone())),
            last: last.iter().find(|(o, _)| o == id).map(|(_, who)| who.clone()),
        })
        .collect()
}

async fn detail(ctx: &Ctx, id: MeetingId) -> Result<(Caller, MeetingDetail, Names), ApiError> {
    let caller = ctx.caller()?;
    let detail = ops::detail(&ctx.state, &caller, id).await?;
    Ok((caller, detail, reference::names(&ctx.state, &ctx.caller()?).await?))
}

#[derive(Serialize)]
struct MeetingPage {
    meeting: MeetingShown,
    items: Vec<ItemShown>,
    has_agenda: bool,
    /// The draft's editor, for those who run the meeting.
    editable: bool,
    /// Publish, rebuild or open: a planned meeting with an agenda, for those who run it.
    actions: bool,
    /// Issues raised or changed since the draft that it lacks (for those who run it).
    late: Vec<Reasoned>,
    late_count: usize,
    scorecard: Option<ScoreTable>,
    attendance: Vec<Attended>,
    sections: [Section; 3],
    /// The editor's new item as a refused editor held it (all absent otherwise).
    new_item: TypedItem,
    errors: Option<FormErrors>,
    /// What was done to the meeting, newest first (for those who run it).
    history: Option<Vec<crate::pages::history::HistoryLine>>,
}

impl Page for MeetingPage {
    const TEMPLATE: &'static str = "meeting";
}

#[derive(Serialize, Default)]
struct TypedItem {
    title: Option<String>,
    section: Option<String>,
    minutes: Option<String>,
}

/// `typed`: what a refused agenda editor held (`edit`'s fields), shown again as it was
/// sent — the announcements, the items unticked and their positions, the new item.
async fn meeting_page(
    ctx: &Ctx,
    id: MeetingId,
    status: StatusCode,
    errors: Option<FormErrors>,
    typed: &[(String, String)],
) -> PageResult {
    let (caller, detail, names) = detail(ctx, id).await?;
    let field = |name: &str| typed.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let listed = day::listed(&ctx.state, &caller, &detail).await?;
    let mut items = items_shown(&detail, &listed, &names, caller.tz(), caller.now(&ctx.state).date_naive(), false);
    if !typed.is_empty() {
        for item in &mut items {
            let id = item.item.item.id.as_str();
            item.unticked = !typed.iter().any(|(k, _)| k.strip_prefix("keep_") == Some(id));
            item.typed_position = field(&format!("pos_{id}"));
        }
    }
    let late = if ops::manages(&caller) { agenda::late(&ctx.state, &caller, id).await? } else { Vec::new() };
    let mut attendance = attendance(&names, &detail, &[], &[]);
    attendance.retain(|a| a.attendees.is_some());
    let manages = ops::manages(&caller);
    // What was done to the meeting, and by whom: for those who run it (as the API).
    let history = if manages {
        let query = AuditQuery { subject_id: Some(id.to_string()), ..AuditQuery::default() };
        Some(crate::pages::history::lines(&ctx.state, &caller, query, ctx.viewer.lang).await?)
    } else {
        None
    };
    // A draft, or an open meeting's agenda (it gains items and is reordered there).
    let editable = manages
        && (detail.meeting.agenda_status == AgendaStatus::Draft || detail.meeting.status == MeetingStatus::Open);
    let actions = manages
        && detail.meeting.status == MeetingStatus::Planned
        && detail.meeting.agenda_status != AgendaStatus::None;
    let mut meeting = MeetingShown::new(&caller, &ctx.state, detail.meeting);
    if let Some(announcements) = field("announcements") {
        meeting.view.announcements = announcements;
    }
    Out::status(
        status,
        MeetingPage {
            items,
            has_agenda: detail.items.is_some(),
            editable,
            actions,
            late_count: late.len(),
            late: late.into_iter().map(Reasoned::from).collect(),
            scorecard: scorecard_table(ctx, &caller, &names, detail.scorecard),
            attendance,
            sections: [Section::FollowUp, Section::NewIssues, Section::OtherBusiness],
            new_item: TypedItem {
                title: field("new_title"),
                section: field("new_section"),
                minutes: field("new_minutes"),
            },
            errors,
            history,
            meeting,
        },
    )
}

pub async fn show(mut ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = meeting_page(&ctx, MeetingId(id), StatusCode::OK, None, &[]).await;
    // Its agenda read: the notices that it lists the viewer's issues, or that it moved or
    // is off, are read.
    if out.is_ok() {
        ctx.seen(Seen::Meeting(MeetingId(id), &[MeetingTold::Listed, MeetingTold::Moved, MeetingTold::Cancelled]))
            .await;
    }
    ctx.respond(out)
}

/// The page a form of a meeting was sent from, to show again if it is refused.
enum Back {
    /// The meeting's page, with what its refused agenda editor held (nothing for a button).
    Meeting(Vec<(String, String)>),
    /// The meeting-day screen, with what its refused form held (boxed: the outcome form's
    /// fields are many).
    Day(Box<Typed>),
}

/// What a refused form of the meeting-day screen held: at the meeting, a commitment typed
/// while the company's representative dictates it must not have to be typed again.
#[derive(Default)]
struct Typed {
    /// The attendance form's fields.
    attendance: Vec<(String, String)>,
    /// One item's outcome form: which item, and its fields.
    outcome: Option<(String, OutcomeForm)>,
}

/// Passes a form's result on; a refused form (422, 409) shows its page again with the
/// errors, anything else fails.
async fn again(ctx: &Ctx, id: MeetingId, out: PageResult, back: Back) -> PageResult {
    let Err(e) = out else { return out };
    let Some(status) = refusal(&e) else { return Err(e) };
    let errors = Some(ctx.form_errors(&e));
    match back {
        Back::Meeting(typed) => meeting_page(ctx, id, status, errors, &typed).await,
        Back::Day(typed) => day_page(ctx, id, status, errors, *typed).await,
    }
}

/// The agenda editor: announcements, which items stay (`keep_<id>`) in which order
/// (`pos_<id>`), and one new item.
pub async fn edit(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let id = MeetingId(id);
    let out = async {
        let caller = ctx.caller()?;
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned());
        // Every item has its position field; the unticked ones are dropped, explicitly.
        let mut kept: Vec<(f64, usize, String)> = Vec::new();
        let mut drop = Vec::new();
        for (n, (k, v)) in form.iter().enumerate() {
            if let Some(item) = k.strip_prefix("pos_") {
                if form.iter().any(|(k, _)| k.strip_prefix("keep_") == Some(item)) {
                    kept.push((v.trim().parse().unwrap_or(f64::MAX), n, item.to_owned()));
                } else {
                    drop.push(item.to_owned());
                }
            }
        }
        kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut add = Vec::new();
        if let Some(title) = field("new_title").filter(|t| !t.is_empty()) {
            let minutes = match field("new_minutes").filter(|m| !m.is_empty()) {
                None => 5,
                Some(m) => m.parse().map_err(|_| ApiError::out_of_range("add[0].minutes", 1, 120))?,
            };
            let section = field("new_section")
                .unwrap_or_default()
                .parse()
                .map_err(|_| ApiError::field("add[0].section", "invalid", "follow_up, new_issues or other_business"))?;
            add.push(NewItem { title, issue: None, section: Some(section), minutes });
        }
        let body = AgendaEdit {
            announcements: field("announcements"),
            order: Some(kept.into_iter().map(|(_, _, id)| id).collect()),
            drop,
            add,
        };
        agenda::edit(&ctx.state, &caller, id, body).await?;
        Ok(Out::Done(format!("/meetings/{id}"), "agenda_saved"))
    }
    .await;
    let out = again(&ctx, id, out, Back::Meeting(form)).await;
    ctx.respond(out)
}

/// The secretary's one-button actions on a meeting.
macro_rules! action {
    ($name:ident, $op:path, $done:literal, $to:literal) => {
        pub async fn $name(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
            let id = MeetingId(id);
            let out = async {
                $op(&ctx.state, &ctx.caller()?, id).await?;
                Ok(Out::Done(format!($to, id = id), $done))
            }
            .await;
            let out = again(&ctx, id, out, Back::Meeting(Vec::new())).await;
            ctx.respond(out)
        }
    };
}

action!(publish, agenda::publish, "agenda_published", "/meetings/{id}");
action!(rebuild, agenda::rebuild, "agenda_rebuilt", "/meetings/{id}");
action!(add_late, agenda::add_late, "late_added", "/meetings/{id}");
action!(open, day::open, "meeting_opened", "/meetings/{id}/day");
action!(close, day::close, "meeting_closed", "/meetings/{id}/minutes");

/// Documents for print: HTML in the viewer's language.
fn print(ctx: &Ctx) -> Rendering {
    Rendering { format: DocumentFormat::Html, lang: ctx.viewer.lang }
}

/// The agenda and minutes documents, as the API renders them for print.
pub async fn agenda_print(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = async {
        let html = agenda::document(&ctx.state, &ctx.caller()?, MeetingId(id), print(&ctx)).await?;
        Ok(Out::Raw(crate::api::meetings::document(html, DocumentFormat::Html)))
    }
    .await;
    ctx.respond(out)
}

pub async fn minutes_print(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = async {
        let html = minutes::document(&ctx.state, &ctx.caller()?, MeetingId(id), print(&ctx)).await?;
        Ok(Out::Raw(crate::api::meetings::document(html, DocumentFormat::Html)))
    }
    .await;
    ctx.respond(out)
}

/// How far the meeting has got: items with an outcome, and their minutes against the plan.
#[derive(Serialize)]
struct Progress {
    done: usize,
    total: usize,
    used: i32,
    planned: i32,
}

impl Progress {
    fn of(items: &[ItemShown]) -> Progress {
        let done: Vec<&AgendaItemView> = items.iter().map(|i| &i.item.item).filter(|i| i.outcome.is_some()).collect();
        Progress {
            done: done.len(),
            total: items.len(),
            // The time the items dealt with were given, against the meeting's plan (the
            // appendix is beyond it).
            used: done.iter().map(|i| i.minutes).sum(),
            planned: items.iter().map(|i| &i.item.item).filter(|i| !i.in_appendix).map(|i| i.minutes).sum(),
        }
    }
}

#[derive(Serialize)]
struct DayPage {
    meeting: MeetingShown,
    progress: Progress,
    items: Vec<ItemShown>,
    attendance: Vec<Attended>,
    /// Who can take on a raised issue on the spot.
    companies: Vec<Choice>,
    today: NaiveDate,
    /// The days a decision may set to hear its item again (复议).
    review_from: NaiveDate,
    review_to: NaiveDate,
    errors: Option<FormErrors>,
}

impl Page for DayPage {
    const TEMPLATE: &'static str = "day";
}

async fn day_page(
    ctx: &Ctx,
    id: MeetingId,
    status: StatusCode,
    mut errors: Option<FormErrors>,
    typed: Typed,
) -> PageResult {
    let (caller, detail, names) = detail(ctx, id).await?;
    let at_hand = day::at_hand(&ctx.state, &caller, &detail).await?;
    let last = day::last_attendance(&ctx.state, &caller, &detail).await?;
    let today = caller.now(&ctx.state).date_naive();
    let mut items = items_shown(&detail, &at_hand, &names, caller.tz(), today, true);
    if let Some((refused, form)) = typed.outcome
        && let Some(item) = items.iter_mut().find(|i| i.item.item.id == refused)
    {
        // A company named on an issue that has one was the form handing it on.
        if item.hands_on && form.responsible_org.as_deref().is_some_and(|o| !o.is_empty()) {
            item.typed_hand_on = Some(form);
            // The note is the hand-over's reason (the workflow's `reason`): named as asked.
            if let Some(errors) = errors.as_mut() {
                errors.relabel(&["reason", "note"], &ctx.t("day.hand_on_reason_label"));
            }
        } else {
            item.typed = Some(form);
        }
    }
    let review =
        roundtable_core::agenda::review_days(detail.meeting.starts_at.with_timezone(&caller.tz()).date_naive());
    Out::status(
        status,
        DayPage {
            review_from: *review.start(),
            review_to: *review.end(),
            progress: Progress::of(&items),
            items,
            attendance: attendance(&names, &detail, &typed.attendance, &last),
            companies: names.responsible().map(|(id, n)| Choice::new(id.to_string(), n.to_owned(), false)).collect(),
            today,
            errors,
            meeting: MeetingShown::new(&caller, &ctx.state, detail.meeting),
        },
    )
}

pub async fn day(ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = day_page(&ctx, MeetingId(id), StatusCode::OK, None, Typed::default()).await;
    ctx.respond(out)
}

/// Who came, for every expected organisation in one form (`attendees_<org>`); an empty
/// field leaves that organisation as it was.
pub async fn attendance_form(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let id = MeetingId(id);
    let out = async {
        let caller = ctx.caller()?;
        for (key, value) in &form {
            let Some(org) = key.strip_prefix("attendees_") else { continue };
            if roundtable_core::text::is_blank(value) {
                continue;
            }
            let org = org.parse().map_err(|_| ApiError::field("org", "invalid", "choose an organisation"))?;
            let body = AttendanceBody { org, attendees: value.clone() };
            day::attendance(&ctx.state, &caller, id, body).await?;
        }
        Ok(Out::Done(format!("/meetings/{id}/day"), "attendance_saved"))
    }
    .await;
    let out = again(&ctx, id, out, Back::Day(Box::new(Typed { attendance: form, outcome: None }))).await;
    ctx.respond(out)
}

#[derive(Deserialize, Serialize)]
pub struct OutcomeForm {
    #[serde(default)]
    outcome: String,
    note: Option<String>,
    commitment_text: Option<String>,
    due_date: Option<String>,
    responsible_org: Option<String>,
    review_on: Option<String>,
    /// The refusal's form: a decision turning the company's request down.
    refuse_extension: Option<String>,
    /// The refusal's form for a request to hand the issue back.
    refuse_return: Option<String>,
}

pub async fn outcome(
    ApiPath((id, item)): ApiPath<(Uuid, String)>,
    Posted { ctx, form }: Posted<OutcomeForm>,
) -> Response {
    let id = MeetingId(id);
    let out = async {
        let mut errors = Vec::new();
        let due_date = crate::pages::forms::dated("due_date", &form.due_date, &mut errors);
        let review_on = crate::pages::forms::dated("review_on", &form.review_on, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let outcome = form
            .outcome
            .parse()
            .map_err(|e: roundtable_core::UnknownName| ApiError::field("outcome", "invalid", e.to_string()))?;
        let responsible_org = match filled(&form.responsible_org) {
            None => None,
            Some(o) => Some(o.parse().map_err(|_| ApiError::field("responsible_org", "invalid", "choose a company"))?),
        };
        let body = OutcomeBody {
            outcome,
            note: filled(&form.note),
            commitment_text: filled(&form.commitment_text),
            due_date,
            responsible_org,
            review_on,
            refuse_extension: filled(&form.refuse_extension).is_some(),
            refuse_return: filled(&form.refuse_return).is_some(),
        };
        day::outcome(&ctx.state, &ctx.caller()?, id, item.clone(), body).await?;
        // Back at the item (an id the meeting has: it was found), the next one below it: the
        // chair goes down a long agenda on a phone without scrolling from the top each time.
        Ok(Out::Done(format!("/meetings/{id}/day#item-{item}"), "outcome_recorded"))
    }
    .await;
    let out =
        again(&ctx, id, out, Back::Day(Box::new(Typed { attendance: Vec::new(), outcome: Some((item, form)) }))).await;
    ctx.respond(out)
}

#[derive(Serialize)]
struct RevisionShown {
    revision: i32,
    status: RevisionStatus,
    at: String,
}

/// What the secretary works with on the minutes page; absent for everyone else.
#[derive(Serialize)]
struct MinutesDesk {
    /// The last draft's remarks, to amend.
    remarks: Option<String>,
    revisions: Vec<RevisionShown>,
}

/// A correction as the minutes page lists it.
#[derive(Serialize)]
struct CorrectionShown {
    id: Uuid,
    org_name: String,
    text: String,
    at: String,
    mine: bool,
    answer: Option<CorrectionAnswer>,
    reply: String,
}

/// The parties' review of the draft, for the secretary and the organisations that attended.
#[derive(Serialize)]
struct ReviewShown {
    /// The review's last day, local.
    last_day: Option<NaiveDate>,
    open: bool,
    may_ask: bool,
    may_answer: bool,
    /// How many were asked, and how many of them await an answer.
    asked: usize,
    unanswered: usize,
    corrections: Vec<CorrectionShown>,
    /// What the asker typed, shown again after a refusal.
    typed: Option<String>,
}

#[derive(Serialize)]
struct MinutesPage {
    meeting: MeetingShown,
    closed: bool,
    /// The minutes themselves, rendered HTML, for those who may read them.
    document: Option<String>,
    published: bool,
    desk: Option<MinutesDesk>,
    review: Option<ReviewShown>,
    errors: Option<FormErrors>,
}

impl Page for MinutesPage {
    const TEMPLATE: &'static str = "minutes";
}

async fn minutes_page(
    ctx: &Ctx,
    id: MeetingId,
    status: StatusCode,
    errors: Option<FormErrors>,
    typed: Option<String>,
) -> PageResult {
    let caller = ctx.caller()?;
    // The meeting is read once for the page, its revisions, its review and the minutes' body.
    let record = ops::record(&ctx.state, &caller, id).await?;
    let view = ops::view(&ctx.state, &caller, &record);
    let revisions = minutes::revisions_of(&ctx.state, &caller, &record).await?;
    let manages = ops::manages(&caller);
    let published = record.minutes_published;
    let closed = view.status == MeetingStatus::Closed;
    let standing = review::Standing::of(&ctx.state, &caller, record.clone()).await?;
    let review = match closed && standing.reads(&caller) {
        true => {
            let r = review::review_of(&ctx.state, &caller, &standing).await?;
            Some(ReviewShown {
                last_day: r.last_day,
                open: r.open,
                may_ask: r.may_ask,
                may_answer: r.may_answer,
                asked: r.corrections.len(),
                unanswered: r.unanswered(),
                corrections: r
                    .corrections
                    .into_iter()
                    .map(|c| CorrectionShown {
                        id: c.id,
                        org_name: c.org_name,
                        text: c.text,
                        at: local(&caller, c.asked_at),
                        mine: c.mine,
                        answer: c.answer,
                        reply: c.reply,
                    })
                    .collect(),
                typed,
            })
        }
        false => None,
    };
    let desk = (manages && closed).then(|| MinutesDesk {
        remarks: revisions.iter().rev().find(|r| r.status == RevisionStatus::Draft).map(|r| r.body.clone()),
        revisions: revisions
            .iter()
            .map(|r| RevisionShown { revision: r.revision, status: r.status, at: local(&caller, r.created_at) })
            .collect(),
    });
    let document = match closed && (published || standing.reads(&caller)) {
        true => Some(minutes::body(&ctx.state, &caller, record, ctx.viewer.lang).await?),
        false => None,
    };
    Out::status(
        status,
        MinutesPage {
            closed,
            document,
            published,
            desk,
            review,
            errors,
            meeting: MeetingShown::new(&caller, &ctx.state, view),
        },
    )
}

pub async fn minutes_show(mut ctx: Ctx, ApiPath(id): ApiPath<Uuid>) -> Response {
    let out = minutes_page(&ctx, MeetingId(id), StatusCode::OK, None, None).await;
    // The minutes read: the notices that they are published are read.
    if out.is_ok() {
        ctx.seen(Seen::Meeting(MeetingId(id), &[MeetingTold::Heard])).await;
    }
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

async fn write_minutes(ctx: &Ctx, id: MeetingId, text: &str, addendum: bool) -> PageResult {
    let caller = ctx.caller()?;
    let saved = if addendum {
        minutes::addendum(&ctx.state, &caller, id, text).await
    } else {
        minutes::amend(&ctx.state, &caller, id, text).await
    };
    match saved {
        Ok(_) => {
            Ok(Out::Done(format!("/meetings/{id}/minutes"), if addendum { "addendum_added" } else { "minutes_saved" }))
        }
        Err(e) => match refusal(&e) {
            Some(status) => minutes_page(ctx, id, status, Some(ctx.form_errors(&e)), None).await,
            None => Err(e),
        },
    }
}

/// Shows a refused minutes form's page again with its errors (and what was typed).
async fn minutes_again(ctx: &Ctx, id: MeetingId, out: PageResult, typed: Option<String>) -> PageResult {
    let Err(e) = out else { return out };
    let Some(status) = refusal(&e) else { return Err(e) };
    minutes_page(ctx, id, status, Some(ctx.form_errors(&e)), typed).await
}

/// Publishes the minutes; refused (every correction not yet answered, say) back on the
/// minutes page, where the reason is.
pub async fn publish_minutes(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let id = MeetingId(id);
    let out = async {
        minutes::publish(&ctx.state, &ctx.caller()?, id).await?;
        Ok(Out::Done(format!("/meetings/{id}/minutes"), "minutes_published"))
    }
    .await;
    let out = minutes_again(&ctx, id, out, None).await;
    ctx.respond(out)
}

/// An attending organisation's correction to the draft.
pub async fn ask_correction(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<TextForm>) -> Response {
    let id = MeetingId(id);
    let out = async {
        review::ask(&ctx.state, &ctx.caller()?, id, CorrectionBody { text: form.text.clone() }).await?;
        Ok(Out::Done(format!("/meetings/{id}/minutes#review"), "correction_asked"))
    }
    .await;
    let out = minutes_again(&ctx, id, out, Some(form.text)).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reply: String,
}

/// The secretary's answer to a correction.
pub async fn answer_correction(
    ApiPath((id, correction)): ApiPath<(Uuid, Uuid)>,
    Posted { ctx, form }: Posted<AnswerForm>,
) -> Response {
    let id = MeetingId(id);
    let out = async {
        let answer = form
            .answer
            .parse()
            .map_err(|e: roundtable_core::UnknownName| ApiError::field("answer", "invalid", e.to_string()))?;
        let body = AnswerBody { answer, reply: Some(form.reply) };
        review::answer(&ctx.state, &ctx.caller()?, id, correction, body).await?;
        Ok(Out::Done(format!("/meetings/{id}/minutes#review"), "correction_answered"))
    }
    .await;
    let out = minutes_again(&ctx, id, out, None).await;
    ctx.respond(out)
}

pub async fn amend_minutes(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<TextForm>) -> Response {
    let out = write_minutes(&ctx, MeetingId(id), &form.text, false).await;
    ctx.respond(out)
}

pub async fn addendum(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<TextForm>) -> Response {
    let out = write_minutes(&ctx, MeetingId(id), &form.text, true).await;
    ctx.respond(out)
}

#[derive(Deserialize)]
pub struct MonthQuery {
    meeting: Option<String>,
}

#[derive(Serialize)]
struct MonthChoice {
    /// Empty for "so far this month".
    id: Option<Uuid>,
    month: Option<String>,
    live: bool,
    selected: bool,
}

#[derive(Serialize)]
struct ScorecardPage {
    table: Option<ScoreTable>,
    /// Each company's on-time rate over the year, and the month-by-month flow.
    trends: crate::ops::trends::Trends,
    months: Vec<MonthChoice>,
    month: Option<String>,
    live: bool,
    until: Option<NaiveDate>,
}

impl Page for ScorecardPage {
    const TEMPLATE: &'static str = "scorecard";
}

/// The property companies compared: so far this month (what the next agenda would
/// show if it were built now), and each past month as its published agenda computed it.
pub async fn scorecard(ctx: Ctx, ApiQuery(q): ApiQuery<MonthQuery>) -> Response {
    let out = scorecard_page(&ctx, q).await;
    ctx.respond(out)
}

async fn scorecard_page(ctx: &Ctx, q: MonthQuery) -> PageResult {
    let caller = ctx.caller()?;
    let names = reference::names(&ctx.state, &caller).await?;
    let records = ops::all(&ctx.state, &caller).await?;
    let until = calendar::next_of(&ctx.state, &caller, &records).map(|n| n.slot);
    let trends =
        crate::ops::trends::trends(&ctx.state, caller.actor.community, caller.tz(), ctx.viewer.lang, &records, &names)
            .await?;
    // Published months, latest first (as `all` gives them).
    let published: Vec<_> =
        records.into_iter().filter(|r| r.agenda_status == AgendaStatus::Published && r.scorecard.is_some()).collect();
    // A month asked for by a link that names none of them is said, not shown as this
    // month's table under another month's address.
    let chosen = match filled(&q.meeting) {
        None => None,
        Some(m) => Some(
            published
                .iter()
                .find(|r| m.parse() == Ok(r.meeting.id.0))
                .ok_or_else(|| ApiError::field("meeting", "unknown", "no published agenda of that meeting"))?,
        ),
    };
    let rows = match chosen {
        Some(r) => r.scorecard.clone(),
        None => agenda::live_scorecard(&ctx.state, &caller, until).await?,
    };
    let mut months = vec![MonthChoice { id: None, month: None, live: true, selected: chosen.is_none() }];
    months.extend(published.iter().map(|r| MonthChoice {
        id: Some(r.meeting.id.0),
        month: Some(r.meeting.slot.format("%Y-%m").to_string()),
        live: false,
        selected: chosen.is_some_and(|c| c.meeting.id == r.meeting.id),
    }));
    Out::page(ScorecardPage {
        table: scorecard_table(ctx, &caller, &names, rows),
        trends,
        months,
        month: chosen.map(|c| c.meeting.slot.format("%Y-%m").to_string()),
        live: chosen.is_none(),
        until,
    })
}

//! The draft agenda of a joint meeting: a pure function of the tracker's issues, the
//! last meeting and the moment of the meeting.
//!
//! The backlog rule: an open issue is on the agenda until a held meeting has dealt with it
//! (recorded a commitment or a decision on its item), and again whenever something
//! happens to it — it falls overdue, is resolved, waits too long for a commitment, is
//! committed outside a meeting, is reopened or reassigned — whatever its age, or when the
//! day comes that a decision on it asked to hear it again (复议). A decision that leaves
//! an issue assigned to no one does not settle it: it is heard at each meeting until
//! someone answers for it, unless the decision asked to hear it on a later day.
//!
//! Sections, in order: (1) relayed policy and announcements; (2) follow-up of
//! commitments — overdue first, then those due since the last meeting, fixes awaiting
//! verification, assignments still without a commitment after `commit_within_days`,
//! issues decided on and still assigned to no one, commitments made outside a meeting, pauses decided outside one (暂缓: waiting for an
//! owners' vote, the maintenance fund or another party), decisions due for review, then
//! what the last meeting did not get to;
//! (3) new issues and the backlog (raised or assigned, not yet dealt with) by urgency, support,
//! then age, grouped by compound, each grid secretary's top issue always listed; (4) the
//! property-company comparison; (5) other business. Items past the meeting's length go
//! to an appendix.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CompoundId, IssueId, MeetingId, OrgId, UserId};
use crate::issue::{Issue, IssueState, Urgency, VerificationOutcome};
use crate::names::named_enum;
pub use crate::scorecard::{Rate, ScoreRow, ScoreRules, Window};

named_enum! {
    pub enum Section: "agenda section" {
        Announcements = "announcements",
        FollowUp = "follow_up",
        NewIssues = "new_issues",
        Scorecard = "scorecard",
        OtherBusiness = "other_business",
    }
}

named_enum! {
    /// Why an item is on the agenda.
    pub enum Reason: "agenda reason" {
        Announcements = "announcements",
        /// A commitment whose due date has passed while the issue is still open.
        Overdue = "overdue",
        /// A commitment that fell due since the last meeting and was kept.
        DueSinceLastMeeting = "due_since_last_meeting",
        /// Resolved; the raisers have not verified yet.
        AwaitingVerification = "awaiting_verification",
        /// The raisers found the fix wanting (not or partly fixed): back to the company.
        Reopened = "reopened",
        /// Not discussed, or deferred, at the last meeting.
        CarriedOver = "carried_over",
        /// Assigned for longer than `commit_within_days` without a commitment.
        AwaitingCommitment = "awaiting_commitment",
        /// A held meeting decided on it, and it is still assigned to no one: the meeting
        /// hears why until someone answers for it (or it is closed).
        AwaitingAssignment = "awaiting_assignment",
        /// The responsible party asked for a later due date; the meeting decides.
        ExtensionRequested = "extension_requested",
        /// Committed since a meeting last dealt with it (outside a meeting).
        Committed = "committed",
        /// Paused since a meeting last dealt with it (暂缓): the meeting hears what it waits for.
        Paused = "paused",
        /// A meeting decided on it and asked to hear it again by this meeting's day (复议):
        /// nothing has happened to it since.
        ReviewDue = "review_due",
        /// Raised since the last meeting.
        NewIssue = "new_issue",
        /// Raised before the last meeting and still waiting for one to deal with it.
        Backlog = "backlog",
        /// The most supported open issue a grid secretary raised for a compound.
        GridTopIssue = "grid_top_issue",
        Scorecard = "scorecard",
        OtherBusiness = "other_business",
        /// Added by the secretary.
        Added = "added",
    }
}

/// Sections whose unreached (or deferred) items go to the next agenda.
pub const CARRIED_SECTIONS: [Section; 3] = [Section::FollowUp, Section::NewIssues, Section::OtherBusiness];

/// Whether an item the meeting did not reach, or deferred, goes to the next agenda:
/// issues and what the secretary added do; the announcements, the comparison and the
/// open "other business" slot do not (they are simply not discussed).
pub fn carried_when_unreached(section: Section, reason: Reason) -> bool {
    CARRIED_SECTIONS.contains(&section) && reason != Reason::OtherBusiness
}

/// How far ahead of its meeting a decision may set the day to hear its item again.
pub const REVIEW_WITHIN_DAYS: u64 = 366;

/// The days a decision taken at a meeting on `meeting_day` may ask to hear its item again
/// on (复议): from the next day to a year ahead. The item comes back to the first agenda
/// on or after the day chosen.
pub fn review_days(meeting_day: NaiveDate) -> std::ops::RangeInclusive<NaiveDate> {
    let first = meeting_day.succ_opt().unwrap_or(meeting_day);
    first..=meeting_day.checked_add_days(chrono::Days::new(REVIEW_WITHIN_DAYS)).unwrap_or(first)
}

/// The reason an agenda shows beside an item's section: none where it would only repeat
/// the section's name ("new issues · new issue", "announcements · announcements").
pub fn shown_reason(section: Section, reason: Reason) -> Option<Reason> {
    let restates = matches!(
        (section, reason),
        (Section::Announcements, Reason::Announcements)
            | (Section::NewIssues, Reason::NewIssue)
            | (Section::Scorecard, Reason::Scorecard)
            | (Section::OtherBusiness, Reason::OtherBusiness)
    );
    (!restates).then_some(reason)
}

/// The agenda's fixed places — the announcements, the company comparison, the open
/// "other business" slot — are on every agenda and cannot be dropped.
pub fn is_fixed(section: Section, reason: Reason) -> bool {
    matches!(section, Section::Announcements | Section::Scorecard) || reason == Reason::OtherBusiness
}

/// What the planner reads of an issue: its state, promise and verdict, and for an item
/// its title, compound and support — no free text but the title, so that a store can read
/// the months of closed issues the comparison looks back on from one index alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracked {
    pub id: IssueId,
    pub state: IssueState,
    pub title: String,
    pub compound: CompoundId,
    pub raised_by: UserId,
    pub responsible_org: Option<OrgId>,
    pub commitment: Option<Promise>,
    pub verification: Option<Verdict>,
    /// Red before yellow before routine among new issues and the backlog.
    pub urgency: Urgency,
    pub support_count: u32,
    pub reopen_count: u32,
    /// How often the due date was moved (延期).
    pub extension_count: u32,
    /// When the pending request for a later due date was made, if one is pending.
    pub extension_requested_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub state_entered_at: DateTime<Utc>,
}

/// A commitment, as the planner reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Promise {
    pub due_date: NaiveDate,
    /// Made on the spot at this joint meeting.
    pub meeting: Option<MeetingId>,
    pub committed_at: DateTime<Utc>,
    /// When the due date was last set: the promise, or its latest extension.
    pub dated_at: DateTime<Utc>,
}

/// The raisers' verdict on a fix, as the planner reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: VerificationOutcome,
    pub satisfaction: Option<u8>,
    pub at: DateTime<Utc>,
}

impl From<&Issue> for Tracked {
    fn from(i: &Issue) -> Self {
        Tracked {
            id: i.id,
            state: i.state.clone(),
            title: i.title.clone(),
            compound: i.compound,
            raised_by: i.raised_by,
            responsible_org: i.responsible_org,
            commitment: i.commitment.as_ref().map(|c| Promise {
                due_date: c.due_date,
                meeting: c.meeting,
                committed_at: c.committed_at,
                dated_at: c.dated_at,
            }),
            verification: i.verification.as_ref().map(|v| Verdict {
                outcome: v.outcome,
                satisfaction: v.satisfaction,
                at: v.at,
            }),
            urgency: i.urgency,
            support_count: i.support_count,
            reopen_count: i.reopen_count,
            extension_count: i.extension_count,
            extension_requested_at: i.extension_request.as_ref().map(|r| r.at),
            created_at: i.created_at,
            state_entered_at: i.state_entered_at,
        }
    }
}

/// What the builder needs to know about an issue beyond its current state.
#[derive(Clone, Debug)]
pub struct IssueFacts {
    pub issue: Tracked,
    /// When it was last assigned to its responsible organisation.
    pub assigned_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When a held meeting last dealt with it: the close of the last closed meeting that
    /// recorded a commitment or a decision on its item.
    pub dealt_at: Option<DateTime<Utc>>,
    /// The day by which that meeting, when it recorded a decision, asked to hear the issue
    /// again (复议); `None` for a commitment or a decision without one.
    pub review_on: Option<NaiveDate>,
    /// The requests to hand it back that were turned down (退回不成立): when, and whose
    /// request — the company that asked, which may have been handed the issue since.
    pub returns_refused: Vec<(DateTime<Utc>, OrgId)>,
}

impl IssueFacts {
    /// A held meeting dealt with it and nothing has happened to it since.
    pub fn settled(&self) -> bool {
        self.dealt_at.is_some_and(|d| self.issue.state_entered_at <= d)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgendaConfig {
    /// The meeting's length.
    pub meeting_minutes: u32,
    pub announcements_minutes: u32,
    pub follow_up_minutes: u32,
    pub new_issue_minutes: u32,
    pub scorecard_minutes: u32,
    pub other_business_minutes: u32,
    /// A commitment made within this many days of assignment counts as "in time".
    pub commit_within_days: u32,
    /// Issues (received + resolved in the window) before a company is ranked.
    pub min_issues_to_rank: u32,
    /// A due date further than this from the day of the promise is no timely response.
    pub max_commitment_days: u32,
    /// How the company comparison weighs and judges.
    pub scoring: ScoreRules,
}

impl Default for AgendaConfig {
    fn default() -> Self {
        AgendaConfig {
            meeting_minutes: 120,
            announcements_minutes: 10,
            follow_up_minutes: 3,
            new_issue_minutes: 5,
            scorecard_minutes: 10,
            other_business_minutes: 10,
            commit_within_days: 7,
            min_issues_to_rank: 3,
            max_commitment_days: 90,
            scoring: ScoreRules::default(),
        }
    }
}

/// Everything the builder reads.
#[derive(Clone, Debug)]
pub struct AgendaInput<'a> {
    pub issues: &'a [IssueFacts],
    /// When the meeting starts; its local date decides "overdue".
    pub meeting_at: DateTime<Utc>,
    pub meeting_day: NaiveDate,
    /// When the previous meeting started (`None`: the first meeting looks back a month).
    pub last_meeting_at: Option<DateTime<Utc>>,
    /// The property companies (and units) to compare.
    pub companies: &'a [OrgId],
    /// Grid secretaries and building leaders, whose top issue per compound is always listed.
    pub grid_raisers: &'a BTreeSet<UserId>,
    pub announcements: &'a str,
    /// Items the last meeting did not get to or deferred: (issue, title).
    pub carried: &'a [(Option<IssueId>, String)],
    /// Decisions of held meetings on items without an issue that asked to hear them again:
    /// (title, review day). Those due after the last meeting held, up to this one's day,
    /// are listed (an issue's review is in its [`IssueFacts`]).
    pub reviews: &'a [(String, NaiveDate)],
    pub config: &'a AgendaConfig,
    /// The community's time zone: due dates are local days.
    pub tz: chrono_tz::Tz,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub section: Section,
    pub reason: Reason,
    pub issue: Option<IssueId>,
    pub title: String,
    pub compound: Option<CompoundId>,
    pub responsible_org: Option<OrgId>,
    pub due_date: Option<NaiveDate>,
    pub support_count: u32,
    pub minutes: u32,
    /// Past the meeting's length: listed for the record, discussed if time allows.
    pub in_appendix: bool,
    /// Its issue's urgency (routine for an item without one).
    #[serde(default)]
    pub urgency: Urgency,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agenda {
    pub meeting_day: NaiveDate,
    pub since: DateTime<Utc>,
    pub items: Vec<AgendaItem>,
    pub scorecard: Vec<ScoreRow>,
}

/// The default workflow's open states: those the planner draws on whatever their age.
pub const OPEN_STATES: [&str; 5] =
    [IssueState::RAISED, IssueState::ASSIGNED, IssueState::COMMITTED, IssueState::RESOLVED, IssueState::PAUSED];

fn is_open(state: &IssueState) -> bool {
    OPEN_STATES.contains(&state.as_str())
}

/// Where an issue listed by hand (raised at the meeting) goes by default: among the new
/// issues and the backlog while nobody has promised anything, as the planner lists them;
/// in the follow-up once a commitment is there to follow.
pub fn section_of(state: &IssueState) -> Section {
    if [IssueState::RAISED, IssueState::ASSIGNED].contains(&state.as_str()) {
        Section::NewIssues
    } else {
        Section::FollowUp
    }
}

fn overdue_on(issue: &Tracked, day: NaiveDate) -> bool {
    issue.state == IssueState::COMMITTED && issue.commitment.as_ref().is_some_and(|c| c.due_date < day)
}

impl AgendaItem {
    fn for_issue(section: Section, reason: Reason, issue: &Tracked, minutes: u32) -> Self {
        AgendaItem {
            section,
            reason,
            issue: Some(issue.id),
            title: issue.title.clone(),
            compound: Some(issue.compound),
            responsible_org: issue.responsible_org,
            due_date: issue.commitment.as_ref().map(|c| c.due_date),
            support_count: issue.support_count,
            minutes,
            in_appendix: false,
            urgency: issue.urgency,
        }
    }

    /// A follow-up item without an issue (one the secretary added, carried or reviewed).
    fn topic(reason: Reason, title: &str, minutes: u32) -> Self {
        AgendaItem::fixed(Section::FollowUp, reason, title, minutes)
    }

    fn fixed(section: Section, reason: Reason, title: &str, minutes: u32) -> Self {
        AgendaItem {
            section,
            reason,
            issue: None,
            title: title.to_owned(),
            compound: None,
            responsible_org: None,
            due_date: None,
            support_count: 0,
            minutes,
            in_appendix: false,
            urgency: Urgency::Routine,
        }
    }
}

pub fn build_agenda(input: &AgendaInput<'_>) -> Agenda {
    let cfg = input.config;
    let since = input.last_meeting_at.unwrap_or(input.meeting_at - TimeDelta::days(31));
    let day = input.meeting_day;
    let since_day = since.date_naive();
    // Only what was raised before the meeting began (an agenda planned for a past meeting
    // does not list later issues).
    let issues: Vec<&Tracked> =
        input.issues.iter().map(|f| &f.issue).filter(|i| i.created_at < input.meeting_at).collect();

    // (2) Follow-up of commitments.
    let mut overdue: Vec<&Tracked> = issues.iter().copied().filter(|i| overdue_on(i, day)).collect();
    overdue.sort_by_key(|i| (i.commitment.as_ref().map(|c| c.due_date), i.created_at, i.id));
    let mut kept: Vec<&Tracked> = issues
        .iter()
        .copied()
        .filter(|i| i.state == IssueState::VERIFIED)
        .filter(|i| i.commitment.as_ref().is_some_and(|c| c.due_date >= since_day && c.due_date < day))
        .collect();
    kept.sort_by_key(|i| (i.commitment.as_ref().map(|c| c.due_date), i.created_at, i.id));
    let mut awaiting: Vec<&Tracked> = issues.iter().copied().filter(|i| i.state == IssueState::RESOLVED).collect();
    awaiting.sort_by_key(|i| (i.state_entered_at, i.created_at, i.id));

    // An issue needs the meeting until a held meeting has dealt with it, and again when
    // something happens to it: assigned without a commitment for too long, a commitment
    // made outside a meeting.
    let unsettled: BTreeSet<IssueId> = input.issues.iter().filter(|f| !f.settled()).map(|f| f.issue.id).collect();
    let patience = TimeDelta::days(i64::from(cfg.commit_within_days));
    let mut uncommitted: Vec<&Tracked> = issues
        .iter()
        .copied()
        .filter(|i| i.state == IssueState::ASSIGNED && i.state_entered_at + patience <= input.meeting_at)
        .collect();
    uncommitted.sort_by_key(|i| (i.state_entered_at, i.created_at, i.id));
    // A decision that left an issue raised — assigned to no one — did not settle it: it
    // comes back each meeting until someone answers for it, unless the decision asked to
    // hear it on a later day (then the review brings it back on that day).
    let mut unassigned: Vec<&Tracked> = input
        .issues
        .iter()
        .filter(|f| f.issue.state == IssueState::RAISED && f.settled() && f.review_on.is_none())
        .map(|f| &f.issue)
        .collect();
    unassigned.sort_by_key(|i| (std::cmp::Reverse(i.urgency), i.created_at, i.id));
    // A pending extension request waits for the meeting whether or not one dealt with the
    // issue before (an overdue one is listed as overdue, with its request). The others on
    // schedule are listed when something happened since a meeting dealt with them: reopened
    // (the raisers said it is not, or not all, fixed), else committed outside a meeting.
    let on_schedule = issues.iter().copied().filter(|i| i.state == IssueState::COMMITTED && !overdue_on(i, day));
    let (mut extension, rest): (Vec<&Tracked>, Vec<&Tracked>) =
        on_schedule.partition(|i| i.extension_requested_at.is_some());
    extension.sort_by_key(|i| (i.extension_requested_at, i.created_at, i.id));
    let found_wanting =
        |i: &&Tracked| i.verification.as_ref().is_some_and(|v| v.outcome != VerificationOutcome::Verified);
    let (mut reopened, mut committed): (Vec<&Tracked>, Vec<&Tracked>) =
        rest.into_iter().filter(|i| unsettled.contains(&i.id)).partition(found_wanting);
    reopened.sort_by_key(|i| (i.state_entered_at, i.created_at, i.id));
    committed.sort_by_key(|i| (i.commitment.as_ref().map(|c| c.due_date), i.created_at, i.id));
    // A pause decided outside a meeting is the meeting's to hear once; one it dealt with
    // stays off until something happens (it is resumed, or the secretary adds it).
    let mut paused: Vec<&Tracked> =
        issues.iter().copied().filter(|i| i.state == IssueState::PAUSED && unsettled.contains(&i.id)).collect();
    paused.sort_by_key(|i| (i.state_entered_at, i.created_at, i.id));
    // A decision that asked to hear an issue again brings it back from that day until a
    // meeting deals with it anew, unless something happened to it since (then the rules
    // above or the backlog list it) or it is closed.
    // The longest awaited first.
    let mut review: Vec<&IssueFacts> = input
        .issues
        .iter()
        .filter(|f| f.settled() && f.review_on.is_some_and(|d| d <= day) && is_open(&f.issue.state))
        .filter(|f| f.issue.created_at < input.meeting_at)
        .collect();
    review.sort_by_key(|f| (f.review_on, f.issue.created_at, f.issue.id));

    // (3) New issues and the backlog — every raised or assigned issue no held meeting has
    // dealt with, whatever its age — most supported first, then oldest; grouped by
    // compound in the order of each compound's most supported issue. Grid secretaries'
    // top issues come first in their compound and are never pushed to the appendix.
    // Those the follow-up lists already (waiting for a commitment, carried over) are not
    // repeated here, and cannot take a grid secretary's top place either.
    let followed: BTreeSet<IssueId> =
        uncommitted.iter().map(|i| i.id).chain(input.carried.iter().filter_map(|(id, _)| *id)).collect();
    let waiting = |i: &&Tracked| {
        [IssueState::RAISED, IssueState::ASSIGNED].contains(&i.state.as_str())
            && unsettled.contains(&i.id)
            && !followed.contains(&i.id)
    };
    let mut grid_top: BTreeMap<CompoundId, &Tracked> = BTreeMap::new();
    for i in issues.iter().copied().filter(waiting) {
        if input.grid_raisers.contains(&i.raised_by) {
            let better = grid_top.get(&i.compound).is_none_or(|best| {
                (i.support_count, std::cmp::Reverse(i.created_at))
                    > (best.support_count, std::cmp::Reverse(best.created_at))
            });
            if better {
                grid_top.insert(i.compound, i);
            }
        }
    }
    let top_ids: BTreeSet<IssueId> = grid_top.values().map(|i| i.id).collect();
    let mut new: Vec<&Tracked> = issues.iter().copied().filter(waiting).filter(|i| !top_ids.contains(&i.id)).collect();
    // The most urgent first (an urgent issue still open at the meeting is the one to
    // answer for), then the most supported, then the oldest.
    new.sort_by_key(|i| (std::cmp::Reverse(i.urgency), std::cmp::Reverse(i.support_count), i.created_at, i.id));
    // Compounds in the order of their most pressing issue.
    let mut best: BTreeMap<CompoundId, (Urgency, u32, std::cmp::Reverse<DateTime<Utc>>)> = BTreeMap::new();
    for i in grid_top.values().copied().chain(new.iter().copied()) {
        let key = (i.urgency, i.support_count, std::cmp::Reverse(i.created_at));
        best.entry(i.compound).and_modify(|b| *b = (*b).max(key)).or_insert(key);
    }
    let mut compound_order: Vec<CompoundId> = best.keys().copied().collect();
    compound_order.sort_by_key(|c| std::cmp::Reverse(best[c]));

    let mut items = vec![AgendaItem::fixed(
        Section::Announcements,
        Reason::Announcements,
        input.announcements,
        cfg.announcements_minutes,
    )];
    for (list, reason) in [
        (&overdue, Reason::Overdue),
        (&kept, Reason::DueSinceLastMeeting),
        (&awaiting, Reason::AwaitingVerification),
        (&reopened, Reason::Reopened),
        (&uncommitted, Reason::AwaitingCommitment),
        (&unassigned, Reason::AwaitingAssignment),
        (&extension, Reason::ExtensionRequested),
        (&committed, Reason::Committed),
        (&paused, Reason::Paused),
    ] {
        items.extend(list.iter().map(|i| AgendaItem::for_issue(Section::FollowUp, reason, i, cfg.follow_up_minutes)));
    }
    let listed: BTreeSet<IssueId> = items.iter().filter_map(|i| i.issue).collect();
    items.extend(
        review
            .iter()
            .filter(|f| !listed.contains(&f.issue.id))
            .map(|f| AgendaItem::for_issue(Section::FollowUp, Reason::ReviewDue, &f.issue, cfg.follow_up_minutes)),
    );
    // An item without an issue comes back once, to the first agenda on or after its day:
    // the meeting that lists it deals with it, defers it or carries it over.
    let last_day = since.with_timezone(&input.tz).date_naive();
    for (title, _) in input.reviews.iter().filter(|(_, d)| last_day < *d && *d <= day) {
        if !items.iter().any(|i| i.issue.is_none() && i.section == Section::FollowUp && i.title == *title) {
            items.push(AgendaItem::topic(Reason::ReviewDue, title, cfg.follow_up_minutes));
        }
    }
    // Carried-over items follow the follow-up; an issue already listed is not repeated.
    let listed: BTreeSet<IssueId> = items.iter().filter_map(|i| i.issue).collect();
    for (issue, title) in input.carried {
        match issue.and_then(|id| input.issues.iter().find(|f| f.issue.id == id)) {
            Some(f) if !listed.contains(&f.issue.id) && is_open(&f.issue.state) => {
                items.push(AgendaItem::for_issue(
                    Section::FollowUp,
                    Reason::CarriedOver,
                    &f.issue,
                    cfg.follow_up_minutes,
                ));
            }
            Some(_) => {}
            // A title carried twice (unreached again and again) is listed once.
            None if issue.is_none() && !items.iter().any(|i| i.issue.is_none() && i.title == *title) => {
                items.push(AgendaItem::topic(Reason::CarriedOver, title, cfg.follow_up_minutes));
            }
            None => {}
        }
    }
    let new_ids: BTreeSet<IssueId> = items.iter().filter_map(|i| i.issue).collect();
    new.retain(|i| !new_ids.contains(&i.id));
    for compound in &compound_order {
        if let Some(top) = grid_top.get(compound) {
            items.push(AgendaItem::for_issue(Section::NewIssues, Reason::GridTopIssue, top, cfg.new_issue_minutes));
        }
        items.extend(new.iter().filter(|i| i.compound == *compound).map(|i| {
            let reason = if i.created_at >= since { Reason::NewIssue } else { Reason::Backlog };
            AgendaItem::for_issue(Section::NewIssues, reason, i, cfg.new_issue_minutes)
        }));
    }
    items.push(AgendaItem::fixed(Section::Scorecard, Reason::Scorecard, "", cfg.scorecard_minutes));
    items.push(AgendaItem::fixed(Section::OtherBusiness, Reason::OtherBusiness, "", cfg.other_business_minutes));
    allot_time(&mut items, cfg.meeting_minutes);

    Agenda { meeting_day: day, since, items, scorecard: crate::scorecard::scorecard(input, since) }
}

/// Fixed sections and grid secretaries' top issues always get their time; the other
/// items keep their order and go to the appendix once the meeting is full.
pub fn allot_time(items: &mut [AgendaItem], meeting_minutes: u32) {
    let reserved: u32 =
        items.iter().filter(|i| i.issue.is_none() || i.reason == Reason::GridTopIssue).map(|i| i.minutes).sum();
    let mut left = meeting_minutes.saturating_sub(reserved);
    for item in items.iter_mut().filter(|i| i.issue.is_some() && i.reason != Reason::GridTopIssue) {
        item.in_appendix = item.minutes > left;
        if !item.in_appendix {
            left -= item.minutes;
        }
    }
}

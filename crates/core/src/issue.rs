//! The issue (问题/诉求) and the events of its timeline.

use std::borrow::Borrow;
use std::fmt;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::ids::{BuildingId, CommunityId, CompoundId, EventId, IssueId, MeetingId, OrgId, UserId};
use crate::names::named_enum;
use crate::workflow::TransitionFields;

named_enum! {
    /// How urgent an issue is (紧急程度), in the colours community ledgers use. Most
    /// issues wait for the monthly meeting; an urgent one cannot, so the workflow file's
    /// timers may run for some urgencies only (`urgency = ["red"]`).
    #[derive(Default)]
    pub enum Urgency: "urgency" {
        /// Dealt with at the monthly meeting (常规).
        #[default]
        Routine = "routine",
        /// Within a few working days (黄色: 3–5 working days).
        Yellow = "yellow",
        /// Within 24 hours (红色): a burst pipe, a stopped lift, a fire exit blocked.
        Red = "red",
    }
}

named_enum! {
    /// What a paused issue (暂缓) waits for: work the responsible party cannot do until
    /// someone else decides or pays, so no clock runs against it meanwhile.
    pub enum WaitingFor: "`waiting_for` value" {
        /// The owners' vote (业主表决), e.g. on a change to the common parts.
        OwnersVote = "owners_vote",
        /// Approval of the special maintenance fund (维修资金) to pay for it.
        MaintenanceFund = "maintenance_fund",
        /// Another party: a utility, a government department, the developer.
        OtherParty = "other_party",
    }
}

/// The state an issue is in. States are declared by a workflow file, so this is a
/// name rather than a Rust enum; the default workflow's names are constants here.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IssueState(String);

impl IssueState {
    pub const RAISED: &'static str = "raised";
    pub const ASSIGNED: &'static str = "assigned";
    pub const COMMITTED: &'static str = "committed";
    pub const RESOLVED: &'static str = "resolved";
    /// Waiting for an owners' vote, the maintenance fund or another party (暂缓).
    pub const PAUSED: &'static str = "paused";
    pub const VERIFIED: &'static str = "verified";
    pub const REJECTED: &'static str = "rejected";
    pub const DUPLICATE: &'static str = "duplicate";

    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IssueState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Borrow<str> for IssueState {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for IssueState {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for IssueState {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// What the responsible party promised, by when, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub text: String,
    /// The last day of the promise, in the community's time zone.
    pub due_date: NaiveDate,
    pub committed_by: UserId,
    pub committed_by_org: Option<OrgId>,
    /// Set when the commitment was made on the spot at a joint meeting.
    pub meeting: Option<MeetingId>,
    pub committed_at: DateTime<Utc>,
    /// When the due date was last set: the promise, or its latest extension.
    pub dated_at: DateTime<Utc>,
}

/// The responsible party's pending request for a later due date (申请延期).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    pub due_date: NaiveDate,
    pub reason: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// The responsible party's pending request to be relieved of an issue that is not its
/// own (申请退回: "属开发商保修范围", "燃气管道归燃气公司"). The issue stays with it
/// until the secretary hands it to another party or refuses the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRequest {
    pub reason: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// A granted extension (延期): the commitment's due date moved from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    /// Who granted it (the secretary).
    pub by: UserId,
    /// Who asked for it, if the responsible party did.
    pub requested_by: Option<UserId>,
    /// The joint meeting at which it was granted.
    pub meeting: Option<MeetingId>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationOutcome {
    /// The raisers (or the supervisory committee) confirmed the fix.
    Verified,
    /// The fix was found wanting and the issue reopened.
    NotFixed,
    /// Part of it was fixed; the rest is still owed and the issue reopened.
    PartlyFixed,
}

/// The latest verification (验收) of a resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub outcome: VerificationOutcome,
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub satisfaction: Option<u8>,
    pub note: Option<String>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// One issue on the tracker, as the workflow engine sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub id: IssueId,
    pub community: CommunityId,
    /// Name of the workflow that governs this issue.
    pub workflow: String,
    pub state: IssueState,
    pub title: String,
    pub description: String,
    pub category: String,
    pub urgency: Urgency,
    pub compound: CompoundId,
    pub building: Option<BuildingId>,
    pub unit: Option<String>,
    pub raised_by: UserId,
    pub raised_by_org: Option<OrgId>,
    pub responsible_org: Option<OrgId>,
    pub commitment: Option<Commitment>,
    pub resolution_note: Option<String>,
    pub verification: Option<Verification>,
    pub duplicate_of: Option<IssueId>,
    /// Why the issue was rejected or closed as a duplicate.
    pub closing_reason: Option<String>,
    pub support_count: u32,
    pub reopen_count: u32,
    /// How often the commitment's due date was moved (延期), since the first commitment.
    pub extension_count: u32,
    /// A request for a later due date the secretary has not decided yet.
    pub extension_request: Option<ExtensionRequest>,
    /// A request to be relieved of the issue the secretary has not decided yet.
    pub return_request: Option<ReturnRequest>,
    /// Bumped by every transition; a write with a stale version is refused.
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the issue entered its current state (timers count from here).
    pub state_entered_at: DateTime<Utc>,
}

/// What a raiser supplies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIssue {
    pub title: String,
    pub description: String,
    pub category: String,
    #[serde(default)]
    pub urgency: Urgency,
    pub compound: CompoundId,
    pub building: Option<BuildingId>,
    pub unit: Option<String>,
}

/// An issue raised on behalf of several households (代报): a building leader reporting
/// what many owners raised in the building's group. The households count as support.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyReport {
    pub households: u32,
    /// Those who asked to be named: contact data, shown only to those who see raisers'.
    pub contacts: Vec<Household>,
}

/// One household of a proxy report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub name: String,
    pub phone: Option<String>,
}

impl ProxyReport {
    /// More than a building's households is a typing mistake, not a report.
    pub const MAX_HOUSEHOLDS: u32 = 2000;
    pub const MAX_CONTACTS: usize = 200;
}

impl Issue {
    /// The raise of an issue reported on behalf of households: each counts as support.
    pub fn on_behalf_of(mut self, report: &ProxyReport) -> Issue {
        self.support_count = report.households;
        self
    }
}

/// An entry of the append-only timeline: who did what, when, with which fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub issue: IssueId,
    /// The issue version this event produced; versions are 1, 2, 3, … with no gaps.
    pub version: u32,
    /// The transition fired, or `raise` for the first event.
    pub transition: String,
    pub from: Option<IssueState>,
    pub to: IssueState,
    pub actor: UserId,
    pub actor_org: Option<OrgId>,
    pub at: DateTime<Utc>,
    pub fields: TransitionFields,
}

/// Whether a step from `from` into `to` hands the issue to its party anew, starting the
/// party's time to answer: entering the state, or staying in it while naming a party (a
/// reassignment between companies) — not a request to return the issue, nor its refusal,
/// nor a report on the way. The mail (a new assignment's, or news) and the comparison's
/// "last assigned" both ask this.
pub fn hands_over(from: Option<&IssueState>, to: &IssueState, fields: &TransitionFields) -> bool {
    from != Some(to) || fields.responsible_org.is_some()
}

/// The name of the first event of every issue.
pub const RAISE: &str = "raise";

/// The organisation an issue was assigned to before the event at `version` (the one a
/// reassignment took it from), from its timeline.
pub fn responsible_before(timeline: &[Event], version: u32) -> Option<OrgId> {
    timeline.iter().filter(|e| e.version < version).rev().find_map(|e| e.fields.responsible_org)
}

impl Issue {
    /// A new issue in the workflow's initial state, at version 1, with its first event.
    pub fn raise(workflow: &crate::Workflow, new: NewIssue, actor: &Actor, now: DateTime<Utc>) -> (Issue, Event) {
        // Microseconds: what both databases keep, so stored and computed values agree.
        let now = now.trunc_subsecs(6);
        let id = IssueId::at(now);
        let issue = Issue {
            id,
            community: actor.community,
            workflow: workflow.name.clone(),
            state: workflow.initial.clone(),
            title: new.title,
            description: new.description,
            category: new.category,
            urgency: new.urgency,
            compound: new.compound,
            building: new.building,
            unit: new.unit,
            raised_by: actor.user,
            raised_by_org: actor.primary_org(),
            responsible_org: None,
            commitment: None,
            resolution_note: None,
            verification: None,
            duplicate_of: None,
            closing_reason: None,
            support_count: 0,
            reopen_count: 0,
            extension_count: 0,
            extension_request: None,
            return_request: None,
            version: 1,
            created_at: now,
            updated_at: now,
            state_entered_at: now,
        };
        let event = Event {
            id: EventId::at(now),
            issue: id,
            version: 1,
            transition: RAISE.to_owned(),
            from: None,
            to: issue.state.clone(),
            actor: actor.user,
            actor_org: actor.primary_org(),
            at: now,
            // An urgency other than the usual one is part of what was raised.
            fields: TransitionFields {
                urgency: Some(issue.urgency).filter(|u| *u != Urgency::Routine),
                ..TransitionFields::default()
            },
        };
        (issue, event)
    }
}

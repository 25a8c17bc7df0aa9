//! Firing a transition: a pure function from (workflow, issue, actor, request, now)
//! to the new issue, the event to record and the effects to carry out — or a denial.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::vocab::{Effect, Field, Guard};
use super::{TransitionDef, Workflow};
use crate::actor::Actor;
use crate::ids::{EventId, IssueId, MeetingId, OrgId};
use crate::issue::{
    Commitment, Event, Extension, ExtensionRequest, Issue, IssueState, ReturnRequest, Urgency, Verification,
    VerificationOutcome, WaitingFor,
};

/// The values a transition may carry. Which are required or accepted is up to the
/// workflow file; their types and meaning are fixed here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_org: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_note: Option<String>,
    /// Wide on purpose: an out-of-range number is a field error, not a parse error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<IssueId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<WaitingFor>,
}

impl TransitionFields {
    pub fn has(&self, field: Field) -> bool {
        self.text(field).is_some()
    }

    /// A field's value as text (ids and dates in their canonical form), if carried.
    pub fn text(&self, field: Field) -> Option<String> {
        fn shown(v: &Option<impl ToString>) -> Option<String> {
            v.as_ref().map(ToString::to_string)
        }
        match field {
            Field::ResponsibleOrg => shown(&self.responsible_org),
            Field::CommitmentText => shown(&self.commitment_text),
            Field::DueDate => shown(&self.due_date),
            Field::Meeting => shown(&self.meeting),
            Field::ResolutionNote => shown(&self.resolution_note),
            Field::Satisfaction => shown(&self.satisfaction),
            Field::Note => shown(&self.note),
            Field::Reason => shown(&self.reason),
            Field::DuplicateOf => shown(&self.duplicate_of),
            Field::Urgency => shown(&self.urgency),
            Field::WaitingFor => shown(&self.waiting_for),
        }
    }

    /// How many characters a reason may have (the verification page's box says it too).
    pub const REASON_MAX_CHARS: usize = 2000;

    fn texts_mut(&mut self) -> [(Field, &mut Option<String>, usize); 4] {
        [
            (Field::CommitmentText, &mut self.commitment_text, 2000),
            (Field::ResolutionNote, &mut self.resolution_note, 4000),
            (Field::Note, &mut self.note, 4000),
            (Field::Reason, &mut self.reason, Self::REASON_MAX_CHARS),
        ]
    }
}

/// A request to fire `transition` on an issue the caller saw at `version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRequest {
    pub transition: String,
    pub version: u32,
    #[serde(flatten)]
    pub fields: TransitionFields,
}

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum FieldProblem {
    Missing,
    /// Sent, but this transition does not take it.
    NotAccepted,
    /// An extension's date that is not later than the current due date.
    NotLater {
        current: NaiveDate,
    },
    Empty,
    TooLong {
        max_chars: usize,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// A due date before today (in the community's time zone).
    InPast {
        today: NaiveDate,
    },
    /// A date outside the years anyone plans for.
    DateOutOfRange {
        earliest: NaiveDate,
        latest: NaiveDate,
    },
    /// The same value the issue already has.
    Unchanged,
    /// An issue cannot duplicate itself.
    SelfReference,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Field,
    #[serde(flatten)]
    pub problem: FieldProblem,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.field;
        match &self.problem {
            FieldProblem::Missing => write!(f, "`{field}` is required"),
            FieldProblem::NotAccepted => write!(f, "`{field}` is not accepted by this transition"),
            FieldProblem::NotLater { current } => {
                write!(f, "`{field}` must be later than the current due date ({current})")
            }
            FieldProblem::Empty => write!(f, "`{field}` must not be empty"),
            FieldProblem::TooLong { max_chars } => {
                write!(f, "`{field}` is longer than {max_chars} characters")
            }
            FieldProblem::OutOfRange { min, max } => {
                write!(f, "`{field}` must be between {min} and {max}")
            }
            FieldProblem::InPast { today } => write!(f, "`{field}` is before today ({today})"),
            FieldProblem::DateOutOfRange { earliest, latest } => {
                write!(f, "`{field}` must be between {earliest} and {latest}")
            }
            FieldProblem::Unchanged => write!(f, "`{field}` is the current value"),
            FieldProblem::SelfReference => write!(f, "`{field}` names this issue itself"),
        }
    }
}

/// Why a transition was refused. Nothing changes when one is returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Denial {
    #[error("the issue belongs to another community")]
    OtherCommunity,
    #[error("workflow `{workflow}` has no transition `{transition}`")]
    UnknownTransition { workflow: String, transition: String },
    #[error("stale version: the request was made at version {sent}, the issue is at version {current}")]
    Stale { sent: u32, current: u32 },
    #[error("`{transition}` cannot be fired while the issue is `{state}`")]
    WrongState { transition: String, state: IssueState },
    #[error("you are not allowed to `{transition}` this issue")]
    NotAllowed { transition: String },
    #[error("invalid fields: {}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid { errors: Vec<FieldError> },
    #[error("precondition `{guard}` does not hold")]
    Precondition { guard: Guard },
}

/// The result of a successful transition, for the store to persist in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub issue: Issue,
    pub event: Event,
    /// Effects for the caller to carry out (notifications), in file order.
    pub effects: Vec<Effect>,
    /// The extension this transition granted, for the commitment history.
    pub extension: Option<Extension>,
}

/// Fires `request` on `issue` as `actor` at `now` (in the community's time zone).
pub fn apply(
    workflow: &Workflow,
    issue: &Issue,
    actor: &Actor,
    request: &TransitionRequest,
    now: DateTime<Tz>,
) -> Result<Outcome, Denial> {
    if actor.community != issue.community {
        return Err(Denial::OtherCommunity);
    }
    let t = workflow.transition(&request.transition).ok_or_else(|| Denial::UnknownTransition {
        workflow: workflow.name.clone(),
        transition: request.transition.clone(),
    })?;
    if request.version != issue.version {
        return Err(Denial::Stale { sent: request.version, current: issue.version });
    }
    if !t.from.contains(&issue.state) {
        return Err(Denial::WrongState { transition: t.name.clone(), state: issue.state.clone() });
    }
    if !t.allows(actor, issue) {
        return Err(Denial::NotAllowed { transition: t.name.clone() });
    }
    let fields = validate_fields(t, issue, &request.fields, now.date_naive())?;
    if let Some(guard) = t.unmet_precondition(issue) {
        return Err(Denial::Precondition { guard });
    }

    let at = now.with_timezone(&Utc).trunc_subsecs(6);
    let mut next = issue.clone();
    let extension = update_issue(&mut next, workflow, t, actor, &fields, at);
    let event = Event {
        id: EventId::at(at),
        issue: issue.id,
        version: next.version,
        transition: t.name.clone(),
        from: Some(issue.state.clone()),
        to: t.to.clone(),
        actor: actor.user,
        actor_org: actor_org(actor, issue),
        at,
        fields,
    };
    let effects = t.effects.iter().copied().filter(|e| !e.is_internal()).collect();
    Ok(Outcome { issue: next, event, effects, extension })
}

impl TransitionDef {
    /// The first guard that depends on the issue alone (not on the fields sent) and
    /// does not hold: such a transition is not offered.
    pub fn unmet_precondition(&self, issue: &Issue) -> Option<Guard> {
        self.guards.iter().copied().find(|g| match g {
            Guard::HasCommitment => issue.commitment.is_none(),
            Guard::ExtensionRequested => issue.extension_request.is_none(),
            Guard::ReturnRequested => issue.return_request.is_none(),
            Guard::DueDateNotPast | Guard::ResponsibleChanges | Guard::ExtendsDueDate => false,
        })
    }
}

/// The organisation an actor acts for on this issue: the responsible one if they
/// belong to it, else the raiser's, else their first.
fn actor_org(actor: &Actor, issue: &Issue) -> Option<OrgId> {
    [issue.responsible_org, issue.raised_by_org]
        .into_iter()
        .flatten()
        .find(|o| actor.is_member_of(*o))
        .or_else(|| actor.primary_org())
}

/// Checks presence, acceptance, values and field guards; returns the cleaned fields
/// (trimmed texts, nothing the transition does not take) or every problem found.
fn validate_fields(
    t: &TransitionDef,
    issue: &Issue,
    sent: &TransitionFields,
    today: NaiveDate,
) -> Result<TransitionFields, Denial> {
    let mut errors = Vec::new();
    let mut problem = |field, problem| errors.push(FieldError { field, problem });
    for field in Field::ALL.iter().copied() {
        if t.require.contains(&field) && !sent.has(field) {
            problem(field, FieldProblem::Missing);
        } else if !t.takes(field) && sent.has(field) {
            problem(field, FieldProblem::NotAccepted);
        }
    }
    let mut clean = sent.clone();
    for (field, text, max_chars) in clean.texts_mut() {
        if let Some(s) = text {
            let trimmed = crate::text::trim(s);
            if trimmed.is_empty() {
                problem(field, FieldProblem::Empty);
            } else if trimmed.chars().count() > max_chars {
                problem(field, FieldProblem::TooLong { max_chars });
            }
            *s = trimmed.to_owned();
        }
    }
    if sent.satisfaction.is_some_and(|s| !(1..=5).contains(&s)) {
        problem(Field::Satisfaction, FieldProblem::OutOfRange { min: 1, max: 5 });
    }
    if sent.due_date.is_some_and(|d| !crate::text::date_in_range(d)) {
        let (earliest, latest) = (crate::text::EARLIEST_DATE, crate::text::LATEST_DATE);
        problem(Field::DueDate, FieldProblem::DateOutOfRange { earliest, latest });
    }
    if sent.duplicate_of == Some(issue.id) {
        problem(Field::DuplicateOf, FieldProblem::SelfReference);
    }
    for guard in &t.guards {
        match guard {
            Guard::DueDateNotPast if sent.due_date.is_some_and(|d| d < today) => {
                problem(Field::DueDate, FieldProblem::InPast { today });
            }
            Guard::ResponsibleChanges
                if sent.responsible_org.is_some() && sent.responsible_org == issue.responsible_org =>
            {
                problem(Field::ResponsibleOrg, FieldProblem::Unchanged);
            }
            Guard::ExtendsDueDate => {
                let current = issue.commitment.as_ref().map(|c| c.due_date);
                if let (Some(due), Some(current)) = (sent.due_date, current)
                    && due <= current
                {
                    problem(Field::DueDate, FieldProblem::NotLater { current });
                }
            }
            _ => {}
        }
    }
    if errors.is_empty() { Ok(clean) } else { Err(Denial::Invalid { errors }) }
}

/// Writes the transition's fields into the issue, each into its fixed place; returns
/// the extension granted, if the transition granted one.
fn update_issue(
    issue: &mut Issue,
    workflow: &Workflow,
    t: &TransitionDef,
    actor: &Actor,
    fields: &TransitionFields,
    at: DateTime<Utc>,
) -> Option<Extension> {
    let mut extension = None;
    for effect in &t.effects {
        match effect {
            Effect::ClearCommitment => {
                issue.commitment = None;
                issue.extension_request = None;
            }
            Effect::RequestExtension => {
                issue.extension_request = fields.due_date.map(|due_date| ExtensionRequest {
                    due_date,
                    reason: fields.reason.clone().unwrap_or_default(),
                    by: actor.user,
                    at,
                });
            }
            Effect::ClearExtensionRequest => issue.extension_request = None,
            Effect::RequestReturn => {
                issue.return_request =
                    Some(ReturnRequest { reason: fields.reason.clone().unwrap_or_default(), by: actor.user, at });
            }
            Effect::ClearReturnRequest => issue.return_request = None,
            Effect::RecordExtension => {
                let request = issue.extension_request.take();
                if let (Some(c), Some(to)) = (issue.commitment.as_mut(), fields.due_date) {
                    extension = Some(Extension {
                        from: c.due_date,
                        to,
                        reason: fields.reason.clone().or_else(|| fields.note.clone()).unwrap_or_default(),
                        by: actor.user,
                        requested_by: request.map(|r| r.by),
                        meeting: fields.meeting,
                        at,
                    });
                    c.due_date = to;
                    c.dated_at = at;
                    issue.extension_count += 1;
                }
            }
            Effect::RecordReopen | Effect::RecordPartlyFixed => {
                issue.reopen_count += 1;
                issue.verification = Some(Verification {
                    outcome: if *effect == Effect::RecordReopen {
                        VerificationOutcome::NotFixed
                    } else {
                        VerificationOutcome::PartlyFixed
                    },
                    satisfaction: fields.satisfaction.map(|s| s as u8),
                    note: fields.reason.clone().or_else(|| fields.note.clone()),
                    by: actor.user,
                    at,
                });
            }
            _ => {}
        }
    }
    // A request to be relieved of the issue is the party's answer to this assignment:
    // it lapses once the issue is handed on or moves on (committed to after all, paused,
    // closed), whatever step does it.
    if fields.responsible_org.is_some_and(|o| issue.responsible_org != Some(o)) || t.to != issue.state {
        issue.return_request = None;
    }
    if let Some(org) = fields.responsible_org {
        issue.responsible_org = Some(org);
    }
    if let (Some(text), Some(due_date)) = (&fields.commitment_text, fields.due_date) {
        // A new promise starts a new count of extensions.
        issue.extension_count = 0;
        issue.extension_request = None;
        issue.commitment = Some(Commitment {
            text: text.clone(),
            due_date,
            committed_by: actor.user,
            // The responsible party commits, even when the secretary records it on the spot.
            committed_by_org: issue.responsible_org.or_else(|| actor.primary_org()),
            meeting: fields.meeting,
            committed_at: at,
            dated_at: at,
        });
    }
    if let Some(note) = &fields.resolution_note {
        issue.resolution_note = Some(note.clone());
    }
    let reopens = t.effects.iter().any(|e| matches!(e, Effect::RecordReopen | Effect::RecordPartlyFixed));
    if fields.satisfaction.is_some() && !reopens {
        issue.verification = Some(Verification {
            outcome: VerificationOutcome::Verified,
            satisfaction: fields.satisfaction.map(|s| s as u8),
            note: fields.note.clone(),
            by: actor.user,
            at,
        });
    }
    if let Some(dup) = fields.duplicate_of {
        issue.duplicate_of = Some(dup);
    }
    if let Some(urgency) = fields.urgency {
        issue.urgency = urgency;
    }
    if workflow.is_terminal(t.to.as_str()) {
        issue.closing_reason = fields.reason.clone().or_else(|| issue.closing_reason.take());
    }
    // A report on the way, or a request to return the issue and its refusal, does not
    // enter the state anew: the timers anchored there, the days it has waited and whether
    // a meeting's word still stands all count on.
    let on_the_way = t.effects.iter().any(|e| e.keeps_state_entered());
    if t.to != issue.state || !on_the_way {
        issue.state_entered_at = at;
    }
    issue.state = t.to.clone();
    issue.version += 1;
    issue.updated_at = at;
    extension
}

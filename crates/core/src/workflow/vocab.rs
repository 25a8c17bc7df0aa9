//! The closed vocabulary a workflow file may use: fields, guards, effects, party
//! relations and timer anchors. Each is implemented in Rust; files only combine them.

use crate::names::named_enum;

named_enum! {
    /// A value a transition can carry. Each field has a fixed type and a fixed place
    /// in the issue it updates (see `apply`).
    pub enum Field: "field" {
        /// The organisation made responsible (assign, reassign).
        ResponsibleOrg = "responsible_org",
        /// What the responsible party promises to do.
        CommitmentText = "commitment_text",
        /// The last day of the promise (YYYY-MM-DD, community time zone).
        DueDate = "due_date",
        /// The joint meeting at which a commitment was made on the spot.
        Meeting = "meeting",
        /// How the issue was fixed.
        ResolutionNote = "resolution_note",
        /// Satisfaction with the fix, 1 to 5.
        Satisfaction = "satisfaction",
        /// A free note.
        Note = "note",
        /// Why (reject, reopen, duplicate).
        Reason = "reason",
        /// The issue this one duplicates.
        DuplicateOf = "duplicate_of",
        /// How urgent the issue is (routine, yellow, red): the secretary grades it.
        Urgency = "urgency",
        /// What a paused issue waits for (owners_vote, maintenance_fund, other_party).
        WaitingFor = "waiting_for",
    }
}

named_enum! {
    /// A check beyond role and required fields.
    pub enum Guard: "guard" {
        /// `due_date` must be today or later in the community's time zone.
        DueDateNotPast = "due_date_not_past",
        /// `responsible_org` must differ from the current responsible organisation.
        ResponsibleChanges = "responsible_changes",
        /// The issue must already carry a commitment.
        HasCommitment = "has_commitment",
        /// `due_date` must be later than the commitment's current due date (an extension).
        ExtendsDueDate = "extends_due_date",
        /// The responsible party must have asked for an extension not yet decided.
        ExtensionRequested = "extension_requested",
        /// The responsible party must have asked to be relieved of the issue, not yet
        /// decided.
        ReturnRequested = "return_requested",
    }
}

named_enum! {
    /// Something to do after a transition or when a timer fires. Most are returned
    /// to the caller (notifications); the internal ones update the issue in core.
    pub enum Effect: "effect" {
        /// Tell the responsible organisation (assignment, reopen).
        NotifyResponsible = "notify_responsible",
        /// Tell the organisation that was responsible before a reassignment.
        NotifyPreviousResponsible = "notify_previous_responsible",
        /// Tell the raisers what happened.
        NotifyRaiser = "notify_raiser",
        /// Tell the secretaries.
        NotifySecretary = "notify_secretary",
        /// Tell the supervisory committee.
        NotifySupervisors = "notify_supervisors",
        /// Ask the raisers to verify a fix ("is it fixed?").
        RequestVerification = "request_verification",
        /// Remind the responsible organisation of a commitment falling due.
        RemindResponsible = "remind_responsible",
        /// Remind the secretaries of an issue waiting for them.
        RemindSecretary = "remind_secretary",
        /// Remind the raisers of a fix waiting for verification.
        RemindRaiser = "remind_raiser",
        /// Escalate a broken commitment to the secretaries and the supervisory committee.
        Escalate = "escalate",
        /// Mark the issue overdue on the tracker and the agenda.
        FlagOverdue = "flag_overdue",
        /// Internal: count a reopen and record the failed verification (not fixed).
        RecordReopen = "record_reopen",
        /// Internal: count a reopen and record the verification as partly fixed.
        RecordPartlyFixed = "record_partly_fixed",
        /// Internal: drop the commitment (a new party must commit afresh).
        ClearCommitment = "clear_commitment",
        /// Internal: keep the responsible party's request for a later `due_date` (申请延期)
        /// until the secretary decides; the commitment's date stays.
        RequestExtension = "request_extension",
        /// Internal: move the commitment's due date to `due_date` (延期), count it, keep
        /// the old date in the commitment history and settle any pending request.
        RecordExtension = "record_extension",
        /// Internal: settle a pending extension request without a new date (refused).
        ClearExtensionRequest = "clear_extension_request",
        /// Internal: a report on the way (进展) — the issue stays in its state as it was
        /// entered, so its clocks run on and the meeting that last dealt with it stays
        /// its last word (the step is told, the agenda does not list it again).
        RecordProgress = "record_progress",
        /// Internal: keep the responsible party's request to be relieved of the issue
        /// (申请退回, with its `reason`) until the secretary hands the issue to another
        /// party or refuses; it lapses by itself when the issue moves on. Like a report,
        /// the request leaves the issue as it was entered: the party's time to answer
        /// and its reminders run on.
        RequestReturn = "request_return",
        /// Internal: settle a pending return request without a new party (refused).
        ClearReturnRequest = "clear_return_request",
    }
}

impl Effect {
    /// A step with one of these, staying in its state, leaves the issue as it entered it
    /// (see `apply`): it says something on the way rather than taking a step of the work.
    pub fn keeps_state_entered(self) -> bool {
        matches!(self, Effect::RecordProgress | Effect::RequestReturn | Effect::ClearReturnRequest)
    }

    /// Internal effects change the issue inside `apply` and are not handed to the caller.
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            Effect::RecordReopen
                | Effect::RecordPartlyFixed
                | Effect::ClearCommitment
                | Effect::RequestExtension
                | Effect::RecordExtension
                | Effect::ClearExtensionRequest
                | Effect::RecordProgress
                | Effect::RequestReturn
                | Effect::ClearReturnRequest
        )
    }
}

named_enum! {
    /// How an actor relates to an issue, for `role@relation` permissions.
    pub enum Relation: "relation" {
        /// A member of the responsible organisation.
        Responsible = "responsible",
        /// A member of the organisation the issue was raised for.
        RaiserOrg = "raiser_org",
        /// The user who raised the issue.
        Raiser = "raiser",
    }
}

named_enum! {
    /// What a timer counts from.
    pub enum Anchor: "timer anchor" {
        /// When the issue entered the timer's state.
        Entered = "entered",
        /// When the issue was raised.
        Raised = "raised",
        /// The end of the commitment's due date (midnight after it, community time).
        Due = "due",
    }
}

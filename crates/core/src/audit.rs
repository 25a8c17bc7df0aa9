//! The audit trail: who changed what, when — for everything that changes outside an
//! issue's own timeline (meetings, accounts, organisations, support).

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, UserId};
use crate::names::named_enum;

named_enum! {
    /// What was done.
    pub enum AuditAction: "audit action" {
        MeetingScheduled = "meeting_scheduled",
        MeetingSkipped = "meeting_skipped",
        AgendaBuilt = "agenda_built",
        AgendaRebuilt = "agenda_rebuilt",
        AgendaEdited = "agenda_edited",
        LateItemsAdded = "late_items_added",
        AgendaPublished = "agenda_published",
        MeetingOpened = "meeting_opened",
        MeetingClosed = "meeting_closed",
        AttendanceRecorded = "attendance_recorded",
        OutcomeRecorded = "outcome_recorded",
        MinutesAmended = "minutes_amended",
        MinutesPublished = "minutes_published",
        AddendumAdded = "addendum_added",
        CorrectionAsked = "correction_asked",
        CorrectionAnswered = "correction_answered",
        AccountCreated = "account_created",
        AccountDisabled = "account_disabled",
        AccountEnabled = "account_enabled",
        BuildingsSet = "buildings_set",
        AccountChanged = "account_changed",
        PasswordSet = "password_set",
        ContactChanged = "contact_changed",
        ContactCorrected = "contact_corrected",
        NameChanged = "name_changed",
        ResetLinkMade = "reset_link_made",
        OrganisationCreated = "organisation_created",
        AddressesChanged = "addresses_changed",
        CompoundCreated = "compound_created",
        BuildingsAdded = "buildings_added",
        LocationSet = "location_set",
        Renamed = "renamed",
        BuildingRenamed = "building_renamed",
        BuildingRemoved = "building_removed",
        SupportAdded = "support_added",
        SupportWithdrawn = "support_withdrawn",
        SupportMerged = "support_merged",
        PhotoDeleted = "photo_deleted",
        PhotoPublished = "photo_published",
        PhotoUnpublished = "photo_unpublished",
        InvitationCreated = "invitation_created",
        InvitationRevoked = "invitation_revoked",
        SignedUp = "signed_up",
        AccountClosed = "account_closed",
        DataExported = "data_exported",
        KeyIssued = "key_issued",
        KeyRevoked = "key_revoked",
        ChannelAdded = "channel_added",
        ChannelRemoved = "channel_removed",
        HolidaysEntered = "holidays_entered",
    }
}

named_enum! {
    /// What it was done to.
    pub enum AuditSubject: "audit subject" {
        Meeting = "meeting",
        Account = "account",
        Organisation = "organisation",
        Compound = "compound",
        Issue = "issue",
        Invitation = "invitation",
        Key = "key",
        Channel = "channel",
        /// The working-day calendar's year (its id is the year).
        Calendar = "calendar",
    }
}

/// One line of the trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// UUID v7: the trail sorts by it.
    pub id: uuid::Uuid,
    pub community: CommunityId,
    pub at: DateTime<Utc>,
    /// `None`: the service itself (the scheduler) or the command line.
    pub actor: Option<UserId>,
    pub action: AuditAction,
    pub subject: AuditSubject,
    pub subject_id: String,
    /// What changed, as `name → value` (a new date, the attendees, the roles given, …).
    pub details: BTreeMap<String, String>,
}

impl AuditEntry {
    /// An entry with no details yet. `id` orders the trail: the caller makes it (UUID v7
    /// from a clock that only moves forward), so that two actions in one instant keep
    /// their order.
    pub fn new(
        id: uuid::Uuid,
        community: CommunityId,
        actor: Option<UserId>,
        action: AuditAction,
        subject: AuditSubject,
        subject_id: impl ToString,
        at: DateTime<Utc>,
    ) -> AuditEntry {
        AuditEntry {
            id,
            community,
            at: at.trunc_subsecs(6),
            actor,
            action,
            subject,
            subject_id: subject_id.to_string(),
            details: BTreeMap::new(),
        }
    }

    /// Adds what changed.
    pub fn with(mut self, name: &str, value: impl ToString) -> AuditEntry {
        self.details.insert(name.to_owned(), value.to_string());
        self
    }
}

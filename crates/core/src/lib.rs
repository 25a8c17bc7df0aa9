//! roundtable-core: the domain of the monthly joint meeting (联席会议).
//!
//! Everything here is a pure function of its inputs: no I/O, no async, no database.
//! Callers (the store and the web crate) bring the data and the clock; core decides.

pub mod actor;
pub mod agenda;
pub mod audit;
pub mod delivery;
pub mod directory;
pub mod ids;
pub mod issue;
pub mod meeting;
mod names;
pub mod notice;
pub mod photo;
pub mod quiet;
pub mod review;
pub mod scorecard;
pub mod search;
pub mod text;
pub mod workdays;
pub mod workflow;

pub use actor::{Actor, Membership, OrgKind, Role};
pub use delivery::{Audience, ChannelKind, DeliveryStatus};
pub use directory::{AccountNotice, Building, Community, Compound, GeoPoint, Invitation, Organisation, User};
pub use ids::{BuildingId, CommunityId, CompoundId, EventId, IssueId, MeetingId, OrgId, PhotoId, UserId};
pub use issue::{
    Commitment, Event, Extension, ExtensionRequest, Household, Issue, IssueState, NewIssue, ProxyReport, ReturnRequest,
    Urgency, Verification, VerificationOutcome, WaitingFor,
};
pub use meeting::{
    AgendaStatus, ItemOutcome, Meeting, MeetingNotice, MeetingRules, MeetingStatus, Occurrence, Override, Refusal,
    RevisionStatus, left_open, may_move, may_open,
};
pub use names::UnknownName;
pub use quiet::QuietHours;
pub use review::{CorrectionAnswer, MinutesStage};
pub use workdays::{Arrangement, Calendars, WorkCalendar};
pub use workflow::{
    Denial, Effect, Field, FieldError, FieldProblem, LoadError, Outcome, TransitionFields, TransitionRequest, Workflow,
    WorkflowSet, apply,
};

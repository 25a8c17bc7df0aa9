//! What the API sends and accepts. Separate from core's types so that what a caller
//! may see (contact data, the transitions open to them) is decided here, once.

use chrono::{DateTime, NaiveDate, Utc};
use roundtable_core::workflow::{Field, TransitionFields};
use roundtable_core::{Event, Issue, Organisation, Urgency, User, WaitingFor, Workflow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub mod audit;
pub mod instant;
pub mod local_time;
pub mod meetings;
pub mod names;

#[derive(Serialize, ToSchema, Clone)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CommitmentView {
    pub text: String,
    /// The last day of the promise, in the community's time zone.
    pub due_date: NaiveDate,
    pub committed_by: Uuid,
    pub committed_by_org: Option<Uuid>,
    /// The joint meeting at which it was made, if on the spot.
    pub meeting: Option<Uuid>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub committed_at: DateTime<Utc>,
    /// The due date lies beyond `meeting.max_commitment_days` of the day it was
    /// promised or last extended: only the secretary, with a reason, may set one.
    pub beyond_limit: bool,
}

/// The responsible party's request for a later due date, awaiting the secretary.
#[derive(Serialize, ToSchema)]
pub struct ExtensionRequestView {
    pub due_date: NaiveDate,
    pub reason: String,
    pub by: Uuid,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
}

/// The responsible party's request to be relieved of the issue (申请退回), awaiting the
/// secretary: hand it on (`reassign`) or refuse (`refuse_return`).
#[derive(Serialize, ToSchema)]
pub struct ReturnRequestView {
    /// Whose the party says it is instead, and why.
    pub reason: String,
    pub by: Uuid,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
}

/// One line of the commitment history: a promise, or an extension of one (延期).
#[derive(Serialize, ToSchema)]
pub struct CommitmentRecordView {
    pub text: String,
    pub due_date: NaiveDate,
    /// The date an extension moved; absent for a promise made afresh.
    pub extended_from: Option<NaiveDate>,
    pub reason: Option<String>,
    /// Who committed, or who granted the extension.
    pub by: PersonRef,
    pub org: Option<Uuid>,
    /// The joint meeting at which it was made or granted.
    pub meeting: Option<Uuid>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct VerificationView {
    /// `verified`, `partly_fixed` or `not_fixed`.
    pub outcome: String,
    pub satisfaction: Option<u8>,
    pub note: Option<String>,
    pub by: Uuid,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
}

/// A transition the caller may fire now, and what it needs.
#[derive(Serialize, ToSchema)]
pub struct AvailableTransition {
    #[schema(value_type = names::TransitionName)]
    pub name: String,
    #[schema(value_type = names::IssueState)]
    pub to: String,
    #[schema(value_type = Vec<names::FieldName>)]
    pub required: Vec<Field>,
    #[schema(value_type = Vec<names::FieldName>)]
    pub optional: Vec<Field>,
}

/// One of the caller's sessions (a signed-in browser) or API tokens.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// The one this request uses.
    pub current: bool,
}

/// `{current_password, new_password}`: the new one of 8 to 1,024 characters.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(value_type = String)]
    pub current_password: secrecy::SecretString,
    #[schema(value_type = String, min_length = 8, max_length = 1024)]
    pub new_password: secrecy::SecretString,
}

/// `{current_password, email, phone}`: how the caller is reached, both named (`null` or
/// blank is none), so that a client that sends one does not clear the other unawares.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactChange {
    #[schema(value_type = String)]
    pub current_password: secrecy::SecretString,
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required)]
    pub email: Option<String>,
    /// Kept by its digits (5 to 20), as sign-in by phone number finds it.
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required)]
    pub phone: Option<String>,
}

/// `PUT /api/v1/me/name`: the name the caller is shown by (1–100 characters).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameChange {
    pub name: String,
}

/// Another issue, by its title.
#[derive(Serialize, ToSchema, Clone)]
pub struct IssueRef {
    pub id: Uuid,
    pub title: String,
}

/// One issue, as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct IssueView {
    pub id: Uuid,
    pub workflow: String,
    #[schema(value_type = names::IssueState)]
    pub state: roundtable_core::IssueState,
    pub title: String,
    pub description: String,
    #[schema(value_type = names::Category)]
    pub category: String,
    #[schema(value_type = names::UrgencyName)]
    pub urgency: Urgency,
    pub compound: Uuid,
    pub building: Option<Uuid>,
    pub unit: Option<String>,
    pub raised_by: PersonRef,
    pub raised_by_org: Option<Uuid>,
    /// Only for secretaries, the responsible organisation and the raiser.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raiser_contact: Option<Contact>,
    pub responsible_org: Option<Uuid>,
    pub commitment: Option<CommitmentView>,
    /// The commitment's due date has passed while it is still open.
    pub overdue: bool,
    pub resolution_note: Option<String>,
    pub verification: Option<VerificationView>,
    pub duplicate_of: Option<Uuid>,
    /// The original, by title (when the caller may see it).
    pub original: Option<IssueRef>,
    /// The issues marked as duplicates of this one that the caller may see.
    pub duplicates: Vec<IssueRef>,
    pub closing_reason: Option<String>,
    pub support_count: u32,
    pub reopen_count: u32,
    /// How often the commitment's due date was moved (延期).
    pub extension_count: u32,
    /// A request for a later due date the secretary has not decided yet.
    pub extension_request: Option<ExtensionRequestView>,
    /// A request to be relieved of the issue the secretary has not decided yet.
    pub return_request: Option<ReturnRequestView>,
    /// Send it back with a transition; a stale one gets 409.
    pub version: u32,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// Since when it is in its state: how long it has waited for its next step.
    #[serde(serialize_with = "instant::rfc3339")]
    pub state_entered_at: DateTime<Utc>,
    /// What the caller may do now.
    pub transitions: Vec<AvailableTransition>,
    /// The photos of the issue and of its steps, by the step they go with.
    pub photos: Vec<PhotoView>,
    /// Raised on behalf of households (代报).
    pub on_behalf: Option<ProxyReportView>,
    /// The workflow's timer that fires next for it, and when: an urgent issue's deadline
    /// counted in working days, a promise's last day; none once every timer has fired.
    pub next_timer: Option<NextTimerView>,
    /// The caller follows it: they are told of each step (the raiser, supporters and the
    /// responsible company follow by themselves; anyone may stop or start).
    pub following: bool,
}

/// A photo; the image is at `url`, a small version at `thumbnail_url` (both for those who
/// may see its issue, or for its uploader until it is attached).
#[derive(Serialize, ToSchema, Clone)]
pub struct PhotoView {
    pub id: Uuid,
    /// `None` until it is attached to an issue.
    pub issue: Option<Uuid>,
    /// The issue's step it goes with (1: the raise).
    pub version: Option<u32>,
    #[schema(value_type = names::PhotoMediaType)]
    pub media_type: roundtable_core::photo::MediaType,
    pub width: u32,
    pub height: u32,
    /// Bytes, as stored (after cleaning).
    pub size: u32,
    pub url: String,
    pub thumbnail_url: String,
    pub uploaded_by: Uuid,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Marked by the secretary for the public board and Open311.
    pub public: bool,
}

impl PhotoView {
    /// `base` is `/api/v1/photos` for the API, `/photos` for the pages.
    pub fn new(p: &roundtable_core::photo::Photo, base: &str) -> Self {
        PhotoView {
            id: p.id.0,
            issue: p.issue.map(|i| i.0),
            version: p.version,
            media_type: p.media_type,
            width: p.width,
            height: p.height,
            size: p.size,
            url: format!("{base}/{}", p.id),
            thumbnail_url: format!("{base}/{}/thumbnail", p.id),
            uploaded_by: p.uploaded_by.0,
            created_at: p.created_at,
            public: p.public,
        }
    }
}

/// A row of the issue list.
#[derive(Serialize, ToSchema)]
pub struct IssueSummary {
    pub id: Uuid,
    #[schema(value_type = names::IssueState)]
    pub state: roundtable_core::IssueState,
    pub title: String,
    #[schema(value_type = names::Category)]
    pub category: String,
    #[schema(value_type = names::UrgencyName)]
    pub urgency: Urgency,
    pub compound: Uuid,
    pub building: Option<Uuid>,
    pub responsible_org: Option<Uuid>,
    pub commitment_due: Option<NaiveDate>,
    pub overdue: bool,
    pub support_count: u32,
    pub version: u32,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// Since when it is in its state: the pages' rows say how long it has waited. Not in
    /// the API's list: writing it cost the list 7 % of its instructions (docs/performance.md);
    /// an issue's own view has it.
    #[serde(skip)]
    pub state_entered_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct IssueList {
    pub items: Vec<IssueSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The workflow's timer that fires next for an issue.
#[derive(Serialize, ToSchema)]
pub struct NextTimerView {
    /// Its name in the workflow file (`yellow_unresolved`).
    pub timer: String,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
    /// What it does then: whom it reminds, whether it flags the promise overdue.
    #[schema(value_type = Vec<names::EffectName>)]
    pub effects: Vec<roundtable_core::Effect>,
}

/// One step of an issue's timeline.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub version: u32,
    pub transition: String,
    #[schema(value_type = Option<names::IssueState>)]
    pub from: Option<roundtable_core::IssueState>,
    #[schema(value_type = names::IssueState)]
    pub to: roundtable_core::IssueState,
    pub actor: PersonRef,
    pub actor_org: Option<Uuid>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
    /// The values the transition carried.
    #[schema(value_type = Object)]
    pub fields: TransitionFields,
}

#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct NewIssueBody {
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Up to 4,000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    /// e.g. `building`, `environment`, `security`, `parking`, `facilities`, `property_fee`, `other`.
    #[schema(value_type = names::Category)]
    pub category: String,
    /// `routine` unless given (or `null`): the secretary may grade it again when assigning.
    #[serde(default)]
    #[schema(value_type = Option<names::UrgencyName>)]
    pub urgency: Option<Urgency>,
    pub compound: Uuid,
    pub building: Option<Uuid>,
    pub unit: Option<String>,
    /// Photos uploaded with `POST /api/v1/photos` that show the problem (at most 6).
    #[serde(default)]
    pub photos: Vec<Uuid>,
    /// Raised on behalf of households (代报): building leaders for their buildings (then
    /// `building` is required), the secretary anywhere. The households count as support.
    pub on_behalf: Option<ProxyReportBody>,
}

/// `{households, contacts}`: how many households raised it, and those who gave their
/// names (at most 200; contact data, seen only by those who see raisers' contacts).
#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProxyReportBody {
    #[schema(minimum = 1, maximum = 2000)]
    pub households: u32,
    #[serde(default)]
    pub contacts: Vec<HouseholdBody>,
}

/// A household that gave its name: 1–50 characters, a phone of 5–20 digits (`+`, spaces
/// and dashes allowed).
#[derive(Deserialize, Serialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct HouseholdBody {
    pub name: String,
    pub phone: Option<String>,
}

/// How many households an issue was raised for; their names and phones only for those
/// who see raisers' contact data.
#[derive(Serialize, ToSchema)]
pub struct ProxyReportView {
    pub households: u32,
    pub contacts: Option<Vec<HouseholdBody>>,
}

/// `{transition, version, …fields}`: which fields a transition takes is in its
/// `required`/`optional` lists on the issue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    #[schema(value_type = names::TransitionName)]
    pub transition: String,
    /// The issue's version as the caller last saw it.
    pub version: u32,
    pub responsible_org: Option<Uuid>,
    pub commitment_text: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub meeting: Option<Uuid>,
    pub resolution_note: Option<String>,
    pub satisfaction: Option<i64>,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub duplicate_of: Option<Uuid>,
    #[schema(value_type = Option<names::UrgencyName>)]
    pub urgency: Option<Urgency>,
    #[schema(value_type = Option<names::WaitingForName>)]
    pub waiting_for: Option<WaitingFor>,
    /// Photos uploaded with `POST /api/v1/photos` that go with this step (at most 6): the
    /// fix when resolving, what is still wrong when reopening.
    #[serde(default)]
    pub photos: Vec<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SimilarQuery {
    /// The title of the issue about to be raised (up to 200 characters).
    pub title: String,
    /// Its compound: issues there come first.
    pub compound: Option<Uuid>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Comma-separated states of the workflow, e.g. `raised,assigned`; an unknown state is 422.
    pub state: Option<String>,
    pub compound: Option<Uuid>,
    pub responsible_org: Option<Uuid>,
    pub raised_by: Option<Uuid>,
    /// Only committed issues past their due date.
    pub overdue: Option<bool>,
    /// Only committed issues whose promise falls due from today through this many days
    /// ahead (0–90: 0 is today, 7 the coming week), by the community's day; not with
    /// `overdue`.
    pub due_within: Option<u32>,
    /// Only issues of this urgency.
    #[param(value_type = Option<names::UrgencyName>)]
    pub urgency: Option<Urgency>,
    /// Words in the title or description, all of them (Chinese needs no spaces: "按钮失灵"
    /// and "按钮 失灵" both find "电梯按钮失灵"); up to 200 characters.
    pub q: Option<String>,
    /// `newest` (default), `oldest`, `support` or `relevance` (the default with `q`).
    #[param(value_type = Option<names::IssueOrder>)]
    pub order: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SupportView {
    pub support_count: u32,
    pub supported: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub login: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub token_type: String,
    #[serde(serialize_with = "instant::rfc3339")]
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    /// party_committee, residents_committee, supervisory_committee, property_company, grid_branch, unit
    pub kind: String,
    pub name: String,
    pub compound: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<String>,
    pub locale: Option<String>,
    pub compound: Option<Uuid>,
    pub organisations: Vec<Uuid>,
    /// The buildings a building leader (楼栋长) speaks for — those she may invite to and
    /// whose issues she sees; empty for anyone else.
    pub buildings: Vec<Uuid>,
    pub disabled: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityView {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    pub default_locale: String,
}

#[derive(Serialize, ToSchema)]
pub struct NamedView {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub user: UserView,
    pub community: CommunityView,
    pub organisations: Vec<OrganisationView>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkflowView {
    pub name: String,
    pub title: String,
    /// States, transitions (with who may fire them and their fields) and timers.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    /// The workflow as a Mermaid state diagram.
    pub mermaid: String,
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> Self {
        OrganisationView {
            id: o.id.0,
            kind: o.kind.to_string(),
            name: o.name.clone(),
            compound: o.compound.map(|c| c.0),
        }
    }
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.0,
            login: u.login.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            roles: u.roles.iter().map(|r| r.to_string()).collect(),
            locale: u.locale.clone(),
            compound: u.compound.map(|c| c.0),
            organisations: u.organisations.iter().map(|o| o.0).collect(),
            buildings: u.buildings.iter().map(|b| b.0).collect(),
            disabled: u.disabled,
        }
    }
}

impl From<&Workflow> for WorkflowView {
    fn from(w: &Workflow) -> Self {
        WorkflowView {
            name: w.name.clone(),
            title: w.title.clone(),
            definition: serde_json::to_value(w).unwrap_or_default(),
            mermaid: w.mermaid(),
        }
    }
}

/// Whether an open commitment's due date is before `today`.
pub fn is_overdue(issue: &Issue, today: NaiveDate) -> bool {
    issue.state == roundtable_core::IssueState::COMMITTED
        && issue.commitment.as_ref().is_some_and(|c| c.due_date < today)
}

impl IssueSummary {
    pub fn new(i: roundtable_store::issues::Listing, today: NaiveDate) -> Self {
        IssueSummary {
            overdue: i.overdue_on(today),
            id: i.id.0,
            state: i.state,
            title: i.title,
            category: i.category,
            urgency: i.urgency,
            compound: i.compound.0,
            building: i.building.map(|b| b.0),
            responsible_org: i.responsible_org.map(|o| o.0),
            commitment_due: i.commitment_due,
            support_count: i.support_count,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
            state_entered_at: i.state_entered_at,
        }
    }
}

impl EventView {
    pub fn new(e: &Event, actor_name: String) -> Self {
        EventView {
            id: e.id.0,
            version: e.version,
            transition: e.transition.clone(),
            from: e.from.clone(),
            to: e.to.clone(),
            actor: PersonRef { id: e.actor.0, name: actor_name },
            actor_org: e.actor_org.map(|o| o.0),
            at: e.at,
            fields: e.fields.clone(),
        }
    }
}

/// `{role, compound?, building?, unit?, org?, note?, days?, uses?}`: an invitation to make
/// an account. Residents and grid secretaries need a compound (a building names its own),
/// building leaders a building, property staff their company.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    #[schema(value_type = names::RoleName)]
    pub role: roundtable_core::Role,
    pub compound: Option<Uuid>,
    pub building: Option<Uuid>,
    pub unit: Option<String>,
    pub org: Option<Uuid>,
    /// Whom it is for, up to 200 characters.
    pub note: Option<String>,
    /// Days until it expires: 1–60, default 14.
    pub days: Option<u32>,
    /// How many may sign up with it: 1 (the default: one person) to 500 (a notice board).
    pub uses: Option<u32>,
}

/// An invitation and the link that takes it up.
#[derive(Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    #[schema(value_type = names::RoleName)]
    pub role: roundtable_core::Role,
    pub compound: Option<Uuid>,
    pub building: Option<Uuid>,
    pub unit: Option<String>,
    pub org: Option<Uuid>,
    pub note: Option<String>,
    pub created_by: Uuid,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub expires_at: DateTime<Utc>,
    pub max_uses: u32,
    pub uses: u32,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether someone can still sign up with it.
    pub open: bool,
    /// The sign-up page (`mail.base_url` + `/join/{id}/{signature}`).
    pub url: String,
}

impl InvitationView {
    pub fn new(i: &roundtable_core::Invitation, url: String, now: DateTime<Utc>) -> Self {
        InvitationView {
            id: i.id,
            role: i.role,
            compound: i.compound.map(|c| c.0),
            building: i.building.map(|b| b.0),
            unit: i.unit.clone(),
            org: i.org.map(|o| o.0),
            note: i.note.clone(),
            created_by: i.created_by.0,
            created_at: i.created_at,
            expires_at: i.expires_at,
            max_uses: i.max_uses,
            uses: i.uses,
            revoked_at: i.revoked_at,
            open: i.open_at(now),
            url,
        }
    }
}

/// Everything roundtable keeps about the caller (`GET /api/v1/me/data`): their account,
/// the issues they raised, every step they took, what they support, their photos, their
/// sessions and what the audit trail records them doing.
#[derive(Serialize, ToSchema)]
pub struct MyData {
    #[serde(serialize_with = "instant::rfc3339")]
    pub exported_at: DateTime<Utc>,
    pub account: UserView,
    /// The buildings they lead (building leaders).
    pub buildings: Vec<Uuid>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub issues_raised: Vec<RaisedData>,
    pub steps: Vec<StepData>,
    pub supported: Vec<IssueRef>,
    pub photos: Vec<PhotoView>,
    pub sessions: Vec<SessionView>,
    pub audit: Vec<audit::AuditView>,
}

/// An issue as its raiser wrote it.
#[derive(Serialize, ToSchema)]
pub struct RaisedData {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    pub compound: Uuid,
    pub building: Option<Uuid>,
    pub unit: Option<String>,
    #[schema(value_type = names::IssueState)]
    pub state: String,
    #[serde(serialize_with = "instant::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A step someone took on an issue, with what they wrote.
#[derive(Serialize, ToSchema)]
pub struct StepData {
    pub issue: Uuid,
    pub transition: String,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub fields: TransitionFields,
}

/// `{password}`: closing one's own account (the current password confirms it).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAccount {
    #[schema(value_type = String)]
    pub password: secrecy::SecretString,
}

/// A notice: a step taken on an issue the caller follows.
#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    pub id: Uuid,
    pub issue: IssueRef,
    /// A step's version in the issue's timeline (a step's notice; null for a meeting's).
    pub version: Option<u32>,
    #[schema(value_type = Option<names::TransitionName>)]
    pub transition: Option<String>,
    /// The state the step left the issue in.
    #[schema(value_type = Option<names::IssueState>)]
    pub to: Option<String>,
    /// The values the step carried (the company assigned, the commitment and its due
    /// date, a note), as on the issue's timeline.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<TransitionFields>,
    /// A meeting's notice: its agenda lists the issue, or its minutes say what it did
    /// with it (null for a step's notice).
    pub meeting: Option<meetings::MeetingToldView>,
    /// A workflow's reminder: the timer that fired (`due_soon`, `overdue`,
    /// `red_unassigned`, `verification_reminder`… as the workflow names them) — the issue
    /// waits for someone's step; null for a step's or a meeting's notice.
    pub reminder: Option<String>,
    /// A reminder's issue's promised date as it stands now (null without a promise, and
    /// for a step's or a meeting's notice: theirs are in `fields` and `meeting`).
    pub due_date: Option<chrono::NaiveDate>,
    /// Who took the step, or published the agenda or the minutes (null for a reminder:
    /// nobody acted).
    pub actor: Option<PersonRef>,
    #[serde(serialize_with = "instant::rfc3339")]
    pub at: DateTime<Utc>,
    pub read: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeList {
    /// Newest first, at most 100.
    pub items: Vec<NoticeView>,
    /// The bell's number: the caller's unread notices as the notices page lists them —
    /// each step's notice, and what a meeting told at once (its agenda, its minutes, a
    /// move) once however many issues it names. Count `items` with `read` false for the
    /// notices themselves.
    pub unread: u32,
    /// There are older ones: pass this as `before` for the next page.
    pub older: Option<Uuid>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    /// Only unread notices.
    pub unread: Option<bool>,
    /// Only those older than this notice (the list's `older`).
    pub before: Option<Uuid>,
}

/// `{ids}`: the notices to mark read; without `ids`, all of the caller's.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    pub ids: Option<Vec<Uuid>>,
}

/// Whether the caller follows an issue.
#[derive(Serialize, ToSchema)]
pub struct FollowView {
    pub following: bool,
}

/// `{mail}`: which notices also come by mail — `each`, a daily `digest` (the default) or `none`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeMailSetting {
    #[schema(value_type = names::NoticeMailName)]
    pub mail: roundtable_core::notice::NoticeMail,
}

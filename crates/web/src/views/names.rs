//! Closed sets of names the API sends or takes, declared in the OpenAPI document as
//! string enums. The values come from the code that parses them, so the two cannot drift;
//! the states of an issue come from the workflows the server loaded (see
//! `api::finish_document`).

use roundtable_core::agenda::{Reason, Section};
use roundtable_core::workflow::Field;
use roundtable_core::{AgendaStatus, ItemOutcome, MeetingStatus, RevisionStatus};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

fn string_enum<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> RefOr<Schema> {
    let values: Vec<String> = values.into_iter().map(str::to_owned).collect();
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).description(Some(description)).into()
}

macro_rules! names {
    ($ty:ident, $description:literal, $values:expr) => {
        #[doc = $description]
        pub struct $ty;
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string_enum($values, $description)
            }
        }
        impl utoipa::ToSchema for $ty {}
    };
}

names!(Category, "What an issue is about.", crate::ops::issues::CATEGORIES);
names!(
    UrgencyName,
    "How urgent an issue is (紧急程度): `routine` for the monthly meeting (the default), `yellow` within a few working days, `red` within 24 hours.",
    roundtable_core::Urgency::ALL.iter().map(|u| u.as_str())
);
names!(
    WaitingForName,
    "What a paused issue (暂缓) waits for: `owners_vote` (业主表决), `maintenance_fund` (维修资金), `other_party` (a utility, a department, the developer).",
    roundtable_core::WaitingFor::ALL.iter().map(|w| w.as_str())
);
names!(
    IssueOrder,
    "How a list of issues is sorted: newest first (the default), oldest first, most supported first, or best match first (the default with `q`).",
    crate::ops::issues::ORDERS
);
names!(
    DocumentFormat,
    "`html` (print-ready, the default) or `md` (Markdown).",
    crate::views::meetings::DocumentFormat::ALL.iter().map(|f| f.as_str())
);
names!(MeetingStatusName, "Where a meeting stands.", MeetingStatus::ALL.iter().map(|s| s.as_str()));
names!(AgendaStatusName, "Where a meeting's agenda stands.", AgendaStatus::ALL.iter().map(|s| s.as_str()));
names!(
    MinutesStageName,
    "Where a meeting's minutes stand.",
    roundtable_core::MinutesStage::ALL.iter().map(|s| s.as_str())
);
names!(SectionName, "A section of the agenda.", Section::ALL.iter().map(|s| s.as_str()));
names!(ReasonName, "Why an item is on the agenda.", Reason::ALL.iter().map(|s| s.as_str()));
names!(ItemOutcomeName, "What the meeting did with an agenda item.", ItemOutcome::ALL.iter().map(|s| s.as_str()));
names!(
    MeetingToldName,
    "What a joint meeting told a follower of an issue it listed.",
    roundtable_core::notice::MeetingTold::ALL.iter().map(|s| s.as_str())
);
names!(RevisionStatusName, "A revision of the minutes.", RevisionStatus::ALL.iter().map(|s| s.as_str()));
names!(
    CorrectionAnswerName,
    "How the secretary answered a correction to the draft minutes.",
    roundtable_core::CorrectionAnswer::ALL.iter().map(|s| s.as_str())
);
names!(IssueState, "A state of the issue's workflow (the served document lists those of the loaded workflows).", []);
names!(
    TransitionName,
    "A transition of the issue's workflow (the served document lists those of the loaded workflows).",
    []
);
names!(
    RefusalName,
    "Why the meeting's lifecycle refused a step.",
    roundtable_core::Refusal::ALL.iter().map(|r| r.as_str())
);
names!(FieldName, "A value a transition carries.", Field::ALL.iter().map(|f| f.as_str()));
names!(
    EffectName,
    "What a transition or a timer does: notify or remind a party, flag a promise overdue, escalate.",
    roundtable_core::Effect::ALL.iter().map(|e| e.as_str())
);
names!(Locale, "A language of the pages and mail.", crate::i18n::LOCALES);

names!(
    AuditActionName,
    "What an audited action did.",
    roundtable_core::audit::AuditAction::ALL.iter().map(|a| a.as_str())
);
names!(
    AuditSubjectName,
    "What an audited action was done to.",
    roundtable_core::audit::AuditSubject::ALL.iter().map(|a| a.as_str())
);
names!(
    PhotoMediaType,
    "How a stored photo is encoded.",
    roundtable_core::photo::MediaType::ALL.iter().map(|m| m.as_str())
);
names!(RoleName, "What a user may do.", roundtable_core::Role::ALL.iter().map(|r| r.as_str()));
names!(
    NoticeMailName,
    "Which notices also come by mail: each, a daily digest, or none.",
    roundtable_core::notice::NoticeMail::ALL.iter().map(|m| m.as_str())
);
names!(
    ChannelKindName,
    "A channel besides mail: a WeCom group robot, a DingTalk custom robot, or a signed webhook.",
    roundtable_core::ChannelKind::ALL.iter().map(|k| k.as_str())
);
names!(
    DeliveryStatusName,
    "How far a notice got: waiting (or retrying), sent, or given up on (dead).",
    roundtable_core::DeliveryStatus::ALL.iter().map(|s| s.as_str())
);

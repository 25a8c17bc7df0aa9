//! The audit trail as the API sends it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{PersonRef, names};

/// One line of the audit trail: who did what to what, when.
#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `null`: the service itself (the schedule) or the command line.
    pub actor: Option<PersonRef>,
    #[schema(value_type = names::AuditActionName)]
    pub action: AuditAction,
    #[schema(value_type = names::AuditSubjectName)]
    pub subject: AuditSubject,
    /// The meeting, account, organisation, compound or issue.
    pub subject_id: String,
    /// What changed, by name.
    pub details: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditView>,
    /// Pass as `cursor` for older entries; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only what was done to this meeting, account, organisation, compound or issue.
    pub subject_id: Option<String>,
    /// Only what this user did.
    pub actor: Option<Uuid>,
    /// Only this action.
    #[param(value_type = Option<names::AuditActionName>)]
    pub action: Option<String>,
    /// Only this kind of subject.
    #[param(value_type = Option<names::AuditSubjectName>)]
    pub subject: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

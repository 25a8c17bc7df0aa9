//! Reference data: the community, its compounds and buildings, its organisations and people.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{OrgKind, Role};
use crate::ids::{BuildingId, CommunityId, CompoundId, OrgId, UserId};
use crate::names::named_enum;

/// A community (社区): the tenant. One deployment may serve several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    pub id: CommunityId,
    pub name: String,
    /// The IANA zone, e.g. `Asia/Shanghai`: meetings, due dates and timers use it. Parsed
    /// where it is read, so nothing downstream can fall back to a guess.
    pub time_zone: chrono_tz::Tz,
    /// `zh-CN` or `en`: for people who have not chosen.
    pub default_locale: String,
    pub created_at: DateTime<Utc>,
}

/// A residential compound (小区).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compound {
    pub id: CompoundId,
    pub community: CommunityId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A building (楼栋).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Building {
    pub id: BuildingId,
    pub community: CommunityId,
    pub compound: CompoundId,
    pub name: String,
}

/// A party to the meeting: a committee, a property company, a grid branch, a unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrgId,
    pub community: CommunityId,
    pub kind: OrgKind,
    pub name: String,
    /// Where the organisation's mail goes.
    pub contact_emails: Vec<String>,
    /// The compound a property company runs or a grid branch covers.
    pub compound: Option<CompoundId>,
    pub created_at: DateTime<Utc>,
}

/// A person with an account. The password hash never leaves the store's callers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub community: CommunityId,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    /// `zh-CN` or `en`; `None` follows the community.
    pub locale: Option<String>,
    /// The compound a resident or grid secretary belongs to.
    pub compound: Option<CompoundId>,
    /// The buildings a building leader speaks for.
    #[serde(default)]
    pub buildings: Vec<BuildingId>,
    /// Organisations, the first being the one the user acts for by default.
    pub organisations: Vec<OrgId>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

named_enum! {
    /// Mail about an account itself (the outbox row's effect; its payload names the user).
    pub enum AccountNotice: "account notice" {
        /// A one-time link to set a new password.
        PasswordReset = "password_reset",
    }
}

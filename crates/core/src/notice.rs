//! In-app notices: what followers of an issue are told of each step taken on it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, IssueId, UserId};
use crate::names::named_enum;

named_enum! {
    /// Which notices also come by mail.
    pub enum NoticeMail: "notice mail setting" {
        /// Each as it happens (gathered a minute at most).
        Each = "each",
        /// One mail a day with the day's notices.
        Digest = "digest",
        /// None: the bell on the pages only.
        Off = "none",
    }
}

impl Default for NoticeMail {
    /// A daily digest: followers hear of their issues without a mail for every step.
    fn default() -> Self {
        NoticeMail::Digest
    }
}

/// A notice: `actor` took the step at `version` (`transition`) of an issue `user` follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// UUID v7: notices sort by it.
    pub id: uuid::Uuid,
    pub community: CommunityId,
    pub user: UserId,
    pub issue: IssueId,
    pub version: u32,
    pub transition: String,
    pub actor: UserId,
    pub at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub mailed_at: Option<DateTime<Utc>>,
}

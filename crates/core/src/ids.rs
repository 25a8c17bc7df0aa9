//! Typed identifiers. Each wraps a UUID v7, so ids sort by creation time and a
//! user id can never be passed where an issue id is expected.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::{Timestamp, Uuid};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh UUID v7 stamped with the current time.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// A UUID v7 stamped with `at`, for ids that must sort with a given moment.
            pub fn at(at: DateTime<Utc>) -> Self {
                let ts = Timestamp::from_unix(
                    uuid::NoContext,
                    at.timestamp().max(0) as u64,
                    at.timestamp_subsec_nanos(),
                );
                Self(Uuid::new_v7(ts))
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

typed_id!(
    /// A community (社区): the tenant boundary. Nobody sees another community's data.
    CommunityId,
    /// A residential compound (小区).
    CompoundId,
    /// A building (楼栋) within a compound.
    BuildingId,
    /// An organisation: party committee, property company, supervisory committee, …
    OrgId,
    /// A person with an account.
    UserId,
    /// An issue (问题/诉求) on the tracker.
    IssueId,
    /// One entry in an issue's append-only timeline.
    EventId,
    /// A monthly joint meeting.
    MeetingId,
    /// A photo of an issue or of one of its transitions.
    PhotoId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_sort_by_time() {
        let early = IssueId::at("2026-01-01T00:00:00Z".parse().unwrap());
        let late = IssueId::at("2026-06-01T00:00:00Z".parse().unwrap());
        assert_eq!(early.0.get_version_num(), 7);
        assert!(early < late);
        assert_eq!(early.to_string().parse::<IssueId>().unwrap(), early);
    }
}

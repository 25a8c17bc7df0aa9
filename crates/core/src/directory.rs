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
    /// When and where it meets, where that differs from the deployment's settings.
    pub meeting_time: Option<chrono::NaiveTime>,
    pub meeting_place: Option<String>,
    /// The workflow its new issues follow, where not the default one (a community may run
    /// a lighter or stricter process; issues keep the workflow they were raised under).
    pub workflow: Option<String>,
    /// Its own `[meeting]` and `[scorecard]` settings as a TOML document, laid over the
    /// deployment's where they are read (the web crate's configuration validates them).
    pub settings: Option<String>,
}

impl Community {
    /// A community just set up: a new id, and meeting, workflow and settings as the
    /// deployment's until it is given its own.
    pub fn new(
        name: impl Into<String>,
        time_zone: chrono_tz::Tz,
        default_locale: impl Into<String>,
        created_at: DateTime<Utc>,
    ) -> Self {
        Community {
            id: CommunityId::new(),
            name: name.into(),
            time_zone,
            default_locale: default_locale.into(),
            created_at,
            meeting_time: None,
            meeting_place: None,
            workflow: None,
            settings: None,
        }
    }
}

/// A residential compound (小区).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compound {
    pub id: CompoundId,
    pub community: CommunityId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Where it lies (its gate, say): Open311 requests locate themselves by it.
    #[serde(default)]
    pub location: Option<GeoPoint>,
}

/// A point in WGS-84 degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub long: f64,
}

impl GeoPoint {
    /// A point only where one can be: latitude within ±90, longitude within ±180.
    /// Negative zero is zero (adding +0.0 makes it so), or "-0" would be shown as typed.
    pub fn new(lat: f64, long: f64) -> Option<GeoPoint> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&long))
            .then_some(GeoPoint { lat: lat + 0.0, long: long + 0.0 })
    }

    /// The great-circle distance in metres (haversine on a sphere of the Earth's mean
    /// radius: within 0.5 % — plenty for "which compound is this").
    pub fn metres_to(self, other: GeoPoint) -> f64 {
        const R: f64 = 6_371_008.8;
        let (a, b) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = b - a;
        let dlong = (other.long - self.long).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + a.cos() * b.cos() * (dlong / 2.0).sin().powi(2);
        2.0 * R * h.sqrt().min(1.0).asin()
    }
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

/// An invitation to make an account: a signed link (and its QR code) for a role and a
/// place — a compound, a building, a company. It works until it expires, is revoked or
/// has been taken up `max_uses` times (once, unless printed for a notice board).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: uuid::Uuid,
    pub community: CommunityId,
    pub role: Role,
    pub compound: Option<CompoundId>,
    pub building: Option<BuildingId>,
    pub unit: Option<String>,
    pub org: Option<OrgId>,
    /// Whom it is for, as the inviter wrote it ("3号楼 2单元 住户").
    pub note: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub max_uses: u32,
    pub uses: u32,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// At most this many sign-ups on one invitation (a notice board of one building).
    pub const MAX_USES: u32 = 500;
    /// At most this many days before it expires.
    pub const MAX_DAYS: u32 = 60;

    /// Whether it still lets someone sign up at `now`.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.uses < self.max_uses && now < self.expires_at
    }
}

named_enum! {
    /// Mail about an account itself (the outbox row's effect; its payload names the user).
    pub enum AccountNotice: "account notice" {
        /// A one-time link to set a new password.
        PasswordReset = "password_reset",
        /// Notices of followed issues (`notice::Notice`), each or a day's digest.
        Notices = "notices",
    }
}

#[cfg(test)]
mod tests {
    use super::GeoPoint;

    #[test]
    fn a_point_is_where_one_can_be_and_negative_zero_is_zero() {
        let p = GeoPoint::new(-0.0, -0.0).expect("the origin is a point");
        assert_eq!(format!("{}, {}", p.lat, p.long), "0, 0");
        assert_eq!(GeoPoint::new(35.493, 112.853).map(|p| (p.lat, p.long)), Some((35.493, 112.853)));
        assert_eq!(GeoPoint::new(90.5, 0.0), None);
        assert_eq!(GeoPoint::new(0.0, -180.5), None);
        assert_eq!(GeoPoint::new(f64::NAN, 0.0), None);
    }
}

//! Photos: what the tracker keeps about each picture of a problem or of its fix. The
//! bytes live outside the database, named by their content hash; the web crate checks,
//! cleans and stores them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, IssueId, PhotoId, UserId};
use crate::names::named_enum;

/// At most this many photos illustrate one note: the raise, or one transition.
pub const MAX_PER_NOTE: usize = 6;

named_enum! {
    /// How a stored photo is encoded. Whatever arrives is decoded and encoded again as one
    /// of these, so no metadata (EXIF, GPS) the phone wrote survives.
    pub enum MediaType: "media type" {
        Jpeg = "image/jpeg",
        Png = "image/png",
    }
}

/// A photo. Uploaded first (`issue` is `None`: only its uploader sees it), then attached
/// to the note it illustrates: the issue's event at `version` (1 is the raise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: PhotoId,
    pub community: CommunityId,
    pub issue: Option<IssueId>,
    pub version: Option<u32>,
    /// SHA-256 of the stored bytes, hex: the file's name.
    pub content_hash: String,
    /// SHA-256 of the thumbnail (always JPEG).
    pub thumb_hash: String,
    pub media_type: MediaType,
    pub width: u32,
    pub height: u32,
    pub size: u32,
    pub uploaded_by: UserId,
    pub created_at: DateTime<Utc>,
    /// Marked by the secretary as fit for everyone's eyes (no faces, no door numbers): shown
    /// on the public board and in Open311. Every photo starts private.
    #[serde(default)]
    pub public: bool,
}

impl Photo {
    /// Whether `user` may attach it to a note: their own, not yet attached.
    pub fn attachable_by(&self, user: UserId) -> bool {
        self.issue.is_none() && self.uploaded_by == user
    }
}

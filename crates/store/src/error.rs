//! What can go wrong in the store, typed so callers can answer a client precisely.

/// A store failure. `Conflict`, `NotFound` and `BadCursor` are the client's business
/// (409, 404, 400); the rest are the operator's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL `{0}`: use sqlite://PATH, a plain file path, or postgres://USER@HOST:PORT/DATABASE"
    )]
    BadUrl(String),
    #[error("cannot open the database at {url}: {reason}")]
    Unavailable { url: String, reason: String },
    #[error(
        "the database at {url} was migrated by a newer roundtable (it has migration {version}, unknown to this version); upgrade roundtable or point it at another database"
    )]
    NewerSchema { url: String, version: String },
    #[error("migrating the database failed: {0}")]
    Migration(String),
    #[error("no database connection became free: {0}")]
    Pool(String),
    #[error("not found")]
    NotFound,
    /// Someone else changed the row first; `current` is its version now.
    #[error("stale version: the issue is now at version {current}")]
    Conflict { current: u32 },
    #[error("{0} already exists")]
    Duplicate(String),
    /// A request sent with a key its sender sent before: `issue` is what the first one
    /// made or changed, `same` whether both asked the same (a repeat) or not (the key used
    /// again).
    #[error("sent before with this key, about issue {issue}")]
    KeySentBefore { issue: roundtable_core::IssueId, same: bool },
    /// A row others point at (a building an issue names) cannot go.
    #[error("{0} is in use")]
    InUse(String),
    /// An agenda edit named an item the meeting does not have.
    #[error("no agenda item {0} in this meeting")]
    UnknownItem(String),
    /// An agenda edit would drop a fixed section's item or one with a recorded outcome.
    #[error("agenda item {0} cannot be dropped: it is a fixed section or has an outcome")]
    Protected(String),
    /// An outcome recorded over one that took its issue's steps, which stands.
    #[error("agenda item {0} has an outcome that took its issue's steps: it stands")]
    Settled(String),
    /// Publishing minutes while corrections the parties asked are unanswered.
    #[error("{0} correction(s) to the draft minutes are unanswered")]
    Unanswered(i64),
    #[error("invalid page cursor")]
    BadCursor,
    #[error("a stored value could not be read: {0}")]
    Corrupt(String),
    /// The code run against the database panicked: a bug, not an outage (500, not 503).
    #[error("a database task panicked: {0}")]
    Panicked(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Maps a unique-constraint violation to `Duplicate`, anything else to `Database`.
    pub(crate) fn from_insert(what: &str) -> impl Fn(diesel::result::Error) -> StoreError + '_ {
        move |e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                StoreError::Duplicate(what.to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}

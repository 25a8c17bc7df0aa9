//! Between core's types and the portable column types: ids as TEXT, times as UTC
//! timestamps, enums by name.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::StoreError;

pub(crate) fn ts(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub(crate) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Parses a stored id or name; a failure means the row was not written by us.
pub(crate) fn parse<T: FromStr>(what: &str, s: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e| StoreError::Corrupt(format!("{what} `{s}`: {e}")))
}

pub(crate) fn parse_opt<T: FromStr>(what: &str, s: Option<&str>) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.map(|s| parse(what, s)).transpose()
}

pub(crate) fn id_opt<T: ToString>(id: Option<T>) -> Option<String> {
    id.map(|i| i.to_string())
}

/// A `TIMESTAMP` column read quickly. SQLite keeps times as text, and diesel reads that
/// text by trying chrono format strings in turn, which was a tenth of serving a list of
/// issues (perf, docs/performance.md). The text we write ("2026-12-01 03:54:25.123456")
/// is read by hand here; anything else goes to diesel's own reading, as do PostgreSQL's
/// binary times.
#[derive(Debug, Clone, Copy, diesel::deserialize::FromSqlRow)]
pub(crate) struct FastTs(NaiveDateTime);

impl From<FastTs> for NaiveDateTime {
    fn from(t: FastTs) -> Self {
        t.0
    }
}

/// "YYYY-MM-DD HH:MM:SS" with an optional fraction of 1–9 digits; `None` for anything else.
fn timestamp_text(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            num(20..b.len())? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let day = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    day.and_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nanos)
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for FastTs {
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> diesel::deserialize::Result<Self> {
        if value.value_type() == Some(diesel::sqlite::SqliteType::Text)
            && let Some(t) = timestamp_text(value.read_text())
        {
            return Ok(FastTs(t));
        }
        <NaiveDateTime as diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite>>::from_sql(
            value,
        )
        .map(FastTs)
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for FastTs {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        <NaiveDateTime as diesel::deserialize::FromSql<diesel::sql_types::Timestamp, diesel::pg::Pg>>::from_sql(value)
            .map(FastTs)
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, crate::db::MultiBackend> for FastTs {
    fn from_sql(value: crate::db::MultiRawValue<'_>) -> diesel::deserialize::Result<Self> {
        value.from_sql::<Self, diesel::sql_types::Timestamp>()
    }
}

/// An id column (UUID text) read straight into a `Uuid`, for the lists: reading it as a
/// `String` first allocated, copied and checked each id of each row only to parse and drop
/// it (callgrind, docs/performance.md). What is not a UUID is an error, as with `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub(crate) struct FastUuid(pub uuid::Uuid);

/// Typed ids read as [`FastUuid`]s (`deserialize_as`).
macro_rules! from_fast_uuid {
    ($($id:ty),*) => {$(
        impl From<FastUuid> for $id {
            fn from(u: FastUuid) -> Self {
                Self(u.0)
            }
        }
    )*};
}
from_fast_uuid!(roundtable_core::IssueId, roundtable_core::CompoundId);

fn uuid_bytes(bytes: &[u8]) -> diesel::deserialize::Result<FastUuid> {
    uuid::Uuid::try_parse_ascii(bytes)
        .map(FastUuid)
        .map_err(|e| format!("a stored id `{}`: {e}", String::from_utf8_lossy(bytes)).into())
}

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for FastUuid {
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> diesel::deserialize::Result<Self> {
        uuid_bytes(value.read_blob())
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for FastUuid {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        uuid_bytes(value.as_bytes())
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Text, crate::db::MultiBackend> for FastUuid {
    fn from_sql(value: crate::db::MultiRawValue<'_>) -> diesel::deserialize::Result<Self> {
        value.from_sql::<Self, diesel::sql_types::Text>()
    }
}

#[cfg(test)]
mod tests {
    use super::{timestamp_text, uuid_bytes};
    use chrono::NaiveDateTime;

    /// The hand reading agrees with chrono's on what diesel writes, and declines the rest
    /// (which diesel's own reading then gets).
    #[test]
    fn timestamps_are_read_by_hand_as_chrono_reads_them() {
        for text in [
            "2026-12-01 03:54:25.123456",
            "2026-12-01 03:54:25",
            "1999-02-28 23:59:59.5",
            "2026-01-09 00:00:00.000000001",
        ] {
            let chrono = NaiveDateTime::parse_from_str(text, "%F %T%.f").unwrap();
            assert_eq!(timestamp_text(text), Some(chrono), "{text}");
        }
        for text in [
            "2026-12-01T03:54:25",
            "2026-02-30 00:00:00",
            "2026-12-01 24:00:00",
            "2026-12-01 03:54:25.",
            "2026-12-01 03:54:25.1234567890",
            "2026-12-01 03:54",
            "２０２６-12-01 03:54:25",
            "2026-12-01 03:54:25Z",
            "2026-1x-01 03:54:25",
        ] {
            assert_eq!(timestamp_text(text), None, "{text}");
        }
    }

    #[test]
    fn ids_are_read_as_uuids_and_anything_else_refused() {
        let id = "01a22fff-73f0-7fe1-9ac7-c2acafd78737";
        assert_eq!(uuid_bytes(id.as_bytes()).unwrap().0, id.parse::<uuid::Uuid>().unwrap());
        for bad in ["", "not an id", "01a22fff-73f0-7fe1-9ac7-c2acafd7873", "01a22fff-73f0-7fe1-9ac7-c2acafd78737x"] {
            assert!(uuid_bytes(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}

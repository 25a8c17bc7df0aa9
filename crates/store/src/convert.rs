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

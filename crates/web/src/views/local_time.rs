//! A local date and time as people write it: `YYYY-MM-DDTHH:MM`, seconds optional.

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer};

pub fn parse(s: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
}

pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not a local date and time YYYY-MM-DDTHH:MM[:SS]"))
        }),
    }
}

//! Instants as the API writes them: RFC 3339 in UTC, `2026-12-06T01:30:00.123456Z`, the
//! fraction as long as it needs to be (none, 3, 6 or 9 digits) — chrono's own format,
//! written without `fmt`. chrono writes through `Formatter`, and serde_json escapes each
//! piece it is handed, character by character: the two timestamps of each row were a
//! fifth of a list request's instructions (callgrind, docs/performance.md).

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::Serializer;

/// For `#[serde(serialize_with = "…")]` on a `DateTime<Utc>`.
pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match write(t, &mut buf) {
        Some(text) => s.serialize_str(text),
        // Years beyond four digits and leap seconds: chrono's own, slower, writing.
        None => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

/// For `#[serde(serialize_with = "…")]` on an `Option<DateTime<Utc>>`.
pub fn rfc3339_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

/// Writes `t` into `buf`, or `None` when chrono's general writing is needed.
fn write<'b>(t: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    // Each accessor of a `DateTime` converts it to local time again: convert once.
    let (day, time) = (t.date_naive(), t.time());
    let year = u32::try_from(day.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut n = 0;
    put(buf, &mut n, year, 4);
    for (sep, value) in
        [(b'-', day.month()), (b'-', day.day()), (b'T', time.hour()), (b':', time.minute()), (b':', time.second())]
    {
        buf[n] = sep;
        n += 1;
        put(buf, &mut n, value, 2);
    }
    let (fraction, digits) = match nanos {
        0 => (0, 0),
        _ if nanos % 1_000_000 == 0 => (nanos / 1_000_000, 3),
        _ if nanos % 1_000 == 0 => (nanos / 1_000, 6),
        _ => (nanos, 9),
    };
    if digits > 0 {
        buf[n] = b'.';
        n += 1;
        put(buf, &mut n, fraction, digits);
    }
    buf[n] = b'Z';
    std::str::from_utf8(&buf[..n + 1]).ok()
}

/// The last `digits` decimal digits of `value`, zero-padded, at `buf[*n..]` (written from
/// the right: a division by the constant 10 is a multiplication).
fn put(buf: &mut [u8; 30], n: &mut usize, mut value: u32, digits: usize) {
    for slot in buf[*n..*n + digits].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    *n += digits;
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn ours(t: &DateTime<Utc>) -> String {
        rfc3339(t, serde_json::value::Serializer).unwrap().as_str().unwrap().to_owned()
    }

    /// Byte for byte what chrono's own serialisation writes, fractions of every length,
    /// the ends of four-digit years, and what is handed to chrono (a leap second, years
    /// outside 0–9999).
    #[test]
    fn writes_what_chrono_writes() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let mut cases: Vec<DateTime<Utc>> = [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999, 5_000, 7]
            .into_iter()
            .map(|nanos| Utc.from_utc_datetime(&day.and_hms_nano_opt(1, 2, 3, nanos).unwrap()))
            .collect();
        cases.extend([
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 30, 12, 0, 0).unwrap(),
            Utc.from_utc_datetime(&day.and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap()),
        ]);
        // A spread of instants over four centuries, each with its own fraction.
        let mut seed: i64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let secs = seed.rem_euclid(12_600_000_000) - 2_200_000_000;
            let nanos = (seed >> 20).rem_euclid(1_000_000_000) as u32;
            let nanos = [nanos, nanos / 1000 * 1000, nanos / 1_000_000 * 1_000_000, 0][(seed & 3) as usize];
            cases.push(DateTime::from_timestamp(secs, nanos).unwrap());
        }
        for t in &cases {
            assert_eq!(ours(t), serde_json::to_value(t).unwrap().as_str().unwrap(), "{t:?}");
        }
        let none: Option<DateTime<Utc>> = None;
        assert!(rfc3339_opt(&none, serde_json::value::Serializer).unwrap().is_null());
    }
}

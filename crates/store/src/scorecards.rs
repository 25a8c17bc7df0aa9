//! The company comparison as stored with each agenda (JSON in `meetings.scorecard`).
//! Agendas built before the 三率 comparison stored counts only; they are read into the
//! new shape (what they counted, as rates; no satisfaction rate, score or half year), so
//! the published history stays readable.

use roundtable_core::OrgId;
use roundtable_core::scorecard::{Rate, ScoreRow, Window};
use serde::Deserialize;

use crate::error::{Result, StoreError};

/// A row as agendas stored it until December 2026.
#[derive(Deserialize)]
struct CountsRow {
    org: OrgId,
    received: u32,
    committed_in_time: u32,
    resolved: u32,
    resolved_on_time: u32,
    verified_first_time: u32,
    verified: u32,
    overdue: u32,
    rank: Option<u32>,
}

impl From<CountsRow> for ScoreRow {
    fn from(r: CountsRow) -> Self {
        ScoreRow {
            org: r.org,
            month: Window {
                received: r.received,
                response: Rate { n: r.committed_in_time, m: r.received },
                resolution: Rate { n: r.resolved_on_time, m: r.resolved },
                first_time: Rate { n: r.verified_first_time, m: r.verified },
                rank: r.rank,
                ..Window::default()
            },
            half_year: Window::default(),
            overdue: r.overdue,
            long_overdue: 0,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Rates(Vec<ScoreRow>),
    Counts(Vec<CountsRow>),
}

pub fn parse(text: &str) -> Result<Vec<ScoreRow>> {
    match serde_json::from_str::<Stored>(text) {
        Ok(Stored::Rates(rows)) => Ok(rows),
        Ok(Stored::Counts(rows)) => Ok(rows.into_iter().map(ScoreRow::from).collect()),
        Err(e) => Err(StoreError::Corrupt(format!("scorecard: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_stored_as_counts_reads_as_rates() {
        let org = OrgId::new();
        let old = format!(
            r#"[{{"org":"{org}","received":4,"committed_in_time":3,"resolved":2,"resolved_on_time":1,"verified_first_time":1,"verified":2,"average_satisfaction":4.5,"overdue":6,"rank":2}}]"#
        );
        let rows = parse(&old).unwrap();
        assert_eq!(rows[0].month.response, Rate { n: 3, m: 4 });
        assert_eq!(rows[0].month.resolution, Rate { n: 1, m: 2 });
        assert_eq!((rows[0].overdue, rows[0].month.rank, rows[0].month.score), (6, Some(2), None));
        let new = serde_json::to_string(&rows).unwrap();
        assert_eq!(parse(&new).unwrap(), rows, "the new shape round-trips");
        assert!(matches!(parse("[{\"org\": 1}]"), Err(StoreError::Corrupt(_))));
        // Stored before the refused returns were counted: read with none.
        let before = new.replace(",\"returns_refused\":0", "");
        assert!(!before.contains("returns_refused") && before != new, "{before}");
        assert_eq!(parse(&before).unwrap(), rows);
    }
}

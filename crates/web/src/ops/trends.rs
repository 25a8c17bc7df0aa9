//! The community's year in charts — issues raised, resolved and fallen due unkept month
//! by month, how long the open ones have been open, each company's on-time rate meeting
//! by meeting — each with the table of its numbers. Nothing of anyone's: counts and
//! companies only, so the public board, the scorecard page and the secretary's home
//! show the same.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use roundtable_core::{CommunityId, OrgId};
use roundtable_store::issues;
use roundtable_store::meetings::MeetingRecord;
use serde::Serialize;

use crate::error::ApiResult;
use crate::ops::reference::Names;
use crate::state::AppState;

/// The three charts.
#[derive(Serialize)]
pub struct Trends {
    /// Issues raised, resolved and fallen due unkept per month over a year.
    pub flow: Flow,
    /// How long the open issues have been open.
    pub ages: Ages,
    /// Each company's on-time resolution rate, meeting by meeting over a year.
    pub on_time: OnTime,
}

/// The charts of the twelve months to now. `records` are the community's meetings (with
/// the comparisons their agendas recorded), which the caller has read anyway.
pub async fn trends(
    state: &AppState,
    community: CommunityId,
    tz: chrono_tz::Tz,
    lang: &'static str,
    records: &[MeetingRecord],
    names: &Names,
) -> ApiResult<Trends> {
    let now = state.now();
    let months = crate::charts::last_months(now.with_timezone(&tz).date_naive(), 12);
    let since = months
        .first()
        .and_then(|m| tz.from_local_datetime(&m.and_time(NaiveTime::MIN)).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    let closed: Vec<String> = state
        .workflows
        .iter()
        .flat_map(|wf| wf.states.iter().filter(|s| s.terminal).map(|s| s.name.to_string()))
        .collect();
    let seen = state.db.run(move |conn| issues::flow_since(conn, community, since, &closed)).await?;
    Ok(Trends {
        flow: flow(&months, &seen, now, tz, lang),
        ages: ages(&seen.open_since, now, lang),
        on_time: on_time(records, names, lang),
    })
}

#[derive(Serialize)]
pub struct Flow {
    /// An `<svg>` element, every text in it escaped (`charts::BarChart::svg`).
    pub svg: String,
    pub rows: Vec<FlowRow>,
}

#[derive(Serialize)]
pub struct OnTime {
    pub svg: String,
    pub months: Vec<String>,
    pub rows: Vec<OnTimeRow>,
}

#[derive(Serialize)]
pub struct OnTimeRow {
    pub company: String,
    /// "n/m" for each month, empty where nothing fell due.
    pub cells: Vec<String>,
}

#[derive(Serialize)]
pub struct Ages {
    pub svg: String,
    pub rows: Vec<AgeRow>,
}

#[derive(Serialize)]
pub struct AgeRow {
    pub span: String,
    pub open: u32,
}

#[derive(Serialize)]
pub struct FlowRow {
    pub month: String,
    pub raised: u32,
    pub resolved: u32,
    /// Promises that fell due unkept that month.
    pub overdue: u32,
}

/// Each company's on-time resolution over the last twelve held meetings' comparisons (the
/// rate of the month before each meeting, as its agenda recorded it).
fn on_time(records: &[MeetingRecord], names: &Names, lang: &'static str) -> OnTime {
    use crate::charts::LineChart;
    let t = |k: &str| crate::i18n::strings().text(lang, &format!("board.{k}"), &[]);
    // Records come latest first; the chart reads left to right.
    let mut held: Vec<_> = records.iter().filter(|r| r.scorecard.is_some()).take(12).collect();
    held.reverse();
    let months: Vec<String> = held.iter().map(|r| r.meeting.slot.format("%y-%m").to_string()).collect();
    let mut companies: Vec<OrgId> = Vec::new();
    for r in &held {
        for row in r.scorecard.iter().flatten() {
            if !companies.contains(&row.org) {
                companies.push(row.org);
            }
        }
    }
    let rate = |r: &&MeetingRecord, org: OrgId| {
        r.scorecard.iter().flatten().find(|s| s.org == org).map(|s| s.month.resolution)
    };
    let name = |o: OrgId| names.org(o).unwrap_or_default().to_owned();
    let series = companies
        .iter()
        .map(|o| (name(*o), held.iter().map(|r| rate(r, *o).and_then(|x| x.value()).map(|v| v * 100.0)).collect()))
        .collect();
    let rows = companies
        .iter()
        .map(|o| OnTimeRow {
            company: name(*o),
            cells: held
                .iter()
                .map(|r| rate(r, *o).filter(|x| x.m > 0).map(|x| format!("{}/{}", x.n, x.m)).unwrap_or_default())
                .collect(),
        })
        .collect();
    let chart = LineChart { labels: months.clone(), series };
    OnTime { svg: chart.svg(&t("on_time_title")), months, rows }
}

/// How long the open issues have been open, in four spans: the chart and its table.
fn ages(open_since: &[DateTime<Utc>], now: DateTime<Utc>, lang: &'static str) -> Ages {
    use crate::charts::{BarChart, Group};
    const SPANS: [(i64, &str); 4] = [(7, "age_week"), (30, "age_month"), (90, "age_quarter"), (i64::MAX, "age_older")];
    let t = |k: &str| crate::i18n::strings().text(lang, &format!("board.{k}"), &[]);
    let mut counts = [0u32; 4];
    for since in open_since {
        let days = (now - *since).num_days();
        if let Some(i) = SPANS.iter().position(|(limit, _)| days < *limit) {
            counts[i] += 1;
        }
    }
    let rows: Vec<AgeRow> = SPANS.iter().zip(counts).map(|((_, k), n)| AgeRow { span: t(k), open: n }).collect();
    let chart = BarChart {
        series: vec![t("open")],
        groups: rows.iter().map(|r| Group { label: r.span.clone(), values: vec![r.open] }).collect(),
    };
    Ages { svg: chart.svg(&t("ages_title")), rows }
}

/// Issues raised, resolved and fallen due unkept per month: the chart and its table.
fn flow(months: &[NaiveDate], seen: &issues::Flow, now: DateTime<Utc>, tz: chrono_tz::Tz, lang: &'static str) -> Flow {
    use crate::charts::{BarChart, Group, per_month};
    let t = |k: &str| crate::i18n::strings().text(lang, k, &[]);
    let (up, done) = (per_month(&seen.raised, months, tz), per_month(&seen.resolved, months, tz));
    // A promise fell due unkept at the end of its due day (local) if it was still open
    // then, or resolved only later; a pause from after that day does not mend it (as in
    // the comparison), one from before stopped its clock.
    let unkept: Vec<DateTime<Utc>> = seen
        .due
        .iter()
        .filter_map(|d| {
            let end = tz.from_local_datetime(&(d.date + TimeDelta::days(1)).and_time(NaiveTime::MIN)).earliest()?;
            let end = end.with_timezone(&Utc);
            let late = match (d.resolved_at, d.paused_at) {
                (Some(at), _) => at >= end,
                (None, Some(paused)) => paused >= end,
                (None, None) => d.committed,
            };
            (late && end <= now).then_some(end - TimeDelta::seconds(1))
        })
        .collect();
    let overdue = per_month(&unkept, months, tz);
    // The year starts at the first month with anything in it: a community that began in
    // June had no issues in January to count, and a bar of zeros there reads as if it had
    // been quiet. The current month stays, empty or not.
    let first = (0..months.len()).find(|&i| up[i] + done[i] + overdue[i] > 0).unwrap_or(months.len() - 1);
    let rows: Vec<FlowRow> = months
        .iter()
        .enumerate()
        .skip(first)
        .map(|(i, m)| FlowRow {
            month: m.format("%Y-%m").to_string(),
            raised: up[i],
            resolved: done[i],
            overdue: overdue[i],
        })
        .collect();
    let chart = BarChart {
        series: vec![t("board.raised"), t("board.resolved"), t("board.went_overdue")],
        groups: rows
            .iter()
            .map(|r| Group { label: r.month[2..].to_owned(), values: vec![r.raised, r.resolved, r.overdue] })
            .collect(),
    };
    Flow { svg: chart.svg(&t("board.flow_title")), rows }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use roundtable_store::issues::{Due, Flow as Seen};

    use super::*;

    #[test]
    fn the_year_starts_at_the_first_month_with_anything_in_it() {
        let tz = chrono_tz::Asia::Shanghai;
        let at = |m, d| tz.with_ymd_and_hms(2026, m, d, 10, 0, 0).unwrap().with_timezone(&Utc);
        let months = crate::charts::last_months(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), 12);
        let month_of = |flow: &Flow| flow.rows.iter().map(|r| r.month.clone()).collect::<Vec<_>>();
        // Issues from June on (a quiet August among them stays): January to May are not shown.
        let seen = Seen { raised: vec![at(6, 3), at(7, 9), at(9, 1)], resolved: vec![at(11, 2)], ..Seen::default() };
        let flow = flow(&months, &seen, at(11, 30), tz, "en");
        assert_eq!(month_of(&flow), ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]);
        assert_eq!(flow.rows[2].raised + flow.rows[2].resolved, 0);
        assert!(!flow.svg.contains(">26-05<"), "{}", flow.svg);
        // Nothing at all yet: this month alone.
        let flow = super::flow(&months, &Seen::default(), at(11, 30), tz, "en");
        assert_eq!(month_of(&flow), ["2026-11"]);
        // A year full: all twelve.
        let seen = Seen { raised: vec![months[0].and_hms_opt(12, 0, 0).unwrap().and_utc()], ..Seen::default() };
        assert_eq!(super::flow(&months, &seen, at(11, 30), tz, "en").rows.len(), 12);
    }

    #[test]
    fn a_promise_falls_due_unkept_in_the_month_of_its_due_date_if_it_was_open_at_its_end() {
        let tz = chrono_tz::Asia::Shanghai;
        let at = |y, m, d, h| tz.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc);
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let due = |date, committed, resolved_at| Due { date, committed, paused_at: None, resolved_at };
        let seen = Seen {
            raised: vec![],
            resolved: vec![],
            open_since: vec![],
            due: vec![
                due(day(10, 31), true, None),                        // still open, past due: October
                due(day(10, 15), false, Some(at(2026, 10, 16, 9))),  // fixed a day late: October
                due(day(10, 20), false, Some(at(2026, 10, 20, 23))), // fixed on its last evening: kept
                due(day(9, 30), false, Some(at(2026, 10, 1, 0))),    // midnight after: late, in September
                due(day(11, 10), false, None), // closed without a fix (rejected): not a promise broken
                due(day(12, 20), true, None),  // not yet due
                // Paused for the owners' vote the day after its date: late, in October.
                Due { paused_at: Some(at(2026, 10, 26, 10)), ..due(day(10, 25), false, None) },
                // Paused before its date: its clock stopped, not broken.
                Due { paused_at: Some(at(2026, 10, 24, 10)), ..due(day(10, 28), false, None) },
            ],
        };
        let months = crate::charts::last_months(day(11, 30), 3);
        let flow = flow(&months, &seen, at(2026, 11, 30, 12), tz, "en");
        let overdue: Vec<(String, u32)> = flow.rows.iter().map(|r| (r.month.clone(), r.overdue)).collect();
        assert_eq!(overdue, [("2026-09".into(), 1), ("2026-10".into(), 3), ("2026-11".into(), 0)]);
    }
}

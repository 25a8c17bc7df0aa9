//! The company comparison (三率) as people read it — the meeting page, the comparison page,
//! the agenda and the minutes: each rate as "n/m · p%", ranked companies first, and how it
//! is computed in one sentence with this installation's weights and limits.

use roundtable_core::OrgId;
use roundtable_core::agenda::AgendaConfig;
use roundtable_core::scorecard::{Rate, ScoreRow, Window};
use serde::Serialize;

/// One company over one window.
#[derive(Clone, Debug, Serialize)]
pub struct ScoreLine {
    /// "1", or "—" when not ranked.
    pub rank: String,
    pub org: String,
    pub received: u32,
    pub response: String,
    pub resolution: String,
    pub satisfaction: String,
    pub first_time: String,
    /// "87.5", or "—" with nothing to rate.
    pub score: String,
    pub overdue: u32,
    pub long_overdue: u32,
    pub extended: u32,
    pub reopened: u32,
    /// Requests to hand an issue back turned down (退回不成立).
    pub returns_refused: u32,
}

/// The numbers the one-sentence explanation names.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Formula {
    pub response: u32,
    pub resolution: u32,
    pub satisfaction: u32,
    pub commit_days: u32,
    pub max_days: u32,
    pub satisfied_from: u8,
    /// The clause on extensions: `scorecard.ext_on` or `scorecard.ext_off`.
    pub ext_key: &'static str,
    pub long_overdue_days: u32,
    pub min_issues: u32,
}

impl Formula {
    pub fn of(config: &AgendaConfig) -> Formula {
        let s = &config.scoring;
        let total = s.weight_response + s.weight_resolution + s.weight_satisfaction;
        let share = |w: f64| if total > 0.0 { (w / total * 100.0).round() as u32 } else { 0 };
        Formula {
            response: share(s.weight_response),
            resolution: share(s.weight_resolution),
            satisfaction: share(s.weight_satisfaction),
            commit_days: config.commit_within_days,
            max_days: config.max_commitment_days,
            satisfied_from: s.satisfied_from,
            ext_key: if s.extensions_count_as_on_time { "scorecard.ext_on" } else { "scorecard.ext_off" },
            long_overdue_days: s.long_overdue_days,
            min_issues: config.min_issues_to_rank,
        }
    }
}

/// The comparison over the month and over six months.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScoreTable {
    pub month: Vec<ScoreLine>,
    pub half_year: Vec<ScoreLine>,
    pub formula: Formula,
}

impl ScoreTable {
    pub fn new(rows: &[ScoreRow], name: &dyn Fn(OrgId) -> String, config: &AgendaConfig) -> ScoreTable {
        ScoreTable {
            month: lines(rows, name, |r| &r.month),
            half_year: lines(rows, name, |r| &r.half_year),
            formula: Formula::of(config),
        }
    }
}

fn shown(rate: Rate) -> String {
    match rate.percent() {
        Some(p) => format!("{}/{} · {p}%", rate.n, rate.m),
        None => "—".into(),
    }
}

/// Ranked companies best first, then the unranked by name.
fn lines(rows: &[ScoreRow], name: &dyn Fn(OrgId) -> String, of: fn(&ScoreRow) -> &Window) -> Vec<ScoreLine> {
    let mut sorted: Vec<(&ScoreRow, String)> = rows.iter().map(|r| (r, name(r.org))).collect();
    sorted.sort_by(|(a, an), (b, bn)| (of(a).rank.unwrap_or(u32::MAX), an).cmp(&(of(b).rank.unwrap_or(u32::MAX), bn)));
    sorted
        .into_iter()
        .map(|(r, org)| {
            let w = of(r);
            ScoreLine {
                rank: w.rank.map_or_else(|| "—".into(), |n| n.to_string()),
                org,
                received: w.received,
                response: shown(w.response),
                resolution: shown(w.resolution),
                satisfaction: shown(w.satisfaction),
                first_time: shown(w.first_time),
                score: w.score.map_or_else(|| "—".into(), |s| format!("{s:.1}")),
                overdue: r.overdue,
                long_overdue: r.long_overdue,
                extended: w.extended,
                reopened: w.reopened,
                returns_refused: w.returns_refused,
            }
        })
        .collect()
}

//! Charts drawn on the server as SVG: no script, nothing the pages' content security
//! policy forbids (presentation attributes, no inline style), and always a table of the
//! same numbers beside them for those who cannot see the picture.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

/// Grouped bars: one group a label (a month), one bar a series.
#[derive(Clone, Debug, Serialize)]
pub struct BarChart {
    /// The series' names, in the order of each group's values.
    pub series: Vec<String>,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    pub label: String,
    pub values: Vec<u32>,
}

/// The series' colours, told apart in grey print too.
const COLOURS: [&str; 3] = ["#b3261e", "#2e7d32", "#6b7280"];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl BarChart {
    /// The chart as an `<svg>` element scaled to its container, titled `title`.
    pub fn svg(&self, title: &str) -> String {
        let (w, h, left, bottom, top) = (640.0_f64, 240.0_f64, 32.0, 28.0, 24.0);
        let max = self.groups.iter().flat_map(|g| g.values.iter().copied()).max().unwrap_or(0).max(1);
        let slot = (w - left) / self.groups.len().max(1) as f64;
        let bar = (slot * 0.8) / self.series.len().max(1) as f64;
        let scale = (h - bottom - top) / f64::from(max);
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"chart-title\" class=\"chart\"><title id=\"chart-title\">{}</title>",
            escape(title)
        );
        // The axis and the top value.
        out.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{w}\" y2=\"{y}\" stroke=\"#999\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">{max}</text>",
            y = h - bottom,
            tx = left - 4.0,
            ty = top + 4.0,
        ));
        for (i, g) in self.groups.iter().enumerate() {
            let x0 = left + slot * i as f64 + slot * 0.1;
            for (j, v) in g.values.iter().enumerate() {
                let height = f64::from(*v) * scale;
                out.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{height:.1}\" fill=\"{c}\"><title>{label} · {s}: {v}</title></rect>",
                    x = x0 + bar * j as f64,
                    y = h - bottom - height,
                    bw = bar.max(1.0) - 1.0,
                    c = COLOURS[j % COLOURS.len()],
                    label = escape(&g.label),
                    s = escape(self.series.get(j).map(String::as_str).unwrap_or("")),
                ));
            }
            out.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{y}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                escape(&g.label),
                x = left + slot * (i as f64 + 0.5),
                y = h - bottom + 14.0,
            ));
        }
        // The legend.
        for (j, s) in self.series.iter().enumerate() {
            let x = left + 120.0 * j as f64;
            out.push_str(&format!(
                "<rect x=\"{x}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{c}\"/><text x=\"{tx}\" y=\"13\" font-size=\"11\" fill=\"#333\">{}</text>",
                escape(s),
                c = COLOURS[j % COLOURS.len()],
                tx = x + 14.0,
            ));
        }
        out.push_str("</svg>");
        out
    }
}

/// The last `months` calendar months up to `today`'s, oldest first, as their first days.
pub fn last_months(today: NaiveDate, months: u32) -> Vec<NaiveDate> {
    let first = today.with_day(1).unwrap_or(today);
    (0..months).rev().filter_map(|n| first.checked_sub_months(chrono::Months::new(n))).collect()
}

/// How many of `times` fall in each month of `months` (local to `tz`).
pub fn per_month(times: &[DateTime<Utc>], months: &[NaiveDate], tz: chrono_tz::Tz) -> Vec<u32> {
    let mut counts = vec![0; months.len()];
    for t in times {
        let local = t.with_timezone(&tz).date_naive();
        let first = local.with_day(1).unwrap_or(local);
        if let Some(i) = months.iter().position(|m| *m == first) {
            counts[i] += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_counted_in_local_time_and_drawn_escaped() {
        let tz = chrono_tz::Asia::Shanghai;
        let months = last_months(NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(), 3);
        assert_eq!(months[0], NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        // 2026-01-31 20:00 UTC is February 1st in Shanghai.
        let times = ["2026-01-31T20:00:00Z", "2026-01-10T00:00:00Z", "2026-03-01T00:00:00Z"]
            .map(|t| t.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(per_month(&times, &months, tz), vec![1, 1, 1]);
        let chart =
            BarChart { series: vec!["<raised>".into()], groups: vec![Group { label: "01".into(), values: vec![3] }] };
        let svg = chart.svg("a & b");
        assert!(svg.contains("&lt;raised&gt;") && svg.contains("a &amp; b") && !svg.contains("style="));
    }
}

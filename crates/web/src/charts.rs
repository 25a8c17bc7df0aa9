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

/// An `<svg>` element's opening, named by its `<title>`. The title's id is made from the
/// title, so that several charts on one page each name themselves, not the first.
fn open(w: f64, h: f64, title: &str) -> String {
    use sha2::Digest;
    let id = hex::encode(&sha2::Sha256::digest(title.as_bytes())[..4]);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"chart-{id}\" class=\"chart\"><title id=\"chart-{id}\">{}</title>",
        escape(title)
    )
}

impl BarChart {
    /// The chart as an `<svg>` element scaled to its container, titled `title`.
    pub fn svg(&self, title: &str) -> String {
        let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 40.0, 34.0, 34.0);
        let max = self.groups.iter().flat_map(|g| g.values.iter().copied()).max().unwrap_or(0).max(1);
        let slot = (w - left) / self.groups.len().max(1) as f64;
        let bar = (slot * 0.8) / self.series.len().max(1) as f64;
        let scale = (h - bottom - top) / f64::from(max);
        let mut out = open(w, h, title);
        // The axis and the top value.
        out.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{w}\" y2=\"{y}\" stroke=\"#999\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"16\" text-anchor=\"end\" fill=\"#555\">{max}</text>",
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
                "<text x=\"{x:.1}\" y=\"{y}\" font-size=\"15\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                escape(&g.label),
                x = left + slot * (i as f64 + 0.5),
                y = h - bottom + 20.0,
            ));
        }
        // The legend.
        for (j, s) in self.series.iter().enumerate() {
            let x = left + 120.0 * j as f64;
            out.push_str(&format!(
                "<rect x=\"{x}\" y=\"6\" width=\"14\" height=\"14\" fill=\"{c}\"/><text x=\"{tx}\" y=\"19\" font-size=\"16\" fill=\"#333\">{}</text>",
                escape(s),
                c = COLOURS[j % COLOURS.len()],
                tx = x + 18.0,
            ));
        }
        out.push_str("</svg>");
        out
    }
}

/// Lines of percentages over time: one line a series, a gap where there was nothing to
/// count.
#[derive(Clone, Debug, Serialize)]
pub struct LineChart {
    pub labels: Vec<String>,
    /// (name, a value 0–100 for each label or none)
    pub series: Vec<(String, Vec<Option<f64>>)>,
}

/// More series than bars: five companies, told apart by colour and by dash.
const LINE_COLOURS: [&str; 6] = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#455a64"];

impl LineChart {
    pub fn svg(&self, title: &str) -> String {
        let (w, h, left, bottom, top) = (640.0_f64, 300.0_f64, 48.0, 34.0, 20.0);
        let legend = 24.0 * self.series.len().div_ceil(3) as f64;
        let plot_top = top + legend;
        let step = (w - left - 32.0) / (self.labels.len().max(2) - 1) as f64;
        let y = |v: f64| h - bottom - (h - bottom - plot_top) * v.clamp(0.0, 100.0) / 100.0;
        let mut out = open(w, h, title);
        for pct in [0.0, 50.0, 100.0] {
            out.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{w}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{tx}\" y=\"{ty:.1}\" font-size=\"15\" text-anchor=\"end\" fill=\"#555\">{pct}%</text>",
                yy = y(pct),
                tx = left - 4.0,
                ty = y(pct) + 3.0,
            ));
        }
        for (i, label) in self.labels.iter().enumerate() {
            out.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{yy}\" font-size=\"15\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
                escape(label),
                x = left + step * i as f64,
                yy = h - bottom + 20.0,
            ));
        }
        for (j, (name, values)) in self.series.iter().enumerate() {
            let colour = LINE_COLOURS[j % LINE_COLOURS.len()];
            let dash = if j >= 3 { " stroke-dasharray=\"4 3\"" } else { "" };
            // A run of known values is one polyline; a month with nothing to count breaks it.
            let mut run: Vec<String> = Vec::new();
            let flush = |run: &mut Vec<String>, out: &mut String| {
                if run.len() > 1 {
                    out.push_str(&format!(
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                        run.join(" ")
                    ));
                }
                run.clear();
            };
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => {
                        let (px, py) = (left + step * i as f64, y(*v));
                        run.push(format!("{px:.1},{py:.1}"));
                        out.push_str(&format!(
                            "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3\" fill=\"{colour}\"><title>{} · {}: {v:.0}%</title></circle>",
                            escape(name),
                            escape(&self.labels[i]),
                        ));
                    }
                    None => flush(&mut run, &mut out),
                }
            }
            flush(&mut run, &mut out);
            let (lx, ly) = (8.0 + 210.0 * (j % 3) as f64, 14.0 + 24.0 * (j / 3) as f64);
            out.push_str(&format!(
                "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{x2}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"3\"{dash}/><text x=\"{tx}\" y=\"{ty}\" font-size=\"16\" fill=\"#333\">{}</text>",
                escape(name),
                x2 = lx + 16.0,
                tx = lx + 20.0,
                ty = ly + 6.0,
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

    #[test]
    fn a_month_with_nothing_to_count_breaks_the_line() {
        let chart = LineChart {
            labels: ["01", "02", "03", "04", "05"].map(String::from).to_vec(),
            series: vec![("<安尚>".into(), vec![Some(50.0), Some(100.0), None, Some(0.0), Some(25.0)])],
        };
        let svg = chart.svg("rates");
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains("&lt;安尚&gt;") && !svg.contains("<安尚>"));
    }
}

//! Minutes (会议纪要) rendered from the meeting record with handlebars: HTML with print
//! CSS, and Markdown. Both templates run in strict mode and escape everything they are
//! given (HTML entities; Markdown punctuation as well), so a title like
//! `<script>alert(1)</script>` prints as text.

use std::collections::HashMap;

use handlebars::Handlebars;
use roundtable_core::agenda::ScoreRow;
use roundtable_core::{MeetingStatus, OrgId};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::minutes::MinutesRevision;
use roundtable_store::{DbConn, StoreError, agenda, directory, meetings, minutes};
use serde::Serialize;

const HTML: &str = include_str!("../templates/minutes/minutes.html.hbs");
const MARKDOWN: &str = include_str!("../templates/minutes/minutes.md.hbs");

#[derive(Clone, Debug, Serialize)]
pub struct Attendance {
    pub org: String,
    pub attendees: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub number: usize,
    pub title: String,
    pub section: String,
    pub outcome: String,
    pub note: Option<String>,
    pub in_appendix: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CommitmentLine {
    pub org: String,
    pub issue: String,
    pub text: String,
    pub due_date: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScoreLine {
    pub rank: String,
    pub org: String,
    pub received: u32,
    pub committed_in_time: u32,
    pub resolved: u32,
    pub resolved_on_time: u32,
    pub verified: u32,
    pub verified_first_time: u32,
    pub satisfaction: String,
    pub overdue: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Addendum {
    pub date: String,
    pub text: String,
}

/// Everything the templates show.
#[derive(Clone, Debug, Serialize)]
pub struct MinutesDoc {
    pub community: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub status_label: String,
    pub revision: Option<i32>,
    pub attendance: Vec<Attendance>,
    pub items: Vec<Item>,
    pub commitments: Vec<CommitmentLine>,
    pub scorecard: Vec<ScoreLine>,
    pub remarks: Option<String>,
    pub addenda: Vec<Addendum>,
}

/// Compiled templates, one registry per output so each has its own escaping.
pub struct Renderer {
    html: Handlebars<'static>,
    markdown: Handlebars<'static>,
}

/// Markdown that shows `s` literally: HTML entities, and punctuation Markdown reads.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_template_string("minutes", HTML)
            .expect("the HTML minutes template compiles");
        let mut markdown = Handlebars::new();
        markdown.set_strict_mode(true);
        markdown.register_escape_fn(escape_markdown);
        markdown
            .register_template_string("minutes", MARKDOWN)
            .expect("the Markdown minutes template compiles");
        Renderer { html, markdown }
    }

    pub fn html(&self, doc: &MinutesDoc) -> Result<String, String> {
        self.html.render("minutes", doc).map_err(|e| e.to_string())
    }

    pub fn markdown(&self, doc: &MinutesDoc) -> Result<String, String> {
        self.markdown
            .render("minutes", doc)
            .map_err(|e| e.to_string())
    }
}

fn section_label(section: &str) -> String {
    match section {
        "announcements" => "传达精神",
        "follow_up" => "承诺跟进",
        "new_issues" => "新问题",
        "scorecard" => "物业考评",
        "other_business" => "其他事项",
        other => other,
    }
    .to_owned()
}

fn outcome_label(outcome: Option<&str>) -> String {
    match outcome {
        Some("commitment") => "现场承诺",
        Some("decision") => "形成决定",
        Some("deferred") => "推迟至下次会议",
        Some(other) => other,
        None => "未讨论，转下次会议",
    }
    .to_owned()
}

/// Builds the minutes of a closed meeting from its record and revisions.
pub fn assemble(
    conn: &mut DbConn,
    record: &MeetingRecord,
    tz: chrono_tz::Tz,
) -> Result<MinutesDoc, StoreError> {
    let m = &record.meeting;
    let community = directory::get_community(conn, m.community)?;
    let orgs: HashMap<OrgId, String> = directory::organisations(conn, m.community)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let name = |id: &OrgId| orgs.get(id).cloned().unwrap_or_else(|| id.to_string());
    let revisions: Vec<MinutesRevision> = minutes::revisions(conn, m.id)?;
    let main = revisions.iter().rev().find(|r| r.status != "addendum");
    let published = revisions.iter().any(|r| r.status == "published");
    let local = m.starts_at.with_timezone(&tz);
    let items = agenda::agenda_items(conn, m.id)?
        .into_iter()
        .filter(|i| {
            !matches!(i.section.as_str(), "announcements" | "scorecard")
                || !i.title.trim().is_empty()
        })
        .enumerate()
        .map(|(n, i)| Item {
            number: n + 1,
            title: if i.title.trim().is_empty() {
                section_label(&i.section)
            } else {
                i.title
            },
            section: section_label(&i.section),
            outcome: outcome_label(i.outcome.as_deref()),
            note: i.outcome_note,
            in_appendix: i.in_appendix,
        })
        .collect();
    let scores: Vec<ScoreRow> = record
        .scorecard
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    Ok(MinutesDoc {
        community: community.name,
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        place: m.place.clone(),
        status_label: match (published, m.status) {
            (true, _) => "已发布".into(),
            (false, MeetingStatus::Closed) => "草稿（未发布）".into(),
            (false, _) => "会议进行中".into(),
        },
        revision: main.map(|r| r.revision),
        attendance: meetings::attendance(conn, m.id)?
            .into_iter()
            .map(|(org, attendees)| Attendance {
                org: name(&org),
                attendees,
            })
            .collect(),
        items,
        commitments: minutes::commitments_made_at(conn, m.id)?
            .into_iter()
            .map(|c| CommitmentLine {
                org: c.org.unwrap_or_default(),
                issue: c.issue,
                text: c.text,
                due_date: c.due_date.to_string(),
            })
            .collect(),
        scorecard: scores
            .iter()
            .map(|r| ScoreLine {
                rank: r.rank.map_or_else(|| "—".into(), |n| n.to_string()),
                org: name(&r.org),
                received: r.received,
                committed_in_time: r.committed_in_time,
                resolved: r.resolved,
                resolved_on_time: r.resolved_on_time,
                verified: r.verified,
                verified_first_time: r.verified_first_time,
                satisfaction: r
                    .average_satisfaction
                    .map_or_else(|| "—".into(), |s| format!("{s:.1}")),
                overdue: r.overdue,
            })
            .collect(),
        remarks: main
            .map(|r| r.body.clone())
            .filter(|b| !b.trim().is_empty()),
        addenda: revisions
            .iter()
            .filter(|r| r.status == "addendum")
            .map(|r| Addendum {
                date: r
                    .created_at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d")
                    .to_string(),
                text: r.body.clone(),
            })
            .collect(),
    })
}

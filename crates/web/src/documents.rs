//! The meeting's documents — the agenda (议程) and the minutes (会议纪要) — rendered with
//! handlebars as HTML (with print CSS) and Markdown, in the reader's language (the
//! `doc.*` strings of the locale files). Templates run in strict mode and
//! escape everything they are given (HTML entities; Markdown punctuation as well), so a
//! title like `<script>alert(1)</script>` prints as text.

use std::collections::HashMap;

use handlebars::Handlebars;
use roundtable_core::agenda::{AgendaConfig, Reason, Section, carried_when_unreached, shown_reason};
use roundtable_core::text;
use roundtable_core::{AgendaStatus, IssueId, ItemOutcome, MeetingStatus, OrgId, RevisionStatus};
use roundtable_store::meetings::MeetingRecord;
use roundtable_store::minutes::MinutesRevision;
use roundtable_store::{DbConn, StoreError, agenda, directory, meetings, minutes};
use serde::Serialize;

pub use crate::scores::{ScoreLine, ScoreTable};

/// The minutes without a document around them, HTML only: the minutes page renders them
/// into itself, and the print document wraps the same body in its head and styles.
const MINUTES_BODY: (&str, &str) = ("minutes_body", include_str!("../templates/minutes/minutes_body.html.hbs"));

/// (name, HTML template, Markdown template)
const TEMPLATES: [(&str, &str, &str); 5] = [
    (
        "minutes",
        include_str!("../templates/minutes/minutes.html.hbs"),
        include_str!("../templates/minutes/minutes.md.hbs"),
    ),
    ("agenda", include_str!("../templates/agenda/agenda.html.hbs"), include_str!("../templates/agenda/agenda.md.hbs")),
    (
        "scorecard",
        include_str!("../templates/scorecard/scorecard.html.hbs"),
        include_str!("../templates/scorecard/scorecard.md.hbs"),
    ),
    (
        "score_rows",
        include_str!("../templates/scorecard/rows.html.hbs"),
        include_str!("../templates/scorecard/rows.md.hbs"),
    ),
    ("formula", include_str!("../templates/scorecard/formula.hbs"), include_str!("../templates/scorecard/formula.hbs")),
];

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
    /// With a decision: the later date the company asked for, turned down (不同意延期).
    pub refused_due_date: Option<chrono::NaiveDate>,
    /// With a decision: the company's request to hand the issue back, turned down (退回不成立).
    pub refused_return: bool,
    pub note: Option<String>,
    /// With a decision: the day the meeting will hear it again by (复议).
    pub review_on: Option<chrono::NaiveDate>,
    pub in_appendix: bool,
    pub photos: Option<PhotoLink>,
}

/// An item's photos, as a link to its issue's page (where they are shown to those who may
/// see them: the document itself carries none).
#[derive(Clone, Debug, Serialize)]
pub struct PhotoLink {
    pub n: u32,
    pub url: String,
}

/// The photo links of these issues, in one query.
fn photo_links(conn: &mut DbConn, ids: &[IssueId], base_url: &str) -> Result<HashMap<IssueId, PhotoLink>, StoreError> {
    Ok(roundtable_store::photos::counts(conn, ids)?
        .into_iter()
        .map(|(id, n)| (id, PhotoLink { n, url: format!("{base_url}/issues/{id}") }))
        .collect())
}

#[derive(Clone, Debug, Serialize)]
pub struct CommitmentLine {
    pub org: String,
    pub issue: String,
    pub text: String,
    pub due_date: String,
    /// The date an extension moved, when this line is one.
    pub extended_from: Option<String>,
}

/// How the parties' review of the draft went, by counts only (their words stay theirs
/// and the secretary's: `ops::meetings::review`).
#[derive(Clone, Debug, Serialize)]
pub struct Reviewed {
    pub asked: usize,
    pub accepted: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Addendum {
    pub date: String,
    pub text: String,
}

/// Everything the templates show.
#[derive(Clone, Debug, Serialize)]
pub struct MinutesDoc {
    pub lang: &'static str,
    pub community: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub status_label: String,
    /// Whether the minutes are published (readers may see them); the label is for people.
    #[serde(skip)]
    pub published: bool,
    pub revision: Option<i32>,
    /// The organisations that attended (who may review the draft).
    #[serde(skip)]
    pub attended: Vec<OrgId>,
    pub attendance: Vec<Attendance>,
    pub items: Vec<Item>,
    pub commitments: Vec<CommitmentLine>,
    pub scorecard: ScoreTable,
    pub remarks: Option<String>,
    /// Absent when no correction was asked.
    pub reviewed: Option<Reviewed>,
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
        let t = || Box::new(crate::i18n::TranslateHelper(crate::i18n::strings()));
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_helper("t", t());
        let mut markdown = Handlebars::new();
        markdown.set_strict_mode(true);
        markdown.register_helper("t", t());
        markdown.register_escape_fn(escape_markdown);
        for (name, h, m) in TEMPLATES {
            html.register_template_string(name, h).expect("the HTML templates compile");
            markdown.register_template_string(name, m).expect("the Markdown templates compile");
        }
        html.register_template_string(MINUTES_BODY.0, MINUTES_BODY.1).expect("the HTML templates compile");
        Renderer { html, markdown }
    }

    /// Every template's text, (name, text), for checks that their strings exist.
    pub fn template_texts() -> impl Iterator<Item = (&'static str, &'static str)> {
        TEMPLATES.into_iter().flat_map(|(name, html, md)| [(name, html), (name, md)]).chain([MINUTES_BODY])
    }

    /// Renders template `name` (`minutes` or `agenda`) as Markdown or HTML.
    pub fn render(&self, name: &str, as_markdown: bool, doc: &impl Serialize) -> Result<String, String> {
        let registry = if as_markdown { &self.markdown } else { &self.html };
        registry.render(name, doc).map_err(|e| e.to_string())
    }

    pub fn html(&self, doc: &MinutesDoc) -> Result<String, String> {
        self.render("minutes", false, doc)
    }

    pub fn markdown(&self, doc: &MinutesDoc) -> Result<String, String> {
        self.render("minutes", true, doc)
    }
}

/// A `doc.*` string in `lang`.
fn label(lang: &str, key: &str) -> String {
    crate::i18n::strings().text(lang, &format!("doc.{key}"), &[])
}

fn section_label(lang: &str, section: Section) -> String {
    label(lang, &format!("section.{section}"))
}

/// What came of an item; one not reached says whether it goes to the next meeting.
fn outcome_label(lang: &str, outcome: Option<ItemOutcome>, section: Section, reason: Reason) -> String {
    let key = match outcome {
        Some(o) => o.as_str(),
        None if carried_when_unreached(section, reason) => "none",
        None => "not_discussed",
    };
    label(lang, &format!("outcome.{key}"))
}

/// Builds the minutes of a closed meeting from its record and revisions.
pub fn assemble(
    conn: &mut DbConn,
    record: &MeetingRecord,
    config: &AgendaConfig,
    tz: chrono_tz::Tz,
    lang: &'static str,
    base_url: &str,
) -> Result<MinutesDoc, StoreError> {
    let m = &record.meeting;
    let community = directory::get_community(conn, m.community)?;
    let orgs: HashMap<OrgId, String> =
        directory::organisations(conn, m.community)?.into_iter().map(|o| (o.id, o.name)).collect();
    let name = |id: &OrgId| orgs.get(id).cloned().unwrap_or_else(|| id.to_string());
    let revisions: Vec<MinutesRevision> = minutes::revisions(conn, m.id)?;
    let main = revisions.iter().rev().find(|r| r.status != RevisionStatus::Addendum);
    let published = revisions.iter().any(|r| r.status == RevisionStatus::Published);
    let local = m.starts_at.with_timezone(&tz);
    let listed = agenda::agenda_items(conn, m.id)?;
    let attendance = meetings::attendance(conn, m.id)?;
    let photos = photo_links(conn, &agenda::issue_ids(&listed), base_url)?;
    let items = listed
        .into_iter()
        .filter(|i| !matches!(i.section, Section::Announcements | Section::Scorecard) || !text::is_blank(&i.title))
        .enumerate()
        .map(|(n, i)| Item {
            number: n + 1,
            photos: i.issue_id.and_then(|id| photos.get(&id).cloned()),
            title: if text::is_blank(&i.title) { section_label(lang, i.section) } else { i.title },
            section: section_label(lang, i.section),
            outcome: outcome_label(lang, i.outcome, i.section, i.reason),
            refused_due_date: i.refused_due_date,
            refused_return: i.refused_return,
            note: i.outcome_note,
            review_on: i.review_on,
            in_appendix: i.in_appendix,
        })
        .collect();
    Ok(MinutesDoc {
        lang,
        community: community.name,
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        place: m.place.clone(),
        published,
        status_label: match (published, m.status) {
            (true, _) => label(lang, "status.published"),
            (false, MeetingStatus::Closed) => label(lang, "status.minutes_draft"),
            (false, _) => label(lang, "status.in_progress"),
        },
        revision: main.map(|r| r.revision),
        attended: attendance.iter().map(|(org, _)| *org).collect(),
        attendance: attendance.into_iter().map(|(org, attendees)| Attendance { org: name(&org), attendees }).collect(),
        items,
        commitments: minutes::commitments_made_at(conn, m.id)?
            .into_iter()
            .map(|c| CommitmentLine {
                org: c.org.unwrap_or_default(),
                issue: c.issue,
                text: c.text,
                due_date: c.due_date.to_string(),
                extended_from: c.extended_from.map(|d| d.to_string()),
            })
            .collect(),
        scorecard: ScoreTable::new(record.scorecard.as_deref().unwrap_or_default(), &|o| name(&o), config),
        remarks: main.map(|r| r.body.clone()).filter(|b| !text::is_blank(b)),
        reviewed: Some(roundtable_store::corrections::corrections(conn, m.id)?).filter(|c| !c.is_empty()).map(|c| {
            Reviewed {
                asked: c.len(),
                accepted: c.iter().filter(|c| c.answer == Some(roundtable_core::CorrectionAnswer::Accepted)).count(),
            }
        }),
        addenda: revisions
            .iter()
            .filter(|r| r.status == RevisionStatus::Addendum)
            .map(|r| Addendum {
                date: r.created_at.with_timezone(&tz).format("%Y-%m-%d").to_string(),
                text: r.body.clone(),
            })
            .collect(),
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct AgendaLine {
    pub number: usize,
    pub title: String,
    /// Its issue's urgency (紧急程度) when not routine, in the reader's words.
    pub urgency: Option<String>,
    pub compound: Option<String>,
    pub org: Option<String>,
    pub due_date: Option<String>,
    /// How many days its promise is past its date, on the day of printing.
    pub late_days: Option<i64>,
    /// How long its issue has waited for the next party's step, on the day of printing.
    pub waited: Option<crate::steps::Waited>,
    /// How often the due date was extended (延期), when it was.
    pub extensions: Option<u32>,
    pub support: Option<u32>,
    /// Why it is on the agenda, unless that only repeats its section's heading or what
    /// the days above say ("已逾期" beside "已逾期 145 天").
    pub reason: Option<String>,
    /// What the company last reported on the way (进展) since the issue entered its state,
    /// and the day: what the chair asks it about. Left off the public agenda (a company's
    /// words to the community, not said at a meeting).
    pub progress: Option<NoteLine>,
    /// The company's request to hand the issue back (申请退回), for the meeting to decide:
    /// left off the public agenda as its progress is.
    pub returning: Option<NoteLine>,
    pub minutes: i32,
    pub appendix: bool,
    pub photos: Option<PhotoLink>,
}

/// A company's words on the way, and their day.
#[derive(Clone, Debug, Serialize)]
pub struct NoteLine {
    pub note: String,
    pub date: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgendaSection {
    pub label: String,
    pub items: Vec<AgendaLine>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgendaDoc {
    pub lang: &'static str,
    pub community: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub status_label: String,
    /// The community's day the items' standing is read on (the printing): a paper agenda
    /// handed round on Sunday says as of when "已逾期 145 天" was true.
    pub as_of: String,
    pub sections: Vec<AgendaSection>,
    pub scorecard: ScoreTable,
}

/// Whether an item's reason only repeats what its days say: "已逾期" beside "已逾期 145
/// 天", "交办后尚未承诺" beside "交办 70 天未承诺", "待验收" beside "整改后 9 天未验收".
fn said_by_days(reason: Reason, late: bool, waited: bool) -> bool {
    match reason {
        Reason::Overdue => late,
        Reason::AwaitingCommitment | Reason::AwaitingVerification => waited,
        _ => false,
    }
}

fn reason_label(lang: &str, reason: Reason) -> String {
    label(lang, &format!("reason.{reason}"))
}

/// For whom and when an agenda is printed.
pub struct Printing {
    pub tz: chrono_tz::Tz,
    /// The day the items' standing is read on.
    pub now: chrono::DateTime<chrono::Utc>,
    pub lang: &'static str,
    /// Where the photos' links point.
    pub base_url: String,
    /// The workflows' progress reports to print the latest of (none: the public agenda).
    pub progress_reports: Vec<String>,
}

/// The agenda of a meeting as the documents show it, item numbers running through.
pub fn assemble_agenda(
    conn: &mut DbConn,
    record: &MeetingRecord,
    config: &AgendaConfig,
    printing: &Printing,
) -> Result<AgendaDoc, StoreError> {
    let Printing { tz, now, lang, ref base_url, ref progress_reports } = *printing;
    let m = &record.meeting;
    let today = now.with_timezone(&tz).date_naive();
    let community = directory::get_community(conn, m.community)?;
    let orgs: HashMap<OrgId, String> =
        directory::organisations(conn, m.community)?.into_iter().map(|o| (o.id, o.name)).collect();
    let compounds: HashMap<_, String> =
        directory::compounds(conn, m.community)?.into_iter().map(|c| (c.id, c.name)).collect();
    let name = |id: &OrgId| orgs.get(id).cloned().unwrap_or_else(|| id.to_string());
    let items = agenda::agenda_items(conn, m.id)?;
    // The items' issues in one query.
    let ids: Vec<IssueId> = agenda::issue_ids(&items);
    let issues: HashMap<IssueId, _> =
        roundtable_store::issues::get_issues(conn, &ids)?.into_iter().map(|i| (i.id, i)).collect();
    let photos = photo_links(conn, &ids, base_url)?;
    let entered: Vec<_> = issues.values().map(|i| (i.id, i.state_entered_at)).collect();
    let mut progress = roundtable_store::issues::standing_progress(conn, &entered, progress_reports)?;
    let mut sections: Vec<AgendaSection> = Vec::new();
    let mut number = 0;
    for item in items {
        if item.section == Section::Scorecard {
            continue;
        }
        let issue = item.issue_id.and_then(|id| issues.get(&id));
        if issue.is_none() && text::is_blank(&item.title) {
            continue;
        }
        number += 1;
        let heading = section_label(lang, item.section);
        if sections.last().is_none_or(|s| s.label != heading) {
            sections.push(AgendaSection { label: heading, items: Vec::new() });
        }
        let late_days = issue.and_then(|i| {
            crate::steps::late_by(crate::views::is_overdue(i, today), i.commitment.as_ref().map(|c| c.due_date), today)
        });
        let waited = issue.and_then(|i| crate::steps::Waited::of(&i.state, i.state_entered_at, tz, today));
        let line = AgendaLine {
            number,
            title: item.title,
            urgency: issue
                .map(|i| i.urgency)
                .filter(|u| *u != roundtable_core::Urgency::Routine)
                .map(|u| crate::i18n::strings().text(lang, &format!("urgency_badge.{u}"), &[])),
            compound: issue.and_then(|i| compounds.get(&i.compound).cloned()),
            org: issue.and_then(|i| i.responsible_org.as_ref().map(&name)),
            due_date: issue.and_then(|i| i.commitment.as_ref().map(|c| c.due_date.to_string())),
            late_days,
            extensions: issue.map(|i| i.extension_count).filter(|n| *n > 0),
            support: issue.map(|i| i.support_count).filter(|n| *n > 0),
            photos: issue.and_then(|i| photos.get(&i.id).cloned()),
            reason: shown_reason(item.section, item.reason)
                .filter(|r| !said_by_days(*r, late_days.is_some(), waited.is_some()))
                .map(|r| reason_label(lang, r)),
            waited,
            progress: issue.and_then(|i| {
                let (at, note) = progress.remove(&i.id)?;
                Some(NoteLine { note, date: at.with_timezone(&tz).format("%Y-%m-%d").to_string() })
            }),
            returning: issue.and_then(|i| i.return_request.as_ref()).map(|r| NoteLine {
                note: r.reason.clone(),
                date: r.at.with_timezone(&tz).format("%Y-%m-%d").to_string(),
            }),
            minutes: item.minutes_allowed,
            appendix: item.in_appendix,
        };
        if let Some(section) = sections.last_mut() {
            section.items.push(line);
        }
    }
    let local = m.starts_at.with_timezone(&tz);
    Ok(AgendaDoc {
        lang,
        community: community.name,
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        place: m.place.clone(),
        status_label: label(
            lang,
            if record.agenda_status == AgendaStatus::Published { "status.published" } else { "status.draft" },
        ),
        as_of: today.format("%Y-%m-%d").to_string(),
        sections,
        scorecard: ScoreTable::new(record.scorecard.as_deref().unwrap_or_default(), &|o| name(&o), config),
    })
}

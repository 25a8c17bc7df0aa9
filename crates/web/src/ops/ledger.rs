//! The issue ledger (台账) as CSV: the columns a community's ledger keeps, for the issues
//! the caller may list, filtered like the list. Streamed a page of issues at a time, so
//! any number of rows costs the memory of one page. UTF-8 with a byte-order mark, so that
//! Excel opens the Chinese correctly.

use std::collections::HashMap;

use axum::body::Bytes;
use futures_util::Stream;
use roundtable_core::{CommunityId, Issue, IssueId, IssueState, MeetingId, TransitionFields, VerificationOutcome};
use roundtable_store::{DbConn, IssueFilter, IssueOrder, IssuePage, PageRequest, StoreError, issues, meetings};

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::ops::reference::{self, Names};
use crate::state::AppState;
use crate::views::ListQuery;

/// How a ledger is downloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Csv,
    Xlsx,
}

/// Issues read per database trip.
const PAGE: u32 = 200;

/// The ledger's columns, in the reader's language (`ledger.*` in the locale files).
pub const COLUMNS: [&str; 23] = [
    "number",
    "source",
    "raised_on",
    "place",
    "description",
    "category",
    "urgency",
    "responsible",
    "commitment",
    "due_date",
    "overdue_days",
    "meeting",
    "extensions",
    "reopened",
    "returns_asked",
    "handed_on",
    "progress",
    "result",
    "verification",
    "satisfaction",
    "closed_on",
    "state",
    "waiting",
];

/// What every row needs besides its issue: names, meeting months, the reader's language.
struct Context {
    names: Names,
    slots: HashMap<MeetingId, String>,
    tz: chrono_tz::Tz,
    /// The community's day of the download: how late an overdue promise is, as of then.
    today: chrono::NaiveDate,
    lang: &'static str,
    workflows: std::sync::Arc<roundtable_core::WorkflowSet>,
    steps: Steps,
}

/// The workflows' transitions the ledger reads timelines for, by what they do.
#[derive(Clone)]
struct Steps {
    /// Reports on the way (`record_progress`): the latest progress.
    progress: Vec<String>,
    /// The company's requests to hand the issue back (`request_return`, 申请退回).
    returns: Vec<String>,
    /// Hand-overs from one company to another (`notify_previous_responsible`, 改派).
    handovers: Vec<String>,
}

impl Steps {
    fn of(workflows: &roundtable_core::WorkflowSet) -> Steps {
        Steps {
            progress: workflows.progress_reports(),
            returns: workflows.taking(roundtable_core::Effect::RequestReturn),
            handovers: workflows.taking(roundtable_core::Effect::NotifyPreviousResponsible),
        }
    }
}

impl Context {
    fn t(&self, key: &str) -> String {
        crate::i18n::strings().text(self.lang, key, &[])
    }

    /// `read`: the page's timelines — what a paused issue waits for, its latest report on
    /// the way, how often it was asked back and handed on.
    fn row(&self, i: &Issue, read: &Read) -> Vec<String> {
        let (pause, progress) = (read.pauses.get(&i.id), read.progress.get(&i.id));
        let times = |n: usize| read.counts.get(&i.id).map_or(0, |c| c[n]);
        let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&self.tz).format("%Y-%m-%d").to_string();
        let place = [
            self.names.compound(i.compound).map(str::to_owned),
            i.building.and_then(|b| self.names.building(b)).map(str::to_owned),
        ];
        let c = i.commitment.as_ref();
        let source = match i.raised_by_org.and_then(|o| self.names.org(o)) {
            Some(org) => org.to_owned(),
            None => self.t("ledger.by_resident"),
        };
        let closed = self.workflows.is_closed(&i.workflow, &i.state);
        vec![
            i.id.to_string(),
            source,
            local(i.created_at),
            place.into_iter().flatten().collect::<Vec<_>>().join(" "),
            if i.description.is_empty() { i.title.clone() } else { format!("{}：{}", i.title, i.description) },
            self.t(&format!("category.{}", i.category)),
            self.t(&format!("urgency_badge.{}", i.urgency)),
            i.responsible_org.and_then(|o| self.names.org(o)).unwrap_or_default().to_owned(),
            c.map(|c| c.text.clone()).unwrap_or_default(),
            c.map(|c| c.due_date.to_string()).unwrap_or_default(),
            crate::steps::late_by(crate::views::is_overdue(i, self.today), c.map(|c| c.due_date), self.today)
                .map(|days| days.to_string())
                .unwrap_or_default(),
            c.and_then(|c| c.meeting).and_then(|m| self.slots.get(&m).cloned()).unwrap_or_default(),
            i.extension_count.to_string(),
            i.reopen_count.to_string(),
            times(0).to_string(),
            times(1).to_string(),
            progress.map(|(at, note)| format!("{} {note}", local(*at))).unwrap_or_default(),
            i.resolution_note.clone().unwrap_or_default(),
            i.verification
                .as_ref()
                .map(|v| {
                    self.t(match v.outcome {
                        VerificationOutcome::Verified => "verification.verified",
                        VerificationOutcome::PartlyFixed => "verification.partly_fixed",
                        VerificationOutcome::NotFixed => "verification.not_fixed",
                    })
                })
                .unwrap_or_default(),
            i.verification.as_ref().and_then(|v| v.satisfaction).map(|s| s.to_string()).unwrap_or_default(),
            if closed { local(i.state_entered_at) } else { String::new() },
            self.t(&format!("state.{}", i.state)),
            pause
                .and_then(|f| {
                    let what = self.t(&format!("waiting_for.{}", f.waiting_for?));
                    Some(match &f.reason {
                        Some(reason) => format!("{what}：{reason}"),
                        None => what,
                    })
                })
                .unwrap_or_default(),
        ]
    }
}

/// When an issue's latest report on the way was made, and what it said.
type Progress = (chrono::DateTime<chrono::Utc>, String);

/// A page of the ledger's issues, what those paused now wait for, the latest progress
/// reported on each and how often each was asked back and handed on (four queries).
struct Read {
    page: IssuePage,
    pauses: HashMap<IssueId, TransitionFields>,
    progress: HashMap<IssueId, Progress>,
    /// By issue: how often it was asked back, and handed on.
    counts: HashMap<IssueId, Vec<u32>>,
}

impl Read {
    fn rows(&self, context: &Context) -> Vec<Vec<String>> {
        self.page.items.iter().map(|i| context.row(i, self)).collect()
    }
}

fn read_page(
    conn: &mut DbConn,
    community: CommunityId,
    filter: &IssueFilter,
    steps: &Steps,
    after: Option<String>,
) -> Result<Read, StoreError> {
    let page = issues::list_issues(
        conn,
        community,
        filter,
        &PageRequest { order: IssueOrder::Oldest, limit: PAGE, cursor: after },
    )?;
    let paused: Vec<IssueId> = page.items.iter().filter(|i| i.state == IssueState::PAUSED).map(|i| i.id).collect();
    let pauses = issues::pauses(conn, &paused)?;
    let ids: Vec<IssueId> = page.items.iter().map(|i| i.id).collect();
    let progress = issues::latest_progress(conn, &ids, &steps.progress)?;
    let counts = issues::step_counts(conn, &ids, &[&steps.returns, &steps.handovers])?;
    Ok(Read { page, pauses, progress, counts })
}

/// A CSV cell as a spreadsheet will read it as text. Excel and LibreOffice take a cell
/// that starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) for a
/// formula — `=HYPERLINK(…)` in a resident's title would run on the secretary's machine,
/// and a title like "-1层车库漏水" shows as `#NAME?` — so such a cell gets a leading
/// apostrophe, the spreadsheets' own mark for "text" (OWASP's advice on CSV injection).
/// The full-width forms, which a Chinese input method types, are treated the same, to be
/// safe. The workbook needs none of this: its cells are written as strings.
fn inert(cell: String) -> String {
    const FORMULA: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
    if cell.starts_with(FORMULA) { format!("'{cell}") } else { cell }
}

fn encode(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Bytes, String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row.into_iter().map(inert)).map_err(|e| e.to_string())?;
    }
    out.into_inner().map(Bytes::from).map_err(|e| e.to_string())
}

/// The filter and the context of a ledger (the query checked, the names read once).
async fn prepare(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    lang: &'static str,
) -> ApiResult<(IssueFilter, Context)> {
    let (filter, _, _) = super::issues::list_filter(state, caller, q)?;
    let names = reference::names(state, caller).await?;
    let community = caller.actor.community;
    let slots = state
        .db
        .run(move |conn| meetings::meetings(conn, community))
        .await?
        .into_iter()
        .map(|m| (m.id, m.slot.format("%Y-%m").to_string()))
        .collect();
    Ok((
        filter,
        Context {
            names,
            slots,
            tz: caller.tz(),
            today: caller.now(state).date_naive(),
            lang,
            steps: Steps::of(&state.workflows),
            workflows: state.workflows.clone(),
        },
    ))
}

/// The ledger as an Excel workbook (one sheet, the header row first), written a page of
/// issues at a time into a worksheet that spools its rows to a temporary file.
pub async fn xlsx(state: &AppState, caller: &Caller, q: ListQuery, lang: &'static str) -> ApiResult<Vec<u8>> {
    use crate::error::ApiError;
    let (filter, context) = prepare(state, caller, q, lang).await?;
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(format!("writing the workbook: {e}"));
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(failed)?;
    sheet.set_name(context.t("ledger.sheet")).map_err(failed)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, c) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, context.t(&format!("ledger.{c}")), &bold).map_err(failed)?;
    }
    let (community, mut row, mut after) = (caller.actor.community, 1u32, None);
    loop {
        let (filter, reports) = (filter.clone(), context.steps.clone());
        let read = state.db.run(move |conn| read_page(conn, community, &filter, &reports, after)).await?;
        for values in read.rows(&context) {
            for (col, value) in values.into_iter().enumerate() {
                sheet.write_string(row, col as u16, value).map_err(failed)?;
            }
            row += 1;
        }
        match read.page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

/// The ledger of the issues `q` lists for the caller, oldest first, as a stream of CSV
/// chunks (the header first). The query is checked before anything is sent.
pub async fn csv(
    state: &AppState,
    caller: &Caller,
    q: ListQuery,
    lang: &'static str,
) -> ApiResult<impl Stream<Item = Result<Bytes, String>> + Send + 'static> {
    let (filter, context) = prepare(state, caller, q, lang).await?;
    let community = caller.actor.community;
    let header: Vec<String> = COLUMNS.iter().map(|c| context.t(&format!("ledger.{c}"))).collect();
    let mut first = b"\xEF\xBB\xBF".to_vec();
    first.extend_from_slice(&encode([header]).map_err(crate::error::ApiError::Internal)?);
    let start = Some(Bytes::from(first));
    let db = state.db.clone();
    struct Cursor {
        db: roundtable_store::Db,
        filter: IssueFilter,
        context: Context,
        header: Option<Bytes>,
        next: Option<Option<String>>,
    }
    let cursor = Cursor { db, filter, context, header: start, next: Some(None) };
    Ok(futures_util::stream::unfold(cursor, move |mut c| async move {
        if let Some(header) = c.header.take() {
            return Some((Ok(header), c));
        }
        let after = c.next.take()?;
        let (filter, reports) = (c.filter.clone(), c.context.steps.clone());
        let read = c.db.run(move |conn| read_page(conn, community, &filter, &reports, after)).await;
        match read {
            Ok(read) => {
                c.next = read.page.next_cursor.clone().map(Some);
                let chunk = encode(read.rows(&c.context));
                Some((chunk, c))
            }
            Err(e) => Some((Err(format!("reading the ledger failed: {e}")), c)),
        }
    }))
}

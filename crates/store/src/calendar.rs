//! The holiday arrangements communities' administrators entered, a year each (the
//! configuration holds the rest): read whole at start and at each scheduler tick, replaced
//! whole when entered.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{CommunityId, UserId};

use crate::convert::{parse, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::calendar_years;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A year's arrangement as entered: each list its entries one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnteredYear {
    pub community: CommunityId,
    pub year: i32,
    pub holidays: String,
    pub workdays: String,
    pub entered_by: UserId,
    pub entered_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_years)]
struct YearRow {
    community_id: String,
    year: i32,
    holidays: String,
    workdays: String,
    entered_by: String,
    entered_at: NaiveDateTime,
}

impl TryFrom<YearRow> for EnteredYear {
    type Error = StoreError;

    fn try_from(r: YearRow) -> Result<EnteredYear> {
        Ok(EnteredYear {
            community: parse("community id", &r.community_id)?,
            year: r.year,
            holidays: r.holidays,
            workdays: r.workdays,
            entered_by: parse("user id", &r.entered_by)?,
            entered_at: utc(r.entered_at),
        })
    }
}

/// The entered years, by community and year: every community's, or one's.
pub fn entered(conn: &mut DbConn, community: Option<CommunityId>) -> Result<Vec<EnteredYear>> {
    let mut query = calendar_years::table
        .select(YearRow::as_select())
        .order((calendar_years::community_id, calendar_years::year))
        .into_boxed::<Backend>();
    if let Some(c) = community {
        query = query.filter(calendar_years::community_id.eq(c.to_string()));
    }
    let rows: Vec<YearRow> = query.load(conn)?;
    rows.into_iter().map(EnteredYear::try_from).collect()
}

/// Puts a year's arrangement in place of the one entered before, if any. Call inside the
/// transaction that records it on the audit trail.
pub fn put(conn: &mut DbConn, y: &EnteredYear) -> Result<()> {
    diesel::delete(calendar_years::table.find((y.community.to_string(), y.year))).execute(conn)?;
    let row = YearRow {
        community_id: y.community.to_string(),
        year: y.year,
        holidays: y.holidays.clone(),
        workdays: y.workdays.clone(),
        entered_by: y.entered_by.to_string(),
        entered_at: ts(y.entered_at),
    };
    diesel::insert_into(calendar_years::table).values(row).execute(conn)?;
    Ok(())
}

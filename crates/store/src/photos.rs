//! Photo rows (`roundtable_core::photo`). Attaching is one conditional update, so two
//! requests racing to attach the same upload cannot both succeed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use roundtable_core::photo::Photo;
use roundtable_core::{IssueId, PhotoId, UserId};

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::photos;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = photos)]
struct Row {
    id: String,
    community_id: String,
    issue_id: Option<String>,
    version: Option<i32>,
    content_hash: String,
    thumb_hash: String,
    media_type: String,
    width: i32,
    height: i32,
    size_bytes: i32,
    uploaded_by: String,
    created_at: NaiveDateTime,
    public: bool,
}

fn to_row(p: &Photo) -> Row {
    Row {
        id: p.id.to_string(),
        community_id: p.community.to_string(),
        issue_id: id_opt(p.issue),
        version: p.version.map(|v| v as i32),
        content_hash: p.content_hash.clone(),
        thumb_hash: p.thumb_hash.clone(),
        media_type: p.media_type.as_str().to_owned(),
        width: p.width as i32,
        height: p.height as i32,
        size_bytes: p.size as i32,
        uploaded_by: p.uploaded_by.to_string(),
        created_at: ts(p.created_at),
        public: p.public,
    }
}

fn from_row(r: Row) -> Result<Photo> {
    Ok(Photo {
        id: parse("photo id", &r.id)?,
        community: parse("community id", &r.community_id)?,
        issue: parse_opt("issue id", r.issue_id.as_deref())?,
        version: r.version.map(|v| v as u32),
        content_hash: r.content_hash,
        thumb_hash: r.thumb_hash,
        media_type: parse("media type", &r.media_type)?,
        width: r.width as u32,
        height: r.height as u32,
        size: r.size_bytes as u32,
        uploaded_by: parse("user id", &r.uploaded_by)?,
        created_at: utc(r.created_at),
        public: r.public,
    })
}

pub fn insert(conn: &mut DbConn, photo: &Photo) -> Result<()> {
    diesel::insert_into(photos::table).values(to_row(photo)).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: PhotoId) -> Result<Photo> {
    let row = photos::table.find(id.to_string()).select(Row::as_select()).first(conn).optional()?;
    from_row(row.ok_or(StoreError::NotFound)?)
}

/// Several photos by id (those that exist), in no particular order.
pub fn get_many(conn: &mut DbConn, ids: &[PhotoId]) -> Result<Vec<Photo>> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows = photos::table.filter(photos::id.eq_any(ids)).select(Row::as_select()).load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// An issue's photos, by the note they illustrate, then in upload order.
pub fn for_issue(conn: &mut DbConn, issue: IssueId) -> Result<Vec<Photo>> {
    let query =
        photos::table.filter(photos::issue_id.eq(issue.to_string())).order((photos::version.asc(), photos::id.asc()));
    let rows: Vec<Row> = crate::on_backend!(conn, |c| query.select(Row::as_select()).load(c))?;
    rows.into_iter().map(from_row).collect()
}

/// How many photos each of these issues has (issues without any are left out).
pub fn counts(conn: &mut DbConn, issues: &[IssueId]) -> Result<Vec<(IssueId, u32)>> {
    let ids: Vec<String> = issues.iter().map(ToString::to_string).collect();
    let rows: Vec<(Option<String>, i64)> = photos::table
        .filter(photos::issue_id.eq_any(ids))
        .group_by(photos::issue_id)
        .select((photos::issue_id, diesel::dsl::count_star()))
        .load(conn)?;
    rows.into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .map(|(id, n)| Ok((parse("issue id", &id)?, n as u32)))
        .collect()
}

/// Attaches `user`'s unattached uploads to the issue's note at `version`. Fails with
/// `Conflict` unless every one of them was still theirs and unattached (a rollback then
/// undoes the change the caller made in the same transaction).
pub fn attach(conn: &mut DbConn, ids: &[PhotoId], user: UserId, issue: IssueId, version: u32) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let n = diesel::update(
        photos::table
            .filter(photos::id.eq_any(&ids))
            .filter(photos::issue_id.is_null())
            .filter(photos::uploaded_by.eq(user.to_string())),
    )
    .set((photos::issue_id.eq(issue.to_string()), photos::version.eq(version as i32)))
    .execute(conn)?;
    if n != ids.len() {
        return Err(StoreError::Conflict { current: version });
    }
    Ok(())
}

/// Deletes a photo's row; says whether another row still uses each of its files, so the
/// caller removes only the files nobody else needs.
pub fn delete(conn: &mut DbConn, photo: &Photo) -> Result<(bool, bool)> {
    diesel::delete(photos::table.find(photo.id.to_string())).execute(conn)?;
    let in_use = |conn: &mut DbConn, hash: &str| -> Result<bool> {
        let n: i64 = photos::table
            .filter(photos::content_hash.eq(hash).or(photos::thumb_hash.eq(hash)))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    };
    Ok((in_use(conn, &photo.content_hash)?, in_use(conn, &photo.thumb_hash)?))
}

/// Every photo `user` uploaded, oldest first.
pub fn uploaded_by(conn: &mut DbConn, user: UserId) -> Result<Vec<Photo>> {
    let rows = photos::table
        .filter(photos::uploaded_by.eq(user.to_string()))
        .order(photos::id)
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// How many uploads `user` holds unattached.
pub fn unattached_of(conn: &mut DbConn, user: UserId) -> Result<usize> {
    let n: i64 = photos::table
        .filter(photos::issue_id.is_null())
        .filter(photos::uploaded_by.eq(user.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n as usize)
}

/// Uploads never attached, made before `before` (left behind by forms never sent).
pub fn unattached_before(conn: &mut DbConn, before: chrono::DateTime<chrono::Utc>) -> Result<Vec<Photo>> {
    let rows = photos::table
        .filter(photos::issue_id.is_null())
        .filter(photos::created_at.lt(ts(before)))
        .select(Row::as_select())
        .limit(500)
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// Marks an attached photo public or private again; `NotFound` for an unknown or
/// unattached one.
pub fn set_public(conn: &mut DbConn, id: PhotoId, public: bool) -> Result<()> {
    let n = diesel::update(photos::table.find(id.to_string()).filter(photos::issue_id.is_not_null()))
        .set(photos::public.eq(public))
        .execute(conn)?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// The public photos of these issues, in the order of their notes.
pub fn public_of(conn: &mut DbConn, issues: &[IssueId]) -> Result<Vec<Photo>> {
    let ids: Vec<String> = issues.iter().map(ToString::to_string).collect();
    let rows = photos::table
        .filter(photos::issue_id.eq_any(ids))
        .filter(photos::public.eq(true))
        .order((photos::version.asc(), photos::id.asc()))
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

//! Channels besides mail — group robots and signed webhooks — and which of them a notice
//! reaches. The URL and secret are read only by the dispatcher; listings leave them out.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roundtable_core::{Audience, ChannelKind, CommunityId, OrgId, OrgKind, Role, UserId};

use crate::convert::{id_opt, parse, parse_opt, ts, utc};
use crate::db::DbConn;
use crate::error::{Result, StoreError};
use crate::schema::channels;

/// A channel, owned by an organisation or by one person.
#[derive(Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: String,
    pub community: CommunityId,
    pub kind: ChannelKind,
    pub name: String,
    pub org: Option<OrgId>,
    pub user: Option<UserId>,
    /// Holds a robot's key: a secret.
    pub url: String,
    /// DingTalk's signing secret, or the webhook's HMAC key.
    pub secret: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// Never the URL or the secret, whatever prints a channel.
impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel").field("id", &self.id).field("kind", &self.kind).field("name", &self.name).finish()
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = channels)]
struct ChannelRow {
    id: String,
    community_id: String,
    kind: String,
    name: String,
    org_id: Option<String>,
    user_id: Option<String>,
    url: String,
    secret: Option<String>,
    created_by: String,
    created_at: NaiveDateTime,
    removed_at: Option<NaiveDateTime>,
}

impl TryFrom<ChannelRow> for Channel {
    type Error = StoreError;
    fn try_from(r: ChannelRow) -> Result<Channel> {
        Ok(Channel {
            community: parse("community id", &r.community_id)?,
            kind: parse("channel kind", &r.kind)?,
            org: parse_opt("organisation id", r.org_id.as_deref())?,
            user: parse_opt("user id", r.user_id.as_deref())?,
            created_by: parse("user id", &r.created_by)?,
            created_at: utc(r.created_at),
            removed_at: r.removed_at.map(utc),
            id: r.id,
            name: r.name,
            url: r.url,
            secret: r.secret,
        })
    }
}

pub fn insert(conn: &mut DbConn, c: &Channel) -> Result<()> {
    let row = ChannelRow {
        id: c.id.clone(),
        community_id: c.community.to_string(),
        kind: c.kind.to_string(),
        name: c.name.clone(),
        org_id: id_opt(c.org),
        user_id: id_opt(c.user),
        url: c.url.clone(),
        secret: c.secret.clone(),
        created_by: c.created_by.to_string(),
        created_at: ts(c.created_at),
        removed_at: None,
    };
    diesel::insert_into(channels::table).values(&row).execute(conn)?;
    Ok(())
}

/// The community's channels in use, oldest first.
pub fn live(conn: &mut DbConn, community: CommunityId) -> Result<Vec<Channel>> {
    let rows: Vec<ChannelRow> = channels::table
        .filter(channels::community_id.eq(community.to_string()))
        .filter(channels::removed_at.is_null())
        .order(channels::id)
        .select(ChannelRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Channel::try_from).collect()
}

/// A channel, also a removed one (its rows in the outbox still name it).
pub fn get(conn: &mut DbConn, id: &str) -> Result<Channel> {
    let row: Option<ChannelRow> = channels::table.find(id).select(ChannelRow::as_select()).first(conn).optional()?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// Several channels (removed ones too), in one query: those the dispatcher's claimed
/// rows are for.
pub fn many(conn: &mut DbConn, ids: &[String]) -> Result<Vec<Channel>> {
    let rows: Vec<ChannelRow> =
        channels::table.filter(channels::id.eq_any(ids)).select(ChannelRow::as_select()).load(conn)?;
    rows.into_iter().map(Channel::try_from).collect()
}

/// The names of several channels, for listings of deliveries.
pub fn names(conn: &mut DbConn, ids: &[String]) -> Result<std::collections::HashMap<String, (ChannelKind, String)>> {
    let rows: Vec<(String, String, String)> = channels::table
        .filter(channels::id.eq_any(ids))
        .select((channels::id, channels::kind, channels::name))
        .load(conn)?;
    rows.into_iter().map(|(id, kind, name)| Ok((id, (parse("channel kind", &kind)?, name)))).collect()
}

/// Removes a channel of the community: nothing more is queued for it, and what is queued
/// is dropped when its turn comes.
pub fn remove(conn: &mut DbConn, community: CommunityId, id: &str, now: DateTime<Utc>) -> Result<()> {
    let n = diesel::update(
        channels::table
            .find(id)
            .filter(channels::community_id.eq(community.to_string()))
            .filter(channels::removed_at.is_null()),
    )
    .set(channels::removed_at.eq(Some(ts(now))))
    .execute(conn)?;
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

/// The parties a notice names, as far as it names them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Parties {
    pub responsible: Option<OrgId>,
    pub previous: Option<OrgId>,
    pub raiser: Option<UserId>,
    pub named: Option<OrgId>,
}

/// The live channels that `audiences` reach, each once.
pub fn reaching(
    conn: &mut DbConn,
    community: CommunityId,
    audiences: &[Audience],
    parties: &Parties,
) -> Result<Vec<String>> {
    if audiences.is_empty() {
        return Ok(Vec::new());
    }
    let channels = live(conn, community)?;
    if channels.is_empty() {
        return Ok(Vec::new());
    }
    let (mut orgs, mut users): (Vec<OrgId>, Vec<UserId>) = (Vec::new(), Vec::new());
    for audience in audiences {
        match audience {
            Audience::Responsible => orgs.extend(parties.responsible),
            Audience::PreviousResponsible => orgs.extend(parties.previous),
            Audience::NamedOrganisation => orgs.extend(parties.named),
            Audience::Raiser => users.extend(parties.raiser),
            Audience::Secretaries => users.extend(
                crate::directory::list_users(conn, community)?
                    .into_iter()
                    .filter(|u| u.roles.contains(&Role::Secretary) && !u.disabled)
                    .map(|u| u.id),
            ),
            Audience::Supervisors => orgs.extend(
                crate::directory::organisations(conn, community)?
                    .into_iter()
                    .filter(|o| o.kind == OrgKind::SupervisoryCommittee)
                    .map(|o| o.id),
            ),
        }
    }
    Ok(channels
        .into_iter()
        .filter(|c| c.org.is_some_and(|o| orgs.contains(&o)) || c.user.is_some_and(|u| users.contains(&u)))
        .map(|c| c.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing_a_channel_shows_neither_its_url_nor_its_secret() {
        let channel = Channel {
            id: "c1".into(),
            community: CommunityId(uuid::Uuid::nil()),
            kind: ChannelKind::DingTalk,
            name: "安尚工作群".into(),
            org: None,
            user: None,
            url: "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123".into(),
            secret: Some("SECabc".into()),
            created_by: UserId(uuid::Uuid::nil()),
            created_at: Utc::now(),
            removed_at: None,
        };
        let shown = format!("{channel:?}");
        assert!(shown.contains("安尚工作群") && !shown.contains("TOKEN123") && !shown.contains("SECabc"), "{shown}");
    }
}

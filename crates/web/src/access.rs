//! Who sees what. Core decides who may fire a transition; this decides who may see an
//! issue at all, whose contact data they see, and which part of the list they get.
//!
//! - secretaries, admins and the supervisory committee see the whole community, and so
//!   does the street office, read-only (no transition is its, and it sees no contact data)
//!   in each community of its street it reads (see `ops::street`);
//! - property staff see the issues assigned to their organisations;
//! - residents, grid secretaries and building leaders see their compound (a building
//!   leader's buildings are in it: the compound's issues are open to all who live there);
//! - everyone sees what they raised; nobody sees another community.

use roundtable_core::{Actor, BuildingId, CompoundId, Issue, OrgId, OrgKind, Role, User};
use roundtable_store::IssueFilter;

use crate::error::ApiError;

fn community_wide(actor: &Actor) -> bool {
    [Role::Admin, Role::Secretary, Role::Supervisor].iter().any(|r| actor.has_role(*r))
}

/// Those who read every issue of the community.
fn reads_community(actor: &Actor) -> bool {
    community_wide(actor) || actor.has_role(Role::Street)
}

/// Those who belong to a compound: residents, its grid secretary and its building leaders.
fn lives_in_compound(actor: &Actor) -> bool {
    actor.roles.iter().any(|r| r.works_in_compound())
}

fn compound_of(user: &User, actor: &Actor) -> Option<CompoundId> {
    user.compound.filter(|_| lives_in_compound(actor))
}

/// Organisations whose assigned issues a property (or unit) member works on.
fn responsible_orgs(actor: &Actor) -> Vec<OrgId> {
    actor
        .memberships
        .iter()
        .filter(|m| matches!(m.kind, OrgKind::PropertyCompany | OrgKind::Unit))
        .map(|m| m.org)
        .collect()
}

pub fn can_see(user: &User, actor: &Actor, issue: &Issue) -> bool {
    issue.community == actor.community
        && (reads_community(actor)
            || issue.raised_by == user.id
            || compound_of(user, actor) == Some(issue.compound)
            || issue.responsible_org.is_some_and(|o| responsible_orgs(actor).contains(&o)))
}

/// Raisers' contact data: secretaries, admins, the raiser; and the responsible
/// organisation while `retained` (until `privacy.contact_retention_days` after closing).
pub fn sees_contact(user: &User, actor: &Actor, issue: &Issue, retained: bool) -> bool {
    actor.has_role(Role::Secretary)
        || actor.has_role(Role::Admin)
        || issue.raised_by == user.id
        || (retained && issue.responsible_org.is_some_and(|o| actor.is_member_of(o)))
}

/// Who may raise issues, and where.
pub fn check_raise(user: &User, actor: &Actor, compound: CompoundId) -> Result<(), ApiError> {
    // The street office raises anywhere in its communities (吹哨).
    if community_wide(actor) || actor.has_role(Role::Street) {
        return Ok(());
    }
    if lives_in_compound(actor) {
        return match user.compound {
            Some(own) if own == compound => Ok(()),
            _ => Err(ApiError::Forbidden("you can raise issues only in your own compound".into())),
        };
    }
    Err(ApiError::Forbidden("property staff are assigned issues; they do not raise them".into()))
}

/// Who may raise on behalf of households (代报): secretaries and administrators anywhere,
/// a building leader for a building of theirs.
pub fn check_proxy(user: &User, actor: &Actor, building: Option<BuildingId>) -> Result<(), ApiError> {
    if actor.has_role(Role::Secretary) || actor.has_role(Role::Admin) {
        return Ok(());
    }
    if actor.has_role(Role::BuildingLeader) {
        // The leader may report; which building is a value of the form, named as such
        // (she forgot to choose it, or chose a neighbour's), not a page she may not see.
        return match building {
            Some(b) if user.buildings.contains(&b) => Ok(()),
            Some(_) => Err(ApiError::field("building", "not_led", "report for households of a building you lead")),
            None => Err(ApiError::field("building", "missing", "choose the building the households live in")),
        };
    }
    Err(ApiError::Forbidden("only building leaders and the secretary report on behalf of households".into()))
}

/// Narrows a list request to what the caller may see; an explicit filter outside that is
/// refused rather than silently emptied.
pub fn scope_filter(user: &User, actor: &Actor, mut filter: IssueFilter) -> Result<IssueFilter, ApiError> {
    if reads_community(actor) {
        return Ok(filter);
    }
    if let Some(own) = compound_of(user, actor) {
        if filter.compound.is_some_and(|c| c != own) {
            return Err(ApiError::Forbidden("you can list only your own compound's issues".into()));
        }
        filter.compound = Some(own);
        return Ok(filter);
    }
    let orgs = responsible_orgs(actor);
    if let Some(first) = orgs.first() {
        match filter.responsible_org {
            Some(o) if !orgs.contains(&o) => {
                return Err(ApiError::Forbidden("you can list only your organisation's issues".into()));
            }
            Some(_) => {}
            None => filter.responsible_org = Some(*first),
        }
        return Ok(filter);
    }
    filter.raised_by = Some(user.id);
    Ok(filter)
}

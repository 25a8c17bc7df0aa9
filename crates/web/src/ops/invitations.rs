//! Invitations: how residents (and everyone else) get accounts. Secretaries and
//! administrators invite anyone to any role (administrators alone make administrators); a
//! building leader invites residents of their own buildings. The invitee follows the link
//! (or scans its QR code), reads what is kept about them and who sees it, and sets their
//! name, phone number and password; the phone number is their login.

use chrono::{TimeDelta, Utc};
use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::{BuildingId, CompoundId, Invitation, OrgId, OrgKind, Role, User, UserId, text};
use roundtable_store::{StoreError, directory, invitations};
use secrecy::SecretString;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldProblem};
use crate::ops::reference;
use crate::state::AppState;

/// What an inviter asks for.
pub struct NewInvitation {
    pub role: Role,
    pub compound: Option<CompoundId>,
    pub building: Option<BuildingId>,
    pub unit: Option<String>,
    pub org: Option<OrgId>,
    pub note: Option<String>,
    /// 1–60 days (default 14).
    pub days: Option<u32>,
    /// 1–500 sign-ups (default 1: one person).
    pub uses: Option<u32>,
}

fn chairs(caller: &Caller) -> bool {
    caller.actor.has_role(Role::Secretary) || caller.actor.has_role(Role::Admin)
}

/// Who may invite: the secretary, administrators, building leaders.
fn may_invite(caller: &Caller) -> bool {
    chairs(caller) || caller.actor.has_role(Role::BuildingLeader)
}

/// Makes an invitation; the place it names must be the community's, and the inviter must
/// be allowed to bring that role there.
pub async fn create(state: &AppState, caller: &Caller, new: NewInvitation) -> ApiResult<Invitation> {
    if !may_invite(caller) {
        return Err(ApiError::Forbidden("invitations are made by the secretary and building leaders".into()));
    }
    if new.role == Role::Admin && !caller.actor.has_role(Role::Admin) {
        return Err(ApiError::Forbidden("only an administrator invites administrators".into()));
    }
    let names = reference::names(state, caller).await?;
    let mut errors = Vec::new();
    // A building names its compound.
    let building =
        new.building.and_then(|b| names.buildings.iter().find(|(id, _, _)| *id == b).map(|(id, c, _)| (*id, *c)));
    if new.building.is_some() && building.is_none() {
        errors.push(FieldProblem::new("building", "unknown", "no such building in this community"));
    }
    let compound = building.map(|(_, c)| c).or(new.compound);
    if new.compound.is_some_and(|c| names.compound(c).is_none()) {
        errors.push(FieldProblem::new("compound", "unknown", "no such compound in this community"));
    } else if let (Some(given), Some((_, of_building))) = (new.compound, building)
        && given != of_building
    {
        errors.push(FieldProblem::new("building", "unknown", "the building is not in that compound"));
    }
    let org_kind = new.org.and_then(|o| names.orgs.iter().find(|(id, _, _)| *id == o).map(|(_, _, k)| *k));
    if new.org.is_some() && org_kind.is_none() {
        errors.push(FieldProblem::new("org", "unknown", "no such organisation in this community"));
    }
    match new.role {
        // A building leader's form offers her buildings, not compounds: named there.
        Role::Resident if compound.is_none() && !chairs(caller) => {
            errors.push(FieldProblem::new("building", "missing", "choose the building the resident lives in"));
        }
        Role::Resident | Role::Grid if compound.is_none() => {
            errors.push(FieldProblem::new(
                "compound",
                "missing",
                "residents and grid secretaries belong to a compound",
            ));
        }
        Role::BuildingLeader if building.is_none() => {
            errors.push(FieldProblem::new("building", "missing", "a building leader is invited for a building"));
        }
        Role::Property if !matches!(org_kind, Some(OrgKind::PropertyCompany | OrgKind::Unit)) => {
            errors.push(FieldProblem::new("org", "missing", "property staff are invited for their company"));
        }
        _ => {}
    }
    let days = new.days.unwrap_or(14);
    if !(1..=Invitation::MAX_DAYS).contains(&days) {
        errors.push(FieldProblem::out_of_range("days", 1, i64::from(Invitation::MAX_DAYS)));
    }
    let uses = new.uses.unwrap_or(1);
    if !(1..=Invitation::MAX_USES).contains(&uses) {
        errors.push(FieldProblem::out_of_range("uses", 1, i64::from(Invitation::MAX_USES)));
    }
    let trimmed = |v: Option<String>| v.map(|s| text::trim(&s).to_owned()).filter(|s| !s.is_empty());
    let (unit, note) = (trimmed(new.unit), trimmed(new.note));
    if unit.as_ref().is_some_and(|u| u.chars().count() > 50) {
        errors.push(FieldProblem::too_long("unit", 50));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        errors.push(FieldProblem::too_long("note", 200));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    // A building leader brings residents to their own buildings, nobody else anywhere.
    if !chairs(caller) {
        let theirs = building.is_some_and(|(b, _)| caller.user.buildings.contains(&b));
        if new.role != Role::Resident || !theirs {
            return Err(ApiError::Forbidden("a building leader invites residents of their own buildings".into()));
        }
    }
    let now = state.now();
    let invitation = Invitation {
        id: uuid::Uuid::now_v7(),
        community: caller.actor.community,
        role: new.role,
        compound,
        building: building.map(|(b, _)| b),
        unit,
        org: new.org,
        note,
        created_by: caller.user.id,
        created_at: now,
        expires_at: now + TimeDelta::days(i64::from(days)),
        max_uses: uses,
        uses: 0,
        revoked_at: None,
    };
    let entry = super::audit(state, caller, AuditAction::InvitationCreated, AuditSubject::Invitation, invitation.id)
        .with("role", invitation.role)
        .with("uses", uses)
        .with("days", days);
    let stored = invitation.clone();
    state
        .db
        .write(move |conn| {
            invitations::insert(conn, &stored)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    Ok(invitation)
}

/// The invitations the caller made (the secretary's and administrators': all of them).
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<Invitation>> {
    if !may_invite(caller) {
        return Err(ApiError::Forbidden("invitations are made by the secretary and building leaders".into()));
    }
    let (community, by) = (caller.actor.community, (!chairs(caller)).then_some(caller.user.id));
    Ok(state.db.run(move |conn| invitations::list(conn, community, by)).await?)
}

/// One invitation of the caller's (or, for the secretary, of the community's).
pub async fn get(state: &AppState, caller: &Caller, id: uuid::Uuid) -> ApiResult<Invitation> {
    if !may_invite(caller) {
        return Err(ApiError::Forbidden("invitations are made by the secretary and building leaders".into()));
    }
    let found = state.db.run(move |conn| invitations::get(conn, id)).await;
    match found {
        Ok(i) if i.community == caller.actor.community => {
            if chairs(caller) || i.created_by == caller.user.id {
                Ok(i)
            } else {
                Err(ApiError::Forbidden("this invitation is someone else's".into()))
            }
        }
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::NotFound("no such invitation".into())),
        Err(e) => Err(e.into()),
    }
}

/// Revokes an invitation: its link stops working at once.
pub async fn revoke(state: &AppState, caller: &Caller, id: uuid::Uuid) -> ApiResult<()> {
    get(state, caller, id).await?;
    let now = state.now();
    let entry = super::audit(state, caller, AuditAction::InvitationRevoked, AuditSubject::Invitation, id);
    state
        .db
        .write(move |conn| {
            invitations::revoke(conn, id, now)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    Ok(())
}

/// An invitation by its link, for the sign-up page: not found unless signed and open.
pub async fn by_link(state: &AppState, id: &str, sig: &str) -> ApiResult<Invitation> {
    let key = state.db.run(crate::mail::links::key).await?;
    let gone = || ApiError::NotFound("this invitation does not exist, has expired or has been used".into());
    let id = crate::mail::links::check_invitation(&key, id, sig).map_err(|_| gone())?;
    let invitation = state.db.run(move |conn| invitations::get(conn, id)).await.map_err(|_| gone())?;
    if invitation.open_at(state.now()) { Ok(invitation) } else { Err(gone()) }
}

/// What the invitee gives.
pub struct SignUp {
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub password: SecretString,
    pub consent: bool,
    pub locale: Option<String>,
}

/// Makes the invitee's account, taking up one use of the invitation in the same
/// transaction; their consent to what is kept is on the audit trail. Returns the user.
pub async fn sign_up(state: &AppState, invitation: &Invitation, new: SignUp) -> ApiResult<User> {
    let mut errors = Vec::new();
    super::check_text(&mut errors, "name", &new.name, 1, 50);
    let name = text::one_line(&new.name);
    let phone = text::phone(&new.phone);
    if phone.is_none() {
        errors.push(FieldProblem::new("phone", "invalid", "a phone number of 5 to 20 digits"));
    }
    let email = new.email.map(|e| text::trim(&e).to_owned()).filter(|e| !e.is_empty());
    // The rule an account's address meets wherever it is typed (no spaces, one `@`…).
    if email.as_deref().is_some_and(|e| !crate::mail::is_address(e)) {
        errors.push(FieldProblem::new("email", "invalid", "an e-mail address"));
    }
    errors.extend(super::account::password_problem("password", &new.password));
    if !new.consent {
        errors.push(FieldProblem::new("consent", "missing", "agree to what is kept and who sees it"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let phone = phone.unwrap_or_default();
    let hash = super::account::hash(new.password).await?;
    let now = state.now();
    let user = User {
        id: UserId::new(),
        community: invitation.community,
        // The phone number is the login: residents rarely use e-mail.
        login: phone.clone(),
        display_name: name,
        email,
        phone: Some(phone.clone()),
        roles: vec![invitation.role],
        locale: new.locale,
        compound: invitation.compound,
        buildings: invitation.building.filter(|_| invitation.role == Role::BuildingLeader).into_iter().collect(),
        organisations: invitation.org.into_iter().collect(),
        disabled: false,
        created_at: Utc::now(),
    };
    let entry = super::audit_entry(
        invitation.community,
        Some(user.id),
        AuditAction::SignedUp,
        AuditSubject::Account,
        user.id,
        now,
    )
    .with("invitation", invitation.id)
    .with("role", invitation.role)
    .with("consent", CONSENT_VERSION);
    let (stored, id) = (user.clone(), invitation.id);
    let made = state
        .db
        .write(move |conn| {
            // One account per phone number: it is how its owner signs in.
            if directory::phone_in_use(conn, &phone)? {
                return Err(StoreError::Duplicate("phone".into()));
            }
            if !invitations::take(conn, id, now)? {
                return Err(StoreError::NotFound);
            }
            directory::insert_user(conn, &stored, &hash)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await;
    match made {
        Ok(()) => Ok(user),
        Err(StoreError::Duplicate(_)) => Err(ApiError::field(
            "phone",
            "taken",
            "this phone number already has an account: sign in with it, or ask for a new password",
        )),
        Err(StoreError::NotFound) => {
            Err(ApiError::NotFound("this invitation does not exist, has expired or has been used".into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The version of the consent text (`join.consent*` in the locale files) a sign-up agreed
/// to, as the audit trail records it. Change it when the text changes.
pub const CONSENT_VERSION: &str = "2026-12";

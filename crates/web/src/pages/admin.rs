//! Administration: the community's people, organisations and compounds, adding an
//! account, and notifications that could not be delivered (retry).

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::audit::AuditSubject;
use roundtable_core::{BuildingId, CompoundId, OrgId, OrgKind, Role, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, ApiPath, ApiQuery};
use crate::ops::admin::{self as ops, NewAccount, NewOrganisation, ROLES};
use crate::pages::forms::{Empty, Posted, filled};
use crate::pages::render::{Choice, Ctx, FormErrors, Out, Page, PageResult};
use crate::views::audit::AuditQuery;

#[derive(Serialize)]
struct UserRow<'a> {
    id: UserId,
    /// The administrator themself (who cannot disable their own account).
    me: bool,
    login: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    disabled: bool,
    roles: &'a [Role],
    orgs: Vec<&'a str>,
    compound: Option<&'a str>,
    leader: bool,
    /// The names of the buildings they lead now.
    led: Vec<&'a str>,
}

/// The account chosen from the list (`?account=`): the forms that change it. Only this
/// one carries them, so the list stays light however many accounts a community has.
#[derive(Serialize)]
struct Chosen<'a> {
    id: UserId,
    login: &'a str,
    name: &'a str,
    /// The name, e-mail address and phone number in their forms: as they are, or as typed
    /// into the form refused.
    name_typed: String,
    email_typed: String,
    phone_typed: String,
    /// Roles given elsewhere (the street office's, on the command line), kept as they are.
    kept: Vec<Role>,
    leader: bool,
    /// A building leader's choice of buildings: those of their compound, theirs selected.
    leads: Vec<Choice>,
    /// Their roles, organisations and compound, as they are now.
    place: PlaceForm,
}

#[derive(Serialize)]
struct PlaceForm {
    /// The roles this page gives (`value`; the label is translated in the template).
    roles: Vec<Choice>,
    orgs: Vec<Choice>,
    compounds: Vec<Choice>,
}

#[derive(Serialize)]
struct OrgRow<'a> {
    id: OrgId,
    name: &'a str,
    kind: OrgKind,
    emails: String,
    /// The addresses as the change form holds them, one a line.
    lines: String,
    /// The name as the rename form holds it.
    name_typed: String,
    /// Its change form was just refused: shown open, holding what was typed.
    open: bool,
}

#[derive(Serialize)]
struct CompoundRow<'a> {
    id: CompoundId,
    name: &'a str,
    buildings: usize,
    /// Where it lies, `lat, long`, or empty.
    location: String,
    /// One of its forms was just refused: shown open, holding what was typed.
    open: bool,
    /// The buildings typed into a refused form.
    typed: String,
    /// The location in its form: as it is, or as typed into a refused form.
    location_typed: String,
    /// The name as the rename form holds it.
    name_typed: String,
    /// Its buildings, to choose the one to rename (the one a refused form chose, chosen).
    building_choices: Vec<Choice>,
    building_name_typed: String,
}

/// A notification that could not be delivered.
#[derive(Serialize)]
struct DeadRow<'a> {
    id: &'a str,
    effect: &'a str,
    attempts: i32,
    error: Option<&'a str>,
    issue: Option<&'a str>,
    /// That issue's title.
    title: Option<&'a str>,
    /// The channel it was for; `None`: mail.
    channel: Option<&'a str>,
}

/// An Open311 key (never the key itself).
#[derive(Serialize)]
struct KeyRow {
    id: String,
    name: String,
    account: String,
    created: String,
    last_used: Option<String>,
    revoked: bool,
}

/// What the working-day calendar holds, and the year it lacks a month ahead.
#[derive(Serialize)]
struct CalendarCard {
    years: Vec<i32>,
    missing: Option<i32>,
}

#[derive(Serialize)]
struct AdminPage<'a> {
    calendar: CalendarCard,
    keys: Vec<KeyRow>,
    /// The accounts a key may act as: secretaries and administrators.
    key_accounts: Vec<Choice>,
    /// A key just issued: shown on this page once, never again.
    new_key: Option<String>,
    /// A password-reset link just made for the chosen account: shown this once.
    reset_link: Option<String>,
    /// How long such a link works.
    reset_minutes: i64,
    users: Vec<UserRow<'a>>,
    orgs: Vec<OrgRow<'a>>,
    compounds: Vec<CompoundRow<'a>>,
    dead: Vec<DeadRow<'a>>,
    /// The new account's roles, organisation and compound: none chosen, or what a refused
    /// form had chosen.
    new_account: PlaceForm,
    /// Every building, as `compound · building`, for a new building leader.
    building_options: Vec<Choice>,
    kinds: &'static [OrgKind],
    /// The new organisation's compound.
    org_compounds: Vec<Choice>,
    /// What a refused form was sent with (never the password).
    values: BTreeMap<String, String>,
    errors: Option<FormErrors>,
    /// The account whose history is shown (else every account's recent changes).
    account: Option<String>,
    chosen: Option<Chosen<'a>>,
    history: Vec<crate::pages::history::HistoryLine>,
}

impl Page for AdminPage<'_> {
    const TEMPLATE: &'static str = "admin";
}

/// A secret the page shows this once: in no URL and no later page.
enum Once {
    Key(String),
    ResetLink(String),
}

async fn admin_page(
    ctx: &Ctx,
    status: StatusCode,
    sent: &[(String, String)],
    errors: Option<FormErrors>,
    account: Option<Uuid>,
    once: Option<Once>,
) -> PageResult {
    let (new_key, reset_link) = match once {
        Some(Once::Key(k)) => (Some(k), None),
        Some(Once::ResetLink(l)) => (None, Some(l)),
        None => (None, None),
    };
    let caller = ctx.caller()?;
    let values: BTreeMap<String, String> = sent.iter().cloned().collect();
    // Whether a refused form — the one holding the field `form` — had chosen `value` for
    // `name`: each form of the page keeps its own choices, and only its own.
    let picked = |form: &str, name: &str, value: &dyn ToString| {
        values.contains_key(form) && sent.iter().any(|(k, v)| k == name && *v == value.to_string())
    };
    let ops::Overview { names, users, orgs, dead, channels, titles } = ops::overview(&ctx.state, &caller).await?;
    // A refused form of one organisation's or compound's says whose at the top of a long
    // page: "鸿禧山庄 · 楼栋: 小区已有同名楼栋".
    let id_in = |of: &str| values.get(of).and_then(|id| id.parse::<Uuid>().ok());
    let whose = id_in(ORG_OF)
        .and_then(|id| names.org(OrgId(id)))
        .or_else(|| id_in(COMPOUND_OF).and_then(|id| names.compound(CompoundId(id))));
    let errors = match (errors, whose) {
        (Some(mut shown), Some(whose)) => {
            for p in &mut shown.list {
                p.label = if p.label.is_empty() { whose.to_owned() } else { format!("{whose} · {}", p.label) };
            }
            Some(shown)
        }
        (errors, _) => errors,
    };
    let day = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&caller.tz()).format("%Y-%m-%d %H:%M").to_string();
    let keys = crate::ops::keys::list(&ctx.state, &caller)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.key.id.clone(),
            name: k.key.name.clone(),
            account: k.account_name,
            created: day(k.key.created_at),
            last_used: k.key.last_used_at.map(day),
            revoked: k.key.revoked_at.is_some(),
        })
        .collect();
    let key_accounts = users
        .iter()
        .filter(|u| !u.disabled && u.roles.iter().any(|r| matches!(r, Role::Secretary | Role::Admin)))
        .map(|u| Choice::new(u.id, format!("{} ({})", u.display_name, u.login), picked("key_name", "account", &u.id)))
        .collect();
    let query = match account {
        Some(a) => AuditQuery { subject_id: Some(a.to_string()), ..AuditQuery::default() },
        None => AuditQuery { subject: Some(AuditSubject::Account.as_str().into()), ..AuditQuery::default() },
    };
    let history = crate::pages::history::lines(&ctx.state, &caller, query, ctx.viewer.lang).await?;
    let chosen = account.and_then(|a| users.iter().find(|u| u.id.0 == a));
    let account = chosen.map(|u| u.login.clone());
    let users = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            me: u.id == caller.user.id,
            login: &u.login,
            name: &u.display_name,
            email: u.email.as_deref(),
            disabled: u.disabled,
            roles: &u.roles,
            orgs: u.organisations.iter().filter_map(|o| names.org(*o)).collect(),
            compound: u.compound.and_then(|c| names.compound(c)),
            leader: u.roles.contains(&Role::BuildingLeader),
            led: names.buildings.iter().filter(|(b, ..)| u.buildings.contains(b)).map(|(.., n)| n.as_str()).collect(),
        })
        .collect();
    let chosen = chosen.map(|u| Chosen {
        id: u.id,
        login: &u.login,
        name: &u.display_name,
        name_typed: values.get(ACCOUNT_NAME).cloned().unwrap_or_else(|| u.display_name.clone()),
        email_typed: values.get(ACCOUNT_EMAIL).cloned().unwrap_or_else(|| u.email.clone().unwrap_or_default()),
        phone_typed: values.get(ACCOUNT_PHONE).cloned().unwrap_or_else(|| u.phone.clone().unwrap_or_default()),
        kept: u.roles.iter().filter(|r| !ROLES.contains(r)).copied().collect(),
        leader: u.roles.contains(&Role::BuildingLeader),
        leads: names
            .buildings
            .iter()
            .filter(|(_, c, _)| Some(*c) == u.compound)
            .map(|(b, _, name)| Choice::new(b, name.clone(), u.buildings.contains(b)))
            .collect(),
        place: PlaceForm {
            roles: ROLES.iter().map(|r| Choice::new(r, String::new(), u.roles.contains(r))).collect(),
            orgs: names.orgs.iter().map(|(o, n, _)| Choice::new(o, n.clone(), u.organisations.contains(o))).collect(),
            compounds: names.compounds.iter().map(|(c, n)| Choice::new(c, n.clone(), u.compound == Some(*c))).collect(),
        },
    });
    // A refused form of one organisation's or compound's comes back under names of its
    // own (see `own_form`), and only that one's form holds what was typed.
    let changing = |of: &str, id: String| values.get(of).filter(|_| errors.is_some()).is_some_and(|c| *c == id);
    let orgs = orgs
        .iter()
        .map(|o| {
            let open = changing(ORG_OF, o.id.to_string());
            let typed = |name: &str| values.get(name).filter(|_| open).cloned();
            OrgRow {
                id: o.id,
                name: &o.name,
                kind: o.kind,
                emails: o.contact_emails.join(", "),
                lines: typed(TYPED_ADDRESSES).unwrap_or_else(|| o.contact_emails.join("\n")),
                name_typed: typed(TYPED_NAME).unwrap_or_else(|| o.name.clone()),
                open,
            }
        })
        .collect();
    let compounds = names
        .compounds
        .iter()
        .map(|(id, name)| {
            let open = changing(COMPOUND_OF, id.to_string());
            let location = names.place(*id).map(|p| format!("{}, {}", p.lat, p.long)).unwrap_or_default();
            let typed = |name: &str| values.get(name).filter(|_| open).cloned();
            CompoundRow {
                id: *id,
                name,
                buildings: names.buildings.iter().filter(|(_, c, _)| c == id).count(),
                open,
                typed: typed(TYPED_BUILDINGS).unwrap_or_default(),
                location_typed: typed(TYPED_LOCATION).unwrap_or_else(|| location.clone()),
                name_typed: typed(TYPED_NAME).unwrap_or_else(|| name.clone()),
                building_name_typed: typed(TYPED_BUILDING_NAME).unwrap_or_default(),
                building_choices: {
                    let chosen = typed(CHOSEN_BUILDING);
                    let of_it = names.buildings.iter().filter(|(_, c, _)| c == id);
                    of_it
                        .map(|(b, _, n)| Choice::new(b, n.clone(), chosen.as_deref() == Some(&b.to_string())))
                        .collect()
                },
                location,
            }
        })
        .collect();
    let dead = dead
        .iter()
        .map(|p| DeadRow {
            id: &p.id,
            effect: &p.effect,
            attempts: p.attempts,
            error: p.last_error.as_deref(),
            issue: p.issue_id.as_deref(),
            title: p.issue_id.as_ref().and_then(|i| titles.get(i)).map(String::as_str),
            channel: p.channel_id.as_ref().and_then(|c| channels.get(c)).map(|(_, name)| name.as_str()),
        })
        .collect();
    let calendar = ctx.state.calendar_of(caller.actor.community);
    let today = ctx.state.now().with_timezone(&caller.tz()).date_naive();
    let page = AdminPage {
        calendar: CalendarCard { years: calendar.years(), missing: calendar.missing_year(today) },
        keys,
        key_accounts,
        new_key,
        reset_link,
        reset_minutes: crate::mail::links::RESET_LIFETIME.num_minutes(),
        users,
        orgs,
        compounds,
        dead,
        new_account: PlaceForm {
            roles: ROLES.iter().map(|r| Choice::new(r, String::new(), picked("login", "role", r))).collect(),
            orgs: names.orgs.iter().map(|(o, n, _)| Choice::new(o, n.clone(), picked("login", "org", o))).collect(),
            compounds: names
                .compounds
                .iter()
                .map(|(c, n)| Choice::new(c, n.clone(), picked("login", "compound", c)))
                .collect(),
        },
        building_options: names
            .buildings
            .iter()
            .map(|(b, c, n)| {
                let label = format!("{} · {n}", names.compound(*c).unwrap_or_default());
                Choice::new(b, label, picked("login", "building", b))
            })
            .collect(),
        kinds: OrgKind::ALL,
        org_compounds: names
            .compounds
            .iter()
            .map(|(c, n)| Choice::new(c, n.clone(), picked("org_name", "compound", c)))
            .collect(),
        values,
        errors,
        account,
        chosen,
        history,
    };
    Out::status(status, page)
}

#[derive(serde::Deserialize)]
pub struct AdminQuery {
    /// Whose history to show.
    account: Option<String>,
}

pub async fn show(ctx: Ctx, ApiQuery(q): ApiQuery<AdminQuery>) -> Response {
    let account = q.account.as_deref().and_then(|a| a.parse().ok());
    let out = admin_page(&ctx, StatusCode::OK, &[], None, account, None).await;
    ctx.respond(out)
}

/// A trimmed, non-empty field of a posted form.
fn field(form: &[(String, String)], name: &str) -> Option<String> {
    filled(&form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// Shows the admin page again with a refused form's errors and what was typed
/// (never the password).
async fn refused(ctx: &Ctx, form: &[(String, String)], out: PageResult) -> PageResult {
    refused_for(ctx, form, out, None).await
}

/// A refused form of one account's: the page shows that account's forms again.
async fn refused_for(ctx: &Ctx, form: &[(String, String)], out: PageResult, account: Option<Uuid>) -> PageResult {
    match out {
        Err(e @ ApiError::Invalid { .. }) => {
            let sent: Vec<_> = form.iter().filter(|(k, _)| k != "password" && k != "_csrf").cloned().collect();
            admin_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, &sent, Some(ctx.form_errors(&e)), account, None).await
        }
        other => other,
    }
}

/// Issues an Open311 key and shows it on the page this once (no redirect: the key is in
/// no URL and no later page).
pub async fn add_key(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = async {
        let name = field(&form, "key_name").unwrap_or_default();
        let account = id_field::<UserId>(&form, "account").unwrap_or(UserId(Uuid::nil()));
        let issued = crate::ops::keys::issue(&ctx.state, &ctx.caller()?, &name, account).await?;
        admin_page(&ctx, StatusCode::OK, &[], None, None, Some(Once::Key(issued.secret))).await
    }
    .await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

pub async fn revoke_key(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        crate::ops::keys::revoke(&ctx.state, &ctx.caller()?, &id.to_string()).await?;
        Ok(Out::Done("/admin".into(), "key_revoked"))
    }
    .await;
    ctx.respond(out)
}

/// The new-account form; roles arrive as repeated `role` fields.
pub async fn add_user(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = add_user_work(&ctx, &form).await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

/// A new organisation: a property company with the addresses its notices go to, a unit…
pub async fn add_org(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = add_org_work(&ctx, &form).await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

/// The names a refused form of one organisation's or compound's comes back under — whose
/// form, and what was typed in it — so that the forms adding new ones do not take its
/// `contact_emails`, `buildings` or `location` for their own.
const ORG_OF: &str = "org_of";
/// The account card's fields (`name`, `email` and `phone` are the new account's).
const ACCOUNT_NAME: &str = "account_name";
const ACCOUNT_EMAIL: &str = "account_email";
const ACCOUNT_PHONE: &str = "account_phone";
const COMPOUND_OF: &str = "compound_of";
const TYPED_ADDRESSES: &str = "typed_addresses";
const TYPED_BUILDINGS: &str = "typed_buildings";
const TYPED_LOCATION: &str = "typed_location";
const TYPED_NAME: &str = "typed_name";
const TYPED_BUILDING_NAME: &str = "typed_building_name";
const CHOSEN_BUILDING: &str = "chosen_building";

/// A form of one organisation's or compound's (its name, addresses, buildings, location):
/// `work` gets what was typed in `field`; refused, the page shows that form again, open,
/// holding it (`of` says whose, `typed_as` under which name).
async fn own_form<F, Fut>(
    ctx: &Ctx,
    form: &[(String, String)],
    field_name: &str,
    of: (&str, Uuid),
    typed_as: &str,
    work: F,
) -> PageResult
where
    F: FnOnce(Option<String>) -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    let typed = field(form, field_name);
    let out = work(typed.clone()).await;
    let again = [(of.0.to_owned(), of.1.to_string()), (typed_as.to_owned(), typed.unwrap_or_default())];
    refused(ctx, &again, out).await
}

/// Where an organisation's notices go, changed.
pub async fn set_addresses(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let c = &ctx;
    let out = own_form(c, &form, "contact_emails", (ORG_OF, id), TYPED_ADDRESSES, |typed| async move {
        ops::set_addresses(&c.state, &c.caller()?, OrgId(id), names_list(typed)).await?;
        Ok(Out::Done("/admin#orgs".into(), "addresses_changed"))
    })
    .await;
    ctx.respond(out)
}

/// An organisation renamed (a company renamed after a takeover).
pub async fn rename_org(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let c = &ctx;
    let out = own_form(c, &form, "name", (ORG_OF, id), TYPED_NAME, |typed| async move {
        ops::rename(&c.state, &c.caller()?, ops::Renamed::Organisation(OrgId(id)), &typed.unwrap_or_default()).await?;
        Ok(Out::Done("/admin#orgs".into(), "renamed"))
    })
    .await;
    ctx.respond(out)
}

/// A compound renamed (a name mistyped when it was added).
pub async fn rename_compound(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let c = &ctx;
    let out = own_form(c, &form, "name", (COMPOUND_OF, id), TYPED_NAME, |typed| async move {
        ops::rename(&c.state, &c.caller()?, ops::Renamed::Compound(CompoundId(id)), &typed.unwrap_or_default()).await?;
        Ok(Out::Done("/admin#compounds".into(), "renamed"))
    })
    .await;
    ctx.respond(out)
}

/// More buildings for a compound (one name per line or comma).
pub async fn add_buildings(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let c = &ctx;
    let out = own_form(c, &form, "buildings", (COMPOUND_OF, id), TYPED_BUILDINGS, |typed| async move {
        ops::add_buildings(&c.state, &c.caller()?, CompoundId(id), names_list(typed)).await?;
        Ok(Out::Done("/admin#compounds".into(), "buildings_added"))
    })
    .await;
    ctx.respond(out)
}

/// A building of a compound renamed; refused, the form keeps the building chosen and the
/// name typed.
pub async fn rename_building(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let (building, typed) = (field(&form, "building"), field(&form, "building_name").unwrap_or_default());
    let out = async {
        let chosen = building.as_deref().and_then(|b| b.parse().ok()).map(BuildingId);
        ops::rename_building(&ctx.state, &ctx.caller()?, CompoundId(id), chosen, &typed).await?;
        Ok(Out::Done("/admin#compounds".into(), "building_renamed"))
    }
    .await;
    let again = [
        (COMPOUND_OF.to_owned(), id.to_string()),
        (TYPED_BUILDING_NAME.to_owned(), typed),
        (CHOSEN_BUILDING.to_owned(), building.unwrap_or_default()),
    ];
    let out = refused(&ctx, &again, out).await;
    ctx.respond(out)
}

/// A building nothing names removed; refused, the form keeps the building chosen.
pub async fn remove_building(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let building = field(&form, "building");
    let out = async {
        let chosen = building.as_deref().and_then(|b| b.parse().ok()).map(BuildingId);
        ops::remove_building(&ctx.state, &ctx.caller()?, CompoundId(id), chosen).await?;
        Ok(Out::Done("/admin#compounds".into(), "building_removed"))
    }
    .await;
    let again = [(COMPOUND_OF.to_owned(), id.to_string()), (CHOSEN_BUILDING.to_owned(), building.unwrap_or_default())];
    let out = refused(&ctx, &again, out).await;
    ctx.respond(out)
}

/// Where a compound lies (`lat, long`; blank forgets it).
pub async fn set_location(ApiPath(id): ApiPath<Uuid>, Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let c = &ctx;
    let out = own_form(c, &form, "location", (COMPOUND_OF, id), TYPED_LOCATION, |typed| async move {
        ops::set_location(&c.state, &c.caller()?, CompoundId(id), typed).await?;
        Ok(Out::Done("/admin#compounds".into(), "location_set"))
    })
    .await;
    ctx.respond(out)
}

/// A new compound with its buildings (one name per line or comma).
pub async fn add_compound(Posted { ctx, form }: Posted<Vec<(String, String)>>) -> Response {
    let out = add_compound_work(&ctx, &form).await;
    let out = refused(&ctx, &form, out).await;
    ctx.respond(out)
}

fn names_list(text: Option<String>) -> Vec<String> {
    // A line of zero-width characters alone (pasted from a chat) is as blank as an empty one.
    text.unwrap_or_default()
        .split([',', '，', '\n', '、'])
        .map(roundtable_core::text::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An id a form names; an id that does not parse is none.
fn id_field<T: From<uuid::Uuid>>(form: &[(String, String)], name: &str) -> Option<T> {
    field(form, name).and_then(|v| v.parse::<uuid::Uuid>().ok()).map(T::from)
}

async fn add_org_work(ctx: &Ctx, form: &[(String, String)]) -> PageResult {
    let new = NewOrganisation {
        name: field(form, "org_name").unwrap_or_default(),
        kind: field(form, "kind").and_then(|k| k.parse::<OrgKind>().ok()),
        contact_emails: names_list(field(form, "contact_emails")),
        compound: id_field::<CompoundId>(form, "compound"),
    };
    ops::add_organisation(&ctx.state, &ctx.caller()?, new).await?;
    Ok(Out::Done("/admin".into(), "org_added"))
}

async fn add_compound_work(ctx: &Ctx, form: &[(String, String)]) -> PageResult {
    let name = field(form, "compound_name").unwrap_or_default();
    let (buildings, location) = (names_list(field(form, "buildings")), field(form, "location"));
    ops::add_compound(&ctx.state, &ctx.caller()?, name, buildings, location).await?;
    Ok(Out::Done("/admin".into(), "compound_added"))
}

async fn add_user_work(ctx: &Ctx, form: &[(String, String)]) -> PageResult {
    let new = NewAccount {
        login: field(form, "login").unwrap_or_default(),
        name: field(form, "name").unwrap_or_default(),
        password: form.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default().into(),
        email: field(form, "email"),
        phone: field(form, "phone"),
        // Roles arrive as repeated `role` fields; a name no role has is left out.
        roles: form.iter().filter(|(k, _)| k == "role").filter_map(|(_, v)| v.parse::<Role>().ok()).collect(),
        org: id_field::<OrgId>(form, "org"),
        compound: id_field::<CompoundId>(form, "compound"),
        buildings: building_fields(form)?,
    };
    ops::add_account(&ctx.state, &ctx.caller()?, new).await?;
    Ok(Out::Done("/admin".into(), "user_added"))
}

/// The repeated `building` fields of a form; one that is no id is refused, not dropped.
fn building_fields(form: &[(String, String)]) -> Result<Vec<BuildingId>, ApiError> {
    ids_field(form, "building")
}

/// A repeated id field of a form (empty values left out); one that is no id is refused,
/// not dropped.
fn ids_field<T: From<Uuid>>(form: &[(String, String)], name: &str) -> Result<Vec<T>, ApiError> {
    let named = form.iter().filter(|(k, v)| k == name && !v.is_empty());
    named
        .map(|(_, v)| v.parse::<Uuid>().map(T::from))
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::field(name, "unknown", format!("no such {name} in this community")))
}

/// The buildings a building leader speaks for (every one ticked; none ticked: none).
pub async fn set_buildings(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let out = async {
        ops::set_buildings(&ctx.state, &ctx.caller()?, UserId(id), building_fields(&form)?).await?;
        Ok(Out::Done(format!("/admin?account={id}"), "buildings_set"))
    }
    .await;
    let out = refused_for(&ctx, &form, out, Some(id)).await;
    ctx.respond(out)
}

/// An account's roles, organisations and compound.
pub async fn change_account(
    ApiPath(id): ApiPath<Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let out = async {
        let place = ops::Place {
            roles: form.iter().filter(|(k, _)| k == "role").filter_map(|(_, v)| v.parse::<Role>().ok()).collect(),
            orgs: ids_field(&form, "org")?,
            compound: id_field::<CompoundId>(&form, "compound"),
        };
        ops::change_account(&ctx.state, &ctx.caller()?, UserId(id), place).await?;
        Ok(Out::Done(format!("/admin?account={id}"), "account_changed"))
    }
    .await;
    let out = refused_for(&ctx, &form, out, Some(id)).await;
    ctx.respond(out)
}

pub async fn retry(Path(id): Path<String>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        ops::retry(&ctx.state, &ctx.caller()?, id).await?;
        Ok(Out::Done("/admin".into(), "retry_queued"))
    }
    .await;
    ctx.respond(out)
}

#[derive(serde::Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Disable,
    Enable,
}

#[derive(serde::Deserialize)]
pub struct AccessForm {
    action: Access,
}

/// Makes a password-reset link for the account and shows it on its page this once, to be
/// handed over (no redirect: the link is in no URL and no later page).
pub async fn reset_link(ApiPath(id): ApiPath<uuid::Uuid>, Posted { ctx, form: Empty {} }: Posted<Empty>) -> Response {
    let out = async {
        let link = ops::reset_link(&ctx.state, &ctx.caller()?, UserId(id)).await?;
        admin_page(&ctx, StatusCode::OK, &[], None, Some(id), Some(Once::ResetLink(link))).await
    }
    .await;
    let out = refused_for(&ctx, &[], out, Some(id)).await;
    ctx.respond(out)
}

/// An account's name corrected; refused, the page shows the account with the name typed.
pub async fn rename_account(
    ApiPath(id): ApiPath<uuid::Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let out = async {
        let typed = field(&form, ACCOUNT_NAME).unwrap_or_default();
        ops::rename_account(&ctx.state, &ctx.caller()?, UserId(id), &typed).await?;
        Ok(Out::Done(format!("/admin?account={id}#account"), "account_renamed"))
    }
    .await;
    let out = refused_for(&ctx, &form, out, Some(id)).await;
    ctx.respond(out)
}

/// An account's e-mail address and phone number corrected; refused, the page shows the
/// account with what was typed.
pub async fn correct_contact(
    ApiPath(id): ApiPath<uuid::Uuid>,
    Posted { ctx, form }: Posted<Vec<(String, String)>>,
) -> Response {
    let out = async {
        let (email, phone) = (field(&form, ACCOUNT_EMAIL), field(&form, ACCOUNT_PHONE));
        ops::correct_contact(&ctx.state, &ctx.caller()?, UserId(id), email.as_deref(), phone.as_deref()).await?;
        Ok(Out::Done(format!("/admin?account={id}#account"), "contact_corrected"))
    }
    .await;
    let out = refused_for(&ctx, &form, out, Some(id)).await;
    ctx.respond(out)
}

/// Disables an account (ending its sessions) or enables it again.
pub async fn set_access(ApiPath(id): ApiPath<uuid::Uuid>, Posted { ctx, form }: Posted<AccessForm>) -> Response {
    let out = async {
        let disable = matches!(form.action, Access::Disable);
        ops::set_access(&ctx.state, &ctx.caller()?, UserId(id), disable).await?;
        Ok(Out::Done("/admin".into(), if disable { "user_disabled" } else { "user_enabled" }))
    }
    .await;
    ctx.respond(out)
}

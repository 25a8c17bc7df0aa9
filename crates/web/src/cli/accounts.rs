//! Accounts and the reference data a real deployment starts from.

use std::io::{BufRead, Write};

use chrono::Utc;
use clap::Subcommand;
use roundtable_core::audit::{AuditAction, AuditSubject};

use crate::ops::audit_entry;
use roundtable_core::{
    Building, BuildingId, Community, CommunityId, Compound, CompoundId, OrgId, OrgKind, Organisation, Role, User,
    UserId, text,
};
use roundtable_store::db::atomically;
use roundtable_store::{DbConn, StoreError, directory, tokens};

use super::{ConfigArgs, open_db};
use crate::auth;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account; the password is read from the first line of standard input.
    Add {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// admin, secretary, supervisor, property, grid, building_leader, resident or
        /// street; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// Organisation id or exact name; repeat for several (the first is the default).
        #[arg(long = "org")]
        orgs: Vec<String>,
        /// The compound (name or id) of a resident, grid secretary or building leader.
        #[arg(long)]
        compound: Option<String>,
        /// A building (name or id) of `--compound` a building leader speaks for; repeat for
        /// several (at least one for a building leader).
        #[arg(long = "building")]
        buildings: Vec<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
    },
    /// Set an account's password (read from standard input) and revoke its tokens.
    Passwd {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SetupCommand {
    /// Add a community (a deployment may serve several: a street office's).
    Community {
        #[command(flatten)]
        config: ConfigArgs,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "Asia/Shanghai")]
        time_zone: String,
        #[arg(long, default_value = "zh-CN")]
        locale: String,
        /// The street office (街道) it belongs to: its people compare its communities.
        #[arg(long)]
        street: Option<String>,
        /// When it meets, HH:MM, if not at `meeting.time`.
        #[arg(long, value_parser = hours_minutes)]
        meeting_time: Option<chrono::NaiveTime>,
        /// Where it meets, if not at `meeting.place`.
        #[arg(long)]
        meeting_place: Option<String>,
    },
    /// When and where a community meets, where that differs from the deployment's
    /// `[meeting]` settings (give neither to go back to them).
    Meeting {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        /// HH:MM.
        #[arg(long, value_parser = hours_minutes)]
        time: Option<chrono::NaiveTime>,
        #[arg(long)]
        place: Option<String>,
    },
    /// A community's own settings: the workflow its new issues follow, its language, and
    /// `[meeting]`/`[scorecard]` keys laid over the deployment's. Prints what the
    /// community runs on (and changes nothing when given no change).
    Settings {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        /// A workflow of the workflows directory for its new issues; "" for the default.
        #[arg(long)]
        workflow: Option<String>,
        /// zh-CN or en: the language of people who have not chosen one, and of its mail.
        #[arg(long)]
        locale: Option<String>,
        /// A TOML file of `[meeting]` and `[scorecard]` keys: the community's own settings
        /// become exactly these.
        #[arg(long, conflicts_with = "clear")]
        file: Option<std::path::PathBuf>,
        /// Forget the community's own `[meeting]` and `[scorecard]` keys.
        #[arg(long)]
        clear: bool,
    },
    /// Put a community in a street office (街道), or take it out with an empty name.
    Street {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        name: String,
    },
    /// Add a compound (小区) to the community.
    Compound {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        name: String,
        /// A building's name (1号楼); repeat for each (up to 500).
        #[arg(long = "building")]
        buildings: Vec<String>,
    },
    /// Add buildings to one of the community's compounds (its second phase, say).
    Buildings {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        /// The compound (name or id).
        #[arg(long)]
        compound: String,
        /// A building's name (7号楼); repeat for each.
        #[arg(long = "building", required = true)]
        buildings: Vec<String>,
    },
    /// Add an organisation to the community.
    Org {
        #[command(flatten)]
        config: ConfigArgs,
        /// The community's id or exact name (needed only when the database serves several).
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        name: String,
        /// party_committee, residents_committee, supervisory_committee, property_company, grid_branch or unit.
        #[arg(long)]
        kind: OrgKind,
        /// Addresses that receive its mail; repeat for several.
        #[arg(long = "email")]
        emails: Vec<String>,
        /// The compound it runs or covers (name or id).
        #[arg(long)]
        compound: Option<String>,
    },
}

/// The community a command works on: the one named by `--community` (its id or exact
/// name), or the only one the database has.
pub(super) fn pick_community(conn: &mut DbConn, wanted: Option<&str>) -> Result<CommunityId, String> {
    let communities = directory::communities(conn).map_err(|e| e.to_string())?;
    let listed = || communities.iter().map(|c| format!("{} ({})", c.name, c.id)).collect::<Vec<_>>().join(", ");
    match (wanted, communities.as_slice()) {
        (_, []) => Err("the database has no community yet: run `roundtable setup community --name …` first".into()),
        (None, [one]) => Ok(one.id),
        (None, _) => Err(format!(
            "the database serves {} communities: choose one with --community ID or NAME ({})",
            communities.len(),
            listed()
        )),
        (Some(key), _) => {
            match communities.iter().filter(|c| c.id.to_string() == key || c.name == key).collect::<Vec<_>>()[..] {
                [one] => Ok(one.id),
                [] => Err(format!("no community named or numbered `{key}` (there are: {})", listed())),
                // Names were not kept apart before this check: say which ids share it.
                _ => Err(format!("several communities are named `{key}`: choose one by its id ({})", listed())),
            }
        }
    }
}

/// A name typed on the command line, held to the pages' rule: 1–100 visible characters,
/// no control characters (white space and invisible characters around it dropped).
fn typed_name(what: &str, raw: &str) -> Result<String, String> {
    let name = text::trim(raw);
    if let Some(c) = text::forbidden_char(name) {
        return Err(format!("the {what} contains a control character (U+{:04X})", u32::from(c)));
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err(format!("the {what} must be 1–100 visible characters"));
    }
    Ok(text::one_line(name))
}

/// An optional name (a street office, a meeting place): empty or blank is none.
fn typed_optional(what: &str, raw: Option<&str>) -> Result<Option<String>, String> {
    raw.filter(|r| !text::is_blank(r)).map(|r| typed_name(what, r)).transpose()
}

fn find_compound(conn: &mut DbConn, community: CommunityId, key: &str) -> Result<CompoundId, String> {
    directory::compounds(conn, community)
        .map_err(|e| e.to_string())?
        .iter()
        .find(|k| k.name == key || k.id.to_string() == key)
        .map(|k| k.id)
        .ok_or_else(|| format!("no compound named or numbered `{key}`"))
}

/// The buildings a new building leader speaks for, by name or id, as the admin page takes
/// them: at least one, all in the account's compound, none for anyone else.
fn led_buildings(
    conn: &mut DbConn,
    roles: &[Role],
    compound: Option<CompoundId>,
    keys: &[String],
) -> Result<Vec<BuildingId>, String> {
    if !roles.contains(&Role::BuildingLeader) {
        return match keys.is_empty() {
            true => Ok(Vec::new()),
            false => Err("`--building` is for a building leader (`--role building_leader`)".into()),
        };
    }
    if keys.is_empty() {
        return Err("a building leader needs `--building` (one or more)".into());
    }
    let Some(compound) = compound else {
        return Err("a building leader's buildings are those of a `--compound`".into());
    };
    let known = directory::buildings(conn, compound).map_err(|e| e.to_string())?;
    let mut ids = keys
        .iter()
        .map(|key| {
            let found = known.iter().find(|b| b.name == *key || b.id.to_string() == *key);
            found
                .map(|b| b.id)
                .ok_or_else(|| format!("the compound has no building named or numbered `{}`", key.escape_debug()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The language a command names, as the pages spell it.
fn locale(wanted: &str) -> Result<&'static str, String> {
    crate::i18n::LOCALES
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(wanted.trim()))
        .ok_or_else(|| format!("`{wanted}` is not a language roundtable speaks ({})", crate::i18n::LOCALES.join(", ")))
}

/// What `setup settings` was asked to change.
struct Change {
    workflow: Option<String>,
    locale: Option<String>,
    file: Option<std::path::PathBuf>,
    clear: bool,
}

/// `setup settings`: checks every change against the configuration and the workflows
/// the server would load, writes them together, and shows the result.
fn settings(
    config: &crate::config::Config,
    conn: &mut DbConn,
    community: Option<&str>,
    change: Change,
    out: &mut dyn Write,
) -> Result<(), String> {
    let id = pick_community(conn, community)?;
    let mut c = directory::get_community(conn, id).map_err(|e| format!("error: {e}"))?;
    let Change { workflow, locale: language, file, clear } = change;
    let changes = workflow.is_some() || language.is_some() || file.is_some() || clear;
    if let Some(name) = workflow.as_deref().map(str::trim) {
        if name.is_empty() {
            c.workflow = None;
        } else {
            let loaded = crate::server::load_workflows(&config.workflows)?;
            if loaded.get(name).is_none() {
                return Err(format!("{} holds no workflow named `{name}`", config.workflows.display()));
            }
            c.workflow = Some(name.to_owned());
        }
    }
    if let Some(wanted) = language {
        c.default_locale = locale(&wanted)?.to_owned();
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        c.settings = crate::community_settings::check(config, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if clear {
        c.settings = None;
    }
    if changes {
        directory::set_own_settings(conn, id, c.workflow.as_deref(), &c.default_locale, c.settings.as_deref())
            .map_err(|e| format!("error: {e}"))?;
    }
    let shown = crate::community_settings::describe(config, &c)?;
    let _ = write!(out, "{shown}");
    Ok(())
}

pub fn setup(cmd: SetupCommand, out: &mut dyn Write) -> Result<(), String> {
    let now = Utc::now();
    let (config, what) = match &cmd {
        SetupCommand::Settings { config, .. } => (config, "settings"),
        SetupCommand::Community { config, .. } => (config, "community"),
        SetupCommand::Street { config, .. } => (config, "street office to"),
        SetupCommand::Meeting { config, .. } => (config, "meeting time and place to"),
        SetupCommand::Compound { config, .. } => (config, "compound"),
        SetupCommand::Buildings { config, .. } => (config, "buildings to compound"),
        SetupCommand::Org { config, .. } => (config, "organisation"),
    };
    let db = open_db(config)?;
    let conn = &mut *db.conn().map_err(|e| e.to_string())?;
    let id = match cmd {
        SetupCommand::Settings { config, community, workflow, locale, file, clear } => {
            let change = Change { workflow, locale, file, clear };
            return settings(&super::load_config(&config)?, conn, community.as_deref(), change, out);
        }
        SetupCommand::Community { name, time_zone, locale, street, meeting_time, meeting_place, .. } => {
            let name = typed_name("community's name", &name)?;
            // `--community NAME` picks a community by its name: names stay apart.
            let communities = directory::communities(conn).map_err(|e| e.to_string())?;
            if let Some(taken) = communities.iter().find(|c| c.name == name) {
                return Err(format!("a community is named `{name}` already ({})", taken.id));
            }
            let time_zone =
                time_zone.parse::<chrono_tz::Tz>().map_err(|_| format!("`{time_zone}` is not an IANA time zone"))?;
            let meeting_place = typed_optional("meeting place", meeting_place.as_deref())?;
            let street = typed_optional("street office's name", street.as_deref())?;
            let locale = self::locale(&locale)?.to_owned();
            let c = Community { meeting_time, meeting_place, ..Community::new(name, time_zone, locale, now) };
            directory::insert_community(conn, &c).map_err(|e| format!("error: {e}"))?;
            directory::set_street(conn, c.id, street.as_deref()).map_err(|e| format!("error: {e}"))?;
            c.id.to_string()
        }
        SetupCommand::Meeting { community, time, place, .. } => {
            let community = pick_community(conn, community.as_deref())?;
            let place = typed_optional("meeting place", place.as_deref())?;
            directory::set_meeting(conn, community, time, place.as_deref()).map_err(|e| format!("error: {e}"))?;
            community.to_string()
        }
        SetupCommand::Street { community, name, .. } => {
            let community = pick_community(conn, community.as_deref())?;
            let name = typed_optional("street office's name", Some(&name))?;
            directory::set_street(conn, community, name.as_deref()).map_err(|e| format!("error: {e}"))?;
            community.to_string()
        }
        SetupCommand::Compound { name, community, buildings, .. } => {
            let community = pick_community(conn, community.as_deref())?;
            let name = typed_name("compound's name", &name)?;
            // `--compound NAME` picks a compound by its name, as the pages' lists show them.
            if find_compound(conn, community, &name).is_ok() {
                return Err(format!("this community has a compound named `{name}` already"));
            }
            if buildings.len() > crate::ops::admin::MAX_BUILDINGS {
                return Err(format!("a compound has up to {} buildings", crate::ops::admin::MAX_BUILDINGS));
            }
            let buildings = buildings.iter().map(|b| typed_name("building's name", b)).collect::<Result<_, _>>()?;
            let c = Compound { id: CompoundId::new(), community, name, created_at: now, location: None };
            let buildings: Vec<Building> = crate::ops::admin::building_names(buildings)
                .into_iter()
                .map(|name| Building { id: BuildingId::new(), community, compound: c.id, name })
                .collect();
            directory::insert_compound_with_buildings(conn, &c, &buildings).map_err(|e| format!("error: {e}"))?;
            c.id.to_string()
        }
        SetupCommand::Buildings { community, compound, buildings, .. } => {
            let community = pick_community(conn, community.as_deref())?;
            let compound = find_compound(conn, community, &compound)?;
            let has = directory::buildings(conn, compound).map_err(|e| e.to_string())?;
            let has: Vec<&str> = has.iter().map(|b| b.name.as_str()).collect();
            let names = buildings.iter().map(|b| typed_name("building's name", b)).collect::<Result<_, _>>()?;
            let names = crate::ops::admin::building_names(names);
            // The admin page's rule, said by the line.
            let mut errors = Vec::new();
            crate::ops::admin::building_problems(&mut errors, &names, &has);
            if let Some(problem) = errors.first() {
                let item = problem.item.as_deref().map(|i| format!(": `{i}`")).unwrap_or_default();
                return Err(format!("{}{item}", problem.message));
            }
            let buildings: Vec<Building> =
                names.into_iter().map(|name| Building { id: BuildingId::new(), community, compound, name }).collect();
            let entry =
                audit_entry(community, None, AuditAction::BuildingsAdded, AuditSubject::Compound, compound, now)
                    .with("added", buildings.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join("、"))
                    .with("via", "command line");
            // All or none, with their entry; a name added by the pages since is refused.
            atomically(conn, |conn| {
                buildings.iter().try_for_each(|b| directory::insert_building(conn, b))?;
                roundtable_store::audit::record(conn, &entry)
            })
            .map_err(|e: StoreError| match e {
                StoreError::Duplicate(_) => "the compound has one of these buildings already".to_owned(),
                other => format!("error: {other}"),
            })?;
            compound.to_string()
        }
        SetupCommand::Org { name, kind, emails, compound, community, .. } => {
            let community = pick_community(conn, community.as_deref())?;
            let name = typed_name("organisation's name", &name)?;
            // `--org NAME` picks an organisation by its name.
            let known = directory::organisations(conn, community).map_err(|e| e.to_string())?;
            if known.iter().any(|o| o.name == name) {
                return Err(format!("this community has an organisation named `{name}` already"));
            }
            // As the admin page takes them: where its notices go.
            if let Some(bad) = emails.iter().find(|e| !crate::mail::is_address(e)) {
                return Err(format!("`{}` is not an e-mail address", bad.escape_debug()));
            }
            let compound = compound.map(|c| find_compound(conn, community, &c)).transpose()?;
            let o = Organisation {
                id: OrgId::new(),
                community,
                kind,
                name,
                contact_emails: emails,
                compound,
                created_at: now,
            };
            directory::insert_organisation(conn, &o).map_err(|e| format!("error: {e}"))?;
            o.id.to_string()
        }
    };
    let _ = writeln!(out, "added {what} {id}");
    Ok(())
}

fn read_password(input: &mut dyn BufRead) -> Result<String, String> {
    let mut line = String::new();
    input.read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.chars().count() < 8 {
        return Err("the password (first line of standard input) must have at least 8 characters".into());
    }
    Ok(password)
}

pub fn user(cmd: UserCommand, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), String> {
    match cmd {
        UserCommand::Add { config, community, login, name, roles, orgs, compound, buildings, email, phone } => {
            let db = open_db(&config)?;
            let conn = &mut *db.conn().map_err(|e| e.to_string())?;
            let community = pick_community(conn, community.as_deref())?;
            let known = directory::organisations(conn, community).map_err(|e| e.to_string())?;
            let organisations = orgs
                .iter()
                .map(|o| {
                    known
                        .iter()
                        .find(|k| k.name == *o || k.id.to_string() == *o)
                        .map(|k| k.id)
                        .ok_or_else(|| format!("no organisation named or numbered `{o}`"))
                })
                .collect::<Result<Vec<OrgId>, _>>()?;
            let compound = compound.map(|c| find_compound(conn, community, &c)).transpose()?;
            let buildings = led_buildings(conn, &roles, compound, &buildings)?;
            let (login, name) = (typed_name("login", &login)?, typed_name("name", &name)?);
            // The admin page's rules, said with the options' names.
            let mut problems = Vec::new();
            crate::ops::admin::place_problems(&roles, compound, &organisations, &mut problems);
            let (email, phone) = crate::ops::admin::contact_details(email.as_deref(), phone.as_deref(), &mut problems);
            if !problems.is_empty() {
                let said: Vec<String> = problems.iter().map(|p| format!("--{}: {}", p.field, p.message)).collect();
                return Err(said.join("; "));
            }
            let hash = auth::hash_password(&read_password(input)?)?;
            let user = User {
                id: UserId::new(),
                community,
                login,
                display_name: name,
                email,
                phone,
                roles,
                locale: None,
                compound,
                buildings,
                organisations,
                disabled: false,
                created_at: Utc::now(),
            };
            // On the trail without a person: the command line acts for whoever runs it.
            let entry =
                audit_entry(community, None, AuditAction::AccountCreated, AuditSubject::Account, user.id, Utc::now())
                    .with("login", &user.login)
                    .with("via", "command line");
            // Both or neither: an account nobody can trace is not made.
            atomically(conn, |conn| {
                directory::insert_user(conn, &user, &hash)?;
                roundtable_store::audit::record(conn, &entry)
            })
            .map_err(|e: StoreError| format!("error: {e}"))?;
            let _ = writeln!(out, "added {} ({})", user.login, user.id);
            Ok(())
        }
        UserCommand::Passwd { config, login } => {
            let db = open_db(&config)?;
            let conn = &mut *db.conn().map_err(|e| e.to_string())?;
            let (user, _) = directory::user_by_login(conn, login.trim())
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no account `{login}`"))?;
            let hash = auth::hash_password(&read_password(input)?)?;
            // The new password, the ended sessions and the entry, all or none.
            let revoked = atomically(conn, |conn| {
                directory::set_password_hash(conn, user.id, &hash)?;
                let (now, id) = (Utc::now(), user.id);
                let revoked = tokens::revoke_all(conn, id, now)?;
                let entry = audit_entry(user.community, None, AuditAction::PasswordSet, AuditSubject::Account, id, now)
                    .with("via", "command line")
                    .with("tokens_revoked", revoked);
                roundtable_store::audit::record(conn, &entry).map(|()| revoked)
            })
            .map_err(|e: StoreError| format!("error: {e}"))?;
            let _ = writeln!(out, "password changed for {}; {revoked} token(s) revoked", user.login);
            Ok(())
        }
    }
}

/// `HH:MM`, as the configuration writes a time of day.
fn hours_minutes(text: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| format!("`{text}` is not a time of day HH:MM"))
}

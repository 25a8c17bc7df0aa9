//! A community's own settings: the keys of `[meeting]` and `[scorecard]` it sets for
//! itself, laid over the deployment's configuration, and the workflow its new issues
//! follow. A street office's communities share one deployment but not one rhythm: one
//! builds its agenda a week ahead, another weighs satisfaction more.
//!
//! The document is kept as TOML in `communities.settings` and read back through the very
//! types (and validators) the configuration file uses, so a community can set nothing the
//! deployment could not.

use roundtable_core::Community;
use roundtable_core::workflow::DEFAULT_WORKFLOW;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::{Config, MeetingConfig, ScorecardConfig};

/// The sections a community may set for itself.
const SECTIONS: [&str; 2] = ["meeting", "scorecard"];

/// Keys that have a command (and a column) of their own, so each has one home.
const OWN_COMMANDS: [(&str, &str); 2] = [("time", "setup meeting --time"), ("place", "setup meeting --place")];

/// The settings in effect for one community.
pub struct Effective {
    pub meeting: MeetingConfig,
    pub scorecard: ScorecardConfig,
}

/// The workflow a community's new issues follow.
pub fn workflow(c: &Community) -> &str {
    c.workflow.as_deref().unwrap_or(DEFAULT_WORKFLOW)
}

/// Reads a community's settings document: only `[meeting]` and `[scorecard]`, each key
/// valid as the configuration file takes it. Returns the document to keep (written out
/// again, so what is stored is canonical), or `None` when it sets nothing.
pub fn check(config: &Config, text: &str) -> Result<Option<String>, String> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    for (key, value) in &doc {
        match (SECTIONS.contains(&key.as_str()), value.is_table()) {
            (true, true) => {}
            (true, false) => return Err(format!("`{key}` must be a section, [{key}]")),
            (false, _) => {
                return Err(format!("`{key}` is not a community's setting: it may set [meeting] and [scorecard]"));
            }
        }
    }
    let meeting = section(&doc, "meeting");
    if let Some((key, command)) = OWN_COMMANDS.iter().find(|(key, _)| meeting.is_some_and(|m| m.contains_key(*key))) {
        return Err(format!("meeting.{key} is set with `roundtable {command}`"));
    }
    overlay(&config.meeting, section(&doc, "meeting"), "meeting")?;
    overlay(&config.scorecard, section(&doc, "scorecard"), "scorecard")?;
    let kept: toml::Table = doc.into_iter().filter(|(_, v)| v.as_table().is_some_and(|t| !t.is_empty())).collect();
    if kept.is_empty() { Ok(None) } else { toml::to_string(&kept).map(Some).map_err(|e| e.to_string()) }
}

/// The settings in effect for a community. A document that no longer fits (a key an
/// upgrade removed) is logged and the deployment's settings are used, so a meeting is
/// never left without an agenda over it.
pub fn effective(config: &Config, c: &Community) -> Effective {
    try_effective(config, c).unwrap_or_else(|e| {
        tracing::error!(community = %c.id, error = %e, "a community's own settings do not fit; using the deployment's");
        let mut meeting = config.meeting.clone();
        with_time_and_place(&mut meeting, c);
        Effective { meeting, scorecard: config.scorecard.clone() }
    })
}

fn try_effective(config: &Config, c: &Community) -> Result<Effective, String> {
    let doc = own(c)?;
    let mut meeting = overlay(&config.meeting, section(&doc, "meeting"), "meeting")?;
    with_time_and_place(&mut meeting, c);
    Ok(Effective { meeting, scorecard: overlay(&config.scorecard, section(&doc, "scorecard"), "scorecard")? })
}

fn with_time_and_place(meeting: &mut MeetingConfig, c: &Community) {
    if let Some(time) = c.meeting_time {
        meeting.time = time;
    }
    if let Some(place) = &c.meeting_place {
        meeting.place = place.clone();
    }
}

/// What a community runs on, as a TOML document: every key with the value in effect, the
/// community's own marked `# own`.
pub fn describe(config: &Config, c: &Community) -> Result<String, String> {
    let doc = own(c)?;
    let effective = try_effective(config, c)?;
    let mark = |own: bool| if own { "  # own" } else { "" };
    let mut out = format!(
        "# {} ({})\ntime_zone = \"{}\"\nlocale = \"{}\"\nworkflow = \"{}\"{}\n",
        c.name,
        c.id,
        c.time_zone.name(),
        c.default_locale,
        workflow(c),
        mark(c.workflow.is_some())
    );
    let columns = [("time", c.meeting_time.is_some()), ("place", c.meeting_place.is_some())];
    let sections = [
        ("meeting", toml::Table::try_from(&effective.meeting)),
        ("scorecard", toml::Table::try_from(&effective.scorecard)),
    ];
    for (name, table) in sections {
        let table = table.map_err(|e| e.to_string())?;
        let own_keys = section(&doc, name);
        out.push_str(&format!("\n[{name}]\n"));
        for (key, value) in &table {
            let column = name == "meeting" && columns.iter().any(|(k, set)| k == key && *set);
            let own = column || own_keys.is_some_and(|t| t.contains_key(key));
            out.push_str(&format!("{key} = {value}{}\n", mark(own)));
        }
    }
    Ok(out)
}

fn own(c: &Community) -> Result<toml::Table, String> {
    match &c.settings {
        Some(text) => text.parse().map_err(|e: toml::de::Error| e.message().to_owned()),
        None => Ok(toml::Table::new()),
    }
}

fn section<'a>(doc: &'a toml::Table, name: &str) -> Option<&'a toml::Table> {
    doc.get(name).and_then(toml::Value::as_table)
}

/// The deployment's section with the community's keys laid over it, read back through
/// the section's own type: an unknown key or a value out of range is refused as the
/// configuration file would refuse it.
fn overlay<T: Clone + Serialize + DeserializeOwned>(
    base: &T,
    own: Option<&toml::Table>,
    name: &str,
) -> Result<T, String> {
    // Most communities set nothing of their own, and a view of an issue asks: no TOML then.
    let Some(own) = own.filter(|t| !t.is_empty()) else { return Ok(base.clone()) };
    let base = toml::Table::try_from(base).map_err(|e| e.to_string())?;
    let read = |table: toml::Table| toml::Value::Table(table).try_into::<T>().map_err(|e| e.message().to_owned());
    let mut table = base.clone();
    for (key, value) in own {
        // One key at a time over the deployment's, so a refusal names its key.
        let mut alone = base.clone();
        alone.insert(key.clone(), value.clone());
        read(alone).map_err(|e| format!("[{name}] {key}: {e}"))?;
        table.insert(key.clone(), value.clone());
    }
    read(table).map_err(|e| format!("[{name}] {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn config() -> Config {
        Config::load_from(None, std::iter::empty()).unwrap()
    }

    /// A community with these own settings and nothing else of its own.
    pub(crate) fn community(settings: Option<&str>) -> Community {
        let now = chrono::Utc::now();
        Community {
            settings: settings.map(str::to_owned),
            ..Community::new("西城社区", chrono_tz::Asia::Shanghai, "zh-CN", now)
        }
    }

    #[test]
    fn a_communitys_own_keys_win_and_the_rest_are_the_deployments() {
        let c = config();
        let own = community(Some("[meeting]\nagenda_lead_days = 9\n[scorecard]\nweight_satisfaction = 0.6\n"));
        let e = effective(&c, &own);
        assert_eq!((e.meeting.agenda_lead_days, e.meeting.length_minutes), (9, c.meeting.length_minutes));
        let a = c.agenda_config(&own);
        assert_eq!((a.scoring.weight_satisfaction, a.scoring.weight_response), (0.6, c.scorecard.weight_response));
        let shown = describe(&c, &own).unwrap();
        assert!(shown.contains("agenda_lead_days = 9  # own\n"), "{shown}");
        assert!(shown.contains(&format!("length_minutes = {}\n", c.meeting.length_minutes)), "{shown}");
        assert!(shown.contains("workflow = \"issue\"\n"), "{shown}");
        // A document an upgrade no longer understands falls back to the deployment's.
        let stale = effective(&c, &community(Some("[meeting]\nretired_key = 1\n")));
        assert_eq!(stale.meeting.agenda_lead_days, c.meeting.agenda_lead_days);
    }

    #[test]
    fn a_community_may_set_the_meeting_and_scorecard_keys_the_configuration_takes() {
        let c = config();
        let kept = check(&c, "[meeting]\nagenda_lead_days = 7\n[scorecard]\nweight_satisfaction = 0.5\n").unwrap();
        assert_eq!(
            kept.as_deref(),
            Some("[meeting]\nagenda_lead_days = 7\n\n[scorecard]\nweight_satisfaction = 0.5\n")
        );
        assert_eq!(check(&c, "[meeting]\n").unwrap(), None, "an empty section sets nothing");
        let refused = |text: &str| check(&c, text).unwrap_err();
        assert!(refused("[meeting]\nagenda_lead_dayz = 7").contains("agenda_lead_dayz"));
        assert!(
            refused("[scorecard]\nweight_response = \"lots\"").contains("[scorecard] weight_response: invalid type")
        );
        assert!(refused("[scorecard]\nweight_response = 101").contains("not a weight"));
        assert!(refused("[scorecard]\nsatisfied_from = 9").contains("satisfaction from 1 to 5"));
        assert!(refused("[meeting]\nagenda_lead_days = -1").contains("[meeting]"));
        assert!(refused("[meeting]\ntime = \"10:00\"").contains("setup meeting --time"));
        assert!(refused("[mail]\nfrom = \"x@y\"").contains("not a community's setting"));
        assert!(refused("meeting = 3").contains("must be a section"));
        assert!(refused("[meeting").len() > 5, "a broken document says why");
    }
}

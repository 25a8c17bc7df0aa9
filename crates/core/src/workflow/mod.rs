//! The workflow engine. A workflow file (`workflows/*.toml`) declares states,
//! transitions, timers and effects; `load` validates it into a [`Workflow`],
//! [`apply`] fires a transition, [`Workflow::due_timers`] says which timers are due.

mod apply;
mod duration;
mod graph;
mod load;
mod timers;
mod vocab;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::actor::{Actor, Role};
use crate::issue::{Issue, IssueState};

pub use apply::{Denial, FieldError, FieldProblem, Outcome, TransitionFields, TransitionRequest, apply};
pub use duration::{BadDuration, TimerOffset, format_offset, parse_offset};
pub use load::LoadError;
pub use timers::DueTimer;
pub use vocab::{Anchor, Effect, Field, Guard, Relation};

/// A validated workflow. Built only by [`Workflow::from_toml`], so every name in it is known.
#[derive(Clone, Debug, Serialize)]
pub struct Workflow {
    pub name: String,
    pub title: String,
    /// Where it was loaded from, for messages.
    pub source: String,
    pub initial: IssueState,
    pub states: Vec<StateDef>,
    pub transitions: Vec<TransitionDef>,
    pub timers: Vec<TimerDef>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StateDef {
    pub name: IssueState,
    pub terminal: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TransitionDef {
    pub name: String,
    pub from: Vec<IssueState>,
    pub to: IssueState,
    /// Any one matching party may fire the transition.
    pub allow: Vec<Party>,
    pub require: Vec<Field>,
    /// Optional fields; anything neither required nor accepted is refused.
    pub accept: Vec<Field>,
    pub guards: Vec<Guard>,
    pub effects: Vec<Effect>,
}

/// Who may fire a transition: `role`, `role@relation` or `@relation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party {
    pub role: Option<Role>,
    pub relation: Option<Relation>,
}

impl Serialize for Party {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(role) = self.role {
            write!(f, "{role}")?;
        }
        if let Some(rel) = self.relation {
            write!(f, "@{rel}")?;
        }
        Ok(())
    }
}

impl Party {
    pub fn matches(&self, actor: &Actor, issue: &Issue) -> bool {
        let role_ok = self.role.is_none_or(|r| actor.has_role(r));
        let relation_ok = match self.relation {
            None => true,
            Some(Relation::Responsible) => issue.responsible_org.is_some_and(|o| actor.is_member_of(o)),
            Some(Relation::RaiserOrg) => issue.raised_by_org.is_some_and(|o| actor.is_member_of(o)),
            Some(Relation::Raiser) => issue.raised_by == actor.user,
        };
        role_ok && relation_ok
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TimerDef {
    pub name: String,
    /// The timer runs only while the issue is in this state.
    pub state: IssueState,
    pub anchor: Anchor,
    /// From the anchor; negative means "before".
    #[serde(serialize_with = "serialize_offset")]
    pub offset: TimerOffset,
    /// The urgencies it runs for; empty: every issue.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urgency: Vec<crate::issue::Urgency>,
    pub effects: Vec<Effect>,
}

fn serialize_offset<S: serde::Serializer>(d: &TimerOffset, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

impl TransitionDef {
    pub fn allows(&self, actor: &Actor, issue: &Issue) -> bool {
        actor.community == issue.community && self.allow.iter().any(|p| p.matches(actor, issue))
    }

    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.require.iter().chain(&self.accept).copied()
    }

    /// Whether the step takes `field`, required or accepted.
    pub fn takes(&self, field: Field) -> bool {
        self.require.contains(&field) || self.accept.contains(&field)
    }
}

impl Workflow {
    pub fn state(&self, name: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.name == name)
    }

    pub fn transition(&self, name: &str) -> Option<&TransitionDef> {
        self.transitions.iter().find(|t| t.name == name)
    }

    pub fn is_terminal(&self, state: &str) -> bool {
        self.state(state).is_some_and(|s| s.terminal)
    }

    /// The transitions `actor` may fire on `issue` right now (state and permission;
    /// fields are checked when fired).
    pub fn available<'a>(&'a self, issue: &'a Issue, actor: &'a Actor) -> impl Iterator<Item = &'a TransitionDef> + 'a {
        self.transitions.iter().filter(move |t| {
            t.from.contains(&issue.state) && t.allows(actor, issue) && t.unmet_precondition(issue).is_none()
        })
    }
}

/// Every loaded workflow, by name.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WorkflowSet {
    workflows: BTreeMap<String, Workflow>,
}

/// The workflow new issues get unless a caller picks another.
pub const DEFAULT_WORKFLOW: &str = "issue";

impl WorkflowSet {
    /// Validates every `(source name, TOML text)` pair; returns all errors of all files.
    pub fn from_sources<'a>(sources: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, Vec<LoadError>> {
        let mut set = WorkflowSet::default();
        let mut errors = Vec::new();
        for (source, text) in sources {
            match Workflow::from_toml(source, text) {
                Ok(wf) => {
                    if let Some(first) = set.workflows.get(&wf.name) {
                        errors.push(LoadError::whole_file(
                            source,
                            format!("duplicate workflow name `{}` (also in {})", wf.name, first.source),
                        ));
                    } else {
                        set.workflows.insert(wf.name.clone(), wf);
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() { Ok(set) } else { Err(errors) }
    }

    pub fn get(&self, name: &str) -> Option<&Workflow> {
        self.workflows.get(name)
    }

    /// Whether an issue in `state` of workflow `name` is closed (a terminal state); an
    /// issue of a workflow no longer loaded counts as open.
    pub fn is_closed(&self, name: &str, state: &IssueState) -> bool {
        self.get(name).is_some_and(|wf| wf.is_terminal(state.as_str()))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Workflow> {
        self.workflows.values()
    }

    /// The names of the transitions, in any workflow, that report progress on the way
    /// (`record_progress`): what the ledger's "latest progress" reads.
    pub fn progress_reports(&self) -> Vec<String> {
        self.taking(Effect::RecordProgress)
    }

    /// The names of the transitions, in any workflow, that have `effect`: the steps a
    /// timeline is read for by what they do, not by their names, which the files give.
    pub fn taking(&self, effect: Effect) -> Vec<String> {
        let mut names: Vec<String> = self
            .iter()
            .flat_map(|wf| &wf.transitions)
            .filter(|t| t.effects.contains(&effect))
            .map(|t| t.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    pub fn len(&self) -> usize {
        self.workflows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.workflows.is_empty()
    }
}

//! Reading and validating a workflow file. Every problem is reported as
//! `file:line:col: reason`, all of them at once, so an author fixes a file in one go.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::Deserialize;
use toml::Spanned;

use super::vocab::{Anchor, Effect, Field, Guard, Relation};
use super::{Party, StateDef, TimerDef, TimerOffset, TransitionDef, Workflow};
use crate::actor::Role;
use crate::issue::{IssueState, Urgency};
use crate::names::UnknownName;

/// One problem in a workflow file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.message)
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    /// A problem with the file as a whole (reported at its start).
    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        LoadError { file: file.to_owned(), line: 1, col: 1, message: message.into() }
    }
}

type Name = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    workflow: Spanned<RawHeader>,
    #[serde(default)]
    state: Vec<RawState>,
    #[serde(default)]
    transition: Vec<RawTransition>,
    #[serde(default)]
    timer: Vec<RawTimer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: Name,
    title: Option<String>,
    initial: Option<Name>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    name: Name,
    #[serde(default)]
    terminal: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    name: Name,
    from: Spanned<Vec<Name>>,
    to: Name,
    allow: Spanned<Vec<Name>>,
    #[serde(default)]
    require: Vec<Name>,
    #[serde(default)]
    accept: Vec<Name>,
    #[serde(default)]
    guards: Vec<Name>,
    #[serde(default)]
    effects: Vec<Name>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimer {
    name: Name,
    state: Name,
    anchor: Name,
    offset: Name,
    #[serde(default)]
    urgency: Vec<Name>,
    #[serde(default)]
    effects: Vec<Name>,
}

/// Collects errors against one source text.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<(usize, LoadError)>,
}

impl<'a> Checker<'a> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let at = span.start.min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let e = LoadError { file: self.file.to_owned(), line, col, message: message.into() };
        self.errors.push((at, e));
    }

    /// Parses a name from a closed set, reporting an unknown one at its position.
    fn known<T: FromStr<Err = UnknownName>>(&mut self, name: &Name) -> Option<T> {
        match name.get_ref().parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.err(name.span(), e.to_string());
                None
            }
        }
    }

    fn known_all<T: FromStr<Err = UnknownName>>(&mut self, names: &[Name]) -> Vec<T> {
        names.iter().filter_map(|n| self.known(n)).collect()
    }

    fn identifier(&mut self, what: &str, name: &Name) {
        let s = name.get_ref();
        let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            self.err(
                name.span(),
                format!("invalid {what} name `{s}`: use lower-case letters, digits and `_`, starting with a letter"),
            );
        }
    }

    /// Reports the second and later uses of a name.
    fn unique<'n>(&mut self, what: &str, names: impl IntoIterator<Item = &'n Name>) {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for n in names {
            if let Some(first) = seen.get(n.get_ref().as_str()) {
                let line = self.text[..*first].matches('\n').count() + 1;
                self.err(n.span(), format!("duplicate {what} `{}` (first defined on line {line})", n.get_ref()));
            } else {
                seen.insert(n.get_ref(), n.span().start);
            }
        }
    }

    fn state(&mut self, states: &BTreeSet<&str>, name: &Name) -> Option<IssueState> {
        if states.contains(name.get_ref().as_str()) {
            Some(IssueState::new(name.get_ref().clone()))
        } else {
            let known: Vec<&str> = states.iter().copied().collect();
            self.err(
                name.span(),
                format!("unknown state `{}` (declared states: {})", name.get_ref(), known.join(", ")),
            );
            None
        }
    }

    fn party(&mut self, name: &Name) -> Option<Party> {
        let (role, relation) = match name.get_ref().split_once('@') {
            Some((role, rel)) => (role, Some(rel)),
            None => (name.get_ref().as_str(), None),
        };
        let sub = |s: &str| Spanned::new(name.span(), s.to_owned());
        let role = match role {
            "" if relation.is_some() => None,
            r => Some(self.known::<Role>(&sub(r))?),
        };
        let relation = match relation {
            Some(rel) => Some(self.known::<Relation>(&sub(rel))?),
            None => None,
        };
        Some(Party { role, relation })
    }

    fn finish(mut self) -> Vec<LoadError> {
        self.errors.sort_by_key(|(at, _)| *at);
        self.errors.into_iter().map(|(_, e)| e).collect()
    }
}

impl Workflow {
    /// Parses and validates one workflow file. `source` names it in error messages.
    pub fn from_toml(source: &str, text: &str) -> Result<Workflow, Vec<LoadError>> {
        let mut c = Checker { file: source, text, errors: Vec::new() };
        let raw: RawFile = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let message = e.message().trim_end().to_owned();
                c.err(e.span().unwrap_or(0..0), message);
                return Err(c.finish());
            }
        };
        let wf = check(&mut c, raw);
        if c.errors.is_empty() { Ok(wf) } else { Err(c.finish()) }
    }
}

fn check(c: &mut Checker<'_>, raw: RawFile) -> Workflow {
    let header_span = raw.workflow.span();
    let header = raw.workflow.into_inner();
    c.identifier("workflow", &header.name);

    // States.
    if raw.state.is_empty() {
        c.err(header_span.clone(), "no states declared: add `[[state]]` tables");
    }
    for s in &raw.state {
        c.identifier("state", &s.name);
    }
    c.unique("state", raw.state.iter().map(|s| &s.name));
    let names: BTreeSet<&str> = raw.state.iter().map(|s| s.name.get_ref().as_str()).collect();
    let terminal: BTreeSet<&str> = raw.state.iter().filter(|s| s.terminal).map(|s| s.name.get_ref().as_str()).collect();

    let initial = match &header.initial {
        None => {
            c.err(header_span, "no initial state: add `initial = \"…\"` to [workflow]");
            None
        }
        Some(name) => {
            let state = c.state(&names, name);
            if state.is_some() && terminal.contains(name.get_ref().as_str()) {
                c.err(name.span(), format!("initial state `{}` is terminal", name.get_ref()));
            }
            state
        }
    };

    // Transitions.
    for t in &raw.transition {
        c.identifier("transition", &t.name);
    }
    c.unique("transition", raw.transition.iter().map(|t| &t.name));
    let transitions: Vec<TransitionDef> =
        raw.transition.iter().map(|t| check_transition(c, &names, &terminal, t)).collect();

    // Timers.
    for t in &raw.timer {
        c.identifier("timer", &t.name);
    }
    c.unique("timer", raw.timer.iter().map(|t| &t.name));
    let timers: Vec<TimerDef> = raw.timer.iter().filter_map(|t| check_timer(c, &names, t)).collect();

    // The graph: every state reachable from the initial one, and able to end. Judged
    // only once every name is right, so one typo does not cascade into more errors.
    if let Some(initial) = initial.as_ref().filter(|_| c.errors.is_empty()) {
        let edges: Vec<(&str, &str)> =
            transitions.iter().flat_map(|t| t.from.iter().map(move |f| (f.as_str(), t.to.as_str()))).collect();
        let reachable = closure([initial.as_str()], &edges, false);
        let ending = closure(terminal.iter().copied(), &edges, true);
        for s in &raw.state {
            let name = s.name.get_ref().as_str();
            if !reachable.contains(name) {
                c.err(s.name.span(), format!("state `{name}` is unreachable from the initial state `{initial}`"));
            } else if !ending.contains(name) {
                c.err(s.name.span(), format!("state `{name}` has no path to a terminal state"));
            }
        }
    }

    Workflow {
        title: header.title.unwrap_or_else(|| header.name.get_ref().clone()),
        name: header.name.into_inner(),
        source: c.file.to_owned(),
        initial: initial.unwrap_or_else(|| IssueState::new("")),
        states: raw
            .state
            .iter()
            .map(|s| StateDef { name: IssueState::new(s.name.get_ref().clone()), terminal: s.terminal })
            .collect(),
        transitions,
        timers,
    }
}

fn check_transition(
    c: &mut Checker<'_>,
    states: &BTreeSet<&str>,
    terminal: &BTreeSet<&str>,
    t: &RawTransition,
) -> TransitionDef {
    let name = t.name.get_ref();
    if t.from.get_ref().is_empty() {
        c.err(t.from.span(), format!("transition `{name}` has an empty `from`"));
    }
    let mut from = Vec::new();
    for f in t.from.get_ref() {
        if let Some(state) = c.state(states, f) {
            if terminal.contains(state.as_str()) {
                c.err(f.span(), format!("transition `{name}` leaves terminal state `{state}`"));
            }
            from.push(state);
        }
    }
    let to = c.state(states, &t.to).unwrap_or_else(|| IssueState::new(""));
    if t.allow.get_ref().is_empty() {
        c.err(t.allow.span(), format!("transition `{name}` allows nobody: list at least one party in `allow`"));
    }
    let allow = t.allow.get_ref().iter().filter_map(|p| c.party(p)).collect();

    c.unique("field", t.require.iter().chain(&t.accept));
    let require: Vec<Field> = c.known_all(&t.require);
    let accept: Vec<Field> = c.known_all(&t.accept);
    c.unique("effect", &t.effects);
    let effects: Vec<Effect> = c.known_all(&t.effects);
    // A commitment is a promise *and* a date: one without the other means nothing —
    // except a new date for the promise already made (an extension).
    let extends = effects.iter().any(|e| matches!(e, Effect::RequestExtension | Effect::RecordExtension));
    for (field, partner) in [(Field::CommitmentText, Field::DueDate), (Field::DueDate, Field::CommitmentText)] {
        if field == Field::DueDate && extends {
            continue;
        }
        if require.contains(&field) && !require.contains(&partner) {
            let span = t.require.iter().find(|n| n.get_ref() == field.as_str()).map(|n| n.span());
            c.err(span.unwrap_or(t.name.span()), format!("`{field}` must be required together with `{partner}`"));
        }
    }
    // A report on the way leaves the issue where it is; a request to be relieved of it
    // stands while the issue stays where it was asked (a step that moved it would drop it).
    for (effect, does) in [
        (Effect::RecordProgress, "records progress: the issue"),
        (Effect::RequestReturn, "asks to return the issue: it"),
    ] {
        if effects.contains(&effect) && from.iter().any(|f| *f != to) {
            c.err(t.name.span(), format!("transition `{name}` {does} stays where it is, so `from` must be [\"{to}\"]"));
        }
    }
    if effects.contains(&Effect::RequestReturn) && !require.contains(&Field::Reason) {
        c.err(t.name.span(), format!("transition `{name}` asks to return the issue: it must require `reason`"));
    }
    if extends && !require.contains(&Field::DueDate) {
        c.err(t.name.span(), format!("transition `{name}` extends a commitment: it must require `due_date`"));
    }

    c.unique("guard", &t.guards);
    let mut guards = Vec::new();
    for g in &t.guards {
        let Some(guard) = c.known::<Guard>(g) else {
            continue;
        };
        let needs = match guard {
            Guard::DueDateNotPast => Some(Field::DueDate),
            Guard::ResponsibleChanges => Some(Field::ResponsibleOrg),
            Guard::ExtendsDueDate => Some(Field::DueDate),
            Guard::HasCommitment | Guard::ExtensionRequested | Guard::ReturnRequested => None,
        };
        if let Some(field) = needs.filter(|f| !require.contains(f) && !accept.contains(f)) {
            c.err(g.span(), format!("guard `{guard}` needs the field `{field}` in `require` or `accept`"));
        }
        guards.push(guard);
    }
    TransitionDef { name: name.clone(), from, to, allow, require, accept, guards, effects }
}

fn check_timer(c: &mut Checker<'_>, states: &BTreeSet<&str>, t: &RawTimer) -> Option<TimerDef> {
    let state = c.state(states, &t.state);
    let anchor = c.known::<Anchor>(&t.anchor);
    let offset = match TimerOffset::parse(t.offset.get_ref()) {
        Ok(d) => Some(d),
        Err(e) => {
            c.err(t.offset.span(), e.to_string());
            None
        }
    };
    if t.effects.is_empty() {
        c.err(t.name.span(), format!("timer `{}` has no effects", t.name.get_ref()));
    }
    c.unique("effect", &t.effects);
    let mut effects = Vec::new();
    for e in &t.effects {
        let Some(effect) = c.known::<Effect>(e) else {
            continue;
        };
        if effect.is_internal() {
            c.err(e.span(), format!("effect `{effect}` belongs to transitions, not timers"));
        }
        effects.push(effect);
    }
    c.unique("urgency", &t.urgency);
    let urgency = c.known_all::<Urgency>(&t.urgency);
    Some(TimerDef { name: t.name.get_ref().clone(), state: state?, anchor: anchor?, offset: offset?, urgency, effects })
}

/// The states reachable from `start` along `edges` (or, `backwards`, that reach it).
fn closure<'a>(
    start: impl IntoIterator<Item = &'a str>,
    edges: &[(&'a str, &'a str)],
    backwards: bool,
) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = start.into_iter().collect();
    let mut queue: VecDeque<&str> = seen.iter().copied().collect();
    while let Some(s) = queue.pop_front() {
        for &(a, b) in edges {
            let (here, next) = if backwards { (b, a) } else { (a, b) };
            if here == s && seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    seen
}

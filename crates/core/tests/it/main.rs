//! roundtable-core's integration tests: one binary, one module per subject.

mod agenda;
mod fixture;
mod loading;
mod properties;
mod scorecard;
mod timers;
mod transitions;
mod workdays;

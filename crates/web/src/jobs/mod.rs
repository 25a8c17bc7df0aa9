//! The work that runs on a schedule, not in a request: building agendas, the workflow's
//! timers, telling secretaries of a meeting left open and of minutes left unpublished, the organisations' weekly
//! summaries, forgetting old request keys, and the scheduler that ticks them (mail
//! delivery is `mail::dispatch`, which the scheduler also drives).

pub mod agenda;
pub mod left_open;
pub mod minutes_due;
pub mod notices;
pub mod raise_keys;
pub mod reminders;
pub mod scheduler;
pub mod summaries;

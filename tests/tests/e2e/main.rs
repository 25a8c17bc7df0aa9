//! roundtable's end-to-end suite (one binary): the command line, and the HTTP API
//! through the real router on SQLite and, when configured, PostgreSQL.

mod api_flow;
mod authz;
mod cli;
mod errors;
mod meetings;
mod minutes;
mod openapi;
mod scheduler;

//! roundtable-store's suite: every test runs on SQLite, and on PostgreSQL when
//! ROUNDTABLE_TEST_POSTGRES_URL names a server (each test gets a database of its own).

mod harness;

mod agendas;
mod directory;
mod issues;
mod minutes;
mod parity;
mod scorecard;
mod search;
mod startup;
mod wal;

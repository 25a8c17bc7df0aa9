//! roundtable's end-to-end suite (one binary): the command line, and the HTTP API
//! through the real router on SQLite and, when configured, PostgreSQL.

mod api_flow;
mod archive;
mod authz;
mod browser;
mod channels;
mod cli;
mod documents;
mod errors;
mod feeds;
mod hostile;
mod instances;
mod ledger;
mod mail;
mod meetings;
mod open311;
mod openapi;
mod pages;
mod pause;
mod photos;
mod progress;
mod repeats;
mod residents;
mod returns;
mod review;
mod scheduler;
mod simulation;
mod smtp;
mod street;
mod urgency;
mod urgent_agenda;
mod workdays;

//! roundtable-web: the service around the pure core. For now the command line;
//! the HTTP API, pages, mail and scheduler join it here.

pub mod cli;
pub mod workflows;

//! roundtable-store: persistence. Filled by the storage work (diesel over SQLite and
//! PostgreSQL); for now it only names the crate so the workspace has its final shape.

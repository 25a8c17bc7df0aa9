//! Shared helpers for the end-to-end suite live in `tests/e2e.rs` for now.

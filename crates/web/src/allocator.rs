//! The server's memory allocator: mimalloc, set as the global allocator by the
//! `roundtable` binary (`main.rs`).
//!
//! Why not glibc's: under load a list request spent an eighth of its time in glibc's
//! `malloc` and `free`, much of it consolidating free lists whenever an answer's buffer
//! grew; mimalloc takes 6 % fewer instructions for a list of 50 and 13 % fewer for one
//! issue (docs/performance.md, "The allocator").
//!
//! Why these options: at its defaults mimalloc commits its arenas eagerly and returns
//! freed memory to the system only after a second, and the server held 365 MiB after a
//! burst of photo uploads where glibc held 189 MiB. Committing on demand and returning
//! freed pages at once brought it to 44 MiB, at no cost the counts could see.

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// `mi_option_arena_eager_commit` in mimalloc 3's `mi_option_e` (the bindings name no
/// constant for it; the test below checks the number against the option's default).
const ARENA_EAGER_COMMIT: mi_option_t = 4;
/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e`, in milliseconds.
const PURGE_DELAY: mi_option_t = 15;

/// Commits arena memory on demand and returns freed pages to the system at once. Called
/// first thing in `main`; options read later (each purge, each new arena) follow it.
pub fn configure() {
    // SAFETY: both are plain setters of mimalloc's global options, safe at any time.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of one of mimalloc's options now.
    fn get(option: mi_option_t) -> std::ffi::c_long {
        // SAFETY: a plain getter.
        unsafe { libmimalloc_sys::mi_option_get(option) }
    }

    /// The numbers are the options they are meant to be: mimalloc 3's defaults are 2
    /// (eager on overcommitting systems) and 1,000 ms (`src/options.c`; the header's
    /// comment still says 10). A new mimalloc that renumbers its
    /// options fails here instead of setting something else. `configure` is not called
    /// in this test binary, so the defaults stand.
    #[test]
    fn the_option_numbers_are_mimallocs() {
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(get(ARENA_EAGER_COMMIT), 2, "arena_eager_commit's default");
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(PURGE_DELAY), 1000, "purge_delay's default");
        }
    }
}

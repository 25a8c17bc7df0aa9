//! What the service does, once: each operation takes the application, the caller and
//! typed input, checks the caller's rights, and returns a view. The API handlers and
//! the pages both call these, so a page can never show or do more than the API.

pub mod admin;
pub mod issues;
pub mod meetings;
pub mod reference;

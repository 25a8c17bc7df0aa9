//! Mail: templates (zh-CN and en, text + HTML), transports, signed verification links,
//! and the dispatcher that drains the outbox. Mail is never sent from a request handler: handlers and jobs
//! write outbox rows in their transaction; the dispatcher delivers them.

pub mod channels;
pub mod dispatch;
pub mod links;
pub mod outbound;
pub mod templates;
pub mod transport;

pub use dispatch::{DispatchReport, dispatch_due, dispatch_once};
pub use templates::{Email, Templates};
pub use transport::{Mailer, Sent};

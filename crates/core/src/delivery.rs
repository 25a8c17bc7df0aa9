//! Where a notification in the outbox stands.

use crate::names::named_enum;

named_enum! {
    /// A notification's delivery: waiting (or retrying), delivered, or given up on.
    pub enum DeliveryStatus: "delivery status" {
        Pending = "pending",
        Sent = "sent",
        /// Failed too often; an administrator may retry it.
        Dead = "dead",
    }
}

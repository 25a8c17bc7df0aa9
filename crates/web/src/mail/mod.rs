//! Mail: templates (zh-CN and en, text + HTML), transports, signed verification links,
//! and the dispatcher that drains the outbox. Mail is never sent from a request handler: handlers and jobs
//! write outbox rows in their transaction; the dispatcher delivers them.

pub mod channels;
pub mod dispatch;
pub mod links;
pub mod outbound;
pub mod summary;
pub mod templates;
pub mod transport;

pub use dispatch::{DispatchReport, dispatch_due, dispatch_once};
pub use templates::{Email, Templates};
pub use transport::{Mailer, Sent};

/// Whether mail can be sent to `s`: an address by our rule (visible, one line, at most
/// 200 characters) that the mail transport also reads as one — "<script>@x.y" or
/// "a@b@c" would only come back from the dispatcher as undeliverable, long after the
/// form that took it.
pub fn is_address(s: &str) -> bool {
    roundtable_core::text::is_mail_address(s) && s.parse::<lettre::Address>().is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_address_is_one_the_transport_can_send_to() {
        for ok in ["li.ming@anshang.example", "service+repair@xianghe.example", "王俊勇@东圣.中国", "a@[127.0.0.1]"]
        {
            assert!(super::is_address(ok), "{ok}");
        }
        for bad in ["<script>@x.y", "a@b@c", "li at anshang", "a@", "@b.c", "a b@c.d", "a@b..c"] {
            assert!(!super::is_address(bad), "{bad}");
        }
    }
}

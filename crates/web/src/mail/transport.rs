//! Where mail goes: SMTP, `.eml` files (the embedded default) or memory (tests) — each
//! lettre's own transport (async SMTP over tokio, the file transport, the stub).

use std::path::PathBuf;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::stub::AsyncStubTransport;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::Email;
use crate::config::{MailConfig, MailTransport, Profile};

/// A message as the memory transport keeps it, read back from what was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub message_id: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
    pub list_unsubscribe_post: Option<String>,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The directory (created when the first mail is written) and the transport.
    File(PathBuf, AsyncFileTransport<Tokio1Executor>),
    Memory(AsyncStubTransport),
}

impl Mailer {
    /// From configuration; a production profile refuses file and memory transports
    /// unless `allow_non_smtp` says otherwise. Errors never contain the SMTP URL.
    pub fn from_config(cfg: &MailConfig) -> Result<Mailer, String> {
        let mailer = match cfg.transport {
            MailTransport::Smtp => {
                let url = cfg.smtp_url.expose_secret();
                if url.is_empty() {
                    return Err("mail.transport is smtp but mail.smtp_url (ROUNDTABLE_SMTP_URL) is empty".into());
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        format!("mail.smtp_url is not a valid SMTP URL ({})", e.to_string().replace(url, "…"))
                    })?
                    .build();
                Mailer::Smtp(transport)
            }
            MailTransport::File => Mailer::File(cfg.file_dir.clone(), AsyncFileTransport::new(&cfg.file_dir)),
            MailTransport::Memory => Mailer::Memory(AsyncStubTransport::new_ok()),
        };
        if cfg.profile == Profile::Production && !matches!(mailer, Mailer::Smtp(_)) && !cfg.allow_non_smtp {
            return Err("the production profile sends mail by SMTP: set mail.transport = \"smtp\" (or mail.allow_non_smtp = true)".into());
        }
        Mailer::from_parts(&cfg.from).map(|_| mailer)
    }

    /// Where mail goes, for the start-up line: the SMTP server without its credentials,
    /// the directory, or memory.
    pub fn describe(cfg: &MailConfig) -> String {
        match cfg.transport {
            MailTransport::Smtp => format!("SMTP {}", redact_smtp_url(cfg.smtp_url.expose_secret())),
            MailTransport::File => format!(".eml files in {}", cfg.file_dir.display()),
            MailTransport::Memory => "memory".into(),
        }
    }

    fn from_parts(from: &str) -> Result<Mailbox, String> {
        from.parse().map_err(|e| format!("mail.from `{from}` is not an address: {e}"))
    }

    /// What the memory transport holds, oldest first (empty for the others).
    pub async fn sent(&self) -> Vec<Sent> {
        let Mailer::Memory(stub) = self else { return Vec::new() };
        stub.messages().await.iter().filter_map(|(_, raw)| read_back(raw)).collect()
    }

    /// Sends one multipart (text + HTML) message with a fixed Message-ID, so a retry
    /// after an ambiguous failure is recognisable as the same message.
    pub async fn send(&self, from: &str, to: &[String], message_id: &str, email: &Email) -> Result<(), String> {
        let mut builder = Message::builder()
            .from(Self::from_parts(from)?)
            .subject(email.subject.clone())
            .message_id(Some(message_id.to_owned()));
        for addr in to {
            builder = builder.to(addr.parse().map_err(|e| format!("bad recipient address `{addr}`: {e}"))?);
        }
        if let Some(url) = &email.unsubscribe {
            builder = builder.header(ListUnsubscribe(format!("<{url}>")));
            // The link stops the mail by a POST alone, so mail programs may offer one click.
            builder = builder.header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}")),
            Mailer::File(dir, t) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot write the mail file (its directory: {e})"))?;
                t.send(message).await.map(|_| ()).map_err(|e| format!("cannot write the mail file: {e}"))
            }
            Mailer::Memory(t) => t.send(message).await.map_err(|e| format!("memory transport: {e}")),
        }
    }
}

/// A header of plain text, by its name.
macro_rules! text_header {
    ($(#[$doc:meta])* $name:ident, $header:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        struct $name(String);

        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(s.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(
    /// `List-Unsubscribe` (RFC 2369): where the reader stops this kind of mail.
    ListUnsubscribe,
    "List-Unsubscribe"
);
text_header!(
    /// `List-Unsubscribe-Post` (RFC 8058): the link stops the mail by a POST alone.
    ListUnsubscribePost,
    "List-Unsubscribe-Post"
);

/// A sent message's parts, parsed back from its wire form.
fn read_back(raw: &str) -> Option<Sent> {
    let m = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
    let to =
        m.to().map(|list| list.iter().filter_map(|a| a.address()).map(str::to_owned).collect()).unwrap_or_default();
    Some(Sent {
        message_id: format!("<{}>", m.message_id().unwrap_or_default()),
        to,
        subject: m.subject().unwrap_or_default().to_owned(),
        text: m.body_text(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default(),
        list_unsubscribe: m.header_raw("List-Unsubscribe").map(|v| v.trim().to_owned()),
        list_unsubscribe_post: m.header_raw("List-Unsubscribe-Post").map(|v| v.trim().to_owned()),
    })
}

/// `smtps://user:secret@host:465?tls=required` → `smtps://host:465`: the scheme, host and
/// port, never the credentials or the parameters.
pub fn redact_smtp_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("smtp", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_smtp_url_is_shown_without_credentials() {
        assert_eq!(
            super::redact_smtp_url("smtps://me:s3cret@mail.example:465?tls=required"),
            "smtps://mail.example:465"
        );
        assert_eq!(super::redact_smtp_url("smtp://relay:25"), "smtp://relay:25");
        assert_eq!(super::redact_smtp_url("smtp://a@b:p@ss@relay:587/x"), "smtp://relay:587");
    }
}

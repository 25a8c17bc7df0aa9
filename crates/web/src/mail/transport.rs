//! Where mail goes: SMTP (lettre's async tokio transport), `.eml` files (the embedded
//! default), or memory (tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Email;
use crate::config::MailConfig;

/// A message as delivered by the memory transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub message_id: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
    Memory(Arc<Mutex<Vec<Sent>>>),
}

impl Mailer {
    /// From configuration; a production profile refuses file and memory transports
    /// unless `allow_non_smtp` says otherwise. Errors never contain the SMTP URL.
    pub fn from_config(cfg: &MailConfig) -> Result<Mailer, String> {
        let mailer = match cfg.transport.as_str() {
            "smtp" => {
                if cfg.smtp_url.is_empty() {
                    return Err("mail.transport is smtp but mail.smtp_url (ROUNDTABLE_SMTP_URL) is empty".into());
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&cfg.smtp_url)
                    .map_err(|e| {
                        format!("mail.smtp_url is not a valid SMTP URL ({})", e.to_string().replace(&cfg.smtp_url, "…"))
                    })?
                    .build();
                Mailer::Smtp(transport)
            }
            "file" => Mailer::File(cfg.file_dir.clone()),
            "memory" => Mailer::Memory(Arc::default()),
            other => return Err(format!("mail.transport `{other}` is not smtp, file or memory")),
        };
        if cfg.profile == "production" && !matches!(mailer, Mailer::Smtp(_)) && !cfg.allow_non_smtp {
            return Err("the production profile sends mail by SMTP: set mail.transport = \"smtp\" (or mail.allow_non_smtp = true)".into());
        }
        Mailer::from_parts(&cfg.from).map(|_| mailer)
    }

    /// Where mail goes, for the start-up line: the SMTP server without its credentials,
    /// the directory, or memory.
    pub fn describe(cfg: &MailConfig) -> String {
        match cfg.transport.as_str() {
            "smtp" => format!("SMTP {}", redact_smtp_url(&cfg.smtp_url)),
            "file" => format!(".eml files in {}", cfg.file_dir.display()),
            other => other.to_owned(),
        }
    }

    fn from_parts(from: &str) -> Result<Mailbox, String> {
        from.parse().map_err(|e| format!("mail.from `{from}` is not an address: {e}"))
    }

    /// What the memory transport holds (empty for the others).
    pub fn sent(&self) -> Vec<Sent> {
        match self {
            Mailer::Memory(m) => m.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// Sends one multipart (text + HTML) message with a fixed Message-ID, so a retry
    /// after an ambiguous failure is recognisable as the same message.
    pub async fn send(&self, from: &str, to: &[String], message_id: &str, email: &Email) -> Result<(), String> {
        if let Mailer::Memory(m) = self {
            m.lock().unwrap_or_else(|e| e.into_inner()).push(Sent {
                message_id: message_id.to_owned(),
                to: to.to_vec(),
                subject: email.subject.clone(),
                text: email.text.clone(),
                html: email.html.clone(),
            });
            return Ok(());
        }
        let mut builder = Message::builder()
            .from(Self::from_parts(from)?)
            .subject(email.subject.clone())
            .message_id(Some(message_id.to_owned()));
        for addr in to {
            builder = builder.to(addr.parse().map_err(|e| format!("bad recipient address `{addr}`: {e}"))?);
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}")),
            Mailer::File(dir) => {
                let name: String =
                    message_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.').collect();
                let path = dir.join(format!("{name}.eml"));
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(path.parent().unwrap_or(&path))?;
                    std::fs::write(&path, bytes)
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("cannot write the mail file: {e}"))
            }
            Mailer::Memory(_) => Ok(()),
        }
    }
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

//! Email templates: `templates/email/<name>/{subject,body.txt,body.html}.hbs`, one set for
//! every language (their strings are the `mail.*` keys of the locale files), compiled
//! into the binary, strict mode. The HTML part escapes everything; the text part and the
//! subject do not need to (they are not HTML), but lose line breaks in the subject so
//! nothing can be smuggled into a header.

use handlebars::Handlebars;
use serde::Serialize;

use crate::i18n::{LOCALES, TranslateHelper, strings};

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(
            ($name,
                include_str!(concat!("../../templates/email/", $name, "/subject.hbs")),
                include_str!(concat!("../../templates/email/", $name, "/body.txt.hbs")),
                include_str!(concat!("../../templates/email/", $name, "/body.html.hbs"))),
        )*]
    };
}

/// (name, subject, text, html)
const EMBEDDED: &[(&str, &str, &str, &str)] = templates!(
    "issue_assigned",
    "issue_update",
    "verification_request",
    "reminder",
    "escalation",
    "meeting_notice",
    "password_reset",
    "notices",
    "weekly_summary",
);

/// How every HTML part begins (`{{> open}}`). `pre-line` keeps the line breaks of what
/// people wrote (a description's numbered points, a note's lines) as the text part does;
/// the templates are one line each, so their own markup adds none.
const OPEN: &str = r#"<!DOCTYPE html><html lang="{{lang}}"><body style="font-family: sans-serif; line-height: 1.6; white-space: pre-line">"#;

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where the reader stops this kind of mail (`List-Unsubscribe`), for mail a person
    /// chose to receive (the notices of issues they follow).
    pub unsubscribe: Option<String>,
}

pub struct Templates {
    plain: Handlebars<'static>,
    html: Handlebars<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Self {
        let mut plain = Handlebars::new();
        plain.set_strict_mode(true);
        plain.register_escape_fn(handlebars::no_escape);
        plain.register_helper("t", Box::new(TranslateHelper(strings())));
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_helper("t", Box::new(TranslateHelper(strings())));
        html.register_partial("open", OPEN).expect("the opening of every HTML part");
        for (name, subject, text, body) in EMBEDDED {
            plain.register_template_string(&format!("{name}/subject"), subject).expect("subject template");
            plain.register_template_string(&format!("{name}/text"), text).expect("text template");
            html.register_template_string(&format!("{name}/html"), body).expect("html template");
        }
        Templates { plain, html }
    }

    /// The template names.
    pub fn names() -> impl Iterator<Item = &'static str> {
        EMBEDDED.iter().map(|t| t.0)
    }

    /// Every template's text, (name, text), for checks that their strings exist.
    pub fn template_texts() -> impl Iterator<Item = (&'static str, &'static str)> {
        EMBEDDED.iter().flat_map(|(name, subject, text, html)| [(*name, *subject), (*name, *text), (*name, *html)])
    }

    /// Renders `name` in `locale` (the default language for an unknown one).
    pub fn render(&self, locale: &str, name: &str, context: &impl Serialize) -> Result<Email, String> {
        #[derive(Serialize)]
        struct InLanguage<'a, C: Serialize> {
            lang: &'a str,
            #[serde(flatten)]
            context: &'a C,
        }
        let lang = LOCALES.iter().copied().find(|l| *l == locale).unwrap_or(LOCALES[0]);
        let context = InLanguage { lang, context };
        let part = |hbs: &Handlebars<'static>, part: &str| {
            hbs.render(&format!("{name}/{part}"), &context).map_err(|e| e.to_string())
        };
        let subject = part(&self.plain, "subject")?.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Email { subject, text: part(&self.plain, "text")?, html: part(&self.html, "html")?, unsubscribe: None })
    }
}

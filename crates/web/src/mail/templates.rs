//! Email templates: `templates/email/<locale>/<name>/{subject,body.txt,body.html}.hbs`,
//! compiled into the binary, strict mode. The HTML part escapes everything; the text
//! part and the subject do not need to (they are not HTML), but lose line breaks in the
//! subject so nothing can be smuggled into a header.

use handlebars::Handlebars;
use serde::Serialize;

use crate::i18n::LOCALES;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(
            ("zh-CN", $name,
                include_str!(concat!("../../templates/email/zh-CN/", $name, "/subject.hbs")),
                include_str!(concat!("../../templates/email/zh-CN/", $name, "/body.txt.hbs")),
                include_str!(concat!("../../templates/email/zh-CN/", $name, "/body.html.hbs"))),
            ("en", $name,
                include_str!(concat!("../../templates/email/en/", $name, "/subject.hbs")),
                include_str!(concat!("../../templates/email/en/", $name, "/body.txt.hbs")),
                include_str!(concat!("../../templates/email/en/", $name, "/body.html.hbs"))),
        )*]
    };
}

/// (locale, name, subject, text, html)
const EMBEDDED: &[(&str, &str, &str, &str, &str)] =
    templates!("issue_assigned", "issue_update", "verification_request", "reminder", "escalation", "meeting_notice");

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
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
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        for (locale, name, subject, text, body) in EMBEDDED {
            plain.register_template_string(&format!("{locale}/{name}/subject"), subject).expect("subject template");
            plain.register_template_string(&format!("{locale}/{name}/text"), text).expect("text template");
            html.register_template_string(&format!("{locale}/{name}/html"), body).expect("html template");
        }
        Templates { plain, html }
    }

    /// The template names.
    pub fn names() -> impl Iterator<Item = &'static str> {
        EMBEDDED.iter().filter(|t| t.0 == "en").map(|t| t.1)
    }

    /// Renders `name` in `locale` (falling back to zh-CN for an unknown locale).
    pub fn render(&self, locale: &str, name: &str, context: &impl Serialize) -> Result<Email, String> {
        let locale = if LOCALES.contains(&locale) { locale } else { LOCALES[0] };
        let part = |hbs: &Handlebars<'static>, part: &str| {
            hbs.render(&format!("{locale}/{name}/{part}"), context).map_err(|e| e.to_string())
        };
        let subject = part(&self.plain, "subject")?.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Email { subject, text: part(&self.plain, "text")?, html: part(&self.html, "html")? })
    }
}

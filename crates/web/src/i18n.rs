//! The one translation source of pages, mail and documents: `locales/<locale>.toml`,
//! embedded, flattened to dotted keys (`[nav] home = "…"` is `nav.home`). A missing key falls back to English, then to the
//! key itself, so a page never fails over a string; a test keeps the files in step.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use handlebars::{Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason, ScopedJson};
use serde_json::Value;

/// The suffix of a string's singular, for a count `n` of 1 (CLDR's "one"): only in the
/// languages that have one, so the locale files differ by these keys alone.
pub const ONE: &str = "_one";

/// The languages the pages speak, the default first.
pub const LOCALES: [&str; 2] = ["zh-CN", "en"];

const SOURCES: [(&str, &str); 2] =
    [("zh-CN", include_str!("../locales/zh-CN.toml")), ("en", include_str!("../locales/en.toml"))];

static EMBEDDED: LazyLock<Locales> =
    LazyLock::new(|| Locales::embedded().expect("the embedded locale files parse (a test reads them)"));

/// The embedded strings, parsed once.
pub fn strings() -> &'static Locales {
    &EMBEDDED
}

pub struct Locales {
    strings: BTreeMap<&'static str, BTreeMap<String, String>>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

impl Locales {
    /// Parses the embedded files; a broken file is a build mistake caught by the tests.
    pub fn embedded() -> Result<Self, String> {
        let mut strings = BTreeMap::new();
        for (locale, text) in SOURCES {
            let table: toml::Table = text.parse().map_err(|e| format!("locales/{locale}.toml: {e}"))?;
            let mut flat = BTreeMap::new();
            flatten("", &table, &mut flat);
            strings.insert(locale, flat);
        }
        Ok(Locales { strings })
    }

    pub fn keys(&self, locale: &str) -> Vec<&str> {
        self.strings.get(locale).map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    pub fn lookup(&self, locale: &str, key: &str) -> Option<&str> {
        self.strings.get(locale).and_then(|m| m.get(key)).map(String::as_str)
    }

    /// `key` in `locale`, with `{name}` placeholders filled from `args`. Where the count
    /// `n` is 1 and the language has a singular for the key (`<key>_one`, English's
    /// "1 day overdue"), that one: Chinese has no such form and needs none.
    pub fn text(&self, locale: &str, key: &str, args: &[(&str, String)]) -> String {
        let one = args.iter().any(|(name, value)| *name == "n" && value == "1");
        let singular = if one { self.lookup(locale, &format!("{key}{ONE}")) } else { None };
        let template = singular.or_else(|| self.lookup(locale, key)).or_else(|| self.lookup("en", key)).unwrap_or(key);
        fill(template, args)
    }

    /// A step of an issue as a notice or a mail tells it, in the past ("assigned",
    /// "the responsible party committed"; `step.<key>`): a step without one (a newer
    /// workflow's transition) reads as its button's label, else as its name.
    pub fn step(&self, locale: &str, key: &str) -> String {
        let (told, label) = (format!("step.{key}"), format!("transition.{key}"));
        [told, label]
            .iter()
            .find_map(|k| self.lookup(locale, k).or_else(|| self.lookup("en", k)))
            .unwrap_or(key)
            .to_owned()
    }

    /// What a workflow's reminder (timer `timer`) says in the bell: its own words for a
    /// page (`reminder.<timer>`), else its mail's (`step.<timer>`), else that a reminder of
    /// that name fired (a newer workflow's timer).
    pub fn reminder(&self, locale: &str, timer: &str) -> String {
        [format!("reminder.{timer}"), format!("step.{timer}")]
            .iter()
            .find_map(|k| self.lookup(locale, k).or_else(|| self.lookup("en", k)))
            .map_or_else(|| self.text(locale, "notices.reminder_of", &[("timer", timer.to_owned())]), str::to_owned)
    }
}

/// The language for a request: an explicit choice (cookie), the user's preference, the
/// browser's Accept-Language, then the community's default.
pub fn negotiate(choice: Option<&str>, preference: Option<&str>, accept: Option<&str>, default: &str) -> &'static str {
    let known = |l: &str| LOCALES.iter().copied().find(|k| k.eq_ignore_ascii_case(l.trim()));
    if let Some(l) = choice.and_then(known).or_else(|| preference.and_then(known)) {
        return l;
    }
    if let Some(header) = accept {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let tag = bits.next()?.trim();
                let q =
                    bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (q, tag) in ranked {
            let primary = tag.split('-').next().unwrap_or(tag);
            let found = known(tag).or_else(|| match primary.to_ascii_lowercase().as_str() {
                "zh" => Some("zh-CN"),
                "en" => Some("en"),
                _ => None,
            });
            if let Some(l) = found.filter(|_| q > 0.0) {
                return l;
            }
        }
    }
    known(default).unwrap_or(LOCALES[0])
}

/// `template` with each `{name}` replaced by its value in one pass, so a value that itself
/// contains `{other}` (a title someone typed) stays as typed.
fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| (v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{{t "issue." state}}`: the positional parameters joined make the key, the hash fills
/// placeholders; the language is the page's (or document's) `lang`. The result is a value, so
/// handlebars escapes it and it works as a subexpression.
pub struct TranslateHelper(pub &'static Locales);

impl HelperDef for TranslateHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let key: String = h.params().iter().map(|p| value_text(p.value())).collect();
        if key.is_empty() {
            return Err(RenderErrorReason::ParamNotFoundForIndex("t", 0).into());
        }
        let lang = ctx.data().get("lang").and_then(Value::as_str).unwrap_or(LOCALES[0]);
        let args: Vec<(&str, String)> = h.hash().iter().map(|(k, v)| (*k, value_text(v.value()))).collect();
        Ok(ScopedJson::Derived(Value::String(self.0.text(lang, &key, &args))))
    }
}

/// A JSON value as a person reads it: strings bare, null empty.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn a_step_is_told_in_the_past_and_an_unknown_one_by_its_name() {
        let strings = super::strings();
        assert_eq!(strings.step("en", "assign"), "assigned");
        assert_eq!(strings.step("zh-CN", "verify"), "已验收");
        // A newer workflow's transition: its name, not an empty line.
        assert_eq!(strings.step("zh-CN", "escalate_to_street"), "escalate_to_street");
    }

    #[test]
    fn a_reminder_reads_as_a_page_would_say_it() {
        let strings = super::strings();
        // Its own words where the mail's point below the text, or the mail has a template.
        assert_eq!(strings.reminder("zh-CN", "verification_reminder"), "该问题已办结，等待您验收");
        assert_eq!(strings.reminder("en", "overdue"), "the commitment is overdue: not kept by its date");
        // Else the mail's words; a newer workflow's timer by its name, said to be one.
        assert_eq!(strings.reminder("zh-CN", "due_soon"), "整改承诺即将到期，请按期兑现");
        assert_eq!(strings.reminder("zh-CN", "ask_the_street"), "工作流程提醒（ask_the_street）");
    }

    #[test]
    fn a_count_of_one_reads_in_the_singular_where_the_language_has_it() {
        let strings = super::strings();
        let n = |v: &str| [("n", v.to_owned())];
        assert_eq!(strings.text("en", "board.overdue", &n("1")), "1 day overdue");
        assert_eq!(strings.text("en", "board.overdue", &n("2")), "2 days overdue");
        assert_eq!(strings.text("en", "board.overdue", &n("11")), "11 days overdue");
        assert_eq!(strings.text("en", "issues.due_in", &n("1")), "(1 day left)");
        assert_eq!(strings.text("en", "issues.due_in", &n("5")), "(5 days left)");
        // Chinese has no singular: its one form, not English's.
        assert_eq!(strings.text("zh-CN", "board.overdue", &n("1")), "已逾期 1 天");
    }

    #[test]
    fn placeholders_are_filled_once_and_typed_braces_stay() {
        let args = [("title", "{date} 漏水".to_owned()), ("date", "2026-12-20".to_owned())];
        assert_eq!(fill("“{title}” by {date}", &args), "“{date} 漏水” by 2026-12-20");
        assert_eq!(fill("{unknown} {", &args), "{unknown} {");
    }
}

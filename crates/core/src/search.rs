//! What the search index holds for an issue, and what a query asks of it — the same on
//! both databases.
//!
//! Chinese is written without spaces, so words cannot be told apart without a dictionary;
//! instead every ideographic character and every pair of neighbouring ones is a token
//! (a query "按钮 失灵" asks for the pairs 按钮 and 失灵, which "电梯按钮失灵" holds). Other
//! words (Latin letters, digits) are tokens of their own, matched by prefix while typing.
//! Tokens are written in ASCII (`c` + code points in hex, `w` + the word's bytes in hex),
//! so SQLite's FTS5 and PostgreSQL's text search both keep them whole whatever the
//! database's locale.

use std::collections::BTreeSet;
use std::fmt::Write;

/// One condition of a query; a document matches when it meets all of them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    /// The token itself.
    Exact(String),
    /// Any token starting with this.
    Prefix(String),
}

/// A query: every term must match (a search), or any (looking for similar issues).
/// Built only from text that holds something searchable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
    pub any: bool,
}

/// The most terms a query keeps (a pasted paragraph must not become a huge query).
pub const MAX_TERMS: usize = 32;

/// Ideographic (and other scripts written without spaces): CJK, kana, hangul.
fn ideographic(c: char) -> bool {
    c.is_alphanumeric() && c as u32 >= 0x2E80
}

/// Full-width ASCII (ａｂｃ１２３) as its half-width form, lower case.
fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

enum Run {
    Ideographs(Vec<char>),
    Word(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for c in text.chars().map(fold) {
        match (ideographic(c), c.is_alphanumeric(), out.last_mut()) {
            (true, _, Some(Run::Ideographs(r))) => r.push(c),
            (true, _, _) => out.push(Run::Ideographs(vec![c])),
            (false, true, Some(Run::Word(w))) => w.push(c),
            (false, true, _) => out.push(Run::Word(c.to_string())),
            // A separator ends the run: the next character starts a new one.
            (false, false, Some(Run::Word(w))) if !w.is_empty() => out.push(Run::Word(String::new())),
            (false, false, Some(Run::Ideographs(r))) if !r.is_empty() => out.push(Run::Word(String::new())),
            (false, false, _) => {}
        }
    }
    out.retain(|r| !matches!(r, Run::Word(w) if w.is_empty()));
    out
}

fn unigram(c: char) -> String {
    format!("c{:x}", c as u32)
}

fn bigram(a: char, b: char) -> String {
    format!("c{:x}x{:x}", a as u32, b as u32)
}

fn word(w: &str) -> String {
    w.bytes().fold(String::from("w"), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The index document of a title and a description: their tokens separated by spaces, as
/// often as they occur (the engines rank by frequency), the title's twice (a match in the
/// title counts for more).
pub fn document(title: &str, description: &str) -> String {
    let mut tokens = Vec::new();
    for part in [title, title, description] {
        for run in runs(part) {
            match run {
                Run::Ideographs(chars) => {
                    tokens.extend(chars.iter().map(|c| unigram(*c)));
                    tokens.extend(chars.windows(2).map(|p| bigram(p[0], p[1])));
                }
                Run::Word(w) => tokens.push(word(&w)),
            }
        }
    }
    tokens.join(" ")
}

/// What `text` asks for; `None` when it holds nothing searchable (only punctuation, say).
pub fn query(text: &str) -> Option<Query> {
    let mut terms = BTreeSet::new();
    for run in runs(text) {
        match run {
            Run::Ideographs(chars) if chars.len() == 1 => {
                terms.insert(Term::Exact(unigram(chars[0])));
            }
            Run::Ideographs(chars) => terms.extend(chars.windows(2).map(|p| Term::Exact(bigram(p[0], p[1])))),
            Run::Word(w) => {
                terms.insert(Term::Prefix(word(&w)));
            }
        }
    }
    let terms: Vec<Term> = terms.into_iter().take(MAX_TERMS).collect();
    (!terms.is_empty()).then_some(Query { terms, any: false })
}

/// What a new issue's title asks of issues like it: any of its terms, ranked by how many.
pub fn similar(title: &str) -> Option<Query> {
    query(title).map(|q| Query { any: true, ..q })
}

/// The share of `query`'s terms that `doc` holds (1.0: all of them).
pub fn share(doc: &str, query: &Query) -> f64 {
    let holds = |t: &&Term| matches(doc, &Query { terms: vec![(*t).clone()], any: false });
    query.terms.iter().filter(holds).count() as f64 / query.terms.len().max(1) as f64
}

impl Query {
    /// As an SQLite FTS5 query: `t1 AND t2*` (`OR` for any).
    pub fn fts5(&self) -> String {
        self.joined(if self.any { " OR " } else { " AND " }, "*")
    }

    /// As a PostgreSQL `tsquery`: `t1 & t2:*` (`|` for any).
    pub fn tsquery(&self) -> String {
        self.joined(if self.any { " | " } else { " & " }, ":*")
    }

    fn joined(&self, and: &str, prefix: &str) -> String {
        self.terms
            .iter()
            .map(|t| match t {
                Term::Exact(s) => s.clone(),
                Term::Prefix(s) => format!("{s}{prefix}"),
            })
            .collect::<Vec<_>>()
            .join(and)
    }
}

/// Whether `doc` (from [`document`]) matches `query` — the databases' rule, for tests and
/// for checking a result in memory.
pub fn matches(doc: &str, query: &Query) -> bool {
    let tokens: Vec<&str> = doc.split(' ').collect();
    let holds = |t: &Term| match t {
        Term::Exact(s) => tokens.contains(&s.as_str()),
        Term::Prefix(s) => tokens.iter().any(|tok| tok.starts_with(s.as_str())),
    };
    if query.any { query.terms.iter().any(holds) } else { query.terms.iter().all(holds) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(doc_text: &str, q: &str) -> bool {
        matches(&document(doc_text, ""), &query(q).expect("searchable"))
    }

    #[test]
    fn chinese_is_found_by_its_pairs_of_characters_and_words_by_prefix() {
        assert!(finds("电梯按钮失灵", "按钮 失灵"));
        assert!(finds("电梯按钮失灵", "按钮失灵"));
        assert!(finds("电梯按钮失灵", "灵"));
        assert!(!finds("电梯按钮失灵", "按钮 漏水"));
        assert!(!finds("电梯失灵", "电灵"), "pairs, not scattered characters");
        assert!(finds("Lift button broken", "BUT"));
        assert!(finds("３号楼 Lift", "3号楼"), "full-width folds to half-width");
        assert!(!finds("Lift", "ift"), "a word matches from its start");
        assert_eq!(query("  ！？ ,, "), None);
        assert_eq!(document("电梯", "梯").split(' ').count(), 2 * 3 + 1, "电 梯 电梯, twice, and 梯");
        assert!(document("a'; DROP TABLE--", "").chars().all(|c| c.is_ascii_alphanumeric() || c == ' '));
        let long = "一二三四五六七八九十".repeat(10);
        assert_eq!(query(&long).unwrap().terms.len(), 10, "distinct pairs only");
    }

    #[test]
    fn the_database_forms_are_and_with_prefixes() {
        let q = query("按钮 lif").unwrap();
        assert_eq!(q.fts5(), "c6309x94ae AND w6c6966*");
        assert_eq!(q.tsquery(), "c6309x94ae & w6c6966:*");
        let like = similar("按钮 lif").unwrap();
        assert_eq!((like.fts5(), like.tsquery()), ("c6309x94ae OR w6c6966*".into(), "c6309x94ae | w6c6966:*".into()));
    }

    #[test]
    fn similar_titles_share_most_of_their_pairs() {
        let q = similar("电梯又困人了").unwrap();
        assert!(share(&document("电梯困人", ""), &q) >= 0.4);
        assert!(share(&document("垃圾清运不及时", ""), &q) < 0.1);
        assert_eq!(share(&document("电梯又困人了", ""), &q), 1.0);
    }
}

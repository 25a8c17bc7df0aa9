//! The one rule for text that people type, the same on every backend: no control
//! characters but line breaks and tabs (PostgreSQL cannot store NUL, and the others
//! only hide text, break layouts or, the bidirectional ones, turn a line around), and nothing that is blank to the eye — white space
//! and invisible format characters (zero-width spaces, joiners, the BOM) alone are empty.
//! Dates people give lie within [`EARLIEST_DATE`]..=[`LATEST_DATE`].

use chrono::NaiveDate;

/// The first control character in `s` other than `\n`, `\r` and `\t` — the bidirectional
/// embeddings, overrides and isolates included: one in a title turns the rest of its line
/// around wherever it is shown (a list's meta, a mail's subject, a robot's message), so
/// "gnp.exe" reads as "exe.png" (Trojan Source). The marks LRM and RLM change no order
/// beyond themselves and stay allowed.
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(*c))
}

/// LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no room on screen: zero-width space, non-joiner and joiner, word
/// joiner and the invisible operators, the BOM, the soft hyphen, the Mongolian vowel
/// separator, the combining grapheme joiner and the Hangul fillers.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
    )
}

/// `s` without white space or invisible characters at either end; `""` when nothing
/// visible is left.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// A one-line text (a title, a name) as it is kept: [`trim`]med, and each run of white
/// space that holds a line break or a tab made one space. A title pasted from a WeChat
/// message often carries a line break; kept, it would split a mail's subject, a calendar
/// entry's summary or a spreadsheet's cell over lines, and show on one line in the pages
/// only because HTML folds it — so what is kept is what is shown.
pub fn one_line(s: &str) -> String {
    // The white space beside a break goes with it: `a \n b` is `a b`, not `a   b`.
    let lines = trim(s).split(['\n', '\r', '\t']).map(str::trim).filter(|l| !l.is_empty());
    lines.collect::<Vec<_>>().join(" ")
}

/// A phone number as it is kept and compared: its digits, with a leading `+` kept and a
/// mainland `+86`/`0086` dropped (so `138 0013 8000`, `138-0013-8000` and `+86 13800138000`
/// are one number). `None` unless 5 to 20 digits remain, with nothing else than spaces,
/// dashes, dots and brackets between them.
pub fn phone(s: &str) -> Option<String> {
    let s = trim(s);
    let (plus, rest) = match s.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let digits = match (plus, digits.strip_prefix("86"), digits.strip_prefix("0086")) {
        (true, Some(local), _) => local.to_owned(),
        (false, _, Some(local)) => local.to_owned(),
        (true, None, _) => format!("+{digits}"),
        _ => digits,
    };
    let n = digits.trim_start_matches('+').len();
    (5..=20).contains(&n).then_some(digits)
}

/// Whether `s` can stand for a mail address where one is typed (an organisation's, an
/// account's): an `@`, no white space or control characters, at most 200 bytes. The relay
/// has the last word; this keeps out what is plainly something else.
pub fn is_mail_address(s: &str) -> bool {
    s.contains('@') && !s.contains(char::is_whitespace) && s.len() <= 200 && forbidden_char(s).is_none()
}

/// Whether nothing visible is in `s`.
pub fn is_blank(s: &str) -> bool {
    trim(s).is_empty()
}

/// The earliest date anyone may give (a due date, a meeting day).
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
/// The latest date anyone may give.
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("a date");

pub fn date_in_range(d: NaiveDate) -> bool {
    (EARLIEST_DATE..=LATEST_DATE).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_turn_its_line_around_is_refused() {
        for bad in ["\u{202E}gnp.exe", "a\u{2066}b", "x\u{202A}", "\u{2069}"] {
            assert!(forbidden_char(bad).is_some(), "{bad:?}");
        }
        // Line breaks, tabs, the bidi marks and every script stay.
        for ok in ["第一行\n第二行\tA", "\u{200F}שלום\u{200E}", "مرحبا", "水压不足"] {
            assert_eq!(forbidden_char(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn a_mail_address_is_told_from_other_text() {
        for ok in ["service@anshang.example", "王@例子.中国"] {
            assert!(is_mail_address(ok), "{ok}");
        }
        let long = format!("{}@x.example", "a".repeat(200));
        for bad in ["前台", "a @b.c", "a@b.c\u{7}", "a@b\tc", long.as_str(), ""] {
            assert!(!is_mail_address(bad), "{bad:?}");
        }
    }

    #[test]
    fn phone_numbers_are_compared_by_their_digits() {
        for same in ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000"] {
            assert_eq!(phone(same).as_deref(), Some("13800138000"), "{same}");
        }
        assert_eq!(phone("+44 20 7946 0958").as_deref(), Some("+442079460958"));
        for bad in ["", "1234", "138-0013-800a", "１３８００１３８０００", "++86138", "1".repeat(21).as_str()]
        {
            assert_eq!(phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn control_characters_but_line_breaks_and_tabs_are_forbidden() {
        assert_eq!(forbidden_char("漏水\r\n\t第二行"), None);
        assert_eq!(forbidden_char("a\0b"), Some('\0'));
        assert_eq!(forbidden_char("a\u{1b}[31m"), Some('\u{1b}'));
        assert_eq!(forbidden_char("a\u{7f}"), Some('\u{7f}'));
        assert_eq!(forbidden_char("a\u{85}"), Some('\u{85}'));
    }

    #[test]
    fn zero_width_text_is_blank() {
        assert!(is_blank("\u{200B}\u{200B}\u{FEFF} \u{3000}\u{2060}"));
        assert!(is_blank(""));
        assert!(!is_blank("\u{200B}路灯\u{200B}"));
        assert_eq!(trim("\u{200B} 路灯不亮 \u{FEFF}"), "路灯不亮");
        // A joiner inside an emoji sequence stays.
        assert_eq!(trim("👩\u{200D}🔧"), "👩\u{200D}🔧");
    }

    #[test]
    fn a_one_line_text_keeps_its_spaces_and_loses_its_line_breaks() {
        assert_eq!(one_line(" 3号楼\r\n  电梯\t停运 \n"), "3号楼 电梯 停运");
        assert_eq!(one_line("Building 3  lift\u{3000}down"), "Building 3  lift\u{3000}down");
        assert_eq!(one_line("\u{200B}\n\n"), "");
    }

    #[test]
    fn dates_are_this_century_or_next() {
        assert!(date_in_range(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()));
        assert!(!date_in_range(NaiveDate::from_ymd_opt(50, 12, 6).unwrap()));
        assert!(!date_in_range(NaiveDate::from_ymd_opt(7673, 1, 1).unwrap()));
    }
}

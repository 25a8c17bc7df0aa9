//! Notices through channels besides mail: a WeCom group robot, a DingTalk custom robot
//! (signed with its secret) and a generic webhook signed with HMAC-SHA256.
//!
//! A robot message is short Markdown in the reader's language: what happened, the issue's
//! title and compound, the company, the promise, and a link — never who raised it, their
//! contact data or a one-click verification link (a group is not the raiser).

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use roundtable_core::{ChannelKind, MeetingNotice};
use roundtable_store::channels::Channel;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::config::MailConfig;

/// What a channel is sent: the Markdown for robots, the JSON for webhooks.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// DingTalk shows it in the chat list.
    pub title: String,
    pub markdown: String,
    /// The webhook's body (with `text` = the Markdown).
    pub body: Value,
}

/// How a channel answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Delivered,
    /// Rate-limited: try again in a minute, without counting an attempt.
    Busy,
    /// Not delivered; the reason never holds the channel's URL or secret.
    Failed(String),
}

/// WeCom's "api freq out of limit" and DingTalk's "send too fast" answers.
const BUSY_CODES: [i64; 2] = [45009, 130101];

/// Text that someone typed, made inert in any robot's Markdown: markup characters become
/// their full-width forms (the robots' Markdown dialects do not all honour backslash
/// escapes, and full-width forms read naturally in Chinese text), line breaks and control
/// characters become spaces, and it is cut to `max` characters.
pub fn inert(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.split_whitespace().collect::<Vec<_>>().join(" ").chars().filter(|c| !c.is_control()).take(max) {
        out.push(match c {
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '*' => '＊',
            '_' => '＿',
            '`' => '｀',
            '#' => '＃',
            '<' => '＜',
            '>' => '＞',
            '|' => '｜',
            '~' => '～',
            '\\' => '＼',
            '!' => '！',
            '@' => '＠',
            c => c,
        });
    }
    out
}

fn say(locale: &str, key: &str, args: &[(&str, String)]) -> String {
    crate::i18n::strings().text(locale, key, args)
}

/// The message for a composed notice (`context` as the mail templates get it).
pub fn message(locale: &str, notice: &str, context: &Value) -> Message {
    let s = |v: &Value| inert_str(v, 200);
    let community = s(&context["community"]);
    let (title, mut lines, url) = if let Some(meeting) = context.get("meeting").filter(|m| m.is_object()) {
        let what = s(&context["what"]);
        let when = format!("{} {} · {}", s(&meeting["date"]), s(&meeting["time"]), s(&meeting["place"]));
        let mut lines = vec![when];
        if let Some(day) = context["last_day"].as_str() {
            lines.push(say(locale, "mail.meeting_notice.review", &[("date", inert(day, 20))]));
        }
        if let Some(n) = context["unanswered"].as_u64().filter(|n| *n > 0) {
            lines.push(say(locale, "mail.meeting_notice.minutes_due_unanswered", &[("n", n.to_string())]));
        }
        // A correction's answer; its words and the reply are behind the link.
        if let Some(answer) = context["correction"]["answer_text"].as_str() {
            lines.push(say(locale, "mail.meeting_notice.correction_answer", &[("answer", inert(answer, 20))]));
        }
        lines.extend(own_items(locale, notice.parse().ok(), context));
        (what, lines, s(&meeting["url"]))
    } else if let Some(summary) = context.get("summary").filter(|m| m.is_object()) {
        // The counts only: the titles are behind the link.
        let title = say(locale, "robot.weekly_summary", &[("org", s(&context["org"]))]);
        let count = |k: &str| (summary[k].as_u64().unwrap_or(0)).to_string();
        let keys = ["overdue", "due_this_week", "to_commit", "resolved"];
        let counts = say(locale, "robot.weekly_counts", &keys.map(|k| (k, count(k))));
        (title, vec![counts], s(&context["url"]))
    } else {
        let issue = &context["issue"];
        let mut lines = vec![format!("{} · {}", s(&issue["compound"]), s(&context["org"]))];
        if let (Some(text), Some(due)) = (issue["commitment"].as_str(), issue["due_date"].as_str()) {
            lines.push(say(locale, "robot.promise", &[("text", inert(text, 200)), ("due", inert(due, 20))]));
        }
        lines.insert(0, format!("**{}**", s(&issue["title"])));
        (s(&context["step"]), lines, s(&issue["url"]))
    };
    let heading = format!("### {title} · {community}");
    if !url.is_empty() {
        lines.push(format!("[{}]({url})", say(locale, "robot.open", &[])));
    }
    let markdown = std::iter::once(heading).chain(lines).collect::<Vec<_>>().join("\n\n");
    let mut body = json!({ "notice": notice, "community": context["community"], "step": title, "text": markdown });
    for part in ["issue", "meeting", "summary"] {
        if let Some(v) = context.get(part).filter(|v| v.is_object()) {
            let mut v = v.clone();
            // The description may name people; integrators follow the link for it.
            if let Some(o) = v.as_object_mut() {
                o.remove("description");
            }
            body[part] = v;
        }
    }
    // A meeting's agenda (each item marked when the organisation's) or what it decided on
    // the organisation's items, for integrators to file.
    for part in ["items", "decided"] {
        if let Some(v) = context.get(part).filter(|v| v.as_array().is_some_and(|a| !a.is_empty())) {
            body[part] = v.clone();
        }
    }
    Message { title: format!("{title} · {community}"), markdown, body }
}

/// How much of a message its organisation's items may take: WeCom takes 4,096 bytes of
/// Markdown, and the heading, the time and the link need the rest.
const ITEMS_BUDGET: usize = 3_000;

/// A hard line break (two spaces): DingTalk's Markdown joins lines split by one newline.
const BREAK: &str = "  \n";

/// What a company's group is told of its own items (the context's, composed for the
/// organisation the notice names): the agenda's, so the staff prepare them — or that none
/// is theirs —; the minutes' (or their draft's) outcome and promise for each, what the
/// company is held to until the next meeting. Titles and the meeting's words only; past
/// the budget, how many more are behind the link.
fn own_items(locale: &str, notice: Option<MeetingNotice>, context: &Value) -> Vec<String> {
    let list = |key: &str| context[key].as_array().cloned().unwrap_or_default();
    let (head, rows): (String, Vec<String>) = match notice {
        Some(MeetingNotice::MinutesPublished | MeetingNotice::MinutesForReview) => {
            let decided = list("decided");
            if decided.is_empty() {
                return Vec::new();
            }
            let rows = decided
                .iter()
                .map(|d| {
                    let (title, outcome) = (inert_str(&d["title"], 60), inert_str(&d["outcome"], 60));
                    let mut row = format!("· **{title}**{}{outcome}", say(locale, "mail.colon", &[]));
                    if let (Some(text), Some(due)) = (d["promise"]["text"].as_str(), d["promise"]["due_date"].as_str())
                    {
                        let promise =
                            say(locale, "robot.promise", &[("text", inert(text, 80)), ("due", inert(due, 20))]);
                        row.push_str(&format!(" · {promise}"));
                    }
                    if let Some(note) = d["note"].as_str().filter(|n| !roundtable_core::text::is_blank(n)) {
                        row.push_str(&format!(" · {}", inert(note, 60)));
                    }
                    row
                })
                .collect();
            let key =
                if notice == Some(MeetingNotice::MinutesForReview) { "robot.decided_draft" } else { "robot.decided" };
            (say(locale, key, &[("n", decided.len().to_string())]), rows)
        }
        Some(MeetingNotice::AgendaPublished) => {
            let items = list("items");
            let mine: Vec<String> = items
                .iter()
                .filter(|i| i["mine"] == true)
                .map(|i| format!("· {}", inert_str(&i["title"], 60)))
                .collect();
            match (items.is_empty(), mine.is_empty()) {
                // A notice to no organisation in particular (queued before they were each told).
                (true, _) => return Vec::new(),
                (false, true) => return vec![say(locale, "robot.agenda_none", &[])],
                (false, false) => (say(locale, "robot.agenda_yours", &[("n", mine.len().to_string())]), mine),
            }
        }
        _ => return Vec::new(),
    };
    let mut shown = Vec::new();
    let mut used = 0;
    for row in &rows {
        if used + row.len() > ITEMS_BUDGET {
            break;
        }
        used += row.len() + BREAK.len();
        shown.push(row.as_str());
    }
    let mut block = std::iter::once(head.as_str()).chain(shown.iter().copied()).collect::<Vec<_>>().join(BREAK);
    if shown.len() < rows.len() {
        block.push_str(BREAK);
        block.push_str(&say(locale, "robot.more", &[("n", (rows.len() - shown.len()).to_string())]));
    }
    vec![block]
}

fn inert_str(v: &Value, max: usize) -> String {
    v.as_str().map(|t| inert(t, max)).unwrap_or_default()
}

/// The sample the test button sends.
pub fn sample(locale: &str, community: &str, base_url: &str) -> Message {
    let text = say(locale, "robot.test", &[]);
    let markdown = format!(
        "### {} · {}\n\n{text}\n\n[{}]({base_url})",
        say(locale, "robot.test_title", &[]),
        inert(community, 100),
        say(locale, "robot.open", &[])
    );
    Message {
        title: say(locale, "robot.test_title", &[]),
        body: json!({ "notice": "test", "community": community, "text": markdown }),
        markdown,
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The webhook's signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
/// Receivers recompute it and refuse a timestamp more than five minutes off (a replay).
pub fn webhook_signature(secret: &str, at: DateTime<Utc>, body: &str) -> String {
    let t = at.timestamp();
    format!("t={t},v1={}", hex::encode(hmac(secret.as_bytes(), format!("{t}.{body}").as_bytes())))
}

/// DingTalk's signature: base64 of HMAC-SHA256 over "timestamp\nsecret", keyed by the
/// secret, URL-encoded, with the timestamp in milliseconds.
pub fn dingtalk_query(secret: &str, at: DateTime<Utc>) -> String {
    use base64::Engine;
    let t = at.timestamp_millis();
    let sign =
        base64::engine::general_purpose::STANDARD.encode(hmac(secret.as_bytes(), format!("{t}\n{secret}").as_bytes()));
    let sign = percent_encoding::utf8_percent_encode(&sign, percent_encoding::NON_ALPHANUMERIC);
    format!("timestamp={t}&sign={sign}")
}

/// What went wrong, with its causes ("connection refused", "timed out") but never the
/// URL: a robot's holds its key.
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Sends `message` to `channel`; `delivery` names the outbox row (webhooks get it, so a
/// receiver can drop a repeat).
pub async fn send(
    channel: &Channel,
    message: &Message,
    delivery: &str,
    cfg: &MailConfig,
    now: DateTime<Utc>,
) -> Answer {
    let (url, body, signature) = match channel.kind {
        ChannelKind::WeCom => {
            let body = json!({ "msgtype": "markdown", "markdown": { "content": message.markdown } });
            (channel.url.clone(), body.to_string(), None)
        }
        ChannelKind::DingTalk => {
            let body =
                json!({ "msgtype": "markdown", "markdown": { "title": message.title, "text": message.markdown } });
            let url = match &channel.secret {
                Some(secret) => {
                    let glue = if channel.url.contains('?') { '&' } else { '?' };
                    format!("{}{glue}{}", channel.url, dingtalk_query(secret, now))
                }
                None => channel.url.clone(),
            };
            (url, body.to_string(), None)
        }
        ChannelKind::Webhook => {
            let mut body = message.body.clone();
            body["delivery"] = json!(delivery);
            body["sent_at"] = json!(now);
            let body = body.to_string();
            let signature = channel.secret.as_deref().map(|s| webhook_signature(s, now, &body));
            (channel.url.clone(), body, signature)
        }
    };
    // Checked at each call, not only when the channel was added: the deployment's list
    // of intranet hosts may have changed since, and a name may resolve elsewhere now.
    if reqwest::Url::parse(&url).is_ok_and(|u| super::outbound::refused_literal(&u, &cfg.channel_hosts)) {
        return Answer::Failed(super::outbound::REFUSED.into());
    }
    let mut request = super::outbound::client(&cfg.channel_hosts)
        .post(&url)
        .timeout(Duration::from_secs(cfg.channel_timeout_seconds.max(1)))
        .header("content-type", "application/json; charset=utf-8")
        .body(body);
    if channel.kind == ChannelKind::Webhook {
        request = request.header("x-roundtable-delivery", delivery);
        if let Some(signature) = signature {
            request = request.header("x-roundtable-signature", signature);
        }
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Answer::Failed(describe(e)),
    };
    let status = response.status();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Answer::Busy;
    }
    if !status.is_success() {
        return Answer::Failed(format!("HTTP {}", status.as_u16()));
    }
    if channel.kind == ChannelKind::Webhook {
        return Answer::Delivered;
    }
    // The robots answer 200 with an error code in the body.
    let text = response.text().await.unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match answer.get("errcode").and_then(Value::as_i64) {
        Some(0) => Answer::Delivered,
        Some(code) if BUSY_CODES.contains(&code) => Answer::Busy,
        Some(code) => {
            let why: String = answer["errmsg"].as_str().unwrap_or("").chars().take(200).collect();
            Answer::Failed(format!("errcode {code}: {why}"))
        }
        None => Answer::Failed("the robot's answer has no errcode".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_notice_says_until_when_and_links_the_draft() {
        let context = serde_json::json!({
            "community": "东圣社区",
            "what": "会议纪要草稿征求意见",
            "last_day": "2026-12-09",
            "meeting": {"date": "2026-12-06", "time": "09:00", "place": "会议室", "url": "http://127.0.0.1:8080/meetings/m/minutes"},
        });
        let m = message("zh-CN", "minutes_for_review", &context);
        assert!(m.markdown.contains("请在 2026-12-09（含）前审阅会议纪要草稿"), "{}", m.markdown);
        assert!(m.markdown.contains("(http://127.0.0.1:8080/meetings/m/minutes)"), "{}", m.markdown);
        let other = message("zh-CN", "minutes_published", &serde_json::json!({"meeting": context["meeting"]}));
        assert!(!other.markdown.contains("审阅"), "only the review's notice says so: {}", other.markdown);
    }

    #[test]
    fn the_minutes_due_notice_counts_the_corrections_still_to_answer() {
        let meeting = serde_json::json!({"date": "2026-12-06", "time": "09:00", "place": "会议室", "url": "u"});
        let due = |n: u64| {
            let context = serde_json::json!({"what": "纪要尚未发布", "unanswered": n, "meeting": meeting});
            message("zh-CN", "minutes_due", &context).markdown
        };
        assert!(due(2).contains("还有 2 条更正意见待答复"), "{}", due(2));
        assert!(!due(0).contains("更正意见"), "{}", due(0));
    }

    #[test]
    fn an_answered_correction_says_the_answer_and_keeps_the_words_behind_the_link() {
        let meeting = serde_json::json!({"date": "2026-12-06", "time": "09:00", "place": "会议室", "url": "u"});
        let correction =
            serde_json::json!({"text": "我方期限 **12-20**", "answer_text": "未采纳", "reply": "[录音](http://x)"});
        let context = serde_json::json!({"what": "纪要更正意见已答复", "correction": correction, "meeting": meeting});
        let m = message("zh-CN", "minutes_correction_answered", &context).markdown;
        assert!(m.contains("书记答复：未采纳"), "{m}");
        assert!(!m.contains("12-20") && !m.contains("录音"), "{m}");
    }

    fn meeting() -> Value {
        serde_json::json!({"date": "2027-01-03", "time": "09:00", "place": "会议室", "url": "http://127.0.0.1:8080/meetings/m"})
    }

    #[test]
    fn a_companys_group_is_told_which_agenda_items_are_its_own() {
        let items = serde_json::json!([
            {"title": "雨水井堵塞", "mine": true},
            {"title": "<b>路灯不亮</b>", "mine": false},
            {"title": "[点我](http://evil.example)", "mine": true},
        ]);
        let context = serde_json::json!({"what": "议程已发布", "items": items, "meeting": meeting()});
        let m = message("zh-CN", "agenda_published", &context);
        assert!(
            m.markdown.contains(
                "本次议程中贵单位的议题（2 项），请准备到会说明：  \n· 雨水井堵塞  \n· ［点我］（http://evil.example）"
            ),
            "{}",
            m.markdown
        );
        assert!(!m.markdown.contains("路灯"), "another party's item is not listed: {}", m.markdown);
        assert_eq!(m.body["items"], items, "the webhook gets the agenda, each item marked");
        let en = message("en", "agenda_published", &context).markdown;
        assert!(en.contains("Your items on this agenda (2)"), "{en}");
        let others = serde_json::json!([{"title": "路灯不亮", "mine": false}]);
        let none = message("zh-CN", "agenda_published", &serde_json::json!({"items": others, "meeting": meeting()}));
        assert!(
            none.markdown.contains("本次议程没有贵单位的议题。") && !none.markdown.contains("路灯"),
            "{}",
            none.markdown
        );
        // Told to no organisation in particular: the agenda is behind the link.
        let plain = message("zh-CN", "agenda_published", &serde_json::json!({"meeting": meeting()}));
        assert!(!plain.markdown.contains("贵单位"), "{}", plain.markdown);
    }

    #[test]
    fn a_companys_group_is_told_what_the_minutes_hold_it_to() {
        let decided = serde_json::json!([
            {"title": "雨水井堵塞", "outcome": "现场承诺", "note": null,
             "promise": {"text": "疏通雨水井 **并加装格栅**", "due_date": "2027-01-10"}},
            {"title": "道闸故障", "outcome": "形成决定", "note": "请责任单位按要求办理", "promise": null},
        ]);
        let context = serde_json::json!({"what": "会议纪要已发布", "decided": decided, "meeting": meeting()});
        assert_eq!(message("zh-CN", "minutes_published", &context).body["decided"], decided, "the webhook's");
        let m = message("zh-CN", "minutes_published", &context).markdown;
        assert!(m.contains("贵单位的议题及会议结果（2 项），下次会议据此检查："), "{m}");
        assert!(m.contains("· **雨水井堵塞**：现场承诺 · 承诺：疏通雨水井 ＊＊并加装格栅＊＊（2027-01-10 前）"), "{m}");
        assert!(m.contains("· **道闸故障**：形成决定 · 请责任单位按要求办理"), "{m}");
        let draft = message("zh-CN", "minutes_for_review", &context).markdown;
        assert!(draft.contains("纪要草稿中贵单位的议题及会议结果（2 项）"), "{draft}");
        let en = message("en", "minutes_published", &context).markdown;
        assert!(en.contains("· **雨水井堵塞**: 现场承诺"), "{en}");
    }

    #[test]
    fn a_long_list_stays_within_what_a_robot_takes() {
        let title = "一".repeat(100);
        let items: Vec<Value> = (0..60).map(|_| serde_json::json!({"title": title, "mine": true})).collect();
        let context = serde_json::json!({"what": "议程已发布", "items": items, "meeting": meeting()});
        let m = message("zh-CN", "agenda_published", &context).markdown;
        assert!(m.len() <= 4096, "WeCom takes 4,096 bytes: {}", m.len());
        let shown = m.lines().filter(|l| l.starts_with("· ")).count();
        assert!(shown > 5 && shown < 60, "{shown}");
        assert!(m.contains(&format!("……另有 {} 项，见详情。", 60 - shown)), "{m}");
        assert!(m.ends_with("(http://127.0.0.1:8080/meetings/m)"), "the link is kept: {m}");
    }

    #[test]
    fn typed_text_cannot_make_markup_or_links() {
        let t = inert("[点我](http://evil.example) **粗** <font color=\"red\">x</font>\n### 标题 @all", 200);
        assert!(!t.contains('[') && !t.contains('(') && !t.contains('*') && !t.contains('<') && !t.contains('\n'));
        assert!(!t.contains('#') && !t.contains('@'), "{t}");
        assert_eq!(inert("一二三四五", 3), "一二三");
    }

    #[test]
    fn the_signatures_follow_the_documented_recipes() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let body = r#"{"a":1}"#;
        let expected = hex::encode(hmac(b"s3cret", b"1700000000.{\"a\":1}"));
        assert_eq!(webhook_signature("s3cret", at, body), format!("t=1700000000,v1={expected}"));
        let q = dingtalk_query("SECabc", at);
        assert!(q.starts_with("timestamp=1700000000000&sign="), "{q}");
        let sign = q.split_once("&sign=").unwrap().1;
        assert!(!sign.contains(['+', '/', '=']), "base64 is URL-encoded: {sign}");
    }
}

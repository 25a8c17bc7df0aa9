//! Minutes rendering: snapshots of both outputs from a fixed record, with a hostile title.

use roundtable_web::minutes::{
    Addendum, Attendance, CommitmentLine, Item, MinutesDoc, Renderer, ScoreLine,
};

fn doc() -> MinutesDoc {
    let item = |number, title: &str, section: &str, outcome: &str, note: Option<&str>| Item {
        number,
        title: title.into(),
        section: section.into(),
        outcome: outcome.into(),
        note: note.map(Into::into),
        in_appendix: false,
    };
    MinutesDoc {
        community: "东圣社区".into(),
        date: "2026-12-06".into(),
        time: "09:00".into(),
        place: "东圣社区党群服务中心".into(),
        status_label: "已发布".into(),
        revision: Some(2),
        attendance: vec![
            Attendance {
                org: "安尚物业".into(),
                attendees: "李明".into(),
            },
            Attendance {
                org: "业主监督委员会".into(),
                attendees: "张秀兰、刘女士".into(),
            },
        ],
        items: vec![
            item(
                1,
                "传达城区物业管理新规",
                "传达精神",
                "未讨论，转下次会议",
                None,
            ),
            item(
                2,
                "<script>alert(1)</script>",
                "新问题",
                "现场承诺",
                Some("两周内 | 完成"),
            ),
            item(
                3,
                "小区路灯不亮",
                "新问题",
                "推迟至下次会议",
                Some("等供电公司答复"),
            ),
        ],
        commitments: vec![CommitmentLine {
            org: "安尚物业".into(),
            issue: "<script>alert(1)</script>".into(),
            text: "更换 *电梯* 主板".into(),
            due_date: "2026-12-20".into(),
        }],
        scorecard: vec![ScoreLine {
            rank: "1".into(),
            org: "安尚物业".into(),
            received: 3,
            committed_in_time: 2,
            resolved: 2,
            resolved_on_time: 2,
            verified: 2,
            verified_first_time: 1,
            satisfaction: "4.0".into(),
            overdue: 1,
        }],
        remarks: Some("下次会议请供电公司列席。".into()),
        addenda: vec![Addendum {
            date: "2026-12-08".into(),
            text: "更正：承诺期限为 12 月 20 日。".into(),
        }],
    }
}

#[test]
fn html_minutes_escape_and_match_the_snapshot() {
    let html = Renderer::new().html(&doc()).unwrap();
    assert!(!html.contains("<script>alert"), "escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("@media print"), "prints cleanly");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    insta::assert_snapshot!("minutes_html", html);
}

#[test]
fn markdown_minutes_escape_and_match_the_snapshot() {
    let md = Renderer::new().markdown(&doc()).unwrap();
    assert!(!md.contains("<script>"), "escaped");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        md.contains("两周内 \\| 完成"),
        "a pipe cannot break the table"
    );
    assert!(md.contains("更换 \\*电梯\\* 主板"));
    insta::assert_snapshot!("minutes_md", md);
}

//! The working-day calendar: holidays off, make-up Saturdays and Sundays on, and what a
//! deployment may write.

use chrono::NaiveDate;
use roundtable_core::WorkCalendar;
use roundtable_core::workdays::DayKind;

use crate::fixture::{date, shipped_calendar};

fn read(holidays: &[&str], workdays: &[&str]) -> Result<WorkCalendar, String> {
    let mut t = toml::Table::new();
    t.insert("holidays".into(), holidays.iter().map(|s| toml::Value::from(*s)).collect::<Vec<_>>().into());
    t.insert("workdays".into(), workdays.iter().map(|s| toml::Value::from(*s)).collect::<Vec<_>>().into());
    toml::Value::Table(t).try_into().map_err(|e: toml::de::Error| e.message().to_owned())
}

#[test]
fn the_shipped_calendar_knows_2026s_holidays_and_make_up_days() {
    let c = shipped_calendar();
    let working = |m, d| c.is_working_day(date(2026, m, d));
    assert!(!working(10, 1) && !working(10, 7), "National Day");
    assert!(working(10, 8) && working(10, 10), "after it, and the Saturday worked");
    assert!(working(9, 20), "the Sunday worked before it");
    assert!(!working(10, 11), "an ordinary Sunday");
    assert!(!working(2, 17) && working(2, 14) && working(2, 28), "the Spring Festival and its two Saturdays");
    assert!(working(1, 4) && !working(1, 1), "New Year's Day, and the Sunday after it worked");
    assert!(working(12, 7), "an ordinary Monday");
    assert_eq!(c.years(), [2026]);
    // Four of 2026's first Sundays, the joint meeting's days, are not ordinary Sundays.
    let kinds: Vec<DayKind> = [(1, 4), (4, 5), (5, 3), (10, 4), (11, 1)].map(|(m, d)| c.kind(date(2026, m, d))).into();
    assert_eq!(kinds, [DayKind::MakeUpWorkday, DayKind::Holiday, DayKind::Holiday, DayKind::Holiday, DayKind::Weekend]);
}

#[test]
fn working_days_skip_holidays_and_count_the_days_worked_in_their_place() {
    let c = shipped_calendar();
    let after = |d: NaiveDate, n| c.add_working_days(d, n).unwrap();
    assert_eq!(after(date(2026, 12, 4), 1), date(2026, 12, 7), "Friday + 1 is Monday");
    assert_eq!(after(date(2026, 12, 5), 0), date(2026, 12, 5), "zero is the day itself");
    assert_eq!(after(date(2026, 9, 30), 3), date(2026, 10, 10));
    assert_eq!(after(date(2026, 10, 8), -1), date(2026, 9, 30), "backwards over the holiday");
    assert_eq!(after(date(2026, 9, 21), -1), date(2026, 9, 20), "backwards onto the Sunday worked");
    assert!(c.add_working_days(date(2026, 1, 1), 251).is_none(), "beyond the bound");
    assert!(c.add_working_days(NaiveDate::MAX, 1).is_none(), "beyond the end of time");
}

#[test]
fn the_calendar_says_a_month_ahead_which_year_it_lacks() {
    let c = shipped_calendar();
    assert_eq!(c.missing_year(date(2026, 11, 30)), None);
    assert_eq!(c.missing_year(date(2026, 12, 1)), Some(2027), "31 days before the new year");
    assert_eq!(c.missing_year(date(2025, 6, 1)), Some(2025));
    assert!(c.covers(2026) && !c.covers(2027));
    assert_eq!(WorkCalendar::default().missing_year(date(2026, 6, 1)), Some(2026));
}

#[test]
fn a_calendar_is_read_from_days_and_ranges_and_refuses_mistakes_by_name() {
    let c = read(&["2027-01-01", "2027-02-06/2027-02-14"], &["2027-02-20"]).unwrap();
    assert!(!c.is_working_day(date(2027, 2, 10)) && !c.is_working_day(date(2027, 1, 1)));
    assert!(c.is_working_day(date(2027, 2, 20)), "a Saturday listed as worked");
    // What it is written back as reads back the same.
    let again: WorkCalendar = toml::Value::try_from(&c).unwrap().try_into().unwrap();
    assert_eq!(again, c);
    let refused = |h: &[&str], w: &[&str]| read(h, w).expect_err("refused");
    assert!(refused(&[], &["2027-02-22"]).contains("2027-02-22 is a Monday, a working day already"));
    assert!(refused(&["2027-02-20"], &["2027-02-20"]).contains("both as a holiday and as a working day"));
    assert!(refused(&["2027-13-01"], &[]).contains("calendar.holidays: `2027-13-01` is not a day"));
    assert!(refused(&["10月1日"], &[]).contains("is not a day like 2026-10-01"));
    assert!(refused(&["2027-10-07/2027-10-01"], &[]).contains("must run forwards"));
    assert!(refused(&["2027-01-01/2029-01-01"], &[]).contains("at most a year"));
    let long = "2".repeat(10_000);
    assert!(refused(&[&long], &[]).len() < 300, "a long entry is cut in the message");
}

#[test]
fn an_entered_arrangement_replaces_its_year_and_reads_as_the_notice_does() {
    use roundtable_core::Arrangement;
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let a = Arrangement::read(
        2027,
        &lines(&["2026-12-31/2027-01-02 元旦", "2027-02-06 至 2027-02-14，春节", "", "2027-10-01~2027-10-07"]),
        &lines(&["2027-02-20\n2027-10-09 国庆节调休"]),
    )
    .expect("a clean arrangement");
    assert_eq!(a.holidays[1].to_string(), "2027-02-06/2027-02-14 春节", "`至` and a comma read");
    assert_eq!(a.holidays[2].to_string(), "2027-10-01/2027-10-07");
    assert_eq!(a.day_counts(), (19, 2));

    // Beside 2026, which the configuration holds.
    let base = shipped_calendar();
    let c = base.arranged(std::slice::from_ref(&a)).unwrap();
    assert!(!c.is_working_day(date(2027, 2, 12)) && c.is_working_day(date(2027, 2, 20)));
    assert!(!c.is_working_day(date(2026, 12, 31)), "New Year's holiday begins in December");
    assert!(!c.is_working_day(date(2026, 10, 1)) && c.covers(2026), "2026 kept");
    let (holidays, workdays) = c.spans_of(2027);
    assert_eq!(
        holidays.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        ["2027-01-01/2027-01-02", "2027-02-06/2027-02-14", "2027-10-01/2027-10-07"]
    );
    assert_eq!(workdays.len(), 2);
    // Entered again, the year's days are replaced, not added to.
    let shorter = Arrangement::read(2027, &lines(&["2027-02-07/2027-02-13"]), &[]).unwrap();
    let c = c.arranged(&[shorter]).unwrap();
    assert!(c.is_working_day(date(2027, 10, 4)) && !c.is_working_day(date(2027, 2, 12)), "October is no longer off");
    assert_eq!(c.spans_of(2027).0.len(), 1);

    // Mistakes, each by its line; all of them at once.
    let wrong = Arrangement::read(
        2027,
        &lines(&[
            "2027-02-30",
            "2027-03-01/2027-02-01",
            "2026-06-01",
            "2027-01-01/2027-01-31",
            "2027-01-011",
            "2027-05-01\u{0}",
        ]),
        &lines(&["2027-02-08", "2027-01-02"]),
    )
    .unwrap_err();
    let codes: Vec<&str> = wrong.iter().map(|p| p.code).collect();
    assert_eq!(
        codes,
        ["not_a_day", "backwards", "outside_year", "span_too_long", "not_a_day", "control_character", "not_a_weekend"]
    );
    assert_eq!(wrong[2].item.as_deref(), Some("2026-06-01"));
    let both = Arrangement::read(2027, &lines(&["2027-01-01/2027-01-03"]), &lines(&["2027-01-02"])).unwrap_err();
    assert_eq!((both[0].field, both[0].code), ("workdays", "both"));
    let none = Arrangement::read(2027, &[], &lines(&["2027-02-20"])).unwrap_err();
    assert_eq!((none[0].field, none[0].code), ("holidays", "missing"));
    assert_eq!(
        Arrangement::read(2027, &lines(&[&"2027-01-01\n".repeat(41)]), &[]).unwrap_err()[0].code,
        "too_many_entries"
    );
}

/// 2026's notice as the State Council published it, pasted whole.
const NOTICE_2026: &str = "国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作。
国务院办公厅
2025年11月4日";

#[test]
fn the_state_councils_notice_pasted_whole_reads_as_the_shipped_calendar() {
    use roundtable_core::Arrangement;
    use roundtable_core::workdays::read_notice;
    let (holidays, workdays) = read_notice(2026, NOTICE_2026);
    let lines = |spans: &[roundtable_core::workdays::Span]| spans.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(lines(&holidays)[..2], ["2026-01-01/2026-01-03 元旦", "2026-02-15/2026-02-23 春节"]);
    assert_eq!(lines(&workdays)[..2], ["2026-01-04 元旦", "2026-02-14 春节"]);
    // As an arrangement, exactly the days the configuration ships for 2026.
    let a = Arrangement::read(2026, &lines(&holidays), &lines(&workdays)).expect("it reads cleanly");
    let from_notice = WorkCalendar::default().arranged(&[a]).unwrap();
    assert_eq!(from_notice.spans_of(2026).0.len(), 7);
    let shipped = shipped_calendar();
    let days = |c: &WorkCalendar| {
        let (h, w) = c.spans_of(2026);
        (
            h.iter().map(|s| (s.first, s.last)).collect::<Vec<_>>(),
            w.iter().map(|s| (s.first, s.last)).collect::<Vec<_>>(),
        )
    };
    assert_eq!(days(&from_notice), days(&shipped));

    // A New Year's holiday that begins the December before says its years.
    let (h, _) = read_notice(2023, "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。");
    assert_eq!(lines(&h), ["2022-12-31/2023-01-02 元旦"]);
    // Text that is no notice gives nothing, not guesses.
    assert_eq!(read_notice(2027, "春节快乐！2月6日见"), (vec![], vec![]));
}

use super::*;
use std::str::FromStr;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn m(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

fn alternative() -> Policy {
    Policy::from_toml(ALTERNATIVE_POLICY_TOML).unwrap()
}

#[test]
fn builtin_policy_parses_and_carries_the_field_report_figures() {
    let p = Policy::from_toml(DEFAULT_POLICY_TOML).unwrap();
    assert_eq!(p, Policy::builtin());
    assert_eq!(p.version, "builtin-2026.1");
    assert_eq!(p.effective_from, d(2026, 1, 1));
    assert_eq!(p.approval.clerk_limit, m("3000"));
    assert_eq!(p.dibao.urban.standard, m("240"));
    assert_eq!(
        p.dibao.urban.full_standard_categories,
        vec![FullStandardCategory::ThreeNo, FullStandardCategory::Orphan, FullStandardCategory::AidsOrTbFamily]
    );
    assert_eq!(p.dibao.rural.classes, vec![m("80"), m("50"), m("30")]);
    let h = &p.special_hardship;
    assert_eq!((h.centralised, h.dispersed, h.dispersed_orphan), (m("1800"), m("1300"), m("1500")));
    let pct = |item| p.medical.discounts[&item];
    for item in [BillItem::Registration, BillItem::Diagnosis, BillItem::Injection, BillItem::Observation] {
        assert_eq!(pct(item), Decimal::ONE_HUNDRED, "{item:?} is waived");
    }
    assert_eq!(
        (pct(BillItem::Bed), pct(BillItem::Surgery), pct(BillItem::Examination), pct(BillItem::Drugs)),
        (Decimal::from(50), Decimal::from(30), Decimal::from(30), Decimal::from(10))
    );
    assert_eq!(p.temporary.per_case_cap, Some(m("3000")));
    assert_eq!(p.temporary.per_household_per_year, None);
    assert_eq!(p.emergency.reserve_fund_grant, m("10000"));
    assert_eq!(p.duplicates.window_months, 12);
    assert_eq!(p.duplicates.blocking_kinds, vec![Kind::Temporary]);
    assert_eq!(p.steps[&Kind::Temporary], StepLimits { accept: 1, review: 9, approve: 5 });
    assert_eq!(p.green_channel, GreenChannel { help: 1, review: 5 });
    assert_eq!(p.steps.len(), Kind::ALL.len());
}

#[test]
fn the_2026_calendar_has_the_announced_holidays_and_makeup_days() {
    let c = &Policy::builtin().calendar;
    assert_eq!(c.holidays.len(), 33);
    // (day, is it a working day)
    let rows = [
        (d(2026, 1, 1), false),
        (d(2026, 1, 4), true),   // Sunday, make-up
        (d(2026, 2, 14), true),  // Saturday, make-up
        (d(2026, 2, 17), false), // Spring Festival
        (d(2026, 2, 23), false), // Monday, still off
        (d(2026, 2, 24), true),
        (d(2026, 2, 28), true), // Saturday, make-up
        (d(2026, 4, 6), false), // Qingming Monday
        (d(2026, 5, 5), false),
        (d(2026, 5, 9), true), // Saturday, make-up
        (d(2026, 6, 19), false),
        (d(2026, 9, 20), true), // Sunday, make-up
        (d(2026, 9, 25), false),
        (d(2026, 10, 7), false),
        (d(2026, 10, 10), true),  // Saturday, make-up
        (d(2026, 10, 11), false), // an ordinary Sunday
    ];
    for (day, working) in rows {
        assert_eq!(c.is_working_day(day), working, "{day}");
    }
}

#[test]
fn the_alternative_policy_caps_temporary_help_per_household_per_year() {
    let p = alternative();
    assert_eq!(p.temporary.per_case_cap, None);
    assert_eq!(p.temporary.per_household_per_year, Some(ByResidence { urban: m("800"), rural: m("400") }));
    assert_eq!(p.kind_caps.get(&Kind::Disaster), Some(&m("5000")));
    assert_eq!(p.effective_from, d(2026, 7, 1));
}

#[test]
fn a_case_is_judged_by_the_policy_in_force_on_the_day_it_was_received() {
    let book = PolicyBook::new(vec![alternative(), Policy::builtin()]).unwrap();
    // (received, version)
    let rows = [
        (d(2025, 12, 31), "builtin-2026.1"), // before every policy: the earliest
        (d(2026, 1, 1), "builtin-2026.1"),
        (d(2026, 6, 30), "builtin-2026.1"),
        (d(2026, 7, 1), "example-yearly-2026.2"),
        (d(2027, 3, 1), "example-yearly-2026.2"),
    ];
    for (day, version) in rows {
        assert_eq!(book.policy_for(day).version, version, "{day}");
    }
    assert_eq!(book.by_version("builtin-2026.1").map(|p| p.effective_from), Some(d(2026, 1, 1)));
    assert!(book.by_version("nope").is_none());
    assert_eq!(PolicyBook::builtin().policy_for(d(2026, 7, 1)).version, "builtin-2026.1");
}

#[test]
fn a_districts_policy_overrides_the_builtin_one_whatever_their_dates() {
    let dated =
        |version: &str, from: NaiveDate| Policy { version: version.into(), effective_from: from, ..alternative() };
    // Older than the built-in policy: still the district's, on every day.
    let book = PolicyBook::district(vec![dated("district-2025", d(2025, 1, 1))]).unwrap();
    for day in [d(2025, 6, 1), d(2026, 1, 1), d(2026, 11, 30)] {
        assert_eq!(book.policy_for(day).version, "district-2025", "{day}");
    }
    // The cases that recorded the built-in policy are still judged by it.
    assert_eq!(book.by_version("builtin-2026.1").map(|p| p.effective_from), Some(d(2026, 1, 1)));
    assert_eq!(book.superseded().len(), 1);
    // On the built-in policy's own date: no clash, the district's wins.
    let book = PolicyBook::district(vec![dated("district-2026", d(2026, 1, 1))]).unwrap();
    assert_eq!(book.policy_for(d(2026, 3, 1)).version, "district-2026");
    // Later than the built-in: the built-in one judges the days before it.
    let book = PolicyBook::district(vec![dated("district-2027", d(2027, 1, 1)), dated("district-2028", d(2028, 1, 1))])
        .unwrap();
    let rows =
        [(d(2026, 12, 31), "builtin-2026.1"), (d(2027, 1, 1), "district-2027"), (d(2028, 5, 1), "district-2028")];
    for (day, version) in rows {
        assert_eq!(book.policy_for(day).version, version, "{day}");
    }
    assert!(book.superseded().is_empty());
}

#[test]
fn a_book_refuses_clashing_policies() {
    let mut book = PolicyBook::builtin();
    let err = book.add(Policy::builtin()).unwrap_err().to_string();
    assert!(err.contains("'builtin-2026.1' is already in force"), "{err}");
    let same_day = Policy { version: "other".into(), ..Policy::builtin() };
    let err = book.add(same_day).unwrap_err().to_string();
    assert!(err.contains("both take effect on 2026-01-01"), "{err}");
    assert!(PolicyBook::new(Vec::new()).is_err());
    assert_eq!(book.policies().len(), 1, "a refused policy is not added");
}

#[test]
fn the_policy_prints_as_json_with_money_as_strings() {
    let json = serde_json::to_value(Policy::builtin()).unwrap();
    assert_eq!(json["version"], "builtin-2026.1");
    assert_eq!(json["effective_from"], "2026-01-01");
    assert_eq!(json["temporary"]["per_case_cap"], "3000.00");
    assert_eq!(json["dibao"]["urban"]["standard"], "240.00");
    assert_eq!(json["steps"]["temporary"]["review"], 9);
    assert_eq!(json["calendar"]["makeup_workdays"][0], "2026-01-04");
}

#[test]
fn approval_above_the_clerk_limit_needs_a_supervisor() {
    let p = Policy::builtin();
    assert!(!p.needs_supervisor(m("3000")));
    assert!(p.needs_supervisor(m("3000.01")));
    assert!(p.duplicate_blocks(Kind::Temporary));
    assert!(!p.duplicate_blocks(Kind::Medical));
}

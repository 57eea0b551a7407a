//! `onedoor report daily` through the real binary on temporary stores: a day
//! with cases of several kinds and states, a green case paid from the relief
//! fund and a donation, read as text, CSV and JSON; another day; a bad day; and
//! the daily summary receipt on a file printer and on a printer out of paper.

mod common;
mod printer_sim;

use std::path::Path;

use common::*;
use printer_sim::{printer, PAPER_OUT, READY};
use unicode_width::UnicodeWidthStr;

/// 17:30 on the day of the sample: the supervisor's end of day.
const EVENING: &str = "2026-11-30T17:30:00+08:00";

fn at(hm: &str) -> String {
    format!("2026-11-30T{hm}:00+08:00")
}

fn ok(r: Run) -> String {
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

fn intake(kind: &str, channel: &str, name: &str, n: u32, reason: &str, amount: &str) -> String {
    format!(
        r#"{{"kind":"{kind}","channel":"{channel}","applicant":{{"name":"{name}","id_number":"{}","residence":"urban"}},"reason":"{reason}","requested_amount":"{amount}"}}"#,
        person(n)
    )
}

/// Adds a case at `now`; its id.
fn add_at(d: &Path, now: &str, json: &str) -> String {
    ok(run_at(d, now, &["case", "add", "--json", "-"], Some(json))).trim().to_string()
}

fn step(d: &Path, now: &str, args: &[&str]) {
    ok(run_at(d, now, args, None));
}

/// The sample store. On 9 October a case that is now long overdue; on 27
/// November a case referred (reviewed on the 28th). On 30 November: the
/// budget, four cases (a temporary one left as received, a dibao case
/// referred, a housing case withdrawn, a green medical case approved and paid
/// from the fund), the 27th's case approved for 1500, and a donation.
struct Sample {
    late: String,
    earlier: String,
    temporary: String,
    dibao: String,
    housing: String,
    green: String,
}

fn sample(d: &Path) -> Sample {
    let late = add_at(d, "2026-10-09T09:00:00+08:00", &intake("temporary", "normal", "陈七", 7, "accident", "300"));
    let earlier =
        add_at(d, "2026-11-27T09:00:00+08:00", &intake("temporary", "normal", "李四", 9, "unemployment", "2000"));
    step(d, "2026-11-27T10:00:00+08:00", &["case", "refer", &earlier]);
    step(d, "2026-11-28T10:00:00+08:00", &["case", "review", &earlier]);

    step(d, &at("08:00"), &["--operator", "super01", "fund", "deposit", "15000", "--source", "budget"]);
    let temporary = add_at(d, &at("09:00"), &intake("temporary", "normal", "王芳", 1, "serious_illness", "800"));
    let dibao = add_at(d, &at("09:10"), &intake("dibao", "normal", "欧阳小明", 2, "old_age", "500"));
    let housing = add_at(d, &at("09:15"), &intake("housing", "normal", "赵五", 4, "housing_loss", "100"));
    let green = add_at(d, &at("09:20"), &intake("medical", "green", "张三", 3, "serious_illness", "20000"));
    step(d, &at("10:00"), &["case", "refer", &dibao]);
    step(d, &at("10:10"), &["case", "withdraw", &housing]);
    step(d, &at("10:30"), &["--operator", "super01", "case", "approve", &green, "--supervisor"]);
    step(d, &at("11:00"), &["fund", "disburse", &green]);
    step(d, &at("11:30"), &["case", "approve", &earlier, "--amount", "1500"]);
    step(d, &at("12:00"), &["fund", "deposit", "500", "--source", "donation", "--donor", "爱心企业"]);
    Sample { late, earlier, temporary, dibao, housing, green }
}

fn report(d: &Path, args: &[&str]) -> String {
    let mut all = vec!["report", "daily"];
    all.extend_from_slice(args);
    ok(run_at(d, EVENING, &all, None))
}

/// The figure at the end of the text report's line that starts with `label`.
fn figure<'a>(text: &'a str, label: &str) -> &'a str {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line '{label}' in\n{text}"));
    line.split_whitespace().last().unwrap()
}

#[test]
fn the_text_report_gives_the_days_cases_steps_and_a_fund_that_balances() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = sample(d);
    let text = report(d, &[]);

    assert!(text.starts_with("daily report 2026-11-30  示例街道 window 1\n"), "{text}");
    assert_eq!(figure(&text, "cases received"), "4");
    assert_eq!(figure(&text, "green"), "1");
    assert_eq!(figure(&text, "normal"), "3");
    assert_eq!(figure(&text, "dibao"), "1");
    assert_eq!(figure(&text, "housing"), "1");
    assert_eq!(figure(&text, "now withdrawn"), "1");
    assert_eq!(figure(&text, "now disbursed"), "1");
    assert_eq!(figure(&text, "still open"), "3", "the withdrawn case is closed");
    assert_eq!(figure(&text, "overdue now"), "0");
    assert_eq!(figure(&text, "requested"), "21400.00");
    assert_eq!(figure(&text, "granted"), "10000.00");

    // One row per case received, names measured in cells: the columns after them line up.
    let rows: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("320106001-01-20261130")).collect();
    assert_eq!(rows.len(), 4, "{text}");
    for id in [&s.temporary, &s.dibao, &s.housing, &s.green] {
        assert!(rows.iter().any(|r| r.contains(id.as_str())), "{id} is listed");
    }
    assert!(!text.contains(&s.earlier), "a case of another day is not listed");
    let masked_at: Vec<usize> = rows.iter().map(|r| r[..r.find("320106********").unwrap()].width()).collect();
    assert!(masked_at.windows(2).all(|w| w[0] == w[1]), "the ID column lines up after 欧阳小明 and 王芳:\n{text}");
    assert!(!text.contains(&person(2)), "never a full ID number in the report");

    // The steps of the day: the earlier case's approval counts, the fund's payment too.
    let approved = text.lines().find(|l| l.trim_start().starts_with("approved")).unwrap();
    assert!(approved.split_whitespace().eq(["approved", "2", "11500.00"]), "{approved}");
    let disbursed = text.lines().find(|l| l.trim_start().starts_with("disbursed")).unwrap();
    assert!(disbursed.split_whitespace().eq(["disbursed", "1", "10000.00"]), "{disbursed}");
    assert_eq!(figure(&text, "withdrawn"), "1");
    assert_eq!(figure(&text, "received"), "4");
    assert!(text.contains("counted on the cases received that day"), "{text}");

    // The fund: 0 + 15000 + 500 - 10000 = 5500, and the donor by name.
    assert_eq!(figure(&text, "opening balance"), "0.00");
    assert_eq!(figure(&text, "+ budget"), "15000.00");
    assert_eq!(figure(&text, "+ donations"), "500.00");
    let paid = text.lines().find(|l| l.trim_start().starts_with("- disbursements")).unwrap();
    assert!(paid.split_whitespace().eq(["-", "disbursements", "10000.00", "(1", "payment)"]), "{paid}");
    assert_eq!(figure(&text, "closing balance"), "5500.00");
    assert!(text.contains("balances: 0.00 + 15500.00 - 10000.00 = 5500.00"), "{text}");
    assert!(text.contains("donation from 爱心企业") && text.contains(&format!("paid to case {}", s.green)));
    assert_eq!(ok(cli(d, &["fund", "balance"])).trim(), "5500.00", "the report agrees with the fund");

    // Every open case of any day, and the one from October is overdue.
    assert_eq!(figure(&text, "open cases now, all days"), "5");
    let last = text.trim_end().lines().last().unwrap();
    assert!(last.split_whitespace().eq(["overdue", "1"]), "{last}");
    assert!(!text.contains(&s.late), "the overdue case is counted, not listed with the day's cases");
}

#[test]
fn csv_and_json_carry_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = sample(d);

    let csv = report(d, &["--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("day,section,item,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 4 && r[0] == "2026-11-30"), "{csv}");
    let value = |section: &str, item: &str| {
        rows.iter()
            .find(|r| r[1] == section && r[2] == item)
            .map(|r| r[3])
            .unwrap_or_else(|| panic!("{section},{item}"))
    };
    assert_eq!(value("received", "total"), "4");
    assert_eq!(value("received_by_kind", "temporary"), "1");
    assert_eq!(value("received_by_kind", "education"), "0", "every kind, zeros too");
    assert_eq!(value("received_by_channel", "green"), "1");
    assert_eq!(value("received_by_state", "referred"), "1");
    assert_eq!(value("received", "requested"), "21400.00");
    assert_eq!(value("steps_by_action", "approved"), "2");
    assert_eq!(value("steps", "disbursed_total"), "10000.00");
    assert_eq!(value("fund", "opening"), "0.00");
    assert_eq!(value("fund", "inflows"), "15500.00");
    assert_eq!(value("fund", "outflows"), "10000.00");
    assert_eq!(value("fund", "closing"), "5500.00");
    assert_eq!(value("fund", "balances"), "yes");
    assert_eq!(value("backlog", "overdue"), "1");

    let json: serde_json::Value = serde_json::from_str(&report(d, &["--format", "json"])).unwrap();
    assert_eq!(json["schema"], "onedoor.daily_report/1");
    assert_eq!(json["day"], "2026-11-30");
    assert_eq!(json["town_name"], "示例街道");
    let r = &json["received"];
    assert_eq!(r["total"], 4);
    assert_eq!(r["by_kind"]["medical"], 1);
    assert_eq!(r["by_channel"]["normal"], 3);
    assert_eq!(r["by_state"]["withdrawn"], 1);
    assert_eq!(r["open"], 3);
    assert_eq!(r["granted"], "10000.00");
    let cases = r["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let green = cases.iter().find(|c| c["id"] == s.green.as_str()).unwrap();
    assert_eq!((green["channel"].as_str(), green["state"].as_str()), (Some("green"), Some("disbursed")));
    assert_eq!(green["granted"], "10000.00");
    assert_eq!(green["id_masked"].as_str().unwrap().matches('*').count(), 8);
    assert_eq!(json["steps"]["by_action"]["referred"], 1);
    assert_eq!(json["steps"]["approved_total"], "11500.00");
    let f = &json["fund"];
    let money = |v: &serde_json::Value| v.as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(money(&f["opening"]) + money(&f["inflows"]) - money(&f["outflows"]), money(&f["closing"]));
    assert_eq!((f["closing"].as_str(), f["balances"].as_bool()), (Some("5500.00"), Some(true)));
    assert_eq!(f["donations"], "500.00");
    assert_eq!(f["entries"].as_array().unwrap().len(), 3);
    assert_eq!(json["backlog"]["open"], 5);
}

#[test]
fn another_day_shows_that_day_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = sample(d);

    let text = report(d, &["--day", "2026-11-27"]);
    assert!(text.starts_with("daily report 2026-11-27"), "{text}");
    assert_eq!(figure(&text, "cases received"), "1");
    assert!(text.contains(&s.earlier) && !text.contains(&s.temporary) && !text.contains(&s.green), "{text}");
    assert_eq!(figure(&text, "now approved"), "1", "where the 27th's case stands now");
    assert_eq!(figure(&text, "referred"), "1");
    assert!(!text.lines().any(|l| l.trim_start().starts_with("reviewed")), "the review was on the 28th:\n{text}");
    assert_eq!(figure(&text, "closing balance"), "0.00", "the fund had nothing yet");

    let next: serde_json::Value =
        serde_json::from_str(&report(d, &["--day", "2026-12-01", "--format", "json"])).unwrap();
    assert_eq!(next["received"]["total"], 0);
    assert_eq!(next["steps"]["total"], 0);
    assert_eq!(next["fund"]["opening"], "5500.00", "a day opens where the last closed");
    assert_eq!(next["fund"]["closing"], "5500.00");

    let october: serde_json::Value =
        serde_json::from_str(&report(d, &["--day", "2026-10-09", "--format", "json"])).unwrap();
    assert_eq!(october["received"]["overdue"], 1, "{october}");
    assert_eq!(october["received"]["cases"][0]["id"], s.late.as_str());
    assert_eq!(october["received"]["cases"][0]["overdue"], true);
}

#[test]
fn a_bad_day_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_bad_argument(&cli(d, &["report", "daily", "--day", "2026-13-01"]), "2026-13-01");
    assert_bad_argument(&cli(d, &["report", "daily", "--day", "yesterday"]), "not a date like");
    assert_bad_argument(&cli(d, &["report", "daily", "--format", "pdf"]), "pdf");
    assert_refused(&cli(d, &["report", "daily", "--printer", "none"]), "--print");
    assert_refused(&cli(d, &["report", "daily", "--print", "--printer", "lpt:1"]), "lpt");
}

/// Runs at the common test moment (09:00 on the 30th) with no input.
fn cli(d: &Path, args: &[&str]) -> Run {
    run(d, args, None)
}

fn gb18030(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn print_writes_the_daily_summary_receipt_from_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d);
    let file = d.join("summary.bin");
    let spec = format!("file:{}", file.display());
    let r = run_at(d, EVENING, &["report", "daily", "--print", "--printer", &spec, "--format", "json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout stays one JSON object");
    assert_eq!(json["fund"]["closing"], "5500.00");
    assert!(r.stderr.contains("printed the daily summary of 2026-11-30"), "{}", r.stderr);

    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(&[0x1B, 0x40]), "ESC @ first");
    assert!(contains(&bytes, &gb18030("窗口日汇总")));
    assert!(contains(&bytes, &gb18030("示例街道便民服务中心")), "the town");
    assert!(contains(&bytes, b"2026-11-30"), "the day");
    assert!(contains(&bytes, &gb18030("4件")), "four cases received");
    assert!(contains(&bytes, &gb18030("10000.00元")), "paid that day");
    assert!(contains(&bytes, &gb18030("5500.00元")), "the fund's closing balance");
    assert!(contains(&bytes, &gb18030("制表：clerk01")));
    assert!(!contains(&bytes, &gb18030("受理回执")), "the daily summary, not an acceptance receipt");
    assert!(!contains(&bytes, &gb18030("补打")), "a first print is not a reprint");
    assert!(ok(cli(d, &["receipt", "pending"])).trim().is_empty());

    // With no printer the receipt follows the text report on screen.
    let screen = report(d, &["--print", "--printer", "none"]);
    assert!(screen.contains("closing balance") && screen.contains("窗口日汇总"), "{screen}");
}

#[test]
fn a_summary_the_printer_refuses_is_kept_pending_and_printed_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample(d);
    let before = ok(cli(d, &["fund", "balance"]));

    let (out_of_paper, nothing) = printer(PAPER_OUT);
    let r = run_at(d, EVENING, &["report", "daily", "--print", "--printer", &out_of_paper], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stderr.contains("daily_summary/2026-11-30") && r.stderr.contains("--day 2026-11-30 --print"));
    assert!(r.stdout.contains("closing balance"), "the report is still shown: {}", r.stdout);
    assert!(nothing.lock().unwrap().is_empty(), "no receipt bytes reach a printer without paper");
    let pending = ok(cli(d, &["receipt", "pending"]));
    assert!(pending.starts_with("daily_summary/2026-11-30 "), "{pending}");
    assert_eq!(ok(cli(d, &["fund", "balance"])), before, "the fund and cases are untouched");

    let (ready, printed) = printer(READY);
    let r = run_at(d, EVENING, &["report", "daily", "--day", "2026-11-30", "--print", "--printer", &ready], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("printed the daily summary of 2026-11-30"), "{}", r.stdout);
    let bytes = printer_sim::wait_for(&printed, &gb18030("窗口日汇总"));
    assert!(contains(&bytes, &gb18030("窗口日汇总")));
    assert!(contains(&bytes, &gb18030("补打")), "a reprint of a pending summary says so");
    assert!(ok(cli(d, &["receipt", "pending"])).trim().is_empty(), "printed: off the pending list");
}

/// The report as `report daily` reads it (the report facts, the backlog
/// counts, the open steps) is the report read from the whole cases, on every
/// day of the sample and a later one, judged today and weeks later.
#[test]
fn the_report_from_the_stores_facts_is_the_report_from_the_whole_cases() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = sample(d);
    // A step on an open case of another day, and a case paid from the fund then closed.
    step(d, "2026-12-01T09:00:00+08:00", &["case", "refer", &s.temporary]);
    step(d, "2026-12-01T09:20:00+08:00", &["--operator", "super01", "case", "review", &s.green]);
    step(d, "2026-12-01T09:30:00+08:00", &["case", "complete", &s.green]);
    step(d, "2026-12-01T10:00:00+08:00", &["case", "withdraw", &s.late]);

    let store = onedoor::store::Store::open(d, &onedoor::store::StoreOptions::default()).unwrap();
    let counter = onedoor::config::CounterConfig::default();
    let window = onedoor::window::Window::new(&store, &counter);
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let days = ["2026-10-09", "2026-11-27", "2026-11-28", "2026-11-30", "2026-12-01", "2026-12-02"];
    for today in ["2026-11-30", "2026-12-01", "2027-01-15"] {
        for on in days {
            let fast = onedoor::cli::report::gather(&window, day(on), day(today)).unwrap();
            let whole = onedoor::cli::report::gather_from_cases(&window, day(on), day(today)).unwrap();
            assert_eq!(fast, whole, "the report of {on} judged on {today}");
        }
    }
    let r = onedoor::cli::report::gather(&window, day("2026-12-01"), day("2027-01-15")).unwrap();
    // The referral of an open case counts; the steps of the two cases closed that day do not (as documented).
    assert_eq!((r.steps.total, r.steps.cases), (1, 1), "{:?}", r.steps);
    assert_eq!(r.backlog.open, 3, "{:?}", r.backlog);
    assert!(r.backlog.overdue > 0);
}

//! Money that can be traced, through the real binary on a temporary store: a
//! fixture day with a green case paid from the relief reserve fund and two
//! cases paid through the regular budget (one with the finance's transfer
//! reference, one without yet). Each case says where its money came from
//! (`case show`, the case JSON, the disbursement receipt), and the daily
//! report reconciles: paid = out of the fund + through the budget.

mod common;

use std::path::Path;

use common::*;

fn intake(kind: &str, channel: &str, n: u32, amount: &str) -> String {
    format!(
        r#"{{"kind":"{kind}","channel":"{channel}","applicant":{{"name":"王芳","id_number":"{}","residence":"urban"}},"reason":"serious_illness","requested_amount":"{amount}"}}"#,
        person(n)
    )
}

fn step(d: &Path, now: &str, args: &[&str]) -> String {
    ok(run_at(d, now, args, None))
}

/// Approved normal case of `amount`, received at 09:0n.
fn approved(d: &Path, n: u32, amount: &str) -> String {
    let id = ok(run_at(
        d,
        &at(&format!("09:0{n}")),
        &["case", "add", "--json", "-"],
        Some(&intake("temporary", "normal", n, amount)),
    ))
    .trim()
    .to_string();
    step(d, &at("10:00"), &["case", "refer", &id]);
    step(d, &at("10:10"), &["case", "review", &id]);
    step(d, &at("10:20"), &["--operator", "super01", "case", "approve", &id, "--supervisor"]);
    id
}

struct Day {
    with_ref: String,
    without_ref: String,
    green: String,
}

fn fixture_day(d: &Path) -> Day {
    step(d, &at("08:00"), &["--operator", "super01", "fund", "deposit", "15000", "--source", "budget"]);
    let with_ref = approved(d, 1, "800");
    let without_ref = approved(d, 2, "500");
    let green =
        ok(run_at(d, &at("09:30"), &["case", "add", "--json", "-"], Some(&intake("medical", "green", 3, "20000"))))
            .trim()
            .to_string();
    step(d, &at("10:30"), &["--operator", "super01", "case", "approve", &green, "--supervisor"]);
    step(d, &at("11:00"), &["fund", "disburse", &green]);
    step(d, &at("11:10"), &["case", "disburse", &with_ref, "--transfer-ref", "ZJ20261130-0007"]);
    step(d, &at("11:20"), &["case", "disburse", &without_ref]);
    Day { with_ref, without_ref, green }
}

#[test]
fn each_payment_names_its_money_and_the_day_reconciles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let day = fixture_day(d);

    // Each case says where its money came from.
    let shown = step(d, EVENING, &["case", "show", &day.with_ref]);
    let paid = shown.lines().find(|l| l.starts_with("paid")).unwrap_or_else(|| panic!("no paid line in\n{shown}"));
    assert!(paid.ends_with("800.00 budget (transfer ZJ20261130-0007)"), "{paid}");
    let shown = step(d, EVENING, &["case", "show", &day.green]);
    let paid = shown.lines().find(|l| l.starts_with("paid")).unwrap();
    assert!(paid.ends_with("10000.00 relief_fund (ledger entry 2)"), "the fund's second entry: {paid}");
    let shown = step(d, EVENING, &["case", "show", &day.without_ref]);
    assert!(shown.lines().any(|l| l.starts_with("paid") && l.ends_with(", no transfer reference yet")), "{shown}");
    let json: serde_json::Value =
        serde_json::from_str(&step(d, EVENING, &["case", "show", &day.with_ref, "--json"])).unwrap();
    assert_eq!(json["payment"]["source"], "budget");
    assert_eq!(json["payment"]["amount"], "800.00");
    assert_eq!(json["payment"]["transfer_ref"], "ZJ20261130-0007");
    assert_eq!(json["payment"]["ledger_entry"], serde_json::Value::Null);

    // The report: 11300 paid = 10000 out of the fund + 1300 through the budget.
    let json: serde_json::Value =
        serde_json::from_str(&step(d, EVENING, &["report", "daily", "--format", "json"])).unwrap();
    let p = &json["paid"];
    assert_eq!((p["paid"].as_str(), p["paid_count"].as_u64()), (Some("11300.00"), Some(3)), "{p}");
    assert_eq!(p["from_fund"], "10000.00");
    assert_eq!(p["through_budget"], "1300.00");
    assert_eq!(p["through_budget_without_ref"], 1);
    assert_eq!(p["fund_ledger"], json["fund"]["disbursements"], "out of the fund is what the ledger paid out");
    assert_eq!(p["reconciles"], true);
    let text = step(d, EVENING, &["report", "daily"]);
    assert!(
        text.contains("reconciles: paid 11300.00 = out of the fund 10000.00 + through the budget 1300.00"),
        "{text}"
    );
    let budget = text.lines().find(|l| l.trim_start().starts_with("through the regular budget")).unwrap();
    assert!(budget.contains("1300.00") && budget.contains("(1 without a transfer reference yet)"), "{budget}");
    let csv = step(d, EVENING, &["report", "daily", "--format", "csv"]);
    assert!(csv.contains("2026-11-30,paid,from_fund,10000.00\n"), "{csv}");
    assert!(csv.contains("2026-11-30,paid,through_budget,1300.00\n"), "{csv}");
    assert!(csv.contains("2026-11-30,paid,reconciles,yes\n"), "{csv}");

    // The Chinese report says the same.
    let mut zh = onedoor(d);
    zh.env("ONEDOOR_LANG", "zh-CN").env("ONEDOOR_NOW", EVENING).args(["report", "daily"]);
    let zh = String::from_utf8(zh.output().unwrap().stdout).unwrap();
    assert!(zh.contains("账目相符：发放 11300.00 = 备用金支出 10000.00 + 常规资金 1300.00"), "{zh}");
}

#[test]
fn the_disbursement_receipt_names_the_money_and_its_trace() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let day = fixture_day(d);
    let gb = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
    let has = |hay: &[u8], s: &str| hay.windows(gb(s).len()).any(|w| w == gb(s).as_slice());
    for (id, want) in [
        (&day.with_ref, vec!["资金来源：常规资金（一卡通）", "转账流水号：ZJ20261130-0007"]),
        (&day.green, vec!["资金来源：应急救助备用金", "备用金账目：第2笔"]),
    ] {
        let file = d.join(format!("{id}.bin"));
        let spec = format!("file:{}", file.display());
        step(d, EVENING, &["receipt", "print", id, "--disbursement", "--printer", &spec]);
        let bytes = std::fs::read(&file).unwrap();
        for w in want {
            assert!(has(&bytes, w), "{id}: {w}");
        }
    }
}

#[test]
fn a_bad_transfer_reference_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = approved(d, 1, "800");
    let before = fingerprint(d);
    for (bad, needle) in [
        ("ZJ 0007", "may hold only letters, digits"),
        ("ZJ\n0007", "may hold only letters, digits"),
        ("", "is empty"),
        (&"9".repeat(41), "at most 40 characters"),
    ] {
        let r = run_at(d, EVENING, &["case", "disburse", &id, "--transfer-ref", bad], None);
        assert_refused(&r, needle);
        assert_eq!(fingerprint(d), before, "{bad:?}: nothing written");
    }
}

/// A case paid before onedoor kept the source (a record of an earlier
/// onedoor, read from a schema-1 backup) shows no source, and the day it
/// was paid does not reconcile: the report says so instead of counting it.
#[test]
fn a_payment_without_its_source_does_not_reconcile() {
    use onedoor::domain::report::{DayReport, Sources};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let day = fixture_day(d);
    let store = onedoor::store::Store::open(d, &Default::default()).unwrap();
    let mut cases: Vec<_> = [&day.with_ref, &day.without_ref, &day.green]
        .iter()
        .map(|id| store.case(&id.parse().unwrap()).unwrap().unwrap())
        .collect();
    cases[1].payment = None;
    let ledger = store.ledger().unwrap();
    let none = Default::default();
    let sources =
        Sources { cases: &cases, overdue: &none, ledger: &ledger, fund_balance: store.fund().unwrap().balance() };
    let r = DayReport::compute(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), sources);
    assert_eq!(r.paid.unrecorded.to_string(), "500.00");
    assert_eq!(r.paid.through_budget.to_string(), "800.00");
    assert!(!r.paid.reconciles);
}

//! The audit chain through the real binary: every change of a day's work
//! is in `audit log` (by case, operator, day), `audit verify` finds the
//! chain whole, and the head printed on the daily summary receipt is the
//! anchor `audit verify --anchor` checks.

mod common;

use std::path::Path;

use common::*;

fn day_of_work(d: &Path) -> (String, String) {
    ok(run_at(d, &at("08:00"), &["--operator", "head01", "fund", "deposit", "15000", "--source", "budget"], None));
    let green = format!(
        r#"{{"kind":"medical","channel":"green","applicant":{{"name":"张三","id_number":"{}","residence":"urban"}},"reason":"serious_illness","requested_amount":"2000"}}"#,
        person(3)
    );
    let green = ok(run_at(d, &at("09:00"), &["case", "add", "--json", "-"], Some(&green))).trim().to_string();
    ok(run_at(d, &at("09:30"), &["--operator", "head01", "case", "approve", &green, "--supervisor"], None));
    ok(run_at(d, &at("10:00"), &["fund", "disburse", &green], None));
    let other = ok(run_at(d, &at("11:00"), &["case", "add", "--json", "-"], Some(&case_json(&person(4), "300"))))
        .trim()
        .to_string();
    ok(run_at(d, &at("11:10"), &["case", "refer", &other], None));
    (green, other)
}

#[test]
fn every_change_of_the_day_is_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (green, other) = day_of_work(d);
    let log = ok(run_at(d, EVENING, &["audit", "log"], None));
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 7, "{log}");
    assert!(
        lines[0].contains("head01") && lines[0].contains("fund_movement") && lines[0].contains("15000.00"),
        "{log}"
    );
    assert!(lines[2].contains("head01") && lines[2].contains("approved: 2000.00"), "{log}");
    assert!(lines[4].contains("disbursed: 2000.00 from relief_fund"), "{log}");

    let of_case = ok(run_at(d, EVENING, &["audit", "log", "--case", &green], None));
    assert_eq!(of_case.lines().count(), 4, "accepted, approved, the fund's entry, disbursed: {of_case}");
    assert!(of_case.lines().all(|l| l.contains(&green)));
    let by_head = ok(run_at(d, EVENING, &["audit", "log", "--by", "head01"], None));
    assert_eq!(by_head.lines().count(), 2, "{by_head}");
    assert!(ok(run_at(d, EVENING, &["audit", "log", "--day", "2026-11-29"], None)).is_empty());
    let json = ok(run_at(d, EVENING, &["audit", "log", "--case", &other, "--json"], None));
    let entries: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries[0]["action"], "case_accepted");
    assert_eq!(entries[1]["detail"], "referred: civil_affairs");
    assert_eq!(entries[1]["seq"], 7);
    assert_eq!(entries[1]["prev"].as_str().map(str::len), Some(64));

    let verified = ok(run_at(d, EVENING, &["audit", "verify"], None));
    assert!(verified.starts_with("the audit chain is whole: 7 entries, head "), "{verified}");
    // A refused change adds nothing to the chain.
    assert_eq!(run_at(d, EVENING, &["case", "disburse", &other], None).code, 2);
    assert_eq!(ok(run_at(d, EVENING, &["audit", "verify"], None)), verified);
}

#[test]
fn the_head_on_the_daily_summary_is_the_anchor_verify_checks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    day_of_work(d);
    let file = d.join("summary.bin");
    let spec = format!("file:{}", file.display());
    ok(run_at(d, EVENING, &["report", "daily", "--print", "--printer", &spec], None));
    // The receipt as the supervisor reads it: the printer none shows the same text on screen.
    let screen = ok(run_at(d, EVENING, &["report", "daily", "--print", "--printer", "none"], None));
    let (seq, digest) = onedoor::receipt::anchor_on_paper(&screen).expect("the head is on the summary");
    assert_eq!(seq, 7);
    let bytes = std::fs::read(&file).unwrap();
    let hex = digest.hex();
    for half in [&hex[..32], &hex[32..]] {
        assert!(bytes.windows(32).any(|w| w == half.as_bytes()), "the paper carries {half}");
    }
    let verified = ok(run_at(d, EVENING, &["audit", "verify"], None));
    assert!(verified.trim_end().ends_with(&hex), "the head verify finds is the one on paper: {verified}");
    let anchor = format!("{seq}:{hex}");
    ok(run_at(d, EVENING, &["audit", "verify", "--anchor", &anchor], None));

    // An anchor the chain does not hold: named, exit 2.
    let other = format!("{seq}:{}", "0".repeat(64));
    let r = run_at(d, EVENING, &["audit", "verify", "--anchor", &other], None);
    assert_refused(&r, "audit entry 7 is not the one whose hash was printed on the daily summary");
    let beyond = format!("9:{hex}");
    assert_refused(
        &run_at(d, EVENING, &["audit", "verify", "--anchor", &beyond], None),
        "audit entries 8 to 9 are missing",
    );
    assert_bad_argument(&run_at(d, EVENING, &["audit", "verify", "--anchor", "7:abc"], None), "not a SHA-256");
}

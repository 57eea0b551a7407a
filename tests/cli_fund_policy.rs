//! The relief reserve fund, the policy commands, deadlines and the clerk's
//! approval limit, through the real binary on temporary stores.

mod common;

use common::*;

fn green_illness(id_number: &str) -> String {
    case_json(id_number, "20000").replace("\"kind\":\"temporary\"", "\"kind\":\"medical\",\"channel\":\"green\"")
}

fn ok(r: Run) -> String {
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn the_fund_pays_a_green_case_in_one_step_and_never_goes_negative() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(run(d, &["fund", "deposit", "15000", "--source", "budget"], None));
    assert_refused(&run(d, &["fund", "deposit", "100", "--source", "donation"], None), "--donor");
    ok(run(d, &["fund", "deposit", "500", "--source", "donation", "--donor", "爱心企业"], None));
    assert_eq!(ok(run(d, &["fund", "balance", "--json"], None)).trim(), r#"{"balance":"15500.00"}"#);

    let a = add(d, &green_illness(&person(1)));
    let b = add(d, &green_illness(&person(2)));
    let shown: serde_json::Value = serde_json::from_str(&ok(run(d, &["case", "show", &a, "--json"], None))).unwrap();
    assert_eq!(shown["entitlement"]["amount"], "10000.00");
    assert!(shown["entitlement"]["flags"].as_array().unwrap().contains(&"reserve_fund".into()));
    for id in [&a, &b] {
        ok(run(d, &["--operator", "super01", "case", "approve", id, "--supervisor"], None));
    }
    // A reserve-fund case is not paid around the ledger.
    assert_refused(&run(d, &["case", "disburse", &a], None), "fund disburse");

    assert_eq!(ok(run(d, &["fund", "disburse", &a], None)).trim(), format!("{a} disbursed 10000.00; balance 5500.00"));
    let before = fingerprint(d);
    let r = run(d, &["fund", "disburse", &b], None);
    assert_refused(&r, "would leave it below zero");
    assert_eq!(fingerprint(d), before, "a refused payment changes nothing");
    let state: serde_json::Value = serde_json::from_str(&ok(run(d, &["case", "show", &b, "--json"], None))).unwrap();
    assert_eq!(state["state"], "approved");

    let ledger: serde_json::Value =
        serde_json::from_str(&ok(run(d, &["fund", "ledger", "--year", "2026", "--json"], None))).unwrap();
    let st = &ledger["statement"];
    assert_eq!(st["opening"], "0.00");
    assert_eq!(st["budget"], "15000.00");
    assert_eq!(st["donations"], "500.00");
    assert_eq!(st["disbursements"], "10000.00");
    assert_eq!(st["closing"], "5500.00");
    assert_eq!(ledger["entries"].as_array().unwrap().len(), 3);
    let text = ok(run(d, &["fund", "ledger"], None));
    assert!(text.contains("donation from 爱心企业") && text.contains(&format!("paid to case {a}")), "{text}");

    ok(run(
        d,
        &["--operator", "super01", "fund", "correct", "500", "--direction", "decrease", "--reason", "bank fee"],
        None,
    ));
    assert_eq!(ok(run(d, &["fund", "balance"], None)).trim(), "5000.00");
}

#[test]
fn approval_above_the_clerks_limit_needs_a_supervisor_and_nobody_approves_above_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add(d, &case_json(&person(1), "2000"));
    ok(run(d, &["case", "refer", &id], None));
    let shown: serde_json::Value = serde_json::from_str(&ok(run(d, &["case", "show", &id, "--json"], None))).unwrap();
    assert_eq!(shown["referrals"][0]["department"], "civil_affairs", "the policy's department for the kind");
    ok(run(d, &["case", "review", &id], None));
    let before = fingerprint(d);
    // Temporary assistance is capped at 3000 a case: not even a supervisor goes above it.
    assert_refused(&run(d, &["case", "approve", &id, "--amount", "3500"], None), "the cap of 3000.00 per case");
    assert_refused(
        &run(d, &["case", "approve", &id, "--amount", "3500", "--supervisor"], None),
        "nobody can approve more than 3000.00",
    );
    assert_eq!(fingerprint(d), before);
    // More than the 2000 asked for is refused too (issue 10); what was asked is approved.
    assert_refused(&run(d, &["case", "approve", &id, "--amount", "2500"], None), "more than the 2000.00 requested");
    assert!(ok(run(d, &["case", "approve", &id, "--amount", "2000"], None)).contains("approved"));

    // Disaster relief is the department's to decide: above the clerk's limit a supervisor approves it.
    let disaster = case_json(&person(2), "4500")
        .replace("\"kind\":\"temporary\"", "\"kind\":\"disaster\"")
        .replace("serious_illness", "disaster");
    let id = add(d, &disaster);
    ok(run(d, &["case", "refer", &id], None));
    ok(run(d, &["case", "review", &id], None));
    let before = fingerprint(d);
    assert_refused(&run(d, &["case", "approve", &id], None), "above the clerk's limit of 3000.00");
    assert_eq!(fingerprint(d), before);
    assert!(ok(run(d, &["case", "approve", &id, "--supervisor"], None)).contains("approved"));
    let shown: serde_json::Value = serde_json::from_str(&ok(run(d, &["case", "show", &id, "--json"], None))).unwrap();
    assert_eq!(shown["granted_amount"], "4500.00");
}

#[test]
fn a_green_case_is_never_approved_above_the_reserve_fund_grant() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let green = add(d, &green_illness(&person(1)));
    let before = fingerprint(d);
    assert_refused(
        &run(d, &["--operator", "super01", "case", "approve", &green, "--amount", "60000", "--supervisor"], None),
        "the reserve-fund grant of 10000.00 per patient",
    );
    assert_eq!(fingerprint(d), before);
    ok(run(d, &["--operator", "super01", "case", "approve", &green, "--amount", "10000", "--supervisor"], None));
}

#[test]
fn overdue_lists_open_cases_past_their_due_date() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let late = ok(run_at(
        d,
        "2026-10-09T09:00:00+08:00",
        &["case", "add", "--json", "-"],
        Some(&case_json(&person(1), "100")),
    ));
    let late = late.trim().to_string();
    let done = ok(run_at(
        d,
        "2026-10-09T09:05:00+08:00",
        &["case", "add", "--json", "-"],
        Some(&case_json(&person(2), "100")),
    ));
    let done = done.trim().to_string();
    assert!(!late.is_empty() && !done.is_empty());
    ok(run(d, &["case", "withdraw", &done], None));
    let fresh = add(d, &case_json(&person(3), "100"));
    let list = ok(run(d, &["case", "list", "--overdue"], None));
    assert!(list.contains(&late), "{list}");
    assert!(!list.contains(&done) && !list.contains(&fresh), "{list}");
}

/// The overdue list prints each late case as the day's list does (the same
/// line, the same JSON), in id order, and takes the other filters with it.
#[test]
fn the_overdue_list_prints_each_late_case_as_the_days_list_does() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add_at =
        |now: &str, json: &str| ok(run_at(d, now, &["case", "add", "--json", "-"], Some(json))).trim().to_string();
    let medical = |n: u32| case_json(&person(n), "300").replace("\"kind\":\"temporary\"", "\"kind\":\"medical\"");
    let (oct9, oct12) = ("2026-10-09T09:00:00+08:00", "2026-10-12T10:00:00+08:00");
    let first = add_at(oct9, &case_json(&person(1), "100"));
    let ill = add_at(oct9, &medical(2));
    let gone = add_at(oct9, &case_json(&person(3), "100"));
    let reviewed = add_at(oct12, &case_json(&person(4), "200"));
    ok(run(d, &["case", "withdraw", &gone], None));
    ok(run_at(d, oct12, &["case", "refer", &reviewed], None));
    let fresh = add(d, &case_json(&person(5), "100"));
    let late = [&first, &ill, &reviewed];

    // The day's lists, line by line and case by case.
    let (mut lines, mut cases) = (Vec::new(), Vec::new());
    for day in ["2026-10-09", "2026-10-12"] {
        lines.extend(ok(run(d, &["case", "list", "--day", day], None)).lines().map(str::to_string));
        let json: serde_json::Value =
            serde_json::from_str(&ok(run(d, &["case", "list", "--day", day, "--json"], None))).unwrap();
        cases.extend(json.as_array().unwrap().iter().cloned());
    }
    let line_of = |id: &str| lines.iter().find(|l| l.starts_with(id)).unwrap().clone();
    let case_of = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap().clone();
    let text = |ids: &[&String]| ids.iter().map(|id| line_of(id) + "\n").collect::<String>();
    let json = |ids: &[&String]| serde_json::Value::Array(ids.iter().map(|id| case_of(id)).collect());
    let listed = |args: &[&str]| {
        let mut all = vec!["case", "list", "--overdue"];
        all.extend_from_slice(args);
        ok(run(d, &all, None))
    };
    let listed_json = |args: &[&str]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str::<serde_json::Value>(&listed(&all)).unwrap()
    };

    assert_eq!(listed(&[]), text(&late));
    assert_eq!(listed_json(&[]), json(&late));
    assert!(!listed(&[]).contains(&gone) && !listed(&[]).contains(&fresh));
    assert_eq!(listed(&["--kind", "medical"]), text(&[&ill]));
    assert_eq!(listed_json(&["--kind", "medical"]), json(&[&ill]));
    let state = case_of(&reviewed)["state"].as_str().unwrap().to_string();
    assert_eq!(listed(&["--state", &state]), text(&[&reviewed]));
    assert_eq!(listed(&["--day", "2026-10-09"]), text(&[&first, &ill]));
    assert_eq!(listed(&["--id-number", &person(4)]), text(&[&reviewed]));
    assert_eq!(listed_json(&["--id-number", &person(4)]), json(&[&reviewed]));
    assert_eq!(listed(&["--id-number", &person(5)]), "", "a person with no late case");
}

/// More overdue cases than the store is asked for at a time, between closed
/// ones: each is listed once, in id order.
#[test]
fn every_overdue_case_is_listed_once_however_many_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut rng = onedoor::bench::Rng::new(5);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-09-01T09:00:00+08:00").unwrap();
    let cases: Vec<onedoor::domain::Case> = (1..=3_100u32)
        .map(|seq| {
            let id = onedoor::domain::CaseId::new("320106001", 1, day, seq);
            let mut case = onedoor::bench::synthetic_case(&mut rng, id, u64::from(seq), at);
            let state = if seq % 3 == 0 { onedoor::domain::State::Withdrawn } else { onedoor::domain::State::Received };
            (case.channel, case.state) = (onedoor::domain::Channel::Normal, state);
            case
        })
        .collect();
    let store = onedoor::store::Store::open(d, &Default::default()).unwrap();
    store.bulk_load(&cases).unwrap();
    drop(store);
    let late: Vec<String> =
        cases.iter().filter(|c| c.state == onedoor::domain::State::Received).map(|c| c.id.to_string()).collect();
    let list = ok(run(d, &["case", "list", "--overdue"], None));
    let listed: Vec<&str> = list.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(listed, late);
}

#[test]
fn policy_show_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(run(dir.path(), &["policy", "show"], None));
    assert!(text.contains("240") && text.contains("3000"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(dir.path(), &["policy", "show", "--json"], None))).unwrap();
    assert!(json["version"].as_str().is_some());

    let good = dir.path().join("good.toml");
    std::fs::write(&good, onedoor::domain::policy::DEFAULT_POLICY_TOML).unwrap();
    assert!(ok(run(dir.path(), &["policy", "check", good.to_str().unwrap()], None)).contains("is valid"));
    let bad = dir.path().join("bad.toml");
    let broken = onedoor::domain::policy::DEFAULT_POLICY_TOML.replacen("version", "verison", 1);
    std::fs::write(&bad, &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("verison")).unwrap() + 1;
    assert_refused(&run(dir.path(), &["policy", "check", bad.to_str().unwrap()], None), &format!("line {line}"));
}

#[test]
fn the_fund_pays_only_emergency_cases_and_never_more_than_approved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(run(d, &["fund", "deposit", "50000", "--source", "budget"], None));
    let ordinary = add(d, &case_json(&person(1), "500"));
    ok(run(d, &["case", "refer", &ordinary], None));
    ok(run(d, &["case", "review", &ordinary], None));
    ok(run(d, &["case", "approve", &ordinary], None));
    let green = add(d, &green_illness(&person(2)));
    ok(run(d, &["--operator", "super01", "case", "approve", &green, "--supervisor"], None));
    let before = fingerprint(d);
    assert_refused(&run(d, &["fund", "disburse", &ordinary], None), "only emergency");
    assert_refused(&run(d, &["fund", "disburse", &green, "--amount", "10000.01"], None), "more than the approved");
    assert_eq!(fingerprint(d), before);
    assert!(ok(run(d, &["fund", "disburse", &green, "--amount", "8000"], None))
        .contains("disbursed 8000.00; balance 42000.00"));
}

#[test]
fn a_districts_policy_directory_overrides_the_builtin_policy_and_keeps_earlier_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A case received before the district configured its policies records the built-in one.
    let before = add(d, &case_json(&person(1), "2500"));
    let policies = d.join("policies");
    std::fs::create_dir(&policies).unwrap();
    let builtin = onedoor::domain::policy::DEFAULT_POLICY_TOML;
    let district = |version: &str, from: &str, cap: &str| {
        builtin
            .replacen("version = \"builtin-2026.1\"", &format!("version = \"{version}\""), 1)
            .replacen("effective_from = 2026-01-01", &format!("effective_from = {from}"), 1)
            .replacen("per_case_cap = 3000", &format!("per_case_cap = {cap}"), 1)
    };
    std::fs::write(policies.join("2025.toml"), district("district-2025", "2025-01-01", "2000")).unwrap();
    std::fs::write(policies.join("2027.toml"), district("district-2027", "2027-01-01", "1500")).unwrap();
    std::fs::write(policies.join("README.txt"), "not a policy").unwrap();
    let config = d.join("onedoor.toml");
    std::fs::write(&config, format!("[policy]\nfile = {:?}\n", policies.to_str().unwrap())).unwrap();
    let config = config.to_str().unwrap();

    let shown = ok(run(d, &["--config", config, "policy", "show"], None));
    assert!(shown.contains("district-2025"), "{shown}");
    assert!(shown.contains("Kept for the cases that recorded it: builtin-2026.1"), "{shown}");
    let later = ok(run(d, &["--config", config, "policy", "show", "--day", "2027-03-01"], None));
    assert!(later.contains("district-2027") && later.contains("1500"), "{later}");

    // A new case is judged by the district's policy in force today, and records it.
    let after = ok(run(d, &["--config", config, "case", "add", "--json", "-"], Some(&case_json(&person(2), "2500"))));
    let after = after.trim();
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(d, &["--config", config, "case", "show", after, "--json"], None))).unwrap();
    assert_eq!(json["policy"], "district-2025");
    assert_eq!(json["entitlement"]["amount"], "2000.00");
    // The earlier case keeps the built-in decision: 2500 is within its cap of 3000.
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(d, &["--config", config, "case", "show", &before, "--json"], None))).unwrap();
    assert_eq!(json["policy"], "builtin-2026.1");
    for step in ["refer", "review"] {
        ok(run(d, &["--config", config, "case", step, &before], None));
    }
    ok(run(d, &["--config", config, "case", "approve", &before, "--amount", "2500"], None));

    // A broken file in the directory is named, with its line.
    std::fs::write(policies.join("2026.toml"), builtin.replacen("version", "verison", 1)).unwrap();
    let r = run(d, &["--config", config, "policy", "show"], None);
    assert_refused(&r, "2026.toml");
}

#[test]
fn case_show_and_list_say_how_each_deadline_stands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Monday 30 November: referred the same day, the department has 9 working days.
    let id = add(d, &case_json(&person(1), "800"));
    ok(run(d, &["case", "refer", &id], None));
    let on_10_december = "2026-12-10T09:00:00+08:00";
    let shown = ok(run_at(d, on_10_december, &["case", "show", &id], None));
    assert!(shown.contains("due by      2026-12-21 (on_track)"), "{shown}");
    assert!(shown.contains("referral    civil_affairs due 2026-12-11 (open, at_risk)"), "{shown}");
    let list = ok(run_at(d, on_10_december, &["case", "list", "--day", "2026-11-30"], None));
    assert!(list.contains("2026-12-21 on_track"), "{list}");
    let list = ok(run_at(d, "2026-12-22T09:00:00+08:00", &["case", "list", "--day", "2026-11-30"], None));
    assert!(list.contains("2026-12-21 breached"), "{list}");
    // Once answered, a referral has no deadline left.
    ok(run(d, &["case", "review", &id], None));
    let shown = ok(run_at(d, on_10_december, &["case", "show", &id], None));
    assert!(shown.contains("referral    civil_affairs due 2026-12-11 (answered 2026-11-30)"), "{shown}");
}

#[test]
fn a_green_case_not_helped_within_a_working_day_is_overdue_until_it_is_paid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(run(d, &["fund", "deposit", "50000", "--source", "budget"], None));
    let green = add(d, &green_illness(&person(1)));
    let shown = ok(run(d, &["case", "show", &green], None));
    assert!(shown.contains("help by     2026-12-01 (at_risk)"), "{shown}");
    let wednesday = "2026-12-02T09:00:00+08:00";
    let shown = ok(run_at(d, wednesday, &["case", "show", &green], None));
    assert!(shown.contains("help by     2026-12-01 (breached)"), "{shown}");
    assert!(ok(run_at(d, wednesday, &["case", "list", "--overdue"], None)).contains(&green));
    // Paid: only the after-the-fact review is due, on 8 December.
    ok(run_at(d, wednesday, &["--operator", "super01", "case", "approve", &green, "--supervisor"], None));
    ok(run_at(d, wednesday, &["fund", "disburse", &green], None));
    let shown = ok(run_at(d, wednesday, &["case", "show", &green], None));
    assert!(!shown.contains("help by"), "{shown}");
    assert!(shown.contains("due by      2026-12-08 (on_track)"), "{shown}");
    assert!(!ok(run_at(d, wednesday, &["case", "list", "--overdue"], None)).contains(&green));
}

#[test]
fn a_possible_duplicate_names_the_earlier_case_when_it_is_added_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let medical = case_json(&person(1), "500").replace("\"kind\":\"temporary\"", "\"kind\":\"medical\"");
    let first = add(d, &medical);
    let r = run(d, &["case", "add", "--json", "-"], Some(&medical));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second = r.stdout.trim();
    assert_eq!(r.stderr.trim(), format!("note: {second} may duplicate earlier assistance: {first}"));
    let shown = ok(run(d, &["case", "show", second], None));
    assert!(shown.contains("possible_duplicate"), "{shown}");
    assert!(shown.contains(&format!("earlier     {first}")), "{shown}");
    // The first case had nothing before it: no note.
    assert!(add(d, &case_json(&person(2), "100")).len() > 10);
}

/// Runs a command as `who`, with the config file `config`.
fn as_who(d: &std::path::Path, config: &std::path::Path, who: &str, args: &[&str], stdin: Option<&str>) -> Run {
    let mut all = vec!["--config", config.to_str().unwrap(), "--operator", who];
    all.extend_from_slice(args);
    run(d, &all, stdin)
}

#[test]
fn only_the_listed_supervisors_act_as_supervisors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("onedoor.toml");
    std::fs::write(&config, "[counter]\nsupervisors = [\"head01\"]\n").unwrap();
    let c = config.as_path();
    ok(as_who(d, c, "clerk01", &["fund", "deposit", "5000", "--source", "budget"], None));
    let disaster = case_json(&person(1), "4500")
        .replace("\"kind\":\"temporary\"", "\"kind\":\"disaster\"")
        .replace("serious_illness", "disaster");
    let id = ok(as_who(d, c, "clerk01", &["case", "add", "--json", "-"], Some(&disaster))).trim().to_string();
    ok(as_who(d, c, "clerk01", &["case", "refer", &id], None));
    ok(as_who(d, c, "clerk01", &["case", "review", &id], None));
    let before = fingerprint(d);
    let not = "clerk01 is not a supervisor";
    assert_refused(&as_who(d, c, "clerk01", &["case", "approve", &id, "--supervisor"], None), not);
    let correct = ["fund", "correct", "100", "--direction", "decrease", "--reason", "bank fee"];
    assert_refused(&as_who(d, c, "clerk01", &correct, None), not);
    assert_eq!(fingerprint(d), before);
    // A blocked duplicate let through by someone who is not a supervisor.
    let temporary = case_json(&person(2), "100");
    ok(as_who(d, c, "clerk01", &["case", "add", "--json", "-"], Some(&temporary)));
    let before_override = fingerprint(d);
    let through = ["case", "add", "--json", "-", "--override-duplicate", "verified at home"];
    assert_refused(&as_who(d, c, "clerk01", &through, Some(&temporary)), not);
    assert_eq!(fingerprint(d), before_override);
    // The supervisor can do all three.
    assert!(ok(as_who(d, c, "head01", &["case", "approve", &id, "--supervisor"], None)).contains("approved"));
    assert!(ok(as_who(d, c, "head01", &correct, None)).contains("4900.00"));
    ok(as_who(d, c, "head01", &through, Some(&temporary)));
}

#[test]
fn fund_refusals_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(run(d, &["fund", "deposit", "1000", "--source", "budget"], None));
    let before = fingerprint(d);
    assert_refused(&run(d, &["fund", "deposit", "500", "--source", "donation"], None), "donor");
    let blank = ["fund", "correct", "10", "--direction", "increase", "--reason", "  "];
    assert_refused(&run(d, &blank, None), "reason");
    let too_much = ["fund", "correct", "1000.01", "--direction", "decrease", "--reason", "bank fee"];
    assert_refused(&run(d, &too_much, None), "would leave it below zero");
    assert_bad_argument(&run(d, &["fund", "deposit", "-5", "--source", "budget"], None), "-5");
    assert_bad_argument(&run(d, &["fund", "deposit", "1.001", "--source", "budget"], None), "1.001");
    assert_eq!(fingerprint(d), before);
    assert_eq!(ok(run(d, &["fund", "balance"], None)).trim(), "1000.00");
}

//! The command line as a newcomer meets it: a wrong argument gets clap's whole
//! message (what is missing, the values allowed), every option has a help
//! line, and a command that only reads never makes a store where there is none.

mod common;

use common::*;

/// Every subcommand, as typed after `onedoor`.
const COMMANDS: &[&[&str]] = &[
    &["case", "add"],
    &["case", "show"],
    &["case", "list"],
    &["case", "refer"],
    &["case", "review"],
    &["case", "approve"],
    &["case", "reject"],
    &["case", "disburse"],
    &["case", "complete"],
    &["case", "withdraw"],
    &["case", "import"],
    &["case", "export"],
    &["id", "check"],
    &["demo"],
    &["fund", "deposit"],
    &["fund", "disburse"],
    &["fund", "correct"],
    &["fund", "balance"],
    &["fund", "ledger"],
    &["policy", "show"],
    &["policy", "check"],
    &["card", "read"],
    &["devices", "probe"],
    &["receipt", "print"],
    &["receipt", "pending"],
    &["backup"],
    &["restore"],
    &["report", "daily"],
    &["audit", "verify"],
    &["audit", "log"],
    &["operator", "add"],
    &["operator", "list"],
    &["operator", "disable"],
    &["operator", "pin"],
    &["bench"],
];

fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut all = args.to_vec();
    all.push("-h");
    let r = run(dir.path(), &all, None);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

#[test]
fn a_missing_argument_is_named_and_a_bad_value_lists_the_allowed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run(d, &["case", "refer"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: the following required arguments were not provided:"), "{}", r.stderr);
    assert!(r.stderr.contains("<ID>") && r.stderr.contains("Usage:"), "the list and the usage: {}", r.stderr);

    for (args, allowed) in [
        (&["case", "export", "--format", "xml"][..], "jsonl, csv"),
        (&["report", "daily", "--format", "pdf"][..], "text, csv, json"),
        (&["case", "list", "--state", "open"][..], "received, referred, under_review, approved"),
        (&["case", "list", "--kind", "food"][..], "dibao, special_hardship"),
        (&["case", "refer", "320106001-01-20261130-0001", "--to", "police"][..], "civil_affairs, education"),
        (&["fund", "deposit", "100", "--source", "lottery"][..], "budget, donation"),
        (&["--lang", "fr", "case", "list"][..], "zh-CN, en"),
    ] {
        let r = run(d, args, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: invalid value"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(allowed), "{args:?} should list {allowed}: {}", r.stderr);
    }
    assert!(!onedoor::store::Store::exists(d), "a bad argument touches nothing");
}

#[test]
fn every_option_has_a_help_line_and_fixed_values_are_listed() {
    for args in COMMANDS {
        let text = help(args);
        // Every argument too: "  <ID>  The case id".
        if let Some(arguments) = text.split("Arguments:").nth(1) {
            for line in arguments.lines().skip(1).take_while(|l| !l.trim().is_empty()) {
                let said = line.trim_start().split_once("  ").map(|(_, said)| said.trim()).unwrap_or("");
                assert!(!said.is_empty(), "{args:?}: no help for the argument {line:?}");
            }
        }
        let options = text.split("Options:").nth(1).unwrap_or_else(|| panic!("{args:?}: {text}"));
        for line in options.lines().filter(|l| l.trim_start().starts_with('-')) {
            // "  -h, --help  Print help" or "      --state <STATE>  Cases in this state […]".
            let spec_end = line.trim_start().find("  ").unwrap_or_else(|| panic!("{args:?}: no help for {line:?}"));
            let said = line.trim_start()[spec_end..].trim();
            assert!(!said.is_empty(), "{args:?}: no help for {line:?}");
        }
    }
    let list = help(&["case", "list"]);
    assert!(list.contains("[possible values: received, referred, under_review, approved, rejected"), "{list}");
    assert!(list.contains("dibao, special_hardship, disaster, medical"), "{list}");
    assert!(help(&["case", "refer"]).contains("civil_affairs, education, human_resources"));
    assert!(help(&["case", "export"]).contains("[possible values: jsonl, csv]"));
    assert!(help(&["fund", "deposit"]).contains("[possible values: budget, donation]"));
    for printer in [&["receipt", "print"][..], &["report", "daily"][..]] {
        let text = help(printer);
        assert!(text.contains("usb:/dev/usb/lp0") && text.contains("tcp:"), "{printer:?}: {text}");
    }
}

#[test]
fn a_read_only_command_on_a_missing_store_says_so_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("nowhere");
    for args in [
        &["case", "list"][..],
        &["case", "show", "320106001-01-20261130-0001"][..],
        &["case", "export"][..],
        &["report", "daily"][..],
        &["fund", "balance"][..],
        &["fund", "ledger"][..],
        &["receipt", "pending"][..],
        &["receipt", "print", "320106001-01-20261130-0001"][..],
        &["audit", "verify"][..],
        &["audit", "log"][..],
        &["operator", "list"][..],
    ] {
        let r = run(&d, args, None);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim(), format!("error: there is no store in {}", d.display()), "{args:?}");
        assert!(!d.exists(), "{args:?} made {}", d.display());
    }
    // A command that writes makes the store.
    add(&d, &case_json("11010519491231002X", "100"));
    assert_eq!(run(&d, &["case", "list"], None).code, 0);
}

/// As `run`, in `lang` (`--lang` works on every command).
fn run_in(lang: &str, data: &std::path::Path, args: &[&str]) -> Run {
    let mut all = vec!["--lang", lang];
    all.extend_from_slice(args);
    run(data, &all, None)
}

#[test]
fn every_message_and_the_text_reports_follow_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add(d, &case_json("11010519491231002X", "5000"));

    // A refusal: the whole line in one language.
    let zh = run_in("zh-CN", d, &["case", "disburse", &id]);
    assert_eq!(zh.code, 2);
    assert_eq!(zh.stderr.trim(), "error: 不能发放（已受理）：只有已批准的案件可以发放");
    let en = run_in("en", d, &["case", "disburse", &id]);
    assert_eq!(en.stderr.trim(), "error: cannot disburse a case that is received: only an approved case can be paid");

    // case show, for a person to read.
    let shown = run_in("zh-CN", d, &["case", "show", &id]).stdout;
    for line in ["状态        已受理", "类别        临时救助（普通）", "家庭        1 人，月收入 0.00元", "办理记录"]
    {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
    assert!(!shown.contains("received") && !shown.contains("temporary"), "no English in the Chinese text:\n{shown}");

    // report daily's text.
    let report = run_in("zh-CN", d, &["report", "daily"]).stdout;
    for line in ["日报", "受理案件", "临时救助", "应急救助备用金", "期末余额", "所有日期仍在办理的案件"]
    {
        assert!(report.contains(line), "{line:?} in\n{report}");
    }
    assert!(!report.contains("cases received") && !report.contains("relief fund"), "{report}");
    // The codes stay in the machine-readable forms.
    let csv = run_in("zh-CN", d, &["report", "daily", "--format", "csv"]).stdout;
    assert!(csv.starts_with("day,section,item,value\n") && csv.contains(",received_by_kind,temporary,1"), "{csv}");

    // id check, a command that needs no store, and the missing store, in both.
    let checked = run_in("zh-CN", d, &["id", "check", "11010519491231002X"]).stdout;
    assert!(checked.contains("出生日期：1949-12-31") && checked.contains("性别：女"), "{checked}");
    let missing = dir.path().join("none");
    let r = run_in("zh-CN", &missing, &["case", "list"]);
    assert_eq!(r.stderr.trim(), format!("error: {} 中没有数据", missing.display()));
}

/// `onedoor bench --json` gives every figure issue 13 names, each with its
/// unit in the key, measured as the installed launcher runs the counter
/// (glibc's malloc tunables), unless the caller set tunables of their own.
#[test]
fn bench_json_names_each_figure_with_its_unit_and_the_malloc_settings() {
    let dir = tempfile::tempdir().unwrap();
    let bench = |tunables: Option<&str>| {
        let mut cmd = onedoor(dir.path());
        cmd.args(["bench", "--cases", "300", "--json"]);
        match tunables {
            Some(t) => cmd.env("GLIBC_TUNABLES", t),
            None => cmd.env_remove("GLIBC_TUNABLES"),
        };
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let figures = bench(None);
    for key in [
        "open_ms",
        "commit_p50_us",
        "commit_p99_us",
        "lookup_p50_us",
        "lookup_p99_us",
        "import_cases_per_s",
        "frame_p99_us_80x24",
        "report_daily_ms",
        "rss_peak_mb",
        "disk_mb",
    ] {
        let v = figures[key].as_f64().unwrap_or_else(|| panic!("{key} in {figures}"));
        assert!(v > 0.0, "{key} = {v}");
    }
    assert_eq!(figures["cases"], 300);
    assert_eq!(figures["glibc_tunables"], onedoor::bench::KIOSK_MALLOC_TUNABLES);
    let own = bench(Some("glibc.malloc.arena_max=2"));
    assert_eq!(own["glibc_tunables"], "glibc.malloc.arena_max=2");
}

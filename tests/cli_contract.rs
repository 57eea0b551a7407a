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
    &["report", "daily"],
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

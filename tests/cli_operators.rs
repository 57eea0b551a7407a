//! Operators through the real binary: the first supervisor, then every
//! change needs an operator and their PIN (a wrong PIN exits 2 and changes
//! nothing, five lock the operator out, recorded in the audit log), only a
//! supervisor adds, disables and resets, and names that could forge a
//! history line are refused.

mod common;

use std::path::Path;

use common::*;

const HEAD_PIN: &str = "482913";
const CLERK_PIN: &str = "730516";

/// Runs as `operator` with `pin` (none: no PIN given), `new_pin` for the PIN being set.
fn as_op(
    d: &Path,
    operator: &str,
    pin: Option<&str>,
    new_pin: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
) -> Run {
    let mut cmd = onedoor(d);
    cmd.env("ONEDOOR_OPERATOR", operator).env_remove("ONEDOOR_PIN").env_remove("ONEDOOR_NEW_PIN");
    if let Some(p) = pin {
        cmd.env("ONEDOOR_PIN", p);
    }
    if let Some(p) = new_pin {
        cmd.env("ONEDOOR_NEW_PIN", p);
    }
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A store with head01 (supervisor) and clerk01 (clerk).
fn staffed(d: &Path) {
    // The first operator must be a supervisor; while there is none, no PIN is asked.
    let r = as_op(d, "clerk01", None, Some(CLERK_PIN), &["operator", "add", "clerk01", "--role", "clerk"], None);
    assert_refused(&r, "the first operator must be a supervisor");
    ok(as_op(d, "head01", None, Some(HEAD_PIN), &["operator", "add", "head01", "--role", "supervisor"], None));
    ok(as_op(d, "head01", Some(HEAD_PIN), Some(CLERK_PIN), &["operator", "add", "clerk01", "--role", "clerk"], None));
}

#[test]
fn once_there_are_operators_every_change_needs_a_pin_and_a_wrong_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    staffed(d);
    let json = case_json("11010519491231002X", "800");
    let add = ["case", "add", "--json", "-"];
    // No PIN and no terminal to ask at.
    assert_refused(&as_op(d, "clerk01", None, None, &add, Some(&json)), "clerk01 must give their PIN");
    // Someone typing another's name, or a wrong PIN: refused, no case.
    assert_refused(&as_op(d, "nobody", Some(CLERK_PIN), None, &add, Some(&json)), "no operator nobody");
    let wrong = as_op(d, "clerk01", Some("111222"), None, &add, Some(&json));
    assert_refused(&wrong, "wrong PIN (4 tries left before a lockout)");
    assert!(ok(run(d, &["case", "list"], None)).trim().is_empty(), "nothing was added");
    // The right PIN: the case is added, the history names the operator.
    let id = ok(as_op(d, "clerk01", Some(CLERK_PIN), None, &add, Some(&json))).trim().to_string();
    let shown = ok(run(d, &["case", "show", &id, "--json"], None));
    assert!(shown.contains(r#""by":"clerk01","action":"received""#), "{shown}");
    // A PIN from a file, for scripts.
    let file = d.join("pin");
    std::fs::write(&file, format!("{CLERK_PIN}\n")).unwrap();
    let mut cmd = onedoor(d);
    cmd.env_remove("ONEDOOR_PIN").args(["--pin-file", file.to_str().unwrap(), "case", "refer", &id]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A clerk is no supervisor however the name is typed.
    let r =
        as_op(d, "clerk01", Some(CLERK_PIN), Some("905183"), &["operator", "add", "clerk02", "--role", "clerk"], None);
    assert_refused(&r, "only a supervisor can do this");
    let r = as_op(
        d,
        "clerk01",
        Some(CLERK_PIN),
        None,
        &["fund", "correct", "10", "--direction", "increase", "--reason", "x"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let log = ok(run(d, &["audit", "log", "--json"], None));
    assert!(log.contains(r#""action":"operator_added""#) && log.contains(r#""action":"sign_in_failed""#), "{log}");
}

#[test]
fn five_wrong_pins_lock_the_operator_out_until_a_supervisor_resets_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    staffed(d);
    let json = case_json("11010519491231002X", "800");
    let add = ["case", "add", "--json", "-"];
    for left in [4, 3, 2, 1] {
        let r = as_op(d, "clerk01", Some("111222"), None, &add, Some(&json));
        assert_refused(&r, &format!("wrong PIN ({left} tries left"));
    }
    assert_refused(&as_op(d, "clerk01", Some("111222"), None, &add, Some(&json)), "locked out until 2026-11-30 09:01");
    // Locked out: even the right PIN is refused now.
    assert_refused(&as_op(d, "clerk01", Some(CLERK_PIN), None, &add, Some(&json)), "locked out until");
    let listed = ok(run(d, &["operator", "list"], None));
    assert!(listed.lines().any(|l| l.starts_with("clerk01") && l.contains("locked out until")), "{listed}");
    let log = ok(run(d, &["audit", "log", "--by", "clerk01", "--json"], None));
    assert_eq!(log.matches(r#""action":"sign_in_failed""#).count(), 4, "{log}");
    assert_eq!(log.matches(r#""action":"locked_out""#).count(), 1, "{log}");
    // The supervisor resets the PIN: the lockout is lifted.
    ok(as_op(d, "head01", Some(HEAD_PIN), Some("640275"), &["operator", "pin", "clerk01"], None));
    ok(as_op(d, "clerk01", Some("640275"), None, &add, Some(&json)));
    // Disabled, the name can no longer act.
    ok(as_op(d, "head01", Some(HEAD_PIN), None, &["operator", "disable", "clerk01"], None));
    assert_refused(&as_op(d, "clerk01", Some("640275"), None, &add, Some(&json)), "operator clerk01 is disabled");
    assert_refused(
        &as_op(d, "head01", Some(HEAD_PIN), None, &["operator", "disable", "head01"], None),
        "cannot disable themself",
    );
}

#[test]
fn names_that_could_forge_a_history_line_and_weak_pins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, needle) in [
        ("head01\n2026-11-30 09:00  head01  approved", "may hold only letters, digits"),
        ("head 01", "may hold only letters, digits"),
        ("head\u{202e}10", "may hold only letters, digits"),
        ("", "cannot be empty"),
    ] {
        let r = as_op(d, "head01", None, Some(HEAD_PIN), &["operator", "add", name, "--role", "supervisor"], None);
        assert_refused(&r, needle);
    }
    for (pin, needle) in [("123456", "guessed first"), ("4829", "6 to 12 digits"), ("48291a", "digits only")] {
        let r = as_op(d, "head01", None, Some(pin), &["operator", "add", "head01", "--role", "supervisor"], None);
        assert_refused(&r, needle);
    }
    assert!(!onedoor::store::Store::open(d, &Default::default()).unwrap().has_operators());
}

/// `case export --full-id` is a supervisor's: refused for a clerk (exit 2,
/// nothing written, nothing audited), allowed for a supervisor and then in
/// the audit log with how many cases.
#[test]
fn full_id_export_needs_a_supervisor_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    staffed(&d);
    for n in 1..=2 {
        ok(as_op(
            &d,
            "clerk01",
            Some(CLERK_PIN),
            None,
            &["case", "add", "--json", "-"],
            Some(&case_json(&person(n), "100")),
        ));
    }
    let masked = ok(as_op(&d, "clerk01", Some(CLERK_PIN), None, &["case", "export"], None));
    assert_eq!(masked.lines().count(), 2);
    assert!(!masked.contains(&person(1)), "{masked}");

    let before = fingerprint(&d);
    let r = as_op(&d, "clerk01", Some(CLERK_PIN), None, &["case", "export", "--full-id"], None);
    assert_refused(&r, "clerk01 is not a supervisor");
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(fingerprint(&d), before);
    let r = as_op(&d, "head01", Some("111222"), None, &["case", "export", "--full-id"], None);
    assert_refused(&r, "wrong PIN");
    assert!(r.stdout.is_empty());

    let full = ok(as_op(&d, "head01", Some(HEAD_PIN), None, &["case", "export", "--full-id"], None));
    assert_eq!(full.lines().count(), 2);
    assert!(full.contains(&person(1)) && full.contains(&person(2)), "{full}");
    let log = ok(as_op(&d, "head01", Some(HEAD_PIN), None, &["audit", "log"], None));
    let line = log.lines().find(|l| l.contains("full_id_export")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("head01") && line.contains("export with full ID numbers: 2 cases"), "{line}");
    assert_eq!(log.matches("full_id_export").count(), 1, "{log}");
    ok(as_op(&d, "head01", Some(HEAD_PIN), None, &["audit", "verify"], None));
}

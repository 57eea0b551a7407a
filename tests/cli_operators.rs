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
    as_op_countersigned(d, operator, pin, new_pin, None, args, stdin)
}

/// As [`as_op`], with `countersign_pin` in `ONEDOOR_COUNTERSIGN_PIN`.
fn as_op_countersigned(
    d: &Path,
    operator: &str,
    pin: Option<&str>,
    new_pin: Option<&str>,
    countersign_pin: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
) -> Run {
    let mut cmd = onedoor(d);
    cmd.env("ONEDOOR_OPERATOR", operator)
        .env_remove("ONEDOOR_PIN")
        .env_remove("ONEDOOR_NEW_PIN")
        .env_remove("ONEDOOR_COUNTERSIGN_PIN");
    if let Some(p) = pin {
        cmd.env("ONEDOOR_PIN", p);
    }
    if let Some(p) = new_pin {
        cmd.env("ONEDOOR_NEW_PIN", p);
    }
    if let Some(p) = countersign_pin {
        cmd.env("ONEDOOR_COUNTERSIGN_PIN", p);
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
    assert!(ok(as_op(d, "clerk01", Some(CLERK_PIN), None, &["case", "list"], None)).trim().is_empty(), "nothing added");
    // The right PIN: the case is added, the history names the operator.
    let id = ok(as_op(d, "clerk01", Some(CLERK_PIN), None, &add, Some(&json))).trim().to_string();
    let shown = ok(as_op(d, "clerk01", Some(CLERK_PIN), None, &["case", "show", &id, "--json"], None));
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
    let log = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["audit", "log", "--json"], None));
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
    let listed = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["operator", "list"], None));
    assert!(listed.lines().any(|l| l.starts_with("clerk01") && l.contains("locked out until")), "{listed}");
    let log = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["audit", "log", "--by", "clerk01", "--json"], None));
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

const HEAD2_PIN: &str = "570394";

/// A store with head01 and head02 (supervisors) and clerk01 (clerk).
fn staffed_two(d: &Path) {
    staffed(d);
    let add = ["operator", "add", "head02", "--role", "supervisor"];
    ok(as_op(d, "head01", Some(HEAD_PIN), Some(HEAD2_PIN), &add, None));
}

/// Once there are operators, reading personal data needs one too: every
/// read-only command asks for the operator's PIN, refuses a wrong one, and
/// `id check` and `--help` need none.
#[test]
fn once_there_are_operators_reading_needs_an_operator_and_a_pin_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    staffed(d);
    let id = ok(as_op(
        d,
        "clerk01",
        Some(CLERK_PIN),
        None,
        &["case", "add", "--json", "-"],
        Some(&case_json(&person(1), "800")),
    ));
    let id = id.trim();
    let backups = d.join("backups");
    let made = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["backup", backups.to_str().unwrap()], None));
    let backup = made.lines().next().unwrap().split(':').next().unwrap().trim().to_string();
    assert!(std::path::Path::new(&backup).is_dir(), "{made}");
    let reads: [&[&str]; 14] = [
        &["case", "list"],
        &["case", "show", id],
        &["case", "export"],
        &["report", "daily"],
        &["audit", "log"],
        &["audit", "verify"],
        &["fund", "balance"],
        &["fund", "ledger"],
        &["operator", "list"],
        &["receipt", "pending"],
        &["outbox", "list"],
        // No case is read, but a backup, the policy and the devices are for staff too.
        &["backup", "--verify", &backup],
        &["policy", "show"],
        &["devices", "probe"],
    ];
    for args in reads {
        let before = fingerprint(d);
        let none = as_op(d, "clerk01", None, None, args, None);
        assert_refused(&none, "clerk01 must give their PIN");
        assert!(none.stdout.is_empty(), "{args:?} printed without a PIN: {}", none.stdout);
        assert_eq!(fingerprint(d), before, "{args:?}");
        assert_refused(&as_op(d, "nobody", Some(CLERK_PIN), None, args, None), "no operator nobody");
        let wrong = as_op(d, "clerk01", Some("111222"), None, args, None);
        assert_refused(&wrong, "wrong PIN");
        assert!(wrong.stdout.is_empty(), "{args:?} printed with a wrong PIN: {}", wrong.stdout);
        ok(as_op(d, "clerk01", Some(CLERK_PIN), None, args, None));
    }
    // The wrong PINs above counted (and the right one forgot them each time).
    let log = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["audit", "log", "--by", "clerk01", "--json"], None));
    assert_eq!(log.matches(r#""action":"sign_in_failed""#).count(), reads.len(), "{log}");
    // A card's holder is personal data: the reader is not even opened without the operator's PIN.
    let card = as_op(d, "clerk01", Some("111222"), None, &["card", "read", "--port", "/dev/null"], None);
    assert_refused(&card, "wrong PIN");
    // Checking an ID number reads no case: no operator needed.
    assert!(ok(as_op(d, "nobody", None, None, &["id", "check", &person(2)], None)).contains("valid"));
    assert!(ok(as_op(d, "nobody", None, None, &["case", "list", "--help"], None)).contains("Usage"));
}

/// Four eyes on the command line: a clerk's approval above the limit, a
/// payment from the relief fund and a duplicate override are countersigned
/// by a supervisor with `--countersign NAME` and their PIN; a wrong PIN or a
/// forged name changes nothing; a supervisor acts alone on a case only when
/// they did not accept it; the history and the audit entry name both people.
#[test]
fn a_supervisor_countersigns_on_the_command_line_and_never_their_own_case() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    staffed_two(d);
    let clerk = |args: &[&str], stdin: Option<&str>| as_op(d, "clerk01", Some(CLERK_PIN), None, args, stdin);
    let countersigned =
        |pin: Option<&str>, args: &[&str]| as_op_countersigned(d, "clerk01", Some(CLERK_PIN), None, pin, args, None);
    let disaster = case_json(&person(1), "4500")
        .replace("\"kind\":\"temporary\"", "\"kind\":\"disaster\"")
        .replace("serious_illness", "disaster");
    let id = ok(clerk(&["case", "add", "--json", "-"], Some(&disaster))).trim().to_string();
    ok(clerk(&["case", "refer", &id], None));
    ok(clerk(&["case", "review", &id], None));
    let approve = ["case", "approve", &id, "--amount", "4500"];
    assert_refused(&clerk(&approve, None), "a supervisor must approve it");
    let with = ["case", "approve", &id, "--amount", "4500", "--countersign", "head01"];
    assert_refused(&countersigned(None, &with), "head01 must give their PIN to countersign");
    assert_refused(&countersigned(Some("111222"), &with), "the countersign of head01: wrong PIN (4 tries left");
    for forged in ["head01\n2026-11-30 09:00  head01  approved", "head 01", "head\u{202e}10"] {
        let args = ["case", "approve", &id, "--amount", "4500", "--countersign", forged];
        assert_refused(&countersigned(Some(HEAD_PIN), &args), "may hold only letters, digits");
    }
    let not_supervisor = ["case", "approve", &id, "--amount", "4500", "--countersign", "clerk01"];
    assert_refused(&countersigned(Some(CLERK_PIN), &not_supervisor), "clerk01 is not a supervisor");
    // Nothing was approved (a wrong PIN changes only head01's count of wrong PINs).
    let case = onedoor::store::Store::open(d, &Default::default()).unwrap().case(&id.parse().unwrap()).unwrap();
    assert_eq!(case.unwrap().state, onedoor::domain::State::UnderReview);
    assert!(ok(countersigned(Some(HEAD_PIN), &with)).contains("approved"));
    let shown = ok(clerk(&["case", "show", &id, "--json"], None));
    assert!(
        shown.contains(r#""by":"clerk01","action":"approved","note":"4500.00"},{"at":"2026-11-30T09:00:00+08:00","by":"head01","action":"countersigned","note":"approved"}"#),
        "{shown}"
    );
    let text = ok(clerk(&["case", "show", &id], None));
    let line = text.lines().find(|l| l.contains("countersigned")).unwrap_or_default();
    assert!(line.contains("head01") && line.ends_with("— approved"), "{text}");
    let log = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["audit", "log", "--case", &id, "--json"], None));
    assert!(log.contains(r#""by":"clerk01","second":"head01","action":"case_step""#), "{log}");
    // The wrong PIN counted against head01, recorded.
    let failed = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["audit", "log", "--by", "head01", "--json"], None));
    assert_eq!(failed.matches(r#""action":"sign_in_failed""#).count(), 1, "{failed}");

    // A supervisor acting alone on a case they accepted themself: refused; another supervisor may.
    let own = ok(as_op(
        d,
        "head01",
        Some(HEAD_PIN),
        None,
        &["case", "add", "--json", "-"],
        Some(&disaster.replace(&person(1), &person(2))),
    ));
    let own = own.trim();
    for step in ["refer", "review"] {
        ok(as_op(d, "head01", Some(HEAD_PIN), None, &["case", step, own], None));
    }
    let before = fingerprint(d);
    let alone = ["case", "approve", own, "--supervisor"];
    assert_refused(&as_op(d, "head01", Some(HEAD_PIN), None, &alone, None), "head01 accepted this case");
    assert_eq!(fingerprint(d), before);
    assert!(ok(as_op(d, "head02", Some(HEAD2_PIN), None, &alone, None)).contains("approved"));

    // Paying from the relief reserve fund: a supervisor, or a clerk with one's countersign.
    ok(as_op(d, "head01", Some(HEAD_PIN), None, &["fund", "deposit", "50000", "--source", "budget"], None));
    let green =
        case_json(&person(3), "10000").replace("\"kind\":\"temporary\"", "\"kind\":\"medical\",\"channel\":\"green\"");
    let g = ok(clerk(&["case", "add", "--json", "-"], Some(&green))).trim().to_string();
    ok(as_op(d, "head01", Some(HEAD_PIN), None, &["case", "approve", &g, "--supervisor"], None));
    let before = fingerprint(d);
    assert_refused(&clerk(&["fund", "disburse", &g], None), "paying from the relief reserve fund needs a supervisor");
    assert_eq!(fingerprint(d), before);
    assert!(ok(countersigned(Some(HEAD2_PIN), &["fund", "disburse", &g, "--countersign", "head02"])).contains(&g));
    let shown = ok(clerk(&["case", "show", &g, "--json"], None));
    assert!(shown.contains(r#""by":"head02","action":"countersigned","note":"disbursed""#), "{shown}");

    // A blocking duplicate let through: by a supervisor's countersign, not the accepting clerk.
    let temporary = case_json(&person(4), "100");
    ok(clerk(&["case", "add", "--json", "-"], Some(&temporary)));
    let through = ["case", "add", "--json", "-", "--override-duplicate", "入户核实属实"];
    let before = fingerprint(d);
    assert_refused(&clerk(&through, Some(&temporary)), "letting a possible duplicate through needs a supervisor");
    assert_eq!(fingerprint(d), before);
    let with = ["case", "add", "--json", "-", "--override-duplicate", "入户核实属实", "--countersign", "head01"];
    let r = as_op_countersigned(d, "clerk01", Some(CLERK_PIN), None, Some(HEAD_PIN), &with, Some(&temporary));
    let through_id = ok(r).trim().to_string();
    let shown = ok(clerk(&["case", "show", &through_id, "--json"], None));
    assert!(shown.contains(r#""by":"head01","action":"override","note":"入户核实属实""#), "{shown}");
    let log = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["audit", "log", "--case", &through_id, "--json"], None));
    assert!(log.contains(r#""by":"clerk01","second":"head01","action":"case_accepted""#), "{log}");
}

/// Replacing a store that has operators is a supervisor's, signed in: a
/// clerk, or no PIN, is refused and the store stays.
#[test]
fn only_a_supervisor_restores_over_a_store_with_operators() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("store");
    let d = d.as_path();
    staffed(d);
    let backups = dir.path().join("backups");
    let made = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["backup", backups.to_str().unwrap()], None));
    let made = made.trim();
    ok(as_op(
        d,
        "clerk01",
        Some(CLERK_PIN),
        None,
        &["case", "add", "--json", "-"],
        Some(&case_json(&person(1), "800")),
    ));
    let restore = ["restore", made, "--replace"];
    let before = fingerprint(d);
    assert_refused(&as_op(d, "clerk01", None, None, &restore, None), "clerk01 must give their PIN");
    assert_refused(&as_op(d, "clerk01", Some(CLERK_PIN), None, &restore, None), "only a supervisor can do this");
    assert_eq!(fingerprint(d), before, "the store stays");
    ok(as_op(d, "head01", Some(HEAD_PIN), None, &restore, None));
    let listed = ok(as_op(d, "head01", Some(HEAD_PIN), None, &["case", "list", "--day", "2026-11-30"], None));
    assert!(listed.trim().is_empty(), "the backup's store, from before the case: {listed}");
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

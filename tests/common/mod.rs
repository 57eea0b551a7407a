//! Shared helpers for the integration tests: run the real `onedoor` binary on a
//! temporary store and look at what it left behind.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

pub const NOW: &str = "2026-11-30T09:00:00+08:00";
pub const TODAY: &str = "20261130";
/// 17:30 on the day of `NOW`: the supervisor's end of day.
pub const EVENING: &str = "2026-11-30T17:30:00+08:00";

/// A time on the day of `NOW` (`"09:30"`).
pub fn at(hm: &str) -> String {
    format!("2026-11-30T{hm}:00+08:00")
}

/// The output of a run that must succeed.
pub fn ok(r: Run) -> String {
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn onedoor(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onedoor"));
    c.env("ONEDOOR_DATA", data)
        .env("ONEDOOR_NOW", NOW)
        .env("ONEDOOR_OPERATOR", "clerk01")
        .env("ONEDOOR_CONFIG", "/dev/null")
        // The assertions below read English; the Chinese of the CLI has its own tests.
        .env("ONEDOOR_LANG", "en")
        .env_remove("XDG_CONFIG_HOME");
    c
}

pub fn run(data: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    run_at(data, NOW, args, stdin)
}

/// As [`run`], at another moment (RFC 3339).
pub fn run_at(data: &Path, now: &str, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = onedoor(data);
    cmd.env("ONEDOOR_NOW", now);
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the onedoor binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn case_json(id_number: &str, amount: &str) -> String {
    format!(
        r#"{{"kind":"temporary","applicant":{{"name":"王芳","id_number":"{id_number}","residence":"urban"}},"reason":"serious_illness","requested_amount":"{amount}"}}"#
    )
}

/// Adds a case and returns its id.
pub fn add(data: &Path, json: &str) -> String {
    let r = run(data, &["case", "add", "--json", "-"], Some(json));
    assert_eq!(r.code, 0, "case add failed: {}", r.stderr);
    r.stdout.trim().to_string()
}

/// A fingerprint of every key and value in the store.
pub fn fingerprint(data: &Path) -> u64 {
    let store = onedoor::store::Store::open(data, &Default::default()).expect("the store opens");
    store.fingerprint().unwrap()
}

/// Asserts a refusal: exit 2, exactly one `error:` line naming `needle`.
pub fn assert_refused(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "expected exit 2, got {}: {}", r.code, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line expected: {:?}", r.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(lines[0].contains(needle), "'{}' should mention '{needle}'", lines[0]);
}

/// Asserts an argument clap refused: exit 2, clap's whole message (its first
/// line `error: …` naming `needle`, then the hint).
pub fn assert_bad_argument(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "expected exit 2, got {}: {}", r.code, r.stderr);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert!(r.stderr.contains(needle), "'{}' should mention '{needle}'", r.stderr);
    assert!(r.stderr.contains("--help"), "clap's whole message, with its hint: {}", r.stderr);
}

/// The `n`-th made-up person's valid ID number (born 1950 + n % 50).
pub fn person(n: u32) -> String {
    let first17 = format!("320106{}0101{:03}", 1950 + n % 50, n % 1000);
    format!("{first17}{}", onedoor::domain::id_number::check_character(first17.as_bytes()))
}

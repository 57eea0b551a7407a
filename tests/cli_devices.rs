//! `onedoor card read` and `onedoor devices probe` as the real binary, against
//! the ID card reader simulated on a pseudo-terminal (tests/reader_sim): the
//! exit status, the one `error:` line, the JSON fields, the expiry judged on
//! the command's day, and which port the probe says is the reader.
#![forbid(unsafe_code)]
#![cfg(unix)]

mod common;
mod reader_sim;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{onedoor, Run, NOW};
use onedoor::devices::idcard::{Command, Status};
use reader_sim::*;

/// Runs the binary with `config` as its config file (none: an empty one) at `now`.
fn run_with(data: &Path, config: Option<&Path>, now: &str, args: &[&str]) -> Run {
    let mut cmd = onedoor(data);
    cmd.env("ONEDOOR_NOW", now).env_remove("ONEDOOR_LANG");
    if let Some(config) = config {
        cmd.env("ONEDOOR_CONFIG", config);
    }
    let out = cmd.args(args).stdin(Stdio::null()).output().expect("the onedoor binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes a config file in `dir` and returns its path.
fn config_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("onedoor.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Exit 1 (the environment failed) and exactly one `error:` line naming `needle`.
fn assert_environment_error(r: &Run, needle: &str) {
    assert_eq!(r.code, 1, "expected exit 1, got {}: {}", r.code, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line expected: {:?}", r.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(lines[0].contains(needle), "'{}' should mention '{needle}'", lines[0]);
    assert!(r.stdout.is_empty(), "nothing on stdout after an error: {}", r.stdout);
}

fn json(r: &Run) -> serde_json::Value {
    assert_eq!(r.code, 0, "card read failed: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout))
}

// ---------------------------------------------------------------------------
// card read

#[test]
fn card_read_prints_the_card_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    let r = run_with(dir.path(), None, NOW, &["card", "read", "--port", &sim.path, "--json", "--wait", "1"]);
    let card = json(&r);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert_eq!(card["schema"], "onedoor.id_card/1");
    assert_eq!(card["kind"], "resident");
    assert_eq!(card["name"], "李四");
    assert_eq!(card["sex"], "female");
    assert_eq!(card["ethnicity"]["name"], "汉");
    assert_eq!(card["birth_date"], "1949-12-31");
    assert_eq!(card["address"], "北京市朝阳区示例路1号");
    assert_eq!(card["id_number"], "11010519491231002X");
    assert_eq!(card["id_number_check"], "valid");
    assert_eq!(card["issuing_authority"], "北京市公安局朝阳分局");
    assert_eq!(card["valid_until"], "2040-01-01");
    assert_eq!(card["expired"], false);
    assert_eq!(card["photo_wlt"], serde_json::Value::Null, "the photo is not kept by default");
    assert_eq!(sim.count(&Command::READ_TEXT_AND_PHOTO), 1);
    assert_eq!(sim.bauds.lock().unwrap()[0], 115_200, "opened at the reader's factory rate");
}

#[test]
fn card_read_uses_the_configured_port_and_rate() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour { card: Some(li_si()), baud: Some(9_600), ..Behaviour::default() });
    let config = config_file(dir.path(), &format!("[devices]\nid_reader = \"{}\"\nid_reader_baud = 9600\n", sim.path));
    let card = json(&run_with(dir.path(), Some(&config), NOW, &["card", "read", "--json", "--wait", "1"]));
    assert_eq!(card["name"], "李四");
    assert!(sim.bauds.lock().unwrap().iter().all(|b| *b == 9_600));
}

#[test]
fn card_read_with_no_card_waits_then_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour::default());
    let r = run_with(dir.path(), None, NOW, &["card", "read", "--port", &sim.path, "--json", "--wait", "1"]);
    assert_environment_error(&r, "1 秒内读卡器上没有放身份证");
    assert!(sim.count(&Command::FIND_CARD) >= 2, "it looked for a card more than once while waiting");
    assert_eq!(sim.count(&Command::SELECT_CARD), 0);
}

#[test]
fn card_read_on_a_port_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_with(dir.path(), None, NOW, &["card", "read", "--port", "/dev/ttyUSB-onedoor-missing", "--wait", "1"]);
    assert_environment_error(&r, "找不到身份证读卡器（/dev/ttyUSB-onedoor-missing）");
}

#[test]
fn card_read_with_no_reader_configured_and_no_port() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_with(dir.path(), None, NOW, &["card", "read", "--json"]);
    // The configured language (zh-CN by default), as every other message of the command.
    assert_environment_error(&r, "没有配置身份证读卡器；请用 --port 指定，或在 [devices] 中设置 id_reader");
}

#[test]
fn card_read_a_reader_that_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour { sam: Status::SamNotAuthorised, ..Behaviour::default() });
    let r = run_with(dir.path(), None, NOW, &["card", "read", "--port", &sim.path, "--wait", "1"]);
    assert_environment_error(&r, "未经授权");
}

#[test]
fn card_expiry_is_judged_on_the_commands_day_in_the_counters_offset() {
    let dir = tempfile::tempdir().unwrap();
    // Valid through 29 November 2026.
    let text = resident_text("李四", "11010519491231002X", "20261129");
    let sim = SimReader::start(Behaviour { card: Some(read_data(&text)), ..Behaviour::default() });
    let read = |config: Option<&Path>, now: &str| {
        json(&run_with(dir.path(), config, now, &["card", "read", "--port", &sim.path, "--json", "--wait", "0"]))
    };
    // The day after: expired, whatever the machine's clock says.
    assert_eq!(read(None, "2026-11-30T09:00:00+08:00")["expired"], true);
    // Its last day: still valid.
    assert_eq!(read(None, "2026-11-29T23:59:00+08:00")["expired"], false);
    // 17:00 UTC on the 29th is already the 30th at a +08:00 counter...
    assert_eq!(read(None, "2026-11-29T17:00:00Z")["expired"], true);
    // ...but not at a counter whose config says +00:00.
    let utc = config_file(dir.path(), "[counter]\nutc_offset = \"+00:00\"\n");
    assert_eq!(read(Some(&utc), "2026-11-29T17:00:00Z")["expired"], false);

    // The text a clerk reads says so too.
    let r = run_with(dir.path(), None, NOW, &["card", "read", "--port", &sim.path, "--wait", "0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("此证件已过有效期"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------
// devices probe

#[test]
fn devices_probe_names_the_configured_port_as_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour::default());
    let config =
        config_file(dir.path(), &format!("[counter]\nlocale = \"en\"\n[devices]\nid_reader = \"{}\"\n", sim.path));
    let r = run_with(dir.path(), Some(&config), NOW, &["devices", "probe"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let listed = format!("{} (configured)  ID card reader, ready (115200 baud)", sim.path);
    assert!(r.stdout.lines().any(|l| l == listed), "no line '{listed}' in\n{}", r.stdout);
    assert!(r.stdout.contains(&format!("ID card reader: {} (115200 baud)", sim.path)), "{}", r.stdout);
    assert!(!r.stdout.contains("id_reader_baud"), "no advice when the rate is right: {}", r.stdout);
    assert!(r.stdout.contains("printer: none configured"), "{}", r.stdout);
    assert_eq!(*sim.bauds.lock().unwrap(), [115_200], "a reader that answers is asked once");
}

#[test]
fn devices_probe_finds_a_reader_set_to_9600_and_says_to_configure_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour { baud: Some(9_600), ..Behaviour::default() });
    let config =
        config_file(dir.path(), &format!("[counter]\nlocale = \"en\"\n[devices]\nid_reader = \"{}\"\n", sim.path));
    let r = run_with(dir.path(), Some(&config), NOW, &["devices", "probe"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("ID card reader: {} (9600 baud)", sim.path)), "{}", r.stdout);
    assert!(r.stdout.contains("id_reader_baud = 9600"), "{}", r.stdout);
    assert_eq!(*sim.bauds.lock().unwrap(), [115_200, 9_600], "the configured rate first, then 9600");
}

#[test]
fn devices_probe_says_when_nothing_answers() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimReader::start(Behaviour { silent: true, ..Behaviour::default() });
    let config = config_file(
        dir.path(),
        &format!("[counter]\nlocale = \"zh-CN\"\n[devices]\nid_reader = \"{}\"\nid_reader_baud = 57600\n", sim.path),
    );
    let r = run_with(dir.path(), Some(&config), NOW, &["devices", "probe"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed = format!("{}（已配置）  无应答（不是身份证读卡器）", sim.path);
    assert!(r.stdout.lines().any(|l| l == listed), "no line '{listed}' in\n{}", r.stdout);
    assert!(r.stdout.contains("没有端口应答为身份证读卡器。"), "{}", r.stdout);
    assert_eq!(*sim.bauds.lock().unwrap(), [57_600, 115_200, 9_600], "every rate was tried");
}

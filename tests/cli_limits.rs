//! What an administrator can point onedoor at, pointed at the wrong thing: a
//! cache size in bytes instead of MiB, a template nested 30,000 deep, a FIFO
//! or a link to /etc/shadow as a template, /dev/zero as the printer or as the
//! case to add. Each is one clear refusal, soon, with no panic.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs `cmd` to its end, or fails the test (and kills it) after 30 s: each of
/// these used to hang or read until memory ran out.
fn finishes(mut cmd: Command, what: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    cmd.stdin(Stdio::null()).stdout(std::fs::File::create(&out).unwrap()).stderr(std::fs::File::create(&err).unwrap());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("{what}: onedoor did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&out).unwrap(),
        stderr: std::fs::read_to_string(&err).unwrap(),
    }
}

/// A store with one case, and a config whose receipt templates are in `templates`.
fn store_with_templates(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let data = dir.join("data");
    let id = add(&data, &case_json("11010519491231002X", "100"));
    let templates = dir.join("templates");
    std::fs::create_dir(&templates).unwrap();
    let config = dir.join("onedoor.toml");
    std::fs::write(&config, format!("[receipts]\ntemplates = \"{}\"\n", templates.display())).unwrap();
    (data, templates, id)
}

fn print_with(data: &Path, config: &Path, id: &str, printer: &str) -> Command {
    let mut cmd = onedoor(data);
    cmd.env("ONEDOOR_CONFIG", config).args(["receipt", "print", id, "--printer", printer]);
    cmd
}

#[test]
fn a_cache_size_given_in_bytes_is_refused_naming_cache_mb() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("onedoor.toml");
    std::fs::write(&config, "[store]\ncache_mb = 17592186044416\n").unwrap();
    let mut cmd = onedoor(&dir.path().join("data"));
    cmd.env("ONEDOOR_CONFIG", &config).args(["case", "add", "--json", "-"]);
    let r = finishes(cmd, "cache_mb");
    assert_refused(&r, "cache_mb 17592186044416 must be between 1 and 16384");
    assert!(!dir.path().join("data").join("db").exists(), "no store is made on a refused config");
}

#[test]
fn a_template_nested_thirty_thousand_deep_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (data, templates, id) = store_with_templates(dir.path());
    let deep = "[if ticket]\n".repeat(30_000) + &"[end]\n".repeat(30_000);
    std::fs::write(templates.join("acceptance.tpl"), deep).unwrap();
    let r = finishes(print_with(&data, &dir.path().join("onedoor.toml"), &id, "none"), "deep template");
    assert_refused(&r, "acceptance.tpl");
    assert!(r.stderr.contains("nested more than 8 deep"), "{}", r.stderr);
    assert!(!r.stderr.contains("overflow"), "{}", r.stderr);
}

#[test]
fn a_fifo_or_a_link_to_etc_shadow_as_a_template_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (data, templates, id) = store_with_templates(dir.path());
    let config = dir.path().join("onedoor.toml");
    let template = templates.join("acceptance.tpl");
    assert!(Command::new("mkfifo").arg(&template).status().unwrap().success());
    let r = finishes(print_with(&data, &config, &id, "none"), "FIFO template");
    assert_refused(&r, "is not a regular file");

    std::fs::remove_file(&template).unwrap();
    std::os::unix::fs::symlink("/etc/shadow", &template).unwrap();
    let r = finishes(print_with(&data, &config, &id, "none"), "linked template");
    assert_refused(&r, "is a symbolic link");
    assert!(!r.stdout.contains("root:") && !r.stderr.contains("root:"), "{}{}", r.stdout, r.stderr);
}

#[test]
fn dev_zero_as_the_printer_is_a_printer_problem_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let id = add(&data, &case_json("11010519491231002X", "100"));
    let r = finishes(print_with(&data, Path::new("/dev/null"), &id, "usb:/dev/zero"), "usb:/dev/zero");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("kept as pending"), "{}", r.stderr);
}

#[test]
fn dev_zero_as_the_case_to_add_is_refused_after_the_input_limit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = onedoor(&data);
    cmd.args(["case", "add", "--json", "/dev/zero"]);
    let r = finishes(cmd, "case add --json /dev/zero");
    assert_refused(&r, "/dev/zero is larger than 64 MiB");
    let mut cmd = onedoor(&data);
    cmd.env("ONEDOOR_LANG", "zh-CN").args(["case", "import", "/dev/zero"]);
    let r = finishes(cmd, "case import /dev/zero");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("/dev/zero 超过 64 MiB"), "{}", r.stderr);
}

//! install.sh, run for real into temporary directories: idempotent, never
//! overwrites a config, data directory 0700, uninstall keeps config and data.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn install(dir: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/install.sh");
    let out = Command::new("bash")
        .arg(script)
        .args(["--prefix", dir.join("prefix").to_str().unwrap()])
        .args(["--config-dir", dir.join("etc").to_str().unwrap()])
        .args(["--data-dir", dir.join("data").to_str().unwrap()])
        .args(["--binary", env!("CARGO_BIN_EXE_onedoor"), "--no-group"])
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn install_is_idempotent_and_uninstall_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, first) = install(d, &[]);
    assert_eq!(code, 0, "{first}");
    assert!(first.contains("installed") && first.contains("wrote the default"), "{first}");
    let bin = d.join("prefix/bin/onedoor");
    assert!(bin.exists());
    let mode = std::fs::metadata(d.join("data")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);

    std::fs::write(d.join("etc/onedoor.toml"), "[counter]\nwindow = 7\n").unwrap();
    std::fs::write(d.join("data/keep.me"), "case data").unwrap();
    let (code, second) = install(d, &[]);
    assert_eq!(code, 0, "{second}");
    assert!(second.contains("already this version") && second.contains("kept the existing"), "{second}");
    assert_eq!(std::fs::read_to_string(d.join("etc/onedoor.toml")).unwrap(), "[counter]\nwindow = 7\n");

    let (code, gone) = install(d, &["--uninstall"]);
    assert_eq!(code, 0, "{gone}");
    assert!(!bin.exists());
    assert!(d.join("data/keep.me").exists() && d.join("etc/onedoor.toml").exists());
    let (code, bad) = install(d, &["--frobnicate"]);
    assert_eq!(code, 2, "{bad}");
}

/// With a config and a data directory of its own, the installed `onedoor`
/// reads that config and keeps its store there, whatever HOME and XDG say.
#[test]
fn custom_config_and_data_dirs_reach_the_installed_program() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, text) = install(d, &[]);
    assert_eq!(code, 0, "{text}");
    std::fs::write(d.join("etc/onedoor.toml"), "[counter]\ntown_code = \"110105001\"\nwindow = 7\n").unwrap();
    let home = d.join("home");
    std::fs::create_dir(&home).unwrap();
    let mut child = Command::new(d.join("prefix/bin/onedoor"))
        .args(["case", "add", "--json", "-"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("ONEDOOR_NOW", "2026-11-30T09:00:00+08:00")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let case = r#"{"kind":"temporary","applicant":{"name":"王芳","id_number":"11010519491231002X","residence":"urban"},"reason":"serious_illness","requested_amount":"500"}"#;
        child.stdin.take().unwrap().write_all(case.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(id.starts_with("110105001-07-20261130-"), "the config was not read: {id}");
    assert!(d.join("data/db").exists(), "the store is not in the given data directory");
    assert!(!home.join(".local/share/onedoor").exists(), "a store was made under HOME");

    // Installed again the same way, nothing changes; uninstalled, the program is gone.
    let (code, again) = install(d, &[]);
    assert_eq!(code, 0, "{again}");
    assert!(!again.contains("installed"), "{again}");
    let (code, gone) = install(d, &["--uninstall"]);
    assert_eq!(code, 0, "{gone}");
    assert!(!d.join("prefix/bin/onedoor").exists() && !d.join("prefix/lib/onedoor/onedoor").exists());
    assert!(d.join("data/db").exists());
}

#[test]
fn help_is_only_the_usage_and_a_missing_value_is_named() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/install.sh");
    let help = Command::new("bash").args([script, "--help"]).output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.starts_with("Usage: ./install.sh"), "{text}");
    assert!(!text.contains("set -e") && !text.contains("#"), "{text}");
    let bad = Command::new("bash").args([script, "--data-dir"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--data-dir needs a value"), "{err}");
    assert!(!err.contains("unbound"), "{err}");
}

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

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
        .args(["--systemd-dir", dir.join("systemd").to_str().unwrap()])
        .args(["--backup-dir", dir.join("backups").to_str().unwrap()])
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

/// The installed `onedoor` runs the program with glibc's malloc set to give
/// freed memory back (the settings `onedoor bench` measures with), passes
/// its arguments on, and lets the caller's own settings win. `env` stands in
/// for the program, to show the environment the launcher gives it.
#[test]
fn the_installed_launcher_runs_the_program_with_the_kiosk_malloc_settings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, text) = install(d, &["--binary", "/usr/bin/env"]);
    assert_eq!(code, 0, "{text}");
    let launched = |tunables: Option<&str>| {
        let mut cmd = Command::new(d.join("prefix/bin/onedoor"));
        cmd.arg("ONEDOOR_ARG=passed").env_clear().env("PATH", "/usr/bin:/bin");
        if let Some(t) = tunables {
            cmd.env("GLIBC_TUNABLES", t);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let env = launched(None);
    let line = format!("GLIBC_TUNABLES={}", onedoor::bench::KIOSK_MALLOC_TUNABLES);
    assert!(env.lines().any(|l| l == line), "{line} in\n{env}");
    assert!(env.lines().any(|l| l == "ONEDOOR_ARG=passed"), "{env}");
    let config = format!("ONEDOOR_CONFIG={}", d.join("etc/onedoor.toml").display());
    assert!(env.lines().any(|l| l == config), "{config} in\n{env}");
    let own = launched(Some("glibc.malloc.arena_max=2"));
    assert!(own.lines().any(|l| l == "GLIBC_TUNABLES=glibc.malloc.arena_max=2"), "{own}");
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

#[test]
fn the_nightly_backup_timer_backs_up_the_installed_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, text) = install(d, &["--keep", "3"]);
    assert_eq!(code, 0, "{text}");
    let service = std::fs::read_to_string(d.join("systemd/onedoor-backup.service")).unwrap();
    let timer = std::fs::read_to_string(d.join("systemd/onedoor-backup.timer")).unwrap();
    assert!(timer.contains("OnCalendar=*-*-* 02:30:00") && timer.contains("Persistent=true"), "{timer}");
    let exec = service.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("an ExecStart line");
    assert!(exec.ends_with(&format!("backup {} --keep 3", d.join("backups").display())), "{exec}");
    let mode = std::fs::metadata(d.join("backups")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    // What the timer runs works: a store made by the installed program is backed up.
    let run = |line: &str| {
        let mut parts = line.split_whitespace();
        Command::new(parts.next().unwrap())
            .args(parts)
            .env_remove("ONEDOOR_DATA")
            .env_remove("ONEDOOR_CONFIG")
            .output()
            .unwrap()
    };
    std::fs::create_dir_all(d.join("data")).unwrap();
    onedoor::store::Store::open(&d.join("data"), &Default::default()).unwrap();
    let out = run(exec);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_dir(d.join("backups")).unwrap().count() >= 1);
    let (code, gone) = install(d, &["--uninstall"]);
    assert_eq!(code, 0, "{gone}");
    assert!(!d.join("systemd/onedoor-backup.timer").exists());
    assert!(d.join("backups").exists());
}

#[test]
fn the_district_server_installs_as_a_service_that_starts_from_its_unit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/install.sh");
    let install = |extra: &[&str]| {
        let out = Command::new("bash")
            .arg(script)
            .arg("--district")
            .args(["--prefix", d.join("prefix").to_str().unwrap()])
            .args(["--config-dir", d.join("etc").to_str().unwrap()])
            .args(["--data-dir", d.join("data").to_str().unwrap()])
            .args(["--systemd-dir", d.join("systemd").to_str().unwrap()])
            .args(["--district-binary", env!("CARGO_BIN_EXE_onedoor-district")])
            .args(["--user", me.trim()])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, text) = install(&[]);
    assert_eq!(code, 0, "{text}");
    let tokens = d.join("etc/tokens.toml");
    assert_eq!(std::fs::metadata(&tokens).unwrap().permissions().mode() & 0o777, 0o600);
    let admin_line = std::fs::read_to_string(&tokens).unwrap();
    assert!(admin_line.lines().any(|l| l.starts_with("admin = \"") && l.len() > 40), "{admin_line}");
    let unit = std::fs::read_to_string(d.join("systemd/onedoor-district.service")).unwrap();
    assert!(unit.contains("ExecReload=/bin/kill -HUP $MAINPID") && unit.contains("KillSignal=SIGTERM"), "{unit}");
    let exec = unit.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("an ExecStart line");
    // The unit's own command line starts a server that answers.
    let mut parts = exec.split_whitespace();
    let mut server = Command::new(parts.next().unwrap()).args(parts).spawn().unwrap();
    let mut healthy = false;
    for _ in 0..100 {
        if let Ok(r) = ureq::get(&format!("http://127.0.0.1:{port}/v1/health")).call() {
            healthy = r.status() == 200;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(healthy, "the installed server did not answer /v1/health");
    // Again: the tokens are kept; uninstalled: the program and unit go, tokens and data stay.
    let (code, again) = install(&[]);
    assert_eq!(code, 0, "{again}");
    assert!(again.contains("kept the existing") && std::fs::read_to_string(&tokens).unwrap() == admin_line, "{again}");
    let (code, gone) = install(&["--uninstall"]);
    assert_eq!(code, 0, "{gone}");
    assert!(!d.join("prefix/bin/onedoor-district").exists() && !d.join("systemd/onedoor-district.service").exists());
    assert!(tokens.exists() && d.join("data").exists());
}

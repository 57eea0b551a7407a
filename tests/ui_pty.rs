//! The real `onedoor` binary in an 80x24 pseudo-terminal: a whole intake typed
//! with the keyboard, saved and the counter quit; then the case is checked
//! with `onedoor case list --json`. Every wait is bounded.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

const NOW: &str = "2026-11-30T09:00:00+08:00";

fn env_cmd(cmd: &mut CommandBuilder, data: &Path) {
    cmd.env("ONEDOOR_DATA", data);
    cmd.env("ONEDOOR_CONFIG", "/dev/null");
    cmd.env("ONEDOOR_NOW", NOW);
    cmd.env("ONEDOOR_OPERATOR", "clerk07");
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
}

/// Waits until the screen output so far contains `needle`, or fails after `secs`.
fn wait_for(out: &Arc<Mutex<Vec<u8>>>, needle: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let text = String::from_utf8_lossy(&out.lock().unwrap()).into_owned();
        if text.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "'{needle}' did not appear; the screen so far:\n{}",
            text.chars().rev().take(3000).collect::<String>().chars().rev().collect::<String>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_whole_intake_typed_in_a_terminal_is_saved_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pty = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
    cmd.arg("--lang");
    cmd.arg("en");
    env_cmd(&mut cmd, &data);
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let out = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&out);
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut send = |bytes: &[u8]| {
        writer.write_all(bytes).unwrap();
        writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(30));
    };

    wait_for(&out, "Today's cases", 20);
    send(b"\x1b[15~"); // F5: call the next ticket
    wait_for(&out, "ticket 1", 10);
    send("11010519491231002X".as_bytes());
    wait_for(&out, "valid", 10);
    send(b"\t");
    send("王芳".as_bytes());
    send(b"\t");
    send(b"13800000000");
    send(b"\t\t"); // residence stays urban
    send(b"\x7f3"); // household of 3
    send(b"\t");
    send(b"300");
    send(b"\t\t\t"); // kind temporary, reason serious illness
    send(b"5000");
    send(b"\x1b[21~"); // F10: save
    wait_for(&out, "Accepted", 10);
    send(b"\x11"); // Ctrl+Q

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("the counter did not quit");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    drop(writer);
    drop(pty.master);
    let _ = drain.join();

    let list = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor"))
        .args(["case", "list", "--json"])
        .env("ONEDOOR_DATA", &data)
        .env("ONEDOOR_CONFIG", "/dev/null")
        .env("ONEDOOR_NOW", NOW)
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    let c = &cases[0];
    assert_eq!(c["id"], "320106001-01-20261130-0001");
    assert_eq!(c["applicant"]["name"], "王芳");
    assert_eq!(c["applicant"]["id_number"], "11010519491231002X");
    assert_eq!(c["applicant"]["phone"], "13800000000");
    assert_eq!(c["household"]["size"], 3);
    assert_eq!(c["household"]["monthly_income"], "300.00");
    assert_eq!(c["kind"], "temporary");
    assert_eq!(c["requested_amount"], "5000.00");
    assert_eq!(c["ticket"], 1);
    assert_eq!(c["operator"], "clerk07");
    assert_eq!(c["received_at"], NOW);
    assert_eq!(c["state"], "received");
    // And as a person checks it: `onedoor case show`.
    let show = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor"))
        .args(["case", "show", "320106001-01-20261130-0001"])
        .env("ONEDOOR_DATA", &data)
        .env("ONEDOOR_CONFIG", "/dev/null")
        .env("ONEDOOR_NOW", NOW)
        .output()
        .unwrap();
    assert!(show.status.success(), "{}", String::from_utf8_lossy(&show.stderr));
    let shown = String::from_utf8_lossy(&show.stdout);
    for line in [
        "state       received",
        "kind        temporary (normal)",
        "applicant   王芳 110105********002X urban",
        "phone       13800000000",
        "household   3 people, 300.00 a month",
        "requested   5000.00",
        "entitled    3000.00",
        "received    2026-11-30 09:00 by clerk07",
    ] {
        assert!(shown.contains(line), "case show should say {line:?}:\n{shown}");
    }
    // Logs went to the file, not the screen.
    let log = std::fs::read_to_string(data.join("onedoor.log")).unwrap();
    assert!(log.contains("accepted"), "{log}");
}

/// Starts the counter, types a name into a new form, sends `signal`; checks
/// that the counter closes, leaves the alternate screen and keeps the draft.
/// Returns everything it wrote to the terminal.
fn a_signal_restores_the_terminal_and_keeps_the_draft(
    signal: &str,
    setup: impl Fn(&mut CommandBuilder, &Path),
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pty = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
    env_cmd(&mut cmd, &data);
    setup(&mut cmd, dir.path());
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let out = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&out);
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    wait_for(&out, "F5", 20);
    writer.write_all(b"\x1b[12~").unwrap(); // F2: a new form
    writer.write_all("\t赵六".as_bytes()).unwrap();
    writer.flush().unwrap();
    wait_for(&out, "赵", 10);
    let pid = child.process_id().expect("a pid").to_string();
    let killed = std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("SIG{signal} did not close the counter");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The alternate screen was left: the terminal is restored.
    wait_for(&out, "\x1b[?1049l", 5);
    drop(writer);
    drop(pty.master);
    let _ = drain.join();
    let draft = std::fs::read_to_string(data.join("draft.json")).expect("the draft is kept");
    assert!(draft.contains("赵六"), "{draft}");
    let screen = String::from_utf8_lossy(&out.lock().unwrap()).into_owned();
    screen
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_the_draft() {
    let screen = a_signal_restores_the_terminal_and_keeps_the_draft("TERM", |_, _| {});
    assert!(!colour_codes(&screen).is_empty(), "colour without NO_COLOR");
}

/// A terminal closed under the clerk (SIGHUP), on a counter set to English by
/// its config and told NO_COLOR: English words, no colour at all.
#[test]
fn sighup_too_and_the_config_language_and_no_color_are_honoured() {
    let screen = a_signal_restores_the_terminal_and_keeps_the_draft("HUP", |cmd, dir| {
        let config = dir.join("onedoor.toml");
        std::fs::write(&config, "[counter]\nlocale = \"en\"\n").unwrap();
        cmd.env("ONEDOOR_CONFIG", &config);
        cmd.env("NO_COLOR", "1");
    });
    assert!(screen.contains("New case") || screen.contains("Applicant"), "English from the config");
    assert!(!screen.contains("登记"), "no Chinese labels once the config says en");
    // SGR colour codes: 30-37, 90-97 (foreground), 40-47, 100-107 (background), 38;/48; (extended).
    let colours = colour_codes(&screen);
    assert!(colours.is_empty(), "colour codes under NO_COLOR: {colours:?}");
}

/// The SGR sequences in `screen` that set a colour.
fn colour_codes(screen: &str) -> Vec<String> {
    let mut found = Vec::new();
    for part in screen.split("\x1b[").skip(1) {
        let Some(end) = part.find(|c: char| c.is_ascii_alphabetic()) else { continue };
        if &part[end..end + 1] != "m" {
            continue;
        }
        for p in part[..end].split(';') {
            if let Ok(n) = p.parse::<u32>() {
                if matches!(n, 30..=38 | 40..=48 | 90..=97 | 100..=107) {
                    found.push(part[..end].to_string());
                    break;
                }
            }
        }
    }
    found
}

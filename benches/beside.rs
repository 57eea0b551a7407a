//! A CLI command beside the running counter (carried out by the counter
//! through its control socket) against the same command alone: `report
//! daily` and `case show`, each run `ONEDOOR_BENCH_RUNS` times (default 50)
//! as a user runs them (the real binary, process start to exit), on a store
//! of `ONEDOOR_BENCH_CASES` cases (default 500) received the same day.
//! Printed as p50/p99 (plain timing; criterion's estimates give no p99).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

const NOW: &str = "2026-11-30T09:00:00+08:00";
const BIN: &str = env!("CARGO_BIN_EXE_onedoor");

fn env_of(cmd: &mut Command, data: &Path) {
    cmd.env("ONEDOOR_DATA", data)
        .env("ONEDOOR_NOW", NOW)
        .env("ONEDOOR_OPERATOR", "clerk01")
        .env("ONEDOOR_CONFIG", "/dev/null")
        .env("ONEDOOR_LANG", "en")
        .env_remove("ONEDOOR_PIN")
        .env_remove("XDG_CONFIG_HOME");
}

fn person(n: u32) -> String {
    let first17 = format!("320106{}0101{:03}", 1950 + n % 50, n % 1000);
    format!("{first17}{}", onedoor::domain::id_number::check_character(first17.as_bytes()))
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1e3
}

/// `runs` timed runs of `onedoor ARGS`, each one checked to succeed with `expect` in its output.
fn time(data: &Path, args: &[&str], runs: usize, expect: &str) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs + 3 {
        let mut cmd = Command::new(BIN);
        env_of(&mut cmd, data);
        cmd.args(args).stdin(Stdio::null());
        let started = Instant::now();
        let out = cmd.output().expect("onedoor runs");
        let took = started.elapsed();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains(expect), "{args:?}");
        if i >= 3 {
            samples.push(took);
        }
    }
    samples
}

fn main() {
    let runs: usize = std::env::var("ONEDOOR_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(50);
    let cases: u32 = std::env::var("ONEDOOR_BENCH_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(500);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lines: String = (0..cases)
        .map(|n| {
            format!(
                r#"{{"kind":"temporary","applicant":{{"name":"王芳","id_number":"{}","residence":"urban"}},"reason":"serious_illness","requested_amount":"800"}}"#,
                person(n)
            ) + "\n"
        })
        .collect();
    let file = dir.path().join("cases.jsonl");
    std::fs::write(&file, lines).unwrap();
    let mut import = Command::new(BIN);
    env_of(&mut import, &data);
    let out = import.args(["case", "import", file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = "320106001-01-20261130-0001";

    // The counter in a pseudo-terminal, its screen drained.
    let pty = native_pty_system().openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut counter = CommandBuilder::new(BIN);
    for (k, v) in [
        ("ONEDOOR_DATA", data.to_str().unwrap()),
        ("ONEDOOR_NOW", NOW),
        ("ONEDOOR_OPERATOR", "clerk01"),
        ("ONEDOOR_CONFIG", "/dev/null"),
        ("ONEDOOR_LANG", "en"),
        ("TERM", "xterm-256color"),
    ] {
        counter.env(k, v);
    }
    let mut child = pty.slave.spawn_command(counter).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
    });
    let socket = data.join("control.sock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "the counter did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }

    let report = ["report", "daily"];
    let show = ["case", "show", id];
    let mut beside_report = time(&data, &report, runs, "received");
    let mut beside_show = time(&data, &show, runs, id);
    // Esc past the first supervisor's creation (a store without operators opens on it), then Ctrl+Q.
    // (Apart: Esc and a key at once read as Alt and that key.)
    writer.write_all(b"\x1b").unwrap();
    writer.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    writer.write_all(b"\x11").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the counter did not quit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut alone_report = time(&data, &report, runs, "received");
    let mut alone_show = time(&data, &show, runs, id);

    println!("CLI beside the running counter vs alone, {cases} cases, {runs} runs each (process start to exit)");
    for (what, beside, alone) in
        [("report daily", &mut beside_report, &mut alone_report), ("case show", &mut beside_show, &mut alone_show)]
    {
        println!(
            "{what:<13} beside p50/p99 {:.1} / {:.1} ms   alone p50/p99 {:.1} / {:.1} ms",
            percentile(beside, 0.5),
            percentile(beside, 0.99),
            percentile(alone, 0.5),
            percentile(alone, 0.99)
        );
    }
}

//! The CLI beside the real running counter (in a pseudo-terminal): commands
//! that find the store in use are carried out by the counter through its
//! control socket and print exactly what they print alone; a write shows on
//! the counter's screen at once; the PIN is checked by the counter; a bad
//! socket or a garbage request does not hurt the counter; a counter killed
//! with SIGKILL does not stop the next; `backup` through the socket.

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;

use common::{case_json, ok, person, run, Run};
use pty::Counter;

/// A store with one case (李雷's) and the counter open on it, listening.
fn counter_on_one_case() -> (tempfile::TempDir, std::path::PathBuf, Counter) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    common::add(&data, &named("李雷", 1, "800"));
    let mut counter = Counter::start(&data, &[]);
    counter.wait_for_queue();
    counter.wait_listening();
    (dir, data, counter)
}

/// A copy of a closed store, to run the same command alone on the same state.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn same(a: &Run, b: &Run, what: &str) {
    assert_eq!(a.code, b.code, "{what}: exit status\nbeside: {}\nalone: {}", a.stderr, b.stderr);
    assert_eq!(a.stdout, b.stdout, "{what}: standard output");
    assert_eq!(a.stderr, b.stderr, "{what}: standard error");
}

fn named(name: &str, n: u32, amount: &str) -> String {
    case_json(&person(n), amount).replace("王芳", name)
}

const READS: &[&[&str]] = &[
    &["report", "daily"],
    &["report", "daily", "--format", "json"],
    &["case", "list"],
    &["case", "list", "--json"],
    &["receipt", "pending"],
    &["fund", "balance"],
    &["audit", "verify"],
];

#[test]
fn commands_beside_the_counter_print_what_they_print_alone_and_a_write_shows_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = common::add(&data, &named("李雷", 1, "800"));
    common::add(&data, &named("韩梅梅", 2, "1200"));
    let twin = dir.path().join("twin");
    copy_dir(&data, &twin);

    let mut counter = Counter::start(&data, &[]);
    counter.wait_for_queue();
    counter.wait_listening();
    // Alone, this is "store in use"; beside the counter it is the counter's work.
    let mark = counter.mark();
    let added = run(&data, &["case", "add", "--json", "-"], Some(&named("孙小美", 3, "500")));
    let alone = run(&twin, &["case", "add", "--json", "-"], Some(&named("孙小美", 3, "500")));
    same(&added, &alone, "case add");
    assert!(added.stdout.trim().ends_with("-0003"), "{}", added.stdout);
    // On the counter's screen at once, without a key pressed.
    // (Its masked ID number: the name's characters are drawn one cursor move apart.)
    let masked = format!("{}********{}", &person(3)[..6], &person(3)[14..]);
    counter.wait("the new case on the counter's screen", |c| c.drawn_since(mark).contains(&masked));

    let mut beside = Vec::new();
    for args in READS {
        beside.push(run(&data, args, None));
    }
    let shown = run(&data, &["case", "show", &first], None);
    let missing = run(&data, &["case", "show", "320106001-01-20261130-0099"], None);
    let bad = run(&data, &["case", "add", "--json", "nowhere.json"], None);
    let printed = receipt_in(&data, &dir.path().join("beside"), &first);
    assert!(counter.alive());
    counter.quit();
    assert!(!data.join("control.sock").exists(), "the socket is removed when the counter closes");

    for (args, b) in READS.iter().zip(&beside) {
        assert_eq!(b.code, 0, "{args:?} beside the counter: {}", b.stderr);
        same(b, &run(&data, args, None), &args.join(" "));
    }
    assert!(beside[2].stdout.contains("孙小美"), "{}", beside[2].stdout);
    same(&shown, &run(&data, &["case", "show", &first], None), "case show");
    // A refusal is the same refusal, with the same exit status.
    same(&missing, &run(&data, &["case", "show", "320106001-01-20261130-0099"], None), "case show of no case");
    assert_eq!(missing.code, 2);
    // A relative path is the CLI's, read from its working directory (the
    // counter names it whole in the message).
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("nowhere.json"), "{}", bad.stderr);
    // A receipt printed to a file named from the CLI's directory lands there, the same paper as alone.
    let alone = receipt_in(&twin, &dir.path().join("alone"), &first);
    same(&printed, &alone, "receipt print");
    let paper = |d: &str| std::fs::read(dir.path().join(d).join("receipt.bin")).unwrap();
    assert!(!paper("beside").is_empty());
    assert_eq!(paper("beside"), paper("alone"));
}

/// `receipt print ID --printer file:receipt.bin` run in `cwd`.
fn receipt_in(data: &Path, cwd: &Path, id: &str) -> Run {
    std::fs::create_dir_all(cwd).unwrap();
    let out = common::onedoor(data)
        .current_dir(cwd)
        .args(["receipt", "print", id, "--printer", "file:receipt.bin"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const HEAD_PIN: &str = "739154";
const CLERK_PIN: &str = "582046";

fn as_op(data: &Path, op: &str, pin: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = common::onedoor(data);
    cmd.env("ONEDOOR_OPERATOR", op).env_remove("ONEDOOR_PIN").env_remove("ONEDOOR_NEW_PIN");
    if let Some(p) = pin {
        cmd.env("ONEDOOR_PIN", p);
    }
    let out = cmd.args(args).stdin(std::process::Stdio::null()).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Starts the counter on a store with operators: clerk01 signs in at the terminal.
fn counter_signed_in(data: &Path) -> Counter {
    let mut counter = Counter::start(data, &[]);
    counter.wait_for("PIN");
    counter.send(format!("{CLERK_PIN}\r").as_bytes());
    counter.wait_for_queue();
    counter.wait_listening();
    counter
}

#[test]
fn the_counter_checks_the_pin_of_a_command_beside_it_and_a_wrong_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut setup = common::onedoor(&data);
    setup.env("ONEDOOR_OPERATOR", "head01").env("ONEDOOR_NEW_PIN", HEAD_PIN);
    assert!(setup.args(["operator", "add", "head01", "--role", "supervisor"]).status().unwrap().success());
    let mut setup = common::onedoor(&data);
    setup.env("ONEDOOR_OPERATOR", "head01").env("ONEDOOR_PIN", HEAD_PIN).env("ONEDOOR_NEW_PIN", CLERK_PIN);
    assert!(setup.args(["operator", "add", "clerk01", "--role", "clerk"]).status().unwrap().success());
    let mut add = common::onedoor(&data);
    add.env("ONEDOOR_PIN", CLERK_PIN).args(["case", "add", "--json", "-"]).stdin(std::process::Stdio::piped());
    add.stdout(std::process::Stdio::piped());
    let mut child = add.spawn().unwrap();
    child.stdin.take().unwrap().write_all(named("李雷", 1, "800").as_bytes()).unwrap();
    let id = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap().trim().to_string();
    assert!(id.ends_with("-0001"), "{id}");
    let twin = dir.path().join("twin");
    copy_dir(&data, &twin);

    let mut counter = counter_signed_in(&data);
    let wrong = as_op(&data, "clerk01", Some("000000"), &["case", "refer", &id]);
    let none = as_op(&data, "clerk01", None, &["case", "refer", &id]);
    let before = as_op(&data, "clerk01", Some(CLERK_PIN), &["case", "show", &id, "--json"]);
    assert_eq!(before.code, 0, "{}", before.stderr);
    counter.quit();

    // Exactly the refusals of the command alone, exit 2.
    let wrong_alone = as_op(&twin, "clerk01", Some("000000"), &["case", "refer", &id]);
    same(&wrong, &wrong_alone, "a wrong PIN");
    assert_eq!(wrong.code, 2);
    same(&none, &as_op(&twin, "clerk01", None, &["case", "refer", &id]), "no PIN");
    assert_eq!(none.code, 2);
    // Nothing changed: the case is as it was, still received.
    let after = as_op(&data, "clerk01", Some(CLERK_PIN), &["case", "show", &id, "--json"]);
    assert_eq!(after.stdout, before.stdout);
    assert!(after.stdout.contains("\"state\": \"received\"") || after.stdout.contains("\"state\":\"received\""));

    // The right PIN through the counter does it; not given, at a terminal,
    // the CLI asks for it there (as it does alone) and sends the command again.
    let mut counter = counter_signed_in(&data);
    let mut cli = Counter::spawn(&data, &["case", "refer", &id], &[]);
    cli.wait_for("PIN");
    cli.send(format!("{CLERK_PIN}\r").as_bytes());
    let status = cli.wait_exit("the PIN typed");
    let said = cli.all_output();
    assert_eq!(status, 0, "{said}");
    assert!(said.contains("referred"), "{said}");
    // A countersign's PIN is the command's to give, never asked at the counter's terminal.
    let json = dir.path().join("case.json");
    std::fs::write(&json, named("韩梅梅", 2, "900")).unwrap();
    let countersigned = |data: &Path| {
        let mut cmd = common::onedoor(data);
        cmd.env("ONEDOOR_PIN", CLERK_PIN).env_remove("ONEDOOR_COUNTERSIGN_PIN");
        cmd.args(["case", "add", "--json", json.to_str().unwrap(), "--override-duplicate", "checked"]);
        cmd.args(["--countersign", "head01"]);
        let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    let beside = countersigned(&data);
    counter.quit();
    same(&beside, &countersigned(&data), "a countersign without its PIN");
    assert_eq!(beside.code, 2, "{}", beside.stderr);
    assert!(beside.stderr.contains("ONEDOOR_COUNTERSIGN_PIN"), "{}", beside.stderr);
    let after = as_op(&data, "clerk01", Some(CLERK_PIN), &["case", "show", &id, "--json"]);
    assert!(after.stdout.contains("referred"), "{}", after.stdout);
}

/// Reads one reply of the control socket: its header and standard error.
fn read_reply(stream: &mut UnixStream) -> (serde_json::Value, String) {
    let mut frames = Vec::new();
    for _ in 0..3 {
        let mut len = [0u8; 4];
        stream.read_exact(&mut len).unwrap();
        let mut bytes = vec![0; u32::from_be_bytes(len) as usize];
        stream.read_exact(&mut bytes).unwrap();
        frames.push(bytes);
    }
    (serde_json::from_slice(&frames[0]).unwrap(), String::from_utf8_lossy(&frames[2]).into_owned())
}

#[test]
fn garbage_on_the_socket_and_an_unsafe_socket_do_not_hurt_the_counter() {
    let (_dir, data, mut counter) = counter_on_one_case();
    let socket = data.join("control.sock");
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A socket others may open, or that another user owns, is not sent a PIN.
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let refused = run(&data, &["case", "list"], None);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("not safe") && refused.stderr.contains("666"), "{}", refused.stderr);
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).unwrap();
    if rustix_uid() == 0 {
        std::os::unix::fs::chown(&socket, Some(65534), None).unwrap();
        let refused = run(&data, &["case", "list"], None);
        assert_eq!(refused.code, 1, "{}", refused.stderr);
        assert!(refused.stderr.contains("owned by user 65534"), "{}", refused.stderr);
        std::os::unix::fs::chown(&socket, Some(0), None).unwrap();
    }
    // A client that connects and says nothing, for the whole test.
    let mut silent = UnixStream::connect(&socket).unwrap();
    silent.set_read_timeout(Some(std::time::Duration::from_secs(120))).unwrap();
    // And a command whose standard input comes only after that one's time is up.
    let mut slow = common::onedoor(&data)
        .args(["case", "add", "--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // Not JSON; JSON of something else; a length of 4 GiB; a version from the future.
    let frames: [&[u8]; 4] = [
        b"\x00\x00\x00\x05hello\x00\x00\x00\x00",
        b"\x00\x00\x00\x02[]\x00\x00\x00\x00",
        b"\xff\xff\xff\xff",
        br#"{"version":9,"args":["case","list"],"cwd":"/","operator":"x","lang":"en","now":"2026-11-30T09:00:00+08:00","pin":null,"new_pin":null,"stdin":false}"#,
    ];
    for (i, frame) in frames.iter().enumerate() {
        let mut s = UnixStream::connect(&socket).unwrap();
        // (The counter may answer and close before all is written.)
        let _ = if i == 3 {
            s.write_all(&(frame.len() as u32).to_be_bytes())
                .and_then(|()| s.write_all(frame))
                .and_then(|()| s.write_all(&[0, 0, 0, 0]))
        } else {
            s.write_all(frame)
        };
        let (header, stderr) = read_reply(&mut s);
        assert_eq!(header["code"], 2, "garbage {i}");
        assert!(stderr.starts_with("error: "), "garbage {i}: {stderr}");
    }
    // Half a request, then gone.
    let mut s = UnixStream::connect(&socket).unwrap();
    s.write_all(b"\x00\x00\x01\x00{\"vers").unwrap();
    drop(s);
    // The counter carries on, draws and answers.
    let listed = run(&data, &["case", "list"], None);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(listed.stdout.contains("李雷"));

    assert!(counter.alive());
    ok(run(&data, &["case", "list"], None));
    // The silent one is told, once its time is up; the counter never waits on it.
    let (header, stderr) = read_reply(&mut silent);
    assert_eq!(header["code"], 2);
    assert!(stderr.contains("did not arrive in time"), "{stderr}");
    // More than the counter's 10 s later, the slow command's input: it is read before the request is sent.
    slow.stdin.take().unwrap().write_all(named("韩梅梅", 2, "900").as_bytes()).unwrap();
    let slow = slow.wait_with_output().unwrap();
    assert!(slow.status.success(), "{}", String::from_utf8_lossy(&slow.stderr));
    assert!(String::from_utf8_lossy(&slow.stdout).trim().ends_with("-0002"));
    counter.quit();
}

/// Another user at the socket (this test program again, as `nobody`): the
/// counter refuses it whatever the socket's mode lets through.
#[test]
fn another_user_is_refused_by_the_counter() {
    if rustix_uid() != 0 {
        eprintln!("not root: cannot run a client as another user; skipped");
        return;
    }
    let (dir, data, mut counter) = counter_on_one_case();
    let socket = data.join("control.sock");
    for (path, mode) in [(dir.path(), 0o755), (data.as_path(), 0o755), (socket.as_path(), 0o666)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let request = format!(
        r#"{{"version":1,"args":["case","add","--json","-"],"cwd":"/","operator":"clerk01","lang":"en","now":"{}","pin":null,"new_pin":null,"stdin":true}}"#,
        common::NOW
    );
    use std::os::unix::process::CommandExt;
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "raw_client", "--nocapture", "--test-threads=1"])
        .env("RAW_CLIENT_SOCKET", &socket)
        .env("RAW_CLIENT_REQUEST", request)
        .env("RAW_CLIENT_STDIN", named("韩梅梅", 2, "900"))
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("\"code\":2"), "{said}");
    assert!(said.contains("only from its own user"), "{said}");
    assert!(counter.alive());
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).unwrap();
    let listed = ok(run(&data, &["case", "list"], None));
    assert!(listed.contains("李雷") && !listed.contains("韩梅梅"), "{listed}");
    counter.quit();
}

/// The raw client `another_user_is_refused_by_the_counter` runs as another
/// user: sends RAW_CLIENT_REQUEST and prints the reply. Does nothing otherwise.
#[test]
fn raw_client() {
    let Ok(socket) = std::env::var("RAW_CLIENT_SOCKET") else { return };
    let mut s = UnixStream::connect(socket).unwrap();
    for frame in [std::env::var("RAW_CLIENT_REQUEST").unwrap(), std::env::var("RAW_CLIENT_STDIN").unwrap()] {
        // The counter answers a stranger without reading: writing may find it gone.
        let _ = s.write_all(&(frame.len() as u32).to_be_bytes()).and_then(|()| s.write_all(frame.as_bytes()));
    }
    let (header, stderr) = read_reply(&mut s);
    println!("reply: {header}");
    println!("stderr: {stderr}");
}

fn rustix_uid() -> u32 {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).unwrap_or(1)
}

#[test]
fn a_socket_left_by_a_killed_counter_does_not_stop_the_cli_or_the_next_counter() {
    let (_dir, data, mut counter) = counter_on_one_case();
    counter.sigkill();
    drop(counter);
    assert!(data.join("control.sock").exists(), "SIGKILL leaves the socket file");
    // Nobody listens: the command runs alone.
    assert!(ok(run(&data, &["case", "list"], None)).contains("李雷"));
    // The next counter replaces it and listens.
    let mut counter = Counter::start(&data, &[]);
    counter.wait_for_queue();
    counter.wait_listening();
    assert!(ok(run(&data, &["case", "list"], None)).contains("李雷"));
    counter.quit();
}

#[test]
fn a_backup_through_the_counter_during_a_stream_of_commits_holds_every_acknowledged_case() {
    let (dir, data, mut counter) = counter_on_one_case();
    let backups = dir.path().join("backups");

    // A stream of cases added through the counter while the backup is made.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (data, acknowledged, stop) = (data.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 10;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) || n < 16 {
                let r = run(&data, &["case", "add", "--json", "-"], Some(&named("张三", n, "300")));
                assert_eq!(r.code, 0, "{}", r.stderr);
                acknowledged.lock().unwrap().push(r.stdout.trim().to_string());
                n += 1;
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 3 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let made = run(&data, &["backup", backups.to_str().unwrap()], None);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.join().unwrap();
    assert_eq!(made.code, 0, "backup beside the counter: {}", made.stderr);
    let backup = made.stdout.trim().to_string();
    assert!(Path::new(&backup).join("manifest.json").exists(), "{backup}");
    assert!(counter.alive());
    counter.quit();

    ok(run(&data, &["backup", "--verify", &backup], None));
    let restored = dir.path().join("restored");
    ok(run(&restored, &["restore", &backup], None));
    let listed = ok(run(&restored, &["case", "list", "--json"], None));
    let ids: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&listed)
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for id in &before {
        assert!(ids.contains(id), "{id}, acknowledged before the backup, is not in it: {ids:?}");
    }
    // One moment: the cases of the stream in it are the first ones, none missing between.
    let all = acknowledged.lock().unwrap().clone();
    let kept = all.iter().take_while(|id| ids.contains(id)).count();
    assert!(all[kept..].iter().all(|id| !ids.contains(id)), "a hole in the backup: {ids:?} of {all:?}");
    assert_eq!(ids.len(), kept + 1, "{ids:?}");
}

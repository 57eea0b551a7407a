//! The real `onedoor` binary in an 80x24 pseudo-terminal: a whole intake typed
//! with the keyboard, saved and the counter quit; then the case is checked
//! with `onedoor case list --json` and `onedoor case show`; SIGTERM and
//! SIGHUP restore the terminal and keep the draft. Every wait is bounded.

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::NOW;
use portable_pty::CommandBuilder;

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

/// The counter running in an 80x24 pseudo-terminal, its output collected.
struct InTerminal {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    out: Arc<Mutex<Vec<u8>>>,
    drain: std::thread::JoinHandle<()>,
    /// Tells the drain to let go of its handle on the terminal after its next read.
    closing: Arc<std::sync::atomic::AtomicBool>,
}

impl InTerminal {
    /// Starts the counter on `data`, as `env_cmd` sets it up, then `setup`.
    fn start(data: &Path, setup: impl FnOnce(&mut CommandBuilder)) -> InTerminal {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
        env_cmd(&mut cmd, data);
        setup(&mut cmd);
        let mut t = InTerminal::run(cmd);
        t.past_first_start();
        t
    }

    /// Starts the counter with its standard error in `log`, as a kiosk
    /// launcher does (`exec onedoor 2>>FILE`): only its screen is on the terminal.
    fn start_logging_to(data: &Path, log: &Path) -> InTerminal {
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", r#"exec "$0" --lang en 2>"$1""#, env!("CARGO_BIN_EXE_onedoor")]);
        cmd.arg(log);
        env_cmd(&mut cmd, data);
        let mut t = InTerminal::run(cmd);
        t.past_first_start();
        t
    }

    /// A store without operators opens on the first supervisor's creation:
    /// Esc works without operators, as these tests' office does.
    fn past_first_start(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned();
            if text.contains("first supervisor") || text.contains("首") {
                break;
            }
            assert!(Instant::now() < deadline, "no first-supervisor screen; the screen so far:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.send(b"\x1b");
    }

    fn run(cmd: CommandBuilder) -> InTerminal {
        let pty::Pty { child, master, writer, screen: out, drain, closing } = pty::open(cmd);
        InTerminal { child, master, writer, out, drain, closing }
    }

    /// Types `bytes` and gives the counter a moment to draw.
    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }

    fn wait_for(&self, needle: &str, secs: u64) {
        wait_for(&self.out, needle, secs);
    }

    /// F10 saves the form; once it is accepted, Ctrl+Q closes the counter, which exits 0.
    fn save_and_quit(&mut self) {
        self.send(b"\x1b[21~"); // F10: save
        self.wait_for("Accepted", 10);
        self.send(b"\x11"); // Ctrl+Q
        let status = self.exited("Ctrl+Q");
        assert!(status.success(), "{status:?}");
    }

    /// Waits up to 10 s for the counter to exit (`what` names why it should).
    fn exited(&mut self, what: &str) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            if Instant::now() > deadline {
                self.child.kill().ok();
                panic!("{what} did not close the counter");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Closes the terminal; returns everything the counter wrote to it.
    fn finish(self) -> String {
        drop(self.writer);
        drop(self.master);
        let _ = self.drain.join();
        let screen = String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned();
        screen
    }
}

/// `onedoor ARGS` on `data`, as a person checks the store afterwards.
fn onedoor(data: &Path, args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor"))
        .args(args)
        .env("ONEDOOR_DATA", data)
        .env("ONEDOOR_CONFIG", "/dev/null")
        .env("ONEDOOR_NOW", NOW)
        .env("ONEDOOR_LANG", "en")
        .output()
        .unwrap();
    assert!(out.status.success(), "onedoor {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn a_whole_intake_typed_in_a_terminal_is_saved_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut t = InTerminal::start(&data, |cmd| {
        cmd.arg("--lang");
        cmd.arg("en");
    });
    type_an_intake(&mut t);
    t.save_and_quit();
    t.finish();

    let list = onedoor(&data, &["case", "list", "--json"]);
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    let c = &cases[0];
    assert_eq!(c["id"], "320106001-01-20261130-0001");
    assert_eq!(c["applicant"]["name"], "王芳");
    // A list masks the ID number; the case itself has it whole.
    assert_eq!(c["applicant"]["id_number"], "110105********002X");
    let one = onedoor(&data, &["case", "show", "320106001-01-20261130-0001", "--json"]);
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(one["applicant"]["id_number"], "11010519491231002X");
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
    let show = onedoor(&data, &["case", "show", "320106001-01-20261130-0001"]);
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
    let mut t = InTerminal::start(&data, |cmd| setup(cmd, dir.path()));
    t.wait_for("F5", 20);
    t.send(b"\x1b[12~"); // F2: a new form
    t.send("\t赵六".as_bytes());
    t.wait_for("赵", 10);
    let pid = t.child.process_id().expect("a pid").to_string();
    let killed = std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
    assert!(killed.success());
    t.exited(&format!("SIG{signal}"));
    // The alternate screen was left: the terminal is restored.
    t.wait_for("\x1b[?1049l", 5);
    let screen = t.finish();
    let draft = std::fs::read_to_string(data.join("draft.json")).expect("the draft is kept");
    assert!(draft.contains("赵六"), "{draft}");
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

/// How the terminal goes away under a counter with an unfinished form.
#[derive(Clone, Copy)]
enum Lost {
    /// Its master side closed (the kiosk's terminal window shut, an SSH link dropped).
    Closed,
    /// SIGTERM (the kiosk's session ending), the terminal still there.
    Sigterm,
}

/// The counter exits by itself, keeps the form as its draft and lets go of
/// the store: a test opens it the moment the process is gone. Returns what
/// the counter wrote to its standard error, if it was redirected.
fn the_counter_lets_go(lost: Lost, stderr_to_file: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let errors = dir.path().join("stderr.txt");
    let mut t = if stderr_to_file {
        InTerminal::start_logging_to(&data, &errors)
    } else {
        InTerminal::start(&data, |cmd| cmd.args(["--lang", "en"]))
    };
    t.wait_for("F5", 20);
    t.send(b"\x1b[12~"); // F2: a new form
    t.send("\t赵六".as_bytes());
    t.wait_for("赵", 10);
    let mut terminal = None;
    match lost {
        Lost::Closed => {
            // Every handle on the terminal's master side closes, the drain's
            // too: it lets go after the counter draws the key typed now.
            t.closing.store(true, std::sync::atomic::Ordering::SeqCst);
            t.send(b"!");
            t.drain.join().unwrap();
            drop(t.writer);
            drop(t.master);
        }
        Lost::Sigterm => {
            let pid = t.child.process_id().expect("a pid").to_string();
            assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
            terminal = Some((t.writer, t.master, t.drain));
        }
    }
    let mut child = t.child;
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("the counter did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let draft = std::fs::read_to_string(data.join("draft.json")).expect("the draft is kept");
    assert!(draft.contains("赵六"), "{draft}");
    // The store is free the moment the counter is gone.
    let store = onedoor::store::Store::open(&data, &Default::default());
    assert!(store.is_ok(), "the store is still held: {:?}", store.err());
    let log = std::fs::read_to_string(data.join("onedoor.log")).unwrap_or_default();
    assert!(!log.contains("panic"), "{log}");
    assert!(status.exit_code() != 101, "a panic's exit status: {status:?}");
    if let Some((writer, master, drain)) = terminal {
        drop(writer);
        drop(master);
        let _ = drain.join();
    }
    std::fs::read_to_string(&errors).unwrap_or_default()
}

#[test]
fn a_closed_terminal_with_stderr_in_a_file_lets_the_counter_go_with_its_draft() {
    let said = the_counter_lets_go(Lost::Closed, true);
    assert!(!said.contains("panicked"), "{said}");
}

#[test]
fn a_closed_terminal_with_stderr_on_it_lets_the_counter_go_with_its_draft() {
    the_counter_lets_go(Lost::Closed, false);
}

#[test]
fn sigterm_with_stderr_in_a_file_lets_the_counter_go_with_its_draft() {
    let said = the_counter_lets_go(Lost::Sigterm, true);
    assert!(!said.contains("panicked"), "{said}");
}

/// Types a whole intake for 王芳 on the ticket called with F5.
fn type_an_intake(t: &mut InTerminal) {
    t.wait_for("Today's cases", 20);
    t.send(b"\x1b[15~"); // F5: call the next ticket
    t.wait_for("ticket 1", 10);
    t.send("11010519491231002X".as_bytes());
    t.wait_for("valid", 10);
    t.send(b"\t");
    t.send("王芳".as_bytes());
    t.send(b"\t");
    t.send(b"13800000000");
    t.send(b"\t\t"); // residence stays urban
    t.send(b"\x7f3"); // household of 3
    t.send(b"\t");
    t.send(b"300");
    t.send(b"\t\t\t"); // kind temporary, reason serious illness
    t.send(b"5000");
}

/// A counter killed (SIGKILL, a power cut) the moment it says "Accepted":
/// its draft file may still be on disk (it is removed up to 300 ms later),
/// but the next counter knows the draft became a case and does not offer it
/// again (saving it again would make a second case for the same person).
#[test]
fn a_counter_killed_right_after_saving_does_not_offer_the_saved_form_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut t = InTerminal::start(&data, |cmd| cmd.args(["--lang", "en"]));
    type_an_intake(&mut t);
    // The draft with everything typed, as it is on disk just before the save.
    let before_saving = dir.path().join("draft-before-saving.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = std::fs::read_to_string(data.join("draft.json")).unwrap_or_default();
        if now.contains("5000") {
            std::fs::write(&before_saving, now).unwrap();
            break;
        }
        assert!(Instant::now() < deadline, "the draft was not written: {now}");
        std::thread::sleep(Duration::from_millis(20));
    }
    t.send(b"\x1b[21~"); // F10: save
    t.wait_for("Accepted", 10);
    // A real SIGKILL (portable-pty's kill() sends SIGHUP first, which the counter handles).
    let pid = t.child.process_id().expect("a pid").to_string();
    assert!(std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    t.exited("SIGKILL");
    t.finish();
    // The kill may come just after the draft went: then the draft as it was
    // a moment earlier, the state a kill a moment sooner leaves.
    let draft = data.join("draft.json");
    if !draft.exists() {
        let log = std::fs::read_to_string(data.join("onedoor.log")).unwrap();
        assert!(log.contains("accepted"), "{log}");
        std::fs::write(&draft, std::fs::read(&before_saving).unwrap()).unwrap();
    }
    let left = std::fs::read_to_string(&draft).unwrap();
    assert!(left.contains("王芳"), "{left}");

    let mut again = InTerminal::start(&data, |cmd| cmd.args(["--lang", "en"]));
    again.wait_for("Today's cases", 20);
    again.wait_for("110105********002X", 10); // the saved case, in today's list
    again.send(b"\x11"); // Ctrl+Q
    again.exited("Ctrl+Q");
    let screen = again.finish();
    // One word: the counter draws a space over a space as a cursor move, so a phrase never matches.
    assert!(!screen.contains("Restore"), "the saved form was offered again (draft left: {left})");
    assert!(!data.join("draft.json").exists(), "the saved draft stays behind");
    let list = onedoor(&data, &["case", "list", "--json"]);
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
}

/// The real counter on a store with operators opens on its sign-in screen
/// (no PIN asked on the terminal before it starts): a wrong PIN is refused
/// with the tries left and recorded, the right one opens the queue, and the
/// case saved is recorded under the operator signed in, not ONEDOOR_OPERATOR.
#[test]
fn the_real_counter_signs_in_on_its_own_screen() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor"))
        .args(["operator", "add", "head01", "--role", "supervisor"])
        .env("ONEDOOR_DATA", &data)
        .env("ONEDOOR_CONFIG", "/dev/null")
        .env("ONEDOOR_NOW", NOW)
        .env("ONEDOOR_NEW_PIN", "482913")
        .output()
        .unwrap();
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
    env_cmd(&mut cmd, &data);
    cmd.args(["--lang", "en"]);
    let mut t = InTerminal::run(cmd);
    t.wait_for("Sign in", 20);
    // clerk07 (ONEDOOR_OPERATOR) is no operator here: the name is not pre-filled.
    t.send(b"head01\t111222\r");
    t.wait_for("4 more tries", 10);
    t.send(b"482913\r");
    t.wait_for("signed in as head01", 10);
    type_an_intake(&mut t);
    t.save_and_quit();
    let screen = t.finish();
    assert!(!screen.contains("PIN of"), "no PIN prompt on the terminal before the counter");

    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_onedoor"))
            .args(args)
            .env("ONEDOOR_DATA", &data)
            .env("ONEDOOR_CONFIG", "/dev/null")
            .env("ONEDOOR_NOW", NOW)
            .env("ONEDOOR_LANG", "en")
            .env("ONEDOOR_OPERATOR", "head01")
            .env("ONEDOOR_PIN", "482913")
            .output()
            .unwrap();
        assert!(out.status.success(), "onedoor {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cases: Vec<serde_json::Value> = serde_json::from_str(&cli(&["case", "list", "--json"])).unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0]["operator"], "head01");
    let log = cli(&["audit", "log"]);
    assert!(log.contains("wrong PIN, 4 left"), "{log}");
}

/// `onedoor demo` opens straight on the sample day: no sign-in and no
/// first supervisor asked (its store has no operators).
#[test]
fn the_demo_opens_on_the_sample_day_without_a_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
    env_cmd(&mut cmd, &data);
    cmd.args(["--lang", "en", "demo"]);
    let mut t = InTerminal::run(cmd);
    t.wait_for("Today's cases", 30);
    t.wait_for("simulated", 10);
    t.send(b"\x11"); // Ctrl+Q
    let status = t.exited("Ctrl+Q");
    assert!(status.success(), "{status:?}");
    let screen = t.finish();
    assert!(!screen.contains("first supervisor") && !screen.contains("Sign in"), "{screen}");
}

/// The CPUs of every thread of a process, by thread name (/proc).
fn threads_and_cpus(pid: u32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default().trim().to_owned();
        if let Some(cpus) = onedoor::cpus::allowed_list(&task.path()) {
            out.push((name, cpus));
        }
    }
    out
}

/// On a kiosk of two cores or more the screen has a CPU of its own: sled's
/// flusher and IO threads, the forwarder, the printer, the district search
/// and the control socket all keep off it, while the screen's thread and
/// the input thread that brings it the keys may use it. So a backlog being
/// forwarded, or sled cleaning its files, never takes the screen's turn.
#[test]
fn the_counters_background_threads_leave_the_screen_a_cpu_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("onedoor.toml");
    // A district no one answers at: the forwarder and the search start all the same.
    std::fs::write(&config, "[district]\nurl = \"http://127.0.0.1:9\"\n").unwrap();
    let config = config.to_string_lossy().into_owned();
    let mut counter = pty::Counter::start(&data, &[("ONEDOOR_CONFIG", &config)]);
    counter.wait_for_queue();
    let pid = counter.pid();
    let threads = threads_and_cpus(pid);
    let ours = onedoor::cpus::allowed_list(Path::new("/proc/self")).unwrap();
    let screen_cpu = (0..1024).find(|&c| onedoor::cpus::cpu_list_has(&ours, c)).unwrap();
    let has_screen_cpu = |name: &str| -> Vec<bool> {
        threads
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, cpus)| onedoor::cpus::cpu_list_has(cpus, screen_cpu))
            .collect()
    };
    for name in ["sled-io-0", "forwarder", "onedoor-printer", "onedoor-control", "district-search"] {
        assert!(!has_screen_cpu(name).is_empty(), "no thread {name} in {threads:?}");
    }
    if (0..1024).filter(|&c| onedoor::cpus::cpu_list_has(&ours, c)).count() < 2 {
        // One CPU: every thread shares it, as before.
        assert!(threads.iter().all(|(_, cpus)| *cpus == ours), "{threads:?}");
        return;
    }
    for (name, cpus) in &threads {
        let screens = ["onedoor", "onedoor-input"].contains(&name.as_str());
        assert_eq!(
            onedoor::cpus::cpu_list_has(cpus, screen_cpu),
            screens,
            "thread {name} may use CPUs {cpus} (the screen's is {screen_cpu}): {threads:?}"
        );
    }
    counter.quit();
}

//! Keystroke to rendered frame on the counter, at 80x24 and 200x60: moving
//! through the queue, typing in the intake form, and the supervisor's screen
//! (F9: its opening, which reads the day, and its frames), and cold start to the
//! first frame, on a store of `ONEDOOR_BENCH_CASES` cases (default 20000;
//! 300 of them today). Besides criterion's estimates it prints p50/p99/max
//! of single keystrokes, the figure the counter's targets are stated in.
//! Cold start is measured twice: in this process (open the store, build the
//! counter, draw) and as the clerk sees it, the real `onedoor` binary started
//! in a pseudo-terminal until its first frame arrives (process start, config,
//! keymap, receipt templates, terminal setup and device threads included).
//!
//! Last, the same keystrokes at 80x24 while the counter's real forwarder
//! thread drains a backlog of `ONEDOOR_BENCH_BACKLOG` finished cases
//! (default 10,000; 0: skipped) to the real `onedoor-district` (embedded
//! store) on 127.0.0.1, in chunks, each draining window between two windows
//! with the forwarder idle (its outbox empty): a same-conditions A/B with its
//! noise floor (see `keystrokes_while_a_backlog_drains`); then the time to
//! drain as many cases again with no keys typed. `ONEDOOR_BENCH_ONLY=backlog`
//! runs that part alone.
#![forbid(unsafe_code)]

#[path = "../tests/district_support/mod.rs"]
mod district_support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::DateTime;
use criterion::Criterion;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use onedoor::config::CounterConfig;
use onedoor::store::{Store, StoreOptions};
use onedoor::ui::{Clock, Counter, Keymap, Setup, Theme};
use onedoor::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const PER_DAY: usize = 300;

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn counter(store: Arc<Store>, dir: &Path) -> Counter {
    let now = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap_or_default();
    let mut c = Counter::new(Setup {
        store,
        counter: CounterConfig::default(),
        operator: "bench".into(),
        lang: Lang::ZhCn,
        keymap: Keymap::default_keymap(),
        theme: Theme::color(),
        clock: Clock::Fixed(now),
        data_dir: dir.to_path_buf(),
        policies: Arc::new(onedoor::window::builtin_policies().clone()),
    });
    // The bench store has no operators: the queue at once.
    c.work_without_operators();
    c
}

fn frame(term: &mut Terminal<TestBackend>, c: &mut Counter) {
    let _ = term.draw(|f| c.render(f, f.area()));
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!("{name:<34} n={:<6} p50={:>9.1?} p99={:>9.1?} max={:>9.1?}", samples.len(), at(0.5), at(0.99), at(1.0));
}

/// One keystroke then one frame, `n` times; the keys alternate so the state stays bounded.
fn keystrokes(c: &mut Counter, term: &mut Terminal<TestBackend>, keys: &[Event], n: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let k = keys[i % keys.len()].clone();
        let t = Instant::now();
        c.handle_event(k);
        frame(term, c);
        out.push(t.elapsed());
    }
    out
}

const NAV: [KeyCode; 6] =
    [KeyCode::Down, KeyCode::Down, KeyCode::PageDown, KeyCode::Up, KeyCode::PageUp, KeyCode::Down];
const TYPING: [KeyCode; 4] = [KeyCode::Char('王'), KeyCode::Char('芳'), KeyCode::Backspace, KeyCode::Backspace];

fn keys(codes: &[KeyCode]) -> Vec<Event> {
    codes.iter().map(|c| key(*c)).collect()
}

fn main() {
    let n: usize = std::env::var("ONEDOOR_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let backlog: u32 = std::env::var("ONEDOOR_BENCH_BACKLOG").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let only_backlog = std::env::var("ONEDOOR_BENCH_ONLY").is_ok_and(|v| v == "backlog");
    // ONEDOOR_BENCH_STORE keeps the seeded store there and reuses it next time.
    let kept = std::env::var_os("ONEDOOR_BENCH_STORE").map(std::path::PathBuf::from);
    let dir = kept
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("onedoor-bench-counter-{}", std::process::id())));
    let store_dir = dir.join("store");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    // As the counter does: the threads started until the screen's own
    // keystrokes (sled's, the forwarder's, the counter's) keep off the
    // screen's CPU. ONEDOOR_BENCH_SET_ASIDE=0 leaves them every CPU, as before.
    let set_aside = || {
        if std::env::var("ONEDOOR_BENCH_SET_ASIDE").is_ok_and(|v| v == "0") {
            None
        } else {
            onedoor::cpus::keep_off_the_screens_cpu().expect("the CPUs")
        }
    };
    let aside = set_aside();
    println!(
        "the screen's CPU set aside for it: {}",
        aside.as_ref().map_or("no".to_owned(), |a| a.screen().to_string())
    );
    if kept.is_some() && store_dir.exists() {
        println!("reusing the store in {}", store_dir.display());
    } else {
        let store = Store::open(&store_dir, &StoreOptions::default()).expect("a store");
        let t = Instant::now();
        onedoor::ui::demo::seed_bulk(&store, &CounterConfig::default(), today, n, PER_DAY).expect("seeding");
        // As after `case import`: the first open after the bulk load is paid by the load.
        store.reopen(&StoreOptions::default()).expect("the store reopens");
        println!("seeded {n} cases ({PER_DAY} today) in {:?}", t.elapsed());
    }

    if only_backlog {
        if backlog > 0 {
            keystrokes_while_a_backlog_drains(&store_dir, &dir, backlog, aside);
        }
        if kept.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        return;
    }

    drop(aside);
    // Cold start to first frame: open the store, build the counter, draw.
    let mut cold = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let store = Arc::new(Store::open(&store_dir, &StoreOptions::default()).expect("opens"));
        let mut c = counter(store, &dir);
        let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        frame(&mut term, &mut c);
        cold.push(t.elapsed());
    }
    report("cold start to first frame (in process)", cold);
    report("cold start to first frame (binary)", binary_cold_starts(&store_dir, 10));

    let store = Arc::new(Store::open(&store_dir, &StoreOptions::default()).expect("opens"));
    let mut crit = Criterion::default().configure_from_args();
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut c = counter(Arc::clone(&store), &dir);
        frame(&mut term, &mut c);
        let nav = keys(&NAV);
        report(&format!("queue navigation {w}x{h}"), keystrokes(&mut c, &mut term, &nav, 20_000));
        crit.bench_function(&format!("queue_navigation_{w}x{h}"), |b| {
            let mut i = 0;
            b.iter(|| {
                c.handle_event(nav[i % nav.len()].clone());
                i += 1;
                frame(&mut term, &mut c);
            })
        });

        c.handle_event(key(KeyCode::F(2)));
        c.handle_event(key(KeyCode::Tab));
        let typing = keys(&TYPING);
        report(&format!("intake typing {w}x{h}"), keystrokes(&mut c, &mut term, &typing, 20_000));
        crit.bench_function(&format!("intake_typing_{w}x{h}"), |b| {
            let mut i = 0;
            b.iter(|| {
                c.handle_event(typing[i % typing.len()].clone());
                i += 1;
                frame(&mut term, &mut c);
            })
        });
        c.handle_event(key(KeyCode::Esc));
        c.handle_event(key(KeyCode::Enter));
        c.sync_draft();

        // The supervisor's screen: F9 reads the day (once), then tabs and lists are frames only.
        let open = [key(KeyCode::F(9)), key(KeyCode::Esc)];
        let opened = keystrokes(&mut c, &mut term, &open, 200);
        report(&format!("supervisor F9 open (reads the day) {w}x{h}"), opened.into_iter().step_by(2).collect());
        c.handle_event(key(KeyCode::F(9)));
        let moves = [
            key(KeyCode::Right),
            key(KeyCode::Down),
            key(KeyCode::Right),
            key(KeyCode::Down),
            key(KeyCode::Right),
            key(KeyCode::Up),
        ];
        report(&format!("supervisor screen frame {w}x{h}"), keystrokes(&mut c, &mut term, &moves, 20_000));
        crit.bench_function(&format!("supervisor_screen_{w}x{h}"), |b| {
            let mut i = 0;
            b.iter(|| {
                c.handle_event(moves[i % moves.len()].clone());
                i += 1;
                frame(&mut term, &mut c);
            })
        });
        c.handle_event(key(KeyCode::Esc));
    }
    crit.bench_function("counter_build_first_frame_store_open", |b| {
        b.iter(|| {
            let mut c = counter(Arc::clone(&store), &dir);
            let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
            frame(&mut term, &mut c);
        })
    });
    crit.final_summary();
    drop(store);
    if backlog > 0 {
        keystrokes_while_a_backlog_drains(&store_dir, &dir, backlog, set_aside());
    }
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The real binary in an 80x24 pseudo-terminal, from spawn to the first
/// frame's bottom bar on the screen; then it is stopped (SIGTERM) and waited
/// for, so the next run finds the store free.
fn binary_cold_starts(store_dir: &Path, runs: usize) -> Vec<Duration> {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read;
    use std::sync::mpsc;
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        let pty = native_pty_system()
            .openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onedoor"));
        cmd.env("ONEDOOR_DATA", store_dir);
        cmd.env("ONEDOOR_CONFIG", "/dev/null");
        cmd.env("ONEDOOR_NOW", "2026-11-30T09:00:00+08:00");
        cmd.env("TERM", "xterm-256color");
        let mut reader = pty.master.try_clone_reader().expect("a reader");
        let (seen, first_frame) = mpsc::channel();
        let drain = std::thread::spawn(move || {
            let mut screen = Vec::new();
            let mut buf = [0u8; 8192];
            let mut told = false;
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen.extend_from_slice(&buf[..n]);
                if !told && String::from_utf8_lossy(&screen).contains("F5") {
                    let _ = seen.send(Instant::now());
                    told = true;
                }
            }
        });
        let t = Instant::now();
        let mut child = pty.slave.spawn_command(cmd).expect("the binary starts");
        let at = first_frame.recv_timeout(Duration::from_secs(30)).expect("a first frame within 30 s");
        out.push(at - t);
        if let Some(pid) = child.process_id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        let _ = child.wait();
        drop(pty.slave);
        drop(pty.master);
        let _ = drain.join();
    }
    out
}

/// Pins a thread (or, `all`, every thread of a process) to `cpus` ("1",
/// "0,1") with `taskset`; says so when it cannot.
fn pin(what: &str, tid: u32, cpus: &str, all: bool) {
    let mut cmd = std::process::Command::new("taskset");
    if all {
        cmd.arg("-a");
    }
    cmd.args(["-p", "-c", cpus, &tid.to_string()]).stdout(std::process::Stdio::null());
    if !cmd.status().is_ok_and(|s| s.success()) {
        println!("could not pin {what} to CPU {cpus}: runs where the scheduler puts it");
    }
}

/// A CPU list from the environment: `default` when unset, nothing for "none".
fn cpus_from_env(name: &str, default: &str) -> Option<String> {
    let v = std::env::var(name).unwrap_or_else(|_| default.into());
    (v != "none" && !v.is_empty()).then_some(v)
}

/// The id of the calling thread.
fn this_thread() -> u32 {
    let link = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self");
    link.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse().ok()).expect("a thread id")
}

/// The id of this process's thread named `name`.
fn thread_named(name: &str) -> Option<u32> {
    std::fs::read_dir("/proc/self/task").ok()?.flatten().find_map(|task| {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        (comm.trim() == name).then(|| task.file_name().to_str()?.parse().ok()).flatten()
    })
}

/// The scheduling policy (0 normal, 5 idle) and priority (120 + nice) of a
/// thread of this process, from /proc.
fn scheduling_of(tid: u32) -> String {
    let sched = std::fs::read_to_string(format!("/proc/self/task/{tid}/sched")).unwrap_or_default();
    let field = |name: &str| {
        let line = sched.lines().find(|l| l.split_whitespace().next() == Some(name));
        line.and_then(|l| l.rsplit(':').next()).map(str::trim).unwrap_or("?").to_owned()
    };
    format!("policy {}, prio {}", field("policy"), field("prio"))
}

/// CPU seconds (user + system) of the process or thread whose `stat` is at `path`.
fn cpu_seconds(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // After the ")" that ends the name: utime and stime are the 12th and 13th fields.
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of the screen's thread, of the counter's other threads (the
/// forwarder and its senders), and of the district server, at one instant.
#[derive(Clone, Copy, Default)]
struct Cpu {
    screen: f64,
    others: f64,
    district: f64,
}

impl Cpu {
    fn now(district: u32) -> Cpu {
        let screen = cpu_seconds("/proc/thread-self/stat");
        let process = cpu_seconds("/proc/self/stat");
        Cpu { screen, others: process - screen, district: cpu_seconds(&format!("/proc/{district}/stat")) }
    }
}

/// The kinds of keystroke timed: queue navigation and intake typing without
/// pause (from the key to its frame), and navigation a key every 2 ms, timed
/// from the instant the key was due (the screen thread's wake-up included,
/// as when a clerk's key arrives at a counter that was waiting).
const KINDS: [&str; 3] = ["queue navigation", "intake typing", "navigation, a key every 2 ms"];
const PACE: Duration = Duration::from_millis(2);

/// Keystrokes timed, by kind, and how many status reports came meanwhile.
#[derive(Default)]
struct Round {
    samples: [Vec<Duration>; 3],
    reports: usize,
}

impl Round {
    fn extend(&mut self, other: Round) {
        for (all, more) in self.samples.iter_mut().zip(other.samples) {
            all.extend(more);
        }
        self.reports += other.reports;
    }

    fn p99s(&self) -> [Duration; 3] {
        [0, 1, 2].map(|k| quantile(&self.samples[k], 0.99))
    }
}

/// The keystrokes of one kind of window (idle, idle again, draining), over every cycle.
#[derive(Default)]
struct Window {
    keys: Round,
    wall: Duration,
    cpu: Cpu,
}

impl Window {
    fn add(&mut self, keys: Round, wall: Duration, from: Cpu, to: Cpu) {
        self.keys.extend(keys);
        self.wall += wall;
        self.cpu.screen += to.screen - from.screen;
        self.cpu.others += to.others - from.others;
        self.cpu.district += to.district - from.district;
    }
}

fn quantile(samples: &[Duration], q: f64) -> Duration {
    let mut s = samples.to_vec();
    s.sort();
    s.get(((s.len().max(1) - 1) as f64 * q) as usize).copied().unwrap_or_default()
}

/// Keystroke to frame at 80x24 with the counter's forwarder thread running
/// on the same store, as the real counter runs it (its reports reach the
/// counter as messages between keystrokes), in a same-conditions A/B: the
/// backlog is queued in `ONEDOOR_BENCH_CYCLES` (default 10) chunks, and each
/// cycle is a window with the forwarder idle, a window while it drains the
/// chunk, and another idle window as long as the draining one. So drift and
/// other load fall on all three, and idle against idle again is the noise
/// floor. Queue navigation and intake typing alternate in blocks, without
/// pause (a clerk types far slower: the worst case for the forwarder's
/// share of the two cores), then a few navigation keys paced 2 ms apart,
/// then the clerk's pause (`ONEDOOR_BENCH_PAUSE_MS`, 2,500 ms): the forwarder
/// sends nothing within 2 s of a key, so the backlog goes in the pauses, and
/// a round may begin while the last requests are still in flight.
///
/// The district stands for another machine as far as two cores allow: the
/// real `onedoor-district` process with every thread pinned to CPU 1
/// (`ONEDOOR_BENCH_DISTRICT_CPUS`), the screen's thread pinned to CPU 0
/// (`ONEDOOR_BENCH_SCREEN_CPUS`, after the counter's threads started: they
/// choose their CPUs as in the counter), so the district never runs where
/// the keystrokes are timed. As in the counter, every thread the bench
/// starts before the screen's keystrokes (sled's, the forwarder's, the
/// counter's) keeps off CPU 0 (`ONEDOOR_BENCH_SET_ASIDE=0`: not);
/// `ONEDOOR_BENCH_FORWARDER_CPUS=0,1` puts it back on every CPU, as before
/// that (to compare), and `ONEDOOR_BENCH_FORWARDER_POLICY=idle` puts it in
/// SCHED_IDLE; "none" leaves any of them as it is. On a machine shared with
/// other work, run it in a session of its own at a high autogroup priority
/// (as root: `setsid -w bash -c 'echo -20 > /proc/self/autogroup; exec …'`)
/// so that work stands back as it would on a kiosk.
///
/// Last, the same number of cases again queued at once with no keys typed,
/// the district moved to CPU 0 (`ONEDOOR_BENCH_DRAIN_DISTRICT_CPUS`), where
/// the forwarder is not: the time the forwarder thread takes to drain them.
fn keystrokes_while_a_backlog_drains(
    store_dir: &Path,
    dir: &Path,
    backlog: u32,
    aside: Option<onedoor::cpus::SetAside>,
) {
    use district_support::{finished, person, token_of, write_finished, Backend, Ending, Harness};
    use onedoor::ui::Msg;
    const TOWN: &str = "320106001";
    const BLOCK: usize = 100;
    const PACED: usize = 25;
    // The clerk's pause after each round of keys (ms): the forwarder sends
    // 2 s into a pause, so a round that follows a pause of 2.5 s meets the
    // end of what it sent.
    let pause = Duration::from_millis(
        std::env::var("ONEDOOR_BENCH_PAUSE_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(2500),
    );
    let cycles: u32 = std::env::var("ONEDOOR_BENCH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(10).max(1);
    let h = Harness::new(Backend::Sled);
    let district_pid = h.district.pid();
    let district_cpus = cpus_from_env("ONEDOOR_BENCH_DISTRICT_CPUS", "1");
    let screen_cpus = cpus_from_env("ONEDOOR_BENCH_SCREEN_CPUS", "0");
    let forwarder_cpus = cpus_from_env("ONEDOOR_BENCH_FORWARDER_CPUS", "none");
    if let Some(cpus) = &district_cpus {
        pin("the district server", district_pid, cpus, true);
    }
    let token = dir.join("district.token");
    std::fs::write(&token, token_of(TOWN)).expect("the token file");
    std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).expect("mode 0600");
    let config = onedoor::config::DistrictConfig {
        url: Some(h.district.url()),
        token_file: Some(token),
        ca_file: None,
        connections: 4,
    };
    let store = Arc::new(Store::open(store_dir, &StoreOptions::default()).expect("opens"));
    let (tx, rx) = std::sync::mpsc::channel::<Msg>();
    let tell = move |status| {
        let _ = tx.send(Msg::District(status));
    };
    let forwarder =
        onedoor::sync::forward::spawn(Arc::clone(&store), &config, Lang::ZhCn, tell).expect("the forwarder thread");
    let mut c = counter(Arc::clone(&store), dir);
    // As in the counter: the screen tells the forwarder of every key (what it
    // sends waits for the clerk's pause of 2 s).
    c.attach_forwarder(forwarder.clone());
    // The counter's threads have started: the screen's thread gets every CPU back,
    // then the pin (after them, so that they choose their CPUs as in the counter).
    drop(aside);
    if let Some(cpus) = &screen_cpus {
        pin("the screen's thread", this_thread(), cpus, false);
    }
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    frame(&mut term, &mut c);
    // What the seeded store had waiting goes first: the forwarder is idle after.
    loop {
        let msg = rx.recv_timeout(Duration::from_secs(120)).expect("the forwarder reports");
        if let Msg::District(status) = &msg {
            assert!(status.stopped.is_none(), "{status:?}");
            if status.waiting == 0 {
                break;
            }
        }
        c.update(msg);
    }
    let forwarder_tid = thread_named("forwarder").expect("the forwarder thread");
    if let Some(cpus) = &forwarder_cpus {
        pin("the forwarder", forwarder_tid, cpus, false);
    }
    // To compare scheduling classes: "idle" puts the forwarder in SCHED_IDLE
    // by `chrt` (the senders it starts after inherit it).
    if std::env::var("ONEDOOR_BENCH_FORWARDER_POLICY").is_ok_and(|p| p == "idle") {
        let ok = std::process::Command::new("chrt")
            .args(["-i", "-p", "0", &forwarder_tid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        println!("forwarder in SCHED_IDLE by chrt: {ok}");
    }
    println!("forwarder thread: {}", scheduling_of(forwarder_tid));
    let allowed = |tid: u32| {
        onedoor::cpus::allowed_list(Path::new(&format!("/proc/self/task/{tid}"))).unwrap_or_else(|| "?".to_owned())
    };
    println!(
        "district server pid {district_pid} on CPU {}, screen thread on CPU {}, forwarder on CPU {}",
        district_cpus.as_deref().unwrap_or("any"),
        allowed(this_thread()),
        allowed(forwarder_tid),
    );
    let mut others: Vec<String> = std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .flatten()
                .filter_map(|t| {
                    let name = std::fs::read_to_string(t.path().join("comm")).ok()?;
                    Some(format!("{} {}", name.trim(), onedoor::cpus::allowed_list(&t.path())?))
                })
                .collect()
        })
        .unwrap_or_default();
    others.sort();
    others.dedup();
    println!("threads and their CPUs: {}", others.join(", "));
    let held_before = h.town_status(TOWN).cases_held;
    let nav = keys(&NAV);
    let typing = keys(&TYPING);
    // One block of each kind of keystroke; the forwarder's reports are applied
    // before each keystroke, as the terminal loop does between events. Also
    // says whether a report said the outbox is empty.
    let round = |c: &mut Counter, term: &mut Terminal<TestBackend>, emptied: &mut bool| -> Round {
        let mut out = Round::default();
        for (kind, keys, n) in [(0, &nav, BLOCK), (1, &typing, BLOCK), (2, &nav, PACED)] {
            let typed = kind == 1;
            if typed {
                c.handle_event(key(KeyCode::F(2)));
                c.handle_event(key(KeyCode::Tab));
            }
            let start = Instant::now();
            for i in 0..n {
                while let Ok(msg) = rx.try_recv() {
                    if let Msg::District(status) = &msg {
                        out.reports += 1;
                        *emptied = *emptied || status.waiting == 0;
                    }
                    c.update(msg);
                }
                let t = if kind == 2 {
                    let due = start + PACE * (i as u32 + 1);
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    due
                } else {
                    Instant::now()
                };
                c.handle_event(keys[i % keys.len()].clone());
                frame(term, c);
                out.samples[kind].push(t.elapsed());
            }
            if typed {
                c.handle_event(key(KeyCode::Esc));
                c.handle_event(key(KeyCode::Enter));
                c.sync_draft();
            }
        }
        // The clerk's pause, in every window alike: the backlog goes in it.
        std::thread::sleep(pause);
        out
    };
    // `rounds` rounds, or (None) until the outbox is empty and the forwarder said so.
    let window = |c: &mut Counter, term: &mut Terminal<TestBackend>, rounds: Option<usize>| {
        let (started, cpu) = (Instant::now(), Cpu::now(district_pid));
        let mut out = Round::default();
        let mut emptied = false;
        let mut done = 0;
        while rounds.map_or(!(emptied && store.outbox_counts().0 == 0), |r| done < r) {
            out.extend(round(c, term, &mut emptied));
            done += 1;
            assert!(started.elapsed() < Duration::from_secs(600), "a chunk did not drain in 10 minutes");
        }
        (out, started.elapsed(), cpu, Cpu::now(district_pid), done)
    };
    // Finished cases of days the seeded queue does not use, as the window writes them.
    let make = |from: u32, to: u32| -> Vec<onedoor::domain::Case> {
        (from..to)
            .map(|i| {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default()
                    + chrono::Duration::days(i64::from(i / 5000));
                finished(TOWN, day, i % 5000 + 1, &person(i + 1), &[], Ending::Completed)
            })
            .collect()
    };
    let chunk = (backlog / cycles).max(1);
    let (mut idle, mut again, mut busy) = (Window::default(), Window::default(), Window::default());
    let mut per_cycle = Vec::new();
    let mut rounds = 3;
    for k in 0..cycles {
        let (r, wall, from, to, _) = window(&mut c, &mut term, Some(rounds));
        let a_p99 = r.p99s();
        idle.add(r, wall, from, to);
        write_finished(&store, &make(k * chunk, (k + 1) * chunk));
        forwarder.wake();
        let (r, wall, from, to, done) = window(&mut c, &mut term, None);
        let d_p99 = r.p99s();
        busy.add(r, wall, from, to);
        rounds = done.max(1);
        let (r, wall, from, to, _) = window(&mut c, &mut term, Some(rounds));
        let b_p99 = r.p99s();
        again.add(r, wall, from, to);
        per_cycle.push((a_p99, d_p99, b_p99, rounds));
    }
    let sent = chunk * cycles;
    assert_eq!(h.town_status(TOWN).cases_held, held_before + u64::from(sent), "every case reached the district");
    println!(
        "{cycles} chunks of {chunk} cases drained by the forwarder thread in {:.1?} in all while keys were typed \
         (rounds of {BLOCK} navigation + {BLOCK} typing + {PACED} paced navigation keystrokes)",
        busy.wall
    );
    let windows = [("idle", &idle), ("idle again", &again), ("draining", &busy)];
    for (k, kind) in KINDS.iter().enumerate() {
        for (name, w) in windows {
            report(&format!("{kind} 80x24, {name}"), w.keys.samples[k].clone());
        }
    }
    for (name, w) in windows {
        println!(
            "{name:<10} {:>6.2} s wall: CPU s screen thread {:.2}, forwarder and the rest {:.2}, district {:.2}; \
             {} status reports",
            w.wall.as_secs_f64(),
            w.cpu.screen,
            w.cpu.others,
            w.cpu.district,
            w.keys.reports
        );
    }
    println!("p99 per cycle (navigation / typing / paced): idle | draining | idle again, rounds");
    for ([an, at, ap], [dn, dt, dp], [bn, bt, bp], rounds) in per_cycle {
        println!(
            "  {an:>7.1?} {at:>7.1?} {ap:>7.1?} | {dn:>7.1?} {dt:>7.1?} {dp:>7.1?} | {bn:>7.1?} {bt:>7.1?} {bp:>7.1?}  {rounds}"
        );
    }

    // The same number again at once, and no keys: how long the drain takes,
    // the district now on the screen's CPU (idle: no keys), away from the forwarder's.
    if let Some(cpus) = cpus_from_env("ONEDOOR_BENCH_DRAIN_DISTRICT_CPUS", "0") {
        pin("the district server", district_pid, &cpus, true);
    }
    write_finished(&store, &make(sent, 2 * sent));
    let queued = Instant::now();
    forwarder.wake();
    loop {
        let msg = rx.recv_timeout(Duration::from_secs(600)).expect("the forwarder reports");
        if matches!(&msg, Msg::District(status) if status.waiting == 0) && store.outbox_counts().0 == 0 {
            break;
        }
    }
    let drained = queued.elapsed();
    assert_eq!(h.town_status(TOWN).cases_held, held_before + 2 * u64::from(sent), "every case reached the district");
    println!("backlog of {sent} cases drained by the forwarder thread in {drained:.2?} with no keys typed");
}

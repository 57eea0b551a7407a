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
//! store) on 127.0.0.1, against the same with the forwarder idle, its outbox
//! empty. `ONEDOOR_BENCH_ONLY=backlog` runs that part alone.
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
        keystrokes_while_a_backlog_drains(&store_dir, &dir, backlog);
        if kept.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        return;
    }

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
        keystrokes_while_a_backlog_drains(&store_dir, &dir, backlog);
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

/// Keystroke to frame at 80x24 with the counter's forwarder thread running
/// on the same store, as the real counter runs it (its reports reach the
/// counter as messages between keystrokes): first idle, nothing in its
/// outbox; then while it drains `backlog` finished cases to a real district
/// server on 127.0.0.1. Queue navigation and intake typing alternate in
/// blocks, without pause (a clerk types far slower: this is the worst case
/// for the forwarder's share of the two cores).
fn keystrokes_while_a_backlog_drains(store_dir: &Path, dir: &Path, backlog: u32) {
    use district_support::{finished, person, token_of, write_finished, Backend, Ending, Harness};
    use onedoor::ui::Msg;
    const TOWN: &str = "320106001";
    const BLOCK: usize = 500;
    let h = Harness::new(Backend::Sled);
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
    let _forwarder =
        onedoor::sync::forward::spawn(Arc::clone(&store), &config, Lang::ZhCn, tell).expect("the forwarder thread");
    let mut c = counter(Arc::clone(&store), dir);
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
    let held_before = h.town_status(TOWN).cases_held;
    let nav = keys(&NAV);
    let typing = keys(&TYPING);
    // One block of each kind of keystroke; the forwarder's reports are applied
    // before each keystroke, as the terminal loop does between events.
    let round = |c: &mut Counter, term: &mut Terminal<TestBackend>| {
        let mut out = (Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK));
        for (keys, samples) in [(&nav, &mut out.0), (&typing, &mut out.1)] {
            if std::ptr::eq(keys, &typing) {
                c.handle_event(key(KeyCode::F(2)));
                c.handle_event(key(KeyCode::Tab));
            }
            for i in 0..BLOCK {
                while let Ok(msg) = rx.try_recv() {
                    c.update(msg);
                }
                let t = Instant::now();
                c.handle_event(keys[i % keys.len()].clone());
                frame(term, c);
                samples.push(t.elapsed());
            }
            if std::ptr::eq(keys, &typing) {
                c.handle_event(key(KeyCode::Esc));
                c.handle_event(key(KeyCode::Enter));
                c.sync_draft();
            }
        }
        out
    };
    let (mut idle_nav, mut idle_typing) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let (n, t) = round(&mut c, &mut term);
        idle_nav.extend(n);
        idle_typing.extend(t);
    }
    // The backlog: finished cases of days the seeded queue does not use, as the window writes them.
    let cases: Vec<_> = (0..backlog)
        .map(|i| {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default()
                + chrono::Duration::days(i64::from(i / 5000));
            finished(TOWN, day, i % 5000 + 1, &person(i + 1), &[], Ending::Completed)
        })
        .collect();
    write_finished(&store, &cases);
    let queued = Instant::now();
    let (mut busy_nav, mut busy_typing) = (Vec::new(), Vec::new());
    let mut sending = false;
    let mut rounds = 0;
    loop {
        // Counted (outside the timed keystrokes) once a round.
        let waiting = store.outbox_counts().0;
        if waiting == 0 {
            break;
        }
        // The forwarder looks at its outbox every 2 s: the rounds before it
        // has sent anything do not count.
        sending = sending || waiting < backlog as usize;
        let (n, t) = round(&mut c, &mut term);
        if sending {
            busy_nav.extend(n);
            busy_typing.extend(t);
            rounds += 1;
        }
        assert!(queued.elapsed() < Duration::from_secs(600), "the backlog did not drain in 10 minutes");
    }
    let drained = queued.elapsed();
    assert_eq!(h.town_status(TOWN).cases_held, held_before + u64::from(backlog), "every case reached the district");
    println!(
        "backlog of {backlog} cases drained by the forwarder thread in {drained:.1?} from the commit that queued them \
         ({rounds} rounds of {BLOCK} navigation + {BLOCK} typing keystrokes while it sent)"
    );
    report("queue navigation 80x24, idle forwarder", idle_nav);
    report("queue navigation 80x24, backlog draining", busy_nav);
    report("intake typing 80x24, idle forwarder", idle_typing);
    report("intake typing 80x24, backlog draining", busy_typing);
}

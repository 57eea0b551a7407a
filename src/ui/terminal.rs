//! The counter on a real terminal: one channel for keys, ticks and device
//! reports (the ID card reader thread, the printer worker), one loop that
//! applies them and redraws, logs to `DATA/onedoor.log`, and the terminal
//! restored on quit, on a panic and on SIGTERM or SIGHUP, with the unfinished
//! form kept as a draft. A terminal that goes away (its window shut, the
//! link dropped) closes the counter too, within a second, and nothing on the
//! way out waits on the terminal, the logger or the input thread.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event;

use super::app::Setup;
use super::env::Clock;
use super::{Counter, CounterEvent, DeviceState, DeviceStatus, Keymap, Msg, Outcome, Theme, UiError};
use crate::session::Session;

/// Starts producers on the counter's channel (the ID card reader thread, the
/// printer's status, the district forwarder…): each gets a clone of the sender.
pub type Attach = Box<dyn FnOnce(Sender<Msg>) + Send>;
/// Called on the UI thread for every accepted case or step (e.g. to queue a receipt).
pub type OnEvent = Box<dyn FnMut(&CounterEvent)>;

#[derive(Default)]
pub struct RunOptions {
    /// The demo: devices are shown as simulated.
    pub demo: bool,
    pub attach: Option<Attach>,
    pub on_event: Option<OnEvent>,
    /// Carries out the commands of the CLI beside the counter (the control socket).
    pub control: Option<crate::control::Handler>,
}

const TICK: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(100);
/// How long the way out waits for the input thread before leaving it behind.
const INPUT_GONE: Duration = Duration::from_millis(500);

/// Sends log lines to `DATA/onedoor.log`, never to the clerk's screen.
pub fn init_logging(data: &std::path::Path) {
    let path = data.join("onedoor.log");
    let file = std::fs::OpenOptions::new().create(true).append(true).open(&path);
    if let Ok(file) = file {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .with_target(false)
            .try_init();
    }
}

/// Opens the store, connects the printer and the ID card reader, and runs the
/// counter until the clerk quits. A broken receipt template or printer spec
/// refuses to start (like a bad keymap), naming the file and line.
pub fn run(session: &Session, options: RunOptions) -> Result<(), UiError> {
    // Every thread started from here until the input thread (sled's
    // flusher and IO threads, the forwarder, the printer, the card reader,
    // the control socket) keeps off the screen's CPU: see `cpus.rs`.
    let aside = match crate::cpus::keep_off_the_screens_cpu() {
        Ok(aside) => aside,
        Err(e) => {
            tracing::debug!("the counter's threads share every CPU: {e}");
            None
        }
    };
    // Who works at the counter signs in on its own screen, not at the
    // terminal before it starts (as the CLI's commands do).
    let store = crate::store::Store::open(&session.paths.data, &session.store_options())?;
    init_logging(&session.paths.data);
    let keymap = Keymap::load(&session.config.ui.keymap)?;
    let clock = if std::env::var_os("ONEDOOR_NOW").is_some() {
        Clock::Fixed(session.now)
    } else {
        Clock::System(session.config.counter.utc_offset)
    };
    tracing::info!(data = %session.paths.data.display(), "counter starting");
    let mut counter = Counter::new(Setup {
        store: Arc::new(store),
        counter: session.config.counter.clone(),
        operator: session.operator.clone(),
        lang: session.lang,
        keymap,
        theme: Theme::from_env(),
        clock,
        data_dir: session.paths.data.clone(),
        policies: Arc::new(session.policies.clone()),
    });
    let (tx, rx) = mpsc::channel::<Msg>();
    super::wiring::connect(&mut counter, session, &tx)?;
    // Dropped before the counter: stops listening, then the store closes.
    let _control = options.control.and_then(|handler| super::wiring::listen(&counter, session, handler, &tx));
    if options.demo {
        // The demo store has no operators: the demo opens on the sample day at once.
        counter.work_without_operators();
        counter
            .update(Msg::Devices(DeviceStatus { id_reader: DeviceState::Simulated, printer: DeviceState::Simulated }));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let signalled = Arc::new(AtomicBool::new(false));
    let lost = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(sig, Arc::clone(&signalled)).map_err(UiError::Terminal)?;
    }

    let mut terminal = enter_terminal().map_err(UiError::Terminal)?;
    install_panic_hook(&session.paths.data);
    // The screen's thread, and the input thread that brings it the keys, may
    // use every CPU; they alone may use the screen's.
    if let Some(aside) = aside {
        let screen = aside.screen();
        match aside.give_back() {
            Ok(()) => tracing::debug!("CPU {screen} is the screen's"),
            Err(e) => tracing::warn!("the screen keeps off CPU {screen}: {e}"),
        }
    }

    let input = {
        let tx = tx.clone();
        let stop = Arc::clone(&stop);
        let signalled = Arc::clone(&signalled);
        let lost = Arc::clone(&lost);
        std::thread::Builder::new()
            .name("onedoor-input".into())
            .spawn(move || input_loop(&tx, &stop, &signalled, &lost))
            .map_err(UiError::Terminal)?
    };
    if let Some(attach) = options.attach {
        attach(tx.clone());
    }
    drop(tx);
    let mut on_event = options.on_event;

    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<(), UiError> {
        let mut next_tick = Instant::now() + TICK;
        loop {
            if signalled.load(Ordering::Relaxed) {
                tracing::info!("signal received: closing the counter");
                return Ok(());
            }
            if lost.load(Ordering::Relaxed) {
                tracing::warn!("the terminal went away: closing the counter");
                return Ok(());
            }
            if let Err(e) = terminal.draw(|f| counter.render(f, f.area())) {
                tracing::warn!("cannot draw on the terminal ({e}): closing the counter");
                return Ok(());
            }
            let wait = next_tick.saturating_duration_since(Instant::now());
            let first = match rx.recv_timeout(wait) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    next_tick = Instant::now() + TICK;
                    Msg::Tick
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            // Apply everything waiting, then draw once.
            let mut outcome = counter.update(first);
            while outcome == Outcome::Continue {
                match rx.try_recv() {
                    Ok(m) => outcome = counter.update(m),
                    Err(_) => break,
                }
            }
            for e in counter.take_events() {
                if let Some(f) = on_event.as_mut() {
                    f(&e);
                }
            }
            if outcome == Outcome::Quit {
                return Ok(());
            }
        }
    }));
    stop.store(true, Ordering::Relaxed);
    counter.sync_draft();
    leave_terminal(terminal);
    // The input thread ends within a poll; one stuck reading a dead terminal
    // is left behind: the process ends without it.
    let deadline = Instant::now() + INPUT_GONE;
    while !input.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if input.is_finished() {
        let _ = input.join();
    } else {
        tracing::warn!("the terminal input did not stop; leaving it behind");
    }
    match result {
        Ok(r) => r,
        Err(_) => Err(UiError::Internal),
    }
}

/// Raw mode and the alternate screen, as `ratatui::try_init` makes them, but
/// without ratatui's panic hook (it prints to a terminal that may be gone).
fn enter_terminal() -> std::io::Result<ratatui::DefaultTerminal> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
}

/// Gives the terminal back as it was; a terminal that is gone is only logged
/// (never printed to: standard error may be that very terminal).
fn leave_terminal(mut terminal: ratatui::DefaultTerminal) {
    if let Err(e) = terminal.show_cursor() {
        tracing::warn!("cannot show the cursor: {e}");
        // Dropped, it would print the same failure to standard error.
        std::mem::forget(terminal);
    }
    if let Err(e) = crossterm::terminal::disable_raw_mode() {
        tracing::warn!("cannot leave raw mode: {e}");
    }
    if let Err(e) = crossterm::execute!(std::io::stdout(), crossterm::terminal::LeaveAlternateScreen) {
        tracing::warn!("cannot leave the alternate screen: {e}");
    }
}

/// On a panic: the terminal restored, the panic written to `DATA/onedoor.log`
/// through a handle of its own (never through the logger, whose lock the
/// panicking thread may hold), then the usual report on standard error.
fn install_panic_hook(data: &std::path::Path) {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(data.join("onedoor.log")).ok();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let logged = || {
            if let Some(mut file) = log.as_ref() {
                let line = format!("{} ERROR panic: {info}\n", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ"));
                let _ = file.write_all(line.as_bytes());
            }
        };
        // A command of the CLI beside the counter that panics fails alone
        // (`control` answers it): the counter's screen is left as it is.
        if std::thread::current().name().is_some_and(|n| n.starts_with("onedoor-control")) {
            return logged();
        }
        let _ = crossterm::terminal::disable_raw_mode();
        let _ = crossterm::execute!(std::io::stdout(), crossterm::terminal::LeaveAlternateScreen);
        logged();
        previous(info);
    }));
}

/// What waiting on the terminal found.
enum Terminal {
    /// Something to read.
    Ready,
    Quiet,
    /// Hung up or closed: nothing will ever come again.
    Gone,
}

/// Waits up to `timeout` for input on standard input, when it is the terminal
/// crossterm reads. (crossterm itself reads a hung-up terminal in a loop
/// forever, so its poll is only asked once this one saw data.)
fn wait_for_input(timeout: Duration) -> Terminal {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
    let timeout = Timespec { tv_sec: 0, tv_nsec: i64::from(timeout.subsec_nanos()) };
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(0) => Terminal::Quiet,
        Ok(_) if fds[0].revents().intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) => Terminal::Gone,
        Ok(_) => Terminal::Ready,
        Err(rustix::io::Errno::INTR) => Terminal::Quiet,
        Err(e) => {
            tracing::error!("cannot poll the terminal: {e}");
            Terminal::Gone
        }
    }
}

fn input_loop(tx: &Sender<Msg>, stop: &AtomicBool, signalled: &AtomicBool, lost: &AtomicBool) {
    // The main loop sees `lost` on the next message: wake it at once.
    let gone = || {
        lost.store(true, Ordering::Relaxed);
        let _ = tx.send(Msg::Tick);
    };
    let on_tty = std::io::stdin().is_terminal();
    while !stop.load(Ordering::Relaxed) {
        if signalled.load(Ordering::Relaxed) {
            // Wake the loop so it sees the signal now.
            let _ = tx.send(Msg::Tick);
            std::thread::sleep(POLL);
            continue;
        }
        let wait = if on_tty {
            match wait_for_input(POLL) {
                Terminal::Quiet => continue,
                Terminal::Gone => return gone(),
                Terminal::Ready => Duration::ZERO,
            }
        } else {
            POLL
        };
        // Everything crossterm has read and parsed, key by key.
        let mut wait = wait;
        loop {
            match event::poll(wait) {
                Ok(true) => match event::read() {
                    Ok(e) => {
                        if tx.send(Msg::Term(e)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::error!("cannot read the terminal: {e}");
                        return gone();
                    }
                },
                Ok(false) => break,
                Err(e) => {
                    tracing::error!("cannot poll the terminal: {e}");
                    return gone();
                }
            }
            wait = Duration::ZERO;
        }
    }
}

//! The counter on a real terminal: one channel for keys, ticks and device
//! reports (the ID card reader thread, the printer worker), one loop that
//! applies them and redraws, logs to `DATA/onedoor.log`, and the terminal
//! restored on quit, on a panic and on SIGTERM or SIGHUP, with the unfinished
//! form kept as a draft.

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
}

const TICK: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(100);

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
    let store = session.open_store()?;
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
    if options.demo {
        counter
            .update(Msg::Devices(DeviceStatus { id_reader: DeviceState::Simulated, printer: DeviceState::Simulated }));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let signalled = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(sig, Arc::clone(&signalled)).map_err(UiError::Terminal)?;
    }

    let mut terminal = ratatui::try_init().map_err(UiError::Terminal)?;
    // ratatui's hook restores the terminal; ours logs the panic to the file first.
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        restore_hook(info);
    }));

    let input = {
        let tx = tx.clone();
        let stop = Arc::clone(&stop);
        let signalled = Arc::clone(&signalled);
        std::thread::Builder::new()
            .name("onedoor-input".into())
            .spawn(move || input_loop(tx, stop, signalled))
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
            terminal.draw(|f| counter.render(f, f.area())).map_err(UiError::Terminal)?;
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
    ratatui::restore();
    let _ = input.join();
    match result {
        Ok(r) => r,
        Err(_) => Err(UiError::Internal),
    }
}

fn input_loop(tx: Sender<Msg>, stop: Arc<AtomicBool>, signalled: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        if signalled.load(Ordering::Relaxed) {
            // Wake the loop so it sees the signal now.
            let _ = tx.send(Msg::Tick);
            std::thread::sleep(POLL);
            continue;
        }
        match event::poll(POLL) {
            Ok(true) => match event::read() {
                Ok(e) => {
                    if tx.send(Msg::Term(e)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::error!("cannot read the terminal: {e}");
                    return;
                }
            },
            Ok(false) => {}
            Err(e) => {
                tracing::error!("cannot poll the terminal: {e}");
                return;
            }
        }
    }
}

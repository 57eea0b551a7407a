//! The counter screen: what a window clerk sees all day. [`Counter`] is a
//! component that draws into any ratatui frame and takes crossterm events, so a
//! host program can embed it; [`run`] owns a real terminal for the `onedoor` binary.

pub mod action;
pub mod app;
pub mod demo;
pub mod effect;
pub mod env;
pub mod files;
pub mod form;
pub mod keymap;
pub mod popups;
pub mod printer;
pub mod screens;
pub mod strings;
pub mod terminal;
pub mod theme;
pub mod widgets;
pub mod wiring;

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::Frame;

pub use action::Action;
pub use app::{App, Setup};
pub use effect::{Effect, Message, MessageKind, Screen};
pub use env::{Clock, Env};
pub use form::Form;
pub use keymap::{Keymap, KeymapError};
pub use popups::{Pending, Popup};
pub use terminal::{run, RunOptions};
pub use theme::Theme;

use crate::config::CounterConfig;
use crate::domain::{Case, Money};
use crate::store::{Store, StoreError};
use crate::window::CaseAction;
use crate::Lang;

/// Why the counter could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error("{0}")]
    Keymap(#[from] KeymapError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Session(#[from] crate::session::SessionError),
    #[error("the terminal failed: {0}")]
    Terminal(#[source] std::io::Error),
    #[error("the counter stopped after an internal error; the form is kept as a draft (see onedoor.log)")]
    Internal,
    #[error("cannot use {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The printer spec, the paper or a receipt template is unusable (with its file and line).
    #[error("receipts: {0}")]
    Receipts(String),
}

/// What the ID card reader read, as the reader thread reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardRead {
    pub name: String,
    pub id_number: String,
    pub sex: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub address: String,
    pub issuer: String,
    pub valid: String,
    /// The card's last valid day; `None` for a long-term card.
    pub valid_until: Option<chrono::NaiveDate>,
    /// Why the number on the card does not pass the GB 11643 check, if it does not.
    pub id_problem: Option<crate::domain::IdNumberError>,
    /// The raw (WLT-compressed) photo, only when `[devices] keep_photo` is on.
    pub photo_wlt: Option<Vec<u8>>,
}

impl CardRead {
    /// What the counter keeps of a card the reader thread read.
    pub fn of(card: &crate::devices::idcard::IdCard) -> CardRead {
        use crate::devices::idcard::{IdNumberCheck, ValidUntil};
        let name =
            if card.name.trim().is_empty() { card.english_name.clone().unwrap_or_default() } else { card.name.clone() };
        CardRead {
            name,
            id_number: card.id_number.clone(),
            sex: card.sex.name(Lang::ZhCn).to_string(),
            ethnicity: card.ethnicity.as_ref().and_then(|e| e.name).unwrap_or_default().to_string(),
            birth_date: card.birth_date.format("%Y-%m-%d").to_string(),
            address: card.address.clone().unwrap_or_default(),
            issuer: card.issuing_authority.clone().unwrap_or_default(),
            valid: match card.valid_until {
                ValidUntil::Date(d) => format!("{}-{}", card.valid_from.format("%Y.%m.%d"), d.format("%Y.%m.%d")),
                ValidUntil::LongTerm => format!("{}-", card.valid_from.format("%Y.%m.%d")),
            },
            valid_until: match card.valid_until {
                ValidUntil::Date(d) => Some(d),
                ValidUntil::LongTerm => None,
            },
            id_problem: match &card.id_number_check {
                IdNumberCheck::Invalid(e) => Some(e.clone()),
                IdNumberCheck::Valid | IdNumberCheck::NotApplicable => None,
            },
            photo_wlt: card.photo_wlt.as_ref().map(|p| p.0.clone()),
        }
    }
}

/// The state of one device, as its thread reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DeviceState {
    #[default]
    NotConfigured,
    /// Opening the port for the first time.
    Connecting,
    Ready,
    Busy,
    Simulated,
    /// Out of paper, not answering…: the device thread's own words.
    Problem(String),
}

/// The devices shown on the status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceStatus {
    pub id_reader: DeviceState,
    pub printer: DeviceState,
}

/// Everything that reaches the counter: keys and resizes from the terminal,
/// the clock, and reports from device and network threads. All on one channel.
#[derive(Debug, Clone)]
pub enum Msg {
    Term(crossterm::event::Event),
    /// The clock moved (the runner sends one a second).
    Tick,
    /// The ID card reader read a card.
    CardRead(CardRead),
    /// A card is on the reader but could not be read.
    CardFailed(crate::devices::idcard::ReaderError),
    /// The ID card reader thread's state changed.
    Reader(crate::devices::idcard::ReaderStatus),
    /// The printer worker's report: the printer's state, or what became of a receipt.
    Printer(printer::PrintReport),
    Devices(DeviceStatus),
    /// The relief fund's balance, once the fund is connected.
    FundBalance(Option<Money>),
    /// A duplicate warning for an ID number from outside the store (the district).
    DuplicateWarning {
        id_number: String,
        text: Option<String>,
    },
    /// Another part of the process wrote to the store: reload what is shown.
    StoreChanged,
    /// The district's answer about the intake's people (`id_number`: the applicant it was asked for).
    DistrictCheck {
        id_number: String,
        check: crate::sync::search::DistrictCheck,
    },
    /// The forwarder's report: what waits for the district, the last success and error.
    District(crate::sync::forward::ForwardStatus),
}

/// What the host should do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    /// The clerk closed the counter.
    Quit,
}

/// What happened at the counter that the host may act on (print a receipt…).
#[derive(Debug, Clone, PartialEq)]
pub enum CounterEvent {
    /// A case was accepted and is on disk.
    Accepted(Box<Case>),
    /// A step was applied to a case and is on disk.
    Acted { case: Box<Case>, action: CaseAction },
}

/// The counter as a component: it never owns the terminal.
pub struct Counter {
    app: App,
}

impl Counter {
    pub fn new(setup: Setup) -> Counter {
        Counter { app: App::new(setup) }
    }

    /// A counter on `store` with the default keymap and look, for embedding.
    /// It opens on the sign-in screen (or, on a store with no operator, the
    /// first supervisor's creation: see [`Counter::work_without_operators`]).
    pub fn with_defaults(
        store: Arc<Store>,
        counter: CounterConfig,
        operator: &str,
        lang: Lang,
        data_dir: PathBuf,
    ) -> Counter {
        let clock = Clock::System(counter.utc_offset);
        Counter::new(Setup {
            store,
            counter,
            operator: operator.to_string(),
            lang,
            keymap: Keymap::default_keymap(),
            theme: Theme::from_env(),
            clock,
            data_dir,
            policies: Arc::new(crate::window::builtin_policies().clone()),
        })
    }

    /// A terminal event (a key, a paste, a resize).
    pub fn handle_event(&mut self, event: crossterm::event::Event) -> Outcome {
        self.app.update(Msg::Term(event))
    }

    /// Any message: a card read, device states, a tick…
    pub fn update(&mut self, msg: Msg) -> Outcome {
        self.app.update(msg)
    }

    /// Draws the counter into `area` of the frame, and places the cursor in
    /// the focused text field. The screens first learn how much room they
    /// have (a list's page, how far a text scrolls); drawing itself only reads.
    pub fn render(&mut self, frame: &mut Frame, area: Rect) {
        self.app.layout(area);
        self.app.draw(frame, area);
    }

    /// Events since the last call (accepted cases to print…).
    pub fn take_events(&mut self) -> Vec<CounterEvent> {
        self.app.take_events()
    }

    /// Connects the ID card reader thread: the counter asks it to poll only
    /// while the intake form is open.
    pub fn attach_reader(&mut self, reader: crate::devices::idcard::ReaderHandle) {
        self.app.attach_reader(reader);
    }

    /// Connects the printer worker: receipts are printed after a case is
    /// accepted or paid, and reprinted from the case on the clerk's request.
    pub fn attach_printer(&mut self, printer: printer::PrinterHandle) {
        self.app.attach_printer(printer);
    }

    /// Connects the forwarder thread: it ends with the counter.
    pub fn attach_forwarder(&mut self, forwarder: crate::sync::forward::ForwarderHandle) {
        self.app.attach_forwarder(forwarder);
    }

    /// Connects the settler thread (imported people into the person index): it ends with the counter.
    pub fn attach_settler(&mut self, settler: crate::store::settler::SettlerHandle) {
        self.app.attach_settler(settler);
    }

    /// Connects the district search: the intake's people are looked up in other towns.
    pub fn attach_searcher(&mut self, searcher: crate::sync::search::SearchHandle) {
        self.app.attach_searcher(searcher);
    }

    /// Waits until the draft on disk matches the form on screen.
    pub fn sync_draft(&self) {
        self.app.sync_draft();
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// Where the time comes from from now on (a test moves a fixed clock on, then sends a tick).
    pub fn set_clock(&mut self, clock: Clock) {
        self.app.set_clock(clock);
    }

    /// On a store with no operator: skips the first supervisor's creation
    /// (Esc on that screen), the counter working as the config's `operator`.
    pub fn work_without_operators(&mut self) {
        self.app.work_without_operators();
    }
}

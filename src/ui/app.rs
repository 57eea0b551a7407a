//! The counter's one `update`: every key, tick, card read and device report
//! arrives as a [`Msg`]. A key goes to the open popup, the help or the active
//! screen, which changes its own state and returns [`Effect`]s; `App`
//! applies them: it keeps which screen is shown, the popup, the status line
//! and the message, commits through the window, prints and keeps the draft.
//! Nothing here touches the disk except through the window, the draft
//! writer and the queue's held tickets.

use std::collections::VecDeque;
use std::sync::Arc;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::action::Action;
use super::effect::{Effect, Effects, Message, MessageKind, Screen};
use super::env::{Clock, Env};
use super::files::{self, DraftWriter};
use super::form::Form;
use super::keymap::{Key, Keymap, Section};
use super::popups::{action_verb, Answer, CountersignForm, Countersigned, Pending, Popup};
use super::printer::{PrintJob, PrintReport, PrinterHandle};
use super::screens::detail::DetailScreen;
use super::screens::help::{self, Help};
use super::screens::intake::IntakeScreen;
use super::screens::overdue::OverdueScreen;
use super::screens::queue::QueueScreen;
use super::screens::search::SearchScreen;
use super::screens::signin::SignInScreen;
use super::screens::supervisor::SupervisorScreen;
use super::strings::{self, S};
use super::theme::Theme;
use super::widgets::status::{self, Head, StatusLine};
use super::{CardRead, CounterEvent, DeviceState, Msg, Outcome};
use crate::config::CounterConfig;
use crate::devices::idcard::{ReaderHandle, ReaderStatus};
use crate::domain::dedup::{DuplicateRefusal, SupervisorOverride};
use crate::domain::policy::PolicyBook;
use crate::domain::{Case, CaseId};
use crate::l10n::{names, Say};
use crate::receipt::ReceiptKind;
use crate::store::Store;
use crate::window::{Actor, CaseAction, Countersign, WindowError};
use crate::{tr, Lang};

mod gate;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Everything the counter needs to start.
pub struct Setup {
    pub store: Arc<Store>,
    pub counter: CounterConfig,
    pub operator: String,
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    pub clock: Clock,
    /// Where the draft and the held tickets are kept (the data directory).
    pub data_dir: std::path::PathBuf,
    /// The policy book the window judges by (built-in plus `[policy] file`).
    pub policies: Arc<PolicyBook>,
}

pub struct App {
    pub env: Env,
    screen: Screen,
    queue: QueueScreen,
    intake: Option<IntakeScreen>,
    detail: Option<DetailScreen>,
    search: SearchScreen,
    overdue: OverdueScreen,
    supervisor: SupervisorScreen,
    popup: Option<Popup>,
    /// Receipts to show on screen after the popup that is open now.
    queued_popups: VecDeque<Popup>,
    help: Option<Help>,
    message: Option<Message>,
    status: StatusLine,
    events: Vec<CounterEvent>,
    quit: bool,
    /// The printer worker, when one is connected.
    printer: Option<PrinterHandle>,
    reader: Option<ReaderHandle>,
    reader_wanted: bool,
    draft: DraftWriter,
    /// The terminal is below 80x24 (as the last resize or layout found): the
    /// screen only asks to grow, and only quit acts.
    too_small: bool,
    /// The forwarder thread, when a district is configured; it ends with the app.
    forwarder: Option<crate::sync::forward::ForwarderHandle>,
    /// The settler thread (an import's people into the person index); it ends with the app.
    settler: Option<crate::store::settler::SettlerHandle>,
    /// The district search, when a district is configured: what it was last
    /// asked (the applicant's number and the members'), and its last answer.
    searcher: Option<crate::sync::search::SearchHandle>,
    asked: Option<String>,
    district_check: Option<(String, crate::store::DistrictCheckRecord)>,
    /// The sign-in, lock or first-supervisor screen, while it covers the counter.
    gate: Option<SignInScreen>,
    /// When the last key was pressed (the idle lock counts from it).
    last_key: crate::domain::time::Moment,
    /// Forms left unfinished by an operator another one took the counter
    /// from (kept in `parked.json`): each comes back when its owner signs in again.
    parked: Vec<files::ParkedForm>,
}

/// A plain character typed (no Ctrl or Alt).
pub fn typed(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
        _ => None,
    }
}

/// Is `form` (the draft found at start) a case already? The counter was
/// stopped between saving it and removing the draft file: the file goes.
fn already_saved(env: &Env, form: &Form) -> bool {
    if form.draft.is_empty() {
        return false;
    }
    match env.store.saved_draft(&form.draft) {
        Ok(Some(case)) => {
            tracing::info!(%case, "the draft left behind was saved already: removing it");
            if let Err(e) = files::remove(&env.data_dir.join(files::DRAFT_FILE)) {
                tracing::error!("cannot remove the saved draft: {e}");
            }
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::error!("cannot check whether the draft was saved: {e}");
            false
        }
    }
}

impl App {
    pub fn new(setup: Setup) -> App {
        let env = Env {
            store: setup.store,
            counter: setup.counter,
            policies: setup.policies,
            operator: setup.operator,
            signed_in: None,
            lang: setup.lang,
            keymap: setup.keymap,
            theme: setup.theme,
            now: setup.clock.now(),
            clock: setup.clock,
            data_dir: setup.data_dir,
        };
        let draft = DraftWriter::new(&env.data_dir);
        let restore = files::read_draft(&env.data_dir).filter(|form| !already_saved(&env, form));
        let mut app = App {
            queue: QueueScreen::new(&env),
            screen: Screen::Queue,
            intake: None,
            detail: None,
            search: SearchScreen::default(),
            overdue: OverdueScreen::default(),
            supervisor: SupervisorScreen::default(),
            popup: None,
            queued_popups: VecDeque::new(),
            help: None,
            message: None,
            status: StatusLine::default(),
            events: Vec::new(),
            quit: false,
            printer: None,
            reader: None,
            reader_wanted: false,
            draft,
            too_small: false,
            forwarder: None,
            settler: None,
            searcher: None,
            asked: None,
            district_check: None,
            gate: None,
            last_key: env.now,
            parked: files::read_parked(&env.data_dir),
            env,
        };
        app.gate = Some(app.first_gate());
        let effects = app.queue.refresh(&app.env);
        app.apply(effects);
        app.refresh_fund();
        if let Some(form) = restore {
            let offset = *app.env.now.offset();
            let left_at = files::draft_written(&app.env.data_dir).map(|t| {
                chrono::DateTime::<chrono::Utc>::from(t).with_timezone(&offset).format("%m-%d %H:%M").to_string()
            });
            let left = super::popups::LeftDraft { form, left_at };
            app.popup = Some(Popup::Confirm(Pending::RestoreDraft(Box::new(left))));
        }
        app
    }

    // ---- what the tests and the host read ---------------------------------

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    pub fn popup(&self) -> Option<&Popup> {
        self.popup.as_ref()
    }

    /// The form being filled (shown or not).
    pub fn intake(&self) -> Option<&IntakeScreen> {
        self.intake.as_ref()
    }

    /// The case open in the detail.
    pub fn detail(&self) -> Option<&DetailScreen> {
        self.detail.as_ref()
    }

    pub fn queue(&self) -> &QueueScreen {
        &self.queue
    }

    pub fn search(&self) -> &SearchScreen {
        &self.search
    }

    pub fn supervisor(&self) -> &SupervisorScreen {
        &self.supervisor
    }

    pub fn help_open(&self) -> bool {
        self.help.is_some()
    }

    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    pub fn status(&self) -> &StatusLine {
        &self.status
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.env.store
    }

    /// Events since the last call (accepted cases to print…).
    pub fn take_events(&mut self) -> Vec<CounterEvent> {
        std::mem::take(&mut self.events)
    }

    /// Waits until the draft on disk is the form on screen.
    pub fn sync_draft(&self) {
        self.draft.sync();
    }

    /// Connects the printer worker: receipts are printed after a case is
    /// accepted or paid, and reprinted from the case on the clerk's request.
    pub fn attach_printer(&mut self, printer: PrinterHandle) {
        self.printer = Some(printer);
    }

    pub fn attach_forwarder(&mut self, forwarder: crate::sync::forward::ForwarderHandle) {
        self.forwarder = Some(forwarder);
    }

    pub fn attach_settler(&mut self, settler: crate::store::settler::SettlerHandle) {
        self.settler = Some(settler);
    }

    pub fn attach_searcher(&mut self, searcher: crate::sync::search::SearchHandle) {
        self.searcher = Some(searcher);
    }

    /// Asks the district about the intake's people once the applicant's
    /// number is valid, again whenever they change. Never waits.
    fn ask_district(&mut self) {
        let (Some(searcher), Some(intake)) = (&self.searcher, &self.intake) else { return };
        let form = &intake.form;
        let Ok(applicant) = crate::domain::IdNumber::parse_any_date(form.id_number.trim()) else { return };
        let mut people = vec![applicant.clone()];
        for line in &form.members {
            if let Some(Ok(m)) = line.split_whitespace().next().map(crate::domain::IdNumber::parse_any_date) {
                people.push(m);
            }
        }
        let key: Vec<&str> = people.iter().map(|p| p.as_str()).collect();
        let key = key.join(" ");
        if self.asked.as_deref() != Some(key.as_str()) {
            self.asked = Some(key);
            searcher.ask(applicant.as_str().to_string(), people);
        }
    }

    /// The district's answer: into the intake's banner, and kept for the case.
    fn on_district_check(&mut self, id_number: String, check: crate::sync::search::DistrictCheck) {
        use crate::sync::search::DistrictCheck;
        let lang = self.env.lang;
        let record = check.record(lang);
        let text = match &check {
            DistrictCheck::LocalOnly(_) => Some(tr!(lang, "district-banner-local-only").to_string()),
            DistrictCheck::Checked(_) if record.found.is_empty() => None,
            DistrictCheck::Checked(_) => Some(tr!(lang, "district-banner-found", cases = record.found.join(", "))),
        };
        if let Some(intake) = &mut self.intake {
            intake.district = text.map(|t| (id_number.clone(), t));
        }
        self.district_check = Some((id_number, record));
    }

    /// Keeps how the accepted case was checked against the other towns: the
    /// district's answer for its applicant, or locally only when none came in time.
    fn record_district_check(&mut self, case: &Case) {
        if self.searcher.is_none() {
            return;
        }
        let record = match self.district_check.take() {
            Some((number, record)) if number == case.applicant.id_number.as_str() => record,
            _ => crate::store::DistrictCheckRecord { with_district: false, found: Vec::new() },
        };
        self.asked = None;
        if let Err(e) = self.env.store.record_district_check(&case.id, &record) {
            tracing::warn!(case = %case.id, "keeping how the case was checked with the district: {e}");
        }
    }

    /// Connects the reader thread; it polls only while the intake form is open.
    pub fn attach_reader(&mut self, reader: ReaderHandle) {
        self.reader = Some(reader);
        self.reader_wanted = false;
        self.status.id_reader = DeviceState::Connecting;
        self.sync_reader();
    }

    fn refresh_fund(&mut self) {
        match self.env.store.fund() {
            Ok(fund) => self.status.fund_balance = Some(fund.balance()),
            Err(e) => tracing::warn!("cannot read the relief fund: {e}"),
        }
    }

    fn say(&mut self, kind: MessageKind, text: impl Into<String>) {
        self.message = Some(Message { kind, text: text.into() });
    }

    // ---- messages -------------------------------------------------------

    pub fn update(&mut self, msg: Msg) -> Outcome {
        match msg {
            Msg::Term(Event::Key(key)) => self.on_key(key),
            Msg::Term(Event::Resize(w, h)) => self.too_small = App::is_too_small(w, h),
            Msg::Term(Event::Paste(_)) if self.too_small => {}
            Msg::Term(Event::Paste(text)) => {
                self.last_key = self.env.clock.now();
                for c in text.chars().filter(|c| !c.is_control()) {
                    match &mut self.gate {
                        Some(gate) => gate.typed(c),
                        None => self.on_char(c),
                    }
                }
            }
            Msg::Term(Event::FocusGained | Event::FocusLost | Event::Mouse(_)) => {}
            Msg::Tick => {
                let day = self.env.today();
                self.env.now = self.env.clock.now();
                self.sign_out_when_disabled();
                self.lock_when_idle(self.env.now);
                if self.env.today() != day {
                    let effects = self.queue.refresh(&self.env);
                    self.apply(effects);
                }
            }
            // Behind the gate no form is filled: the card is read again once someone signs in.
            Msg::CardRead(_) if self.gate.is_some() => {}
            Msg::CardRead(card) => self.on_card(card),
            Msg::CardFailed(e) => {
                let text = strings::card_failed(&e.message(self.env.lang), self.env.lang);
                self.say(MessageKind::Error, text);
            }
            Msg::Reader(status) => self.on_reader(status),
            Msg::Printer(report) => self.on_print(report),
            Msg::Devices(devices) => {
                self.status.id_reader = devices.id_reader;
                self.status.printer = devices.printer;
            }
            Msg::FundBalance(balance) => self.status.fund_balance = balance,
            Msg::DuplicateWarning { id_number, text } => {
                if let Some(intake) = &mut self.intake {
                    intake.district = text.map(|t| (id_number, t));
                }
            }
            Msg::StoreChanged => self.refresh_all(),
            Msg::DistrictCheck { id_number, check } => self.on_district_check(id_number, check),
            Msg::District(status) => {
                let was = self.status.district.as_ref().and_then(|d| d.stopped.clone());
                if let Some(stopped) = status.stopped.clone().filter(|s| was.as_ref() != Some(s)) {
                    self.say(MessageKind::Error, stopped);
                }
                self.status.district = Some(status);
            }
        }
        if self.popup.is_none() {
            self.popup = self.queued_popups.pop_front();
        }
        self.sync_reader();
        self.ask_district();
        if self.quit {
            Outcome::Quit
        } else {
            Outcome::Continue
        }
    }

    /// Another part of the process wrote to the store: reload what is shown.
    fn refresh_all(&mut self) {
        let mut effects = self.queue.refresh(&self.env);
        self.refresh_fund();
        self.reload_detail();
        if self.screen == Screen::Overdue {
            effects.extend(self.overdue.refresh(&self.env));
        }
        if self.screen == Screen::Supervisor {
            effects.extend(self.refresh_supervisor());
        }
        self.apply(effects);
    }

    /// The supervisor's screen read again, with the queue's counts and the forwarder's word.
    fn refresh_supervisor(&mut self) -> Effects {
        let (held, pending) = (self.queue.held().len(), self.queue.pending_receipts);
        self.supervisor.refresh(&self.env, held, pending, self.status.district.clone())
    }

    fn reload_detail(&mut self) {
        let Some(d) = &mut self.detail else { return };
        if let Ok(Some(case)) = self.env.store.case(&d.case.id) {
            d.reload(case, &self.env);
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if let Some(forwarder) = &self.forwarder {
            forwarder.clerk_pressed_a_key();
        }
        if let Some(settler) = &self.settler {
            settler.clerk_pressed_a_key();
        }
        if self.too_small {
            // Nothing on screen says what a key would do: only quit acts.
            if self.env.keymap.action(Section::Global, Key::of(&key)) == Some(Action::Quit) {
                self.apply(vec![Effect::Quit]);
            }
            return;
        }
        self.last_key = self.env.clock.now();
        if self.gate.is_some() {
            self.on_gate_key(&key);
            return;
        }
        self.message = None;
        if let Some(mut popup) = self.popup.take() {
            match popup.key(&key, &self.env) {
                Answer::Stay(effects) => {
                    self.popup = Some(popup);
                    self.apply(effects);
                }
                Answer::Close(effects) => self.apply(effects),
            }
            return;
        }
        let k = Key::of(&key);
        if let Some(help) = &mut self.help {
            let closed = match self.env.keymap.action(Section::Help, k) {
                Some(a) => help.act(a).is_none(),
                None => false,
            };
            if closed {
                self.help = None;
            }
            return;
        }
        if let Some(c) = typed(&key) {
            if self.takes_text() {
                self.on_char(c);
                return;
            }
        }
        if let Some(a) = self.env.keymap.action(help::section(self.screen), k) {
            self.act(a);
        }
    }

    /// Does a plain character go into a text field of the active screen now?
    fn takes_text(&self) -> bool {
        match self.screen {
            Screen::Search => true,
            Screen::Intake => self.intake.as_ref().is_some_and(IntakeScreen::takes_text),
            Screen::Queue | Screen::Detail | Screen::Overdue | Screen::Supervisor => false,
        }
    }

    fn on_char(&mut self, c: char) {
        let env = &self.env;
        let effects = match self.screen {
            Screen::Search => self.search.typed(c, env),
            Screen::Intake => self.intake.as_mut().map(|i| i.typed(c, env)).unwrap_or_default(),
            Screen::Queue | Screen::Detail | Screen::Overdue | Screen::Supervisor => Effects::new(),
        };
        self.apply(effects);
    }

    /// An action of the active screen's keymap section (or a global one).
    fn act(&mut self, a: Action) {
        let env = &self.env;
        let effects = match a {
            Action::Help => vec![Effect::Help],
            Action::Quit => vec![Effect::Quit],
            Action::SignOut => {
                self.sign_out();
                return;
            }
            _ => match self.screen {
                Screen::Queue => self.queue.act(a, env),
                Screen::Intake => self.intake.as_mut().map(|i| i.act(a, env)).unwrap_or_default(),
                Screen::Detail => self.detail.as_mut().map(|d| d.act(a, env)).unwrap_or_default(),
                Screen::Search => self.search.act(a, env),
                Screen::Overdue => self.overdue.act(a, env),
                Screen::Supervisor => self.supervisor.act(a, env),
            },
        };
        self.apply(effects);
    }

    // ---- effects ---------------------------------------------------------

    /// Applies effects in order (an effect may add more after it).
    fn apply(&mut self, effects: Effects) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let more = self.apply_one(effect);
            for e in more.into_iter().rev() {
                queue.push_front(e);
            }
        }
    }

    fn apply_one(&mut self, effect: Effect) -> Effects {
        let env = &self.env;
        match effect {
            Effect::Show(Screen::Overdue) => {
                let effects = self.overdue.refresh(env);
                self.screen = Screen::Overdue;
                effects
            }
            Effect::Show(Screen::Supervisor) => match env.window().supervisor(&env.operator) {
                // For supervisors only: a clerk is told so, and stays where they are.
                Err(e) => vec![Effect::error(tr!(env.lang, "supervisor-refused", why = env.refusal(&e)))],
                Ok(()) => {
                    let effects = self.refresh_supervisor();
                    self.screen = Screen::Supervisor;
                    effects
                }
            },
            Effect::Show(Screen::Intake) if self.intake.is_none() => Effects::new(),
            Effect::Show(Screen::Detail) if self.detail.is_none() => Effects::new(),
            Effect::Show(screen) => {
                self.screen = screen;
                Effects::new()
            }
            Effect::OpenCase { id, back } => match env.store.case(&id) {
                Ok(Some(case)) => {
                    self.detail = Some(DetailScreen::new(case, back, env));
                    self.screen = Screen::Detail;
                    Effects::new()
                }
                Ok(None) => vec![Effect::error(crate::store::StoreError::NotFound(id).say(env.lang))],
                Err(e) => vec![Effect::error(strings::failed(&e, env.lang))],
            },
            Effect::CloseCase => {
                let back = self.detail.take().map(|d| d.back).unwrap_or(Screen::Queue);
                // The case may no longer be late.
                vec![Effect::Show(back)]
            }
            Effect::NewCase => match self.intake {
                Some(_) => vec![Effect::Show(Screen::Intake)],
                None => self.open_intake(Form::default()),
            },
            Effect::CallNext => self.call_next(),
            Effect::Recall(index) => match self.queue.take_held(index, env) {
                None => vec![Effect::info(S::NoHeld.get(env.lang))],
                Some((form, mut effects)) => {
                    effects.extend(self.open_intake(form));
                    if let Some(i) = &mut self.intake {
                        effects.extend(i.changed(&self.env));
                    }
                    effects
                }
            },
            Effect::OpenIntake(form) => self.open_intake(*form),
            Effect::CloseIntake => {
                self.intake = None;
                self.draft.save(None);
                self.screen = Screen::Queue;
                Effects::new()
            }
            Effect::Hold => self.hold(),
            Effect::NoShow => self.no_show(),
            Effect::PrintPending => self.print_pending(),
            Effect::ReadCard => match &self.reader {
                Some(reader) => {
                    reader.reread();
                    vec![Effect::info(S::ReadingCardAgain.get(env.lang))]
                }
                None => vec![Effect::error(S::NoReader.get(env.lang))],
            },
            Effect::Draft => {
                self.draft.save(self.intake.as_ref().map(|i| &i.form));
                Effects::new()
            }
            Effect::Accept(override_by, countersign) => self.accept(override_by, countersign),
            Effect::Countersign { then, name, pin } => self.countersigned(then, &name, &pin.0),
            Effect::Popup(popup) => {
                self.popup = Some(popup);
                Effects::new()
            }
            Effect::Step { id, action, countersign } => self.step(&id, &action, countersign.as_ref()),
            Effect::Reprint(case) => self.reprint(*case),
            Effect::PrintAgain { id, kind } => {
                let case = match self.detail.as_ref().filter(|d| d.case.id == id) {
                    Some(d) => Some(d.case.clone()),
                    None => env.store.case(&id).ok().flatten(),
                };
                match case {
                    Some(case) => self.print_again(&case, kind),
                    None => Effects::new(),
                }
            }
            Effect::Message(m) => {
                self.message = Some(m);
                Effects::new()
            }
            Effect::Help => {
                self.help = Some(Help::new(self.screen));
                Effects::new()
            }
            Effect::Quit => {
                if self.intake.as_ref().is_some_and(|i| i.form.is_dirty()) {
                    self.popup = Some(Popup::Confirm(Pending::Quit));
                } else {
                    self.quit = true;
                }
                Effects::new()
            }
            Effect::QuitNow => {
                self.draft.sync();
                self.quit = true;
                Effects::new()
            }
            Effect::DiscardDraft => {
                self.draft.save(None);
                Effects::new()
            }
        }
    }

    /// Opens a form, putting one with unsaved input on hold first.
    fn open_intake(&mut self, mut form: Form) -> Effects {
        if form.draft.is_empty() {
            form.draft = format!("{:016x}", fastrand::u64(..));
        }
        let mut effects = Effects::new();
        if self.intake.as_ref().is_some_and(|i| i.form.is_dirty()) {
            effects.extend(self.hold());
        }
        self.intake = Some(IntakeScreen::new(form, &self.env));
        self.screen = Screen::Intake;
        effects
    }

    fn hold(&mut self) -> Effects {
        let Some(intake) = self.intake.take() else {
            return Effects::new();
        };
        self.draft.save(None);
        self.screen = Screen::Queue;
        self.queue.hold(intake.form, &self.env)
    }

    /// The called ticket did not come: recorded in the data directory, the form closed.
    fn no_show(&mut self) -> Effects {
        let lang = self.env.lang;
        let Some(ticket) = self.intake.as_ref().and_then(|i| i.form.ticket) else {
            return Effects::new();
        };
        let record = files::NoShow { day: self.env.today(), ticket, at: self.env.now, by: self.env.operator.clone() };
        if let Err(e) = files::record_no_show(&self.env.data_dir, &record) {
            tracing::error!("cannot record the no-show of ticket {ticket}: {e}");
            return vec![Effect::error(strings::failed(&e, lang))];
        }
        tracing::info!(ticket, "no-show");
        self.intake = None;
        self.draft.save(None);
        self.screen = Screen::Queue;
        vec![Effect::info(tr!(lang, "no-show-recorded", ticket = ticket))]
    }

    fn call_next(&mut self) -> Effects {
        match self.env.store.next_ticket(self.env.today()) {
            Ok(ticket) => {
                // When it was called: the supervisor's screen measures service from it.
                let call = files::TicketEvent {
                    day: self.env.today(),
                    ticket,
                    at: self.env.now,
                    by: self.env.operator.clone(),
                };
                if let Err(e) = files::record_call(&self.env.data_dir, &call) {
                    tracing::warn!("cannot record the call of ticket {ticket}: {e}");
                }
                let mut effects = self.open_intake(Form { ticket: Some(ticket), ..Form::default() });
                effects.push(Effect::info(strings::called(ticket, self.env.lang)));
                effects
            }
            Err(e) => {
                tracing::error!("cannot issue a ticket: {e}");
                vec![Effect::error(strings::failed(&e, self.env.lang))]
            }
        }
    }

    /// Saves the form through the window; with a supervisor's override when
    /// the duplicate check stopped it.
    fn accept(&mut self, override_by: Option<SupervisorOverride>, countersign: Option<Countersign>) -> Effects {
        let env = &self.env;
        let lang = env.lang;
        let Some(intake) = &mut self.intake else {
            return Effects::new();
        };
        let mut input = match intake.intake(env) {
            Ok(input) => input,
            Err(effects) => return effects,
        };
        input.override_by = override_by.clone();
        input.countersign = countersign;
        match env.window().accept(input, &env.operator, env.now) {
            Ok(case) => {
                tracing::info!(case = %case.id, overridden = override_by.is_some(), "accepted");
                self.record_district_check(&case);
                self.intake = None;
                self.draft.save(None);
                self.screen = Screen::Queue;
                let mut effects = self.queue.refresh(&self.env);
                self.queue.select_case(&case.id);
                effects.push(Effect::info(strings::accepted(case.id.as_str(), lang)));
                // The case is on disk: now its receipt.
                effects.extend(self.print(&case, ReceiptKind::Acceptance, false));
                self.events.push(CounterEvent::Accepted(Box::new(case)));
                effects
            }
            Err(WindowError::Duplicate(e @ DuplicateRefusal::NeedsOverride(_))) if override_by.is_none() => {
                tracing::info!("accept stopped by the duplicate check: {e}");
                vec![Effect::Popup(Popup::override_duplicate(e.say(lang)))]
            }
            Err(e) => {
                tracing::warn!("accept refused or failed: {e}");
                vec![Effect::error(window_error(&e, lang))]
            }
        }
    }

    /// The supervisor's name and PIN at the clerk's counter, checked as at
    /// sign-in (a wrong PIN counts toward their lockout, recorded): the step
    /// it is for goes on to its confirmation, countersigned; a refusal asks again.
    fn countersigned(&mut self, then: Countersigned, name: &str, pin: &str) -> Effects {
        let env = &self.env;
        let countersign = match env.window().countersign(name, pin, env.now) {
            Ok(c) => c,
            Err(e) => {
                tracing::info!("countersign refused: {e}");
                let form = CountersignForm::again(then, name, env.refusal(&e));
                return vec![Effect::Popup(Popup::Countersign(form))];
            }
        };
        tracing::info!(supervisor = countersign.name(), "countersigned");
        match then {
            Countersigned::Act { id, action } => {
                // Refused now (the supervisor's own case…) rather than after "cannot be undone".
                if let Err(e) = super::popups::check_countersigned(&id, &action, Some(&countersign), env) {
                    return vec![Effect::error(e)];
                }
                let pending = Pending::Act { id, action, countersign: Some(countersign) };
                vec![Effect::Popup(Popup::Confirm(pending))]
            }
            Countersigned::Accept { reason } => {
                let by = countersign.name().to_string();
                vec![Effect::Accept(Some(SupervisorOverride { by, reason }), Some(countersign))]
            }
        }
    }

    /// A confirmed step on a case, through the window; paying takes the case's own money.
    fn step(&mut self, id: &CaseId, action: &CaseAction, countersign: Option<&Countersign>) -> Effects {
        let env = &self.env;
        let lang = env.lang;
        let window = env.window();
        let actor = Actor { operator: &env.operator, countersign };
        let result = if *action == CaseAction::Disburse {
            // From the fund, the ledger entry and the case in one transaction.
            window.pay_as(id, None, None, None, &actor, env.now).map(|paid| {
                if let Some(fund) = paid.fund {
                    self.status.fund_balance = Some(fund.balance());
                }
                paid.case
            })
        } else {
            window.act_as(id, action, &actor, env.now)
        };
        match result {
            Ok(case) => {
                tracing::info!(case = %case.id, ?action, "acted");
                if let Some(d) = self.detail.as_mut().filter(|d| d.case.id == case.id) {
                    d.reload(case.clone(), &self.env);
                }
                let mut effects = self.queue.refresh(&self.env);
                effects.push(Effect::info(strings::acted(action_verb(action, lang), lang)));
                if *action == CaseAction::Disburse {
                    // The payment is on disk: now its receipt.
                    effects.extend(self.print(&case, ReceiptKind::Disbursement, false));
                }
                self.events.push(CounterEvent::Acted { case: Box::new(case), action: action.clone() });
                effects
            }
            Err(e) => {
                tracing::warn!("step refused or failed: {e}");
                vec![Effect::error(self.env.refusal(&e))]
            }
        }
    }

    // ---- printing ----------------------------------------------------------

    /// Hands a committed case's receipt to the printer worker (never waits for it).
    fn print(&mut self, case: &Case, kind: ReceiptKind, reprint: bool) -> Effects {
        let Some(printer) = &self.printer else {
            return Effects::new();
        };
        let job = PrintJob { case: Box::new(case.clone()), kind, reprint, clerk: self.env.operator.clone() };
        if printer.print(job) {
            if printer.on_paper {
                self.status.printer = DeviceState::Busy;
            }
            Effects::new()
        } else {
            tracing::error!("the printer worker has stopped");
            vec![Effect::error(S::PrinterStopped.get(self.env.lang))]
        }
    }

    /// The clerk asks for a case's receipt again (the paid case: which one).
    fn reprint(&mut self, case: Case) -> Effects {
        if self.printer.is_none() {
            return vec![Effect::error(S::NoPrinter.get(self.env.lang))];
        }
        if DetailScreen::paid(&case) {
            return vec![Effect::Popup(Popup::choose_receipt(case.id.clone()))];
        }
        self.print_again(&case, ReceiptKind::Acceptance)
    }

    fn print_again(&mut self, case: &Case, kind: ReceiptKind) -> Effects {
        let mut effects = self.print(case, kind, true);
        if effects.is_empty() && self.printer.is_some() {
            effects.push(Effect::info(strings::reprinting(kind, case.id.as_str(), self.env.lang)));
        }
        effects
    }

    /// The receipts kept while the printer could not print, printed now (marked as reprints).
    fn print_pending(&mut self) -> Effects {
        let pending = match crate::printing::pending_receipts(&self.env.store) {
            Ok(p) => p,
            Err(e) => return vec![Effect::error(strings::failed(&e, self.env.lang))],
        };
        let mut effects = Effects::new();
        for (_, p) in pending {
            let Some(id) = p.case_id else { continue };
            if let Ok(Some(case)) = self.env.store.case(&id) {
                effects.extend(self.print(&case, p.kind, true));
            }
        }
        effects
    }

    fn on_print(&mut self, report: PrintReport) {
        let was_ready = self.status.printer == DeviceState::Ready;
        self.on_print_report(report);
        self.queue.count_pending(&self.env);
        // Back from paper-out or a cover open with receipts waiting: offer to print them.
        let ready = self.status.printer == DeviceState::Ready;
        if ready && !was_ready && self.queue.pending_receipts > 0 && self.popup.is_none() {
            self.popup = Some(Popup::Confirm(Pending::PrintPending(self.queue.pending_receipts)));
        }
    }

    fn on_print_report(&mut self, report: PrintReport) {
        let lang = self.env.lang;
        match report {
            PrintReport::Status(status) => self.status.printer = strings::printer_state(status, lang),
            PrintReport::Unreachable(e) => {
                tracing::warn!("printer: {e}");
                self.status.printer = DeviceState::Problem(S::PrinterUnreachable.get(lang).to_string());
            }
            PrintReport::Printed { id, kind, status, reprint, substituted } => {
                self.status.printer = strings::printer_state(status, lang);
                let mut text = strings::printed(kind, id.as_str(), reprint, lang);
                if status != crate::devices::printer::PrinterStatus::Ready {
                    text = tr!(lang, "printed-then", printed = text, status = names::printer_advice(status, lang));
                }
                if !substituted.is_empty() {
                    // A rare character the printer cannot carry: the clerk writes it in.
                    let chars = crate::printing::write_in_by_hand(&substituted);
                    text.push_str(&strings::write_in_by_hand(&chars, lang));
                    self.say(MessageKind::Error, text);
                    return;
                }
                self.say(MessageKind::Info, text);
            }
            PrintReport::OnScreen { id, kind, lines } => {
                self.queued_popups.push_back(Popup::Receipt { id, kind, lines, scroll: 0 });
            }
            PrintReport::Pending { id, kind, error, .. } => {
                self.status.printer = match error.status() {
                    Some(status) => strings::printer_state(status, lang),
                    None => DeviceState::Problem(S::PrinterUnreachable.get(lang).to_string()),
                };
                let key = self.env.key(Section::Detail, Action::Reprint);
                let text = strings::receipt_pending(kind, id.as_str(), &error.message(lang), &key, lang);
                self.say(MessageKind::Error, text);
            }
            PrintReport::Failed { id, kind, error } => {
                let text = strings::receipt_failed(kind, id.as_str(), &error, lang);
                self.say(MessageKind::Error, text);
            }
        }
    }

    // ---- devices ---------------------------------------------------------

    fn on_card(&mut self, card: CardRead) {
        let opened = self.intake.is_none();
        let mut effects = Effects::new();
        if opened {
            effects.extend(self.open_intake(Form::default()));
        }
        self.screen = Screen::Intake;
        let Some(intake) = &mut self.intake else { return };
        let note = intake.card(&card, &self.env);
        let changed = intake.changed(&self.env);
        let lang = self.env.lang;
        // The earlier household newly on offer is said after what the card did.
        let offered: Vec<String> = changed
            .iter()
            .filter_map(|e| match e {
                Effect::Message(m) => Some(m.text.clone()),
                _ => None,
            })
            .collect();
        effects.extend(changed.into_iter().filter(|e| !matches!(e, Effect::Message(_))));
        effects.push(match note {
            Some(note) => Effect::error(note),
            None => {
                let read = if opened { S::ReadCardNotInForm } else { S::CardFilled }.get(lang);
                Effect::info(std::iter::once(read.to_string()).chain(offered).collect::<Vec<_>>().join(" "))
            }
        });
        self.apply(effects);
    }

    /// Tells the reader whether a card is wanted now (the intake form is shown).
    fn sync_reader(&mut self) {
        let want = self.screen == Screen::Intake && self.gate.is_none();
        if let Some(reader) = &self.reader {
            if want != self.reader_wanted {
                reader.set_wanted(want);
                self.reader_wanted = want;
            }
        }
    }

    fn on_reader(&mut self, status: ReaderStatus) {
        let lang = self.env.lang;
        let state = match &status {
            ReaderStatus::Connecting => DeviceState::Connecting,
            ReaderStatus::Ready => DeviceState::Ready,
            ReaderStatus::Disconnected { reason } => DeviceState::Problem(strings::reader_problem(reason, lang)),
        };
        if state != self.status.id_reader {
            if let ReaderStatus::Disconnected { .. } = status {
                tracing::warn!("{}", status.message(Lang::En));
                self.say(MessageKind::Error, status.message(lang));
            }
        }
        self.status.id_reader = state;
    }

    // ---- drawing -----------------------------------------------------------

    fn is_too_small(width: u16, height: u16) -> bool {
        width < MIN_WIDTH || height < MIN_HEIGHT
    }

    fn regions(area: Rect) -> (Rect, Rect, Rect, Rect) {
        let status = Rect::new(area.x, area.y, area.width, 1);
        let body = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(3));
        let message = Rect::new(area.x, area.bottom().saturating_sub(2), area.width, 1);
        let bar = Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1);
        (status, body, message, bar)
    }

    /// Tells the shown screen, the help and the lists how much room they have
    /// (how many rows a page is, how far a text scrolls). Drawing only reads.
    pub fn layout(&mut self, area: Rect) {
        self.too_small = App::is_too_small(area.width, area.height);
        let (_, body, _, _) = App::regions(area);
        let env = &self.env;
        match self.screen {
            Screen::Queue => self.queue.layout(body),
            Screen::Search => self.search.layout(body),
            Screen::Overdue => self.overdue.layout(body),
            Screen::Supervisor => self.supervisor.layout(body),
            Screen::Detail => {
                if let Some(d) = &mut self.detail {
                    d.layout(body, env);
                }
            }
            Screen::Intake => {}
        }
        if let Some(help) = &mut self.help {
            help.layout(body, env);
        }
    }

    /// Draws the whole counter into `area`: the status line, the shown
    /// screen, the message line and the key bar, with the help and a popup on top.
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        Clear.render(area, frame.buffer_mut());
        let (t, lang) = (&self.env.theme, self.env.lang);
        if App::is_too_small(area.width, area.height) {
            let text = format!("{}\n{}", S::TooSmallTitle.get(lang), strings::too_small(area.width, area.height, lang));
            Paragraph::new(text).style(t.error).wrap(Wrap { trim: true }).render(area, frame.buffer_mut());
            return;
        }
        if let Some(gate) = &self.gate {
            // Nothing behind the gate shows through: no case, name or amount.
            if let Some(p) = gate.render(frame.buffer_mut(), area, &self.env) {
                frame.set_cursor_position(p);
            }
            return;
        }
        let (status_area, body, message_area, bar_area) = App::regions(area);
        let env = &self.env;
        let head =
            Head { town: &env.counter.town_name, window: env.counter.window, operator: &env.operator, now: env.now };
        self.status.render(&head, frame.buffer_mut(), status_area, t, lang);
        let buf = frame.buffer_mut();
        let mut cursor: Option<Position> = match self.screen {
            Screen::Queue => {
                self.queue.render(buf, body, env);
                None
            }
            Screen::Intake => self.intake.as_ref().and_then(|i| i.render(buf, body, env)),
            Screen::Detail => {
                if let Some(d) = &self.detail {
                    d.render(buf, body, env);
                }
                None
            }
            Screen::Search => self.search.render(buf, body, env),
            Screen::Overdue => {
                self.overdue.render(buf, body, env);
                None
            }
            Screen::Supervisor => {
                self.supervisor.render(buf, body, env);
                None
            }
        };
        self.draw_message(frame, message_area);
        let section = if self.popup.is_some() {
            Section::Popup
        } else if self.help.is_some() {
            Section::Help
        } else {
            help::section(self.screen)
        };
        // Esc on a called ticket's form puts the ticket back in the line: the bar says so.
        let called = self.intake.as_ref().is_some_and(|i| i.form.ticket.is_some());
        let says: &[(Action, &str)] =
            if section == Section::Intake && called { &[(Action::Back, S::BackToLine.get(lang))] } else { &[] };
        status::key_bar(&env.keymap, section, says, frame.buffer_mut(), bar_area, t, lang);
        if let Some(help) = &self.help {
            help.render(frame.buffer_mut(), body, env);
            cursor = None;
        }
        if let Some(popup) = &self.popup {
            cursor = popup.render(frame.buffer_mut(), body, env);
        }
        if let Some(p) = cursor {
            frame.set_cursor_position(p);
        }
    }

    fn draw_message(&self, frame: &mut Frame, area: Rect) {
        let Some(m) = &self.message else {
            return;
        };
        let t = &self.env.theme;
        let style = match m.kind {
            MessageKind::Info => t.info,
            MessageKind::Error => t.error,
        };
        let text = m.text.replace('\n', " ");
        let room = area.width.saturating_sub(2);
        if super::widgets::width(&text) <= room as usize {
            super::widgets::put(frame.buffer_mut(), area, area.x + 1, area.y, &text, style);
        } else {
            // A long refusal takes the line above as well.
            let two = Rect::new(area.x + 1, area.y.saturating_sub(1), room, 2);
            Clear.render(Rect::new(area.x, two.y, area.width, 2), frame.buffer_mut());
            for (i, line) in super::widgets::wrap(&text, room as usize).iter().take(2).enumerate() {
                super::widgets::put(frame.buffer_mut(), two, two.x, two.y + i as u16, line, style);
            }
        }
    }
}

/// A window refusal or failure in the clerk's language.
pub fn window_error(e: &WindowError, lang: Lang) -> String {
    match e {
        WindowError::Store(e) if !e.is_refusal() => strings::failed(e, lang),
        e => e.say(lang),
    }
}

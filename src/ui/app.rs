//! The counter's state and its one `update`: every key, tick, card read and
//! device report arrives as a [`Msg`] and is applied here, on the UI thread.
//! Commits go through [`Window`]; nothing else here touches the disk except
//! the draft (handed to its writer thread) and the held tickets file.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::files::{self, DraftWriter, HeldTicket};
use super::form::{CardFields, Control, Field, Form, FormError, PolicyChoices};
use super::keymap::{Key, Keymap, Section};
use super::printer::{PrintJob, PrintReport, PrinterHandle};
use super::strings::{self, S};
use super::theme::Theme;
use super::widgets::input;
use super::{CardRead, CounterEvent, DeviceState, DeviceStatus, Msg, Outcome};
use crate::config::CounterConfig;
use crate::devices::idcard::{ReaderHandle, ReaderStatus};
use crate::domain::case::{Flag, HistoryAction, Step as CaseStep};
use crate::domain::dedup::{DuplicateRefusal, SupervisorOverride};
use crate::domain::policy::{DeadlineStatus, PolicyBook};
use crate::domain::time::Moment;
use crate::domain::{Case, CaseId, Department, IdNumber, Kind, Money, State};
use crate::l10n::{names, Say};
use crate::receipt::ReceiptKind;
use crate::store::{CaseSummary, Store};
use crate::window::{CaseAction, Intake, Late, Window, WindowError};
use crate::{tr, Lang};

/// Where the time comes from: the wall clock in the centre's offset, or a
/// fixed instant (tests, training, `ONEDOOR_NOW`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System(FixedOffset),
    Fixed(Moment),
}

impl Clock {
    pub fn now(&self) -> Moment {
        match self {
            Clock::System(offset) => chrono::Utc::now().with_timezone(offset),
            Clock::Fixed(m) => *m,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Intake,
    Detail,
    Search,
    /// Open cases past their promised date or with a referral past its date.
    Overdue,
}

impl Screen {
    pub fn section(self) -> Section {
        match self {
            Screen::Queue => Section::Queue,
            Screen::Intake => Section::Intake,
            Screen::Detail => Section::Detail,
            Screen::Search => Section::Search,
            Screen::Overdue => Section::Overdue,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
}

/// The line above the key bar: what just happened, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

/// Something that waits for the clerk's yes: the data of the confirmation popup.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// An irreversible step on a case.
    Act { id: CaseId, action: CaseAction },
    /// Quit although a form has unsaved input.
    Quit,
    /// Leave the form, dropping what was typed.
    Discard,
    /// Reopen the form left unsaved last time (cancel discards it).
    RestoreDraft(Box<Form>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    ApproveAmount,
    /// The amount a supervisor approves (above the clerk's limit).
    SupervisorAmount,
    RejectReason,
    ReviewNote,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    /// `Confirm(Pending)`: yes runs it, cancel leaves everything as it was.
    Confirm(Pending),
    /// A value the step needs (an amount, a reason).
    Input { purpose: InputPurpose, id: CaseId, text: String, cursor: usize, error: Option<String> },
    /// The department to refer to.
    ChooseDepartment { id: CaseId, selected: usize },
    /// The duplicate check stopped the intake: the supervisor's reason to let it through.
    Override { what: String, text: String, cursor: usize, error: Option<String> },
    /// Which receipt of a paid case to print again.
    ChooseReceipt { id: CaseId, selected: usize },
    /// A receipt shown on screen (no printer), as laid out for the paper.
    Receipt { id: CaseId, kind: ReceiptKind, lines: Vec<String>, scroll: u16 },
}

/// The receipts a paid case has, in the order the reprint popup offers them.
pub const RECEIPT_KINDS: [ReceiptKind; 2] = [ReceiptKind::Acceptance, ReceiptKind::Disbursement];

#[derive(Debug, Clone, Default)]
pub struct QueueState {
    pub day: Option<NaiveDate>,
    /// Today's summaries, in id (= time) order.
    pub rows: Vec<CaseSummary>,
    /// Index over held tickets first, then `rows`.
    pub selected: usize,
    pub offset: usize,
    /// Lines shown at the last render (for PgUp/PgDn).
    pub page: usize,
}

#[derive(Debug, Clone)]
pub struct IntakeState {
    pub form: Form,
    pub focus: Field,
    pub cursor: usize,
    pub error: Option<FormError>,
    /// The household's ID numbers the quick look-up last looked at, and what it found.
    pub duplicate: Option<(Vec<IdNumber>, Option<DuplicateNote>)>,
    /// The window's live judgement of the form (policy entitlement, possible
    /// duplicates), once the form is complete enough to judge.
    pub assessed: Option<Assessed>,
    /// What the clerk must check about the card read for this form (expired,
    /// a number that does not check).
    pub card_note: Option<String>,
}

/// What [`Window::assess`] made of the form, in the clerk's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    pub entitlement: String,
    /// The hospital-bill discounts apply to this household (the relief of each line is shown).
    pub discounts_apply: bool,
    /// Possible duplicates by the policy's rule (they may need a supervisor).
    pub duplicates: Option<DuplicateNote>,
}

/// Earlier cases of the household that the clerk must see on the intake
/// form, by case id; the banner says as many ids as its line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DuplicateNote {
    /// The policy's possible duplicates: the same kind and reason, for the
    /// applicant or a household member, within the policy's window.
    Possible { ids: Vec<CaseId>, blocks: bool },
    /// Any earlier case of the applicant or a household member, newest first,
    /// with what the newest is.
    Earlier { ids: Vec<CaseId>, latest: String, through_members: bool },
}

impl DuplicateNote {
    /// The banner's text in `room` cells.
    pub fn text(&self, room: usize, lang: Lang) -> String {
        match self {
            DuplicateNote::Possible { ids, blocks } => {
                let ids: Vec<&str> = ids.iter().map(CaseId::as_str).collect();
                strings::possible_duplicates_banner(&ids, *blocks, room, lang)
            }
            DuplicateNote::Earlier { ids, latest, through_members } => {
                let ids: Vec<&str> = ids.iter().map(CaseId::as_str).collect();
                strings::earlier_cases_banner(&ids, latest, *through_members, room, lang)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct DetailState {
    pub case: Case,
    pub scroll: u16,
    pub return_to: Screen,
}

/// One line of the overdue list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueRow {
    pub id: CaseId,
    pub name: String,
    pub id_number: IdNumber,
    pub kind: Kind,
    pub state: State,
    /// Every deadline it missed: the help-by date, the due date, referrals.
    pub late: Vec<Late>,
}

#[derive(Debug, Clone, Default)]
pub struct OverdueState {
    pub rows: Vec<OverdueRow>,
    pub selected: usize,
    pub offset: usize,
    /// Cases shown at the last render (for PgUp/PgDn).
    pub page: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SearchState {
    pub text: String,
    pub cursor: usize,
    pub results: Vec<CaseSummary>,
    pub selected: usize,
    pub offset: usize,
    pub page: usize,
}

/// The live entitlement line of the intake form (the policy engine plugs in here).
pub type EntitlementHook = Box<dyn Fn(&Form, NaiveDate, Lang) -> Option<String> + Send>;

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
    pub data_dir: PathBuf,
    /// The policy book the window judges by (built-in plus `[policy] file`).
    pub policies: Arc<PolicyBook>,
}

pub struct App {
    pub store: Arc<Store>,
    pub counter: CounterConfig,
    pub operator: String,
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    pub clock: Clock,
    pub now: Moment,
    pub data_dir: PathBuf,
    pub policies: Arc<PolicyBook>,
    pub screen: Screen,
    pub queue: QueueState,
    pub intake: Option<IntakeState>,
    pub detail: Option<DetailState>,
    pub search: SearchState,
    pub overdue: OverdueState,
    pub popup: Option<Popup>,
    /// The help overlay and its scroll, when open.
    pub help: Option<u16>,
    pub message: Option<Message>,
    pub devices: DeviceStatus,
    pub fund_balance: Option<Money>,
    /// A duplicate warning from outside (the district), for an ID number.
    pub district_duplicate: Option<(String, String)>,
    pub held: Vec<HeldTicket>,
    pub entitlement: EntitlementHook,
    pub events: Vec<CounterEvent>,
    pub quit: bool,
    /// The printer worker, when one is connected.
    pub printer: Option<PrinterHandle>,
    /// Receipts to show on screen after the popup that is open now.
    pub queued_popups: VecDeque<Popup>,
    reader: Option<ReaderHandle>,
    reader_wanted: bool,
    draft: DraftWriter,
}

impl App {
    pub fn new(setup: Setup) -> App {
        let now = setup.clock.now();
        let draft = DraftWriter::new(&setup.data_dir);
        let held = files::read_held(&setup.data_dir);
        let restore = files::read_draft(&setup.data_dir);
        let mut app = App {
            store: setup.store,
            counter: setup.counter,
            operator: setup.operator,
            lang: setup.lang,
            keymap: setup.keymap,
            theme: setup.theme,
            clock: setup.clock,
            now,
            data_dir: setup.data_dir,
            policies: setup.policies,
            screen: Screen::Queue,
            queue: QueueState::default(),
            intake: None,
            detail: None,
            search: SearchState::default(),
            overdue: OverdueState::default(),
            popup: None,
            help: None,
            message: None,
            devices: DeviceStatus::default(),
            fund_balance: None,
            district_duplicate: None,
            held,
            entitlement: Box::new(super::form::entitlement_preview),
            events: Vec::new(),
            quit: false,
            printer: None,
            queued_popups: VecDeque::new(),
            reader: None,
            reader_wanted: false,
            draft,
        };
        app.refresh_queue();
        app.refresh_fund();
        if let Some(form) = restore {
            app.popup = Some(Popup::Confirm(Pending::RestoreDraft(Box::new(form))));
        }
        app
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// The choices the intake form offers under the policy in force today.
    pub fn form_choices(&self) -> PolicyChoices {
        PolicyChoices::of(self.policies.policy_for(self.today()))
    }

    /// The window, judging by the configured policy book.
    pub fn window(&self) -> Window<'_> {
        Window::with_policies(&self.store, &self.counter, &self.policies)
    }

    /// How a case stands against its promised date today, by its policy's calendar.
    pub fn deadline(&self, summary: &CaseSummary) -> DeadlineStatus {
        self.window().deadline(summary, self.today())
    }

    /// Reads the relief fund's balance for the status line.
    pub fn refresh_fund(&mut self) {
        match self.store.fund() {
            Ok(fund) => self.fund_balance = Some(fund.balance()),
            Err(e) => tracing::warn!("cannot read the relief fund: {e}"),
        }
    }

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { kind: MessageKind::Info, text: text.into() });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { kind: MessageKind::Error, text: text.into() });
    }

    /// Waits until the draft on disk is the form on screen.
    pub fn sync_draft(&self) {
        self.draft.sync();
    }

    // ---- messages -------------------------------------------------------

    pub fn update(&mut self, msg: Msg) -> Outcome {
        match msg {
            Msg::Term(Event::Key(key)) => self.on_key(key),
            Msg::Term(Event::Resize(..)) => {}
            Msg::Term(Event::Paste(text)) => self.paste(&text),
            Msg::Term(Event::FocusGained | Event::FocusLost | Event::Mouse(_)) => {}
            Msg::Tick => {
                let day = self.today();
                self.now = self.clock.now();
                if self.today() != day {
                    self.refresh_queue();
                }
            }
            Msg::CardRead(card) => self.on_card(card),
            Msg::CardFailed(e) => {
                let text = strings::card_failed(&e.message(self.lang), self.lang);
                self.error(text);
            }
            Msg::Reader(status) => self.on_reader(status),
            Msg::Printer(report) => self.on_print(report),
            Msg::Devices(status) => self.devices = status,
            Msg::FundBalance(balance) => self.fund_balance = balance,
            Msg::DuplicateWarning { id_number, text } => {
                self.district_duplicate = text.map(|t| (id_number, t));
            }
            Msg::StoreChanged => {
                self.refresh_queue();
                self.refresh_fund();
                self.reload_detail();
                if self.screen == Screen::Overdue {
                    self.refresh_overdue();
                }
            }
        }
        if self.popup.is_none() {
            self.popup = self.queued_popups.pop_front();
        }
        self.sync_reader();
        if self.quit {
            Outcome::Quit
        } else {
            Outcome::Continue
        }
    }

    fn paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.type_char(c);
        }
    }

    fn on_card(&mut self, card: CardRead) {
        let fields = CardFields {
            name: card.name.trim().to_string(),
            id_number: card.id_number.trim().to_ascii_uppercase(),
            address: card.address.trim().to_string(),
            ethnicity: card.ethnicity.trim().to_string(),
            photo_wlt: card.photo_wlt.clone(),
        };
        let lang = self.lang;
        // What the clerk must check, said plainly: an expired card, a number that does not check.
        let mut notes = Vec::new();
        if let Some(until) = card.valid_until.filter(|d| *d < self.today()) {
            notes.push(strings::card_expired(until, lang));
        }
        if let Some(e) = &card.id_problem {
            notes.push(strings::card_number_problem(e, lang));
        }
        let note = (!notes.is_empty()).then(|| notes.join(tr!(lang, "card-notes-separator")));
        let opened = self.intake.is_none();
        if opened {
            self.open_intake(Form::default());
        }
        if let Some(intake) = &mut self.intake {
            intake.form.name = fields.name.clone();
            intake.form.id_number = fields.id_number.clone();
            intake.form.card = Some(fields);
            intake.card_note = note.clone();
            if matches!(intake.focus, Field::Name | Field::IdNumber) {
                intake.cursor = intake.form.text(intake.focus).map(input::end).unwrap_or(0);
            }
        }
        self.screen = Screen::Intake;
        self.form_changed();
        match note {
            Some(note) => self.error(note),
            None => {
                let text = if opened { S::ReadCardNotInForm } else { S::CardFilled };
                self.info(text.get(lang));
            }
        }
    }

    // ---- devices ---------------------------------------------------------

    /// Connects the reader thread; it polls only while the intake form is open.
    pub fn attach_reader(&mut self, reader: ReaderHandle) {
        self.reader = Some(reader);
        self.reader_wanted = false;
        self.devices.id_reader = DeviceState::Connecting;
        self.sync_reader();
    }

    /// Tells the reader whether a card is wanted now (the intake form is open).
    fn sync_reader(&mut self) {
        let want = self.screen == Screen::Intake;
        if let Some(reader) = &self.reader {
            if want != self.reader_wanted {
                reader.set_wanted(want);
                self.reader_wanted = want;
            }
        }
    }

    fn on_reader(&mut self, status: ReaderStatus) {
        let lang = self.lang;
        let state = match &status {
            ReaderStatus::Connecting => DeviceState::Connecting,
            ReaderStatus::Ready => DeviceState::Ready,
            ReaderStatus::Disconnected { reason } => DeviceState::Problem(strings::reader_problem(reason, lang)),
        };
        if state != self.devices.id_reader {
            if let ReaderStatus::Disconnected { .. } = status {
                tracing::warn!("{}", status.message(Lang::En));
                self.error(status.message(lang));
            }
        }
        self.devices.id_reader = state;
    }

    fn on_print(&mut self, report: PrintReport) {
        let lang = self.lang;
        match report {
            PrintReport::Status(status) => self.devices.printer = strings::printer_state(status, lang),
            PrintReport::Unreachable(e) => {
                tracing::warn!("printer: {e}");
                self.devices.printer = DeviceState::Problem(S::PrinterUnreachable.get(lang).to_string());
            }
            PrintReport::Printed { id, kind, status, reprint, substituted } => {
                self.devices.printer = strings::printer_state(status, lang);
                let mut text = strings::printed(kind, id.as_str(), reprint, lang);
                if status != crate::devices::printer::PrinterStatus::Ready {
                    text = tr!(lang, "printed-then", printed = text, status = names::printer_advice(status, lang));
                }
                if !substituted.is_empty() {
                    // A rare character the printer cannot carry: the clerk writes it in.
                    let chars = crate::printing::write_in_by_hand(&substituted);
                    text.push_str(&strings::write_in_by_hand(&chars, lang));
                    self.error(text);
                    return;
                }
                self.info(text);
            }
            PrintReport::OnScreen { id, kind, lines } => {
                self.queued_popups.push_back(Popup::Receipt { id, kind, lines, scroll: 0 });
            }
            PrintReport::Pending { id, kind, error, .. } => {
                self.devices.printer = match error.status() {
                    Some(status) => strings::printer_state(status, lang),
                    None => DeviceState::Problem(S::PrinterUnreachable.get(lang).to_string()),
                };
                let key = self.reprint_key();
                let text = strings::receipt_pending(kind, id.as_str(), &error.message(lang), &key, lang);
                self.error(text);
            }
            PrintReport::Failed { id, kind, error } => {
                let text = strings::receipt_failed(kind, id.as_str(), &error, lang);
                self.error(text);
            }
        }
    }

    /// The key that reprints a receipt from the case, for hints.
    fn reprint_key(&self) -> String {
        self.key_for(Section::Detail, Action::Reprint)
    }

    /// The first key of the active keymap that asks for `action` in `section`, for hints.
    pub fn key_for(&self, section: Section, action: Action) -> String {
        self.keymap.hint(section, action).map(|k| k.to_string()).unwrap_or_default()
    }

    /// Hands a committed case's receipt to the printer worker (never waits for it).
    fn print_receipt(&mut self, case: &Case, kind: ReceiptKind, reprint: bool) -> bool {
        let Some(printer) = &self.printer else {
            return false;
        };
        let job = PrintJob { case: Box::new(case.clone()), kind, reprint };
        if printer.print(job) {
            if printer.on_paper {
                self.devices.printer = DeviceState::Busy;
            }
            true
        } else {
            tracing::error!("the printer worker has stopped");
            let text = S::PrinterStopped.get(self.lang);
            self.error(text);
            false
        }
    }

    /// The clerk asks for a case's receipt again (the paid case: which one).
    fn reprint(&mut self) {
        let Some(d) = &self.detail else {
            return;
        };
        if self.printer.is_none() {
            self.error(S::NoPrinter.get(self.lang));
            return;
        }
        let case = d.case.clone();
        if case.history.iter().any(|h| h.action == HistoryAction::Disbursed) {
            self.popup = Some(Popup::ChooseReceipt { id: case.id.clone(), selected: 0 });
        } else {
            self.reprint_kind(&case, ReceiptKind::Acceptance);
        }
    }

    fn reprint_kind(&mut self, case: &Case, kind: ReceiptKind) {
        if self.print_receipt(case, kind, true) {
            let text = strings::reprinting(kind, case.id.as_str(), self.lang);
            self.info(text);
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.message = None;
        let k = Key::of(&key);
        if self.popup.is_some() {
            return self.popup_key(&key, k);
        }
        if self.help.is_some() {
            if let Some(a) = self.keymap.action(Section::Help, k) {
                self.help_action(a);
            }
            return;
        }
        if let Some(c) = typed(&key) {
            if self.typing_screen() {
                self.type_char(c);
                return;
            }
        }
        if let Some(a) = self.keymap.action(self.screen.section(), k) {
            self.act(a);
        }
    }

    /// Does a plain character go into a text field here?
    fn typing_screen(&self) -> bool {
        match self.screen {
            Screen::Search => true,
            Screen::Intake => self.intake.as_ref().is_some_and(|i| i.focus.control() == Control::Text),
            Screen::Queue | Screen::Detail | Screen::Overdue => false,
        }
    }

    fn type_char(&mut self, c: char) {
        match self.screen {
            Screen::Search => {
                input::insert(&mut self.search.text, &mut self.search.cursor, c);
                self.run_search();
            }
            Screen::Intake => {
                if let Some(i) = &mut self.intake {
                    if i.focus.control() == Control::Text && i.form.insert(i.focus, &mut i.cursor, c) {
                        self.form_changed();
                    }
                }
            }
            Screen::Queue | Screen::Detail | Screen::Overdue => {}
        }
    }

    fn help_action(&mut self, a: Action) {
        let scroll = self.help.unwrap_or(0);
        match a {
            Action::Help | Action::Back | Action::Cancel => self.help = None,
            Action::Up => self.help = Some(scroll.saturating_sub(1)),
            Action::Down => self.help = Some(scroll.saturating_add(1)),
            Action::PageUp => self.help = Some(scroll.saturating_sub(10)),
            Action::PageDown => self.help = Some(scroll.saturating_add(10)),
            Action::NewCase
            | Action::Search
            | Action::CallNext
            | Action::Recall
            | Action::Hold
            | Action::Save
            | Action::Quit
            | Action::NextField
            | Action::PrevField
            | Action::Select
            | Action::First
            | Action::Last
            | Action::Left
            | Action::Right
            | Action::Toggle
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::LineStart
            | Action::LineEnd
            | Action::Refer
            | Action::Review
            | Action::Approve
            | Action::Reject
            | Action::Disburse
            | Action::Complete
            | Action::Withdraw
            | Action::ApproveAsSupervisor
            | Action::Reprint
            | Action::Overdue
            | Action::Confirm => {}
        }
    }

    // ---- actions on screens --------------------------------------------

    fn act(&mut self, a: Action) {
        match a {
            Action::Help => self.help = Some(0),
            Action::Quit => {
                if self.intake.as_ref().is_some_and(|i| i.form.is_dirty()) {
                    self.popup = Some(Popup::Confirm(Pending::Quit));
                } else {
                    self.quit = true;
                }
            }
            Action::NewCase => {
                if self.intake.is_some() {
                    self.screen = Screen::Intake;
                } else {
                    self.open_intake(Form::default());
                }
            }
            Action::Search => {
                self.screen = Screen::Search;
            }
            Action::CallNext => self.call_next(),
            Action::Recall => self.recall(None),
            Action::Hold => self.hold(),
            Action::Save => self.save(),
            Action::Back => self.back(),
            Action::NextField => self.move_focus(1),
            Action::PrevField => self.move_focus(-1),
            Action::Select => self.select(),
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-(self.page() as isize)),
            Action::PageDown => self.move_selection(self.page() as isize),
            Action::First => self.move_selection(isize::MIN / 2),
            Action::Last => self.move_selection(isize::MAX / 2),
            Action::Left | Action::Right => {
                let step = if a == Action::Left { -1 } else { 1 };
                self.left_right(step);
            }
            Action::Toggle => {
                let choices = self.form_choices();
                if let Some(i) = &mut self.intake {
                    if self.screen == Screen::Intake && i.focus.control() != Control::Text {
                        i.form.cycle(i.focus, 1, &choices);
                        self.form_changed();
                    }
                }
            }
            Action::DeleteBack => self.edit(Edit::DeleteBack),
            Action::DeleteForward => self.edit(Edit::DeleteForward),
            Action::LineStart => self.edit(Edit::Start),
            Action::LineEnd => self.edit(Edit::End),
            Action::Refer => self.case_step(Step::Refer),
            Action::Review => self.case_step(Step::Review),
            Action::Approve => self.case_step(Step::Approve),
            Action::Reject => self.case_step(Step::Reject),
            Action::Disburse => self.case_step(Step::Disburse),
            Action::Complete => self.case_step(Step::Complete),
            Action::Withdraw => self.case_step(Step::Withdraw),
            Action::ApproveAsSupervisor => self.case_step(Step::ApproveAsSupervisor),
            Action::Reprint => self.reprint(),
            Action::Overdue => {
                self.refresh_overdue();
                self.screen = Screen::Overdue;
            }
            Action::Confirm | Action::Cancel => {}
        }
    }

    fn page(&self) -> usize {
        match self.screen {
            Screen::Queue => self.queue.page.max(1),
            Screen::Search => self.search.page.max(1),
            Screen::Detail => 10,
            Screen::Overdue => self.overdue.page.max(1),
            Screen::Intake => 1,
        }
    }

    fn back(&mut self) {
        match self.screen {
            Screen::Queue => {
                let key = self.key_for(Section::Queue, Action::Quit);
                self.info(tr!(self.lang, "quit-hint", key = key))
            }
            Screen::Intake => {
                if self.intake.as_ref().is_some_and(|i| i.form.is_dirty()) {
                    self.popup = Some(Popup::Confirm(Pending::Discard));
                } else {
                    self.close_intake();
                }
            }
            Screen::Detail => {
                let to = self.detail.as_ref().map(|d| d.return_to).unwrap_or(Screen::Queue);
                self.detail = None;
                self.screen = to;
                if to == Screen::Overdue {
                    // The case may no longer be late.
                    self.refresh_overdue();
                }
            }
            Screen::Search | Screen::Overdue => self.screen = Screen::Queue,
        }
    }

    fn left_right(&mut self, step: isize) {
        match self.screen {
            Screen::Intake => {
                let choices = self.form_choices();
                if let Some(i) = &mut self.intake {
                    match i.focus.control() {
                        Control::Text => {
                            let text = i.form.text(i.focus).unwrap_or("");
                            if step < 0 {
                                input::left(&mut i.cursor)
                            } else {
                                input::right(text, &mut i.cursor)
                            }
                        }
                        Control::Choice | Control::Check => {
                            i.form.cycle(i.focus, step, &choices);
                            self.form_changed();
                        }
                    }
                }
            }
            Screen::Search => {
                if step < 0 {
                    input::left(&mut self.search.cursor)
                } else {
                    input::right(&self.search.text, &mut self.search.cursor)
                }
            }
            Screen::Queue | Screen::Detail | Screen::Overdue => {}
        }
    }

    fn edit(&mut self, a: Edit) {
        let apply = |text: &mut String, cursor: &mut usize| a.apply(text, cursor);
        match self.screen {
            Screen::Intake => {
                if let Some(i) = &mut self.intake {
                    let mut cursor = i.cursor;
                    i.form.edit(i.focus, |t| apply(t, &mut cursor));
                    i.cursor = cursor;
                    if a.changes_text() {
                        self.form_changed();
                    }
                }
            }
            Screen::Search => {
                apply(&mut self.search.text, &mut self.search.cursor);
                if a.changes_text() {
                    self.run_search();
                }
            }
            Screen::Queue | Screen::Detail | Screen::Overdue => {}
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let clamp = |sel: usize, len: usize| -> usize {
            if len == 0 {
                0
            } else {
                (sel as isize + delta).clamp(0, len as isize - 1) as usize
            }
        };
        match self.screen {
            Screen::Queue => {
                let len = self.held.len() + self.queue.rows.len();
                self.queue.selected = clamp(self.queue.selected, len);
            }
            Screen::Search => {
                self.search.selected = clamp(self.search.selected, self.search.results.len());
            }
            Screen::Overdue => {
                self.overdue.selected = clamp(self.overdue.selected, self.overdue.rows.len());
            }
            Screen::Detail => {
                if let Some(d) = &mut self.detail {
                    let s = (d.scroll as isize + delta).clamp(0, u16::MAX as isize);
                    d.scroll = s as u16;
                }
            }
            Screen::Intake => {}
        }
    }

    fn select(&mut self) {
        // The case under the cursor, if any; a held ticket in the queue is recalled instead.
        let chosen = match self.screen {
            Screen::Queue => {
                let sel = self.queue.selected;
                if sel < self.held.len() {
                    self.recall(Some(sel));
                    return;
                }
                self.queue.rows.get(sel - self.held.len()).map(|r| r.id.clone())
            }
            Screen::Search => self.search.results.get(self.search.selected).map(|r| r.id.clone()),
            Screen::Overdue => self.overdue.rows.get(self.overdue.selected).map(|r| r.id.clone()),
            Screen::Intake | Screen::Detail => return,
        };
        match chosen {
            Some(id) => self.open_detail(&id, self.screen),
            None => self.info(S::NothingSelected.get(self.lang)),
        }
    }

    // ---- the queue and tickets -------------------------------------------

    /// Reloads today's summaries (never whole cases), keeping the selection.
    pub fn refresh_queue(&mut self) {
        let today = self.today();
        let keep = self.selected_case_id();
        match self.store.cases_on_day(today) {
            Ok(rows) => self.queue.rows = rows,
            Err(e) => {
                tracing::error!("cannot read today's cases: {e}");
                let text = strings::failed(&e, self.lang);
                self.error(text);
            }
        }
        self.queue.day = Some(today);
        if let Some(id) = keep {
            self.select_case(&id);
        }
        let len = self.held.len() + self.queue.rows.len();
        self.queue.selected = self.queue.selected.min(len.saturating_sub(1));
    }

    fn selected_case_id(&self) -> Option<CaseId> {
        self.queue.selected.checked_sub(self.held.len()).and_then(|i| self.queue.rows.get(i)).map(|r| r.id.clone())
    }

    /// Selects a case in the queue.
    pub fn select_case(&mut self, id: &CaseId) {
        if let Some(i) = self.queue.rows.iter().position(|r| &r.id == id) {
            self.queue.selected = self.held.len() + i;
        }
    }

    fn call_next(&mut self) {
        if self.intake.as_ref().is_some_and(|i| i.form.is_dirty()) {
            // Serving someone: put them on hold first.
            self.hold();
        }
        match self.store.next_ticket(self.today()) {
            Ok(ticket) => {
                self.open_intake(Form { ticket: Some(ticket), ..Form::default() });
                let text = strings::called(ticket, self.lang);
                self.info(text);
            }
            Err(e) => {
                tracing::error!("cannot issue a ticket: {e}");
                let text = strings::failed(&e, self.lang);
                self.error(text);
            }
        }
    }

    fn hold(&mut self) {
        let Some(intake) = self.intake.take() else {
            return;
        };
        let ticket = intake.form.ticket;
        self.held.push(HeldTicket { day: self.today(), form: intake.form });
        self.write_held();
        self.draft.save(None);
        self.screen = Screen::Queue;
        self.queue.selected = self.held.len() - 1;
        let key = self.key_for(Section::Queue, Action::Recall);
        let text = strings::held(ticket, &key, self.lang);
        self.info(text);
    }

    fn recall(&mut self, index: Option<usize>) {
        if self.held.is_empty() {
            self.info(S::NoHeld.get(self.lang));
            return;
        }
        if self.intake.as_ref().is_some_and(|i| i.form.is_dirty()) {
            self.hold();
        }
        let i = index.unwrap_or(0).min(self.held.len() - 1);
        let held = self.held.remove(i);
        self.write_held();
        self.open_intake(held.form);
        self.form_changed();
    }

    fn write_held(&mut self) {
        if let Err(e) = files::write_held(&self.data_dir, &self.held) {
            tracing::error!("cannot write the held tickets: {e}");
            let text = strings::failed(&e, self.lang);
            self.error(text);
        }
    }

    // ---- intake --------------------------------------------------------

    fn open_intake(&mut self, form: Form) {
        let cursor = input::end(&form.id_number);
        self.intake = Some(IntakeState {
            form,
            focus: Field::IdNumber,
            cursor,
            error: None,
            duplicate: None,
            assessed: None,
            card_note: None,
        });
        self.screen = Screen::Intake;
        self.check_duplicates();
    }

    fn close_intake(&mut self) {
        self.intake = None;
        self.draft.save(None);
        self.screen = Screen::Queue;
    }

    fn form_changed(&mut self) {
        let choices = self.form_choices();
        if let Some(i) = &mut self.intake {
            if i.error.as_ref().is_some_and(|e| e.field == i.focus) {
                i.error = None;
            }
            // A line that no longer applies (an emptied member beyond the household's size) passes the focus on.
            let fields = i.form.fields(&choices);
            if !fields.contains(&i.focus) {
                if let Some(last) = fields.last() {
                    i.focus = *last;
                    i.cursor = i.form.text(i.focus).map(input::end).unwrap_or(0);
                }
            }
        }
        self.check_duplicates();
        self.assess();
        let form = self.intake.as_ref().map(|i| &i.form);
        self.draft.save(form);
    }

    /// The live duplicate check: earlier cases in this store of the
    /// applicant and of every household member whose number checks.
    fn check_duplicates(&mut self) {
        let today = self.today();
        let lang = self.lang;
        let Some(i) = &self.intake else {
            return;
        };
        let numbers = i.form.household_id_numbers(today);
        if i.duplicate.as_ref().is_some_and(|(n, _)| *n == numbers) {
            return;
        }
        let applicant = i.form.id_check(today).ok();
        let found = match self.window().household_history(&numbers) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("duplicate check failed: {e}");
                Vec::new()
            }
        };
        let note = found.first().map(|latest| DuplicateNote::Earlier {
            latest: format!("{} {}", strings::kind(latest.kind, lang), strings::state(latest.state, lang)),
            ids: found.iter().map(|c| c.id.clone()).collect(),
            through_members: found.iter().any(|c| Some(&c.id_number) != applicant.as_ref()),
        });
        if let Some(i) = &mut self.intake {
            i.duplicate = Some((numbers, note));
        }
    }

    /// The live entitlement and duplicate judgement of the window's policy.
    fn assess(&mut self) {
        let today = self.today();
        let lang = self.lang;
        let Some(i) = &mut self.intake else {
            return;
        };
        i.assessed = match i.form.to_input(today, lang) {
            Ok(input) => {
                match Window::with_policies(&self.store, &self.counter, &self.policies).assess(&input, today) {
                    Ok(a) => Some(Assessed {
                        entitlement: strings::entitlement(&a.entitlement, lang),
                        discounts_apply: input.kind == Kind::Medical
                            && !a.entitlement.flags.iter().any(|f| matches!(f, Flag::Ineligible | Flag::ReserveFund)),
                        duplicates: (!a.duplicates.possible_duplicates.is_empty()).then(|| DuplicateNote::Possible {
                            ids: a.duplicates.related_cases(),
                            blocks: a.duplicates.blocks,
                        }),
                    }),
                    Err(e) => {
                        tracing::warn!("cannot assess the form: {e}");
                        None
                    }
                }
            }
            Err(_) => None,
        };
    }

    fn move_focus(&mut self, step: isize) {
        let choices = self.form_choices();
        let Some(i) = &mut self.intake else {
            return;
        };
        let fields = i.form.fields(&choices);
        let at = fields.iter().position(|f| *f == i.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        i.focus = fields[((at + step).rem_euclid(n)) as usize];
        i.cursor = i.form.text(i.focus).map(input::end).unwrap_or(0);
    }

    fn save(&mut self) {
        self.save_with(None);
    }

    /// Saves the form; with a supervisor's override when the duplicate check stopped it.
    fn save_with(&mut self, override_by: Option<SupervisorOverride>) {
        let today = self.today();
        let lang = self.lang;
        let Some(i) = &mut self.intake else {
            return;
        };
        let input = match i.form.to_input(today, lang) {
            Ok(input) => input,
            Err(e) => {
                i.focus = e.field;
                i.cursor = i.form.text(e.field).map(input::end).unwrap_or(0);
                let text = e.message.clone();
                i.error = Some(e);
                self.error(text);
                return;
            }
        };
        let card_photo = i.form.card_photo().map(<[u8]>::to_vec);
        let window = Window::with_policies(&self.store, &self.counter, &self.policies);
        let intake = Intake { input, override_by: override_by.clone(), card_photo };
        match window.accept(intake, &self.operator, self.now) {
            Ok(case) => {
                tracing::info!(case = %case.id, overridden = override_by.is_some(), "accepted");
                self.intake = None;
                self.draft.save(None);
                self.screen = Screen::Queue;
                self.refresh_queue();
                self.select_case(&case.id);
                let text = strings::accepted(case.id.as_str(), lang);
                self.info(text);
                // The case is on disk: now its receipt.
                self.print_receipt(&case, ReceiptKind::Acceptance, false);
                self.events.push(CounterEvent::Accepted(Box::new(case)));
            }
            Err(WindowError::Duplicate(e @ DuplicateRefusal::NeedsOverride(_))) if override_by.is_none() => {
                tracing::info!("accept stopped by the duplicate check: {e}");
                let what = e.say(lang);
                self.popup = Some(Popup::Override { what, text: String::new(), cursor: 0, error: None });
            }
            Err(e) => {
                tracing::warn!("accept refused or failed: {e}");
                let text = window_error(&e, lang);
                self.error(text);
            }
        }
    }

    // ---- case detail -----------------------------------------------------

    fn open_detail(&mut self, id: &CaseId, return_to: Screen) {
        match self.store.case(id) {
            Ok(Some(case)) => {
                self.detail = Some(DetailState { case, scroll: 0, return_to });
                self.screen = Screen::Detail;
            }
            Ok(None) => {
                let text = format!("{}", crate::store::StoreError::NotFound(id.clone()));
                self.error(text);
            }
            Err(e) => {
                let text = strings::failed(&e, self.lang);
                self.error(text);
            }
        }
    }

    fn reload_detail(&mut self) {
        let Some(d) = &self.detail else {
            return;
        };
        if let Ok(Some(case)) = self.store.case(&d.case.id) {
            if let Some(d) = &mut self.detail {
                d.case = case;
            }
        }
    }

    /// A step on the open case: refused at once if its state does not allow
    /// it, else the popup that asks for what it needs or for confirmation.
    fn case_step(&mut self, a: Step) {
        let Some(d) = &self.detail else {
            return;
        };
        let case = &d.case;
        let id = case.id.clone();
        let step = match a {
            Step::Refer => CaseStep::Refer,
            Step::Review => CaseStep::Review,
            Step::Approve | Step::ApproveAsSupervisor => CaseStep::Approve,
            Step::Reject => CaseStep::Reject,
            Step::Disburse => CaseStep::Disburse,
            Step::Complete => CaseStep::Complete,
            Step::Withdraw => CaseStep::Withdraw,
        };
        let window = self.window();
        if let Err(e) = window.allows(case, step) {
            let text = window_error(&e, self.lang);
            self.error(text);
            return;
        }
        self.popup = Some(match a {
            Step::Refer => {
                let usual = window.department_for(case);
                Popup::ChooseDepartment { id, selected: Department::ALL.iter().position(|d| *d == usual).unwrap_or(0) }
            }
            Step::Review => {
                Popup::Input { purpose: InputPurpose::ReviewNote, id, text: String::new(), cursor: 0, error: None }
            }
            Step::Approve | Step::ApproveAsSupervisor => {
                let amount = case.entitlement.as_ref().map(|e| e.amount).unwrap_or(case.requested_amount).to_string();
                let purpose =
                    if a == Step::Approve { InputPurpose::ApproveAmount } else { InputPurpose::SupervisorAmount };
                Popup::Input { purpose, id, cursor: input::end(&amount), text: amount, error: None }
            }
            Step::Reject => {
                Popup::Input { purpose: InputPurpose::RejectReason, id, text: String::new(), cursor: 0, error: None }
            }
            Step::Disburse => Popup::Confirm(Pending::Act { id, action: CaseAction::Disburse }),
            Step::Complete => Popup::Confirm(Pending::Act { id, action: CaseAction::Complete }),
            Step::Withdraw => Popup::Confirm(Pending::Act { id, action: CaseAction::Withdraw(None) }),
        });
    }

    fn run_case_action(&mut self, id: &CaseId, action: &CaseAction) {
        let lang = self.lang;
        let window = Window::with_policies(&self.store, &self.counter, &self.policies);
        let result = if *action == CaseAction::Disburse {
            // Paid from the case's own money: from the fund, ledger and case in one transaction.
            window.pay(id, None, None, &self.operator, self.now).map(|paid| {
                if let Some(fund) = paid.fund {
                    self.fund_balance = Some(fund.balance());
                }
                paid.case
            })
        } else {
            window.act(id, action, &self.operator, self.now)
        };
        match result {
            Ok(case) => {
                tracing::info!(case = %case.id, ?action, "acted");
                let verb = action_verb(action, lang);
                if let Some(d) = &mut self.detail {
                    if d.case.id == case.id {
                        d.case = case.clone();
                    }
                }
                self.refresh_queue();
                self.info(strings::acted(verb, lang));
                if *action == CaseAction::Disburse {
                    // The payment is on disk: now its receipt.
                    self.print_receipt(&case, ReceiptKind::Disbursement, false);
                }
                self.events.push(CounterEvent::Acted { case: Box::new(case), action: action.clone() });
            }
            Err(e) => {
                tracing::warn!("step refused or failed: {e}");
                let mut text = window_error(&e, lang);
                if matches!(e, WindowError::AboveClerkLimit { .. }) {
                    // Above the clerk's limit: say which key a supervisor uses.
                    if let Some(key) = self.keymap.hint(Section::Detail, Action::ApproveAsSupervisor) {
                        text.push_str(&strings::supervisor_hint(&key.to_string(), lang));
                    }
                }
                self.error(text);
            }
        }
    }

    // ---- popups --------------------------------------------------------

    fn popup_key(&mut self, key: &KeyEvent, k: Key) {
        if let Some(c) = typed(key) {
            if let Some((text, cursor, error, limit)) = self.popup_text() {
                let ok = match limit {
                    TextLimit::Amount => c.is_ascii_digit() || c == '.',
                    TextLimit::Note => text.chars().count() < crate::domain::case::MAX_TEXT_CHARS,
                };
                if ok {
                    input::insert(text, cursor, c);
                    *error = None;
                }
                return;
            }
        }
        let action = self.keymap.action(Section::Popup, k);
        let Some(a) = action else {
            // A receipt on screen is only something to read: the global keys (quit, help) go through.
            if matches!(self.popup, Some(Popup::Receipt { .. })) {
                if let Some(a) = self.keymap.action(Section::Global, k) {
                    self.popup = None;
                    self.act(a);
                }
            }
            return;
        };
        match a {
            Action::Confirm => self.popup_confirm(),
            Action::Cancel | Action::Back => self.popup_cancel(),
            Action::Up | Action::Down | Action::Left | Action::Right | Action::PageUp | Action::PageDown => {
                let step: isize = match a {
                    Action::Up | Action::Left => -1,
                    Action::PageUp => -10,
                    Action::PageDown => 10,
                    _ => 1,
                };
                match &mut self.popup {
                    Some(Popup::ChooseDepartment { selected, .. }) => {
                        let n = Department::ALL.len() as isize;
                        *selected = ((*selected as isize + step.signum()).rem_euclid(n)) as usize;
                    }
                    Some(Popup::ChooseReceipt { selected, .. }) => {
                        let n = RECEIPT_KINDS.len() as isize;
                        *selected = ((*selected as isize + step.signum()).rem_euclid(n)) as usize;
                    }
                    Some(Popup::Receipt { scroll, lines, .. }) => {
                        let last = lines.len().min(u16::MAX as usize) as isize;
                        *scroll = (*scroll as isize + step).clamp(0, last) as u16;
                    }
                    Some(Popup::Input { text, cursor, .. }) | Some(Popup::Override { text, cursor, .. }) => {
                        if matches!(a, Action::Left) {
                            input::left(cursor)
                        } else if matches!(a, Action::Right) {
                            input::right(text, cursor)
                        }
                    }
                    Some(Popup::Confirm(_)) | None => {}
                }
            }
            Action::DeleteBack => self.popup_edit(Edit::DeleteBack),
            Action::DeleteForward => self.popup_edit(Edit::DeleteForward),
            Action::LineStart => self.popup_edit(Edit::Start),
            Action::LineEnd => self.popup_edit(Edit::End),
            Action::Help
            | Action::NewCase
            | Action::Search
            | Action::CallNext
            | Action::Recall
            | Action::Hold
            | Action::Save
            | Action::Quit
            | Action::NextField
            | Action::PrevField
            | Action::Select
            | Action::First
            | Action::Last
            | Action::Toggle
            | Action::Refer
            | Action::Review
            | Action::Approve
            | Action::Reject
            | Action::Disburse
            | Action::Complete
            | Action::Withdraw
            | Action::ApproveAsSupervisor
            | Action::Reprint
            | Action::Overdue => {}
        }
    }

    /// The text field of the open popup, if it has one, with what it accepts.
    fn popup_text(&mut self) -> Option<(&mut String, &mut usize, &mut Option<String>, TextLimit)> {
        match &mut self.popup {
            Some(Popup::Input { purpose, text, cursor, error, .. }) => {
                let limit = match purpose {
                    InputPurpose::ApproveAmount | InputPurpose::SupervisorAmount => TextLimit::Amount,
                    InputPurpose::RejectReason | InputPurpose::ReviewNote => TextLimit::Note,
                };
                Some((text, cursor, error, limit))
            }
            Some(Popup::Override { text, cursor, error, .. }) => Some((text, cursor, error, TextLimit::Note)),
            Some(Popup::Confirm(_) | Popup::ChooseDepartment { .. } | Popup::ChooseReceipt { .. })
            | Some(Popup::Receipt { .. })
            | None => None,
        }
    }

    fn popup_edit(&mut self, e: Edit) {
        if let Some((text, cursor, _, _)) = self.popup_text() {
            e.apply(text, cursor);
        }
    }

    fn popup_cancel(&mut self) {
        if let Some(Popup::Confirm(Pending::RestoreDraft(_))) = self.popup.take() {
            self.draft.save(None);
            self.info(S::DraftDiscarded.get(self.lang));
        }
    }

    fn popup_confirm(&mut self) {
        let Some(popup) = self.popup.take() else {
            return;
        };
        let lang = self.lang;
        match popup {
            Popup::Confirm(pending) => match pending {
                Pending::Act { id, action } => self.run_case_action(&id, &action),
                Pending::Quit => {
                    self.draft.sync();
                    self.quit = true;
                }
                Pending::Discard => self.close_intake(),
                Pending::RestoreDraft(form) => {
                    self.open_intake(*form);
                    self.info(S::DraftRestored.get(lang));
                }
            },
            Popup::ChooseDepartment { id, selected } => {
                let dept = Department::ALL.get(selected).copied().unwrap_or(Department::CivilAffairs);
                self.run_case_action(&id, &CaseAction::Refer(Some(dept)));
            }
            Popup::ChooseReceipt { id, selected } => {
                let kind = RECEIPT_KINDS.get(selected).copied().unwrap_or(ReceiptKind::Acceptance);
                let case = match self.detail.as_ref().filter(|d| d.case.id == id) {
                    Some(d) => Some(d.case.clone()),
                    None => self.store.case(&id).ok().flatten(),
                };
                if let Some(case) = case {
                    self.reprint_kind(&case, kind);
                }
            }
            Popup::Receipt { .. } => {}
            Popup::Override { what, text, cursor, .. } => {
                let reason = text.trim().to_string();
                if reason.is_empty() {
                    let error = Some(S::ReasonRequired.get(lang).to_string());
                    self.popup = Some(Popup::Override { what, text, cursor, error });
                } else {
                    let by = self.operator.clone();
                    self.save_with(Some(SupervisorOverride { by, reason }));
                }
            }
            Popup::Input { purpose, id, text, cursor, .. } => {
                let reopen = |error: String| Popup::Input {
                    purpose,
                    id: id.clone(),
                    text: text.clone(),
                    cursor,
                    error: Some(error),
                };
                match purpose {
                    InputPurpose::ApproveAmount | InputPurpose::SupervisorAmount => {
                        match text.trim().parse::<Money>() {
                            Ok(amount) => {
                                let action = if purpose == InputPurpose::ApproveAmount {
                                    CaseAction::Approve(Some(amount))
                                } else {
                                    CaseAction::ApproveAsSupervisor(Some(amount))
                                };
                                self.popup = Some(Popup::Confirm(Pending::Act { id: id.clone(), action }))
                            }
                            Err(e) => self.popup = Some(reopen(strings::money_error(&e, lang))),
                        }
                    }
                    InputPurpose::RejectReason => {
                        if text.trim().is_empty() {
                            self.popup = Some(reopen(S::ReasonRequired.get(lang).to_string()));
                        } else {
                            self.popup = Some(Popup::Confirm(Pending::Act {
                                id: id.clone(),
                                action: CaseAction::Reject(text.trim().to_string()),
                            }));
                        }
                    }
                    InputPurpose::ReviewNote => {
                        let note = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                        self.run_case_action(&id, &CaseAction::Review(note));
                    }
                }
            }
        }
    }

    // ---- overdue -------------------------------------------------------

    /// Loads the open cases past their date (or with a late referral), by each case's policy.
    pub fn refresh_overdue(&mut self) {
        let rows = self.window().overdue(self.today()).map(|cases| {
            cases
                .into_iter()
                .map(|o| OverdueRow {
                    id: o.case.id.clone(),
                    name: o.case.applicant.name.clone(),
                    id_number: o.case.applicant.id_number.clone(),
                    kind: o.case.kind,
                    state: o.case.state,
                    late: o.late,
                })
                .collect::<Vec<_>>()
        });
        match rows {
            Ok(rows) => self.overdue.rows = rows,
            Err(e) => {
                tracing::error!("cannot list the overdue cases: {e}");
                let text = strings::failed(&e, self.lang);
                self.error(text);
            }
        }
        self.overdue.selected = self.overdue.selected.min(self.overdue.rows.len().saturating_sub(1));
    }

    // ---- search --------------------------------------------------------

    fn run_search(&mut self) {
        self.search.selected = 0;
        self.search.offset = 0;
        match self.store.search(&self.search.text, 200) {
            Ok(results) => self.search.results = results,
            Err(e) => {
                self.search.results.clear();
                let text = strings::failed(&e, self.lang);
                self.error(text);
            }
        }
    }
}

/// An edit of a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    DeleteBack,
    DeleteForward,
    Start,
    End,
}

impl Edit {
    fn apply(self, text: &mut String, cursor: &mut usize) {
        match self {
            Edit::DeleteBack => input::delete_back(text, cursor),
            Edit::DeleteForward => input::delete_forward(text, cursor),
            Edit::Start => *cursor = 0,
            Edit::End => *cursor = input::end(text),
        }
    }

    fn changes_text(self) -> bool {
        matches!(self, Edit::DeleteBack | Edit::DeleteForward)
    }
}

/// What a popup's text field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextLimit {
    /// Digits and a point.
    Amount,
    /// Any text up to the case's limit.
    Note,
}

/// A step on a case the detail screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Refer,
    Review,
    Approve,
    ApproveAsSupervisor,
    Reject,
    Disburse,
    Complete,
    Withdraw,
}

/// A plain character typed (no Ctrl or Alt).
fn typed(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
        _ => None,
    }
}

/// A window refusal or failure in the clerk's language.
pub fn window_error(e: &WindowError, lang: Lang) -> String {
    match e {
        WindowError::Store(e) if !e.is_refusal() => strings::failed(e, lang),
        e => e.say(lang),
    }
}

/// The word for a step, as in "approved", for messages and confirmations.
pub fn action_verb(a: &CaseAction, lang: Lang) -> &'static str {
    let key = match a {
        CaseAction::Refer(_) => "refer",
        CaseAction::Review(_) => "review",
        CaseAction::Approve(_) => "approve",
        CaseAction::ApproveAsSupervisor(_) => "approve_as_supervisor",
        CaseAction::Reject(_) => "reject",
        CaseAction::Disburse => "disburse",
        CaseAction::Complete => "complete",
        CaseAction::Withdraw(_) => "withdraw",
    };
    strings::key_desc(key, lang).unwrap_or(key)
}

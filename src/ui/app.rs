//! The counter's state and its one `update`: every key, tick, card read and
//! device report arrives as a [`Msg`] and is applied here, on the UI thread.
//! Commits go through [`Window`]; nothing else here touches the disk except
//! the draft (handed to its writer thread) and the held tickets file.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::files::{self, DraftWriter, HeldTicket};
use super::form::{CardFields, Control, Field, Form, FormError};
use super::keymap::{Key, Keymap, Section};
use super::strings::{self, S};
use super::theme::Theme;
use super::widgets::input;
use super::{CardRead, CounterEvent, DeviceStatus, Msg, Outcome};
use crate::config::CounterConfig;
use crate::domain::case::Transition;
use crate::domain::time::Moment;
use crate::domain::{Case, CaseId, Department, Money, State};
use crate::store::{CaseSummary, Store};
use crate::window::{CaseAction, Window, WindowError};
use crate::Lang;

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
}

impl Screen {
    pub fn section(self) -> Section {
        match self {
            Screen::Queue => Section::Queue,
            Screen::Intake => Section::Intake,
            Screen::Detail => Section::Detail,
            Screen::Search => Section::Search,
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
}

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
    /// The ID number the duplicate check last looked at, and what it found.
    pub duplicate: Option<(String, Option<String>)>,
    /// The window's live judgement of the form (policy entitlement, possible
    /// duplicates), once the form is complete enough to judge.
    pub assessed: Option<Assessed>,
}

/// What [`Window::assess`] made of the form, in the clerk's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    pub entitlement: String,
    /// Possible duplicates by the policy's rule (they may need a supervisor).
    pub duplicates: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DetailState {
    pub case: Case,
    pub scroll: u16,
    pub return_to: Screen,
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
    pub screen: Screen,
    pub queue: QueueState,
    pub intake: Option<IntakeState>,
    pub detail: Option<DetailState>,
    pub search: SearchState,
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
            screen: Screen::Queue,
            queue: QueueState::default(),
            intake: None,
            detail: None,
            search: SearchState::default(),
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
            draft,
        };
        app.refresh_queue();
        if let Some(form) = restore {
            app.popup = Some(Popup::Confirm(Pending::RestoreDraft(Box::new(form))));
        }
        app
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
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
            Msg::Devices(status) => self.devices = status,
            Msg::FundBalance(balance) => self.fund_balance = balance,
            Msg::DuplicateWarning { id_number, text } => {
                self.district_duplicate = text.map(|t| (id_number, t));
            }
            Msg::StoreChanged => {
                self.refresh_queue();
                self.reload_detail();
            }
        }
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
        };
        let opened = self.intake.is_none();
        if opened {
            self.open_intake(Form::default());
        }
        if let Some(intake) = &mut self.intake {
            intake.form.name = fields.name.clone();
            intake.form.id_number = fields.id_number.clone();
            intake.form.card = Some(fields);
            if matches!(intake.focus, Field::Name | Field::IdNumber) {
                intake.cursor = intake.form.text(intake.focus).map(input::end).unwrap_or(0);
            }
        }
        self.screen = Screen::Intake;
        self.form_changed();
        let text = if opened { S::ReadCardNotInForm } else { S::CardFilled };
        self.info(text.get(self.lang));
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
            Screen::Queue | Screen::Detail => false,
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
            Screen::Queue | Screen::Detail => {}
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
                if let Some(i) = &mut self.intake {
                    if self.screen == Screen::Intake && i.focus.control() != Control::Text {
                        i.form.cycle(i.focus, 1);
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
            Action::Confirm | Action::Cancel => {}
        }
    }

    fn page(&self) -> usize {
        match self.screen {
            Screen::Queue => self.queue.page.max(1),
            Screen::Search => self.search.page.max(1),
            Screen::Detail => 10,
            Screen::Intake => 1,
        }
    }

    fn back(&mut self) {
        match self.screen {
            Screen::Queue => self.info(S::QuitHint.get(self.lang)),
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
            }
            Screen::Search => self.screen = Screen::Queue,
        }
    }

    fn left_right(&mut self, step: isize) {
        match self.screen {
            Screen::Intake => {
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
                            i.form.cycle(i.focus, step);
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
            Screen::Queue | Screen::Detail => {}
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
            Screen::Queue | Screen::Detail => {}
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
        match self.screen {
            Screen::Queue => {
                let sel = self.queue.selected;
                if sel < self.held.len() {
                    self.recall(Some(sel));
                } else if let Some(row) = self.queue.rows.get(sel - self.held.len()) {
                    let id = row.id.clone();
                    self.open_detail(&id, Screen::Queue);
                } else {
                    self.info(S::NothingSelected.get(self.lang));
                }
            }
            Screen::Search => {
                if let Some(row) = self.search.results.get(self.search.selected) {
                    let id = row.id.clone();
                    self.open_detail(&id, Screen::Search);
                } else {
                    self.info(S::NothingSelected.get(self.lang));
                }
            }
            Screen::Intake | Screen::Detail => {}
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
        let text = strings::held(ticket, self.lang);
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
        self.intake =
            Some(IntakeState { form, focus: Field::IdNumber, cursor, error: None, duplicate: None, assessed: None });
        self.screen = Screen::Intake;
        self.check_duplicates();
    }

    fn close_intake(&mut self) {
        self.intake = None;
        self.draft.save(None);
        self.screen = Screen::Queue;
    }

    fn form_changed(&mut self) {
        if let Some(i) = &mut self.intake {
            if i.error.as_ref().is_some_and(|e| e.field == i.focus) {
                i.error = None;
            }
        }
        self.check_duplicates();
        self.assess();
        let form = self.intake.as_ref().map(|i| &i.form);
        self.draft.save(form);
    }

    /// The live duplicate check: earlier cases of the same person in this store.
    fn check_duplicates(&mut self) {
        let today = self.today();
        let lang = self.lang;
        let Some(i) = &mut self.intake else {
            return;
        };
        if i.duplicate.as_ref().is_some_and(|(n, _)| *n == i.form.id_number) {
            return;
        }
        let found = match i.form.id_check(today) {
            Ok(id) => match self.store.cases_of_person(&id) {
                Ok(cases) if !cases.is_empty() => {
                    let latest = cases.iter().max_by_key(|c| c.received_at);
                    latest.map(|c| {
                        let what =
                            format!("{} {} {}", c.day(), strings::kind(c.kind, lang), strings::state(c.state, lang));
                        strings::duplicate_banner(cases.len(), &what, lang)
                    })
                }
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!("duplicate check failed: {e}");
                    None
                }
            },
            Err(_) => None,
        };
        i.duplicate = Some((i.form.id_number.clone(), found));
    }

    /// The live entitlement and duplicate judgement of the window's policy.
    fn assess(&mut self) {
        let today = self.today();
        let lang = self.lang;
        let Some(i) = &mut self.intake else {
            return;
        };
        i.assessed = match i.form.to_input(today, lang) {
            Ok(input) => match Window::new(&self.store, &self.counter).assess(&input, today) {
                Ok(a) => Some(Assessed {
                    entitlement: strings::entitlement(&a.entitlement, lang),
                    duplicates: (!a.duplicates.possible_duplicates.is_empty()).then(|| {
                        strings::policy_duplicates(a.duplicates.possible_duplicates.len(), a.duplicates.blocks, lang)
                    }),
                }),
                Err(e) => {
                    tracing::warn!("cannot assess the form: {e}");
                    None
                }
            },
            Err(_) => None,
        };
    }

    fn move_focus(&mut self, step: isize) {
        let Some(i) = &mut self.intake else {
            return;
        };
        let fields = i.form.fields();
        let at = fields.iter().position(|f| *f == i.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        i.focus = fields[((at + step).rem_euclid(n)) as usize];
        i.cursor = i.form.text(i.focus).map(input::end).unwrap_or(0);
    }

    fn save(&mut self) {
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
        let window = Window::new(&self.store, &self.counter);
        match window.accept(input, &self.operator, self.now) {
            Ok(case) => {
                tracing::info!(case = %case.id, "accepted");
                self.intake = None;
                self.draft.save(None);
                self.screen = Screen::Queue;
                self.refresh_queue();
                self.select_case(&case.id);
                let text = strings::accepted(case.id.as_str(), lang);
                self.info(text);
                self.events.push(CounterEvent::Accepted(Box::new(case)));
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
        let today = self.today();
        let probe = match a {
            Step::Refer => Transition::Refer { department: case.kind.usual_department(), due_by: today },
            Step::Review => Transition::Review { note: None },
            Step::Approve => Transition::Approve { amount: None },
            Step::Reject => Transition::Reject { reason: String::new() },
            Step::Disburse => Transition::Disburse,
            Step::Complete => Transition::Complete,
            Step::Withdraw => Transition::Withdraw { note: None },
        };
        let mut trial = case.clone();
        if let Err(e) = trial.apply(&probe, &self.operator, self.now) {
            let text = strings::transition_error(&e, self.lang);
            self.error(text);
            return;
        }
        self.popup = Some(match a {
            Step::Refer => {
                let usual = case.kind.usual_department();
                Popup::ChooseDepartment { id, selected: Department::ALL.iter().position(|d| *d == usual).unwrap_or(0) }
            }
            Step::Review => {
                Popup::Input { purpose: InputPurpose::ReviewNote, id, text: String::new(), cursor: 0, error: None }
            }
            Step::Approve => {
                let amount = case.entitlement.as_ref().map(|e| e.amount).unwrap_or(case.requested_amount).to_string();
                Popup::Input {
                    purpose: InputPurpose::ApproveAmount,
                    id,
                    cursor: input::end(&amount),
                    text: amount,
                    error: None,
                }
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
        let window = Window::new(&self.store, &self.counter);
        let from_fund = *action == CaseAction::Disburse
            && self.detail.as_ref().is_some_and(|d| &d.case.id == id && crate::window::paid_from_fund(&d.case));
        let result = if from_fund {
            // A reserve-fund case is paid from the fund: ledger and case in one transaction.
            window.fund_disburse(id, None, &self.operator, self.now).map(|(case, fund)| {
                self.fund_balance = Some(fund.balance());
                case
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
                self.events.push(CounterEvent::Acted { case: Box::new(case), action: action.clone() });
            }
            Err(e) => {
                tracing::warn!("step refused or failed: {e}");
                let text = window_error(&e, lang);
                self.error(text);
            }
        }
    }

    // ---- popups --------------------------------------------------------

    fn popup_key(&mut self, key: &KeyEvent, k: Key) {
        let takes_text = matches!(self.popup, Some(Popup::Input { .. }));
        if takes_text {
            if let Some(c) = typed(key) {
                if let Some(Popup::Input { purpose, text, cursor, error, .. }) = &mut self.popup {
                    let ok = match purpose {
                        InputPurpose::ApproveAmount => c.is_ascii_digit() || c == '.',
                        InputPurpose::RejectReason | InputPurpose::ReviewNote => {
                            text.chars().count() < crate::domain::case::MAX_TEXT_CHARS
                        }
                    };
                    if ok {
                        input::insert(text, cursor, c);
                        *error = None;
                    }
                }
                return;
            }
        }
        let Some(a) = self.keymap.action(Section::Popup, k) else {
            return;
        };
        match a {
            Action::Confirm => self.popup_confirm(),
            Action::Cancel | Action::Back => self.popup_cancel(),
            Action::Up | Action::Down | Action::Left | Action::Right => {
                let step = if matches!(a, Action::Up | Action::Left) { -1 } else { 1 };
                match &mut self.popup {
                    Some(Popup::ChooseDepartment { selected, .. }) => {
                        let n = Department::ALL.len() as isize;
                        *selected = ((*selected as isize + step).rem_euclid(n)) as usize;
                    }
                    Some(Popup::Input { text, cursor, .. }) => {
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
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last
            | Action::Toggle
            | Action::Refer
            | Action::Review
            | Action::Approve
            | Action::Reject
            | Action::Disburse
            | Action::Complete
            | Action::Withdraw => {}
        }
    }

    fn popup_edit(&mut self, e: Edit) {
        if let Some(Popup::Input { text, cursor, .. }) = &mut self.popup {
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
            Popup::Input { purpose, id, text, cursor, .. } => {
                let reopen = |error: String| Popup::Input {
                    purpose,
                    id: id.clone(),
                    text: text.clone(),
                    cursor,
                    error: Some(error),
                };
                match purpose {
                    InputPurpose::ApproveAmount => match text.trim().parse::<Money>() {
                        Ok(amount) => {
                            self.popup = Some(Popup::Confirm(Pending::Act {
                                id: id.clone(),
                                action: CaseAction::Approve(Some(amount)),
                            }))
                        }
                        Err(e) => self.popup = Some(reopen(strings::money_error(&e, lang))),
                    },
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

/// A step on a case the detail screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Refer,
    Review,
    Approve,
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

/// A window refusal or failure in the clerk's language where it is recognised.
pub fn window_error(e: &WindowError, lang: Lang) -> String {
    match e {
        WindowError::Input(e) => strings::input_error(e, lang),
        WindowError::Transition(e) => strings::transition_error(e, lang),
        WindowError::Duplicate(e) => strings::duplicate_refusal(e, lang),
        WindowError::Fund(e) => strings::fund_error(e, lang),
        WindowError::Refused(why) => strings::policy_refusal(why, lang),
        WindowError::Store(e) if e.is_refusal() => e.to_string(),
        WindowError::Store(e) => strings::failed(e, lang),
    }
}

/// The word for a step, as in "approved", for messages and confirmations.
pub fn action_verb(a: &CaseAction, lang: Lang) -> &'static str {
    let key = match a {
        CaseAction::Refer(_) => "refer",
        CaseAction::Review(_) => "review",
        CaseAction::Approve(_) | CaseAction::ApproveAsSupervisor(_) => "approve",
        CaseAction::Reject(_) => "reject",
        CaseAction::Disburse => "disburse",
        CaseAction::Complete => "complete",
        CaseAction::Withdraw(_) => "withdraw",
    };
    strings::key_desc(key, lang).unwrap_or(key)
}

/// Is a case past its promised date and still open?
pub fn overdue(due_by: Option<NaiveDate>, state: State, today: NaiveDate) -> bool {
    state.is_open() && due_by.is_some_and(|d| d < today)
}

//! Shared helpers for the counter's screen tests: a temporary store seeded with
//! a few known cases, a fixed clock, synthetic keys and a TestBackend.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use chrono::DateTime;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use onedoor::config::CounterConfig;
use onedoor::domain::policy::PolicyBook;
use onedoor::domain::time::Moment;
use onedoor::domain::CaseInput;
use onedoor::store::{Store, StoreOptions};
use onedoor::ui::{Clock, Counter, Keymap, Msg, Outcome, Setup, Theme};
use onedoor::window::{CaseAction, Window};
use onedoor::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub const NOW: &str = "2026-11-30T09:00:00+08:00";

pub fn now() -> Moment {
    DateTime::parse_from_rfc3339(NOW).unwrap()
}

pub fn at(time: &str) -> Moment {
    DateTime::parse_from_rfc3339(&format!("2026-11-30T{time}+08:00")).unwrap()
}

pub fn input(name: &str, id: &str, kind: &str, amount: &str, green: bool, ticket: u32) -> CaseInput {
    let channel = if green { "green" } else { "normal" };
    serde_json::from_str(&format!(
        r#"{{"kind":"{kind}","channel":"{channel}","applicant":{{"name":"{name}","id_number":"{id}","residence":"urban","phone":"13800000000"}},
            "household":{{"size":3,"monthly_income":"600.00"}},"reason":"serious_illness","description":"住院治疗，费用负担重",
            "requested_amount":"{amount}","documents":["id_card"],"ticket":{ticket}}}"#
    ))
    .unwrap()
}

/// Five cases received this morning, in five states, two on the green channel.
pub fn seed(store: &Store, counter: &CounterConfig) {
    let w = Window::new(store, counter);
    let op = "clerk01";
    let budget = onedoor::domain::fund::FundEntry::appropriation(
        at("08:00:00"),
        "supervisor",
        onedoor::domain::Money::yuan(500_000),
    );
    w.fund_deposit(budget).unwrap();
    let cases = [
        ("王芳", "11010519491231002X", "temporary", "5000", false, "08:31:00"),
        ("李明", "32010619850615351X", "medical", "10000", true, "08:37:00"),
        ("张秀英", "110101199003070011", "dibao", "800", false, "08:42:00"),
        ("刘强", "11010119900307002X", "education", "3000", false, "08:48:00"),
        ("陈静", "510108199001014568", "housing", "2000", false, "08:55:00"),
    ];
    let mut ids = Vec::new();
    for (i, (name, id, kind, amount, green, time)) in cases.iter().enumerate() {
        let ticket = store.next_ticket(now().date_naive()).unwrap();
        assert_eq!(ticket, i as u32 + 1);
        let c = w.accept(input(name, id, kind, amount, *green, ticket), op, at(time)).unwrap();
        ids.push(c.id);
    }
    let t = at("08:58:00");
    w.act(&ids[1], &CaseAction::ApproveAsSupervisor(None), op, t).unwrap();
    w.act(&ids[2], &CaseAction::Refer(Some(onedoor::domain::Department::CivilAffairs)), op, t).unwrap();
    for a in [
        CaseAction::Refer(Some(onedoor::domain::Department::Education)),
        CaseAction::Review(Some("入户核查属实".into())),
        CaseAction::ApproveAsSupervisor(None),
        CaseAction::Disburse,
        CaseAction::Complete,
    ] {
        w.act(&ids[3], &a, op, t).unwrap();
    }
    w.act(&ids[4], &CaseAction::Withdraw(None), op, t).unwrap();
}

pub struct Harness {
    pub store: Arc<Store>,
    pub counter: Counter,
    pub terminal: Terminal<TestBackend>,
    pub lang: Lang,
    /// Last: removed only after the counter has written its last draft into it.
    pub dir: tempfile::TempDir,
}

pub fn counter_config() -> CounterConfig {
    CounterConfig::default()
}

pub fn open_counter(store: Arc<Store>, dir: &Path, lang: Lang) -> Counter {
    open_counter_with(store, dir, lang, onedoor::window::builtin_policies().clone())
}

pub fn open_counter_with(store: Arc<Store>, dir: &Path, lang: Lang, policies: PolicyBook) -> Counter {
    open_counter_configured(store, dir, lang, policies, counter_config())
}

pub fn open_counter_configured(
    store: Arc<Store>,
    dir: &Path,
    lang: Lang,
    policies: PolicyBook,
    counter: CounterConfig,
) -> Counter {
    let mut c = open_counter_at_gate(store, dir, lang, policies, counter);
    // A store without operators (the seeded one): the counter works as
    // clerk01, as an office that has not made operators yet. A store with
    // operators opens on the sign-in screen (see `Harness::sign_in`).
    c.work_without_operators();
    c
}

/// The counter as it opens: on the sign-in screen, or on a store without
/// operators the first supervisor's creation.
pub fn open_counter_at_gate(
    store: Arc<Store>,
    dir: &Path,
    lang: Lang,
    policies: PolicyBook,
    counter: CounterConfig,
) -> Counter {
    Counter::new(Setup {
        store,
        counter,
        operator: "clerk01".into(),
        lang,
        keymap: Keymap::load("default").unwrap(),
        theme: Theme::mono(),
        clock: Clock::Fixed(now()),
        data_dir: dir.to_path_buf(),
        policies: Arc::new(policies),
    })
}

/// The office's operators in the tests: a supervisor and two clerks, with their PINs.
pub const HEAD: (&str, &str) = ("head01", "482913");
pub const CLERK: (&str, &str) = ("clerk01", "739164");
pub const CLERK2: (&str, &str) = ("clerk02", "615283");

/// Adds head01 (the first supervisor), clerk01 and clerk02.
pub fn add_operators(store: &Store) {
    use onedoor::domain::operator::Role;
    let config = counter_config();
    let w = Window::new(store, &config);
    let head = w.add_operator(None, HEAD.0, Role::Supervisor, HEAD.1, at("07:50:00")).unwrap();
    for (name, pin) in [CLERK, CLERK2] {
        w.add_operator(Some(&head), name, Role::Clerk, pin, at("07:51:00")).unwrap();
    }
}

impl Harness {
    /// A counter on a fresh store; `seeded` adds the five known cases.
    pub fn new(lang: Lang, seeded: bool) -> Harness {
        Harness::sized(lang, seeded, 80, 24)
    }

    pub fn sized(lang: Lang, seeded: bool, w: u16, h: u16) -> Harness {
        Harness::build(lang, seeded, w, h, onedoor::window::builtin_policies().clone(), |_| {})
    }

    /// A counter with its own `[counter]` settings (who the supervisors are…).
    pub fn configured(lang: Lang, seeded: bool, policies: PolicyBook, config: CounterConfig) -> Harness {
        Harness::build_with(lang, seeded, 80, 24, policies, config, |_| {})
    }

    /// A counter judging by `policies` instead of the built-in book.
    pub fn with_policies(lang: Lang, seeded: bool, policies: PolicyBook) -> Harness {
        Harness::build(lang, seeded, 80, 24, policies, |_| {})
    }

    /// A counter on a store prepared by `prepare` (after the seed) before the counter opens.
    pub fn prepared(lang: Lang, seeded: bool, prepare: impl FnOnce(&Store)) -> Harness {
        Harness::build(lang, seeded, 80, 24, onedoor::window::builtin_policies().clone(), prepare)
    }

    fn build(lang: Lang, seeded: bool, w: u16, h: u16, policies: PolicyBook, prepare: impl FnOnce(&Store)) -> Harness {
        Harness::build_with(lang, seeded, w, h, policies, counter_config(), prepare)
    }

    fn build_with(
        lang: Lang,
        seeded: bool,
        w: u16,
        h: u16,
        policies: PolicyBook,
        config: CounterConfig,
        prepare: impl FnOnce(&Store),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("store"), &StoreOptions::default()).unwrap());
        if seeded {
            seed(&store, &counter_config());
        }
        prepare(&store);
        let counter = open_counter_configured(Arc::clone(&store), dir.path(), lang, policies, config);
        let terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        Harness { dir, store, counter, terminal, lang }
    }

    /// A seeded office with operators (`add_operators`): the counter opens on the sign-in screen.
    pub fn with_operators(lang: Lang) -> Harness {
        Harness::prepared(lang, true, add_operators)
    }

    /// A fresh store of an office that never started the counter: it opens
    /// on the first supervisor's creation.
    pub fn first_start(lang: Lang) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("store"), &StoreOptions::default()).unwrap());
        let policies = onedoor::window::builtin_policies().clone();
        let counter = open_counter_at_gate(Arc::clone(&store), dir.path(), lang, policies, counter_config());
        let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        Harness { dir, store, counter, terminal, lang }
    }

    /// Signs in at the gate: the name typed over the one pre-filled, the PIN, Enter.
    pub fn sign_in(&mut self, name: &str, pin: &str) {
        let filled = self.counter.app().gate().expect("the gate is up").name().to_string();
        if filled != name {
            if !filled.is_empty() {
                // A pre-filled name puts the cursor in the PIN: back to the name.
                self.press(KeyCode::BackTab);
            }
            self.press(KeyCode::End);
            for _ in filled.chars() {
                self.press(KeyCode::Backspace);
            }
            self.type_text(name);
            self.press(KeyCode::Tab);
        }
        self.type_text(pin);
        self.press(KeyCode::Enter);
    }

    /// The refusal shown on the gate ("" when there is none).
    pub fn gate_error(&self) -> String {
        self.counter.app().gate().and_then(|g| g.error.clone()).unwrap_or_default()
    }

    /// Moves the counter's clock to `time` today and ticks.
    pub fn tick_at(&mut self, time: &str) {
        self.counter.set_clock(Clock::Fixed(at(time)));
        self.send(Msg::Tick);
    }

    pub fn press(&mut self, code: KeyCode) -> Outcome {
        self.press_mod(code, KeyModifiers::NONE)
    }

    pub fn press_mod(&mut self, code: KeyCode, mods: KeyModifiers) -> Outcome {
        self.counter.handle_event(Event::Key(KeyEvent::new(code, mods)))
    }

    pub fn ctrl(&mut self, c: char) -> Outcome {
        self.press_mod(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    pub fn tab(&mut self, n: usize) {
        for _ in 0..n {
            self.press(KeyCode::Tab);
        }
    }

    pub fn send(&mut self, msg: Msg) -> Outcome {
        self.counter.update(msg)
    }

    /// Draws and returns the screen as text (the insta snapshot form). The
    /// whole screen is drawn each time, as a terminal shows it: TestBackend
    /// would otherwise keep a stale character under the right half of a
    /// Chinese character drawn where narrower text was.
    pub fn screen(&mut self) -> String {
        self.terminal.clear().unwrap();
        let counter = &mut self.counter;
        self.terminal.draw(|f| counter.render(f, f.area())).unwrap();
        self.terminal.backend().to_string()
    }

    pub fn cursor(&mut self) -> (u16, u16) {
        self.screen();
        let p = self.terminal.get_cursor_position().unwrap();
        (p.x, p.y)
    }

    /// Opens the `n`-th row of the queue (held tickets first, then today's cases).
    pub fn open_case(&mut self, n: usize) {
        self.press(KeyCode::Home);
        for _ in 0..n {
            self.press(KeyCode::Down);
        }
        self.press(KeyCode::Enter);
        assert_eq!(self.counter.app().screen(), onedoor::ui::Screen::Detail);
    }

    /// The id of the case open in the detail.
    pub fn detail_id(&self) -> onedoor::domain::CaseId {
        self.counter.app().detail().expect("a case is open").case.id.clone()
    }

    /// The refusal shown in the open value popup ("" when there is none).
    pub fn prompt_error(&self) -> String {
        match self.counter.app().popup() {
            Some(onedoor::ui::Popup::Prompt(p)) => p.error.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The message line's text ("" when there is none).
    pub fn message(&self) -> String {
        self.counter.app().message().map(|m| m.text.clone()).unwrap_or_default()
    }

    /// From the detail: refer to the policy's department, then record the review.
    pub fn refer_and_review(&mut self) {
        for key in ['r', 'v'] {
            self.press(KeyCode::Char(key));
            self.press(KeyCode::Enter);
        }
    }

    /// From the detail: the step on `key` with `amount` typed over the one offered.
    pub fn step_with_amount(&mut self, key: char, amount: &str) {
        self.press(KeyCode::Char(key));
        self.press(KeyCode::End);
        for _ in 0..10 {
            self.press(KeyCode::Backspace);
        }
        self.type_text(amount);
        self.press(KeyCode::Enter);
    }

    pub fn lang_tag(&self) -> &'static str {
        match self.lang {
            Lang::ZhCn => "zh",
            Lang::En => "en",
        }
    }
}

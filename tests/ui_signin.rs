//! Who is at the counter: the sign-in screen and its refusals, the lockout
//! after five wrong PINs, the first supervisor made at the first start, the
//! idle lock that hides every case and keeps the form, the sign-out, and
//! every change recorded under whoever signed in (never `--operator`).

mod ui_common;

use crossterm::event::KeyCode;
use onedoor::domain::operator::Role;
use onedoor::ui::Screen;
use onedoor::Lang;
use ui_common::*;

/// What the seeded cases hold that nobody may read on a locked counter.
const PERSONAL: &[&str] = &[
    "王芳",
    "李明",
    "张秀英",
    "刘强",
    "陈静",
    "11010519491231002X",
    "32010619850615351X",
    "110101199003070011",
    "11010119900307002X",
    "510108199001014568",
    "1101",
    "3201",
    "5101",
    "5000",
    "10000",
    "3000",
    "2000",
    "800",
    "500000",
    "赵六",
];

fn assert_nothing_personal(screen: &str) {
    for p in PERSONAL {
        assert!(!screen.contains(p), "the locked screen shows '{p}':\n{screen}");
    }
}

#[test]
fn the_counter_opens_on_the_sign_in_screen_and_says_why_a_sign_in_is_refused() {
    let mut h = Harness::prepared(Lang::En, true, |store| {
        add_operators(store);
        let config = counter_config();
        let w = onedoor::window::Window::new(store, &config);
        let head = store.operator(HEAD.0).unwrap().unwrap();
        w.disable_operator(&head, CLERK2.0, at("07:55:00")).unwrap();
    });
    let screen = h.screen();
    assert!(screen.contains("Sign in"), "{screen}");
    assert_nothing_personal(&screen);
    assert!(h.counter.app().signed_in().is_none());
    // The config's operator (clerk01) only pre-fills the name.
    assert_eq!(h.counter.app().gate().unwrap().name(), "clerk01");
    // Keys of the queue do nothing behind the gate.
    h.press(KeyCode::F(5));
    assert!(h.counter.app().gate().is_some());
    assert!(h.counter.app().intake().is_none());

    h.sign_in("nobody", "739164");
    assert_eq!(h.gate_error(), "there is no operator nobody");
    h.sign_in(CLERK2.0, CLERK2.1);
    assert_eq!(h.gate_error(), "operator clerk02 is disabled");
    h.sign_in(CLERK.0, "111222");
    assert_eq!(h.gate_error(), "wrong PIN: 4 more tries before a lockout");
    // The PIN is drawn as stars, never as digits.
    h.type_text("73916");
    let screen = h.screen();
    assert!(screen.contains("*****") && !screen.contains("73916"), "{screen}");
    h.press(KeyCode::Char('4'));
    h.press(KeyCode::Enter);
    assert!(h.counter.app().gate().is_none(), "{}", h.gate_error());
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "clerk01");
    assert_eq!(h.counter.app().screen(), Screen::Queue);
    assert!(h.screen().contains("王芳"));
    // A right PIN forgets the wrong one.
    assert_eq!(h.store.operator(CLERK.0).unwrap().unwrap().failures, 0);
}

#[test]
fn five_wrong_pins_at_the_sign_in_screen_lock_the_operator_out_and_are_audited() {
    let mut h = Harness::with_operators(Lang::En);
    for left in (1..5).rev() {
        h.sign_in(CLERK.0, "111222");
        assert_eq!(h.gate_error(), format!("wrong PIN: {left} more tries before a lockout"));
    }
    h.sign_in(CLERK.0, "111222");
    assert_eq!(
        h.gate_error(),
        "too many wrong PINs: clerk01 is locked out until 09:01; a supervisor can reset the PIN"
    );
    // Even the right PIN is refused while the lockout lasts.
    h.sign_in(CLERK.0, CLERK.1);
    assert!(h.gate_error().contains("locked out until 09:01"), "{}", h.gate_error());
    assert!(h.counter.app().signed_in().is_none());
    let op = h.store.operator(CLERK.0).unwrap().unwrap();
    assert!(op.locked_until.is_some());
    let log = h.store.audit_log(&Default::default()).unwrap();
    let actions: Vec<String> = log.iter().map(|e| format!("{:?}", e.action)).collect();
    assert_eq!(actions.iter().filter(|a| *a == "SignInFailed").count(), 4, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "LockedOut").count(), 1, "{actions:?}");
    // After the lockout, the right PIN signs in.
    h.tick_at("09:01:30");
    h.sign_in(CLERK.0, CLERK.1);
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "clerk01", "{}", h.gate_error());
}

#[test]
fn every_change_at_the_counter_is_recorded_under_whoever_signed_in_not_the_configured_operator() {
    // The counter was started as clerk01 (the config's operator, or --operator): clerk02 signs in.
    let mut h = Harness::with_operators(Lang::En);
    h.sign_in(CLERK2.0, CLERK2.1);
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "clerk02", "{}", h.gate_error());
    h.open_case(0);
    let id = h.detail_id();
    h.press(KeyCode::Char('r'));
    h.press(KeyCode::Enter);
    let case = h.store.case(&id).unwrap().unwrap();
    let last = case.history.last().unwrap();
    assert_eq!(last.by, "clerk02", "{:?}", case.history);
    // A new case too.
    h.press(KeyCode::Esc);
    h.press(KeyCode::F(5));
    assert_eq!(h.counter.app().intake().unwrap().form.ticket, Some(6));
}

#[test]
fn the_counter_locks_when_idle_hides_every_case_and_keeps_the_form() {
    let mut h = Harness::with_operators(Lang::ZhCn);
    h.sign_in(CLERK.0, CLERK.1);
    h.press(KeyCode::F(2));
    h.tab(1);
    h.type_text("赵六");
    let before = h.counter.app().intake().unwrap().form.clone();
    assert!(h.screen().contains("赵六"));
    // Four minutes without a key: still open.
    h.tick_at("09:04:59");
    assert!(h.counter.app().gate().is_none());
    h.tick_at("09:05:00");
    assert!(h.counter.app().gate().is_some(), "five idle minutes lock the counter");
    let screen = h.screen();
    assert!(screen.contains("已锁定"), "{screen}");
    assert_nothing_personal(&screen);
    // A wrong PIN at the lock counts toward the lockout.
    h.sign_in(CLERK.0, "111222");
    assert_eq!(h.store.operator(CLERK.0).unwrap().unwrap().failures, 1);
    assert!(h.counter.app().gate().is_some());
    assert_nothing_personal(&h.screen());
    // The same clerk's PIN: the form as it was, where it was.
    h.sign_in(CLERK.0, CLERK.1);
    assert!(h.counter.app().gate().is_none(), "{}", h.gate_error());
    assert_eq!(h.counter.app().screen(), Screen::Intake);
    let after = &h.counter.app().intake().unwrap().form;
    assert_eq!(after.name, before.name);
    assert_eq!(after.draft, before.draft);
    h.type_text("明");
    assert_eq!(h.counter.app().intake().unwrap().form.name, "赵六明");
}

#[test]
fn a_key_keeps_the_counter_open_and_zero_minutes_never_locks() {
    let mut h = Harness::with_operators(Lang::En);
    h.sign_in(CLERK.0, CLERK.1);
    h.tick_at("09:04:00");
    h.press(KeyCode::Down);
    h.tick_at("09:08:59");
    assert!(h.counter.app().gate().is_none(), "the idle time counts from the last key");
    h.tick_at("09:09:00");
    assert!(h.counter.app().gate().is_some());

    let mut h = Harness::with_operators(Lang::En);
    let config = onedoor::config::CounterConfig { idle_lock_minutes: 0, ..counter_config() };
    let policies = onedoor::window::builtin_policies().clone();
    h.counter = open_counter_at_gate(std::sync::Arc::clone(&h.store), h.dir.path(), Lang::En, policies, config);
    h.sign_in(CLERK.0, CLERK.1);
    h.tick_at("17:00:00");
    assert!(h.counter.app().gate().is_none(), "idle_lock_minutes = 0 never locks");
}

#[test]
fn another_operator_at_the_lock_finds_a_clean_counter_and_the_form_waits_for_its_owner() {
    let mut h = Harness::with_operators(Lang::En);
    h.sign_in(CLERK.0, CLERK.1);
    h.press(KeyCode::F(2));
    h.tab(1);
    h.type_text("赵六");
    let draft = h.counter.app().intake().unwrap().form.draft.clone();
    h.tick_at("09:06:00");
    assert!(h.counter.app().gate().is_some());
    h.sign_in(CLERK2.0, CLERK2.1);
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "clerk02");
    assert!(h.counter.app().intake().is_none(), "clerk02 does not get clerk01's form");
    assert_eq!(h.counter.app().screen(), Screen::Queue);
    assert!(!h.screen().contains("赵六"));
    assert_eq!(h.counter.app().parked().len(), 1);
    assert!(h.message().contains("a form is kept for clerk01"), "{}", h.message());
    // clerk02 signs out; clerk01 comes back to the form.
    h.press(KeyCode::F(12));
    let screen = h.screen();
    assert!(screen.contains("Signed out"), "{screen}");
    assert_nothing_personal(&screen);
    h.sign_in(CLERK.0, CLERK.1);
    let app = h.counter.app();
    assert_eq!(app.screen(), Screen::Intake);
    assert_eq!(app.intake().unwrap().form.name, "赵六");
    assert_eq!(app.intake().unwrap().form.draft, draft);
    assert!(app.parked().is_empty());
}

#[test]
fn the_first_start_creates_the_first_supervisor_on_the_screen() {
    let mut h = Harness::first_start(Lang::En);
    let screen = h.screen();
    assert!(screen.contains("The first supervisor"), "{screen}");
    h.type_text("head01");
    h.press(KeyCode::Tab);
    h.type_text("482913");
    h.press(KeyCode::Tab);
    h.type_text("482914");
    h.press(KeyCode::Enter);
    assert_eq!(h.gate_error(), "the two PINs differ: type the same PIN twice");
    assert!(!h.store.has_operators());
    // A PIN guessed first is refused by the window's own rule.
    h.type_text("123456");
    h.press(KeyCode::Tab);
    h.type_text("123456");
    h.press(KeyCode::Enter);
    assert!(h.gate_error().contains("guessed first"), "{}", h.gate_error());
    assert!(!h.store.has_operators());
    h.type_text("482913");
    h.press(KeyCode::Tab);
    h.type_text("482913");
    h.press(KeyCode::Enter);
    assert!(h.counter.app().gate().is_none(), "{}", h.gate_error());
    let op = h.store.operator("head01").unwrap().unwrap();
    assert_eq!(op.role, Role::Supervisor);
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "head01");
    assert!(onedoor::auth::verify_pin("482913", &op.pin_hash).unwrap());
    // From now on the counter opens on the sign-in screen.
    let again = open_counter_at_gate(
        std::sync::Arc::clone(&h.store),
        h.dir.path(),
        Lang::En,
        onedoor::window::builtin_policies().clone(),
        counter_config(),
    );
    assert_eq!(again.app().gate().unwrap().gate, onedoor::ui::screens::signin::Gate::SignIn);
}

#[test]
fn an_office_without_operators_yet_presses_esc_and_works_as_the_configured_operator() {
    let mut h = Harness::first_start(Lang::En);
    h.press(KeyCode::Esc);
    assert!(h.counter.app().gate().is_none());
    assert!(h.counter.app().signed_in().is_none());
    assert_eq!(h.message(), "working without operators: changes are recorded as clerk01");
    // Without operators there is no PIN to ask: the counter does not lock.
    h.tick_at("10:00:00");
    assert!(h.counter.app().gate().is_none());
}

#[test]
fn snapshots_of_the_sign_in_and_lock_screens() {
    for lang in [Lang::ZhCn, Lang::En] {
        let mut h = Harness::with_operators(lang);
        let tag = h.lang_tag();
        h.type_text("73");
        insta::assert_snapshot!(format!("sign_in_{tag}"), h.screen());
        h.press(KeyCode::Backspace);
        h.press(KeyCode::Backspace);
        h.sign_in(CLERK.0, CLERK.1);
        h.open_case(1);
        h.tick_at("09:05:00");
        h.type_text("1");
        insta::assert_snapshot!(format!("lock_{tag}"), h.screen());
        let mut h = Harness::first_start(lang);
        insta::assert_snapshot!(format!("first_supervisor_{tag}"), h.screen());
    }
}

#[test]
fn the_draft_with_a_full_id_number_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mut h = Harness::new(Lang::En, false);
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    h.counter.sync_draft();
    let path = h.dir.path().join("draft.json");
    let draft = std::fs::read_to_string(&path).unwrap();
    assert!(draft.contains("11010519491231002X"), "{draft}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the draft is mode {mode:o}");
    // Held tickets hold forms too.
    h.press(KeyCode::F(4));
    let held = h.dir.path().join("held.json");
    assert_eq!(std::fs::metadata(&held).unwrap().permissions().mode() & 0o777, 0o600);
}

/// The receipt printed at the counter names the operator signed in, not
/// the one the counter was started as.
#[test]
fn a_receipt_names_the_operator_signed_in() {
    use onedoor::config::{Config, Paths};
    use onedoor::ui::{wiring, Popup};
    let mut h = Harness::with_operators(Lang::ZhCn);
    h.sign_in(CLERK2.0, CLERK2.1);
    let mut config = Config::default();
    config.devices.printer = "none".into();
    let session = onedoor::session::Session::from_parts(
        config,
        Paths { config: None, data: h.dir.path().to_path_buf() },
        "clerk01".into(),
        now(),
        onedoor::domain::policy::PolicyBook::builtin(),
        Lang::ZhCn,
    );
    let (tx, rx) = std::sync::mpsc::channel();
    wiring::connect(&mut h.counter, &session, &tx).unwrap();
    h.open_case(0);
    h.press(KeyCode::Char('p'));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !matches!(h.counter.app().popup(), Some(Popup::Receipt { .. })) {
        assert!(std::time::Instant::now() < deadline, "no receipt on screen:\n{}", h.screen());
        if let Ok(m) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            h.send(m);
        }
    }
    let Some(Popup::Receipt { lines, .. }) = h.counter.app().popup() else { unreachable!() };
    assert!(lines.iter().any(|l| l.contains("受理人：clerk02")), "{lines:?}");
}

/// The form kept for its owner is on disk (0600), not only in memory: it
/// survives the counter closing, and comes back when the owner signs in.
#[test]
fn a_form_kept_for_its_owner_survives_a_restart() {
    use std::os::unix::fs::PermissionsExt;
    let mut h = Harness::with_operators(Lang::En);
    h.sign_in(CLERK.0, CLERK.1);
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    h.tab(1);
    h.type_text("赵六");
    h.press(KeyCode::F(12));
    h.sign_in(CLERK2.0, CLERK2.1);
    assert!(h.counter.app().intake().is_none());
    h.counter.sync_draft();
    let parked = h.dir.path().join("parked.json");
    assert_eq!(std::fs::metadata(&parked).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(!h.dir.path().join("draft.json").exists(), "the draft file is the next operator's form");
    h.ctrl('q');

    let policies = onedoor::window::builtin_policies().clone();
    h.counter =
        open_counter_at_gate(std::sync::Arc::clone(&h.store), h.dir.path(), Lang::En, policies, counter_config());
    assert!(h.counter.app().popup().is_none(), "nothing is offered to whoever signs in first");
    h.sign_in(CLERK2.0, CLERK2.1);
    assert!(h.counter.app().intake().is_none(), "not clerk02's form");
    h.press(KeyCode::F(12));
    h.sign_in(CLERK.0, CLERK.1);
    let intake = h.counter.app().intake().expect("clerk01's form is back");
    assert_eq!((intake.form.name.as_str(), intake.form.id_number.as_str()), ("赵六", "11010519491231002X"));
    assert!(!parked.exists(), "given back, it is no longer kept");
}

/// An operator a supervisor disables while they are signed in loses the
/// counter at the next tick; the screen says why and their PIN no longer opens it.
#[test]
fn an_operator_disabled_while_signed_in_is_signed_out() {
    let mut h = Harness::with_operators(Lang::En);
    h.sign_in(CLERK.0, CLERK.1);
    h.send(onedoor::ui::Msg::Tick);
    assert!(h.counter.app().gate().is_none());
    let head = h.store.operator(HEAD.0).unwrap().unwrap();
    let config = counter_config();
    onedoor::window::Window::new(&h.store, &config).disable_operator(&head, CLERK.0, at("09:00:30")).unwrap();
    h.send(onedoor::ui::Msg::Tick);
    assert!(h.counter.app().gate().is_some(), "still signed in after being disabled");
    assert_eq!(h.gate_error(), "operator clerk01 is disabled");
    assert_nothing_personal(&h.screen());
    h.sign_in(CLERK.0, CLERK.1);
    assert!(h.counter.app().gate().is_some());
}

//! The supervisor's screen (F9), driven by keys: refused to a clerk with a
//! clear message, its figures as the seeded day has them, one key from an
//! approval waiting to that case's detail, its filters, and its three tabs
//! in both languages at 80x24 (and at 200x60).

mod common;
mod ui_common;

use crossterm::event::KeyCode;
use onedoor::config::CounterConfig;
use onedoor::ui::Screen;
use onedoor::window::{CaseAction, Window};
use onedoor::Lang;
use ui_common::*;

const LANGS: [Lang; 2] = [Lang::ZhCn, Lang::En];

/// A counter whose operator (clerk01) is a supervisor, or is not.
fn counter(lang: Lang, supervisor: bool, prepare: impl FnOnce(&onedoor::store::Store)) -> Harness {
    let who = if supervisor { "clerk01" } else { "head01" };
    let config = CounterConfig { supervisors: vec![who.into()], ..counter_config() };
    let mut h = Harness::configured(lang, true, onedoor::window::builtin_policies().clone(), config);
    prepare(&h.store);
    h.send(onedoor::ui::Msg::StoreChanged);
    h
}

/// 孙丽's disaster relief case (8000.00 asked, and entitled) referred and reviewed: its approval is above the clerk's limit.
fn reviewed(store: &onedoor::store::Store) {
    let config = counter_config();
    let window = Window::new(store, &config);
    let id = window
        .accept(input("孙丽", "110101198001010010", "disaster", "8000", false, 6), "clerk01", at("08:59:00"))
        .unwrap()
        .id;
    for step in [CaseAction::Refer(None), CaseAction::Review(None)] {
        window.act(&id, &step, "clerk01", at("08:59:00")).unwrap();
    }
}

#[test]
fn a_clerk_pressing_f9_is_told_it_is_for_supervisors_and_stays_on_the_queue() {
    for (lang, said) in [(Lang::ZhCn, "负责人页面仅限负责人使用"), (Lang::En, "is for supervisors only")] {
        let mut h = counter(lang, false, |_| {});
        h.press(KeyCode::F(9));
        assert_eq!(h.counter.app().screen(), Screen::Queue);
        let message = h.message();
        assert!(message.contains(said) && message.contains("clerk01"), "{message}");
        assert!(h.screen().contains(said));
    }
}

#[test]
fn the_figures_are_the_seeded_days() {
    let mut h = counter(Lang::En, true, |_| {});
    h.press(KeyCode::F(9));
    assert_eq!(h.counter.app().screen(), Screen::Supervisor);
    let s = h.screen();
    // clerk01 accepted the five cases; the fund took in its 500000.00 budget this morning.
    let clerk = s.lines().find(|l| l.starts_with("\" clerk01")).unwrap_or_default();
    assert!(clerk.contains(" 5 "), "{s}");
    assert!(s.contains("today in 500000.00, out 0.00 (1 entry)"), "{s}");
    // Figures: one temporary case asking 5000.00; five in all.
    h.press(KeyCode::Right);
    let s = h.screen();
    let temporary = s.lines().find(|l| l.contains("Temporary")).unwrap_or_default();
    assert!(temporary.contains("5000.00"), "{s}");
    let total = s.lines().find(|l| l.contains("Total")).unwrap_or_default();
    assert!(total.contains(" 5 ") && total.contains("20800.00"), "{total}");
    let f = &h.counter.app().supervisor().figures;
    assert_eq!(f.hours[8], 5, "all five arrived between 08:00 and 09:00");
}

#[test]
fn an_approval_waiting_for_a_supervisor_is_one_key_away() {
    let mut h = counter(Lang::ZhCn, true, reviewed);
    h.press(KeyCode::F(9));
    let approvals = &h.counter.app().supervisor().approvals;
    assert_eq!(approvals.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec!["孙丽"]);
    assert!(h.screen().contains("待负责人审批：1 件"), "{}", h.screen());
    h.press(KeyCode::Enter);
    assert_eq!(h.counter.app().screen(), Screen::Detail);
    assert_eq!(h.counter.app().detail().unwrap().case.applicant.name, "孙丽");
    // Back from the case: the supervisor's screen again.
    h.press(KeyCode::Esc);
    assert_eq!(h.counter.app().screen(), Screen::Supervisor);
    // Approved by the supervisor, it waits no more.
    let id = h.counter.app().supervisor().approvals[0].id.clone();
    let config = counter_config();
    Window::new(&h.store, &config).act(&id, &CaseAction::ApproveAsSupervisor(None), "clerk01", now()).unwrap();
    h.send(onedoor::ui::Msg::StoreChanged);
    assert!(h.counter.app().supervisor().approvals.is_empty());
    assert!(h.screen().contains("没有待负责人审批的案件"));
}

#[test]
fn the_cases_tab_filters_by_state_kind_clerk_and_channel() {
    let names = |h: &Harness| -> Vec<String> {
        h.counter.app().supervisor().rows.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
    };
    let mut h = counter(Lang::En, true, |store| {
        let config = counter_config();
        Window::new(store, &config)
            .accept(input("孙丽", "110101198001010010", "medical", "1000", true, 6), "clerk02", at("10:05:00"))
            .unwrap();
    });
    h.press(KeyCode::F(9));
    h.press(KeyCode::Char('n')); // channel: the first, normal
    assert_eq!(names(&h), ["王芳", "张秀英", "刘强", "陈静"]);
    assert!(h.screen().contains("[4 of 6]"), "{}", h.screen());
    h.press(KeyCode::Char('n')); // green
    assert_eq!(names(&h), ["李明", "孙丽"]);
    h.press(KeyCode::Char('c')); // clerk01's
    assert_eq!(names(&h), ["李明"]);
    h.press(KeyCode::Char('c')); // clerk02's
    assert_eq!(names(&h), ["孙丽"]);
    h.press(KeyCode::Char('n'));
    h.press(KeyCode::Char('c')); // all channels, all clerks
    h.press(KeyCode::Char('k')); // the first kind: Dibao
    assert_eq!(names(&h), ["张秀英"]);
    h.press(KeyCode::Char('k'));
    h.press(KeyCode::Char('s')); // the first state: received
    assert!(names(&h).is_empty(), "no case is both received and of the second kind");
    for _ in 0..7 {
        h.press(KeyCode::Char('k'));
    }
    assert_eq!(names(&h), ["王芳", "孙丽"], "received, every kind");
    // Enter opens the case shown.
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    assert_eq!(h.counter.app().detail().unwrap().case.applicant.name, "孙丽");
}

#[test]
fn snapshots_of_the_three_tabs_at_80x24_and_the_first_at_200x60() {
    for lang in LANGS {
        let mut h = counter(lang, true, reviewed);
        h.press(KeyCode::F(9));
        let tag = h.lang_tag();
        for tab in ["attention", "figures", "cases"] {
            insta::assert_snapshot!(format!("supervisor_{tab}_{tag}"), h.screen());
            h.press(KeyCode::Right);
        }
    }
    let config = CounterConfig { supervisors: vec!["clerk01".into()], ..counter_config() };
    let mut h = Harness::configured(Lang::ZhCn, true, onedoor::window::builtin_policies().clone(), config);
    h.terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    h.press(KeyCode::F(9));
    insta::assert_snapshot!("supervisor_attention_zh_200x60", h.screen());
    h.press(KeyCode::Right);
    insta::assert_snapshot!("supervisor_figures_zh_200x60", h.screen());
}

#[test]
fn the_average_service_time_runs_from_the_ticket_call_to_the_saved_case() {
    let mut h = counter(Lang::En, true, |_| {});
    // F5 records when the ticket was called.
    h.press(KeyCode::F(5));
    let calls = onedoor::ui::files::read_calls(h.dir.path(), now().date_naive());
    assert_eq!(calls.iter().map(|c| (c.ticket, c.by.as_str())).collect::<Vec<_>>(), [(6, "clerk01")]);
    h.press(KeyCode::Esc);
    // 王芳's ticket 1 called at 08:20, her case saved at 08:31; 李明's ticket 2 at 08:30, saved 08:37.
    for (ticket, time) in [(1, "08:20:00"), (2, "08:30:00")] {
        let call =
            onedoor::ui::files::TicketEvent { day: now().date_naive(), ticket, at: at(time), by: "clerk01".into() };
        onedoor::ui::files::record_call(h.dir.path(), &call).unwrap();
    }
    h.press(KeyCode::F(9));
    let s = h.screen();
    let clerk = s.lines().find(|l| l.starts_with("\" clerk01")).unwrap_or_default();
    assert!(clerk.contains("9 min (2 timed)"), "{s}");
}

#[test]
fn f1_on_the_supervisors_screen_lists_its_keys() {
    let mut h = counter(Lang::En, true, |_| {});
    h.press(KeyCode::F(9));
    h.press(KeyCode::F(1));
    let s = h.screen();
    assert!(s.contains("Keys - Supervisor"), "{s}");
    assert!(s.contains("filter by clerk") && s.contains("next tab"), "{s}");
    h.press(KeyCode::Esc);
    h.press(KeyCode::F(9));
    assert_eq!(h.counter.app().screen(), Screen::Queue, "F9 again goes back to the queue");
}

/// With operators in the store, the role of whoever signed in decides (not
/// the config's empty `supervisors` list, which without operators lets
/// everyone be one): clerk01 signed in is refused F9, head01 signed in at the
/// same counter after F12 gets the screen.
#[test]
fn with_operators_the_signed_in_role_decides_who_sees_the_supervisors_screen() {
    let mut h = Harness::with_operators(Lang::En);
    h.sign_in(CLERK.0, CLERK.1);
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "clerk01");
    h.press(KeyCode::F(9));
    assert_eq!(h.counter.app().screen(), Screen::Queue, "a clerk signed in is refused");
    assert!(h.message().contains("is for supervisors only"), "{}", h.message());
    h.press(KeyCode::F(12));
    h.sign_in(HEAD.0, HEAD.1);
    assert_eq!(h.counter.app().signed_in().unwrap().name.as_str(), "head01");
    h.press(KeyCode::F(9));
    assert_eq!(h.counter.app().screen(), Screen::Supervisor, "the supervisor signed in sees it");
}

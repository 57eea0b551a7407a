//! The counter's remaining steps and promises, driven by keys and checked in
//! the store: reject, complete and withdraw from the case detail, discarding
//! an unfinished form, ticket numbers across a restart and a new day, search
//! across days, and the new case selected after a save.

mod ui_common;

use std::sync::Arc;

use chrono::DateTime;
use crossterm::event::KeyCode;
use onedoor::domain::State;
use onedoor::ui::{Clock, Counter, Keymap, Screen, Setup, Theme};
use onedoor::window::{CaseAction, Window};
use onedoor::Lang;
use ui_common::*;

#[test]
fn reject_asks_for_the_reason_and_records_it() {
    let mut h = Harness::new(Lang::En, true);
    h.open_case(0); // 王芳, received
    h.refer_and_review();
    let id = h.detail_id();
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
    h.press(KeyCode::Char('j'));
    // No reason, no rejection.
    h.press(KeyCode::Enter);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
    h.type_text("income above the standard");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter); // the confirmation
    let case = h.store.case(&id).unwrap().unwrap();
    assert_eq!(case.state, State::Rejected, "{}", h.message());
    assert_eq!(case.history.last().unwrap().note.as_deref(), Some("income above the standard"));
}

#[test]
fn an_approved_case_is_paid_then_completed_from_the_detail() {
    let mut h = Harness::new(Lang::En, true);
    h.open_case(0);
    let id = h.detail_id();
    let config = counter_config();
    let window = Window::new(&h.store, &config);
    for step in [CaseAction::Refer(None), CaseAction::Review(None), CaseAction::Approve(None)] {
        window.act(&id, &step, "clerk01", now()).unwrap();
    }
    h.press(KeyCode::Esc);
    h.open_case(0);
    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Enter);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Disbursed, "{}", h.message());
    h.press(KeyCode::Char('c'));
    h.press(KeyCode::Enter);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Completed, "{}", h.message());
    // Completed: nothing more can happen to it.
    h.press(KeyCode::Char('w'));
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Completed);
}

#[test]
fn withdraw_closes_an_open_case_after_the_confirmation() {
    let mut h = Harness::new(Lang::ZhCn, true);
    h.open_case(2); // 张秀英, referred
    let id = h.detail_id();
    h.press(KeyCode::Char('w'));
    // Asked first: cancelling changes nothing.
    h.press(KeyCode::Esc);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Referred);
    h.press(KeyCode::Char('w'));
    h.press(KeyCode::Enter);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Withdrawn, "{}", h.message());
}

#[test]
fn leaving_an_unfinished_form_asks_first_and_saves_nothing() {
    let mut h = Harness::new(Lang::En, true);
    let before = h.store.cases_on_day(now().date_naive()).unwrap().len();
    h.press(KeyCode::F(2));
    h.tab(1);
    h.type_text("赵六");
    h.press(KeyCode::Esc);
    // Asked; cancelling keeps the form and what was typed.
    h.press(KeyCode::Esc);
    assert_eq!(h.counter.app().screen(), Screen::Intake);
    assert!(h.screen().contains("赵六"));
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    assert_eq!(h.counter.app().screen(), Screen::Queue);
    assert_eq!(h.store.cases_on_day(now().date_naive()).unwrap().len(), before);
    // The discarded form is not offered again.
    h.press(KeyCode::F(2));
    assert!(!h.screen().contains("赵六"));
}

/// A counter on the harness's store at another moment (a restart, or the next day).
fn counter_at(h: &Harness, when: &str) -> Counter {
    let mut c = Counter::new(Setup {
        store: Arc::clone(&h.store),
        counter: counter_config(),
        operator: "clerk01".into(),
        lang: Lang::En,
        keymap: Keymap::load("default").unwrap(),
        theme: Theme::mono(),
        clock: Clock::Fixed(DateTime::parse_from_rfc3339(when).unwrap()),
        data_dir: h.dir.path().to_path_buf(),
        policies: Arc::new(onedoor::window::builtin_policies().clone()),
    });
    c.work_without_operators();
    c
}

fn call_next(counter: &mut Counter) -> Option<u32> {
    counter.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::F(5),
        crossterm::event::KeyModifiers::NONE,
    )));
    counter.app().intake().and_then(|i| i.form.ticket)
}

#[test]
fn ticket_numbers_go_on_after_a_restart_and_start_again_the_next_day() {
    let mut h = Harness::new(Lang::En, true); // tickets 1 to 5 were issued this morning
    assert_eq!(call_next(&mut h.counter), Some(6));
    let restarted = counter_at(&h, "2026-11-30T14:00:00+08:00");
    drop(std::mem::replace(&mut h.counter, restarted));
    assert_eq!(call_next(&mut h.counter), Some(7), "a restart never gives a number twice");
    let mut tomorrow = counter_at(&h, "2026-12-01T08:30:00+08:00");
    assert_eq!(call_next(&mut tomorrow), Some(1), "a new day starts at 1");
}

#[test]
fn search_finds_cases_of_earlier_days() {
    let mut h = Harness::prepared(Lang::En, true, |store| {
        let config = counter_config();
        let window = Window::new(store, &config);
        let earlier = DateTime::parse_from_rfc3339("2026-10-12T10:00:00+08:00").unwrap();
        window.accept(input("周建国", "110101195001010017", "temporary", "600", false, 1), "clerk01", earlier).unwrap();
    });
    h.press(KeyCode::F(3));
    h.type_text("周建");
    let found = &h.counter.app().search().results;
    assert_eq!(found.len(), 1, "{:?}", found);
    assert_eq!(found[0].id.as_str(), "320106001-01-20261012-0001");
    assert!(h.screen().contains("周建国"));
}

#[test]
fn a_saved_intake_returns_to_the_queue_with_the_new_case_selected() {
    let mut h = Harness::new(Lang::En, true);
    h.press(KeyCode::F(2));
    h.type_text("110101195001010017");
    h.tab(1);
    h.type_text("周建国");
    h.tab(7);
    h.type_text("600");
    h.press(KeyCode::F(10));
    let app = h.counter.app();
    assert_eq!(app.screen(), Screen::Queue, "{:?}", app.message());
    let today = h.store.cases_on_day(now().date_naive()).unwrap();
    let newest = &today.last().unwrap().id;
    let held = app.queue().held().len();
    let selected = app.queue().rows().get(app.queue().selected() - held).map(|s| &s.id);
    assert_eq!(selected, Some(newest));
}

/// A name pasted at the counter with a direction override (it shows turned
/// around) or a zero-width space is refused at save, in the clerk's
/// language, the form kept; nothing is saved.
#[test]
fn a_name_with_hidden_characters_is_refused_at_the_counter() {
    for (lang, hidden, says) in [
        (Lang::En, "\u{202E}", "direction controls"),
        (Lang::ZhCn, "\u{202E}", "改变显示方向"),
        (Lang::En, "\u{200B}", "invisible characters"),
        (Lang::ZhCn, "\u{FEFF}", "不可见字符"),
    ] {
        let mut h = Harness::new(lang, false);
        h.press(KeyCode::F(2));
        h.type_text("110101195001010017");
        h.tab(1);
        h.type_text(&format!("周{hidden}建国"));
        h.tab(7);
        h.type_text("600");
        h.press(KeyCode::F(10));
        let app = h.counter.app();
        assert_eq!(app.screen(), Screen::Intake, "{lang:?} {hidden:?}: {:?}", app.message());
        assert!(h.message().contains(says), "{lang:?} {hidden:?}: {}", h.message());
        assert!(h.store.cases_on_day(now().date_naive()).unwrap().is_empty());
    }
}

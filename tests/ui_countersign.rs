//! The supervisor's one-step approval at the clerk's counter, driven by keys:
//! above the clerk's limit, from the relief fund and past a blocking
//! duplicate a popup asks for the supervisor's name and PIN (masked) for that
//! one step; a wrong PIN or a forged name is refused there and changes no
//! case (the wrong PIN counts toward the supervisor's lockout, recorded); the
//! step is then the supervisor's and the history names both people, while
//! the clerk stays signed in.

mod ui_common;

use crossterm::event::KeyCode;
use onedoor::domain::case::HistoryAction;
use onedoor::domain::operator::Role;
use onedoor::domain::{CaseId, State};
use onedoor::store::Store;
use onedoor::ui::popups::Countersigned;
use onedoor::ui::{Pending, Popup};
use onedoor::window::{CaseAction, Window};
use onedoor::Lang;
use ui_common::*;

const LANGS: [Lang; 2] = [Lang::ZhCn, Lang::En];
const HEAD_PIN: &str = "482913";
const HEAD2_PIN: &str = "570394";
const CLERK_PIN: &str = "730516";

/// head01 and head02 (supervisors), clerk01 (the clerk at this counter), a fund.
fn staff(store: &Store) {
    let counter = counter_config();
    let w = Window::new(store, &counter);
    let head = w.add_operator(None, "head01", Role::Supervisor, HEAD_PIN, now()).unwrap();
    w.add_operator(Some(&head), "head02", Role::Supervisor, HEAD2_PIN, now()).unwrap();
    w.add_operator(Some(&head), "clerk01", Role::Clerk, CLERK_PIN, now()).unwrap();
    let budget = onedoor::domain::fund::FundEntry::appropriation(now(), "head01", onedoor::domain::Money::yuan(50_000));
    w.fund_deposit(budget).unwrap();
}

/// A disaster case of 4500 accepted by clerk01, referred and reviewed: above the clerk's limit of 3000.
fn reviewed_disaster(store: &Store) -> CaseId {
    let counter = counter_config();
    let w = Window::new(store, &counter);
    let mut i = input("王芳", "11010519491231002X", "disaster", "4500", false, 1);
    i.reason = onedoor::domain::Reason::Disaster;
    let case = w.accept(i, "clerk01", at("08:30:00")).unwrap();
    for a in [CaseAction::Refer(None), CaseAction::Review(None)] {
        w.act(&case.id, &a, "clerk01", at("08:40:00")).unwrap();
    }
    case.id
}

fn countersign_popup(h: &Harness) -> bool {
    matches!(h.counter.app().popup(), Some(Popup::Countersign(_)))
}

fn popup_error(h: &Harness) -> String {
    match h.counter.app().popup() {
        Some(Popup::Countersign(f)) => f.error.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Types the supervisor's name and PIN into the open countersign popup.
fn countersign(h: &mut Harness, name: &str, pin: &str) {
    h.type_text(name);
    h.press(KeyCode::Enter);
    h.type_text(pin);
    h.press(KeyCode::Enter);
}

#[test]
fn a_supervisor_approves_above_the_clerks_limit_at_the_clerks_counter() {
    for lang in LANGS {
        let mut h = Harness::prepared(lang, false, |store| {
            staff(store);
            reviewed_disaster(store);
        });
        h.sign_in("clerk01", CLERK_PIN);
        let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
        h.open_case(0);
        h.step_with_amount('a', "4500");
        assert!(countersign_popup(&h), "the clerk's approval above the limit asks for a supervisor");
        assert!(
            matches!(h.counter.app().popup(), Some(Popup::Countersign(f)) if f.then == Countersigned::Act { id: id.clone(), action: CaseAction::Approve(Some("4500".parse().unwrap())) })
        );
        h.type_text("head01");
        h.press(KeyCode::Enter);
        h.type_text("482");
        // The PIN is masked: its digits are never on the screen.
        let screen = h.screen();
        assert!(screen.contains("***") && !screen.contains("482"), "{screen}");
        let tag = h.lang_tag();
        insta::assert_snapshot!(format!("countersign_popup_{tag}"), screen);

        // A wrong PIN: refused in the popup, the case as it was, the failure recorded.
        h.type_text("999");
        h.press(KeyCode::Enter);
        assert!(countersign_popup(&h));
        let wrong = if lang == Lang::ZhCn { "密码" } else { "wrong PIN (4 tries left" };
        assert!(popup_error(&h).contains(wrong), "{}", popup_error(&h));
        let case = h.store.case(&id).unwrap().unwrap();
        assert_eq!((case.state, case.history.len()), (State::UnderReview, 3), "nothing was approved");
        assert_eq!(h.store.operator("head01").unwrap().unwrap().failures, 1, "the wrong PIN counted");
        let audit = h.store.audit_log(&Default::default()).unwrap();
        assert!(audit
            .iter()
            .any(|e| e.by == "head01" && e.action == onedoor::domain::audit::AuditAction::SignInFailed));

        // The name is kept; the PIN is typed again, then the confirmation names both.
        h.type_text(HEAD_PIN);
        h.press(KeyCode::Enter);
        let Some(Popup::Confirm(Pending::Act { countersign: Some(c), .. })) = h.counter.app().popup() else {
            panic!("the confirmation, countersigned: {:?}", h.counter.app().popup())
        };
        assert_eq!(c.name(), "head01");
        assert!(h.screen().contains("head01"));
        insta::assert_snapshot!(format!("countersign_confirm_{tag}"), h.screen());
        h.press(KeyCode::Enter);
        let case = h.store.case(&id).unwrap().unwrap();
        assert_eq!(case.state, State::Approved);
        let last: Vec<(&str, HistoryAction)> =
            case.history.iter().rev().take(2).rev().map(|e| (e.by.as_str(), e.action)).collect();
        assert_eq!(last, vec![("clerk01", HistoryAction::Approved), ("head01", HistoryAction::Countersigned)]);
        assert_eq!(h.store.operator("head01").unwrap().unwrap().failures, 0);
        // The clerk stays signed in at the counter; the detail shows both lines.
        assert_eq!(h.counter.app().env.operator, "clerk01");
        let screen = h.screen();
        assert!(screen.contains("clerk01") && screen.contains("head01"), "{screen}");
    }
}

/// The supervisor's approval key at a clerk's counter asks for the countersign too.
#[test]
fn the_supervisor_approval_key_at_a_clerks_counter_asks_for_a_countersign() {
    let mut h = Harness::prepared(Lang::En, false, |store| {
        staff(store);
        reviewed_disaster(store);
    });
    h.sign_in("clerk01", CLERK_PIN);
    let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
    h.open_case(0);
    h.step_with_amount('s', "4500");
    assert!(countersign_popup(&h), "{}", h.message());
    countersign(&mut h, "head02", HEAD2_PIN);
    assert!(h.screen().contains("recorded as head02"), "{}", h.screen());
    h.press(KeyCode::Enter);
    let case = h.store.case(&id).unwrap().unwrap();
    assert_eq!(case.state, State::Approved);
    let n = case.history.len();
    assert_eq!((case.history[n - 2].by.as_str(), case.history[n - 1].by.as_str()), ("clerk01", "head02"));
    assert_eq!(case.history[n - 1].action, HistoryAction::Countersigned);
}

#[test]
fn a_forged_name_or_a_clerk_cannot_countersign_and_nothing_changes() {
    let mut h = Harness::prepared(Lang::En, false, |store| {
        staff(store);
        reviewed_disaster(store);
    });
    h.sign_in("clerk01", CLERK_PIN);
    let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
    h.open_case(0);
    h.step_with_amount('a', "4500");
    assert!(countersign_popup(&h));
    let before = h.store.fingerprint().unwrap();
    for (name, pin, said) in [
        ("head 01", HEAD_PIN, "may hold only letters, digits"),
        ("head01\u{202e}", HEAD_PIN, "may hold only letters, digits"),
        ("nobody", HEAD_PIN, "no operator nobody"),
    ] {
        // A fresh popup each time: Esc leaves it, the approval asks again.
        h.press(KeyCode::Esc);
        h.step_with_amount('a', "4500");
        assert!(countersign_popup(&h));
        countersign(&mut h, name, pin);
        assert!(countersign_popup(&h), "{name:?}");
        assert!(popup_error(&h).contains(said), "{name:?}: {}", popup_error(&h));
        assert_eq!(h.store.fingerprint().unwrap(), before, "{name:?} changed the store");
    }
    // A clerk's own PIN is no supervisor's countersign (a right PIN: nothing is counted).
    h.press(KeyCode::Esc);
    h.step_with_amount('a', "4500");
    countersign(&mut h, "clerk01", CLERK_PIN);
    assert!(popup_error(&h).contains("clerk01 is not a supervisor"), "{}", popup_error(&h));
    assert_eq!(h.store.fingerprint().unwrap(), before);
    h.press(KeyCode::Esc);
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
}

#[test]
fn a_payment_from_the_relief_fund_is_countersigned_by_a_supervisor_who_did_not_accept_it() {
    let mut h = Harness::prepared(Lang::En, false, |store| {
        staff(store);
        let counter = counter_config();
        let w = Window::new(store, &counter);
        let case = w
            .accept(input("李明", "32010619850615351X", "medical", "10000", true, 1), "head01", at("08:30:00"))
            .unwrap();
        w.act(&case.id, &CaseAction::ApproveAsSupervisor(None), "head02", at("08:40:00")).unwrap();
    });
    h.sign_in("clerk01", CLERK_PIN);
    let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
    h.open_case(0);
    h.press(KeyCode::Char('d'));
    assert!(countersign_popup(&h), "a clerk pays from the fund with a supervisor's countersign");
    // head01 accepted the case: their countersign is refused after the PIN, before any confirmation.
    countersign(&mut h, "head01", HEAD_PIN);
    assert!(h.counter.app().popup().is_none());
    assert!(h.message().contains("head01 accepted this case"), "{}", h.message());
    assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Approved);
    h.press(KeyCode::Char('d'));
    countersign(&mut h, "head02", HEAD2_PIN);
    assert!(matches!(
        h.counter.app().popup(),
        Some(Popup::Confirm(Pending::Act { action: CaseAction::Disburse, countersign: Some(_), .. }))
    ));
    h.press(KeyCode::Enter);
    let case = h.store.case(&id).unwrap().unwrap();
    assert_eq!(case.state, State::Disbursed);
    let n = case.history.len();
    assert_eq!((case.history[n - 2].by.as_str(), case.history[n - 2].action), ("clerk01", HistoryAction::Disbursed));
    assert_eq!((case.history[n - 1].by.as_str(), case.history[n - 1].action), ("head02", HistoryAction::Countersigned));
    let ledger = h.store.ledger().unwrap();
    assert_eq!(ledger.last().unwrap().by, "head02", "the ledger names the supervisor who answers for it");
}

#[test]
fn a_blocking_duplicate_is_let_through_with_a_supervisors_countersign() {
    let mut h = Harness::prepared(Lang::En, false, |store| {
        staff(store);
        let counter = counter_config();
        let w = Window::new(store, &counter);
        w.accept(input("王芳", "11010519491231002X", "temporary", "500", false, 1), "clerk01", at("08:30:00")).unwrap();
    });
    h.sign_in("clerk01", CLERK_PIN);
    // The same help again: the override's reason, then the supervisor's name and PIN.
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    h.tab(1);
    h.type_text("王芳");
    h.tab(7);
    h.type_text("500");
    h.press(KeyCode::F(10));
    assert!(matches!(h.counter.app().popup(), Some(Popup::Override { .. })), "{}", h.message());
    h.type_text("入户核实属实");
    h.press(KeyCode::Enter);
    assert!(countersign_popup(&h), "the clerk cannot let it through alone");
    let before = h.store.cases_on_day(now().date_naive()).unwrap().len();
    countersign(&mut h, "head01", "111222");
    assert!(popup_error(&h).contains("wrong PIN"), "{}", popup_error(&h));
    assert_eq!(h.store.cases_on_day(now().date_naive()).unwrap().len(), before, "nothing accepted");
    h.type_text(HEAD_PIN);
    h.press(KeyCode::Enter);
    let cases = h.store.cases_on_day(now().date_naive()).unwrap();
    assert_eq!(cases.len(), before + 1, "{}", h.message());
    let case = h.store.case(&cases.last().unwrap().id).unwrap().unwrap();
    assert_eq!(case.operator, "clerk01");
    let o = case.history.iter().find(|e| e.action == HistoryAction::Override).unwrap();
    assert_eq!((o.by.as_str(), o.note.as_deref()), ("head01", Some("入户核实属实")));
}

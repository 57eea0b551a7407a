//! A clerk's day at the counter, driven by keys: the money bugs (keys while
//! the terminal is too small, approving nothing or more than asked, refusals
//! before "cannot be undone", a called ticket never dropped) and the
//! frictions of issue 10, each checked in the store or on the screen.

mod common;
mod ui_common;

use crossterm::event::{Event, KeyCode};
use onedoor::domain::State;
use onedoor::ui::{Outcome, Pending, Popup, Screen};
use onedoor::window::{CaseAction, Window};
use onedoor::Lang;
use ui_common::*;

const LANGS: [Lang; 2] = [Lang::ZhCn, Lang::En];

/// 王芳's case (the first of the queue) brought to `steps` through the window.
fn first_case_after(h: &Harness, steps: &[CaseAction]) -> onedoor::domain::CaseId {
    let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
    let config = counter_config();
    let window = Window::new(&h.store, &config);
    for step in steps {
        window.act(&id, step, "clerk01", now()).unwrap();
    }
    id
}

fn approved(h: &Harness) -> onedoor::domain::CaseId {
    first_case_after(h, &[CaseAction::Refer(None), CaseAction::Review(None), CaseAction::Approve(None)])
}

#[test]
fn while_the_terminal_is_too_small_no_key_but_quit_acts() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        let id = approved(&h);
        h.open_case(0);
        // The confirmation is open, then the terminal shrinks: Enter must not pay unseen.
        h.press(KeyCode::Char('d'));
        assert!(matches!(h.counter.app().popup(), Some(Popup::Confirm(Pending::Act { .. }))));
        h.send(onedoor::ui::Msg::Term(Event::Resize(60, 20)));
        h.press(KeyCode::Enter);
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Approved, "paid while the screen said too small");
        // Nor does a step start while it is small.
        h.press(KeyCode::Esc);
        h.press(KeyCode::Char('w'));
        h.press(KeyCode::Enter);
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Approved);
        // Grown again, the same confirmation is there and works.
        h.send(onedoor::ui::Msg::Term(Event::Resize(80, 24)));
        assert!(matches!(
            h.counter.app().popup(),
            Some(Popup::Confirm(Pending::Act { action: CaseAction::Disburse, .. }))
        ));
        h.press(KeyCode::Esc);
        // Drawn small (the host's size), keys do nothing; quit still quits.
        let mut small = Harness::sized(lang, true, 60, 20);
        small.screen();
        small.press(KeyCode::F(5));
        assert_eq!(small.counter.app().screen(), Screen::Queue);
        assert_eq!(small.ctrl('q'), Outcome::Quit);
    }
}

#[test]
fn approving_nothing_or_more_than_was_asked_is_refused_before_the_confirmation() {
    for (lang, zero, more, shown) in [
        (Lang::ZhCn, "请驳回并写明理由", "多于申请的 5000.00元", ["批准金额为 0.00", "多于申请的"]),
        (
            Lang::En,
            "reject the case with its reason instead",
            "more than the 5000.00 requested",
            ["approving 0.00 grants nothing", "more than the 5000.00"],
        ),
    ] {
        // A district capping temporary assistance at 8000 a case: 6000 is under the cap, over the request.
        let mut policy = onedoor::domain::policy::Policy::builtin();
        policy.temporary.per_case_cap = Some("8000".parse().unwrap());
        let book = onedoor::domain::policy::PolicyBook::new(vec![policy]).unwrap();
        let mut h = Harness::with_policies(lang, true, book);
        let id = first_case_after(&h, &[CaseAction::Refer(None), CaseAction::Review(None)]);
        let before = h.store.fingerprint().unwrap();
        h.open_case(0); // 王芳 asked for 5000
        for (amount, said, shown) in [("0", zero, shown[0]), ("0.00", zero, shown[0]), ("6000", more, shown[1])] {
            h.step_with_amount('s', amount);
            assert!(matches!(h.counter.app().popup(), Some(Popup::Prompt(_))), "{amount}: no confirmation");
            assert!(h.prompt_error().contains(said), "{amount}: {}", h.prompt_error());
            let s = h.screen();
            assert!(s.contains(shown), "{amount}: the refusal is on screen: {s}");
            h.press(KeyCode::Esc);
        }
        assert_eq!(h.store.fingerprint().unwrap(), before);
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
    }
}

#[test]
fn the_cli_refuses_a_zero_grant_and_more_than_was_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = common::add(d, &common::case_json("11010519491231002X", "2000"));
    for args in [vec!["case", "refer", &id], vec!["case", "review", &id]] {
        assert_eq!(common::run(d, &args, None).code, 0);
    }
    let before = common::fingerprint(d);
    let zero = common::run(d, &["case", "approve", &id, "--amount", "0"], None);
    common::assert_refused(&zero, "reject the case with its reason");
    let more = common::run(d, &["case", "approve", &id, "--amount", "2500"], None);
    common::assert_refused(&more, "more than the 2000.00 requested");
    assert_eq!(common::fingerprint(d), before);
}

#[test]
fn a_refusal_comes_before_the_cannot_be_undone_confirmation() {
    let config = onedoor::config::CounterConfig { supervisors: vec!["head01".into()], ..counter_config() };
    for lang in LANGS {
        // Not a supervisor: refused at the key, no amount asked, no confirmation.
        // A district whose cap per case (5000) is above the clerk's limit (3000).
        let mut policy = onedoor::domain::policy::Policy::builtin();
        policy.temporary.per_case_cap = Some("5000".parse().unwrap());
        let book = onedoor::domain::policy::PolicyBook::new(vec![policy]).unwrap();
        let mut h = Harness::configured(lang, true, book, config.clone());
        let id = first_case_after(&h, &[CaseAction::Refer(None), CaseAction::Review(None)]);
        let before = h.store.fingerprint().unwrap();
        h.open_case(0);
        h.press(KeyCode::Char('s'));
        assert!(h.counter.app().popup().is_none(), "no popup for a non-supervisor");
        assert!(h.message().contains("clerk01"), "{}", h.message());
        // Above the clerk's limit (3000, the entitlement is 3000): refused in the amount popup.
        h.step_with_amount('a', "3500");
        assert!(matches!(h.counter.app().popup(), Some(Popup::Prompt(_))));
        let hint = if lang == Lang::ZhCn { "须由主管批准" } else { "a supervisor must approve it" };
        assert!(h.prompt_error().contains(hint), "{}", h.prompt_error());
        h.press(KeyCode::Esc);
        assert_eq!(h.store.fingerprint().unwrap(), before);
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
    }
}

#[test]
fn esc_puts_a_called_ticket_back_in_the_line_and_a_key_marks_a_no_show() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(5)); // ticket 6
        assert_eq!(h.counter.app().intake().unwrap().form.ticket, Some(6));
        h.press(KeyCode::Esc);
        assert_eq!(h.counter.app().screen(), Screen::Queue);
        let held: Vec<_> = h.counter.app().queue().held().iter().map(|t| t.form.ticket).collect();
        assert_eq!(held, vec![Some(6)], "the ticket is back in the waiting line");
        // Called again, it did not come: F11 records a no-show.
        h.press(KeyCode::F(6));
        assert_eq!(h.counter.app().intake().unwrap().form.ticket, Some(6));
        h.press(KeyCode::F(11));
        assert_eq!(h.counter.app().screen(), Screen::Queue);
        assert!(h.counter.app().queue().held().is_empty());
        assert!(h.message().contains('6'), "{}", h.message());
        let recorded = onedoor::ui::files::read_no_shows(h.dir.path());
        assert_eq!(recorded.len(), 1);
        assert_eq!((recorded[0].ticket, recorded[0].by.as_str()), (6, "clerk01"));
        // A form with typed input asks first.
        h.press(KeyCode::F(5)); // ticket 7
        h.tab(1);
        h.type_text("孙丽");
        h.press(KeyCode::F(11));
        assert!(matches!(h.counter.app().popup(), Some(Popup::Confirm(Pending::NoShow))));
        h.press(KeyCode::Esc);
        assert_eq!(h.counter.app().screen(), Screen::Intake);
        assert_eq!(onedoor::ui::files::read_no_shows(h.dir.path()).len(), 1);
    }
}

#[test]
fn the_demo_seeds_all_or_nothing_even_when_the_operators_are_not_supervisors() {
    let dir = tempfile::tempdir().unwrap();
    let store = onedoor::store::Store::open(&dir.path().join("store"), &Default::default()).unwrap();
    // The office's config names its supervisor; the demo's clerks are not among them.
    let config = onedoor::config::CounterConfig { supervisors: vec!["head01".into()], ..counter_config() };
    let n = onedoor::ui::demo::seed_demo(&store, &config, now(), 46).unwrap();
    assert_eq!(n, 50);
    let today = store.cases_on_day(now().date_naive()).unwrap();
    assert_eq!(today.len(), 46, "every case of the day is there");
    assert_eq!(store.last_ticket(now().date_naive()).unwrap(), 46);
    let approvals: Vec<String> = today
        .iter()
        .flat_map(|s| store.case(&s.id).unwrap().unwrap().history)
        .filter(|h| h.action == onedoor::domain::case::HistoryAction::Approved)
        .map(|h| h.by)
        .collect();
    assert!(!approvals.is_empty() && approvals.iter().all(|by| by == "head01"), "{approvals:?}");
    assert!(store.fund().unwrap().balance() < onedoor::domain::Money::yuan(500_000), "the fund paid the green cases");
    // No scratch left beside the store.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("store")]);

    // A commit that cannot be made (the fund already kept in a later year) leaves the store as it was.
    let dir = tempfile::tempdir().unwrap();
    let store = onedoor::store::Store::open(&dir.path().join("store"), &Default::default()).unwrap();
    let later = chrono::DateTime::parse_from_rfc3339("2027-01-05T09:00:00+08:00").unwrap();
    let entry = onedoor::domain::fund::FundEntry::appropriation(later, "head01", onedoor::domain::Money::yuan(1));
    Window::new(&store, &config).fund_deposit(entry).unwrap();
    let before = store.fingerprint().unwrap();
    assert!(onedoor::ui::demo::seed_demo(&store, &config, now(), 46).is_err());
    assert_eq!(store.fingerprint().unwrap(), before);
    assert!(store.cases_on_day(now().date_naive()).unwrap().is_empty());
}

/// The acceptance receipt of `case` as the counter's printer worker lays it out.
fn acceptance_text(case: &onedoor::domain::Case, policies: &onedoor::domain::policy::PolicyBook) -> String {
    let mut desk = onedoor::printing::Desk::from_config(&onedoor::config::Config::default(), Some("none")).unwrap();
    desk.policies = policies.clone();
    let r = desk.receipt(case, onedoor::receipt::ReceiptKind::Acceptance, "clerk01", false).unwrap();
    onedoor::receipt::to_text(&r).join("\n")
}

#[test]
fn the_green_receipt_promises_the_help_by_date_the_queue_shows() {
    let h = Harness::new(Lang::ZhCn, true);
    let config = counter_config();
    let window = Window::new(&h.store, &config);
    // 李明, green channel; made unpaid again by a fresh green case of another person.
    let fresh =
        window.accept(input("赵建国", "34052419800101001X", "medical", "8000", true, 9), "clerk01", now()).unwrap();
    let summary = h.store.cases_on_day(now().date_naive()).unwrap().into_iter().find(|s| s.id == fresh.id).unwrap();
    let queue_date = window.next_due(&summary).unwrap();
    let text = acceptance_text(&fresh, onedoor::window::builtin_policies());
    let help = format!("先行救助：{}前", queue_date.format("%Y-%m-%d"));
    assert!(text.contains(&help), "the queue's date ({queue_date}) on the receipt:\n{text}");
    assert!(text.contains(&format!("承诺办结：{}前", fresh.due_by.unwrap().format("%Y-%m-%d"))), "{text}");
    assert!(!text.contains("预计"), "2026 is in the calendar: no estimate\n{text}");
    // A normal case promises its due date, which is the queue's.
    let normal = h.store.cases_on_day(now().date_naive()).unwrap()[0].clone();
    let case = h.store.case(&normal.id).unwrap().unwrap();
    let text = acceptance_text(&case, onedoor::window::builtin_policies());
    let due = window.next_due(&normal).unwrap();
    assert!(text.contains(&format!("承诺办结：{}前", due.format("%Y-%m-%d"))) && !text.contains("先行救助"), "{text}");
}

#[test]
fn a_deadline_past_the_calendar_is_marked_estimated_on_screen_receipt_and_case_show() {
    // A calendar complete only until 2026-12-01: the due dates of today's cases are estimates.
    let mut policy = onedoor::domain::policy::Policy::builtin();
    policy.calendar.covered_until = Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    let book = onedoor::domain::policy::PolicyBook::new(vec![policy]).unwrap();
    for (lang, mark) in [(Lang::ZhCn, "（预计）"), (Lang::En, "(estimated)")] {
        let mut h = Harness::with_policies(lang, true, book.clone());
        h.open_case(0);
        let s = h.screen();
        let due_line = s.lines().find(|l| l.contains(if lang == Lang::ZhCn { "办结期限" } else { "due by" }));
        assert!(due_line.is_some_and(|l| l.contains(mark)), "{s}");
        let case = h.counter.app().detail().unwrap().case.clone();
        assert!(acceptance_text(&case, &book).contains("以上日期为预计"), "the receipt marks it too");
        // Within the calendar, no mark.
        let plain = Harness::new(lang, true);
        let case = plain.store.case(&case.id).unwrap().unwrap();
        assert!(!acceptance_text(&case, onedoor::window::builtin_policies()).contains("预计"));
    }
    // case show, with a district policy whose calendar is complete until 2026-12-01.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let policy_file = d.join("policy.toml");
    let toml = onedoor::domain::policy::DEFAULT_POLICY_TOML
        .replacen("version = \"builtin-2026.1\"", "version = \"district-2026\"", 1)
        .replacen("\n[calendar]\n", "\n[calendar]\ncovered_until = 2026-12-01\n", 1);
    std::fs::write(&policy_file, toml).unwrap();
    let config = d.join("onedoor.toml");
    std::fs::write(&config, format!("[policy]\nfile = {:?}\n", policy_file.to_str().unwrap())).unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut c = common::onedoor(d);
        c.env("ONEDOOR_CONFIG", &config).args(args);
        c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let id =
        run(&["case", "add", "--json", "-"], Some(&common::case_json("11010519491231002X", "2000"))).trim().to_string();
    let shown = run(&["case", "show", &id], None);
    let due = shown.lines().find(|l| l.starts_with("due by")).unwrap_or_default();
    assert!(due.contains("estimated"), "{shown}");
    // Without the district file the built-in calendar covers 2026: no mark.
    let shown = common::run(d, &["case", "show", &id], None).stdout;
    assert!(!shown.contains("estimated"), "{shown}");
}

#[test]
fn at_80_columns_the_status_line_keeps_the_fund_balance_whole() {
    use onedoor::ui::{DeviceState, DeviceStatus, Msg};
    for (lang, fund) in [(Lang::En, "fund 1234567.89 yuan"), (Lang::ZhCn, "备用金 1234567.89元")] {
        let mut h = Harness::new(lang, false);
        h.send(Msg::Devices(DeviceStatus {
            id_reader: DeviceState::Ready,
            printer: DeviceState::Problem("cover open and out of paper".into()),
        }));
        h.send(Msg::FundBalance(Some("1234567.89".parse().unwrap())));
        let s = h.screen();
        let status = s.lines().next().unwrap();
        assert!(status.contains(fund), "{status}");
    }
}

#[test]
fn popups_wrap_whole_words_and_show_the_whole_sentence() {
    // The quit question: 退出 on one line.
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(2));
    h.tab(1);
    h.type_text("王");
    h.ctrl('q');
    let s = h.screen();
    assert!(s.contains("现在退出吗"), "{s}");
    // The duplicate found, to its last words.
    let mut h = Harness::new(Lang::En, true);
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    h.tab(1);
    h.type_text("王芳");
    h.tab(7);
    h.type_text("800");
    h.press(KeyCode::F(10));
    assert!(matches!(h.counter.app().popup(), Some(Popup::Override { .. })));
    let s = h.screen();
    assert!(s.contains("with a reason"), "{s}");
}

#[test]
fn the_card_shows_all_18_digits_ticks_the_id_card_and_a_number_is_typed_over() {
    use onedoor::ui::{CardRead, Msg};
    for lang in LANGS {
        let mut h = Harness::new(lang, false);
        h.send(Msg::CardRead(CardRead {
            name: "王芳".into(),
            id_number: "11010519491231002X".into(),
            address: "南京市鼓楼区中山路1号".into(),
            ethnicity: "汉".into(),
            ..CardRead::default()
        }));
        let s = h.screen();
        let id_line = s.lines().nth(3).unwrap();
        assert!(id_line.contains("11010519491231002X") && id_line.contains("1949-12-31"), "{id_line}");
        let form = &h.counter.app().intake().unwrap().form;
        assert!(form.documents.contains(&onedoor::domain::Document::IdCard), "the card was read: ID card handed in");
        assert!(s.contains("[x]"), "ticked on screen: {s}");
        // Household size holds 1: typing 3 makes it 3, not 13; a second digit goes on (3, 4 → 34 is refused by
        // the size check later, so 2 is typed after moving away and back: it replaces again).
        h.tab(2); // the card put the focus on the phone: residence, household size
        assert_eq!(h.counter.app().intake().unwrap().focus, onedoor::ui::form::Field::HouseholdSize);
        h.type_text("3");
        assert_eq!(h.counter.app().intake().unwrap().form.household_size, "3");
        h.press(KeyCode::Tab);
        h.press_mod(KeyCode::BackTab, crossterm::event::KeyModifiers::SHIFT);
        h.type_text("4");
        assert_eq!(h.counter.app().intake().unwrap().form.household_size, "4");
        // Moving the cursor first means editing what is there.
        h.press(KeyCode::Tab);
        h.press_mod(KeyCode::BackTab, crossterm::event::KeyModifiers::SHIFT);
        h.press(KeyCode::End);
        h.type_text("2");
        assert_eq!(h.counter.app().intake().unwrap().form.household_size, "42");
    }
}

#[test]
fn search_finds_the_last_four_digits_and_part_of_a_name() {
    let names =
        |h: &Harness| -> Vec<String> { h.counter.app().search().results.iter().map(|s| s.name.clone()).collect() };
    let mut h = Harness::new(Lang::ZhCn, true);
    h.press(KeyCode::F(3));
    // The last four digits read aloud: 王芳 (…1231002X) and 刘强 (…0307002X).
    h.type_text("002X");
    let mut found = names(&h);
    found.sort();
    assert_eq!(found, vec!["刘强".to_string(), "王芳".to_string()]);
    for _ in 0..4 {
        h.press(KeyCode::Backspace);
    }
    // Part of a name, not its start.
    h.type_text("秀英");
    assert_eq!(names(&h), vec!["张秀英".to_string()]);
    assert!(h.screen().contains("张秀英"));
}

#[test]
fn the_key_bar_says_what_esc_does_and_the_draft_prompt_whose_form_it_is() {
    for (lang, back, cancel) in [(Lang::ZhCn, "Esc 退回等候", "Esc 取消"), (Lang::En, "Esc back to line", "Esc cancel")]
    {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(5));
        let bar = h.screen().lines().last().unwrap().to_string();
        assert!(bar.contains(back), "{bar}");
        h.press(KeyCode::Esc);
        h.press(KeyCode::F(2));
        let bar = h.screen().lines().last().unwrap().to_string();
        assert!(bar.contains(cancel), "{bar}");
    }
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(5));
    h.tab(1);
    h.type_text("孙丽");
    h.counter.sync_draft();
    let mut again = open_counter(h.store.clone(), h.dir.path(), Lang::ZhCn);
    let Some(Popup::Confirm(p @ Pending::RestoreDraft(_))) = again.app().popup().cloned() else { panic!("offered") };
    let text = onedoor::ui::popups::confirm_text(&p, "clerk01", Lang::ZhCn);
    assert!(text.contains("孙丽") && text.contains("号票 1"), "{text}");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| again.render(f, f.area())).unwrap();
    let s = terminal.backend().to_string();
    assert!(s.contains("孙丽"), "{s}");
}

#[test]
fn f1_help_explains_the_marks_and_the_workflow() {
    for (lang, marks, flow) in
        [(Lang::ZhCn, "绿 绿色通道", "保存并打印受理回执"), (Lang::En, "G green channel", "saves it and prints the")]
    {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(1));
        for _ in 0..3 {
            h.press(KeyCode::PageDown);
        }
        let s = h.screen();
        assert!(s.contains(marks) && s.contains(flow), "{s}");
        h.press(KeyCode::Esc);
        h.press(KeyCode::F(5));
        h.press(KeyCode::F(1));
        for _ in 0..3 {
            h.press(KeyCode::PageDown);
        }
        let s = h.screen();
        assert!(s.contains("Esc"), "{s}");
        assert!(s.contains(if lang == Lang::ZhCn { "记为过号" } else { "records a no-show" }), "{s}");
    }
}

#[test]
fn a_printer_out_of_paper_shows_in_the_alert_colour() {
    use onedoor::ui::{DeviceState, DeviceStatus, Msg};
    let mut h = Harness::new(Lang::En, false);
    h.send(Msg::Devices(DeviceStatus {
        id_reader: DeviceState::Ready,
        printer: DeviceState::Problem("out of paper".into()),
    }));
    let s = h.screen();
    let status = s.lines().next().unwrap().to_string();
    let x = status.find("printer out of paper").expect("on the status line") as u16 - 1; // the quote of the line
    let buf = h.terminal.backend().buffer().clone();
    let alert = onedoor::ui::Theme::mono().error;
    let cell = &buf[(x + 9, 0)]; // a letter of "out of paper"
    assert!(cell.modifier.contains(alert.add_modifier), "{cell:?}");
    let ready = &buf[(status.find("reader ready").unwrap() as u16 + 8, 0)];
    assert!(
        !ready.modifier.contains(ratatui::style::Modifier::UNDERLINED),
        "a ready device is not an alert: {ready:?}"
    );
}

#[test]
fn the_queue_filters_sorts_by_urgency_and_says_n_of_n() {
    let names =
        |h: &Harness| -> Vec<String> { h.counter.app().queue().rows().iter().map(|s| s.name.clone()).collect() };
    for (lang, waiting, green) in
        [(Lang::ZhCn, "[等待：1/5]", "[绿色通道：1/5]"), (Lang::En, "[waiting: 1 of 5]", "[green channel: 1 of 5]")]
    {
        let mut h = Harness::new(lang, true);
        assert_eq!(names(&h).len(), 5);
        // Most urgent first: 李明's green case is due soon (12-01*); the closed ones last.
        h.press(KeyCode::F(8));
        let order = names(&h);
        assert_eq!(order[0], "李明", "{order:?}");
        assert_eq!(&order[3..], ["刘强".to_string(), "陈静".to_string()], "closed cases last: {order:?}");
        h.press(KeyCode::F(8));
        h.press(KeyCode::F(4));
        assert_eq!(names(&h), vec!["王芳".to_string()]);
        assert!(h.screen().contains(waiting), "{}", h.screen());
        h.press(KeyCode::F(4));
        assert_eq!(names(&h), vec!["李明".to_string()]);
        assert!(h.screen().contains(green), "{}", h.screen());
        // Enter opens the case shown, not the one at that place in the whole list.
        h.press(KeyCode::Enter);
        assert_eq!(h.counter.app().detail().unwrap().case.applicant.name, "李明");
        h.press(KeyCode::Esc);
        h.press(KeyCode::F(4));
        assert!(names(&h).is_empty(), "nothing is late at 09:00");
        h.press(KeyCode::F(4));
        assert_eq!(names(&h).len(), 5, "mine: clerk01 accepted all five");
        h.press(KeyCode::F(4));
        assert_eq!(names(&h).len(), 5, "back to all");
    }
}

#[test]
fn mine_shows_the_cases_the_operator_at_the_window_accepted() {
    let names =
        |h: &Harness| -> Vec<String> { h.counter.app().queue().rows().iter().map(|s| s.name.clone()).collect() };
    for (lang, mine) in [(Lang::ZhCn, "[我受理的：5/6]"), (Lang::En, "[mine: 5 of 6]")] {
        // A sixth case, accepted at another window by clerk02.
        let mut h = Harness::prepared(lang, true, |store| {
            let config = counter_config();
            let window = Window::new(store, &config);
            window
                .accept(input("孙丽", "110101198001010010", "temporary", "1000", false, 6), "clerk02", at("08:59:00"))
                .unwrap();
        });
        assert_eq!(names(&h).len(), 6);
        for _ in 0..4 {
            h.press(KeyCode::F(4));
        }
        let shown = names(&h);
        assert_eq!(shown.len(), 5, "{shown:?}");
        assert!(!shown.contains(&"孙丽".to_string()), "clerk02's case is not clerk01's: {shown:?}");
        assert!(h.screen().contains(mine), "{}", h.screen());
    }
}

#[test]
fn f9_is_free_for_the_supervisor_and_the_moved_keys_are_in_help_and_both_keymaps() {
    use onedoor::ui::keymap::{Key, Section};
    use onedoor::ui::{Action, Keymap};
    let k = |s: &str| Key::parse(s).unwrap();
    let default = Keymap::load("default").unwrap();
    assert_eq!(default.action(Section::Queue, k("F8")), Some(Action::SortByUrgency));
    assert_eq!(default.action(Section::Intake, k("F11")), Some(Action::NoShow));
    assert_ne!(default.action(Section::Intake, k("F9")), Some(Action::NoShow));
    assert_ne!(default.action(Section::Queue, k("F9")), Some(Action::SortByUrgency));
    let laptop = Keymap::load("laptop").unwrap();
    assert_eq!(laptop.action(Section::Queue, k("Ctrl+U")), Some(Action::SortByUrgency));
    assert_eq!(laptop.action(Section::Intake, k("Alt+3")), Some(Action::NoShow));
    assert_ne!(laptop.action(Section::Intake, k("Alt+9")), Some(Action::NoShow));
    // F1 on the queue names the keys of the filter and of the order.
    let mut h = Harness::new(Lang::En, true);
    h.press(KeyCode::F(1));
    let mut text = String::new();
    for _ in 0..4 {
        // The help's lines inside its frame, joined as one text (the guide wraps).
        for line in h.screen().lines() {
            let inner = line.trim_matches('"');
            if let (Some(a), Some(b)) = (inner.find('|'), inner.rfind('|')) {
                if b > a {
                    text.push(' ');
                    text.push_str(inner[a + 1..b].trim());
                }
            }
        }
        h.press(KeyCode::PageDown);
    }
    assert!(text.contains("F8 puts the most urgent first"), "{text}");
    assert!(text.contains("F4 shows all"), "{text}");
}

#[test]
fn a_new_case_for_a_known_person_reuses_the_earlier_household() {
    let mut h = Harness::prepared(Lang::ZhCn, true, |_| {});
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X"); // 王芳: an earlier case today, household of 3 on 600.00
    h.press(KeyCode::F(7));
    let form = &h.counter.app().intake().unwrap().form;
    assert_eq!((form.household_size.as_str(), form.monthly_income.as_str()), ("3", "600.00"));
    assert!(h.message().contains("320106001-01-20261130-0001"), "{}", h.message());
    // Someone never seen: nothing to take, said so.
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    h.press(KeyCode::F(2));
    h.type_text("34052419800101001X");
    h.press(KeyCode::F(7));
    assert_eq!(h.counter.app().intake().unwrap().form.household_size, "1");
    assert!(h.message().contains("没有以往案件"), "{}", h.message());
}

#[test]
fn a_queue_row_marks_a_date_past_the_policy_calendar_as_estimated() {
    let row =
        |h: &mut Harness, name: &str| h.screen().lines().find(|l| l.contains(name)).unwrap_or_default().to_string();
    for lang in LANGS {
        // The built-in calendar lists 2026 in full: 2027's dates are estimates.
        let mut h = Harness::new(lang, true);
        let wang = row(&mut h, "王芳");
        assert!(wang.contains("12-21") && !wang.contains("12-21~"), "{wang}");
        let zhang = row(&mut h, "张秀英");
        assert!(zhang.contains("01-12~"), "{zhang}");
        // A calendar complete only until 2026-12-01: 王芳's 12-21 is one too.
        let mut policy = onedoor::domain::policy::Policy::builtin();
        policy.calendar.covered_until = Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let book = onedoor::domain::policy::PolicyBook::new(vec![policy]).unwrap();
        let mut h = Harness::with_policies(lang, true, book);
        let wang = row(&mut h, "王芳");
        assert!(wang.contains("12-21~"), "{wang}");
        // 李明's help-by date 12-01 is the calendar's last complete day: no mark, only "due soon".
        let li = row(&mut h, "李明");
        assert!(li.contains("12-01*") && !li.contains('~'), "{li}");
    }
}

#[test]
fn search_finds_a_case_by_a_household_members_name_whole_or_part() {
    let names =
        |h: &Harness| -> Vec<String> { h.counter.app().search().results.iter().map(|s| s.name.clone()).collect() };
    let mut h = Harness::prepared(Lang::ZhCn, true, |store| {
        let config = counter_config();
        let mut case = input("孙丽", "110101198001010010", "temporary", "1000", false, 6);
        case.household.as_mut().unwrap().members = vec![onedoor::domain::person::Member {
            name: "赵小红".into(),
            id_number: onedoor::domain::IdNumber::parse_any_date("110101201001010015").unwrap(),
            relation: "女儿".into(),
            monthly_income: onedoor::domain::Money::ZERO,
        }];
        Window::new(store, &config).accept(case, "clerk01", at("08:59:00")).unwrap();
    });
    h.press(KeyCode::F(3));
    h.type_text("赵小红");
    assert_eq!(names(&h), vec!["孙丽".to_string()], "the member's whole name finds the applicant's case");
    assert!(h.screen().contains("孙丽"));
    for _ in 0..3 {
        h.press(KeyCode::Backspace);
    }
    h.type_text("小红");
    assert_eq!(names(&h), vec!["孙丽".to_string()], "part of it too");
    h.press(KeyCode::Enter);
    assert_eq!(h.counter.app().detail().unwrap().case.applicant.name, "孙丽");
}

#[test]
fn the_card_of_a_known_person_offers_the_earlier_household_and_one_key_takes_it() {
    use onedoor::ui::{CardRead, Msg};
    for (lang, hint) in [(Lang::ZhCn, "F7 沿用以往：3人 600.00"), (Lang::En, "F7: 3, 600.00 as before")] {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(5));
        // 王芳's card: an earlier case today, household of 3 on 600.00 — offered without asking.
        h.send(Msg::CardRead(CardRead {
            name: "王芳".into(),
            id_number: "11010519491231002X".into(),
            ..CardRead::default()
        }));
        assert!(h.message().contains("320106001-01-20261130-0001"), "{}", h.message());
        let s = h.screen();
        assert!(s.contains(hint), "{s}");
        assert_eq!(h.counter.app().intake().unwrap().form.household_size, "1", "offered, not taken");
        // One key takes it; the offer is gone from the screen.
        h.press(KeyCode::F(7));
        let form = &h.counter.app().intake().unwrap().form;
        assert_eq!((form.household_size.as_str(), form.monthly_income.as_str()), ("3", "600.00"));
        assert!(!h.screen().contains(hint));
    }
}

#[test]
fn a_typed_id_number_of_a_known_person_offers_the_earlier_household_too() {
    let mut h = Harness::new(Lang::En, true);
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    assert!(h.message().contains("Earlier case 320106001-01-20261130-0001: household of 3"), "{}", h.message());
    assert!(h.screen().contains("F7: 3, 600.00 as before"));
    // Someone never seen: no offer.
    let mut h = Harness::new(Lang::En, true);
    h.press(KeyCode::F(2));
    h.type_text("34052419800101001X");
    assert!(!h.message().contains("Earlier case"), "{}", h.message());
    assert!(!h.screen().contains("as before"));
}

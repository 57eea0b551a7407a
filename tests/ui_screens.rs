//! What the clerk sees, at 80x24 in both languages, driven by synthetic keys
//! on a temporary store with a fixed clock: every screen as an insta snapshot,
//! and the behaviour behind them checked in the store.

mod ui_common;

use crossterm::event::{KeyCode, KeyModifiers};
use onedoor::domain::State;
use onedoor::ui::{CardRead, DeviceState, DeviceStatus, Msg, Outcome, Pending, Popup, Screen};
use onedoor::Lang;
use ui_common::*;

const LANGS: [Lang; 2] = [Lang::ZhCn, Lang::En];

fn snap(h: &mut Harness, name: &str) {
    let screen = h.screen();
    let tag = h.lang_tag();
    insta::assert_snapshot!(format!("{name}_{tag}"), screen);
}

/// Opens the detail of the n-th case of the queue (0-based).
#[test]
fn queue_shows_todays_cases_with_counts_markers_and_masked_numbers() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        let s = h.screen();
        assert!(s.contains("110105********002X"), "{s}");
        assert!(!s.contains("11010519491231002X"), "never the full number in a list");
        snap(&mut h, "queue");
    }
}

#[test]
fn empty_queue_says_how_to_start() {
    let mut h = Harness::new(Lang::ZhCn, false);
    assert!(h.screen().contains("按 F5 叫号"));
}

#[test]
fn call_next_issues_the_next_ticket_and_opens_an_empty_intake() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(5));
        assert_eq!(h.counter.app().screen(), Screen::Intake);
        assert_eq!(h.store.last_ticket(now().date_naive()).unwrap(), 6);
        snap(&mut h, "intake_empty");
    }
}

#[test]
fn an_invalid_id_number_shows_the_reason_inline() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(5));
        h.type_text("110105194912310021");
        let s = h.screen();
        let expected = match lang {
            Lang::ZhCn => "校验位应为 X 而非 1",
            Lang::En => "check character should be X, not 1",
        };
        assert!(s.contains(expected), "{s}");
        snap(&mut h, "intake_id_error");
        // Fixing the last character makes it valid, with birth date and sex.
        h.press(KeyCode::Backspace);
        h.type_text("x");
        let s = h.screen();
        assert!(s.contains("1949-12-31"), "{s}");
        assert!(!s.contains(expected), "{s}");
    }
}

#[test]
fn a_non_digit_is_named_with_its_position() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(2));
    h.type_text("1101A");
    assert!(h.screen().contains("第 5 位「A」不是数字"));
}

#[test]
fn intake_saved_is_in_the_queue_and_in_the_store() {
    let mut h = Harness::new(Lang::ZhCn, true);
    h.press(KeyCode::F(5));
    h.type_text("34052419800101001X");
    h.tab(1);
    h.type_text("赵建国");
    h.tab(1);
    h.type_text("13912345678");
    h.tab(1);
    h.press(KeyCode::Right); // residence: rural
    h.tab(1);
    h.press(KeyCode::Backspace);
    h.type_text("4");
    h.tab(1);
    h.type_text("900");
    h.tab(1);
    h.press(KeyCode::Left); // kind: employment (before temporary)
    h.tab(1);
    h.press(KeyCode::Right); // reason: accident
    h.tab(1);
    h.type_text("1500.5");
    h.tab(1);
    h.press(KeyCode::Char(' ')); // green channel
    h.tab(1);
    h.press(KeyCode::Right); // source: officer report
    h.tab(1);
    h.type_text("李明");
    h.tab(1);
    h.type_text("东湖村");
    h.tab(1);
    h.type_text("工伤后失业");
    h.tab(1);
    h.press(KeyCode::Char(' ')); // first document handed in
    h.press(KeyCode::F(10));

    let app = h.counter.app();
    assert_eq!(app.screen(), Screen::Queue, "{:?}", app.message());
    let today = h.store.cases_on_day(now().date_naive()).unwrap();
    assert_eq!(today.len(), 6);
    let new = today.iter().find(|c| c.name == "赵建国").expect("in the store");
    let case = h.store.case(&new.id).unwrap().unwrap();
    assert_eq!(case.applicant.id_number.as_str(), "34052419800101001X");
    assert_eq!(case.kind, onedoor::domain::Kind::Employment);
    assert_eq!(case.reason, onedoor::domain::Reason::Accident);
    assert_eq!(case.channel, onedoor::domain::Channel::Green);
    assert_eq!(case.requested_amount.to_string(), "1500.50");
    assert_eq!(case.household.size, 4);
    assert_eq!(case.household.monthly_income.to_string(), "900.00");
    assert_eq!(case.applicant.residence, onedoor::domain::Residence::Rural);
    assert_eq!(case.ticket, Some(6));
    assert_eq!(case.received_at, now());
    assert_eq!(case.operator, "clerk01");
    assert!(case.documents[0].received);
    assert!(matches!(
        case.source,
        onedoor::domain::Source::OfficerReport { ref reporter, ref village } if reporter == "李明" && village == "东湖村"
    ));
    // In the queue, selected.
    let s = h.screen();
    assert!(s.contains("赵建国"), "{s}");
    assert!(s.contains(new.id.as_str()), "the message names the new case: {s}");
    assert!(h.counter.take_events().len() == 1);
    // No draft is left behind.
    h.counter.sync_draft();
    assert!(!h.dir.path().join("draft.json").exists());
}

#[test]
fn saving_an_incomplete_form_goes_back_to_the_wrong_field() {
    let mut h = Harness::new(Lang::En, false);
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    h.press(KeyCode::F(10));
    let app = h.counter.app();
    assert_eq!(app.screen(), Screen::Intake);
    assert_eq!(h.store.case_count(), 0);
    assert!(h.screen().contains("Name: required"));
}

#[test]
fn the_cursor_sits_after_chinese_text_in_display_cells() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(2));
    h.tab(1);
    let (x0, y) = h.cursor();
    h.type_text("王芳");
    assert_eq!(h.cursor(), (x0 + 4, y));
    h.press(KeyCode::Left);
    assert_eq!(h.cursor(), (x0 + 2, y));
}

#[test]
fn case_detail_shows_the_whole_record() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.open_case(3);
        let s = h.screen();
        assert!(s.contains("入户核查属实"), "{s}");
        snap(&mut h, "detail");
    }
}

#[test]
fn a_confirmation_can_be_cancelled_and_changes_nothing() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        let before = h.store.fingerprint().unwrap();
        h.open_case(1); // 李明, green channel, approved
        h.press(KeyCode::Char('d'));
        assert!(matches!(h.counter.app().popup(), Some(Popup::Confirm(Pending::Act { .. }))));
        snap(&mut h, "confirm_disburse");
        h.press(KeyCode::Esc);
        assert!(h.counter.app().popup().is_none());
        assert_eq!(h.counter.app().screen(), Screen::Detail);
        assert_eq!(h.store.fingerprint().unwrap(), before);
        // Confirmed, it is done.
        h.press(KeyCode::Char('d'));
        h.press(KeyCode::Enter);
        let id = h.counter.app().detail().unwrap().case.id.clone();
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::Disbursed);
    }
}

#[test]
fn refer_review_approve_with_an_amount_through_the_popups() {
    let mut h = Harness::new(Lang::ZhCn, true);
    h.open_case(0); // 王芳, received
    h.press(KeyCode::Char('r'));
    assert!(matches!(h.counter.app().popup(), Some(Popup::ChooseDepartment { .. })));
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('v'));
    h.type_text("核实");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('a'));
    for _ in 0..10 {
        h.press(KeyCode::Backspace);
    }
    h.type_text("2500");
    h.press(KeyCode::Enter);
    let s = h.screen();
    assert!(s.contains("2500.00元"), "{s}");
    h.press(KeyCode::Enter);
    let case = h.counter.app().detail().unwrap().case.clone();
    let stored = h.store.case(&case.id).unwrap().unwrap();
    assert_eq!(stored.state, State::Approved);
    assert_eq!(stored.granted_amount.unwrap().to_string(), "2500.00");
    assert_eq!(stored.referrals[0].department, onedoor::domain::Department::Education);
}

#[test]
fn a_refused_step_shows_the_reason_and_stays_on_the_case() {
    for (lang, expected) in [(Lang::ZhCn, "部门审核后才能批准"), (Lang::En, "a case is approved only after the")]
    {
        let mut h = Harness::new(lang, true);
        let before = h.store.fingerprint().unwrap();
        h.open_case(0);
        h.press(KeyCode::Char('a'));
        assert!(h.counter.app().popup().is_none());
        assert_eq!(h.counter.app().screen(), Screen::Detail);
        let s = h.screen();
        assert!(s.contains(expected), "{s}");
        assert_eq!(h.store.fingerprint().unwrap(), before);
    }
}

#[test]
fn search_answers_as_you_type_across_all_days() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(3));
        h.type_text("3201");
        // "3201" starts one ID number and every case id of this town.
        assert_eq!(h.counter.app().search().results.len(), 5);
        h.press(KeyCode::Backspace);
        h.press(KeyCode::Backspace);
        h.press(KeyCode::Backspace);
        h.press(KeyCode::Backspace);
        h.type_text("刘");
        assert_eq!(h.counter.app().search().results.len(), 1);
        snap(&mut h, "search");
        h.press(KeyCode::Enter);
        assert_eq!(h.counter.app().screen(), Screen::Detail);
        h.press(KeyCode::Esc);
        assert_eq!(h.counter.app().screen(), Screen::Search);
    }
}

#[test]
fn help_lists_every_binding_of_the_screen_from_the_keymap() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.press(KeyCode::F(1));
        let s = h.screen();
        for key in ["F5", "F2", "F3", "F6", "PgDn", "Ctrl+Q"] {
            assert!(s.contains(key), "{key} missing: {s}");
        }
        snap(&mut h, "help");
        h.press(KeyCode::Esc);
        assert!(!h.counter.app().help_open());
    }
}

#[test]
fn a_small_terminal_is_asked_to_grow() {
    for lang in LANGS {
        let mut h = Harness::sized(lang, true, 60, 20);
        let s = h.screen();
        assert!(s.contains("80x24"), "{s}");
        snap(&mut h, "too_small");
    }
}

#[test]
fn quit_asks_first_only_when_a_form_has_unsaved_input() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(2));
    h.tab(1);
    h.type_text("王");
    assert_eq!(h.ctrl('q'), Outcome::Continue);
    assert!(matches!(h.counter.app().popup(), Some(Popup::Confirm(Pending::Quit))));
    h.press(KeyCode::Esc);
    assert_eq!(h.counter.app().screen(), Screen::Intake);
    assert_eq!(h.ctrl('q'), Outcome::Continue);
    assert_eq!(h.press(KeyCode::Enter), Outcome::Quit);

    let mut h = Harness::new(Lang::ZhCn, false);
    assert_eq!(h.ctrl('q'), Outcome::Quit);
}

#[test]
fn an_unsaved_form_is_offered_again_on_the_next_start() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(5));
    h.type_text("11010519491231002X");
    h.tab(1);
    h.type_text("王芳");
    h.counter.sync_draft();
    assert!(h.dir.path().join("draft.json").exists());
    // The counter is gone (closed, crashed); a new one starts on the same data.
    let mut again = open_counter(h.store.clone(), h.dir.path(), Lang::ZhCn);
    assert!(matches!(again.app().popup(), Some(Popup::Confirm(Pending::RestoreDraft(_)))));
    again.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let intake = again.app().intake().expect("restored");
    assert_eq!(intake.form.name, "王芳");
    assert_eq!(intake.form.ticket, Some(1));
}

#[test]
fn a_ticket_on_hold_is_kept_on_disk_and_recalled() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(5));
    h.tab(1);
    h.type_text("孙丽");
    h.press(KeyCode::F(4));
    assert_eq!(h.counter.app().screen(), Screen::Queue);
    assert!(h.dir.path().join("held.json").exists());
    assert!(h.screen().contains("挂起"));
    h.counter.sync_draft();
    let mut again = open_counter(h.store.clone(), h.dir.path(), Lang::ZhCn);
    assert_eq!(again.app().queue().held().len(), 1);
    again
        .handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)));
    let intake = again.app().intake().expect("recalled");
    assert_eq!(intake.form.name, "孙丽");
    assert_eq!(intake.form.ticket, Some(1));
    assert!(again.app().queue().held().is_empty());
}

#[test]
fn a_card_read_fills_the_applicant_and_marks_it() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.send(Msg::CardRead(CardRead {
        name: "王芳".into(),
        id_number: "11010519491231002x".into(),
        address: "南京市鼓楼区中山路1号".into(),
        ethnicity: "汉".into(),
        ..CardRead::default()
    }));
    assert_eq!(h.counter.app().screen(), Screen::Intake);
    let s = h.screen();
    assert!(s.contains("(读卡)"), "{s}");
    assert!(s.contains("1949-12-31"), "{s}");
    let form = &h.counter.app().intake().unwrap().form;
    assert_eq!(form.id_number, "11010519491231002X");
}

#[test]
fn device_states_and_the_fund_balance_show_on_the_status_line() {
    let mut h = Harness::new(Lang::En, false);
    // At 80 columns, devices that are not configured are said in one word so the fund balance fits.
    let s = h.screen();
    assert!(s.contains("reader none  printer none  fund 0.00 yuan"), "{s}");
    h.send(Msg::Devices(DeviceStatus {
        id_reader: DeviceState::Ready,
        printer: DeviceState::Problem("out of paper".into()),
    }));
    let s = h.screen();
    assert!(s.contains("reader ready"), "{s}");
    assert!(s.contains("printer out of paper"), "{s}");
    let mut h = Harness::new(Lang::ZhCn, false);
    h.send(Msg::Devices(DeviceStatus { id_reader: DeviceState::Ready, printer: DeviceState::Ready }));
    h.send(Msg::FundBalance(Some(onedoor::domain::Money::yuan(500000))));
    let s = h.screen();
    assert!(s.contains("备用金 500000.00元"), "{s}");
    assert!(s.contains("打印机 就绪"), "{s}");
}

#[test]
fn a_known_person_raises_the_duplicate_banner() {
    let mut h = Harness::new(Lang::ZhCn, true);
    h.press(KeyCode::F(2));
    h.type_text("11010519491231002X");
    let s = h.screen();
    assert!(s.contains("注意：此人已有 1 件案件"), "{s}");
}

#[test]
fn the_queue_scrolls_through_a_busy_day() {
    let mut h = Harness::new(Lang::ZhCn, false);
    onedoor::ui::demo::seed_bulk(&h.store, &counter_config(), now().date_naive(), 60, 60).unwrap();
    h.send(Msg::StoreChanged);
    for _ in 0..40 {
        h.press(KeyCode::Down);
    }
    let s = h.screen();
    assert_eq!(h.counter.app().queue().selected(), 40);
    assert!(h.counter.app().queue().offset() > 0, "{s}");
    h.press(KeyCode::End);
    assert_eq!(h.counter.app().queue().selected(), 59);
    h.press(KeyCode::PageUp);
    assert_eq!(h.counter.app().queue().selected(), 59 - 19);
}

#[test]
fn the_counter_draws_only_inside_the_area_a_host_gives_it() {
    use ratatui::layout::Rect;
    use ratatui::widgets::{Block, Widget};
    let mut h = Harness::sized(Lang::ZhCn, true, 100, 30);
    h.press(KeyCode::F(1));
    let counter = &mut h.counter;
    h.terminal
        .draw(|f| {
            Block::bordered().title("HOST").render(f.area(), f.buffer_mut());
            counter.render(f, Rect::new(10, 3, 80, 24));
        })
        .unwrap();
    let s = h.terminal.backend().to_string();
    let lines: Vec<&str> = s.lines().collect();
    assert!(lines[0].contains("HOST"), "{s}");
    // Rows 1-2 and 27-28 and the columns outside 10..90 belong to the host.
    let blank = format!("\"│{}│\"", " ".repeat(98));
    for y in [1, 2, 27, 28] {
        assert_eq!(lines[y], blank, "row {y}: {s}");
    }
    assert!(lines[3].starts_with(&format!("\"│{}1号窗口", " ".repeat(10))), "{s}");
    for (y, line) in lines.iter().enumerate().take(27).skip(3) {
        let row: Vec<char> = line.chars().collect();
        assert_eq!(row[1], '│', "{s}");
        assert!(row[2..10].iter().all(|c| *c == ' '), "row {y}: {s}");
    }
}

#[test]
fn the_demo_seeds_about_fifty_realistic_cases_for_today() {
    let h = Harness::new(Lang::ZhCn, false);
    let n = onedoor::ui::demo::seed_demo(&h.store, &counter_config(), now(), 46).unwrap();
    assert_eq!(n, 50);
    let today = h.store.cases_on_day(now().date_naive()).unwrap();
    assert_eq!(today.len(), 46);
    let states: std::collections::HashSet<_> = today.iter().map(|c| c.state).collect();
    assert!(states.len() >= 5, "{states:?}");
    assert!(today.iter().any(|c| c.channel == onedoor::domain::Channel::Green));
    let kinds: std::collections::HashSet<_> = today.iter().map(|c| c.kind).collect();
    assert!(kinds.len() >= 6, "{kinds:?}");
    // A second run the same day adds nothing.
    assert_eq!(onedoor::ui::demo::seed_demo(&h.store, &counter_config(), now(), 46).unwrap(), 0);
}

#[test]
fn the_entitlement_line_follows_the_form_live() {
    let mut h = Harness::new(Lang::ZhCn, false);
    h.press(KeyCode::F(2));
    assert!(h.screen().contains("填写身份证号、类别和金额后测算"));
    h.type_text("11010519491231002X");
    h.tab(1);
    h.type_text("王芳");
    h.tab(7);
    h.type_text("5000");
    let s = h.screen();
    let line = s.lines().find(|l| l.contains("测算待遇")).unwrap().to_string();
    assert!(line.contains("元"), "{s}");
    assert!(!line.contains("填写身份证号"), "{s}");
    // 5000 asked, the built-in policy's 3000 a case: the cap is named.
    assert!(line.contains("3000.00元") && line.contains("已按上限核减"), "{line}");
}

#[test]
fn the_counter_judges_by_the_configured_policy_book() {
    // A district file in force since July caps temporary help at 800 a year for urban households.
    let mut book = onedoor::domain::policy::PolicyBook::builtin();
    book.add(onedoor::domain::policy::Policy::from_toml(onedoor::domain::policy::ALTERNATIVE_POLICY_TOML).unwrap())
        .unwrap();
    for (lang, capped) in [(Lang::ZhCn, "已按上限核减"), (Lang::En, "capped")] {
        let mut h = Harness::with_policies(lang, false, book.clone());
        h.press(KeyCode::F(2));
        h.type_text("11010519491231002X");
        h.tab(1);
        h.type_text("王芳");
        h.tab(7);
        h.type_text("5000");
        let s = h.screen();
        let label = if lang == Lang::ZhCn { "测算待遇" } else { "Entitlement" };
        let line = s.lines().find(|l| l.contains(label)).unwrap().to_string();
        assert!(line.contains("800.00"), "{line}");
        assert!(line.contains(capped), "{line}");
        // Saved, the case records the district's policy.
        h.press(KeyCode::F(10));
        let today = h.store.cases_on_day(now().date_naive()).unwrap();
        let case = h.store.case(&today[0].id).unwrap().unwrap();
        assert_eq!(case.policy.as_deref(), Some("example-yearly-2026.2"));
        assert_eq!(case.entitlement.unwrap().amount.to_string(), "800.00");
    }
}

#[test]
fn above_the_clerks_limit_a_supervisor_approves_with_a_labelled_confirmation() {
    // A district whose cap per case (5000) is above the clerk's limit (3000).
    let mut policy = onedoor::domain::policy::Policy::builtin();
    policy.temporary.per_case_cap = Some("5000".parse().unwrap());
    let book = onedoor::domain::policy::PolicyBook::new(vec![policy]).unwrap();
    for lang in LANGS {
        let mut h = Harness::with_policies(lang, true, book.clone());
        h.open_case(0); // 王芳, received, entitlement 3000 (the clerk's limit)
        h.refer_and_review();
        let id = h.detail_id();
        // The clerk tries 4000: refused before any confirmation, and told who can approve it and how.
        h.step_with_amount('a', "4000");
        let said = h.prompt_error();
        let hint = match lang {
            Lang::ZhCn => "须由主管批准（主管按 s 审批）",
            Lang::En => "a supervisor must approve it (a supervisor approves with s)",
        };
        assert!(said.contains(hint), "{said}");
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
        h.press(KeyCode::Esc);
        // The supervisor's approval: amount, then a confirmation that says what it is.
        h.step_with_amount('s', "4000");
        assert!(matches!(h.counter.app().popup(), Some(Popup::Confirm(Pending::Act { .. }))));
        let s = h.screen();
        assert!(s.contains(if lang == Lang::ZhCn { "主管审批" } else { "approve as supervisor" }), "{s}");
        snap(&mut h, "confirm_supervisor");
        h.press(KeyCode::Enter);
        let case = h.store.case(&id).unwrap().unwrap();
        assert_eq!(case.state, State::Approved);
        assert_eq!(case.granted_amount.unwrap().to_string(), "4000.00");
        assert_eq!(case.history.last().unwrap().by, "clerk01");
    }
}

#[test]
fn not_even_a_supervisor_approves_above_the_cap_per_case() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        h.open_case(0); // 王芳, temporary assistance, cap 3000 a case
        h.refer_and_review();
        let id = h.detail_id();
        h.step_with_amount('s', "4000");
        // Refused in the amount popup, before any "cannot be undone".
        let said = h.prompt_error();
        let expected = match lang {
            Lang::ZhCn => "4000.00元超过本案政策上限 3000.00元，主管也不能超额审批",
            Lang::En => {
                "4000.00 is above the cap of 3000.00 per case; nobody can approve more than 3000.00 on this case"
            }
        };
        assert_eq!(said, expected);
        assert_eq!(h.store.case(&id).unwrap().unwrap().state, State::UnderReview);
    }
}

#[test]
fn a_blocking_duplicate_is_let_through_with_the_supervisors_reason() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        // 王芳 already has a temporary-assistance case today: a new one is stopped.
        h.press(KeyCode::F(2));
        h.type_text("11010519491231002X");
        h.tab(1);
        h.type_text("王芳");
        h.tab(7);
        h.type_text("1000");
        h.press(KeyCode::F(10));
        assert!(matches!(h.counter.app().popup(), Some(Popup::Override { .. })), "{:?}", h.counter.app().message());
        assert_eq!(h.store.cases_on_day(now().date_naive()).unwrap().len(), 5);
        snap(&mut h, "override");
        // No reason, no override.
        h.press(KeyCode::Enter);
        assert!(matches!(h.counter.app().popup(), Some(Popup::Override { error: Some(_), .. })));
        h.type_text("火灾后再次受灾，经入户核实");
        h.press(KeyCode::Enter);
        assert!(h.counter.app().popup().is_none(), "{:?}", h.counter.app().message());
        assert_eq!(h.counter.app().screen(), Screen::Queue);
        let today = h.store.cases_on_day(now().date_naive()).unwrap();
        assert_eq!(today.len(), 6);
        let case = h.store.case(&today.last().unwrap().id).unwrap().unwrap();
        let o = case.history.iter().find(|e| e.action == onedoor::domain::case::HistoryAction::Override).unwrap();
        assert_eq!(o.by, "clerk01");
        assert!(o.note.as_deref().unwrap().contains("火灾后再次受灾"), "{:?}", o.note);
    }
}

/// A temporary-assistance case received on 2 November and referred to health
/// the next day, never answered: by 30 November both are late.
fn late_case(store: &onedoor::store::Store) {
    let config = counter_config();
    let w = onedoor::window::Window::new(store, &config);
    let at = |d: &str| chrono::DateTime::parse_from_rfc3339(&format!("2026-11-{d}T09:00:00+08:00")).unwrap();
    let c = w.accept(input("孙丽", "34052419800101001X", "temporary", "800", false, 1), "clerk01", at("02")).unwrap();
    w.act(&c.id, &onedoor::window::CaseAction::Refer(Some(onedoor::domain::Department::Health)), "clerk01", at("03"))
        .unwrap();
}

#[test]
fn the_overdue_list_says_what_is_late_and_opens_the_case() {
    for lang in LANGS {
        let mut h = Harness::prepared(lang, true, late_case);
        h.press(KeyCode::F(7));
        assert_eq!(h.counter.app().screen(), Screen::Overdue);
        let s = h.screen();
        assert!(s.contains("320106001-01-20261102-0001"), "{s}");
        assert!(s.contains("340524********001X"), "{s}");
        assert!(!s.contains("34052419800101001X"), "never the full number in a list");
        let late = match lang {
            Lang::ZhCn => "转介卫生健康逾期未复",
            Lang::En => "health has not answered",
        };
        assert!(s.contains(late), "{s}");
        assert!(!s.contains("王芳"), "today's cases are not late: {s}");
        snap(&mut h, "overdue");
        h.press(KeyCode::Enter);
        assert_eq!(h.counter.app().screen(), Screen::Detail);
        let s = h.screen();
        assert!(s.contains(if lang == Lang::ZhCn { "已超期" } else { "late" }), "{s}");
        h.press(KeyCode::Esc);
        assert_eq!(h.counter.app().screen(), Screen::Overdue);
        h.press(KeyCode::Esc);
        assert_eq!(h.counter.app().screen(), Screen::Queue);
    }
    let mut h = Harness::new(Lang::ZhCn, true);
    h.press(KeyCode::F(7));
    assert!(h.screen().contains("没有超期的案件"));
}

/// More overdue cases than the list holds: it shows the oldest ones and
/// says how many there are in all, in both languages.
#[test]
fn a_long_overdue_list_holds_the_oldest_cases_and_says_how_many_there_are() {
    use onedoor::ui::screens::overdue::SHOWN;
    let many = |store: &onedoor::store::Store| {
        let mut rng = onedoor::bench::Rng::new(3);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-09-01T09:00:00+08:00").unwrap();
        let cases: Vec<onedoor::domain::Case> = (1..=SHOWN as u32 + 3)
            .map(|seq| {
                let id = onedoor::domain::CaseId::new("320106001", 1, day, seq);
                let mut case = onedoor::bench::synthetic_case(&mut rng, id, u64::from(seq), at);
                (case.channel, case.state) = (onedoor::domain::Channel::Normal, State::Received);
                case
            })
            .collect();
        store.bulk_load(&cases).unwrap();
    };
    for (lang, title) in
        [(Lang::ZhCn, "共 1003 件, 显示最早的 1000 件"), (Lang::En, "1003 in all, the oldest 1000 shown")]
    {
        let mut h = Harness::prepared(lang, false, many);
        h.press(KeyCode::F(7));
        let s = h.screen();
        assert!(s.contains(title), "{s}");
        assert!(s.contains("320106001-01-20260901-0001"), "the oldest first: {s}");
        h.press(KeyCode::End);
        let s = h.screen();
        assert!(s.contains("320106001-01-20260901-1000"), "the last one held: {s}");
        assert!(!s.contains("320106001-01-20260901-1001"), "no more than it holds: {s}");
    }
}

/// A green-channel case received on Thursday 26 November and not yet helped:
/// the day help was due (the next working day) has passed, its due date has not.
fn green_case_not_helped(store: &onedoor::store::Store) {
    let config = counter_config();
    let w = onedoor::window::Window::new(store, &config);
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-26T09:00:00+08:00").unwrap();
    let c = w.accept(input("周红", "320102197003150026", "temporary", "800", true, 1), "clerk01", at).unwrap();
    let deadlines = w.deadlines(&c, now().date_naive());
    assert_eq!(deadlines.help.map(|h| h.1), Some(onedoor::domain::policy::DeadlineStatus::Breached));
    assert_ne!(deadlines.due.map(|d| d.1), Some(onedoor::domain::policy::DeadlineStatus::Breached));
}

#[test]
fn a_green_case_late_only_on_its_help_by_day_is_listed_with_that_reason() {
    for (lang, reason) in [(Lang::ZhCn, "救助时限 11-27 已过"), (Lang::En, "help by 11-27 passed")] {
        let mut h = Harness::prepared(lang, true, green_case_not_helped);
        h.press(KeyCode::F(7));
        let s = h.screen();
        let at = s.lines().position(|l| l.contains("320106001-01-20261126-0001")).unwrap_or_else(|| panic!("{s}"));
        let why = s.lines().nth(at + 1).unwrap_or_default();
        assert!(why.contains(reason), "the second line says what is late: {why}\n{s}");
    }
}

#[test]
fn the_refer_popup_offers_the_department_the_district_policy_names() {
    // A district that refers temporary assistance to the charity federation.
    let district = onedoor::domain::policy::DEFAULT_POLICY_TOML
        .replace("version = \"builtin-2026.1\"", "version = \"district-2026\"")
        .replace("effective_from = 2026-01-01", "effective_from = 2026-06-01")
        .replace("# disaster = \"civil_affairs\"", "temporary = \"charity\"");
    let mut book = onedoor::domain::policy::PolicyBook::builtin();
    book.add(onedoor::domain::policy::Policy::from_toml(&district).unwrap()).unwrap();
    let config = counter_config();
    let mut h = Harness::with_policies(Lang::ZhCn, false, book.clone());
    let w = onedoor::window::Window::with_policies(&h.store, &config, &book);
    w.accept(input("王芳", "11010519491231002X", "temporary", "800", false, 1), "clerk01", now()).unwrap();
    h.send(onedoor::ui::Msg::StoreChanged);
    h.open_case(0); // temporary assistance, judged by the district's policy
    h.press(KeyCode::Char('r'));
    let s = h.screen();
    let chosen = s.lines().find(|l| l.contains("慈善总会")).unwrap_or_else(|| panic!("{s}"));
    h.press(KeyCode::Enter);
    let id = h.detail_id();
    assert_eq!(
        h.store.case(&id).unwrap().unwrap().referrals[0].department,
        onedoor::domain::Department::Charity,
        "Enter refers to the preselected department ({chosen})"
    );
}

#[test]
fn hints_name_the_keys_of_the_active_keymap() {
    use onedoor::ui::{Clock, Counter, Keymap, Setup, Theme};
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        onedoor::store::Store::open(&dir.path().join("store"), &onedoor::store::StoreOptions::default()).unwrap(),
    );
    let mut counter = Counter::new(Setup {
        store,
        counter: counter_config(),
        operator: "clerk01".into(),
        lang: Lang::ZhCn,
        keymap: Keymap::load("laptop").unwrap(),
        theme: Theme::mono(),
        clock: Clock::Fixed(now()),
        data_dir: dir.path().to_path_buf(),
        policies: std::sync::Arc::new(onedoor::window::builtin_policies().clone()),
    });
    counter.work_without_operators();
    let key = |code, mods| crossterm::event::Event::Key(crossterm::event::KeyEvent::new(code, mods));
    counter.handle_event(key(KeyCode::Char('n'), KeyModifiers::CONTROL));
    for c in "王芳".chars() {
        counter.handle_event(key(KeyCode::Char(c), KeyModifiers::NONE));
    }
    counter.handle_event(key(KeyCode::Char('4'), KeyModifiers::ALT));
    let said = counter.app().message().map(|m| m.text.clone()).unwrap_or_default();
    assert_eq!(said, "登记表已挂起，按 Alt+6 取回。", "the laptop map recalls with Alt+6, not F6");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    counter.handle_event(key(KeyCode::Char('6'), KeyModifiers::ALT));
    counter.handle_event(key(KeyCode::Esc, KeyModifiers::NONE));
    counter.handle_event(key(KeyCode::Enter, KeyModifiers::NONE));
    terminal.draw(|f| counter.render(f, f.area())).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("按 Alt+5 叫号") && screen.contains("Ctrl+N 直接登记"), "{screen}");
}

#[test]
fn a_case_due_tomorrow_is_marked_in_the_queue() {
    // A district policy with a one-day limit for temporary help.
    let tight = onedoor::domain::policy::DEFAULT_POLICY_TOML
        .replace("version = \"builtin-2026.1\"", "version = \"tight-2026\"")
        .replace("effective_from = 2026-01-01", "effective_from = 2026-06-01")
        .replace(
            "[steps.temporary]\naccept = 1\nreview = 9\napprove = 5",
            "[steps.temporary]\naccept = 1\nreview = 0\napprove = 0",
        );
    let mut book = onedoor::domain::policy::PolicyBook::builtin();
    book.add(onedoor::domain::policy::Policy::from_toml(&tight).unwrap()).unwrap();
    let mut h = Harness::with_policies(Lang::ZhCn, false, book);
    h.press(KeyCode::F(2));
    h.type_text("34052419800101001X");
    h.tab(1);
    h.type_text("孙丽");
    h.tab(7);
    h.type_text("800");
    h.press(KeyCode::F(10));
    h.press(KeyCode::Esc);
    let s = h.screen();
    let line = s.lines().find(|l| l.contains("孙丽")).unwrap().to_string();
    assert!(line.contains("12-01*"), "marked, readable without colour: {line}");
    assert!(s.contains("*将到期"), "the marks are explained: {s}");
}

#[test]
fn the_fund_balance_shows_from_the_start() {
    let mut h = Harness::new(Lang::ZhCn, true);
    assert!(h.screen().contains("备用金 500000.00元"));
}

#[test]
fn reprint_without_a_printer_says_so() {
    let mut h = Harness::new(Lang::En, true);
    h.open_case(0);
    h.press(KeyCode::Char('p'));
    assert!(h.screen().contains("No printer is connected"));
}

#[test]
fn a_green_case_not_yet_paid_shows_the_day_help_is_due() {
    let mut h = Harness::new(Lang::En, true);
    h.open_case(1); // 李明, green channel, approved today, not paid
    let s = h.screen();
    let line = s.lines().find(|l| l.contains("help by")).unwrap_or_else(|| panic!("{s}"));
    assert!(line.contains("2026-12-01 due soon"), "{line}");
    // Paid, only the review's due date is left.
    let id = h.counter.app().detail().unwrap().case.id.clone();
    let counter = onedoor::config::CounterConfig::default();
    let window = onedoor::window::Window::new(&h.store, &counter);
    window.pay(&id, Some(onedoor::window::MoneySource::ReliefFund), None, "clerk01", now()).unwrap();
    h.press(KeyCode::Esc);
    h.open_case(1);
    assert!(!h.screen().contains("help by"), "{}", h.screen());
}

// ---------------------------------------------------------------------------
// What the intake form asks for each kind: household members, the rural
// class, the full-standard category, the support mode, the hospital bill.

use onedoor::domain::case::Flag;
use onedoor::domain::policy::{BillItem, SupportMode};
use onedoor::domain::Kind;
use onedoor::ui::form::Field;

/// Tabs to a field of the form, as a clerk would; fails if it never gets the focus.
fn focus_on(h: &mut Harness, field: Field) {
    for _ in 0..80 {
        if h.counter.app().intake().expect("the form is open").focus == field {
            return;
        }
        h.press(KeyCode::Tab);
    }
    panic!("{field:?} never got the focus");
}

/// Chooses the kind of assistance with the arrow keys.
fn choose_kind(h: &mut Harness, kind: Kind) {
    focus_on(h, Field::Kind);
    for _ in 0..Kind::ALL.len() {
        if h.counter.app().intake().unwrap().form.kind == kind {
            return;
        }
        h.press(KeyCode::Right);
    }
    panic!("{kind:?} is not offered");
}

/// A new form with the applicant and the household's size filled in.
fn new_applicant(h: &mut Harness, id: &str, name: &str, household: &str) {
    h.press(KeyCode::F(2));
    h.type_text(id);
    h.tab(1);
    h.type_text(name);
    focus_on(h, Field::HouseholdSize);
    h.press(KeyCode::Backspace);
    h.type_text(household);
}

fn type_in(h: &mut Harness, field: Field, text: &str) {
    focus_on(h, field);
    h.type_text(text);
}

/// The entitlement line as the clerk sees it.
fn entitlement_line(h: &mut Harness) -> String {
    let label = if h.lang == Lang::ZhCn { "测算待遇" } else { "Entitlement" };
    let s = h.screen();
    s.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("no entitlement line: {s}")).to_string()
}

/// The banner line (under the title) as the clerk sees it.
fn banner_line(h: &mut Harness) -> String {
    h.screen().lines().nth(2).unwrap().to_string()
}

/// The case just saved (the only one of the new applicant today).
fn saved_case(h: &Harness, name: &str) -> onedoor::domain::Case {
    let today = h.store.cases_on_day(now().date_naive()).unwrap();
    let new = today.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} was not saved"));
    h.store.case(&new.id).unwrap().unwrap()
}

#[test]
fn a_household_member_with_an_earlier_case_is_named_in_the_banner_and_saved() {
    for lang in LANGS {
        let mut h = Harness::new(lang, true);
        // 王芳 had temporary assistance for a serious illness this morning; now her son asks.
        let earlier = "320106001-01-20261130-0001";
        new_applicant(&mut h, "34052419800101001X", "赵建国", "3");
        assert!(!banner_line(&mut h).contains(earlier));
        type_in(&mut h, Field::Member(0), "11010519491231002X 王芳 母亲");
        // Found through the member at once, before the form is complete.
        let banner = banner_line(&mut h);
        let household =
            if lang == Lang::ZhCn { "注意：本户已有 1 件案件" } else { "Note: 1 case(s) in the household" };
        assert!(banner.contains(household) && banner.contains(earlier), "{banner}");
        // Complete, the policy's check says it is a possible duplicate that needs a supervisor.
        type_in(&mut h, Field::RequestedAmount, "1000");
        let banner = banner_line(&mut h);
        let blocks = if lang == Lang::ZhCn {
            "疑似重复救助，须主管放行"
        } else {
            "Possible duplicate, supervisor needed"
        };
        assert!(banner.contains(blocks) && banner.contains(earlier), "{banner}");
        h.press(KeyCode::F(10));
        assert!(matches!(h.counter.app().popup(), Some(Popup::Override { .. })), "{:?}", h.counter.app().message());
        assert!(h.store.cases_on_day(now().date_naive()).unwrap().iter().all(|c| c.name != "赵建国"));
        h.type_text("母子分户，另行核实");
        h.press(KeyCode::Enter);
        let case = saved_case(&h, "赵建国");
        assert_eq!(case.household.size, 3);
        assert_eq!(case.household.members.len(), 1);
        let m = &case.household.members[0];
        assert_eq!(
            (m.id_number.as_str(), m.name.as_str(), m.relation.as_str()),
            ("11010519491231002X", "王芳", "母亲")
        );
        assert_eq!(case.related_cases.iter().map(|c| c.as_str()).collect::<Vec<_>>(), [earlier]);
        assert!(case.entitlement.unwrap().flags.contains(&Flag::PossibleDuplicate));
    }
}

#[test]
fn several_earlier_cases_show_the_first_ids_and_how_many_more() {
    let mut h = Harness::new(Lang::En, true);
    // 王芳 (temporary) and 张秀英 (dibao) are both in the new applicant's household.
    new_applicant(&mut h, "34052419800101001X", "赵建国", "3");
    type_in(&mut h, Field::Member(0), "11010519491231002X 王芳 mother");
    type_in(&mut h, Field::Member(1), "110101199003070011 张秀英 wife");
    let banner = banner_line(&mut h);
    assert!(banner.contains("Note: 2 case(s) in the household: 320106001-01-20261130-0003 +1 more"), "{banner}");
}

#[test]
fn a_wrong_member_id_number_is_named_inline_and_nothing_is_saved() {
    for lang in LANGS {
        let mut h = Harness::new(lang, false);
        new_applicant(&mut h, "34052419800101001X", "赵建国", "2");
        type_in(&mut h, Field::RequestedAmount, "800");
        type_in(&mut h, Field::Member(0), "1101A");
        let inline = match lang {
            Lang::ZhCn => "成员1：第 5 位「A」不是数字",
            Lang::En => "Member 1: character 5 'A' is not a digit",
        };
        assert!(h.screen().contains(inline), "{}", h.screen());
        // Still said when the focus is elsewhere.
        h.tab(1);
        assert!(h.screen().contains(inline), "{}", h.screen());
        h.press(KeyCode::F(10));
        assert_eq!(h.store.case_count(), 0);
        let app = h.counter.app();
        assert_eq!(app.screen(), Screen::Intake);
        assert_eq!(app.intake().unwrap().focus, Field::Member(0));
        let said = app.message().map(|m| m.text.clone()).unwrap_or_default();
        let expected = match lang {
            Lang::ZhCn => "成员1身份证号：第 5 位「A」不是数字",
            Lang::En => "Member 1's ID number: character 5 'A' is not a digit",
        };
        assert_eq!(said, expected);
        // A mistyped digit is caught by the check character, named the same way.
        h.press(KeyCode::End);
        for _ in 0..5 {
            h.press(KeyCode::Backspace);
        }
        h.type_text("110105194912310021 王芳 母亲");
        let check = match lang {
            Lang::ZhCn => "成员1：校验位应为 X 而非 1",
            Lang::En => "Member 1: check character should be X, not 1",
        };
        assert!(h.screen().contains(check), "{}", h.screen());
        h.press(KeyCode::F(10));
        assert_eq!(h.store.case_count(), 0);
        // Without name and relation the member is not complete.
        h.press(KeyCode::Home);
        for _ in 0..18 {
            h.press(KeyCode::Delete);
        }
        h.type_text("11010519491231002X");
        h.press(KeyCode::End);
        for _ in 0.."王芳 母亲".chars().count() {
            h.press(KeyCode::Backspace);
        }
        h.press(KeyCode::F(10));
        assert_eq!(h.store.case_count(), 0);
        let said = h.message();
        let needs = if lang == Lang::ZhCn {
            "成员1：身份证号后须写姓名和关系"
        } else {
            "Member 1: the name and relation"
        };
        assert!(said.starts_with(needs), "{said}");
    }
}

#[test]
fn rural_dibao_class_two_for_three_persons_is_computed_live_and_saved() {
    for lang in LANGS {
        let mut h = Harness::new(lang, false);
        new_applicant(&mut h, "34052419800101001X", "赵建国", "3");
        focus_on(&mut h, Field::Residence);
        h.press(KeyCode::Right); // rural
        choose_kind(&mut h, Kind::Dibao);
        type_in(&mut h, Field::RequestedAmount, "150");
        // No class yet: nothing is due until the review sets it.
        let line = entitlement_line(&mut h);
        let none = if lang == Lang::ZhCn { "0.00元  [不符合条件]" } else { "0.00 yuan  [not eligible]" };
        assert!(line.contains(none), "{line}");
        focus_on(&mut h, Field::RuralClass);
        h.press(KeyCode::Right);
        h.press(KeyCode::Right);
        // Class 2 of the built-in policy is 50 a person a month: 3 x 50.
        let s = h.screen();
        let class = if lang == Lang::ZhCn { "< 二类 每人50.00元 >" } else { "< class 2 (50.00/person) >" };
        assert!(s.contains(class), "{s}");
        let line = entitlement_line(&mut h);
        let due = if lang == Lang::ZhCn { "测算待遇: 150.00元" } else { "Entitlement: 150.00 yuan" };
        assert!(line.contains(due), "{line}");
        if lang == Lang::En {
            assert!(line.contains("rural dibao, class 2: 50.00 x 3 persons"), "{line}");
        }
        type_in(&mut h, Field::Member(0), "110101199003070011 张秀英 妻子");
        snap(&mut h, "intake_rural_dibao");
        h.press(KeyCode::F(10));
        let case = saved_case(&h, "赵建国");
        assert_eq!(case.kind, Kind::Dibao);
        assert_eq!(case.assessment.rural_class, Some(2));
        assert_eq!(case.entitlement.unwrap().amount.to_string(), "150.00");
        assert_eq!(case.household.members[0].name, "张秀英");
    }
}

/// 张秀英's dibao, approved: her household receives the minimum living allowance.
fn dibao_household(store: &onedoor::store::Store) {
    let config = counter_config();
    let w = onedoor::window::Window::new(store, &config);
    let op = "clerk01";
    let c = w.accept(input("张秀英", "110101199003070011", "dibao", "120", false, 1), op, at("08:10:00")).unwrap();
    for a in [
        onedoor::window::CaseAction::Refer(None),
        onedoor::window::CaseAction::Review(None),
        onedoor::window::CaseAction::Approve(None),
    ] {
        w.act(&c.id, &a, op, at("08:20:00")).unwrap();
    }
}

#[test]
fn medical_relief_for_a_dibao_household_totals_the_bill_live_and_saves_it() {
    for lang in LANGS {
        let mut h = Harness::prepared(lang, false, dibao_household);
        new_applicant(&mut h, "34052419800101001X", "赵建国", "3");
        choose_kind(&mut h, Kind::Medical);
        type_in(&mut h, Field::RequestedAmount, "1600");
        // Registration waived (100%), bed 50%, surgery 30%, drugs 10% off, by the built-in policy.
        type_in(&mut h, Field::Bill(BillItem::Registration), "20");
        type_in(&mut h, Field::Bill(BillItem::Bed), "1200");
        type_in(&mut h, Field::Bill(BillItem::Surgery), "3000");
        type_in(&mut h, Field::Bill(BillItem::Drugs), "800");
        // Not yet known to receive dibao: the discounts are not for this household.
        let line = entitlement_line(&mut h);
        assert!(line.contains(if lang == Lang::ZhCn {
            "0.00元  [不符合条件]"
        } else {
            "0.00 yuan  [not eligible]"
        }));
        // His wife receives dibao: 20 + 600 + 900 + 80.
        type_in(&mut h, Field::Member(0), "110101199003070011 张秀英 妻子");
        let line = entitlement_line(&mut h);
        let due = if lang == Lang::ZhCn {
            "测算待遇: 1600.00元  [已享低保]"
        } else {
            "Entitlement: 1600.00 yuan  [receives dibao]"
        };
        assert!(line.contains(due), "{line}");
        // Each line shows its discount and, now that they apply, its relief.
        let s = h.screen();
        let bed = s.lines().find(|l| l.contains(if lang == Lang::ZhCn { "床位费" } else { " Bed " })).unwrap();
        let relief = if lang == Lang::ZhCn { "减免50%=600.00" } else { "50% off: 600.00" };
        assert!(bed.contains("1200") && bed.contains(relief), "{s}");
        snap(&mut h, "intake_medical");
        h.press(KeyCode::F(10));
        let case = saved_case(&h, "赵建国");
        let e = case.entitlement.clone().unwrap();
        assert_eq!(e.amount.to_string(), "1600.00");
        assert!(e.flags.contains(&Flag::ReceivesDibao));
        assert!(e.basis.contains("total relief 1600.00 of a bill of 5020.00"), "{}", e.basis);
        let lines: Vec<(BillItem, String)> =
            case.assessment.hospital_bill.iter().map(|l| (l.item, l.amount.to_string())).collect();
        assert_eq!(
            lines,
            [
                (BillItem::Registration, "20.00".to_string()),
                (BillItem::Bed, "1200.00".into()),
                (BillItem::Surgery, "3000.00".into()),
                (BillItem::Drugs, "800.00".into()),
            ]
        );
    }
}

#[test]
fn each_kind_asks_only_for_what_its_policy_needs() {
    let mut h = Harness::new(Lang::ZhCn, false);
    new_applicant(&mut h, "34052419800101001X", "赵建国", "1");
    type_in(&mut h, Field::RequestedAmount, "240");
    let labels = ["低保类别", "全额对象", "供养方式", "床位费"];
    let shown = |h: &mut Harness| -> Vec<&str> {
        let s = h.screen();
        labels.iter().copied().filter(|l| s.contains(l)).collect()
    };
    assert!(shown(&mut h).is_empty(), "temporary assistance needs none of them");
    choose_kind(&mut h, Kind::Dibao);
    assert_eq!(shown(&mut h), ["全额对象"]);
    // An orphan in town gets the full standard whatever the income.
    focus_on(&mut h, Field::Category);
    h.press(KeyCode::Right);
    h.press(KeyCode::Right);
    assert!(h.screen().contains("< 孤儿 >"));
    assert!(entitlement_line(&mut h).contains("240.00元  [全额标准]"));
    choose_kind(&mut h, Kind::SpecialHardship);
    assert_eq!(shown(&mut h), ["供养方式"]);
    focus_on(&mut h, Field::Support);
    h.press(KeyCode::Right);
    h.press(KeyCode::Right);
    assert!(h.screen().contains("< 分散供养 >"));
    assert!(entitlement_line(&mut h).contains("1300.00元"), "dispersed support is 1300 a year");
    choose_kind(&mut h, Kind::Medical);
    assert_eq!(shown(&mut h), ["全额对象", "供养方式", "床位费"]);
    // Special hardship makes the applicant a minimum-living recipient for the bill discounts.
    type_in(&mut h, Field::Bill(BillItem::Bed), "1000");
    assert!(entitlement_line(&mut h).contains("500.00元"));
    h.press(KeyCode::F(10));
    let case = saved_case(&h, "赵建国");
    assert_eq!(case.assessment.support, Some(SupportMode::Dispersed));
    // What does not apply to medical relief is not carried over.
    assert!(case.assessment.rural_class.is_none());
}

#[test]
fn a_long_form_scrolls_so_the_focused_field_is_in_view() {
    for lang in LANGS {
        let mut h = Harness::new(lang, false);
        new_applicant(&mut h, "34052419800101001X", "赵建国", "6");
        choose_kind(&mut h, Kind::Medical);
        focus_on(&mut h, Field::Source);
        h.press(KeyCode::Right); // officer report: reporter and village too
        let (above, below) = match lang {
            Lang::ZhCn => ("上面还有", "下面还有"),
            Lang::En => ("more above", "more below"),
        };
        let s = h.screen();
        assert!(s.contains(below) && !s.contains(above), "{s}");
        // The last bill line, and the last member, each come into view with the cursor on it.
        for (field, label) in [
            (Field::Bill(BillItem::Drugs), if lang == Lang::ZhCn { "常规药品费" } else { "Drugs" }),
            (Field::Member(4), if lang == Lang::ZhCn { "成员5" } else { "Member 5" }),
        ] {
            focus_on(&mut h, field);
            h.type_text("8");
            let s = h.screen();
            let (_, y) = h.cursor();
            let row = s.lines().nth(y as usize).unwrap().to_string();
            assert!(row.contains(&format!(">{label}")), "{field:?} at row {y}: {s}");
            assert!(s.contains(above), "{s}");
            assert!(y < 21, "the cursor stays above the entitlement line: {s}");
        }
        // Back at the top, the first fields are there again.
        focus_on(&mut h, Field::Name);
        let s = h.screen();
        assert!(s.contains(">") && !s.contains(above), "{s}");
    }
}

#[test]
fn the_draft_keeps_the_members_and_the_assessment() {
    let mut h = Harness::new(Lang::ZhCn, false);
    new_applicant(&mut h, "34052419800101001X", "赵建国", "2");
    choose_kind(&mut h, Kind::Medical);
    focus_on(&mut h, Field::Support);
    h.press(KeyCode::Right);
    type_in(&mut h, Field::Bill(BillItem::Bed), "1200");
    type_in(&mut h, Field::Member(0), "110101199003070011 张秀英 妻子");
    h.counter.sync_draft();
    let mut again = open_counter(h.store.clone(), h.dir.path(), Lang::ZhCn);
    again.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let form = &again.app().intake().expect("restored").form;
    assert_eq!(form.kind, Kind::Medical);
    assert_eq!(form.members, ["110101199003070011 张秀英 妻子"]);
    assert_eq!(form.support, Some(SupportMode::Centralised));
    assert_eq!(form.bill.get(&BillItem::Bed).map(String::as_str), Some("1200"));
    // And on screen again.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| again.render(f, f.area())).unwrap();
    let s = t.backend().to_string();
    assert!(s.contains("110101199003070011 张秀英") && s.contains("< 集中供养 >") && s.contains("1200"), "{s}");
}

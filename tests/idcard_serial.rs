//! The ID card reader end to end through the real serial code: a simulated
//! reader drives the master end of a pseudo-terminal, the code under test
//! opens the slave by its path as it would open /dev/ttyUSB0.

mod reader_sim;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use onedoor::devices::idcard::{
    read_once, run_card_read, spawn, CardKind, CardSex, Command, FrameError, IdNumberCheck, ReadCommand, ReaderConfig,
    ReaderError, ReaderEvent, ReaderStatus, Status, Step, ValidUntil,
};
use onedoor::Lang;
use reader_sim::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const WAIT: Duration = Duration::from_millis(0);

// ---------------------------------------------------------------------------
// One read, end to end

#[test]
fn a_resident_card_is_read_end_to_end() {
    let sim = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    let card = read_once(&sim.config(), WAIT).unwrap();
    assert_eq!(card.kind, CardKind::Resident);
    assert_eq!(card.name, "李四");
    assert_eq!(card.sex, CardSex::Female);
    assert_eq!(card.ethnicity.as_ref().and_then(|e| e.name), Some("汉"));
    assert_eq!(card.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    assert_eq!(card.address.as_deref(), Some("北京市朝阳区示例路1号"));
    assert_eq!(card.id_number, "11010519491231002X");
    assert_eq!(card.id_number_check, IdNumberCheck::Valid);
    assert_eq!(card.issuing_authority.as_deref(), Some("北京市公安局朝阳分局"));
    assert_eq!(card.valid_until, ValidUntil::Date(NaiveDate::from_ymd_opt(2040, 1, 1).unwrap()));
    assert_eq!(card.photo_wlt, None, "the photo is not kept unless asked for");
    let order: Vec<Command> = sim.received.lock().unwrap().clone();
    assert_eq!(order, [Command::SAM_STATUS, Command::FIND_CARD, Command::SELECT_CARD, Command::READ_TEXT_AND_PHOTO]);
}

#[test]
fn the_photo_is_kept_when_asked_and_30_10_is_sent_when_configured() {
    let sim = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    let config = ReaderConfig { keep_photo: true, read_command: ReadCommand::WithFingerprints, ..sim.config() };
    let card = read_once(&config, WAIT).unwrap();
    let photo = card.photo_wlt.expect("photo kept");
    assert_eq!(photo.0.len(), 1024);
    assert_eq!(photo.0[..3], [0, 1, 2]);
    assert_eq!(sim.count(&Command::READ_WITH_FINGERPRINTS), 1);
    assert_eq!(sim.count(&Command::READ_TEXT_AND_PHOTO), 0);
}

#[test]
fn a_foreign_permanent_resident_card_is_read() {
    let sim = SimReader::start(Behaviour { card: Some(read_data(&foreigner_text())), ..Behaviour::default() });
    let card = read_once(&sim.config(), WAIT).unwrap();
    assert_eq!(card.kind, CardKind::ForeignPermanentResident);
    assert_eq!(card.english_name.as_deref(), Some("SMITH, JOHN PAUL"));
    assert_eq!(card.name, "史密斯");
    assert_eq!(card.sex, CardSex::Male);
    assert_eq!(card.id_number, "USA110079020101");
    assert_eq!(card.id_number_check, IdNumberCheck::NotApplicable);
    assert_eq!(card.nationality.as_deref(), Some("USA"));
    assert_eq!(card.birth_date, NaiveDate::from_ymd_opt(1979, 2, 1).unwrap());
    assert_eq!(card.valid_from, NaiveDate::from_ymd_opt(2017, 6, 1).unwrap());
    assert_eq!(card.accepting_authority_code.as_deref(), Some("1100"));
    assert_eq!(card.ethnicity, None);
    let shown = card.render(Lang::En, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert!(shown.contains("foreign permanent resident"), "{shown}");
    assert!(shown.contains("USA110079020101"), "{shown}");
}

#[test]
fn a_hong_kong_macau_taiwan_residence_permit_is_read_and_its_expiry_flagged() {
    let sim = SimReader::start(Behaviour { card: Some(read_data(&permit_text())), ..Behaviour::default() });
    let card = read_once(&sim.config(), WAIT).unwrap();
    assert_eq!(card.kind, CardKind::HkMacauTaiwanResidencePermit);
    assert_eq!(card.name, "陈大文");
    assert_eq!(card.id_number, "810000199003070015");
    assert_eq!(card.id_number_check, IdNumberCheck::Valid);
    assert_eq!(card.permit_number.as_deref(), Some("H12345678"));
    assert_eq!(card.issue_count.as_deref(), Some("01"));
    assert_eq!(card.ethnicity, None);
    let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    assert!(card.is_expired(today));
    assert!(!card.is_expired(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()), "valid through its last day");
    let shown = card.render(Lang::ZhCn, today);
    assert!(shown.contains("港澳台居民居住证"), "{shown}");
    assert!(shown.contains("已过有效期"), "{shown}");
}

#[test]
fn a_card_whose_number_does_not_check_is_read_but_flagged() {
    let text = resident_text("李四", "110105194912310021", "长期");
    let sim = SimReader::start(Behaviour { card: Some(read_data(&text)), ..Behaviour::default() });
    let card = read_once(&sim.config(), WAIT).unwrap();
    assert_eq!(card.id_number, "110105194912310021");
    assert!(matches!(card.id_number_check, IdNumberCheck::Invalid(_)));
    assert_eq!(card.valid_until, ValidUntil::LongTerm);
    let json = serde_json::to_value(&card).unwrap();
    assert!(json["id_number_check"]["invalid"].as_str().unwrap().contains("should be X"), "{json}");
}

// ---------------------------------------------------------------------------
// What goes wrong, said plainly

fn refused(behaviour: Behaviour) -> ReaderError {
    let sim = SimReader::start(behaviour);
    read_once(&sim.config(), WAIT).unwrap_err()
}

#[test]
fn no_card_on_the_reader() {
    let err = refused(Behaviour::default());
    assert_eq!(err, ReaderError::NoCard { waited: WAIT });
    assert!(err.message(Lang::ZhCn).contains("没有放身份证"), "{}", err.message(Lang::ZhCn));
}

#[test]
fn no_card_is_waited_for_then_given_up() {
    let sim = SimReader::start(Behaviour::default());
    let err = read_once(&sim.config(), Duration::from_millis(700)).unwrap_err();
    assert!(matches!(err, ReaderError::NoCard { .. }), "{err:?}");
    assert!(sim.count(&Command::FIND_CARD) >= 2, "it looked more than once while waiting");
}

#[test]
fn a_card_placed_while_waiting_is_read() {
    let sim = SimReader::start(Behaviour::default());
    let behaviour = sim.behaviour.clone();
    let placer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(400));
        behaviour.lock().unwrap().card = Some(li_si());
    });
    let card = read_once(&sim.config(), Duration::from_secs(5)).unwrap();
    placer.join().unwrap();
    assert_eq!(card.name, "李四");
}

#[test]
fn select_failed() {
    let err = refused(Behaviour { card: Some(li_si()), select: Status::SelectFailed, ..Behaviour::default() });
    assert_eq!(err, ReaderError::Refused { step: Step::SelectCard, status: Status::SelectFailed });
    assert!(err.message(Lang::ZhCn).contains("选取身份证失败"));
}

#[test]
fn read_failed() {
    let err = refused(Behaviour { card: Some(li_si()), read: Status::ReadFailed, ..Behaviour::default() });
    assert_eq!(err, ReaderError::Refused { step: Step::ReadCard, status: Status::ReadFailed });
    assert!(err.message(Lang::En).contains("lift it and place it again"));
}

#[test]
fn sam_not_authorised() {
    let err = refused(Behaviour { card: Some(li_si()), sam: Status::SamNotAuthorised, ..Behaviour::default() });
    assert_eq!(err, ReaderError::Refused { step: Step::SamCheck, status: Status::SamNotAuthorised });
    assert!(err.message(Lang::ZhCn).contains("未经授权"));
    assert!(err.is_reader_fault());
}

#[test]
fn sam_self_test_failed() {
    let err = refused(Behaviour { sam: Status::SamSelfTestFailed, ..Behaviour::default() });
    assert_eq!(err, ReaderError::Refused { step: Step::SamCheck, status: Status::SamSelfTestFailed });
    assert!(err.message(Lang::ZhCn).contains("自检失败"));
}

#[test]
fn the_reader_reports_a_checksum_error() {
    let err = refused(Behaviour { card: Some(li_si()), read: Status::ChecksumError, ..Behaviour::default() });
    assert_eq!(err, ReaderError::Refused { step: Step::ReadCard, status: Status::ChecksumError });
    assert!(err.message(Lang::ZhCn).contains("校验和错误"));
}

#[test]
fn a_damaged_answer_is_caught_by_our_checksum() {
    let err = refused(Behaviour { card: Some(li_si()), corrupt_read: true, ..Behaviour::default() });
    assert!(matches!(err, ReaderError::Garbled(FrameError::Checksum { .. })), "{err:?}");
    assert!(err.message(Lang::ZhCn).contains("校验和错误"));
}

#[test]
fn an_answer_in_small_delayed_pieces_is_reassembled() {
    let pieces = Some((37, Duration::from_millis(3)));
    let sim = SimReader::start(Behaviour { card: Some(li_si()), pieces, ..Behaviour::default() });
    assert_eq!(read_once(&sim.config(), WAIT).unwrap().name, "李四");
}

#[test]
fn an_answer_one_byte_at_a_time_is_reassembled() {
    // No card: every answer (SAM status, find) trickles in a byte at a time.
    let sim = SimReader::start(Behaviour { pieces: Some((1, Duration::from_millis(1))), ..Behaviour::default() });
    assert_eq!(read_once(&sim.config(), WAIT).unwrap_err(), ReaderError::NoCard { waited: WAIT });
}

#[test]
fn junk_before_a_frame_is_skipped() {
    let junk = vec![0x00, 0xAA, 0x13, 0xAA, 0xAA, 0x96, 0xFF, 0xAA];
    let sim = SimReader::start(Behaviour { card: Some(li_si()), junk, ..Behaviour::default() });
    assert_eq!(read_once(&sim.config(), WAIT).unwrap().name, "李四");
}

#[test]
fn a_reader_that_never_answers_gives_a_clear_error_in_time() {
    let sim = SimReader::start(Behaviour { silent: true, ..Behaviour::default() });
    let started = Instant::now();
    let err = read_once(&sim.config(), Duration::from_secs(5)).unwrap_err();
    assert_eq!(err, ReaderError::NoAnswer { port: sim.path.clone() });
    assert!(err.message(Lang::ZhCn).contains("没有应答"));
    // Not a performance assertion: only that it gave up instead of hanging on.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_missing_reader_is_named() {
    let err = read_once(&ReaderConfig::new("/dev/ttyUSB-onedoor-missing"), WAIT).unwrap_err();
    assert_eq!(err, ReaderError::NotFound { port: "/dev/ttyUSB-onedoor-missing".into() });
    assert!(err.message(Lang::ZhCn).contains("找不到身份证读卡器"));
    assert!(err.to_string().contains("plugged in"));
}

// ---------------------------------------------------------------------------
// The CLI pieces

#[test]
fn card_read_prints_json_for_scripts() {
    let sim = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    let mut out = Vec::new();
    run_card_read(&sim.config(), WAIT, day(2026, 3, 1), true, Lang::En, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["schema"], "onedoor.id_card/1");
    assert_eq!(json["kind"], "resident");
    assert_eq!(json["name"], "李四");
    assert_eq!(json["sex"], "female");
    assert_eq!(json["ethnicity"]["name"], "汉");
    assert_eq!(json["birth_date"], "1949-12-31");
    assert_eq!(json["id_number"], "11010519491231002X");
    assert_eq!(json["id_number_check"], "valid");
    assert_eq!(json["valid_until"], "2040-01-01");
    assert_eq!(json["expired"], false);
    assert_eq!(json["photo_wlt"], serde_json::Value::Null);
}

#[test]
fn card_read_prints_the_fields_for_a_clerk() {
    let sim = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    let mut out = Vec::new();
    run_card_read(&sim.config(), WAIT, day(2026, 3, 1), false, Lang::ZhCn, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for expected in
        ["姓名", "李四", "性别", "女", "汉族", "1949-12-31", "11010519491231002X", "2020-01-01 至 2040-01-01"]
    {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
}

#[test]
fn card_read_with_no_card_is_an_error_and_prints_nothing() {
    let sim = SimReader::start(Behaviour::default());
    let mut out = Vec::new();
    let err = run_card_read(&sim.config(), WAIT, day(2026, 3, 1), true, Lang::En, &mut out).unwrap_err();
    assert!(matches!(err, ReaderError::NoCard { .. }));
    assert!(out.is_empty());
}

#[test]
fn probing_a_port_says_whether_it_is_a_reader() {
    use onedoor::devices::idcard::{probe_port, PortFinding};
    let reader = SimReader::start(Behaviour::default());
    assert_eq!(probe_port(&reader.path, 115_200), PortFinding::IdCardReader);
    let mute = SimReader::start(Behaviour { silent: true, ..Behaviour::default() });
    assert_eq!(probe_port(&mute.path, 115_200), PortFinding::NoAnswer);
    let unauthorised = SimReader::start(Behaviour { sam: Status::SamNotAuthorised, ..Behaviour::default() });
    assert!(matches!(probe_port(&unauthorised.path, 115_200), PortFinding::ReaderNotReady(_)));
}

#[test]
fn probing_tries_the_configured_rate_then_115200_then_9600() {
    use onedoor::devices::idcard::{probe_port_at_rates, probe_rates, PortFinding};
    // A reader set to 57600, as the config says: found at the first try.
    let configured = SimReader::start(Behaviour { baud: Some(57_600), ..Behaviour::default() });
    assert_eq!(probe_port_at_rates(&configured.path, &probe_rates(57_600)), (PortFinding::IdCardReader, Some(57_600)));
    assert_eq!(*configured.bauds.lock().unwrap(), [57_600]);
    // A reader set to 9600 while the config says 115200: found at the second.
    let slow = SimReader::start(Behaviour { baud: Some(9_600), ..Behaviour::default() });
    assert_eq!(probe_port_at_rates(&slow.path, &probe_rates(115_200)), (PortFinding::IdCardReader, Some(9_600)));
    assert_eq!(*slow.bauds.lock().unwrap(), [115_200, 9_600]);
    // An unauthorised reader is a clear answer: no other rate is tried.
    let unauthorised = SimReader::start(Behaviour { sam: Status::SamNotAuthorised, ..Behaviour::default() });
    let (finding, baud) = probe_port_at_rates(&unauthorised.path, &probe_rates(115_200));
    assert!(matches!(finding, PortFinding::ReaderNotReady(_)), "{finding:?}");
    assert_eq!(baud, Some(115_200));
    assert_eq!(*unauthorised.bauds.lock().unwrap(), [115_200]);
    // Silence at every rate.
    let mute = SimReader::start(Behaviour { silent: true, ..Behaviour::default() });
    assert_eq!(probe_port_at_rates(&mute.path, &probe_rates(115_200)), (PortFinding::NoAnswer, None));
    assert_eq!(*mute.bauds.lock().unwrap(), [115_200, 9_600]);
}

// ---------------------------------------------------------------------------
// The reader thread

struct Events(mpsc::Receiver<ReaderEvent>);

impl Events {
    /// The next event matching `want`, skipping others; panics after 5 s.
    fn until(&self, what: &str, want: impl Fn(&ReaderEvent) -> bool) -> ReaderEvent {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(event) if want(&event) => return event,
                Ok(_) => {}
                Err(_) => panic!("no {what} event within 5 s"),
            }
        }
    }

    fn rest(&self) -> Vec<ReaderEvent> {
        self.0.try_iter().collect()
    }
}

fn start_thread(config: ReaderConfig) -> (onedoor::devices::idcard::ReaderHandle, Events) {
    let (tx, rx) = mpsc::channel();
    let handle = spawn(config, move |event| {
        let _ = tx.send(event);
    });
    (handle, Events(rx))
}

fn is_ready(e: &ReaderEvent) -> bool {
    matches!(e, ReaderEvent::Status(ReaderStatus::Ready))
}

fn is_card(e: &ReaderEvent) -> bool {
    matches!(e, ReaderEvent::Card(_))
}

fn is_disconnected(e: &ReaderEvent) -> bool {
    matches!(e, ReaderEvent::Status(ReaderStatus::Disconnected { .. }))
}

/// Waits (at most 5 s) until the simulator has seen `n` more of `command`.
fn wait_for_commands(sim: &SimReader, command: &Command, n: usize) {
    let target = sim.count(command) + n;
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.count(command) < target {
        assert!(Instant::now() < deadline, "the reader thread stopped sending {command:?}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_thread_reads_a_card_when_wanted_and_not_twice_until_lifted() {
    let sim = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    let (handle, events) = start_thread(sim.config());
    assert_eq!(events.until("status", |_| true), ReaderEvent::Status(ReaderStatus::Connecting));
    events.until("ready", is_ready);
    // Nobody wants a card yet: the card on the reader is left alone.
    assert_eq!(sim.count(&Command::FIND_CARD), 0);

    handle.set_wanted(true);
    match events.until("card", is_card) {
        ReaderEvent::Card(card) => assert_eq!(card.name, "李四"),
        other => panic!("{other:?}"),
    }
    // The card stays on the reader: it is polled but not read again.
    wait_for_commands(&sim, &Command::FIND_CARD, 3);
    assert_eq!(sim.count(&Command::READ_TEXT_AND_PHOTO), 1);
    assert!(!events.rest().iter().any(is_card), "the same card was reported twice");

    // Lifted, then placed again: read again.
    sim.set(|b| b.card = None);
    wait_for_commands(&sim, &Command::FIND_CARD, 2);
    sim.set(|b| b.card = Some(li_si()));
    events.until("second card", is_card);
    assert_eq!(sim.count(&Command::READ_TEXT_AND_PHOTO), 2);

    // Not wanted any more: polling stops.
    handle.set_wanted(false);
    thread::sleep(Duration::from_millis(400));
    let finds = sim.count(&Command::FIND_CARD);
    thread::sleep(Duration::from_millis(800));
    assert_eq!(sim.count(&Command::FIND_CARD), finds, "still polling when no screen wants a card");
}

#[test]
fn a_card_that_keeps_failing_is_reported_once() {
    let sim = SimReader::start(Behaviour { card: Some(li_si()), read: Status::ReadFailed, ..Behaviour::default() });
    let (handle, events) = start_thread(sim.config());
    handle.set_wanted(true);
    match events.until("failure", |e| matches!(e, ReaderEvent::Failed(_))) {
        ReaderEvent::Failed(e) => {
            assert_eq!(e, ReaderError::Refused { step: Step::ReadCard, status: Status::ReadFailed })
        }
        other => panic!("{other:?}"),
    }
    let reads = sim.count(&Command::READ_TEXT_AND_PHOTO);
    assert_eq!(reads, 3, "a few quiet retries before telling the clerk");
    wait_for_commands(&sim, &Command::FIND_CARD, 3);
    assert_eq!(sim.count(&Command::READ_TEXT_AND_PHOTO), reads, "given up until the card is lifted");
    assert!(!events.rest().iter().any(|e| matches!(e, ReaderEvent::Failed(_))));
}

#[test]
fn an_unauthorised_reader_is_shown_as_unavailable() {
    let sim = SimReader::start(Behaviour { sam: Status::SamNotAuthorised, ..Behaviour::default() });
    let (_handle, events) = start_thread(sim.config());
    match events.until("disconnected", is_disconnected) {
        ReaderEvent::Status(status) => {
            let shown = status.message(Lang::ZhCn);
            assert!(shown.contains("读卡器不可用") && shown.contains("未经授权"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unplugging_shows_disconnected_and_plugging_back_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyIDCARD");
    let first = SimReader::start(Behaviour::default());
    std::os::unix::fs::symlink(&first.path, &link).unwrap();
    let config = ReaderConfig::new(link.to_string_lossy());
    let (handle, events) = start_thread(config);
    events.until("ready", is_ready);
    handle.set_wanted(true);
    wait_for_commands(&first, &Command::FIND_CARD, 1);

    // Unplugged: the pty goes away and the path dangles.
    drop(first);
    match events.until("disconnected", is_disconnected) {
        ReaderEvent::Status(status) => {
            assert!(status.message(Lang::ZhCn).contains("读卡器已断开"), "{}", status.message(Lang::ZhCn));
        }
        other => panic!("{other:?}"),
    }

    // Plugged back (a new device node behind the same path), with a card on it.
    let second = SimReader::start(Behaviour { card: Some(li_si()), ..Behaviour::default() });
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&second.path, &link).unwrap();
    events.until("ready again", is_ready);
    events.until("card from the new reader", is_card);
}

#[test]
fn unplugging_an_idle_reader_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyIDCARD");
    let sim = SimReader::start(Behaviour::default());
    std::os::unix::fs::symlink(&sim.path, &link).unwrap();
    let (_handle, events) = start_thread(ReaderConfig::new(link.to_string_lossy()));
    events.until("ready", is_ready);
    drop(sim);
    events.until("disconnected", is_disconnected);
}

#[test]
fn a_reader_absent_at_start_is_reported_then_found() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyIDCARD");
    let (_handle, events) = start_thread(ReaderConfig::new(link.to_string_lossy()));
    match events.until("disconnected", is_disconnected) {
        ReaderEvent::Status(ReaderStatus::Disconnected { reason }) => {
            assert!(matches!(reason, ReaderError::NotFound { .. }), "{reason:?}")
        }
        other => panic!("{other:?}"),
    }
    let sim = SimReader::start(Behaviour::default());
    std::os::unix::fs::symlink(&sim.path, &link).unwrap();
    events.until("ready", is_ready);
}

#[test]
fn dropping_the_handle_stops_the_thread() {
    let sim = SimReader::start(Behaviour::default());
    let (handle, events) = start_thread(sim.config());
    events.until("ready", is_ready);
    drop(handle);
    // The thread is gone: its end of the channel is closed.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match events.0.recv_timeout(Duration::from_millis(100)) {
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            _ => assert!(Instant::now() < deadline, "the reader thread outlived its handle"),
        }
    }
}

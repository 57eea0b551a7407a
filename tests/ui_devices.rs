//! The counter wired to its devices exactly as the terminal runner wires it
//! (`ui::wiring::connect`): an ID card reader simulated on a pseudo-terminal,
//! printers as a file, as `none` and on 127.0.0.1 answering DLE EOT. What the
//! clerk sees is checked on the screen, what was printed in the bytes, and
//! what was kept pending in the store.

mod printer_sim;
mod ui_common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use onedoor::config::{Config, Paths};
use onedoor::devices::idcard::{Command, FrameDecoder, Response, Status};
use onedoor::domain::policy::PolicyBook;
use onedoor::session::Session;
use onedoor::ui::{wiring, Msg, Popup, Screen};
use onedoor::Lang;
use printer_sim::{tcp_printer, PAPER_OUT, READY};
use serialport::{SerialPort, TTYPort};
use ui_common::*;

// ---------------------------------------------------------------------------
// Helpers

fn context(data: &Path, printer: &str, reader: Option<String>) -> Session {
    let mut config = Config::default();
    config.devices.printer = printer.to_string();
    config.devices.id_reader = reader;
    Session::from_parts(
        config,
        Paths { config: None, data: data.to_path_buf() },
        "clerk01".into(),
        now(),
        PolicyBook::builtin(),
        Lang::ZhCn,
    )
}

/// Applies what the device threads send, as the runner's loop does, until the
/// clerk would see `what` (generous limit: a stuck thread fails, a slow machine does not).
fn pump_until(h: &mut Harness, rx: &Receiver<Msg>, what: &str, mut done: impl FnMut(&mut Harness) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "never saw {what}; the screen:\n{}", h.screen());
        if let Ok(m) = rx.recv_timeout(left.min(Duration::from_millis(200))) {
            h.send(m);
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn gb18030(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

/// A complete intake for a new person, typed as a clerk would.
fn type_intake(h: &mut Harness) {
    h.press(KeyCode::F(2));
    h.type_text("34052419800101001X");
    h.tab(1);
    h.type_text("赵建国");
    h.tab(7);
    h.type_text("800");
}

// ---------------------------------------------------------------------------
// The simulated ID card reader (after tests/idcard_serial.rs)

fn put(block: &mut [u8; 256], offset: usize, len: usize, text: &str) {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    units.resize(len / 2, 0x20);
    for (i, u) in units.iter().enumerate() {
        block[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
}

fn card(name: &str, id_number: &str, valid_until: &str) -> Vec<u8> {
    let mut b = [0u8; 256];
    put(&mut b, 0, 256, "");
    put(&mut b, 0, 30, name);
    put(&mut b, 30, 2, "2");
    put(&mut b, 32, 4, "01");
    put(&mut b, 36, 16, "19491231");
    put(&mut b, 52, 70, "北京市朝阳区示例路1号");
    put(&mut b, 122, 36, id_number);
    put(&mut b, 158, 30, "北京市公安局朝阳分局");
    put(&mut b, 188, 16, "20100101");
    put(&mut b, 204, 16, valid_until);
    let mut data = vec![0x01, 0x00, 0x04, 0x00];
    data.extend_from_slice(&b);
    data.extend((0..1024).map(|i| (i % 251) as u8));
    data
}

struct SimReader {
    path: String,
    finds: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _slave: TTYPort,
}

impl SimReader {
    /// A reader with `card` lying on it.
    fn start(card: Vec<u8>) -> SimReader {
        SimReader::answering_after(card, Duration::ZERO)
    }

    /// A reader that takes `delay` to answer each frame.
    fn answering_after(card: Vec<u8>, delay: Duration) -> SimReader {
        let (mut master, slave) = TTYPort::pair().unwrap();
        let path = slave.name().unwrap();
        master.set_timeout(Duration::from_millis(20)).unwrap();
        let finds = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (finds, stop) = (finds.clone(), stop.clone());
            thread::spawn(move || {
                let mut decoder = FrameDecoder::new();
                let mut buf = [0u8; 256];
                while !stop.load(Ordering::SeqCst) {
                    match master.read(&mut buf) {
                        Ok(n) => decoder.push(&buf[..n]),
                        Err(_) => continue,
                    }
                    while let Some(frame) = decoder.next_frame() {
                        let Ok(command) = frame.and_then(|p| Command::from_payload(&p)) else { continue };
                        let answer = match (command.cmd, command.para) {
                            (0x11, 0xFF) => Response::new(Status::Success, vec![]),
                            (0x20, 0x01) => {
                                *finds.lock().unwrap() += 1;
                                Response::new(Status::CardFound, vec![0; 4])
                            }
                            (0x20, 0x02) => Response::new(Status::Success, vec![0; 8]),
                            (0x30, 0x01) => Response::new(Status::Success, card.clone()),
                            _ => Response::new(Status::BadCommand, vec![]),
                        };
                        // A slow reader: the answer comes after the delay it is built with.
                        thread::sleep(delay);
                        let _ = master.write_all(&answer.encode());
                    }
                }
            })
        };
        SimReader { path, finds, stop, thread: Some(thread), _slave: slave }
    }
}

impl Drop for SimReader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------
// The ID card reader

#[test]
fn a_card_on_the_reader_fills_the_open_form_and_the_status_line_says_ready() {
    let sim = SimReader::start(card("李四", "11010519491231002X", "20400101"));
    let mut h = Harness::new(Lang::ZhCn, false);
    let ctx = context(h.dir.path(), "none", Some(sim.path.clone()));
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the reader ready", |h| h.screen().contains("读卡器 就绪"));
    // On the queue nobody is being served: the reader is not asked for cards.
    assert_eq!(*sim.finds.lock().unwrap(), 0);
    assert_eq!(h.counter.app().screen(), Screen::Queue);

    h.press(KeyCode::F(2));
    pump_until(&mut h, &rx, "the card in the form", |h| {
        h.counter.app().intake().is_some_and(|i| i.form.name == "李四")
    });
    let s = h.screen();
    let form = &h.counter.app().intake().unwrap().form;
    assert_eq!(form.id_number, "11010519491231002X");
    assert!(s.contains("(读卡)"), "the clerk sees the fields came from the card: {s}");
    assert!(s.contains("1949-12-31"), "{s}");
    assert!(s.contains("读卡器 就绪"), "{s}");
    assert!(h.message().contains("身份证"), "{}", h.message());
}

#[test]
fn a_key_reads_the_card_on_the_reader_again_without_lifting_it() {
    let sim = SimReader::start(card("李四", "11010519491231002X", "20400101"));
    let mut h = Harness::new(Lang::ZhCn, false);
    let ctx = context(h.dir.path(), "none", Some(sim.path.clone()));
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    h.press(KeyCode::F(2));
    pump_until(&mut h, &rx, "the card in the form", |h| {
        h.counter.app().intake().is_some_and(|i| i.form.name == "李四")
    });
    // The clerk drops the form (the card stays on the reader) and starts again.
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    h.press(KeyCode::F(2));
    assert_eq!(h.counter.app().intake().unwrap().form.name, "");
    h.press(KeyCode::F(8));
    pump_until(&mut h, &rx, "the card read again", |h| h.counter.app().intake().is_some_and(|i| i.form.name == "李四"));
    assert_eq!(h.counter.app().intake().unwrap().form.id_number, "11010519491231002X");
}

/// The target of issue 10: a temporary-assistance intake with the card on
/// the reader takes at most 8 keys besides the free text (phone, household
/// size, amounts, description), from F5 to the receipt on screen.
#[test]
fn a_temporary_intake_with_the_card_on_the_reader_takes_at_most_8_keys() {
    let sim = SimReader::start(card("李四", "11010519491231002X", "20400101"));
    let mut h = Harness::new(Lang::ZhCn, false);
    let ctx = context(h.dir.path(), "none", Some(sim.path.clone()));
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the reader ready", |h| h.screen().contains("读卡器 就绪"));
    let mut keys = 0;
    let mut key = |h: &mut Harness, code: KeyCode| {
        keys += 1;
        h.press(code);
    };
    key(&mut h, KeyCode::F(5));
    pump_until(&mut h, &rx, "the card in the form", |h| {
        h.counter.app().intake().is_some_and(|i| i.form.name == "李四")
    });
    h.type_text("13800000000");
    key(&mut h, KeyCode::Enter);
    h.type_text("3");
    key(&mut h, KeyCode::Enter);
    h.type_text("600");
    key(&mut h, KeyCode::Enter);
    h.type_text("800");
    key(&mut h, KeyCode::Enter);
    h.type_text("突发重病，家庭无力负担医药费");
    key(&mut h, KeyCode::F(10));
    pump_until(&mut h, &rx, "the receipt on screen", |h| {
        matches!(h.counter.app().popup(), Some(Popup::Receipt { .. }))
    });
    assert!(keys <= 8, "{keys} keys besides the free text");
    let case = h.store.cases_on_day(now().date_naive()).unwrap().pop().expect("the case is saved");
    let case = h.store.case(&case.id).unwrap().unwrap();
    assert_eq!(case.kind, onedoor::domain::Kind::Temporary);
    assert_eq!((case.applicant.name.as_str(), case.household.size), ("李四", 3));
    assert_eq!(case.requested_amount.to_string(), "800.00");
    assert_eq!(case.household.monthly_income.to_string(), "600.00");
    assert_eq!(case.applicant.phone.as_deref(), Some("13800000000"));
    assert_eq!(case.description, "突发重病，家庭无力负担医药费");
    assert_eq!(case.ticket, Some(1));
    let Some(Popup::Receipt { lines, .. }) = h.counter.app().popup() else { unreachable!() };
    assert!(!lines.iter().any(|l| l.trim() == "· 身份证"), "the receipt does not ask for the ID card: {lines:?}");
    assert!(case.documents.iter().any(|d| format!("{d:?}").contains("IdCard")), "{:?}", case.documents);
}

#[test]
fn a_slow_reader_fills_the_form_without_flipping_between_ready_and_unavailable() {
    // 500 ms for every answer: find, select and read take 1.5 s.
    let sim = SimReader::answering_after(card("李四", "11010519491231002X", "20400101"), Duration::from_millis(500));
    let mut h = Harness::new(Lang::ZhCn, false);
    let ctx = context(h.dir.path(), "none", Some(sim.path.clone()));
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the reader ready", |h| h.screen().contains("读卡器 就绪"));
    h.press(KeyCode::F(2));
    let placed = Instant::now();
    let mut states = Vec::new();
    pump_until(&mut h, &rx, "the card in the form", |h| {
        states.push(h.counter.app().status().id_reader.clone());
        h.counter.app().intake().is_some_and(|i| i.form.name == "李四")
    });
    let took = placed.elapsed();
    assert!(states.iter().all(|s| *s == onedoor::ui::DeviceState::Ready), "the reader stayed ready: {states:?}");
    // Reported, not asserted (timing belongs to benchmarks): the figure the issue asks about.
    eprintln!("slow reader: the form filled {took:?} after the form opened");
}

/// Reads 李四's card into a new form and saves it (amount 800); returns the counter and the photo kept with the case.
fn intake_from_the_card(keep_photo: bool) -> (Harness, Option<Vec<u8>>) {
    let sim = SimReader::start(card("李四", "11010519491231002X", "20400101"));
    let mut h = Harness::new(Lang::ZhCn, false);
    let mut ctx = context(h.dir.path(), "none", Some(sim.path.clone()));
    ctx.config.devices.keep_photo = keep_photo;
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    h.press(KeyCode::F(2));
    pump_until(&mut h, &rx, "the card in the form", |h| {
        h.counter.app().intake().is_some_and(|i| i.form.name == "李四")
    });
    // The card leaves the focus on the phone, the first field it cannot fill.
    h.tab(6);
    h.type_text("800");
    h.press(KeyCode::F(10));
    let today = h.store.cases_on_day(now().date_naive()).unwrap();
    assert_eq!(today.len(), 1, "saved: {}", h.message());
    let photo = h.store.card_photo(&today[0].id).unwrap();
    (h, photo)
}

#[test]
fn the_card_photo_is_kept_with_the_case_only_when_the_config_says_so() {
    let (_, photo) = intake_from_the_card(false);
    assert_eq!(photo, None, "by default the photo stays out of the store");
    let (_, photo) = intake_from_the_card(true);
    let expected: Vec<u8> = (0..1024).map(|i| (i % 251) as u8).collect();
    assert_eq!(photo, Some(expected), "the raw WLT bytes, as the reader sent them");
}

#[test]
fn an_expired_card_with_a_number_that_does_not_check_is_said_plainly() {
    let sim = SimReader::start(card("李四", "110105194912310021", "20200101"));
    for lang in [Lang::ZhCn, Lang::En] {
        let mut h = Harness::new(lang, false);
        let ctx = context(h.dir.path(), "none", Some(sim.path.clone()));
        let (tx, rx) = mpsc::channel();
        wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
        h.press(KeyCode::F(2));
        pump_until(&mut h, &rx, "the card's warnings", |h| {
            h.counter.app().intake().is_some_and(|i| i.card_note.is_some())
        });
        let s = h.screen();
        let (expired, number) = match lang {
            Lang::ZhCn => ("已过有效期", "卡上号码未通过校验"),
            Lang::En => ("expired on 2020-01-01", "the number on the card does not check"),
        };
        assert!(s.contains(expired), "{s}");
        assert!(h.message().contains(number), "{}", h.message());
        // The number is kept as read, and the form's own check says what is wrong with it.
        assert_eq!(h.counter.app().intake().unwrap().form.id_number, "110105194912310021");
    }
}

#[test]
fn a_missing_reader_shows_as_disconnected_with_the_reason() {
    let mut h = Harness::new(Lang::En, false);
    let missing = h.dir.path().join("ttyUSB9").display().to_string();
    let ctx = context(h.dir.path(), "none", Some(missing));
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the reader's state", |h| h.screen().contains("reader disconnected (not found)"));
    assert!(h.message().contains("no ID card reader"), "{}", h.message());
}

// ---------------------------------------------------------------------------
// The printer

#[test]
fn a_saved_intake_prints_its_receipt_on_a_file_printer_and_a_payment_its_own() {
    let mut h = Harness::new(Lang::ZhCn, true);
    let out = h.dir.path().join("printer.bin");
    let ctx = context(h.dir.path(), &format!("file:{}", out.display()), None);
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    type_intake(&mut h);
    h.press(KeyCode::F(10));
    assert_eq!(h.counter.app().screen(), Screen::Queue);
    let id = h.store.cases_on_day(now().date_naive()).unwrap().iter().find(|c| c.name == "赵建国").unwrap().id.clone();
    pump_until(&mut h, &rx, "the receipt printed", |h| h.message().contains("受理回执已打印"));
    let bytes = std::fs::read(&out).unwrap();
    assert!(contains(&bytes, &gb18030("受理回执")), "an acceptance receipt");
    assert!(contains(&bytes, id.as_str().as_bytes()), "of the new case");
    assert!(contains(&bytes, b"340524********001X"), "with the masked number");
    assert!(!contains(&bytes, b"34052419800101001X"), "never the full number on paper");
    assert!(h.screen().contains("打印机 就绪"));

    // Paying a case prints the payment receipt.
    h.press(KeyCode::Home);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter); // 李明, approved
    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Enter);
    pump_until(&mut h, &rx, "the payment receipt printed", |h| h.message().contains("发放回执已打印"));
    assert!(std::fs::read(&out).unwrap().len() > bytes.len());
}

#[test]
fn a_name_the_printer_cannot_carry_is_printed_as_its_code_and_the_clerk_is_told_to_write_it_in() {
    let mut h = Harness::new(Lang::ZhCn, false);
    let out = h.dir.path().join("printer.bin");
    let ctx = context(h.dir.path(), &format!("file:{}", out.display()), None);
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    h.press(KeyCode::F(2));
    h.type_text("34052419800101001X");
    h.tab(1);
    h.type_text("赵㛃"); // U+36C3: outside GBK, so outside what the printer's font carries
    h.tab(7);
    h.type_text("800");
    h.press(KeyCode::F(10));
    pump_until(&mut h, &rx, "the receipt printed", |h| h.message().contains("受理回执已打印"));
    let said = h.message();
    assert!(said.contains("㛃 (U+36C3)") && said.contains("请手写补上"), "{said}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(contains(&bytes, b"[U+36C3]"), "printed as its code, never dropped");
}

#[test]
fn with_no_printer_the_receipt_is_shown_on_screen() {
    for lang in [Lang::ZhCn, Lang::En] {
        let mut h = Harness::new(lang, false);
        let ctx = context(h.dir.path(), "none", None);
        let (tx, rx) = mpsc::channel();
        wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
        type_intake(&mut h);
        h.press(KeyCode::F(10));
        pump_until(&mut h, &rx, "the receipt on screen", |h| {
            matches!(h.counter.app().popup(), Some(Popup::Receipt { .. }))
        });
        let s = h.screen();
        assert!(s.contains("受理回执"), "{s}");
        assert!(s.contains("320106001-01-20261130-0001"), "{s}");
        let tag = if lang == Lang::ZhCn { "zh" } else { "en" };
        insta::assert_snapshot!(format!("receipt_on_screen_{tag}"), s);
        h.press(KeyCode::Esc);
        assert!(h.counter.app().popup().is_none());
        assert_eq!(h.counter.app().screen(), Screen::Queue);
    }
}

#[test]
fn a_printer_out_of_paper_keeps_the_receipt_pending_and_the_case_reprints_it() {
    let (spec, replies, printed) = tcp_printer(PAPER_OUT);
    let mut h = Harness::new(Lang::ZhCn, false);
    let ctx = context(h.dir.path(), &spec, None);
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the printer's state", |h| h.screen().contains("打印机 缺纸"));

    type_intake(&mut h);
    h.press(KeyCode::F(10));
    pump_until(&mut h, &rx, "the pending message", |h| h.message().contains("待补打"));
    let text = h.message();
    assert!(text.contains("缺纸") && text.contains("按 p 补打"), "{text}");
    let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
    let pending = onedoor::printing::pending_receipts(&h.store).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, format!("acceptance/{id}"));
    assert!(printed.lock().unwrap().is_empty(), "nothing reaches a printer without paper");

    // Paper loaded: the reprint from the case is marked as one and leaves nothing pending.
    *replies.lock().unwrap() = READY;
    h.press(KeyCode::Enter);
    assert_eq!(h.counter.app().screen(), Screen::Detail);
    h.press(KeyCode::Char('p'));
    pump_until(&mut h, &rx, "the reprint", |h| h.message().contains("受理回执已补打"));
    assert!(onedoor::printing::pending_receipts(&h.store).unwrap().is_empty());
    let bytes = printer_sim::wait_for(&printed, id.as_str().as_bytes());
    assert!(contains(&bytes, &gb18030("补打")), "a reprint says so");
    assert!(contains(&bytes, id.as_str().as_bytes()));
    assert!(h.screen().contains("打印机 就绪"));
}

#[test]
fn pending_receipts_show_on_the_queue_and_are_offered_when_the_printer_is_back() {
    let (spec, replies, printed) = tcp_printer(PAPER_OUT);
    let mut h = Harness::new(Lang::ZhCn, false);
    let mut ctx = context(h.dir.path(), &spec, None);
    ctx.config.devices.printer_poll_seconds = 1;
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the printer's state", |h| h.screen().contains("打印机 缺纸"));
    type_intake(&mut h);
    h.press(KeyCode::F(10));
    pump_until(&mut h, &rx, "the pending message", |h| h.message().contains("待补打"));
    assert!(h.screen().lines().nth(1).unwrap().contains("待补打回执 1"), "{}", h.screen());
    // Paper loaded: the counter offers to print what waited.
    *replies.lock().unwrap() = READY;
    pump_until(&mut h, &rx, "the offer", |h| {
        matches!(h.counter.app().popup(), Some(Popup::Confirm(onedoor::ui::Pending::PrintPending(1))))
    });
    h.press(KeyCode::Enter);
    pump_until(&mut h, &rx, "the receipt printed", |h| h.message().contains("受理回执已补打"));
    assert!(onedoor::printing::pending_receipts(&h.store).unwrap().is_empty());
    let id = h.store.cases_on_day(now().date_naive()).unwrap()[0].id.clone();
    let bytes = printer_sim::wait_for(&printed, id.as_str().as_bytes());
    assert!(contains(&bytes, id.as_str().as_bytes()), "the pending receipt reached the paper");
    assert!(!h.screen().contains("待补打回执"), "{}", h.screen());
}

#[test]
fn the_status_line_follows_an_idle_printer_running_out_of_paper_and_back() {
    let (spec, replies, printed) = tcp_printer(READY);
    let mut h = Harness::new(Lang::ZhCn, false);
    let mut ctx = context(h.dir.path(), &spec, None);
    ctx.config.devices.printer_poll_seconds = 1;
    let (tx, rx) = mpsc::channel();
    wiring::connect(&mut h.counter, &ctx, &tx).unwrap();
    pump_until(&mut h, &rx, "the printer ready", |h| h.screen().contains("打印机 就绪"));
    // No receipt printed: the counter still learns of the empty roll, and of the new one.
    *replies.lock().unwrap() = PAPER_OUT;
    pump_until(&mut h, &rx, "paper out while idle", |h| h.screen().contains("打印机 缺纸"));
    *replies.lock().unwrap() = READY;
    pump_until(&mut h, &rx, "ready again", |h| h.screen().contains("打印机 就绪"));
    assert!(printed.lock().unwrap().is_empty(), "asking how the printer is prints nothing");
}

#[test]
fn a_broken_receipt_template_refuses_to_start_with_the_file_and_line() {
    let h = Harness::new(Lang::En, false);
    let templates = h.dir.path().join("receipts");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("acceptance.tpl"), "[center bold] 受理回执\n受理编号：{no_such_field}\n").unwrap();
    let mut ctx = context(h.dir.path(), "none", None);
    ctx.config.receipts.templates = Some(templates.clone());
    let mut counter = open_counter(h.store.clone(), h.dir.path(), Lang::En);
    let (tx, _rx) = mpsc::channel();
    let err = wiring::connect(&mut counter, &ctx, &tx).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("receipts: "), "{text}");
    assert!(text.contains("acceptance.tpl:2"), "names the file and line: {text}");
}

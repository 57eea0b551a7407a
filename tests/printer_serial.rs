//! A printer simulated on a pseudo-terminal: the code under test opens
//! `serial:/dev/pts/N` by path, the simulator on the master end answers
//! `DLE EOT` with the worked replies of peripherals.md C.5 and records every
//! other byte as printed; `receipt print` through the real binary uses it for
//! the pending list and the reprint.
#![forbid(unsafe_code)]
#![cfg(unix)]

mod common;
#[path = "receipt_support.rs"]
mod support;

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use onedoor::devices::printer::{self, PrintError, PrinterSpec, PrinterStatus, SerialDriver};
use onedoor::receipt::{self, Paper, ReceiptContext, Templates};
use onedoor::Lang;
use serialport::{SerialPort, TTYPort};

/// What the simulated printer saw: the status questions asked (n of each
/// `10 04 n`) and every other byte.
#[derive(Debug, Default)]
struct Seen {
    asked: Vec<u8>,
    printed: Vec<u8>,
}

/// Splits what arrived into status requests (answered at once) and printed bytes.
fn consume(pending: &mut Vec<u8>, seen: &mut Seen, replies: Option<[u8; 4]>, answer: &mut dyn FnMut(u8)) {
    loop {
        match pending.as_slice() {
            [0x10, 0x04, n, ..] => {
                let n = *n;
                seen.asked.push(n);
                if let Some(r) = replies {
                    if (1..=4).contains(&n) {
                        answer(r[usize::from(n - 1)]);
                    }
                }
                pending.drain(..3);
            }
            [0x10] | [0x10, 0x04] => return,
            [b, ..] => {
                seen.printed.push(*b);
                pending.remove(0);
            }
            [] => return,
        }
    }
}

struct PtyPrinter {
    path: String,
    replies: Arc<Mutex<Option<[u8; 4]>>>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Seen>,
    _slave: TTYPort,
}

impl PtyPrinter {
    /// `replies[n - 1]` answers `DLE EOT n`; `None` never answers.
    fn start(replies: Option<[u8; 4]>) -> PtyPrinter {
        let (mut master, slave) = TTYPort::pair().unwrap();
        let path = slave.name().unwrap();
        master.set_timeout(Duration::from_millis(20)).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let replies = Arc::new(Mutex::new(replies));
        let current = replies.clone();
        let thread = thread::spawn(move || {
            let mut seen = Seen::default();
            let mut pending = Vec::new();
            let mut buf = [0u8; 512];
            loop {
                match master.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        pending.extend_from_slice(&buf[..n]);
                        let mut out = Vec::new();
                        let replies = *current.lock().unwrap();
                        consume(&mut pending, &mut seen, replies, &mut |b| out.push(b));
                        if !out.is_empty() {
                            master.write_all(&out).unwrap();
                        }
                    }
                    // Quiet: stop once the test is done and everything was read.
                    Ok(_) => {
                        if stopping.load(Ordering::SeqCst) {
                            break;
                        }
                    }
                    Err(e)
                        if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) =>
                    {
                        if stopping.load(Ordering::SeqCst) {
                            break;
                        }
                    }
                    // EIO: no one has the slave open just now.
                    Err(_) => {
                        if stopping.load(Ordering::SeqCst) {
                            break;
                        }
                        thread::sleep(Duration::from_millis(5));
                    }
                }
            }
            seen
        });
        PtyPrinter { path, replies, stop, thread, _slave: slave }
    }

    /// The printer's state changes (the clerk closes the cover, presses online…).
    fn set_replies(&self, replies: Option<[u8; 4]>) {
        *self.replies.lock().unwrap() = replies;
    }

    fn spec(&self, options: &str) -> PrinterSpec {
        PrinterSpec::parse(&format!("serial:{}?baud=9600{options}", self.path)).unwrap()
    }

    fn finish(self) -> Seen {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

fn receipt_bytes() -> Vec<u8> {
    let case = support::case_from(support::case_json());
    let ctx = ReceiptContext::new("宁海路街道", 3, "025-83331234", Paper::MM58);
    receipt::to_escpos(&receipt::acceptance(&case, &ctx, &Templates::builtin().unwrap()))
}

const OK: [u8; 4] = [0x12, 0x12, 0x12, 0x12];
const PAPER_OUT: [u8; 4] = [0x1A, 0x32, 0x12, 0x7E];
const COVER_OPEN: [u8; 4] = [0x1A, 0x16, 0x12, 0x12];
const OFFLINE: [u8; 4] = [0x1A, 0x12, 0x12, 0x12];
const NEAR_END: [u8; 4] = [0x12, 0x12, 0x12, 0x1E];

#[test]
fn a_ready_printer_gets_the_receipt_after_exactly_three_status_questions() {
    let sim = PtyPrinter::start(Some(OK));
    let bytes = receipt_bytes();
    let status = printer::print(&sim.spec(""), &bytes).unwrap();
    assert_eq!(status, PrinterStatus::Ready);
    let seen = sim.finish();
    assert_eq!(seen.asked, [1, 2, 4], "DLE EOT 1, 2, 4, each exactly 10 04 n");
    assert_eq!(seen.printed, bytes, "the receipt arrives whole, with no stray byte");
    let d = support::decode(&seen.printed).unwrap();
    assert!(d.all_text().contains("110105********002X"));
}

#[test]
fn paper_out_cover_open_and_offline_print_nothing_and_say_why() {
    for (replies, want, zh) in [
        (PAPER_OUT, PrinterStatus::PaperOut, "缺纸"),
        (COVER_OPEN, PrinterStatus::CoverOpen, "上盖"),
        (OFFLINE, PrinterStatus::Offline, "脱机"),
    ] {
        let sim = PtyPrinter::start(Some(replies));
        let err = printer::print(&sim.spec(""), &receipt_bytes()).unwrap_err();
        let seen = sim.finish();
        assert!(matches!(err, PrintError::NotReady { status, .. } if status == want), "{err:?}");
        assert_eq!(err.status(), Some(want));
        assert!(err.nothing_printed());
        assert!(err.message(Lang::ZhCn).contains(zh), "{}", err.message(Lang::ZhCn));
        assert!(seen.printed.is_empty(), "{want:?}: {} receipt bytes reached the printer", seen.printed.len());
        assert_eq!(seen.asked, [1, 2, 4]);
    }
}

#[test]
fn paper_near_end_still_prints_and_is_reported() {
    let sim = PtyPrinter::start(Some(NEAR_END));
    let bytes = receipt_bytes();
    assert_eq!(printer::print(&sim.spec(""), &bytes).unwrap(), PrinterStatus::PaperNearEnd);
    assert_eq!(sim.finish().printed, bytes);
}

#[test]
fn a_printer_that_never_answers_gets_nothing_unless_status_is_off() {
    let sim = PtyPrinter::start(None);
    let err = printer::print(&sim.spec("&timeout_ms=100"), &receipt_bytes()).unwrap_err();
    assert_eq!(err.status(), Some(PrinterStatus::NotAnswering));
    let seen = sim.finish();
    assert!(seen.printed.is_empty());
    assert_eq!(seen.asked, [1], "it stops asking after the first silence");

    let sim = PtyPrinter::start(None);
    let bytes = receipt_bytes();
    assert_eq!(printer::print(&sim.spec("&status=off"), &bytes).unwrap(), PrinterStatus::Ready);
    let seen = sim.finish();
    assert!(seen.asked.is_empty());
    assert_eq!(seen.printed, bytes);
}

#[test]
fn status_alone_can_be_asked_for_the_devices_probe() {
    let sim = PtyPrinter::start(Some(COVER_OPEN));
    assert_eq!(printer::status(&sim.spec("")).unwrap(), PrinterStatus::CoverOpen);
    assert!(sim.finish().printed.is_empty());
}

#[test]
fn a_missing_serial_device_is_an_open_error() {
    let spec = PrinterSpec::parse("serial:/dev/onedoor-no-such-port").unwrap();
    let err = printer::print(&spec, b"x").unwrap_err();
    assert!(matches!(err, PrintError::Open { .. }), "{err:?}");
    assert!(err.nothing_printed());
    assert!(err.to_string().contains("/dev/onedoor-no-such-port"));
}

#[test]
fn escpos_printer_drives_our_serial_driver() {
    use escpos::driver::Driver;
    use escpos::printer::Printer;
    use escpos::utils::{Encoder, Protocol, RealTimeStatusRequest, RealTimeStatusResponse};

    let sim = PtyPrinter::start(Some(OK));
    let driver = SerialDriver::open(std::path::Path::new(&sim.path), 9600, Duration::from_millis(500)).unwrap();
    assert_eq!(driver.name(), format!("serial ({})", sim.path));
    let mut printer = Printer::new(driver.clone(), Protocol::new(Encoder::new(encoding_rs::GB18030)), None);

    // escpos asks the status through the driver; the answer is read through a clone of it.
    printer.real_time_status(RealTimeStatusRequest::Printer).unwrap().send_status().unwrap();
    let mut answer = [0u8; 1];
    assert_eq!(driver.read(&mut answer).unwrap(), 1);
    let status = RealTimeStatusResponse::parse(RealTimeStatusRequest::Printer, answer[0]).unwrap();
    assert_eq!(status.get(&RealTimeStatusResponse::Online), Some(&true));
    assert_eq!(driver.read(&mut answer).unwrap(), 0, "nothing more to read is Ok(0) after the timeout, not an error");

    // A line of ASCII, a line in Chinese mode (escpos has no FS & of its own), feed and cut.
    printer
        .init()
        .unwrap()
        .writeln("CASE 320106001-20261130-0001")
        .unwrap()
        .custom(&[0x1C, 0x26])
        .unwrap()
        .writeln("受理回执")
        .unwrap()
        .feeds(3)
        .unwrap()
        .print_cut()
        .unwrap();
    drop(printer);
    drop(driver);

    let seen = sim.finish();
    assert_eq!(seen.asked, [1], "one DLE EOT 1");
    // escpos 0.20.1 sends DLE EOT 1 as four bytes (10 04 01 00): the stray NUL is the first "printed" byte.
    assert_eq!(seen.printed.first(), Some(&0x00), "{:02X?}", seen.printed);
    let d = support::decode(&seen.printed[1..]).unwrap();
    assert!(d.initialised_first, "ESC @ first");
    assert_eq!(d.texts(), ["CASE 320106001-20261130-0001", "受理回执"]);
    assert_eq!(d.fed, 3);
    assert_eq!(d.cuts, 1);
    assert!(d.ends_with_cut, "the cut is the last command: {:02X?}", seen.printed);
    assert!(seen.printed.ends_with(&[0x1D, 0x56, 0x41, 0x00]), "escpos's full cut is GS V A 0");
}

#[test]
fn receipt_print_over_serial_keeps_a_refused_receipt_pending_and_reprints_it() {
    use common::{add, case_json, fingerprint, person, run};

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let number = person(3);
    let id = add(d, &case_json(&number, "800"));
    let case_before = run(d, &["case", "show", &id, "--json"], None);
    assert_eq!(case_before.code, 0, "{}", case_before.stderr);
    let store_before = fingerprint(d);

    let sim = PtyPrinter::start(Some(COVER_OPEN));
    let spec = format!("serial:{}?baud=9600", sim.path);
    let print = |lang: &str| run(d, &["--lang", lang, "receipt", "print", &id, "--printer", &spec], None);
    let pending = || run(d, &["receipt", "pending"], None).stdout;
    let key = format!("acceptance/{id}");

    for (replies, zh, en) in [(COVER_OPEN, "上盖未合好", "cover is open"), (OFFLINE, "脱机", "offline")] {
        sim.set_replies(Some(replies));
        // The whole line in one language: the printer's state and what became of the receipt.
        for (lang, state, kept) in
            [("zh-CN", zh, format!("回执已转入待补打（{key}）")), ("en", en, format!("kept as pending ({key})"))]
        {
            let r = print(lang);
            assert_eq!(r.code, 1, "{en}: {}", r.stderr);
            let lines: Vec<&str> = r.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "one error line: {:?}", r.stderr);
            assert!(lines[0].starts_with("error: ") && lines[0].contains(state), "{}", lines[0]);
            assert!(lines[0].contains(&kept), "{}", lines[0]);
            assert!(r.stdout.is_empty(), "{}", r.stdout);
        }
        // On the durable pending list, once, with the latest reason.
        let listed = pending();
        let listed: Vec<&str> = listed.lines().collect();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert!(listed[0].starts_with(&key) && listed[0].contains(en), "{}", listed[0]);
        // The case itself is untouched.
        assert_eq!(run(d, &["case", "show", &id, "--json"], None).stdout, case_before.stdout);
    }

    sim.set_replies(Some(OK));
    let r = print("en");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("printed the receipt of {id}")), "{}", r.stdout);
    assert!(pending().trim().is_empty(), "printed, so no longer pending");
    // Pending entry added and removed, nothing else written: the store is as before.
    assert_eq!(fingerprint(d), store_before, "the store changed beyond the pending list");

    let seen = sim.finish();
    assert_eq!(seen.asked, [1, 2, 4].repeat(5), "status asked before each of the five attempts");
    let receipt = support::decode(&seen.printed).unwrap();
    assert!(receipt.initialised_first && receipt.ends_with_cut && receipt.cuts == 1, "{receipt:?}");
    let text = receipt.all_text();
    assert!(text.contains("受理回执") && text.contains("补打"), "a reprint says so:\n{text}");
    assert!(text.contains(&id), "{text}");
    let masked = format!("{}********{}", &number[..6], &number[14..]);
    assert!(text.contains(&masked) && !text.contains(&number), "{text}");
    assert_eq!(receipt.qr.len(), 1);
    assert_eq!(receipt.qr[0].data, id.as_bytes(), "the QR code carries the case id");
}

//! A network printer simulated on 127.0.0.1, and the `file:`, `usb:` and
//! `none` connections.
#![forbid(unsafe_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use onedoor::devices::printer::{self, PrintError, PrinterSpec, PrinterStatus};
use onedoor::Lang;

#[derive(Debug, Default)]
struct Seen {
    asked: Vec<u8>,
    printed: Vec<u8>,
}

/// Serves one connection: answers `10 04 n` with `replies[n - 1]` and keeps
/// every other byte, until the counter hangs up.
fn serve_one(replies: [u8; 4]) -> (String, JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut s, _): (TcpStream, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut seen = Seen::default();
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
            loop {
                match pending.as_slice() {
                    [0x10, 0x04, n, ..] => {
                        let n = *n;
                        seen.asked.push(n);
                        s.write_all(&[replies[usize::from(n.clamp(1, 4) - 1)]]).unwrap();
                        pending.drain(..3);
                    }
                    [0x10] | [0x10, 0x04] | [] => break,
                    [b, ..] => {
                        seen.printed.push(*b);
                        pending.remove(0);
                    }
                }
            }
        }
        seen.printed.extend_from_slice(&pending);
        seen
    });
    (format!("tcp:{addr}"), handle)
}

const RECEIPT: &[u8] = b"\x1b@\x1c&\xca\xdc\xc0\xed\xbb\xd8\xd6\xb4\n\x1bd\x04\x1dV\x00";

#[test]
fn a_ready_network_printer_gets_the_bytes() {
    let (spec, sim) = serve_one([0x12; 4]);
    let status = printer::print(&PrinterSpec::parse(&spec).unwrap(), RECEIPT).unwrap();
    assert_eq!(status, PrinterStatus::Ready);
    let seen = sim.join().unwrap();
    assert_eq!(seen.asked, [1, 2, 4]);
    assert_eq!(seen.printed, RECEIPT);
}

#[test]
fn a_network_printer_out_of_paper_gets_nothing() {
    let (spec, sim) = serve_one([0x1A, 0x32, 0x12, 0x7E]);
    let err = printer::print(&PrinterSpec::parse(&spec).unwrap(), RECEIPT).unwrap_err();
    assert_eq!(err.status(), Some(PrinterStatus::PaperOut));
    assert!(err.message(Lang::En).contains("out of paper"), "{}", err.message(Lang::En));
    let seen = sim.join().unwrap();
    assert!(seen.printed.is_empty());
}

#[test]
fn a_printer_that_answers_garbage_is_not_printed_to() {
    let (spec, sim) = serve_one([0xFF, 0x00, 0x41, 0x42]);
    let err = printer::print(&PrinterSpec::parse(&spec).unwrap(), RECEIPT).unwrap_err();
    assert_eq!(err.status(), Some(PrinterStatus::BadReply));
    assert!(err.message(Lang::ZhCn).contains("波特率"));
    assert!(sim.join().unwrap().printed.is_empty());
}

#[test]
fn nobody_listening_is_an_open_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let spec = PrinterSpec::parse(&format!("tcp:127.0.0.1:{port}")).unwrap();
    let err = printer::print(&spec, RECEIPT).unwrap_err();
    assert!(matches!(err, PrintError::Open { .. }), "{err:?}");
    assert!(err.message(Lang::ZhCn).contains("无法连接打印机"));
}

#[test]
fn file_output_appends_and_counts_as_ready() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let spec = PrinterSpec::parse(&format!("file:{}", path.display())).unwrap();
    assert_eq!(printer::status(&spec).unwrap(), PrinterStatus::Ready);
    printer::print(&spec, RECEIPT).unwrap();
    printer::print(&spec, b"second").unwrap();
    let mut want = RECEIPT.to_vec();
    want.extend_from_slice(b"second");
    assert_eq!(std::fs::read(&path).unwrap(), want);
}

#[test]
fn a_file_in_a_missing_directory_is_an_open_error() {
    let spec = PrinterSpec::parse("file:/nonexistent-onedoor-dir/out.bin").unwrap();
    assert!(matches!(printer::print(&spec, RECEIPT), Err(PrintError::Open { .. })));
}

#[test]
fn usb_writes_to_the_device_file_and_a_silent_one_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lp = dir.path().join("lp0");
    std::fs::write(&lp, b"").unwrap();
    // status=off: written as is.
    let spec = PrinterSpec::parse(&format!("usb:{}?status=off", lp.display())).unwrap();
    printer::print(&spec, RECEIPT).unwrap();
    assert_eq!(std::fs::read(&lp).unwrap(), RECEIPT);
    // Asking a device that never answers: the three request bytes go out, the receipt does not.
    let spec = PrinterSpec::parse(&format!("usb:{}?timeout_ms=50", lp.display())).unwrap();
    let err = printer::print(&spec, RECEIPT).unwrap_err();
    assert_eq!(err.status(), Some(PrinterStatus::NotAnswering));
    let mut want = RECEIPT.to_vec();
    want.extend_from_slice(&[0x10, 0x04, 0x01]);
    assert_eq!(std::fs::read(&lp).unwrap(), want);
}

#[test]
fn none_prints_nothing_and_is_ready() {
    let spec = PrinterSpec::parse("none").unwrap();
    assert!(!spec.prints_on_paper());
    assert_eq!(printer::print(&spec, RECEIPT).unwrap(), PrinterStatus::Ready);
}

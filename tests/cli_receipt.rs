//! `onedoor receipt print|pending` through the real binary, against a printer
//! simulated on 127.0.0.1 that answers DLE EOT: a receipt refused by the
//! printer goes on the durable pending list, and is reprinted (marked 补打).

mod common;
mod printer_sim;

use common::*;
use printer_sim::{printer, PAPER_OUT, READY};

fn gb18030(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_receipt_the_printer_refuses_is_kept_pending_and_reprinted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let number = person(1);
    let id = add(d, &case_json(&number, "800"));

    let (out_of_paper, nothing) = printer(PAPER_OUT);
    let r = run(d, &["receipt", "print", &id, "--printer", &out_of_paper], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: ") && r.stderr.contains("pending"), "{}", r.stderr);
    assert!(nothing.lock().unwrap().is_empty(), "no receipt bytes reach a printer without paper");
    let pending = run(d, &["receipt", "pending"], None);
    assert!(pending.stdout.contains(&format!("acceptance/{id}")), "{}", pending.stdout);
    // The case itself is untouched by the printer's trouble.
    assert!(run(d, &["case", "show", &id], None).stdout.contains("received"));

    let (ready, printed) = printer(READY);
    let r = run(d, &["receipt", "print", &id, "--printer", &ready], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = printer_sim::wait_for(&printed, id.as_bytes());
    assert!(bytes.starts_with(&[0x1B, 0x40]), "ESC @ first");
    assert!(contains(&bytes, &gb18030("受理回执")));
    assert!(contains(&bytes, &gb18030("补打")), "a reprint says so");
    assert!(contains(&bytes, id.as_bytes()));
    let masked = format!("{}********{}", &number[..6], &number[14..]);
    assert!(contains(&bytes, masked.as_bytes()));
    assert!(!contains(&bytes, number.as_bytes()), "never the full ID number on paper");
    assert!(run(d, &["receipt", "pending"], None).stdout.trim().is_empty());
}

#[test]
fn file_and_none_printers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add(d, &case_json(&person(2), "800"));
    let file = d.join("receipt.bin");
    let spec = format!("file:{}", file.display());
    assert_eq!(run(d, &["receipt", "print", &id, "--printer", &spec], None).code, 0);
    let bytes = std::fs::read(&file).unwrap();
    assert!(contains(&bytes, &[0x1C, 0x26]), "Chinese mode is selected");
    // The receipt ends as the encoder ends it: ESC d n (feed clear of the cutter), GS V 0 (full cut), once.
    let feed_and_cut = [0x1B, 0x64, onedoor::receipt::FEED_BEFORE_CUT, 0x1D, 0x56, 0x00];
    assert!(
        bytes.ends_with(&feed_and_cut),
        "the receipt ends with feed and cut: {:02X?}",
        &bytes[bytes.len().saturating_sub(6)..]
    );
    assert_eq!(bytes.windows(2).filter(|w| *w == [0x1D, 0x56]).count(), 1, "cut once, at the end");
    let screen = run(d, &["receipt", "print", &id, "--printer", "none"], None);
    assert_eq!(screen.code, 0);
    assert!(screen.stdout.contains("受理回执") && screen.stdout.contains(&id), "{}", screen.stdout);
    assert_refused(&run(d, &["receipt", "print", &id, "--printer", "lpt:1"], None), "lpt");
}

#[test]
fn a_name_the_printer_cannot_carry_is_said_on_stderr_when_the_receipt_prints() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = add(d, &case_json(&person(3), "800").replace("王芳", "王㛃"));
    let file = d.join("receipt.bin");
    let r = run(d, &["receipt", "print", &id, "--printer", &format!("file:{}", file.display())], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("㛃 (U+36C3)") && r.stderr.contains("by hand"), "{}", r.stderr);
    assert!(contains(&std::fs::read(&file).unwrap(), b"[U+36C3]"));
}

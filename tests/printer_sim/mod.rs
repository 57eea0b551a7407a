//! A receipt printer on 127.0.0.1 for the tests: it answers `DLE EOT n`
//! (`10 04 n`) with `replies[n]`, which a test may change while it runs, and
//! keeps every other byte it was sent. A connection's bytes are kept when it
//! closes, all at once, so a test that waits for a job ([`wait_for`]) sees all of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every status answer: online, no error, paper present.
pub const READY: [u8; 5] = [0x12, 0x12, 0x12, 0x12, 0x12];
/// The roll is empty (and the printer offline because of it).
pub const PAPER_OUT: [u8; 5] = [0x12, 0x1A, 0x32, 0x12, 0x7E];

/// The simulated printer's spec (`tcp:127.0.0.1:PORT`), its replies (to change) and what it printed.
pub type TcpPrinter = (String, Arc<Mutex<[u8; 5]>>, Arc<Mutex<Vec<u8>>>);

pub fn tcp_printer(replies: [u8; 5]) -> TcpPrinter {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let spec = format!("tcp:{}", listener.local_addr().unwrap());
    let replies = Arc::new(Mutex::new(replies));
    let printed = Arc::new(Mutex::new(Vec::new()));
    let (answers, keep) = (replies.clone(), printed.clone());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 4096];
            let mut pending: Vec<u8> = Vec::new();
            let mut job: Vec<u8> = Vec::new();
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&buf[..n]);
                while let Some(at) = pending.windows(2).position(|w| w == [0x10, 0x04]) {
                    if pending.len() < at + 3 {
                        break;
                    }
                    let q = pending[at + 2] as usize;
                    job.extend_from_slice(&pending[..at]);
                    pending.drain(..at + 3);
                    let reply = answers.lock().unwrap()[q.min(4)];
                    let _ = stream.write_all(&[reply]);
                }
                if !pending.windows(2).any(|w| w == [0x10, 0x04]) {
                    job.append(&mut pending);
                }
            }
            job.append(&mut pending);
            keep.lock().unwrap().append(&mut job);
        }
    });
    (spec, replies, printed)
}

/// What the printer has printed once a job holding `needle` has come in whole
/// (the sender's write returns before the printer has read it), or, after 10 s
/// without one, what it has so far, for the caller's assertion to fail on.
pub fn wait_for(printed: &Mutex<Vec<u8>>, needle: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let bytes = printed.lock().unwrap().clone();
        if bytes.windows(needle.len()).any(|w| w == needle) || Instant::now() > deadline {
            return bytes;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A printer whose answers never change: its spec and what it printed.
pub fn printer(replies: [u8; 5]) -> (String, Arc<Mutex<Vec<u8>>>) {
    let (spec, _, printed) = tcp_printer(replies);
    (spec, printed)
}

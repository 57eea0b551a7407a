//! A second-generation ID card reader simulated on a pseudo-terminal, shared
//! by the tests that drive the real serial code (`idcard_serial`) and the real
//! binary (`cli_devices`): the simulator drives the master end, the code under
//! test opens the slave by its path as it would open /dev/ttyUSB0.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use onedoor::devices::idcard::{Command, FrameDecoder, ReaderConfig, Response, Status};
use serialport::{SerialPort, TTYPort};

// ---------------------------------------------------------------------------
// Card contents

pub fn put(block: &mut [u8; 256], offset: usize, len: usize, text: &str) {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    units.resize(len / 2, 0x20);
    for (i, u) in units.iter().enumerate() {
        block[offset + 2 * i..offset + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
}

pub fn blank() -> [u8; 256] {
    let mut b = [0u8; 256];
    put(&mut b, 0, 256, "");
    b
}

pub fn resident_text(name: &str, id_number: &str, valid_until: &str) -> [u8; 256] {
    let mut b = blank();
    put(&mut b, 0, 30, name);
    put(&mut b, 30, 2, "2");
    put(&mut b, 32, 4, "01");
    put(&mut b, 36, 16, "19491231");
    put(&mut b, 52, 70, "北京市朝阳区示例路1号");
    put(&mut b, 122, 36, id_number);
    put(&mut b, 158, 30, "北京市公安局朝阳分局");
    put(&mut b, 188, 16, "20200101");
    put(&mut b, 204, 16, valid_until);
    b
}

pub fn foreigner_text() -> [u8; 256] {
    let mut b = blank();
    put(&mut b, 0, 120, "SMITH, JOHN PAUL");
    put(&mut b, 120, 2, "1");
    put(&mut b, 122, 30, "USA110079020101");
    put(&mut b, 152, 6, "USA");
    put(&mut b, 158, 30, "史密斯");
    put(&mut b, 188, 16, "20170601");
    put(&mut b, 204, 16, "20270601");
    put(&mut b, 220, 16, "19790201");
    put(&mut b, 236, 4, "01");
    put(&mut b, 240, 8, "1100");
    put(&mut b, 248, 2, "I");
    b
}

pub fn permit_text() -> [u8; 256] {
    let mut b = blank();
    put(&mut b, 0, 30, "陈大文");
    put(&mut b, 30, 2, "1");
    put(&mut b, 36, 16, "19900307");
    put(&mut b, 52, 70, "广东省深圳市福田区示例街2号");
    put(&mut b, 122, 36, "810000199003070015");
    put(&mut b, 158, 30, "深圳市公安局");
    put(&mut b, 188, 16, "20190101");
    put(&mut b, 204, 16, "20240101");
    put(&mut b, 220, 18, "H12345678");
    put(&mut b, 238, 4, "01");
    put(&mut b, 248, 2, "J");
    b
}

/// The data of a successful `30 01` answer: lengths, text, photo.
pub fn read_data(text: &[u8; 256]) -> Vec<u8> {
    let mut data = vec![0x01, 0x00, 0x04, 0x00];
    data.extend_from_slice(text);
    data.extend((0..1024).map(|i| (i % 251) as u8));
    data
}

pub fn li_si() -> Vec<u8> {
    read_data(&resident_text("李四", "11010519491231002X", "20400101"))
}

// ---------------------------------------------------------------------------
// The simulated reader

/// How the simulated reader behaves; tests change it while it runs.
#[derive(Clone)]
pub struct Behaviour {
    pub sam: Status,
    /// The read answer's data when a card is on the reader.
    pub card: Option<Vec<u8>>,
    pub select: Status,
    pub read: Status,
    /// Damage the checksum of the read answer.
    pub corrupt_read: bool,
    /// Sent before every answer.
    pub junk: Vec<u8>,
    /// Deliver answers in pieces of this size, pausing between them.
    pub pieces: Option<(usize, Duration)>,
    /// Never answer anything.
    pub silent: bool,
    /// The reader's UART was set to this rate (command 60): it answers only
    /// when the port is opened at it. A pty carries the rate in its termios,
    /// which the master end can read, though no bit timing is simulated.
    pub baud: Option<u32>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            sam: Status::Success,
            card: None,
            select: Status::Success,
            read: Status::Success,
            corrupt_read: false,
            junk: Vec::new(),
            pieces: None,
            silent: false,
            baud: None,
        }
    }
}

pub struct SimReader {
    pub path: String,
    pub behaviour: Arc<Mutex<Behaviour>>,
    pub received: Arc<Mutex<Vec<Command>>>,
    /// The port's baud rate when each command arrived.
    pub bauds: Arc<Mutex<Vec<u32>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _slave: TTYPort,
}

impl SimReader {
    pub fn start(behaviour: Behaviour) -> SimReader {
        let (mut master, slave) = TTYPort::pair().unwrap();
        let path = slave.name().unwrap();
        master.set_timeout(Duration::from_millis(20)).unwrap();
        let behaviour = Arc::new(Mutex::new(behaviour));
        let received = Arc::new(Mutex::new(Vec::new()));
        let bauds = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (behaviour, received, bauds, stop) = (behaviour.clone(), received.clone(), bauds.clone(), stop.clone());
            thread::spawn(move || serve(master, &behaviour, &received, &bauds, &stop))
        };
        SimReader { path, behaviour, received, bauds, stop, thread: Some(thread), _slave: slave }
    }

    pub fn set(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut self.behaviour.lock().unwrap());
    }

    pub fn count(&self, command: &Command) -> usize {
        self.received.lock().unwrap().iter().filter(|c| *c == command).count()
    }

    pub fn config(&self) -> ReaderConfig {
        ReaderConfig::new(self.path.clone())
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

fn serve(
    mut master: TTYPort,
    behaviour: &Mutex<Behaviour>,
    received: &Mutex<Vec<Command>>,
    bauds: &Mutex<Vec<u32>>,
    stop: &AtomicBool,
) {
    let mut decoder = FrameDecoder::new();
    let mut buf = [0u8; 256];
    while !stop.load(Ordering::SeqCst) {
        match master.read(&mut buf) {
            Ok(n) => decoder.push(&buf[..n]),
            Err(_) => continue,
        }
        while let Some(frame) = decoder.next_frame() {
            let Ok(command) = frame.and_then(|p| Command::from_payload(&p)) else {
                let _ = master.write_all(&Response::new(Status::ChecksumError, vec![]).encode());
                continue;
            };
            received.lock().unwrap().push(command.clone());
            // Termios requests on the master act on the slave: this is the rate the code under test set.
            let baud = master.baud_rate().unwrap_or(0);
            bauds.lock().unwrap().push(baud);
            let b = behaviour.lock().unwrap().clone();
            if b.silent || b.baud.is_some_and(|want| want != baud) {
                continue;
            }
            let mut answer = b.junk.clone();
            answer.extend(respond(&b, &command));
            match b.pieces {
                None => {
                    let _ = master.write_all(&answer);
                }
                Some((size, pause)) => {
                    for piece in answer.chunks(size) {
                        let _ = master.write_all(piece);
                        thread::sleep(pause);
                    }
                }
            }
        }
    }
}

fn respond(b: &Behaviour, command: &Command) -> Vec<u8> {
    let status_only = |s: Status| Response::new(s, vec![]).encode();
    match (command.cmd, command.para) {
        (0x11, 0xFF) => status_only(b.sam),
        (0x20, 0x01) => match b.card {
            Some(_) => Response::new(Status::CardFound, vec![0; 4]).encode(),
            None => status_only(Status::NoCard),
        },
        (0x20, 0x02) if b.select == Status::Success => Response::new(Status::Success, vec![0; 8]).encode(),
        (0x20, 0x02) => status_only(b.select),
        (0x30, 0x01 | 0x10) if b.read == Status::Success => {
            let mut data = b.card.clone().unwrap_or_default();
            if command.para == 0x10 {
                // No fingerprints on this card: a third length of 0.
                data.splice(4..4, [0x00, 0x00]);
            }
            let mut frame = Response::new(Status::Success, data).encode();
            if b.corrupt_read {
                let last = frame.len() - 1;
                frame[last] ^= 0xFF;
            }
            frame
        }
        (0x30, _) => status_only(b.read),
        _ => status_only(Status::BadCommand),
    }
}

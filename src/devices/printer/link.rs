//! The byte pipes to a printer that can answer: a serial port (also an
//! `escpos` driver), the usblp device, a TCP socket. Every read has a
//! deadline; nothing here waits forever.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// How long sending a whole receipt may take (a long one at 9600 baud is about 3 s).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long opening a network printer may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(5);

/// A connection that can be written and read one byte at a time.
pub trait Link {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// One byte, or `None` when nothing came before `deadline`.
    fn recv_byte(&mut self, deadline: Instant) -> io::Result<Option<u8>>;
    /// Throws away whatever the printer sent before (stale or automatic status).
    fn discard_input(&mut self);
}

fn remaining(deadline: Instant) -> Option<Duration> {
    deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
}

fn is_wait(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

/// A serial printer, as an [`escpos::driver::Driver`] over `serialport` (no
/// libudev): our own receipts go through it (see [`super::print`]), and a host
/// program can hand a clone to `escpos::printer::Printer` for what our encoder
/// does not make. Clones share the port.
///
/// As a `Driver`, `read` waits up to the read timeout given to [`SerialDriver::open`]
/// (the status timeout) and returns `Ok(0)` when nothing came: a printer that
/// does not answer `DLE EOT` is not an I/O error.
#[derive(Clone)]
pub struct SerialDriver {
    path: String,
    port: Arc<Mutex<Box<dyn serialport::SerialPort>>>,
    read_timeout: Duration,
}

impl SerialDriver {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub fn open(path: &Path, baud: u32, read_timeout: Duration) -> io::Result<SerialDriver> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .timeout(read_timeout)
            .flow_control(serialport::FlowControl::None)
            .open()
            .map_err(io::Error::from)?;
        Ok(SerialDriver { path: path.display().to_string(), port: Arc::new(Mutex::new(port)), read_timeout })
    }

    fn port(&self) -> io::Result<MutexGuard<'_, Box<dyn serialport::SerialPort>>> {
        self.port.lock().map_err(|_| io::Error::other("the serial port was left in use by a failed thread"))
    }

    /// Writes all of `bytes` (allowing [`WRITE_TIMEOUT`]) and waits until they have left.
    fn write_all(&self, bytes: &[u8]) -> io::Result<()> {
        let mut port = self.port()?;
        port.set_timeout(WRITE_TIMEOUT).map_err(io::Error::from)?;
        port.write_all(bytes)
    }

    fn drain(&self) -> io::Result<()> {
        self.port()?.flush()
    }

    /// Reads what has come, waiting at most `wait`; `Ok(0)` when nothing did.
    fn read_within(&self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        let mut port = self.port()?;
        port.set_timeout(wait).map_err(io::Error::from)?;
        match port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if is_wait(&e) => Ok(0),
            Err(e) => Err(e),
        }
    }
}

impl escpos::driver::Driver for SerialDriver {
    fn name(&self) -> String {
        format!("serial ({})", self.path)
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        Ok(self.write_all(data)?)
    }

    fn read(&self, buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(self.read_within(buf, self.read_timeout)?)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(self.drain()?)
    }
}

impl Link for SerialDriver {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)?;
        self.drain()
    }

    fn recv_byte(&mut self, deadline: Instant) -> io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        while let Some(left) = remaining(deadline) {
            match self.read_within(&mut b, left)? {
                1 => return Ok(Some(b[0])),
                _ => thread::sleep(POLL.min(left)),
            }
        }
        Ok(None)
    }

    fn discard_input(&mut self) {
        if let Ok(port) = self.port() {
            let _ = port.clear(serialport::ClearBuffer::Input);
        }
    }
}

pub struct TcpLink {
    stream: TcpStream,
}

impl TcpLink {
    pub fn open(host: &str, port: u16) -> io::Result<TcpLink> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("'{host}' does not resolve to an address"));
        for addr in (host, port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
                    let _ = stream.set_nodelay(true);
                    return Ok(TcpLink { stream });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl Link for TcpLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    fn recv_byte(&mut self, deadline: Instant) -> io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        while let Some(left) = remaining(deadline) {
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut b) {
                Ok(1) => return Ok(Some(b[0])),
                // The printer closed the connection: it will not answer.
                Ok(_) => return Ok(None),
                Err(e) if is_wait(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    fn discard_input(&mut self) {
        let mut sink = [0u8; 64];
        if self.stream.set_nonblocking(true).is_ok() {
            let mut thrown = 0;
            while thrown < MAX_STALE_BYTES {
                match self.stream.read(&mut sink) {
                    Ok(n) if n > 0 => thrown += n,
                    _ => break,
                }
            }
            let _ = self.stream.set_nonblocking(false);
        }
    }
}

/// The most stale input a link throws away before a status question: a
/// printer has a few bytes at most; a device that never stops sending (a
/// wrong path such as `/dev/zero`) is not read forever.
const MAX_STALE_BYTES: usize = 4096;

/// The usblp device allows one open at a time, and its reads block until the
/// printer sends something, so it is opened non-blocking and polled.
pub struct UsbLink {
    file: File,
}

// O_NONBLOCK on the Linux architectures a counter kiosk runs on (the crate has
// no libc dependency of its own). Elsewhere usblp reads would block: `open`
// refuses to ask for status there.
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv64"
    )
))]
const O_NONBLOCK: Option<i32> = Some(0o4000);
#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "arm",
        target_arch = "aarch64",
        target_arch = "riscv64"
    )
)))]
const O_NONBLOCK: Option<i32> = None;

impl UsbLink {
    /// Opens the device for writing, and for reading status when `ask_status`.
    pub fn open(path: &Path, ask_status: bool) -> io::Result<UsbLink> {
        let mut options = OpenOptions::new();
        // Append: the same on a device, and a plain file (a test) is not overwritten.
        options.append(true);
        if ask_status {
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                let Some(flag) = O_NONBLOCK else {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "status over usblp is not supported on this platform; add ?status=off",
                    ));
                };
                options.read(true).custom_flags(flag);
            }
            #[cfg(not(unix))]
            options.read(true);
        }
        Ok(UsbLink { file: options.open(path)? })
    }
}

impl Link for UsbLink {
    fn send(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + WRITE_TIMEOUT;
        while !bytes.is_empty() {
            match self.file.write(bytes) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "the printer accepted no bytes")),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if is_wait(&e) => match remaining(deadline) {
                    Some(left) => thread::sleep(POLL.min(left)),
                    None => return Err(io::Error::new(io::ErrorKind::TimedOut, "the printer stopped taking bytes")),
                },
                Err(e) => return Err(e),
            }
        }
        self.file.flush()
    }

    fn recv_byte(&mut self, deadline: Instant) -> io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        while let Some(left) = remaining(deadline) {
            match self.file.read(&mut b) {
                Ok(1) => return Ok(Some(b[0])),
                Ok(_) => thread::sleep(POLL.min(left)),
                Err(e) if is_wait(&e) => thread::sleep(POLL.min(left)),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    fn discard_input(&mut self) {
        let mut sink = [0u8; 64];
        let mut thrown = 0;
        while thrown < MAX_STALE_BYTES {
            match self.file.read(&mut sink) {
                Ok(n) if n > 0 => thrown += n,
                _ => break,
            }
        }
    }
}

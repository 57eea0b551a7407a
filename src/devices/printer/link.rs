//! The byte pipes to a printer that can answer: a serial port, the usblp
//! device, a TCP socket. Every read has a deadline; nothing here waits forever.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
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

pub struct SerialLink {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialLink {
    pub fn open(path: &Path, baud: u32, timeout: Duration) -> io::Result<SerialLink> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .timeout(timeout)
            .flow_control(serialport::FlowControl::None)
            .open()
            .map_err(io::Error::from)?;
        Ok(SerialLink { port })
    }
}

impl Link for SerialLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.set_timeout(WRITE_TIMEOUT).map_err(io::Error::from)?;
        self.port.write_all(bytes)?;
        self.port.flush()
    }

    fn recv_byte(&mut self, deadline: Instant) -> io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        while let Some(left) = remaining(deadline) {
            self.port.set_timeout(left).map_err(io::Error::from)?;
            match self.port.read(&mut b) {
                Ok(1) => return Ok(Some(b[0])),
                Ok(_) => thread::sleep(POLL.min(left)),
                Err(e) if is_wait(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    fn discard_input(&mut self) {
        let _ = self.port.clear(serialport::ClearBuffer::Input);
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
            while matches!(self.stream.read(&mut sink), Ok(n) if n > 0) {}
            let _ = self.stream.set_nonblocking(false);
        }
    }
}

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
        while matches!(self.file.read(&mut sink), Ok(n) if n > 0) {}
    }
}

//! The running counter's control socket: a CLI command that finds the store
//! in use (the counter has it open) is sent to the counter process, which
//! carries it out through the same CLI code on the store it has open, with the
//! same operator and PIN rules, and sends back what the command printed and
//! its exit status. The CLI prints that as if it had run alone.
//!
//! `DATA/control.sock`, a Unix stream socket, mode 0600; each side checks the
//! other's user id (`SO_PEERCRED`) and the CLI checks the socket file's owner
//! and mode before it sends a PIN. One request per connection, in frames of a
//! 4-byte big-endian length and that many bytes:
//! request = header (JSON [`Request`], at most [`MAX_HEADER`]) + standard
//! input (at most [`MAX_STDIN`]); reply = header (JSON [`Reply`]) + standard
//! output + standard error. The request must arrive whole within
//! [`REQUEST_TIMEOUT`] (each is read on a thread of its own); requests are
//! carried out one at a time on the socket's worker thread, the counter's
//! screen drawing meanwhile. Described for
//! users in `docs/cli.md`.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::{Config, Paths};
use crate::domain::policy::PolicyBook;
use crate::l10n::Say;
use crate::session::{Asked, Remote, Session};
use crate::store::Store;
use crate::{tr, Lang};

/// The socket's name in the data directory.
pub const SOCKET: &str = "control.sock";
/// The request's version; another is refused.
pub const VERSION: u32 = 1;
/// The largest request header.
pub const MAX_HEADER: usize = 1024 * 1024;
/// The largest standard input sent: one byte more than a command reads, so
/// the command itself says the input is too large.
pub const MAX_STDIN: usize = crate::cli::MAX_INPUT_BYTES as usize + 1;
/// The largest reply the CLI reads (a year's export is well below).
pub const MAX_REPLY: usize = 1024 * 1024 * 1024;
/// The whole request must have arrived by then.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the counter waits for the CLI to take the reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the CLI waits for the reply (a backup of a large store takes minutes).
const CLI_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How often the socket's thread looks whether the counter is closing.
const POLL: Duration = Duration::from_millis(200);

/// One CLI command, as the CLI beside the counter sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub version: u32,
    /// The command's arguments as typed, without the program's name.
    pub args: Vec<String>,
    /// The CLI's working directory: relative paths in `args` are read from there.
    pub cwd: PathBuf,
    /// Who is acting (`--operator`, `ONEDOOR_OPERATOR`, the config), as the CLI resolved it.
    pub operator: String,
    pub lang: Lang,
    /// The command's time (RFC 3339): the CLI's clock, or its `ONEDOOR_NOW`.
    pub now: String,
    /// The operator's PIN (`ONEDOOR_PIN`, `--pin-file` or typed at the CLI's terminal).
    pub pin: Option<String>,
    /// A PIN being set (`ONEDOOR_NEW_PIN` or typed at the CLI's terminal).
    pub new_pin: Option<String>,
    /// A supervisor's countersign PIN (`ONEDOOR_COUNTERSIGN_PIN` or typed at the CLI's terminal).
    #[serde(default)]
    pub countersign_pin: Option<String>,
    /// Whether the second frame is the command's standard input (for `-`).
    pub stdin: bool,
}

/// The counter's answer: the exit status, and a secret the command needed
/// and was not sent (the CLI asks for it at its terminal and sends the command again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub code: u8,
    pub asked: Option<Asked>,
}

/// What a command carried out by the counter printed, and its exit status.
pub struct Done {
    pub reply: Reply,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Carries out one command on a session that has the counter's store: parses
/// `args`, reads relative paths from `cwd`, writes its output to `out` and
/// its error line to [`Session::stderr`]; returns the exit status. The
/// `onedoor` binary gives its own argument parser and commands.
pub type Handler = Arc<dyn Fn(&mut Session, &[String], &Path, &mut dyn Write) -> u8 + Send + Sync>;

/// Why the CLI could not have the counter carry out its command.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("the counter's socket {} is not safe to send a PIN to ({why}); not used", path.display())]
    Unsafe { path: PathBuf, why: String },
    #[error("cannot talk to the counter through {}: {error}", path.display())]
    Failed { path: PathBuf, error: String },
}

impl Say for ControlError {
    fn say(&self, lang: Lang) -> String {
        match self {
            ControlError::Unsafe { path, why } => {
                tr!(lang, "control-unsafe", path = path.display().to_string(), why = why.as_str())
            }
            ControlError::Failed { path, error } => {
                tr!(lang, "control-failed", path = path.display().to_string(), error = error.as_str())
            }
        }
    }
}

/// Where the counter of the store in `data` listens.
pub fn socket_path(data: &Path) -> PathBuf {
    data.join(SOCKET)
}

// ---- frames -------------------------------------------------------------

fn write_frame(w: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| std::io::Error::other("a frame larger than 4 GiB"))?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(bytes)
}

/// Reads one frame of at most `limit` bytes; with a `deadline`, the frame must
/// have arrived by then.
fn read_frame(stream: &mut UnixStream, limit: usize, deadline: Option<Instant>) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    read_by(stream, &mut len, deadline)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes, more than {limit}"),
        ));
    }
    let mut bytes = vec![0; len];
    read_by(stream, &mut bytes, deadline)?;
    Ok(bytes)
}

fn read_by(stream: &mut UnixStream, mut buf: &mut [u8], deadline: Option<Instant>) -> std::io::Result<()> {
    while !buf.is_empty() {
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the request did not arrive in time"));
            }
            stream.set_read_timeout(Some(left))?;
        }
        match stream.read(buf) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => buf = &mut buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the request did not arrive in time"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn same_user(stream: &UnixStream) -> Result<(), String> {
    let me = rustix::process::geteuid();
    match rustix::net::sockopt::socket_peercred(stream) {
        Ok(cred) if cred.uid == me => Ok(()),
        Ok(cred) => Err(format!("user {} is not user {}", cred.uid.as_raw(), me.as_raw())),
        Err(e) => Err(format!("cannot tell who is at the other end: {e}")),
    }
}

// ---- the counter's side -------------------------------------------------

/// What the counter's commands are carried out with: its config, paths and policies.
#[derive(Clone)]
pub struct Base {
    pub config: Config,
    pub paths: Paths,
    pub policies: PolicyBook,
    /// The counter's language: what a request that cannot be read is answered in.
    pub lang: Lang,
}

impl Base {
    pub fn of(session: &Session) -> Base {
        Base {
            config: session.config.clone(),
            paths: session.paths.clone(),
            policies: session.policies.clone(),
            lang: session.lang,
        }
    }
}

/// The socket, listening while the counter is open. Dropped, it stops (after
/// the command under way, if any) and removes the socket file.
pub struct Listener {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// At most this many requests are being read at once (each on a thread of
/// its own, so a CLI slow to send never holds up another); more are closed.
const MAX_READING: usize = 4;

/// A request read whole, waiting for the socket's one worker.
struct Arrived {
    stream: UnixStream,
    request: Request,
    stdin: Option<Vec<u8>>,
}

/// Starts listening on `DATA/control.sock` (replacing the socket file a
/// killed counter left: this process holds the store, so no other counter
/// listens there). `changed` is called after each command that succeeded, to
/// have the screen reload what it shows.
pub fn listen(
    base: Base,
    store: Arc<Store>,
    handler: Handler,
    changed: impl Fn() + Send + 'static,
) -> std::io::Result<Listener> {
    let path = socket_path(&base.paths.data);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_dir() => {
            return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a directory is in the socket's place"))
        }
        Ok(_) => std::fs::remove_file(&path)?,
        Err(_) => {}
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    let stop = Arc::new(AtomicBool::new(false));
    let (arrived, queue) = std::sync::mpsc::channel::<Arrived>();
    let lang = base.lang;
    let accepting = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("onedoor-control".into())
            .spawn(move || accept(&listener, &stop, &arrived, lang))?
    };
    let working = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("onedoor-control-work".into())
            .spawn(move || work(&queue, &stop, &base, &store, &handler, &changed))?
    };
    tracing::info!(socket = %path.display(), "control socket listening");
    Ok(Listener { path, stop, threads: vec![accepting, working] })
}

/// Takes connections; each request is read on a thread of its own.
fn accept(listener: &UnixListener, stop: &AtomicBool, arrived: &std::sync::mpsc::Sender<Arrived>, lang: Lang) {
    use rustix::event::{PollFd, PollFlags, Timespec};
    use std::sync::atomic::AtomicUsize;
    let reading = Arc::new(AtomicUsize::new(0));
    let wait = Timespec { tv_sec: 0, tv_nsec: i64::from(POLL.subsec_nanos()) };
    while !stop.load(Ordering::Relaxed) {
        let mut fds = [PollFd::new(listener, PollFlags::IN)];
        match rustix::event::poll(&mut fds, Some(&wait)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::error!("the control socket cannot wait: {e}; it stops");
                return;
            }
        }
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => {
                tracing::warn!("the control socket: {e}");
                continue;
            }
        };
        if reading.fetch_add(1, Ordering::SeqCst) >= MAX_READING {
            reading.fetch_sub(1, Ordering::SeqCst);
            tracing::warn!("the control socket is reading {MAX_READING} requests already: one more closed");
            continue;
        }
        let (reading, arrived) = (Arc::clone(&reading), arrived.clone());
        let spawned = std::thread::Builder::new().name("onedoor-control-read".into()).spawn(move || {
            if let Some(a) = receive(stream, lang) {
                let _ = arrived.send(a);
            }
            reading.fetch_sub(1, Ordering::SeqCst);
        });
        if let Err(e) = spawned {
            tracing::warn!("the control socket cannot read a request: {e}");
        }
    }
}

/// Reads one request whole; one that cannot be read, or from another user, is answered here.
fn receive(mut stream: UnixStream, lang: Lang) -> Option<Arrived> {
    if let Err(e) = stream.set_nonblocking(false) {
        tracing::warn!("the control socket: {e}");
        return None;
    }
    let refused = |stream: &mut UnixStream, said: String| {
        tracing::warn!("the control socket refused a request: {said}");
        reply(stream, &Reply { code: 2, asked: None }, b"", format!("error: {said}\n").as_bytes());
    };
    if let Err(why) = same_user(&stream) {
        refused(&mut stream, tr!(lang, "control-refused-user", why = why.as_str()));
        return None;
    }
    // A connection closed before a byte was sent (a CLI that only looked) is no request.
    let deadline = Instant::now() + REQUEST_TIMEOUT;
    let mut first = [0u8; 1];
    if stream.set_read_timeout(Some(REQUEST_TIMEOUT)).is_ok()
        && matches!(rustix::net::recv(&stream, &mut first[..], rustix::net::RecvFlags::PEEK), Ok((0, _)))
    {
        return None;
    }
    match read_request(&mut stream, deadline) {
        Ok((request, stdin)) => Some(Arrived { stream, request, stdin }),
        Err(why) => {
            refused(&mut stream, tr!(lang, "control-bad-request", why = why.as_str()));
            None
        }
    }
}

/// Carries out the requests one at a time, in the order they arrived whole.
fn work(
    queue: &std::sync::mpsc::Receiver<Arrived>,
    stop: &AtomicBool,
    base: &Base,
    store: &Arc<Store>,
    handler: &Handler,
    changed: &dyn Fn(),
) {
    while !stop.load(Ordering::Relaxed) {
        let Arrived { mut stream, request, stdin } = match queue.recv_timeout(POLL) {
            Ok(a) => a,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // A command that panics is the command's failure, never the counter's.
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            carry_out(base, Arc::clone(store), handler, request, stdin)
        }));
        let Done { reply: r, stdout, stderr } = done.unwrap_or_else(|_| {
            tracing::error!("a command through the control socket panicked");
            let line = format!("error: {}\n", tr!(base.lang, "control-panicked"));
            Done { reply: Reply { code: 1, asked: None }, stdout: Vec::new(), stderr: line.into_bytes() }
        });
        tracing::info!(code = r.code, "a command through the control socket");
        reply(&mut stream, &r, &stdout, &stderr);
        if r.code == 0 {
            changed();
        }
    }
}

fn read_request(stream: &mut UnixStream, deadline: Instant) -> Result<(Request, Option<Vec<u8>>), String> {
    let deadline = Some(deadline);
    // Both frames are read before either is judged, so the CLI is never cut off while it sends.
    let header = read_frame(stream, MAX_HEADER, deadline).map_err(|e| e.to_string())?;
    let stdin = read_frame(stream, MAX_STDIN, deadline).map_err(|e| e.to_string())?;
    let request: Request = serde_json::from_slice(&header).map_err(|e| e.to_string())?;
    if request.version != VERSION {
        return Err(format!("version {} (this counter speaks {VERSION})", request.version));
    }
    let given = request.stdin;
    Ok((request, given.then_some(stdin)))
}

fn reply(stream: &mut UnixStream, reply: &Reply, stdout: &[u8], stderr: &[u8]) {
    let header = match serde_json::to_vec(reply) {
        Ok(h) => h,
        Err(e) => return tracing::error!("cannot write a control reply: {e}"),
    };
    let sent = stream
        .set_write_timeout(Some(REPLY_TIMEOUT))
        .and_then(|()| write_frame(stream, &header))
        .and_then(|()| write_frame(stream, stdout))
        .and_then(|()| write_frame(stream, stderr))
        .and_then(|()| stream.flush());
    if let Err(e) = sent {
        tracing::warn!("the CLI did not take the counter's reply: {e}");
    }
}

/// Carries out one request on the counter's store, as the CLI would alone.
pub fn carry_out(base: &Base, store: Arc<Store>, handler: &Handler, request: Request, stdin: Option<Vec<u8>>) -> Done {
    let offset = base.config.counter.utc_offset;
    let now = match chrono::DateTime::parse_from_rfc3339(&request.now) {
        Ok(now) => now.with_timezone(&offset),
        Err(_) => {
            let why = format!("'{}' is not a time", request.now);
            let line = format!("error: {}\n", tr!(request.lang, "control-bad-request", why = why.as_str()));
            return Done { reply: Reply { code: 2, asked: None }, stdout: Vec::new(), stderr: line.into_bytes() };
        }
    };
    let mut session = Session::from_parts(
        base.config.clone(),
        base.paths.clone(),
        request.operator,
        now,
        base.policies.clone(),
        request.lang,
    );
    let mut remote = Remote::new(store);
    remote.pin = request.pin;
    remote.new_pin = request.new_pin;
    remote.countersign_pin = request.countersign_pin;
    remote.stdin = stdin;
    session.remote = Some(remote);
    let mut stdout = Vec::new();
    let code = handler(&mut session, &request.args, &request.cwd, &mut stdout);
    let Some(remote) = session.remote.take() else {
        return Done { reply: Reply { code, asked: None }, stdout, stderr: Vec::new() };
    };
    let asked = if code == 0 { None } else { remote.asked.into_inner() };
    Done { reply: Reply { code, asked }, stdout, stderr: remote.stderr.into_inner() }
}

// ---- the CLI's side -----------------------------------------------------

/// Connects to the counter of the store in `data`: `None` when no counter
/// listens there (no socket, or the file a killed counter left). A socket
/// that another user owns, that others may open, or with another user at the
/// other end is refused: the CLI would send its PIN there.
pub fn connect(data: &Path) -> Result<Option<UnixStream>, ControlError> {
    let path = socket_path(data);
    let Ok(meta) = std::fs::symlink_metadata(&path) else { return Ok(None) };
    {
        use std::os::unix::fs::FileTypeExt;
        if !meta.file_type().is_socket() {
            return Ok(None);
        }
    }
    let stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound) => {
            return Ok(None)
        }
        Err(e) => return Err(ControlError::Failed { path, error: e.to_string() }),
    };
    let me = rustix::process::geteuid().as_raw();
    let unsafe_because = |why: String| ControlError::Unsafe { path: path.clone(), why };
    if meta.uid() != me {
        return Err(unsafe_because(format!("owned by user {}", meta.uid())));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(unsafe_because(format!("mode {:o}, not 600", meta.mode() & 0o777)));
    }
    same_user(&stream).map_err(unsafe_because)?;
    Ok(Some(stream))
}

/// Sends one request and reads the counter's reply.
pub fn call(mut stream: UnixStream, data: &Path, request: &Request, stdin: &[u8]) -> Result<Done, ControlError> {
    let path = socket_path(data);
    let failed = |e: std::io::Error| ControlError::Failed { path: path.clone(), error: e.to_string() };
    let header = serde_json::to_vec(request).map_err(|e| failed(std::io::Error::other(e)))?;
    write_frame(&mut stream, &header).and_then(|()| write_frame(&mut stream, stdin)).map_err(failed)?;
    stream.set_read_timeout(Some(CLI_TIMEOUT)).map_err(failed)?;
    let reply = read_frame(&mut stream, MAX_HEADER, None).map_err(failed)?;
    let reply: Reply =
        serde_json::from_slice(&reply).map_err(|e| failed(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    let stdout = read_frame(&mut stream, MAX_REPLY, None).map_err(failed)?;
    let stderr = read_frame(&mut stream, MAX_REPLY, None).map_err(failed)?;
    Ok(Done { reply, stdout, stderr })
}

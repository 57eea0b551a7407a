//! The card reader on its serial port: one exchange at a time (SAM check, find,
//! select, read), a one-shot read for the CLI, and a background thread that
//! polls while a screen wants a card and reconnects by itself after an unplug.

use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits};

use super::card::{CardError, IdCard};
use super::frame::{Command, FrameDecoder, FrameError, Response, Status};
use crate::{tr, Lang};

/// How long the reader may take to answer the SAM check, find and select:
/// a slow reader answers in 500 ms, and must not be taken for one gone.
pub const SHORT_TIMEOUT: Duration = Duration::from_millis(1000);
/// How long the reader may take to send the text and photo.
pub const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the reader may take to send text, photo and fingerprints.
pub const READ_WITH_FINGERPRINTS_TIMEOUT: Duration = Duration::from_secs(3);
/// Between two looks for a card while a screen wants one (about 3 Hz).
pub const POLL_INTERVAL: Duration = Duration::from_millis(330);
/// Between two attempts to open a reader that is not there.
pub const RECONNECT_INTERVAL: Duration = Duration::from_secs(1);
/// A card that fails this many reads in a row is reported, then left alone until lifted.
const ATTEMPTS_PER_CARD: u8 = 3;

/// Which read command to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadCommand {
    /// `30 01`: text and photo.
    #[default]
    TextAndPhoto,
    /// `30 10`: text, photo and fingerprints (fingerprints are not kept).
    WithFingerprints,
}

impl ReadCommand {
    fn command(self) -> Command {
        match self {
            ReadCommand::TextAndPhoto => Command::READ_TEXT_AND_PHOTO,
            ReadCommand::WithFingerprints => Command::READ_WITH_FINGERPRINTS,
        }
    }

    fn timeout(self) -> Duration {
        match self {
            ReadCommand::TextAndPhoto => READ_TIMEOUT,
            ReadCommand::WithFingerprints => READ_WITH_FINGERPRINTS_TIMEOUT,
        }
    }
}

/// Where the reader is and how to talk to it (always 8N1, no flow control).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReaderConfig {
    pub port: String,
    pub baud: u32,
    pub read_command: ReadCommand,
    /// Keep the raw WLT photo in the [`IdCard`].
    pub keep_photo: bool,
}

impl ReaderConfig {
    /// `port` at 115200 baud, reading text and photo, photo not kept.
    pub fn new(port: impl Into<String>) -> ReaderConfig {
        ReaderConfig { port: port.into(), baud: 115_200, read_command: ReadCommand::TextAndPhoto, keep_photo: false }
    }
}

impl Default for ReaderConfig {
    fn default() -> ReaderConfig {
        ReaderConfig::new("/dev/ttyUSB0")
    }
}

/// The step of the exchange where the reader said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    SamCheck,
    FindCard,
    SelectCard,
    ReadCard,
}

impl Step {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Step::SamCheck => tr!(lang, "reader-step-sam_check"),
            Step::FindCard => tr!(lang, "reader-step-find_card"),
            Step::SelectCard => tr!(lang, "reader-step-select_card"),
            Step::ReadCard => tr!(lang, "reader-step-read_card"),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(Lang::En))
    }
}

/// Why no card came out of the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    #[error("there is no ID card reader at {port}; check that it is plugged in")]
    NotFound { port: String },
    #[error("the ID card reader at {port} is in use by another program")]
    Busy { port: String },
    #[error("the ID card reader at {port} cannot be opened: {reason}")]
    CannotOpen { port: String, reason: String },
    #[error("the device at {port} does not answer as an ID card reader (check the port and the baud rate)")]
    NoAnswer { port: String },
    #[error("the ID card reader at {port} was disconnected")]
    Disconnected { port: String },
    #[error("{step}: {status}")]
    Refused { step: Step, status: Status },
    #[error("no ID card was placed on the reader within {} s", waited.as_secs_f32())]
    NoCard { waited: Duration },
    #[error("{0}")]
    Garbled(FrameError),
    #[error("{0}")]
    Card(CardError),
    #[error("the card could not be written out: {0}")]
    Output(String),
}

impl ReaderError {
    /// What the clerk reads.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ReaderError::Refused { status, .. } => status.message(lang),
            ReaderError::Garbled(e) => e.message(lang),
            ReaderError::Card(e) => e.message(lang),
            ReaderError::NotFound { port } => tr!(lang, "reader-not-found", port = port),
            ReaderError::Busy { port } => tr!(lang, "reader-busy", port = port),
            ReaderError::CannotOpen { port, reason } => tr!(lang, "reader-cannot-open", port = port, reason = reason),
            ReaderError::NoAnswer { port } => tr!(lang, "reader-no-answer", port = port),
            ReaderError::Disconnected { port } => tr!(lang, "reader-disconnected", port = port),
            ReaderError::NoCard { waited } => tr!(lang, "reader-no-card", seconds = waited.as_secs_f32().to_string()),
            ReaderError::Output(reason) => tr!(lang, "reader-output", reason = reason),
        }
    }

    /// The reader itself is gone or unusable (as opposed to a card that read badly).
    pub fn is_reader_fault(&self) -> bool {
        match self {
            ReaderError::NotFound { .. }
            | ReaderError::Busy { .. }
            | ReaderError::CannotOpen { .. }
            | ReaderError::NoAnswer { .. }
            | ReaderError::Disconnected { .. } => true,
            ReaderError::Refused { status, .. } => {
                matches!(status, Status::SamSelfTestFailed | Status::SamNotAuthorised)
            }
            ReaderError::NoCard { .. } | ReaderError::Garbled(_) | ReaderError::Card(_) | ReaderError::Output(_) => {
                false
            }
        }
    }
}

/// An open port with a reader that answered the SAM check.
pub(crate) struct Link {
    port: Box<dyn SerialPort>,
    name: String,
    decoder: FrameDecoder,
    buf: Vec<u8>,
}

impl Link {
    /// Opens the port (8N1, no flow control).
    pub(crate) fn open(path: &str, baud: u32) -> Result<Link, ReaderError> {
        if !Path::new(path).exists() {
            return Err(ReaderError::NotFound { port: path.to_string() });
        }
        let port = serialport::new(path, baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(FlowControl::None)
            .timeout(SHORT_TIMEOUT)
            .open()
            .map_err(|e| open_error(path, e))?;
        Ok(Link { port, name: path.to_string(), decoder: FrameDecoder::new(), buf: vec![0; 1024] })
    }

    /// Opens the port and checks that a working reader is on it.
    pub(crate) fn connect(config: &ReaderConfig) -> Result<Link, ReaderError> {
        let mut link = Link::open(&config.port, config.baud)?;
        link.check_sam()?;
        Ok(link)
    }

    /// Sends one command and waits up to `timeout` for the answer.
    pub(crate) fn exchange(&mut self, command: &Command, timeout: Duration) -> Result<Response, ReaderError> {
        // Anything left from an earlier, abandoned exchange is stale.
        let _ = self.port.clear(ClearBuffer::Input);
        self.decoder.clear();
        let deadline = Instant::now() + timeout;
        let _ = self.port.set_timeout(timeout);
        if let Err(e) = self.port.write_all(&command.encode()) {
            return Err(self.io_failure(&e));
        }
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                return match frame.and_then(|payload| Response::from_payload(&payload)) {
                    Ok(response) => Ok(response),
                    Err(e) => {
                        tracing::warn!(port = %self.name, error = %e, "damaged frame from the ID card reader");
                        Err(ReaderError::Garbled(e))
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                tracing::debug!(port = %self.name, buffered = self.decoder.buffered(), "no answer in time");
                return Err(ReaderError::NoAnswer { port: self.name.clone() });
            }
            let _ = self.port.set_timeout(deadline - now);
            match self.port.read(&mut self.buf) {
                Ok(0) => return Err(ReaderError::Disconnected { port: self.name.clone() }),
                Ok(n) => self.decoder.push(&self.buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::Interrupted | ErrorKind::WouldBlock) => {}
                Err(e) => return Err(self.io_failure(&e)),
            }
        }
    }

    fn io_failure(&self, e: &std::io::Error) -> ReaderError {
        tracing::info!(port = %self.name, error = %e, "ID card reader connection lost");
        if e.kind() == ErrorKind::TimedOut {
            ReaderError::NoAnswer { port: self.name.clone() }
        } else {
            ReaderError::Disconnected { port: self.name.clone() }
        }
    }

    /// The answer to `command`, which must carry one of the `accepted` statuses.
    fn expect(
        &mut self,
        step: Step,
        command: &Command,
        timeout: Duration,
        accepted: &[Status],
    ) -> Result<Response, ReaderError> {
        let response = self.exchange(command, timeout)?;
        let status = response.status();
        if accepted.contains(&status) {
            Ok(response)
        } else {
            Err(ReaderError::Refused { step, status })
        }
    }

    pub(crate) fn check_sam(&mut self) -> Result<(), ReaderError> {
        self.expect(Step::SamCheck, &Command::SAM_STATUS, SHORT_TIMEOUT, &[Status::Success]).map(|_| ())
    }

    /// Whether a card is on the reader (find answers 0x9F; 0x80 is no card).
    pub(crate) fn find_card(&mut self) -> Result<bool, ReaderError> {
        let response = self.exchange(&Command::FIND_CARD, SHORT_TIMEOUT)?;
        match response.status() {
            Status::CardFound | Status::Success => Ok(true),
            Status::NoCard => Ok(false),
            status => Err(ReaderError::Refused { step: Step::FindCard, status }),
        }
    }

    /// Select, then read the card just found.
    pub(crate) fn select_and_read(&mut self, config: &ReaderConfig) -> Result<IdCard, ReaderError> {
        self.expect(Step::SelectCard, &Command::SELECT_CARD, SHORT_TIMEOUT, &[Status::Success])?;
        let read = config.read_command;
        let response = self.expect(Step::ReadCard, &read.command(), read.timeout(), &[Status::Success])?;
        let with_fingerprints = read == ReadCommand::WithFingerprints;
        IdCard::from_read_data(&response.data, with_fingerprints, config.keep_photo).map_err(ReaderError::Card)
    }
}

fn open_error(path: &str, e: serialport::Error) -> ReaderError {
    let port = path.to_string();
    match e.kind() {
        serialport::ErrorKind::NoDevice => ReaderError::Busy { port },
        serialport::ErrorKind::Io(ErrorKind::NotFound) => ReaderError::NotFound { port },
        serialport::ErrorKind::Io(ErrorKind::PermissionDenied) => {
            ReaderError::CannotOpen { port, reason: "permission denied (is the user in the dialout group?)".into() }
        }
        _ => ReaderError::CannotOpen { port, reason: e.description },
    }
}

/// One full read: opens the port, checks the reader, looks for a card for up
/// to `wait` (at least once), then selects and reads it.
pub fn read_once(config: &ReaderConfig, wait: Duration) -> Result<IdCard, ReaderError> {
    let mut link = Link::connect(config)?;
    let deadline = Instant::now() + wait;
    loop {
        if link.find_card()? {
            return link.select_and_read(config);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ReaderError::NoCard { waited: wait });
        }
        thread::sleep(left.min(POLL_INTERVAL));
    }
}

/// The reader's state as the counter screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderStatus {
    /// Opening the port for the first time.
    Connecting,
    /// A reader answers and is ready for cards.
    Ready,
    /// No usable reader: unplugged, not answering, or its security module refuses.
    Disconnected { reason: ReaderError },
}

impl ReaderStatus {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ReaderStatus::Connecting => tr!(lang, "reader-connecting").into(),
            ReaderStatus::Ready => tr!(lang, "reader-ready").into(),
            ReaderStatus::Disconnected { reason } => {
                let gone = matches!(reason, ReaderError::NotFound { .. } | ReaderError::Disconnected { .. });
                if gone {
                    tr!(lang, "reader-gone", reason = reason.message(lang))
                } else {
                    tr!(lang, "reader-unavailable", reason = reason.message(lang))
                }
            }
        }
    }
}

/// What the reader thread tells the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    Status(ReaderStatus),
    /// A card was read; it will not be reported again until it is lifted.
    Card(Box<IdCard>),
    /// A card is on the reader but could not be read (after a few quiet retries).
    Failed(ReaderError),
}

enum Control {
    Wanted(bool),
    /// Read the card on the reader again, although it was not lifted.
    Reread,
    Stop,
}

/// The running reader thread. Dropping it stops the thread (waiting at most
/// for the exchange in progress).
pub struct ReaderHandle {
    control: Sender<Control>,
    thread: Option<JoinHandle<()>>,
}

impl ReaderHandle {
    /// Poll for cards (about 3 times a second) while `wanted`; stay quiet otherwise.
    pub fn set_wanted(&self, wanted: bool) {
        let _ = self.control.send(Control::Wanted(wanted));
    }

    /// Reads the card on the reader once more at the next poll (the clerk's
    /// key: no need to lift the card and put it back).
    pub fn reread(&self) {
        let _ = self.control.send(Control::Reread);
    }
}

impl Drop for ReaderHandle {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the reader thread. It reports its status, the cards read and the
/// failed reads through `notify`, which runs on the reader thread.
pub fn spawn(config: ReaderConfig, notify: impl Fn(ReaderEvent) + Send + 'static) -> ReaderHandle {
    let (control, rx) = mpsc::channel();
    let thread =
        thread::Builder::new().name("idcard-reader".into()).spawn(move || ReaderThread::new(config, rx, notify).run());
    match thread {
        Ok(thread) => ReaderHandle { control, thread: Some(thread) },
        Err(e) => {
            tracing::error!(error = %e, "cannot start the ID card reader thread");
            ReaderHandle { control, thread: None }
        }
    }
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// Card presence between polls: a card read (or given up on) is left alone
/// until find answers "no card".
#[derive(Default)]
struct Presence {
    awaiting_lift: bool,
    failures: u8,
}

struct ReaderThread<F> {
    config: ReaderConfig,
    control: Receiver<Control>,
    notify: F,
    wanted: bool,
    /// The clerk asked for the card on the reader to be read again.
    reread: bool,
    status: Option<ReaderStatus>,
}

impl<F: Fn(ReaderEvent)> ReaderThread<F> {
    fn new(config: ReaderConfig, control: Receiver<Control>, notify: F) -> Self {
        ReaderThread { config, control, notify, wanted: false, reread: false, status: None }
    }

    fn report(&mut self, status: ReaderStatus) {
        if self.status.as_ref() != Some(&status) {
            tracing::info!(port = %self.config.port, status = %status.message(Lang::En), "ID card reader");
            self.status = Some(status.clone());
            (self.notify)(ReaderEvent::Status(status));
        }
    }

    /// Waits up to `period` for control messages; returns early when a screen
    /// starts wanting a card.
    fn wait(&mut self, period: Duration) -> Flow {
        let deadline = Instant::now() + period;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.control.recv_timeout(left) {
                Ok(Control::Wanted(wanted)) => {
                    let became_wanted = wanted && !self.wanted;
                    self.wanted = wanted;
                    if became_wanted {
                        return Flow::Continue;
                    }
                }
                Ok(Control::Reread) => {
                    self.reread = true;
                    if self.wanted {
                        return Flow::Continue;
                    }
                }
                Ok(Control::Stop) | Err(RecvTimeoutError::Disconnected) => return Flow::Stop,
                Err(RecvTimeoutError::Timeout) => return Flow::Continue,
            }
        }
    }

    fn run(mut self) {
        self.report(ReaderStatus::Connecting);
        loop {
            let mut link = match Link::connect(&self.config) {
                Ok(link) => link,
                Err(reason) => {
                    self.report(ReaderStatus::Disconnected { reason });
                    if self.wait(RECONNECT_INTERVAL) == Flow::Stop {
                        return;
                    }
                    continue;
                }
            };
            self.report(ReaderStatus::Ready);
            match self.serve(&mut link) {
                Ok(Flow::Stop) => return,
                Ok(Flow::Continue) => {}
                Err(reason) => self.report(ReaderStatus::Disconnected { reason }),
            }
            drop(link);
            if self.wait(RECONNECT_INTERVAL) == Flow::Stop {
                return;
            }
        }
    }

    /// Polls while wanted and watches for the reader going away; returns the
    /// reason when it does.
    fn serve(&mut self, link: &mut Link) -> Result<Flow, ReaderError> {
        let mut presence = Presence::default();
        loop {
            if self.wanted {
                self.poll(link, &mut presence)?;
                if self.wait(POLL_INTERVAL) == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            } else {
                // A quiet reader: notice an unplug by the port path vanishing.
                if !Path::new(&self.config.port).exists() {
                    return Err(ReaderError::Disconnected { port: self.config.port.clone() });
                }
                if self.wait(RECONNECT_INTERVAL) == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
        }
    }

    fn poll(&mut self, link: &mut Link, presence: &mut Presence) -> Result<(), ReaderError> {
        match link.find_card() {
            Ok(true) => {}
            Ok(false) => {
                *presence = Presence::default();
                return Ok(());
            }
            Err(e) if e.is_reader_fault() => return Err(e),
            Err(e) => {
                tracing::debug!(error = %e, "find card failed");
                return Ok(());
            }
        }
        if std::mem::take(&mut self.reread) {
            *presence = Presence::default();
        }
        if presence.awaiting_lift {
            return Ok(());
        }
        match link.select_and_read(&self.config) {
            Ok(card) => {
                *presence = Presence { awaiting_lift: true, failures: 0 };
                (self.notify)(ReaderEvent::Card(Box::new(card)));
                Ok(())
            }
            Err(e) if e.is_reader_fault() => Err(e),
            Err(e) => {
                presence.failures += 1;
                tracing::debug!(attempt = presence.failures, error = %e, "card read failed");
                if presence.failures >= ATTEMPTS_PER_CARD {
                    *presence = Presence { awaiting_lift: true, failures: 0 };
                    (self.notify)(ReaderEvent::Failed(e));
                }
                Ok(())
            }
        }
    }
}

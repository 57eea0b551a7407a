//! The ESC/POS receipt printer: connections and status.
//! [`print`] asks the printer's status first and sends nothing unless it can print.
//!
//! Every function here blocks (for at most the status timeout per question and
//! the write timeout): call it from the printer thread, never the UI thread.
//! Any `Err` means the receipt was not (fully) printed and belongs on the
//! pending list (`printing::PendingReceipt`) to be reprinted later.

mod link;
mod spec;
mod status;

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::time::Instant;

use crate::{tr, Lang};
use link::{Link, TcpLink, UsbLink};

pub use link::{SerialDriver, CONNECT_TIMEOUT, WRITE_TIMEOUT};
pub use spec::{Connection, PrinterSpec, SpecError, DEFAULT_BAUD, DEFAULT_TCP_PORT, STATUS_TIMEOUT};
pub use status::{is_status_byte, PrinterStatus, StatusReplies};

/// `DLE EOT n`: exactly three bytes (the escpos crate sends a stray fourth).
pub fn status_request(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// Why a receipt was not printed. Every variant means: keep it on the pending list.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer said it cannot print (paper out, cover open, offline, fault,
    /// no or bad answer). Nothing was sent.
    #[error("printer {spec}: {}", crate::l10n::names::printer_advice(*.status, Lang::En))]
    NotReady { spec: String, status: PrinterStatus },
    /// The printer could not be opened or reached. Nothing was sent.
    #[error("printer {spec} cannot be opened: {source}")]
    Open { spec: String, source: io::Error },
    /// Sending failed part-way: part of the receipt may be on the paper.
    #[error("printer {spec} stopped while printing: {source}")]
    Write { spec: String, source: io::Error },
}

impl PrintError {
    /// The printer's status, when that is why.
    pub fn status(&self) -> Option<PrinterStatus> {
        match self {
            PrintError::NotReady { status, .. } => Some(*status),
            PrintError::Open { .. } | PrintError::Write { .. } => None,
        }
    }

    /// True when not one byte of the receipt reached the printer.
    pub fn nothing_printed(&self) -> bool {
        !matches!(self, PrintError::Write { .. })
    }

    /// One line for the clerk, in the counter's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            PrintError::NotReady { status, .. } => crate::l10n::names::printer_advice(*status, lang),
            PrintError::Open { spec, source } => tr!(lang, "print-error-open", spec = spec, error = source.to_string()),
            PrintError::Write { spec, source } => {
                tr!(lang, "print-error-write", spec = spec, error = source.to_string())
            }
        }
    }
}

fn open_link(spec: &PrinterSpec) -> Result<Option<Box<dyn Link>>, PrintError> {
    let open_err = |source| PrintError::Open { spec: spec.to_string(), source };
    let link: Box<dyn Link> = match &spec.connection {
        Connection::Serial { path, baud } => {
            Box::new(SerialDriver::open(path, *baud, spec.status_timeout).map_err(open_err)?)
        }
        Connection::Usb { path } => Box::new(UsbLink::open(path, spec.ask_status).map_err(open_err)?),
        Connection::Tcp { host, port } => Box::new(TcpLink::open(host, *port).map_err(open_err)?),
        Connection::File { .. } | Connection::None => return Ok(None),
    };
    Ok(Some(link))
}

/// Asks `DLE EOT` 1, 2 and 4 (and 3 when 2 reports a fault), one byte each.
fn ask(link: &mut dyn Link, spec: &PrinterSpec) -> Result<PrinterStatus, PrintError> {
    let mut one = |n: u8| -> Result<Option<u8>, PrintError> {
        link.discard_input();
        let write_err = |source| PrintError::Open { spec: spec.to_string(), source };
        link.send(&status_request(n)).map_err(write_err)?;
        link.recv_byte(Instant::now() + spec.status_timeout).map_err(write_err)
    };
    // Stop at the first silence: a printer that does not answer 1 will not answer 2.
    let mut replies = [0u8; 3];
    for (slot, n) in replies.iter_mut().zip([1, 2, 4]) {
        match one(n)? {
            Some(b) => *slot = b,
            None => return Ok(PrinterStatus::NotAnswering),
        }
    }
    let [printer, offline_cause, paper] = replies;
    let error_cause = if is_status_byte(offline_cause) && offline_cause & 0x40 != 0 { one(3)? } else { None };
    let replies = StatusReplies { printer, offline_cause, paper, error_cause };
    tracing::debug!(?replies, "printer status");
    Ok(replies.status())
}

/// The printer's status now. A connection that cannot answer (`file`, `none`,
/// or `status=off`) is taken as ready.
pub fn status(spec: &PrinterSpec) -> Result<PrinterStatus, PrintError> {
    if !spec.ask_status {
        return Ok(PrinterStatus::Ready);
    }
    match open_link(spec)? {
        Some(mut link) => ask(link.as_mut(), spec),
        None => Ok(PrinterStatus::Ready),
    }
}

/// Prints `bytes` (from `receipt::to_escpos`): status first, and nothing at
/// all is sent unless the printer can print. `Ok` carries the status, so the
/// clerk can be told the paper is nearly finished. With `none` nothing is
/// written and the caller shows `receipt::to_text` instead.
pub fn print(spec: &PrinterSpec, bytes: &[u8]) -> Result<PrinterStatus, PrintError> {
    let spec_text = spec.to_string();
    match &spec.connection {
        Connection::None => Ok(PrinterStatus::Ready),
        Connection::File { path } => {
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| PrintError::Open { spec: spec_text.clone(), source })?;
            file.write_all(bytes)
                .and_then(|()| file.flush())
                .map_err(|source| PrintError::Write { spec: spec_text, source })?;
            Ok(PrinterStatus::Ready)
        }
        Connection::Serial { .. } | Connection::Usb { .. } | Connection::Tcp { .. } => {
            let Some(mut link) = open_link(spec)? else {
                return Ok(PrinterStatus::Ready);
            };
            let status = if spec.ask_status { ask(link.as_mut(), spec)? } else { PrinterStatus::Ready };
            if !status.can_print() {
                tracing::warn!(printer = %spec_text, ?status, "receipt not printed");
                return Err(PrintError::NotReady { spec: spec_text, status });
            }
            link.send(bytes).map_err(|source| PrintError::Write { spec: spec_text, source })?;
            Ok(status)
        }
    }
}

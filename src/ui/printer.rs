//! The receipt printer's worker thread: the counter hands it committed cases,
//! it prints them (blocking on the printer, never on the UI thread) or keeps
//! them on the store's pending list, and reports back on the counter's channel.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::devices::printer::{self, PrintError, PrinterStatus};
use crate::domain::{Case, CaseId};
use crate::printing::{pending_key, Desk, Printed};
use crate::receipt::ReceiptKind;
use crate::store::Store;

use super::Msg;

/// One receipt to print, for a case that is already on disk.
#[derive(Debug, Clone)]
pub struct PrintJob {
    pub case: Box<Case>,
    pub kind: ReceiptKind,
    /// The clerk asked for it again: marked as a reprint when it was pending.
    pub reprint: bool,
    /// Who is at the counter (signed in), printed on the receipt.
    pub clerk: String,
}

/// What the printer worker tells the counter.
#[derive(Debug, Clone)]
pub enum PrintReport {
    /// The printer's state when the worker starts.
    Status(PrinterStatus),
    /// The printer could not be reached when the worker started.
    Unreachable(Arc<PrintError>),
    /// On paper; the printer's state after it.
    /// `substituted`: characters printed as `[U+XXXX]`, to write in by hand.
    Printed { id: CaseId, kind: ReceiptKind, status: PrinterStatus, reprint: bool, substituted: Vec<char> },
    /// No printer (`none`): the receipt's lines, laid out for the paper, to show on screen.
    OnScreen { id: CaseId, kind: ReceiptKind, lines: Vec<String> },
    /// Not printed: kept on the store's pending list under `key`.
    Pending { id: CaseId, kind: ReceiptKind, key: String, error: Arc<PrintError> },
    /// Not printed, and it could not be put on the pending list either.
    Failed { id: CaseId, kind: ReceiptKind, error: String },
}

impl PrintReport {
    /// Does this status report say the same as `other` (for polling: only changes are reported)?
    fn same_state(&self, other: &PrintReport) -> bool {
        match (self, other) {
            (PrintReport::Status(a), PrintReport::Status(b)) => a == b,
            (PrintReport::Unreachable(_), PrintReport::Unreachable(_)) => true,
            _ => false,
        }
    }
}

/// The running printer worker. Dropping it lets the receipts already handed
/// over finish, then stops the thread.
pub struct PrinterHandle {
    jobs: Option<Sender<PrintJob>>,
    thread: Option<JoinHandle<()>>,
    /// Receipts go on paper (not `none`).
    pub on_paper: bool,
}

impl PrinterHandle {
    /// Hands a receipt to the worker; never waits for the printer.
    pub fn print(&self, job: PrintJob) -> bool {
        self.jobs.as_ref().is_some_and(|jobs| jobs.send(job).is_ok())
    }
}

impl Drop for PrinterHandle {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the printer worker for `desk` (each job names its clerk); reports go to
/// `out`. Between receipts it asks the printer how it is every `poll` and
/// reports when that changes (paper out, cover open, back to ready).
pub fn spawn(desk: Desk, store: Arc<Store>, out: Sender<Msg>, poll: Option<Duration>) -> PrinterHandle {
    let on_paper = desk.spec.prints_on_paper();
    let (jobs, rx) = mpsc::channel::<PrintJob>();
    let thread = std::thread::Builder::new().name("onedoor-printer".into()).spawn(move || {
        let ask = |desk: &Desk| match printer::status(&desk.spec) {
            Ok(status) => PrintReport::Status(status),
            Err(e) => PrintReport::Unreachable(Arc::new(e)),
        };
        // What the counter was last told, to report only changes.
        let mut told: Option<PrintReport> = None;
        if on_paper {
            let report = ask(&desk);
            told = Some(report.clone());
            if out.send(Msg::Printer(report)).is_err() {
                return;
            }
        }
        let wait = poll.filter(|_| on_paper).unwrap_or(Duration::MAX);
        loop {
            let report = match rx.recv_timeout(wait) {
                Ok(job) => {
                    let report = print_one(&desk, &store, &job.clerk, &job);
                    told = None;
                    report
                }
                Err(RecvTimeoutError::Timeout) => {
                    let report = ask(&desk);
                    if told.as_ref().is_some_and(|t| t.same_state(&report)) {
                        continue;
                    }
                    told = Some(report.clone());
                    report
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if out.send(Msg::Printer(report)).is_err() {
                return;
            }
        }
    });
    match thread {
        Ok(thread) => PrinterHandle { jobs: Some(jobs), thread: Some(thread), on_paper },
        Err(e) => {
            tracing::error!("cannot start the printer thread: {e}");
            PrinterHandle { jobs: None, thread: None, on_paper }
        }
    }
}

/// Prints one receipt (on the worker thread).
pub fn print_one(desk: &Desk, store: &Store, clerk: &str, job: &PrintJob) -> PrintReport {
    let id = job.case.id.clone();
    let kind = job.kind;
    let key = pending_key(kind, &id);
    // A reprint is marked as such only when the first print did not reach the paper.
    let reprint = job.reprint
        && match crate::printing::is_pending(store, &key) {
            Ok(pending) => pending,
            Err(e) => {
                tracing::warn!("cannot read the pending receipts: {e}");
                false
            }
        };
    match desk.print_case(store, &job.case, kind, clerk, reprint) {
        Ok(Printed::OnPaper { status, substituted }) => {
            tracing::info!(case = %id, ?kind, reprint, "receipt printed");
            PrintReport::Printed { id, kind, status, reprint, substituted }
        }
        Ok(Printed::OnScreen(lines)) => PrintReport::OnScreen { id, kind, lines },
        Ok(Printed::Pending { key, error }) => {
            tracing::warn!(case = %id, ?kind, "receipt kept pending: {error}");
            PrintReport::Pending { id, kind, key, error: Arc::new(error) }
        }
        Err(e) => {
            tracing::error!(case = %id, ?kind, "receipt neither printed nor kept pending: {e}");
            PrintReport::Failed { id, kind, error: e.to_string() }
        }
    }
}

//! The counter's own small files in the data directory: the unfinished intake
//! form (`draft.json`), the tickets on hold (`held.json`) and the forms kept
//! for an operator another one took the counter from (`parked.json`). Each is written
//! whole to a temporary file, fsynced and renamed over the old one, so a crash
//! leaves either the old or the new file, never half of one.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::form::Form;

pub const DRAFT_FILE: &str = "draft.json";
pub const HELD_FILE: &str = "held.json";
pub const NO_SHOW_FILE: &str = "no-shows.json";
pub const PARKED_FILE: &str = "parked.json";

/// A list kept in a JSON file of the data directory (an unreadable file reads
/// as none and is replaced when next written; `what` names it in the log).
fn read_list<T: serde::de::DeserializeOwned>(dir: &Path, file: &str, what: &str) -> Vec<T> {
    let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
        return Vec::new();
    };
    serde_json::from_str(&text).unwrap_or_else(|e| {
        tracing::warn!("ignoring an unreadable {what} file: {e}");
        Vec::new()
    })
}

/// A called ticket that did not come to the window, recorded by the clerk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoShow {
    pub day: NaiveDate,
    pub ticket: u32,
    pub at: crate::domain::time::Moment,
    pub by: String,
}

/// Every no-show recorded (an unreadable file reads as none, and is kept aside when written).
pub fn read_no_shows(dir: &Path) -> Vec<NoShow> {
    read_list(dir, NO_SHOW_FILE, "no-show")
}

/// Adds one no-show to the file, durably.
pub fn record_no_show(dir: &Path, no_show: &NoShow) -> std::io::Result<()> {
    let mut all = read_no_shows(dir);
    all.push(no_show.clone());
    let bytes = serde_json::to_vec_pretty(&all).map_err(std::io::Error::other)?;
    write_atomic(&dir.join(NO_SHOW_FILE), &bytes)
}

/// A ticket put on hold, with what was typed for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldTicket {
    pub day: NaiveDate,
    pub form: Form,
}

/// Writes `bytes` to `path` durably (temp file, fsync, rename, fsync of the
/// directory), readable by its owner only: the draft and the held tickets
/// hold full ID numbers.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    crate::private_file::write_atomically(path, bytes)
}

/// Removes a file; a file already gone is fine.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// When the draft file was last written (the time the form was left), if the file system says.
pub fn draft_written(dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(dir.join(DRAFT_FILE)).and_then(|m| m.modified()).ok()
}

pub fn read_draft(dir: &Path) -> Option<Form> {
    let text = std::fs::read_to_string(dir.join(DRAFT_FILE)).ok()?;
    match serde_json::from_str(&text) {
        Ok(form) => Some(form),
        Err(e) => {
            tracing::warn!("ignoring an unreadable draft: {e}");
            None
        }
    }
}

pub fn read_held(dir: &Path) -> Vec<HeldTicket> {
    read_list(dir, HELD_FILE, "held-ticket")
}

pub fn write_held(dir: &Path, held: &[HeldTicket]) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(held).map_err(std::io::Error::other)?;
    write_atomic(&dir.join(HELD_FILE), &bytes)
}

/// A form an operator left unfinished when another signed in: theirs again when they sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParkedForm {
    pub owner: String,
    pub form: Form,
}

pub fn read_parked(dir: &Path) -> Vec<ParkedForm> {
    read_list(dir, PARKED_FILE, "kept-form")
}

/// Keeps the parked forms durably (0600: they hold ID numbers); none: the file goes.
pub fn write_parked(dir: &Path, parked: &[ParkedForm]) -> std::io::Result<()> {
    if parked.is_empty() {
        return remove(&dir.join(PARKED_FILE));
    }
    let bytes = serde_json::to_vec_pretty(parked).map_err(std::io::Error::other)?;
    write_atomic(&dir.join(PARKED_FILE), &bytes)
}

enum Job {
    /// The latest draft (`None`: remove the file).
    Draft(Option<Vec<u8>>),
    /// Answer when everything sent before is on disk.
    Sync(mpsc::Sender<()>),
}

/// Writes the draft off the UI thread: the clerk never waits for its fsync.
/// Only the newest draft of a burst of keystrokes is written.
pub struct DraftWriter {
    path: PathBuf,
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl DraftWriter {
    pub fn new(dir: &Path) -> DraftWriter {
        let path = dir.join(DRAFT_FILE);
        let (tx, rx) = mpsc::channel::<Job>();
        let thread_path = path.clone();
        let thread =
            std::thread::Builder::new().name("onedoor-draft".into()).spawn(move || writer_loop(&thread_path, &rx)).ok();
        DraftWriter { path, tx: thread.as_ref().map(|_| tx), thread }
    }

    /// Hands over the form as it is now (`None` when there is no unfinished form).
    pub fn save(&mut self, form: Option<&Form>) {
        let bytes = form.and_then(|f| serde_json::to_vec(f).ok());
        match &self.tx {
            Some(tx) => {
                if let Err(mpsc::SendError(job)) = tx.send(Job::Draft(bytes)) {
                    run(&self.path, job);
                }
            }
            None => run(&self.path, Job::Draft(bytes)),
        }
    }

    /// Waits until every draft handed over is on disk.
    pub fn sync(&self) {
        if let Some(tx) = &self.tx {
            let (done_tx, done_rx) = mpsc::channel();
            if tx.send(Job::Sync(done_tx)).is_ok() {
                let _ = done_rx.recv_timeout(std::time::Duration::from_secs(5));
            }
        }
    }
}

impl Drop for DraftWriter {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// At most one draft write per this interval while the clerk types; a sync
/// (quit, signal, panic) writes at once.
const THROTTLE: std::time::Duration = std::time::Duration::from_millis(300);

fn writer_loop(path: &Path, rx: &mpsc::Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        let mut pending = match job {
            Job::Draft(d) => Some(d),
            Job::Sync(done) => {
                let _ = done.send(());
                continue;
            }
        };
        let deadline = std::time::Instant::now() + THROTTLE;
        loop {
            let wait = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(wait) {
                Ok(Job::Draft(d)) => pending = Some(d),
                Ok(Job::Sync(done)) => {
                    if let Some(d) = pending.take() {
                        run(path, Job::Draft(d));
                    }
                    let _ = done.send(());
                }
                Err(_) => break,
            }
        }
        if let Some(d) = pending {
            run(path, Job::Draft(d));
        }
    }
}

fn run(path: &Path, job: Job) {
    match job {
        Job::Draft(Some(bytes)) => {
            if let Err(e) = write_atomic(path, &bytes) {
                tracing::error!("cannot write the draft {}: {e}", path.display());
            }
        }
        Job::Draft(None) => {
            if let Err(e) = remove(path) {
                tracing::error!("cannot remove the draft {}: {e}", path.display());
            }
        }
        Job::Sync(done) => {
            let _ = done.send(());
        }
    }
}

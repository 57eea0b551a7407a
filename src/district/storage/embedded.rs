//! The embedded store (`--data DIR`): sled plus a commit log, on one machine.
//! One committer thread takes every new case in turn, so deciding "new, same
//! or other content" never races; the cases that arrive while it syncs are
//! written together next time, so many requests share one `fdatasync`.
//!
//! `DIR/sled`: trees `cases` (case id -> the held case: a JSON line of what
//! the district adds, then the case JSON), `people` (ID number ++ case id ->
//! the person's search record), `towns` (town -> cases held, last case) and
//! `contacts` (town -> last contact and report). `DIR/log`: the commit log.

mod log;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use chrono::NaiveDate;
use onedoor::domain::time::{self, Moment};
use onedoor::domain::{Case, CaseId, IdNumber};
use onedoor::sync::wire::{AssistanceRecord, CaseReceipt, TownStatus};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use self::log::Log;
use super::{town_status, Accepted, Contact, Incoming, Storage, StorageError, TownCases};

/// The most cases written with one sync.
const MAX_GROUP: usize = 512;
/// The most bytes written with one sync (well inside the log).
const MAX_GROUP_BYTES: u64 = log::CAPACITY / 8;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the store {} is in use by another onedoor-district process", .0.display())]
    InUse(PathBuf),
    #[error("cannot open the store {}: {why}", dir.display())]
    Failed { dir: PathBuf, why: String },
}

/// What the district adds to a case it holds (the first line of a `cases` value).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Held {
    case_id: CaseId,
    town_code: String,
    content_hash: String,
    receipt_id: String,
    #[serde(with = "time::moment")]
    received_at: Moment,
    #[serde(with = "time::day")]
    window_day: NaiveDate,
}

impl Held {
    fn receipt(&self) -> CaseReceipt {
        CaseReceipt {
            case_id: self.case_id.clone(),
            received_at: self.received_at,
            receipt_id: self.receipt_id.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A held case as bytes: the `Held` line, a newline, the case JSON (which has none).
fn encode(incoming: &Incoming) -> Result<Vec<u8>, StorageError> {
    let held = Held {
        case_id: incoming.case_id().clone(),
        town_code: incoming.town_code.clone(),
        content_hash: hex(&incoming.content_hash),
        receipt_id: incoming.receipt.receipt_id.clone(),
        received_at: incoming.receipt.received_at,
        window_day: incoming.window_day,
    };
    let mut bytes = serde_json::to_vec(&held).map_err(failed)?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&incoming.body);
    Ok(bytes)
}

fn decode_held(bytes: &[u8]) -> Result<Held, StorageError> {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    serde_json::from_slice(line).map_err(|e| StorageError::Failed(format!("a held case is damaged: {e}")))
}

/// A held case back as the `Incoming` it was (for the log's replay).
fn decode(bytes: &[u8]) -> Result<Incoming, StorageError> {
    let held = decode_held(bytes)?;
    let body = bytes.splitn(2, |&b| b == b'\n').nth(1).unwrap_or(&[]).to_vec();
    let case: Case =
        serde_json::from_slice(&body).map_err(|e| StorageError::Failed(format!("a logged case is damaged: {e}")))?;
    let mut content_hash = [0u8; 32];
    for (i, byte) in content_hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(held.content_hash.get(i * 2..i * 2 + 2).unwrap_or("zz"), 16)
            .map_err(|_| StorageError::Failed("a logged case has a damaged hash".into()))?;
    }
    Ok(Incoming {
        receipt: held.receipt(),
        town_code: held.town_code,
        content_hash,
        body,
        window_day: held.window_day,
        records: AssistanceRecord::of_case(&case),
    })
}

/// A person's search record in the `people` tree.
#[derive(Serialize, Deserialize)]
struct PersonEntry {
    #[serde(with = "time::day")]
    window_day: NaiveDate,
    record: AssistanceRecord,
}

fn person_key(id_number: &IdNumber, case_id: &CaseId) -> Vec<u8> {
    let mut key = id_number.as_str().as_bytes().to_vec();
    key.extend_from_slice(case_id.as_str().as_bytes());
    key
}

fn failed(e: impl std::fmt::Display) -> StorageError {
    StorageError::Failed(e.to_string())
}

struct Trees {
    db: sled::Db,
    cases: sled::Tree,
    people: sled::Tree,
    towns: sled::Tree,
    contacts: sled::Tree,
    /// The file sled writes; synced at checkpoints.
    db_file: File,
    dir: PathBuf,
}

impl Trees {
    /// What is held under this case id.
    fn held(&self, id: &CaseId) -> Result<Option<Held>, StorageError> {
        match self.cases.get(id.as_str().as_bytes()).map_err(failed)? {
            Some(bytes) => decode_held(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Puts a durable case into sled with its search records and its town's
    /// count, atomically; a case held already is left as it is.
    fn apply(&self, incoming: &Incoming, value: &[u8]) -> Result<(), StorageError> {
        use sled::transaction::ConflictableTransactionError as Abort;
        use sled::Transactional;
        let people: Vec<(Vec<u8>, Vec<u8>)> = incoming
            .records
            .iter()
            .map(|r| {
                let entry = PersonEntry { window_day: incoming.window_day, record: r.clone() };
                Ok((person_key(&r.id_number, &r.case_id), serde_json::to_vec(&entry).map_err(failed)?))
            })
            .collect::<Result<_, StorageError>>()?;
        let id = incoming.case_id().as_str().as_bytes();
        let town = incoming.town_code.as_bytes();
        (&self.cases, &self.people, &self.towns)
            .transaction(|(cases, people_tree, towns)| {
                if cases.get(id)?.is_some() {
                    return Ok(());
                }
                cases.insert(id, value)?;
                for (key, entry) in &people {
                    people_tree.insert(key.as_slice(), entry.as_slice())?;
                }
                let mut counts: TownCases = match towns.get(town)? {
                    Some(v) => serde_json::from_slice(&v).map_err(|e| Abort::Abort(e.to_string()))?,
                    None => TownCases::default(),
                };
                counts.cases_held += 1;
                counts.last_case_received_at = counts.last_case_received_at.max(Some(incoming.receipt.received_at));
                let counts = serde_json::to_vec(&counts).map_err(|e| Abort::Abort(e.to_string()))?;
                towns.insert(town, counts)?;
                Ok(())
            })
            .map_err(|e| StorageError::Failed(format!("sled: {e:?}")))
    }

    /// Makes sled durable (its flush only writes back; then a real sync of
    /// its files), so the log can start again.
    fn checkpoint(&self, log: &mut Log) -> Result<(), StorageError> {
        let io = |e: std::io::Error| StorageError::Failed(format!("{}: {e}", self.dir.display()));
        self.db.flush().map_err(failed)?;
        self.db_file.sync_all().map_err(io)?;
        // sled keeps large values in blob files it never syncs itself.
        let blobs = self.dir.join("sled").join("blobs");
        if let Ok(entries) = std::fs::read_dir(&blobs) {
            for entry in entries.flatten() {
                File::open(entry.path()).and_then(|f| f.sync_all()).map_err(io)?;
            }
            File::open(&blobs).and_then(|d| d.sync_all()).map_err(io)?;
        }
        log.restart().map_err(io)
    }
}

enum Job {
    Accept(Box<Incoming>, oneshot::Sender<Result<Accepted, StorageError>>),
    Close(oneshot::Sender<Result<(), StorageError>>),
}

/// The embedded store.
pub struct Embedded {
    trees: Arc<Trees>,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    committer: Mutex<Option<JoinHandle<()>>>,
    /// Set when a commit failed half-way: no more writes until a restart replays the log.
    broken: Arc<AtomicBool>,
}

impl Embedded {
    /// Opens (or makes, mode 0700) the store in `dir` and applies what the log still holds.
    pub fn open(dir: &Path, cache_mb: u64) -> Result<Embedded, OpenError> {
        let fail = |e: &dyn std::fmt::Display| OpenError::Failed { dir: dir.to_path_buf(), why: e.to_string() };
        if !dir.exists() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| fail(&e))?;
        }
        let db =
            sled::Config::new().path(dir.join("sled")).cache_capacity(cache_mb.max(1) * 1024 * 1024).open().map_err(
                |e| match &e {
                    sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
                        OpenError::InUse(dir.to_path_buf())
                    }
                    _ => fail(&e),
                },
            )?;
        let tree = |name: &str| db.open_tree(name).map_err(|e| fail(&e));
        let trees = Trees {
            cases: tree("cases")?,
            people: tree("people")?,
            towns: tree("towns")?,
            contacts: tree("contacts")?,
            db_file: File::open(dir.join("sled").join("db")).map_err(|e| fail(&e))?,
            dir: dir.to_path_buf(),
            db,
        };
        let (mut log, unapplied) = Log::open(&dir.join("log")).map_err(|e| fail(&e))?;
        if !unapplied.is_empty() {
            tracing::info!(cases = unapplied.len(), "applying the commit log again after an unclean stop");
            for bytes in &unapplied {
                let incoming = decode(bytes).map_err(|e| fail(&e))?;
                trees.apply(&incoming, bytes).map_err(|e| fail(&e))?;
            }
        }
        trees.checkpoint(&mut log).map_err(|e| fail(&e))?;
        let trees = Arc::new(trees);
        let broken = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let committer = {
            let (trees, broken) = (trees.clone(), broken.clone());
            std::thread::Builder::new()
                .name("committer".into())
                .spawn(move || commit_loop(&trees, &mut log, &rx, &broken))
                .map_err(|e| fail(&e))?
        };
        Ok(Embedded { trees, jobs: Mutex::new(Some(tx)), committer: Mutex::new(Some(committer)), broken })
    }

    fn send(&self, job: Job) -> Result<(), StorageError> {
        let jobs = self.jobs.lock().map_err(|_| StorageError::Failed("the committer is gone".into()))?;
        match jobs.as_ref() {
            Some(tx) => tx.send(job).map_err(|_| StorageError::Unavailable("the store is closing".into())),
            None => Err(StorageError::Unavailable("the store is closed".into())),
        }
    }

    /// Runs a read on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Trees) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let trees = self.trees.clone();
        tokio::task::spawn_blocking(move || f(&trees)).await.map_err(failed)?
    }
}

/// One group: decide each case against what is held (and earlier in the
/// group), log the new ones with one sync, apply them, then answer everyone.
fn commit_group(trees: &Trees, log: &mut Log, group: Vec<(Box<Incoming>, Reply)>, broken: &AtomicBool) {
    if broken.load(Ordering::SeqCst) {
        for (_, reply) in group {
            let _ =
                reply.send(Err(StorageError::Unavailable("the store must be restarted after a failed write".into())));
        }
        return;
    }
    let mut answers: Vec<(Reply, Result<Accepted, StorageError>)> = Vec::with_capacity(group.len());
    let mut new: Vec<(Box<Incoming>, Reply)> = Vec::new();
    let mut payloads: Vec<Vec<u8>> = Vec::new();
    let mut in_group: HashMap<CaseId, (String, CaseReceipt)> = HashMap::new();
    for (incoming, reply) in group {
        let hash = hex(&incoming.content_hash);
        let held = match trees.held(incoming.case_id()) {
            Ok(held) => held.map(|h| (h.content_hash.clone(), h.receipt())),
            Err(e) => {
                answers.push((reply, Err(e)));
                continue;
            }
        };
        match held.or_else(|| in_group.get(incoming.case_id()).cloned()) {
            Some((held_hash, receipt)) if held_hash == hash => answers.push((reply, Ok(Accepted::Same(receipt)))),
            Some((_, receipt)) => answers.push((reply, Ok(Accepted::Conflict(receipt)))),
            None => match encode(&incoming) {
                Ok(bytes) => {
                    in_group.insert(incoming.case_id().clone(), (hash, incoming.receipt.clone()));
                    new.push((incoming, reply));
                    payloads.push(bytes);
                }
                Err(e) => answers.push((reply, Err(e))),
            },
        }
    }
    if !new.is_empty() {
        let written = write_durably(trees, log, &payloads, &new, broken);
        for (incoming, reply) in new {
            let answer = match &written {
                Ok(()) => Ok(Accepted::Created(incoming.receipt.clone())),
                Err(e) => Err(StorageError::Failed(e.to_string())),
            };
            answers.push((reply, answer));
        }
    }
    // The answers about cases met earlier in this group go out only now, once those are durable.
    for (reply, answer) in answers {
        let _ = reply.send(answer);
    }
}

fn write_durably(
    trees: &Trees,
    log: &mut Log,
    payloads: &[Vec<u8>],
    new: &[(Box<Incoming>, Reply)],
    broken: &AtomicBool,
) -> Result<(), StorageError> {
    if !log.has_room(Log::size_of(payloads)) {
        trees.checkpoint(log)?;
    }
    let broke = |e: StorageError| {
        broken.store(true, Ordering::SeqCst);
        tracing::error!("the store takes no more cases until it is restarted: {e}");
        e
    };
    log.append(payloads).map_err(|e| broke(StorageError::Failed(format!("the commit log: {e}"))))?;
    // Durable from here on: if sled cannot take them, the next start applies them from the log.
    for ((incoming, _), bytes) in new.iter().zip(payloads) {
        trees.apply(incoming, bytes).map_err(broke)?;
    }
    if log.nearly_full() {
        if let Err(e) = trees.checkpoint(log) {
            tracing::warn!("checkpoint after a commit (tried again later): {e}");
        }
    }
    Ok(())
}

type Reply = oneshot::Sender<Result<Accepted, StorageError>>;

fn commit_loop(trees: &Trees, log: &mut Log, jobs: &mpsc::Receiver<Job>, broken: &AtomicBool) {
    let mut closing: Option<oneshot::Sender<Result<(), StorageError>>> = None;
    while closing.is_none() {
        let Ok(first) = jobs.recv() else { break };
        let mut group = Vec::new();
        let mut bytes = 0u64;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Accept(incoming, reply) => {
                    bytes += incoming.body.len() as u64 + 512;
                    group.push((incoming, reply));
                }
                Job::Close(reply) => closing = Some(reply),
            }
            if closing.is_none() && group.len() < MAX_GROUP && bytes < MAX_GROUP_BYTES {
                next = jobs.try_recv().ok();
            }
        }
        commit_group(trees, log, group, broken);
    }
    let result = if broken.load(Ordering::SeqCst) || log.is_empty() { Ok(()) } else { trees.checkpoint(log) };
    if let Err(e) = &result {
        tracing::warn!("closing the store: {e}");
    }
    if let Some(reply) = closing {
        let _ = reply.send(result);
    }
}

impl Storage for Embedded {
    fn name(&self) -> &'static str {
        "sled"
    }

    async fn accept(&self, case: Incoming) -> Result<Accepted, StorageError> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Accept(Box::new(case), tx))?;
        rx.await.map_err(|_| StorageError::Failed("the committer stopped".into()))?
    }

    async fn search(
        &self,
        people: Vec<IdNumber>,
        since: Option<NaiveDate>,
        limit: usize,
    ) -> Result<Vec<AssistanceRecord>, StorageError> {
        self.read(move |trees| {
            let mut found: Vec<PersonEntry> = Vec::new();
            for id in &people {
                for item in trees.people.scan_prefix(id.as_str().as_bytes()) {
                    let (_, value) = item.map_err(failed)?;
                    let entry: PersonEntry = serde_json::from_slice(&value).map_err(failed)?;
                    if since.is_none_or(|day| entry.window_day >= day) {
                        found.push(entry);
                    }
                }
            }
            found.sort_by(|a, b| (b.window_day, &b.record.case_id).cmp(&(a.window_day, &a.record.case_id)));
            found.truncate(limit);
            Ok(found.into_iter().map(|e| e.record).collect())
        })
        .await
    }

    async fn record_contacts(&self, contacts: Vec<(String, Contact)>) -> Result<(), StorageError> {
        self.read(move |trees| {
            for (town, contact) in &contacts {
                trees
                    .contacts
                    .update_and_fetch(town.as_bytes(), |old| {
                        let mut kept: Contact = old.and_then(|v| serde_json::from_slice(v).ok()).unwrap_or_default();
                        kept.merge(contact);
                        serde_json::to_vec(&kept).ok()
                    })
                    .map_err(failed)?;
            }
            Ok(())
        })
        .await
    }

    async fn towns(&self) -> Result<Vec<TownStatus>, StorageError> {
        self.read(|trees| {
            let mut towns: HashMap<String, (TownCases, Contact)> = HashMap::new();
            for item in trees.towns.iter() {
                let (key, value) = item.map_err(failed)?;
                let cases: TownCases = serde_json::from_slice(&value).map_err(failed)?;
                towns.entry(String::from_utf8_lossy(&key).into_owned()).or_default().0 = cases;
            }
            for item in trees.contacts.iter() {
                let (key, value) = item.map_err(failed)?;
                let contact: Contact = serde_json::from_slice(&value).map_err(failed)?;
                towns.entry(String::from_utf8_lossy(&key).into_owned()).or_default().1 = contact;
            }
            Ok(towns.iter().map(|(town, (cases, contact))| town_status(town, cases, contact)).collect())
        })
        .await
    }

    async fn ping(&self) -> Result<(), StorageError> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(StorageError::Unavailable("the store must be restarted after a failed write".into()));
        }
        Ok(())
    }

    async fn close(&self) -> Result<(), StorageError> {
        let (tx, rx) = oneshot::channel();
        if self.send(Job::Close(tx)).is_ok() {
            rx.await.map_err(|_| StorageError::Failed("the committer stopped".into()))??;
        }
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let committer = self.committer.lock().ok().and_then(|mut c| c.take());
        if let Some(handle) = committer {
            tokio::task::spawn_blocking(move || handle.join())
                .await
                .map_err(failed)?
                .map_err(|_| StorageError::Failed("the committer thread panicked".into()))?;
        }
        Ok(())
    }
}

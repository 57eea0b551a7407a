//! The forwarder: drains the outbox to the district. Each pass sends the
//! entries that are due, a batch at a time (several requests in flight on
//! kept-alive connections while a backlog drains), and writes back what the
//! district answered in one durable commit per batch: taken cases leave the
//! outbox with their receipt, refused ones become dead letters, the rest wait
//! (full-jitter backoff from 1 s to 5 min, or the district's `Retry-After`),
//! and a refused token stops forwarding until it is fixed. The district
//! holds a case once whatever is sent twice (the case id is the idempotency
//! key), so a kill between its answer and our commit only means one resend.
//! Used by `onedoor sync` and, on its own thread, by the counter.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::client::{DistrictClient, Sent, SetupError, WaitReason};
use super::wire::CounterReport;
use crate::clerk_pause::ClerkKeys;
use crate::config::DistrictConfig;
use crate::domain::CaseId;
use crate::l10n::Say;
use crate::store::{DeadLetter, DistrictReceipt, Forwarded, OutboxEntry, Store, StoreError};
use crate::{tr, Lang};

/// Cases sent before what they came to is committed.
const BATCH: usize = 64;
/// The first wait after a failure, and the longest.
const BACKOFF_BASE_MS: u64 = 1000;
const BACKOFF_CAP_MS: u64 = 5 * 60 * 1000;
/// How often the counter's forwarder looks for newly finished cases.
const POLL: Duration = Duration::from_secs(2);
/// A counter with nothing to send says it is alive this often.
const HEARTBEAT: Duration = Duration::from_secs(10 * 60);
/// A stopped forwarder tries again by itself after this long (the district
/// may have fixed its tokens file), or at once when the token file changes.
const STOPPED_RETRY: Duration = Duration::from_secs(5 * 60);

/// How forwarding stands: what the status line and `onedoor sync` say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardStatus {
    /// Cases waiting in the outbox, and dead letters.
    pub waiting: usize,
    pub dead: usize,
    pub last_success: Option<DateTime<Utc>>,
    /// When and what went wrong last.
    pub last_error: Option<(DateTime<Utc>, String)>,
    /// Forwarding stopped (a refused token, a token file not private…): why.
    pub stopped: Option<String>,
}

/// How a pass ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassEnd {
    /// Every entry that was due was sent.
    Drained,
    /// The district asked to wait (or could not be reached): nothing more this pass.
    Paused,
    /// The token or the address is wrong: nothing is sent until it is fixed.
    Stopped,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub taken: usize,
    pub refused: usize,
    pub later: usize,
    pub end: PassEnd,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Full jitter: anywhere from nothing to 1 s × 2^(attempts-1), at most 5 min.
pub fn backoff(attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    let cap = BACKOFF_BASE_MS.saturating_mul(1u64 << exp).min(BACKOFF_CAP_MS);
    Duration::from_millis(fastrand::u64(0..=cap))
}

/// The outbox's forwarder (see the module's notes).
pub struct Forwarder {
    store: Arc<Store>,
    client: DistrictClient,
    lang: Lang,
    connections: usize,
    /// Passes in a row that ended waiting: the backoff grows with them.
    failures: u32,
    /// No case is sent before this (Unix milliseconds): a pass that had to
    /// wait holds back the next one, whichever entry it would send, so a
    /// district that is down hears one request per backoff, not one per case.
    resume_at_ms: i64,
    stopped_at: Option<Instant>,
    /// The counter's screen: requests wait for the clerk's pause (none for `onedoor sync`).
    keys: Option<Arc<ClerkKeys>>,
    pub status: ForwardStatus,
}

impl Forwarder {
    pub fn new(store: Arc<Store>, client: DistrictClient, lang: Lang, connections: u8) -> Forwarder {
        let mut f = Forwarder {
            store,
            client,
            lang,
            connections: usize::from(connections.max(1)),
            failures: 0,
            resume_at_ms: 0,
            stopped_at: None,
            keys: None,
            status: ForwardStatus::default(),
        };
        f.count();
        f
    }

    /// Reads again how many cases wait and how many are dead letters.
    pub fn count(&mut self) {
        (self.status.waiting, self.status.dead) = self.store.outbox_counts();
    }

    /// When the next pass has something to send (Unix milliseconds), if any case waits.
    pub fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        let first = self.store.outbox()?.iter().map(|(_, e)| e.next_attempt_ms).min();
        Ok(first.map(|at| at.max(self.resume_at_ms)))
    }

    /// Sends every entry that is due (`all`: every entry, whatever its next
    /// attempt time or the last pass's wait says, as `onedoor sync --once` does).
    pub fn pass(&mut self, all: bool) -> Result<PassReport, StoreError> {
        let now = now_ms();
        let mut report = PassReport { taken: 0, refused: 0, later: 0, end: PassEnd::Drained };
        if !all && now < self.resume_at_ms {
            report.end = PassEnd::Paused;
            return Ok(report);
        }
        let mut due: Vec<(CaseId, OutboxEntry)> =
            self.store.outbox()?.into_iter().filter(|(_, e)| all || e.next_attempt_ms <= now).collect();
        due.sort_by_key(|(_, e)| e.next_attempt_ms);
        // The first case alone: a district that is down or refuses us hears
        // one request, not a batch of them at once.
        let (first, rest) = due.split_at(due.len().min(1));
        for batch in std::iter::once(first).filter(|b| !b.is_empty()).chain(rest.chunks(BATCH)) {
            let sent = self.send_batch(batch);
            let mut outcomes = Vec::with_capacity(sent.len());
            let (mut waits, mut stop) = (false, None);
            for (i, sent) in sent {
                let (id, entry) = &batch[i];
                let attempts = entry.attempts.saturating_add(1);
                match sent {
                    Sent::Taken(r) => {
                        let receipt =
                            DistrictReceipt { receipt_id: r.receipt_id, received_at: r.received_at.to_rfc3339() };
                        outcomes.push(Forwarded::Taken { id: id.clone(), receipt });
                        report.taken += 1;
                    }
                    Sent::Refused { status, reason } => {
                        tracing::warn!(case = %id, status, "the district refused the case for good: {reason}");
                        let dead = DeadLetter { status, reason, at_ms: now_ms(), attempts };
                        outcomes.push(Forwarded::Refused { id: id.clone(), dead });
                        report.refused += 1;
                    }
                    Sent::Later { problem, retry_after } => {
                        let delay = retry_after.unwrap_or_else(|| backoff(attempts.max(self.failures + 1)));
                        let text = problem.say(self.lang);
                        tracing::info!(case = %id, "forwarding waits {} ms: {}", delay.as_millis(), problem.say(Lang::En));
                        let next_attempt_ms = now_ms().saturating_add(delay.as_millis() as i64);
                        self.resume_at_ms = self.resume_at_ms.max(next_attempt_ms);
                        let entry = OutboxEntry {
                            queued_ms: entry.queued_ms,
                            attempts,
                            next_attempt_ms,
                            last_error: Some(text.clone()),
                        };
                        outcomes.push(Forwarded::Later { id: id.clone(), entry });
                        self.status.last_error = Some((Utc::now(), text));
                        report.later += 1;
                        waits = true;
                    }
                    Sent::Stop { status, reason } => {
                        stop = Some(tr!(self.lang, "district-stopped", status = u32::from(status), reason = reason));
                    }
                    Sent::Untrusted(error) => stop = Some(tr!(self.lang, "district-untrusted", error = error)),
                }
            }
            self.store.record_forwarding(&outcomes)?;
            if report.taken > 0 {
                self.status.last_success = Some(Utc::now());
            }
            if let Some(text) = stop {
                tracing::error!("forwarding stopped: {text}");
                self.status.last_error = Some((Utc::now(), text.clone()));
                self.status.stopped = Some(text);
                self.stopped_at = Some(Instant::now());
                report.end = PassEnd::Stopped;
                break;
            }
            if waits {
                self.failures = self.failures.saturating_add(1);
                report.end = PassEnd::Paused;
                break;
            }
            self.failures = 0;
        }
        self.count();
        if report.refused > 0 {
            self.heartbeat();
        }
        Ok(report)
    }

    /// Tells the district this counter is alive and how its outbox stands.
    pub fn heartbeat(&self) {
        if let Err(e) = self.client.heartbeat(&self.counter_report()) {
            tracing::info!("heartbeat: {e}");
        }
    }

    /// What the counter says about itself on every request (extension headers).
    fn counter_report(&self) -> CounterReport {
        let (waiting, dead) = self.store.outbox_counts();
        let count = |n: usize| Some(u32::try_from(n).unwrap_or(u32::MAX));
        CounterReport { outbox_waiting: count(waiting), dead_letters: count(dead), audit_head: None }
    }

    /// Sends a batch, `connections` at a time, until the district asks to
    /// wait or stop: what each case that was sent came to, by its place.
    fn send_batch(&self, batch: &[(CaseId, OutboxEntry)]) -> Vec<(usize, Sent)> {
        let report = self.counter_report();
        let next = AtomicUsize::new(0);
        let halt = AtomicBool::new(false);
        let results = Mutex::new(Vec::with_capacity(batch.len()));
        let work = || loop {
            if halt.load(Ordering::SeqCst) {
                return;
            }
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some((id, _)) = batch.get(i) else { return };
            if let Some(keys) = &self.keys {
                keys.wait_for_a_pause();
            }
            let sent = self.send_one(id, &report);
            if !matches!(sent, Sent::Taken(_) | Sent::Refused { .. }) {
                halt.store(true, Ordering::SeqCst);
            }
            results.lock().unwrap_or_else(|e| e.into_inner()).push((i, sent));
        };
        let workers = self.connections.min(batch.len());
        if workers <= 1 {
            work();
        } else {
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(work);
                }
            });
        }
        let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        results.sort_by_key(|(i, _)| *i);
        results
    }

    fn send_one(&self, id: &CaseId, report: &CounterReport) -> Sent {
        match self.store.case(id) {
            Ok(Some(case)) => self.client.send_case(&case, report),
            Ok(None) => Sent::Refused { status: 0, reason: tr!(self.lang, "district-case-missing").to_string() },
            Err(e) => Sent::Later { problem: WaitReason::Unreadable(e.say(self.lang)), retry_after: None },
        }
    }

    /// A stopped forwarder may go on: the token file changed (read again), or
    /// it has been a while.
    fn may_resume(&mut self) -> bool {
        let waited = self.stopped_at.is_none_or(|at| at.elapsed() >= STOPPED_RETRY);
        if (self.client.token_changed() || waited) && self.client.reload_token().is_ok() {
            self.status.stopped = None;
            self.stopped_at = None;
            return true;
        }
        false
    }
}

/// How much lower the forwarder runs than the counter's screen (nice 10).
const FORWARDER_NICE: i32 = 10;

/// The counter's forwarder thread; it ends when this is dropped.
#[derive(Clone)]
pub struct ForwarderHandle {
    wake: Sender<()>,
    keys: Arc<ClerkKeys>,
}

impl ForwarderHandle {
    /// The clerk pressed a key: what the forwarder sends waits for her pause.
    pub fn clerk_pressed_a_key(&self) {
        self.keys.pressed();
    }

    /// Looks at the outbox now rather than at the next poll (within 2 s).
    pub fn wake(&self) {
        let _ = self.wake.send(());
    }
}

/// Starts the forwarder thread of the counter (nothing when no district is
/// configured). Everything it learns goes to `report`; the counter never
/// waits on it.
pub fn spawn(
    store: Arc<Store>,
    config: &DistrictConfig,
    lang: Lang,
    report: impl Fn(ForwardStatus) + Send + 'static,
) -> Option<ForwarderHandle> {
    config.url.as_ref()?;
    let config = config.clone();
    let (wake, woken) = mpsc::channel::<()>();
    let keys = Arc::new(ClerkKeys::default());
    let clerk = Arc::clone(&keys);
    let wait = move |d: Duration| !matches!(woken.recv_timeout(d), Err(RecvTimeoutError::Disconnected));
    let spawned = std::thread::Builder::new().name("forwarder".into()).spawn(move || {
        // The clerk's keys first: on Linux the nice value is the thread's
        // (the senders it starts inherit it), so the UI thread keeps its share.
        if let Err(e) = rustix::process::setpriority_process(None, FORWARDER_NICE) {
            tracing::debug!("the forwarder keeps its priority: {e}");
        }
        // Where the counter set the screen's CPU aside before starting its
        // threads, this one is off it already; a program that embeds the
        // counter may not have.
        match crate::cpus::keep_off_the_screens_cpu() {
            Ok(Some(aside)) => {
                // Outside the macro: its arguments are evaluated only when debug is logged.
                let screen = aside.for_good();
                tracing::debug!("the forwarder leaves CPU {screen} to the screen");
            }
            Ok(None) => tracing::debug!("the forwarder keeps the CPUs it has"),
            Err(e) => tracing::debug!("the forwarder runs on every CPU: {e}"),
        }
        let mut forwarder: Option<Forwarder> = None;
        let mut last_heard = Instant::now();
        loop {
            let f = match &mut forwarder {
                Some(f) => f,
                None => match DistrictClient::from_config(&config) {
                    Ok(client) => {
                        let mut f = Forwarder::new(Arc::clone(&store), client, lang, config.connections);
                        f.keys = Some(Arc::clone(&clerk));
                        forwarder.insert(f)
                    }
                    Err(e) => {
                        report(setup_status(&store, &e, lang));
                        if !wait(Duration::from_secs(5)) {
                            return;
                        }
                        continue;
                    }
                },
            };
            if f.status.stopped.is_some() && !f.may_resume() {
                report(f.status.clone());
                if !wait(Duration::from_secs(5)) {
                    return;
                }
                continue;
            }
            match f.pass(false) {
                Ok(r) if r.taken + r.refused + r.later > 0 => last_heard = Instant::now(),
                Ok(_) if last_heard.elapsed() >= HEARTBEAT => {
                    f.heartbeat();
                    last_heard = Instant::now();
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!("forwarding: {e}");
                    f.status.last_error = Some((Utc::now(), e.say(lang)));
                }
            }
            report(f.status.clone());
            let until_due = match f.next_due_ms() {
                Ok(Some(at)) => Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0)),
                _ => POLL,
            };
            if !wait(until_due.min(POLL)) {
                return;
            }
        }
    });
    match spawned {
        Ok(_) => Some(ForwarderHandle { wake, keys }),
        Err(e) => {
            tracing::error!("cannot start the forwarder thread: {e}");
            None
        }
    }
}

/// The status while the district settings cannot be used.
fn setup_status(store: &Store, e: &SetupError, lang: Lang) -> ForwardStatus {
    let (waiting, dead) = store.outbox_counts();
    let text = e.say(lang);
    ForwardStatus {
        waiting,
        dead,
        stopped: Some(text.clone()),
        last_error: Some((Utc::now(), text)),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_from_one_second_up_to_five_minutes() {
        for attempts in 1..40 {
            let cap = (1000u64 << (attempts - 1).min(20)).min(300_000);
            for _ in 0..50 {
                assert!(backoff(attempts).as_millis() as u64 <= cap, "attempt {attempts}");
            }
        }
        let waits: Vec<u128> = (0..200).map(|_| backoff(30).as_millis()).collect();
        assert!(waits.iter().any(|w| *w > 150_000) && waits.iter().any(|w| *w < 150_000), "spread over 0..5 min");
    }

    /// The /proc directory of this process's thread named `name`.
    fn thread_named(name: &str) -> Option<std::path::PathBuf> {
        std::fs::read_dir("/proc/self/task")
            .ok()?
            .flatten()
            .map(|task| task.path())
            .find(|task| std::fs::read_to_string(task.join("comm")).is_ok_and(|comm| comm.trim() == name))
    }

    /// The nice value of this process's thread named `name`, from /proc.
    fn nice_of_thread(name: &str) -> Option<i32> {
        let stat = std::fs::read_to_string(thread_named(name)?.join("stat")).ok()?;
        // After the ")" that ends the name: state is field 3, nice field 19.
        let after = stat.rsplit_once(')')?.1;
        after.split_whitespace().nth(16)?.parse().ok()
    }

    /// The CPUs a thread may run on (`Cpus_allowed_list` of /proc, "0-1", "1", "0,2-3").
    fn cpus_of(task: &std::path::Path) -> Vec<usize> {
        let status = std::fs::read_to_string(task.join("status")).unwrap();
        let list = status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:")).unwrap().trim();
        let mut cpus = Vec::new();
        for part in list.split(',') {
            let (from, to) = part.split_once('-').unwrap_or((part, part));
            cpus.extend(from.parse::<usize>().unwrap()..=to.parse::<usize>().unwrap());
        }
        cpus
    }

    /// The counter's forwarder thread, with a district that is never reached.
    fn forwarder_thread(dir: &std::path::Path) -> ForwarderHandle {
        let store = Arc::new(Store::open(&dir.join("store"), &crate::store::StoreOptions::default()).unwrap());
        let token = dir.join("token");
        std::fs::write(&token, "t").unwrap();
        std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let config = DistrictConfig {
            url: Some("http://127.0.0.1:9".into()),
            token_file: Some(token),
            ca_file: None,
            connections: 1,
        };
        spawn(store, &config, Lang::En, |_| {}).unwrap()
    }

    /// Waits (10 s at most) for the forwarder thread to have set itself up as `ready` says.
    fn wait_for_forwarder<T>(what: impl Fn() -> T, ready: impl Fn(&T) -> bool) -> T {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = what();
        while !ready(&seen) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            seen = what();
        }
        seen
    }

    /// A backlog draining must not take the clerk's share of the kiosk's
    /// cores: the forwarder thread runs at nice 10, below the screen's.
    #[test]
    fn the_forwarder_runs_below_the_counters_screen() {
        let dir = tempfile::tempdir().unwrap();
        let _handle = forwarder_thread(dir.path());
        let nice = wait_for_forwarder(|| nice_of_thread("forwarder"), |n| *n == Some(FORWARDER_NICE));
        assert_eq!(nice, Some(FORWARDER_NICE), "the forwarder thread's nice value");
    }

    /// Below the screen is not enough: sharing its core, a draining backlog
    /// still tripled the p99 of keystroke to frame (benches/counter.rs). The
    /// forwarder leaves the first CPU the counter may use to the screen.
    #[test]
    fn the_forwarder_leaves_a_cpu_to_the_counters_screen() {
        let ours = cpus_of(std::path::Path::new("/proc/thread-self"));
        let dir = tempfile::tempdir().unwrap();
        let _handle = forwarder_thread(dir.path());
        let want: Vec<usize> = if ours.len() >= 2 { ours[1..].to_vec() } else { ours.clone() };
        let theirs =
            wait_for_forwarder(|| thread_named("forwarder").map(|t| cpus_of(&t)), |c| c.as_ref() == Some(&want));
        assert_eq!(theirs, Some(want), "the forwarder's CPUs, where the test's thread has {ours:?}");
    }
}

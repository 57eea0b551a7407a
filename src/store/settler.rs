//! The settler: while the counter runs, moves the people of an import into
//! the person index (`people.rs`), a few hundred in each commit, on its own
//! low-priority thread and in the clerk's pauses, so that an import is
//! quick and the index it leaves behind is whole again within minutes.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::Store;
use crate::clerk_pause::ClerkKeys;

/// People settled in one commit: a commit of this size writes some hundred
/// runs of the index and holds the commit lock a few tens of milliseconds,
/// so a clerk's save behind it hardly waits.
pub const BATCH: usize = 256;
/// Between two commits while people wait (each also waits for the clerk's
/// pause): the counter's own work goes first.
const BETWEEN: Duration = Duration::from_millis(200);
/// How often it looks again once none waits (an import beside the counter
/// goes through the counter's store, so new ones come only from there).
const IDLE: Duration = Duration::from_secs(15);
/// The thread's nice value: below the screen, like the forwarder.
const SETTLER_NICE: i32 = 10;

/// The running settler; dropping it stops the thread (after the commit it
/// is in, if any) and waits for it.
#[derive(Debug)]
pub struct SettlerHandle {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    keys: Arc<ClerkKeys>,
}

impl SettlerHandle {
    /// The clerk pressed a key: the next commit waits for her pause.
    pub fn clerk_pressed_a_key(&self) {
        self.keys.pressed();
    }
}

impl Drop for SettlerHandle {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts settling the imported people of `store` (None: no thread could be started).
pub fn spawn(store: Arc<Store>) -> Option<SettlerHandle> {
    let (stop, stopped) = mpsc::channel::<()>();
    // Every wait ends at once when the handle is dropped (false: stop).
    let wait = move |d: Duration| matches!(stopped.recv_timeout(d), Err(RecvTimeoutError::Timeout));
    let keys = Arc::new(ClerkKeys::default());
    let clerk = Arc::clone(&keys);
    let spawned = std::thread::Builder::new().name("settler".into()).spawn(move || {
        if let Err(e) = rustix::process::setpriority_process(None, SETTLER_NICE) {
            tracing::debug!("the settler keeps its priority: {e}");
        }
        // Off the screen's CPU for good, where the counter set it aside.
        match crate::cpus::keep_off_the_screens_cpu() {
            Ok(Some(aside)) => {
                aside.for_good();
            }
            Ok(None) => {}
            Err(e) => tracing::debug!("the settler runs on every CPU: {e}"),
        }
        loop {
            if store.any_imported_person_waits().unwrap_or(false) {
                let started = std::time::Instant::now();
                while let Some(d) = clerk.still_to_wait(started.elapsed()) {
                    if !wait(d) {
                        return;
                    }
                }
            }
            // With none waiting, a schema record left saying otherwise is put right.
            let next = match store.settle_imported_people(BATCH) {
                Ok(0) => IDLE,
                Ok(n) => {
                    tracing::debug!("{n} imported people settled into the person index");
                    BETWEEN
                }
                Err(e) => {
                    // Nothing is lost: they stay where they are, read beside the index.
                    tracing::warn!("the imported people could not be settled: {e}");
                    IDLE
                }
            };
            if !wait(next) {
                return;
            }
        }
    });
    match spawned {
        Ok(thread) => Some(SettlerHandle { stop: Some(stop), thread: Some(thread), keys }),
        Err(e) => {
            tracing::warn!("the settler could not be started: {e}");
            None
        }
    }
}

//! Who was heard from, and what they reported: every authenticated request
//! of a town is noted here in memory, and written to the store every few
//! seconds (a lost second of "last contact" after a crash harms no one, and
//! the towns' requests never wait on it or contend for one row).

use std::collections::HashMap;
use std::sync::Mutex;

use onedoor::domain::time::Moment;
use onedoor::sync::wire::CounterReport;

use super::storage::{Contact, Storage, StorageError};

#[derive(Default)]
pub struct Contacts {
    pending: Mutex<HashMap<String, Contact>>,
    /// One flush at a time, so merges in the store never race each other.
    flushing: tokio::sync::Mutex<()>,
}

impl Contacts {
    /// Notes a request from `town` at `now`, with what its counter reported.
    pub fn touch(&self, town: &str, now: Moment, report: &CounterReport) {
        let contact = Contact {
            last_contact: Some(now),
            dead_letters: report.dead_letters,
            outbox_waiting: report.outbox_waiting,
            audit_head: report.audit_head.clone(),
            reported_at: (!report.is_empty()).then_some(now),
        };
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.entry(town.to_string()).or_default().merge(&contact);
    }

    /// Writes what was noted since the last flush; on failure it is kept for the next one.
    pub async fn flush<S: Storage>(&self, storage: &S) -> Result<(), StorageError> {
        let _one = self.flushing.lock().await;
        let taken: Vec<(String, Contact)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.drain().collect()
        };
        if taken.is_empty() {
            return Ok(());
        }
        let result = storage.record_contacts(taken.clone()).await;
        if result.is_err() {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            for (town, contact) in taken {
                pending.entry(town).or_default().merge(&contact);
            }
        }
        result
    }
}

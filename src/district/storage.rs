//! Where the district keeps what the towns send: one trait, two backends
//! (embedded sled for one machine, PostgreSQL for several servers) that pass
//! the same test suite. A backend answers `accept` only once the case is durable.

pub mod embedded;
pub mod postgres;

use std::future::Future;

use chrono::NaiveDate;
use onedoor::domain::time::Moment;
use onedoor::domain::{Case, CaseId, IdNumber};
use onedoor::sync::wire::{AssistanceRecord, AuditHead, CaseReceipt, TownStatus};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A checked case on its way into the store, with what the district adds to it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub receipt: CaseReceipt,
    pub town_code: String,
    /// SHA-256 of `body`: the same content always gives the same hash.
    pub content_hash: [u8; 32],
    /// The case re-serialized (canonical JSON: field order and spelling fixed by its types).
    pub body: Vec<u8>,
    /// The day the window received the case (what a search's `since` compares).
    pub window_day: NaiveDate,
    /// One per person, the applicant first.
    pub records: Vec<AssistanceRecord>,
}

impl Incoming {
    /// Everything the stores keep about `case`, received by the district at `now`.
    pub fn new(case: &Case, now: Moment) -> Result<Incoming, serde_json::Error> {
        let body = serde_json::to_vec(case)?;
        let content_hash: [u8; 32] = Sha256::digest(&body).into();
        Ok(Incoming {
            receipt: CaseReceipt {
                case_id: case.id.clone(),
                received_at: now,
                receipt_id: receipt_id(&case.id, &content_hash),
            },
            town_code: case.id.town_code().to_string(),
            content_hash,
            window_day: case.day(),
            records: AssistanceRecord::of_case(case),
            body,
        })
    }

    pub fn case_id(&self) -> &CaseId {
        &self.receipt.case_id
    }
}

/// The district's reference for a case: derived from the case id and its
/// content, so it is the same on every server and after a move between backends.
pub fn receipt_id(case_id: &CaseId, content_hash: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"onedoor-district receipt\0");
    h.update(case_id.as_str().as_bytes());
    h.update([0]);
    h.update(content_hash);
    let digest = h.finalize();
    let hex: String = digest[..10].iter().map(|b| format!("{b:02X}")).collect();
    let groups: Vec<&str> = (0..hex.len()).step_by(4).map(|i| &hex[i..i + 4]).collect();
    format!("R-{}", groups.join("-"))
}

/// What the store did with an incoming case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// New: now durable. 201.
    Created(CaseReceipt),
    /// Held already with identical content: the first receipt. 200.
    Same(CaseReceipt),
    /// Held already with other content: the receipt of what is held. 422.
    Conflict(CaseReceipt),
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Worth retrying soon: the database is unreachable, restarting or overloaded (503).
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// Anything else (500).
    #[error("the store failed: {0}")]
    Failed(String),
}

/// The last time a town's counters were heard from, and what they reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, with = "onedoor::domain::time::moment_opt")]
    pub last_contact: Option<Moment>,
    pub dead_letters: Option<u32>,
    pub outbox_waiting: Option<u32>,
    pub audit_head: Option<AuditHead>,
    /// When the counter last sent any report header.
    #[serde(default, with = "onedoor::domain::time::moment_opt")]
    pub reported_at: Option<Moment>,
}

impl Contact {
    /// Folds a later (or concurrent) contact into this one: the latest time
    /// wins, and each reported figure is taken from the latest report that has it.
    pub fn merge(&mut self, other: &Contact) {
        self.last_contact = self.last_contact.max(other.last_contact);
        let newer = other.reported_at.is_some() && other.reported_at >= self.reported_at;
        if newer {
            if other.dead_letters.is_some() {
                self.dead_letters = other.dead_letters;
            }
            if other.outbox_waiting.is_some() {
                self.outbox_waiting = other.outbox_waiting;
            }
            if other.audit_head.is_some() {
                self.audit_head = other.audit_head.clone();
            }
            self.reported_at = other.reported_at;
        }
    }
}

/// What the store knows of a town's cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownCases {
    pub cases_held: u64,
    #[serde(default, with = "onedoor::domain::time::moment_opt")]
    pub last_case_received_at: Option<Moment>,
}

/// A town as the store sees it, before the towns from the tokens file are added.
pub fn town_status(town_code: &str, cases: &TownCases, contact: &Contact) -> TownStatus {
    TownStatus {
        town_code: town_code.to_string(),
        last_contact: contact.last_contact,
        cases_held: cases.cases_held,
        last_case_received_at: cases.last_case_received_at,
        dead_letters: contact.dead_letters,
        outbox_waiting: contact.outbox_waiting,
        audit_head: contact.audit_head.clone(),
        reported_at: contact.reported_at,
    }
}

/// The district's store. Every method may be called from many requests at once.
pub trait Storage: Send + Sync + 'static {
    /// `sled` or `postgres`, as `GET /v1/health` says.
    fn name(&self) -> &'static str;

    /// Keeps a new case durably, or says it is held already (same or other content).
    fn accept(&self, case: Incoming) -> impl Future<Output = Result<Accepted, StorageError>> + Send;

    /// Every record of these people in cases received on or after `since`,
    /// the most recent first, at most `limit`.
    fn search(
        &self,
        people: Vec<IdNumber>,
        since: Option<NaiveDate>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<AssistanceRecord>, StorageError>> + Send;

    /// Records the towns' latest contacts (merged with what is kept).
    fn record_contacts(
        &self,
        contacts: Vec<(String, Contact)>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Every town the store knows of (it holds cases from it or heard from it).
    fn towns(&self) -> impl Future<Output = Result<Vec<TownStatus>, StorageError>> + Send;

    /// Can the store take requests now?
    fn ping(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Finishes what is pending and closes (a clean stop leaves nothing to replay).
    fn close(&self) -> impl Future<Output = Result<(), StorageError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_id_depends_on_the_case_and_its_content() {
        let id: CaseId = "320106001-03-20261129-0007".parse().unwrap();
        let a = receipt_id(&id, &[1; 32]);
        assert_eq!(a, receipt_id(&id, &[1; 32]));
        assert_ne!(a, receipt_id(&id, &[2; 32]));
        assert!(a.starts_with("R-") && a.len() == 2 + 20 + 4, "{a}");
    }

    #[test]
    fn a_later_report_replaces_only_what_it_carries() {
        let at = |s: &str| Some(chrono::DateTime::parse_from_rfc3339(s).unwrap());
        let mut kept = Contact {
            last_contact: at("2026-11-29T10:00:00+08:00"),
            dead_letters: Some(3),
            outbox_waiting: Some(7),
            audit_head: None,
            reported_at: at("2026-11-29T10:00:00+08:00"),
        };
        kept.merge(&Contact {
            last_contact: at("2026-11-29T11:00:00+08:00"),
            dead_letters: Some(0),
            reported_at: at("2026-11-29T11:00:00+08:00"),
            ..Contact::default()
        });
        assert_eq!(kept.dead_letters, Some(0));
        assert_eq!(kept.outbox_waiting, Some(7));
        // An older contact arriving late changes neither the time nor the figures.
        kept.merge(&Contact {
            last_contact: at("2026-11-29T09:00:00+08:00"),
            dead_letters: Some(9),
            reported_at: at("2026-11-29T09:00:00+08:00"),
            ..Contact::default()
        });
        assert_eq!(kept.last_contact, at("2026-11-29T11:00:00+08:00"));
        assert_eq!(kept.dead_letters, Some(0));
    }
}

//! The person index: for the applicant and every household member of a case,
//! one item keyed ID number ++ case id holding that case's summary, in small
//! runs. A person's cases are one range of items (usually in one run): the
//! duplicate check reads a person with one sled lookup and no case record.
//!
//! The people of an import go first to a second, small tree of the same
//! items (`people_imported`): an import of 10,000 cases brings some 22,000
//! people, each of whom would land in a different run of a large index (one
//! random page read and write apiece), where the small tree takes them in a
//! few thousand runs. They are settled into `people` a few hundred at a
//! time ([`Store::settle_imported_people`], which the counter's settler
//! runs in the clerk's pauses, and `case import` run with no counter). Every read of the index reads both trees; an item is in one of
//! them only, and is changed where it is. While imported people wait, or
//! the journal may hold a write of theirs, the store's schema record says
//! [`SCHEMA_IMPORTING`], so that an older onedoor refuses the store instead
//! of missing them.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::journal::Journal;
use super::{
    abort, damaged, encode, never, sled_error, CaseSummary, Store, StoreError, Tx, TxResult, META, PEOPLE,
    PEOPLE_IMPORTED, SCHEMA_IMPORTING, SCHEMA_KEY, SCHEMA_VERSION,
};
use crate::domain::time::{self, Moment};
use crate::domain::{Case, CaseId, Channel, IdNumber, Kind, Money, Reason, State};

/// An ID number is 18 characters: the key's first 18 bytes, then the case id.
const NUMBER_LEN: usize = 18;

/// A summary as the person index keeps it: the case id and (for the
/// applicant's own item) the ID number are the item's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PersonItem {
    kind: Kind,
    reason: Reason,
    channel: Channel,
    state: State,
    name: String,
    /// The applicant's number, when the item is a household member's.
    applicant: Option<IdNumber>,
    #[serde(with = "time::moment")]
    received_at: Moment,
    #[serde(with = "time::day_opt")]
    due_by: Option<NaiveDate>,
    ticket: Option<u32>,
    requested: Money,
    granted: Option<Money>,
}

impl PersonItem {
    fn of(case: &Case, number: &IdNumber) -> PersonItem {
        PersonItem::of_summary(CaseSummary::of(case), number)
    }

    fn of_summary(s: CaseSummary, number: &IdNumber) -> PersonItem {
        PersonItem {
            kind: s.kind,
            reason: s.reason,
            channel: s.channel,
            state: s.state,
            name: s.name,
            applicant: (s.id_number != *number).then_some(s.id_number),
            received_at: s.received_at,
            due_by: s.due_by,
            ticket: s.ticket,
            requested: s.requested,
            granted: s.granted,
        }
    }
}

/// The value of `number`'s item for the case `summary` sums up.
pub(super) fn item_bytes(summary: &CaseSummary, number: &IdNumber) -> Result<Vec<u8>, StoreError> {
    encode(&PersonItem::of_summary(summary.clone(), number), "person index item")
}

pub(super) fn key(number: &IdNumber, case: &CaseId) -> Vec<u8> {
    let mut k = Vec::with_capacity(NUMBER_LEN + case.as_str().len());
    k.extend_from_slice(number.as_str().as_bytes());
    k.extend_from_slice(case.as_str().as_bytes());
    k
}

/// Imported people settled in one commit where no clerk waits on the commit
/// lock (`case import` with no counter, and before an import).
pub(super) const SETTLED_UNATTENDED: usize = 4_096;

impl Tx<'_> {
    /// Brings the person index in line with `case` (written over `old`): an
    /// item for every number of the household, none for a number no longer
    /// in it. An imported case's items go among the imported people; any
    /// other item is written in the tree that holds it.
    pub(super) fn index_people<E>(&self, old: Option<&Case>, case: &Case, imported: bool) -> TxResult<(), E> {
        let numbers: Vec<&IdNumber> = case.id_numbers().collect();
        if let Some(old) = old {
            for n in old.id_numbers().filter(|n| !numbers.contains(n)) {
                let k = key(n, &old.id);
                self.remove_item(self.person_tree(&k)?, &k)?;
            }
        }
        for n in numbers {
            let item = PersonItem::of(case, n);
            if old.is_some_and(|o| o.id_numbers().any(|m| m == n) && PersonItem::of(o, n) == item) {
                continue; // unchanged: the run is not written again
            }
            let k = key(n, &case.id);
            let tree = if imported { PEOPLE_IMPORTED } else { self.person_tree(&k)? };
            match encode(&item, "person index item") {
                Ok(bytes) => self.put_item(tree, &k, &bytes)?,
                Err(e) => return abort(e),
            }
        }
        Ok(())
    }

    /// The tree that holds (or is to hold) the person index's item `key`:
    /// the imported people's when it waits there, else the index itself.
    fn person_tree<E>(&self, key: &[u8]) -> TxResult<usize, E> {
        Ok(if self.item(PEOPLE_IMPORTED, key)?.is_some() { PEOPLE_IMPORTED } else { PEOPLE })
    }
}

impl Store {
    /// The summary an item of the person index holds.
    fn person_summary(&self, key: &[u8], value: &[u8]) -> Result<CaseSummary, StoreError> {
        let bad = || damaged(&self.dir, "a person index key is not an ID number and a case id");
        let (number, case) = key.split_at_checked(NUMBER_LEN).ok_or_else(bad)?;
        let id: CaseId = std::str::from_utf8(case).ok().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let item: PersonItem = self.read(value, "person index item")?;
        let id_number = match item.applicant {
            Some(n) => n,
            None => std::str::from_utf8(number).ok().and_then(|s| IdNumber::parse_any_date(s).ok()).ok_or_else(bad)?,
        };
        Ok(CaseSummary {
            id,
            kind: item.kind,
            reason: item.reason,
            channel: item.channel,
            state: item.state,
            name: item.name,
            id_number,
            received_at: item.received_at,
            due_by: item.due_by,
            ticket: item.ticket,
            requested: item.requested,
            granted: item.granted,
            accepted_by: None,
        })
    }

    /// Every case of a person (as applicant or household member), oldest id
    /// first: one read of the person index, no case record.
    pub fn cases_of_person(&self, id_number: &IdNumber) -> Result<Vec<CaseSummary>, StoreError> {
        self.person_items(id_number.as_str().as_bytes(), usize::MAX, |_| true)
    }

    /// Items whose ID number holds `part` past its start (the last four digits): at most `limit`.
    pub(super) fn people_containing(&self, part: &[u8], limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        self.person_items(&[], limit, |k| {
            let number = &k[..NUMBER_LEN.min(k.len())];
            !number.starts_with(part) && memchr::memmem::find(number, part).is_some()
        })
    }

    /// Summaries whose ID number (the applicant's or a member's) starts with
    /// `prefix`, in number order: at most `limit` items read.
    pub(super) fn people_with_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        self.person_items(prefix, limit, |_| true)
    }

    /// The first `limit` items of the person index (both of its trees) whose
    /// key starts with `prefix` and that `takes` takes, in key order.
    ///
    /// The imported people are read first: an item only ever moves from
    /// there into `people` (when settled), so one that moves between the two
    /// reads is read twice, never missed, and its copy read from `people` is kept.
    fn person_items(
        &self,
        prefix: &[u8],
        limit: usize,
        takes: impl Fn(&[u8]) -> bool,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut found = BTreeMap::new();
        for tree in [PEOPLE_IMPORTED, PEOPLE] {
            let mut taken = 0;
            self.walk_prefix(tree, prefix, |k, v| {
                if takes(k) {
                    found.insert(k.to_vec(), self.person_summary(k, v)?);
                    taken += 1;
                }
                Ok(if taken >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
            })?;
        }
        Ok(found.into_values().take(limit).collect())
    }

    /// Moves up to `at_most` of the imported people (the lowest ID numbers
    /// first) into the person index, in one commit: how many it moved (0:
    /// none waits). Once none waits, the schema record says so again.
    pub fn settle_imported_people(&self, at_most: usize) -> Result<usize, StoreError> {
        let settled = self.write::<usize, std::convert::Infallible>(|tx| {
            let items = tx.first_items_with_prefix(PEOPLE_IMPORTED, &[], at_most)?;
            for (k, v) in &items {
                tx.put_item(PEOPLE, k, v)?;
                tx.remove_item(PEOPLE_IMPORTED, k)?;
            }
            Ok(items.len())
        });
        let settled = never(settled)?;
        self.say_when_none_waits()?;
        Ok(settled)
    }

    /// Before a commit that puts people among the imported ones (under the
    /// commit lock): makes the schema record say [`SCHEMA_IMPORTING`] in
    /// sled itself, durably, unless it does already. An older onedoor reads
    /// the record before it replays the journal, so it must say so before
    /// the journal holds a single write of `people_imported`: such an
    /// onedoor, replaying it, would stop at the tree it does not know
    /// with the commit half applied.
    pub(super) fn say_imported_people_wait(&self, journal: &mut Journal) -> Result<(), StoreError> {
        self.refuse_if_poisoned()?;
        let was = self.schema()?;
        if was == SCHEMA_IMPORTING {
            return Ok(());
        }
        self.trees[META].insert(SCHEMA_KEY, &SCHEMA_IMPORTING.to_be_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        let made_durable = self.checkpoint(journal);
        if made_durable.is_err() {
            // Not known to be on disk: the next import writes it again (the import fails).
            let _ = self.trees[META].insert(SCHEMA_KEY, &was.to_be_bytes());
        }
        made_durable
    }

    /// Once no imported person waits, makes the schema record say
    /// [`SCHEMA_VERSION`] again: after a checkpoint, so that the journal
    /// holds no write of `people_imported` any more, then durably.
    fn say_when_none_waits(&self) -> Result<(), StoreError> {
        let mut journal = self.lock_journal()?;
        self.refuse_if_poisoned()?;
        // Under the commit lock: no commit changes it meanwhile.
        if self.schema()? != SCHEMA_IMPORTING || self.any_imported_person_waits()? {
            return Ok(());
        }
        self.checkpoint(&mut journal)?;
        self.trees[META].insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes()).map_err(|e| sled_error(&self.dir, e))?;
        self.checkpoint(&mut journal)
    }

    /// The schema record, as sled holds it.
    fn schema(&self) -> Result<u32, StoreError> {
        Ok(super::migrate::schema_of(&self.dir, &self.db)?.unwrap_or(SCHEMA_VERSION))
    }

    /// How many imported people wait to be settled into the person index.
    pub fn imported_people_waiting(&self) -> Result<u64, StoreError> {
        self.count_items(PEOPLE_IMPORTED)
    }

    /// Whether any imported person waits (the first one looked up, none counted).
    pub fn any_imported_person_waits(&self) -> Result<bool, StoreError> {
        let mut any = false;
        self.walk(PEOPLE_IMPORTED, &[], |_, _| {
            any = true;
            Ok(ControlFlow::Break(()))
        })?;
        Ok(any)
    }

    /// Settles every imported person, [`SETTLED_UNATTENDED`] in a commit:
    /// for `case import` run with no counter.
    pub fn settle_every_imported_person(&self) -> Result<(), StoreError> {
        while self.settle_imported_people(SETTLED_UNATTENDED)? > 0 {}
        Ok(())
    }
}

//! The person index: for the applicant and every household member of a case,
//! one item keyed ID number ++ case id holding that case's summary, in small
//! runs. A person's cases are one range of items (usually in one run): the
//! duplicate check reads a person with one sled lookup and no case record.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{abort, damaged, encode, CaseSummary, Store, StoreError, Tx, TxResult, PEOPLE};
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

impl Tx<'_> {
    /// Brings the person index in line with `case` (written over `old`): an
    /// item for every number of the household, none for a number no longer in it.
    pub(super) fn index_people<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        let numbers: Vec<&IdNumber> = case.id_numbers().collect();
        if let Some(old) = old {
            for n in old.id_numbers().filter(|n| !numbers.contains(n)) {
                self.remove_item(PEOPLE, &key(n, &old.id))?;
            }
        }
        for n in numbers {
            let item = PersonItem::of(case, n);
            if old.is_some_and(|o| o.id_numbers().any(|m| m == n) && PersonItem::of(o, n) == item) {
                continue; // unchanged: the run is not written again
            }
            match encode(&item, "person index item") {
                Ok(bytes) => self.put_item(PEOPLE, &key(n, &case.id), &bytes)?,
                Err(e) => return abort(e),
            }
        }
        Ok(())
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
        let mut out = Vec::new();
        self.walk_prefix(PEOPLE, id_number.as_str().as_bytes(), |k, v| {
            out.push(self.person_summary(k, v)?);
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }

    /// Summaries whose ID number (the applicant's or a member's) starts with
    /// `prefix`, in number order: at most `limit` items read.
    /// Items whose ID number holds `part` past its start (the last four digits): at most `limit`.
    pub(super) fn people_containing(&self, part: &[u8], limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let mut out = Vec::new();
        self.walk_prefix(PEOPLE, &[], |k, v| {
            let number = &k[..NUMBER_LEN.min(k.len())];
            if !number.starts_with(part) && memchr::memmem::find(number, part).is_some() {
                out.push(self.person_summary(k, v)?);
            }
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }

    pub(super) fn people_with_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<CaseSummary>, StoreError> {
        let mut out = Vec::new();
        self.walk_prefix(PEOPLE, prefix, |k, v| {
            out.push(self.person_summary(k, v)?);
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }
}

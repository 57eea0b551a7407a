//! Case records, in runs keyed by case id (`town-window-yyyymmdd-seq`), so
//! one window's cases of one day lie together; the days directory (received
//! day ++ a window's case id prefix, no value) says which windows took cases
//! on a day, so a day's cases are read without an index entry per case; and
//! the ID card photos, in runs beside them. Writing a case brings every
//! index in line in the same transaction.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use chrono::NaiveDate;

use super::{
    abort, damaged, encode_case, refuse, sled_error, CaseSummary, Store, StoreError, Tx, TxResult, WriteError, CASES,
    DAYS, PHOTOS,
};
use crate::domain::{Case, CaseId, State};

/// `town-window-yyyymmdd-`: the start of the ids of one window's cases of one day.
fn id_prefix(id: &CaseId) -> &str {
    let s = id.as_str();
    s.rfind('-').map_or(s, |at| &s[..=at])
}

fn day_key(day: NaiveDate, id: &CaseId) -> Vec<u8> {
    let mut k = day.format("%Y%m%d").to_string().into_bytes();
    k.extend_from_slice(id_prefix(id).as_bytes());
    k
}

/// Keys of the days directory are `yyyymmdd`: keep both ends within four-digit years.
fn day_bound(day: NaiveDate) -> String {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    day.clamp(first, last).format("%Y%m%d").to_string()
}

/// At most this many imported people wait to be settled into the person
/// index (`people.rs`) when an import starts: some 45,000 cases' worth, in a
/// tree of some 6 MB. Beyond, the import first settles them.
const MAX_IMPORTED_PEOPLE_WAITING: u64 = 100_000;

/// How a case comes to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writing {
    /// A step at the window (or a new case): a finished case goes into the outbox.
    AtTheWindow,
    /// An import of exported cases or intake records.
    Imported,
    /// A whole store loaded at once (a benchmark's or a training store).
    Loaded,
}

impl Tx<'_> {
    /// Reads a case inside the transaction.
    pub fn case<E>(&self, id: &CaseId) -> TxResult<Option<Case>, E> {
        match self.item(CASES, id.as_str().as_bytes())? {
            None => Ok(None),
            Some(bytes) => match self.store.read_case(&bytes) {
                Ok(c) => Ok(Some(c)),
                Err(e) => abort(e),
            },
        }
    }

    /// Writes a case and brings every index in line with it, in this
    /// transaction; a case that becomes finished (completed, rejected,
    /// withdrawn) goes into the outbox.
    pub fn put_case<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        self.write_case(old, case, Writing::AtTheWindow)?;
        self.audit_case(old, case, false)
    }

    /// Writes a case brought in by an import: indexed (its people among the
    /// imported ones, see `people.rs`), but never put in the outbox (it was
    /// forwarded where it came from).
    pub fn put_imported_case<E>(&self, case: &Case) -> TxResult<(), E> {
        self.write_case(None, case, Writing::Imported)?;
        self.audit_case(None, case, true)
    }

    fn write_case<E>(&self, old: Option<&Case>, case: &Case, writing: Writing) -> TxResult<(), E> {
        let record = match encode_case(case) {
            Ok(b) => b,
            Err(e) => return abort(e),
        };
        self.put_item(CASES, case.id.as_str().as_bytes(), &record)?;
        if old.is_none_or(|o| o.day() != case.day()) {
            let key = day_key(case.day(), &case.id);
            if self.get(DAYS, &key)?.is_none() {
                self.insert(DAYS, key, [])?;
            }
        }
        self.index_people(old, case, writing == Writing::Imported)?;
        self.index_name(old, case)?;
        self.index_open(old, case)?;
        self.index_report(old, case)?;
        if writing == Writing::AtTheWindow {
            self.enqueue_if_finished(old, case)?;
        }
        Ok(())
    }

    /// The id of the next case of a window on `day`. Never one already in the
    /// store: if the day's counter is behind the cases (a store whose counter
    /// was lost), it is moved on past the highest case of the day.
    pub fn next_case_id<E>(&self, town_code: &str, window: u8, day: NaiveDate) -> TxResult<CaseId, E> {
        let key = super::sequence_key(town_code, window, day);
        let id = CaseId::new(town_code, window, day, self.next_number(&key)?);
        if self.case::<E>(&id)?.is_none() {
            return Ok(id);
        }
        let prefix = id_prefix(&id).to_string();
        let mut highest = 0;
        for (k, _) in self.items_with_prefix(CASES, prefix.as_bytes())? {
            let seq = std::str::from_utf8(&k).ok().and_then(|s| s.parse::<CaseId>().ok()).map(|id| id.seq());
            highest = highest.max(seq.unwrap_or(0));
        }
        tracing::warn!(
            "{}: the case counter of {prefix}* was behind the cases in the store (at {}); continuing after {highest}",
            self.store.dir.display(),
            id.seq()
        );
        self.raise_number(&key, highest)?;
        let next = CaseId::new(town_code, window, day, self.next_number(&key)?);
        match self.case::<E>(&next)? {
            None => Ok(next),
            Some(_) => abort(StoreError::AlreadyExists(next)),
        }
    }
}

impl Store {
    /// Adds a new case: takes the window's next sequence number for `day`,
    /// builds the case with `make` and writes it with its indexes, durably.
    pub fn add_case<E>(
        &self,
        town_code: &str,
        window: u8,
        day: NaiveDate,
        make: impl Fn(CaseId) -> Result<Case, E>,
    ) -> Result<Case, WriteError<E>> {
        self.add_case_with_photo(town_code, window, day, None, None, make)
    }

    /// As [`Store::add_case`], keeping the applicant's ID card photo (raw WLT
    /// bytes) and the counter's draft token (see `drafts.rs`) with the case in
    /// the same transaction.
    pub fn add_case_with_photo<E>(
        &self,
        town_code: &str,
        window: u8,
        day: NaiveDate,
        card_photo: Option<&[u8]>,
        draft: Option<&str>,
        make: impl Fn(CaseId) -> Result<Case, E>,
    ) -> Result<Case, WriteError<E>> {
        self.write(|tx| {
            let id = tx.next_case_id(town_code, window, day)?;
            let case = match make(id) {
                Ok(c) => c,
                Err(e) => return refuse(e),
            };
            if tx.case::<E>(&case.id)?.is_some() {
                return abort(StoreError::AlreadyExists(case.id.clone()));
            }
            tx.put_case(None, &case)?;
            if let Some(photo) = card_photo {
                tx.put_item::<E>(PHOTOS, case.id.as_str().as_bytes(), photo)?;
            }
            if let Some(token) = draft {
                tx.draft_saved::<E>(token, &case.id)?;
            }
            Ok(case)
        })
    }

    /// The applicant's ID card photo kept with a case (raw WLT bytes), if any.
    pub fn card_photo(&self, id: &CaseId) -> Result<Option<Vec<u8>>, StoreError> {
        self.item(PHOTOS, id.as_str().as_bytes())
    }

    /// Changes a case with `change` (a transition, an override…) in one durable
    /// transaction; a refusal leaves the store exactly as it was.
    pub fn update_case<E>(
        &self,
        id: &CaseId,
        change: impl Fn(&mut Case, &Tx) -> TxResult<(), E>,
    ) -> Result<Case, WriteError<E>> {
        self.write(|tx| {
            let Some(old) = tx.case(id)? else {
                return abort(StoreError::NotFound(id.clone()));
            };
            let mut case = old.clone();
            change(&mut case, tx)?;
            tx.put_case(Some(&old), &case)?;
            Ok(case)
        })
    }

    /// Loads many ready-made cases fast, without the journal, then syncs once.
    /// Not one transaction that survives a crash: only for seeding benchmark
    /// and training stores, never for real intake (use [`Store::add_case`] or
    /// [`Store::import`]).
    pub fn bulk_load(&self, cases: &[Case]) -> Result<(), StoreError> {
        let loaded = self.write_unjournalled::<(), std::convert::Infallible>(|tx| {
            let mut highest: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
            for case in cases {
                tx.write_case(None, case, Writing::Loaded)?;
                let key = super::sequence_key(case.id.town_code(), case.id.window(), case.id.day());
                let seq = highest.entry(key).or_insert(0);
                *seq = (*seq).max(case.id.seq());
            }
            for (key, seq) in highest {
                tx.raise_number(&key, seq)?;
            }
            Ok(())
        });
        match loaded {
            Ok(()) => Ok(()),
            Err(WriteError::Store(e)) => Err(e),
            Err(WriteError::Refused(never)) => match never {},
        }
    }

    /// Writes cases that already have their ids (an import of exported cases,
    /// or intake records given ids as they are made), all in one transaction.
    /// `build` hands each case to `put` as soon as it is made: `put` writes
    /// it into the transaction (refusing one whose id the store holds
    /// already), so an import holds no second copy of all its cases. A
    /// refusal anywhere writes nothing.
    pub fn import<E>(
        &self,
        build: impl Fn(&Tx, &mut dyn FnMut(&Case) -> TxResult<(), E>) -> TxResult<(), E>,
    ) -> Result<Vec<CaseId>, WriteError<E>> {
        // The imported people waiting to be settled are kept few: read
        // beside the person index at every lookup, they cost it little.
        while self.imported_people_waiting()? > MAX_IMPORTED_PEOPLE_WAITING {
            if self.settle_imported_people(super::people::SETTLED_UNATTENDED)? == 0 {
                break;
            }
        }
        self.write_before_commit(
            |tx| {
                let mut ids = Vec::new();
                build(tx, &mut |case: &Case| {
                    if tx.case::<E>(&case.id)?.is_some() {
                        return abort(StoreError::AlreadyExists(case.id.clone()));
                    }
                    tx.put_imported_case(case)?;
                    let key = super::sequence_key(case.id.town_code(), case.id.window(), case.id.day());
                    tx.raise_number(&key, case.id.seq())?;
                    ids.push(case.id.clone());
                    Ok(())
                })?;
                Ok(ids)
            },
            |journal, ids| if ids.is_empty() { Ok(()) } else { self.say_imported_people_wait(journal) },
        )
    }

    pub fn case(&self, id: &CaseId) -> Result<Option<Case>, StoreError> {
        match self.item(CASES, id.as_str().as_bytes())? {
            None => Ok(None),
            Some(bytes) => self.read_case(&bytes).map(Some),
        }
    }

    /// The case id prefixes (one per window) of the days from `from` to `to`,
    /// with the day each was listed for.
    pub(super) fn windows_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String)>, StoreError> {
        let (start, end) = (day_bound(from), format!("{}\u{7f}", day_bound(to)));
        let _reading = self.reading();
        let mut out = Vec::new();
        for item in self.trees[DAYS].range(start.as_bytes()..end.as_bytes()).keys() {
            let k = item.map_err(|e| sled_error(&self.dir, e))?;
            let bad = || damaged(&self.dir, "a key of the days directory is not a day and a case id prefix");
            let (day, prefix) = k.split_at_checked(8).ok_or_else(bad)?;
            let day = std::str::from_utf8(day)
                .ok()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
                .ok_or_else(bad)?;
            out.push((day, String::from_utf8(prefix.to_vec()).map_err(|_| bad())?));
        }
        Ok(out)
    }

    /// Every case received from `from` to `to` (inclusive), in day then id
    /// order, to `f` until it says to stop.
    pub fn each_case_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut f: impl FnMut(Case) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        for (day, prefix) in self.windows_between(from, to)? {
            let mut stop = false;
            self.walk_prefix(CASES, prefix.as_bytes(), |_, v| {
                let case: Case = self.read_case(v)?;
                if case.day() != day {
                    return Ok(ControlFlow::Continue(())); // listed under the day it was received
                }
                let flow = f(case)?;
                stop = flow.is_break();
                Ok(flow)
            })?;
            if stop {
                break;
            }
        }
        Ok(())
    }

    /// The cases received on `day`, whole, in id order.
    pub fn cases_received_on(&self, day: NaiveDate) -> Result<Vec<Case>, StoreError> {
        let mut out = Vec::new();
        self.each_case_between(day, day, |c| {
            out.push(c);
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }

    /// The cases received on `day`, in id order.
    pub fn cases_on_day(&self, day: NaiveDate) -> Result<Vec<CaseSummary>, StoreError> {
        self.cases_between(day, day)
    }

    /// Summaries received between two days inclusive, in day order.
    pub fn cases_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CaseSummary>, StoreError> {
        let mut out = Vec::new();
        self.each_case_between(from, to, |c| {
            out.push(CaseSummary::of(&c));
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }

    /// Ids of the cases in a state, in id order.
    pub fn ids_in_state(&self, state: State) -> Result<Vec<CaseId>, StoreError> {
        if !state.is_closed() {
            return Ok(self.open_cases()?.into_iter().filter(|c| c.state == state).map(|c| c.id).collect());
        }
        // Closed cases are most of a store's history and are in no index by
        // state: read the records.
        let mut out = Vec::new();
        self.walk(CASES, &[], |_, v| {
            let case: Case = self.read_case(v)?;
            if case.state == state {
                out.push(case.id);
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }

    /// Ids of the cases whose id starts with `prefix`, in id order: at most `limit`.
    pub(super) fn ids_with_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<CaseId>, StoreError> {
        let mut out = Vec::new();
        self.walk_prefix(CASES, prefix, |k, _| {
            out.extend(std::str::from_utf8(k).ok().and_then(|s| s.parse().ok()));
            Ok(if out.len() >= limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }

    /// Every case id, in id order (for export and checks), read a few hundred at a time.
    pub fn all_case_ids(&self) -> CaseIds<'_> {
        CaseIds { store: self, next: Some(Vec::new()), buffered: Vec::new().into_iter() }
    }

    pub fn case_count(&self) -> usize {
        match self.count_items(CASES) {
            Ok(n) => n as usize,
            Err(e) => {
                tracing::warn!("counting the cases: {e}");
                0
            }
        }
    }
}

/// The store's case ids in id order (see [`Store::all_case_ids`]).
pub struct CaseIds<'a> {
    store: &'a Store,
    /// Where the next batch starts; `None` once the last is read.
    next: Option<Vec<u8>>,
    buffered: std::vec::IntoIter<Result<CaseId, StoreError>>,
}

impl Iterator for CaseIds<'_> {
    type Item = Result<CaseId, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(id) = self.buffered.next() {
                return Some(id);
            }
            let start = self.next.take()?;
            let mut batch = Vec::new();
            let mut after: Option<Vec<u8>> = None;
            let walked = self.store.walk(CASES, &start, |k, _| {
                if batch.len() >= 512 {
                    let mut resume = k.to_vec();
                    resume.shrink_to_fit();
                    after = Some(resume);
                    return Ok(ControlFlow::Break(()));
                }
                batch.push(
                    std::str::from_utf8(k)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| damaged(&self.store.dir, "a case key is not a case id")),
                );
                Ok(ControlFlow::Continue(()))
            });
            if let Err(e) = walked {
                batch.push(Err(e));
                after = None;
            }
            self.next = after;
            self.buffered = batch.into_iter();
            if self.buffered.len() == 0 {
                return None;
            }
        }
    }
}

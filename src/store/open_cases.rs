//! The open cases: for every case not yet closed (completed, rejected or
//! withdrawn), the facts its deadlines and the daily report need, keyed by
//! case id in runs. This is the store's working set: the overdue list and the
//! daily report read it instead of the case records, and a case leaves it in
//! the transaction that closes it.
//!
//! Two small trees follow it in the same transactions, so the daily report
//! reads nothing per open case: `backlog` counts the open cases by the day
//! they were received, their policy and their [`Lateness`] (a few entries per
//! day), and `open_steps` lists, by day, the open cases with a step on a day
//! other than the one they were received.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{abort, damaged, encode, sled_error, Store, StoreError, Tx, TxResult, BACKLOG, OPEN_CASES, OPEN_STEPS};
use crate::domain::case::{HistoryAction, Lateness};
use crate::domain::time;
use crate::domain::{Case, CaseId, Channel, Kind, State};

/// A case not yet closed, as its deadlines and the daily report see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    pub id: CaseId,
    pub kind: Kind,
    pub channel: Channel,
    pub state: State,
    /// The day it was received.
    pub received: NaiveDate,
    /// The version of the policy it was judged by.
    pub policy: Option<String>,
    pub due_by: Option<NaiveDate>,
    /// Its after-the-fact review (green channel) is recorded.
    pub post_reviewed: bool,
    /// Every referral's due date, and whether the department has answered it.
    pub referrals: Vec<(NaiveDate, bool)>,
    /// The days its history has a step on, oldest first.
    pub step_days: Vec<NaiveDate>,
}

/// What the index keeps of an [`OpenCase`] (the case id is the item's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct OpenItem {
    kind: Kind,
    channel: Channel,
    state: State,
    #[serde(with = "time::day")]
    received: NaiveDate,
    policy: Option<String>,
    #[serde(with = "time::day_opt")]
    due_by: Option<NaiveDate>,
    post_reviewed: bool,
    referrals: Vec<Referral>,
    step_days: Vec<Day>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Referral(#[serde(with = "time::day")] NaiveDate, bool);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Day(#[serde(with = "time::day")] NaiveDate);

impl OpenCase {
    /// The facts of `case` (whether it is open or not).
    pub fn of(case: &Case) -> OpenCase {
        let mut step_days: Vec<NaiveDate> = case.history.iter().map(|h| h.at.date_naive()).collect();
        step_days.sort();
        step_days.dedup();
        OpenCase {
            id: case.id.clone(),
            kind: case.kind,
            channel: case.channel,
            state: case.state,
            received: case.day(),
            policy: case.policy.clone(),
            due_by: case.due_by,
            post_reviewed: case.history.iter().any(|h| h.action == HistoryAction::PostReviewed),
            referrals: case.referrals.iter().map(|r| (r.due_by, r.handled_at.is_some())).collect(),
            step_days,
        }
    }

    fn item(&self) -> OpenItem {
        OpenItem {
            kind: self.kind,
            channel: self.channel,
            state: self.state,
            received: self.received,
            policy: self.policy.clone(),
            due_by: self.due_by,
            post_reviewed: self.post_reviewed,
            referrals: self.referrals.iter().map(|(d, h)| Referral(*d, *h)).collect(),
            step_days: self.step_days.iter().map(|d| Day(*d)).collect(),
        }
    }

    fn from_item(id: CaseId, i: OpenItem) -> OpenCase {
        OpenCase {
            id,
            kind: i.kind,
            channel: i.channel,
            state: i.state,
            received: i.received,
            policy: i.policy,
            due_by: i.due_by,
            post_reviewed: i.post_reviewed,
            referrals: i.referrals.into_iter().map(|Referral(d, h)| (d, h)).collect(),
            step_days: i.step_days.into_iter().map(|Day(d)| d).collect(),
        }
    }

    /// When it falls overdue, as far as that needs no policy.
    pub fn lateness(&self) -> Lateness {
        Lateness::of(self.channel, self.state, self.post_reviewed, self.due_by, self.referrals.iter().copied())
    }

    /// Has it a step dated `day`?
    pub fn had_step_on(&self, day: NaiveDate) -> bool {
        self.step_days.binary_search(&day).is_ok()
    }
}

/// The open cases received on one day, judged by one policy, that fall
/// overdue alike: how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogGroup {
    pub received: NaiveDate,
    pub policy: Option<String>,
    pub lateness: Lateness,
    pub count: u32,
}

/// `yyyymmdd` of a day, as the backlog's and open steps' keys hold it.
fn day_text(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// Eight digits read as they are (a chrono parse costs more than the rest of a backlog count).
fn parse_day(bytes: &[u8]) -> Option<NaiveDate> {
    let digits: &[u8; 8] = bytes.try_into().ok()?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |d: &[u8]| d.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    NaiveDate::from_ymd_opt(number(&digits[..4]) as i32, number(&digits[4..6]), number(&digits[6..]))
}

/// Backlog key: received day (8), due day or eight zeros (8), help due `0`/`1`,
/// then `-` (no policy recorded) or `+` and the policy's version.
fn backlog_key(open: &OpenCase) -> Vec<u8> {
    let lateness = open.lateness();
    let mut k = day_text(open.received).into_bytes();
    k.extend_from_slice(lateness.due.map_or_else(|| "00000000".to_string(), day_text).as_bytes());
    k.push(if lateness.help_due { b'1' } else { b'0' });
    match &open.policy {
        None => k.push(b'-'),
        Some(v) => {
            k.push(b'+');
            k.extend_from_slice(v.as_bytes());
        }
    }
    k
}

fn backlog_group(key: &[u8], value: &[u8]) -> Option<BacklogGroup> {
    let received = parse_day(key.get(..8)?)?;
    let due = match key.get(8..16)? {
        b"00000000" => None,
        d => Some(parse_day(d)?),
    };
    let help_due = match key.get(16)? {
        b'0' => false,
        b'1' => true,
        _ => return None,
    };
    let policy = match key.get(17)? {
        b'-' => None,
        b'+' => Some(String::from_utf8(key.get(18..)?.to_vec()).ok()?),
        _ => return None,
    };
    let count = u32::from_be_bytes(value.try_into().ok()?);
    Some(BacklogGroup { received, policy, lateness: Lateness { due, help_due }, count })
}

/// Open steps key: the step's day, then the case id.
fn step_key(day: NaiveDate, id: &CaseId) -> Vec<u8> {
    let mut k = day_text(day).into_bytes();
    k.extend_from_slice(id.as_str().as_bytes());
    k
}

/// The days of an open case's steps other than the day it was received.
fn later_step_days(open: Option<&OpenCase>) -> Vec<NaiveDate> {
    open.map(|o| o.step_days.iter().copied().filter(|d| *d != o.received).collect()).unwrap_or_default()
}

/// The value of an open case's item.
pub(super) fn item_bytes(open: &OpenCase) -> Result<Vec<u8>, StoreError> {
    encode(&open.item(), "open case")
}

impl Tx<'_> {
    /// Brings the open cases in line with `case` (written over `old`): in
    /// while it is open, out in the transaction that closes it; the backlog's
    /// counts and the open steps with them.
    pub(super) fn index_open<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        let before = old.filter(|o| !o.state.is_closed()).map(OpenCase::of);
        let after = (!case.state.is_closed()).then(|| OpenCase::of(case));
        self.count_backlog(before.as_ref(), after.as_ref())?;
        self.index_open_steps(before.as_ref(), after.as_ref())?;
        let key = case.id.as_str().as_bytes();
        match (&before, &after) {
            (Some(_), None) => self.remove_item(OPEN_CASES, key),
            (_, Some(now)) if before.as_ref().map(OpenCase::item) != Some(now.item()) => {
                match encode(&now.item(), "open case") {
                    Ok(bytes) => self.put_item(OPEN_CASES, key, &bytes),
                    Err(e) => abort(e),
                }
            }
            _ => Ok(()),
        }
    }

    /// Moves a case from its old backlog count to its new one.
    pub(super) fn count_backlog<E>(&self, before: Option<&OpenCase>, after: Option<&OpenCase>) -> TxResult<(), E> {
        let (from, to) = (before.map(backlog_key), after.map(backlog_key));
        if from == to {
            return Ok(());
        }
        if let Some(k) = from {
            match self.backlog_count(&k)? {
                0 => return abort(damaged(&self.store.dir, "the backlog counts miss an open case")),
                1 => self.remove(BACKLOG, &k)?,
                n => self.insert(BACKLOG, k, (n - 1).to_be_bytes())?,
            }
        }
        if let Some(k) = to {
            let n = self.backlog_count(&k)?;
            self.insert(BACKLOG, k, (n + 1).to_be_bytes())?;
        }
        Ok(())
    }

    fn backlog_count<E>(&self, key: &[u8]) -> TxResult<u32, E> {
        match self.get(BACKLOG, key)? {
            None => Ok(0),
            Some(v) => match <[u8; 4]>::try_from(v.as_slice()) {
                Ok(b) => Ok(u32::from_be_bytes(b)),
                Err(_) => abort(damaged(&self.store.dir, "a backlog count has the wrong size")),
            },
        }
    }

    /// Lists an open case under the days it had a step on (but the day it
    /// was received); `before` and `after` are the same case.
    pub(super) fn index_open_steps<E>(&self, before: Option<&OpenCase>, after: Option<&OpenCase>) -> TxResult<(), E> {
        let Some(id) = after.or(before).map(|o| &o.id) else { return Ok(()) };
        let (from, to) = (later_step_days(before), later_step_days(after));
        for d in from.iter().filter(|d| !to.contains(d)) {
            self.remove_item(OPEN_STEPS, &step_key(*d, id))?;
        }
        for d in to.iter().filter(|d| !from.contains(d)) {
            self.put_item(OPEN_STEPS, &step_key(*d, id), &[])?;
        }
        Ok(())
    }
}

impl Store {
    /// Every case not yet closed, in id order: the working set, read without a case record.
    pub fn open_cases(&self) -> Result<Vec<OpenCase>, StoreError> {
        let mut out = Vec::new();
        self.each_open_case(|open| {
            out.push(open);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every case not yet closed, in id order, one at a time: for a caller
    /// that keeps a few of them (at 1,000,000 cases the store holds over
    /// 600,000 open ones, over 100 MB as a list).
    pub fn each_open_case(&self, mut f: impl FnMut(OpenCase) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.each_open_case_after(None, |open| f(open).map(|()| ControlFlow::Continue(())))
    }

    /// As [`Store::each_open_case`], from the first case after `after` (or the
    /// first of all), until `f` says to stop. `f` runs under the store's read
    /// lock: it must not read the store itself.
    pub fn each_open_case_after(
        &self,
        after: Option<&CaseId>,
        mut f: impl FnMut(OpenCase) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        // The first key above `after`'s: its bytes and a zero.
        let start = after.map(|id| [id.as_str().as_bytes(), &[0]].concat()).unwrap_or_default();
        self.walk(OPEN_CASES, &start, |k, v| {
            let id = std::str::from_utf8(k)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| damaged(&self.dir, "an open case's key is not a case id"))?;
            f(OpenCase::from_item(id, self.read(v, "open case")?))
        })
    }

    /// The facts of one case if it is not yet closed.
    pub fn open_case(&self, id: &CaseId) -> Result<Option<OpenCase>, StoreError> {
        match self.item(OPEN_CASES, id.as_str().as_bytes())? {
            None => Ok(None),
            Some(v) => Ok(Some(OpenCase::from_item(id.clone(), self.read(&v, "open case")?))),
        }
    }

    /// The open cases with a step on `day` that were received on another day, in id order.
    pub fn open_with_step_on(&self, day: NaiveDate) -> Result<Vec<CaseId>, StoreError> {
        let prefix = day_text(day);
        let mut out = Vec::new();
        self.walk_prefix(OPEN_STEPS, prefix.as_bytes(), |k, _| {
            let id = std::str::from_utf8(&k[prefix.len()..])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| damaged(&self.dir, "a key of the open steps is not a day and a case id"))?;
            out.push(id);
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }

    /// The backlog's counts: every open case is in one group.
    pub fn backlog_groups(&self) -> Result<Vec<BacklogGroup>, StoreError> {
        let _reading = self.reading();
        let mut out = Vec::new();
        for item in self.trees[BACKLOG].iter() {
            let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push(backlog_group(&k, &v).ok_or_else(|| damaged(&self.dir, "a backlog count cannot be read"))?);
        }
        Ok(out)
    }
}

//! The open cases: for every case not yet closed (completed, rejected or
//! withdrawn), the facts its deadlines and the daily report need, keyed by
//! case id in runs. This is the store's working set: the overdue list and the
//! daily report read it instead of the case records, and a case leaves it in
//! the transaction that closes it.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{abort, damaged, encode, Store, StoreError, Tx, TxResult, OPEN_CASES};
use crate::domain::case::HistoryAction;
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

    /// Has it a step dated `day`?
    pub fn had_step_on(&self, day: NaiveDate) -> bool {
        self.step_days.binary_search(&day).is_ok()
    }
}

/// The value of an open case's item.
pub(super) fn item_bytes(open: &OpenCase) -> Result<Vec<u8>, StoreError> {
    encode(&open.item(), "open case")
}

impl Tx<'_> {
    /// Brings the open cases in line with `case` (written over `old`): in
    /// while it is open, out in the transaction that closes it.
    pub(super) fn index_open<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        let key = case.id.as_str().as_bytes();
        if case.state.is_closed() {
            if old.is_some_and(|o| !o.state.is_closed()) {
                self.remove_item(OPEN_CASES, key)?;
            }
            return Ok(());
        }
        let item = OpenCase::of(case).item();
        if old.is_some_and(|o| !o.state.is_closed() && OpenCase::of(o).item() == item) {
            return Ok(());
        }
        match encode(&item, "open case") {
            Ok(bytes) => self.put_item(OPEN_CASES, key, &bytes),
            Err(e) => abort(e),
        }
    }
}

impl Store {
    /// Every case not yet closed, in id order: the working set, read without a case record.
    pub fn open_cases(&self) -> Result<Vec<OpenCase>, StoreError> {
        let mut out = Vec::new();
        self.walk(OPEN_CASES, &[], |k, v| {
            let id = std::str::from_utf8(k)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| damaged(&self.dir, "an open case's key is not a case id"))?;
            out.push(OpenCase::from_item(id, self.read(v, "open case")?));
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(out)
    }
}

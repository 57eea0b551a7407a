//! What the daily report needs of each case (`domain::report::ReportCase`:
//! kind, channel, state, name, amounts, money source, and every step with
//! its day and amount), keyed by case id in runs and written in the same
//! transaction as the case: a day's report reads a few hundred bytes per case
//! of that day, never the whole records. Beside it, in `open_cases.rs`, the
//! backlog counts and the open cases' step days, so the report reads nothing
//! per open case either.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{abort, damaged, encode, Store, StoreError, Tx, TxResult, REPORT_FACTS};
use rust_decimal::Decimal;

use crate::domain::case::{HistoryAction, Lateness};
use crate::domain::report::{ReportCase, ReportStep};
use crate::domain::time;
use crate::domain::{Case, CaseId, Channel, Kind, Money, MoneySource, State};

/// A [`ReportCase`] as the tree keeps it (the case id is the item's key),
/// amounts in fen; its steps written as [`StepItem`]s, read as [`ReadStep`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FactsItem<S = StepItem> {
    kind: Kind,
    channel: Channel,
    state: State,
    #[serde(with = "time::day")]
    received: NaiveDate,
    name: String,
    id_masked: String,
    requested: i64,
    entitled: Option<i64>,
    granted: Option<i64>,
    payment: Option<(MoneySource, bool)>,
    steps: Vec<S>,
    policy: Option<String>,
    #[serde(with = "time::day_opt")]
    due: Option<NaiveDate>,
    help_due: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StepItem(#[serde(with = "time::day")] NaiveDate, HistoryAction, i64);

/// A step as it is read: made a [`ReportStep`] as it is decoded, so a
/// case's steps take one allocation, not two.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "StepItem")]
struct ReadStep(ReportStep);

impl TryFrom<StepItem> for ReadStep {
    type Error = &'static str;
    fn try_from(StepItem(day, action, amount): StepItem) -> Result<ReadStep, &'static str> {
        let amount = money(amount).ok_or("an amount in the report's facts is out of range")?;
        Ok(ReadStep(ReportStep { day, action, amount }))
    }
}

fn fen(m: Money) -> i64 {
    let mut d = m.decimal();
    d.rescale(2);
    d.mantissa() as i64
}

fn money(fen: i64) -> Option<Money> {
    Money::new(Decimal::new(fen, 2)).ok()
}

impl FactsItem {
    fn of(c: ReportCase) -> FactsItem {
        FactsItem {
            kind: c.kind,
            channel: c.channel,
            state: c.state,
            received: c.received,
            name: c.name,
            id_masked: c.id_masked,
            requested: fen(c.requested),
            entitled: c.entitled.map(fen),
            granted: c.granted.map(fen),
            payment: c.payment,
            steps: c.steps.into_iter().map(|s| StepItem(s.day, s.action, fen(s.amount))).collect(),
            policy: c.policy,
            due: c.lateness.due,
            help_due: c.lateness.help_due,
        }
    }
}

impl FactsItem<ReadStep> {
    /// `None`: an amount out of range (a damaged item).
    fn into_case(self, id: CaseId) -> Option<ReportCase> {
        let opt = |fen: Option<i64>| match fen {
            None => Some(None),
            Some(f) => money(f).map(Some),
        };
        Some(ReportCase {
            id,
            kind: self.kind,
            channel: self.channel,
            state: self.state,
            received: self.received,
            name: self.name,
            id_masked: self.id_masked,
            requested: money(self.requested)?,
            entitled: opt(self.entitled)?,
            granted: opt(self.granted)?,
            payment: self.payment,
            // In place: a step read is already a `ReportStep`.
            steps: self.steps.into_iter().map(|ReadStep(s)| s).collect(),
            policy: self.policy,
            lateness: Lateness { due: self.due, help_due: self.help_due },
        })
    }
}

impl Tx<'_> {
    /// Brings the report's facts in line with `case` (written over `old`).
    pub(super) fn index_report<E>(&self, old: Option<&Case>, case: &Case) -> TxResult<(), E> {
        let facts = ReportCase::of(case);
        if old.is_some_and(|o| ReportCase::of(o) == facts) {
            return Ok(());
        }
        match encode(&FactsItem::of(facts), "report facts") {
            Ok(bytes) => self.put_item(REPORT_FACTS, case.id.as_str().as_bytes(), &bytes),
            Err(e) => abort(e),
        }
    }
}

impl Store {
    fn report_case(&self, key: &[u8], value: &[u8]) -> Result<ReportCase, StoreError> {
        let id = std::str::from_utf8(key)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| damaged(&self.dir, "a key of the report's facts is not a case id"))?;
        self.read::<FactsItem<ReadStep>>(value, "report facts")?
            .into_case(id)
            .ok_or_else(|| damaged(&self.dir, "an amount in the report's facts is out of range"))
    }

    /// What the report needs of the cases received on `day`, in id order.
    pub fn report_cases_received_on(&self, day: NaiveDate) -> Result<Vec<ReportCase>, StoreError> {
        let mut out = Vec::new();
        for (_, prefix) in self.windows_between(day, day)? {
            self.walk_prefix(REPORT_FACTS, prefix.as_bytes(), |k, v| {
                let c = self.report_case(k, v)?;
                if c.received == day {
                    out.push(c); // listed under the day it was received
                }
                Ok(ControlFlow::Continue(()))
            })?;
        }
        Ok(out)
    }

    /// What the report needs of one case.
    pub fn report_case_of(&self, id: &CaseId) -> Result<Option<ReportCase>, StoreError> {
        let key = id.as_str().as_bytes();
        self.item(REPORT_FACTS, key)?.map(|v| self.report_case(key, &v)).transpose()
    }
}

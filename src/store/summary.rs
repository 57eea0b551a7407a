//! The short form of a case kept in the indexes: enough for the queue, a list
//! line and the duplicate check, so those never read the whole record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::time::{self, Moment};
use crate::domain::{Case, CaseId, Channel, IdNumber, Kind, Money, Reason, State};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub kind: Kind,
    pub reason: Reason,
    pub channel: Channel,
    pub state: State,
    pub name: String,
    /// The applicant's number (the index key may be a household member's).
    pub id_number: IdNumber,
    #[serde(with = "time::moment")]
    pub received_at: Moment,
    #[serde(with = "time::day_opt")]
    pub due_by: Option<NaiveDate>,
    pub ticket: Option<u32>,
    pub requested: Money,
    pub granted: Option<Money>,
    /// Who accepted the case (its `operator`), for the queue's "mine" and the
    /// supervisor's workload per clerk. Known when the summary is made from the
    /// case record (`cases_on_day`, `cases_between`, search by name or case id);
    /// `None` from the person index, which does not keep it. Not serialized, so
    /// the summaries schema 1 kept in its person index read as before.
    #[serde(skip)]
    pub accepted_by: Option<String>,
}

impl CaseSummary {
    pub fn of(case: &Case) -> CaseSummary {
        CaseSummary {
            id: case.id.clone(),
            kind: case.kind,
            reason: case.reason,
            channel: case.channel,
            state: case.state,
            name: case.applicant.name.clone(),
            id_number: case.applicant.id_number.clone(),
            received_at: case.received_at,
            due_by: case.due_by,
            ticket: case.ticket,
            requested: case.requested_amount,
            granted: case.granted_amount,
            accepted_by: Some(case.operator.clone()),
        }
    }

    pub fn day(&self) -> NaiveDate {
        self.received_at.date_naive()
    }
}

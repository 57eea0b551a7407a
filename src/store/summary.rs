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
        }
    }

    pub fn day(&self) -> NaiveDate {
        self.received_at.date_naive()
    }
}

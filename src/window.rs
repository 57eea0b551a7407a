//! What the window does, for the CLI and the counter alike: accept a case
//! (validate, judge by the policy, number it, commit it durably) and move a case
//! along (refer, review, approve, reject, disburse, complete, withdraw).

use chrono::NaiveDate;

use crate::config::CounterConfig;
use crate::domain::calendar::Calendar;
use crate::domain::case::{Acceptance, CaseInput, InputError, TransitionError};
use crate::domain::time::Moment;
use crate::domain::{Case, CaseId, Channel, Department, Money, Transition};
use crate::store::{refuse, Store, StoreError, WriteError};

/// Why the window refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{0}")]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WindowError {
    /// A refusal of what was asked (exit 2), not a failure of the machine (exit 1).
    pub fn is_refusal(&self) -> bool {
        match self {
            WindowError::Input(_) | WindowError::Transition(_) => true,
            WindowError::Store(e) => e.is_refusal(),
        }
    }
}

impl<E: Into<WindowError>> From<WriteError<E>> for WindowError {
    fn from(e: WriteError<E>) -> WindowError {
        match e {
            WriteError::Refused(e) => e.into(),
            WriteError::Store(e) => WindowError::Store(e),
        }
    }
}

/// A step a clerk, a department or a supervisor takes on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseAction {
    Refer(Department),
    Review(Option<String>),
    Approve(Option<Money>),
    Reject(String),
    Disburse,
    Complete,
    Withdraw(Option<String>),
}

/// The window of a town service centre, over its store.
pub struct Window<'a> {
    pub store: &'a Store,
    pub counter: &'a CounterConfig,
    pub calendar: Calendar,
}

/// Working days allowed for the whole case, normal channel.
const CASE_LIMIT_DAYS: u32 = 15;
/// Working days a green-channel case has to deliver the help.
const GREEN_HELP_DAYS: u32 = 1;
/// Working days a department has to answer a referral.
const REFERRAL_DAYS: u32 = 9;

impl<'a> Window<'a> {
    pub fn new(store: &'a Store, counter: &'a CounterConfig) -> Window<'a> {
        Window {
            store,
            counter,
            calendar: Calendar::default(),
        }
    }

    /// The promised completion date of a case received on `day`.
    pub fn due_by(&self, channel: Channel, day: NaiveDate) -> NaiveDate {
        let limit = match channel {
            Channel::Normal => CASE_LIMIT_DAYS,
            Channel::Green => GREEN_HELP_DAYS,
        };
        self.calendar.add_working_days(day, limit)
    }

    /// Accepts a case: validates the input, numbers it and commits it durably.
    /// Only a case returned from here is saved.
    pub fn accept(
        &self,
        input: CaseInput,
        operator: &str,
        now: Moment,
    ) -> Result<Case, WindowError> {
        let today = now.date_naive();
        input.validate(today)?;
        let due_by = Some(self.due_by(input.channel, today));
        let case = self.store.add_case::<WindowError>(
            &self.counter.town_code,
            self.counter.window,
            today,
            |id| {
                Ok(Case::receive(
                    input.clone(),
                    Acceptance {
                        id,
                        operator: operator.to_string(),
                        at: now,
                        due_by,
                        entitlement: None,
                        policy: None,
                        related_cases: Vec::new(),
                    },
                ))
            },
        )?;
        Ok(case)
    }

    /// Applies a step to a case in one durable transaction; a refused step
    /// leaves the store exactly as it was.
    pub fn act(
        &self,
        id: &CaseId,
        action: &CaseAction,
        operator: &str,
        now: Moment,
    ) -> Result<Case, WindowError> {
        let transition = self.transition(action, now.date_naive());
        let case = self.store.update_case::<TransitionError>(id, |case, _| {
            case.apply(&transition, operator, now).or_else(refuse)
        })?;
        Ok(case)
    }

    fn transition(&self, action: &CaseAction, today: NaiveDate) -> Transition {
        match action {
            CaseAction::Refer(department) => Transition::Refer {
                department: *department,
                due_by: self.calendar.add_working_days(today, REFERRAL_DAYS),
            },
            CaseAction::Review(note) => Transition::Review { note: note.clone() },
            CaseAction::Approve(amount) => Transition::Approve { amount: *amount },
            CaseAction::Reject(reason) => Transition::Reject {
                reason: reason.clone(),
            },
            CaseAction::Disburse => Transition::Disburse,
            CaseAction::Complete => Transition::Complete,
            CaseAction::Withdraw(note) => Transition::Withdraw { note: note.clone() },
        }
    }
}

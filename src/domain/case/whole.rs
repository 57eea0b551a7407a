//! Is a whole case record possible? What `case import` asks of an exported
//! case before it joins the store: the same things a case made at the counter
//! is by construction (an id of its day, a history that starts with its
//! reception and leads step by legal step to its state, an amount wherever
//! one was granted, nothing in the future).

use chrono::NaiveDate;

use super::{Case, HistoryAction, State, Step};

/// Why a case record cannot be a real case, naming the field that says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImpossibleCase {
    #[error("field 'id': sequence number 0000 is never given (the first case of a day is 0001)")]
    SequenceZero,
    #[error("field 'id': the id's day {id_day} is not the day the case was received ({received})")]
    IdNotOfItsDay { id_day: NaiveDate, received: NaiveDate },
    #[error("field 'received_at': {received} is after today ({today})")]
    ReceivedInTheFuture { received: NaiveDate, today: NaiveDate },
    #[error("field 'history': it is empty (every case starts with its reception)")]
    NoHistory,
    #[error("field 'history': it does not start with the case's reception")]
    HistoryNotFromReception,
    #[error("field 'history': entry {entry} is earlier than the one before it")]
    HistoryOutOfOrder { entry: usize },
    #[error("field 'history': entry {entry} is after today ({today})")]
    HistoryInTheFuture { entry: usize, today: NaiveDate },
    #[error("field 'history': entry {entry} ({action:?}) cannot follow a case that is {state:?}")]
    IllegalStep { entry: usize, action: HistoryAction, state: State },
    #[error("field 'state': the history leads to {from_history:?}, not {state:?}")]
    StateNotFromHistory { state: State, from_history: State },
    #[error("field 'granted_amount': a case that is {state:?} was granted an amount, and none is given")]
    NoGrantedAmount { state: State },
}

impl ImpossibleCase {
    /// The case JSON field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            ImpossibleCase::SequenceZero | ImpossibleCase::IdNotOfItsDay { .. } => "id",
            ImpossibleCase::ReceivedInTheFuture { .. } => "received_at",
            ImpossibleCase::NoHistory
            | ImpossibleCase::HistoryNotFromReception
            | ImpossibleCase::HistoryOutOfOrder { .. }
            | ImpossibleCase::HistoryInTheFuture { .. }
            | ImpossibleCase::IllegalStep { .. } => "history",
            ImpossibleCase::StateNotFromHistory { .. } => "state",
            ImpossibleCase::NoGrantedAmount { .. } => "granted_amount",
        }
    }
}

/// The step a history entry records, if it moves the case along.
fn step_of(action: HistoryAction) -> Option<Step> {
    match action {
        HistoryAction::Referred => Some(Step::Refer),
        HistoryAction::Reviewed | HistoryAction::PostReviewed => Some(Step::Review),
        HistoryAction::Approved => Some(Step::Approve),
        HistoryAction::Rejected => Some(Step::Reject),
        HistoryAction::Disbursed => Some(Step::Disburse),
        HistoryAction::Completed => Some(Step::Complete),
        HistoryAction::Withdrawn => Some(Step::Withdraw),
        HistoryAction::Received | HistoryAction::Override | HistoryAction::Imported | HistoryAction::Countersigned => {
            None
        }
    }
}

/// Does `entry`, a countersign, countersign the step just before it (an
/// approval or a payment, named in its note), as the counter records one?
fn countersigns(before: Option<&super::HistoryEntry>, entry: &super::HistoryEntry) -> bool {
    before.is_some_and(|b| {
        matches!(b.action, HistoryAction::Approved | HistoryAction::Disbursed)
            && entry.note.as_deref() == Some(crate::domain::report::action_code(b.action))
    })
}

/// The state a step leads to, as [`Case::apply`] moves it.
fn after(step: Step, state: State, green: bool) -> State {
    match step {
        Step::Refer if green => state,
        Step::Refer => State::Referred,
        Step::Review if green => state,
        Step::Review => State::UnderReview,
        Step::Approve => State::Approved,
        Step::Reject => State::Rejected,
        Step::Disburse => State::Disbursed,
        Step::Complete => State::Completed,
        Step::Withdraw => State::Withdrawn,
    }
}

impl Case {
    /// Checks that this record is a case the counter could have made by
    /// `today`: see [`ImpossibleCase`] for each rule.
    pub fn check_whole(&self, today: NaiveDate) -> Result<(), ImpossibleCase> {
        let received = self.received_at.date_naive();
        if self.id.seq() == 0 {
            return Err(ImpossibleCase::SequenceZero);
        }
        if self.id.day() != received {
            return Err(ImpossibleCase::IdNotOfItsDay { id_day: self.id.day(), received });
        }
        if received > today {
            return Err(ImpossibleCase::ReceivedInTheFuture { received, today });
        }
        let Some(first) = self.history.first() else {
            return Err(ImpossibleCase::NoHistory);
        };
        if first.action != HistoryAction::Received || first.at != self.received_at {
            return Err(ImpossibleCase::HistoryNotFromReception);
        }
        // The history replayed step by step on the case as it was received.
        let green = self.channel == super::Channel::Green;
        let mut replay = self.clone();
        replay.state = State::Received;
        replay.history.truncate(1);
        for (entry, h) in self.history.iter().enumerate().skip(1) {
            let number = entry + 1;
            if h.at < replay.history[entry - 1].at {
                return Err(ImpossibleCase::HistoryOutOfOrder { entry: number });
            }
            if h.at.date_naive() > today {
                return Err(ImpossibleCase::HistoryInTheFuture { entry: number, today });
            }
            if let Some(step) = step_of(h.action) {
                if replay.allows(step).is_err() {
                    return Err(ImpossibleCase::IllegalStep { entry: number, action: h.action, state: replay.state });
                }
                replay.state = after(step, replay.state, green);
            } else if h.action == HistoryAction::Received
                || (h.action == HistoryAction::Countersigned && !countersigns(replay.history.last(), h))
            {
                return Err(ImpossibleCase::IllegalStep { entry: number, action: h.action, state: replay.state });
            }
            replay.history.push(h.clone());
        }
        if replay.state != self.state {
            return Err(ImpossibleCase::StateNotFromHistory { state: self.state, from_history: replay.state });
        }
        let granted = self.history.iter().any(|h| h.action == HistoryAction::Approved);
        if granted && self.granted_amount.is_none_or(|m| m <= super::Money::ZERO) {
            return Err(ImpossibleCase::NoGrantedAmount { state: self.state });
        }
        Ok(())
    }
}

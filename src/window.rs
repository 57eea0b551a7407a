//! What the window does, for the CLI and the counter alike: accept a case
//! (validate, look for earlier help to the household, judge it by the policy in
//! force, number it, commit it durably), move a case along, and keep the relief
//! fund. Every rule comes from `domain`; every write is one store transaction.

use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::config::CounterConfig;
use crate::domain::case::{Acceptance, CaseInput, Entitlement, Flag, InputError, TransitionError};
use crate::domain::dedup::{self, DuplicateCheck, DuplicateRefusal, EarlierCase, NewApplication, SupervisorOverride};
use crate::domain::fund::{CorrectionSign, Fund, FundEntry, FundError};
use crate::domain::policy::{DeadlineStatus, EntitlementRequest, Policy, PolicyBook};
use crate::domain::time::Moment;
use crate::domain::{Case, CaseId, Channel, Department, IdNumber, Money, State, Transition};
use crate::store::{refuse, CaseSummary, OpenCase, Store, StoreError, TxResult, WriteError};

/// Why the window refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{0}")]
    Transition(#[from] TransitionError),
    #[error("{0}")]
    Duplicate(#[from] DuplicateRefusal),
    #[error("{0}")]
    Fund(#[from] FundError),
    /// Above what the clerk may approve: a supervisor can.
    #[error("{amount} is above the clerk's limit of {limit}; a supervisor must approve it")]
    AboveClerkLimit { amount: Money, limit: Money },
    /// Above what the policy allows on this case: nobody can approve it.
    #[error("{amount} is above {why}; nobody can approve more than {ceiling} on this case")]
    AboveCeiling { amount: Money, ceiling: Money, why: String },
    /// A supervisor's act by someone the config does not list as one.
    #[error("{0} is not a supervisor at this window ([counter] supervisors lists who is)")]
    NotSupervisor(String),
    /// A policy rule said no (the fund's own path…).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WindowError {
    /// A refusal of what was asked (exit 2), not a failure of the machine (exit 1).
    pub fn is_refusal(&self) -> bool {
        match self {
            WindowError::Store(e) => e.is_refusal(),
            _ => true,
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
    /// To the department given, or the policy's department for the kind.
    Refer(Option<Department>),
    Review(Option<String>),
    /// Approval by the clerk, within the clerk's limit.
    Approve(Option<Money>),
    /// Approval by a supervisor (the operator), for amounts above the clerk's limit.
    ApproveAsSupervisor(Option<Money>),
    Reject(String),
    Disburse,
    Complete,
    Withdraw(Option<String>),
}

/// What the policy makes of an intake before it is saved: shown live to the clerk.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub policy_version: String,
    pub entitlement: Entitlement,
    pub duplicates: DuplicateCheck,
    pub due_by: NaiveDate,
}

/// The built-in policy, parsed once per process.
pub fn builtin_policies() -> &'static PolicyBook {
    static BOOK: OnceLock<PolicyBook> = OnceLock::new();
    BOOK.get_or_init(PolicyBook::builtin)
}

/// The window of a town service centre, over its store and policies.
pub struct Window<'a> {
    pub store: &'a Store,
    pub counter: &'a CounterConfig,
    pub policies: &'a PolicyBook,
}

impl<'a> Window<'a> {
    /// A window judging by the built-in policy.
    pub fn new(store: &'a Store, counter: &'a CounterConfig) -> Window<'a> {
        Window { store, counter, policies: builtin_policies() }
    }

    pub fn with_policies(store: &'a Store, counter: &'a CounterConfig, policies: &'a PolicyBook) -> Window<'a> {
        Window { store, counter, policies }
    }

    /// The policy a case is judged by: the version it recorded, else the one in force on its day.
    pub fn policy_of(&self, case: &Case) -> &Policy {
        case.policy
            .as_deref()
            .and_then(|v| self.policies.by_version(v))
            .unwrap_or_else(|| self.policies.policy_for(case.day()))
    }

    /// Earlier cases of everyone in the household, each found by its number.
    pub fn earlier_cases(&self, id_numbers: &[IdNumber]) -> Result<Vec<EarlierCase>, StoreError> {
        let mut out = Vec::new();
        for number in id_numbers {
            for s in self.store.cases_of_person(number)? {
                out.push(EarlierCase {
                    id: s.id.clone(),
                    id_number: number.clone(),
                    kind: s.kind,
                    reason: s.reason,
                    state: s.state,
                    received: s.day(),
                    granted: s.granted,
                });
            }
        }
        Ok(out)
    }

    /// Judges an intake without saving it: entitlement, possible duplicates, due date.
    pub fn assess(&self, input: &CaseInput, today: NaiveDate) -> Result<Assessment, StoreError> {
        let policy = self.policies.policy_for(today);
        let new = NewApplication::for_input(input, today);
        let earlier = self.earlier_cases(&new.id_numbers)?;
        let duplicates = dedup::check(&policy.duplicates, &new, &earlier);
        let mut request = EntitlementRequest::for_input(input, input.assessment.clone());
        request.receives_dibao = duplicates.receives_dibao();
        request.granted_this_year_to_household = duplicates.granted_this_year_to_household;
        let mut entitlement = policy.entitlement(&request);
        for flag in duplicates.flags() {
            if !entitlement.flags.contains(&flag) {
                entitlement.flags.push(flag);
            }
        }
        Ok(Assessment {
            policy_version: policy.version.clone(),
            entitlement,
            due_by: policy.due_by(input.kind, input.channel, today),
            duplicates,
        })
    }

    /// Accepts a case: validates it, judges it, numbers it and commits it
    /// durably. Only a case returned from here is saved.
    pub fn accept(&self, input: CaseInput, operator: &str, now: Moment) -> Result<Case, WindowError> {
        self.accept_with_override(input, operator, now, None)
    }

    /// As [`Window::accept`], with a supervisor's override of a blocking
    /// duplicate (recorded in the case's history).
    pub fn accept_with_override(
        &self,
        input: CaseInput,
        operator: &str,
        now: Moment,
        override_by: Option<&SupervisorOverride>,
    ) -> Result<Case, WindowError> {
        self.accept_with_card_photo(input, operator, now, override_by, None)
    }

    /// As [`Window::accept_with_override`], keeping the applicant's ID card
    /// photo (raw WLT bytes, when `[devices] keep_photo` is on) with the case.
    pub fn accept_with_card_photo(
        &self,
        input: CaseInput,
        operator: &str,
        now: Moment,
        override_by: Option<&SupervisorOverride>,
        card_photo: Option<&[u8]>,
    ) -> Result<Case, WindowError> {
        let today = now.date_naive();
        input.validate(today)?;
        let judged = self.assess(&input, today)?;
        judged.duplicates.admit(override_by)?;
        let overridden = override_by.filter(|_| judged.duplicates.blocks);
        if let Some(o) = overridden {
            self.supervisor(&o.by)?;
        }
        let (town, window) = (&self.counter.town_code, self.counter.window);
        let case = self.store.add_case_with_photo::<WindowError>(town, window, today, card_photo, |id| {
            let mut case = Case::receive(
                input.clone(),
                Acceptance {
                    id,
                    operator: operator.to_string(),
                    at: now,
                    due_by: Some(judged.due_by),
                    entitlement: Some(judged.entitlement.clone()),
                    policy: Some(judged.policy_version.clone()),
                    related_cases: judged.duplicates.related_cases(),
                },
            );
            if let Some(o) = overridden {
                case.record_override(&o.by, now, &format!("possible duplicate let through: {}", o.reason));
            }
            Ok(case)
        })?;
        Ok(case)
    }

    /// Applies a step to a case in one durable transaction; a refused step
    /// leaves the store exactly as it was.
    pub fn act(&self, id: &CaseId, action: &CaseAction, operator: &str, now: Moment) -> Result<Case, WindowError> {
        if matches!(action, CaseAction::ApproveAsSupervisor(_)) {
            self.supervisor(operator)?;
        }
        let case = self.store.update_case::<WindowError>(id, |case, _| {
            let transition = match self.transition(case, action, now.date_naive()) {
                Ok(t) => t,
                Err(e) => return refuse(e),
            };
            case.apply(&transition, operator, now).or_else(|e| refuse(e.into()))
        })?;
        Ok(case)
    }

    fn transition(&self, case: &Case, action: &CaseAction, today: NaiveDate) -> Result<Transition, WindowError> {
        let policy = self.policy_of(case);
        Ok(match action {
            CaseAction::Refer(department) => {
                let department = department.unwrap_or_else(|| policy.department_for(case.kind));
                Transition::Refer { department, due_by: policy.referral_due(case.kind, department, today) }
            }
            CaseAction::Review(note) => Transition::Review { note: note.clone() },
            CaseAction::Approve(amount) | CaseAction::ApproveAsSupervisor(amount) => {
                let shown = amount.or(case.entitlement.as_ref().map(|e| e.amount)).unwrap_or(case.requested_amount);
                if let Some((ceiling, why)) =
                    policy.approval_ceiling(case.kind, case.applicant.residence, case.entitlement.as_ref())
                {
                    if shown > ceiling {
                        return Err(WindowError::AboveCeiling { amount: shown, ceiling, why });
                    }
                }
                if matches!(action, CaseAction::Approve(_)) && policy.needs_supervisor(shown) {
                    return Err(WindowError::AboveClerkLimit { amount: shown, limit: policy.approval.clerk_limit });
                }
                Transition::Approve { amount: *amount }
            }
            CaseAction::Reject(reason) => Transition::Reject { reason: reason.clone() },
            CaseAction::Disburse => {
                if paid_from_fund(case) {
                    return Err(WindowError::Refused(
                        "this case is paid from the relief reserve fund; pay it with `onedoor fund disburse`".into(),
                    ));
                }
                Transition::Disburse
            }
            CaseAction::Complete => Transition::Complete,
            CaseAction::Withdraw(note) => Transition::Withdraw { note: note.clone() },
        })
    }

    /// How a case stands against its deadlines today (closed cases are on
    /// track): its due date, and on the green channel, until it is paid, the
    /// day help must have been given. The worse of the two.
    pub fn deadline(&self, summary: &CaseSummary, today: NaiveDate) -> DeadlineStatus {
        if !still_due(summary.channel, summary.state) {
            return DeadlineStatus::OnTrack;
        }
        let policy = self.policies.policy_for(summary.day());
        let due = summary.due_by.map_or(DeadlineStatus::OnTrack, |due| policy.deadline_status(due, today));
        match help_by(policy, summary.channel, summary.state, summary.day()) {
            Some(help) => due.max(policy.deadline_status(help, today)),
            None => due,
        }
    }

    /// The next date a case must meet: on the green channel, until it is
    /// paid, the day help is due; otherwise its due date.
    pub fn next_due(&self, summary: &CaseSummary) -> Option<NaiveDate> {
        let policy = self.policies.policy_for(summary.day());
        help_by(policy, summary.channel, summary.state, summary.day()).or(summary.due_by)
    }

    /// Every deadline of one case as it stands today, for the case detail.
    pub fn deadlines(&self, case: &Case, today: NaiveDate) -> CaseDeadlines {
        self.deadlines_of(&OpenCase::of(case), today)
    }

    /// As [`Window::deadlines`], from the facts the store keeps of an open
    /// case (no case record read).
    pub fn deadlines_of(&self, case: &OpenCase, today: NaiveDate) -> CaseDeadlines {
        let policy = case
            .policy
            .as_deref()
            .and_then(|v| self.policies.by_version(v))
            .unwrap_or_else(|| self.policies.policy_for(case.received));
        let open = still_due(case.channel, case.state) && !case.post_reviewed;
        let status = |due: NaiveDate| policy.deadline_status(due, today);
        CaseDeadlines {
            due: case.due_by.filter(|_| open).map(|d| (d, status(d))),
            help: help_by(policy, case.channel, case.state, case.received).map(|d| (d, status(d))),
            referrals: case.referrals.iter().map(|(due, handled)| (!handled && open).then(|| status(*due))).collect(),
        }
    }

    /// Open cases past their due date, with a referral past its due date, or
    /// on the green channel and still not helped a day after: found from the
    /// open cases' facts, then read whole.
    pub fn overdue(&self, today: NaiveDate) -> Result<Vec<Case>, StoreError> {
        let mut out = Vec::new();
        for open in self.store.open_cases()? {
            if self.deadlines_of(&open, today).any_breached() {
                out.extend(self.store.case(&open.id)?);
            }
        }
        Ok(out)
    }

    /// Puts money into the relief fund: the year's budget appropriation or a named donation.
    pub fn fund_deposit(&self, entry: FundEntry) -> Result<Fund, WindowError> {
        Ok(self.store.write::<Fund, WindowError>(|tx| tx.fund_apply(&entry))?)
    }

    /// A supervisor's correction of the fund, with the reason.
    pub fn fund_correct(
        &self,
        sign: CorrectionSign,
        amount: Money,
        reason: &str,
        supervisor: &str,
        now: Moment,
    ) -> Result<Fund, WindowError> {
        self.supervisor(supervisor)?;
        self.fund_deposit(FundEntry::correction(now, supervisor, sign, reason, amount))
    }

    /// Is `who` allowed to act as a supervisor here?
    pub fn supervisor(&self, who: &str) -> Result<(), WindowError> {
        let listed = &self.counter.supervisors;
        if listed.is_empty() || listed.iter().any(|s| s == who.trim()) {
            Ok(())
        } else {
            Err(WindowError::NotSupervisor(who.to_string()))
        }
    }

    /// Pays an approved case from the relief fund: the ledger entry and the
    /// case's `disbursed` transition in ONE transaction. Over the balance: refused,
    /// nothing changes.
    pub fn fund_disburse(
        &self,
        id: &CaseId,
        amount: Option<Money>,
        operator: &str,
        now: Moment,
    ) -> Result<(Case, Fund), WindowError> {
        let result = self.store.write::<(Case, Fund), WindowError>(|tx| {
            let Some(old) = tx.case(id)? else {
                return refuse(WindowError::Store(StoreError::NotFound(id.clone())));
            };
            let mut case = old.clone();
            if case.channel != Channel::Green && !paid_from_fund(&case) {
                return refuse(WindowError::Refused(
                    "the relief reserve fund pays only emergency (green-channel) cases; use `case disburse`".into(),
                ));
            }
            if let (State::Approved, Some(a), Some(granted)) = (case.state, amount, case.granted_amount) {
                if a > granted {
                    return refuse(WindowError::Refused(format!(
                        "{a} is more than the approved {granted}; approve the case again for more"
                    )));
                }
                // Paying less than approved: what is paid is what was granted.
                case.granted_amount = Some(a);
            }
            let paid = case.granted_amount.unwrap_or(Money::ZERO);
            if let Err(e) = case.apply(&Transition::Disburse, operator, now) {
                return refuse(e.into());
            }
            let fund = tx.fund_apply::<WindowError>(&FundEntry::disbursement(now, operator, id.clone(), paid))?;
            tx.put_case(Some(&old), &case)?;
            Ok((case, fund))
        })?;
        Ok(result)
    }
}

/// A case whose entitlement is the reserve-fund grant is paid from the fund.
pub fn paid_from_fund(case: &Case) -> bool {
    case.entitlement.as_ref().is_some_and(|e| e.flags.contains(&Flag::ReserveFund))
}

/// For `TxResult` closures that only refuse with a window error.
pub type WindowTx<T> = TxResult<T, WindowError>;

/// The deadlines of one case today: the case's due date, the green channel's
/// help-by date while it is unpaid, and each referral's (`None` once answered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDeadlines {
    pub due: Option<(NaiveDate, DeadlineStatus)>,
    pub help: Option<(NaiveDate, DeadlineStatus)>,
    pub referrals: Vec<Option<DeadlineStatus>>,
}

impl CaseDeadlines {
    /// Is any of them past?
    pub fn any_breached(&self) -> bool {
        let late = |s: Option<DeadlineStatus>| s == Some(DeadlineStatus::Breached);
        late(self.due.map(|d| d.1)) || late(self.help.map(|d| d.1)) || self.referrals.iter().any(|r| late(*r))
    }
}

/// Is the case's due date still to be met? Until it is decided and paid; on
/// the green channel, also while paid and waiting for its after-the-fact review.
pub fn still_due(channel: Channel, state: State) -> bool {
    state.is_open() || (channel == Channel::Green && state == State::Disbursed)
}

/// Green channel: help is due within the policy's working days until the case is paid.
fn help_by(policy: &Policy, channel: Channel, state: State, received: NaiveDate) -> Option<NaiveDate> {
    let unpaid = matches!(state, State::Received | State::Approved);
    (channel == Channel::Green && unpaid).then(|| policy.green_help_by(received))
}

//! What the window does, for the CLI and the counter alike: accept a case
//! (validate, look for earlier help to the household, judge it by the policy in
//! force, number it, commit it durably), say which steps a case allows now,
//! move a case along, pay it from the right money, list what is late, and keep
//! the relief fund. Every rule comes from `domain`; every write is one store
//! transaction. Refusals are typed ([`WindowError`]); the UI and the CLI say
//! them in the clerk's language.

use std::ops::ControlFlow;
use std::sync::OnceLock;

mod operators;
mod privacy;
#[cfg(test)]
mod role_matrix;

use chrono::NaiveDate;

use crate::config::CounterConfig;
use crate::domain::case::Lateness;
use crate::domain::case::{Acceptance, CaseInput, Entitlement, Flag, InputError, Step, TransitionError};
use crate::domain::dedup::{self, DuplicateCheck, DuplicateRefusal, EarlierCase, NewApplication, SupervisorOverride};
use crate::domain::fund::{CorrectionSign, Fund, FundEntry, FundError};
use crate::domain::policy::{Ceiling, DeadlineStatus, EntitlementRequest, Policy, PolicyBook};
use crate::domain::report::Backlog;
use crate::domain::time::Moment;
use crate::domain::{
    Case, CaseId, Channel, Department, IdNumber, Kind, Money, Payment, Reason, State, TransferRef, Transition,
};
use crate::store::{refuse, sequence_key, CaseSummary, OpenCase, Store, StoreError, TxResult, WriteError};

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
    #[error("{amount} is above {ceiling}; nobody can approve more than {} on this case", .ceiling.amount())]
    AboveCeiling { amount: Money, ceiling: Ceiling },
    /// Approving nothing: a zero grant is a rejection, which records its reason.
    #[error("approving 0.00 grants nothing; reject the case with its reason instead")]
    ZeroGrant,
    /// Approving more than the applicant asked for.
    #[error("{amount} is more than the {requested} requested")]
    AboveRequested { amount: Money, requested: Money },
    /// A supervisor's act by someone the config does not list as one.
    #[error("{0} is not a supervisor at this window ([counter] supervisors lists who is)")]
    NotSupervisor(String),
    /// The case is paid from the relief reserve fund, not the regular budget.
    #[error("this case is paid from the relief reserve fund; pay it with `onedoor fund disburse`")]
    PaidFromFund,
    /// The relief reserve fund pays only emergency cases.
    #[error("the relief reserve fund pays only emergency (green-channel) cases; use `case disburse`")]
    FundPaysOnlyGreen,
    /// A transfer reference on a payment from the relief fund (its trace is the ledger entry).
    #[error("a payment from the relief reserve fund is traced by its ledger entry; a transfer reference is for the regular budget")]
    TransferRefOnFund,
    /// Paying more than was approved.
    #[error("{amount} is more than the approved {granted}; approve the case again for more")]
    MoreThanApproved { amount: Money, granted: Money },
    /// An import names a case twice.
    #[error("case {0} appears twice in the file")]
    TwiceInImport(CaseId),
    /// Two intakes of one import look like the same help to one person.
    #[error("possible duplicate of record {first} ({kind} {reason} for {}); import them separately with a supervisor's override", .id_number.masked())]
    DuplicateInImport { first: usize, kind: Kind, reason: Reason, id_number: IdNumber },
    /// An exported case whose applicant's birth date is after today.
    #[error("field 'applicant.id_number': the birth date is in the future")]
    BornInTheFuture,
    /// An exported case no counter could have made.
    #[error("{0}")]
    Impossible(#[from] crate::domain::case::ImpossibleCase),
    /// An exported case granted more than its policy lets anyone approve.
    #[error("field 'granted_amount': {amount} is above {ceiling}")]
    GrantedAboveCeiling { amount: Money, ceiling: Ceiling },
    /// An exported case paid from the relief fund that this store's fund never paid.
    #[error("field 'state': case {0} was paid from the relief reserve fund, and this store's fund ledger has no payment for it")]
    PaidWithoutFundEntry(CaseId),
    /// Four eyes: the after-the-fact review of a green-channel case is not by who paid it.
    #[error("{payer} paid this case; its after-the-fact review must be recorded by someone else")]
    ReviewByPayer { payer: String },
    /// Four eyes, once there are operators: a supervisor's step by an operator who is none.
    #[error("{who} is not a supervisor: {} needs a supervisor who did not accept the case", .step.code())]
    NeedsSupervisor { step: SupervisorStep, who: String },
    /// Four eyes: a supervisor's step on a case that supervisor accepted.
    #[error("{supervisor} accepted this case: {} needs another supervisor", .step.code())]
    OwnCase { step: SupervisorStep, supervisor: String },
    #[error("no operator {0} at this window")]
    UnknownOperator(String),
    #[error("operator {0} is disabled; a supervisor can add them again under another name")]
    OperatorDisabled(String),
    #[error("wrong PIN ({left} tries left before a lockout)")]
    WrongPin { left: u32 },
    #[error("too many wrong PINs: locked out until {until}; a supervisor can reset the PIN")]
    LockedOut { until: Moment },
    #[error("the first operator must be a supervisor (--role supervisor)")]
    FirstMustBeSupervisor,
    #[error("only a supervisor can do this; sign in as a supervisor with --operator")]
    NeedsSupervisorOperator,
    #[error("an operator cannot disable themself; another supervisor can")]
    DisableSelf,
    #[error("there is already an operator {0}")]
    OperatorExists(String),
    #[error("only {0} can change their PIN, or a supervisor reset a clerk's")]
    PinOfAnother(String),
    #[error("{0}")]
    OperatorName(#[from] crate::domain::operator::BadOperatorName),
    #[error("{0}")]
    Pin(#[from] crate::domain::operator::BadPin),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WindowError {
    /// A refusal of what was asked (exit 2), not a failure of the machine (exit 1).
    pub fn is_refusal(&self) -> bool {
        match self {
            WindowError::Store(e) => e.is_refusal(),
            WindowError::Auth(crate::auth::AuthError::Hash(_)) => false,
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

/// What only a supervisor does (four eyes): the code names it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisorStep {
    /// Approving above the policy's clerk limit.
    ApproveAboveLimit,
    /// Paying a case from the relief reserve fund.
    PayFromFund,
    /// Letting a blocking possible duplicate through.
    OverrideDuplicate,
    /// Correcting the relief fund.
    FundCorrection,
    /// Putting money into the relief fund.
    FundDeposit,
}

impl SupervisorStep {
    pub fn code(self) -> &'static str {
        match self {
            SupervisorStep::ApproveAboveLimit => "approve_above_limit",
            SupervisorStep::PayFromFund => "pay_from_fund",
            SupervisorStep::OverrideDuplicate => "override_duplicate",
            SupervisorStep::FundCorrection => "fund_correction",
            SupervisorStep::FundDeposit => "fund_deposit",
        }
    }
}

/// A supervisor who gave their name and PIN for one step at another
/// operator's counter (the four-eyes step as it happens at a real window).
/// Only [`Window::countersign`] makes one, after checking the PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countersign {
    name: String,
}

impl Countersign {
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Who takes a step: the operator at the window, and the supervisor who
/// countersigned it, if one did.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub operator: &'a str,
    pub countersign: Option<&'a Countersign>,
}

impl<'a> Actor<'a> {
    /// The operator alone, with no countersign.
    pub fn alone(operator: &'a str) -> Actor<'a> {
        Actor { operator, countersign: None }
    }

    /// Who answers for a supervisor's step: the countersigner, else the operator.
    pub fn supervisor(&self) -> &'a str {
        self.countersign.map_or(self.operator, |c| c.name.as_str()).trim()
    }

    /// The countersigner to record in the history: a second person only.
    fn second(&self) -> Option<&'a str> {
        self.countersign.map(|c| c.name.as_str()).filter(|c| *c != self.operator.trim())
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
    /// Paid from the money the case is paid from ([`Window::money_source`]).
    Disburse,
    Complete,
    Withdraw(Option<String>),
}

impl CaseAction {
    /// The step of the case's state machine this action takes.
    pub fn step(&self) -> Step {
        match self {
            CaseAction::Refer(_) => Step::Refer,
            CaseAction::Review(_) => Step::Review,
            CaseAction::Approve(_) | CaseAction::ApproveAsSupervisor(_) => Step::Approve,
            CaseAction::Reject(_) => Step::Reject,
            CaseAction::Disburse => Step::Disburse,
            CaseAction::Complete => Step::Complete,
            CaseAction::Withdraw(_) => Step::Withdraw,
        }
    }
}

pub use crate::domain::MoneySource;

/// A payment made: the case now disbursed, and the fund after it when the fund paid.
#[derive(Debug, Clone)]
pub struct Paid {
    pub case: Case,
    pub source: MoneySource,
    pub fund: Option<Fund>,
}

/// Everything the counter or a script hands in to accept one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub input: CaseInput,
    /// A supervisor letting a blocking possible duplicate through, with the reason.
    pub override_by: Option<SupervisorOverride>,
    /// The applicant's ID card photo (raw WLT bytes), kept only when `[devices] keep_photo` is on.
    pub card_photo: Option<Vec<u8>>,
    /// The counter's draft this intake was typed in, recorded with the case
    /// so a restarted counter never offers it again ([`Store::saved_draft`]).
    pub draft: Option<String>,
    /// The supervisor who countersigned the override (once there are
    /// operators, an override needs one: the accepting operator cannot).
    pub countersign: Option<Countersign>,
}

impl From<CaseInput> for Intake {
    fn from(input: CaseInput) -> Intake {
        Intake { input, override_by: None, card_photo: None, draft: None, countersign: None }
    }
}

/// What the policy makes of an intake before it is saved: shown live to the clerk.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub policy_version: String,
    pub entitlement: Entitlement,
    pub duplicates: DuplicateCheck,
    pub due_by: NaiveDate,
}

/// One record of an import: an intake (numbered as `case add` numbers it) or
/// an exported case (its id kept).
#[derive(Debug, Clone)]
pub enum ImportRecord {
    Intake(Box<Intake>),
    Exported(Box<Case>),
}

/// An import refused: which record (0-based; `None` when the commit itself
/// failed) and why. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ImportRefusal {
    pub index: Option<usize>,
    pub error: WindowError,
}

/// A deadline a case has missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Late {
    /// The date the case was promised by.
    Due(NaiveDate),
    /// Green channel: the day help had to be given.
    HelpBy(NaiveDate),
    /// A department has not answered a referral by its date.
    Referral(Department, NaiveDate),
}

/// An open case with a deadline missed, and which: what the overdue list
/// shows of it (not the whole case: a store of a million cases may list
/// hundreds of thousands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCase {
    pub id: CaseId,
    pub name: String,
    pub id_number: IdNumber,
    pub kind: Kind,
    pub state: State,
    /// Every deadline it missed.
    pub late: Vec<Late>,
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
        policy_in(self.policies, case)
    }

    /// Earlier cases of everyone in the household, each found by its number
    /// (a case found by two numbers is listed twice).
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

    /// Every earlier case of the household once, newest first, each with the
    /// first of `id_numbers` (the applicant's first) that found it.
    pub fn household_history(&self, id_numbers: &[IdNumber]) -> Result<Vec<EarlierCase>, StoreError> {
        let mut found: Vec<EarlierCase> = Vec::new();
        for e in self.earlier_cases(id_numbers)? {
            if !found.iter().any(|f| f.id == e.id) {
                found.push(e);
            }
        }
        found.sort_by(|a, b| b.received.cmp(&a.received).then_with(|| b.id.cmp(&a.id)));
        Ok(found)
    }

    /// Judges an intake without saving it: entitlement, possible duplicates, due date.
    pub fn assess(&self, input: &CaseInput, today: NaiveDate) -> Result<Assessment, StoreError> {
        let new = NewApplication::for_input(input, today);
        let earlier = self.earlier_cases(&new.id_numbers)?;
        Ok(self.assess_against(input, today, &earlier))
    }

    fn assess_against(&self, input: &CaseInput, today: NaiveDate, earlier: &[EarlierCase]) -> Assessment {
        let policy = self.policies.policy_for(today);
        let new = NewApplication::for_input(input, today);
        let duplicates = dedup::check(&policy.duplicates, &new, earlier);
        let mut request = EntitlementRequest::for_input(input, input.assessment.clone());
        request.receives_dibao = duplicates.receives_dibao();
        request.granted_this_year_to_household = duplicates.granted_this_year_to_household;
        let mut entitlement = policy.entitlement(&request);
        for flag in duplicates.flags() {
            if !entitlement.flags.contains(&flag) {
                entitlement.flags.push(flag);
            }
        }
        Assessment {
            policy_version: policy.version.clone(),
            entitlement,
            due_by: policy.due_by(input.kind, input.channel, today),
            duplicates,
        }
    }

    /// Every check an intake passes before it is numbered: the input, the
    /// household's earlier help (a blocking duplicate needs a supervisor's
    /// override, by a supervisor who is not the operator accepting it), the
    /// policy's judgement. The override as it will be recorded.
    fn judge(
        &self,
        intake: &Intake,
        operator: &str,
        today: NaiveDate,
        earlier: &[EarlierCase],
    ) -> Result<(Assessment, Option<SupervisorOverride>), WindowError> {
        intake.input.validate(today)?;
        let judged = self.assess_against(&intake.input, today, earlier);
        judged.duplicates.admit(intake.override_by.as_ref())?;
        let Some(o) = intake.override_by.as_ref().filter(|_| judged.duplicates.blocks) else {
            return Ok((judged, None));
        };
        // Without operators, the name given (today's rule); with them, the
        // supervisor who countersigned, else the operator (who accepts it: refused).
        let actor = match (&intake.countersign, self.store.has_operators()) {
            (None, false) => Actor::alone(&o.by),
            (countersign, _) => Actor { operator, countersign: countersign.as_ref() },
        };
        let by = self.four_eyes(SupervisorStep::OverrideDuplicate, Some(operator), &actor)?;
        Ok((judged, Some(SupervisorOverride { by, reason: o.reason.clone() })))
    }

    /// The case an intake becomes, numbered `id`, with the judgement recorded.
    fn receive(
        intake: &Intake,
        (judged, override_by): &(Assessment, Option<SupervisorOverride>),
        id: CaseId,
        operator: &str,
        now: Moment,
    ) -> Case {
        let mut case = Case::receive(
            intake.input.clone(),
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
        if let Some(o) = override_by {
            case.record_override(&o.by, now, &o.reason);
        }
        case
    }

    /// Accepts a case: validates it, judges it, numbers it and commits it
    /// durably (with the card photo when one is kept). Only a case returned
    /// from here is saved.
    pub fn accept(&self, intake: impl Into<Intake>, operator: &str, now: Moment) -> Result<Case, WindowError> {
        let intake = intake.into();
        let today = now.date_naive();
        let earlier = self.earlier_cases(&NewApplication::for_input(&intake.input, today).id_numbers)?;
        let judged = self.judge(&intake, operator, today, &earlier)?;
        let (town, window) = (&self.counter.town_code, self.counter.window);
        let photo = intake.card_photo.as_deref();
        let draft = intake.draft.as_deref();
        let case = self.store.add_case_with_photo::<WindowError>(town, window, today, photo, draft, |id| {
            Ok(Window::receive(&intake, &judged, id, operator, now))
        })?;
        Ok(case)
    }

    /// Imports records all or nothing, in one durable commit: each intake
    /// passes exactly the checks of [`Window::accept`] (the intakes before it
    /// in the same import count as earlier help), an exported case keeps its
    /// id (one already in the store, or twice in the import, is refused).
    pub fn import(&self, records: &[ImportRecord], operator: &str, now: Moment) -> Result<Vec<CaseId>, ImportRefusal> {
        let today = now.date_naive();
        let at = |index: usize| move |error: WindowError| ImportRefusal { index: Some(index), error };
        // What each record is by itself.
        let mut kept: std::collections::HashSet<&CaseId> = std::collections::HashSet::new();
        for (index, record) in records.iter().enumerate() {
            match record {
                ImportRecord::Exported(c) => {
                    if c.applicant.id_number.birth_date() > today {
                        return Err(at(index)(WindowError::BornInTheFuture));
                    }
                    self.possible(c, today).map_err(at(index))?;
                    if !kept.insert(&c.id) {
                        return Err(at(index)(WindowError::TwiceInImport(c.id.clone())));
                    }
                }
                ImportRecord::Intake(intake) => intake.input.validate(today).map_err(|e| at(index)(e.into()))?,
            }
        }
        // Kept ids clash with nothing in the store.
        for (index, record) in records.iter().enumerate() {
            if let ImportRecord::Exported(c) = record {
                if self.store.case(&c.id).map_err(|e| at(index)(e.into()))?.is_some() {
                    return Err(at(index)(StoreError::AlreadyExists(c.id.clone()).into()));
                }
            }
        }
        // Each intake against the ones before it in the import, then as `accept` judges it.
        let policy = self.policies.policy_for(today);
        // Kind, reason and number of each intake before: the first that had them.
        let mut before: std::collections::HashMap<(Kind, Reason, IdNumber), usize> = std::collections::HashMap::new();
        let mut judged = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let ImportRecord::Intake(intake) = record else { continue };
            let input = &intake.input;
            let numbers = NewApplication::for_input(input, today).id_numbers;
            if policy.duplicate_blocks(input.kind) && intake.override_by.is_none() {
                for n in &numbers {
                    if let Some(first) = before.get(&(input.kind, input.reason, n.clone())) {
                        let (kind, reason, id_number) = (input.kind, input.reason, n.clone());
                        return Err(at(index)(WindowError::DuplicateInImport {
                            first: *first,
                            kind,
                            reason,
                            id_number,
                        }));
                    }
                }
            }
            let earlier = self.earlier_cases(&numbers).map_err(|e| at(index)(e.into()))?;
            judged.push(self.judge(intake, operator, today, &earlier).map_err(at(index))?);
            for n in numbers {
                before.entry((input.kind, input.reason, n)).or_insert(index);
            }
        }
        let (town, window) = (&self.counter.town_code, self.counter.window);
        let written = self.store.import::<WindowError>(|tx, put| {
            // Exported cases keep their ids: account for them before numbering the intakes.
            for record in records {
                if let ImportRecord::Exported(c) = record {
                    tx.raise_number(&sequence_key(c.id.town_code(), c.id.window(), c.id.day()), c.id.seq())?;
                }
            }
            // Each case goes into the transaction as it is made, and is not kept.
            let mut judgements = judged.iter();
            for record in records {
                match record {
                    ImportRecord::Exported(c) => {
                        let mut c = (**c).clone();
                        c.record_import(operator, now);
                        put(&c)?;
                    }
                    ImportRecord::Intake(intake) => {
                        let Some(j) = judgements.next() else {
                            return refuse(WindowError::Store(StoreError::Failed("an import lost a record".into())));
                        };
                        let id = tx.next_case_id(town, window, today)?;
                        put(&Window::receive(intake, j, id, operator, now))?;
                    }
                }
            }
            Ok(())
        });
        written.map_err(|e| ImportRefusal { index: None, error: e.into() })
    }

    /// The department a case is referred to when the clerk does not choose:
    /// the one its policy names for the kind.
    pub fn department_for(&self, case: &Case) -> Department {
        self.policy_of(case).department_for(case.kind)
    }

    /// Where the money of a case comes from: the relief reserve fund for a
    /// reserve-fund grant, else the regular budget.
    pub fn money_source(&self, case: &Case) -> MoneySource {
        if paid_from_fund(case) {
            MoneySource::ReliefFund
        } else {
            MoneySource::Budget
        }
    }

    /// May `step` be taken on the case now (by its state)? Asked before the
    /// counter offers the step; [`Window::act`] checks again when it is taken.
    pub fn allows(&self, case: &Case, step: Step) -> Result<(), WindowError> {
        Ok(case.allows(step)?)
    }

    /// Applies a step to a case in one durable transaction; a refused step
    /// leaves the store exactly as it was. `Disburse` pays from the regular
    /// budget (see [`Window::pay`] for a case's own money).
    pub fn act(&self, id: &CaseId, action: &CaseAction, operator: &str, now: Moment) -> Result<Case, WindowError> {
        self.act_as(id, action, &Actor::alone(operator), now)
    }

    /// As [`Window::act`], by an operator with a supervisor's countersign:
    /// an approval countersigned is the supervisor's (above the clerk's
    /// limit too), and the history names both, the countersign right after the step.
    pub fn act_as(&self, id: &CaseId, action: &CaseAction, actor: &Actor, now: Moment) -> Result<Case, WindowError> {
        if *action == CaseAction::Disburse {
            return Ok(self.pay_as(id, Some(MoneySource::Budget), None, None, actor, now)?.case);
        }
        let case = self.store.update_case::<WindowError>(id, |case, _| {
            let (transition, second) = match self.rule(case, action, actor, now.date_naive()) {
                Ok(t) => t,
                Err(e) => return refuse(e),
            };
            if let Err(e) = case.apply(&transition, actor.operator, now) {
                return refuse(e.into());
            }
            if let Some(second) = second {
                case.record_countersign(second, now);
            }
            Ok(())
        })?;
        Ok(case)
    }

    /// Would [`Window::act`] take `action` on the case now, by `operator`?
    /// Asked before the counter shows the "cannot be undone" confirmation,
    /// so a refusal (not a supervisor, the supervisor's own case, above the
    /// ceiling or the clerk's limit, nothing or more than requested, paid by
    /// the reviewer) comes first. Writes nothing.
    pub fn check(&self, case: &Case, action: &CaseAction, operator: &str, today: NaiveDate) -> Result<(), WindowError> {
        self.check_as(case, action, &Actor::alone(operator), today)
    }

    /// As [`Window::check`], with a supervisor's countersign.
    pub fn check_as(
        &self,
        case: &Case,
        action: &CaseAction,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<(), WindowError> {
        if *action == CaseAction::Disburse {
            // As the counter pays: from the case's own money.
            return self.pay_rule(case, self.money_source(case), actor).map(|_| ());
        }
        self.rule(case, action, actor, today).map(|_| ())
    }

    /// Every rule on who may take `action` and whether the case allows it:
    /// the transition, and the countersigner to record after it.
    fn rule<'c>(
        &self,
        case: &Case,
        action: &CaseAction,
        actor: &Actor<'c>,
        today: NaiveDate,
    ) -> Result<(Transition, Option<&'c str>), WindowError> {
        let operator = actor.operator.trim();
        if let Some(payer) = paid_by_if_reviewing_afterwards(case, action).into_iter().find(|p| *p == operator) {
            return Err(WindowError::ReviewByPayer { payer: payer.to_string() });
        }
        // A supervisor's approval: by a supervisor operator, or countersigned by one.
        let supervised = match action {
            CaseAction::ApproveAsSupervisor(_) => true,
            CaseAction::Approve(_) => actor.countersign.is_some(),
            _ => false,
        };
        if supervised {
            self.four_eyes(SupervisorStep::ApproveAboveLimit, Some(&case.operator), actor)?;
        }
        let transition = self.transition(case, action, today, supervised)?;
        Ok((transition, actor.second().filter(|_| supervised)))
    }

    /// An exported case, as a case made here would be: whole (see
    /// [`Case::check_whole`]), granted no more than its policy allows, and,
    /// paid from the relief fund, paid by this store's fund.
    fn possible(&self, case: &Case, today: NaiveDate) -> Result<(), WindowError> {
        case.check_whole(today)?;
        if let Some(granted) = case.granted_amount {
            let policy = self.policy_of(case);
            if let Some(ceiling) =
                policy.approval_ceiling(case.kind, case.applicant.residence, case.entitlement.as_ref())
            {
                if granted > ceiling.amount() {
                    return Err(WindowError::GrantedAboveCeiling { amount: granted, ceiling });
                }
            }
        }
        let paid = case.history.iter().any(|h| h.action == crate::domain::case::HistoryAction::Disbursed);
        if paid && paid_from_fund(case) {
            let in_ledger = self.store.ledger()?.iter().any(
                |e| matches!(&e.kind, crate::domain::fund::FundEntryKind::Disbursement { case: id } if *id == case.id),
            );
            if !in_ledger {
                return Err(WindowError::PaidWithoutFundEntry(case.id.clone()));
            }
        }
        Ok(())
    }

    fn transition(
        &self,
        case: &Case,
        action: &CaseAction,
        today: NaiveDate,
        supervised: bool,
    ) -> Result<Transition, WindowError> {
        let policy = self.policy_of(case);
        case.allows(action.step())?;
        Ok(match action {
            CaseAction::Refer(department) => {
                let department = department.unwrap_or_else(|| policy.department_for(case.kind));
                Transition::Refer { department, due_by: policy.referral_due(case.kind, department, today) }
            }
            CaseAction::Review(note) => Transition::Review { note: note.clone() },
            CaseAction::Approve(amount) | CaseAction::ApproveAsSupervisor(amount) => {
                let shown = amount.or(case.entitlement.as_ref().map(|e| e.amount)).unwrap_or(case.requested_amount);
                if shown == Money::ZERO {
                    return Err(WindowError::ZeroGrant);
                }
                if let Some(ceiling) =
                    policy.approval_ceiling(case.kind, case.applicant.residence, case.entitlement.as_ref())
                {
                    if shown > ceiling.amount() {
                        return Err(WindowError::AboveCeiling { amount: shown, ceiling });
                    }
                }
                if shown > case.requested_amount {
                    return Err(WindowError::AboveRequested { amount: shown, requested: case.requested_amount });
                }
                if !supervised && policy.needs_supervisor(shown) {
                    return Err(WindowError::AboveClerkLimit { amount: shown, limit: policy.approval.clerk_limit });
                }
                Transition::Approve { amount: *amount }
            }
            CaseAction::Reject(reason) => Transition::Reject { reason: reason.clone() },
            CaseAction::Disburse => Transition::Disburse,
            CaseAction::Complete => Transition::Complete,
            CaseAction::Withdraw(note) => Transition::Withdraw { note: note.clone() },
        })
    }

    /// Pays an approved case, from `source` or (`None`) the money the case is
    /// paid from. From the relief fund, the ledger entry and the case's
    /// `disbursed` step are ONE transaction, and over the balance nothing
    /// changes; `amount` pays less than was approved (never more).
    pub fn pay(
        &self,
        id: &CaseId,
        source: Option<MoneySource>,
        amount: Option<Money>,
        operator: &str,
        now: Moment,
    ) -> Result<Paid, WindowError> {
        self.pay_traced(id, source, amount, None, operator, now)
    }

    /// As [`Window::pay`], with the district finance's transfer reference of
    /// a payment through the regular budget. The case keeps its [`Payment`]:
    /// the source, the amount, and the ledger entry or the reference.
    pub fn pay_traced(
        &self,
        id: &CaseId,
        source: Option<MoneySource>,
        amount: Option<Money>,
        transfer_ref: Option<TransferRef>,
        operator: &str,
        now: Moment,
    ) -> Result<Paid, WindowError> {
        self.pay_as(id, source, amount, transfer_ref, &Actor::alone(operator), now)
    }

    /// Who answers for paying `case` from `source`, or why it is refused:
    /// the wrong money for the case, or, once there are operators, a payment
    /// from the relief reserve fund without a supervisor who did not accept
    /// the case (the operator, or the supervisor who countersigned).
    fn pay_rule(&self, case: &Case, source: MoneySource, actor: &Actor) -> Result<String, WindowError> {
        match (source, self.money_source(case)) {
            (MoneySource::Budget, MoneySource::ReliefFund) => return Err(WindowError::PaidFromFund),
            (MoneySource::ReliefFund, MoneySource::Budget) if case.channel != Channel::Green => {
                return Err(WindowError::FundPaysOnlyGreen)
            }
            _ => {}
        }
        case.allows(Step::Disburse)?;
        if source == MoneySource::ReliefFund && self.store.has_operators() {
            return self.four_eyes(SupervisorStep::PayFromFund, Some(&case.operator), actor);
        }
        Ok(actor.operator.to_string())
    }

    /// As [`Window::pay_traced`], by an operator with a supervisor's
    /// countersign (a payment from the relief fund needs one at a clerk's
    /// counter): the ledger entry names the supervisor, the case's history both.
    pub fn pay_as(
        &self,
        id: &CaseId,
        source: Option<MoneySource>,
        amount: Option<Money>,
        transfer_ref: Option<TransferRef>,
        actor: &Actor,
        now: Moment,
    ) -> Result<Paid, WindowError> {
        let operator = actor.operator;
        let paid = self.store.write::<Paid, WindowError>(|tx| {
            let Some(old) = tx.case(id)? else {
                return refuse(WindowError::Store(StoreError::NotFound(id.clone())));
            };
            let source = source.unwrap_or(self.money_source(&old));
            let answering = match self.pay_rule(&old, source, actor) {
                Ok(who) => who,
                Err(e) => return refuse(e),
            };
            let mut case = old.clone();
            if let (State::Approved, Some(a), Some(granted)) = (case.state, amount, case.granted_amount) {
                if a > granted {
                    return refuse(WindowError::MoreThanApproved { amount: a, granted });
                }
                // Paying less than approved: what is paid is what was granted.
                case.granted_amount = Some(a);
            }
            if let Err(e) = case.apply(&Transition::Disburse, operator, now) {
                return refuse(e.into());
            }
            if source == MoneySource::ReliefFund && transfer_ref.is_some() {
                return refuse(WindowError::TransferRefOnFund);
            }
            let paid = case.granted_amount.unwrap_or(Money::ZERO);
            let (fund, ledger_entry) = match source {
                MoneySource::ReliefFund => {
                    let entry = FundEntry::disbursement(now, &answering, id.clone(), paid);
                    let (fund, number) = tx.fund_append::<WindowError>(&entry)?;
                    (Some(fund), Some(number))
                }
                MoneySource::Budget => (None, None),
            };
            case.payment =
                Some(Payment { source, amount: paid, paid_at: now, ledger_entry, transfer_ref: transfer_ref.clone() });
            if let Some(second) = actor.second().filter(|_| source == MoneySource::ReliefFund) {
                case.record_countersign(second, now);
            }
            tx.put_case(Some(&old), &case)?;
            Ok(Paid { case, source, fund })
        })?;
        Ok(paid)
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

    /// Is `day`, a date of the case `summary` sums up, past its policy's
    /// complete calendar (so only an estimate)?
    pub fn is_estimate(&self, summary: &CaseSummary, day: NaiveDate) -> bool {
        self.policies.policy_for(summary.day()).calendar.is_estimate(day)
    }

    /// Every deadline of one case as it stands today, for the case detail.
    pub fn deadlines(&self, case: &Case, today: NaiveDate) -> CaseDeadlines {
        self.deadlines_of(&OpenCase::of(case), today)
    }

    /// As [`Window::deadlines`], from the facts the store keeps of an open
    /// case (no case record read).
    pub fn deadlines_of(&self, case: &OpenCase, today: NaiveDate) -> CaseDeadlines {
        let policy = self.policy_judging(case.policy.as_deref(), case.received);
        let open = still_due(case.channel, case.state) && !case.post_reviewed;
        let status = |due: NaiveDate| policy.deadline_status(due, today);
        CaseDeadlines {
            due: case.due_by.filter(|_| open).map(|d| (d, status(d))),
            help: help_by(policy, case.channel, case.state, case.received).map(|d| (d, status(d))),
            referrals: case.referrals.iter().map(|(due, handled)| (!handled && open).then(|| status(*due))).collect(),
            complete_until: policy.calendar.complete_until(),
        }
    }

    /// The policy a case received on `received` is judged by: the one it
    /// recorded, else the one in force that day.
    fn policy_judging(&self, recorded: Option<&str>, received: NaiveDate) -> &Policy {
        recorded.and_then(|v| self.policies.by_version(v)).unwrap_or_else(|| self.policies.policy_for(received))
    }

    /// Is an open case that falls overdue as `lateness` says overdue `today`?
    /// The same judgement as [`Window::deadlines_of`]`(..).any_breached()`.
    pub fn is_late(&self, lateness: Lateness, policy: Option<&str>, received: NaiveDate, today: NaiveDate) -> bool {
        lateness.due.is_some_and(|due| today > due)
            || (lateness.help_due && today > self.policy_judging(policy, received).green_help_by(received))
    }

    /// Every case not yet closed now, and how many of them are overdue
    /// `today`: from the store's backlog counts, no case read.
    pub fn backlog(&self, today: NaiveDate) -> Result<Backlog, StoreError> {
        let mut backlog = Backlog { open: 0, overdue: 0 };
        for g in self.store.backlog_groups()? {
            backlog.open += g.count;
            if self.is_late(g.lateness, g.policy.as_deref(), g.received, today) {
                backlog.overdue += g.count;
            }
        }
        Ok(backlog)
    }

    /// Is the open case `open` overdue `today`: past its due date, with a
    /// referral past its due date, or on the green channel and still not
    /// helped in time?
    pub fn is_overdue(&self, open: &OpenCase, today: NaiveDate) -> bool {
        self.deadlines_of(open, today).any_breached()
    }

    /// The overdue open cases after `after` (or from the first), at most
    /// `batch` of them, in id order: from the open cases' facts, no case record
    /// read. A caller goes through them all a batch at a time, from the last
    /// one it was given.
    pub fn overdue_after(
        &self,
        today: NaiveDate,
        after: Option<&CaseId>,
        batch: usize,
    ) -> Result<Vec<OpenCase>, StoreError> {
        let mut out = Vec::new();
        self.store.each_open_case_after(after, |open| {
            if self.is_overdue(&open, today) {
                out.push(open);
            }
            Ok(if out.len() >= batch { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })?;
        Ok(out)
    }

    /// The oldest `shown` overdue open cases (the first ids), each with every
    /// deadline it missed, and how many are overdue in all: a list a screen
    /// can hold whatever the store's size (the facts of every open case are
    /// read, one at a time; only the shown ones are read whole).
    pub fn overdue_first(&self, today: NaiveDate, shown: usize) -> Result<(Vec<OverdueCase>, usize), StoreError> {
        // Open cases come in id order: the first late ones are the oldest.
        let (mut late_ids, mut total) = (Vec::new(), 0);
        self.store.each_open_case(|open| {
            if self.is_overdue(&open, today) {
                total += 1;
                if late_ids.len() < shown {
                    late_ids.push(open.id);
                }
            }
            Ok(())
        })?;
        let mut out = Vec::new();
        for id in late_ids {
            let Some(case) = self.store.case(&id)? else { continue };
            let late = self.deadlines(&case, today).late(&case);
            if !late.is_empty() {
                let Case { id, applicant, kind, state, .. } = case;
                out.push(OverdueCase { id, name: applicant.name, id_number: applicant.id_number, kind, state, late });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok((out, total))
    }

    /// Puts money into the relief fund: the year's budget appropriation or a
    /// named donation. Once there are operators, by a supervisor (who answers for the fund).
    pub fn fund_deposit(&self, entry: FundEntry) -> Result<Fund, WindowError> {
        if self.store.has_operators() {
            self.four_eyes(SupervisorStep::FundDeposit, None, &Actor::alone(&entry.by))?;
        }
        self.fund_write(entry)
    }

    fn fund_write(&self, entry: FundEntry) -> Result<Fund, WindowError> {
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
        let by = self.four_eyes(SupervisorStep::FundCorrection, None, &Actor::alone(supervisor))?;
        self.fund_write(FundEntry::correction(now, &by, sign, reason, amount))
    }

    /// A supervisor's name and PIN for one step at another operator's
    /// counter. The name must be one an operator can have (a forged name is
    /// refused before anything is looked up); once there are operators the
    /// PIN is checked as at sign-in (a wrong one counts toward the lockout,
    /// recorded) and the operator must be a supervisor. Without operators
    /// there are no PINs: the name must be a supervisor by `[counter] supervisors`.
    pub fn countersign(&self, name: &str, pin: &str, now: Moment) -> Result<Countersign, WindowError> {
        let name = crate::domain::operator::OperatorName::parse(name)?;
        if self.store.has_operators() {
            let op = self.sign_in(name.as_str(), pin, now)?;
            if !op.is_supervisor() {
                return Err(WindowError::NotSupervisor(name.to_string()));
            }
        } else {
            self.supervisor(name.as_str())?;
        }
        Ok(Countersign { name: name.to_string() })
    }

    /// Four eyes: the supervisor answering for `step` (the countersigner,
    /// else the operator), refused when not a supervisor, and, once there
    /// are operators, when that supervisor accepted the case (`accepted_by`).
    /// Without operators, today's rule: `[counter] supervisors`, if it lists anyone.
    fn four_eyes(&self, step: SupervisorStep, accepted_by: Option<&str>, actor: &Actor) -> Result<String, WindowError> {
        let who = actor.supervisor();
        if !self.store.has_operators() {
            self.supervisor(who)?;
            return Ok(who.to_string());
        }
        match self.store.operator(who)? {
            Some(op) if op.is_supervisor() && !op.disabled => {}
            _ => return Err(WindowError::NeedsSupervisor { step, who: who.to_string() }),
        }
        if accepted_by.is_some_and(|a| a.trim() == who) {
            return Err(WindowError::OwnCase { step, supervisor: who.to_string() });
        }
        Ok(who.to_string())
    }

    /// Is `who` a supervisor here? The role only (once there are operators),
    /// else `[counter] supervisors`; the four-eyes rules (not the operator who
    /// accepted the case, a countersign at a clerk's counter) are applied on
    /// top of it by the steps themselves.
    pub fn supervisor(&self, who: &str) -> Result<(), WindowError> {
        if self.store.has_operators() {
            // Once there are operators, the role decides (the PIN was checked at sign-in).
            return match self.store.operator(who.trim())? {
                Some(op) if op.is_supervisor() && !op.disabled => Ok(()),
                _ => Err(WindowError::NotSupervisor(who.to_string())),
            };
        }
        let listed = &self.counter.supervisors;
        if listed.is_empty() || listed.iter().any(|s| s == who.trim()) {
            Ok(())
        } else {
            Err(WindowError::NotSupervisor(who.to_string()))
        }
    }
}

/// The policy of `book` a case is judged by: the version it recorded, else the one in force on its day.
pub fn policy_in<'b>(book: &'b PolicyBook, case: &Case) -> &'b Policy {
    case.policy.as_deref().and_then(|v| book.by_version(v)).unwrap_or_else(|| book.policy_for(case.day()))
}

/// The dates promised to the person on the acceptance receipt: on the green
/// channel the day help is given by (what the queue shows until it is paid),
/// the due date, and whether either is only an estimate (past the policy
/// calendar's last complete day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Promise {
    pub help_by: Option<NaiveDate>,
    pub due_by: Option<NaiveDate>,
    pub estimated: bool,
}

pub fn promise(book: &PolicyBook, case: &Case) -> Promise {
    let policy = policy_in(book, case);
    let help_by = (case.channel == Channel::Green).then(|| policy.green_help_by(case.day()));
    let estimated = help_by.iter().chain(&case.due_by).any(|d| policy.calendar.is_estimate(*d));
    Promise { help_by, due_by: case.due_by, estimated }
}

/// Who paid a green-channel case (and who countersigned the payment), when
/// `action` is its after-the-fact review.
fn paid_by_if_reviewing_afterwards<'c>(case: &'c Case, action: &CaseAction) -> Vec<&'c str> {
    if !matches!(action, CaseAction::Review(_)) || case.channel != Channel::Green {
        return Vec::new();
    }
    use crate::domain::case::HistoryAction;
    let Some(i) = case.history.iter().rposition(|h| h.action == HistoryAction::Disbursed) else { return Vec::new() };
    std::iter::once(case.history[i].by.as_str()).chain(case.countersigner_of(i)).collect()
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
    /// The last day the policy's calendar lists every holiday for (`None`: no year at all).
    pub complete_until: Option<NaiveDate>,
}

impl CaseDeadlines {
    /// Is a date past the calendar's last complete day, so only an estimate
    /// (that year's holidays and make-up days not yet announced)?
    pub fn is_estimate(&self, day: NaiveDate) -> bool {
        self.complete_until.is_none_or(|end| day > end)
    }

    /// Is any of them past?
    pub fn any_breached(&self) -> bool {
        let late = |s: Option<DeadlineStatus>| s == Some(DeadlineStatus::Breached);
        late(self.due.map(|d| d.1)) || late(self.help.map(|d| d.1)) || self.referrals.iter().any(|r| late(*r))
    }

    /// The deadlines of `case` that are past, its help-by date and due date first.
    pub fn late(&self, case: &Case) -> Vec<Late> {
        let breached = |s: &DeadlineStatus| *s == DeadlineStatus::Breached;
        let mut out = Vec::new();
        if let Some((d, _)) = self.help.filter(|(_, s)| breached(s)) {
            out.push(Late::HelpBy(d));
        }
        if let Some((d, _)) = self.due.filter(|(_, s)| breached(s)) {
            out.push(Late::Due(d));
        }
        for (r, status) in case.referrals.iter().zip(&self.referrals) {
            if status.as_ref().is_some_and(breached) {
                out.push(Late::Referral(r.department, r.due_by));
            }
        }
        out
    }
}

pub use crate::domain::case::still_due;

/// Green channel: help is due within the policy's working days until the case is paid.
fn help_by(policy: &Policy, channel: Channel, state: State, received: NaiveDate) -> Option<NaiveDate> {
    crate::domain::case::help_due(channel, state).then(|| policy.green_help_by(received))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    fn input(id_number: &str) -> CaseInput {
        serde_json::from_value(serde_json::json!({
            "kind": "temporary",
            "applicant": {"name": "王芳", "id_number": id_number, "residence": "urban"},
            "reason": "serious_illness",
            "requested_amount": "800",
        }))
        .unwrap()
    }

    fn now() -> Moment {
        chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap()
    }

    /// `case import` and `case add` are one path: an intake the window refuses
    /// at the counter is refused in an import with the same error, and nothing is written.
    #[test]
    fn an_import_passes_the_checks_of_accept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let counter = CounterConfig::default();
        let w = Window::new(&store, &counter);
        w.accept(input("11010519491231002X"), "clerk01", now()).unwrap();
        let before = store.fingerprint().unwrap();

        let mut bad_name = input("32010619850615351X");
        bad_name.applicant.name = "王\u{7}芳".into();
        for (intake, what) in [(input("11010519491231002X"), "a blocking duplicate"), (bad_name, "a control character")]
        {
            let accepted = w.accept(intake.clone(), "clerk01", now()).unwrap_err().to_string();
            let record = ImportRecord::Intake(Box::new(Intake::from(intake)));
            let ok = ImportRecord::Intake(Box::new(Intake::from(input("510108199001014568"))));
            let refused = w.import(&[ok, record], "clerk01", now()).unwrap_err();
            assert_eq!(refused.index, Some(1), "{what}");
            assert_eq!(refused.error.to_string(), accepted, "{what}: the same refusal");
            assert_eq!(store.fingerprint().unwrap(), before, "{what}: nothing written");
        }
        // With a supervisor's override, as at the counter, it goes in and the override is recorded.
        let override_by = Some(SupervisorOverride { by: "head01".into(), reason: "复核属实".into() });
        let intake = Intake {
            input: input("11010519491231002X"),
            override_by,
            card_photo: None,
            draft: None,
            countersign: None,
        };
        let ids = w.import(&[ImportRecord::Intake(Box::new(intake))], "clerk01", now()).unwrap();
        let case = store.case(&ids[0]).unwrap().unwrap();
        assert!(case.history.iter().any(|h| h.by == "head01" && h.note.as_deref() == Some("复核属实")));
    }

    /// Four eyes on the green channel: who paid a case does not record its
    /// after-the-fact review; anyone else does. Refused, nothing changes.
    #[test]
    fn the_after_the_fact_review_is_not_by_who_paid() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let counter = CounterConfig::default();
        let w = Window::new(&store, &counter);
        w.fund_deposit(FundEntry::appropriation(now(), "head01", Money::yuan(5000))).unwrap();
        let mut green = input("11010519491231002X");
        green.kind = Kind::Medical;
        green.channel = Channel::Green;
        let case = w.accept(green, "clerk01", now()).unwrap();
        w.act(&case.id, &CaseAction::ApproveAsSupervisor(None), "head01", now()).unwrap();
        w.pay(&case.id, None, None, "clerk02", now()).unwrap();
        let before = store.fingerprint().unwrap();
        let refused = w.act(&case.id, &CaseAction::Review(None), "clerk02", now()).unwrap_err();
        assert!(matches!(&refused, WindowError::ReviewByPayer { payer } if payer == "clerk02"), "{refused}");
        assert!(refused.to_string().contains("must be recorded by someone else"));
        assert_eq!(store.fingerprint().unwrap(), before);
        let reviewed = w.act(&case.id, &CaseAction::Review(Some("核实属实".into())), "clerk01", now()).unwrap();
        assert!(reviewed.post_reviewed());
    }

    /// One store for the many cases of a property (its answers do not depend on it).
    fn shared_store() -> &'static Store {
        static STORE: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
        let (_, store) = STORE.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
            (dir, store)
        });
        store
    }

    proptest::proptest! {
        /// The backlog's judgement of an open case from its lateness (what
        /// the store counts by) is the judgement of its deadlines.
        #[test]
        fn lateness_judges_as_the_deadlines_do(
            green in proptest::bool::ANY,
            state in 0usize..State::ALL.len(),
            received in 0i64..400,
            due in proptest::option::of(0i64..400),
            referrals in proptest::collection::vec((0i64..400, proptest::bool::ANY), 0..3),
            post_reviewed in proptest::bool::ANY,
            recorded in proptest::option::of(proptest::sample::select(vec!["no such version", "builtin-2026.1"])),
            today in 0i64..450,
        ) {
            let day = |n: i64| NaiveDate::from_ymd_opt(2025, 6, 1).unwrap() + chrono::Duration::days(n);
            let open = OpenCase {
                id: crate::domain::CaseId::new("320106001", 1, day(received), 1),
                kind: crate::domain::Kind::Temporary,
                channel: if green { Channel::Green } else { Channel::Normal },
                state: State::ALL[state],
                received: day(received),
                policy: recorded.map(str::to_string),
                due_by: due.map(day),
                post_reviewed,
                referrals: referrals.iter().map(|(d, handled)| (day(*d), *handled)).collect(),
                step_days: vec![day(received)],
            };
            let counter = CounterConfig::default();
            let w = Window::new(shared_store(), &counter);
            let by_lateness = w.is_late(open.lateness(), open.policy.as_deref(), open.received, day(today));
            proptest::prop_assert_eq!(by_lateness, w.deadlines_of(&open, day(today)).any_breached());
        }
    }
}

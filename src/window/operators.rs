//! Who may act at the window: operators added, disabled and given PINs by a
//! supervisor (the first supervisor while there is none), and the PIN check
//! that signs an operator in, counting wrong PINs and locking the operator
//! out after five. Every change is one durable commit with its audit entry.

use super::{Window, WindowError};
use crate::auth;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::operator::{check_new_pin, Operator, OperatorName, Role, SignInBlocked, SignInOutcome};
use crate::domain::time::Moment;
use crate::store::refuse;

impl Window<'_> {
    /// Checks `pin` for `name`: the operator signed in, or refused (unknown,
    /// disabled, locked out, wrong PIN). A wrong PIN is counted and audited
    /// durably; the fifth in a row locks the operator out (audited too).
    pub fn sign_in(&self, name: &str, pin: &str, now: Moment) -> Result<Operator, WindowError> {
        let Some(op) = self.store.operator(name)? else {
            return Err(WindowError::UnknownOperator(name.to_string()));
        };
        match op.may_try(now) {
            Err(SignInBlocked::Disabled) => return Err(WindowError::OperatorDisabled(name.to_string())),
            Err(SignInBlocked::LockedOut { until }) => return Err(WindowError::LockedOut { until }),
            Ok(()) => {}
        }
        let right = auth::verify_pin(pin, &op.pin_hash)?;
        if right && op.failures == 0 {
            return Ok(op);
        }
        let outcome = self.store.write::<(Operator, SignInOutcome), WindowError>(|tx| {
            let Some(mut op) = tx.operator(name)? else {
                return refuse(WindowError::UnknownOperator(name.to_string()));
            };
            let outcome = op.record_attempt(right, now);
            let (action, detail) = match outcome {
                SignInOutcome::Accepted => (AuditAction::SignedIn, "wrong PINs forgotten".to_string()),
                SignInOutcome::Wrong { left } => (AuditAction::SignInFailed, format!("wrong PIN, {left} left")),
                SignInOutcome::LockedOut { until } => (AuditAction::LockedOut, format!("locked out until {until}")),
            };
            let mut e = AuditEntry::new(now, name, action);
            e.detail = Some(detail);
            tx.put_operator(&op, e)?;
            Ok((op, outcome))
        })?;
        match outcome {
            (op, SignInOutcome::Accepted) => Ok(op),
            (_, SignInOutcome::Wrong { left }) => Err(WindowError::WrongPin { left }),
            (_, SignInOutcome::LockedOut { until }) => Err(WindowError::LockedOut { until }),
        }
    }

    /// Adds an operator. Only a supervisor (`by`) adds one, except the first
    /// supervisor while there is no operator at all.
    pub fn add_operator(
        &self,
        by: Option<&Operator>,
        name: &str,
        role: Role,
        pin: &str,
        now: Moment,
    ) -> Result<Operator, WindowError> {
        let name = OperatorName::parse(name)?;
        check_new_pin(pin)?;
        let first = !self.store.has_operators();
        let creator = match (first, by) {
            (true, _) if role != Role::Supervisor => return Err(WindowError::FirstMustBeSupervisor),
            (true, _) => name.clone(),
            (false, Some(by)) if by.is_supervisor() => by.name.clone(),
            (false, _) => return Err(WindowError::NeedsSupervisorOperator),
        };
        let hash = auth::hash_pin(pin)?;
        let op = Operator::new(name.clone(), role, hash, creator.clone(), now);
        self.store.write::<(), WindowError>(|tx| {
            if tx.operator(name.as_str())?.is_some() {
                return refuse(WindowError::OperatorExists(name.to_string()));
            }
            let mut e = AuditEntry::new(now, creator.as_str(), AuditAction::OperatorAdded);
            e.detail = Some(format!("{name} as {}", role.code()));
            tx.put_operator(&op, e)
        })?;
        Ok(op)
    }

    /// A supervisor disables an operator (never themself): the name can no longer sign in.
    pub fn disable_operator(&self, by: &Operator, name: &str, now: Moment) -> Result<(), WindowError> {
        if !by.is_supervisor() {
            return Err(WindowError::NeedsSupervisorOperator);
        }
        if by.name.as_str() == name {
            return Err(WindowError::DisableSelf);
        }
        Ok(self.store.write::<(), WindowError>(|tx| {
            let Some(mut op) = tx.operator(name)? else {
                return refuse(WindowError::UnknownOperator(name.to_string()));
            };
            op.disabled = true;
            let mut e = AuditEntry::new(now, by.name.as_str(), AuditAction::OperatorDisabled);
            e.detail = Some(name.to_string());
            tx.put_operator(&op, e)
        })?)
    }

    /// A new PIN: one's own, or a clerk's reset by a supervisor (which also lifts a lockout).
    pub fn set_pin(&self, by: &Operator, name: &str, pin: &str, now: Moment) -> Result<(), WindowError> {
        check_new_pin(pin)?;
        let hash = auth::hash_pin(pin)?;
        Ok(self.store.write::<(), WindowError>(|tx| {
            let Some(mut op) = tx.operator(name)? else {
                return refuse(WindowError::UnknownOperator(name.to_string()));
            };
            let own = by.name == op.name;
            let resets_a_clerk = by.is_supervisor() && op.role == Role::Clerk;
            if !(own || resets_a_clerk) {
                return refuse(WindowError::PinOfAnother(name.to_string()));
            }
            op.pin_hash = hash.clone();
            op.failures = 0;
            op.locked_until = None;
            let action = if own { AuditAction::PinChanged } else { AuditAction::PinReset };
            let mut e = AuditEntry::new(now, by.name.as_str(), action);
            e.detail = Some(name.to_string());
            tx.put_operator(&op, e)
        })?)
    }
}

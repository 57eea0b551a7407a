//! The operators of the window: name -> the operator (role, PIN hash,
//! disabled, wrong PINs and lockouts), one plain entry each. Every change is
//! written with its audit entry in the same transaction.

use super::{abort, decode, encode, sled_error, Store, StoreError, Tx, TxResult, OPERATORS};
use crate::domain::audit::AuditEntry;
use crate::domain::operator::Operator;

impl Tx<'_> {
    /// An operator as this transaction sees it.
    pub fn operator<E>(&self, name: &str) -> TxResult<Option<Operator>, E> {
        match self.get(OPERATORS, name.as_bytes())? {
            None => Ok(None),
            Some(bytes) => match self.store.read(&bytes, "operator") {
                Ok(o) => Ok(Some(o)),
                Err(e) => abort(e),
            },
        }
    }

    /// Writes an operator and the audit entry of the change.
    pub fn put_operator<E>(&self, operator: &Operator, audit: AuditEntry) -> TxResult<(), E> {
        let bytes = match encode(operator, "operator") {
            Ok(b) => b,
            Err(e) => return abort(e),
        };
        self.insert(OPERATORS, operator.name.as_str().as_bytes(), bytes)?;
        self.audit(audit).map(|_| ())
    }

    /// Are there operators yet (as this transaction sees it)?
    pub fn has_operators<E>(&self) -> TxResult<bool, E> {
        Ok(!self.store.operators_empty())
    }
}

impl Store {
    fn operators_empty(&self) -> bool {
        self.trees[OPERATORS].is_empty()
    }

    /// Are there operators? Then every change needs one signed in with a PIN.
    pub fn has_operators(&self) -> bool {
        !self.operators_empty()
    }

    pub fn operator(&self, name: &str) -> Result<Option<Operator>, StoreError> {
        match self.trees[OPERATORS].get(name.as_bytes()).map_err(|e| sled_error(&self.dir, e))? {
            None => Ok(None),
            Some(bytes) => self.read(&bytes, "operator").map(Some),
        }
    }

    /// Every operator, by name.
    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees[OPERATORS].iter().values() {
            let bytes = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push(decode(&bytes, "operator").map_err(|e| self.name_damage(e))?);
        }
        Ok(out)
    }
}

//! The relief fund: its balance and its ledger, one plain entry per ledger
//! entry (a few per green-channel case), appended in the same transaction as
//! the case's step it pays.

use super::{abort, damaged, refuse, sled_error, Store, StoreError, Tx, TxResult, LEDGER};
use crate::domain::fund::{Fund, FundEntry, FundError};

const FUND_STATE_KEY: &[u8] = b"state";
const FUND_NEXT_KEY: &[u8] = b"next";
const FUND_ENTRY_PREFIX: &[u8] = b"e/";

impl Tx<'_> {
    /// Appends an entry to the relief fund's ledger in this transaction, or
    /// refuses it (over the balance, zero, unnamed donor…) and writes nothing.
    pub fn fund_apply<E: From<FundError>>(&self, entry: &FundEntry) -> TxResult<Fund, E> {
        Ok(self.fund_append(entry)?.0)
    }

    /// As [`Tx::fund_apply`], with the number the entry has in the ledger (1 for the first).
    pub fn fund_append<E: From<FundError>>(&self, entry: &FundEntry) -> TxResult<(Fund, u64), E> {
        let mut fund: Fund = match self.get(LEDGER, FUND_STATE_KEY)? {
            Some(bytes) => match self.store.read(&bytes, "fund balance") {
                Ok(f) => f,
                Err(e) => return abort(e),
            },
            None => Fund::default(),
        };
        if let Err(e) = fund.apply(entry) {
            return refuse(E::from(e));
        }
        let seq = match self.get(LEDGER, FUND_NEXT_KEY)? {
            Some(v) => match <[u8; 8]>::try_from(v.as_slice()) {
                Ok(b) => u64::from_be_bytes(b),
                Err(_) => return abort(damaged(&self.store.dir, "the ledger's entry counter has the wrong size")),
            },
            None => 0,
        };
        let (state, record) = match (super::encode(&fund, "fund balance"), super::encode(entry, "fund entry")) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return abort(e),
        };
        let mut key = FUND_ENTRY_PREFIX.to_vec();
        key.extend_from_slice(&seq.to_be_bytes());
        self.insert(LEDGER, key, record)?;
        self.insert(LEDGER, FUND_NEXT_KEY, (seq + 1).to_be_bytes())?;
        self.insert(LEDGER, FUND_STATE_KEY, state)?;
        self.audit_fund(entry, seq + 1)?;
        Ok((fund, seq + 1))
    }
}

impl Store {
    /// The relief fund as its ledger leaves it.
    pub fn fund(&self) -> Result<Fund, StoreError> {
        match self.trees[LEDGER].get(FUND_STATE_KEY).map_err(|e| sled_error(&self.dir, e))? {
            Some(bytes) => self.read(&bytes, "fund balance"),
            None => Ok(Fund::default()),
        }
    }

    /// Every ledger entry, in the order they were made.
    pub fn ledger(&self) -> Result<Vec<FundEntry>, StoreError> {
        let _reading = self.reading();
        let mut out = Vec::new();
        for item in self.trees[LEDGER].scan_prefix(FUND_ENTRY_PREFIX) {
            let (_, v) = item.map_err(|e| sled_error(&self.dir, e))?;
            out.push(self.read(&v, "fund entry")?);
        }
        Ok(out)
    }
}

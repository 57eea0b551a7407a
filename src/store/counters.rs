//! Counters: the daily case sequence of each window and the day's waiting
//! tickets, one plain entry each (a few thousand in a store's life).

use chrono::NaiveDate;

use super::{abort, damaged, sled_error, Store, StoreError, Tx, TxResult, WriteError, COUNTERS};

/// The largest daily case or ticket number (a case id has at most 6 sequence digits).
pub const MAX_SEQUENCE: u32 = 999_999;

/// The counter key of the daily case sequence of one window.
pub fn sequence_key(town_code: &str, window: u8, day: NaiveDate) -> Vec<u8> {
    format!("seq/{town_code}-{window:02}/{}", day.format("%Y%m%d")).into_bytes()
}

/// The counter key of the day's waiting tickets.
pub fn ticket_key(day: NaiveDate) -> Vec<u8> {
    format!("ticket/{}", day.format("%Y%m%d")).into_bytes()
}

fn value(v: &[u8]) -> Option<u32> {
    <[u8; 4]>::try_from(v).ok().map(u32::from_be_bytes)
}

impl Tx<'_> {
    fn counter_value<E>(&self, key: &[u8]) -> TxResult<u32, E> {
        match self.get(COUNTERS, key)? {
            Some(v) => match value(&v) {
                Some(n) => Ok(n),
                None => abort(damaged(&self.store.dir, "a counter has the wrong size")),
            },
            None => Ok(0),
        }
    }

    /// Takes the next number of a daily counter (starting at 1).
    pub fn next_number<E>(&self, key: &[u8]) -> TxResult<u32, E> {
        let current = self.counter_value(key)?;
        if current >= MAX_SEQUENCE {
            return abort(StoreError::Failed(format!(
                "the numbers of {} are used up ({MAX_SEQUENCE})",
                String::from_utf8_lossy(key)
            )));
        }
        let next = current + 1;
        self.insert(COUNTERS, key, next.to_be_bytes())?;
        Ok(next)
    }

    /// Raises a counter to at least `value` (used when importing cases with their ids).
    pub fn raise_number<E>(&self, key: &[u8], value: u32) -> TxResult<(), E> {
        if value > self.counter_value(key)? {
            self.insert(COUNTERS, key, value.to_be_bytes())?;
        }
        Ok(())
    }
}

impl Store {
    /// The next waiting ticket of the day (persisted; a new day starts at 1).
    pub fn next_ticket(&self, day: NaiveDate) -> Result<u32, StoreError> {
        let key = ticket_key(day);
        match self.write::<u32, std::convert::Infallible>(|tx| tx.next_number(&key)) {
            Ok(n) => Ok(n),
            Err(WriteError::Store(e)) => Err(e),
            Err(WriteError::Refused(never)) => match never {},
        }
    }

    /// The last ticket issued on `day` (0 when none).
    pub fn last_ticket(&self, day: NaiveDate) -> Result<u32, StoreError> {
        self.counter(&ticket_key(day))
    }

    /// The current value of a counter (0 when never used).
    pub fn counter(&self, key: &[u8]) -> Result<u32, StoreError> {
        match self.trees[COUNTERS].get(key).map_err(|e| sled_error(&self.dir, e))? {
            Some(v) => value(&v).ok_or_else(|| damaged(&self.dir, "a counter has the wrong size")),
            None => Ok(0),
        }
    }
}

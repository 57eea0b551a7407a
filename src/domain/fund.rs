//! The emergency relief reserve fund: a ledger that never goes below zero.

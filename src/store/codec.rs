//! Records in the store: one version byte, then the bincode (2.0.1, serde,
//! standard config) encoding. An unknown version is a clear error, not garbage,
//! so the format can evolve with a migration. Case records are version 2
//! (version 1 plus the payment, see [`decode_case`]).

use serde::de::DeserializeOwned;
use serde::Serialize;

use std::path::PathBuf;

use super::StoreError;
use crate::domain::Case;

/// A record that cannot be read; the store fills in its directory.
fn unreadable(what: String) -> StoreError {
    StoreError::Damaged { dir: PathBuf::new(), what }
}

/// The record format this build writes.
pub const RECORD_VERSION: u8 = 1;

/// sled writes values over about 128 KiB to blob files it never fsyncs; stay far below.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

pub fn encode<T: Serialize>(value: &T, what: &'static str) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![RECORD_VERSION];
    bincode::serde::encode_into_std_write(value, &mut out, bincode::config::standard())
        .map_err(|e| StoreError::Failed(format!("cannot encode a {what}: {e}")))?;
    if out.len() > MAX_RECORD_BYTES {
        return Err(StoreError::TooLarge { what, size: out.len(), limit: MAX_RECORD_BYTES });
    }
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &'static str) -> Result<T, StoreError> {
    match bytes.split_first() {
        None => Err(unreadable(format!("an empty {what} record"))),
        Some((&RECORD_VERSION, body)) => body_of(body, what),
        Some((&version, _)) => Err(StoreError::UnknownRecordVersion { what, version }),
    }
}

fn body_of<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T, StoreError> {
    let (value, used) = bincode::serde::decode_from_slice(body, bincode::config::standard())
        .map_err(|e| unreadable(format!("a {what} record cannot be read: {e}")))?;
    if used != body.len() {
        return Err(unreadable(format!("a {what} record has {} stray bytes", body.len() - used)));
    }
    Ok(value)
}

/// The format of case records this build writes: version 1's fields, then the payment.
pub const CASE_RECORD_VERSION: u8 = 2;

pub fn encode_case(case: &Case) -> Result<Vec<u8>, StoreError> {
    let mut out = encode(case, "case")?;
    out[0] = CASE_RECORD_VERSION;
    Ok(out)
}

/// A case record of either version. Version 1 is version 2 without its last
/// field, the payment: bincode lays fields end to end and writes `None` as
/// one 0 byte, so a version-1 body with that byte added reads as a case with
/// no payment recorded.
pub fn decode_case(bytes: &[u8]) -> Result<Case, StoreError> {
    match bytes.split_first() {
        Some((&CASE_RECORD_VERSION, body)) => body_of(body, "case"),
        Some((&RECORD_VERSION, body)) => {
            let mut body = body.to_vec();
            body.push(0);
            body_of(&body, "case")
        }
        _ => decode(bytes, "case"),
    }
}

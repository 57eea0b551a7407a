//! Records in the store: one version byte, then the bincode (2.0.1, serde,
//! standard config) encoding. An unknown version is a clear error, not garbage,
//! so the format can evolve with a migration.

use serde::de::DeserializeOwned;
use serde::Serialize;

use std::path::PathBuf;

use super::StoreError;

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
        Some((&RECORD_VERSION, body)) => {
            let (value, used) = bincode::serde::decode_from_slice(body, bincode::config::standard())
                .map_err(|e| unreadable(format!("a {what} record cannot be read: {e}")))?;
            if used != body.len() {
                return Err(unreadable(format!("a {what} record has {} stray bytes", body.len() - used)));
            }
            Ok(value)
        }
        Some((&version, _)) => Err(StoreError::UnknownRecordVersion { what, version }),
    }
}

//! `onedoor backup DIR`, `onedoor backup --verify BACKUP`, `onedoor restore BACKUP`.

use std::io::Write;
use std::path::Path;

use super::{CliError, CliResult, Context};
use crate::store::backup::{self, BackupError};
use crate::store::{Store, StoreError, StoreOptions};

impl From<BackupError> for CliError {
    fn from(e: BackupError) -> CliError {
        match e {
            BackupError::Store(s) => s.into(),
            BackupError::Io { .. } => CliError::environment(e.to_string()),
            other => CliError::refused(other.to_string()),
        }
    }
}

/// Backs up the store into a new directory under `dir`, prints its path;
/// with `keep`, then removes all but the `keep` newest backups there.
pub fn backup(ctx: &Context, dir: &Path, keep: Option<usize>, out: &mut dyn Write) -> CliResult {
    let options = StoreOptions { cache_mb: ctx.config.store.cache_mb };
    let store = match Store::open(&ctx.paths.data, &options) {
        // The counter holds the store: only it can take the backup meanwhile.
        Err(StoreError::InUse(d)) => {
            return Err(CliError::environment(format!(
                "the store {} is in use by another onedoor process (the counter); close it and back up again",
                d.display()
            )))
        }
        other => other?,
    };
    let made = store.backup_to(dir, ctx.now)?;
    drop(store);
    writeln!(out, "{}", made.display())?;
    if let Some(keep) = keep {
        let removed = backup::rotate(dir, keep.max(1))
            .map_err(|e| CliError::environment(format!("cannot remove old backups in {}: {e}", dir.display())))?;
        for old in removed {
            eprintln!("removed the old backup {}", old.display());
        }
    }
    Ok(())
}

/// Checks a backup in full without restoring it.
pub fn verify(dir: &Path, out: &mut dyn Write) -> CliResult {
    let checked = backup::verify(dir)?;
    let m = &checked.manifest;
    writeln!(
        out,
        "{}: {} cases, taken {} from {}; complete and intact",
        dir.display(),
        m.cases,
        m.created_at,
        m.store
    )?;
    Ok(())
}

/// Restores a backup as the store (the store that was there is kept aside).
pub fn restore(ctx: &Context, dir: &Path, replace: bool, out: &mut dyn Write) -> CliResult {
    let options = StoreOptions { cache_mb: ctx.config.store.cache_mb };
    let done = Store::restore_from(dir, &ctx.paths.data, &options, replace, ctx.now)?;
    writeln!(
        out,
        "restored {} cases (the backup of {}) into {}",
        done.cases,
        done.created_at,
        ctx.paths.data.display()
    )?;
    if let Some(kept) = done.replaced {
        writeln!(out, "the store that was there is kept in {}", kept.display())?;
    }
    writeln!(
        out,
        "cases made after the backup are not in it; today's case numbers continue from {}",
        backup::RESTORED_DAY_SEQUENCE + 1
    )?;
    Ok(())
}

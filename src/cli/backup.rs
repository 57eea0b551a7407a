//! `onedoor backup DIR`, `onedoor backup --verify BACKUP`, `onedoor restore BACKUP`.

use std::io::Write;
use std::path::Path;

use super::{CliError, CliResult, Session};
use crate::session::SessionError;
use crate::store::backup::{self, BackupError};
use crate::store::{Store, StoreError};
use crate::tr;

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
pub fn backup(ctx: &Session, dir: &Path, keep: Option<usize>, out: &mut dyn Write) -> CliResult {
    let lang = ctx.lang;
    let store = match ctx.open_existing_store() {
        // The counter holds the store: only it can take the backup meanwhile.
        Err(SessionError::Store(StoreError::InUse(d))) => {
            return Err(CliError::environment(tr!(lang, "backup-store-in-use", dir = d.display().to_string())))
        }
        other => other?,
    };
    let made = store.backup_to(dir, ctx.now)?;
    drop(store);
    writeln!(out, "{}", made.display())?;
    if let Some(keep) = keep {
        let removed = backup::rotate(dir, keep.max(1)).map_err(|e| {
            CliError::environment(tr!(
                lang,
                "backup-cannot-rotate",
                dir = dir.display().to_string(),
                error = e.to_string()
            ))
        })?;
        for old in removed {
            eprintln!("{}", tr!(lang, "backup-removed", dir = old.display().to_string()));
        }
    }
    Ok(())
}

/// Checks a backup in full without restoring it.
pub fn verify(ctx: &Session, dir: &Path, out: &mut dyn Write) -> CliResult {
    let checked = backup::verify(dir)?;
    let m = &checked.manifest;
    let (dir, at, store) = (dir.display().to_string(), m.created_at.to_string(), m.store.to_string());
    writeln!(out, "{}", tr!(ctx.lang, "backup-verified", dir = dir, cases = m.cases, at = at, store = store))?;
    Ok(())
}

/// Restores a backup as the store (the store that was there is kept aside).
pub fn restore(ctx: &Session, dir: &Path, replace: bool, out: &mut dyn Write) -> CliResult {
    let lang = ctx.lang;
    let options = ctx.store_options();
    if replace && Store::exists(&ctx.paths.data) {
        // Replacing a store that has operators (they go with it) is a
        // supervisor's, signed in. A store that does not open is restored over as before.
        if let Ok(store) = Store::open(&ctx.paths.data, &options) {
            if store.has_operators() {
                ctx.sign_in(&store)?;
                if !ctx.signed_in().is_some_and(|op| op.is_supervisor()) {
                    return Err(crate::window::WindowError::NeedsSupervisorOperator.into());
                }
            }
        }
    }
    let done = Store::restore_from(dir, &ctx.paths.data, &options, replace, ctx.now)?;
    let (at, into) = (done.created_at.to_string(), ctx.paths.data.display().to_string());
    writeln!(out, "{}", tr!(lang, "backup-restored", cases = done.cases, at = at, into = into))?;
    if let Some(kept) = done.replaced {
        writeln!(out, "{}", tr!(lang, "backup-kept-aside", dir = kept.display().to_string()))?;
    }
    writeln!(out, "{}", tr!(lang, "backup-numbers-continue", from = backup::RESTORED_DAY_SEQUENCE + 1))?;
    Ok(())
}

//! The store's directory: which files make a store, and the rules that keep a
//! kill at any instant from leaving one that does not open.
//!
//! - A new store is built aside, in `.onedoor-new` inside the directory (sled's
//!   files, every tree, the schema record, the commit journal), synced, and
//!   moved into place with the journal last: a store is there exactly when its
//!   journal is. A kill half-way leaves `.onedoor-new` and no journal, which
//!   the next open recognises, clears and builds again. Building inside the
//!   directory (not beside it) works when it is a mount point, when its parent
//!   is not writable, and when it already holds the counter's other files.
//! - sled 0.34 writes two files that a kill can leave torn: `conf` (two writes,
//!   no fsync; a torn one fails to parse) and `snap.*.generating` (a snapshot
//!   not yet renamed into place, which sled wrongly reads as the newest
//!   snapshot). Before sled opens, a torn `conf` holding the start of what
//!   sled writes for one of the settings a store is made with is written
//!   again whole, and stray `.generating` files are removed: sled removes
//!   the old snapshot only after the rename, so a `.generating` file is never
//!   the only snapshot there is.
//! - One process per store: a lock on the directory itself, held as long as
//!   the store is open (sled holds its own on `db`).
//! - The directory is 0700 and the store's files 0600, whatever they were.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const DB: &str = "db";
pub const JOURNAL: &str = "journal";
pub const CONF: &str = "conf";
const BLOBS: &str = "blobs";
/// Space kept free for the day the disk fills up: sled writes a snapshot at
/// every open that follows writes, and an open that cannot write it fails.
/// Removed when an open finds the disk full, so reading still works.
pub const RESERVE: &str = "reserve";
/// Where a new store is built before it is moved into place.
pub const STAGING: &str = ".onedoor-new";
/// What an older onedoor built its journal in before renaming it.
const OLD_JOURNAL_ASIDE: &str = "journal.new";

/// How long an open waits for a lock held for a moment only: a process that
/// is just letting go, or a child another thread is starting, which holds a
/// copy of the lock from fork until exec.
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

/// What an open finds in the directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A store: its database and its commit journal.
    Whole,
    /// No store (the directory may hold other files: the counter's draft, its log, `demo/`).
    Absent,
    /// A store this onedoor was building when it was stopped: cleared and built again.
    Unfinished,
    /// sled's files without a commit journal: an older onedoor stopped while
    /// making the store (its journal is missing, or zeros only), or a journal
    /// deleted from a store in use. Which one, only sled's content can say.
    NoJournal,
    /// A journal without its database: the database was deleted or moved.
    NoDatabase,
}

/// Looks at the directory (which exists) without changing anything.
pub fn survey(dir: &Path) -> io::Result<Found> {
    let journal = dir.join(JOURNAL);
    let has_journal = journal.exists() && !never_written(&journal)?;
    let has_db = dir.join(DB).exists();
    Ok(match (has_journal, has_db) {
        (true, true) => Found::Whole,
        (true, false) => Found::NoDatabase,
        (false, _) if dir.join(STAGING).exists() => Found::Unfinished,
        (false, _) if sled_files(dir)?.is_empty() && !journal.exists() => Found::Absent,
        (false, _) => Found::NoJournal,
    })
}

/// sled's files at the top of the directory.
fn sled_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == DB || name == CONF || name == BLOBS || name == RESERVE || name.starts_with("snap.") {
            out.push(entry.path());
        }
    }
    Ok(out)
}

/// Removes what a store that never held a commit left: sled's files, a
/// journal that was never written, an older onedoor's journal aside, and the
/// building place. Only for [`Found::Unfinished`] or a [`Found::NoJournal`]
/// whose database was found empty.
pub fn clear_unfinished(dir: &Path) -> io::Result<()> {
    for path in sled_files(dir)? {
        remove(&path)?;
    }
    for name in [JOURNAL, OLD_JOURNAL_ASIDE, STAGING] {
        remove(&dir.join(name))?;
    }
    sync_dir(dir)
}

/// Removes a building place left after its store was moved in.
pub fn clear_staging(dir: &Path) -> io::Result<()> {
    remove(&dir.join(STAGING))?;
    sync_dir(dir)
}

fn remove(path: &Path) -> io::Result<()> {
    let result = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Moves the store's files (a damaged store's too) into `dir/name`, the
/// journal last: until then the directory still counts as a store (one
/// whose database is missing), so a kill half-way never lets the next open
/// clear what is left. `None` when there was nothing to move.
pub fn put_store_away(dir: &Path, name: &str) -> io::Result<Option<PathBuf>> {
    let mut files = sled_files(dir)?;
    files.extend([dir.join(OLD_JOURNAL_ASIDE)].into_iter().filter(|p| p.exists()));
    let journal = dir.join(JOURNAL);
    if files.is_empty() && !journal.exists() {
        return Ok(None);
    }
    let away = dir.join(name);
    fs::DirBuilder::new().mode(0o700).create(&away)?;
    for path in files {
        if let Some(file_name) = path.file_name() {
            fs::rename(&path, away.join(file_name))?;
        }
    }
    sync_dir(dir)?;
    if journal.exists() {
        fs::rename(&journal, away.join(JOURNAL))?;
    }
    sync_dir(&away)?;
    sync_dir(dir)?;
    Ok(Some(away))
}

/// Where a store of an older schema is rebuilt in the new layout (its files
/// and journal), with [`MIGRATION_READY`] in it once that store is whole.
pub const MIGRATING: &str = ".onedoor-migrate";
/// Where the older store's files go while the rebuilt one is moved in.
pub const MIGRATED_AWAY: &str = ".onedoor-migrated-away";
/// Written (and synced) in [`MIGRATING`] when the rebuilt store is complete.
pub const MIGRATION_READY: &str = "READY";

/// Makes a fresh, empty place to rebuild a store of an older schema in.
pub fn new_migration(dir: &Path) -> io::Result<PathBuf> {
    let place = dir.join(MIGRATING);
    remove(&place)?;
    fs::DirBuilder::new().mode(0o700).create(&place)?;
    Ok(place)
}

/// Marks the rebuilt store as whole: from here on it replaces the old one,
/// whatever stops the swap.
pub fn mark_migration_ready(place: &Path) -> io::Result<()> {
    sync_all_in(place)?;
    let mut f = File::create(place.join(MIGRATION_READY))?;
    f.write_all(b"the store in this directory replaces the one above it\n")?;
    f.sync_all()?;
    sync_dir(place)
}

/// Finishes or undoes a migration that a kill (or an error) stopped, before
/// the store is looked at, so that the directory holds exactly one whole
/// store: the old one until the rebuilt one is whole (a rebuild not marked
/// ready is removed), the rebuilt one from then on. Returns whether a
/// rebuilt store was (or now is) moved in.
pub fn settle_migration(dir: &Path) -> io::Result<bool> {
    let place = dir.join(MIGRATING);
    let away = dir.join(MIGRATED_AWAY);
    if !place.exists() {
        if away.exists() && dir.join(JOURNAL).exists() {
            remove(&away)?; // the last step of a finished swap
            sync_dir(dir)?;
        }
        return Ok(false);
    }
    if !place.join(MIGRATION_READY).exists() {
        // Stopped while rebuilding: the old store was never touched.
        remove(&place)?;
        sync_dir(dir)?;
        return Ok(false);
    }
    fs::DirBuilder::new().recursive(true).mode(0o700).create(&away)?;
    for (from, to) in swap_steps(dir)? {
        fs::rename(&from, &to)?;
        for parent in [from.parent(), to.parent()].into_iter().flatten() {
            sync_dir(parent)?;
        }
    }
    remove(&away)?;
    sync_dir(dir)?;
    remove(&place)?;
    sync_dir(dir)?;
    Ok(true)
}

/// The renames left to swap a rebuilt store (marked ready) in: the old
/// store's files into [`MIGRATED_AWAY`] with its journal last, then the
/// rebuilt store's files into the directory with its journal last. Which
/// journals are where says how far a stopped swap got: the old one still in
/// the directory while the rebuilt one waits, the old store is (partly) there.
pub fn swap_steps(dir: &Path) -> io::Result<Vec<(PathBuf, PathBuf)>> {
    let place = dir.join(MIGRATING);
    let away = dir.join(MIGRATED_AWAY);
    let mut steps = Vec::new();
    if !place.join(JOURNAL).exists() {
        return Ok(steps); // the rebuilt store's journal is in: all moved
    }
    if dir.join(JOURNAL).exists() {
        let mut old = sled_files(dir)?;
        old.sort();
        for path in old {
            if let Some(name) = path.file_name() {
                steps.push((path.clone(), away.join(name)));
            }
        }
        steps.push((dir.join(JOURNAL), away.join(JOURNAL)));
    }
    let mut new: Vec<PathBuf> = Vec::new();
    for entry in fs::read_dir(&place)? {
        let entry = entry?;
        let name = entry.file_name();
        if name != JOURNAL && name != MIGRATION_READY {
            new.push(entry.path());
        }
    }
    new.sort();
    for path in new {
        if let Some(name) = path.file_name() {
            steps.push((path.clone(), dir.join(name)));
        }
    }
    steps.push((place.join(JOURNAL), dir.join(JOURNAL)));
    Ok(steps)
}

/// Makes a fresh, empty building place.
pub fn new_staging(dir: &Path) -> io::Result<PathBuf> {
    let staging = dir.join(STAGING);
    remove(&staging)?;
    fs::DirBuilder::new().mode(0o700).create(&staging)?;
    Ok(staging)
}

/// Moves a store built in `staging` into `dir`: everything but the journal,
/// then the journal, each step synced; then removes the building place.
pub fn install(dir: &Path, staging: &Path) -> io::Result<()> {
    sync_all_in(staging)?;
    for entry in fs::read_dir(staging)? {
        let entry = entry?;
        if entry.file_name() != JOURNAL {
            fs::rename(entry.path(), dir.join(entry.file_name()))?;
        }
    }
    sync_dir(dir)?;
    fs::rename(staging.join(JOURNAL), dir.join(JOURNAL))?;
    sync_dir(dir)?;
    fs::remove_dir(staging)?;
    sync_dir(dir)
}

/// fsyncs every file under `dir`, then the directories themselves.
pub fn sync_all_in(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_all_in(&entry.path())?;
        } else {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The settings sled 0.34 records in `conf` when it makes a database, and
/// refuses to open it with any others ("cannot change compression values
/// across restarts"): a store keeps the settings it was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SledSettings {
    pub segment_size: usize,
    pub compression: bool,
}

/// sled's pages as they are (its default). What a new store is made with,
/// and what every store was made with before onedoor compressed pages (any
/// onedoor opens it). Beside compressed pages, at 1,000,000 cases
/// (`onedoor bench`): commits in half the time (p50 422 us, not 1,087), a
/// lookup's p50 14.8 us, not 31.6, an import 9,466 cases/s, not 6,559, for
/// 942 MB on disk instead of 272.
pub const UNCOMPRESSED: SledSettings = SledSettings { segment_size: 512 * 1024, compression: false };
/// sled's pages compressed with zstd: what the onedoor that compressed new
/// stores' pages made them with. sled cannot change it in place, so such a
/// store stays compressed.
pub const COMPRESSED: SledSettings = SledSettings { segment_size: 512 * 1024, compression: true };
/// What a new store is made with.
pub const NEW_STORE: SledSettings = UNCOMPRESSED;

impl SledSettings {
    /// The `conf` sled 0.34 writes for these settings: its text, then the
    /// text's crc32, little-endian.
    pub fn conf(&self) -> Vec<u8> {
        let mut out =
            format!("segment_size: {}\nuse_compression: {}\nversion: 0.34\n", self.segment_size, self.compression)
                .into_bytes();
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// The settings of the database in `dir`: those its `conf` records when
    /// it is one of the known ones, a new store's when there is none yet.
    /// Any other `conf` is left to sled to judge (and refuse).
    pub fn of(dir: &Path) -> SledSettings {
        match fs::read(dir.join(CONF)) {
            Ok(found) if found == UNCOMPRESSED.conf() => UNCOMPRESSED,
            Ok(found) if found == COMPRESSED.conf() => COMPRESSED,
            _ => NEW_STORE,
        }
    }
}

/// What [`mend_sled_files`] did, for the log.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mended {
    pub conf: bool,
    pub snapshots_removed: Vec<String>,
}

/// Before sled opens: writes a torn `conf` again whole (only when what is
/// there is the start of exactly what sled writes for these settings, so a
/// store made with other settings is never touched), and removes stray
/// `snap.*.generating` files.
pub fn mend_sled_files(dir: &Path) -> io::Result<Mended> {
    let mut mended = Mended::default();
    let conf_path = dir.join(CONF);
    if let Ok(found) = fs::read(&conf_path) {
        // A torn `conf` is only ever left while sled first makes the database,
        // before it writes anything else: the start of either is mended (to a
        // new store's settings, first here, when it could be both).
        let whole = [UNCOMPRESSED.conf(), COMPRESSED.conf()];
        let torn = whole.iter().find(|w| **w != found && w.starts_with(&found));
        if let (Some(expected), false) = (torn, whole.contains(&found)) {
            let aside = dir.join(".conf.new");
            let mut f = File::create(&aside)?;
            f.write_all(expected)?;
            f.sync_all()?;
            fs::rename(&aside, &conf_path)?;
            mended.conf = true;
        }
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            fs::remove_file(entry.path())?;
            mended.snapshots_removed.push(name);
        }
    }
    if mended != Mended::default() {
        sync_dir(dir)?;
    }
    Ok(mended)
}

/// The directory 0700 and the store's files 0600 (sled and the journal make
/// theirs with the process's umask). Files that are not the store's (the
/// counter's draft, its log) are left as they are. A file that cannot be
/// changed (someone else's) is reported, not fatal.
pub fn make_private(dir: &Path) -> io::Result<()> {
    set_mode(dir, 0o700)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = [DB, CONF, JOURNAL, BLOBS, STAGING, RESERVE].contains(&name.as_str()) || name.starts_with("snap.");
        if ours {
            private_tree(&entry.path())?;
        }
    }
    Ok(())
}

fn private_tree(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        set_mode(path, 0o700)?;
        for entry in fs::read_dir(path)? {
            private_tree(&entry?.path())?;
        }
        Ok(())
    } else {
        set_mode(path, 0o600)
    }
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.permissions().mode() & 0o777 != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// The reserve to keep: twice the largest snapshot, at least 4 MiB.
fn reserve_size(dir: &Path) -> io::Result<u64> {
    let mut largest = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with("snap.") {
            largest = largest.max(entry.metadata()?.len());
        }
    }
    Ok((2 * largest).max(4 << 20))
}

/// Makes the reserve as large as it should be (written aside, synced, renamed).
pub fn keep_reserve(dir: &Path) -> io::Result<()> {
    let want = reserve_size(dir)?;
    let path = dir.join(RESERVE);
    if fs::metadata(&path).map(|m| m.len() >= want).unwrap_or(false) {
        return Ok(());
    }
    let aside = dir.join(".reserve.new");
    let result = (|| {
        let mut f = crate::private_file::create(&aside)?;
        let zeros = vec![0u8; 1 << 20];
        let mut left = want;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
        fs::rename(&aside, &path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&aside);
    }
    result
}

/// Frees the reserve; whether there was one.
pub fn release_reserve(dir: &Path) -> io::Result<bool> {
    match fs::remove_file(dir.join(RESERVE)) {
        Ok(()) => sync_dir(dir).map(|()| true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Makes the directory (0700, with its parents) if it is not there.
/// Returns whether it was made now.
pub fn ensure_dir(dir: &Path) -> io::Result<bool> {
    if dir.is_dir() {
        return Ok(false);
    }
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    Ok(true)
}

/// Takes the store's lock: an exclusive lock on the directory, waiting up to
/// [`LOCK_WAIT`] for a holder that is just letting go. `Ok(None)`: the
/// store is in use.
pub fn lock(dir: &Path) -> io::Result<Option<File>> {
    let handle = File::open(dir)?;
    let started = Instant::now();
    loop {
        match handle.try_lock() {
            Ok(()) => return Ok(Some(handle)),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(fs::TryLockError::WouldBlock) => return Ok(None),
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// A journal file with nothing but zeros in it was never given a header:
/// an older onedoor was stopped while preallocating it, before any commit
/// could be written to it.
pub fn never_written(path: &Path) -> io::Result<bool> {
    let mut file = File::open(path)?;
    let mut block = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(true);
        }
        if block[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conf_written_here_is_the_one_sled_writes() {
        // What sled 0.34.7 wrote for a store made by the previous onedoor.
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        drop(db);
        assert_eq!(fs::read(dir.path().join(CONF)).unwrap(), UNCOMPRESSED.conf());
    }

    #[test]
    fn the_confs_known_here_are_the_ones_sled_writes() {
        for settings in [UNCOMPRESSED, COMPRESSED] {
            let dir = tempfile::tempdir().unwrap();
            let config = sled::Config::new()
                .path(dir.path())
                .segment_size(settings.segment_size)
                .use_compression(settings.compression);
            drop(config.open().unwrap());
            assert_eq!(fs::read(dir.path().join(CONF)).unwrap(), settings.conf(), "{settings:?}");
            assert_eq!(SledSettings::of(dir.path()), settings);
        }
    }

    #[test]
    fn a_torn_conf_is_mended_to_the_settings_it_is_the_start_of() {
        let dir = tempfile::tempdir().unwrap();
        for (settings, cut, mended) in [
            (UNCOMPRESSED, UNCOMPRESSED.conf().len() - 1, UNCOMPRESSED),
            (COMPRESSED, COMPRESSED.conf().len() - 1, COMPRESSED),
            (COMPRESSED, 30, NEW_STORE),
        ] {
            fs::write(dir.path().join(CONF), &settings.conf()[..cut]).unwrap();
            assert!(mend_sled_files(dir.path()).unwrap().conf);
            assert_eq!(fs::read(dir.path().join(CONF)).unwrap(), mended.conf(), "{settings:?} cut at {cut}");
        }
    }

    #[test]
    fn a_conf_of_other_settings_is_never_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let other = b"segment_size: 1048576\nuse_compr";
        fs::write(dir.path().join(CONF), other).unwrap();
        assert_eq!(mend_sled_files(dir.path()).unwrap(), Mended::default());
        assert_eq!(fs::read(dir.path().join(CONF)).unwrap(), other);
    }

    #[test]
    fn a_store_is_there_exactly_when_its_journal_is() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("draft.json"), b"{}").unwrap();
        fs::create_dir(d.join("demo")).unwrap();
        assert_eq!(survey(d).unwrap(), Found::Absent, "the counter's own files are not a store");
        fs::write(d.join(DB), b"").unwrap();
        assert_eq!(survey(d).unwrap(), Found::NoJournal);
        fs::create_dir(d.join(STAGING)).unwrap();
        assert_eq!(survey(d).unwrap(), Found::Unfinished);
        fs::write(d.join(JOURNAL), vec![0u8; 4096]).unwrap();
        assert_eq!(survey(d).unwrap(), Found::Unfinished, "a journal of zeros was never written");
        fs::write(d.join(JOURNAL), b"ODJ1").unwrap();
        assert_eq!(survey(d).unwrap(), Found::Whole);
        fs::remove_file(d.join(DB)).unwrap();
        assert_eq!(survey(d).unwrap(), Found::NoDatabase);
    }
}

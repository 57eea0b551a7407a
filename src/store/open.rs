//! Opening a store: making a new one aside and moving it into place,
//! recognising what a kill or an older onedoor left, and checking the
//! database against its commit journal before anything is written, so that a
//! damaged store is refused with a clear message instead of opened with cases
//! missing (and their ids handed out again).

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use sled::Tree;

use super::directory::{self, Found, DB, JOURNAL};
use super::journal::{self, Journal, Op};
use super::migrate;
use super::{
    damaged, sled_error, Store, StoreError, StoreOptions, CHECKPOINT_KEY, META, NEWEST_SCHEMA, SCHEMA_KEY,
    SCHEMA_VERSION, TREES,
};

impl Store {
    /// Opens the store in `dir`, or makes a new, empty one there (the
    /// directory, with its parents, is made 0700 when missing). A kill at any
    /// instant leaves a store that opens with every commit it reported. A
    /// damaged store is refused (nothing is written to it), and an open that
    /// fails leaves no new file behind: a deleted database never comes back
    /// as an empty store.
    pub fn open(dir: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        let made_dir = directory::ensure_dir(dir).map_err(|e| io_error(dir, e))?;
        let result = Store::open_in(dir, options).and_then(|store| store.fill_outbox_once().map(|()| store));
        if result.is_err() && made_dir {
            // Only if nothing is in it: never a store's files.
            let _ = std::fs::remove_dir(dir);
        }
        result
    }

    fn open_in(dir: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        let io = |e| io_error(dir, e);
        let lock = directory::lock(dir).map_err(io)?.ok_or_else(|| StoreError::InUse(dir.to_path_buf()))?;
        // A migration stopped half-way is finished (or undone) before anything else.
        if directory::settle_migration(dir).map_err(io)? {
            tracing::warn!("{}: finished moving in the store rebuilt by a migration that was stopped", dir.display());
        }
        match directory::survey(dir).map_err(io)? {
            Found::Whole => {
                // A kill after the journal was moved in, before the building place was removed.
                if dir.join(directory::STAGING).exists() {
                    directory::clear_staging(dir).map_err(io)?;
                }
            }
            Found::Absent => build(dir, options)?,
            Found::Unfinished => {
                tracing::warn!("{}: a store left half-made by a stopped onedoor is made again", dir.display());
                directory::clear_unfinished(dir).map_err(io)?;
                build(dir, options)?;
            }
            Found::NoJournal => {
                if !holds_nothing(dir, options)? {
                    return Err(damaged(
                        dir,
                        "its commit journal (the file `journal`) is missing or holds only zeros, and the database holds data",
                    ));
                }
                tracing::warn!("{}: an empty store left half-made by an older onedoor is made again", dir.display());
                directory::clear_unfinished(dir).map_err(io)?;
                build(dir, options)?;
            }
            Found::NoDatabase => {
                return Err(damaged(dir, "its database (the file `db`) is missing; the commit journal is there"))
            }
        }
        let (mut journal, mut unapplied) = open_journal(dir)?;
        let mut db = open_sled(dir, options)?;
        if !directory::SledSettings::of(dir).compression {
            // The journal of uncompressed pages: any onedoor that opens the
            // store reads it (one from before compression included).
            journal.keep_uncompressed();
        }
        match migrate::schema_of(dir, &db)? {
            Some(1) => {
                migrate::from_schema_1(dir, db, &journal, unapplied, options)?;
                (journal, unapplied) = open_journal(dir)?;
                db = open_sled(dir, options)?;
            }
            Some(found) if found > NEWEST_SCHEMA => return Err(StoreError::NewerSchema { found }),
            _ => {}
        }
        if let Err(e) = directory::make_private(dir) {
            tracing::warn!("{}: cannot make the store's files private (0600): {e}", dir.display());
        }
        let db_file = File::open(dir.join(DB)).map_err(io)?;
        let mut trees = Vec::with_capacity(TREES.len());
        for def in &TREES {
            trees.push(db.open_tree(def.name).map_err(|e| sled_error(dir, e))?);
        }
        let generation = journal.generation();
        let store = Store {
            dir: dir.to_path_buf(),
            db,
            db_file,
            trees,
            journal: std::sync::Mutex::new(journal),
            applying: std::sync::RwLock::new(()),
            poisoned: std::sync::atomic::AtomicBool::new(false),
            _sled_closed: super::SledClosed { db: dir.join(DB) },
            _lock: lock,
        };
        check_against_journal(dir, &store.trees[META], generation, &unapplied, || store.is_empty())?;
        store.replay(unapplied)?;
        if migrate::schema_of(dir, &store.db)? == Some(2) {
            migrate::to_schema_3(&store)?;
        }
        if let Err(e) = directory::keep_reserve(dir) {
            tracing::warn!("{}: cannot keep the reserve for a full disk: {e}", dir.display());
        }
        Ok(store)
    }

    /// No entry in any tree.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.trees.iter().all(Tree::is_empty) && self.db.is_empty())
    }
}

impl Store {
    /// Ends a bulk load (the bench's seed, a restore, a migration): every
    /// page of the database rewritten in one piece, and sled's cleaner left
    /// with nothing queued, so that a lookup that misses the cache reads one
    /// fragment per page (at 1M cases: lookup p50 56 -> 31 us; what the next
    /// commits write did not change, see vendor/sled/ONEDOOR.md). Rewrites
    /// only what is already saved; the file is synced at the end. Returns how
    /// the pages then lie.
    pub fn compact(&self) -> Result<sled::Fragments, StoreError> {
        compact_sled(&self.dir, &self.db)
    }

    /// How the database's pages lie on disk: how many are in more than one
    /// fragment (each read on its own when the page is not in the cache), and
    /// how many wait to be moved by sled's cleaner.
    pub fn fragments(&self) -> sled::Fragments {
        self.db.fragments()
    }
}

/// [`Store::compact`] on a database opened by itself (a restore or a
/// migration builds its store aside, with no journal yet).
pub(super) fn compact_sled(dir: &Path, db: &sled::Db) -> Result<sled::Fragments, StoreError> {
    let started = Instant::now();
    let rewritten = db.compact().map_err(|e| sled_error(dir, e))?;
    File::open(dir.join(DB)).and_then(|f| f.sync_all()).map_err(|e| io_error(dir, e))?;
    let fragments = db.fragments();
    tracing::info!(
        "{}: {rewritten} pages rewritten in one piece in {:.1} s; {} pages, {} still in more than one",
        dir.display(),
        started.elapsed().as_secs_f64(),
        fragments.pages,
        fragments.fragmented
    );
    Ok(fragments)
}

/// The journal first: a damaged one is refused before sled touches any file.
fn open_journal(dir: &Path) -> Result<(Journal, Vec<Vec<Op>>), StoreError> {
    match Journal::open(&dir.join(JOURNAL)) {
        Ok(opened) => Ok(opened),
        Err(journal::OpenError::Io(e)) => Err(io_error(dir, e)),
        Err(journal::OpenError::Unreadable) => {
            Err(damaged(dir, "its commit journal is not one this onedoor can read (a damaged header, or cut short)"))
        }
        Err(journal::OpenError::NewerFormat(found)) => Err(StoreError::NewerFormat {
            dir: dir.to_path_buf(),
            what: format!("its commit journal is of format {found}, this onedoor reads formats 1 and 2"),
        }),
        Err(journal::OpenError::DamagedRecord { offset, before, after }) => Err(damaged(
            dir,
            &format!(
                "its commit journal has a damaged record at byte {offset}, after {before} readable commits and before {after} intact ones; \
                 opening it would lose those {after} saved commits"
            ),
        )),
    }
}

/// Before anything is written: is the database the one its journal goes
/// with? Every store has its schema record and the generation of its last
/// checkpoint, written with the data they vouch for; a database that has
/// lost them has lost commits that were reported as saved. `is_empty` says
/// whether the database holds nothing at all.
pub(super) fn check_against_journal(
    dir: &Path,
    meta: &Tree,
    generation: u64,
    unapplied: &[Vec<Op>],
    is_empty: impl FnOnce() -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    let schema = meta.get(SCHEMA_KEY).map_err(|e| sled_error(dir, e))?;
    let schema = match schema.as_deref() {
        Some(v) if v.len() == 4 => u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
        Some(_) => return Err(damaged(dir, "its schema record has the wrong size")),
        None => {
            // An older onedoor wrote the schema record after making the
            // journal (generation 1) and before the first checkpoint: a
            // store stopped in between never held anything.
            if generation == 1 && unapplied.is_empty() && is_empty()? {
                tracing::warn!("{}: finishing a store an older onedoor left half-made", dir.display());
                meta.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes()).map_err(|e| sled_error(dir, e))?;
                meta.insert(CHECKPOINT_KEY, &generation.to_be_bytes()).map_err(|e| sled_error(dir, e))?;
                meta.flush().map_err(|e| sled_error(dir, e))?;
                File::open(dir.join(DB)).and_then(|f| f.sync_all()).map_err(|e| io_error(dir, e))?;
                return Ok(());
            }
            return Err(damaged(
                dir,
                "its database has lost its content (no schema record) though its journal has been used",
            ));
        }
    };
    if schema > NEWEST_SCHEMA {
        return Err(StoreError::NewerSchema { found: schema });
    }
    let checkpoint = meta.get(CHECKPOINT_KEY).map_err(|e| sled_error(dir, e))?;
    match checkpoint.as_deref() {
        // A kill between the database's sync and the journal's new generation leaves it one ahead.
        Some(v) if v.len() == 8 => {
            let at = u64::from_be_bytes(v.try_into().unwrap_or([0; 8]));
            if at < generation {
                return Err(damaged(
                    dir,
                    &format!(
                        "its database is older than its commit journal (checkpoint {at}, journal at {generation}): \
                         commits saved before the last checkpoint are missing from it"
                    ),
                ));
            }
            if at > generation + 1 {
                return Err(damaged(
                    dir,
                    &format!(
                        "its commit journal is older than its database (journal at {generation}, checkpoint {at}): \
                         the journal was replaced"
                    ),
                ));
            }
            Ok(())
        }
        Some(_) => Err(damaged(dir, "its checkpoint record has the wrong size")),
        // Stores made before the record existed get it at their next checkpoint.
        None if schema == 1 => Ok(()),
        None => Err(damaged(dir, "its database has lost its checkpoint record")),
    }
}

fn io_error(dir: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io { dir: dir.to_path_buf(), source }
}

/// Opens sled's database in `dir`, after mending what a kill can leave torn
/// in sled's own files. A lock held for a moment only (a process letting go,
/// a child being started by another thread) is waited for.
pub(super) fn open_sled(dir: &Path, options: &StoreOptions) -> Result<sled::Db, StoreError> {
    let mended = directory::mend_sled_files(dir).map_err(|e| io_error(dir, e))?;
    if mended.conf {
        tracing::warn!("{}: sled's settings file `conf` was left torn by a kill; written again", dir.display());
    }
    for name in &mended.snapshots_removed {
        tracing::warn!("{}: removed {name}, a snapshot sled was writing when it was stopped", dir.display());
    }
    let cache = options.cache_mb.max(1).saturating_mul(1024 * 1024);
    let started = Instant::now();
    loop {
        match sled_config(dir, cache).open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") => {
                if started.elapsed() >= directory::LOCK_WAIT {
                    return Err(StoreError::InUse(dir.to_path_buf()));
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(sled::Error::Io(e)) if e.kind() == std::io::ErrorKind::StorageFull => {
                // The disk is full: sled could not write its snapshot. The
                // reserve makes room for it, so the store can still be read.
                if !directory::release_reserve(dir).map_err(|e| io_error(dir, e))? {
                    return Err(io_error(dir, e));
                }
                tracing::warn!("{}: the disk is full; the store's reserve was freed to open it", dir.display());
                directory::mend_sled_files(dir).map_err(|e| io_error(dir, e))?;
            }
            Err(sled::Error::Unsupported(why)) => {
                // sled checks `conf` before it reads anything else.
                return Err(StoreError::NewerFormat {
                    dir: dir.to_path_buf(),
                    what: format!("its database's settings (the file `conf`) are not ones this onedoor opens ({why})"),
                });
            }
            Err(e) => return Err(sled_error(dir, e)),
        }
    }
}

/// sled's settings for the database in `dir` with a page cache of `cache`
/// bytes: those it was made with (see [`directory::SledSettings::of`]), as
/// sled refuses any others.
pub fn sled_config(dir: &Path, cache: u64) -> sled::Config {
    let settings = directory::SledSettings::of(dir);
    // The vendored sled counts a page in its cache at what it takes in
    // memory (vendor/sled/ONEDOOR.md, patch 8), so the cache holds what
    // `cache_mb` says.
    sled::Config::new()
        .path(dir)
        .cache_capacity(cache.max(256))
        .segment_size(settings.segment_size)
        .use_compression(settings.compression)
        // zstd's fastest level: as small as its default (5) on runs, at less CPU.
        .compression_factor(1)
}

/// Makes a new, empty store in `dir`: built in the building place, synced,
/// moved in with the journal last.
fn build(dir: &Path, options: &StoreOptions) -> Result<(), StoreError> {
    let io = |e| io_error(dir, e);
    let staging = directory::new_staging(dir).map_err(io)?;
    {
        let db = open_sled(&staging, options)?;
        for def in &TREES {
            db.open_tree(def.name).map_err(|e| sled_error(dir, e))?;
        }
        let meta = db.open_tree(TREES[META].name).map_err(|e| sled_error(dir, e))?;
        meta.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes()).map_err(|e| sled_error(dir, e))?;
        // The journal starts at generation 1.
        meta.insert(CHECKPOINT_KEY, &1u64.to_be_bytes()).map_err(|e| sled_error(dir, e))?;
        // A new store has no case finished before the outbox took them all.
        meta.insert(super::outbox::FILLED_KEY, &[1u8]).map_err(|e| sled_error(dir, e))?;
        db.flush().map_err(|e| sled_error(dir, e))?;
    }
    let journal =
        Journal::create(&staging.join(JOURNAL), directory::SledSettings::of(&staging).compression).map_err(io)?;
    debug_assert_eq!(journal.generation(), 1);
    drop(journal);
    directory::install(dir, &staging).map_err(io)
}

/// Does the database of a store with no journal hold nothing at all (so it
/// is what an older onedoor left when stopped while making it)?
fn holds_nothing(dir: &Path, options: &StoreOptions) -> Result<bool, StoreError> {
    if !dir.join(DB).exists() {
        return Ok(true);
    }
    let db = open_sled(dir, options).map_err(|e| match e {
        StoreError::InUse(d) => StoreError::InUse(d),
        other => damaged(dir, &format!("it has no commit journal, and its database cannot be read ({other})")),
    })?;
    for name in db.tree_names() {
        let tree = db.open_tree(&name).map_err(|e| sled_error(dir, e))?;
        if !tree.is_empty() {
            return Ok(false);
        }
    }
    Ok(db.is_empty())
}

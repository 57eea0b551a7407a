//! Backups: a consistent copy of every tree, taken under the commit lock (so
//! it holds exactly the commits made before it, whole), written aside and
//! renamed into place with its manifest, so a backup is either complete or
//! absent; checked in full before anything is restored from it; restored by
//! building a new store aside and moving it in, the replaced store kept.
//!
//! A backup is a directory `onedoor-YYYYMMDDTHHMMSS` holding `trees.bin`
//! (`ODB1`, then records `[tree u8][key length u32][value length u32][key]
//! [value]`, little-endian) and `manifest.json` (format, schema, when, and for
//! the file and each tree: entries, bytes and CRC-32). The checksums find
//! accidental damage (a bad disk, a copy cut short), not tampering. Files 0600.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::directory::{self, Found, JOURNAL};
use super::journal::Journal;
use super::open::{compact_sled, open_sled};
use super::{
    runs, sled_error, Store, StoreError, StoreOptions, CASES, CHECKPOINT_KEY, COUNTERS, META, NEWEST_SCHEMA,
    SCHEMA_VERSION, TREES,
};
use crate::domain::time::Moment;
use crate::private_file;

const FORMAT: &str = "onedoor.backup/1";
const MAGIC: &[u8; 4] = b"ODB1";
const DATA_FILE: &str = "trees.bin";
const MANIFEST: &str = "manifest.json";
/// Backups are directories named so; sorting their names sorts them by age.
pub const BACKUP_PREFIX: &str = "onedoor-";

/// After a restore, the day's case numbers of each window continue from here
/// at least: cases numbered today after the backup was taken are not in it,
/// and their ids (on receipts, at the district) must never be handed out again.
pub const RESTORED_DAY_SEQUENCE: u32 = 5000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub schema: u32,
    pub created_at: String,
    /// The store it was taken from.
    pub store: String,
    pub cases: u64,
    pub file: FileSum,
    pub trees: Vec<TreeSum>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSum {
    pub name: String,
    pub bytes: u64,
    pub crc32: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeSum {
    pub name: String,
    pub entries: u64,
    pub bytes: u64,
    pub crc32: u32,
}

/// Why a backup cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} is not a usable backup: {why}", .dir.display())]
    Bad { dir: PathBuf, why: String },
    #[error(
        "{} holds backups, not one backup: name one, e.g. {}",
        .dir.display(), .newest.display()
    )]
    Several { dir: PathBuf, newest: PathBuf },
    #[error(
        "{} already holds a store that opens; `onedoor restore --replace BACKUP` puts it aside and restores the backup",
        .0.display()
    )]
    StoreThere(PathBuf),
    #[error("cannot write the backup in {}: {source}", .dir.display())]
    Io { dir: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A tree's entries, key and value, in key order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// What a backup holds, once checked.
#[derive(Debug)]
pub struct Checked {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// Every tree's entries, by tree name.
    pub trees: BTreeMap<String, Entries>,
}

/// A restore done: where the backup was, where the replaced store was put.
#[derive(Debug)]
pub struct Restored {
    pub cases: u64,
    pub created_at: String,
    pub replaced: Option<PathBuf>,
}

fn bad(dir: &Path, why: impl Into<String>) -> BackupError {
    BackupError::Bad { dir: dir.to_path_buf(), why: why.into() }
}

impl Store {
    /// Writes a consistent backup of the whole store into a new directory
    /// under `parent` (made 0700 if missing) and returns its path. Commits
    /// wait while the trees are read (not while the files are synced). The
    /// counter runs this in its own process while it holds the store.
    pub fn backup_to(&self, parent: &Path, now: Moment) -> Result<PathBuf, BackupError> {
        let io = |source| BackupError::Io { dir: parent.to_path_buf(), source };
        private_file::create_dir(parent).map_err(io)?;
        let mut name = format!("{BACKUP_PREFIX}{}", now.format("%Y%m%dT%H%M%S"));
        let mut n = 1;
        while parent.join(&name).exists() {
            n += 1;
            name = format!("{BACKUP_PREFIX}{}-{n}", now.format("%Y%m%dT%H%M%S"));
        }
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let _ = fs::remove_dir_all(&partial);
        private_file::create_dir(&partial).map_err(io)?;
        let data = partial.join(DATA_FILE);
        let mut out = Summing::new(BufWriter::new(private_file::create(&data).map_err(io)?));
        out.write_all(MAGIC).map_err(io)?;
        let mut trees = Vec::with_capacity(TREES.len());
        let mut cases = 0;
        let schema;
        {
            // Under the commit lock: no commit starts or ends while the trees are read.
            let _commits = self.lock_journal()?;
            // Schema 4 while imported people wait to be settled (see `SCHEMA_IMPORTING`).
            schema = super::migrate::schema_of(&self.dir, &self.db)?.unwrap_or(SCHEMA_VERSION);
            for (index, (def, tree)) in TREES.iter().zip(&self.trees).enumerate() {
                let mut sum = TreeSum { name: def.name.into(), entries: 0, bytes: 0, crc32: 0 };
                let mut crc = crc32fast::Hasher::new();
                for item in tree.iter() {
                    let (k, v) = item.map_err(|e| sled_error(&self.dir, e))?;
                    let head = record_head(index as u8, k.len(), v.len());
                    for part in [&head[..], &k, &v] {
                        out.write_all(part).map_err(io)?;
                        crc.update(part);
                    }
                    sum.entries += 1;
                    sum.bytes += (k.len() + v.len()) as u64;
                    if index == CASES {
                        cases += runs::count(&v).map_err(|e| self.bad_run(CASES, e))?;
                    }
                }
                sum.crc32 = crc.finalize();
                trees.push(sum);
            }
        }
        let (writer, bytes, crc32) = out.finish();
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        let manifest = Manifest {
            format: FORMAT.into(),
            schema,
            created_at: now.to_rfc3339(),
            store: self.dir.display().to_string(),
            cases,
            file: FileSum { name: DATA_FILE.into(), bytes, crc32 },
            trees,
        };
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| io(std::io::Error::other(e)))?;
        private_file::write_atomically(&partial.join(MANIFEST), &text).map_err(io)?;
        let done = parent.join(&name);
        fs::rename(&partial, &done).map_err(io)?;
        directory::sync_dir(parent).map_err(io)?;
        Ok(done)
    }

    /// Restores the backup in `backup` as the store in `dir`. A store that
    /// is in use is never touched; a store that opens is replaced only when
    /// `replace` says so; a replaced (or damaged) store is kept in
    /// `dir/replaced-YYYYMMDDTHHMMSS`. After a restore, today's case numbers
    /// continue from [`RESTORED_DAY_SEQUENCE`].
    pub fn restore_from(
        backup: &Path,
        dir: &Path,
        options: &StoreOptions,
        replace: bool,
        now: Moment,
    ) -> Result<Restored, BackupError> {
        let checked = verify(backup)?;
        let io = |source| BackupError::Io { dir: dir.to_path_buf(), source };
        let made = directory::ensure_dir(dir).map_err(io)?;
        let found = {
            let _lock = directory::lock(dir).map_err(io)?.ok_or_else(|| StoreError::InUse(dir.to_path_buf()))?;
            directory::survey(dir).map_err(io)?
        };
        if found != Found::Absent {
            match Store::open(dir, options) {
                Ok(_) if !replace => return Err(BackupError::StoreThere(dir.to_path_buf())),
                Ok(store) => drop(store),
                Err(StoreError::InUse(d)) => return Err(StoreError::InUse(d).into()),
                // Not damaged: a newer onedoor's, which that onedoor opens.
                Err(e @ (StoreError::NewerSchema { .. } | StoreError::NewerFormat { .. })) if !replace => {
                    return Err(e.into())
                }
                Err(e) => tracing::warn!("restoring over a store that does not open: {e}"),
            }
        }
        let lock = directory::lock(dir).map_err(io)?.ok_or_else(|| StoreError::InUse(dir.to_path_buf()));
        let result = lock.map_err(BackupError::from).and_then(|_lock| install_backup(&checked, dir, options, now));
        if result.is_err() && made {
            let _ = fs::remove_dir(dir);
        }
        result
    }
}

/// Builds the restored store aside, puts the present one (if any) away, and
/// moves the restored one in, its journal last.
fn install_backup(checked: &Checked, dir: &Path, options: &StoreOptions, now: Moment) -> Result<Restored, BackupError> {
    let io = |source| BackupError::Io { dir: dir.to_path_buf(), source };
    let staging = directory::new_staging(dir).map_err(io)?;
    {
        // Every tree of the backup as it was (a backup of an older schema is
        // migrated when the restored store is first opened).
        let db = open_sled(&staging, options)?;
        for (name, entries) in &checked.trees {
            let tree = db.open_tree(name).map_err(|e| sled_error(dir, e))?;
            let mut batch = sled::Batch::default();
            for (k, v) in entries {
                batch.insert(k.as_slice(), v.as_slice());
            }
            tree.apply_batch(batch).map_err(|e| sled_error(dir, e))?;
        }
        let meta = db.open_tree(TREES[META].name).map_err(|e| sled_error(dir, e))?;
        // The restored store starts a journal of its own (generation 1).
        meta.insert(CHECKPOINT_KEY, &1u64.to_be_bytes()).map_err(|e| sled_error(dir, e))?;
        let counters = db.open_tree(TREES[COUNTERS].name).map_err(|e| sled_error(dir, e))?;
        for key in todays_sequence_keys(checked.trees.get(TREES[COUNTERS].name), now.date_naive()) {
            let current = counters.get(&key).map_err(|e| sled_error(dir, e))?;
            let current = current.as_deref().and_then(|v| v.try_into().ok()).map(u32::from_be_bytes).unwrap_or(0);
            if current < RESTORED_DAY_SEQUENCE {
                counters.insert(key, &RESTORED_DAY_SEQUENCE.to_be_bytes()).map_err(|e| sled_error(dir, e))?;
            }
        }
        db.flush().map_err(|e| sled_error(dir, e))?;
        // A restore is a bulk load: leave every page in one piece.
        compact_sled(&staging, &db)?;
    }
    Journal::create(&staging.join(JOURNAL), directory::SledSettings::of(&staging).compression).map_err(io)?;
    directory::sync_all_in(&staging).map_err(io)?;
    let replaced = directory::put_store_away(dir, &format!("replaced-{}", now.format("%Y%m%dT%H%M%S"))).map_err(io)?;
    directory::install(dir, &staging).map_err(io)?;
    Ok(Restored { cases: checked.manifest.cases, created_at: checked.manifest.created_at.clone(), replaced })
}

fn record_head(tree: u8, key: usize, value: usize) -> [u8; 9] {
    let mut head = [0u8; 9];
    head[0] = tree;
    head[1..5].copy_from_slice(&(key as u32).to_le_bytes());
    head[5..9].copy_from_slice(&(value as u32).to_le_bytes());
    head
}

/// Checks a backup in full: its manifest, the file's length and checksum,
/// every record, each tree's count and checksum, and that every record is
/// one this onedoor reads. A partial backup (no manifest) is refused.
pub fn verify(dir: &Path) -> Result<Checked, BackupError> {
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.exists() {
        if let Some(newest) = backups_in(dir).ok().and_then(|b| b.last().cloned()) {
            return Err(BackupError::Several { dir: dir.to_path_buf(), newest });
        }
        return Err(bad(dir, "it has no manifest.json (a backup that never finished, or not a backup)"));
    }
    let text = fs::read(&manifest_path).map_err(|e| bad(dir, format!("cannot read manifest.json: {e}")))?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| bad(dir, format!("manifest.json cannot be read: {e}")))?;
    if manifest.format != FORMAT {
        return Err(bad(dir, format!("it is of format {}, which this onedoor does not read", manifest.format)));
    }
    if manifest.schema > NEWEST_SCHEMA {
        return Err(StoreError::NewerSchema { found: manifest.schema }.into());
    }
    let mut bytes = Vec::new();
    File::open(dir.join(DATA_FILE))
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| bad(dir, format!("cannot read {DATA_FILE}: {e}")))?;
    if bytes.len() as u64 != manifest.file.bytes || crc32fast::hash(&bytes) != manifest.file.crc32 {
        return Err(bad(
            dir,
            format!(
                "{DATA_FILE} is damaged or cut short ({} bytes, the manifest says {})",
                bytes.len(),
                manifest.file.bytes
            ),
        ));
    }
    if !bytes.starts_with(MAGIC) {
        return Err(bad(dir, format!("{DATA_FILE} does not start as a backup does")));
    }
    let names: Vec<&str> = manifest.trees.iter().map(|t| t.name.as_str()).collect();
    let mut trees: BTreeMap<String, Entries> = BTreeMap::new();
    let mut sums: Vec<(u64, u64, crc32fast::Hasher)> = names.iter().map(|_| (0, 0, crc32fast::Hasher::new())).collect();
    let mut at = MAGIC.len();
    while at < bytes.len() {
        let head = bytes.get(at..at + 9).ok_or_else(|| bad(dir, "a record is cut short"))?;
        let tree = head[0] as usize;
        let klen = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let vlen = u32::from_le_bytes([head[5], head[6], head[7], head[8]]) as usize;
        let key = bytes.get(at + 9..at + 9 + klen).ok_or_else(|| bad(dir, "a record is cut short"))?;
        let value = bytes.get(at + 9 + klen..at + 9 + klen + vlen).ok_or_else(|| bad(dir, "a record is cut short"))?;
        let name = names.get(tree).ok_or_else(|| bad(dir, format!("a record names tree {tree}")))?;
        let (entries, size, crc) = &mut sums[tree];
        *entries += 1;
        *size += (klen + vlen) as u64;
        for part in [head, key, value] {
            crc.update(part);
        }
        trees.entry((*name).to_string()).or_default().push((key.to_vec(), value.to_vec()));
        at += 9 + klen + vlen;
    }
    for (sum, (entries, size, crc)) in manifest.trees.iter().zip(sums) {
        if (sum.entries, sum.bytes, sum.crc32) != (entries, size, crc.finalize()) {
            return Err(bad(dir, format!("its tree {} does not match the manifest", sum.name)));
        }
    }
    // Every case record must be one this onedoor reads: schema 1 kept one
    // per entry of `cases`, schema 2 keeps them in runs.
    let (tree, in_runs) = if manifest.schema < 2 { ("cases", false) } else { (TREES[CASES].name, true) };
    for (key, value) in trees.get(tree).map(Vec::as_slice).unwrap_or_default() {
        let records = match in_runs {
            false => vec![(key.clone(), value.clone())],
            true => runs::Run::decode(value)
                .map_err(|e| bad(dir, format!("a run of case records cannot be read: {}", e.0)))?
                .items()
                .to_vec(),
        };
        for (key, record) in records {
            if let Err(e) = super::decode_case(&record) {
                let id = String::from_utf8_lossy(&key);
                return Err(bad(dir, format!("case {id} cannot be read: {e}")));
            }
        }
    }
    Ok(Checked { dir: dir.to_path_buf(), manifest, trees })
}

/// The complete backups directly in `parent`, oldest first.
pub fn backups_in(parent: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = fs::read_dir(parent)?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(BACKUP_PREFIX))
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST).is_file())
        .collect();
    found.sort();
    Ok(found)
}

/// Keeps the `keep` newest complete backups in `parent`, removes older ones;
/// returns those removed.
pub fn rotate(parent: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let all = backups_in(parent)?;
    let old = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for path in all.into_iter().take(old) {
        fs::remove_dir_all(&path)?;
        removed.push(path);
    }
    Ok(removed)
}

/// A writer that counts and checksums what goes through it.
struct Summing<W: Write> {
    inner: W,
    bytes: u64,
    crc: crc32fast::Hasher,
}

impl<W: Write> Summing<W> {
    fn new(inner: W) -> Summing<W> {
        Summing { inner, bytes: 0, crc: crc32fast::Hasher::new() }
    }

    fn finish(self) -> (W, u64, u32) {
        (self.inner, self.bytes, self.crc.finalize())
    }
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Today's sequence keys of every window the backup numbered cases for.
fn todays_sequence_keys(counters: Option<&Entries>, today: chrono::NaiveDate) -> Vec<Vec<u8>> {
    let mut windows: Vec<&[u8]> = Vec::new();
    for (key, _) in counters.map(Vec::as_slice).unwrap_or_default() {
        // seq/{town}-{window}/{yyyymmdd}
        if let Some(end) = key.iter().rposition(|b| *b == b'/').filter(|_| key.starts_with(b"seq/")) {
            if !windows.contains(&&key[..=end]) {
                windows.push(&key[..=end]);
            }
        }
    }
    let day = today.format("%Y%m%d").to_string();
    windows.into_iter().map(|w| [w, day.as_bytes()].concat()).collect()
}

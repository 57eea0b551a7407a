//! The commit journal: what makes a commit durable with ONE `fdatasync`.
//!
//! sled 0.34 cannot make a single write durable cheaply (its `flush` is a
//! `sync_file_range`, and a real fsync of its file costs a second device sync).
//! So every transaction's writes are first appended here, to a preallocated
//! file overwritten in place (no metadata to sync), and synced with
//! `fdatasync`; only then are they applied to sled and the commit reported.
//! sled itself is synced only at a checkpoint (the journal is nearly full, a
//! clean close), after which the journal starts a new generation. On open, the
//! records of the current generation are applied to sled again in commit
//! order: whatever sled had kept, the result is every commit, exactly.
//!
//! Layout: a 16-byte header (`ODJ1`, format, generation), then records
//! `[generation u64][length u32][crc32 u32][payload]`, the payload being the
//! bincode list of writes. Format 1 holds them as they are: the journal of a
//! store whose pages are uncompressed (every new store, and every store made
//! before onedoor compressed pages), so that any onedoor that reads such a
//! store reads its journal too. Format 2 compresses them with zstd: the
//! journal of a store whose pages are compressed (made by the onedoor that
//! compressed new stores' pages). A generation is written in one format; a
//! newer format is refused as a newer onedoor's.
//! Reading stops at the first record of another generation or with a bad
//! checksum (a torn last write, or older records).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"ODJ1";
/// The newest format this onedoor reads and writes: records compressed.
const FORMAT: u32 = 2;
/// Records as they are (the first format).
const PLAIN: u32 = 1;
/// zstd's level for records: its fastest (a commit waits for it).
const LEVEL: i32 = 1;
const HEADER: u64 = 16;
const RECORD_HEAD: usize = 16;
/// The journal file's size: written once with zeros, then overwritten in place.
pub const CAPACITY: u64 = 8 * 1024 * 1024;

/// One write of a committed transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub tree: u8,
    pub key: Vec<u8>,
    /// `None` removes the key.
    pub value: Option<Vec<u8>>,
}

pub struct Journal {
    file: File,
    /// The format of the current generation's records.
    format: u32,
    /// The format the next generation is written in.
    next_format: u32,
    /// Kept from one record to the next: making a zstd context runs `cpuid`
    /// three times, about 40 us in a virtual machine (13 us each here).
    compressor: Option<Box<zstd::block::Compressor>>,
    generation: u64,
    /// Where the next record goes.
    end: u64,
}

/// Why a journal cannot be opened.
#[derive(Debug)]
pub enum OpenError {
    Io(std::io::Error),
    /// Not a journal this onedoor can read: a damaged header, or a file cut short.
    Unreadable,
    /// A journal of a format this onedoor does not know: a newer onedoor's.
    NewerFormat(u32),
    /// A record that cannot be read, with intact records of the same
    /// generation after it: commits were saved after the damaged one, so
    /// stopping there would silently lose them.
    DamagedRecord {
        /// Where the damaged record starts, in bytes from the start of the file.
        offset: u64,
        /// Commits before it (readable) and intact commits found after it.
        before: usize,
        after: usize,
    },
}

impl From<std::io::Error> for OpenError {
    fn from(e: std::io::Error) -> OpenError {
        OpenError::Io(e)
    }
}

impl Journal {
    /// Opens the journal of an existing store; returns it with the
    /// transactions of its current generation, oldest first, still to be
    /// applied. Reading stops at the end of the current generation: a torn
    /// last record (a commit that was never reported) is not one; a damaged
    /// record followed by intact ones is an error.
    pub fn open(path: &Path) -> Result<(Journal, Vec<Vec<Op>>), OpenError> {
        let mut file = OpenOptions::new().read(true).write(true).open(path)?;
        let mut header = [0u8; HEADER as usize];
        let readable = file.metadata()?.len() >= CAPACITY && file.read_exact(&mut header).is_ok();
        let format = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if !readable || &header[..4] != MAGIC || format == 0 {
            // Never start afresh over what may be unapplied commits.
            return Err(OpenError::Unreadable);
        }
        if format > FORMAT {
            return Err(OpenError::NewerFormat(format));
        }
        let generation = u64::from_le_bytes(header[8..16].try_into().unwrap_or([0; 8]));
        let mut rest = Vec::new();
        file.read_to_end(&mut rest)?;
        let mut pending = Vec::new();
        let mut at = 0usize;
        while let Some((ops, len)) = record_at(&rest, at, generation, format) {
            pending.push(ops);
            at += RECORD_HEAD + len;
        }
        let after = intact_records_after(&rest, at, generation, format);
        if after > 0 {
            return Err(OpenError::DamagedRecord { offset: HEADER + at as u64, before: pending.len(), after });
        }
        Ok((
            Journal { file, format, next_format: FORMAT, compressor: None, generation, end: HEADER + at as u64 },
            pending,
        ))
    }

    /// Writes the next generations uncompressed (format 1), as for a store
    /// whose pages are uncompressed (which any onedoor reads).
    pub fn keep_uncompressed(&mut self) {
        self.next_format = PLAIN;
    }

    /// The current generation (one more at every checkpoint).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Builds a new, empty journal beside `path` and renames it into place, so
    /// `path` is only ever absent or whole. Its records are `compressed` (format
    /// 2) when the database's pages are, as they are (format 1) otherwise.
    pub fn create(path: &Path, compressed: bool) -> std::io::Result<Journal> {
        let mut aside = path.as_os_str().to_owned();
        aside.push(".new");
        let aside = std::path::PathBuf::from(aside);
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&aside)?;
        let format = if compressed { FORMAT } else { PLAIN };
        let mut journal = Journal { file, format, next_format: format, compressor: None, generation: 0, end: HEADER };
        journal.preallocate()?;
        std::fs::rename(&aside, path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(journal)
    }

    fn preallocate(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        let zeros = vec![0u8; 64 * 1024];
        let mut left = CAPACITY;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            self.file.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        self.file.sync_all()?;
        self.reset()
    }

    /// Starts a new generation: every earlier record is no longer needed
    /// (the caller has made sled durable first).
    pub fn reset(&mut self) -> std::io::Result<()> {
        if self.file.metadata()?.len() > CAPACITY {
            // A very large import grew the file: back to the preallocated size.
            self.file.set_len(CAPACITY)?;
            self.file.sync_all()?;
        }
        self.generation = self.generation.wrapping_add(1);
        self.format = self.next_format;
        let mut header = Vec::with_capacity(HEADER as usize);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&self.format.to_le_bytes());
        header.extend_from_slice(&self.generation.to_le_bytes());
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&header)?;
        self.file.sync_data()?;
        self.end = HEADER;
        Ok(())
    }

    /// The encoded record for `ops`.
    pub fn record(&mut self, ops: &[Op]) -> std::io::Result<Vec<u8>> {
        let mut payload = bincode::serde::encode_to_vec(ops, bincode::config::standard())
            .map_err(|e| std::io::Error::other(format!("cannot encode a journal record: {e}")))?;
        if self.format == FORMAT {
            payload = self
                .compressor
                .get_or_insert_with(|| Box::new(zstd::block::Compressor::new()))
                .compress(&payload, LEVEL)?;
        }
        if payload.len() > u32::MAX as usize {
            return Err(std::io::Error::other("a transaction is too large for the journal"));
        }
        let mut record = Vec::with_capacity(RECORD_HEAD + payload.len());
        record.extend_from_slice(&self.generation.to_le_bytes());
        record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        record.extend_from_slice(&checksum(self.generation, &payload).to_le_bytes());
        record.extend_from_slice(&payload);
        drop(payload);
        // Room for the zeroed record head `append` writes after it, so a large
        // record is never copied again.
        record.reserve_exact(RECORD_HEAD);
        Ok(record)
    }

    /// The record for `ops`, made for the generation it is appended in:
    /// where it does not fit beside the records the journal holds,
    /// `make_room` is called first (a checkpoint, which resets the journal)
    /// and the record made again, since a record carries its journal's
    /// generation (and format) and an open reads no record of another.
    pub fn record_with_room<E>(
        &mut self,
        ops: &[Op],
        io: impl Fn(std::io::Error) -> E,
        make_room: impl FnOnce(&mut Journal) -> Result<(), E>,
    ) -> Result<Vec<u8>, E> {
        let record = self.record(ops).map_err(&io)?;
        if self.has_room(&record) || self.used() == 0 {
            return Ok(record);
        }
        drop(record);
        make_room(self)?;
        self.record(ops).map_err(io)
    }

    /// Does a record of this size (and the zeroed head after it) fit in the preallocated file?
    pub fn has_room(&self, record: &[u8]) -> bool {
        self.end + (record.len() + RECORD_HEAD) as u64 <= CAPACITY
    }

    /// Time for a checkpoint: three quarters of the preallocated file are used.
    pub fn nearly_full(&self) -> bool {
        self.end > CAPACITY / 4 * 3
    }

    /// Appends a record and makes it durable: one `fdatasync` in the
    /// preallocated file; a record beyond its end (a very large import) grows
    /// the file and syncs its size too.
    pub fn append(&mut self, record: &mut Vec<u8>) -> std::io::Result<()> {
        // The record and a zeroed record head after it, in one write: the next
        // open stops reading there, never at an older record further on.
        let len = record.len();
        record.extend_from_slice(&[0u8; RECORD_HEAD]);
        self.file.seek(SeekFrom::Start(self.end))?;
        let written = self.file.write_all(record);
        record.truncate(len);
        written?;
        if self.end + (len + RECORD_HEAD) as u64 > CAPACITY {
            self.file.sync_all()?; // the file grew: its size must be durable too
        } else {
            self.file.sync_data()?;
        }
        self.end += len as u64;
        Ok(())
    }

    /// Records appended since the last reset, in bytes.
    pub fn used(&self) -> u64 {
        self.end - HEADER
    }
}

/// The record starting `at` in `rest` (the file after its header), if it is
/// one of `generation` and intact: its writes and its payload's length.
fn record_at(rest: &[u8], at: usize, generation: u64, format: u32) -> Option<(Vec<Op>, usize)> {
    let head = rest.get(at..at + RECORD_HEAD)?;
    let gen = u64::from_le_bytes(head[..8].try_into().ok()?);
    let len = u32::from_le_bytes(head[8..12].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(head[12..16].try_into().ok()?);
    if gen != generation || len == 0 {
        return None;
    }
    let payload = rest.get(at + RECORD_HEAD..at + RECORD_HEAD + len)?;
    if checksum(gen, payload) != crc {
        return None;
    }
    let unpacked;
    let payload = if format == FORMAT {
        unpacked = zstd::stream::decode_all(payload).ok()?;
        unpacked.as_slice()
    } else {
        payload
    };
    let (ops, _) = bincode::serde::decode_from_slice::<Vec<Op>, _>(payload, bincode::config::standard()).ok()?;
    Some((ops, len))
}

/// How many intact records of `generation` lie anywhere after `from`. After
/// the true end of a generation there are none: only zeros, and records of
/// older generations. One found means the record at `from` is damaged.
fn intact_records_after(rest: &[u8], from: usize, generation: u64, format: u32) -> usize {
    let tag = generation.to_le_bytes();
    let start = from + 1;
    let (mut found, mut next) = (0, start);
    for hit in memchr::memmem::find_iter(rest.get(start..).unwrap_or_default(), &tag) {
        let at = start + hit;
        if at < next {
            continue;
        }
        if let Some((_, len)) = record_at(rest, at, generation, format) {
            found += 1;
            next = at + RECORD_HEAD + len;
        }
    }
    found
}

fn checksum(generation: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&generation.to_le_bytes());
    h.update(payload);
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(k: u8) -> Vec<Op> {
        vec![Op { tree: 1, key: vec![k], value: Some(vec![k; 10]) }, Op { tree: 2, key: vec![k], value: None }]
    }

    fn journal_with(path: &Path, records: &[Vec<Op>]) -> Vec<u64> {
        let mut j = Journal::create(path, true).unwrap();
        let mut offsets = Vec::new();
        for ops in records {
            offsets.push(j.end);
            let mut r = j.record(ops).unwrap();
            j.append(&mut r).unwrap();
        }
        offsets
    }

    fn pending(path: &Path) -> Vec<Vec<Op>> {
        match Journal::open(path) {
            Ok((_, pending)) => pending,
            Err(e) => panic!("the journal does not open: {e:?}"),
        }
    }

    /// A record too large for the room left is appended after the room is
    /// made, as a record of the new generation, and read back at the next
    /// open (it was made before the reset, with the old generation, and the
    /// open read nothing).
    #[test]
    fn a_record_too_large_for_the_room_left_is_made_for_the_journal_after_its_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::create(&path, false).unwrap();
        let mut small = j.record(&op(0)).unwrap();
        j.append(&mut small).unwrap();
        let large = vec![Op { tree: 3, key: vec![1], value: Some(vec![7; CAPACITY as usize]) }];
        let mut made_room = false;
        let mut record = j
            .record_with_room(
                &large,
                |e| e,
                |j| {
                    made_room = true;
                    j.reset()
                },
            )
            .unwrap();
        j.append(&mut record).unwrap();
        assert!(made_room);
        assert_eq!(pending(&path), vec![large]);
        // With room, nothing is made.
        let mut j = Journal::create(&dir.path().join("another"), false).unwrap();
        let record = j.record_with_room(&op(1), |e| e, |_| panic!("there was room")).unwrap();
        assert_eq!(record, j.record(&op(1)).unwrap());
    }

    #[test]
    fn records_come_back_in_order_until_a_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        journal_with(&path, &[op(0), op(1), op(2)]);
        assert_eq!(pending(&path), vec![op(0), op(1), op(2)]);
        let (mut j, _) = Journal::open(&path).unwrap();
        j.reset().unwrap();
        let mut r = j.record(&op(9)).unwrap();
        j.append(&mut r).unwrap();
        drop(j);
        // The older generation's records further on are never read again.
        assert_eq!(pending(&path), vec![op(9)]);
    }

    #[test]
    fn a_torn_last_record_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::create(&path, true).unwrap();
        let mut r = j.record(&op(1)).unwrap();
        j.append(&mut r).unwrap();
        let mut torn = j.record(&op(2)).unwrap();
        let last = torn.len() - 1;
        torn[last] ^= 0xff;
        j.append(&mut torn).unwrap();
        drop(j);
        assert_eq!(pending(&path), vec![op(1)]);
    }

    #[test]
    fn a_record_cut_off_at_any_byte_is_the_end_not_damage() {
        // A kill in the middle of the last append leaves any prefix of it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let offsets = journal_with(&path, &[op(1), op(2)]);
        let whole = std::fs::read(&path).unwrap();
        let last = offsets[1] as usize;
        let len = Journal::create(&dir.path().join("other"), true).unwrap().record(&op(2)).unwrap().len();
        for cut in 0..len {
            let mut bytes = whole.clone();
            bytes[last + cut..last + len].fill(0xa5); // what the file held there before
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(pending(&path), vec![op(1)], "cut after {cut} bytes");
        }
    }

    #[test]
    fn a_damaged_record_with_intact_ones_after_it_stops_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let offsets = journal_with(&path, &[op(1), op(2), op(3), op(4)]);
        // One byte of the second record's payload, then (another time) of its length.
        for at in [offsets[1] + RECORD_HEAD as u64 + 3, offsets[1] + 8] {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes[at as usize] ^= 0x40;
            let damaged = dir.path().join("damaged");
            std::fs::write(&damaged, &bytes).unwrap();
            match Journal::open(&damaged) {
                Err(OpenError::DamagedRecord { offset, before, after }) => {
                    assert_eq!((offset, before, after), (offsets[1], 1, 2));
                }
                other => panic!("expected a damaged record, got {:?}", other.map(|(_, p)| p)),
            }
        }
    }

    #[test]
    fn a_damaged_header_stops_the_open_instead_of_dropping_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        journal_with(&path, &[op(1)]);
        let mut f = OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(b"XXXX").unwrap();
        drop(f);
        assert!(matches!(Journal::open(&path), Err(OpenError::Unreadable)));
    }

    #[test]
    fn a_cut_short_journal_with_records_stops_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        journal_with(&path, &[op(1)]);
        OpenOptions::new().write(true).open(&path).unwrap().set_len(4096).unwrap();
        assert!(matches!(Journal::open(&path), Err(OpenError::Unreadable)));
    }

    #[test]
    fn a_journal_of_uncompressed_records_is_read_and_goes_on_uncompressed_when_kept_so() {
        // As onedoor writes it for a store of uncompressed pages (format 1).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::create(&path, false).unwrap();
        for k in [1, 2] {
            let mut r = j.record(&op(k)).unwrap();
            j.append(&mut r).unwrap();
        }
        drop(j);
        let bytes = std::fs::read(&path).unwrap();
        let plain = bincode::serde::encode_to_vec(op(1), bincode::config::standard()).unwrap();
        assert!(memchr::memmem::find(&bytes, &plain).is_some(), "the records are as they are");
        let (mut j, replayed) = Journal::open(&path).unwrap();
        assert_eq!(replayed, vec![op(1), op(2)]);
        // More commits before a checkpoint go on in that generation's format.
        let mut r = j.record(&op(3)).unwrap();
        j.append(&mut r).unwrap();
        drop(j);
        let big: Vec<Op> = (0..200u8).map(|k| Op { tree: 2, key: vec![k; 30], value: Some(vec![7; 1000]) }).collect();
        let format_after_a_checkpoint = |keep: bool| {
            let (mut j, replayed) = Journal::open(&path).unwrap();
            assert_eq!(replayed.len(), if keep { 3 } else { 1 });
            if keep {
                j.keep_uncompressed();
            }
            j.reset().unwrap();
            let mut r = j.record(&big).unwrap();
            j.append(&mut r).unwrap();
            drop(j);
            assert_eq!(pending(&path), vec![big.clone()]);
            let header = std::fs::read(&path).unwrap()[4..8].to_vec();
            (u32::from_le_bytes(header.try_into().unwrap()), r.len())
        };
        // A store made before compression: the onedoor that made it must still read it.
        let (format, len) = format_after_a_checkpoint(true);
        assert_eq!((format, len > 200 * 1000), (PLAIN, true), "kept uncompressed: {len} bytes");
        let (format, len) = format_after_a_checkpoint(false);
        assert_eq!((format, len < 200 * 1000 / 4), (FORMAT, true), "compressed: {len} bytes");
    }

    #[test]
    fn a_journal_of_a_newer_format_is_refused_as_a_newer_onedoors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        journal_with(&path, &[op(1)]);
        let mut f = OpenOptions::new().write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start(4)).unwrap();
        f.write_all(&(FORMAT + 1).to_le_bytes()).unwrap();
        drop(f);
        assert!(matches!(Journal::open(&path), Err(OpenError::NewerFormat(3))));
    }

    #[test]
    fn older_records_after_a_reset_are_never_replayed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        journal_with(&path, &[op(0), op(1), op(2)]);
        let (mut j, _) = Journal::open(&path).unwrap();
        j.reset().unwrap();
        let mut r = j.record(&op(7)).unwrap();
        j.append(&mut r).unwrap();
        drop(j);
        assert_eq!(pending(&path), vec![op(7)]);
    }
}

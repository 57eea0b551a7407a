//! The embedded store's commit log: received cases are acknowledged once
//! they are here, with one `fdatasync` for a whole group of requests.
//!
//! sled 0.34 cannot make a write durable cheaply (`flush` is a
//! `sync_file_range`, and a real fsync of its file is a second device sync),
//! so each group of new cases is appended to this preallocated file, which is
//! overwritten in place (no size or block allocation to sync), synced, and only
//! then applied to sled. sled is made durable at checkpoints, after which the
//! log starts a new generation; at open the current generation's entries are
//! applied again (applying is idempotent: a case held already is skipped).
//!
//! Layout: `ODDL`, format (u32), generation (u64); then entries
//! `[length u32][crc32 of generation ++ payload, u32][payload]`, ended by a
//! zero length. An entry of an older generation fails its checksum, so
//! reading stops at the first one, as at a torn last write.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"ODDL";
const FORMAT: u32 = 1;
const HEADER_LEN: u64 = 16;
const ENTRY_HEAD: usize = 8;
/// The preallocated size of the log.
pub const CAPACITY: u64 = 32 * 1024 * 1024;

pub struct Log {
    file: File,
    generation: u64,
    /// Where the next entry goes.
    end: u64,
}

fn crc(generation: u64, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&generation.to_le_bytes());
    h.update(payload);
    h.finalize()
}

impl Log {
    /// Opens the log at `path` (making it if there is none) with the payloads
    /// of its current generation, oldest first: the entries to apply again.
    pub fn open(path: &Path) -> std::io::Result<(Log, Vec<Vec<u8>>)> {
        let mut file = match OpenOptions::new().read(true).write(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Log::make(path).map(|log| (log, Vec::new())),
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        if bytes.iter().all(|&b| b == 0) {
            // Stopped while being made: nothing was ever acknowledged from it.
            drop(file);
            return Log::make(path).map(|log| (log, Vec::new()));
        }
        if bytes.len() < HEADER_LEN as usize
            || &bytes[..4] != MAGIC
            || u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) != FORMAT
        {
            return Err(std::io::Error::other(format!(
                "the commit log {} is not one this onedoor-district can read; keep it and ask for support",
                path.display()
            )));
        }
        let generation = u64::from_le_bytes(bytes[8..16].try_into().unwrap_or([0; 8]));
        let mut payloads = Vec::new();
        let mut at = HEADER_LEN as usize;
        while at + ENTRY_HEAD <= bytes.len() {
            let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4])) as usize;
            let sum = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap_or([0; 4]));
            let start = at + ENTRY_HEAD;
            if len == 0 || start + len > bytes.len() || crc(generation, &bytes[start..start + len]) != sum {
                break;
            }
            payloads.push(bytes[start..start + len].to_vec());
            at = start + len;
        }
        Ok((Log { file, generation, end: at as u64 }, payloads))
    }

    /// Writes a zeroed log beside `path` and renames it into place, so the
    /// log is only ever absent or whole.
    fn make(path: &Path) -> std::io::Result<Log> {
        let mut aside = path.as_os_str().to_owned();
        aside.push(".new");
        let aside = PathBuf::from(aside);
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&aside)?;
        let block = vec![0u8; 1024 * 1024];
        for _ in 0..CAPACITY / block.len() as u64 {
            file.write_all(&block)?;
        }
        file.sync_all()?;
        std::fs::rename(&aside, path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        let mut log = Log { file, generation: 0, end: HEADER_LEN };
        log.restart()?;
        Ok(log)
    }

    /// Starts a new generation: the entries so far are no longer needed
    /// (the caller has made sled durable).
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.generation = self.generation.wrapping_add(1);
        let mut header = [0u8; HEADER_LEN as usize + ENTRY_HEAD];
        header[..4].copy_from_slice(MAGIC);
        header[4..8].copy_from_slice(&FORMAT.to_le_bytes());
        header[8..16].copy_from_slice(&self.generation.to_le_bytes());
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&header)?;
        self.file.sync_data()?;
        self.end = HEADER_LEN;
        Ok(())
    }

    /// Bytes that `payloads` take in the log.
    pub fn size_of(payloads: &[Vec<u8>]) -> u64 {
        payloads.iter().map(|p| (ENTRY_HEAD + p.len()) as u64).sum()
    }

    /// Is there room for `bytes` more (and the end mark) before the preallocated end?
    pub fn has_room(&self, bytes: u64) -> bool {
        self.end + bytes + ENTRY_HEAD as u64 <= CAPACITY
    }

    /// Time for a checkpoint: three quarters used.
    pub fn nearly_full(&self) -> bool {
        self.end > CAPACITY / 4 * 3
    }

    /// Has anything been appended since the last restart?
    pub fn is_empty(&self) -> bool {
        self.end == HEADER_LEN
    }

    /// Appends the payloads and the end mark in one write and makes them
    /// durable with one `fdatasync`. The caller checks [`Log::has_room`] first.
    pub fn append(&mut self, payloads: &[Vec<u8>]) -> std::io::Result<()> {
        let size = Log::size_of(payloads);
        if !self.has_room(size) {
            return Err(std::io::Error::other("the commit log is full"));
        }
        let mut bytes = Vec::with_capacity(size as usize + ENTRY_HEAD);
        for payload in payloads {
            let len = u32::try_from(payload.len()).map_err(|_| std::io::Error::other("an entry is too large"))?;
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(&crc(self.generation, payload).to_le_bytes());
            bytes.extend_from_slice(payload);
        }
        bytes.extend_from_slice(&[0u8; ENTRY_HEAD]);
        self.file.seek(SeekFrom::Start(self.end))?;
        self.file.write_all(&bytes)?;
        self.file.sync_data()?;
        self.end += size;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: u8) -> Vec<Vec<u8>> {
        (0..n).map(|k| vec![k; 10 + usize::from(k)]).collect()
    }

    #[test]
    fn entries_come_back_until_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let (mut log, pending) = Log::open(&path).unwrap();
        assert!(pending.is_empty() && log.is_empty());
        log.append(&entries(2)).unwrap();
        log.append(&entries(1)).unwrap();
        drop(log);
        let (mut log, pending) = Log::open(&path).unwrap();
        assert_eq!(pending, [entries(2), entries(1)].concat());
        log.restart().unwrap();
        log.append(&[b"after".to_vec()]).unwrap();
        drop(log);
        // The longer older generation further on is never read again.
        let (_, pending) = Log::open(&path).unwrap();
        assert_eq!(pending, vec![b"after".to_vec()]);
    }

    #[test]
    fn a_torn_last_entry_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let (mut log, _) = Log::open(&path).unwrap();
        log.append(&[b"first".to_vec(), b"second".to_vec()]).unwrap();
        drop(log);
        let mut bytes = std::fs::read(&path).unwrap();
        let second = HEADER_LEN as usize + ENTRY_HEAD + 5 + ENTRY_HEAD;
        bytes[second] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let (_, pending) = Log::open(&path).unwrap();
        assert_eq!(pending, vec![b"first".to_vec()]);
    }

    #[test]
    fn a_damaged_header_stops_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let (mut log, _) = Log::open(&path).unwrap();
        log.append(&entries(1)).unwrap();
        drop(log);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[0] = b'X';
        std::fs::write(&path, bytes).unwrap();
        let err = Log::open(&path).err().unwrap();
        assert!(err.to_string().contains("not one this onedoor-district can read"), "{err}");
    }

    #[test]
    fn a_log_stopped_while_being_made_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, vec![0u8; 4096]).unwrap();
        let (mut log, pending) = Log::open(&path).unwrap();
        assert!(pending.is_empty());
        log.append(&entries(1)).unwrap();
        drop(log);
        assert_eq!(Log::open(&path).unwrap().1, entries(1));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), CAPACITY);
    }
}

//! Files only their owner may read (mode 0600), for everything that holds
//! full ID numbers: the store's backups, exports, the counter's draft.
//! Directories made for them are 0700.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Creates (or empties) a file readable and writable by its owner only; a
/// file that was there with a wider mode is narrowed first.
pub fn create(path: &Path) -> io::Result<File> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

/// Writes `bytes` to `path` durably and whole: a 0600 file beside it, synced,
/// renamed over `path`, and the directory synced. A crash leaves the old
/// file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    let aside = dir.join(format!(".{name}.new"));
    let mut f = create(&aside)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&aside, path)?;
    File::open(dir)?.sync_all()
}

/// Makes a directory (and its parents) that only its owner may enter.
pub fn create_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_the_owners_only_even_when_they_were_open_before() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("export.jsonl");
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        create(&p).unwrap().write_all(b"new").unwrap();
        assert_eq!((mode(&p), fs::read(&p).unwrap()), (0o600, b"new".to_vec()));
        let q = dir.path().join("draft.json");
        write_atomically(&q, b"{}").unwrap();
        assert_eq!((mode(&q), fs::read(&q).unwrap()), (0o600, b"{}".to_vec()));
        let d = dir.path().join("a/b");
        create_dir(&d).unwrap();
        assert_eq!(mode(&d), 0o700);
    }
}

//! `onedoor backup`, `backup --verify`, `restore`, and what a damaged store says.

mod common;

use common::*;

#[test]
fn a_backup_restores_into_a_new_store_with_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backups, other) = (dir.path().join("data"), dir.path().join("backups"), dir.path().join("other"));
    let ids: Vec<String> = (1..=3).map(|n| add(&data, &case_json(&person(n), "100"))).collect();
    let r = run(&data, &["backup", backups.to_str().unwrap(), "--keep", "14"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let made = r.stdout.trim().to_string();
    let v = run(&data, &["backup", "--verify", &made], None);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert!(v.stdout.contains("3 cases") && v.stdout.contains("complete and intact"), "{}", v.stdout);
    let r = run(&other, &["restore", &made], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed = run(&other, &["case", "list"], None).stdout;
    for id in &ids {
        assert!(listed.contains(id.as_str()), "{id} is restored: {listed}");
    }
    // Restoring over a store that opens needs --replace.
    assert_refused(&run(&data, &["restore", &made], None), "--replace");
    // A restore makes a new store: its pages uncompressed, whatever the store backed up was.
    let conf = String::from_utf8_lossy(&std::fs::read(other.join("conf")).unwrap()).into_owned();
    assert!(conf.contains("use_compression: false"), "{conf}");
}

/// A store made compressed (by the onedoor that compressed sled's pages, its
/// last case's commit still in its journal) is backed up with every case, and
/// its restore is a new store of uncompressed pages.
#[test]
fn a_compressed_stores_backup_restores_into_an_uncompressed_store() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backups, other) = (dir.path().join("data"), dir.path().join("backups"), dir.path().join("other"));
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-compressed");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "README.md" {
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
    }
    std::fs::File::options().write(true).open(data.join("journal")).unwrap().set_len(8 << 20).unwrap();
    let r = run(&data, &["backup", backups.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&other, &["restore", r.stdout.trim()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed = run(&other, &["case", "list", "--day", "2026-12-03"], None).stdout;
    for n in 1..=9 {
        assert!(listed.contains(&format!("320106001-01-20261203-{n:04}")), "case {n} is restored: {listed}");
    }
    let conf = String::from_utf8_lossy(&std::fs::read(other.join("conf")).unwrap()).into_owned();
    assert!(conf.contains("use_compression: false"), "{conf}");
    let conf = String::from_utf8_lossy(&std::fs::read(data.join("conf")).unwrap()).into_owned();
    assert!(conf.contains("use_compression: true"), "the store backed up is as it was: {conf}");
}

/// A store whose journal is of a format this onedoor does not know (a newer
/// onedoor's) is refused as a newer onedoor's, not as damaged (which would
/// send the clerk to restore a backup over it), and a restore does not
/// replace it unless told to.
#[test]
fn a_newer_onedoors_store_is_refused_as_such_and_not_restored_over() {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().unwrap();
    let (data, backups) = (dir.path().join("data"), dir.path().join("backups"));
    add(&data, &case_json(&person(1), "100"));
    let made = run(&data, &["backup", backups.to_str().unwrap()], None).stdout.trim().to_string();
    let mut journal = std::fs::OpenOptions::new().write(true).open(data.join("journal")).unwrap();
    journal.seek(SeekFrom::Start(4)).unwrap();
    journal.write_all(&9u32.to_le_bytes()).unwrap();
    drop(journal);
    let before = std::fs::read(data.join("journal")).unwrap();
    let r = run(&data, &["case", "list"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("written by a newer onedoor") && !r.stderr.contains("damaged"), "{}", r.stderr);
    let r = run(&data, &["restore", &made], None);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("written by a newer onedoor"), "{}", r.stderr);
    assert_eq!(std::fs::read(data.join("journal")).unwrap(), before, "the store is as it was");
    assert!(!std::fs::read_dir(&data).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("replaced")));
}

#[test]
fn a_damaged_backup_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backups) = (dir.path().join("data"), dir.path().join("backups"));
    add(&data, &case_json(&person(1), "100"));
    let made = run(&data, &["backup", backups.to_str().unwrap()], None).stdout.trim().to_string();
    let file = std::path::Path::new(&made).join("trees.bin");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&file, bytes).unwrap();
    assert_refused(&run(&data, &["backup", "--verify", &made], None), "damaged or cut short");
    let target = dir.path().join("target");
    assert_refused(&run(&target, &["restore", &made], None), "damaged or cut short");
    assert!(!target.exists(), "nothing is made from a damaged backup");
}

#[test]
fn a_damaged_store_says_where_it_is_what_is_wrong_and_how_to_restore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add(d, &case_json(&person(1), "100"));
    std::fs::remove_file(d.join("db")).unwrap();
    let r = run(d, &["case", "list"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    for says in [d.to_str().unwrap(), "the file `db`) is missing", "onedoor restore"] {
        assert!(r.stderr.contains(says), "'{}' should say '{says}'", r.stderr.trim());
    }
    assert!(!d.join("db").exists(), "a deleted database does not come back empty");
}

#[test]
fn a_backup_of_a_store_in_use_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    add(&d, &case_json(&person(1), "100"));
    let _held = onedoor::store::Store::open(&d, &Default::default()).unwrap();
    let r = run(&d, &["backup", dir.path().join("b").to_str().unwrap()], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("in use by another onedoor process"), "{}", r.stderr);
}

//! Opening a store that has not changed since it was last opened does not
//! write its log's free segments again. sled 0.34.7 as published overwrote
//! every free segment with zeros at every start, even those it had zeroed at
//! the start before: at 1,000,000 cases 45 MB written at each open of the
//! counter, on a kiosk's flash (vendor/sled/ONEDOOR.md, patch 7). Alone in
//! its test binary: it counts what this process writes.

use chrono::{DateTime, Duration, FixedOffset};
use onedoor::bench::{person_number, seed};
use onedoor::store::{Store, StoreOptions};

const MIB: u64 = 1 << 20;

/// Bytes this process has written so far (`wchar` of /proc/self/io).
fn written() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap();
    io.lines().find_map(|l| l.strip_prefix("wchar:")).unwrap().trim().parse().unwrap()
}

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap()
}

/// What opening the store in `dir` (and its first answer) writes.
fn written_by_open(dir: &std::path::Path) -> u64 {
    let before = written();
    let store = Store::open(dir, &StoreOptions::default()).unwrap();
    store.cases_of_person(&person_number(0)).unwrap();
    let wrote = written() - before;
    drop(store);
    wrote
}

#[test]
fn opening_an_unchanged_store_again_does_not_write_its_free_segments_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
    seed(&store, 20_000, at().date_naive() - Duration::days(1), *at().offset()).unwrap();
    // As after a restore or a migration: every page written again in one
    // piece, so the segments that held them are free.
    store.compact().unwrap();
    drop(store);

    // The first open after that clears the segments freed by it.
    let first = written_by_open(dir.path());
    assert!(first >= 3 * MIB, "the compaction left free segments holding old pages: the open wrote {first} bytes");
    // Nothing was freed since: the next open writes none of them again.
    let second = written_by_open(dir.path());
    eprintln!("the first open after the compaction wrote {first} bytes, the next {second}");
    assert!(second < 2 * MIB, "the second open wrote {second} bytes, the first {first}");
}

//! After a bulk load (the bench's seed, a restore, a migration) the store's
//! pages are each one piece on disk, so a lookup that misses sled's cache
//! reads one fragment per page (vendor/sled/ONEDOOR.md, patch 5).

use chrono::DateTime;
use onedoor::bench::seed;
use onedoor::domain::Case;
use onedoor::store::{Store, StoreOptions};

fn every_case(store: &Store) -> Vec<Case> {
    store.all_case_ids().map(|id| store.case(&id.unwrap()).unwrap().expect("a listed case reads")).collect()
}

#[test]
fn a_bulk_loaded_store_compacted_reads_the_same_cases_from_pages_in_one_piece() {
    const CASES: u64 = 4_000;
    let now = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = StoreOptions::default();
    let store = Store::open(dir.path(), &options).unwrap();
    seed(&store, CASES, now.date_naive(), *now.offset()).unwrap();
    let loaded = store.fragments();
    assert!(loaded.fragmented > 0, "a bulk load leaves pages in several fragments: {loaded:?}");
    let cases = every_case(&store);
    assert_eq!(cases.len() as u64, CASES);

    let compacted = store.compact().unwrap();
    assert_eq!(compacted.fragmented, 0, "every page in one piece: {compacted:?}");
    // sled counts a replacement only once the log is stable past the segment
    // after it, so the pages of the last segment or two written may still be
    // queued for the cleaner (`queued_for_cleaning`): not asserted.
    assert_eq!(compacted.pages, loaded.pages, "no page lost or added");
    assert_eq!(every_case(&store), cases);

    // As the file holds it, after a reopen.
    let store = store.reopen(&options).unwrap();
    let reopened = store.fragments();
    assert_eq!(reopened.fragmented, 0, "one piece on disk too: {reopened:?}");
    assert_eq!(every_case(&store), cases);

    // A restore is a bulk load too, and ends the same way.
    let backups = tempfile::tempdir().unwrap();
    let backup = store.backup_to(backups.path(), now).unwrap();
    drop(store);
    let restored_dir = tempfile::tempdir().unwrap();
    let restored_dir = restored_dir.path().join("store");
    Store::restore_from(&backup, &restored_dir, &options, false, now).unwrap();
    let restored = Store::open(&restored_dir, &options).unwrap();
    let fragments = restored.fragments();
    assert_eq!(fragments.fragmented, 0, "a restored store's pages are in one piece: {fragments:?}");
    assert_eq!(every_case(&restored), cases);
}

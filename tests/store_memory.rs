//! The store's memory is what its `cache_mb` says, whatever the store's size:
//! opening it takes little beside its pages' places, and reading every entry
//! keeps no more cached than the cache's size (vendor/sled/ONEDOOR.md,
//! patches 8-10). Counted with a counting allocator, so the figures are the
//! bytes held, not the resident memory the allocator rounds them to. One
//! test in this file: the process's heap is its alone.

use chrono::DateTime;
use onedoor::bench::seed;
use onedoor::store::{Store, StoreOptions};

mod heap_counter;

#[global_allocator]
static ALLOCATOR: heap_counter::Counting = heap_counter::Counting;

const MIB: u64 = 1024 * 1024;

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

#[test]
fn a_store_holds_in_memory_what_its_cache_says_after_reading_every_entry() {
    const CASES: u64 = 40_000;
    const CACHE_MB: u64 = 2;
    let now = DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let dir = tempfile::tempdir().unwrap();
    {
        // The process's first open: about 7 MiB, most of it the page
        // table's two levels (6 MiB, allocated zeroed: not resident until
        // used). sled 0.34.7 also made 41 histograms of 512 KiB each then
        // (27.6 MiB in all), though it counts nothing without its
        // `metrics` feature.
        let before = heap_counter::live();
        let store = Store::open(dir.path(), &StoreOptions::default()).unwrap();
        let first = heap_counter::live().saturating_sub(before);
        assert!(first < 12 * MIB, "the first open of an empty store took {:.1} MiB", mib(first));
        seed(&store, CASES, now.date_naive(), *now.offset()).unwrap();
        store.compact().unwrap();
    }

    let before_open = heap_counter::live();
    let store = Store::open(dir.path(), &StoreOptions { cache_mb: CACHE_MB }).unwrap();
    let opened = heap_counter::live().saturating_sub(before_open);
    let pages = store.fragments().pages;
    assert!(opened < 8 * MIB, "the open took {:.1} MiB for {pages} pages", mib(opened));

    let mut bytes = 0;
    for _ in 0..2 {
        bytes = store.tree_sizes().unwrap().iter().map(|t| t.bytes).sum::<u64>();
    }
    let cached = heap_counter::live().saturating_sub(before_open + opened);
    println!(
        "{pages} pages: the open {:.2} MiB, {:.1} MiB read, {:.2} MiB held after",
        mib(opened),
        mib(bytes),
        mib(cached)
    );
    // The keys and values read are several times the cache: what stays is
    // the cache, with room for what the epoch has yet to free. sled counted
    // a page at its size on disk (compressed, a third to a fifth of its
    // size in memory), rounded up to a power of two.
    assert!(bytes > 4 * CACHE_MB * MIB, "the store is larger than its cache: {:.1} MiB", mib(bytes));
    assert!(
        cached < CACHE_MB * MIB * 3 / 2,
        "after reading {:.1} MiB of entries, {:.1} MiB more is held with a {CACHE_MB} MiB cache",
        mib(bytes),
        mib(cached)
    );
}
